"""Matching two sides of a norm diff (docs/DOMAIN.md §4.2, §9): selecting a side, pairing models,
aligning periods and pairing items, each decision with its score and reason. The rules are
described in ``pipeline.versions.diff``; this module holds them, ``diff`` assembles the rows."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Any

import pandas as pd

from pipeline.core.errors import ConsolidationError
from pipeline.core.missing import none_if_missing
from pipeline.core.provisions import APPENDIX_LOOSE
from pipeline.core.text import nfc
from pipeline.versions.asof import in_force, parse_as_of

__all__ = ["ITEM_THRESHOLD", "MODEL_THRESHOLD", "Model", "Period", "Side", "align_periods", "canonical_text",
           "canonical_value", "compare_items", "infer_period_types", "model_score", "models", "pair_items", "pair_models",
           "period_index", "select_side"]

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


def canonical_text(s: str | None) -> str:
    """Item text for matching: NFC, casefolded, ellipses and trailing punctuation normalized."""
    t = nfc(s or "").casefold().replace("…", "...")
    t = re.sub(r"\.{2,}", "...", t)
    t = re.sub(r"\s*([,;:()])\s*", r"\1 ", t)
    t = re.sub(r"[\s.,;:]+$", "", t)
    return " ".join(t.split())


def _tokens(s: str | None) -> set[str]:
    t = nfc(s or "").casefold()
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
    sel = nfc(selector.strip())
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
        idx = period_index(r)
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
        k = (r.doc_sha256, r.model_path, r.section_type, period_index(r))
        if k in out_types:
            res[r.consolidated_id] = out_types[k]
    return res


def period_index(row: Any) -> str:
    """The period block of a norm row ('P1', ...; '-' when it has none)."""
    return none_if_missing(getattr(row, "period_index", None)) or "-"


@dataclass
class Period:
    idx: str
    label: str | None
    ptype: str
    inferred: str | None = None

    @property
    def shown(self) -> str:
        if self.label:
            return self.label
        return f"(unlabelled block {self.idx.lstrip('P')})" if self.idx.startswith("P") else "(no period column)"


def align_periods(pa_: list[Period], pb: list[Period]) -> list[tuple[Period, Period, float, str]]:
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
class Model:
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
    doc = none_if_missing(r.doc_number) or r.doc_sha256[:12]
    pl = re.sub(rf"(?i)^{APPENDIX_LOOSE}\s+", "PL-", r.appendix) if none_if_missing(r.appendix) else None
    if pl:
        return f"{doc} {pl} {r.part + '.' if none_if_missing(r.part) else ''}{none_if_missing(r.model_no) or ''}".strip()
    clause = (none_if_missing(r.introduced_by_clause) or "").split("/")[-1]  # null model_no: an inline section (7.6)
    return f"{doc} {clause} mục {none_if_missing(r.model_no) or '?'}".strip()


def _most_common(values: pd.Series, default: str) -> str:
    counts = Counter(v for v in values if none_if_missing(v) is not None)
    return counts.most_common(1)[0][0] if counts else default


def models(rows: pd.DataFrame) -> list[Model]:
    out = []
    for key, g in rows.groupby("model_path", sort=False, dropna=False):
        r = g.iloc[0]
        keyed = g[g["norm_key"].notna()]  # the model's norm rows (not the notes about missing base text)
        sector = _most_common(keyed["sector"], "unknown")
        commodity = _most_common(keyed["commodity"], "")
        practice = _most_common(keyed["practice"], "-")
        out.append(Model(str(key), _model_label(r), none_if_missing(r.model_title), g, sector, _tokens(commodity), practice,
                          _tokens(none_if_missing(r.model_title)), set(g["section_type"].dropna()),
                          {canonical_text(t) for t in g["item_text"].dropna()}))
    return out


def model_score(a: Model, b: Model) -> tuple[float, str]:
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


def pair_models(ma: list[Model], mb: list[Model], identity: bool
                 ) -> list[tuple[Model | None, Model | None, str, float, str]]:
    pairs: list[tuple[Model | None, Model | None, str, float, str]] = []
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

    def unmatched(m: Model) -> tuple[float, str]:
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


def canonical_value(r: Any) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    f = none_if_missing(r.unit_factor) or Decimal(1)
    return tuple(None if none_if_missing(v) is None else Decimal(v) * f  # type: ignore[return-value]
                 for v in (r.value, r.value_min, r.value_max))


def compare_items(ra: Any, rb: Any) -> tuple[str, dict[str, Any], list[str]]:
    va, vb = canonical_value(ra), canonical_value(rb)
    ua, ub = none_if_missing(ra.unit), none_if_missing(rb.unit)
    notes = []
    same_unit = ua == ub
    numeric = va[0] is not None and vb[0] is not None
    if numeric or va[1:] != (None, None) or vb[1:] != (None, None):
        same = same_unit and va == vb and none_if_missing(ra.comparator) == none_if_missing(rb.comparator)
    else:
        same = same_unit and canonical_text(none_if_missing(ra.value_text) or ra.value_raw) == \
            canonical_text(none_if_missing(rb.value_text) or rb.value_raw)
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
    if (none_if_missing(ra.reference) or "") != (none_if_missing(rb.reference) or ""):
        notes.append("reference differs")
    return ("unchanged" if same else "changed"), out, notes


def pair_items(ga: list[Any], gb: list[Any]) -> list[tuple[int, int, float]]:
    """Index pairs (i, j, score): exact canonical text in order first, then best similarity."""
    pairs = []
    free_b = list(range(len(gb)))
    keys_b = [(canonical_text(r.item_text), none_if_missing(r.scale_raw)) for r in gb]
    rest_a = []
    for i, r in enumerate(ga):
        k = (canonical_text(r.item_text), none_if_missing(r.scale_raw))
        j = next((j for j in free_b if keys_b[j] == k), None)
        if j is None:
            rest_a.append(i)
        else:
            pairs.append((i, j, 1.0))
            free_b.remove(j)
    for i in rest_a:
        ta = canonical_text(ga[i].item_text)
        best = max(((SequenceMatcher(None, ta, keys_b[j][0]).ratio(), j) for j in free_b
                    if keys_b[j][1] == none_if_missing(ga[i].scale_raw)), default=(0.0, None))
        if best[1] is not None and best[0] >= ITEM_THRESHOLD:
            pairs.append((i, best[1], round(best[0], 3)))
            free_b.remove(best[1])
    return pairs
