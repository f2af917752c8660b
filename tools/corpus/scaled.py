"""Scaled corpus for the performance benchmark: long decrees with many ruled, multi-page appendix tables.

    python -m tools.corpus.scaled --pages 1000 --out data/bench/scaled     # one size
    python -m tools.corpus.scaled --pages 3 --out OUT_DIR --doc-pages 3      # a tiny one (tests)

A scaled document is a decree of the sample corpus (``BASE_DOC``) rendered by the repository's own
renderer (``tools.corpus.render``): its body (masthead, articles, signature) once, then its norm
appendices again and again, each repetition with its own appendix numbers ("Phụ lục IV", "V", ...),
its own table ids and its own values (every digit of a value cell redrawn from a seeded generator,
so no two repetitions are the same table and the truth follows the printed text). The rendering is
cut to exactly the asked number of pages with qpdf (deterministic id), and the truth
(``tools.corpus.truth.build_truth``: what the renderer drew) is cut to the tables that lie wholly
inside those pages.

A size of N pages is ``ceil(N / doc_pages)`` PDFs of at most ``doc_pages`` pages each (default
1,000: the 200- and 1,000-page sizes are one PDF, 3,000 pages are three). Deterministic: the same
(pages, doc_pages, style, seed) gives the same bytes and the same truth. ``ensure_scaled`` writes
into a cache directory and regenerates only when the files are missing or were made with other
parameters.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import random
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.corpus.source_model import SOURCE_DIR, SourceDocument, check_blocks, load_source

GENERATOR_VERSION = 1
BASE_DOC = "vinhlong-33-2022"  # a decree whose appendices are ruled norm tables over many pages
BASE_NUMBERS = ("33 /2022/QĐ-UBND", "33/2022/QĐ-UBND")  # how the base prints its own number
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_VALUE = re.compile(r"^[≤≥<>]?\s*\d[\d.,]*(\s*[-–]\s*\d[\d.,]*)?\s*%?$")  # a printed value: "1.200", "≥ 0,5", "25-30"


@dataclass(frozen=True)
class ScaledSpec:
    """What to generate: ``pages`` in PDFs of at most ``doc_pages`` pages, in one producer ``style``."""

    pages: int
    doc_pages: int = 1000
    style: str = "gov"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.pages < 1 or self.doc_pages < 1:
            raise ValueError(f"ScaledSpec: pages and doc_pages must be >= 1, got {self.pages}, {self.doc_pages}")

    def doc_sizes(self) -> list[int]:
        n = math.ceil(self.pages / self.doc_pages)
        return [min(self.doc_pages, self.pages - i * self.doc_pages) for i in range(n)]

    def key(self) -> dict[str, Any]:
        return {"generator": GENERATOR_VERSION, "base": BASE_DOC, "pages": self.pages, "doc_pages": self.doc_pages,
                "style": self.style, "seed": self.seed}


def roman(n: int) -> str:
    out = []
    for value, sym in _ROMAN:
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _redraw_digits(text: str, rng: random.Random) -> str:
    """Every digit redrawn; a leading non-zero digit stays non-zero, a leading zero stays zero ("05")."""
    out, first = [], True
    for ch in text:
        if ch.isdigit():
            if first:
                out.append(ch if ch == "0" else str(rng.randint(1, 9)))
            else:
                out.append(str(rng.randint(0, 9)))
            first = False
        else:
            if not ch.isdigit() and ch not in ".,":
                first = True
            out.append(ch)
    return "".join(out)


def _vary_rows(rows: list[Any], rng: random.Random) -> list[Any]:
    """Body rows with the digits of every value-like cell but the first of its row redrawn."""
    out = []
    for row in rows:
        cells = row["cells"] if isinstance(row, dict) else row
        new = []
        for j, cell in enumerate(cells):
            text = cell if isinstance(cell, str) else cell["text"]
            if j > 0 and _VALUE.match(text.strip()):
                text = _redraw_digits(text, rng)
            new.append(text if isinstance(cell, str) else {**cell, "text": text})
        out.append({**row, "cells": new} if isinstance(row, dict) else new)
    return out


def scaled_source(repetitions: int, seed: int, number: str) -> SourceDocument:
    """The base decree with its appendices repeated ``repetitions`` times (see the module doc)."""
    base = load_source(BASE_DOC)
    text = json.dumps(base.blocks, ensure_ascii=False)
    for printed in BASE_NUMBERS:
        text = text.replace(printed, number)
    blocks = json.loads(text)
    first_app = next(i for i, b in enumerate(blocks) if b["t"] == "appendix")
    body, appendices = blocks[:first_app], blocks[first_app:]
    out = list(body)
    n_app = 0
    for k in range(repetitions):
        rng = random.Random(f"scaled-{seed}-{number}-{k}")
        for b in appendices:
            b = copy.deepcopy(b)
            if b["t"] == "appendix":
                n_app += 1
                b["label"] = f"Phụ lục {roman(n_app)}"
            elif b["t"] == "table":
                b["id"] = f"{b['id']}-r{k}"
                b["rows"] = _vary_rows(b["rows"], rng)
            out.append(b)
    tables, problems = check_blocks(out, "scaled")
    if problems:
        raise ValueError("\n".join(problems[:10]))
    meta = {**base.meta, "number": number, "number_printed": f"Số: {number}", "declared_models": None,
            "readings": [f"scaled from {BASE_DOC}: appendices repeated {repetitions} times, values redrawn"]}
    return SourceDocument(f"scaled-{number.split('/')[0]}", base.seed, meta, out, tables)


def _render(src: SourceDocument, style: str, out: Path):  # noqa: ANN202 - (Layout, page count)
    from tools.corpus.render import render_pdf

    layout = render_pdf(src, style, out)
    return layout, len(layout.page_orientation)


def cut_pdf(src: Path, pages: int, out: Path) -> None:
    """The first ``pages`` pages of ``src`` (qpdf, deterministic /ID)."""
    subprocess.run(["qpdf", "--deterministic-id", str(src), "--pages", str(src), f"1-{pages}", "--", str(out)],
                   check=True, capture_output=True)


def cut_truth(truth: dict[str, Any], pages: int) -> dict[str, Any]:
    """The truth restricted to the first ``pages`` pages: tables wholly inside them, their records."""
    tables = [t for t in truth["tables"] if max(t["pages"]) <= pages]
    keep = {t["index"] for t in tables}
    records = {name: [r for r in rows if r.get("table_index") in keep] for name, rows in truth["records"].items()}
    return {**truth, "page_count": pages, "pages": [p for p in truth["pages"] if p["page"] <= pages],
            "headings": [h for h in truth["headings"] if (h.get("page") or 0) <= pages],
            "tables": tables, "records": records}


def render_scaled_doc(pages: int, number: str, seed: int, style: str, pdf_out: Path) -> dict[str, Any]:
    """Render one scaled PDF of exactly ``pages`` pages to ``pdf_out``; return its truth."""
    from tools.corpus.truth import build_truth

    units_file = SOURCE_DIR / BASE_DOC / "units.json"
    units = json.loads(units_file.read_text(encoding="utf-8"))["units"] if units_file.exists() else {}
    pdf_out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "full.pdf"
        # one repetition tells the pages per repetition; render enough, then cut
        reps = 1
        src = scaled_source(reps, seed, number)
        layout, got = _render(src, style, full)
        per_rep = max(1, got - 4)
        while got < pages:
            reps += max(1, math.ceil((pages - got) / per_rep))
            src = scaled_source(reps, seed, number)
            layout, got = _render(src, style, full)
        cut_pdf(full, pages, pdf_out)
    sha = hashlib.sha256(pdf_out.read_bytes()).hexdigest()
    truth = build_truth(src, style, layout, pdf_out.name, sha, units=units)
    return cut_truth(truth, pages)


def ensure_scaled(spec: ScaledSpec, root: Path) -> Path:
    """The folder ``root/<pages>`` holding ``pdf/*.pdf`` and ``truth/*.json`` for ``spec``, generated
    only when missing or made with other parameters. Returns that folder."""
    folder = root / str(spec.pages)
    stamp = folder / "spec.json"
    if stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == spec.key():
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    for i, n in enumerate(spec.doc_sizes()):
        number = f"{spec.pages % 10000:d}{i:02d}/2030/QĐ-UBND"
        name = f"scaled-{spec.pages}-{i + 1:02d}"
        truth = render_scaled_doc(n, number, spec.seed + i, spec.style, folder / "pdf" / f"{name}.pdf")
        (folder / "truth").mkdir(parents=True, exist_ok=True)
        (folder / "truth" / f"{name}.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"scaled {name}: {n} pages, {len(truth['tables'])} tables", file=sys.stderr, flush=True)
    stamp.write_text(json.dumps(spec.key()) + "\n", encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, action="append", required=True, help="pages of one size (repeatable)")
    ap.add_argument("--doc-pages", type=int, default=1000, help="at most this many pages per PDF")
    ap.add_argument("--style", default="gov")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("data/bench/scaled"))
    args = ap.parse_args(argv)
    for n in args.pages:
        print(ensure_scaled(ScaledSpec(n, args.doc_pages, args.style, args.seed), args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
