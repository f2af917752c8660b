"""Normalization benchmark: the domain datasets against the corpus truth's ``records``.

    .venv/bin/python -m bench.normalization [--out docs/normalization-bench.md] [--cache DIR] [--no-baselines]

For every sample PDF: extraction + ``pipeline.records.domain.domain_frames``, scored against
``records.norm_items`` (matched on heading path (top and last heading), item text, period and scale; exact = same
value_raw and the truth's unit code and factor), ``plan_tasks``, ``budget_lines`` and ``schedule_marks``; plus
the quality checks (declared vs found models against the truth's ``meta.declared_models``, budget
totals). Norm items are also scored field by field (value, value_min, value_max, comparator, unit,
unit_factor) against the truth's parsed fields, per style, for: the pipeline; the pipeline's parsers
alone on the truth's raw strings; and two baselines — camelot alone (lattice on every page) and
pdfplumber alone (``extract_tables``) — whose rows are read by the header vocabulary and passed
through the same parsers, so the comparison measures extraction. The baselines know no headings,
periods or scales, so they are matched leniently on item text alone — an upper bound for them.
The unit grammar is also scored on the two held-out unit lists (tests/data/units_heldout.csv and
units_heldout_2.csv, the latter written before reading the grammar), each reported separately.
Text is compared after NFC and whitespace collapse (cells wrapped over lines join with one space).
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from extractors.document import extract_document, sha256_file
from extractors.model import Document
from pipeline.parsing.units import parse_unit
from pipeline.parsing.values import clean_text, parse_value
from pipeline.records.domain import domain_frames
from pipeline.records.row_cells import split_item

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"


def _n(x: Any) -> str:
    return clean_text(str(x)) if x is not None and x == x else ""  # noqa: PLR0124  (NaN check)


def _path(p: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(_n(x).casefold() for x in (p if p is not None else []))


def _by_key(records: list[dict], key: Callable[[dict], Any]) -> dict[Any, list[dict]]:
    out: dict[Any, list[dict]] = defaultdict(list)
    for r in records:
        out[key(r)].append(r)
    return out


def _score(truth: list[dict], ours: list[dict], key: Callable[[dict], Any], exact: Callable[[dict, dict], bool]
           ) -> dict[str, Any]:
    tk, ok = _by_key(truth, key), _by_key(ours, key)
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


# ---- parsed fields against the truth ---------------------------------------------------------------

FIELDS = ("value", "value_min", "value_max", "comparator", "unit", "unit_factor")


def _dec(x: Any) -> Decimal | None:
    if x is None or x != x or x == "":  # noqa: PLR0124  (NaN)
        return None
    return Decimal(str(x))


def _field_equal(field: str, t: dict, o: dict) -> bool:
    tv, ov = t.get(field), o.get(field)
    if field in ("comparator", "unit"):
        return (tv or None) == (ov if isinstance(ov, str) and ov else None)
    return _dec(tv) == _dec(ov)


def _parsed(value_raw: str, unit_raw: str, unit_spans_value: bool = False) -> dict:
    """The pipeline's parsers (pipeline.values.parse_value, pipeline.units.parse_unit) on raw strings:
    the same parsers for our records, the baselines' rows and the truth's raw strings."""
    pv, pu = parse_value(value_raw), parse_unit(unit_raw)
    known = pu.known and not unit_spans_value
    return {"value": pv.value, "value_min": pv.value_min, "value_max": pv.value_max, "comparator": pv.comparator,
            "unit": pu.code if known else None, "unit_factor": pu.factor if known else None}


def _score_fields(truth: list[dict], ours: list[dict], key: Callable[[dict], Any]) -> Counter:
    """Per field: how many truth records have a matched record with the same parsed field (an
    unmatched truth record counts against every field), out of ``n``."""
    tk, ok = _by_key(truth, key), _by_key(ours, key)
    c: Counter = Counter(n=len(truth))
    for k, ts in tk.items():
        for t, o in zip(ts, ok.get(k, []), strict=False):
            for f in FIELDS:
                c[f] += _field_equal(f, t, o)
    return c


def _parser_alone(truth: list[dict]) -> Counter:
    """The pipeline's parsers on the truth's own raw strings: normalization without extraction."""
    c: Counter = Counter(n=len(truth))
    for t in truth:
        o = _parsed(t["value_raw"], t["unit_raw"], unit_spans_value=t["unit"] is None and bool(t["unit_raw"].strip()))
        for f in FIELDS:
            c[f] += _field_equal(f, t, o)
    return c


def _pct(c: Counter, f: str) -> str:
    return f"{100 * c[f] / c['n']:.2f}" if c["n"] else "-"


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
    fields = _score_fields(rec["norm_items"], ni, _norm_key)
    out = {"norm_items": _score(rec["norm_items"], ni, _norm_key,
                                lambda t, o: _n(t["value_raw"]) == _n(o["value_raw"])
                                and _field_equal("unit", t, o) and _field_equal("unit_factor", t, o))}
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
    out["_fields"] = fields  # type: ignore[assignment]
    return out


# ---- naive baselines ---------------------------------------------------------------------------

def _naive_records(rows: Iterable[list[str]]) -> list[dict]:
    """Norm records from a raw tool's table rows, read the way the pipeline reads a header: a row
    whose cells name an item, a unit and a value column (the header vocabulary of
    schemas/table_families.yaml) fixes the columns until the next header or a change of width;
    every later row gives one record per value column, parsed by the pipeline's parsers. The
    raw tools know no headings, periods or merged cells, so a cell merged over rows is empty below
    its first row — that is the extraction being measured."""
    from pipeline.records.families import norm_label, role_of

    out: list[dict] = []
    cols: dict[str, list[int]] | None = None
    width = -1
    for cells in rows:
        cells = [_n(c) for c in cells]
        roles = [role_of(norm_label(c)) for c in cells]
        if "unit" in roles and "value" in roles and ("item" in roles or "no" in roles):
            cols = {r: [i for i, x in enumerate(roles) if x == r] for r in ("item", "unit", "value", "no")}
            width = len(cells)
            continue
        if cols is None or len(cells) != width or not cols["item"] or not cols["unit"]:
            continue
        item = cells[cols["item"][0]]
        unit = cells[cols["unit"][0]]
        for vi in cols["value"]:
            value = cells[vi]
            if not value and not unit:
                continue
            out.append({"item_text": split_item(item)[1], "unit_raw": unit, "value_raw": value,
                        **_parsed(value, unit, unit_spans_value=False)})
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


def _score_baseline(truth: dict, rows: list[list[str]]) -> Counter:
    return _score_fields(truth["records"]["norm_items"], _naive_records(rows), lambda r: _n(r["item_text"]).casefold())


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
HELDOUT_2 = REPO / "tests" / "data" / "units_heldout_2.csv"
HELDOUT_LISTS = (
    (HELDOUT, "written by the session that then wrote the grammar"),
    (HELDOUT_2, "the independent one: written by another session before it read the grammar"),
)


def expects_code(row: dict[str, str]) -> bool:
    """A held-out row expects a code unless its ``expect`` column says unknown or (first list, no such
    column) its code is blank."""
    return row.get("expect", "right" if row["code"] else "unknown") != "unknown"


def heldout_outcome(row: dict[str, str], u: Any) -> str:
    """"right", "unknown" or "wrong" for one held-out row; a row expecting unknown is right when unknown."""
    if not expects_code(row):
        return "right" if not u.known else "wrong"
    if not u.known:
        return "unknown"
    return "right" if (u.code, u.dimension, u.factor) == (row["code"], row["dimension"], Decimal(row["factor"])) else "wrong"


def heldout_units(path: Path = HELDOUT, origin: str = "") -> list[str]:
    """Unit grammar on printed units of other sectors (a held-out list, written by hand): right = same
    code, dimension and factor (or unknown where unknown is expected); unknown = flagged, not
    guessed; wrong = a code or factor that differs, or a code where unknown is expected."""
    import csv

    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    outcome: Counter = Counter()
    by_sector: dict[str, Counter] = defaultdict(Counter)
    wrong: list[str] = []
    outcomes: list[str] = []
    for r in rows:
        u = parse_unit(r["printed"])
        o = heldout_outcome(r, u)
        outcomes.append(o)
        outcome[o] += 1
        by_sector[r["sector"]][o] += 1
        if o == "wrong":
            wrong.append(f"{r['printed']!r}: expected {r['code'] or 'unknown'} x{r['factor']}, got {u.code} x{u.factor}")
    n = len(rows)
    n_known = sum(expects_code(r) for r in rows)
    right_known = sum(expects_code(r) and o == "right" for r, o in zip(rows, outcomes, strict=True))
    rel = path.relative_to(REPO).as_posix()
    out = ["", f"## Unit coverage on the held-out list `{rel}`", "",
           f"`{rel}` ({origin}): {n} printed units of other sectors' norm decrees. "
           f"Right {outcome['right']} ({100 * outcome['right'] / n:.1f} %), unknown {outcome['unknown']}, "
           f"wrong {outcome['wrong']}; of the {n_known} expecting a code, {right_known} right "
           f"({100 * right_known / max(1, n_known):.1f} %).", "", "| sector | units | right | unknown | wrong |", "|---|---:|---:|---:|---:|"]
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
             "same value_raw and the truth's unit code and factor). Produced by `python -m bench.normalization`.", "",
             "| document | dataset | expected | found | exact | exact % | extra |", "|---|---|---:|---:|---:|---:|---:|"]
    base_lines = ["", "## Baselines on norm items (lenient: matched on item text only)", "",
                  "Camelot (lattice) and pdfplumber (`extract_tables`) rows, columns found by the header vocabulary, "
                  "passed through the same parsers as the pipeline; % of truth records with the right parsed field.", "",
                  "| document | expected | ours exact | camelot value % | camelot unit % | pdfplumber value % | "
                  "pdfplumber unit % |", "|---|---:|---:|---:|---:|---:|---:|"]
    field_totals: dict[tuple[str, str], Counter] = defaultdict(Counter)
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
        style = truth["style"]
        field_totals[(style, "pipeline")] += scores.pop("_fields")  # type: ignore[arg-type]
        field_totals[(style, "parsers alone")] += _parser_alone(truth["records"]["norm_items"])
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
            cam = _score_baseline(truth, _camelot_rows(pdf))
            plb = _score_baseline(truth, _pdfplumber_rows(pdf))
            field_totals[(style, "camelot")] += cam
            field_totals[(style, "pdfplumber")] += plb
            ours = scores["norm_items"]["exact"]
            n = scores["norm_items"]["expected"]
            base_lines.append(f"| {doc_id} | {n} | {ours} ({100 * ours / n:.1f} %) | {_pct(cam, 'value')} | "
                              f"{_pct(cam, 'unit')} | {_pct(plb, 'value')} | {_pct(plb, 'unit')} |")
    lines += ["", "| **all** | dataset | expected | found | exact | exact % | extra |", "|---|---|---:|---:|---:|---:|---:|"]
    for ds, c in totals.items():
        pct = 100 * c["exact"] / c["expected"] if c["expected"] else 0.0
        lines.append(f"| all | {ds} | {c['expected']} | {c['found']} | {c['exact']} | {pct:.2f} | {c['extra']} |")
    mapped = len(unit_strings) - len(unknown_units)
    lines += ["", f"Unit strings in norm items: {len(unit_strings)} distinct, {mapped} mapped "
              f"({100 * mapped / max(1, len(unit_strings)):.1f} %)"
              + (f"; unknown: {', '.join(sorted(unknown_units))}" if unknown_units else "") + "."]
    field_lines = ["", "## Parsed fields of norm items against the truth", "",
                   "Per style, % of the truth's norm records whose parsed field (value, bounds, comparator, unit code, "
                   "unit factor — `records.norm_items` of the truth, written from the source) is matched exactly. "
                   "*pipeline*: extraction + normalization; *parsers alone*: the pipeline's parsers on the truth's own raw "
                   "strings (normalization without extraction); *camelot*/*pdfplumber*: the raw tools' rows through the "
                   "same parsers (extraction without the pipeline).", "",
                   "| style | reader | records | " + " | ".join(FIELDS) + " |", "|---|---|---:|" + "---:|" * len(FIELDS)]
    for (style, reader), c in sorted(field_totals.items()):
        field_lines.append(f"| {style} | {reader} | {c['n']} | " + " | ".join(_pct(c, f) for f in FIELDS) + " |")
    held = [line for path, origin in HELDOUT_LISTS for line in heldout_units(path, origin)]
    out = lines + field_lines + held + (base_lines if baselines else []) + check_lines
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
