"""Tables of the real corpus against the golden files, side by side with camelot and pdfplumber alone.

    python -m bench.real_tables                 # every text-layer PDF with a golden file
    python -m bench.real_tables --only 07 39    # some documents
    python -m bench.real_tables --golden /path/to/golden/real --no-baselines

Truth: ``tests/golden/real/NN.json`` (format in ``FORMAT.md`` there), written by people reading
the rendered pages, never from this pipeline's output. The PDFs are ``<repo>/../shared/real``; the
benchmark skips (exit 0, a note) when that directory is missing, as it is in CI.

Metrics, per document and overall, the same for every tool:

* **tables found**: golden tables for which the tool returns a table starting on the golden first
  page whose first rows carry the golden header (half or more of the golden header texts; a
  table printed without header matches by its first body row instead);
* **multi-page whole**: golden tables spanning several pages returned as ONE table covering
  exactly the golden page range;
* **body rows found**: golden body rows equal, cell by cell (NFC, white space folded), to a row of
  a returned table that covers the golden row's page. A merged cell may be given in its first
  column only or repeated over the columns it covers; a row split by a page break only counts when
  it comes back joined;
* **header rows right**: found tables whose header rows equal the golden ones (same count of
  rows; a cell left empty by a tool under a merged golden cell counts as right).

Tools: ours (``extract_document``); camelot alone (lattice, vector engine, every page, then
``TableList.stack_contiguous()`` to join page continuations); pdfplumber alone
(``page.extract_tables()`` per page, which has no notion of continuation).
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import default_real

REPO = Path(__file__).resolve().parent.parent
REAL = default_real()  # <repo>/../shared/real, or one level up from a worktree
GOLDEN = REPO / "tests" / "golden" / "real"
TOOLS = ("ours", "camelot", "pdfplumber")
KEYS = ("tables", "found", "multi", "whole", "rows", "rows_found", "header_ok")


_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def fold(s: str | None) -> str:
    """NFC, white space folded. Golden files join a cell's lines with a space even after a
    line-final hyphen or slash ("NĐ- CP", "K4/ CQ2") and write superscript marks as plain digits;
    both are folded here so that either joining compares equal."""
    s = re.sub(r"\s+", " ", unicodedata.normalize("NFC", s or "")).strip()
    return re.sub(r"([-/]) ", r"\1", s).translate(_SUPERSCRIPT)


@dataclass
class Found:
    """One table as a tool returns it: the pages it covers and its rows, each cell given twice
    (text at the merged cell's first column only, and repeated over every column it covers)."""

    pages: list[int]
    rows: list[list[tuple[str, str]]]
    row_pages: list[int] = field(default_factory=list)
    n_header_rows: int | None = None  # None: the tool does not say


def _plain_rows(rows: Sequence[Sequence[object]]) -> list[list[tuple[str, str]]]:
    return [[(fold(str(v) if v is not None else ""),) * 2 for v in row] for row in rows]


# ---- the tools ------------------------------------------------------------------------------

def run_ours(pdf: Path) -> list[Found]:
    from extractors.document import extract_document

    doc = extract_document(pdf)
    out = []
    for t in doc.tables:
        grid = t.grid()
        rows = []
        row_pages = []
        for r in range(t.n_rows):
            row = []
            for k in range(t.n_cols):
                c = grid[r][k]
                dense = fold(c.text) if c else ""
                # a vertically merged cell reads as its text on every row it covers
                anchor = dense if c is not None and c.col == k else ""
                row.append((anchor, dense))
            rows.append(row)
            anchors = [c for c in t.cells if c.row == r]
            row_pages.append(min((c.page for c in anchors), default=t.pages[0]))
        out.append(Found(t.pages, rows, row_pages, t.n_header_rows))
    return out


def run_camelot(pdf: Path) -> list[Found]:
    import camelot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tl = camelot.read_pdf(str(pdf), pages="all", flavor="lattice", suppress_stdout=True)
    tables = list(tl)
    # stack_contiguous() keeps only the first page of a run: rebuild the runs with its own rule
    # (same column count as the table before) to know the pages each stacked table covers
    stacked = list(tl.stack_contiguous()) if tables else []
    runs: list[list] = []
    for t in tables:
        if runs and len(runs[-1][-1].cols) == len(t.cols):
            runs[-1].append(t)
        else:
            runs.append([t])
    out = []
    for st, run in zip(stacked, runs, strict=True):
        pages = sorted({int(t.page) for t in run})
        row_pages = [int(t.page) for t in run for _ in range(t.df.shape[0])]
        rows = _plain_rows(st.df.values.tolist())
        out.append(Found(pages, rows, row_pages[:len(rows)]))
    return out


def run_pdfplumber(pdf: Path) -> list[Found]:
    import pdfplumber

    out = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            for rows in page.extract_tables():
                out.append(Found([page.page_number], _plain_rows(rows), [page.page_number] * len(rows)))
            page.close()
    return out


RUNNERS = {"ours": run_ours, "camelot": run_camelot, "pdfplumber": run_pdfplumber}


# ---- matching ------------------------------------------------------------------------------

def _cell_ok(got: tuple[str, str], want: str, left: str | None, above: str | None) -> bool:
    anchor, dense = got
    if want in (anchor, dense):
        return True
    # a tool that leaves the covered positions of a merged cell empty
    return anchor == "" and want != "" and want in (left, above)


def row_matches(got: Sequence[tuple[str, str]], want: Sequence[str],
                above: Sequence[str] | None = None) -> bool:
    if len(got) != len(want):
        return False
    return all(_cell_ok(g, w, want[i - 1] if i else None, above[i] if above else None)
               for i, (g, w) in enumerate(zip(got, want, strict=True)))


def header_share(t: Found, header_rows: list[list[str]]) -> float:
    """Share of the golden header texts found in the first rows of ``t``."""
    want = {fold(x) for row in header_rows for x in row if fold(x)}
    if not want:
        return 0.0
    have = {x for row in t.rows[:len(header_rows) + 1] for cell in row for x in cell if x}
    return len(want & have) / len(want)


def match_table(g: dict, found: Sequence[Found]) -> Found | None:
    """The returned table starting on the golden first page that carries the golden header
    (half its texts or more; the best share wins, then the closest page range)."""
    cands = [t for t in found if t.pages and t.pages[0] == g["first_page"]]
    heads = [[fold(x) for x in row] for row in g.get("header_rows") or []]
    span = set(range(g["first_page"], g["last_page"] + 1))
    if heads:
        scored = [(header_share(t, heads), -len(span ^ set(t.pages)), i) for i, t in enumerate(cands)]
        best = max((x for x in scored if x[0] >= 0.5), default=None)
        return cands[best[2]] if best else None
    first = next((b for b in g.get("body_rows", []) if b["page"] == g["first_page"]), None)
    for t in cands:
        if first is None or any(row_matches(r, [fold(x) for x in first["cells"]]) for r in t.rows):
            return t
    return None


def header_right(t: Found, header_rows: list[list[str]]) -> bool:
    heads = [[fold(x) for x in row] for row in header_rows]
    if t.n_header_rows is not None and t.n_header_rows != len(heads):
        return False
    if len(t.rows) < len(heads):
        return False
    return all(row_matches(t.rows[i], heads[i], heads[i - 1] if i else None) for i in range(len(heads)))


def score_document(golden: dict, found: Sequence[Found], explain=None) -> Counter:
    """Counts for one document; ``explain`` (a print function) is told each missing row."""
    c: Counter = Counter()
    for g in golden.get("tables", []):
        c["tables"] += 1
        multi = g["last_page"] > g["first_page"]
        c["multi"] += multi
        t = match_table(g, found)
        if t is not None:
            c["found"] += 1
            whole = t.pages == list(range(g["first_page"], g["last_page"] + 1))
            c["whole"] += multi and whole
            head_ok = header_right(t, g.get("header_rows") or [])
            c["header_ok"] += head_ok
            if explain is not None and ((multi and not whole) or not head_ok):
                explain(f"  table p{g['first_page']}-{g['last_page']}: found pages {t.pages}, "
                        f"header rows {t.n_header_rows}: {[[x[1] for x in r] for r in t.rows[:2]]}")
        elif explain is not None:
            explain(f"  table p{g['first_page']}-{g['last_page']} not found")
        for b in g.get("body_rows", []):
            c["rows"] += 1
            want = [fold(x) for x in b["cells"]]
            pool = [t] if t is not None else []
            pool += [f for f in found if f is not t and b["page"] in f.pages]
            if any(row_matches(r, want) for f in pool for r in f.rows):
                c["rows_found"] += 1
            elif explain is not None:
                near = max(((sum(w in g for g, w in zip(r, want, strict=False)), r) for f in pool for r in f.rows),
                           default=(0, []), key=lambda x: x[0])[1]
                explain(f"  missing p{b['page']}: {want}\n     nearest: {[g[0] for g in near]}")
    return c


# ---- driver ------------------------------------------------------------------------------

def measure(real_dir: Path = REAL, golden_dir: Path = GOLDEN, only: Sequence[str] | None = None,
            tools: Sequence[str] = TOOLS, log=None, explain: bool = False) -> dict:
    """Numbers for every document with a golden file: {"docs": {NN: {tool: Counter}},
    "all": {tool: Counter}, "seconds": {NN: {tool: s}}}. Empty when the corpus is absent."""
    out: dict = {"docs": {}, "all": {tool: Counter() for tool in tools}, "seconds": {}}
    if not real_dir.is_dir() or not golden_dir.is_dir():
        return out
    for gpath in sorted(golden_dir.glob("[0-9][0-9].json")):
        nn = gpath.stem
        if only and nn not in only:
            continue
        golden = json.loads(gpath.read_text(encoding="utf-8"))
        if golden.get("text_layer", "good") not in ("good", "mixed") or not golden.get("tables"):
            continue
        pdf = real_dir / golden["file"]
        if not pdf.exists():
            continue
        out["docs"][nn], out["seconds"][nn] = {}, {}
        for tool in tools:
            t0 = time.perf_counter()
            found = RUNNERS[tool](pdf)
            out["seconds"][nn][tool] = time.perf_counter() - t0
            c = score_document(golden, found, log if explain and tool == "ours" else None)
            out["docs"][nn][tool] = c
            out["all"][tool].update(c)
            if log:
                log(f"{nn} {tool:10s} {out['seconds'][nn][tool]:6.1f} s  {dict(c)}")
    return out


def pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f} % ({a}/{b})" if b else "n/a"


