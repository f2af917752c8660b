"""Tolerances of table finding and stitching, named and validated in one place.

Every threshold the table code uses lives here with the reason for its default; code takes a
``TableSettings`` (default ``TABLE_SETTINGS``) instead of literals. Lengths are PDF points
(1/72 inch), shares are fractions of 1, camelot's report figures are percentages as camelot
gives them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableSettings:
    # ---- finding tables on a page ----------------------------------------------------------
    min_edges_for_table: int = 4
    """Ruling segments (horizontal + vertical, at least two of each) a page needs before camelot's
    lattice runs; fewer cannot close one cell."""
    combined_retry_min_edges: int = 12
    """A page with this many rulings but no vector-engine table is retried with camelot's
    raster+vector engine (rulings drawn in ways the vector engine misses)."""
    stream_min_chars: int = 40
    """Pages with fewer characters are not searched for unruled tables."""
    stream_max_whitespace: float = 40.0
    """camelot stream: a candidate whose cells are more than this % empty is not a table."""
    stream_min_accuracy: float = 80.0
    """camelot stream: a candidate below this parsing accuracy (%) is not a table."""
    stream_min_rows: int = 3
    """An unruled grid needs this many rows (and ``stream_min_cols`` columns)."""
    stream_min_cols: int = 3
    """An unruled grid needs this many rows and columns to be told from aligned prose."""
    stream_filled_row_share: float = 0.6
    """Share of an unruled candidate's rows that must have two or more filled cells."""
    stream_char_margin: float = 1.0
    stream_line_overlap: float = 0.5
    stream_row_tol: float = 2.0
    """How camelot's stream flavour cuts a page into text lines and rows (its own defaults:
    pdfminer LAParams ``char_margin=1.0``, ``line_overlap=0.5``, ``row_tol=2``). The same rule,
    run on the characters already read, tells which pages can hold an unruled table at all
    (``extractors.table_pages.may_hold_unruled_table``); change them only together with camelot's."""
    batch_pages: int = 16
    """Table pages whose search is done together: camelot reads a batch's pages in one call (it
    re-opens and indexes the whole PDF on every call: about 1 ms per page of the document). A
    batch holds its pages' characters until read (2-3 MB a page of a dense table): 16 pages cost
    some 40 MB; on a 1,000-page PDF, one call per 16 table pages adds about 0.06 s per page."""
    batch_chars: int = 20_000
    """A batch is also read once its pages hold this many characters: camelot keeps each page's
    layout objects with its tables until the call returns, so dense pages make smaller batches
    (a 43-page Word export of dense score tables peaked at 438 MB with 16-page batches, 335 MB
    with one call per page)."""

    # ---- cells -----------------------------------------------------------------------------
    row_pad: float = 0.5
    """A glyph's vertical centre may lie this far outside a grid row and still belong to it."""
    word_gap: float = 0.15
    """Glyphs closer than this share of the font size are one word. A word goes to the cell that
    holds its centre, so a glyph poking past a narrow column's rule stays with its word."""
    shading_edge_tol: float = 1.0
    """A background fill whose edge runs within this distance of an unruled cell boundary draws
    that boundary (Word leaves out the ruling between a shaded header and the body)."""
    shading_cover: float = 0.8
    """Share of the cell's side the fill's edge must run along to count as its ruling."""

    # ---- header rows and stitching ---------------------------------------------------------
    max_header_rows: int = 3
    """At most this many leading rows are read as the header."""
    header_bold_share: float = 0.5
    """A leading row is a header when this share of its filled cells or more is bold."""
    grid_tol: float = 4.0
    """Column boundaries of two fragments agree within this distance (Word moves rulings by a
    point or two between pages; real column differences are wider)."""
    footnote_size_ratio: float = 0.92
    """A line under the table whose font is at most this share of the body font is a footnote:
    page furniture that does not end the table."""

    break_fit_ratio: float = 1.5
    """A fragment does not continue the table on the page before when the room left under that
    table holds this many times the fragment's first body row: the page break was forced."""

    def __post_init__(self) -> None:
        for name in ("min_edges_for_table", "combined_retry_min_edges", "stream_min_rows",
                     "stream_min_cols", "max_header_rows", "batch_pages", "batch_chars"):
            if getattr(self, name) < 1:
                raise ValueError(f"TableSettings.{name} must be >= 1")
        for name in ("stream_max_whitespace", "stream_min_accuracy"):
            if not 0.0 <= getattr(self, name) <= 100.0:
                raise ValueError(f"TableSettings.{name} is a percentage (0-100)")
        for name in ("stream_filled_row_share", "header_bold_share", "shading_cover", "footnote_size_ratio"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"TableSettings.{name} is a share in (0, 1]")
        if self.break_fit_ratio < 1.0:
            raise ValueError("TableSettings.break_fit_ratio must be >= 1 (a row needs its own height)")
        for name in ("row_pad", "word_gap", "shading_edge_tol", "grid_tol", "stream_char_margin",
                     "stream_line_overlap", "stream_row_tol"):
            if getattr(self, name) < 0.0:
                raise ValueError(f"TableSettings.{name} must be >= 0")
        if self.stream_min_chars < 0:
            raise ValueError("TableSettings.stream_min_chars must be >= 0")


TABLE_SETTINGS = TableSettings()
