"""The raw-tool arms of the performance benchmark, each run as its own process (so its peak memory is its own).

    python -m bench.perf_arms naive PDF... --json OUT    # camelot lattice + pdfplumber text, every page
    python -m bench.perf_arms floor PDF... --json OUT    # pypdfium2 text of every page

``naive`` is what a script without this pipeline does: ``camelot.read_pdf(pages="all",
flavor="lattice")`` and ``page.extract_text()`` of every page with pdfplumber, one process. It
writes, per PDF, the seconds of each tool and camelot's tables as (page, bbox top-left origin, cell
texts) so the accuracy of the naive arm is scored against the truth without running it twice.
``floor`` is the least any text pipeline must spend: pypdfium2 opening the file once and reading
every page's text.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path


def naive(pdf: Path) -> dict:
    import camelot
    import pdfplumber

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = camelot.read_pdf(str(pdf), pages="all", flavor="lattice")
    t_camelot = time.perf_counter() - t0
    heights: dict[int, float] = {}
    chars = 0
    t1 = time.perf_counter()
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            heights[page.page_number] = float(page.height)
            chars += len(page.extract_text() or "")
            page.close()
    t_text = time.perf_counter() - t1
    found = []
    for t in tables:
        h = heights.get(int(t.page), 0.0)
        x1, y1, x2, y2 = t._bbox
        texts = [v for v in t.df.values.ravel().tolist() if str(v).strip()]
        found.append({"page": int(t.page), "bbox": [x1, h - y2, x2, h - y1], "texts": texts})
    return {"pages": len(heights), "seconds": t_camelot + t_text, "camelot_seconds": t_camelot,
            "text_seconds": t_text, "chars": chars, "tables": found}


def floor(pdf: Path) -> dict:
    import pypdfium2 as pdfium

    t0 = time.perf_counter()
    doc = pdfium.PdfDocument(str(pdf))
    chars = 0
    n = len(doc)
    for i in range(n):
        page = doc[i]
        tp = page.get_textpage()
        chars += len(tp.get_text_range())
        tp.close()
        page.close()
    doc.close()
    return {"pages": n, "seconds": time.perf_counter() - t0, "chars": chars}


ARMS = {"naive": naive, "floor": floor}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("arm", choices=sorted(ARMS))
    ap.add_argument("pdfs", nargs="+", type=Path)
    ap.add_argument("--json", type=Path, required=True)
    args = ap.parse_args(argv)
    out = {}
    for pdf in args.pdfs:
        out[str(pdf)] = ARMS[args.arm](pdf)
        print(f"{args.arm} {pdf.name}: {out[str(pdf)]['pages']} pages in {out[str(pdf)]['seconds']:.1f} s",
              file=sys.stderr, flush=True)
    args.json.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
