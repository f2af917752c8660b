"""Norm diffs: two documents, or the norms in force on two dates, compared model by model
(docs/DOMAIN.md §4.2, §9; docs/amendments.md).

Pure functions over a ``norms_consolidated`` frame (pipeline/consolidate.py):

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

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Any

import pandas as pd

from pipeline.consolidate import ConsolidationError, _none, in_force, parse_as_of

__all__ = ["DiffResult", "Side", "diff", "model_score", "select_side", "terminal_table"]

MODEL_THRESHOLD = 0.5
ITEM_THRESHOLD = 0.85
_GENERIC = {"mô", "hình", "định", "mức", "trồng", "mới", "thâm", "canh", "sản", "xuất", "cây", "các", "ứng", "dụng",
            "nhóm", "đối", "tượng", "chăn", "nuôi", "và"}
_CLASSES: dict[str, set[str]] = {
    "trong_moi": {"planting"}, "trong_moi_nam_1": {"planting"}, "nam_1": {"planting"},
    "nam_2": {"care"}, "nam_3": {"care"}, "nam_2_3": {"care"},
    "chuyen_doi": {"conversion"}, "chuyen_doi_1": {"conversion"}, "chuyen_doi_2": {"conversion"},
    "kinh_doanh": {"conversion"}, "chung_nhan": {"conversion"},
    "trong_moi_chuyen_doi": {"planting", "conversion"},
}


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def canonical_text(s: str | None) -> str:
    """Item text for matching: NFC, casefolded, ellipses and trailing punctuation normalized."""
    t = _nfc(s or "").casefold().replace("…", "...")
    t = re.sub(r"\.{2,}", "...", t)
    t = re.sub(r"\s*([,;:()])\s*", r"\1 ", t)
    t = re.sub(r"[\s.,;:]+$", "", t)
    return " ".join(t.split())


def _tokens(s: str | None) -> set[str]:
    t = _nfc(s or "").casefold()
    t = re.sub(r"^\s*\d+(\.\d+)*\.?\s*", "", t)
    return {w for w in re.findall(r"\w+", t) if w not in _GENERIC and not w.isdigit()}


def _jaccard(a: set[Any], b: set[Any]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


# ---------------------------------------------------------------- sides


@dataclass
class Side:
    label: str
    kind: str  # "document" | "date"
    rows: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _is_date(s: str) -> bool:
    try:
        parse_as_of(s)
        return True
    except ConsolidationError:
        return False


def _printed_order(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.sort_values(["doc_sha256", "table_index", "row", "value_col"], kind="stable").reset_index(drop=True)


def select_side(consolidated: pd.DataFrame, selector: str) -> Side:
    """A document number ('33/2022/QĐ-UBND', spaces and case tolerated) or a date (ISO or DD/MM/YYYY)."""
    sel = _nfc(selector.strip())
    if _is_date(sel):
        d = parse_as_of(sel)
        rows = in_force(consolidated, d)
        notes = [n for n in rows.loc[rows.record_kind != "norm", "consolidation_note"].dropna()]
        return Side(d.isoformat(), "date", _printed_order(rows[rows.record_kind == "norm"]), notes)
    key = re.sub(r"\s+", "", sel).casefold()
    numbers = consolidated["doc_number"].dropna().unique()
    match = [n for n in numbers if re.sub(r"\s+", "", n).casefold() == key]
    if not match:
        known = sorted(n for n in numbers)
        raise ConsolidationError(f"{selector!r} is neither a date nor an ingested document number; known: {known}")
    number = match[0]
    rows = consolidated[(consolidated.doc_number == number) & (consolidated.record_kind == "norm")]
    notes = [n for n in consolidated.loc[(consolidated.doc_number == number) & (consolidated.record_kind != "norm"),
                                         "consolidation_note"].dropna()]
    return Side(number, "document", _printed_order(rows), notes)


# ---------------------------------------------------------------- periods


def infer_period_types(consolidated: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """consolidated_id → (period type, reason) for rows of unlabelled period blocks, inferred from the
    block printed at the same position in sibling models (same document and section type) whose
    earlier blocks have the same types."""
    rows = consolidated[consolidated.record_kind == "norm"]
    seqs: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for r in rows.itertuples(index=False):
        idx = _period_idx(r.norm_address)
        key = (r.doc_sha256, r.model_path, r.section_type)
        seq = seqs.setdefault(key, [])
        if (idx, r.period_type) not in seq:
            seq.append((idx, r.period_type))
    out_types: dict[tuple[str, str, str, str], tuple[str, str]] = {}
    for (sha, model, stype), seq in seqs.items():
        for i, (idx, ptype) in enumerate(seq):
            if ptype != "unknown":
                continue
            before = [t for _, t in seq[:i]]
            votes: Counter[str] = Counter()
            for (sha2, model2, stype2), seq2 in seqs.items():
                if sha2 != sha or stype2 != stype or model2 == model or len(seq2) <= i:
                    continue
                if [t for _, t in seq2[:i]] == before and seq2[i][1] != "unknown":
                    votes[seq2[i][1]] += 1
            if votes:
                t, n = votes.most_common(1)[0]
                out_types[(sha, model, stype, idx)] = (t, f"unlabelled block {i + 1} read as '{t}': the label printed "
                                                          f"at that position in {n} sibling model(s) with the same "
                                                          f"earlier blocks")
    res: dict[str, tuple[str, str]] = {}
    for r in rows.itertuples(index=False):
        k = (r.doc_sha256, r.model_path, r.section_type, _period_idx(r.norm_address))
        if k in out_types:
            res[r.consolidated_id] = out_types[k]
    return res


def _period_idx(address: str | None) -> str:
    parts = (address or "").split("/")
    return parts[7] if len(parts) > 7 else "-"


@dataclass
class _Period:
    idx: str
    label: str | None
    ptype: str
    inferred: str | None = None

    @property
    def shown(self) -> str:
        if self.label:
            return self.label
        return f"(unlabelled block {self.idx.lstrip('P')})" if self.idx.startswith("P") else "(no period column)"


def _align_periods(pa_: list[_Period], pb: list[_Period]) -> list[tuple[_Period, _Period, float, str]]:
    out = []
    for a in pa_:
        exact = [b for b in pb if b.ptype == a.ptype]
        if exact:
            for b in exact:
                out.append((a, b, 1.0 if not a.inferred else 0.9, f"same period type {a.ptype}"
                            + (f" ({a.inferred})" if a.inferred else "")))
            continue
        ca = _CLASSES.get(a.ptype, {a.ptype})
        for b in pb:
            common = ca & _CLASSES.get(b.ptype, {b.ptype})
            if common:
                s = 0.8 * (0.9 if a.inferred else 1.0)
                out.append((a, b, s, f"same stage ({'/'.join(sorted(common))}): {a.ptype} ~ {b.ptype}"
                            + (f"; {a.inferred}" if a.inferred else "")))
    if not out and len(pa_) == 1 and len(pb) == 1 and "none" in (pa_[0].ptype, pb[0].ptype):
        out.append((pa_[0], pb[0], 0.6, "one side prints no period column; its only block is aligned"))
    return out


# ---------------------------------------------------------------- models


@dataclass
class _Model:
    key: str
    label: str
    title: str | None
    rows: pd.DataFrame
    sector: str
    commodity: set[str]
    practice: str
    title_tokens: set[str]
    sections: set[str]
    items: set[str]


def _model_label(r: Any) -> str:
    doc = _none(r.doc_number) or r.doc_sha256[:12]
    pl = re.sub(r"(?i)^ph[uụ]\s*l[uụ]c\s+", "PL-", r.appendix) if _none(r.appendix) else None
    if pl:
        return f"{doc} {pl} {r.part + '.' if _none(r.part) else ''}{_none(r.model_no) or ''}".strip()
    clause = (_none(r.introduced_by_clause) or "").split("/")[-1]  # null model_no: an inline section (7.6)
    return f"{doc} {clause} mục {_none(r.model_no) or '?'}".strip()


def _models(rows: pd.DataFrame) -> list[_Model]:
    out = []
    for key, g in rows.groupby("model_path", sort=False, dropna=False):
        r = g.iloc[0]
        parts = [k.split("|") for k in g["norm_key"].dropna()]
        sector = Counter(p[0] for p in parts if p).most_common(1)[0][0] if parts else "unknown"
        commodity = Counter(p[1] for p in parts if len(p) > 1).most_common(1)[0][0] if parts else ""
        practice = Counter(p[2] for p in parts if len(p) > 2).most_common(1)[0][0] if parts else "-"
        out.append(_Model(str(key), _model_label(r), _none(r.model_title), g, sector, _tokens(commodity), practice,
                          _tokens(_none(r.model_title)), set(g["section_type"].dropna()),
                          {canonical_text(t) for t in g["item_text"].dropna()}))
    return out


def model_score(a: _Model, b: _Model) -> tuple[float, str]:
    """(score 0-1, reason) of pairing two models across documents or dates."""
    if a.practice != b.practice:
        return 0.0, f"different practice ('{a.practice}' vs '{b.practice}')"
    if a.sector != b.sector and "unknown" not in (a.sector, b.sector):
        return 0.0, f"different sector ({a.sector} vs {b.sector})"
    commodity = _jaccard(a.commodity, b.commodity)
    title = _jaccard(a.title_tokens, b.title_tokens)
    sections = _jaccard(a.sections, b.sections)
    items = _jaccard(a.items, b.items)
    t = (commodity + title) / 2
    score = t * (0.5 + 0.25 * sections + 0.25 * items)
    return round(score, 3), (f"title {t:.2f} (commodity {commodity:.2f}, words {title:.2f}), sections {sections:.2f}, "
                             f"items {items:.2f}, practice '{a.practice}'")


def _pair_models(ma: list[_Model], mb: list[_Model], identity: bool
                 ) -> list[tuple[_Model | None, _Model | None, str, float, str]]:
    pairs: list[tuple[_Model | None, _Model | None, str, float, str]] = []
    used_a: set[str] = set()
    used_b: set[str] = set()
    if identity:
        keys_b = {m.key: m for m in mb}
        for a in ma:
            if a.key in keys_b:
                pairs.append((a, keys_b[a.key], "identity", 1.0, "same provision (model_path)"))
                used_a.add(a.key)
                used_b.add(a.key)
    cands = []
    best_rejected: dict[str, tuple[float, str, str]] = {}
    for a in ma:
        for b in mb:
            if a.key in used_a and b.key in used_b:
                continue
            s, why = model_score(a, b)
            if s >= MODEL_THRESHOLD and a.key not in used_a and b.key not in used_b:
                cands.append((s, a.key, b.key, a, b, why))
            for m, other in ((a, b), (b, a)):
                if s > best_rejected.get(m.key, (-1.0, "", ""))[0]:
                    best_rejected[m.key] = (s, other.label, why)
    for s, ka, kb, a, b, why in sorted(cands, key=lambda c: (-c[0], c[1], c[2])):
        if ka in used_a or kb in used_b:
            continue
        pairs.append((a, b, "title_structure", s, why))
        used_a.add(ka)
        used_b.add(kb)

    def unmatched(m: _Model) -> tuple[float, str]:
        s, other, why = best_rejected.get(m.key, (0.0, "", "no candidate"))
        if not other:
            return 0.0, "no candidate on the other side"
        taken = " (already paired)" if s >= MODEL_THRESHOLD else ""
        return s, f"no counterpart >= {MODEL_THRESHOLD}; best candidate {other}{taken}: {s:.2f}, {why}"

    for a in ma:
        if a.key not in used_a:
            s, why = unmatched(a)
            pairs.append((a, None, "unmatched", s, why))
    for b in mb:
        if b.key not in used_b:
            s, why = unmatched(b)
            pairs.append((None, b, "unmatched", s, why))
    return pairs


# ---------------------------------------------------------------- items


def _canon_value(r: Any) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    f = _none(r.unit_factor) or Decimal(1)
    return tuple(None if _none(v) is None else Decimal(v) * f  # type: ignore[return-value]
                 for v in (r.value, r.value_min, r.value_max))


def _compare(ra: Any, rb: Any) -> tuple[str, dict[str, Any], list[str]]:
    va, vb = _canon_value(ra), _canon_value(rb)
    ua, ub = _none(ra.unit), _none(rb.unit)
    notes = []
    same_unit = ua == ub
    numeric = va[0] is not None and vb[0] is not None
    if numeric or va[1:] != (None, None) or vb[1:] != (None, None):
        same = same_unit and va == vb and _none(ra.comparator) == _none(rb.comparator)
    else:
        same = same_unit and canonical_text(_none(ra.value_text) or ra.value_raw) == \
            canonical_text(_none(rb.value_text) or rb.value_raw)
    out: dict[str, Any] = {"value_a": va[0], "value_b": vb[0], "unit": ub if same_unit else None}
    if numeric and same_unit and not same:
        out["abs_change"] = vb[0] - va[0]
        out["rel_change"] = float(out["abs_change"] / va[0]) if va[0] else None
    if not same_unit:
        notes.append(f"unit {ua or '-'} -> {ub or '-'}")
    if same and (ra.value_raw or "") != (rb.value_raw or ""):
        notes.append(f"printed '{ra.value_raw}' vs '{rb.value_raw}'")
    if canonical_text(ra.item_text) != canonical_text(rb.item_text):
        notes.append("item wording differs")
    if (_none(ra.reference) or "") != (_none(rb.reference) or ""):
        notes.append("reference differs")
    return ("unchanged" if same else "changed"), out, notes


def _pair_items(ga: list[Any], gb: list[Any]) -> list[tuple[int, int, float]]:
    """Index pairs (i, j, score): exact canonical text in order first, then best similarity."""
    pairs = []
    free_b = list(range(len(gb)))
    keys_b = [(canonical_text(r.item_text), _none(r.scale_raw)) for r in gb]
    rest_a = []
    for i, r in enumerate(ga):
        k = (canonical_text(r.item_text), _none(r.scale_raw))
        j = next((j for j in free_b if keys_b[j] == k), None)
        if j is None:
            rest_a.append(i)
        else:
            pairs.append((i, j, 1.0))
            free_b.remove(j)
    for i in rest_a:
        ta = canonical_text(ga[i].item_text)
        best = max(((SequenceMatcher(None, ta, keys_b[j][0]).ratio(), j) for j in free_b
                    if keys_b[j][1] == _none(ga[i].scale_raw)), default=(0.0, None))
        if best[1] is not None and best[0] >= ITEM_THRESHOLD:
            pairs.append((i, best[1], round(best[0], 3)))
            free_b.remove(best[1])
    return pairs


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


def _side_item(prefix: str, r: Any | None, period: _Period | None) -> dict[str, Any]:
    if r is None:
        return {}
    return {f"section_no_{prefix}": _none(r.section_no), f"period_{prefix}": period.shown if period else None,
            f"item_text_{prefix}": r.item_text, f"unit_raw_{prefix}": r.unit_raw, f"value_raw_{prefix}": r.value_raw,
            f"doc_number_{prefix}": r.doc_number, f"doc_sha256_{prefix}": r.doc_sha256,
            f"page_{prefix}": _none(r.page), f"clause_{prefix}": _none(r.introduced_by_clause),
            f"norm_address_{prefix}": r.norm_address}


def diff(consolidated: pd.DataFrame, a: str, b: str, model_filter: str | None = None) -> DiffResult:
    """Compare side ``a`` with side ``b`` (document numbers or dates); see the module docstring.
    ``model_filter`` keeps the model pairs whose title on either side contains it (case-insensitive)."""
    from pipeline.datasets import frame

    side_a, side_b = select_side(consolidated, a), select_side(consolidated, b)
    inferred = infer_period_types(consolidated)
    identity = side_a.kind == "date" and side_b.kind == "date"
    pairs = _pair_models(_models(side_a.rows), _models(side_b.rows), identity)
    order = {"identity": 0, "title_structure": 1, "unmatched": 2}
    pairs.sort(key=lambda p: (order[p[2]], (p[0] or p[1]).label))  # type: ignore[union-attr]
    if model_filter:
        f = _nfc(model_filter).casefold()
        pairs = [p for p in pairs if any(m is not None and f in _nfc(m.title or m.label).casefold() for m in p[:2])]
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
        for rec in _diff_models(ma, mb, inferred):
            note = "; ".join(x for x in (rec.pop("_note", ""), insert_notes) if x) or None
            out.append({**base, **rec, "diff_note": note})
    for i, r in enumerate(out):
        r["diff_row"] = i
    notes = [f"A = {side_a.label}: " + n for n in side_a.notes] + [f"B = {side_b.label}: " + n for n in side_b.notes]
    if side_a.kind == "document" or side_b.kind == "document":
        notes.append("document sides: 'removed' means not in the right-hand document, not repealed; the legal "
                      "status on a date is `decree consolidate --as-of DATE`")
    return DiffResult(diff_id, side_a, side_b, frame("norm_diffs", out), notes, model_notes=model_notes)


def _periods(rows: pd.DataFrame, inferred: dict[str, tuple[str, str]]) -> tuple[list[_Period], dict[str, str]]:
    periods: dict[str, _Period] = {}
    of_row: dict[str, str] = {}
    for r in rows.itertuples(index=False):
        idx = _period_idx(r.norm_address)
        if idx not in periods:
            ptype, why = r.period_type, None
            if r.consolidated_id in inferred:
                ptype, why = inferred[r.consolidated_id]
            periods[idx] = _Period(idx, _none(r.period), ptype, why)
        of_row[r.consolidated_id] = idx
    return list(periods.values()), of_row


def _section(rows: pd.DataFrame | None, stype: str, scope: str | None) -> pd.DataFrame | None:
    if rows is None:
        return None
    mask = [t == stype and _none(sc) == scope for t, sc in zip(rows["section_type"], rows["scope"], strict=True)]
    return rows[mask]


def _diff_models(ma: _Model | None, mb: _Model | None, inferred: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    ra = ma.rows if ma is not None else None
    rb = mb.rows if mb is not None else None
    skeys: list[tuple[str, str | None]] = []
    for rows in (ra, rb):
        if rows is not None:
            for k in zip(rows["section_type"], [_none(x) for x in rows["scope"]], strict=True):
                if k not in skeys:
                    skeys.append(k)
    for stype, scope in skeys:
        sa = _section(ra, stype, scope)
        sb = _section(rb, stype, scope)
        pa_, of_a = _periods(sa, inferred) if sa is not None else ([], {})
        pb, of_b = _periods(sb, inferred) if sb is not None else ([], {})
        aligned = _align_periods(pa_, pb) if pa_ and pb else []
        matched_a: set[int] = set()
        matched_b: set[int] = set()
        la = list(sa.itertuples(index=False)) if sa is not None else []
        lb = list(sb.itertuples(index=False)) if sb is not None else []
        for per_a, per_b, pscore, pwhy in aligned:
            ia = [i for i, r in enumerate(la) if of_a[r.consolidated_id] == per_a.idx]
            ib = [j for j, r in enumerate(lb) if of_b[r.consolidated_id] == per_b.idx]
            for i, j, iscore in _pair_items([la[i] for i in ia], [lb[j] for j in ib]):
                x, y = la[ia[i]], lb[ib[j]]
                status, vals, notes = _compare(x, y)
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
                        "diff_status": "removed", "value_a": _canon_value(x)[0], "unit": _none(x.unit),
                        "_note": per.inferred or ""})
        for j, y in enumerate(lb):
            if j in matched_b:
                continue
            per = pb_by[of_b[y.consolidated_id]]
            why = "period not aligned: no block of the same type or stage on the other side" if pa_ and \
                per.idx not in aligned_b else ("section absent on the other side" if not pa_ else None)
            out.append({"section_type": stype, **_side_item("b", y, per), "period_match": why,
                        "diff_status": "added", "value_b": _canon_value(y)[0], "unit": _none(y.unit), "_note": ""})
    return out


# ---------------------------------------------------------------- terminal


def _fmt(v: Any) -> str:
    v = _none(v)
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
        lines.append(f"[{p.model_pair}] A {_none(p.model_a) or '(none)'}: {_none(p.model_title_a) or ''}")
        lines.append(f"     B {_none(p.model_b) or '(none)'}: {_none(p.model_title_b) or ''}")
        lines.append(f"     match {p.model_match} score {p.model_score:.2f} ({p.model_match_reason})")
        lines.append(f"     added {p.added}  removed {p.removed}  changed {p.changed}  unchanged {p.unchanged}")
        if p.model_match == "unmatched" and not detail_unmatched:
            continue
        pair_rows = result.rows[result.rows.model_pair == p.model_pair]
        rows = pair_rows if show_unchanged else pair_rows[pair_rows.diff_status != "unchanged"]
        for r in rows.itertuples(index=False):
            item = r.item_text_a if _none(r.item_text_a) else r.item_text_b
            per = f"{_none(r.period_a) or '-'} -> {_none(r.period_b) or '-'}"
            change = f"{_fmt(r.value_raw_a)} {_fmt(r.unit_raw_a) if _none(r.unit_raw_a) else ''}".strip() + " -> " + \
                f"{_fmt(r.value_raw_b)} {_fmt(r.unit_raw_b) if _none(r.unit_raw_b) else ''}".strip()
            delta = ""
            if _none(r.abs_change) is not None:
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
    from pipeline.consolidate import build
    from pipeline.publish import load

    result = diff(build(data_dir), a, b, model_filter=model_filter)
    docs = load("documents", data_dir=data_dir)
    result.sources = {r.doc_sha256: str(r.source) for r in docs.itertuples(index=False) if r.source}
    return result
