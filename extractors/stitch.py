"""Page fragments → logical tables: header rows, continuation over page breaks, row kinds.

A fragment continues the table before it when nothing but page furniture separates them (the
table ends its page, the fragment starts the next) and their column grids agree. When
stitching:

* header rows repeated at the top of the continuation are dropped;
* a row whose text was split by the page break is re-joined (its continuation has no item
  number where the table numbers its rows, or starts in lower case / with closing punctuation);
* a merged cell that continues over the break (an empty cell at the top of the continuation
  under a vertical span) stays one merged cell.

What may stand between the two fragments without ending the table: page numbers, a
"(tiếp theo)" line, and footnotes under the table on its page (a smaller font than the body).

Tolerances: ``extractors.table_settings.TableSettings``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from extractors.model import Cell, Line, Table, TableFragment
from extractors.table_settings import TABLE_SETTINGS, TableSettings
from extractors.text import join_wrapped
from pipeline.core.vocabulary import HEADER_ROW_START as _HEADER_WORDS

_NUMBERING = re.compile(r"^\s*(\d+(\.\d+)*\.?|[IVXL]+\.?|[a-zđ]\)|[-+•])(\s|$)")
_GROUP = re.compile(r"^\s*([IVXL]+|[A-ZĐ])([.\s]|$)")
_SERIAL_HEAD = re.compile(r"^\s*(stt|tt|s/t|số\s*tt|số thứ tự|thứ tự)\s*$", re.I)
_TOTAL = re.compile(r"^\s*(tổng cộng|tổng số|cộng|tổng)\b", re.I)


def _row_cells(cells: Sequence[Cell], row: int) -> list[Cell]:
    return sorted((c for c in cells if c.row == row), key=lambda c: c.col)


def _covering(cells: Sequence[Cell], row: int, col: int) -> Cell | None:
    for c in cells:
        if c.row <= row < c.row + c.rs and c.col <= col < c.col + c.cs:
            return c
    return None


def count_header_rows(frag: TableFragment, settings: TableSettings = TABLE_SETTINGS) -> int:
    """Leading rows that read as a header: mostly bold (or header vocabulary) and several labels."""
    n = 0
    # a header may sit alone at the foot of a page (its body starts on the next page)
    for r in range(min(max(frag.n_rows - 1, 1), settings.max_header_rows)):
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
        # a header label may be half bold, half italic ("Điểm đạt được (điểm chuẩn tối đa: 15đ)")
        bold = sum(c.bold for c in row) >= settings.header_bold_share * len(row) and row[0].bold
        vocab = sum(bool(_HEADER_WORDS.match(c.text)) for c in row) >= max(1, len(row) // 2)
        numeric = any(re.fullmatch(r"[\d.,\s≤≥<>x%-]+", c.text) for c in row)
        # a row opening with an item number ("1 - Thủ tục hành chính") is the table's first item
        item = bool(_NUMBERING.match(row[0].text)) and row[0].col == 0
        if (bold or (vocab and n == 0)) and not numeric and not item and not _GROUP.match(row[0].text or "~"):
            n = r + 1
            # a header cell spanning down covers the next rows too
            n = max(n, max(c.row + c.rs for c in row if c.rs <= settings.max_header_rows))
        else:
            break
    return min(n, frag.n_rows)


def _subset(small: list[float], big: list[float], tol: float) -> bool:
    return all(any(abs(x - y) <= tol for y in big) for x in small)


def _same_grid(a: list[float], b: list[float], tol: float = TABLE_SETTINGS.grid_tol) -> bool:
    """Two fragments share a grid when their outer edges agree and the column boundaries of
    one are a subset of the other's (a header may merge columns that the body splits)."""
    if abs(a[0] - b[0]) > tol or abs(a[-1] - b[-1]) > tol:
        return False
    return _subset(a, b, tol) or _subset(b, a, tol)


def _union_edges(a: list[float], b: list[float], tol: float = TABLE_SETTINGS.grid_tol) -> list[float]:
    out = list(a)
    for x in b:
        if not any(abs(x - y) <= tol for y in out):
            out.append(x)
    return sorted(out)


def _remap(cells: Sequence[Cell], old: list[float], new: list[float]) -> None:
    """Re-express column indices and spans of ``cells`` on a finer grid ``new``."""
    def idx(x: float) -> int:
        return min(range(len(new)), key=lambda i: abs(new[i] - x))

    for c in cells:
        left, right = old[c.col], old[c.col + c.cs]
        c.col, c.cs = idx(left), max(1, idx(right) - idx(left))


def _header_texts(cells: Sequence[Cell], n_header: int) -> list[str]:
    # white space aside: a repeated header may wrap differently on another page
    return [re.sub(r"\s+", "", c.text) for c in sorted(cells, key=lambda c: (c.row, c.col)) if c.row < n_header]


