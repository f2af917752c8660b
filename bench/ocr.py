"""OCR on the real scans, side by side with raw Tesseract and with the text layer alone.

    python -m bench.ocr                    # markdown report (needs ../shared/real and tesseract)
    python -m bench.ocr --variants         # also the render/preprocessing/model variants measured
    python -m bench.ocr --scans            # also the scanned variants of sample-corpus pages

Numbers (``run()`` returns them as a dict):

* char/word accuracy on transcribed pages (``tests/golden/ocr/NN_pP.txt``: each line typed by a
  person reading the rendered page, never copied from OCR). char accuracy = 1 - edits / truth
  characters, each truth line matched to the OCR line nearest to it (so column order does not
  matter, but a masthead whose two columns are glued into one line is an error); word accuracy =
  truth words found (multiset) / truth words. "raw" is Tesseract ``vie`` with its defaults at the
  same resolution: no preprocessing, Tesseract's own lines, no Vietnamese fixes.
* metadata of the scanned and outline documents (number, type, issuer, place, signing date,
  subject) against ``tests/golden/real/NN.json`` (``tests/golden/ocr/metadata.json`` where that is
  absent): "ocr" reads page 1 by OCR; "text layer" is what the pipeline reads without OCR.
  Issuer compared case-insensitively (the masthead is in capitals; its case is restored later).
* seconds per OCR'd page, both cores (process pool), cache off.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

from bench.corpus import default_real

REPO = Path(__file__).resolve().parent.parent
# the real corpus beside the checkout (``<repo>/../shared/real``), or beside the folder of worktrees
REAL = default_real()
GOLDEN_REAL = REPO / "tests" / "golden" / "real"
GOLDEN_OCR = REPO / "tests" / "golden" / "ocr"
SCAN_DOCS = ("15", "17", "18", "20", "22", "25")
META_FIELDS = ("number", "doc_type", "issuer", "place", "signing_date", "subject")


def fold(s: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s or "")).strip()


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def text_accuracy(truth_lines: list[str], ocr_lines: list[str]) -> dict[str, float]:
    """Char accuracy (each truth line against its nearest OCR line) and word recall."""
    truth_lines = [fold(t) for t in truth_lines if fold(t)]
    ocr_lines = [fold(t) for t in ocr_lines if fold(t)]
    errors = chars = 0
    for t in truth_lines:
        errors += min(min((levenshtein(t, o) for o in ocr_lines), default=len(t)), len(t))
        chars += len(t)
    tw = Counter(w for t in truth_lines for w in t.split())
    ow = Counter(w for o in ocr_lines for w in o.split())
    return {"char_accuracy": round(1 - errors / max(1, chars), 4),
            "word_accuracy": round(sum((tw & ow).values()) / max(1, sum(tw.values())), 4)}


def real_pdf(prefix: str) -> Path:
    found = sorted(REAL.glob(f"{prefix}_*.pdf"))
    if not found:
        raise FileNotFoundError(f"no real PDF {prefix}_*.pdf in {REAL}")
    return found[0]


def _truth_page(truth: Path) -> tuple[Path, int]:
    m = re.match(r"(\d+)_p(\d+)\.txt$", truth.name)
    if not m:
        raise ValueError(f"transcription file must be named NN_pP.txt: {truth.name}")
    return real_pdf(m.group(1)), int(m.group(2))


def page_accuracy(truth: Path, settings=None) -> dict[str, float]:  # noqa: ANN001 - OcrSettings
    """Our OCR of the transcribed page against its transcription."""
    from extractors import ocr

    s = settings or ocr.OcrSettings()
    pdf, page = _truth_page(truth)
    t0 = time.perf_counter()
    result = ocr.ocr_image(ocr.render_page(pdf, page, s.dpi), page, s)
    acc = text_accuracy(truth.read_text(encoding="utf-8").splitlines(), [ln.text for ln in result.lines])
    return {**acc, "seconds": round(time.perf_counter() - t0, 2), "confidence": result.confidence}


def raw_page_accuracy(truth: Path, dpi: int = 300) -> dict[str, float]:
    """Raw Tesseract (vie, defaults) on the same rendering: its own lines, no preprocessing, no fixes."""
    import pytesseract

    from extractors import ocr

    pdf, page = _truth_page(truth)
    t0 = time.perf_counter()
    data = pytesseract.image_to_data(ocr.render_page(pdf, page, dpi), lang="vie",
                                     output_type=pytesseract.Output.DICT)
    lines: dict[tuple[int, int, int], list[str]] = {}
    for i, w in enumerate(data["text"]):
        if w and w.strip():
            lines.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(w)
    acc = text_accuracy(truth.read_text(encoding="utf-8").splitlines(), [" ".join(ws) for ws in lines.values()])
    return {**acc, "seconds": round(time.perf_counter() - t0, 2)}


def truth_metadata(prefix: str) -> tuple[dict, str]:
    golden = GOLDEN_REAL / f"{prefix}.json"
    if golden.is_file():
        return json.loads(golden.read_text(encoding="utf-8"))["metadata"], "golden"
    mine = json.loads((GOLDEN_OCR / "metadata.json").read_text(encoding="utf-8"))
    return mine[prefix], "ocr-helper reading"


def _meta_dict(meta) -> dict[str, str | None]:  # noqa: ANN001 - DocumentMeta
    return {"number": meta.doc_number, "doc_type": meta.doc_type, "issuer": meta.issuer, "place": meta.place,
            "signing_date": meta.signing_date.isoformat() if isinstance(meta.signing_date, date) else None,
            "subject": meta.subject}


def _same(field: str, want: str | None, got: str | None) -> bool:
    a, b = fold(want), fold(got)
    if field == "issuer":
        a, b = a.casefold(), b.casefold()
    return a == b


def ocr_metadata(prefix: str, settings=None, cache_root: Path | None = None) -> dict[str, str | None]:  # noqa: ANN001
    """Metadata from page 1 read by OCR (whatever the page's text layer holds)."""
    from extractors import ocr
    from extractors.structure import extract_meta

    run = ocr.ocr_pages(real_pdf(prefix), [1], settings or ocr.OcrSettings(), cache_root)
    lines = run.pages[1].lines
    return _meta_dict(extract_meta(lines, "\n".join(ln.text for ln in lines)))


def text_layer_metadata(prefix: str) -> dict[str, str | None]:
    from extractors.document import extract_document

    return _meta_dict(extract_document(real_pdf(prefix), ocr=None).meta)


def metadata_scores(cache_root: Path | None = None) -> dict:
    """Share of documents right per field, and for OCR each field counted right / null (left empty:
    not read) / wrong (a value that is not the truth: the outcome to avoid)."""
    rows, per_field = [], {"ocr": Counter(), "text_layer": Counter()}
    outcomes: dict[str, Counter] = {f: Counter() for f in META_FIELDS}
    for prefix in SCAN_DOCS:
        truth, source = truth_metadata(prefix)
        got = {"ocr": ocr_metadata(prefix, cache_root=cache_root), "text_layer": text_layer_metadata(prefix)}
        for how, meta in got.items():
            for f in META_FIELDS:
                ok = _same(f, truth.get(f), meta.get(f))
                per_field[how][f] += ok
                if how == "ocr":
                    outcomes[f]["right" if ok else "null" if meta.get(f) is None else "wrong"] += 1
                if how == "ocr" and not ok:
                    rows.append({"doc": prefix, "field": f, "truth": truth.get(f), "ocr": meta.get(f),
                                 "truth_source": source})
    n = len(SCAN_DOCS)
    return {"n_docs": n,
            "ocr": {f: round(per_field["ocr"][f] / n, 3) for f in META_FIELDS},
            "text_layer": {f: round(per_field["text_layer"][f] / n, 3) for f in META_FIELDS},
            "ocr_outcomes": {f: {k: outcomes[f][k] for k in ("right", "null", "wrong")} for f in META_FIELDS},
            "errors": rows}


def seconds_per_page(prefix: str = "22", pages: tuple[int, ...] = (1, 2, 3, 4, 5, 6), workers: int = 2) -> float:
    from extractors import ocr

    run = ocr.ocr_pages(real_pdf(prefix), list(pages), ocr.OcrSettings(workers=workers), cache_root=None)
    return round(run.seconds / len(pages), 2)


VARIANTS = {
    "raw 200 dpi": dict(dpi=200, drop_red=False, deskew=False, tables=False),
    "raw 300 dpi": dict(dpi=300, drop_red=False, deskew=False, tables=False),
    "raw 400 dpi": dict(dpi=400, drop_red=False, deskew=False, tables=False),
    "300 + red ink dropped": dict(dpi=300, deskew=False, tables=False),
    "300 + red and blue ink dropped": dict(dpi=300, deskew=False, tables=False, drop_blue=True),
    "300 + red + deskew (default)": dict(dpi=300),
    "300 + red + deskew + denoise": dict(dpi=300, denoise=True),
    "300 + red + deskew + binarise": dict(dpi=300, binarise=True),
    "300 default, script Vietnamese": dict(dpi=300, languages="Vietnamese"),
    "300 default, vie+Vietnamese": dict(dpi=300, languages="vie+Vietnamese"),
    "300 default, psm 4": dict(dpi=300, psm=4),
    "200 default": dict(dpi=200),
    "400 default": dict(dpi=400),
}


def variant_scores() -> dict[str, dict[str, float]]:
    """Mean char/word accuracy and seconds per transcribed page for each variant of the settings."""
    from extractors.ocr_image import OcrSettings

    out = {}
    truths = sorted(GOLDEN_OCR.glob("*_p*.txt"))
    for name, kw in VARIANTS.items():
        accs = [page_accuracy(t, OcrSettings(**kw)) for t in truths]
        out[name] = {k: round(statistics.mean(a[k] for a in accs), 4)
                     for k in ("char_accuracy", "word_accuracy", "seconds")}
        print(f"  variant {name}: {out[name]}", file=sys.stderr, flush=True)
    return out


def run(variants: bool = False, scans: bool = False) -> dict:
    """Every number of the report, as a dict."""
    from extractors.ocr_image import OcrSettings

    out: dict = {"settings": OcrSettings().key()}
    pages = {}
    for truth in sorted(GOLDEN_OCR.glob("*_p*.txt")):
        pages[truth.stem] = {"ours": page_accuracy(truth), "raw_tesseract": raw_page_accuracy(truth)}
    out["pages"] = pages
    with tempfile.TemporaryDirectory() as tmp:
        out["metadata"] = metadata_scores(Path(tmp))
    out["seconds_per_page_2_workers"] = seconds_per_page()
    if variants:
        out["variants"] = variant_scores()
    if scans:
        from bench.ocr_scans import scan_scores

        out["scans"] = scan_scores()
    return out


def report(r: dict) -> str:
    lines = ["# OCR benchmark (real scans)", "", f"settings: `{r['settings']}`", "",
             "| page | ours char | ours word | raw char | raw word | ours s | raw s |", "|---|---|---|---|---|---|---|"]
    for name, p in r["pages"].items():
        o, w = p["ours"], p["raw_tesseract"]
        lines.append(f"| {name} | {o['char_accuracy']:.4f} | {o['word_accuracy']:.4f} | {w['char_accuracy']:.4f} | "
                     f"{w['word_accuracy']:.4f} | {o['seconds']} | {w['seconds']} |")
    m = r["metadata"]
    lines += ["", f"## Metadata of {m['n_docs']} scanned/outline documents (share of documents right)", "",
              "| field | OCR (page 1) | OCR right / null / wrong | text layer only |", "|---|---|---|---|"]
    for f in META_FIELDS:
        o = m.get("ocr_outcomes", {}).get(f, {})
        lines.append(f"| {f} | {m['ocr'][f]:.3f} | {o.get('right', '?')} / {o.get('null', '?')} / {o.get('wrong', '?')} | "
                     f"{m['text_layer'][f]:.3f} |")
    lines += ["", "Errors (OCR):", ""]
    lines += [f"- {e['doc']} {e['field']}: truth {e['truth']!r}, OCR {e['ocr']!r} ({e['truth_source']})"
              for e in m["errors"]]
    lines += ["", f"Seconds per OCR'd page, 2 workers, no cache: {r['seconds_per_page_2_workers']}"]
    if "variants" in r:
        lines += ["", "## Variants (mean over transcribed pages)", "", "| variant | char | word | s/page |",
                  "|---|---|---|---|"]
        for name, v in r["variants"].items():
            lines.append(f"| {name} | {v['char_accuracy']:.4f} | {v['word_accuracy']:.4f} | {v['seconds']} |")
    if "scans" in r:
        from bench.ocr_scans import scan_report

        lines += ["", scan_report(r["scans"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variants", action="store_true", help="also measure the settings variants")
    ap.add_argument("--scans", action="store_true", help="also score the scanned sample-corpus variants")
    ap.add_argument("--meta-only", action="store_true", help="only the metadata of the real scans (JSON + table)")
    ap.add_argument("--json", type=Path, help="write the numbers as JSON here")
    args = ap.parse_args(argv)
    if not REAL.is_dir():
        print(f"real corpus not found at {REAL}", file=sys.stderr)
        return 2
    if args.meta_only:
        with tempfile.TemporaryDirectory() as tmp:
            m = metadata_scores(Path(tmp))
        if args.json:
            args.json.write_text(json.dumps(m, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        print("| field | OCR right / null / wrong | share right |\n|---|---|---|")
        for f in META_FIELDS:
            o = m["ocr_outcomes"][f]
            print(f"| {f} | {o['right']} / {o['null']} / {o['wrong']} | {m['ocr'][f]:.3f} |")
        for e in m["errors"]:
            print(f"- {e['doc']} {e['field']}: truth {e['truth']!r}, OCR {e['ocr']!r}")
        return 0
    r = run(variants=args.variants, scans=args.scans)
    if args.json:
        args.json.write_text(json.dumps(r, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(report(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
