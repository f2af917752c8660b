"""Ingest: PDFs → extraction → datasets → publish, one document at a time.

A document that fails is recorded in the ``rejects`` dataset with its classified reason and the
run goes on; nothing of a failed document is published.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from extractors.document import extract_document, sha256_file
from pipeline.datasets import document_frames, reject_frame
from pipeline.errors import ExtractionFailed, PipelineError
from pipeline.publish import publish


@dataclass
class IngestReport:
    run_id: str
    documents: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def pdf_paths(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.suffix.lower() == ".pdf"))
        else:
            out.append(p)
    return out


def ingest(paths: Iterable[Path], data_dir: Path | str = "data", run_id: str | None = None) -> IngestReport:
    report = IngestReport(run_id or uuid.uuid4().hex[:12])
    collected: dict[str, list[pd.DataFrame]] = {}
    for path in pdf_paths(paths):
        try:
            doc = extract_document(path)
        except PipelineError as exc:
            report.rejects.append(_reject(path, exc.stage, exc.code, str(exc), report.run_id))
            continue
        except Exception as exc:  # an unexpected failure is classified, never swallowed
            err = ExtractionFailed(f"{path.name}: {exc.__class__.__name__}: {exc}")
            report.rejects.append(_reject(path, err.stage, err.code, str(err), report.run_id))
            continue
        for name, df in document_frames(doc, str(path)).items():
            collected.setdefault(name, []).append(df)
        report.documents.append({"file": str(path), "sha256": doc.sha256, "pages": doc.page_count,
                                 "tables": len(doc.tables), "headings": len(doc.headings)})
    frames = {name: pd.concat(dfs, ignore_index=True) for name, dfs in collected.items()}
    if report.rejects:
        frames["rejects"] = reject_frame(report.rejects)
    if frames:
        report.counts = publish(frames, data_dir)
    return report


def _reject(path: Path, stage: str, code: str, message: str, run_id: str) -> dict:
    try:
        sha = sha256_file(path)
    except OSError:
        sha = "unreadable:" + str(path)
    return {"doc_sha256": sha, "source": str(path), "file_name": path.name, "stage": stage, "error_code": code,
            "message": message, "run_id": run_id, "rejected_at": datetime.now(UTC)}
