"""Which documents of a run need work: a document whose rows are already published, computed by
the same code from the same bytes under the same source and settings, is skipped (no
extraction, no cache read, no validation, no commit).

The latest run record says what produced every published document's rows (``documents``:
doc_sha256 → source, key, stats; ``pipeline.store.publish`` carries it forward and drops every
document whose rows a run replaced) and which code published and derived the tables
(``derive_key``). A run whose documents are all current writes no table: its record points at
the same versions (``pipeline.store.runlog.record_unchanged``). A run with some changed documents
publishes only those; the datasets derived across documents are rebuilt from what the tables
will hold (``pipeline.runs.derived``).

    plan = plan_run(data_dir)
    if plan.is_current(sha256, entry.source): ...   # skip: its published rows are current
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.core import fingerprint
from pipeline.store.tables import latest_run

# the code that writes the tables and derives datasets across documents: a change of it means the
# published tables may differ although every document's frames are the same
DERIVE_PATHS: tuple[str, ...] = ("pipeline/store", "pipeline/versions", "pipeline/runs")


@cache
def derive_key() -> str:
    """Fingerprint of the computing code plus the code that publishes and derives."""
    return fingerprint.fingerprint_of(fingerprint.COMPUTING_PATHS + DERIVE_PATHS)


def document_key(cache_key: str, max_pages: int) -> str:
    """What a document's rows depend on besides its bytes and source: the code and the settings
    that change rows (the page limit; time and memory limits only reject)."""
    return f"{cache_key}|max_pages={max_pages}"


@dataclass(frozen=True)
class RunPlan:
    """The published state a run starts from. ``full``: treat every document as changed."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: str = ""
    derive_current: bool = False
    full: bool = False

    def is_current(self, sha256: str | None, source: str, key: str | None = None) -> bool:
        """True when this document's published rows are what this run would publish; ``key``: the
        document's own ``document_key`` when its entry overrides settings (default: the run's)."""
        if self.full or not self.derive_current or not sha256:
            return False
        known = self.documents.get(sha256)
        return bool(known) and known.get("key") == (key or self.key) and known.get("source") == source

    def stats(self, sha256: str) -> dict[str, int]:
        """The counts (pages, tables, rows per dataset) recorded when the document was published."""
        return {k: int(v) for k, v in (self.documents.get(sha256, {}).get("stats") or {}).items()}


def plan_run(data_dir: Path | str, cache_key: str, max_pages: int, full: bool = False) -> RunPlan:
    """The plan of a run over ``data_dir`` by the code ``cache_key`` (``pipeline.runs.run.cache_key``)."""
    last = latest_run(data_dir)
    if last is None:
        return RunPlan(key=document_key(cache_key, max_pages), full=full)
    return RunPlan(documents=dict(last.get("documents") or {}), key=document_key(cache_key, max_pages),
                   derive_current=last.get("derive_key") == derive_key(), full=full)


def superseded(documents: Mapping[str, Mapping[str, Any]], published: Mapping[str, str],
               present: Iterable[str]) -> list[str]:
    """The published documents (``documents`` of the last run record: sha256 → source, ...) whose
    source now holds other bytes that this run publishes (``published``: source → its new sha256):
    their rows are replaced, as a fresh run over the same sources would not hold them. A document
    some entry of the run still holds (``present``) stays; a source whose new bytes were rejected
    is not in ``published``, so its last good rows stay."""
    keep = set(present)
    return sorted(sha for sha, d in documents.items()
                  if sha not in keep and (src := d.get("source")) in published and published[src] != sha)


def default_workers() -> int:
    """Documents extracted in parallel by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def ocr_workers(document_workers: int, cores: int | None = None) -> int:
    """OCR processes each document may start while ``document_workers`` documents run at once,
    so that documents × OCR processes stays within the cores."""
    return max(1, (cores or default_workers()) // max(1, document_workers))


def process_age() -> float | None:
    """Seconds since this process started (Linux ``/proc``), or None elsewhere: the run's
    start-up is this age when the run begins."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return round(max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK")), 3)
    except (OSError, ValueError, IndexError):
        return None
