"""The ``consolidate`` flow: rebuild and publish ``norms_consolidated`` from the published
norm items, amendments and documents (one library call)."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from pipeline.versions.consolidate import publish_consolidated


@task(name="consolidate")
def consolidate_task(data_dir: str) -> dict[str, int]:
    df, _result = publish_consolidated(data_dir)
    return {str(k): int(v) for k, v in df["record_kind"].value_counts().items()}


@flow(name="consolidate", persist_result=False)
def consolidate_flow(data_dir: str = "data") -> dict[str, int]:
    """Consolidated versions of every norm: valid_from/valid_to and the clauses behind them."""
    kinds = consolidate_task(data_dir)
    lines = "\n".join(f"- {k}: {v}" for k, v in sorted(kinds.items()))
    create_markdown_artifact(markdown=f"# norms_consolidated\n\n{lines}\n", key="consolidate-summary",
                             description="Rows of norms_consolidated by kind")
    get_run_logger().info("norms_consolidated: %s", kinds)
    return kinds
