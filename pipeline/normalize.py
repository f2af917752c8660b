"""Extracted tables → domain records: norm items, plan tasks, budget lines, schedule marks
(docs/DOMAIN.md §2, §5, §6, §9). Pure: a ``Document`` goes in, lists of dicts / DataFrames come out.

Each table is claimed by a family (``pipeline/families.py``); its columns are read by role. The
value of a merged cell is inherited through ``Table.grid()`` (a merged Thời kỳ, a reference
printed once for many rows, one "Theo thực tế" spanning every scale column). Nothing is dropped
because it could not be parsed: raw text stays beside every parsed value and the row is flagged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import pandas as pd

from extractors.model import Cell, Document, Heading, Table
from pipeline.dates import parse_time_frame
from pipeline.families import TableLayout, classify_tables, config, norm_label
from pipeline.norm_rows import RowShape, is_numbering, parents
from pipeline.units import parse_unit
from pipeline.values import clean_text, parse_basis, parse_money_vnd, parse_scale_label, parse_value

__all__ = ["DomainRecords", "domain_frames", "normalize_document", "split_item"]

_ITEM_NO = re.compile(r"^\s*((?:\d+\s*\.\s*)*\d+\s*\.?|[-+•])\s+(?=\S)")
_DEC_PLACES = Decimal("0.000001")  # the schema's decimal128(38, 6)


def split_item(text: str, numbered_column: bool = False) -> tuple[str | None, str]:
    """'1.2 Phân hữu cơ' → ('1.2', 'Phân hữu cơ'); '- Giống' → ('-', 'Giống'); numbering kept as printed.
    '01 Sổ ghi chép, 01 bút' keeps its '01': a quantity, not numbering (``pipeline.norm_rows``)."""
    m = _ITEM_NO.match(text)
    if not m or not is_numbering(m.group(1), numbered_column):
        return None, text.strip()
    return m.group(1).replace(" ", ""), text[m.end():].strip()


def _dec(x: Decimal | None, flags: list[str], what: str) -> Decimal | None:
    """Fit a decimal to the schema's 6 places; a value that needs more (1/3) is rounded AND flagged."""
    if x is None:
        return None
    q = x.quantize(_DEC_PLACES)
    if q != x:
        flags.append(f"{what}_rounded_to_6dp")
    return q


def _slug(text: str) -> str:
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def _contains_any(text: str, rules: list[dict[str, Any]], key: str) -> str | None:
    t = norm_label(text)
    for rule in rules:
        if any(norm_label(p) in t for p in rule["contains"]):
            return str(rule[key])
    return None


# ---- heading context -------------------------------------------------------------------------

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


def _context(doc: Document, table: Table) -> Context:
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


def _number(h: Heading | None) -> str | None:
    return h.number if h is not None else None


def _instrument(doc: Document) -> str:
    n = doc.meta.doc_number
    return _slug(n).upper().replace("_", "-") if n else doc.sha256[:12]


def _commodity_practice(title: str | None) -> tuple[str, str]:
    if not title:
        return "-", "-"
    cfg = config()
    practice = _contains_any(title, cfg["practices"], "code") or "-"
    t = norm_label(re.sub(r"\([^()]*\)", " ", title))
    t = re.sub(r"^\s*\d+(\.\d+)*\.?\s*", "", t)
    phrases = [norm_label(p) for rule in cfg["practices"] for p in rule["contains"]]
    phrases += [norm_label(w) for w in cfg["commodity_stopwords"]]
    for p in sorted(set(phrases), key=len, reverse=True):
        t = re.sub(rf"(?<!\w){re.escape(p)}(?!\w)", " ", t)
    commodity = " ".join(re.sub(r"[^\w/]+", " ", t).split())
    return commodity or "-", practice


# ---- rows --------------------------------------------------------------------------------------

def _text(cell: Cell | None) -> str:
    return clean_text(cell.text) if cell is not None else ""


def _row_page(grid: list[list[Cell]], r: int) -> int | None:
    for cell in grid[r]:
        if cell is not None and cell.row == r:
            return cell.page
    cell = next((c for c in grid[r] if c is not None), None)
    return cell.page if cell is not None else None


def _is_repeated_header(lay: TableLayout, grid: list[list[Cell]], r: int) -> bool:
    key = tuple(norm_label(c.text) if c is not None else "" for c in grid[r])
    return any(key == hk for hk in lay.header_keys) and any(key)


def _group_label(grid: list[list[Cell]], r: int) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    for cell in grid[r]:
        if cell is None or id(cell) in seen:
            continue
        seen.add(id(cell))
        t = _text(cell)
        if t:
            parts.append(t)
    return " ".join(parts)


