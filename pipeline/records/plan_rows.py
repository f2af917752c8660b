"""Plan tasks, budget lines and schedule marks from claimed tables (docs/DOMAIN.md §6). Pure."""

from __future__ import annotations

from typing import Any

from extractors.model import Document, Table
from pipeline.parsing.dates import parse_time_frame
from pipeline.parsing.values import parse_money_vnd
from pipeline.records.families import TableLayout, config, norm_label
from pipeline.records.row_cells import (
    base_row,
    cell_of,
    dec,
    is_repeated_header,
    item_rows,
    table_context,
    text_of,
)


def plan_rows(doc: Document, table: Table, lay: TableLayout, out: list[dict[str, Any]]) -> None:
    grid = table.grid()
    ctx = table_context(doc, table)
    for r, group in item_rows(table, lay, grid):
        time_raw = cell_of(grid, r, lay.col("time"))
        tf = parse_time_frame(time_raw) if time_raw else None
        content = cell_of(grid, r, lay.col("content"))
        flags = [] if content else ["empty_content"]
        if time_raw and not (tf and tf.parsed):
            flags.append("time_not_parsed")
        out.append({
            **base_row(doc, table, r, grid), "heading_path": list(table.heading_path),
            "appendix": ctx.appendix.text if ctx.appendix else None, "group_label": group,
            "task_no": cell_of(grid, r, lay.col("no")), "content": content,
            "inputs": cell_of(grid, r, lay.col("inputs")), "lead_unit": cell_of(grid, r, lay.col("lead")),
            "partner_units": cell_of(grid, r, lay.col("partner")),
            "support_units": cell_of(grid, r, lay.col("support")), "time_raw": time_raw,
            "time_start_date": tf.start if tf else None, "time_end_date": tf.end if tf else None,
            "time_parsed": bool(tf and tf.parsed) if time_raw else None,
            "product": cell_of(grid, r, lay.col("product")), "flags": flags,
        })


_SOURCES = {"src_nstw": "nstw", "src_province": "province", "src_commune": "commune",
            "src_counterpart": "counterpart"}


def budget_rows(doc: Document, table: Table, lay: TableLayout, out: list[dict[str, Any]]) -> None:
    grid = table.grid()
    ctx = table_context(doc, table)
    totals = [norm_label(t) for t in config()["total_rows"]]
    group: str | None = None
    for r in range(lay.header_rows, table.n_rows):
        if is_repeated_header(lay, grid, r):
            continue
        item = cell_of(grid, r, lay.col("item"))
        kind = table.row_kinds[r] if table.row_kinds[r] in ("group", "total") else "item"
        if item and any(norm_label(item).startswith(t) for t in totals):
            kind = "total"
        flags: list[str] = []
        rec: dict[str, Any] = {
            **base_row(doc, table, r, grid), "appendix": ctx.appendix.text if ctx.appendix else None,
            "line_kind": kind, "group_label": group if kind == "item" else None,
            "line_no": cell_of(grid, r, lay.col("no")), "item": item,
            "funding": cell_of(grid, r, lay.col("funding")), "implementing_unit": cell_of(grid, r, lay.col("impl")),
        }
        for role, name in [("total", "total"), *_SOURCES.items()]:
            key = "total" if role == "total" else name
            raw = cell_of(grid, r, lay.col(role))
            amount = parse_money_vnd(raw) if raw else None
            if raw and amount is None:
                flags.append(f"bad_amount_{key}")
            rec[f"{key}_raw"] = raw
            rec[f"{key}_vnd"] = dec(amount, flags, key)
        if not item:
            flags.append("empty_item")
        rec["flags"] = flags
        out.append(rec)
        if kind == "group":
            group = " ".join(x for x in (rec["line_no"], item) if x) or group


def schedule_rows(doc: Document, table: Table, lay: TableLayout, out: list[dict[str, Any]]) -> None:
    grid = table.grid()
    ctx = table_context(doc, table)
    for r, group in item_rows(table, lay, grid):
        for col in lay.cols("mark"):
            raw = text_of(grid[r][col.index])
            marked = raw.lower() in ("x", "×")
            out.append({
                **base_row(doc, table, r, grid), "appendix": ctx.appendix.text if ctx.appendix else None,
                "group_label": group, "coop_no": cell_of(grid, r, lay.col("no")),
                "cooperative": cell_of(grid, r, lay.col("coop")), "period_label": col.param or "/".join(col.labels),
                "is_marked": marked, "mark_raw": raw, "note": raw if raw and not marked else None,
            })
