"""The document model: what extraction hands to normalization. Plain data, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points, top-left origin


@dataclass
class Line:
    text: str
    page: int
    bbox: BBox
    size: float  # median font size
    bold: bool  # most characters bold
    italic: bool = False


@dataclass
class PageText:
    page: int
    width: float
    height: float
    rotation: int
    orientation: str
    kind: str  # text | table | image_only | blank
    n_chars: int
    n_words: int
    header: str | None = None
    footer: str | None = None
    page_label: str | None = None
    lines: list[Line] = field(default_factory=list)  # body lines outside tables, reading order


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
