"""Prefect flows: orchestration only; every task calls one library function.

- ``flows.ingest``: ``ingest_flow`` (the ``ingest`` flow, deployed by ``prefect.yaml``) and
  ``run_ingest`` (run it in-process, get the ``pipeline.runs.run.RunOutcome``);
- ``flows.runners``: where extraction runs (local process pool, or an existing Dask cluster).
"""
