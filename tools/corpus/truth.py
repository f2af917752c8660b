"""Ground truth for one rendered corpus PDF, built from the same source that rendered it.

The truth is the oracle of every accuracy benchmark. Nothing under pipeline/, extractors/ or
flows/ may read it (a test enforces this).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from tools.corpus.render import Layout
from tools.corpus.source_model import SOURCE_DIR, SourceDocument, Table

TRUTH_VERSION = 2  # 2: norm records state the parsed value, bounds, comparator, unit code and factor

_ITEM_NO = re.compile(r"^\s*((?:\d+\s*\.\s*)*\d+\s*\.?|[-+•])\s+(?=\S)")
_BASIS_IN_TITLE = re.compile(r"\((?:tính cho|Tính cho)\s*:?\s*([^)]*)\)")


def split_item(text: str, numbered_column: bool = False) -> tuple[str | None, str]:
    """'1.2 Phân hữu cơ' -> ('1.2', 'Phân hữu cơ'); '- Giống' -> ('-', 'Giống'). A bare integer
    is numbering only without a numbering column and without a leading zero: '01 Sổ ghi chép,
    01 bút' is a quantity."""
    m = _ITEM_NO.match(text)
    if not m:
        return None, text.strip()
    tok = m.group(1).replace(" ", "")
    if tok.isdigit() and (numbered_column or tok.startswith("0")):
        return None, text.strip()
    return m.group(1).replace(" ", ""), text[m.end():].strip()


# ---- parsed fields of a norm value, written from the printed text ---------------------------------
# Independent of pipeline/values.py on purpose (the truth is the oracle of the benchmark): the forms
# are those of docs/DOMAIN.md §6, read the way a reader of a Vietnamese decree reads them.

_T_NUM = r"[0-9]+(?:[.,][0-9]+)*"
_T_CMP = {"≤": "<=", "≥": ">=", "<": "<", ">": ">"}


def _t_number(s: str) -> Decimal | None:
    """"1.200" = 1200 (a dot before exactly three digits groups thousands), "0,35" = 0.35 (comma
    is the decimal mark), "1.5" = 1.5 (any other dot is a decimal point), "05" = 5."""
    if not re.fullmatch(_T_NUM, s):
        return None
    if "," in s:
        whole, _, frac = s.rpartition(",")
        if "," in whole or (whole and not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})*|[0-9]+", whole)):
            return None
        return Decimal(whole.replace(".", "") + "." + frac)
    if "." in s:
        head, *groups = s.split(".")
        if all(len(g) == 3 for g in groups) and 1 <= len(head) <= 3 and head.strip("0"):
            return Decimal(s.replace(".", ""))
        if len(groups) == 1:
            return Decimal(s)
        return None
    return Decimal(s)


def parse_value_truth(raw: str) -> dict[str, Any]:
    """value / value_min / value_max / comparator of one printed norm value (strings, or None)."""
    t = " ".join(raw.split()).rstrip(".;: ")
    out: dict[str, Any] = {"value": None, "value_min": None, "value_max": None, "comparator": None}
    if not t or not (t[0].isdigit() or t[0] in _T_CMP):
        return out  # blank, "-", a text norm ("Theo thực tế"), a description
    cmp = None
    if t[0] in _T_CMP:
        cmp, t = _T_CMP[t[0]], t[1:].lstrip()
    # a range "a - b", "a% -b%", "a – b" (the rest of the cell is a remark or a unit)
    if m := re.match(rf"({_T_NUM})\s*%?\s*[-–—]\s*({_T_NUM})(?![0-9.,])", t):
        a, b = _t_number(m.group(1)), _t_number(m.group(2))
        if a is not None and b is not None:
            return {**out, "value_min": str(a), "value_max": str(b), "comparator": cmp}
    # a product "05 x 04"
    if cmp is None and (m := re.fullmatch(rf"({_T_NUM})((?:\s*[x×]\s*{_T_NUM})+)", t)):
        nums = [_t_number(x) for x in re.split(r"\s*[x×]\s*", t)]
        if all(n is not None for n in nums):
            v = Decimal(1)
            for n in nums:
                v *= n  # type: ignore[operator]
            return {**out, "value": str(v)}
    # one number, possibly followed by "%", a unit or a remark ("3.000 gốc", "≥ 90 ngày")
    if m := re.match(rf"({_T_NUM})(?![0-9.,]*[0-9])", t):
        rest = t[m.end():].lstrip()
        n = _t_number(m.group(1))
        if n is not None and (not rest or not rest[0].isdigit()) and not rest.startswith((".", ",")):
            v = str(n)
            return {**out, "value": v, "comparator": cmp, "value_min": v if cmp in (">=", ">") else None,
                    "value_max": v if cmp in ("<=", "<") else None}
    return out