@dataclass
class DomainRecords:
    norm_items: list[dict[str, Any]] = field(default_factory=list)
    plan_tasks: list[dict[str, Any]] = field(default_factory=list)
    budget_lines: list[dict[str, Any]] = field(default_factory=list)
    schedule_marks: list[dict[str, Any]] = field(default_factory=list)
    layouts: list[TableLayout] = field(default_factory=list)


def _base(doc: Document, table: Table, r: int, grid: list[list[Cell]]) -> dict[str, Any]:
    return {"doc_sha256": doc.sha256, "doc_number": doc.meta.doc_number, "table_index": table.index, "row": r,
            "page": _row_page(grid, r)}


_READ_ROLES = {"item", "unit", "no", "period", "reference", "note", "value", "spec", "grade", "work", "code"}


def _is_group_row(lay: TableLayout, grid: list[list[Cell]], r: int, kind: str) -> bool:
    c_item, c_unit = lay.col("item"), lay.col("unit")
    values = lay.cols("value")
    cell_item = grid[r][c_item] if c_item is not None else None
    distinct_value = any(grid[r][v.index] is not None and grid[r][v.index] is not cell_item
                         and _text(grid[r][v.index]) for v in values)
    spans_all = cell_item is not None and all(grid[r][v.index] is cell_item for v in values)
    return (kind == "group" and not distinct_value) or (spans_all and bool(_text(cell_item))
                                                        and (c_unit is None or grid[r][c_unit] is cell_item))


def _item_label(grid: list[list[Cell]], r: int, c_no: int | None, cell_item: Cell | None) -> str:
    """The item as printed, numbering column included ("1.3 Xây dựng Quy chế thi")."""
    no = _text(grid[r][c_no]) if c_no is not None and grid[r][c_no] is not cell_item else ""
    return " ".join(x for x in (no, _text(cell_item)) if x)


def _row_shapes(table: Table, lay: TableLayout, grid: list[list[Cell]]) -> dict[int, tuple[bool, tuple[str, ...]]]:
    """Row → (is a parent item, labels of its parent items), by ``pipeline.norm_rows.parents``."""
    c_item, c_unit, c_no = lay.col("item"), lay.col("unit"), lay.col("no")
    rows: list[int] = []
    shapes: list[RowShape] = []
    for r in range(lay.header_rows, table.n_rows):
        kind = "item" if table.row_kinds[r] == "header" else table.row_kinds[r]
        if _is_repeated_header(lay, grid, r):
            continue
        cell_item = grid[r][c_item] if c_item is not None else None
        if _is_group_row(lay, grid, r, kind):
            rows.append(r)
            shapes.append(RowShape(None, "", False, True))
            continue
        own_no = c_no is not None and grid[r][c_no] is not cell_item  # an item cell spanning STT prints its number
        no, _ = split_item(_text(cell_item), own_no)
        if own_no and _text(grid[r][c_no]):
            no = _text(grid[r][c_no])
        cells = [grid[r][v.index] for v in lay.cols("value")] + ([grid[r][c_unit]] if c_unit is not None else [])
        has_value = any(c is not None and c is not cell_item and _text(c) for c in cells)
        label = _item_label(grid, r, c_no, cell_item)
        rows.append(r)
        shapes.append(RowShape(no, label, has_value, False))
    return dict(zip(rows, parents(shapes), strict=True))


def _extra(lay: TableLayout, grid: list[list[Cell]], r: int) -> list[str]:
    """Printed cells of columns no typed column reads: 'header label: text'."""
    out = []
    for col in lay.columns:
        if col.role in _READ_ROLES:
            continue
        t = _text(grid[r][col.index])
        if t:
            out.append(f"{'/'.join(col.labels) or f'column {col.index + 1}'}: {t}")
    return out


