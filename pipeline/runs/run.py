"""A run, as library functions the CLI and the Prefect flows both call (flows add only
orchestration: retries, parallelism, artifacts). No Prefect here.

One document goes through four steps, each a plain function::

    entries = resolve_entries(["data/samples/manifest.yaml"])     # manifest / paths / URLs
    record  = fetch_entry(entry, data_dir)                         # ONE attempt; raises classified errors
    result  = extract_entry(entry, record.sha256, data_dir, run_id) # cached extract + normalize → DocResult
    result  = validate_result(result, run_id)                      # every frame against schemas/
    outcome = publish_results(results, data_dir, run_id)           # one publish, rejects recorded

``fetch_entry`` raises so that a caller can retry it (Prefect task retries with
``pipeline.sources.fetch.retry_on_retryable``); once the caller gives up, ``rejected(entry, exc)`` turns
the error into a rejected ``DocResult``. ``extract_entry`` and ``validate_result`` never raise
for a bad document: they return a ``DocResult`` carrying either the document's frames or its
classified rejection, so one document failing never fails the others. ``process_entry`` chains
the four steps for callers without an orchestrator.

Work is keyed on content: the frames of a document are cached by its sha256 and the fingerprint
of the code and data that compute them (``cache_key``: ``pipeline.core.fingerprint``), so an
unchanged document costs one hash and any change of a rule recomputes it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from extractors.failures import describe, unwrap
from extractors.version import DEFAULT_MAX_PAGES, PARSER_VERSION  # noqa: F401 - PARSER_VERSION re-exported
from pipeline.core.errors import ExtractionFailed, PipelineError, ResourceLimitExceeded
from pipeline.runs import isolate  # noqa: F401 - re-exported (tests count its calls)
from pipeline.runs.extract import (  # noqa: F401 - re-exported: the run's entry points
    cache_key,
    document_datasets,
    isolated_datasets,
    timed_datasets,
)
from pipeline.runs.isolate import DEFAULT_LIMITS, ExtractionLimits
from pipeline.runs.outcome import RECORD_DATASETS, RunOutcome, quality_frame  # noqa: F401 - re-exported
from pipeline.runs.plan import RunPlan, derive_key, document_key, superseded
from pipeline.runs.ranges import DEFAULT_RANGES, RangeSettings
from pipeline.sources.fetch import DEFAULT_SETTINGS, FetchSettings, fetch
from pipeline.sources.manifest import ManifestEntry, entries_from_args, is_url
from pipeline.sources.rawstore import RawRecord, raw_path
from pipeline.store.tables import latest_run

if TYPE_CHECKING:
    import pandas as pd

# the cache stage of ``document_datasets`` (a label: the key is ``cache_key()``, which changes
# with any file that computes the frames)
CACHE_STAGE = "datasets"


@dataclass
class DocResult:
    """One document's outcome: its frames (accepted) or its reject row (rejected)."""

    entry_id: str
    source: str
    sha256: str | None
    frames: dict[str, pd.DataFrame] | None = None
    reject: dict | None = None
    cached: bool = False
    unchanged: bool = False  # its published rows are current: nothing read, nothing published
    key: str = ""  # what its rows depend on besides bytes and source (``plan.document_key``)
    seconds: float = 0.0
    stats: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # step → seconds (fetch, extract, validate)

    @property
    def ok(self) -> bool:
        return self.frames is not None or self.unchanged

    @property
    def status(self) -> str:
        """'ok'; for a published document with pages that have no text layer, what was not read;
        'rejected: CODE' otherwise."""
        if not self.ok:
            return f"rejected: {self.reject['error_code']}" if self.reject else "rejected"
        pages, image = self.stats.get("pages", 0), self.stats.get("image_pages", 0)
        blank, ocr = self.stats.get("blank_pages", 0), self.stats.get("ocr_pages", 0)
        if pages and image + blank >= pages and image:
            return f"unread: all {pages} pages are images without a usable text layer; no text extracted"
        if image:
            return f"partly read: {image} of {pages} pages have no usable text layer and were not read"
        if pages and blank >= pages:
            return f"unread: all {pages} pages are blank"
        if ocr:
            return f"ok: {ocr} of {pages} pages read by OCR"
        return "ok"


