"""Which pages camelot reads, and camelot called once for many pages.

camelot opens and indexes the whole PDF on every ``read_pdf`` call (playa builds every page
object): called once per page, a long document costs time quadratic in its pages (measured on a
1,000-page PDF: about 1 s per call before any page is read). So pages are collected and camelot
reads the candidate pages of a batch in one call per flavour, and only candidate pages:

* lattice: pages whose own ruling lines could close a cell (``tables.page_has_rulings``);
* stream (unruled tables): pages whose characters, grouped into text lines the way camelot's
  stream flavour groups them (pdfminer's rule with camelot's layout defaults), put two or more
  text lines side by side on enough rows. ``tables.plausible_unruled`` keeps a stream table only
  when ``stream_filled_row_share`` of at least ``stream_min_rows`` rows hold two or more filled
  cells, and a cell is filled by a whole text line (camelot's ``split_text=False``): a page with
  fewer such rows cannot yield a table we keep, and camelot is not asked. Prose, headings and
  centred titles are one text line per row, however long the page.

Tolerances: ``extractors.table_settings.TableSettings``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.model import TableFragment
from extractors.table_settings import TABLE_SETTINGS, TableSettings
from extractors.tables import (
    Edge,
    camelot_to_fragment,
    mark_open_edges,
    page_has_rulings,
    plausible_unruled,
)
from extractors.text import Char

# camelot's layout analysis for the lattice flavour (pdfminer LAParams, camelot's defaults otherwise):
# no hierarchical grouping of text boxes (``boxes_flow=None``). Lattice takes the grid from the
# ruling lines and only places text lines in its cells, and the text lines are the same either way
# (the grouping only orders boxes for reading); the cell text we publish is assembled from
# pdfplumber's characters (extractors.tables). Measured: camelot's lattice read about a quarter
# faster, with the same tables, grids, ruling flags, confidence and cell texts on the scaled corpus.
LATTICE_LAYOUT: dict[str, Any] = {"boxes_flow": None}


@dataclass
class TablePage:
    """What table finding needs of one page (kept only until its batch is read)."""

    page: int
    height: float
    chars: Sequence[Char]
    edges: Sequence[Edge]


def _halign(a: Char, b: Char, settings: TableSettings) -> bool:
    """pdfminer's test for two consecutive glyphs of one horizontal text line (LAParams
    line_overlap and char_margin, set as camelot sets them)."""
    voverlap = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    if voverlap <= min(a["bottom"] - a["top"], b["bottom"] - b["top"]) * settings.stream_line_overlap:
        return False
    gap = max(b["x0"] - a["x1"], a["x0"] - b["x1"], 0.0)
    return gap < max(a["x1"] - a["x0"], b["x1"] - b["x0"]) * settings.stream_char_margin


def side_by_side_rows(chars: Sequence[Char], settings: TableSettings = TABLE_SETTINGS) -> int:
    """Rows of the page holding two or more text lines side by side.

    Text lines are cut where camelot's layout analysis cuts them: between two glyphs, in
    content-stream order, that are not on one line or lie farther apart than ``char_margin``
    times the wider glyph. Lines holding only spaces do not count; rows group lines whose
    bottoms lie within ``stream_row_tol`` (camelot's ``row_tol``)."""
    lines: list[list[float]] = []  # [bottom, has_text]
    prev: Char | None = None
    for c in sorted(chars, key=lambda c: c.get("seq", 0)):
        if prev is None or not _halign(prev, c, settings):
            lines.append([c["bottom"], 0.0])
        else:
            lines[-1][0] = max(lines[-1][0], c["bottom"])
        if c["text"].strip():
            lines[-1][1] = 1.0
        prev = c
    bottoms = sorted(b for b, has_text in lines if has_text)
    rows, i = 0, 0
    while i < len(bottoms):
        j = i
        while j + 1 < len(bottoms) and bottoms[j + 1] - bottoms[i] <= settings.stream_row_tol:
            j += 1
        rows += j > i
        i = j + 1
    return rows


def may_hold_unruled_table(chars: Sequence[Char], settings: TableSettings = TABLE_SETTINGS) -> bool:
    """Whether camelot's stream flavour could find a table here that ``plausible_unruled`` keeps."""
    if len(chars) < settings.stream_min_chars:
        return False
    need = math.ceil(settings.stream_min_rows * settings.stream_filled_row_share)
    return side_by_side_rows(chars, settings) >= need


def needs_camelot(chars: Sequence[Char], edges: Sequence[Edge], settings: TableSettings = TABLE_SETTINGS) -> bool:
    """Whether any flavour of camelot is to read this page (see the module docstring)."""
    return page_has_rulings(edges, settings) or may_hold_unruled_table(chars, settings)


def camelot_pages(path: Path, pages: Iterable[int], flavor: str, **kwargs: Any) -> dict[int, list[Any]]:
    """camelot's tables of several pages in one call (one open of the PDF), by page number."""
    pages = sorted(set(pages))
    if not pages:
        return {}
    import camelot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tl = camelot.read_pdf(str(path), pages=",".join(map(str, pages)), flavor=flavor,
                              suppress_stdout=True, **kwargs)
    out: dict[int, list[Any]] = {p: [] for p in pages}
    for t in tl:
        out.setdefault(int(t.page), []).append(t)
    return out


def find_tables(path: Path, pages: Sequence[TablePage],
                settings: TableSettings = TABLE_SETTINGS) -> dict[int, list[TableFragment]]:
    """Tables of a batch of pages, top to bottom per page; camelot is called at most once per
    flavour/engine for the whole batch, and only on the pages that may hold a table."""
    ruled = [p for p in pages if page_has_rulings(p.edges, settings)]
    unruled = [p for p in pages if not page_has_rulings(p.edges, settings)
               and may_hold_unruled_table(p.chars, settings)]
    lattice = camelot_pages(path, (p.page for p in ruled), "lattice", engine="vector", layout_kwargs=dict(LATTICE_LAYOUT))
    retry = [p for p in ruled if not lattice[p.page] and len(p.edges) >= settings.combined_retry_min_edges]
    lattice.update(camelot_pages(path, (p.page for p in retry), "lattice", engine="combined",
                                 layout_kwargs=dict(LATTICE_LAYOUT)))
    stream = camelot_pages(path, (p.page for p in unruled), "stream")
    out: dict[int, list[TableFragment]] = {p.page: [] for p in pages}
    for p in ruled:
        frags = [camelot_to_fragment(t, p.page, p.height, p.chars, "lattice", p.edges, settings)
                 for t in lattice[p.page] if t.shape[0] >= 1 and t.shape[1] >= 2]
        frags.sort(key=lambda f: f.bbox[1])
        for f in frags:
            mark_open_edges(f, p.edges, settings)
        out[p.page] = frags
    for p in unruled:
        found = [t for t in stream[p.page] if plausible_unruled(t, settings)]
        frags = [camelot_to_fragment(t, p.page, p.height, p.chars, "stream", settings=settings) for t in found]
        out[p.page] = sorted((f for f in frags if f.n_rows >= settings.stream_min_rows), key=lambda f: f.bbox[1])
    return out
