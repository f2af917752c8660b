"""The run record: the JSON file ``<data_dir>/parquet/_runs/<seq>.json`` that is the commit point
of a run (written by ``pipeline.store.runlog``). Its keys and the stages it times are declared
here, once; ``check_record`` refuses a record with an undeclared key or stage.

A reader (``pipeline.store.read``, the benchmark ``bench/perf.py``) may rely on every key listed in
``REQUIRED_KEYS``; the others are absent from records written before they existed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RUN_RECORD_FORMAT = 1

RUN_RECORD_KEYS: dict[str, str] = {
    "format": "Record format version (RUN_RECORD_FORMAT).",
    "sequence": "Position of the run among the published runs of this data dir (1, 2, ...).",
    "run_id": "Identifier of the run.",
    "started_at": "When publishing began (ISO 8601, UTC).",
    "committed_at": "When the record was written: the instant the run became visible (ISO 8601, UTC).",
    "code_version": "pipeline: package version; parser: parser label; code: fingerprint of the computing code.",
    "input_hashes": "doc_sha256 of every document whose rows this run replaced.",
    "rejected_hashes": "doc_sha256 of every document this run rejected.",
    "tables": "Table → its commit in this run (previous_version, version, rows, rows_added, replaced_documents); "
              "empty for an unchanged run.",
    "snapshot": "Table → the version a reader of this run sees (every published table, carried forward).",
    "mode": "full: every document's rows published; incremental: only new or changed documents published, "
            "the others kept as they were; unchanged: no table written, the snapshot is the previous run's; "
            "publish: a publish outside an ingest run (consolidate, diff --publish).",
    "unchanged_from": "For an unchanged run: the run that wrote the versions it pins.",
    "documents": "doc_sha256 → {source, cache_key, settings, stats} of every published document whose rows "
                 "are current: what lets the next run skip it. Carried forward; a document whose rows a run "
                 "replaces without saying what produced them is dropped.",
    "derive_key": "Fingerprint of the code that published the tables and derived the cross-document datasets; "
                  "a different one makes the next run publish every document again.",
    "stages": "Stage → seconds of this run (see STAGES).",
    "workers": "Documents extracted in parallel in this run.",
    "documents_total": "Documents the run was asked to ingest (published, unchanged and rejected).",
}
REQUIRED_KEYS = ("format", "sequence", "run_id", "started_at", "committed_at", "code_version", "tables", "snapshot")

STAGES: dict[str, str] = {
    "startup": "Process start to the beginning of the run: interpreter, imports, command line (wall).",
    "fetch": "Bringing every document into the raw store and hashing it (wall, all documents).",
    "plan": "Deciding which documents are unchanged (reading the last run record).",
    "load": "Loading the PDF libraries and the language pipeline once, before the first document (wall).",
    "documents": "The per-document work below, in parallel workers (wall).",
    "extract": "PDF → Document in the workers, summed over documents (cache misses only).",
    "records": "Document → typed frames (normalization, domain and legal records), summed over documents.",
    "cache": "Reading or writing the frame cache, summed over documents.",
    "validate": "Checking every frame against schemas/, summed over documents.",
    "derive": "Building the datasets derived across documents (consolidation, citation graph) (wall).",
    "publish": "Committing the tables and the run record, derive included (wall).",
    "total": "Beginning of the run to its record (wall); startup not included.",
}


def check_record(record: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` when ``record`` has an undeclared key or stage or lacks a required key."""
    extra = sorted(set(record) - set(RUN_RECORD_KEYS))
    missing = [k for k in REQUIRED_KEYS if k not in record]
    stages = sorted(set(record.get("stages") or {}) - set(STAGES))
    if extra or missing or stages:
        raise ValueError(f"run record: undeclared keys {extra}, missing keys {missing}, undeclared stages {stages} "
                         "(schemas/runs.py)")
