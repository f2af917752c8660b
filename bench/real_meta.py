"""Metadata accuracy on the real corpus, per field, against the golden files; beside a naive baseline.

    python -m bench.real_meta                       # every golden file, full extraction
    python -m bench.real_meta --fast                # page 1 + signature pages only (same readers)
    python -m bench.real_meta --golden DIR --real DIR --json out.json

Truth: ``tests/golden/real/NN.json`` (format in FORMAT.md there), read from the rendered pages,
never from this pipeline's output. Documents: ``<repo>/../shared/real/``. Text-layer documents
(``text_layer: good``) make the main table; scans, vector outlines and TCVN3 files are reported
apart (their text is the next issue's work).

Fields and comparison rules (both sides NFC, runs of white space folded to one space, trimmed;
a null on both sides counts as correct, a null on one side as wrong):

==================  =======================================================================
doc_type            exact ("Báo cáo", "Phụ lục", "Công văn")
doc_type_code       exact ("BC"; null when the number carries no type abbreviation)
number              exact after removing all white space ("36/BC-HĐTĐ"; null when blank)
number_raw          exact ("Số: 36 /BC-HĐTĐ")
issuer              case-insensitive (capitalisation of a body's name is a convention the golden
                    files and the re-casing rule may settle differently: "Trung tâm Xúc tiến Đầu
                    tư ..." vs "Trung tâm Xúc tiến đầu tư ...")
parent_body         case-insensitive, as issuer
place               exact
signing_date        ISO date equality
subject             exact (trích yếu as printed, wrapped lines joined by one space, no "V/v")
attached_to         as number (an attachment's "kèm theo … số …" number; DocumentMeta.parent_doc_number)
signer.authority    case-insensitive ("KT. CHỦ TỊCH"); null when the block has none
signer.title        case-insensitive
signer.name         exact
==================  =======================================================================

Baseline ("naive"): regular expressions over pdfplumber's own ``extract_text()`` of page 1 and
of the last page, the way a first script would do it: "Số: …" for the number, "<place>, ngày
.. tháng .. năm ...." for place and date, the first line equal to an upper-case type title for
the type and the line under it for the subject, the first line of the page (up to the motto)
for the issuer, the last capitalised-name line of the last page for the signer's name.

``measure()`` returns the numbers for the aggregating ``bench/real.py``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

from bench.corpus import default_real

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "real"
REAL = default_real()  # <repo>/../shared/real, or one level up from a worktree

FIELDS = ("doc_type", "doc_type_code", "number", "number_raw", "issuer", "parent_body", "place", "signing_date",
          "subject", "attached_to", "signer.authority", "signer.title", "signer.name")
_CASELESS = {"issuer", "parent_body", "signer.authority", "signer.title"}


def fold(s: Any) -> str | None:
    if s is None:
        return None
    out = re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(s))).strip()
    return out or None


def same(field: str, got: Any, want: Any) -> bool:
    """The comparison rule of ``field`` (module docstring)."""
    g, w = fold(got), fold(want)
    if g is None or w is None:
        return g is None and w is None
    if field in ("number", "attached_to"):
        return re.sub(r"\s+", "", g) == re.sub(r"\s+", "", w)
    if field in _CASELESS:
        return g.casefold() == w.casefold()
    return g == w


def golden_values(g: dict) -> dict[str, Any]:
    m = g.get("metadata") or {}
    signer = m.get("signer") or {}
    out = {f: m.get(f) for f in FIELDS if "." not in f}
    out.update({"signer.authority": signer.get("authority"), "signer.title": signer.get("title"),
                "signer.name": signer.get("name")})
    return out


def meta_values(meta: Any) -> dict[str, Any]:
    """DocumentMeta → the golden fields."""
    return {
        "doc_type": meta.doc_type, "doc_type_code": meta.doc_type_code, "number": meta.doc_number,
        "number_raw": meta.doc_number_raw, "issuer": meta.issuer, "parent_body": meta.parent_body,
        "place": meta.place, "signing_date": meta.signing_date.isoformat() if meta.signing_date else None,
        "subject": meta.subject, "attached_to": meta.parent_doc_number, "signer.authority": meta.signer_authority, "signer.title": meta.signer_title,
        "signer.name": meta.signer_name,
    }


# ------------------------------------------------------------------------------------ pipeline
def pipeline_meta(path: Path, fast: bool = False) -> Any:
    """The pipeline's DocumentMeta: full ``extract_document``, or with ``fast`` only the pages the
    metadata readers look at (page 1 and signature pages, read by the same functions)."""
    if not fast:
        from extractors.document import extract_document

        return extract_document(path).meta
    import pdfplumber

    from extractors.annotations import meta_page_lines
    from extractors.repair import readable_pdf
    from extractors.structure import extract_meta

    # opened as the pipeline opens it: from the %PDF header (bytes before it hide the widgets of
    # an incremental update: the number and date of a signed plan)
    with readable_pdf(path) as src, pdfplumber.open(src) as pdf:
        pages = []
        for page in pdf.pages:
            lines = meta_page_lines(page, page.chars, sum(1 for _ in pages) < 6)
            if lines is not None:
                pages.append(lines)
            page.close()
        width = float(pdf.pages[0].width) if pdf.pages else None
    return extract_meta([], "", pages[0] if pages else [], pages, width)


# ------------------------------------------------------------------------------------ baseline
def baseline_values(path: Path) -> dict[str, Any]:
    """Naive regexes over pdfplumber's ``extract_text()`` of the first and last page."""
    import pdfplumber

    from schemas.document_types import type_by_abbreviation, type_by_title

    with pdfplumber.open(path) as pdf:
        first = pdf.pages[0].extract_text() or "" if pdf.pages else ""
        last = pdf.pages[-1].extract_text() or "" if pdf.pages else ""
    first = unicodedata.normalize("NFC", first)
    last = unicodedata.normalize("NFC", last)
    lines = [ln.strip() for ln in first.splitlines() if ln.strip()]
    out: dict[str, Any] = {f: None for f in FIELDS}
    m = re.search(r"Số\s*:\s*(\S*(?:\s*/\s*[\w&.-]+)+)", first)
    if m:
        out["number_raw"] = fold(m[0])
        num = re.sub(r"\s+", "", m[1])
        out["number"] = num if re.match(r"\d", num) else None
        code = next((p for p in re.split(r"[/-]", num)[1:] if p and not p.isdigit()), None)
        out["doc_type_code"] = code if code in type_by_abbreviation() else None
    m = re.search(r"([^\n,]{2,30}),\s*ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})", first)
    if m:
        out["place"] = m[1].strip()
        try:
            out["signing_date"] = f"{int(m[4]):04d}-{int(m[3]):02d}-{int(m[2]):02d}"
        except ValueError:
            pass
    titles = type_by_title()
    for i, ln in enumerate(lines):
        if ln.rstrip(":") in titles:
            out["doc_type"] = titles[ln.rstrip(":")].name
            out["subject"] = lines[i + 1] if i + 1 < len(lines) else None
            break
    if lines:
        issuer = re.split(r"CỘNG H[OÒ]A", lines[0])[0].strip()
        out["issuer"] = issuer.capitalize() or None
    names = [ln for ln in last.splitlines() if re.fullmatch(r"(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]+ ){1,4}[A-ZĐÀ-Ỹ][a-zđà-ỹ]+",
                                                             unicodedata.normalize("NFC", ln.strip()))]
    out["signer.name"] = names[-1].strip() if names else None
    return out


