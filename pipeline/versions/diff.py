"""Norm diffs: two documents, or the norms in force on two dates, compared model by model
(docs/DOMAIN.md §4.2, §9; docs/amendments.md).

Pure functions over a ``norms_consolidated`` frame (pipeline/versions/consolidate.py):

1. **Sides.** A document number selects that document's own norm rows; a date selects the rows
   in force that day (``in_force``), and the records about unavailable base text become notes.
2. **Models** are paired one-to-one. On date sides the same provision (``model_path``) pairs
   first (score 1, ``identity``). Otherwise a candidate pair is scored from the normalized title
   (commodity words and title words, numbering and generic words dropped), the section
   structure (section types present) and the shared item texts; a different practice ('hữu cơ'
   / 'theo hướng hữu cơ' / 'GAP' / ...) or a different sector is a hard no. Pairs at or above
   ``MODEL_THRESHOLD`` are taken best first; every decision keeps its score and reason.
3. **Periods** are aligned by meaning, not position: same period type (1.0); else the same
   stage class — planting / care / conversion — (0.8, one block may align with several). An
   unlabelled block takes the type printed at the same position in sibling models of the same
   document with the same earlier blocks (33/2022's third block → "giai đoạn kinh doanh", the
   conversion stage), at 0.9 of the score. So 33/2022's third block aligns with both conversion
   years of 30/2023, and its planting and year-2-3 blocks have no counterpart.
4. **Items** pair by canonical text (then by similarity >= ``ITEM_THRESHOLD``); values compare
   in the canonical unit (value x unit_factor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from pipeline.core.missing import none_if_missing
from pipeline.core.text import nfc
from pipeline.records.datasets import frame
from pipeline.store.read import load
from pipeline.versions.consolidate import build
from pipeline.versions.matching import (
    Model,
    Period,
    Side,
    align_periods,
    canonical_value,
    compare_items,
    infer_period_types,
    models,
    pair_items,
    pair_models,
    period_index,
    select_side,
)

__all__ = ["DiffResult", "compare", "diff", "diff_models", "summary", "terminal_table"]


# ---------------------------------------------------------------- the diff


@dataclass
class DiffResult:
    diff_id: str
    side_a: Side
    side_b: Side
    rows: pd.DataFrame  # the norm_diffs frame
    notes: list[str]
    sources: dict[str, str] = field(default_factory=dict)  # doc_sha256 -> source path/URL (for page links)
    model_notes: dict[int, str] = field(default_factory=dict)  # model_pair -> operations without norm values


def _side_item(prefix: str, r: Any | None, period: Period | None) -> dict[str, Any]:
    if r is None:
        return {}
    return {f"section_no_{prefix}": none_if_missing(r.section_no), f"period_{prefix}": period.shown if period else None,
            f"item_text_{prefix}": r.item_text, f"unit_raw_{prefix}": r.unit_raw, f"value_raw_{prefix}": r.value_raw,
            f"doc_number_{prefix}": r.doc_number, f"doc_sha256_{prefix}": r.doc_sha256,
            f"page_{prefix}": none_if_missing(r.page), f"clause_{prefix}": none_if_missing(r.introduced_by_clause),
            f"norm_address_{prefix}": r.norm_address}


def diff(consolidated: pd.DataFrame, a: str, b: str, model_filter: str | None = None) -> DiffResult:
    """Compare side ``a`` with side ``b`` (document numbers or dates); see the module docstring.
    ``model_filter`` keeps the model pairs whose title on either side contains it (case-insensitive)."""
    side_a, side_b = select_side(consolidated, a), select_side(consolidated, b)
    inferred = infer_period_types(consolidated)
    identity = side_a.kind == "date" and side_b.kind == "date"
    pairs = pair_models(models(side_a.rows), models(side_b.rows), identity)
    order = {"identity": 0, "title_structure": 1, "unmatched": 2}
    pairs.sort(key=lambda p: (order[p[2]], (p[0] or p[1]).label))  # type: ignore[union-attr]
    if model_filter:
        f = nfc(model_filter).casefold()
        pairs = [p for p in pairs if any(m is not None and f in nfc(m.title or m.label).casefold() for m in p[:2])]
    diff_id = f"{side_a.label}..{side_b.label}"
    extra = consolidated[consolidated.record_kind == "provision_without_norms"]
    out: list[dict[str, Any]] = []
    model_notes: dict[int, str] = {}
    for n, (ma, mb, how, score, why) in enumerate(pairs):
        note_models = [m.key for m in (ma, mb) if m is not None]
        insert_notes = "; ".join(extra.loc[extra.model_path.isin(note_models), "consolidation_note"].dropna())
        base = {"diff_id": diff_id, "side_a": side_a.label, "side_b": side_b.label, "model_pair": n,
                "model_a": ma.label if ma else None, "model_b": mb.label if mb else None,
                "model_title_a": ma.title if ma else None, "model_title_b": mb.title if mb else None,
                "model_match": how, "model_score": score, "model_match_reason": why}
        if insert_notes:
            model_notes[n] = insert_notes
        for rec in diff_models(ma, mb, inferred):
            note = "; ".join(x for x in (rec.pop("_note", ""), insert_notes) if x) or None
            out.append({**base, **rec, "diff_note": note})
    for i, r in enumerate(out):
        r["diff_row"] = i
    notes = [f"A = {side_a.label}: " + n for n in side_a.notes] + [f"B = {side_b.label}: " + n for n in side_b.notes]
    if side_a.kind == "document" or side_b.kind == "document":
        notes.append("document sides: 'removed' means not in the right-hand document, not repealed; the legal "
                      "status on a date is `decree consolidate --as-of DATE`")
    return DiffResult(diff_id, side_a, side_b, frame("norm_diffs", out), notes, model_notes=model_notes)


def _periods(rows: pd.DataFrame, inferred: dict[str, tuple[str, str]]) -> tuple[list[Period], dict[str, str]]:
    periods: dict[str, Period] = {}
    of_row: dict[str, str] = {}
    for r in rows.itertuples(index=False):
        idx = period_index(r)
        if idx not in periods:
            ptype, why = r.period_type, None
            if r.consolidated_id in inferred:
                ptype, why = inferred[r.consolidated_id]
            periods[idx] = Period(idx, none_if_missing(r.period), ptype, why)
        of_row[r.consolidated_id] = idx
    return list(periods.values()), of_row


def _section(rows: pd.DataFrame | None, stype: str, scope: str | None) -> pd.DataFrame | None:
    if rows is None:
        return None
    mask = [t == stype and none_if_missing(sc) == scope for t, sc in zip(rows["section_type"], rows["scope"], strict=True)]
    return rows[mask]


def diff_models(ma: Model | None, mb: Model | None, inferred: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    ra = ma.rows if ma is not None else None
    rb = mb.rows if mb is not None else None
    skeys: list[tuple[str, str | None]] = []
    for rows in (ra, rb):
        if rows is not None:
            for k in zip(rows["section_type"], [none_if_missing(x) for x in rows["scope"]], strict=True):
                if k not in skeys:
                    skeys.append(k)
    for stype, scope in skeys:
        sa = _section(ra, stype, scope)
        sb = _section(rb, stype, scope)
        pa_, of_a = _periods(sa, inferred) if sa is not None else ([], {})
        pb, of_b = _periods(sb, inferred) if sb is not None else ([], {})
        aligned = align_periods(pa_, pb) if pa_ and pb else []
        matched_a: set[int] = set()
        matched_b: set[int] = set()
        la = list(sa.itertuples(index=False)) if sa is not None else []
        lb = list(sb.itertuples(index=False)) if sb is not None else []
        for per_a, per_b, pscore, pwhy in aligned:
            ia = [i for i, r in enumerate(la) if of_a[r.consolidated_id] == per_a.idx]
            ib = [j for j, r in enumerate(lb) if of_b[r.consolidated_id] == per_b.idx]
            for i, j, iscore in pair_items([la[i] for i in ia], [lb[j] for j in ib]):
                x, y = la[ia[i]], lb[ib[j]]
                status, vals, notes = compare_items(x, y)
                matched_a.add(ia[i])
                matched_b.add(ib[j])
                out.append({"section_type": stype, **_side_item("a", x, per_a), **_side_item("b", y, per_b),
                            "period_match": pwhy, "period_score": pscore, "item_score": iscore,
                            "diff_status": status, **vals, "_note": "; ".join(notes)})
        pa_by = {p.idx: p for p in pa_}
        pb_by = {p.idx: p for p in pb}
        aligned_a = {p[0].idx for p in aligned}
        aligned_b = {p[1].idx for p in aligned}
        for i, x in enumerate(la):
            if i in matched_a:
                continue
            per = pa_by[of_a[x.consolidated_id]]
            why = "period not aligned: no block of the same type or stage on the other side" if pb and \
                per.idx not in aligned_a else ("section absent on the other side" if not pb else None)
            out.append({"section_type": stype, **_side_item("a", x, per), "period_match": why,
                        "diff_status": "removed", "value_a": canonical_value(x)[0], "unit": none_if_missing(x.unit),
                        "_note": per.inferred or ""})
        for j, y in enumerate(lb):
            if j in matched_b:
                continue
            per = pb_by[of_b[y.consolidated_id]]
            why = "period not aligned: no block of the same type or stage on the other side" if pa_ and \
                per.idx not in aligned_b else ("section absent on the other side" if not pa_ else None)
            out.append({"section_type": stype, **_side_item("b", y, per), "period_match": why,
                        "diff_status": "added", "value_b": canonical_value(y)[0], "unit": none_if_missing(y.unit), "_note": ""})
    return out


# ---------------------------------------------------------------- terminal


def _fmt(v: Any) -> str:
    v = none_if_missing(v)
    if v is None:
        return "-"
    if isinstance(v, Decimal):
        s = format(v.normalize(), "f")
        return s
    if isinstance(v, float):
        return f"{v:+.1%}"
    return str(v)


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """One line per model pair: labels, match, score and the counts of each status."""
    if rows.empty:
        return pd.DataFrame(columns=["model_pair", "model_a", "model_b", "model_match", "model_score", "added",
                                     "removed", "changed", "unchanged"])
    g = rows.groupby("model_pair", sort=True)
    first = g[["model_a", "model_b", "model_title_a", "model_title_b", "model_match", "model_score",
               "model_match_reason"]].first()
    counts = rows.pivot_table(index="model_pair", columns="diff_status", values="diff_row", aggfunc="count",
                              fill_value=0)
    for c in ("added", "removed", "changed", "unchanged"):
        if c not in counts:
            counts[c] = 0
    return first.join(counts[["added", "removed", "changed", "unchanged"]]).reset_index()


def terminal_table(result: DiffResult, show_unchanged: bool = False, detail_unmatched: bool = False) -> str:
    """The diff as text: notes, one block per model pair (match, score, reason, counts), and the
    added/removed/changed items of paired models (all items with ``show_unchanged``)."""
    lines = [f"diff {result.diff_id}"]
    lines += [f"  note: {n}" for n in result.notes]
    s = summary(result.rows)
    lines.append(f"  {len(s)} model pairs; items: " + ", ".join(
        f"{k} {int(s[k].sum()) if len(s) else 0}" for k in ("added", "removed", "changed", "unchanged")))
    for p in s.itertuples(index=False):
        lines.append("")
        lines.append(f"[{p.model_pair}] A {none_if_missing(p.model_a) or '(none)'}: {none_if_missing(p.model_title_a) or ''}")
        lines.append(f"     B {none_if_missing(p.model_b) or '(none)'}: {none_if_missing(p.model_title_b) or ''}")
        lines.append(f"     match {p.model_match} score {p.model_score:.2f} ({p.model_match_reason})")
        lines.append(f"     added {p.added}  removed {p.removed}  changed {p.changed}  unchanged {p.unchanged}")
        if p.model_match == "unmatched" and not detail_unmatched:
            continue
        pair_rows = result.rows[result.rows.model_pair == p.model_pair]
        rows = pair_rows if show_unchanged else pair_rows[pair_rows.diff_status != "unchanged"]
        for r in rows.itertuples(index=False):
            item = r.item_text_a if none_if_missing(r.item_text_a) else r.item_text_b
            per = f"{none_if_missing(r.period_a) or '-'} -> {none_if_missing(r.period_b) or '-'}"
            change = f"{_fmt(r.value_raw_a)} {_fmt(r.unit_raw_a) if none_if_missing(r.unit_raw_a) else ''}".strip() + " -> " + \
                f"{_fmt(r.value_raw_b)} {_fmt(r.unit_raw_b) if none_if_missing(r.unit_raw_b) else ''}".strip()
            delta = ""
            if none_if_missing(r.abs_change) is not None:
                delta = f"  ({_fmt(r.abs_change)} {r.unit or ''}, {_fmt(r.rel_change)})"
            pages = f"p.{_fmt(r.page_a)}/{_fmt(r.page_b)}"
            lines.append(f"     {r.diff_status:9s} {r.section_type:10s} {str(item)[:48]:48s} {change}{delta}  "
                         f"[{per}] {pages}")
        aligned = pair_rows["period_match"].dropna().unique()
        for a in aligned:
            if "stage" in a or "read as" in a:
                lines.append(f"     period alignment: {a}")
    return "\n".join(lines)


def compare(data_dir: str | Any, a: str, b: str, model_filter: str | None = None) -> DiffResult:
    """The diff of two documents or dates over the published data, with each side's source PDF
    (for page links in the HTML report). The CLI and the diff flow both call this."""
    result = diff(build(data_dir), a, b, model_filter=model_filter)
    docs = load("documents", data_dir=data_dir)
    result.sources = {r.doc_sha256: str(r.source) for r in docs.itertuples(index=False) if r.source}
    return result