def _norm_rows(doc: Document, table: Table, lay: TableLayout, out: list[dict[str, Any]]) -> None:
    cfg = config()
    grid = table.grid()
    ctx = _context(doc, table)
    section = ctx.subsection or ctx.section
    appendix_title = (ctx.appendix.title if ctx.appendix else None) or None
    sector = (_contains_any(appendix_title or "", cfg["sectors"], "code") if appendix_title else None) or "unknown"
    commodity, practice = _commodity_practice(ctx.model.text if ctx.model else None)
    section_type = (_contains_any(section.text, cfg["section_types"], "type") if section else None) \
        or lay.section_type or "unknown"
    basis_raw = table.basis_raw or (section.basis_raw if section else None)
    basis_src = basis_raw or (section.text if section else "")
    basis_q, basis_unit_raw = parse_basis(basis_src) if basis_src else (None, None)
    if basis_raw is None and basis_q is None:
        basis_unit_raw = None
    bu = parse_unit(basis_unit_raw or "")
    basis_unit = bu.code if bu.known else None
    values = lay.cols("value")
    c_item, c_unit, c_no = lay.col("item"), lay.col("unit"), lay.col("no")
    c_period, c_ref, c_note = lay.col("period"), lay.col("reference"), lay.col("note")
    c_spec, c_grade, c_work, c_code = lay.col("spec"), lay.col("grade"), lay.col("work"), lay.col("code")
    shapes = _row_shapes(table, lay, grid)
    product_code: str | None = None
    parent_remarks: dict[str, dict[int, str]] = {}
    group: str | None = None
    period_blocks: list[int] = []
    instrument = _instrument(doc)
    provision = (_slug(ctx.article.number or "").upper() if ctx.article else "") or ("PL" if ctx.appendix else "-")
    for r in range(lay.header_rows, table.n_rows):
        # below the header rows the layout found, the extractor's "header" rows are body rows
        kind = "item" if table.row_kinds[r] == "header" else table.row_kinds[r]
        if _is_repeated_header(lay, grid, r):
            continue
        cell_item = grid[r][c_item] if c_item is not None else None
        row_code = _text(grid[r][c_code]) if c_code is not None and grid[r][c_code] is not cell_item else ""
        if _is_group_row(lay, grid, r, kind):
            group = _group_label(grid, r) or group
            product_code = row_code or product_code  # "01.03.01.10.10" printed on the group row
            continue
        is_parent, parent_path = shapes.get(r, (False, ()))
        if is_parent:  # a parent prints no value: its children carry it as parent_item, and its remarks
            own = {c: _text(grid[r][c]) for c in (c_note, c_ref) if c is not None and _text(grid[r][c])}
            parent_remarks[_item_label(grid, r, c_no, cell_item)] = own
            continue
        parent_item = " > ".join(parent_path) or None
        inherited = {}
        for label in parent_path:
            inherited.update(parent_remarks.get(label, {}))
        item_cell = _text(cell_item)
        own_no = c_no is not None and grid[r][c_no] is not cell_item
        item_no, item_text = split_item(item_cell, own_no)
        if own_no and _text(grid[r][c_no]):
            item_no = _text(grid[r][c_no])
        unit_raw = _text(grid[r][c_unit]) if c_unit is not None else ""
        period_cell = grid[r][c_period] if c_period is not None else None
        period = _text(period_cell) or None
        if period_cell is not None:
            if id(period_cell) not in period_blocks:
                period_blocks.append(id(period_cell))
            period_idx = f"P{period_blocks.index(id(period_cell)) + 1}"
        else:
            period_idx = "-"
        if c_period is None:
            period_type = "none"
        elif period is None:
            period_type = "unknown"
        else:
            period_type = _contains_any(period, cfg["period_types"], "type") or _slug(period)
        unit = parse_unit(unit_raw)
        spec = _text(grid[r][c_spec]) or None if c_spec is not None else None
        grade = _text(grid[r][c_grade]) or None if c_grade is not None else None
        work = _text(grid[r][c_work]) or None if c_work is not None else None
        note = _text(grid[r][c_note]) or inherited.get(c_note) or None if c_note is not None else None
        row_blank = not unit_raw and not any(_text(grid[r][v.index]) for v in values)
        for v in values:
            unit_is_value = c_unit is not None and grid[r][c_unit] is grid[r][v.index] and bool(unit_raw)
            value_raw = _text(grid[r][v.index])
            if not value_raw and not unit_raw and not (row_blank and v is values[0]):
                continue  # a row printing no value at all still gives one record (its first value column)
            flags: list[str] = []
            if kind == "total":
                flags.append("total_row")
            pv = parse_value(value_raw)
            if row_blank and (spec or note):
                # the norm is stated in words in the requirement or note column ("Theo thực tế",
                # "Hỗ trợ 100% kinh phí theo thực tế"): a text norm
                pv = replace(pv, kind="text", text=spec or note)
                flags.append("text_norm_in_" + ("spec" if spec else "note"))
            elif pv.kind == "blank":
                flags.append("blank_value")
            elif not pv.parsed:
                flags.append("unparsed_value")
            if pv.kind == "multi":
                flags.append("packed_value")
            if unit_is_value:
                flags.append("value_spans_unit_column")  # "Theo thực tế" printed across unit and value cells
            elif unit_raw and not unit.known:
                flags.append("unknown_unit")
            if c_period is not None and period is None:
                flags.append("missing_period")
            scale_raw = v.param or ("/".join(v.labels) if len(values) > 1 else None)
            sc = parse_scale_label(v.param or (v.labels[-1] if v.labels else "")) if scale_raw else None
            canon = " ".join(" ".join(x for x in (item_text.rstrip(" :"), grade, work) if x).split()).casefold()
            key = "|".join([sector, commodity, practice, section_type, period_type, canon, basis_unit or "-"])
            if scale_raw:
                key += "|" + _slug(scale_raw)
            address = "/".join([instrument, provision, _slug(ctx.appendix.text).upper() if ctx.appendix else "-",
                                _number(ctx.part) or "-", _number(ctx.model) or "-", _number(section) or "-",
                                _number(ctx.scope) or "-", period_idx, item_no or f"r{r}",
                                _slug(scale_raw) if scale_raw else "-"])
            out.append({
                **_base(doc, table, r, grid), "value_col": v.index, "family": lay.family,
                "heading_path": list(table.heading_path), "appendix": ctx.appendix.text if ctx.appendix else None,
                "appendix_title": appendix_title, "sector": sector, "part": _number(ctx.part),
                "model_no": _number(ctx.model), "model_title": ctx.model.text if ctx.model else None,
                "scope": _number(ctx.scope), "section_no": _number(section),
                "section_title": section.text if section else None, "section_type": section_type,
                "basis_raw": basis_raw, "basis_quantity": _dec(basis_q, flags, "basis"),
                "basis_unit_raw": basis_unit_raw, "basis_unit": basis_unit, "period": period,
                "period_type": period_type, "group_label": group, "item_no": item_no, "item_text": item_text,
                "unit_raw": unit_raw, "unit": None if unit_is_value else unit.code,
                "unit_dimension": None if unit_is_value else unit.dimension,
                "unit_factor": None if unit_is_value else _dec(unit.factor, flags, "unit_factor"),
                "unit_known": False if unit_is_value else unit.known,
                "value_raw": value_raw, "value": _dec(pv.value, flags, "value"),
                "value_min": _dec(pv.value_min, flags, "value_min"), "value_max": _dec(pv.value_max, flags, "value_max"),
                "comparator": pv.comparator, "factors": [str(f) for f in pv.factors] if pv.factors else None,
                "value_kind": pv.kind, "value_text": pv.text, "value_unit_hint": pv.unit_hint,
                "is_parsed": pv.parsed, "parse_problem": pv.problem, "scale_raw": scale_raw,
                "scale_min": _dec(sc.min, flags, "scale_min") if sc else None,
                "scale_max": _dec(sc.max, flags, "scale_max") if sc else None,
                "scale_open_min": sc.open_min if sc and sc.parsed else None,
                "scale_open_max": sc.open_max if sc and sc.parsed else None,
                "reference": _text(grid[r][c_ref]) or inherited.get(c_ref) or None if c_ref is not None else None,
                "note": note, "spec": spec, "grade": grade, "work": work,
                "product_code": (row_code or product_code) or None, "parent_item": parent_item,
                "extra": _extra(lay, grid, r) or None,
                "norm_key": key, "norm_address": address, "flags": sorted(set(flags)),
            })


