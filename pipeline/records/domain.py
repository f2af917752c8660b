"""The domain datasets of one document: its tables read into records by family
(``pipeline.records.normalize``), typed by ``schemas/`` (``pipeline.records.datasets.frame``),
checked against what the document declares and validated (``pipeline.records.validate``)."""

from __future__ import annotations

import pandas as pd

from extractors.model import Document
from pipeline.records.datasets import frame
from pipeline.records.normalize import DOMAIN_DATASETS, normalize_document
from pipeline.records.validate import quality_checks, validate_frame

__all__ = ["domain_frames"]


def domain_frames(doc: Document) -> dict[str, pd.DataFrame]:
    """The domain datasets of one document, typed by ``schemas/`` and validated (pipeline/records/validate.py):
    norm_items, plan_tasks, budget_lines, schedule_marks and quality_checks."""
    rec = normalize_document(doc)
    frames = {name: frame(name, getattr(rec, name)) for name in DOMAIN_DATASETS}
    frames["quality_checks"] = frame("quality_checks", quality_checks(doc, rec))
    for name, df in frames.items():
        validate_frame(name, df)
    return frames