def _heading_entries(doc: SourceDocument, layout: Layout) -> list[dict[str, Any]]:
    out = []
    stack: list[dict[str, Any]] = []
    for i, b in enumerate(doc.blocks):
        if b["t"] == "appendix":
            stack = []
            entry = {"block": i, "kind": "appendix", "level": 0, "text": b["label"],
                     "title": " ".join(b["title"]), "page": layout.heading_pages.get(i)}
            stack.append(entry)
            out.append(entry)
        elif b["t"] == "h":
            while stack and stack[-1]["level"] >= b["level"]:
                stack.pop()
            entry = {"block": i, "kind": b["kind"], "level": b["level"], "text": b["text"],
                     "basis": b.get("basis"), "page": layout.heading_pages.get(i)}
            entry["path"] = [s["text"] for s in stack] + [b["text"]]
            stack.append(entry)
            out.append(entry)
        if out and "path" not in out[-1]:
            out[-1]["path"] = [s["text"] for s in stack]
    return out


def _table_truth(tab: Table, frags: list[dict[str, Any]]) -> dict[str, Any]:
    row_pages: dict[tuple[str, int], list[int]] = {}
    for f in frags:
        for kind, idx in f["rows"]:
            pages = row_pages.setdefault((kind, idx), [])
            if f["page"] not in pages:
                pages.append(f["page"])
    nh = len(tab.header)

    def pages_of(row: int, rs: int) -> list[int]:
        ps: list[int] = []
        for r in range(row, row + rs):
            key = ("h", r) if r < nh else ("b", r - nh)
            for p in row_pages.get(key, []):
                if p not in ps:
                    ps.append(p)
        return sorted(ps)

    cells = [
        {"row": g.row, "col": g.col, "rs": g.rs, "cs": g.cs, "text": g.text, "header": g.row < nh,
         "pages": pages_of(g.row, g.rs)}
        for g in tab.grid
    ]
    pages = sorted({f["page"] for f in frags})
    split_rows = [i for i in range(len(tab.rows)) if len(row_pages.get(("b", i), [])) > 1]
    return {
        "id": tab.id,
        "family": tab.family,
        "roles": tab.roles,
        "n_cols": tab.ncols,
        "n_header_rows": nh,
        "n_body_rows": len(tab.rows),
        "row_kinds": [r.kind for r in tab.rows],
        "pages": pages,
        "multi_page": len(pages) > 1,
        "split_rows": split_rows,
        "fragments": [{"page": f["page"], "bbox": f["bbox"]} for f in frags],
        "cells": cells,
        "reading": tab.reading,
    }


def _cell_at(tab: Table, row: int, col: int) -> str:
    """Text of the grid cell covering (row, col); spans are inherited."""
    for g in tab.grid:
        if g.row <= row < g.row + g.rs and g.col <= col < g.col + g.cs:
            return g.text
    return ""


def _grid_at(tab: Table, row: int, col: int) -> Any:
    for g in tab.grid:
        if g.row <= row < g.row + g.rs and g.col <= col < g.col + g.cs:
            return g
    return None


def _level(no: str | None, has_value: bool) -> int:
    """How deep an item sits: "1." 1, "1.1" 2, "-" 10, "+" 11; unnumbered: 0 when it prints no
    value (it heads what follows), else below everything."""
    if not no:
        return 99 if has_value else 0
    if no in ("-", "•"):
        return 10
    if no == "+":
        return 11
    parts = [p for p in no.replace(" ", "").split(".") if p]
    return len(parts) if parts and all(p.isdigit() for p in parts) else 99


