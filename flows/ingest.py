"""The ``ingest`` flow: manifest / paths / URLs → fetch → extract + normalize → validate → publish.

Orchestration only: every task calls one function of ``pipeline.runs.run`` (or ``pipeline.store.release_diff``).

- **fetch** runs on the flow's thread pool (I/O) with Prefect task retries and exponential backoff,
  retried only when the error is retryable (``pipeline.sources.fetch.retry_on_retryable``: timeouts,
  broken connections, 408/425/429/5xx); a 404, a non-PDF or a checksum mismatch fails at once. A
  retry starts no earlier than the server's ``Retry-After`` asked (``honour_retry_after``).
- **extract** (CPU-bound) runs in parallel processes: a ``ProcessPoolTaskRunner`` with
  ``workers`` processes, or an existing Dask cluster when ``dask_address`` (or
  ``$DECREE_DASK_ADDRESS``) is set; see ``flows/runners.py``.
- **validate** checks every frame against ``schemas/``; **publish** makes ONE publish per run,
  the rejects included.

One document failing never fails the others: its error becomes a row of the ``rejects`` dataset.
The flow run ends ``Completed`` when every document was published, and ``Completed`` with the
state name ``CompletedWithRejects`` and a message listing each rejected document, its stage,
error code and message otherwise. It ends ``Failed`` only when the run itself could not happen
(an invalid manifest, a publish that failed and was rolled back).

Every run creates three artifacts: ``ingest-summary`` (a table: one row per document with pages,
tables, records, status and timings, totals in its description), ``ingest-quality-checks`` (the
``quality_checks`` rows, failures first) and ``ingest-release-diff`` (markdown: what the run
changed in each dataset, from ``pipeline.store.release_diff``).

Outside Prefect's UI, ``run_ingest(sources, data_dir)`` runs the flow and returns the
``pipeline.runs.run.RunOutcome``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.states import Completed, State
from prefect.tasks import exponential_backoff

from extractors.version import DEFAULT_MAX_PAGES
from flows.runners import DEFAULT_WORKERS, describe, extraction_runner, fetch_runner, shared_api
from pipeline.core.errors import is_retryable
from pipeline.runs import plan
from pipeline.runs import run as lib
from pipeline.runs.corpus import DOCUMENT_STAGES
from pipeline.sources.fetch import DEFAULT_SETTINGS, FetchSettings, retry_on_retryable
from pipeline.sources.manifest import ManifestEntry
from pipeline.sources.rawstore import RawRecord
from pipeline.store import release_diff

COMPLETED_WITH_REJECTS = "CompletedWithRejects"
SUMMARY_KEY = "ingest-summary"
QUALITY_KEY = "ingest-quality-checks"
DIFF_KEY = "ingest-release-diff"
DEFAULT_FETCH_RETRIES = 3
DEFAULT_FETCH_BACKOFF = 2.0  # seconds before the first retry; doubles each time

# results stay in memory: the published datasets are the durable output, not Prefect results
_TASK_OPTIONS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


@task(name="resolve-sources", **_TASK_OPTIONS)
def resolve_task(sources: list[str], settings: dict[str, Any] | None = None) -> list[ManifestEntry]:
    entries = lib.resolve_entries(sources, settings=settings)
    get_run_logger().info("%d documents to ingest from %s", len(entries), ", ".join(sources))
    return entries


def honour_retry_after(exc: BaseException, settings: FetchSettings = DEFAULT_SETTINGS,
                       sleep: Callable[[float], None] = time.sleep) -> float:
    """Inside a failing fetch task run: when the server asked for a wait (``Retry-After``, capped
    by ``FetchSettings.max_retry_after``) longer than the delay Prefect will put before the next
    retry, wait the difference here, so that the retry starts no earlier than the server asked.
    Prefect computes a retry's delay from the task's options only (``retry_delay_seconds``),
    never from the exception. Nothing is waited on the last attempt or for an error that is not
    retried. Returns the seconds waited."""
    from prefect.context import TaskRunContext

    asked = getattr(exc, "retry_after", None)
    ctx = TaskRunContext.get()
    if asked is None or ctx is None or not is_retryable(exc):
        return 0.0
    task_, attempt = ctx.task, ctx.task_run.run_count  # 1 on the first attempt
    if attempt > task_.retries:
        return 0.0
    delays = task_.retry_delay_seconds or 0
    planned = delays[min(attempt - 1, len(delays) - 1)] if isinstance(delays, Sequence) else float(delays)
    extra = min(float(asked), settings.max_retry_after) - float(planned)
    if extra <= 0:
        return 0.0
    get_run_logger().info("the server asked to retry after %g s: waiting %.1f s more than the backoff", asked, extra)
    sleep(extra)
    return extra


@task(name="fetch", retries=DEFAULT_FETCH_RETRIES, retry_delay_seconds=exponential_backoff(DEFAULT_FETCH_BACKOFF),
      retry_condition_fn=retry_on_retryable, **_TASK_OPTIONS)
def fetch_task(entry: ManifestEntry, data_dir: str) -> tuple[RawRecord, float]:
    """The raw record and the seconds the (last) attempt took. A retryable failure with a
    ``Retry-After`` waits as the server asked before Prefect's retry (``honour_retry_after``)."""
    t0 = time.perf_counter()
    try:
        record = lib.fetch_entry(entry, data_dir)
    except Exception as exc:
        honour_retry_after(exc)
        raise
    seconds = time.perf_counter() - t0
    get_run_logger().info("fetched %s: %s (%d bytes) in %.2f s", entry.id, record.sha256[:12], record.size, seconds)
    return record, seconds


