"""The real-corpus benchmark: every measure of the real documents in one report.

    python -m bench.real --out docs/benchmarks-real.md        # all sections (slow: the whole corpus, OCR)
    python -m bench.real --only refs,meta                     # some sections
    python -m bench.real --real DIR                           # the corpus elsewhere

Truth is written independently of the pipeline: the golden files ``tests/golden/real/NN.json``
(read from the rendered pages), poppler's ``pdftotext`` as the reference of the words, and the
viparse transcripts of the TCVN3 documents. Every section puts the raw tools beside the pipeline:

=========  ======================================================================  ==================
section    what it measures                                                        module
=========  ======================================================================  ==================
text       word recall and extra words against pdftotext (and pypdfium2)          bench.real_text
meta       metadata per field against the golden files; a naive regex baseline     bench.real_meta
tables     golden tables found, multi-page tables whole, body rows, header rows;  bench.real_tables
           camelot alone and pdfplumber alone beside them
refs       the document numbers the golden files list as cited in the text,       this module
           found among the pipeline's ``references`` rows; a regex baseline over
           pdftotext's text beside it; laws cited by name (golden ``named_laws``)
legacy     TCVN3 syllables recovered against the transcripts; page triage         bench.real_legacy
           against the golden page kinds
ocr        OCR character/word accuracy on transcribed scanned pages, metadata     bench.ocr
           of the scans, seconds per OCR'd page
=========  ======================================================================  ==================

Each section is the sub-benchmark's own report (run one alone with ``python -m bench.real_text``
and so on); this module adds the references and writes them together. The corpus lives outside
the repository (``<repo>/../shared/real``); without it the report says so and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

from bench.corpus import default_real

REPO = Path(__file__).resolve().parent.parent
REAL = default_real()
GOLDEN = REPO / "tests" / "golden" / "real"
SECTIONS = ("text", "meta", "tables", "refs", "legacy", "ocr")
# text section by default: the text-layer documents, the partly outlined one and the TCVN3 ones
TEXT_AND_LEGACY = ("01", "03", "05", "07", "09", "11", "13", "26", "28", "32", "39", "25", "34", "36", "38")

# a document number as printed in running text: "30/2020/NĐ-CP", "36 /BC-HĐTĐ", "số1187/QĐ-BNV"
_NUMBER = re.compile(r"\d{1,5}\s*(?:/\s*\d{4})?\s*/\s*[A-ZĐ][A-ZĐa-zđ0-9]*(?:\s*-\s*[A-ZĐ][A-ZĐa-zđ0-9]*)*")


def _key(number: str) -> str:
    """A document number compared without white space, case or the dot some pages put after it."""
    s = unicodedata.normalize("NFC", number)
    return re.sub(r"\s+|\.(?=\s*/)", "", s).upper()


def _golden_refs(golden: Path) -> dict[str, list[str]]:
    out = {}
    for g in sorted(golden.glob("*.json")):
        d = json.loads(g.read_text(encoding="utf-8"))
        refs = [r for r in d.get("references") or [] if re.search(r"\d", r) and "/" in r]
        if refs and d.get("text_layer") in ("good", "tcvn3", "mixed"):
            out[g.stem] = refs
    return out


def _golden_laws(golden: Path) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for g in sorted(golden.glob("*.json")):
        d = json.loads(g.read_text(encoding="utf-8"))
        if d.get("named_laws"):
            out[g.stem] = d["named_laws"]
    return out


# the naive reading of a law cited by name: "Luật <name> ngày <d/m/yyyy | d tháng m năm yyyy>" on one line
_NAIVE_LAW = re.compile(r"\b(?:Bộ luật|Luật|Pháp lệnh)\s+[^;:.(\n]{3,200}?\s+ngày\s+"
                        r"(?P<d>\d{1,2})\s*(?:/|tháng)\s*(?P<m>\d{1,2})\s*(?:/|năm)\s*(?P<y>\d{4})")


def _law_key(name: str, day: str | None) -> tuple[str, str | None]:
    return " ".join(unicodedata.normalize("NFC", name).split()).strip(" ,;").lower(), day


def _pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-q", str(pdf), "-"], capture_output=True, text=True, check=False).stdout


def measure_refs(real: Path = REAL, golden: Path = GOLDEN) -> dict[str, Any]:
    """Share of the golden cited numbers found by the pipeline's references and by a regex over
    pdftotext's text. A golden number is found when some reference's number equals it (white
    space, case and a stray dot before the slash ignored)."""
    from extractors.document import extract_document
    from pipeline.records.amendments import legal_frames

    docs: dict[str, Any] = {}
    laws = _golden_laws(golden)
    for prefix, refs in _golden_refs(golden).items():
        pdf = next(real.glob(f"{prefix}_*.pdf"), None)
        if pdf is None:
            continue
        t0 = time.perf_counter()
        doc = extract_document(pdf)  # as the other sections read it (one extraction per file, see _memoise)
        frames = legal_frames(doc)
        ours = {_key(str(x)) for col in ("cited_number", "cited_number_raw")
                for x in frames["references"].get(col, []) if isinstance(x, str)}
        base = {_key(m.group(0)) for m in _NUMBER.finditer(_pdftotext(pdf))}
        want = [_key(r) for r in refs]
        docs[prefix] = {"golden": len(want), "ours": sum(w in ours for w in want),
                        "pdftotext_regex": sum(w in base for w in want),
                        "missed": [r for r, w in zip(refs, want, strict=True) if w not in ours],
                        "seconds": round(time.perf_counter() - t0, 1)}
        if prefix in laws:  # laws cited by name: name and date (or the printed year) both right
            refs_df = frames["references"]
            by_name = {_law_key(str(r.cited_number_raw), str(r.cited_date) if r.cited_date is not None and
                                str(r.cited_date) != "NaT" else str(r.cited_date_raw))
                       for r in refs_df.itertuples() if "cited_by_name" in list(r.legal_flags)}
            naive = {_law_key(m.group(0)[:m.group(0).rfind(" ngày")], f"{m['y']}-{int(m['m']):02d}-{int(m['d']):02d}")
                     for m in _NAIVE_LAW.finditer(_pdftotext(pdf))}
            want_laws = [_law_key(g["name"], g["date"] or g["date_raw"]) for g in laws[prefix]]
            docs[prefix]["laws"] = len(want_laws)
            docs[prefix]["laws_ours"] = sum(w in by_name for w in want_laws)
            docs[prefix]["laws_regex"] = sum(w in naive for w in want_laws)
            docs[prefix]["laws_missed"] = [g["name"] for g, w in zip(laws[prefix], want_laws, strict=True)
                                           if w not in by_name]
    total = sum(d["golden"] for d in docs.values())
    return {"docs": docs, "golden": total, "ours": sum(d["ours"] for d in docs.values()),
            "pdftotext_regex": sum(d["pdftotext_regex"] for d in docs.values()),
            **{k: sum(d.get(k, 0) for d in docs.values()) for k in ("laws", "laws_ours", "laws_regex")}}


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f} % ({a}/{b})" if b else "n/a"


def refs_report(r: dict[str, Any]) -> str:
    pct = _pct
    lines = ["| doc | cited numbers (golden) | pipeline | regex over pdftotext | missed by the pipeline |",
             "|---|---|---|---|---|"]
    for k, d in r["docs"].items():
        lines.append(f"| {k} | {d['golden']} | {pct(d['ours'], d['golden'])} | "
                     f"{pct(d['pdftotext_regex'], d['golden'])} | {', '.join(d['missed']) or '-'} |")
    lines.append(f"| **all** | {r['golden']} | **{pct(r['ours'], r['golden'])}** | "
                 f"{pct(r['pdftotext_regex'], r['golden'])} | |")
    if r.get("laws"):
        lines += ["", "Laws cited by name and date, without a number (golden `named_laws`: name and date both "
                  "right; the regex reads 'Luật … ngày d/m/yyyy' on one line of pdftotext):", "",
                  "| doc | laws (golden) | pipeline | regex over pdftotext | missed by the pipeline |",
                  "|---|---|---|---|---|"]
        for k, d in r["docs"].items():
            if d.get("laws"):
                lines.append(f"| {k} | {d['laws']} | {pct(d['laws_ours'], d['laws'])} | "
                             f"{pct(d['laws_regex'], d['laws'])} | {', '.join(d['laws_missed']) or '-'} |")
        lines.append(f"| **all** | {r['laws']} | **{pct(r['laws_ours'], r['laws'])}** | "
                     f"{pct(r['laws_regex'], r['laws'])} | |")
    return "\n".join(lines)


def _memoise_extraction() -> None:
    """Every section reads the same PDFs through ``extract_document``: keep each result for the
    length of this process, so that the 170-page document is read once, not four times (the
    sections import the function when they run, so replacing the module attribute reaches them)."""
    import extractors.document as d

    original = d.extract_document
    memo: dict[tuple, Any] = {}

    def extract_once(path: Path, *args: Any, **kwargs: Any) -> Any:
        key = (str(Path(path).resolve()), repr(args), repr(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = original(path, *args, **kwargs)
        return memo[key]

    d.extract_document = extract_once


def _sub(module: str, argv: list[str]) -> str:
    """A sub-benchmark's report: its ``main`` run with its output captured."""
    mod = __import__(f"bench.{module}", fromlist=["main"])
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        mod.main(argv)
    return buf.getvalue().strip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", type=Path, default=REAL)
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {', '.join(SECTIONS)}")
    ap.add_argument("--out", type=Path, help="write the markdown report here")
    ap.add_argument("--with-scans", action="store_true",
                    help="text section: also the scans (read by OCR, slow; the ocr section measures them)")
    a = ap.parse_args(argv)
    if not a.real.exists():
        print(f"real corpus not found at {a.real}: nothing to measure")
        return 0
    parts = ["# Real-corpus benchmark", "",
             f"`python -m bench.real` on {len(list(a.real.glob('*.pdf')))} PDFs of `../shared/real` "
             f"({time.strftime('%Y-%m-%d')}); truth: `tests/golden/real/`, pdftotext, the TCVN3 transcripts.", ""]
    real = ["--real", str(a.real)]
    _memoise_extraction()
    # the scans (image-only pages, garbled OCR layers) are read by OCR: measured in the ocr section
    text_docs = [] if a.with_scans else ["--docs", *TEXT_AND_LEGACY]
    runs = {"text": lambda: _sub("real_text", [*real, *text_docs]),
            "meta": lambda: _sub("real_meta", real),
            "tables": lambda: _sub("real_tables", real),
            "refs": lambda: refs_report(measure_refs(a.real)),
            "legacy": lambda: _sub("real_legacy", []),
            "ocr": lambda: _sub("ocr", [])}
    for name in [s.strip() for s in a.only.split(",") if s.strip()]:
        t0 = time.perf_counter()
        body = runs[name]()
        parts += [f"## {name}", "", body, "", f"_{time.perf_counter() - t0:.0f} s_", ""]
        print(f"{name}: done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        if a.out:  # after every section: a long run stopped half-way keeps what it measured
            a.out.write_text("\n".join(parts), encoding="utf-8")
    text = "\n".join(parts)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
