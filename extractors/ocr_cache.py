"""The OCR cache: a page's result stored as plain frames under a key made of the rendered image's
SHA-256 and the OCR settings, so the same page is never read twice."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from extractors.model import Cell, Line, TableFragment
from extractors.ocr_image import OcrPage, OcrSettings


def cache_key(rgb: np.ndarray, s: OcrSettings) -> str:
    h = hashlib.sha256()
    h.update(repr(rgb.shape).encode())
    h.update(rgb.tobytes())
    h.update(s.key().encode())
    return h.hexdigest()


def page_to_frames(p: OcrPage) -> dict[str, Any]:
    import pandas as pd

    lines = pd.DataFrame([{"text": ln.text, "x0": ln.bbox[0], "top": ln.bbox[1], "x1": ln.bbox[2],
                           "bottom": ln.bbox[3], "size": ln.size, "bold": ln.bold,
                           "confidence": ln.confidence} for ln in p.lines],
                         columns=["text", "x0", "top", "x1", "bottom", "size", "bold", "confidence"])
    frags = pd.DataFrame([{"frag": i, "bbox": list(f.bbox), "n_rows": f.n_rows, "n_cols": f.n_cols,
                           "col_edges": list(f.col_edges), "confidence": f.confidence}
                          for i, f in enumerate(p.fragments)],
                         columns=["frag", "bbox", "n_rows", "n_cols", "col_edges", "confidence"])
    cells = pd.DataFrame([{"frag": i, "row": c.row, "col": c.col, "rs": c.rs, "cs": c.cs, "text": c.text,
                           "bbox": list(c.bbox), "confidence": c.confidence}
                          for i, f in enumerate(p.fragments) for c in f.cells],
                         columns=["frag", "row", "col", "rs", "cs", "text", "bbox", "confidence"])
    info = pd.DataFrame([{"confidence": p.confidence, "n_words": p.n_words, "seconds": p.seconds,
                          "skew_deg": p.skew_deg}])
    return {"lines": lines, "fragments": frags, "cells": cells, "info": info}


def nan_to_none(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and v != v) else v


def page_from_frames(page: int, frames: dict[str, Any]) -> OcrPage:
    lines = [Line(r.text, page, (r.x0, r.top, r.x1, r.bottom), float(r.size), bool(r.bold), False,
                  is_ocr=True, confidence=nan_to_none(r.confidence)) for r in frames["lines"].itertuples()]
    frags = []
    cells_df = frames["cells"]
    for f in frames["fragments"].itertuples():
        rows = cells_df[cells_df["frag"] == f.frag]
        cells = [Cell(int(c.row), int(c.col), int(c.rs), int(c.cs), c.text, page, tuple(c.bbox), False,
                      is_ocr=True, confidence=nan_to_none(c.confidence)) for c in rows.itertuples()]
        frags.append(TableFragment(page, tuple(f.bbox), int(f.n_rows), int(f.n_cols), list(f.col_edges), cells,
                                   "ocr", float(f.confidence)))
    info = frames["info"].iloc[0]
    return OcrPage(page, lines, frags, float(info["confidence"]), int(info["n_words"]), 0.0, cached=True,
                   skew_deg=float(info["skew_deg"]))
