"""A whole run without an orchestrator (``decree ingest --no-prefect``): fetch every document,
skip the ones whose published rows are current (``pipeline.runs.plan``), extract the others up
to ``workers`` at a time, publish once.

Extraction is CPU-bound and runs in worker processes (``pipeline.runs.isolate``), one per
document, each under its own time and memory limits, forked by a fork server that loads the
language pipeline once (``isolate.warm``, the ``load`` stage). This process keeps up to
``workers`` documents in flight from a small thread pool: each thread asks for one worker and
waits for it, so the workers share the loaded models (copy-on-write) and the threads only wait on
pipes. Each document may start ``plan.ocr_workers(workers)`` OCR processes, so documents × OCR
processes stays within the cores; as many processes read a long document's page ranges at once
(``pipeline.runs.ranges``), so a run of one large document uses every core.

Results are put back in the order of the entries before publishing, so the published rows do not
depend on ``workers`` or on which document finished first.

    outcome = run_corpus(["data/samples/manifest.yaml"], "data", workers=2)
    outcome.stages   # {"startup": ..., "fetch": ..., "documents": ..., "publish": ..., ...}
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from extractors.version import DEFAULT_MAX_PAGES
from pipeline.runs import isolate, plan
from pipeline.runs.isolate import DEFAULT_LIMITS, ExtractionLimits
from pipeline.runs.ranges import DEFAULT_RANGES, RangeSettings
from pipeline.runs.run import (
    CACHE_STAGE,
    DocResult,
    RunOutcome,
    cache_key,
    entry_key,
    extract_entry,
    fetch_entry,
    new_run_id,
    publish_results,
    rejected,
    resolve_entries,
    unchanged_result,
    validate_result,
)
from pipeline.sources.fetch import DEFAULT_SETTINGS, FetchSettings
from pipeline.sources.manifest import ManifestEntry
from pipeline.sources.rawstore import RawRecord

FETCH_THREADS = 4  # fetching is I/O: a few at a time
# the per-document seconds summed into the run's stages (schemas/runs.py STAGES)
DOCUMENT_STAGES = ("extract", "records", "cache", "validate")


def _fetch(entry: ManifestEntry, data_dir: Path | str, settings: FetchSettings) -> tuple[RawRecord | Exception, float]:
    t0 = time.perf_counter()
    try:
        return fetch_entry(entry, data_dir, settings), time.perf_counter() - t0
    except Exception as exc:  # classified by rejected()
        return exc, time.perf_counter() - t0


def run_corpus(sources: Sequence[str], data_dir: Path | str = "data", *, workers: int | None = None,
               full: bool = False, max_pages: int = DEFAULT_MAX_PAGES, limits: ExtractionLimits = DEFAULT_LIMITS,
               fetch_settings: FetchSettings = DEFAULT_SETTINGS,
               progress: Callable[[int, int], None] | None = None, startup: float | None = None,
               settings: Mapping[str, Any] | None = None, ranges: RangeSettings = DEFAULT_RANGES) -> RunOutcome:
    """Ingest ``sources`` (manifests, PDFs, folders, URLs) into ``data_dir`` as one run.
    ``workers``: documents extracted at once (default: the cores, ``plan.default_workers``);
    ``full``: publish every document again even when its published rows are current;
    ``progress(n, total)`` is called as ``n`` more documents are done; ``startup``: the seconds
    the caller took to get here (the command line passes its process's age), for the record;
    ``settings``: extraction settings overridden for every entry by dotted name; ``ranges``: when a
    long document is read in page ranges by several processes. Raises the run-level errors (a bad manifest,
    a failed publish); a bad document is a reject."""
    t_run = time.perf_counter()
    stages: dict[str, float] = {} if startup is None else {"startup": startup}
    workers = max(1, workers or plan.default_workers())
    entries = resolve_entries(sources, settings=settings)
    run_id = new_run_id()

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=FETCH_THREADS) as pool:
        fetched = list(pool.map(lambda e: _fetch(e, data_dir, fetch_settings), entries))
    stages["fetch"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    state = plan.plan_run(data_dir, cache_key(), max_pages, full=full)
    results: list[DocResult | None] = [None] * len(entries)
    todo: list[tuple[int, str, float]] = []
    for i, (entry, (got, seconds)) in enumerate(zip(entries, fetched, strict=True)):
        if isinstance(got, Exception):
            results[i] = rejected(entry, got, run_id, timings={"fetch": seconds})
        elif state.is_current(got.sha256, entry.source, key := entry_key(entry, max_pages)):
            results[i] = unchanged_result(entry, got.sha256, state, {"fetch": seconds}, key)
        else:
            todo.append((i, got.sha256, seconds))
    stages["plan"] = time.perf_counter() - t0
    if progress is not None and len(todo) < len(entries):
        progress(len(entries) - len(todo), len(entries))

    n = min(workers, len(todo))
    if todo:
        t0 = time.perf_counter()
        from pipeline.core import cache
        from pipeline.records import validate  # noqa: F401 - imported before the threads start

        # the fork server loads the libraries once (every worker starts with them), and only when a
        # document is not in the frame cache: a run served from the cache forks no worker
        if any(not cache.entry_dir(CACHE_STAGE, sha, cache_key(entries[i].settings_map), data_dir).is_dir()
               for i, sha, _ in todo):
            isolate.warm()

        stages["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if todo:
        ocr = plan.ocr_workers(n)

        def one(job: tuple[int, str, float]) -> tuple[int, DocResult]:
            i, sha, seconds = job
            res = extract_entry(entries[i], sha, data_dir, run_id, max_pages, timings={"fetch": seconds},
                                limits=limits, ocr_workers=ocr, range_workers=ocr, ranges=ranges)
            return i, validate_result(res, run_id)

        with ThreadPoolExecutor(max_workers=n) as pool:
            for i, res in pool.map(one, todo):
                results[i] = res
                if progress is not None:
                    progress(1, len(entries))
    stages["documents"] = time.perf_counter() - t0
    done = [r for r in results if r is not None]
    for name in DOCUMENT_STAGES:
        stages[name] = sum(r.timings.get(name, 0.0) for r in done)
    return publish_results(done, data_dir, run_id, stages=stages, run_started=t_run, workers=n or None)