def _page_stats(pages: pd.DataFrame | None) -> dict[str, int]:
    """Pages not read (no usable text layer and no word read by OCR), read by OCR, and blank."""
    import pandas as pd

    if pages is None or pages.empty:
        return {"image_pages": 0, "ocr_pages": 0, "blank_pages": 0}
    ocr = pages["is_ocr"].fillna(False).astype(bool) if "is_ocr" in pages else pd.Series(False, index=pages.index)
    need = pages["needs_ocr"].fillna(False).astype(bool) if "needs_ocr" in pages else \
        pages["page_kind"].isin(["image_only", "not_vietnamese", "outline"])
    words = pages["n_words"].fillna(0) if "n_words" in pages else pd.Series(0, index=pages.index)
    unread = need & (~ocr | (words == 0))
    return {"image_pages": int(unread.sum()), "ocr_pages": int((ocr & (words > 0)).sum()),
            "blank_pages": int((pages["page_kind"] == "blank").sum())}


def resolve_entries(args: Iterable[str], cwd: Path | None = None,
                    settings: Mapping[str, Any] | None = None) -> list[ManifestEntry]:
    """Manifest files, PDF paths, folders and URLs → manifest entries; ``settings`` (the command
    line's ``--setting``) are laid over every entry's own ``settings:``."""
    entries = entries_from_args([str(a) for a in args], cwd=cwd)
    return [e.with_settings(settings) for e in entries] if settings else entries


def fetch_entry(entry: ManifestEntry, data_dir: Path | str = "data",
                settings: FetchSettings = DEFAULT_SETTINGS) -> RawRecord:
    """One attempt to bring the entry's bytes into the raw store (``pipeline.sources.fetch.fetch``).
    Raises the classified fetch errors; ``pipeline.core.errors.is_retryable`` says which to retry."""
    return fetch(entry, data_dir, settings)


def rejected(entry: ManifestEntry, exc: BaseException, run_id: str = "", sha256: str | None = None,
             timings: Mapping[str, float] | None = None) -> DocResult:
    """The rejected ``DocResult`` of a document whose step raised ``exc``. A classified
    ``PipelineError`` keeps its stage and code; anything else is an ``ExtractionFailed``."""
    if isinstance(unwrap(exc), MemoryError):
        exc = ResourceLimitExceeded(f"out of memory ({describe(exc)})")
    elif not isinstance(exc, PipelineError):
        exc = ExtractionFailed(describe(exc))
    times = dict(timings or {})
    return DocResult(entry.id, entry.source, sha256 or entry.sha256,
                     reject=_reject(entry, sha256, exc.stage, exc.code, source_message(entry, str(exc), sha256),
                                    run_id),
                     seconds=sum(times.values()), timings=times)


def extract_entry(entry: ManifestEntry, sha256: str, data_dir: Path | str = "data", run_id: str = "",
                  max_pages: int = DEFAULT_MAX_PAGES, use_cache: bool = True,
                  timings: Mapping[str, float] | None = None, limits: ExtractionLimits = DEFAULT_LIMITS,
                  ocr_workers: int | None = None, range_workers: int = 1,
                  ranges: RangeSettings = DEFAULT_RANGES) -> DocResult:
    """Extract and normalize the fetched document ``sha256`` (from the raw store; cached by
    sha256 + ``cache_key()``). Never raises for a bad document. ``range_workers`` > 1: a long
    document is read in page ranges by that many processes at once (``pipeline.runs.ranges``). ``timings`` are the steps
    before this one (e.g. ``{"fetch": 0.2}``), kept in the result with ``extract`` (PDF →
    Document), ``records`` (→ frames) and ``cache`` (the rest: reading or writing the cache)."""
    times = dict(timings or {})
    t0 = time.perf_counter()
    path = raw_path(sha256, data_dir)
    cached = False
    took: dict[str, float] = {}
    from pipeline.core import cache  # pandas: only when a document is read

    try:
        def compute() -> dict[str, pd.DataFrame]:
            return isolated_datasets(path, entry.source, max_pages, limits, data_dir, ocr_workers=ocr_workers,
                                     seconds=took, settings=entry.settings_map, range_workers=range_workers,
                                     ranges=ranges)

        if use_cache:
            key = cache_key(entry.settings_map)
            hit = cache.get(CACHE_STAGE, sha256, key, data_dir)
            cached = hit is not None
            frames = hit if hit is not None else cache.cached(CACHE_STAGE, sha256, key, compute, data_dir)
        else:
            frames = compute()
    except Exception as exc:  # classified below, never swallowed
        times["extract"] = time.perf_counter() - t0
        return rejected(entry, exc, run_id, sha256, times)
    total = time.perf_counter() - t0
    times.update(extract=took.get("extract", 0.0), records=took.get("records", 0.0))
    times["cache"] = max(0.0, total - times["extract"] - times["records"])
    frames = _with_source(dict(frames), entry.source)
    stats = {name: len(df) for name, df in frames.items()}
    stats.update(_page_stats(frames.get("pages")))
    return DocResult(entry.id, entry.source, sha256, frames=frames, cached=cached, seconds=sum(times.values()),
                     stats=stats, timings=times, key=entry_key(entry, max_pages))


