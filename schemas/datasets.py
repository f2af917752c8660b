"""Datasets: which declared fields each one has, its primary key and description."""

from __future__ import annotations

from schemas.core import Dataset
from schemas.fields import fields

DATASETS: dict[str, Dataset] = {d.name: d for d in [
    Dataset(
        "documents",
        "One row per ingested PDF: identity, metadata from the first page, extraction summary.",
        fields("doc_sha256", "source", "file_name", "size_bytes", "page_count", "doc_number", "doc_number_raw",
               "doc_type", "issuer", "province", "place", "signing_date", "effective_date", "subject", "doc_type_code",
               "issuer_raw", "parent_body", "parent_body_raw", "date_raw", "parent_doc_number", "parent_doc_number_raw",
               "signer_authority", "signer_title", "signer_name", "esign_stamp_raw", "n_tables", "n_image_pages",
               "n_ocr_pages", "ocr_seconds", "parser_version", "extraction_settings", "extracted_at"),
        primary_key=("doc_sha256",),
        required=("source", "file_name", "size_bytes", "page_count", "parser_version", "extracted_at"),
    ),
    Dataset(
        "pages",
        "One row per page: geometry, orientation, kind, the triage of its text layer with the evidence, "
        "furniture and body text.",
        fields("doc_sha256", "page", "width_pt", "height_pt", "rotation", "orientation", "page_kind", "n_chars",
               "n_words", "header_text", "footer_text", "page_label", "body_text", "is_ocr", "ocr_confidence",
               "text_layer", "text_encoding", "triage_reason", "valid_syllable_share", "fonts", "image_coverage",
               "n_outline_curves", "needs_ocr"),
        primary_key=("doc_sha256", "page"),
        required=("width_pt", "height_pt", "page_kind", "n_chars"),
    ),
    Dataset(
        "headings",
        "Document structure: articles, clauses, appendices, parts, models, sections, with their path and page.",
        fields("doc_sha256", "heading_index", "parent_index", "kind", "level", "number", "text", "path",
               "basis_raw", "page", "bbox"),
        primary_key=("doc_sha256", "heading_index"),
        required=("kind", "level", "text", "page"),
    ),
    Dataset(
        "tables",
        "One row per logical table (fragments over several pages stitched), with its heading path.",
        fields("doc_sha256", "table_index", "page_start", "page_end", "pages", "bbox", "n_rows", "n_cols",
               "n_header_rows", "header_cells", "method", "heading_ref", "heading_path", "basis_raw", "n_fragments",
               "fragments", "confidence"),
        primary_key=("doc_sha256", "table_index"),
        required=("page_start", "page_end", "pages", "n_rows", "n_cols", "method"),
    ),
    Dataset(
        "cells",
        "Every grid position of every table: text (NFC), spans, header flag, page and bbox. Positions covered by "
        "a merged cell repeat its text with is_anchor = false, so each row sees the value it inherits.",
        fields("doc_sha256", "table_index", "row", "col", "row_span", "col_span", "is_anchor", "anchor_row",
               "anchor_col", "is_header", "row_kind", "text", "page", "bbox", "is_ocr", "ocr_confidence"),
        primary_key=("doc_sha256", "table_index", "row", "col"),
        required=("text", "page", "is_header"),
    ),
    Dataset(
        "rejects",
        "Documents a run could not ingest, with the classified reason. Nothing is dropped silently.",
        fields("doc_sha256", "source", "file_name", "stage", "error_code", "message", "run_id", "rejected_at"),
        primary_key=("doc_sha256", "run_id"),
        required=("source", "file_name", "stage", "error_code", "message", "rejected_at"),
    ),
]}


def register_datasets(*new: Dataset) -> None:
    """Declare more datasets (domain modules of ``schemas/`` call this)."""
    for d in new:
        if d.name in DATASETS:
            raise ValueError(f"dataset {d.name!r} is already declared")
        DATASETS[d.name] = d


def dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; known: {sorted(DATASETS)}") from None
