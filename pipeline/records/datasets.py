"""Document model → dataset frames, typed by ``schemas/``. Pure: no I/O."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from difflib import get_close_matches

import pandas as pd

from extractors.document import PARSER_VERSION
from extractors.model import Document
from extractors.text import lines_to_paragraphs
from pipeline.core.errors import FrameInvalid
from pipeline.core.fingerprint import code_fingerprint
from schemas import dataset


def _empty(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def check_rows(name: str, rows: Iterable[Mapping[str, object]]) -> None:
    """Every row names only fields ``schemas/`` declares for dataset ``name`` and has a value for
    each of its required columns; ``FrameInvalid`` names the row and the field otherwise (a
    misspelt key would else be dropped, or published as a column of nulls)."""
    ds = dataset(name)
    declared = frozenset(ds.columns)
    required = ds.required_columns
    checked: set[frozenset[str]] = set()
    for i, row in enumerate(rows):
        keys = frozenset(row)
        if keys not in checked:
            unknown = sorted(keys - declared)
            if unknown:
                hints = {k: get_close_matches(k, ds.columns, n=1) for k in unknown}
                raise FrameInvalid(f"{name} row {i}: field(s) not declared in schemas/: "
                                   + ", ".join(f"{k!r}" + (f" (did you mean {h[0]!r}?)" if h else "")
                                               for k, h in hints.items()))
            checked.add(keys)
        missing = [k for k in required if _empty(row.get(k))]
        if missing:
            raise FrameInvalid(f"{name} row {i}: no value for required field(s) {missing}")


def frame(name: str, rows: list[dict], *, check: bool = True) -> pd.DataFrame:
    """A DataFrame with exactly the dataset's declared columns, in order, with declared dtypes.
    Rows are checked first (``check_rows``); ``check=False`` is for rows read back from a
    published version, which may predate today's schema."""
    ds = dataset(name)
    if check:
        check_rows(name, rows)
    df = pd.DataFrame(rows, columns=ds.columns)
    for f in ds.fields:
        if f.pandas_dtype not in ("object",):
            df[f.name] = df[f.name].astype(f.pandas_dtype)
    return df


def document_frames(doc: Document, source: str, extracted_at: datetime | None = None) -> dict[str, pd.DataFrame]:
    at = extracted_at or datetime.now(UTC)
    m = doc.meta
    documents = [{
        "doc_sha256": doc.sha256, "source": source, "file_name": doc.file_name, "size_bytes": doc.size_bytes,
        "page_count": doc.page_count, "doc_number": m.doc_number, "doc_number_raw": m.doc_number_raw,
        "doc_type": m.doc_type, "issuer": m.issuer, "province": m.province, "place": m.place,
        "signing_date": m.signing_date, "effective_date": m.effective_date, "subject": m.subject,
        "doc_type_code": m.doc_type_code, "issuer_raw": m.issuer_raw, "parent_body": m.parent_body,
        "parent_body_raw": m.parent_body_raw, "date_raw": m.date_raw, "parent_doc_number": m.parent_doc_number,
        "parent_doc_number_raw": m.parent_doc_number_raw, "signer_authority": m.signer_authority,
        "signer_title": m.signer_title, "signer_name": m.signer_name, "esign_stamp_raw": m.esign_stamp_raw,
        "n_tables": len(doc.tables), "n_image_pages": sum(p.needs_ocr for p in doc.pages),
        "n_ocr_pages": sum(p.is_ocr for p in doc.pages), "ocr_seconds": doc.ocr_seconds,
        "parser_version": f"{PARSER_VERSION}-{code_fingerprint()}",
        "extraction_settings": json.dumps(doc.settings, sort_keys=True, ensure_ascii=False), "extracted_at": at,
    }]
    pages = [{
        "doc_sha256": doc.sha256, "page": p.page, "width_pt": p.width, "height_pt": p.height, "rotation": p.rotation,
        "orientation": p.orientation, "page_kind": p.kind, "n_chars": p.n_chars, "n_words": p.n_words,
        "header_text": p.header, "footer_text": p.footer, "page_label": p.page_label,
        "body_text": "\n".join(lines_to_paragraphs(p.lines)), "is_ocr": p.is_ocr, "ocr_confidence": p.ocr_confidence,
        "text_layer": p.text_layer, "text_encoding": p.text_encoding, "triage_reason": p.triage_reason,
        "valid_syllable_share": p.valid_syllable_share, "fonts": list(p.fonts), "image_coverage": p.image_coverage,
        "n_outline_curves": p.n_outline_curves, "needs_ocr": p.needs_ocr,
    } for p in doc.pages]
    headings = [{
        "doc_sha256": doc.sha256, "heading_index": h.index, "parent_index": h.parent, "kind": h.kind,
        "level": h.level, "number": h.number, "text": h.text, "path": h.path, "basis_raw": h.basis_raw,
        "page": h.page, "bbox": list(h.bbox),
    } for h in doc.headings]
    tables, cells = [], []
    for t in doc.tables:
        header_cells = []
        grid = t.grid()
        for col in range(t.n_cols):
            parts = []
            for r in range(t.n_header_rows):
                c = grid[r][col]
                if c is not None and c.text and (not parts or parts[-1] != c.text):
                    parts.append(c.text)
            header_cells.append(" | ".join(parts))
        f0 = t.fragments[0]
        tables.append({
            "doc_sha256": doc.sha256, "table_index": t.index, "page_start": t.pages[0], "page_end": t.pages[-1],
            "pages": t.pages, "bbox": list(f0.bbox), "n_rows": t.n_rows, "n_cols": t.n_cols,
            "n_header_rows": t.n_header_rows, "header_cells": header_cells, "method": t.method,
            "heading_ref": t.heading_ref, "heading_path": t.heading_path, "basis_raw": t.basis_raw,
            "n_fragments": len(t.fragments),
            "fragments": json.dumps([{"page": f.page, "bbox": list(f.bbox)} for f in t.fragments]),
            "confidence": t.confidence,
        })
        for r in range(t.n_rows):
            for col in range(t.n_cols):
                c = grid[r][col]
                if c is None:
                    continue
                anchor = c.row == r and c.col == col
                cells.append({
                    "doc_sha256": doc.sha256, "table_index": t.index, "row": r, "col": col,
                    "row_span": c.rs, "col_span": c.cs, "is_anchor": anchor, "anchor_row": c.row,
                    "anchor_col": c.col, "is_header": r < t.n_header_rows, "row_kind": t.row_kinds[r],
                    "text": c.text, "page": c.page, "bbox": list(c.bbox), "is_ocr": c.is_ocr,
                    "ocr_confidence": c.confidence,
                })
    return {
        "documents": frame("documents", documents),
        "pages": frame("pages", pages),
        "headings": frame("headings", headings),
        "tables": frame("tables", tables),
        "cells": frame("cells", cells),
    }


def reject_frame(rows: list[dict]) -> pd.DataFrame:
    return frame("rejects", rows)