def _repeated_rows(table: Table, cells: Sequence[Cell], settings: TableSettings) -> int:
    """How many leading rows of a continuation repeat the table's leading rows word for word.
    A row repeated at the top of every page is the header, whatever its typography."""
    for k in range(min(settings.max_header_rows, table.n_rows - 1), 0, -1):
        head = _header_texts(table.cells, k)
        top = _header_texts([c for c in cells if c.row < k], k)
        # a header cell of the continuation may run on into the body where a ruling is missing
        if head and head == top and any(head) and all(c.row + c.rs <= k for c in table.cells if c.row < k):
            return k
    return 0


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


def _shape(grid: list[list[Cell | None]], r: int) -> tuple[str, ...]:
    """Which positions of row ``r`` hold text ("t"), are empty ("e") or are covered by a cell
    from a row above ("s")."""
    out = []
    for c in grid[r]:
        out.append("s" if c is None or c.row != r else ("t" if c.text else "e"))
    return tuple(out)


def _frag_shapes(cells: Sequence[Cell], n_cols: int) -> list[tuple[str, ...]]:
    """Row shapes (see ``_shape``) of a fragment's cells, rows counted from 0."""
    n = max((c.row + c.rs for c in cells), default=0)
    grid: list[list[Cell | None]] = [[None] * n_cols for _ in range(n)]
    for c in cells:
        for r in range(c.row, min(c.row + c.rs, n)):
            for k in range(c.col, min(c.col + c.cs, n_cols)):
                grid[r][k] = c
    return [_shape(grid, r) for r in range(n)]


def _never_twice(table: Table, nh: int, first: Sequence[Cell], rest: Sequence[Cell] = ()) -> bool:
    """The continuation's first row has the shape of the table's last row (an empty cell where
    that row has one), and nowhere else (in the table so far, nor in the continuation ``rest``)
    do two rows of that shape follow each other, while there are several of them: e.g. a label
    row then a content row with an empty first column, repeated, so two content rows in a row can
    only be one row cut by the page break. When the table so far is too short to show the
    pattern, the continuation counts too: a table whose first page holds only one label and one
    content row shows it on the next page."""
    if not first:
        return False
    grid = table.grid()
    last = _shape(grid, table.n_rows - 1)
    mine = ["e"] * table.n_cols
    for c in first:
        for k in range(c.col, min(c.col + c.cs, table.n_cols)):
            mine[k] = ("t" if c.text else "e") if k == c.col else "s"
    if tuple(mine) != last or "e" not in last or "t" not in last:
        return False
    before = [_shape(grid, r) for r in range(nh, table.n_rows)]

    def alternates(seq: list[tuple[str, ...]]) -> bool:
        return not any(a == last and b == last for a, b in zip(seq, seq[1:], strict=False))

    if len(before) >= 4 and sum(sh == last for sh in before) >= 2 and alternates(before):
        return True  # the table so far shows the pattern (the continuation may hold sub-rows)
    after = _frag_shapes(rest, table.n_cols) if rest else []
    return len(before) + len(after) >= 5 and sum(sh == last for sh in before + after) >= 3 \
        and alternates(before) and alternates(after)


def append_fragment(table: Table, frag: TableFragment, settings: TableSettings = TABLE_SETTINGS) -> None:
    """Stitch ``frag`` below ``table`` (mutates ``table``)."""
    open_break = table.fragments[-1].open_bottom or frag.open_top
    cells = [replace(c) for c in frag.cells]  # copies: every field, OCR provenance included
    # put both on the finer of the two column grids
    shift = frag.col_edges[0] - table.col_edges[0]
    frag_edges = [e - shift for e in frag.col_edges]
    union = _union_edges(table.col_edges, frag_edges, settings.grid_tol)
    if len(union) != len(table.col_edges):
        _remap(table.cells, table.col_edges, union)
    if len(union) != len(frag_edges):
        _remap(cells, frag_edges, union)
    table.col_edges = union
    table.n_cols = len(union) - 1
    # 1. repeated header rows (a repetition proves a header the first page did not show as one)
    nh = table.n_header_rows
    rep = _repeated_rows(table, cells, settings)
    open_break = open_break and not rep  # a repeated header closes the cut by itself
    if rep:
        nh = table.n_header_rows = max(nh, rep)
        for c in cells:  # what a header cell spans below the header is an empty body cell
            if c.row < rep < c.row + c.rs:
                c.rs, c.row, c.text = c.row + c.rs - rep, rep, ""
        cells = [c for c in cells if c.row >= rep]
        for c in cells:
            c.row -= rep
    if not cells:
        table.fragments.append(frag)
        return
    last = table.n_rows - 1
    first = [c for c in cells if c.row == 0]
    ident = _identifier_col(table.cells, nh, table.n_cols)
    if ident is None and nh and any(c.row == 0 and c.col == 0 and _SERIAL_HEAD.match(c.text) for c in table.cells):
        ident = 0  # too few rows to see the numbering, but the header says the first column numbers them
    nonempty = [c for c in first if c.text]
    split_row = open_break  # no ruling closed the row: its rest is on this page
    if nonempty and not split_row:
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
        elif _never_twice(table, nh, first, cells):
            split_row = True  # rows of this shape never follow one another: one row cut in two
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


