"""Reading the cells of a claimed table row: text, page, group labels, item numbers, exact decimals
and the provenance columns every domain record starts with. Pure helpers shared by the norm,
plan, budget and schedule readers (``normalize.py``, ``plan_rows.py``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from extractors.model import Cell, Document, Heading, Table
from pipeline.parsing.values import clean_text
from pipeline.records.families import TableLayout, config, norm_label
from pipeline.records.norm_rows import is_numbering

ITEM_NO = re.compile(r"^\s*((?:\d+\s*\.\s*)*\d+\s*\.?|[-+•])\s+(?=\S)")


DEC_PLACES = Decimal("0.000001")  # the schema's decimal128(38, 6)


def split_item(text: str, numbered_column: bool = False) -> tuple[str | None, str]:
    """'1.2 Phân hữu cơ' → ('1.2', 'Phân hữu cơ'); '- Giống' → ('-', 'Giống'); numbering kept as printed.
    '01 Sổ ghi chép, 01 bút' keeps its '01': a quantity, not numbering (``pipeline.norm_rows``)."""
    m = ITEM_NO.match(text)
    if not m or not is_numbering(m.group(1), numbered_column):
        return None, text.strip()
    return m.group(1).replace(" ", ""), text[m.end():].strip()


def dec(x: Decimal | None, flags: list[str], what: str) -> Decimal | None:
    """Fit a decimal to the schema's 6 places; a value that needs more (1/3) is rounded AND flagged."""
    if x is None:
        return None
    q = x.quantize(DEC_PLACES)
    if q != x:
        flags.append(f"{what}_rounded_to_6dp")
    return q


def slug(text: str) -> str:
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def contains_any(text: str, rules: list[dict[str, Any]], key: str) -> str | None:
    t = norm_label(text)
    for rule in rules:
        if any(norm_label(p) in t for p in rule["contains"]):
            return str(rule[key])
    return None


def text_of(cell: Cell | None) -> str:
    return clean_text(cell.text) if cell is not None else ""


def row_page(grid: list[list[Cell]], r: int) -> int | None:
    for cell in grid[r]:
        if cell is not None and cell.row == r:
            return cell.page
    cell = next((c for c in grid[r] if c is not None), None)
    return cell.page if cell is not None else None


def is_repeated_header(lay: TableLayout, grid: list[list[Cell]], r: int) -> bool:
    key = tuple(norm_label(c.text) if c is not None else "" for c in grid[r])
    return any(key == hk for hk in lay.header_keys) and any(key)


def group_label(grid: list[list[Cell]], r: int) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    for cell in grid[r]:
        if cell is None or id(cell) in seen:
            continue
        seen.add(id(cell))
        t = text_of(cell)
        if t:
            parts.append(t)
    return " ".join(parts)


def base_row(doc: Document, table: Table, r: int, grid: list[list[Cell]]) -> dict[str, Any]:
    return {"doc_sha256": doc.sha256, "doc_number": doc.meta.doc_number, "table_index": table.index, "row": r,
            "page": row_page(grid, r)}


def cell_of(grid: list[list[Cell]], r: int, c: int | None) -> str | None:
    if c is None:
        return None
    return text_of(grid[r][c]) or None


def item_rows(table: Table, lay: TableLayout, grid: list) -> Iterator[tuple[int, str | None]]:
    """Body rows that carry items, each with the label of the group row above it (plan tasks and
    schedules: group rows label, never count)."""
    group: str | None = None
    for r in range(lay.header_rows, table.n_rows):
        if is_repeated_header(lay, grid, r):
            continue
        if table.row_kinds[r] == "group":
            group = group_label(grid, r) or group
            continue
        yield r, group


# ---- heading context ---------------------------------------------------------------------
@dataclass
class Context:
    appendix: Heading | None = None
    article: Heading | None = None
    clause: Heading | None = None
    part: Heading | None = None
    model: Heading | None = None
    scope: Heading | None = None
    section: Heading | None = None
    subsection: Heading | None = None


def table_context(doc: Document, table: Table) -> Context:
    ctx = Context()
    by_index = {h.index: h for h in doc.headings}
    idx = table.heading_ref
    seen: set[int] = set()
    while idx is not None and idx in by_index and idx not in seen:
        seen.add(idx)
        h = by_index[idx]
        if hasattr(ctx, h.kind) and getattr(ctx, h.kind) is None:
            setattr(ctx, h.kind, h)
        idx = h.parent
    return ctx


def heading_number(h: Heading | None) -> str | None:
    return h.number if h is not None else None


def instrument_of(doc: Document) -> str:
    n = doc.meta.doc_number
    return slug(n).upper().replace("_", "-") if n else doc.sha256[:12]


def commodity_practice(title: str | None) -> tuple[str, str]:
    if not title:
        return "-", "-"
    cfg = config()
    practice = contains_any(title, cfg["practices"], "code") or "-"
    t = norm_label(re.sub(r"\([^()]*\)", " ", title))
    t = re.sub(r"^\s*\d+(\.\d+)*\.?\s*", "", t)
    phrases = [norm_label(p) for rule in cfg["practices"] for p in rule["contains"]]
    phrases += [norm_label(w) for w in cfg["commodity_stopwords"]]
    for p in sorted(set(phrases), key=len, reverse=True):
        t = re.sub(rf"(?<!\w){re.escape(p)}(?!\w)", " ", t)
    commodity = " ".join(re.sub(r"[^\w/]+", " ", t).split())
    return commodity or "-", practice