def _norm_shape(tab: Table, nh: int, role_col: dict[str, int]) -> dict[int, tuple[bool, str | None]]:
    """Body row -> (is a parent, its parent items joined by ' > '). A parent prints no value and no
    unit and the next row sits deeper ("2. Thức ăn hỗn hợp" over "- Giai đoạn 21 ngày")."""
    values = [ci for ci, role in enumerate(tab.roles) if role == "value" or role.startswith("value:")]
    info: list[tuple[int, str | None, str, bool, bool]] = []
    for bi, row in enumerate(tab.rows):
        r = nh + bi
        if row.kind == "group":
            info.append((bi, None, "", False, True))
            continue
        item = _grid_at(tab, r, role_col["item"]) if "item" in role_col else None
        no_cell = _grid_at(tab, r, role_col["no"]) if "no" in role_col else None
        no, _ = split_item(item.text if item else "", no_cell is not None and no_cell is not item)
        if no_cell is not None and no_cell is not item and no_cell.text.strip():
            no = no_cell.text.strip()
        cols = values + ([role_col["unit"]] if "unit" in role_col else [])
        has_value = any((g := _grid_at(tab, r, c)) is not None and g is not item and g.text.strip() for c in cols)
        label = " ".join(x for x in ((no_cell.text.strip() if no_cell is not None and no_cell is not item else ""),
                                     (item.text.strip() if item else "")) if x)
        info.append((bi, no, label, has_value, False))
    out: dict[int, tuple[bool, str | None]] = {}
    stack: list[tuple[int, str]] = []
    for k, (bi, no, label, has_value, is_group) in enumerate(info):
        if is_group:
            stack = []
            continue
        lvl = _level(no, has_value)
        nxt = info[k + 1] if k + 1 < len(info) and not info[k + 1][4] else None
        parent = not has_value and nxt is not None and _level(nxt[1], nxt[3]) > lvl and bool(label)
        while stack and stack[-1][0] >= lvl:
            stack.pop()
        out[bi] = (parent, " > ".join(x for _, x in stack) or None)
        if label:
            stack.append((lvl, label))
    return out


def _records(tab: Table, context: dict[str, Any], table_index: int, units: dict[str, dict[str, str]] | None = None
             ) -> dict[str, list[dict[str, Any]]]:
    nh = len(tab.header)
    out: dict[str, list[dict[str, Any]]] = {"norm_items": [], "plan_tasks": [], "budget_lines": [], "schedule_marks": []}
    roles = tab.roles
    role_col = {r: i for i, r in enumerate(roles) if ":" not in r}
    group: str | None = None
    shape = _norm_shape(tab, nh, role_col) if tab.family == "norm" else {}
    for bi, row in enumerate(tab.rows):
        r = nh + bi

        def get(role: str, r: int = r) -> str:
            return _cell_at(tab, r, role_col[role]) if role in role_col else ""

        if row.kind == "group":
            group = " ".join(c.text for c in row.cells if c.text).strip()
            if tab.family != "budget":
                continue
        base = {"table_id": tab.id, "table_index": table_index, "row": bi, **context}
        if tab.family == "norm":
            if row.kind != "item":
                continue
            is_parent, parent_item = shape.get(bi, (False, None))
            if is_parent:
                continue  # no record of its own; its children name it in parent_item
            item_cell = get("item") if "item" in role_col else ""
            own_no = "no" in role_col and _grid_at(tab, r, role_col["no"]) is not _grid_at(tab, r, role_col.get("item", -1))
            no, text = split_item(item_cell, own_no)  # an item cell spanning the STT column prints its number
            if own_no and get("no").strip():
                no = get("no").strip()
            value_cols = [ci for ci, role in enumerate(roles) if role == "value" or role.startswith("value:")]
            blank_row = not get("unit").strip() and not any(_cell_at(tab, r, ci).strip() for ci in value_cols)
            for ci, role in enumerate(roles):
                if role != "value" and not role.startswith("value:"):
                    continue
                value = _cell_at(tab, r, ci)
                unit = get("unit")
                if not value.strip() and not unit.strip() and not (blank_row and ci == value_cols[0]):
                    continue  # a row printing no value at all is one record (its first value column)
                spans_unit = "unit" in role_col and _grid_at(tab, r, role_col["unit"]) is _grid_at(tab, r, ci)
                u = None if spans_unit or not unit.strip() else (units or {}).get(unit)
                if not spans_unit and unit.strip() and u is None:
                    raise ValueError(f"table {tab.id}: unit {unit!r} missing from the document's units.json")
                out["norm_items"].append({
                    **base, "group": group, "period": get("period") or None, "item_no": no, "item_text": text,
                    "unit_raw": unit, "value_raw": value, **parse_value_truth(value),
                    "unit": u["code"] if u else None, "unit_factor": u["factor"] if u else None,
                    "scale": role.split(":", 1)[1] if ":" in role else None,
                    "reference": get("reference") or None, "note": get("note") or None, "parent_item": parent_item,
                })
        elif tab.family == "plan_tasks":
            if row.kind != "item":
                continue
            out["plan_tasks"].append({
                **base, "group": group, "no": get("no"), "content": get("content"), "inputs": get("inputs") or None,
                "product": get("product") or None, "time": get("time") or None, "lead": get("lead") or None,
                "partner": get("partner") or None, "support": get("support") or None,
            })
        elif tab.family == "budget":
            amounts = {role.split(":", 1)[1]: _cell_at(tab, r, ci) or None
                       for ci, role in enumerate(roles) if role.startswith("src:")}
            label = get("item") or " ".join(c.text for c in row.cells if c.text and not c.text[:1].isdigit())
            out["budget_lines"].append({
                **base, "kind": row.kind, "group": group if row.kind == "item" else None, "no": get("no"),
                "item": get("item") if "item" in role_col else label, "total_raw": get("total") or None,
                "sources_raw": amounts, "funding": get("funding") or None, "impl": get("impl") or None,
            })
        elif tab.family == "schedule":
            if row.kind != "item":
                continue
            for ci, role in enumerate(roles):
                if not role.startswith("mark:"):
                    continue
                text = _cell_at(tab, r, ci).strip()
                out["schedule_marks"].append({
                    **base, "group": group, "no": get("no"), "coop": get("coop"), "period": role.split(":", 1)[1],
                    "marked": text.lower() == "x", "note": text if text and text.lower() != "x" else None,
                })
    return out