@task(name="extract", **_TASK_OPTIONS)
def extract_task(entry: ManifestEntry, sha256: str, data_dir: str, run_id: str,
                 timings: dict[str, float], ocr_workers: int | None = None) -> lib.DocResult:
    result = lib.extract_entry(entry, sha256, data_dir, run_id, timings=timings, ocr_workers=ocr_workers)
    logger = get_run_logger()
    if result.ok:
        logger.info("extracted %s: %d pages, %d tables%s in %.1f s", entry.id, result.stats.get("pages", 0),
                    result.stats.get("tables", 0), " (cached)" if result.cached else "", result.timings["extract"])
    else:
        logger.warning("rejected %s: %s", entry.id, (result.reject or {}).get("message"))
    return result


@task(name="validate", **_TASK_OPTIONS)
def validate_task(result: lib.DocResult, run_id: str) -> lib.DocResult:
    checked = lib.validate_result(result, run_id)
    if result.ok and not checked.ok:
        get_run_logger().warning("rejected %s: %s", result.entry_id, (checked.reject or {}).get("message"))
    return checked


@task(name="publish", **_TASK_OPTIONS)
def publish_task(results: list[lib.DocResult], data_dir: str, run_id: str, run_started: float | None = None,
                 workers: int | None = None) -> lib.RunOutcome:
    stages = {name: sum(r.timings.get(name, 0.0) for r in results) for name in ("fetch", *DOCUMENT_STAGES)}
    outcome = lib.publish_results(results, data_dir, run_id, stages=stages, run_started=run_started, workers=workers)
    get_run_logger().info("published run %s: %s", run_id,
                          ", ".join(f"{n}={c}" for n, c in sorted(outcome.counts.items())) or "nothing")
    return outcome


@task(name="release-diff", **_TASK_OPTIONS)
def release_diff_task(run_id: str, data_dir: str) -> dict[str, Any]:
    return release_diff.run_release_diff(run_id, data_dir)


def _final_state(future: PrefectFuture[Any]) -> State:
    """The task run's final state, as the future itself reports it (not a possibly lagging API read)."""
    future.wait()
    return future.state


def _failure(future: PrefectFuture[Any]) -> BaseException:
    """The exception a finished, failed task future holds."""
    state = _final_state(future)
    exc = state.result(raise_on_failure=False)
    return exc if isinstance(exc, BaseException) else RuntimeError(f"task ended {state.name}: {state.message}")


def _plain(value: Any) -> Any:
    """A JSON-friendly cell for a table artifact."""
    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def _quality_rows(results: list[lib.DocResult]) -> list[dict[str, Any]]:
    checks = lib.quality_frame(results)
    if checks is None:
        return []
    names = {r.sha256: r.entry_id for r in results}
    rows = [{"document": names.get(rec["doc_sha256"], rec["doc_sha256"][:12]),
             **{k: _plain(v) for k, v in rec.items() if k != "doc_sha256"}}
            for rec in checks.to_dict("records")]
    return sorted(rows, key=lambda r: (bool(r.get("passed")), r["document"]))


def _summary_markdown(outcome: lib.RunOutcome, where: str) -> str:
    t = outcome.totals()
    lines = [f"Run `{outcome.run_id}`: {t['documents']} documents, {t['published']} published, "
             f"{t['rejects']} rejected; {t['pages']} pages, {t['tables']} tables, {t['records']} records; "
             f"{t['cached']} from cache; {t['seconds']} s of document work ({t['ocr_seconds']} s OCR); "
             f"extraction on {where}."]
    lines += [f"- rejected {line}" for line in outcome.reject_lines()]
    return "\n".join(lines)


