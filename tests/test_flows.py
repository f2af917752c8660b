"""The ingest flow, run in-process against one temporary Prefect server (``prefect_api``):
process-pool and Dask extraction, fetch retries only for retryable errors, rejects that never
fail the others, the final state, the artifacts, and the published datasets."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import pipeline
from flows import runners
from pipeline.core.errors import ManifestError

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "data" / "samples" / "pdf"
DAKLAK = PDF / "compact" / "daklak-2026-letter.pdf"
CAMAU = PDF / "compact" / "camau-2025-plan.pdf"
GOV_DAKLAK = PDF / "gov" / "daklak-2026-letter.pdf"


class _Server:
    """A real HTTP server on 127.0.0.1: ``/flaky.pdf`` answers 503 once, then a PDF;
    ``/missing.pdf`` is a 404. ``hits`` counts requests per path."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        body = GOV_DAKLAK.read_bytes()
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                hits[self.path] += 1
                if self.path == "/flaky.pdf" and hits[self.path] > 1:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/pdf")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                status = 503 if self.path == "/flaky.pdf" else 404
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture
def http_server() -> Iterator[_Server]:
    server = _Server()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def _artifacts(flow_run_id: object) -> dict[str, object]:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(
            any_=[flow_run_id])))
    return {a.key: a for a in found}


def test_ingest_flow_publishes_good_documents_and_reports_rejects(prefect_api: str, tmp_path: Path,
                                                                 http_server: _Server) -> None:
    from prefect import get_client

    from flows.ingest import COMPLETED_WITH_REJECTS, DIFF_KEY, QUALITY_KEY, SUMMARY_KEY, ingest_flow

    not_pdf = tmp_path / "error-page.pdf"
    not_pdf.write_text("<html><body>503 Service Unavailable</body></html>", encoding="utf-8")
    data_dir = tmp_path / "data"
    sources = [str(DAKLAK), str(CAMAU), f"{http_server.url}/flaky.pdf", f"{http_server.url}/missing.pdf",
               str(not_pdf)]
    state = ingest_flow(sources=sources, data_dir=str(data_dir), workers=2, fetch_retries=2,
                        fetch_backoff_seconds=0.0, return_state=True)

    # the run completed, and its state says that (and why) documents were rejected
    assert state.is_completed()
    assert state.name == COMPLETED_WITH_REJECTS
    assert "3 of 5 documents published, 2 rejected" in state.message
    assert "missing: fetch/HttpStatusError" in state.message and "error-page: read/NotAPdf" in state.message
    with get_client(sync_client=True) as client:
        server_state = client.read_flow_run(state.state_details.flow_run_id).state
    assert server_state.name == COMPLETED_WITH_REJECTS and server_state.message == state.message

    outcome = state.result()
    assert [r.entry_id for r in outcome.published] == ["daklak-2026-letter", "camau-2025-plan", "flaky"]
    assert {r.entry_id: r.reject["error_code"] for r in outcome.rejected} == {"missing": "HttpStatusError",
                                                                                "error-page": "NotAPdf"}
    # retries with backoff only for retryable errors: the 503 was retried, the 404 was not
    assert http_server.hits["/flaky.pdf"] == 2
    assert http_server.hits["/missing.pdf"] == 1

    # one publish: the three documents and the two rejects, readable through pipeline.load
    docs = pipeline.load("documents", data_dir=data_dir)
    assert sorted(docs["file_name"]) == sorted([DAKLAK.name, CAMAU.name, "flaky.pdf"])
    assert set(docs["doc_sha256"]) == {r.sha256 for r in outcome.published}
    rejects = pipeline.load("rejects", data_dir=data_dir)
    assert sorted(rejects["error_code"]) == ["HttpStatusError", "NotAPdf"]
    assert set(rejects["run_id"]) == {outcome.run_id}
    pages = pipeline.load("pages", data_dir=data_dir)
    assert pages.groupby("doc_sha256").size().to_dict() == {r.sha256: r.stats["pages"] for r in outcome.published}
    versions = pipeline.list_versions("documents", data_dir=data_dir)
    assert list(versions["run_id"]) == [outcome.run_id]

    # the artifacts of the run: summary table, quality checks, release diff
    arts = _artifacts(state.state_details.flow_run_id)
    assert {SUMMARY_KEY, QUALITY_KEY, DIFF_KEY} <= set(arts)
    summary = json.loads(arts[SUMMARY_KEY].data)
    assert [row["document"] for row in summary] == [r.entry_id for r in outcome.published + outcome.rejected]
    by_doc = {row["document"]: row for row in summary}
    assert by_doc["camau-2025-plan"]["pages"] == 8 and by_doc["camau-2025-plan"]["status"] == "ok"
    assert by_doc["missing"]["status"] == "rejected: HttpStatusError"
    assert "2 rejected" in arts[SUMMARY_KEY].description
    quality = json.loads(arts[QUALITY_KEY].data)
    checks = pipeline.load("quality_checks", data_dir=data_dir)
    assert len(quality) == len(checks) > 0
    assert {q["document"] for q in quality} == {"daklak-2026-letter", "camau-2025-plan", "flaky"}
    diff = arts[DIFF_KEY].data
    assert f"run {outcome.run_id}" in diff and "| documents | new → 0 | 0 | 3 | 3 |" in diff