def build_truth(doc: SourceDocument, style: str, layout: Layout, pdf_name: str, pdf_sha256: str,
                units: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    if units is None:
        f = SOURCE_DIR / doc.doc_id / "units.json"  # canonical code/factor of each printed unit
        units = json.loads(f.read_text(encoding="utf-8"))["units"] if f.exists() else {}
    headings = _heading_entries(doc, layout)
    by_block = {h["block"]: h for h in headings}
    tables: list[dict[str, Any]] = []
    records: dict[str, list[dict[str, Any]]] = {"norm_items": [], "plan_tasks": [], "budget_lines": [],
                                                "schedule_marks": []}
    current_path: list[str] = []
    current_appendix: str | None = None
    basis: str | None = None
    for i, b in enumerate(doc.blocks):
        if i in by_block:
            h = by_block[i]
            current_path = h["path"]
            if h["kind"] == "appendix":
                current_appendix = h["text"]
            elif h["kind"] == "article":
                current_appendix = None
            basis = h.get("basis")
            if not basis and b["t"] == "h":
                m = _BASIS_IN_TITLE.search(b["text"])
                basis = m.group(0).strip("()") if m else None
        elif b["t"] == "basis":
            basis = b["text"]
        elif b["t"] == "table":
            tab = doc.tables[b["id"]]
            entry = _table_truth(tab, layout.table_fragments.get(tab.id, []))
            entry["index"] = len(tables)
            entry["heading_path"] = list(current_path)
            entry["appendix"] = current_appendix
            entry["basis"] = basis
            tables.append(entry)
            ctx = {"appendix": current_appendix, "heading_path": list(current_path), "basis": basis}
            for k, v in _records(tab, ctx, entry["index"], units).items():
                records[k].extend(v)
    n_pages = max(layout.page_orientation) if layout.page_orientation else 0
    return {
        "truth_version": TRUTH_VERSION,
        "doc_id": doc.doc_id,
        "style": style,
        "pdf": pdf_name,
        "pdf_sha256": pdf_sha256,
        "seed": doc.seed,
        "page_count": n_pages,
        "pages": [{"page": n, "orientation": layout.page_orientation[n], "size": list(layout.page_size[n])}
                  for n in sorted(layout.page_orientation)],
        "meta": doc.meta,
        "headings": [{k: v for k, v in h.items() if k != "block"} for h in headings],
        "tables": tables,
        "records": records,
    }