def entry_key(entry: ManifestEntry, max_pages: int = DEFAULT_MAX_PAGES) -> str:
    """What an entry's rows depend on besides its bytes and source (``plan.document_key``): the
    code, the page limit and the extraction settings the entry overrides."""
    return document_key(cache_key(entry.settings_map), max_pages)


def unchanged_result(entry: ManifestEntry, sha256: str, plan: RunPlan,
                     timings: Mapping[str, float] | None = None, key: str | None = None) -> DocResult:
    """The result of a document whose published rows are current (``plan.is_current``): no
    frames, its counts as recorded when it was published."""
    times = dict(timings or {})
    return DocResult(entry.id, entry.source, sha256, cached=True, unchanged=True, key=key or plan.key,
                     stats=plan.stats(sha256), timings=times, seconds=sum(times.values()))


def source_message(entry: ManifestEntry, message: str, sha256: str | None = None) -> str:
    """A reject message that names the document as its source does (the entry id, the source's
    file name), never as the raw store does (``<sha256>.pdf``, which extraction reads)."""
    name = file_name_of(entry.source)
    if sha256:
        message = message.replace(f"{sha256}.pdf", name)
    return message if message.startswith(f"{entry.id}: ") else f"{entry.id}: {message}"


def file_name_of(source: str) -> str:
    """The file name a source gives a document: the last segment of a URL's path, or a path's name."""
    return Path(unquote(urlsplit(source).path)).name if is_url(source) else Path(source).name


def _with_source(frames: dict[str, pd.DataFrame], source: str) -> dict[str, pd.DataFrame]:
    """The frames with the ``documents`` row naming THIS source: extraction reads the raw store's
    ``<sha256>.pdf`` and the cache is shared by every source with the same bytes."""
    docs = frames.get("documents")
    if docs is not None:
        named = docs.assign(source=source, file_name=file_name_of(source))
        frames["documents"] = named.astype({c: docs[c].dtype for c in ("source", "file_name")})
    return frames


def validate_result(result: DocResult, run_id: str = "") -> DocResult:
    """Check every frame of an accepted document against its declared dataset
    (``pipeline.records.validate.validate_frame``). A frame that breaks its schema turns the document
    into a reject (stage ``validate``) instead of failing the publish. Never raises for a bad
    document; a rejected result is returned as is."""
    from pipeline.records.validate import validate_frame

    if not result.ok:
        return result
    t0 = time.perf_counter()
    entry = ManifestEntry(result.entry_id, result.source, result.sha256)
    try:
        for name, df in (result.frames or {}).items():
            validate_frame(name, df)
    except Exception as exc:  # classified by rejected()
        times = {**result.timings, "validate": time.perf_counter() - t0}
        return rejected(entry, exc, run_id, result.sha256, times)
    times = {**result.timings, "validate": time.perf_counter() - t0}
    return replace(result, timings=times, seconds=sum(times.values()))


def process_entry(entry: ManifestEntry, data_dir: Path | str = "data", run_id: str = "",
                  settings: FetchSettings = DEFAULT_SETTINGS, max_pages: int = DEFAULT_MAX_PAGES,
                  use_cache: bool = True, limits: ExtractionLimits = DEFAULT_LIMITS) -> DocResult:
    """Fetch (one attempt), extract, normalize and validate one document. Never raises for a
    bad document."""
    t0 = time.perf_counter()
    try:
        record = fetch_entry(entry, data_dir, settings)
    except Exception as exc:  # classified by rejected()
        return rejected(entry, exc, run_id, timings={"fetch": time.perf_counter() - t0})
    res = extract_entry(entry, record.sha256, data_dir, run_id, max_pages, use_cache,
                        timings={"fetch": time.perf_counter() - t0}, limits=limits)
    return validate_result(res, run_id)