def _cell_of(grid: list[list[Cell]], r: int, c: int | None) -> str | None:
    if c is None:
        return None
    return _text(grid[r][c]) or None


def _item_rows(table: Table, lay: TableLayout, grid: list) -> Iterator[tuple[int, str | None]]:
    """Body rows that carry items, each with the label of the group row above it (plan tasks and
    schedules: group rows label, never count)."""
    group: str | None = None
    for r in range(lay.header_rows, table.n_rows):
        if _is_repeated_header(lay, grid, r):
            continue
        if table.row_kinds[r] == "group":
            group = _group_label(grid, r) or group
            continue
        yield r, group


def _plan_rows(doc: Document, table: Table, lay: TableLayout, out: list[dict[str, Any]]) -> None:
    grid = table.grid()
    ctx = _context(doc, table)
    for r, group in _item_rows(table, lay, grid):
        time_raw = _cell_of(grid, r, lay.col("time"))
        tf = parse_time_frame(time_raw) if time_raw else None
        content = _cell_of(grid, r, lay.col("content"))
        flags = [] if content else ["empty_content"]
        if time_raw and not (tf and tf.parsed):
            flags.append("time_not_parsed")
        out.append({
            **_base(doc, table, r, grid), "heading_path": list(table.heading_path),
            "appendix": ctx.appendix.text if ctx.appendix else None, "group_label": group,
            "task_no": _cell_of(grid, r, lay.col("no")), "content": content,
            "inputs": _cell_of(grid, r, lay.col("inputs")), "lead_unit": _cell_of(grid, r, lay.col("lead")),
            "partner_units": _cell_of(grid, r, lay.col("partner")),
            "support_units": _cell_of(grid, r, lay.col("support")), "time_raw": time_raw,
            "time_start_date": tf.start if tf else None, "time_end_date": tf.end if tf else None,
            "time_parsed": bool(tf and tf.parsed) if time_raw else None,
            "product": _cell_of(grid, r, lay.col("product")), "flags": flags,
        })