def continues(table: Table, frag: TableFragment, settings: TableSettings = TABLE_SETTINGS) -> bool:
    prev = table.fragments[-1]
    shift = frag.col_edges[0] - table.col_edges[0]
    return frag.page == prev.page + 1 and abs(shift) <= settings.grid_tol and _same_grid(
        table.col_edges, [e - shift for e in frag.col_edges], settings.grid_tol)


_PAGE_MARK = re.compile(r"^[-–—\s]*(trang\s*)?\d{1,4}(\s*/\s*\d{1,4})?[-–—\s]*$|^\(?\s*tiếp\s*(theo)?\s*\)?\.?$", re.I)


def is_break_furniture(line: Line, prev_page: int, body_size: float,
                       settings: TableSettings = TABLE_SETTINGS) -> bool:
    """A line that may stand between a table's end on ``prev_page`` and its continuation on the
    next page: a page number or continuation mark anywhere, or a footnote (smaller type than the
    body) under the table on its own page."""
    if _PAGE_MARK.match(line.text.strip()):
        return True
    return line.page == prev_page and body_size > 0 and line.size <= settings.footnote_size_ratio * body_size


def _row_height(frag: TableFragment, row: int) -> float | None:
    hs = [c.bbox[3] - c.bbox[1] for c in frag.cells if c.row == row and c.rs == 1]
    return min(hs) if hs else None


def _would_have_fit(table: Table, frag: TableFragment, between: Sequence[Line], foot: float,
                    settings: TableSettings) -> bool:
    """Whether the fragment is a new table of the same design after a forced page break: its
    first row would have fitted in the room left under the table on the page before, and it
    opens like the table did (e.g. one two-column table per administrative procedure, each
    starting on a new page)."""
    prev = table.fragments[-1]
    if prev.open_bottom or frag.open_top:
        return False
    if _repeated_rows(table, frag.cells, settings):
        return False  # the header printed again says "continued", whatever room was left
    under = [ln.bbox[1] for ln in between if ln.page == prev.page and ln.bbox[1] > prev.bbox[3]]
    room = min(under, default=foot) - prev.bbox[3]
    h = _row_height(frag, 0)
    if h is None or room <= settings.break_fit_ratio * h + settings.grid_tol:
        return False
    # room alone is no proof (a producer keeps merged row groups together): the fragment must
    # also open the way the table opened, with a bold row of the same shape
    def opening(cells: Sequence[Cell]) -> list[tuple[int, int, bool]]:
        return [(c.col, c.cs, c.bold) for c in sorted(cells, key=lambda c: c.col) if c.row == 0 and c.text]

    mine, theirs = opening(frag.cells), opening(table.cells)
    return bool(mine) and mine == theirs and all(b for _c, _s, b in mine)


def stitch_fragments(items: Sequence[tuple[int, float, str, object]], body_size: float,
                     settings: TableSettings = TABLE_SETTINGS) -> list[Table]:
    """Page fragments and body lines in reading order (page, top, "frag" | "line", object) →
    logical tables. A fragment continues the table before it when it is the first table on its
    page, the table ended on the page before, only page furniture (``is_break_furniture``)
    stands between them, and their column grids agree."""
    tables: list[Table] = []
    current: Table | None = None
    between: list[Line] = []
    pages_with_frag: set[int] = set()
    # the lowest point anything of the body reaches on a page: the foot of the type area
    foot = max((obj.bbox[3] for _p, _t, _k, obj in items if isinstance(obj, (Line, TableFragment))), default=0.0)
    for page, _top, kind, obj in items:
        if kind != "frag":
            if isinstance(obj, Line):
                between.append(obj)
            continue
        assert isinstance(obj, TableFragment)
        frag = obj
        first_on_page = page not in pages_with_frag
        pages_with_frag.add(page)
        if (current is not None and first_on_page and continues(current, frag, settings)
                and all(is_break_furniture(ln, current.fragments[-1].page, body_size, settings) for ln in between)
                and not _would_have_fit(current, frag, between, foot, settings)):
            append_fragment(current, frag, settings)
        else:
            current = new_table(len(tables), frag, settings)
            tables.append(current)
        between = []
    return [finish(t) for t in tables]


def new_table(index: int, frag: TableFragment, settings: TableSettings = TABLE_SETTINGS) -> Table:
    nh = count_header_rows(frag, settings)
    cells = [replace(c) for c in frag.cells]  # copies: every field, OCR provenance included
    return Table(index, [frag], frag.n_rows, frag.n_cols, nh, cells, [], frag.method, frag.confidence,
                 col_edges=list(frag.col_edges))


def finish(table: Table) -> Table:
    table.cells.sort(key=lambda c: (c.row, c.col))
    table.row_kinds = row_kinds(table)
    table.confidence = round(min(f.confidence for f in table.fragments), 4)
    return table
