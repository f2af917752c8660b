"""Quality checks of one document's domain records, and frame validation against ``schemas/``.

``quality_checks`` compares what a document says about itself with what was extracted
(docs/DOMAIN.md §3 declared models, §8 budget totals) and counts the problems normalization
flagged. A failing check is a row with expected and actual; it never drops data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pandas as pd
import pandera.pandas as pa

from extractors.model import Document, Heading
from pipeline.core.errors import FrameInvalid
from pipeline.core.provisions import APPENDIX, APPENDIX_SPACED
from pipeline.parsing.values import clean_text
from pipeline.records.families import config, norm_label
from pipeline.records.normalize import DomainRecords
from schemas import dataset

__all__ = ["declared_counts", "found_counts", "quality_checks", "validate_frame"]




_DECL = re.compile(r"\bcó\s+(?P<n>\d{1,3})\s+(?P<what>mô hình|định mức)\b(?P<mid>[^;.”\"]{0,80}?)"
                   rf"\b{APPENDIX_SPACED}\s+(?P<pl>[IVXLC]+|\d+)\b", re.IGNORECASE)


def _document_text(doc: Document) -> str:
    return " ".join(clean_text(ln.text) for p in doc.pages for ln in p.lines)


def declared_counts(doc: Document) -> dict[str, tuple[int, str, str]]:
    """"Lĩnh vực trồng trọt có 14 mô hình được quy định tại Phụ lục I" → {"Phụ lục I": (14, "model", quote)}.
    The counted unit word maps to the heading kind counted (schemas/table_families.yaml, declared_units)."""
    units = {norm_label(k): v for k, v in config()["declared_units"].items()}
    out: dict[str, tuple[int, str, str]] = {}
    for m in _DECL.finditer(_document_text(doc)):
        label = f"{APPENDIX} {m['pl'].upper()}"
        out.setdefault(label, (int(m["n"]), units[norm_label(m["what"])], m.group(0)))
    return out


def _appendix_of(h: Heading, by_index: dict[int, Heading]) -> Heading | None:
    seen: set[int] = set()
    cur: Heading | None = h
    while cur is not None and cur.index not in seen:
        if cur.kind == "appendix":
            return cur
        seen.add(cur.index)
        cur = by_index.get(cur.parent) if cur.parent is not None else None
    return None


def found_counts(doc: Document, kind: str) -> dict[str, list[str]]:
    """Headings of ``kind`` under each appendix (normalized appendix label → heading texts)."""
    by_index = {h.index: h for h in doc.headings}
    out: dict[str, list[str]] = {}
    for h in doc.headings:
        if h.kind != kind:
            continue
        app = _appendix_of(h, by_index)
        if app is not None:
            out.setdefault(norm_label(app.text), []).append(h.text)
    return out


def _show(x: Any) -> str:
    if x is None:
        return "null"
    if isinstance(x, Decimal):
        return format(x.normalize(), "f")
    return str(x)


def _check(doc: Document, name: str, scope: str, expected: Any, actual: Any, severity: str, detail: str,
           passed: bool | None = None) -> dict[str, Any]:
    expected, actual = _show(expected), _show(actual)
    return {"doc_sha256": doc.sha256, "check_name": name, "check_scope": scope, "expected": str(expected),
            "actual": str(actual), "passed": (str(expected) == str(actual)) if passed is None else passed,
            "severity": severity, "detail": detail}


def _model_checks(doc: Document) -> list[dict[str, Any]]:
    out = []
    for label, (n, kind, quote) in declared_counts(doc).items():
        found = found_counts(doc, kind).get(norm_label(label), [])
        out.append(_check(doc, "declared_models", label, n, len(found), "error",
                          f"declared: “{quote}”; counted {kind} headings: "
                          + "; ".join(t[:60] for t in found)))
    return out


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v or Decimal(0) for v in values), Decimal(0))


def _budget_checks(doc: Document, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cols = ["total_vnd", "nstw_vnd", "province_vnd", "commune_vnd", "counterpart_vnd"]
    by_table: dict[int, list[dict[str, Any]]] = {}
    for ln in lines:
        by_table.setdefault(ln["table_index"], []).append(ln)
    for t, rows in by_table.items():
        groups: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        for ln in rows:
            if ln["line_kind"] == "group":
                groups.append((ln, []))
            elif ln["line_kind"] == "item" and groups:
                groups[-1][1].append(ln)
        for g, items in groups:
            label = g["line_no"] or g["item"] or f"row {g['row']}"
            for col in cols:
                if g[col] is None and not any(i[col] for i in items):
                    continue
                out.append(_check(doc, "budget_group_sum", f"table {t} group {label} {col}", g[col],
                                  _sum(i[col] for i in items), "error",
                                  f"printed group amount vs the sum of its {len(items)} line items"))
            out.append(_check(doc, "budget_sources_sum", f"table {t} group {label}", g["total_vnd"],
                              _sum(g[c] for c in cols[1:]), "error", "group total vs the sum of its funding sources"))
        for tot in (ln for ln in rows if ln["line_kind"] == "total"):
            label = tot["item"] or f"row {tot['row']}"
            for col in cols:
                if tot[col] is None and not any(g[col] for g, _ in groups):
                    continue  # a source column the table does not have
                out.append(_check(doc, "budget_grand_total", f"table {t} {label} {col}", tot[col],
                                  _sum(g[col] for g, _ in groups), "error",
                                  f"printed total vs the sum of {len(groups)} group subtotals (never their lines "
                                  "too: parents and children are not summed together)"))
            out.append(_check(doc, "budget_sources_sum", f"table {t} {label}", tot["total_vnd"],
                              _sum(tot[c] for c in cols[1:]), "error", "grand total vs the sum of its funding sources"))
    return out


def _count_check(doc: Document, name: str, scope: str, bad: list[str], severity: str, what: str) -> dict[str, Any]:
    uniq = sorted(set(bad))
    return _check(doc, name, scope, 0, len(bad), severity,
                  f"{len(bad)} {what}" + (f": {'; '.join(uniq[:20])}" if uniq else ""))


def quality_checks(doc: Document, rec: DomainRecords) -> list[dict[str, Any]]:
    """Every check of one document (see the module docstring); rows for the quality_checks dataset."""
    out = _model_checks(doc)
    out += _budget_checks(doc, rec.budget_lines)
    ni = rec.norm_items
    out.append(_count_check(doc, "unknown_units", "norm_items",
                            [r["unit_raw"] for r in ni if "unknown_unit" in r["flags"]], "warning",
                            "values with a unit string the unit grammar does not read"))
    out.append(_count_check(doc, "unparsed_values", "norm_items",
                            [f"{r['item_text'][:40]}={r['value_raw']!r}" for r in ni if "unparsed_value" in r["flags"]],
                            "warning", "values not understood (kept raw)"))
    out.append(_count_check(doc, "blank_values", "norm_items",
                            [f"table {r['table_index']} row {r['row']}" for r in ni if "blank_value" in r["flags"]],
                            "warning", "rows with a unit but no value"))
    out.append(_count_check(doc, "missing_period", "norm_items",
                            [f"table {r['table_index']} row {r['row']}" for r in ni if "missing_period" in r["flags"]],
                            "warning", "rows of a period table without a period label"))
    empty = [f"norm_items table {r['table_index']} row {r['row']}: item_text" for r in ni if not r["item_text"]]
    empty += [f"plan_tasks table {r['table_index']} row {r['row']}: content" for r in rec.plan_tasks
              if not r["content"]]
    empty += [f"budget_lines table {r['table_index']} row {r['row']}: item" for r in rec.budget_lines if not r["item"]]
    empty += [f"schedule_marks table {r['table_index']} row {r['row']}: cooperative" for r in rec.schedule_marks
              if not r["cooperative"]]
    out.append(_count_check(doc, "empty_required_fields", "all datasets", empty, "warning", "empty required fields"))
    unclaimed = [f"table {lay.table_index}: {lay.problem}" for lay in rec.layouts if lay.family is None]
    out.append(_count_check(doc, "unclaimed_tables", "tables", unclaimed, "warning",
                            "tables no family claims (their rows are in the cells dataset only)"))
    shaped = [f"table {lay.table_index}: {lay.problem}" for lay in rec.layouts
              if lay.family is not None and lay.problem]
    out.append(_count_check(doc, "inferred_layouts", "tables", shaped, "warning",
                            "tables read without their own header (continuation or body shape)"))
    return out


def _pandera_schema(name: str) -> pa.DataFrameSchema:
    ds = dataset(name)
    cols = {}
    for f in ds.fields:
        checks = [pa.Check.isin(list(f.enum))] if f.enum else []
        cols[f.name] = pa.Column(nullable=f.nullable, checks=checks, required=True)
    return pa.DataFrameSchema(cols, strict=True, unique=list(ds.primary_key))


def validate_frame(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Check ``df`` against the declared dataset ``name`` with pandera: exactly the declared columns,
    no nulls where a column is required, enum values, a unique primary key. Raises ``FrameInvalid``.
    (dtypes are set by ``pipeline.records.datasets.frame`` from the same declaration, so they are not re-checked.)"""
    try:
        return _pandera_schema(name).validate(df, lazy=True)
    except (pa.errors.SchemaErrors, pa.errors.SchemaError) as exc:
        raise FrameInvalid(f"{name}: {str(exc)[:2000]}") from exc
