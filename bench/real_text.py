"""Word recall of the pipeline's text on the real corpus, against poppler's ``pdftotext``.

    python -m bench.real_text                 # text-layer files of ../shared/real, markdown table
    python -m bench.real_text --docs 01 39    # some files only
    python -m bench.real_text --assembly-only # text assembly over all characters, no table finding

What is compared (per document, then over all text-layer documents):

* **pipeline**: everything the ``Document`` holds as text — page body lines, page header and
  footer lines, and the text of every table cell (each fragment's cells, so a table stitched
  over pages still counts every page);
* **pdfplumber**: ``page.extract_text()`` with its defaults (the words of
  ``page.extract_words()`` with defaults are the same words: extract_text is built on them);
* **pypdfium2**: ``textpage.get_text_range()`` of every page;
* **reference**: ``pdftotext -enc UTF-8`` (poppler, default reading-order mode), the whole file.
  The pipeline is also compared with pypdfium2 as a second reference.

Words: the text is NFC-normalised, super/subscript digits read as digits, a hyphen glued to a
word joins it to the next word even over a line break (pdftotext removes a hyphen at a line
end: "QĐ-" + "UBND" → "QĐUBND"; the pipeline keeps visual lines and the hyphen), and the text is
cut into maximal runs of letters and digits (Unicode ``\\w`` plus combining marks).
Punctuation is dropped on both sides the same way, so "Số:" and "Số" compare equal, while
glued words ("cộnghòa") and characters of two layers interleaved ("nthgờưiờgiikaýn") still count as lost. Compared as multisets:

* recall = |ours ∩ ref| / |ref|  (share of the reference's words we have);
* extra = |ours − ref| / |ours|  (share of our words the reference does not have).

Files whose pages are scans, garbled OCR, vector outlines or TCVN3 text are not text-layer
documents: they are run through the pipeline (it must not crash) and reported apart, outside
the overall figure. The real corpus is not in CI: without ``../shared/real`` this prints a note
and exits 0.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import default_real

REPO = Path(__file__).resolve().parent.parent


REAL = default_real()

# two-digit prefixes of the development corpus: text-layer documents, and the others
TEXT_LAYER = ("01", "03", "05", "07", "09", "11", "13", "26", "28", "32", "39")
NOT_TEXT = ("15", "17", "18", "20", "22", "25", "34", "36", "38")

_WORD = re.compile(r"[\w\u0300-\u036f]+")
_SCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉", "01234567890123456789")
_HYPHEN = re.compile(r"(?<=\w)[-\u00ad]\s*(?=\w)")


def words(text: str) -> Counter[str]:
    """Multiset of words (see module doc): NFC; super/subscript digits as digits ("m²" = "m2");
    a hyphen glued to a word joins it to the next one, also over a line break ("QĐ-" +
    "UBND" = "QĐ-UBND" = "QĐUBND": pdftotext removes a hyphen at a line end); then runs of
    letters and digits, punctuation dropped."""
    text = unicodedata.normalize("NFC", text).translate(_SCRIPTS)
    return Counter(_WORD.findall(_HYPHEN.sub("", text)))


@dataclass
class Score:
    ref: int  # words in the reference
    ours: int  # words in the text measured
    common: int  # multiset intersection

    @property
    def recall(self) -> float:
        return self.common / self.ref if self.ref else 1.0

    @property
    def extra(self) -> float:
        return (self.ours - self.common) / self.ours if self.ours else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.ref + other.ref, self.ours + other.ours, self.common + other.common)


def score(ours: Counter[str], ref: Counter[str]) -> Score:
    return Score(sum(ref.values()), sum(ours.values()), sum((ours & ref).values()))


# ------------------------------------------------------------------------------ text sources
def pdftotext_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=False)
    return out.stdout.decode("utf-8", "replace")


def pdfium_text(pdf: Path) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        parts = []
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            parts.append(tp.get_text_range())
            tp.close()
            page.close()
        return "\n".join(parts)
    finally:
        doc.close()


def pdfplumber_text(pdf: Path) -> str:
    import pdfplumber

    parts = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            parts.append(page.extract_text() or "")
            page.close()
    return "\n".join(parts)


def document_text(doc) -> str:  # noqa: ANN001 - extractors.model.Document
    """Everything a Document holds as text: body lines, header/footer, cells of every fragment."""
    parts: list[str] = []
    for p in doc.pages:
        parts += [p.header or "", p.footer or ""]
        parts += [ln.text for ln in p.lines]
    for t in doc.tables:
        for f in t.fragments:
            parts += [c.text for c in f.cells]
    return "\n".join(parts)


def pipeline_text(pdf: Path) -> str:
    from extractors.document import extract_document

    return document_text(extract_document(pdf))


def assembly_text(pdf: Path) -> str:
    """Text assembly alone: every character of every page through ``chars_to_lines`` (no table
    finding, no furniture split) — a fast proxy for the pipeline while tuning assembly."""
    import pdfplumber

    from extractors.text import chars_to_lines

    parts = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            parts += [ln.text for ln in chars_to_lines(page.chars, page.page_number)]
            page.close()
    return "\n".join(parts)


# ------------------------------------------------------------------------------------ running
@dataclass
class DocResult:
    doc: str
    file: str
    text_layer: bool
    seconds: float
    vs_pdftotext: dict[str, Score] = field(default_factory=dict)  # tool -> score
    pipeline_vs_pdfium: Score | None = None
    error: str | None = None
    missing: list[tuple[str, int]] = field(default_factory=list)  # pipeline vs pdftotext, most common
    extra: list[tuple[str, int]] = field(default_factory=list)


def find_files(real: Path, prefixes: tuple[str, ...]) -> list[Path]:
    out = []
    for pre in prefixes:
        out += sorted(real.glob(f"{pre}_*.pdf"))
    return out


def measure(real: Path = REAL, docs: tuple[str, ...] | None = None, baselines: bool = True,
            assembly_only: bool = False, include_other: bool = True) -> dict:
    """Run the comparison. Returns {"docs": [DocResult], "overall": {tool: Score},
    "overall_vs_pdfium": Score, "available": bool}."""
    if not real.is_dir():
        return {"docs": [], "overall": {}, "overall_vs_pdfium": None, "available": False}
    wanted = docs or (TEXT_LAYER + (NOT_TEXT if include_other else ()))
    results: list[DocResult] = []
    ours_fn = assembly_text if assembly_only else pipeline_text
    for pdf in find_files(real, tuple(wanted)):
        pre = pdf.name[:2]
        res = DocResult(pre, pdf.name, pre in TEXT_LAYER, 0.0)
        ref = words(pdftotext_text(pdf))
        t0 = time.perf_counter()
        try:
            ours = words(ours_fn(pdf))
        except Exception as exc:  # a crash is a result here: reported, the run goes on
            res.error = f"{exc.__class__.__name__}: {exc}"
            ours = Counter()
        res.seconds = time.perf_counter() - t0
        res.vs_pdftotext["pipeline"] = score(ours, ref)
        res.missing = (ref - ours).most_common(30)
        res.extra = (ours - ref).most_common(30)
        if baselines or res.text_layer:
            pdfium = words(pdfium_text(pdf))
            res.pipeline_vs_pdfium = score(ours, pdfium)
            if baselines:
                res.vs_pdftotext["pdfplumber"] = score(words(pdfplumber_text(pdf)), ref)
                res.vs_pdftotext["pypdfium2"] = score(pdfium, ref)
        results.append(res)
        print(f"{pdf.name[:40]:40s} {res.seconds:6.1f} s  recall "
              f"{100 * res.vs_pdftotext['pipeline'].recall:.2f} %", file=sys.stderr)
    overall: dict[str, Score] = {}
    vs_pdfium = Score(0, 0, 0)
    for r in results:
        if not r.text_layer:
            continue
        for tool, s in r.vs_pdftotext.items():
            overall[tool] = overall.get(tool, Score(0, 0, 0)) + s
        if r.pipeline_vs_pdfium:
            vs_pdfium = vs_pdfium + r.pipeline_vs_pdfium
    return {"docs": results, "overall": overall, "overall_vs_pdfium": vs_pdfium, "available": True}


def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def report(m: dict) -> str:
    if not m["available"]:
        return "Real corpus not found (../shared/real): nothing measured.\n"
    tools = [t for t in ("pipeline", "pdfplumber", "pypdfium2") if any(t in r.vs_pdftotext for r in m["docs"])]
    head = "| doc | words (pdftotext) | " + " | ".join(f"{t} recall | {t} extra" for t in tools) + \
        " | pipeline vs pypdfium2 recall | extra | seconds |"
    lines = ["Against `pdftotext` (words = NFC runs of letters/digits, multisets):", "", head,
             "|" + "---|" * (head.count("|") - 1)]

    def row(name: str, scores: dict[str, Score], vp: Score | None, secs: str) -> str:
        first = next(iter(scores.values()))
        cells = [name, str(first.ref)]
        for t in tools:
            s = scores.get(t)
            cells += [_pct(s.recall), _pct(s.extra)] if s else ["", ""]
        cells += [_pct(vp.recall), _pct(vp.extra)] if vp else ["", ""]
        cells.append(secs)
        return "| " + " | ".join(cells) + " |"

    for r in m["docs"]:
        if r.text_layer:
            lines.append(row(r.doc + (f" (ERROR {r.error})" if r.error else ""), r.vs_pdftotext,
                             r.pipeline_vs_pdfium, f"{r.seconds:.1f}"))
    if m["overall"]:
        lines.append(row("**overall (text layer)**", m["overall"], m["overall_vs_pdfium"], ""))
    others = [r for r in m["docs"] if not r.text_layer]
    if others:
        lines += ["", "Not text-layer documents (scans, garbled OCR, outlines, TCVN3): reported apart, "
                  "outside the overall figure; what matters here is that they do not crash.", "",
                  "| doc | outcome | words (pdftotext) | pipeline words | pipeline recall | seconds |",
                  "|---|---|---|---|---|---|"]
        for r in others:
            s = r.vs_pdftotext["pipeline"]
            lines.append(f"| {r.doc} | {'ERROR ' + r.error if r.error else 'ok'} | {s.ref} | {s.ours} | "
                         f"{_pct(s.recall)} | {r.seconds:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", type=Path, default=REAL)
    ap.add_argument("--docs", nargs="*", help="two-digit prefixes (default: all)")
    ap.add_argument("--no-baselines", action="store_true", help="pipeline only (and pypdfium2 as reference)")
    ap.add_argument("--assembly-only", action="store_true", help="text assembly over all characters, no tables")
    ap.add_argument("--text-layer-only", action="store_true", help="skip the scans/outlines/TCVN3 files")
    ap.add_argument("--show-missing", action="store_true", help="list the words lost and added per document")
    args = ap.parse_args(argv)
    m = measure(args.real, tuple(args.docs) if args.docs else None, baselines=not args.no_baselines,
                assembly_only=args.assembly_only, include_other=not args.text_layer_only)
    print(report(m))
    if args.show_missing:
        for r in m["docs"]:
            if r.text_layer:
                print(f"{r.doc} missing: {r.missing}\n{r.doc} extra: {r.extra}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
