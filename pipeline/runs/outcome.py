"""What a run did (``RunOutcome``): the documents published, unchanged and rejected, the rows now
in each dataset, the versions the run wrote and the seconds of each stage (``schemas/runs.py``
STAGES). Built by ``pipeline.runs.run.publish_results``; read by the command line and the flows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# datasets whose rows are domain records (what the run summary counts as "records")
RECORD_DATASETS = ("norm_items", "plan_tasks", "budget_lines", "schedule_marks", "references", "people",
                   "amendments")


def ocr_seconds(frames: Mapping[str, pd.DataFrame] | None) -> float:
    """OCR wall time of a document, from its documents row (0 for a cached or scan-free one)."""
    docs = (frames or {}).get("documents")
    if docs is None or "ocr_seconds" not in docs or docs.empty:
        return 0.0
    return round(float(docs["ocr_seconds"].fillna(0).sum()), 2)


@dataclass
class RunOutcome:
    """What a run did: accepted (``published``: DocResults, the unchanged ones included) and
    rejected documents, rows now in each dataset the run wrote, ``versions`` (dataset →
    (previous version, new version)) for ``release_diff``, ``mode`` (full, incremental, unchanged:
    ``schemas/runs.py``) and ``stages`` (stage → seconds)."""

    run_id: str
    published: list[Any]
    rejected: list[Any]
    counts: Mapping[str, int]
    versions: dict = field(default_factory=dict)
    mode: str = "full"
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no document was rejected."""
        return not self.rejected

    def summary_rows(self) -> list[dict]:
        """One row per document: status, pages, tables, records, cache hit and step timings."""
        rows = []
        for r in self.published + self.rejected:
            rows.append({"document": r.entry_id, "sha256": (r.sha256 or "")[:12], "status": r.status,
                         "pages": r.stats.get("pages", 0), "tables": r.stats.get("tables", 0),
                         "records": sum(r.stats.get(n, 0) for n in RECORD_DATASETS),
                         "norm_items": r.stats.get("norm_items", 0), "cached": r.cached,
                         "unchanged": bool(getattr(r, "unchanged", False)),
                         "fetch_s": round(r.timings.get("fetch", 0.0), 2),
                         "extract_s": round(r.timings.get("extract", 0.0), 2),
                         "validate_s": round(r.timings.get("validate", 0.0), 2),
                         "ocr_s": ocr_seconds(r.frames),  # part of extract_s
                         "seconds": round(r.seconds, 2)})
        return rows

    def totals(self) -> dict[str, Any]:
        """The run in one row: documents, pages, tables, records, rejects, seconds of work."""
        rows = self.summary_rows()
        return {"documents": len(rows), "published": len(self.published), "rejects": len(self.rejected),
                "pages": sum(r["pages"] for r in rows), "tables": sum(r["tables"] for r in rows),
                "records": sum(r["records"] for r in rows), "cached": sum(bool(r["cached"]) for r in rows),
                "unchanged": sum(r["unchanged"] for r in rows), "mode": self.mode,
                "ocr_seconds": round(sum(r["ocr_s"] for r in rows), 2),
                "seconds": round(sum(r["seconds"] for r in rows), 2)}

    def reject_lines(self) -> list[str]:
        """One line per rejected document: id, stage, error code and message."""
        return [f"{r.entry_id}: {r.reject['stage']}/{r.reject['error_code']}: "
                f"{r.reject['message'].removeprefix(f'{r.entry_id}: ')}"
                for r in self.rejected if r.reject]

    def message(self) -> str:
        """One sentence for a run's final state: what was published and why documents were rejected."""
        n = len(self.published) + len(self.rejected)
        head = f"run {self.run_id}: {len(self.published)} of {n} documents published"
        if self.mode == "unchanged":
            head += " (unchanged: no table rewritten)"
        if not self.rejected:
            return head
        return f"{head}, {len(self.rejected)} rejected: " + "; ".join(self.reject_lines())


    def stage_line(self) -> str:
        """The seconds of each stage in one line (``schemas/runs.py`` STAGES)."""
        return "seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in self.stages.items() if v is not None)


def quality_frame(results: Iterable[Any]) -> pd.DataFrame | None:
    """The ``quality_checks`` rows of every accepted document, or None when no result has them."""
    import pandas as pd

    parts = [r.frames["quality_checks"] for r in results if r.ok and r.frames and "quality_checks" in r.frames]
    return pd.concat(parts, ignore_index=True) if parts else None


