"""Normalization benchmark: the domain datasets against the corpus truth's ``records``.

    .venv/bin/python -m bench.normalization [--out docs/normalization-bench.md] [--cache DIR] [--no-baselines]

For every sample PDF: extraction + ``pipeline.normalize.domain_frames``, scored against
``records.norm_items`` (matched on heading path (top and last heading), item text, period and scale; exact = same
value_raw and same canonical unit), ``plan_tasks``, ``budget_lines`` and ``schedule_marks``; plus
the quality checks (declared vs found models against the truth's ``meta.declared_models``, budget
totals). Two naive baselines are scored on norm items side by side: camelot alone (lattice on
every page, first numeric-looking cell of a row as the value, the cell before it as the unit) and
pdfplumber alone (``extract_tables``, same parsing). The baselines know no headings, periods or
scales, so they are matched leniently on item text alone — an upper bound for them.
Text is compared after NFC and whitespace collapse (cells wrapped over lines join with one space).
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from extractors.document import extract_document, sha256_file
from extractors.model import Document
from pipeline.normalize import domain_frames, split_item
from pipeline.units import parse_unit
from pipeline.values import clean_text, parse_value

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"


def _n(x: Any) -> str:
    return clean_text(str(x)) if x is not None and x == x else ""  # noqa: PLR0124  (NaN check)


def _unit(x: Any) -> str | None:
    return parse_unit(_n(x)).code


def _path(p: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(_n(x).casefold() for x in (p if p is not None else []))


def _score(truth: list[dict], ours: list[dict], key: Callable[[dict], Any], exact: Callable[[dict, dict], bool]
           ) -> dict[str, Any]:
    tk: dict[Any, list[dict]] = defaultdict(list)
    ok: dict[Any, list[dict]] = defaultdict(list)
    for t in truth:
        tk[key(t)].append(t)
    for o in ours:
        ok[key(o)].append(o)
    found = n_exact = 0
    misses: list[str] = []
    for k, ts in tk.items():
        os_ = ok.get(k, [])
        found += min(len(ts), len(os_))
        for t, o in zip(ts, os_, strict=False):
            if exact(t, o):
                n_exact += 1
            elif len(misses) < 15:
                misses.append(f"{k[-3:] if isinstance(k, tuple) else k}: truth {t.get('value_raw', '')!r} "
                              f"ours {o.get('value_raw', '')!r}")
        if len(os_) < len(ts) and len(misses) < 15:
            misses.append(f"missing {len(ts) - len(os_)} × {k[-3:] if isinstance(k, tuple) else k}")
    extra = sum(max(0, len(v) - len(tk.get(k, []))) for k, v in ok.items())
    return {"expected": len(truth), "found": found, "exact": n_exact, "extra": extra, "misses": misses}


# ---- our pipeline ------------------------------------------------------------------------------

def _norm_key(r: dict) -> tuple:
    # the heading path is matched on its top (appendix or article) and its last heading (the section
    # the table sits under): the levels between depend on the extractor's heading tree, which is
    # scored by bench/extraction.py, not here. Equal keys are paired in document order.
    p = _path(r["heading_path"])
    return (p[:1] + p[-1:], _n(r["item_text"]).casefold(), _n(r["period"]).casefold(), _n(r["scale"]).casefold())


def _score_doc(truth: dict, frames: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rec = truth["records"]
    ni = [{**r, "scale": r["scale_raw"]} for r in frames["norm_items"].to_dict("records")]
    out = {"norm_items": _score(rec["norm_items"], ni, _norm_key,
                                lambda t, o: _n(t["value_raw"]) == _n(o["value_raw"])
                                and _unit(t["unit_raw"]) == _unit(o["unit_raw"]))}
    pt = frames["plan_tasks"].to_dict("records")
    out["plan_tasks"] = _score(
        rec["plan_tasks"], pt, lambda r: (_n(r.get("no", r.get("task_no"))), _n(r["content"])[:80].casefold()),
        lambda t, o: all(_n(t[a]) == _n(o[b]) for a, b in [("lead", "lead_unit"), ("partner", "partner_units"),
                                                             ("time", "time_raw"), ("product", "product")]))
    bl = frames["budget_lines"].to_dict("records")
    src = {"NSTW": "nstw_raw", "Ngân sách tỉnh": "province_raw", "Ngân sách xã, phường": "commune_raw",
           "Vốn đối ứng": "counterpart_raw"}
    out["budget_lines"] = _score(
        rec["budget_lines"], bl, lambda r: (_n(r.get("no", r.get("line_no"))), _n(r["item"]).casefold()),
        lambda t, o: _n(t["total_raw"]) == _n(o["total_raw"])
        and all(_n(t["sources_raw"].get(k)) == _n(o[v]) for k, v in src.items()))
    sm = frames["schedule_marks"].to_dict("records")
    out["schedule_marks"] = _score(
        rec["schedule_marks"], sm,
        lambda r: (_n(r.get("coop", r.get("cooperative"))).casefold(), _n(r.get("period", r.get("period_label")))),
        lambda t, o: bool(t["marked"]) == bool(o["is_marked"]) and _n(t["note"]) == _n(o["note"]))
    return out


# ---- naive baselines ---------------------------------------------------------------------------

_NUMERIC_KINDS = {"number", "range", "comparator", "percent", "product", "fraction"}


def _naive_records(rows: Iterable[list[str]]) -> list[dict]:
    out = []
    for cells in rows:
        cells = [_n(c) for c in cells]
        vi = next((i for i, c in enumerate(cells) if i > 0 and c and parse_value(c).kind in _NUMERIC_KINDS), None)
        if vi is None:
            continue
        item = next((c for c in cells[:vi] if any(ch.isalpha() for ch in c)), "")
        out.append({"item_text": split_item(item)[1], "unit_raw": cells[vi - 1] if vi >= 1 else "",
                    "value_raw": cells[vi]})
    return out


def _camelot_rows(pdf: Path) -> list[list[str]]:
    import camelot

    rows: list[list[str]] = []
    for t in camelot.read_pdf(str(pdf), pages="all", flavor="lattice"):
        rows.extend([list(map(str, r)) for r in t.df.values.tolist()])
    return rows


def _pdfplumber_rows(pdf: Path) -> list[list[str]]:
    import pdfplumber

    rows: list[list[str]] = []
    with pdfplumber.open(pdf) as p:
        for page in p.pages:
            for t in page.extract_tables():
                rows.extend([[c or "" for c in r] for r in t])
    return rows


def _score_baseline(truth: dict, rows: list[list[str]]) -> dict[str, Any]:
    return _score(truth["records"]["norm_items"], _naive_records(rows), lambda r: _n(r["item_text"]).casefold(),
                  lambda t, o: _n(t["value_raw"]) == _n(o["value_raw"]) and _unit(t["unit_raw"]) == _unit(o["unit_raw"]))


# ---- checks ------------------------------------------------------------------------------------

def _check_rows(truth: dict, checks: list[dict]) -> list[str]:
    out = []
    declared = truth["meta"].get("declared_models") or {}
    got = {c["check_scope"]: c for c in checks if c["check_name"] == "declared_models"}
    for app, n in declared.items():
        c = got.get(app)
        ok = c is not None and c["expected"] == str(n) and c["passed"]
        out.append(f"declared_models {app}: truth {n}, check " + (f"{c['expected']} vs found {c['actual']}"
                                                                    if c else "MISSING") + (" ✓" if ok else " ✗"))
    budget = [c for c in checks if c["check_name"].startswith("budget_")]
    if budget:
        n_ok = sum(bool(c["passed"]) for c in budget)
        out.append(f"budget checks: {n_ok}/{len(budget)} reconcile" + (" ✓" if n_ok == len(budget) else " ✗"))
    return out


# ---- unit coverage on the held-out list ---------------------------------------------------------

HELDOUT = REPO / "tests" / "data" / "units_heldout.csv"


def heldout_units(path: Path = HELDOUT) -> list[str]:
    """Unit grammar on printed units of other sectors (tests/data/units_heldout.csv, written by hand
    before the grammar): right = same code, dimension and factor (or unknown where unknown is
    expected); unknown = flagged, not guessed; wrong = a code or factor that differs."""
    import csv
    from decimal import Decimal

    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    outcome: Counter = Counter()
    by_sector: dict[str, Counter] = defaultdict(Counter)
    wrong: list[str] = []
    for r in rows:
        u = parse_unit(r["printed"])
        if not r["code"]:
            o = "right" if not u.known else "wrong"
        elif not u.known:
            o = "unknown"
        else:
            o = "right" if (u.code, u.dimension, u.factor) == (r["code"], r["dimension"], Decimal(r["factor"])) else "wrong"
        outcome[o] += 1
        by_sector[r["sector"]][o] += 1
        if o == "wrong":
            wrong.append(f"{r['printed']!r}: expected {r['code'] or 'unknown'} x{r['factor']}, got {u.code} x{u.factor}")
    n = len(rows)
    out = ["", "## Unit coverage on the held-out list", "",
           f"`tests/data/units_heldout.csv`: {n} printed units of other sectors' norm decrees. "
           f"Right {outcome['right']} ({100 * outcome['right'] / n:.1f} %), unknown {outcome['unknown']}, "
           f"wrong {outcome['wrong']}.", "", "| sector | units | right | unknown | wrong |", "|---|---:|---:|---:|---:|"]
    for sector, c in sorted(by_sector.items()):
        out.append(f"| {sector} | {sum(c.values())} | {c['right']} | {c['unknown']} | {c['wrong']} |")
    out += [f"- wrong: {w}" for w in wrong]
    return out


def _load(pdf: Path, cache: Path | None) -> Document:
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        f = cache / f"{sha256_file(pdf)}.pkl"
        if f.exists():
            return pickle.loads(f.read_bytes())
        doc = extract_document(pdf)
        f.write_bytes(pickle.dumps(doc))
        return doc
    return extract_document(pdf)


def run(samples: Path = SAMPLES, cache: Path | None = None, baselines: bool = True) -> str:
    totals: dict[str, Counter] = defaultdict(Counter)
    lines = ["# Normalization benchmark", "",
             "Domain records against the sample corpus truth (`data/samples/truth/*/*.json`, `records`). "
             "found = expected record matched on its key; exact = also same value/fields (norm items: "
             "same value_raw and same canonical unit). Produced by `python -m bench.normalization`.", "",
             "| document | dataset | expected | found | exact | exact % | extra |", "|---|---|---:|---:|---:|---:|---:|"]
    base_lines = ["", "## Baselines on norm items (lenient: matched on item text only)", "",
                  "| document | expected | ours exact | camelot exact | pdfplumber exact |", "|---|---:|---:|---:|---:|"]
    check_lines = ["", "## Quality checks against the truth and DOMAIN.md", ""]
    unit_strings: Counter = Counter()
    unknown_units: Counter = Counter()
    misses: list[str] = []
    t0 = time.time()
    for truth_path in sorted(samples.glob("truth/*/*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        pdf = samples / "pdf" / truth["style"] / truth["pdf"]
        doc_id = f"{truth['style']}/{truth['doc_id']}"
        doc = _load(pdf, cache)
        frames = domain_frames(doc)
        scores = _score_doc(truth, frames)
        for ds, s in scores.items():
            if not s["expected"] and not s["extra"]:
                continue
            for k in ("expected", "found", "exact", "extra"):
                totals[ds][k] += s[k]
            pct = 100 * s["exact"] / s["expected"] if s["expected"] else 0.0
            lines.append(f"| {doc_id} | {ds} | {s['expected']} | {s['found']} | {s['exact']} | {pct:.2f} | {s['extra']} |")
            misses += [f"{doc_id} {ds}: {m}" for m in s["misses"][:8]]
        ni = frames["norm_items"]
        for raw, fl in zip(ni["unit_raw"], ni["flags"], strict=True):
            if _n(raw) and "value_spans_unit_column" not in fl:
                unit_strings[_n(raw)] += 1
                if "unknown_unit" in fl:
                    unknown_units[_n(raw)] += 1
        check_lines += [f"- {doc_id}: {x}" for x in _check_rows(truth, frames["quality_checks"].to_dict("records"))]
        if baselines and truth["records"]["norm_items"]:
            ours = scores["norm_items"]["exact"]
            cam = _score_baseline(truth, _camelot_rows(pdf))["exact"]
            plb = _score_baseline(truth, _pdfplumber_rows(pdf))["exact"]
            n = scores["norm_items"]["expected"]
            base_lines.append(f"| {doc_id} | {n} | {ours} ({100 * ours / n:.1f} %) | {cam} ({100 * cam / n:.1f} %) | "
                              f"{plb} ({100 * plb / n:.1f} %) |")
    lines += ["", "| **all** | dataset | expected | found | exact | exact % | extra |", "|---|---|---:|---:|---:|---:|---:|"]
    for ds, c in totals.items():
        pct = 100 * c["exact"] / c["expected"] if c["expected"] else 0.0
        lines.append(f"| all | {ds} | {c['expected']} | {c['found']} | {c['exact']} | {pct:.2f} | {c['extra']} |")
    mapped = len(unit_strings) - len(unknown_units)
    lines += ["", f"Unit strings in norm items: {len(unit_strings)} distinct, {mapped} mapped "
              f"({100 * mapped / max(1, len(unit_strings)):.1f} %)"
              + (f"; unknown: {', '.join(sorted(unknown_units))}" if unknown_units else "") + "."]
    out = lines + heldout_units() + (base_lines if baselines else []) + check_lines
    out += ["", "## First mismatches", "", *[f"- {m}" for m in misses[:40]], "",
            f"_Run time {time.time() - t0:.0f} s._", ""]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, help="also write the markdown report here")
    ap.add_argument("--cache", type=Path, help="cache extracted documents here (pickles keyed by sha256)")
    ap.add_argument("--no-baselines", action="store_true", help="skip the camelot/pdfplumber baselines")
    ap.add_argument("--samples", type=Path, default=SAMPLES)
    a = ap.parse_args()
    report = run(a.samples, a.cache, not a.no_baselines)
    print(report)
    if a.out:
        a.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
