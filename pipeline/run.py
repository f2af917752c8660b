"""A run, as library functions the CLI and the Prefect flows both call (flows add only
orchestration: retries, parallelism, artifacts).

    entries = resolve_entries(["data/samples/manifest.yaml"])       # manifest / paths / URLs
    results = [process_entry(e, data_dir) for e in entries]          # fetch → extract → normalize
    outcome = publish_results(results, data_dir, run_id)            # one publish, rejects recorded

``process_entry`` is the worker boundary: it never raises for a bad document; it returns a
``DocResult`` carrying either the document's frames or its classified rejection, so one
document failing never fails the others. Work is keyed on content: the frames of a document
are cached by (sha256, parser version), so an unchanged document costs one hash.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from extractors.document import DEFAULT_MAX_PAGES, PARSER_VERSION, extract_document
from pipeline import cache
from pipeline.datasets import document_frames, reject_frame
from pipeline.errors import ExtractionFailed, PipelineError
from pipeline.fetch import DEFAULT_SETTINGS, FetchSettings, fetch
from pipeline.manifest import ManifestEntry, entries_from_args

CACHE_STAGE = "datasets"


def document_datasets(path: Path, source: str, max_pages: int = DEFAULT_MAX_PAGES) -> dict[str, pd.DataFrame]:
    """Every dataset's rows for one PDF: extraction, domain records, legal references."""
    from pipeline.amendments import legal_frames
    from pipeline.normalize import domain_frames

    doc = extract_document(path, max_pages=max_pages)
    frames = document_frames(doc, source)
    frames.update(domain_frames(doc))
    frames.update(legal_frames(doc))
    return frames


@dataclass
class DocResult:
    entry_id: str
    source: str
    sha256: str | None
    frames: dict[str, pd.DataFrame] | None = None
    reject: dict | None = None
    cached: bool = False
    seconds: float = 0.0
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.frames is not None


def resolve_entries(args: Iterable[str], cwd: Path | None = None) -> list[ManifestEntry]:
    """Manifest files, PDF paths, folders and URLs → manifest entries."""
    return entries_from_args([str(a) for a in args], cwd=cwd)


def process_entry(entry: ManifestEntry, data_dir: Path | str = "data", run_id: str = "",
                  settings: FetchSettings = DEFAULT_SETTINGS, max_pages: int = DEFAULT_MAX_PAGES,
                  use_cache: bool = True) -> DocResult:
    """Fetch, extract and normalize one document. Never raises for a bad document."""
    t0 = time.perf_counter()
    res = DocResult(entry.id, entry.source, entry.sha256)
    try:
        record = fetch(entry, data_dir, settings)
        res.sha256 = record.sha256
        path = Path(data_dir) / "raw" / f"{record.sha256}.pdf"
        compute = lambda: document_datasets(path, entry.source, max_pages)  # noqa: E731
        if use_cache:
            hit = cache.get(CACHE_STAGE, record.sha256, PARSER_VERSION, data_dir)
            res.cached = hit is not None
            frames = hit if hit is not None else cache.cached(CACHE_STAGE, record.sha256, PARSER_VERSION, compute,
                                                              data_dir)
        else:
            frames = compute()
        res.frames = dict(frames)
    except PipelineError as exc:
        res.reject = _reject(entry, res.sha256, exc.stage, exc.code, str(exc), run_id)
    except Exception as exc:  # unexpected: classified as ExtractionFailed, never swallowed
        err = ExtractionFailed(f"{entry.id}: {exc.__class__.__name__}: {exc}")
        res.reject = _reject(entry, res.sha256, err.stage, err.code, str(err), run_id)
    res.seconds = time.perf_counter() - t0
    if res.frames is not None:
        res.stats = {name: len(df) for name, df in res.frames.items()}
    return res


def _reject(entry: ManifestEntry, sha: str | None, stage: str, code: str, message: str, run_id: str) -> dict:
    return {"doc_sha256": sha or f"unfetched:{entry.id}", "source": entry.source,
            "file_name": Path(entry.source).name, "stage": stage, "error_code": code, "message": message,
            "run_id": run_id, "rejected_at": datetime.now(UTC)}


@dataclass
class RunOutcome:
    run_id: str
    published: list[DocResult]
    rejected: list[DocResult]
    counts: Mapping[str, int]
    versions: dict = field(default_factory=dict)

    def summary_rows(self) -> list[dict]:
        rows = []
        for r in self.published + self.rejected:
            rows.append({"document": r.entry_id, "sha256": (r.sha256 or "")[:12], "status": "ok" if r.ok else
                         f"rejected: {r.reject['error_code']}" if r.reject else "?",
                         "pages": r.stats.get("pages", 0), "tables": r.stats.get("tables", 0),
                         "norm_items": r.stats.get("norm_items", 0), "cached": r.cached,
                         "seconds": round(r.seconds, 2)})
        return rows


def publish_results(results: Iterable[DocResult], data_dir: Path | str = "data", run_id: str | None = None) -> RunOutcome:
    """Publish every accepted document's frames and every rejection, as one run."""
    from pipeline.publish import publish

    run_id = run_id or new_run_id()
    results = list(results)
    ok = [r for r in results if r.ok]
    bad = [r for r in results if not r.ok]
    collected: dict[str, list[pd.DataFrame]] = {}
    for r in ok:
        for name, df in (r.frames or {}).items():
            collected.setdefault(name, []).append(df)
    frames = {name: pd.concat(dfs, ignore_index=True) for name, dfs in collected.items()}
    if bad:
        rows = [dict(r.reject or {}, run_id=run_id) for r in bad]
        frames["rejects"] = reject_frame(rows)
    counts: Mapping[str, int] = {}
    versions: dict = {}
    if frames:
        result = publish(frames, data_dir, run_id=run_id, input_hashes=[r.sha256 for r in ok if r.sha256])
        counts = result
        versions = dict(getattr(result, "versions", {}) or {})
    return RunOutcome(run_id, ok, bad, counts, versions)


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