# ------------------------------------------------------------------------------------ measure
def measure(golden_dir: Path = GOLDEN, real_dir: Path = REAL, fast: bool = False,
            metas: dict[str, Any] | None = None) -> dict[str, Any]:
    """Per-field accuracy of the pipeline and of the baseline on the golden files.

    ``metas``: DocumentMeta per file name already extracted by the caller (bench/real.py),
    else extracted here. Returns {"text_layer": {field: {n, pipeline, baseline}}, "other":
    {...same for scans/outline/TCVN3...}, "documents": [{file, text_layer, fields: {field:
    {golden, pipeline, baseline, ok, baseline_ok}}}], "seconds"}."""
    docs = []
    t0 = time.time()
    for gpath in sorted(Path(golden_dir).glob("[0-9][0-9].json")):
        g = json.loads(gpath.read_text(encoding="utf-8"))
        pdf = Path(real_dir) / g["file"]
        if not pdf.exists():
            continue
        want = golden_values(g)
        try:
            meta = (metas or {}).get(g["file"]) or pipeline_meta(pdf, fast=fast)
            got = meta_values(meta)
            error = None
        except Exception as exc:  # noqa: BLE001 - a crash is a wrong answer on every field, reported
            got, error = {f: None for f in FIELDS}, f"{exc.__class__.__name__}: {exc}"
        base = baseline_values(pdf)
        fields = {f: {"golden": want[f], "pipeline": got[f], "baseline": base[f], "ok": same(f, got[f], want[f]),
                      "baseline_ok": same(f, base[f], want[f])} for f in FIELDS}
        docs.append({"file": g["file"], "text_layer": g.get("text_layer", "good"), "error": error, "fields": fields})

    def share(rows: list[dict], f: str, key: str) -> float | None:
        return sum(d["fields"][f][key] for d in rows) / len(rows) if rows else None

    def table(rows: list[dict]) -> dict[str, dict[str, Any]]:
        out = {}
        for f in FIELDS:
            valued = [d for d in rows if fold(d["fields"][f]["golden"]) is not None]
            out[f] = {"n": len(rows), "pipeline": share(rows, f, "ok"), "baseline": share(rows, f, "baseline_ok"),
                      "n_valued": len(valued), "pipeline_valued": share(valued, f, "ok"),
                      "baseline_valued": share(valued, f, "baseline_ok")}
        return out

    good = [d for d in docs if d["text_layer"] == "good"]
    other = [d for d in docs if d["text_layer"] != "good"]
    return {"text_layer": table(good), "other": table(other), "documents": docs, "seconds": round(time.time() - t0, 1)}