@flow(name="ingest", task_runner=fetch_runner(), persist_result=False)
def ingest_flow(sources: list[str], data_dir: str = "data", dask_address: str | None = None,
                workers: int = DEFAULT_WORKERS, fetch_retries: int = DEFAULT_FETCH_RETRIES,
                fetch_backoff_seconds: float = DEFAULT_FETCH_BACKOFF, settings: dict[str, Any] | None = None,
                full: bool = False) -> State:
    """Ingest the documents of ``sources`` (manifest files, PDF paths, folders, URLs) into the
    datasets under ``data_dir``, as one published run. ``dask_address``: run extraction on that
    existing Dask cluster instead of ``workers`` local processes. ``settings``: extraction settings
    overridden for every document by dotted name (over each manifest entry's own). Documents whose
    published rows are current are not extracted again (``pipeline.runs.plan``) unless ``full``."""
    logger = get_run_logger()
    t_run = time.perf_counter()
    run_id = lib.new_run_id()
    where = describe(dask_address, workers)
    logger.info("run %s: data dir %s, extraction on %s", run_id, Path(data_dir).resolve(), where)
    entries = resolve_task(list(sources), settings)
    fetch = fetch_task.with_options(retries=fetch_retries,
                                    retry_delay_seconds=exponential_backoff(fetch_backoff_seconds)
                                    if fetch_retries else 0)
    fetches = {fetch.submit(e, data_dir): e for e in entries}
    results: list[lib.DocResult] = []
    extracts: dict[PrefectFuture[Any], ManifestEntry] = {}
    state = plan.plan_run(data_dir, lib.cache_key(), DEFAULT_MAX_PAGES, full=full)
    with shared_api(), extraction_runner(dask_address, workers) as runner:
        for fut in as_completed(list(fetches)):
            entry = fetches[fut]
            if _final_state(fut).is_completed():
                record, seconds = fut.result()
                timings = {"fetch": seconds}
                key = lib.entry_key(entry, DEFAULT_MAX_PAGES)
                if state.is_current(record.sha256, entry.source, key):
                    results.append(lib.unchanged_result(entry, record.sha256, state, timings, key))
                    continue
                params = {"entry": entry, "sha256": record.sha256, "data_dir": data_dir, "run_id": run_id,
                          "timings": timings, "ocr_workers": plan.ocr_workers(workers)}
                extracts[runner.submit(extract_task, params)] = entry
            else:
                exc = _failure(fut)
                logger.warning("rejected %s: fetch failed: %s", entry.id, exc)
                results.append(lib.rejected(entry, exc, run_id))
        validations = {}
        for fut in as_completed(list(extracts)):
            entry = extracts[fut]
            if _final_state(fut).is_completed():
                validations[validate_task.submit(fut.result(), run_id)] = entry
            else:  # the worker process died or the task crashed: still one document's problem
                results.append(lib.rejected(entry, _failure(fut), run_id))
    for fut, entry in validations.items():
        results.append(fut.result() if _final_state(fut).is_completed() else lib.rejected(entry, _failure(fut), run_id))
    order = {e.id: i for i, e in enumerate(entries)}
    results.sort(key=lambda r: order.get(r.entry_id, len(order)))

    # one publish: the documents, the rejects and what is derived from them (consolidation)
    outcome = publish_task(results, data_dir, run_id, t_run, workers)

    create_table_artifact(table=outcome.summary_rows(), key=SUMMARY_KEY,
                          description=_summary_markdown(outcome, where))
    quality = _quality_rows(results)
    if quality:
        failed = sum(not r.get("passed") for r in quality)
        create_table_artifact(table=quality, key=QUALITY_KEY,
                              description=f"Quality checks of run `{run_id}`: {len(quality)} checks, "
                                          f"{failed} not passed (listed first).")
    if outcome.mode == "unchanged":
        diff = f"# Release diff: run {run_id}\n\nNothing changed: every document's published rows are current."
    elif outcome.counts:
        diff = release_diff.to_markdown(release_diff_task(run_id, data_dir))
    else:
        diff = f"# Release diff: run {run_id}\n\nNothing was published (no documents)."
    create_markdown_artifact(markdown=diff, key=DIFF_KEY, description=f"What run {run_id} changed")

    if outcome.rejected:
        logger.warning(outcome.message())
        return Completed(name=COMPLETED_WITH_REJECTS, message=outcome.message(), data=outcome)
    logger.info(outcome.message())
    return Completed(message=outcome.message(), data=outcome)


def run_ingest(sources: Sequence[str], data_dir: Path | str = "data", *, dask_address: str | None = None,
               workers: int | None = DEFAULT_WORKERS, settings: dict[str, Any] | None = None,
               full: bool = False) -> lib.RunOutcome:
    """Run the ingest flow and return its ``RunOutcome`` (``outcome.rejected`` lists the rejected
    documents). Raises the run-level error (e.g. ``ManifestError``, ``PublishFailed``) when the
    flow run failed."""
    state = ingest_flow(sources=[str(s) for s in sources], data_dir=str(data_dir), dask_address=dask_address,
                        workers=workers or DEFAULT_WORKERS, settings=settings, full=full, return_state=True)
    outcome = state.result()
    if not isinstance(outcome, lib.RunOutcome):  # pragma: no cover - the flow returns it on every path
        raise TypeError(f"ingest flow returned {type(outcome).__name__}, not a RunOutcome")
    return outcome
