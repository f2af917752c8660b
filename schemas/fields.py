"""Every column of every dataset, declared once: name, type, description, unit.

Naming (after PUDL): ASCII snake_case; units as suffixes (``_vnd``, ``_pt``); ``_date`` for
dates; ``is_``/``has_`` for booleans; ``_raw`` for text exactly as printed. Vietnamese values
keep their diacritics in Unicode NFC.
"""

from __future__ import annotations

from schemas.core import Field

F = Field

FIELDS: dict[str, Field] = {f.name: f for f in [
    # ---- provenance -------------------------------------------------------------------------
    F("doc_sha256", "string", "SHA-256 of the source PDF bytes: the document's identity.", nullable=False),
    F("source", "string", "Where the PDF came from (URL or file path), as given to the run."),
    F("file_name", "string", "File name of the PDF."),
    F("parser_version", "string", "Version of the extraction/normalization code that produced the row: the parser label and "
      "the fingerprint of every file and library version that computes the frames (pipeline/core/fingerprint.py)."),
    F("extraction_settings", "string", "The extraction settings that differ from the defaults, as JSON by dotted name "
      "('{\"tables.grid_tol\": 6.0}'); '{}' when every default was used. Set per run (decree ingest --setting) or per "
      "manifest entry (settings:) for a difficult producer; the frames are cached per settings."),
    F("page", "int", "1-based page number in the PDF."),
    F("pages", "list_int", "All 1-based page numbers the item spans."),
    F("page_start", "int", "First page the item appears on."),
    F("page_end", "int", "Last page the item appears on."),
    F("bbox", "list_float", "Bounding box [x0, top, x1, bottom] in PDF points, origin at the page's top-left.",
      unit="pt"),
    F("table_index", "int", "0-based order of the (stitched) table in the document."),
    F("row", "int", "0-based row index in the stitched table (header rows first)."),
    F("col", "int", "0-based column index."),
    # ---- documents ----------------------------------------------------------------------------
    F("size_bytes", "int", "Size of the PDF in bytes.", unit="byte"),
    F("page_count", "int", "Number of pages."),
    F("doc_number", "string", "Document number as printed and normalized, e.g. '33/2022/QĐ-UBND'; null when blank."),
    F("doc_number_raw", "string", "The number line exactly as printed, e.g. 'Số: 33 /2022/QĐ-UBND'."),
    F("doc_type", "string", "Type from the centred title (schemas/document_types.csv: Quyết định, Báo cáo, Tờ trình, ...), "
                            "else Công văn for a 'V/v' subject, else the number's type abbreviation; 'Phụ lục' for an "
                            "attachment without a masthead of its own."),
    F("issuer", "string", "Issuing body from the masthead in normal case, UBND/HĐND expanded, e.g. 'Ủy ban nhân dân "
                          "tỉnh Vĩnh Long', 'Sở Nội vụ'."),
    F("province", "string", "Province named by the issuer or place line."),
    F("place", "string", "Place of signing, e.g. 'Vĩnh Long'."),
    F("signing_date", "date", "Signing date from the place-and-date line; null when left blank (drafts)."),
    F("effective_date", "date", "Date from the 'có hiệu lực ... kể từ ngày ...' clause; null when not stated."),
    F("subject", "string", "Subject line under the title (or the V/v line of a letter)."),
    F("doc_type_code", "string", "Type abbreviation printed in the number ('BC' in 12/BC-SNV; schemas/document_types.csv); "
                                 "null when the number carries none (644/TTXT-ĐTDN) or is absent."),
    F("issuer_raw", "string", "Issuer lines of the masthead as printed, joined ('SỞ NỘI VỤ'); issuer holds the name "
                              "in normal case, UBND/HĐND expanded, modern tone placement ('Uỷ' → 'Ủy')."),
    F("parent_body", "string", "Parent body (cơ quan chủ quản) printed above the issuer, in normal case with UBND/HĐND "
                               "expanded ('Ủy ban nhân dân tỉnh Lâm Đồng'); null when the masthead names one body."),
    F("parent_body_raw", "string", "Parent body as printed ('UBND TỈNH LÂM ĐỒNG')."),
    F("date_raw", "string", "The place-and-date line as printed ('Lâm Đồng, ngày 02 tháng 02 năm 2026')."),
    F("parent_doc_number", "string", "For an attachment without a masthead of its own (Phụ lục, Bảng, Danh mục): "
                                     "number of the document it belongs to, from its '(Ban hành kèm theo … số …)' "
                                     "caption; null otherwise or when the caption leaves it blank."),
    F("parent_doc_number_raw", "string", "The attachment's 'kèm theo' caption as printed."),
    F("signer_authority", "string", "Authority line of the first signature block: 'KT. CHỦ TỊCH', 'TM. ỦY BAN NHÂN "
                                    "DÂN KT. CHỦ TỊCH', 'TL. …'; null when the signer signs in their own name."),
    F("signer_title", "string", "Title of the signer as printed ('PHÓ CHỦ TỊCH')."),
    F("signer_name", "string", "Name of the signer as printed; null when not printed (drafts)."),
    F("esign_stamp_raw", "string", "Text of an e-signature stamp on page 1 as printed ('Số: 2061/QĐ-UBND; Thời gian "
                                   "ký: 2026-05-13T14:41:57+07:00'), kept apart: on an attachment it is the number and "
                                   "time of the document it was signed with, not the attachment's own."),
    F("n_tables", "int", "Number of stitched tables found."),
    F("n_image_pages", "int", "Pages without a usable text layer (image-only, garbled or undecodable text, text "
      "drawn as outlines): read by OCR unless it was turned off (n_ocr_pages)."),
    F("extracted_at", "timestamp", "When the extraction ran (UTC)."),
    F("n_ocr_pages", "int", "Pages read by OCR from their image (no usable text layer)."),
    F("ocr_seconds", "float", "Wall time spent on OCR for this document (0 when every page came from the OCR cache).",
      unit="s"),
    F("is_ocr", "bool", "The text was read by OCR from the page image, not from the PDF's text layer."),
    F("ocr_confidence", "float", "OCR only: Tesseract's mean word confidence, 0-1 (null for the text layer)."),
    # ---- pages --------------------------------------------------------------------------------
    F("width_pt", "float", "Page width.", unit="pt"),
    F("height_pt", "float", "Page height.", unit="pt"),
    F("rotation", "int", "Page /Rotate value in degrees."),
    F("orientation", "string", "portrait or landscape, as displayed.", enum=("portrait", "landscape")),
    F("page_kind", "string", "text, table (holds at least one table), image_only (no text layer), "
      "not_vietnamese (a text layer that reads as neither Vietnamese nor a known legacy encoding: garbled "
      "scanner OCR, mojibake, undecodable glyphs), outline (text drawn as vector outlines, no font) or blank. "
      "Pages of the last four kinds publish no text: they need OCR (needs_ocr).",
      enum=("text", "table", "image_only", "not_vietnamese", "outline", "blank")),
    F("text_layer", "string", "Page triage of the text layer: unicode (reads as Vietnamese), legacy "
      "(TCVN3/VNI/VIQR, converted to Unicode), image_only, not_vietnamese, outline or blank.",
      enum=("unicode", "legacy", "image_only", "not_vietnamese", "outline", "blank")),
    F("text_encoding", "string", "Encoding the text was read in: unicode, tcvn3, vni, viqr (legacy fonts "
      "converted span by span); null when the page has no usable text layer.",
      enum=("unicode", "tcvn3", "vni", "viqr", "tcvn3+vni")),
    F("triage_reason", "string", "Why the page got its text_layer, with the evidence (fonts, share of valid "
      "syllables as read and converted, images, curves)."),
    F("valid_syllable_share", "float", "Share of the page's words that are valid Vietnamese syllables, in "
      "the text as read (after any legacy conversion); null when there are no words.", unit="fraction"),
    F("fonts", "list_string", "Font names on the page (subset prefixes stripped)."),
    F("image_coverage", "float", "Share of the page area covered by images.", unit="fraction"),
    F("n_outline_curves", "int", "Filled curves on a page without a text layer (text drawn as outlines)."),
    F("needs_ocr", "bool", "True when the page must be read by OCR (image_only, not_vietnamese, outline): "
      "its text layer, if any, is not published."),
    F("n_chars", "int", "Characters in the text layer."),
    F("n_words", "int", "Words in the text layer."),
    F("header_text", "string", "Running header recognized on the page (kept apart from body text)."),
    F("footer_text", "string", "Running footer recognized on the page."),
    F("page_label", "string", "Printed page number recognized on the page ('3', 'Trang 3', '- 3 -')."),
    F("body_text", "string", "Body text in reading order, NFC: one paragraph per line, wrapped lines joined "
                             "(no hyphen breaks); header, footer and page number removed; tables excluded."),
    # ---- headings -----------------------------------------------------------------------------
    F("heading_index", "int", "0-based order of the heading in the document."),
    F("parent_index", "int", "heading_index of the enclosing heading; null at the top."),
    F("kind", "string", "Heading kind.", enum=("appendix", "article", "clause", "part", "model", "scope",
                                               "section", "subsection")),
    F("level", "int", "Depth: appendix 0, article 1, clause/part 2, model 3, scope 4, section 5, subsection 6."),
    F("number", "string", "Printed numbering of the heading ('Điều 3a', 'Phụ lục II', 'A', '7', '7.6'), as printed."),
    F("text", "string", "Text exactly as printed (NFC, wrapped lines joined)."),
    F("path", "list_string", "Heading texts from the top down to this heading (inclusive)."),
    F("basis_raw", "string", "Basis line governing the item ('Tính cho: 01 ha', 'ĐVT: 01 ha'), as printed."),
    # ---- tables and cells -----------------------------------------------------------------------
    F("n_rows", "int", "Rows in the stitched table, header rows included."),
    F("n_cols", "int", "Columns in the table grid."),
    F("n_header_rows", "int", "Leading rows recognized as header rows."),
    F("method", "string", "How the table was found: lattice (ruled), stream (unruled), pdfplumber, or ocr "
                          "(ruling lines found in a scanned page's image, cells read by OCR).",
      enum=("lattice", "stream", "pdfplumber", "ocr")),
    F("heading_path", "list_string", "Heading texts the table sits under, from the top down."),
    F("heading_ref", "int", "heading_index of the nearest heading above the table; null if none."),
    F("header_cells", "list_string", "Header text per column (header rows joined with ' | ')."),
    F("n_fragments", "int", "How many page fragments were stitched into this table."),
    F("fragments", "json", "JSON list of {page, bbox} of each stitched fragment."),
    F("confidence", "float", "0-1 quality score of the table extraction (ruling coverage and text fit)."),
    F("row_span", "int", "Rows the cell spans (1 = no merge)."),
    F("col_span", "int", "Columns the cell spans (1 = no merge)."),
    F("is_header", "bool", "The cell belongs to a header row."),
    F("is_anchor", "bool", "True for the cell that carries a merged cell's text; False for the positions it "
                           "covers, which repeat the text so every row sees the value it inherits."),
    F("anchor_row", "int", "Row of the merged cell this position belongs to."),
    F("anchor_col", "int", "Column of the merged cell this position belongs to."),
    F("row_kind", "string", "header, item, group (I, II, A. ...) or total (Tổng cộng ...).",
      enum=("header", "item", "group", "total")),
    # ---- rejects and runs -----------------------------------------------------------------------
    F("error_code", "string", "Classified reason: NotAPdf, EncryptedPdf, PageLimitExceeded, ..."),
    F("message", "string", "One-line human explanation."),
    F("stage", "string", "Stage that rejected the document: fetch, read, extract, normalize, validate."),
    F("run_id", "string", "Identifier of the ingestion run."),
    F("rejected_at", "timestamp", "When the rejection was recorded (UTC)."),
]}


def register(*new: Field) -> None:
    """Declare more fields (domain modules of ``schemas/`` call this); a name is declared once."""
    for f in new:
        if f.name in FIELDS:
            raise ValueError(f"field {f.name!r} is already declared")
        FIELDS[f.name] = f


def fields(*names: str) -> tuple[Field, ...]:
    """The declared fields, in the given order; a name not declared is an error."""
    missing = [n for n in names if n not in FIELDS]
    if missing:
        raise KeyError(f"undeclared fields: {missing}")
    return tuple(FIELDS[n] for n in names)
