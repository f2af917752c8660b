"""The document model: what extraction hands to normalization. Plain data, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points, top-left origin


@dataclass
class Line:
    text: str
    page: int
    bbox: BBox
    size: float  # median font size
    bold: bool  # most characters bold
    italic: bool = False
    is_ocr: bool = False  # read by OCR from the page image, not from the text layer
    confidence: float | None = None  # OCR: mean word confidence 0-1; None for the text layer


@dataclass
class PageText:
    page: int
    width: float
    height: float
    rotation: int
    orientation: str
    kind: str  # text | table | image_only | not_vietnamese | outline | blank
    n_chars: int
    n_words: int
    header: str | None = None
    footer: str | None = None
    page_label: str | None = None
    lines: list[Line] = field(default_factory=list)  # body lines outside tables, reading order
    is_ocr: bool = False  # the page's lines and tables were read by OCR from its image
    ocr_confidence: float | None = None  # OCR: mean word confidence 0-1
    # page triage (extractors.triage): what the text layer is, and the evidence
    text_layer: str | None = None  # unicode | legacy | image_only | not_vietnamese | outline | blank
    text_encoding: str | None = None  # unicode | tcvn3 | vni | viqr; None without a usable text layer
    triage_reason: str | None = None
    valid_syllable_share: float | None = None
    fonts: list[str] = field(default_factory=list)
    image_coverage: float | None = None
    n_outline_curves: int = 0
    needs_ocr: bool = False


@dataclass
class Cell:
    row: int
    col: int
    rs: int
    cs: int
    text: str
    page: int
    bbox: BBox
    bold: bool = False
    is_ocr: bool = False  # read by OCR from the page image
    confidence: float | None = None  # OCR: mean word confidence 0-1; None for the text layer


@dataclass
class TableFragment:
    """One table as found on one page."""

    page: int
    bbox: BBox
    n_rows: int
    n_cols: int
    col_edges: list[float]  # x positions of the column boundaries (n_cols + 1)
    cells: list[Cell]
    method: str
    confidence: float
    open_top: bool = False  # its first row has no top ruling: the rest of a row cut by the page break
    open_bottom: bool = False  # its last row has no bottom ruling: the row goes on over the page break


@dataclass
class Table:
    """A logical table: page fragments stitched, header rows decided, row kinds assigned."""

    index: int
    fragments: list[TableFragment]
    n_rows: int
    n_cols: int
    n_header_rows: int
    cells: list[Cell]  # anchors only; spans in rs/cs
    row_kinds: list[str]
    method: str
    confidence: float
    heading_ref: int | None = None
    heading_path: list[str] = field(default_factory=list)
    basis_raw: str | None = None
    col_edges: list[float] = field(default_factory=list)  # x of the column boundaries (n_cols + 1)

    @property
    def pages(self) -> list[int]:
        return sorted({f.page for f in self.fragments})

    def grid(self) -> list[list[Cell]]:
        """Dense grid: every position holds the anchor cell that covers it (inherited values)."""
        g: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for c in self.cells:
            for r in range(c.row, c.row + c.rs):
                for k in range(c.col, c.col + c.cs):
                    g[r][k] = c
        return g  # type: ignore[return-value]


@dataclass
class Heading:
    index: int
    kind: str
    level: int
    number: str | None
    text: str
    page: int
    bbox: BBox
    parent: int | None
    path: list[str]
    basis_raw: str | None = None
    title: str | None = None  # appendix title lines


@dataclass
class DocumentMeta:
    doc_number: str | None = None
    doc_number_raw: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    province: str | None = None
    place: str | None = None
    signing_date: date | None = None
    effective_date: date | None = None
    subject: str | None = None
    # masthead parts (extractors/masthead.py; layout of Nghị định 30/2020/NĐ-CP)
    doc_type_code: str | None = None  # type abbreviation printed in the number ("BC" in 12/BC-SNV)
    issuer_raw: str | None = None  # the issuer lines as printed, joined ("SỞ NỘI VỤ")
    parent_body: str | None = None  # cơ quan chủ quản above the issuer ("UBND tỉnh Lâm Đồng")
    parent_body_raw: str | None = None
    date_raw: str | None = None  # the place-and-date line as printed
    parent_doc_number: str | None = None  # attachments: the number of the document they belong to
    parent_doc_number_raw: str | None = None  # the "(Ban hành kèm theo ... số ...)" caption
    signer_authority: str | None = None  # "KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH"
    signer_title: str | None = None  # "PHÓ CHỦ TỊCH"
    signer_name: str | None = None
    signer_page: int | None = None
    esign_stamp_raw: str | None = None  # e-signature stamp text on page 1 ("Số: …; Thời gian ký: …")


@dataclass
class Document:
    sha256: str
    file_name: str
    size_bytes: int
    page_count: int
    meta: DocumentMeta
    pages: list[PageText]
    headings: list[Heading]
    tables: list[Table]
    # body text blocks in reading order, with the index of the table that follows, for structure
    warnings: list[str] = field(default_factory=list)
    ocr_seconds: float = 0.0  # wall time spent reading pages by OCR (0 when none, or all from the cache)
    # the extraction settings that differ from the defaults, by dotted name ({} for the defaults)
    settings: dict[str, Any] = field(default_factory=dict)