_SOURCES = {"src_nstw": "nstw", "src_province": "province", "src_commune": "commune",
            "src_counterpart": "counterpart"}


def _budget_rows(doc: Document, table: Table, lay: TableLayout, out: list[dict[str, Any]]) -> None:
    grid = table.grid()
    ctx = _context(doc, table)
    totals = [norm_label(t) for t in config()["total_rows"]]
    group: str | None = None
    for r in range(lay.header_rows, table.n_rows):
        if _is_repeated_header(lay, grid, r):
            continue
        item = _cell_of(grid, r, lay.col("item"))
        kind = table.row_kinds[r] if table.row_kinds[r] in ("group", "total") else "item"
        if item and any(norm_label(item).startswith(t) for t in totals):
            kind = "total"
        flags: list[str] = []
        rec: dict[str, Any] = {
            **_base(doc, table, r, grid), "appendix": ctx.appendix.text if ctx.appendix else None,
            "line_kind": kind, "group_label": group if kind == "item" else None,
            "line_no": _cell_of(grid, r, lay.col("no")), "item": item,
            "funding": _cell_of(grid, r, lay.col("funding")), "implementing_unit": _cell_of(grid, r, lay.col("impl")),
        }
        for role, name in [("total", "total"), *_SOURCES.items()]:
            key = "total" if role == "total" else name
            raw = _cell_of(grid, r, lay.col(role))
            amount = parse_money_vnd(raw) if raw else None
            if raw and amount is None:
                flags.append(f"bad_amount_{key}")
            rec[f"{key}_raw"] = raw
            rec[f"{key}_vnd"] = _dec(amount, flags, key)
        if not item:
            flags.append("empty_item")
        rec["flags"] = flags
        out.append(rec)
        if kind == "group":
            group = " ".join(x for x in (rec["line_no"], item) if x) or group


def _schedule_rows(doc: Document, table: Table, lay: TableLayout, out: list[dict[str, Any]]) -> None:
    grid = table.grid()
    ctx = _context(doc, table)
    for r, group in _item_rows(table, lay, grid):
        for col in lay.cols("mark"):
            raw = _text(grid[r][col.index])
            marked = raw.lower() in ("x", "×")
            out.append({
                **_base(doc, table, r, grid), "appendix": ctx.appendix.text if ctx.appendix else None,
                "group_label": group, "coop_no": _cell_of(grid, r, lay.col("no")),
                "cooperative": _cell_of(grid, r, lay.col("coop")), "period_label": col.param or "/".join(col.labels),
                "is_marked": marked, "mark_raw": raw, "note": raw if raw and not marked else None,
            })


_READERS = {"norm_items": _norm_rows, "plan_tasks": _plan_rows, "budget_lines": _budget_rows,
            "schedule_marks": _schedule_rows}


def normalize_document(doc: Document) -> DomainRecords:
    """Every table of ``doc`` read by its family into domain records (plus the layouts used)."""
    rec = DomainRecords(layouts=classify_tables(doc.tables))
    for table, lay in zip(doc.tables, rec.layouts, strict=True):
        if lay.dataset in _READERS:
            _READERS[lay.dataset](doc, table, lay, getattr(rec, lay.dataset))
    return rec


def domain_frames(doc: Document) -> dict[str, pd.DataFrame]:
    """The domain datasets of one document, typed by ``schemas/`` and validated (pipeline/validate.py):
    norm_items, plan_tasks, budget_lines, schedule_marks and quality_checks."""
    from pipeline.datasets import frame
    from pipeline.validate import quality_checks, validate_frame

    rec = normalize_document(doc)
    frames = {name: frame(name, getattr(rec, name)) for name in _READERS}
    frames["quality_checks"] = frame("quality_checks", quality_checks(doc, rec))
    for name, df in frames.items():
        validate_frame(name, df)
    return frames
