"""Legacy fonts and page triage on the real corpus (``<repo>/../shared/real``; absent in CI).

    python -m bench.real_legacy                              # prints a markdown report
    python -m bench.real_legacy --out docs/benchmarks-legacy.md
    python -m bench.real_legacy --skip-triage                # syllables only (faster)

1. Syllables recovered on the TCVN3 documents against their transcripts
   (``transcripts/NN_*.groundtruth.txt``, written by people, not by this pipeline):
   the words of the transcript and of the extracted text are lower-cased (the transcripts do not
   resolve the case of lines set in capitals fonts) and split into letter runs; recovered =
   size of the multiset intersection / words of the transcript; precision = intersection / words
   extracted. Side by side: this pipeline (``extract_document``: body lines, headers, footers and
   table cells), pdfplumber's raw ``extract_text()`` and poppler's ``pdftotext``.
2. Triage of every page of every real file against the page kinds a person recorded in the golden
   files (``tests/golden/real/NN.json``, ``page_kinds``), as a confusion table.

``measure()`` returns the numbers; ``main()`` prints them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

from bench.corpus import default_real

REPO = Path(__file__).resolve().parent.parent
# <repo>/../shared/real; a git worktree one level deeper looks one level further up
REAL = default_real()
GOLDEN = REPO / "tests" / "golden" / "real"
LEGACY_DOCS = ("34", "36", "38")
# golden page kinds → triage kinds (extractors.triage)
GOLDEN_KIND = {"good": "unicode", "garbled_ocr": "not_vietnamese", "tcvn3": "legacy", "vni": "legacy",
               "image_only": "image_only", "outline": "outline", "blank": "blank"}


def _tokens(text: str) -> list[str]:
    letters = "".join(ch if ch.isalpha() else " " for ch in unicodedata.normalize("NFC", text).lower())
    return letters.split()


def _joined(tokens: list[str]) -> list[str]:
    """A vowel-less fragment followed by one that completes a valid syllable is one word ("v ùng"
    → "vùng"): the printed page has no gap there, the text layer (and transcripts made from it)
    sometimes do."""
    from extractors.vietnamese import is_valid_syllable

    out: list[str] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if i + 1 < len(tokens) and not any(ch in "aeiouy" for ch in unicodedata.normalize("NFD", t)) \
                and is_valid_syllable(t + tokens[i + 1]):
            out.append(t + tokens[i + 1])
            i += 2
            continue
        out.append(t)
        i += 1
    return out


def words(text: str, join: bool = True) -> Counter[str]:
    toks = _tokens(text)
    return Counter(_joined(toks) if join else toks)


def recovery(truth: str, got: str, join: bool = True) -> dict:
    """Multiset recovery of the transcript's words; ``join``: split syllables re-joined on both
    sides first (see ``_joined``)."""
    t, g = words(truth, join), words(got, join)
    both = sum((t & g).values())
    return {"truth_words": sum(t.values()), "extracted_words": sum(g.values()), "matched": both,
            "recovered": both / max(1, sum(t.values())), "precision": both / max(1, sum(g.values())),
            "missing": (t - g).most_common(12), "extra": (g - t).most_common(12)}


def ours_text(pdf: Path) -> str:
    from extractors.document import extract_document

    doc = extract_document(pdf)
    parts: list[str] = []
    for p in doc.pages:
        parts += [p.header or "", p.footer or ""] + [ln.text for ln in p.lines]
    parts += [c.text for t in doc.tables for c in t.cells]
    return "\n".join(parts)


def _pdfplumber(pdf: Path) -> str:
    import pdfplumber

    with pdfplumber.open(pdf) as d:
        return "\n".join(p.extract_text() or "" for p in d.pages)


def _pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def real_file(prefix: str) -> Path:
    return next(REAL.glob(f"{prefix}_*.pdf"))


def measure_syllables() -> dict[str, dict[str, dict[str, float | int]]]:
    out: dict[str, dict[str, dict[str, float | int]]] = {}
    for n in LEGACY_DOCS:
        pdf = real_file(n)
        truth = next((REAL / "transcripts").glob(f"{n}_*.groundtruth.txt")).read_text(encoding="utf-8")
        row = {}
        for tool, fn in (("ours", ours_text), ("pdfplumber", _pdfplumber), ("pdftotext", _pdftotext)):
            t0 = time.time()
            text = fn(pdf)
            row[tool] = recovery(truth, text) | {"seconds": round(time.time() - t0, 1),
                                                 "strict": recovery(truth, text, join=False)["recovered"]}
        out[n] = row
    return out


def _expand(ranges: str) -> list[int]:
    pages: list[int] = []
    for part in ranges.split(","):
        lo, _, hi = part.strip().partition("-")
        pages.extend(range(int(lo), int(hi or lo) + 1))
    return pages


def expected_kinds(prefix: str, golden: Path = GOLDEN) -> dict[int, str] | None:
    g = golden / f"{prefix}.json"
    if not g.exists():
        return None
    kinds = json.loads(g.read_text(encoding="utf-8")).get("page_kinds") or {}
    return {p: GOLDEN_KIND.get(k, k) for k, r in kinds.items() for p in _expand(r)}


def measure_triage(golden: Path = GOLDEN) -> dict:
    import pdfplumber

    from extractors.triage import page_evidence, triage_page

    confusion: Counter[tuple[str, str]] = Counter()
    errors: list[str] = []
    seconds = parse = 0.0
    pages = 0
    for pdf in sorted(REAL.glob("*.pdf")):
        prefix = pdf.name[:2]
        want = expected_kinds(prefix, golden) or {}
        with pdfplumber.open(pdf) as d:
            for page in d.pages:
                t0 = time.time()
                page.chars, page.images  # noqa: B018 - parse first: pdfplumber's time is not triage's
                parse += time.time() - t0
                t0 = time.time()
                tri = triage_page(page_evidence(page))
                seconds += time.time() - t0
                pages += 1
                exp = want.get(page.page_number, "?")
                confusion[(exp, tri.kind)] += 1
                if exp != tri.kind:
                    errors.append(f"{prefix} p{page.page_number}: expected {exp}, got {tri.kind} ({tri.reason})")
                page.close()
    right = sum(v for (e, g), v in confusion.items() if e == g)
    judged = sum(v for (e, _g), v in confusion.items() if e != "?")
    return {"confusion": confusion, "errors": errors, "pages": pages, "correct": right, "judged": judged,
            "seconds_per_page": seconds / max(1, pages), "parse_seconds_per_page": parse / max(1, pages)}


def measure(triage: bool = True, golden: Path = GOLDEN) -> dict:
    return {"syllables": measure_syllables(), "triage": measure_triage(golden) if triage else None}


def report(m: dict) -> str:
    out = ["# Legacy fonts and page triage on the real corpus", "",
           "Command: `.venv/bin/python -m bench.real_legacy --out docs/benchmarks-legacy.md` (needs "
           "`../shared/real`).", "",
           "## Vietnamese words recovered on the TCVN3 documents", "",
           "Against the transcripts: multiset of lower-cased words (letters only), recovered = words of the "
           "transcript found / words of the transcript, precision = found / words extracted; target ≥ 99.5 % "
           "recovered. Both sides first re-join a vowel-less fragment with the fragment that completes its "
           "syllable (\"v ùng\" → \"vùng\"): the printed page has no gap there (checked on the rendered "
           "pages), the text layer does, and the transcripts keep some of those splits. *strict*: the same "
           "without re-joining.", "",
           "| file | transcript words | ours recovered | ours precision | ours strict | pdfplumber recovered | "
           "pdftotext recovered | ours s |", "|---|---|---|---|---|---|---|---|"]
    tot: Counter[str] = Counter()
    for n, row in m["syllables"].items():
        o, p, t = row["ours"], row["pdfplumber"], row["pdftotext"]
        out.append(f"| {n} | {o['truth_words']} | {o['recovered']:.2%} | {o['precision']:.2%} | {o['strict']:.2%} | "
                   f"{p['recovered']:.2%} | {t['recovered']:.2%} | {o['seconds']} |")
        for tool in ("ours", "pdfplumber", "pdftotext"):
            tot[tool + "_m"] += row[tool]["matched"]
            tot[tool + "_e"] += row[tool]["extracted_words"]
        tot["t"] += o["truth_words"]
    out.append(f"| all | {tot['t']} | {tot['ours_m'] / tot['t']:.2%} | {tot['ours_m'] / tot['ours_e']:.2%} | | "
               f"{tot['pdfplumber_m'] / tot['t']:.2%} | {tot['pdftotext_m'] / tot['t']:.2%} | |")
    out += ["", "Words of the transcript not recovered (ours), most frequent first:", ""]
    for n, row in m["syllables"].items():
        miss = ", ".join(f"{w} ×{k}" for w, k in row["ours"]["missing"]) or "none"
        extra = ", ".join(f"{w} ×{k}" for w, k in row["ours"]["extra"]) or "none"
        out.append(f"- {n}: missing {miss}; extra {extra}")
    tri = m.get("triage")
    if tri:
        kinds = sorted({k for pair in tri["confusion"] for k in pair})
        out += ["", "## Page triage", "",
                f"{tri['correct']}/{tri['judged']} pages classified as the golden files say "
                f"({tri['pages']} pages in all; triage {tri['seconds_per_page'] * 1000:.0f} ms per page on top of "
                f"pdfplumber's parsing, {tri['parse_seconds_per_page'] * 1000:.0f} ms). Rows: expected (golden "
                "`page_kinds`); columns: triage.", "",
                "| expected \\ got | " + " | ".join(kinds) + " |", "|---" * (len(kinds) + 1) + "|"]
        for e in kinds:
            out.append(f"| {e} | " + " | ".join(str(tri["confusion"].get((e, g), "")) for g in kinds) + " |")
        if tri["errors"]:
            out += ["", "Disagreements:", ""] + [f"- {e}" for e in tri["errors"]]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--skip-triage", action="store_true")
    ap.add_argument("--golden", type=Path, default=GOLDEN, help="directory of the golden NN.json files")
    a = ap.parse_args(argv)
    if not REAL.exists():
        print(f"real corpus not found at {REAL}", file=sys.stderr)
        return 2
    text = report(measure(triage=not a.skip_triage, golden=a.golden))
    if a.out:
        a.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
