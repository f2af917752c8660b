"""Ruled tables with camelot (lattice), cell text from pdfplumber's characters.

camelot finds the grid: rows, columns and which cell edges are ruled. Missing internal edges
mean merged cells; we rebuild each merged cell (row/column span) from them. The text of a cell
is assembled from pdfplumber's characters inside the merged cell's box, so sub/superscripts,
NFC and line joins follow the same rules as body text (``extractors.text``).

The vector engine reads ruling lines straight from the PDF (no rendering); only a page that
clearly holds rulings but yields no table is retried with camelot's raster+vector engine.

Three things camelot does not do, added here (each measured on real exports):

* glyphs go to cells by word, not one by one: a word's last glyph that pokes past a narrow
  column's rule stays with its word ("ngày/người", not "ngày/ngườ" | "i");
* the edge of a background fill is a cell boundary: Word leaves out the ruling between a shaded
  header and an unshaded body and draws only the fill;
* a row cut by the page break in a browser or LibreOffice print has its side rulings but no
  closing ruling (camelot closes it at the rulings' ends); the fragment is marked open there so
  that stitching joins the cut row whatever its text looks like.

Tolerances: ``extractors.table_settings.TableSettings``.
"""

from __future__ import annotations

import bisect
import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from extractors.model import BBox, Cell, TableFragment
from extractors.table_settings import TABLE_SETTINGS, TableSettings
from extractors.text import Char, chars_to_string, inside, is_bold, join_wrapped, line_groups

log = logging.getLogger(__name__)

Edge = dict[str, Any]


def page_has_rulings(edges: Sequence[Edge], settings: TableSettings = TABLE_SETTINGS) -> bool:
    """Cheap pre-check: camelot runs only where there are enough ruling lines to form a table."""
    h = sum(1 for e in edges if e.get("orientation") == "h")
    v = sum(1 for e in edges if e.get("orientation") == "v")
    return h >= 2 and v >= 2 and h + v >= settings.min_edges_for_table


def _camelot_tables(path: Path, page: int, engine: str) -> list[Any]:
    import camelot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tl = camelot.read_pdf(str(path), pages=str(page), flavor="lattice", engine=engine,
                              suppress_stdout=True)
    return list(tl)


def _camelot_stream(path: Path, page: int) -> list[Any]:
    import camelot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tl = camelot.read_pdf(str(path), pages=str(page), flavor="stream", suppress_stdout=True)
    return list(tl)


def plausible_unruled(t: Any, settings: TableSettings = TABLE_SETTINGS) -> bool:
    """camelot's stream flavour sees a table in any text; keep only real grids: three or more
    columns, three or more rows, mostly filled, most rows with two or more cells."""
    rows, cols = t.shape
    if rows < settings.stream_min_rows or cols < settings.stream_min_cols:
        return False
    report = t.parsing_report
    if report.get("whitespace", 100) > settings.stream_max_whitespace \
            or report.get("accuracy", 0) < settings.stream_min_accuracy:
        return False
    filled = [sum(1 for v in row if str(v).strip()) for row in t.df.values.tolist()]
    return sum(1 for n in filled if n >= 2) >= settings.stream_filled_row_share * rows


class _Trimmed:
    """A camelot table restricted to some of its rows (unruled tables lose title lines)."""

    def __init__(self, t: Any, rows: Sequence[Any]) -> None:
        self.rows, self.cols, self.confidence = list(rows), t.cols, getattr(t, "confidence", 0.0)
        first = list(t.rows).index(rows[0]) if rows else 0
        self.cells = t.cells[first:first + len(rows)]
        self._bbox = t._bbox


class _DSU:
    def __init__(self, n: int) -> None:
        self.p = list(range(n))

    def find(self, a: int) -> int:
        while self.p[a] != a:
            self.p[a] = self.p[self.p[a]]
            a = self.p[a]
        return a

    def union(self, a: int, b: int) -> None:
        self.p[self.find(a)] = self.find(b)