def report(res: dict[str, Any]) -> str:
    out = ["## Metadata on the real corpus (golden files)", ""]
    for key, title in (("text_layer", "Text-layer documents"), ("other", "Scans, vector outlines, TCVN3")):
        rows = [d for d in res["documents"] if (d["text_layer"] == "good") == (key == "text_layer")]
        out += [f"### {title} ({len(rows)} documents)", "",
                "| field | pipeline | naive baseline | printed on | pipeline, printed | baseline, printed |",
                "|---|---|---|---|---|---|"]

        def pct(x: float | None) -> str:
            return "–" if x is None else f"{x:.0%}"

        for f, v in res[key].items():
            out.append(f"| {f} | {pct(v['pipeline'])} | {pct(v['baseline'])} | {v['n_valued']} | "
                       f"{pct(v['pipeline_valued'])} | {pct(v['baseline_valued'])} |")
        out += ["", "(\"printed on\": documents whose golden value is not null; the last two columns score only those)", ""]
    out += ["### Mismatches (pipeline)", ""]
    for d in res["documents"]:
        if d["text_layer"] != "good":
            continue
        for f, v in d["fields"].items():
            if not v["ok"]:
                out.append(f"- {d['file'][:2]} {f}: got {v['pipeline']!r}, golden {v['golden']!r}")
        if d["error"]:
            out.append(f"- {d['file'][:2]}: {d['error']}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--golden", type=Path, default=GOLDEN)
    ap.add_argument("--real", type=Path, default=REAL)
    ap.add_argument("--fast", action="store_true", help="read only the pages the metadata readers use")
    ap.add_argument("--json", type=Path, help="write the full result as JSON")
    args = ap.parse_args(argv)
    if not args.real.exists() or not any(args.golden.glob("[0-9][0-9].json")):
        print(f"real corpus or golden files missing ({args.real}, {args.golden})", file=sys.stderr)
        return 2
    res = measure(args.golden, args.real, fast=args.fast)
    print(report(res))
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