def _reject(entry: ManifestEntry, sha: str | None, stage: str, code: str, message: str, run_id: str) -> dict:
    return {"doc_sha256": sha or f"unfetched:{entry.id}", "source": entry.source,
            "file_name": file_name_of(entry.source), "stage": stage, "error_code": code, "message": message,
            "run_id": run_id, "rejected_at": datetime.now(UTC)}


def publish_results(results: Iterable[DocResult], data_dir: Path | str = "data", run_id: str | None = None, *,
                    stages: Mapping[str, float] | None = None, run_started: float | None = None,
                    workers: int | None = None) -> RunOutcome:
    """Publish every accepted document's frames, every rejection and the datasets derived across
    documents (citation graph, ``norms_consolidated``: ``pipeline.runs.derived``) as ONE run: one
    run id, one run record, all or nothing. Two sources with identical bytes (same sha256) are
    one document: its rows are published once (the first source's). Unchanged documents
    (``unchanged_result``) publish nothing and keep their rows; when every document is unchanged
    and none rejected, no table is written and the run's record points at the same versions
    (``pipeline.store.runlog.record_unchanged``). ``stages`` (seconds so far) and the wall time since
    ``run_started`` (``time.perf_counter()``) go into the run record (``schemas/runs.py``)."""
    from pipeline.store.runlog import record_unchanged

    run_id = run_id or new_run_id()
    results = list(results)
    ok = [r for r in results if r.ok]
    bad = [r for r in results if not r.ok]
    collected: dict[str, list[pd.DataFrame]] = {}
    seen: set[str | None] = set()
    fresh: list[DocResult] = []
    for r in ok:
        if r.sha256 in seen:  # the same bytes under two sources: one document, its rows once
            continue
        seen.add(r.sha256)
        if r.unchanged:
            continue
        fresh.append(r)
        for name, df in (r.frames or {}).items():
            collected.setdefault(name, []).append(df)
    frames: dict[str, pd.DataFrame] = {}
    if collected or bad:
        import pandas as pd

        from pipeline.records.datasets import reject_frame

        frames = {name: pd.concat(dfs, ignore_index=True) for name, dfs in collected.items()}
        if bad:
            frames["rejects"] = reject_frame(_reject_rows(bad, run_id))
    mode = "incremental" if any(r.unchanged for r in ok) else "full"
    times = {k: round(float(v), 3) for k, v in (stages or {}).items()}
    if run_started is not None:
        times["total"] = round(time.perf_counter() - run_started, 3)
    extra = {"mode": mode, "derive_key": derive_key(), "stages": times, "documents_total": len(results),
             **({"workers": workers} if workers else {})}
    counts: Mapping[str, int] = {}
    versions: dict = {}
    if frames:
        from pipeline.runs.derived import deriver
        from pipeline.store.publish import publish

        hashes = [r.sha256 for r in fresh if r.sha256]
        hashes += superseded((latest_run(data_dir) or {}).get("documents") or {},
                             {r.source: r.sha256 for r in fresh if r.sha256}, (r.sha256 for r in results if r.sha256))
        documents = {r.sha256: {"source": r.source, "key": r.key, "stats": r.stats} for r in fresh if r.sha256}
        result = publish(frames, data_dir, run_id=run_id, input_hashes=hashes,
                         derive=deriver(frames, hashes, data_dir), documents=documents, extra=extra)
        counts = result
        versions = dict(result.versions)
        times = json.loads(result.record_path.read_text(encoding="utf-8")).get("stages", times)
    elif ok:  # every document unchanged, none rejected
        mode = "unchanged"
        times = record_unchanged(data_dir, run_id, {**extra, "mode": mode})["stages"]
    return RunOutcome(run_id, ok, bad, counts, versions, mode=mode, stages=times)


def _reject_rows(bad: list[DocResult], run_id: str) -> list[dict]:
    """One reject row per rejected document (sha256): the same bytes rejected under several
    sources are one row naming the other sources in its message."""
    rows: dict[str, dict] = {}
    for r in bad:
        row = dict(r.reject or {}, run_id=run_id)
        first = rows.setdefault(row["doc_sha256"], row)
        if first is not row:
            first["message"] += f" (the same bytes also came from {row['source']})"
    return list(rows.values())


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