def grid_spans(flags: list[list[tuple[bool, bool, bool, bool]]]) -> list[tuple[int, int, int, int]]:
    """Merged cells from edge flags (left, right, top, bottom) per grid position.

    Returns (row, col, row_span, col_span) anchors covering the grid exactly once. Two
    neighbours are merged when the edge between them is ruled on neither side."""
    nr = len(flags)
    nc = len(flags[0]) if nr else 0
    dsu = _DSU(nr * nc)
    for r in range(nr):
        for c in range(nc):
            left, right, top, bottom = flags[r][c]
            if c + 1 < nc and not right and not flags[r][c + 1][0]:
                dsu.union(r * nc + c, r * nc + c + 1)
            if r + 1 < nr and not bottom and not flags[r + 1][c][2]:
                dsu.union(r * nc + c, (r + 1) * nc + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            groups.setdefault(dsu.find(r * nc + c), []).append((r, c))
    taken = [[False] * nc for _ in range(nr)]
    out = []
    for members in sorted(groups.values(), key=lambda m: min(m)):
        r0 = min(r for r, _ in members)
        c0 = min(c for _, c in members)
        r1 = max(r for r, _ in members)
        c1 = max(c for _, c in members)
        # a non-rectangular group (broken ruling) is cut back to its rectangle of free positions
        if any(taken[r][c] for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)):
            for r, c in members:
                if not taken[r][c]:
                    taken[r][c] = True
                    out.append((r, c, 1, 1))
            continue
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                taken[r][c] = True
        out.append((r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    return sorted(out)


def cell_text(chars: Sequence[Char], bbox: BBox | None = None) -> tuple[str, bool]:
    """Text of the characters inside ``bbox`` with wrapped lines joined; and whether it is bold.

    ``bbox=None``: the characters were already given to this cell (by word, see ``words``)."""
    allc = [c for c in chars if bbox is None or inside(c, bbox, pad=0.0)]
    mine = [c for c in allc if c["text"].strip()]
    if not mine:
        return "", False
    spaces = [c for c in allc if not c["text"].strip()]
    at = [(sp["x0"], (sp["top"] + sp["bottom"]) / 2) for sp in spaces]  # each space's left edge and middle
    lines = []
    for g in line_groups(mine):
        text = " ".join(chars_to_string(run) for run in _split_at_spaces(g, spaces))
        # the producer's own space glyph at the end of a line says the break is a space
        top, bottom, right = min(c["top"] for c in g), max(c["bottom"] for c in g), g[-1]["x1"]
        if any(x0 >= right - 0.5 and top - 1 <= mid <= bottom + 1 for x0, mid in at):
            text += " "
        lines.append(text)
    fonts = [c.get("fontname", "") for c in mine if c["text"].strip()]
    bold = bool(fonts) and sum(is_bold(f) for f in fonts) >= 0.6 * len(fonts)
    return join_wrapped(lines), bold


def _split_at_spaces(line: Sequence[Char], spaces: Sequence[Char]) -> list[list[Char]]:
    """One visual line cut where the producer put a space glyph between two glyphs: a space the
    producer wrote is a space, however tight justification set the gap."""
    if not spaces:
        return [list(line)]
    top, bottom = min(c["top"] for c in line), max(c["bottom"] for c in line)
    xs = sorted((sp["x0"] + sp["x1"]) / 2 for sp in spaces if top - 1 <= (sp["top"] + sp["bottom"]) / 2 <= bottom + 1)
    runs: list[list[Char]] = [[line[0]]] if line else []
    for a, b in zip(line, line[1:], strict=False):
        i = bisect.bisect_left(xs, a["x1"] - 0.5)  # the first space at or right of a's end
        if i < len(xs) and xs[i] <= b["x0"] + 0.5:
            runs.append([])
        runs[-1].append(b)
    return runs


def words(chars: Sequence[Char], settings: TableSettings = TABLE_SETTINGS) -> list[list[Char]]:
    """Glyphs of one band of text grouped into words: glyphs on one visual line with no gap wider
    than ``settings.word_gap`` of the font size between them. Space glyphs are words of their own."""
    out: list[list[Char]] = [[c] for c in chars if not c["text"].strip()]
    for g in line_groups([c for c in chars if c["text"].strip()]):
        word: list[Char] = []
        for c in g:
            if word and c["x0"] - word[-1]["x1"] > settings.word_gap * min(c["size"], word[-1]["size"]):
                out.append(word)
                word = []
            word.append(c)
        if word:
            out.append(word)
    return out


def _word_x(word: Sequence[Char]) -> float:
    return (min(c["x0"] for c in word) + max(c["x1"] for c in word)) / 2


def _is_white(color: Any) -> bool:
    if color is None:
        return True
    if isinstance(color, (int, float)):
        color = (color,)
    try:
        vals = [float(v) for v in color]
    except (TypeError, ValueError):
        return True  # a pattern: not a flat fill we can read
    if len(vals) == 4:  # CMYK: white is no ink
        return all(v <= 0.02 for v in vals)
    return all(v >= 0.98 for v in vals)


def fill_edges(edges: Sequence[Edge]) -> list[Edge]:
    """Edges of coloured filled rectangles (cell shading), which draw a boundary by themselves."""
    return [e for e in edges if e.get("object_type") == "rect_edge" and e.get("fill")
            and not _is_white(e.get("non_stroking_color"))]


def _side_filled(fills: Sequence[Edge], orientation: str, pos: float, lo: float, hi: float,
                 settings: TableSettings) -> bool:
    """Whether fill edges run along the line ``pos`` (x for vertical, top for horizontal) over
    ``settings.shading_cover`` of the segment [lo, hi] (top-left coordinates)."""
    need = settings.shading_cover * (hi - lo)
    covered = 0.0
    for e in fills:
        if e["orientation"] != orientation:
            continue
        at, a, b = (e["top"], e["x0"], e["x1"]) if orientation == "h" else (e["x0"], e["top"], e["bottom"])
        if abs(at - pos) <= settings.shading_edge_tol:
            covered += max(0.0, min(b, hi) - max(a, lo))
    return covered >= need > 0


def _shaded_flags(t: Any, height: float, fills: Sequence[Edge], settings: TableSettings) -> list[list[list[bool]]]:
    """camelot's (left, right, top, bottom) ruling flags per grid cell, with the unruled sides
    along which a background fill changes counted as ruled."""
    flags = [[[c.left, c.right, c.top, c.bottom] for c in row] for row in t.cells]
    if not fills:
        return flags
    rows, cols = t.rows, t.cols
    for r, row in enumerate(flags):
        top, bottom = height - rows[r][0], height - rows[r][1]
        for k, f in enumerate(row):
            x0, x1 = cols[k]
            if not f[3] and _side_filled(fills, "h", bottom, x0, x1, settings):
                f[3] = True
                if r + 1 < len(flags):
                    flags[r + 1][k][2] = True
            if not f[1] and _side_filled(fills, "v", x1, top, bottom, settings):
                f[1] = True
                if k + 1 < len(row):
                    row[k + 1][0] = True
    return flags


def _row_crosses_columns(chars: Sequence[Char], top: float, bottom: float, edges: Sequence[float]) -> bool:
    """A line of text that runs across a column boundary (no gap wider than a letter at the
    boundary) is a title or a paragraph, not a row of an unruled table."""
    line = sorted((c for c in chars if top <= (c["top"] + c["bottom"]) / 2 <= bottom and c["text"].strip()),
                  key=lambda c: c["x0"])
    for a, b in zip(line, line[1:], strict=False):
        if b["x0"] - a["x1"] < 0.25 * a["size"] and any(a["x0"] + 0.5 < e < b["x1"] - 0.5 for e in edges):
            return True
    return False


def _trim_unruled(rows: list, cols: list, height: float, chars: Sequence[Char]) -> tuple[int, int]:
    edges = [c[1] for c in cols[:-1]]
    lo, hi = 0, len(rows)
    while lo < hi and _row_crosses_columns(chars, height - rows[lo][0], height - rows[lo][1], edges):
        lo += 1
    while hi > lo and _row_crosses_columns(chars, height - rows[hi - 1][0], height - rows[hi - 1][1], edges):
        hi -= 1
    return lo, hi


def camelot_to_fragment(t: Any, page: int, height: float, chars: Sequence[Char], method: str,
                        edges: Sequence[Edge] = (), settings: TableSettings = TABLE_SETTINGS) -> TableFragment:
    rows = t.rows  # [(y_top, y_bottom)] in PDF coordinates (origin bottom-left)
    cols = t.cols  # [(x_left, x_right)]
    if method != "lattice":
        lo, hi = _trim_unruled(list(rows), list(cols), height, chars)
        rows = rows[lo:hi]
        t = _Trimmed(t, rows)
    if method == "lattice":
        flags = [[tuple(f) for f in row] for row in _shaded_flags(t, height, fill_edges(edges), settings)]
    else:  # no rulings: no merged cells can be seen
        flags = [[(True, True, True, True) for _ in row] for row in t.cells]
    x1, y1, x2, y2 = (cols[0][0], rows[-1][1], cols[-1][1], rows[0][0]) if method != "lattice" else t._bbox
    col_edges = [cols[0][0]] + [c[1] for c in cols]
    row_edges = [height - rows[0][0]] + [height - r[1] for r in rows]
    cells = grid_cells(flags, col_edges, row_edges, page, chars, settings)
    confidence = float(getattr(t, "confidence", 0.0) or 0.0)
    return TableFragment(page, (round(x1, 2), round(height - y2, 2), round(x2, 2), round(height - y1, 2)),
                         len(rows), len(cols), [round(e, 2) for e in col_edges], cells, method, confidence)


def _row_buckets(chars: Sequence[Char], row_edges: Sequence[float], pad: float) -> list[list[Char]]:
    """The page's glyphs by row: each goes to the first row whose band (its edges widened by
    ``pad``) holds its vertical centre; glyphs outside every band are left out. Rows top to bottom
    are found by bisection (a page holds thousands of glyphs, a table dozens of rows); edges not in
    order fall back to trying every row."""
    n_rows = len(row_edges) - 1
    buckets: list[list[Char]] = [[] for _ in range(n_rows)]
    ordered = all(a <= b for a, b in zip(row_edges, row_edges[1:], strict=False))
    lower = row_edges[1:]  # row i ends at lower[i]
    for ch in chars:
        y = (ch["top"] + ch["bottom"]) / 2
        if ordered:  # rows ending (with pad) above y cannot hold it: start at the first that may
            i = bisect.bisect_left(lower, y - pad - 1e-6)
            while i < n_rows and row_edges[i] - pad <= y:
                if y <= row_edges[i + 1] + pad:
                    buckets[i].append(ch)
                    break
                i += 1
            continue
        for i in range(n_rows):
            if row_edges[i] - pad <= y <= row_edges[i + 1] + pad:
                buckets[i].append(ch)
                break
    return buckets


def grid_cells(flags: list[list[tuple[bool, bool, bool, bool]]], col_edges: Sequence[float],
               row_edges: Sequence[float], page: int, chars: Sequence[Char],
               settings: TableSettings = TABLE_SETTINGS) -> list[Cell]:
    """Cells of a grid (column and row boundaries in top-left coordinates, ruling flags per
    position) with their text. Glyphs go to rows by their vertical centre and to columns by the
    centre of their word."""
    n_cols = len(col_edges) - 1
    buckets = _row_buckets(chars, row_edges, settings.row_pad)
    # (row, col) -> glyphs, each word placed whole by its centre
    placed: dict[tuple[int, int], list[Char]] = {}
    left, right = col_edges[0] - settings.row_pad, col_edges[-1] + settings.row_pad
    for i, bucket in enumerate(buckets):
        for w in words(bucket, settings):
            x = _word_x(w)
            if not left <= x <= right:
                continue
            k = next((k for k in range(n_cols) if x <= col_edges[k + 1]), n_cols - 1)
            placed.setdefault((i, k), []).extend(w)
    cells: list[Cell] = []
    for r, c, rs, cs in grid_spans(flags):
        x0, x1 = col_edges[c], col_edges[c + cs]
        top, bottom = row_edges[r], row_edges[r + rs]
        bbox: BBox = (round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2))
        mine = [ch for i in range(r, r + rs) for k in range(c, c + cs) for ch in placed.get((i, k), [])]
        mine.sort(key=lambda ch: (ch["top"], ch["x0"]))
        text, bold = cell_text(mine)
        cells.append(Cell(r, c, rs, cs, text, page, bbox, bold))
    return cells


def _h_ruled(edges: Sequence[Edge], y: float, x0: float, x1: float, settings: TableSettings) -> bool:
    """Whether horizontal rulings run along ``y`` over most of [x0, x1]."""
    covered = sum(max(0.0, min(e["x1"], x1) - max(e["x0"], x0)) for e in edges
                  if e.get("orientation") == "h" and abs(e["top"] - y) <= settings.shading_edge_tol + 0.5)
    return covered >= settings.shading_cover * (x1 - x0)


def mark_open_edges(frag: TableFragment, edges: Sequence[Edge], settings: TableSettings = TABLE_SETTINGS) -> None:
    """A table whose first (last) row is closed only by the ends of its side rulings, with no
    horizontal ruling there, is a row cut by the page break (browser and LibreOffice prints leave
    the cut open); camelot closes the row at the rulings' ends, the flag tells stitching."""
    x0, top, x1, bottom = frag.bbox
    frag.open_top = not _h_ruled(edges, top, x0, x1, settings)
    frag.open_bottom = not _h_ruled(edges, bottom, x0, x1, settings)


def find_page_tables(path: Path, page: int, height: float, chars: Sequence[Char],
                     edges: Sequence[Edge], settings: TableSettings = TABLE_SETTINGS) -> list[TableFragment]:
    """Tables on one page, top to bottom. Pages without rulings cost nothing."""
    if not page_has_rulings(edges, settings):
        # unruled tables: camelot's stream flavour, kept only when it looks like a real grid
        if len(chars) < settings.stream_min_chars:
            return []
        found = [t for t in _camelot_stream(path, page) if plausible_unruled(t, settings)]
        frags = [camelot_to_fragment(t, page, height, chars, "stream", settings=settings) for t in found]
        return sorted((f for f in frags if f.n_rows >= settings.stream_min_rows), key=lambda f: f.bbox[1])
    found = _camelot_tables(path, page, "vector")
    method = "lattice"
    if not found and len(edges) >= settings.combined_retry_min_edges:
        found = _camelot_tables(path, page, "combined")
    frags = [camelot_to_fragment(t, page, height, chars, method, edges, settings)
             for t in found if t.shape[0] >= 1 and t.shape[1] >= 2]
    frags.sort(key=lambda f: f.bbox[1])
    for f in frags:
        mark_open_edges(f, edges, settings)
    return frags