def report(res: dict) -> str:
    lines = ["# Real-corpus tables", "",
             "Command: `python -m bench.real_tables` (truth: `tests/golden/real/`, read from the pages).", "",
             "| document | tool | tables found | multi-page whole | body rows found | header rows right | seconds |",
             "|---|---|---|---|---|---|---|"]
    for nn, per_tool in res["docs"].items():
        for tool, c in per_tool.items():
            lines.append(f"| {nn} | {tool} | {pct(c['found'], c['tables'])} | {pct(c['whole'], c['multi'])} | "
                         f"{pct(c['rows_found'], c['rows'])} | {pct(c['header_ok'], c['found'])} | "
                         f"{res['seconds'][nn][tool]:.1f} |")
    for tool, c in res["all"].items():
        secs = sum(s[tool] for s in res["seconds"].values())
        lines.append(f"| **all** | {tool} | {pct(c['found'], c['tables'])} | {pct(c['whole'], c['multi'])} | "
                     f"{pct(c['rows_found'], c['rows'])} | {pct(c['header_ok'], c['found'])} | {secs:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", type=Path, default=REAL)
    ap.add_argument("--golden", type=Path, default=GOLDEN)
    ap.add_argument("--only", nargs="*", help="two-digit document prefixes")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--explain", action="store_true", help="print the golden rows we miss")
    ap.add_argument("--out", type=Path, help="also write the report here (markdown)")
    args = ap.parse_args(argv)
    if not args.real.is_dir():
        print(f"real corpus not found at {args.real}: nothing to measure", file=sys.stderr)
        return 0
    if not args.golden.is_dir():
        print(f"golden files not found at {args.golden}: nothing to measure", file=sys.stderr)
        return 0
    tools = ("ours",) if args.no_baselines else TOOLS
    res = measure(args.real, args.golden, args.only, tools, log=lambda s: print(s, file=sys.stderr),
                  explain=args.explain)
    text = report(res)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
