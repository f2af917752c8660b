"""Extraction accuracy against the corpus truth, side by side with camelot alone and pdfplumber alone.

    python -m bench.extraction                  # all sample PDFs, prints a markdown report
    python -m bench.extraction --out docs/benchmarks.md

Metrics (per PDF, then per producer style and overall):

* tables_found: logical truth tables whose first fragment is matched (same page, bbox IoU >= 0.5);
* cells_exact: truth cells (header + body, anchors) whose text equals ours after NFC and
  whitespace folding, at the same (row, column) of the matched logical table;
* spans_ok: truth cells whose row/column span we reproduce;
* stitched: truth tables over several pages that we return as one table with the same pages;
* heading_path: matched tables whose heading path equals the truth's;
* frag_cell_recall: the tool-neutral measure used for the baselines: for every truth fragment
  (one table on one page), the share of its non-empty cell texts found among the cells of the
  matched fragment. Computed for ours, camelot alone (lattice, every page) and pdfplumber alone
  (``page.extract_tables()``).
* seconds: wall time per PDF.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
import warnings
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"


def fold(s: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s or "")).strip()


def iou(a, b) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / ua if ua > 0 else 0.0


def truth_fragments(truth: dict) -> list[tuple[int, list, set]]:
    """(page, bbox, Counter of cell texts on that page) per truth fragment."""
    out = []
    for t in truth["tables"]:
        for f in t["fragments"]:
            texts = Counter(fold(c["text"]) for c in t["cells"] if f["page"] in c["pages"] and fold(c["text"]))
            out.append((f["page"], f["bbox"], texts))
    return out


def frag_recall(truth: dict, found: list[tuple[int, list, Counter]]) -> tuple[int, int, int, int]:
    """(fragments matched, fragments, cell texts found, cell texts) for one PDF."""
    fm = fn = cm = cn = 0
    for page, bbox, texts in truth_fragments(truth):
        fn += 1
        cn += sum(texts.values())
        cands = [(iou(bbox, b), ts) for p, b, ts in found if p == page]
        best = max(cands, default=(0.0, Counter()), key=lambda x: x[0])
        if best[0] >= 0.5:
            fm += 1
            cm += sum((texts & best[1]).values())
    return fm, fn, cm, cn


def run_ours(pdf: Path, truth: dict) -> dict:
    from extractors.document import extract_document

    t0 = time.perf_counter()
    doc = extract_document(pdf)
    secs = time.perf_counter() - t0
    r = Counter()
    found_frags = []
    for tab in doc.tables:
        for f in tab.fragments:
            found_frags.append((f.page, list(f.bbox), Counter(fold(c.text) for c in f.cells if fold(c.text))))
    for tt in truth["tables"]:
        r["tables"] += 1
        f0 = tt["fragments"][0]
        match = None
        for tab in doc.tables:
            f = tab.fragments[0]
            if f.page == f0["page"] and iou(list(f.bbox), f0["bbox"]) >= 0.5:
                match = tab
                break
        truth_cells = tt["cells"]
        r["cells"] += len(truth_cells)
        if tt["multi_page"]:
            r["multi"] += 1
        if match is None:
            continue
        r["found"] += 1
        ours = {(c.row, c.col): c for c in match.cells}
        for c in truth_cells:
            o = ours.get((c["row"], c["col"]))
            if o is not None and fold(o.text) == fold(c["text"]):
                r["cells_exact"] += 1
            if o is not None and (o.rs, o.cs) == (c["rs"], c["cs"]):
                r["spans_ok"] += 1
        if tt["multi_page"] and match.pages == tt["pages"]:
            r["stitched"] += 1
        if [fold(p) for p in match.heading_path] == [fold(p) for p in tt["heading_path"]]:
            r["heading_ok"] += 1
        if match.n_header_rows == tt["n_header_rows"]:
            r["header_ok"] += 1
    fm, fn, cm, cn = frag_recall(truth, found_frags)
    r.update({"frag_found": fm, "frags": fn, "frag_cells_found": cm, "frag_cells": cn})
    r["extra_tables"] = max(0, len(doc.tables) - r["found"])
    return {"counts": r, "seconds": secs}


def run_camelot(pdf: Path, truth: dict) -> dict:
    import camelot

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tl = camelot.read_pdf(str(pdf), pages="all", flavor="lattice")
    secs = time.perf_counter() - t0
    heights = {p["page"]: p["size"][1] for p in truth["pages"]}
    found = []
    for t in tl:
        h = heights[int(t.page)]
        x1, y1, x2, y2 = t._bbox
        texts = Counter(fold(v) for v in t.df.values.ravel().tolist() if fold(v))
        found.append((int(t.page), [x1, h - y2, x2, h - y1], texts))
    fm, fn, cm, cn = frag_recall(truth, found)
    return {"counts": Counter(frag_found=fm, frags=fn, frag_cells_found=cm, frag_cells=cn), "seconds": secs}


def run_pdfplumber(pdf: Path, truth: dict) -> dict:
    import pdfplumber

    t0 = time.perf_counter()
    found = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            for t in page.find_tables():
                rows = t.extract()
                texts = Counter(fold(v) for row in rows for v in row if fold(v))
                found.append((page.page_number, list(t.bbox), texts))
            page.close()
    secs = time.perf_counter() - t0
    fm, fn, cm, cn = frag_recall(truth, found)
    return {"counts": Counter(frag_found=fm, frags=fn, frag_cells_found=cm, frag_cells=cn), "seconds": secs}


def pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f} %" if b else "n/a"



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=Path, default=SAMPLES)
    ap.add_argument("--out", type=Path, help="also write the report here (markdown)")
    ap.add_argument("--no-baselines", action="store_true")
    args = ap.parse_args(argv)
    rows = []
    totals: dict[str, Counter] = {}
    for truth_path in sorted((args.samples / "truth").glob("*/*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        style = truth_path.parent.name
        pdf = args.samples / "pdf" / style / truth["pdf"]
        ours = run_ours(pdf, truth)
        res = {"style": style, "doc": truth["doc_id"], "ours": ours}
        if not args.no_baselines:
            res["camelot"] = run_camelot(pdf, truth)
            res["pdfplumber"] = run_pdfplumber(pdf, truth)
        rows.append(res)
        for key in (style, "all"):
            tot = totals.setdefault(key, Counter())
            tot.update(ours["counts"])
            tot["seconds"] += ours["seconds"]
            for tool in ("camelot", "pdfplumber"):
                if tool in res:
                    tot.update({f"{tool}_{k}": v for k, v in res[tool]["counts"].items()})
                    tot[f"{tool}_seconds"] += res[tool]["seconds"]
        print(f"{style:8s} {truth['doc_id']:22s} done in {ours['seconds']:.1f} s", file=sys.stderr)

    lines = ["# Extraction benchmark", "",
             "Command: `.venv/bin/python -m bench.extraction --out docs/benchmarks.md` (sample corpus, "
             "ground truth from the generator).", "",
             "## Logical tables (ours)", "",
             "| scope | tables found | cells exact | spans right | header rows right | multi-page stitched | "
             "heading path right | extra tables | seconds |",
             "|---|---|---|---|---|---|---|---|---|"]

    def logical(name: str, c: Counter) -> str:
        return (f"| {name} | {pct(c['found'], c['tables'])} ({c['found']}/{c['tables']}) | "
                f"{pct(c['cells_exact'], c['cells'])} | {pct(c['spans_ok'], c['cells'])} | "
                f"{pct(c['header_ok'], c['found'])} | {pct(c['stitched'], c['multi'])} ({c['stitched']}/{c['multi']}) | "
                f"{pct(c['heading_ok'], c['found'])} | {c['extra_tables']} | {c['seconds']:.1f} |")

    for r in rows:
        c = Counter(r["ours"]["counts"])
        c["seconds"] = r["ours"]["seconds"]
        lines.append(logical(f"{r['style']} / {r['doc']}", c))
    for key in sorted(totals):
        lines.append(logical(f"**{key}**", totals[key]))
    lines += ["", "## Side by side: fragment-level (one table on one page), all tools", "",
              "| scope | tool | fragments found | cell texts found | seconds |", "|---|---|---|---|---|"]
    for key in sorted(totals):
        c = totals[key]
        lines.append(f"| {key} | ours | {pct(c['frag_found'], c['frags'])} | "
                     f"{pct(c['frag_cells_found'], c['frag_cells'])} | {c['seconds']:.1f} |")
        for tool in ("camelot", "pdfplumber"):
            if f"{tool}_frags" in c:
                lines.append(f"| {key} | {tool} alone | {pct(c[f'{tool}_frag_found'], c[f'{tool}_frags'])} | "
                             f"{pct(c[f'{tool}_frag_cells_found'], c[f'{tool}_frag_cells'])} | "
                             f"{c[f'{tool}_seconds']:.1f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.write_text(report + kept_sections(args.out), encoding="utf-8")
    return 0


KEEP_MARKER = "<!-- not generated by bench.extraction: kept when the report above is rewritten -->"


def kept_sections(out: Path) -> str:
    """The hand-written part of an existing report (from ``KEEP_MARKER`` on), so that rewriting the
    generated tables keeps it (docs/benchmarks.md explains the other benchmarks there)."""
    if not out.is_file():
        return ""
    text = out.read_text(encoding="utf-8")
    i = text.find(KEEP_MARKER)
    return "" if i < 0 else "\n" + text[i:]


if __name__ == "__main__":
    sys.exit(main())
