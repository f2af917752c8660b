"""Ruled tables with camelot (lattice), cell text from pdfplumber's characters.

camelot finds the grid: rows, columns and which cell edges are ruled. Missing internal edges
mean merged cells; we rebuild each merged cell (row/column span) from them. The text of a cell
is assembled from pdfplumber's characters inside the merged cell's box, so sub/superscripts,
NFC and line joins follow the same rules as body text (``extractors.text``).

The vector engine reads ruling lines straight from the PDF (no rendering); only a page that
clearly holds rulings but yields no table is retried with camelot's raster+vector engine.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from extractors.model import BBox, Cell, TableFragment
from extractors.text import Char, _chars_to_string, _line_groups, inside, is_bold, join_wrapped

log = logging.getLogger(__name__)

MIN_EDGES_FOR_TABLE = 4


def page_has_rulings(edges: Sequence[dict[str, Any]]) -> bool:
    """Cheap pre-check: camelot runs only where there are enough ruling lines to form a table."""
    h = sum(1 for e in edges if e.get("orientation") == "h")
    v = sum(1 for e in edges if e.get("orientation") == "v")
    return h >= 2 and v >= 2 and h + v >= MIN_EDGES_FOR_TABLE


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


def plausible_unruled(t: Any) -> bool:
    """camelot's stream flavour sees a table in any text; keep only real grids: three or more
    columns, three or more rows, mostly filled, most rows with two or more cells."""
    rows, cols = t.shape
    if rows < 3 or cols < 3:
        return False
    report = t.parsing_report
    if report.get("whitespace", 100) > 40 or report.get("accuracy", 0) < 80:
        return False
    filled = [sum(1 for v in row if str(v).strip()) for row in t.df.values.tolist()]
    return sum(1 for n in filled if n >= 2) >= 0.6 * rows


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


def cell_text(chars: Sequence[Char], bbox: BBox) -> tuple[str, bool]:
    """Text of the characters inside ``bbox`` with wrapped lines joined; and whether it is bold."""
    allc = [c for c in chars if inside(c, bbox, pad=0.0)]
    mine = [c for c in allc if c["text"].strip()]
    if not mine:
        return "", False
    spaces = [c for c in allc if not c["text"].strip()]
    lines = []
    for g in _line_groups(mine):
        text = _chars_to_string(g)
        # the producer's own space glyph at the end of a line says the break is a space
        top, bottom, right = min(c["top"] for c in g), max(c["bottom"] for c in g), g[-1]["x1"]
        if any(sp["x0"] >= right - 0.5 and top - 1 <= (sp["top"] + sp["bottom"]) / 2 <= bottom + 1 for sp in spaces):
            text += " "
        lines.append(text)
    fonts = [c.get("fontname", "") for c in mine if c["text"].strip()]
    bold = bool(fonts) and sum(is_bold(f) for f in fonts) >= 0.6 * len(fonts)
    return join_wrapped(lines), bold


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


def camelot_to_fragment(t: Any, page: int, height: float, chars: Sequence[Char], method: str) -> TableFragment:
    rows = t.rows  # [(y_top, y_bottom)] in PDF coordinates (origin bottom-left)
    cols = t.cols  # [(x_left, x_right)]
    if method != "lattice":
        lo, hi = _trim_unruled(list(rows), list(cols), height, chars)
        rows = rows[lo:hi]
        t = _Trimmed(t, rows)
    if method == "lattice":
        flags = [[(c.left, c.right, c.top, c.bottom) for c in row] for row in t.cells]
    else:  # no rulings: no merged cells can be seen
        flags = [[(True, True, True, True) for _ in row] for row in t.cells]
    cells: list[Cell] = []
    # bucket the table's characters by grid row once, instead of scanning the page per cell
    tops = [height - r[0] for r in rows]
    bottoms = [height - r[1] for r in rows]
    buckets: list[list[Char]] = [[] for _ in rows]
    for ch in chars:
        y = (ch["top"] + ch["bottom"]) / 2
        for i in range(len(rows)):
            if tops[i] - 0.5 <= y <= bottoms[i] + 0.5:
                buckets[i].append(ch)
                break
    for r, c, rs, cs in grid_spans(flags):
        x0, x1 = cols[c][0], cols[c + cs - 1][1]
        top, bottom = height - rows[r][0], height - rows[r + rs - 1][1]
        bbox: BBox = (round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2))
        near = [ch for i in range(r, r + rs) for ch in buckets[i] if x0 - 1 <= (ch["x0"] + ch["x1"]) / 2 <= x1 + 1]
        text, bold = cell_text(near, bbox)
        cells.append(Cell(r, c, rs, cs, text, page, bbox, bold))
    x1, y1, x2, y2 = (cols[0][0], rows[-1][1], cols[-1][1], rows[0][0]) if method != "lattice" else t._bbox
    edges = [cols[0][0]] + [c[1] for c in cols]
    confidence = float(getattr(t, "confidence", 0.0) or 0.0)
    return TableFragment(page, (round(x1, 2), round(height - y2, 2), round(x2, 2), round(height - y1, 2)),
                         len(rows), len(cols), [round(e, 2) for e in edges], cells, method, confidence)


def find_page_tables(path: Path, page: int, height: float, chars: Sequence[Char],
                     edges: Sequence[dict[str, Any]]) -> list[TableFragment]:
    """Tables on one page, top to bottom. Pages without rulings cost nothing."""
    if not page_has_rulings(edges):
        # unruled tables: camelot's stream flavour, kept only when it looks like a real grid
        if len(chars) < 40:
            return []
        found = [t for t in _camelot_stream(path, page) if plausible_unruled(t)]
        frags = [camelot_to_fragment(t, page, height, chars, "stream") for t in found]
        return sorted((f for f in frags if f.n_rows >= 3), key=lambda f: f.bbox[1])
    found = _camelot_tables(path, page, "vector")
    method = "lattice"
    if not found and len(edges) >= 12:
        found = _camelot_tables(path, page, "combined")
    frags = [camelot_to_fragment(t, page, height, chars, method) for t in found if t.shape[0] >= 1 and t.shape[1] >= 2]
    frags.sort(key=lambda f: f.bbox[1])
    return frags
