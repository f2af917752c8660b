"""Page fragments → logical tables: header rows, continuation over page breaks, row kinds.

A fragment continues the table before it when nothing but page furniture separates them (the
table ends its page, the fragment starts the next) and their column grids agree. When
stitching:

* header rows repeated at the top of the continuation are dropped;
* a row whose text was split by the page break is re-joined (its continuation has no item
  number where the table numbers its rows, or starts in lower case / with closing punctuation);
* a merged cell that continues over the break (an empty cell at the top of the continuation
  under a vertical span) stays one merged cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from extractors.model import Cell, Table, TableFragment
from extractors.text import join_wrapped
from pipeline.core.text import fold_ws
from pipeline.core.vocabulary import HEADER_ROW_START as _HEADER_WORDS

_NUMBERING = re.compile(r"^\s*(\d+(\.\d+)*\.?|[IVXL]+\.?|[a-zđ]\)|[-+•])(\s|$)")
_GROUP = re.compile(r"^\s*([IVXL]+|[A-ZĐ])([.\s]|$)")
_TOTAL = re.compile(r"^\s*(tổng cộng|tổng số|cộng|tổng)\b", re.I)


def _row_cells(cells: Sequence[Cell], row: int) -> list[Cell]:
    return sorted((c for c in cells if c.row == row), key=lambda c: c.col)


def _covering(cells: Sequence[Cell], row: int, col: int) -> Cell | None:
    for c in cells:
        if c.row <= row < c.row + c.rs and c.col <= col < c.col + c.cs:
            return c
    return None


def count_header_rows(frag: TableFragment) -> int:
    """Leading rows that read as a header: bold (or header vocabulary) and several labels."""
    n = 0
    # a header may sit alone at the foot of a page (its body starts on the next page)
    for r in range(min(max(frag.n_rows - 1, 1), 3)):
        row = [c for c in _row_cells(frag.cells, r) if c.text]
        if not row:
            break
        if len(row) == 1 and row[0].cs >= frag.n_cols - 1 and n == 0:
            break  # a title/group row spanning the table
        if r > 0:
            # a second header row sits under a header cell spanning columns, or beside one
            # spanning rows; otherwise a bold row after the header is a group row
            above = [c for c in frag.cells if c.row < r]
            spans_cols = any(c.cs > 1 and c.row == r - 1 for c in above)
            spans_rows = any(c.row + c.rs > r for c in above)
            if not (spans_cols or spans_rows):
                break
        bold = all(c.bold for c in row)
        vocab = sum(bool(_HEADER_WORDS.match(c.text)) for c in row) >= max(1, len(row) // 2)
        numeric = any(re.fullmatch(r"[\d.,\s≤≥<>x-]+", c.text) for c in row)
        if (bold or (vocab and n == 0)) and not numeric and not _GROUP.match(row[0].text or "~"):
            n = r + 1
            # a header cell spanning down covers the next rows too
            n = max(n, max(c.row + c.rs for c in row if c.rs <= 3))
        else:
            break
    return min(n, frag.n_rows)


def _subset(small: list[float], big: list[float], tol: float) -> bool:
    return all(any(abs(x - y) <= tol for y in big) for x in small)


def _same_grid(a: list[float], b: list[float], tol: float = 4.0) -> bool:
    """Two fragments share a grid when their outer edges agree and the column boundaries of
    one are a subset of the other's (a header may merge columns that the body splits)."""
    if abs(a[0] - b[0]) > tol or abs(a[-1] - b[-1]) > tol:
        return False
    return _subset(a, b, tol) or _subset(b, a, tol)


def _union_edges(a: list[float], b: list[float], tol: float = 4.0) -> list[float]:
    out = list(a)
    for x in b:
        if not any(abs(x - y) <= tol for y in out):
            out.append(x)
    return sorted(out)


def _remap(cells: Sequence[Cell], old: list[float], new: list[float], tol: float = 4.0) -> None:
    """Re-express column indices and spans of ``cells`` on a finer grid ``new``."""
    def idx(x: float) -> int:
        return min(range(len(new)), key=lambda i: abs(new[i] - x))

    for c in cells:
        left, right = old[c.col], old[c.col + c.cs]
        c.col, c.cs = idx(left), max(1, idx(right) - idx(left))


def _header_texts(cells: Sequence[Cell], n_header: int) -> list[str]:
    return [fold_ws(c.text) for c in sorted(cells, key=lambda c: (c.row, c.col)) if c.row < n_header]


def _identifier_col(cells: Sequence[Cell], n_header: int, n_cols: int) -> int | None:
    best, best_share = None, 0.0
    for col in range(n_cols):
        anchors = [c for c in cells if c.col == col and c.row >= n_header and c.cs == 1]
        if len(anchors) < 3:
            continue
        share = sum(bool(_NUMBERING.match(c.text)) for c in anchors) / len(anchors)
        if share > best_share:
            best, best_share = col, share
    return best if best_share >= 0.6 else None


