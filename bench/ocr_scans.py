"""Norm records read from scanned variants of sample-corpus pages, against the originals' truth.

    python -m bench.ocr_scans             # markdown report; scans are generated into build/scans/

Each variant (``tools/corpus/scan.py``: 150-300 dpi, slight rotation, grain, JPEG, a red seal
over the text, a blue signature) is the first pages of a sample PDF. Truth: the original's
``records.norm_items`` whose table lies entirely on those pages. The variant goes through the
whole pipeline (``extract_document`` with OCR, ``domain_frames``); beside it, the original cut to
the same pages (text layer), so OCR errors are told apart from extraction errors.

Truth records are paired with ours in document order by item text (similar: >= 0.85 after NFC and
whitespace folding; the order-preserving pairing with the most pairs, see ``align``); exact = same ``value_raw`` and the same canonical unit. Errors are
listed by kind: missing (no record with that item), value, unit, value+unit.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tools.corpus.scan import ScanSettings, scan_pdf

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
BUILD = REPO / "build" / "scans"
# (style, document, last page, scan dpi): three resolutions, two producers, two decrees
VARIANTS = (
    ("gov", "vinhlong-33-2022", 8, 200),
    ("compact", "vinhlong-30-2023", 6, 300),
    ("gov", "vinhlong-30-2023", 5, 150),
)
MIN_ITEM_SIMILARITY = 0.85


def _n(x: Any) -> str:
    from pipeline.parsing.values import clean_text

    return clean_text(str(x)) if x is not None and x == x else ""  # noqa: PLR0124  (NaN check)


def _unit(x: Any) -> str | None:
    from pipeline.parsing.units import parse_unit

    return parse_unit(_n(x)).code


def truth_records(style: str, doc: str, last_page: int) -> list[dict]:
    truth = json.loads((SAMPLES / "truth" / style / f"{doc}.json").read_text(encoding="utf-8"))
    inside = {t["index"] for t in truth["tables"] if max(t["pages"]) <= last_page}
    return [r for r in truth["records"]["norm_items"] if r["table_index"] in inside]


def pipeline_records(pdf: Path, cache_root: Path | None, settings=None) -> tuple[list[dict], dict]:  # noqa: ANN001
    from extractors.document import extract_document
    from extractors.ocr_image import OcrSettings
    from pipeline.records.domain import domain_frames

    doc = extract_document(pdf, cache_root=cache_root, ocr=settings or OcrSettings())
    frames = domain_frames(doc)
    info = {"ocr_seconds": doc.ocr_seconds, "ocr_pages": sum(p.is_ocr for p in doc.pages),
            "tables": len(doc.tables)}
    return frames["norm_items"].to_dict("records"), info


def _exact(t: dict, o: dict) -> tuple[bool, bool]:
    return _n(t["value_raw"]) == _n(o["value_raw"]), _unit(t["unit_raw"]) == _unit(o["unit_raw"])


def align(truth: list[dict], ours: list[dict]) -> dict[int, int]:
    """Truth index -> our index: the order-preserving pairing of similar items (>=
    MIN_ITEM_SIMILARITY) with the most pairs, then the most exact ones (a global alignment: one
    record missed early does not shift every later pair, as a greedy scan with a look-ahead did)."""
    n, m = len(truth), len(ours)
    ti = [_n(t["item_text"]).casefold() for t in truth]
    oi = [_n(o["item_text"]).casefold() for o in ours]
    gain = [[0.0] * m for _ in range(n)]
    for a in range(n):
        for b in range(m):
            if difflib.SequenceMatcher(None, ti[a], oi[b]).ratio() >= MIN_ITEM_SIMILARITY:
                gain[a][b] = 1.0 + 0.001 * all(_exact(truth[a], ours[b]))
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            best[a][b] = max(best[a + 1][b], best[a][b + 1],
                             gain[a][b] + best[a + 1][b + 1] if gain[a][b] else 0.0)
    pairs: dict[int, int] = {}
    a = b = 0
    while a < n and b < m:
        if gain[a][b] and best[a][b] == gain[a][b] + best[a + 1][b + 1]:
            pairs[a] = b
            a, b = a + 1, b + 1
        elif best[a][b] == best[a + 1][b]:
            a += 1
        else:
            b += 1
    return pairs


def score(truth: list[dict], ours: list[dict]) -> dict[str, Any]:
    """Pair in document order by item text (``align``); count exact value+unit; list errors by kind."""
    kinds: Counter[str] = Counter()
    errors: list[str] = []
    exact = 0
    pairs = align(truth, ours)
    for k, t in enumerate(truth):
        if k not in pairs:
            kinds["missing"] += 1
            errors.append(f"missing: {t['item_text']!r} ({t['value_raw']} {t['unit_raw']})")
            continue
        o = ours[pairs[k]]
        v_ok, u_ok = _exact(t, o)
        if v_ok and u_ok:
            exact += 1
            continue
        kind = "value+unit" if not (v_ok or u_ok) else "value" if not v_ok else "unit"
        kinds[kind] += 1
        errors.append(f"{kind}: {t['item_text']!r}: truth {t['value_raw']!r} {t['unit_raw']!r}, "
                      f"ours {o['value_raw']!r} {o['unit_raw']!r}")
    n = len(truth)
    return {"expected": n, "exact": exact, "accuracy": round(exact / n, 4) if n else None,
            "errors_by_kind": dict(kinds), "errors": errors}


def _cut(src: Path, last_page: int, out: Path) -> Path:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(src))
    new = pdfium.PdfDocument.new()
    new.import_pages(pdf, list(range(last_page)))
    new.save(str(out))
    pdf.close()
    new.close()
    return out


def scan_scores(variants=VARIANTS, build: Path = BUILD, settings=None) -> dict[str, Any]:  # noqa: ANN001
    out: dict[str, Any] = {"variants": {}}
    tot = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for style, doc, last, dpi in variants:
            src = SAMPLES / "pdf" / style / f"{doc}.pdf"
            scan = build / f"{style}-{doc}-p1-{last}-{dpi}dpi.pdf"
            if not scan.is_file():
                scan_pdf(src, scan, list(range(1, last + 1)), ScanSettings(dpi=dpi, seed=last))
            truth = truth_records(style, doc, last)
            t0 = time.perf_counter()
            ours, info = pipeline_records(scan, None, settings)
            seconds = time.perf_counter() - t0
            text_layer, _ = pipeline_records(_cut(src, last, Path(tmp) / f"{style}-{doc}.pdf"), None)
            s_ocr, s_text = score(truth, ours), score(truth, text_layer)
            out["variants"][f"{style}/{doc} p1-{last} @{dpi}dpi"] = {
                "ocr": s_ocr, "text_layer": s_text, "seconds": round(seconds, 1),
                "seconds_per_page": round(info["ocr_seconds"] / max(1, info["ocr_pages"]), 2), **info}
            tot["expected"] += s_ocr["expected"]
            tot["exact"] += s_ocr["exact"]
            tot["text_exact"] += s_text["exact"]
            for k, v in s_ocr["errors_by_kind"].items():
                tot[f"err_{k}"] += v
            print(f"  scan {style}/{doc} @{dpi}: {s_ocr['exact']}/{s_ocr['expected']} "
                  f"(text layer {s_text['exact']})", file=sys.stderr, flush=True)
    out["accuracy"] = round(tot["exact"] / max(1, tot["expected"]), 4)
    out["text_layer_accuracy"] = round(tot["text_exact"] / max(1, tot["expected"]), 4)
    out["errors_by_kind"] = {k[4:]: v for k, v in tot.items() if k.startswith("err_")}
    out["expected"] = tot["expected"]
    return out


def scan_report(r: dict[str, Any]) -> str:
    lines = ["## Norm records from scanned sample pages (value and unit exact; target >= 95 %)", "",
             f"Overall: {r['accuracy']:.4f} of {r['expected']} records (same pages, text layer: "
             f"{r['text_layer_accuracy']:.4f}); errors by kind: {r['errors_by_kind']}", "",
             "| variant | OCR exact | text layer exact | expected | s/page |", "|---|---|---|---|---|"]
    for name, v in r["variants"].items():
        lines.append(f"| {name} | {v['ocr']['exact']} | {v['text_layer']['exact']} | {v['ocr']['expected']} | "
                     f"{v['seconds_per_page']} |")
    lines += ["", "Errors (OCR):", ""]
    for name, v in r["variants"].items():
        lines += [f"- {name}: {e}" for e in v["ocr"]["errors"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    r = scan_scores()
    if args.json:
        args.json.write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
    print(scan_report(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
