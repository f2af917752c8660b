"""Extracted tables → domain records: norm items, plan tasks, budget lines, schedule marks
(docs/DOMAIN.md §2, §5, §6, §9). Pure: a ``Document`` goes in, lists of dicts / DataFrames come out.

Each table is claimed by a family (``pipeline/records/families.py``); its columns are read by role. The
value of a merged cell is inherited through ``Table.grid()`` (a merged Thời kỳ, a reference
printed once for many rows, one "Theo thực tế" spanning every scale column). Nothing is dropped
because it could not be parsed: raw text stays beside every parsed value and the row is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from extractors.model import Cell, Document, Table
from pipeline.core.keys import norm_address, norm_key
from pipeline.parsing.units import parse_unit
from pipeline.parsing.values import parse_basis, parse_scale_label, parse_value
from pipeline.records.families import TableLayout, classify_tables, config
from pipeline.records.norm_rows import RowShape, parents
from pipeline.records.plan_rows import budget_rows, plan_rows, schedule_rows
from pipeline.records.row_cells import (
    base_row,
    commodity_practice,
    contains_any,
    dec,
    group_label,
    heading_number,
    instrument_of,
    is_repeated_header,
    slug,
    split_item,
    table_context,
    text_of,
)

__all__ = ["DOMAIN_DATASETS", "DomainRecords", "normalize_document", "split_item"]


# ---- heading context -------------------------------------------------------------------------


# ---- rows --------------------------------------------------------------------------------------


@dataclass
class DomainRecords:
    norm_items: list[dict[str, Any]] = field(default_factory=list)
    plan_tasks: list[dict[str, Any]] = field(default_factory=list)
    budget_lines: list[dict[str, Any]] = field(default_factory=list)
    schedule_marks: list[dict[str, Any]] = field(default_factory=list)
    layouts: list[TableLayout] = field(default_factory=list)


_READ_ROLES = {"item", "unit", "no", "period", "reference", "note", "value", "spec", "grade", "work", "code"}


def _is_group_row(lay: TableLayout, grid: list[list[Cell]], r: int, kind: str) -> bool:
    c_item, c_unit = lay.col("item"), lay.col("unit")
    values = lay.cols("value")
    cell_item = grid[r][c_item] if c_item is not None else None
    distinct_value = any(grid[r][v.index] is not None and grid[r][v.index] is not cell_item
                         and text_of(grid[r][v.index]) for v in values)
    spans_all = cell_item is not None and all(grid[r][v.index] is cell_item for v in values)
    return (kind == "group" and not distinct_value) or (spans_all and bool(text_of(cell_item))
                                                        and (c_unit is None or grid[r][c_unit] is cell_item))


def _item_label(grid: list[list[Cell]], r: int, c_no: int | None, cell_item: Cell | None) -> str:
    """The item as printed, numbering column included ("1.3 Xây dựng Quy chế thi")."""
    no = text_of(grid[r][c_no]) if c_no is not None and grid[r][c_no] is not cell_item else ""
    return " ".join(x for x in (no, text_of(cell_item)) if x)


def _row_shapes(table: Table, lay: TableLayout, grid: list[list[Cell]]) -> dict[int, tuple[bool, tuple[str, ...]]]:
    """Row → (is a parent item, labels of its parent items), by ``pipeline.norm_rows.parents``."""
    c_item, c_unit, c_no = lay.col("item"), lay.col("unit"), lay.col("no")
    rows: list[int] = []
    shapes: list[RowShape] = []
    for r in range(lay.header_rows, table.n_rows):
        kind = "item" if table.row_kinds[r] == "header" else table.row_kinds[r]
        if is_repeated_header(lay, grid, r):
            continue
        cell_item = grid[r][c_item] if c_item is not None else None
        if _is_group_row(lay, grid, r, kind):
            rows.append(r)
            shapes.append(RowShape(None, "", False, True))
            continue
        own_no = c_no is not None and grid[r][c_no] is not cell_item  # an item cell spanning STT prints its number
        no, _ = split_item(text_of(cell_item), own_no)
        if own_no and text_of(grid[r][c_no]):
            no = text_of(grid[r][c_no])
        cells = [grid[r][v.index] for v in lay.cols("value")] + ([grid[r][c_unit]] if c_unit is not None else [])
        has_value = any(c is not None and c is not cell_item and text_of(c) for c in cells)
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
        t = text_of(grid[r][col.index])
        if t:
            out.append(f"{'/'.join(col.labels) or f'column {col.index + 1}'}: {t}")
    return out


def _norm_rows(doc: Document, table: Table, lay: TableLayout, out: list[dict[str, Any]]) -> None:
    cfg = config()
    grid = table.grid()
    ctx = table_context(doc, table)
    section = ctx.subsection or ctx.section
    appendix_title = (ctx.appendix.title if ctx.appendix else None) or None
    sector = (contains_any(appendix_title or "", cfg["sectors"], "code") if appendix_title else None) or "unknown"
    commodity, practice = commodity_practice(ctx.model.text if ctx.model else None)
    section_type = (contains_any(section.text, cfg["section_types"], "type") if section else None) \
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
    group: str | None = lay.caption  # a captioned table's caption heads its rows
    period_blocks: list[int] = []
    instrument = instrument_of(doc)
    provision = (slug(ctx.article.number or "").upper() if ctx.article else "") or ("PL" if ctx.appendix else "-")
    for r in range(lay.header_rows, table.n_rows):
        # below the header rows the layout found, the extractor's "header" rows are body rows
        kind = "item" if table.row_kinds[r] == "header" else table.row_kinds[r]
        if is_repeated_header(lay, grid, r):
            continue
        cell_item = grid[r][c_item] if c_item is not None else None
        row_code = text_of(grid[r][c_code]) if c_code is not None and grid[r][c_code] is not cell_item else ""
        if _is_group_row(lay, grid, r, kind):
            group = group_label(grid, r) or group
            product_code = row_code or product_code  # "01.03.01.10.10" printed on the group row
            continue
        is_parent, parent_path = shapes.get(r, (False, ()))
        if is_parent:  # a parent prints no value: its children carry it as parent_item, and its remarks
            own = {c: text_of(grid[r][c]) for c in (c_note, c_ref) if c is not None and text_of(grid[r][c])}
            parent_remarks[_item_label(grid, r, c_no, cell_item)] = own
            continue
        parent_item = " > ".join(parent_path) or None
        inherited = {}
        for label in parent_path:
            inherited.update(parent_remarks.get(label, {}))
        item_cell = text_of(cell_item)
        own_no = c_no is not None and grid[r][c_no] is not cell_item
        item_no, item_text = split_item(item_cell, own_no)
        if own_no and text_of(grid[r][c_no]):
            item_no = text_of(grid[r][c_no])
        unit_raw = text_of(grid[r][c_unit]) if c_unit is not None else ""
        period_cell = grid[r][c_period] if c_period is not None else None
        period = text_of(period_cell) or None
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
            period_type = contains_any(period, cfg["period_types"], "type") or slug(period)
        unit = parse_unit(unit_raw)
        spec = text_of(grid[r][c_spec]) or None if c_spec is not None else None
        grade = text_of(grid[r][c_grade]) or None if c_grade is not None else None
        work = text_of(grid[r][c_work]) or None if c_work is not None else None
        note = text_of(grid[r][c_note]) or inherited.get(c_note) or None if c_note is not None else None
        row_blank = not unit_raw and not any(text_of(grid[r][v.index]) for v in values)
        for v in values:
            unit_is_value = c_unit is not None and grid[r][c_unit] is grid[r][v.index] and bool(unit_raw)
            value_raw = text_of(grid[r][v.index])
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
            row = {
                **base_row(doc, table, r, grid), "value_col": v.index, "family": lay.family,
                "heading_path": list(table.heading_path), "appendix": ctx.appendix.text if ctx.appendix else None,
                "appendix_title": appendix_title, "sector": sector, "part": heading_number(ctx.part),
                "model_no": heading_number(ctx.model), "model_title": ctx.model.text if ctx.model else None,
                "scope": heading_number(ctx.scope), "section_no": heading_number(section),
                "section_title": section.text if section else None, "section_type": section_type,
                "basis_raw": basis_raw, "basis_quantity": dec(basis_q, flags, "basis"),
                "basis_unit_raw": basis_unit_raw, "basis_unit": basis_unit, "period": period,
                "period_type": period_type, "group_label": group, "item_no": item_no, "item_text": item_text,
                "unit_raw": unit_raw, "unit": None if unit_is_value else unit.code,
                "unit_dimension": None if unit_is_value else unit.dimension,
                "unit_factor": None if unit_is_value else dec(unit.factor, flags, "unit_factor"),
                "unit_known": False if unit_is_value else unit.known,
                "value_raw": value_raw, "value": dec(pv.value, flags, "value"),
                "value_min": dec(pv.value_min, flags, "value_min"), "value_max": dec(pv.value_max, flags, "value_max"),
                "comparator": pv.comparator, "factors": [str(f) for f in pv.factors] if pv.factors else None,
                "value_kind": pv.kind, "value_text": pv.text, "value_unit_hint": pv.unit_hint,
                "is_parsed": pv.parsed, "parse_problem": pv.problem, "scale_raw": scale_raw,
                "scale_min": dec(sc.min, flags, "scale_min") if sc else None,
                "scale_max": dec(sc.max, flags, "scale_max") if sc else None,
                "scale_open_min": sc.open_min if sc and sc.parsed else None,
                "scale_open_max": sc.open_max if sc and sc.parsed else None,
                "reference": text_of(grid[r][c_ref]) or inherited.get(c_ref) or None if c_ref is not None else None,
                "note": note, "spec": spec, "grade": grade, "work": work,
                "product_code": (row_code or product_code) or None, "parent_item": parent_item,
                "extra": _extra(lay, grid, r) or None,
                "commodity": commodity, "practice": practice,
                "item_key": " ".join(" ".join(x for x in (item_text.rstrip(" :"), grade, work) if x).split()).casefold(),
                "scale_key": slug(scale_raw) if scale_raw else None, "instrument": instrument,
                "provision": provision, "appendix_key": slug(ctx.appendix.text).upper() if ctx.appendix else "-",
                "period_index": period_idx, "item_position": item_no or f"r{r}", "flags": sorted(set(flags)),
            }
            out.append({**row, "norm_key": norm_key(row), "norm_address": norm_address(row)})


_READERS = {"norm_items": _norm_rows, "plan_tasks": plan_rows, "budget_lines": budget_rows,
            "schedule_marks": schedule_rows}
# the datasets ``normalize_document`` fills (one list of rows each in ``DomainRecords``)
DOMAIN_DATASETS = tuple(_READERS)


def normalize_document(doc: Document) -> DomainRecords:
    """Every table of ``doc`` read by its family into domain records (plus the layouts used)."""
    rec = DomainRecords(layouts=classify_tables(doc.tables))
    for table, lay in zip(doc.tables, rec.layouts, strict=True):
        if lay.dataset in _READERS:
            _READERS[lay.dataset](doc, table, lay, getattr(rec, lay.dataset))
    return rec