def test_rerun_uses_the_cache_and_reports_an_unchanged_release(prefect_api: str, tmp_path: Path) -> None:
    from flows.ingest import DIFF_KEY, ingest_flow

    data_dir = str(tmp_path / "data")
    first = ingest_flow(sources=[str(DAKLAK)], data_dir=data_dir, workers=1, return_state=True)
    second = ingest_flow(sources=[str(DAKLAK)], data_dir=data_dir, workers=1, return_state=True)
    assert first.name == second.name == "Completed"
    assert not first.result().published[0].cached and second.result().published[0].cached
    assert second.result().mode == "unchanged" and second.result().published[0].unchanged  # nothing read again
    diff = _artifacts(second.state_details.flow_run_id)[DIFF_KEY].data
    assert "Nothing changed" in diff
    third = ingest_flow(sources=[str(DAKLAK)], data_dir=data_dir, workers=1, full=True, return_state=True)
    assert third.result().mode == "full" and third.result().published[0].cached  # --full: from the cache
    diff = _artifacts(third.state_details.flow_run_id)[DIFF_KEY].data
    assert "| documents | 0 → 1 | 1 | 1 | 0 | 0 | 0 | no |" in diff
    assert len(pipeline.load("documents", data_dir=data_dir)) == 1


def test_a_run_that_cannot_start_fails_with_the_classified_error(prefect_api: str, tmp_path: Path) -> None:
    from flows.ingest import ingest_flow, run_ingest

    state = ingest_flow(sources=[str(tmp_path / "nope.yaml")], data_dir=str(tmp_path), return_state=True)
    assert state.is_failed()
    with pytest.raises(ManifestError, match="no such file"):
        run_ingest([tmp_path / "nope.yaml"], tmp_path)
    assert not (tmp_path / "parquet").exists()


def test_ingest_on_a_two_worker_dask_cluster(prefect_api: str, tmp_path: Path) -> None:
    from distributed import LocalCluster

    from flows.ingest import run_ingest

    data_dir = tmp_path / "data"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        outcome = run_ingest([DAKLAK, CAMAU], data_dir, dask_address=cluster.scheduler_address)
        ran_on_dask = dict(cluster.scheduler.task_prefixes)
    assert outcome.ok and not outcome.rejected
    assert sum(p.state_counts["memory"] + p.state_counts["released"] + p.state_counts["forgotten"]
               for p in ran_on_dask.values()) >= 2, ran_on_dask
    docs = pipeline.load("documents", data_dir=data_dir)
    assert sorted(docs["file_name"]) == [CAMAU.name, DAKLAK.name]
    tasks = pipeline.load("plan_tasks", data_dir=data_dir)
    assert set(tasks["doc_sha256"]) == set(docs["doc_sha256"])
    assert len(tasks) == sum(r.stats["plan_tasks"] for r in outcome.published) > 0
    assert len(pipeline.load("cells", data_dir=data_dir)) == sum(r.stats["cells"] for r in outcome.published)


def test_one_setting_selects_the_task_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.task_runners import ProcessPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    monkeypatch.delenv(runners.DASK_ADDRESS_ENV, raising=False)
    local = runners.extraction_runner()
    assert isinstance(local, ProcessPoolTaskRunner)
    assert runners.describe() == "local process pool (2 workers)"
    monkeypatch.setenv(runners.DASK_ADDRESS_ENV, "tcp://10.0.0.5:8786")
    assert isinstance(runners.extraction_runner(), DaskTaskRunner)
    assert runners.extraction_runner().address == "tcp://10.0.0.5:8786"
    assert runners.extraction_runner("tcp://10.0.0.6:8786").address == "tcp://10.0.0.6:8786"
    monkeypatch.setenv(runners.DASK_ADDRESS_ENV, " ")
    assert isinstance(runners.extraction_runner(workers=3), ProcessPoolTaskRunner)
    with pytest.raises(ValueError, match="at least 1"):
        runners.extraction_runner(workers=0)
