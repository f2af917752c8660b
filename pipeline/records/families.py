"""Table families: which dataset a table feeds and what each of its columns holds, decided from
the header signature declared in ``schemas/table_families.yaml`` (docs/DOMAIN.md §2.2, trap 18).

Pure: a ``Table`` goes in, a ``TableLayout`` comes out. A table no family claims gets
``family=None`` with the reason; the caller reports it (quality check ``unclaimed_tables``),
never drops it silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from extractors.model import Table
from pipeline.parsing.units import parse_unit
from pipeline.parsing.values import clean_text, parse_number

__all__ = ["Column", "TableLayout", "classify_table", "classify_tables", "config", "match_phrase", "norm_label"]

_MAX_HEADER_ROWS = 3


def norm_label(text: str) -> str:
    """Header text → lookup form: NFC, markup dropped, lower case, one space, no trailing ':*.'."""
    s = clean_text(text or "").lower()
    s = re.sub(r"\s*/\s*", "/", s)
    return unicodedata.normalize("NFC", s.strip(" :*.;,"))


def _spelling_matches(spelling: str, label: str) -> bool:
    return label.startswith(spelling[:-1]) if spelling.endswith("*") else label == spelling


def match_phrase(label: str, spellings: list[str]) -> bool:
    """Whether a normalized label equals one of ``spellings`` ('*' suffix = prefix match)."""
    return any(_spelling_matches(norm_label(s) + ("*" if s.endswith("*") else ""), label) for s in spellings)


@cache
def config() -> dict[str, Any]:
    """The parsed ``schemas/table_families.yaml`` (read once)."""
    text = files("schemas").joinpath("table_families.yaml").read_text(encoding="utf-8")
    cfg = yaml.safe_load(text)
    roles: dict[str, list[str]] = {}
    for role, spellings in cfg["roles"].items():
        roles[str(role)] = [norm_label(s) + ("*" if s.endswith("*") else "") for s in spellings]
    cfg["_roles"] = roles
    return cfg


def role_of(label: str) -> str | None:
    """The role whose spelling the normalized header label is, or None."""
    if not label:
        return None
    for role, spellings in config()["_roles"].items():
        if any(_spelling_matches(s, label) for s in spellings):
            return role
    return None


@dataclass(frozen=True)
class Column:
    index: int
    role: str | None
    labels: tuple[str, ...]  # header texts top-down, as printed (distinct levels)
    param: str | None  # sub-label: scale of a value column, source of a money column, period of a mark


@dataclass(frozen=True)
class TableLayout:
    table_index: int
    family: str | None
    dataset: str | None
    section_type: str | None
    header_rows: int
    columns: tuple[Column, ...]
    header_keys: tuple[tuple[str, ...], ...]  # normalized header rows, to skip repeated headers
    problem: str | None = None
    caption: str | None = None  # a captioned family's caption as printed (the rows' group label)

    def cols(self, role: str) -> list[Column]:
        return [c for c in self.columns if c.role == role]

    def col(self, role: str) -> int | None:
        cs = self.cols(role)
        return cs[0].index if cs else None


def _resolve(labels: tuple[str, ...]) -> tuple[str | None, str | None]:
    """Role and parameter of one column from its header levels (see the YAML's header comment)."""
    keys = [norm_label(x) for x in labels]
    roles = [role_of(k) for k in keys]
    for i in range(len(keys) - 1, -1, -1):
        if roles[i] is None:
            continue
        if i == len(keys) - 1:
            if i > 0 and roles[0] is None:
                return roles[i], f"{labels[i]}|{labels[0]}"  # "Trị số mức" under "Sách KT"
            return roles[i], None
        return roles[i], labels[-1]  # known top over a sub-label: "Định mức theo quy mô" / "200-300 đại biểu"
    return None, None


def _columns(table: Table, grid: list[list[Any]], h: int) -> list[Column]:
    out: list[Column] = []
    seen: set[tuple[str, str | None]] = set()
    for c in range(table.n_cols):
        labels: list[str] = []
        for r in range(h):
            cell = grid[r][c]
            t = clean_text(cell.text) if cell is not None else ""
            if t and (not labels or labels[-1] != t):
                labels.append(t)
        role, param = _resolve(tuple(labels))
        if role is not None and (role, param) in seen:
            # a header spanning two columns ("Thành phần hao phí" over item + grade): the first keeps
            # the role; beside the item, the second column qualifies it (a grade "3/9", kept as "grade")
            role = "grade" if role == "item" and out and out[-1].role == "item" else None
        if role is not None:
            seen.add((role, param))
        out.append(Column(c, role, tuple(labels), param))
    return out


def _caption_layout(table: Table, grid: list[list[Any]]) -> TableLayout | None:
    """A family claimed by its caption (the YAML's ``caption``/``columns``): the only header row is
    one cell spanning every column, its text opening with a caption spelling ("Ghi chú: ...")."""
    if table.n_rows < 2 or grid[0][0] is None or any(grid[0][c] is not grid[0][0] for c in range(table.n_cols)):
        return None
    caption = clean_text(grid[0][0].text)
    for fam in config()["families"]:
        if fam.get("caption") and len(fam["columns"]) == table.n_cols \
                and match_phrase(norm_label(caption), fam["caption"]):
            cols = tuple(Column(i, role, (caption,), None) for i, role in enumerate(fam["columns"]))
            return TableLayout(table.index, fam["name"], fam.get("dataset"), fam.get("section_type"), 1, cols,
                               ((norm_label(caption),) * table.n_cols,), caption=caption)
    return None


def _claims(fam: dict[str, Any], cols: list[Column]) -> bool:
    if fam.get("caption"):
        return False  # claimed by its caption only (_caption_layout)
    present = {c.role for c in cols if c.role}
    if not set(fam.get("requires", [])) <= present:
        return False
    if fam.get("any_of") and not present & set(fam["any_of"]):
        return False
    values = [c for c in cols if c.role == "value"]
    if len(values) < int(fam.get("min_value_columns", 0)):
        return False
    if fam.get("values"):
        labels = {norm_label(x) for c in values for x in c.labels}
        if not any(match_phrase(lab, fam["values"]) for lab in labels):
            return False
    return True


def _numeric_row(grid: list[list[Any]], r: int) -> bool:
    return any(cell is not None and parse_number(clean_text(cell.text)) is not None for cell in grid[r])


def classify_table(table: Table) -> TableLayout:
    """Find the header rows (the extractor's count, or up to three leading rows when it found none
    or too few) and the first family whose signature they satisfy."""
    grid = table.grid()
    captioned = _caption_layout(table, grid)
    if captioned is not None:
        return captioned
    candidates: list[int] = []
    for h in [table.n_header_rows, *range(1, _MAX_HEADER_ROWS + 1)]:
        if 1 <= h <= table.n_rows and h not in candidates:
            # beyond the extractor's header rows, a row holding plain numbers is data, not header
            if h == table.n_header_rows or all(not _numeric_row(grid, r) for r in range(1, h)):
                candidates.append(h)
    best: tuple[tuple[int, int], TableLayout] | None = None
    for h in candidates:
        cols = _columns(table, grid, h)
        for fam in config()["families"]:
            if _claims(fam, cols):
                distinct = len({(c.role, c.param) for c in cols if c.role})
                score = (distinct, -h)
                keys = tuple(tuple(norm_label(grid[r][c].text) if grid[r][c] else "" for c in range(table.n_cols))
                             for r in range(h))
                lay = TableLayout(table.index, fam["name"], fam.get("dataset"), fam.get("section_type"), h,
                                  tuple(cols), keys)
                if best is None or score > best[0]:
                    best = (score, lay)
                break
    if best is not None:
        return best[1]
    h = max(table.n_header_rows, 1) if table.n_rows else 0
    cols = _columns(table, grid, min(h, table.n_rows))
    labels = " | ".join("/".join(c.labels) for c in cols)
    return TableLayout(table.index, None, None, None, table.n_header_rows, tuple(cols), (),
                       problem=f"no family claims header [{labels}]")


def _shape_layout(table: Table) -> TableLayout | None:
    """A norm table whose header is lost (DOMAIN trap 24, the headerless 004:1838 table): claimed
    from its body only when one column holds known unit strings in most rows and the columns
    right of it hold numbers. Value columns are then named by their 1-based order."""
    grid = table.grid()
    rows = [r for r in range(table.n_rows) if table.row_kinds[r] == "item"]
    if len(rows) < 3:
        return None

    def texts(c: int) -> list[str]:
        out = []
        for r in rows:
            cell = grid[r][c]
            if cell is not None and cell.col == c and clean_text(cell.text):
                out.append(clean_text(cell.text))
        return out

    def share(c: int, pred: Any) -> float:
        ts = texts(c)
        return sum(1 for t in ts if pred(t)) / len(ts) if len(ts) >= 3 else 0.0

    unit_col = next((c for c in range(1, table.n_cols)
                     if share(c, lambda t: parse_unit(t).known and not parse_unit(t).is_packed) >= 0.8), None)
    if unit_col is None:
        return None
    numeric = [c for c in range(unit_col + 1, table.n_cols) if share(c, lambda t: parse_number(t) is not None) >= 0.8]
    if not numeric or numeric != list(range(unit_col + 1, unit_col + 1 + len(numeric))):
        return None
    cols: list[Column] = []
    for c in range(table.n_cols):
        if c == unit_col:
            role, param = "unit", None
        elif c == unit_col - 1:
            role, param = "item", None
        elif c < unit_col - 1:
            role, param = ("code" if c == 0 else None), None
        elif c in numeric:
            role, param = "value", str(numeric.index(c) + 1)
        else:
            role, param = ("note" if c == table.n_cols - 1 else None), None
        cols.append(Column(c, role, (), param))
    return TableLayout(table.index, "headerless_norms", "norm_items", None, 0, tuple(cols), (),
                       problem="header lost: columns read from the body (unit column by the unit grammar, values by order)")


def classify_tables(tables: list[Table]) -> list[TableLayout]:
    """Classify every table of a document. An unclaimed table right after a claimed one with the
    same column count and heading is its continuation (a page break the extractor did not stitch):
    it takes the previous layout with no header rows. An unclaimed table with no usable header may
    still be claimed from its body shape (``headerless_norms``)."""
    out: list[TableLayout] = []
    for t in tables:
        lay = classify_table(t)
        if lay.family is None and out:
            prev, prev_t = out[-1], tables[len(out) - 1]
            if prev.family and prev_t.n_cols == t.n_cols and prev_t.heading_path == t.heading_path:
                lay = replace(prev, table_index=t.index, header_rows=0,
                              problem=f"continuation of table {prev_t.index} (header not repeated)")
        if lay.family is None:
            lay = _shape_layout(t) or lay
        out.append(lay)
    return out
