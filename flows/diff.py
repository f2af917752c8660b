"""The ``diff`` flow: compare two documents (or dates), publish the ``norm_diffs`` rows and
write the self-contained HTML report (one library call per task)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from pipeline.store.publish import publish
from pipeline.versions.diff import compare, summary
from pipeline.versions.report_html import render_html


@task(name="diff")
def diff_task(data_dir: str, a: str, b: str, report_dir: str) -> tuple[str, str]:
    result = compare(data_dir, a, b)
    publish({"norm_diffs": result.rows}, data_dir, input_hashes=[])
    out = Path(report_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = f"diff-{a}-{b}".replace("/", "-") + ".html"
    (out / name).write_text(render_html(result), encoding="utf-8")
    return str(out / name), summary(result.rows).to_markdown(index=False)


@flow(name="diff", persist_result=False)
def diff_flow(a: str, b: str, data_dir: str = "data", report_dir: str = "data/reports") -> str:
    """Item-level changes between two decrees (or dates), model by model."""
    path, table = diff_task(data_dir, a, b, report_dir)
    create_markdown_artifact(markdown=f"# Norm diff {a} → {b}\n\n{table}\n\nReport: `{path}`",
                             key="norm-diff-summary", description=f"Norm diff {a} → {b}")
    get_run_logger().info("diff %s → %s: report %s", a, b, path)
    return path