def _is_continuation_text(text: str) -> bool:
    return bool(text) and (text[0].islower() or text[0] in ")],.;:")


def append_fragment(table: Table, frag: TableFragment) -> None:
    """Stitch ``frag`` below ``table`` (mutates ``table``)."""
    cells = [replace(c) for c in frag.cells]  # copies: every field, OCR provenance included
    # put both on the finer of the two column grids
    shift = frag.col_edges[0] - table.col_edges[0]
    frag_edges = [e - shift for e in frag.col_edges]
    union = _union_edges(table.col_edges, frag_edges)
    if len(union) != len(table.col_edges):
        _remap(table.cells, table.col_edges, union)
    if len(union) != len(frag_edges):
        _remap(cells, frag_edges, union)
    table.col_edges = union
    table.n_cols = len(union) - 1
    # 1. repeated header rows
    nh = table.n_header_rows
    if nh and frag.n_rows > nh:
        head = _header_texts(table.cells, nh)
        top = _header_texts([c for c in cells if c.row < nh], nh)
        if head == top and all(c.row + c.rs <= nh for c in cells if c.row < nh):
            cells = [c for c in cells if c.row >= nh]
            for c in cells:
                c.row -= nh
    if not cells:
        table.fragments.append(frag)
        return
    last = table.n_rows - 1
    first = [c for c in cells if c.row == 0]
    ident = _identifier_col(table.cells, nh, table.n_cols)
    nonempty = [c for c in first if c.text]
    split_row = False
    if nonempty:
        id_cell = next((c for c in first if c.col <= (ident if ident is not None else -1) < c.col + c.cs), None)
        above_id = _covering(table.cells, last, ident) if ident is not None else None
        if ident is not None and id_cell is not None and not id_cell.text and above_id and above_id.text \
                and above_id.row + above_id.rs - 1 == last:
            split_row = True  # the numbered column is empty: the rest of the row above
        elif id_cell is not None and id_cell.text and not _NUMBERING.match(id_cell.text) \
                and (_is_continuation_text(id_cell.text) or id_cell.text[0] == "("):
            split_row = True  # the numbered column continues a sentence
        elif all(_is_continuation_text(c.text) for c in nonempty):
            split_row = True
    consumed_rows = 0
    removed: set[int] = set()
    for c in first:
        target = _covering(table.cells, last, c.col)
        if target is None or target.col != c.col or target.cs != c.cs:
            continue
        if split_row:
            if c.text:
                target.text = join_wrapped([target.text, c.text])
            target.rs += c.rs - 1
            removed.add(id(c))
        elif (c.rs >= 2 and (not c.text or _is_continuation_text(c.text))) or (
                target.rs >= 2 and c.text and _is_continuation_text(c.text)):
            # an empty merged cell under a merged cell, or the rest of a merged cell's sentence:
            # one merged cell continuing over the break (an empty single cell is a cell of its own)
            if c.text:
                target.text = join_wrapped([target.text, c.text])
            target.rs += c.rs
            removed.add(id(c))
    if split_row:
        consumed_rows = 1
    kept = [c for c in cells if id(c) not in removed]
    offset = table.n_rows - consumed_rows
    for c in kept:
        c.row += offset
    table.cells.extend(kept)
    table.n_rows = max(c.row + c.rs for c in table.cells)
    table.fragments.append(frag)


def row_kinds(table: Table) -> list[str]:
    kinds = []
    for r in range(table.n_rows):
        if r < table.n_header_rows:
            kinds.append("header")
            continue
        row = [c for c in _row_cells(table.cells, r) if c.text]
        if not row:
            kinds.append("item")
            continue
        first = row[0].text
        if _TOTAL.match(first) or (len(row) > 1 and _TOTAL.match(row[1].text) and not row[0].text.strip("0123456789.")):
            kinds.append("total")
        elif all(c.bold for c in row) and (_GROUP.match(first) or len(row) == 1):
            kinds.append("group")
        else:
            kinds.append("item")
    return kinds


def continues(table: Table, frag: TableFragment) -> bool:
    prev = table.fragments[-1]
    shift = frag.col_edges[0] - table.col_edges[0]
    return frag.page == prev.page + 1 and abs(shift) <= 4.0 and _same_grid(
        table.col_edges, [e - shift for e in frag.col_edges])


def new_table(index: int, frag: TableFragment) -> Table:
    nh = count_header_rows(frag)
    cells = [replace(c) for c in frag.cells]  # copies: every field, OCR provenance included
    return Table(index, [frag], frag.n_rows, frag.n_cols, nh, cells, [], frag.method, frag.confidence,
                 col_edges=list(frag.col_edges))


def finish(table: Table) -> Table:
    table.cells.sort(key=lambda c: (c.row, c.col))
    table.row_kinds = row_kinds(table)
    table.confidence = round(min(f.confidence for f in table.fragments), 4)
    return table
