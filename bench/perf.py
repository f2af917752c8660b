"""Performance benchmark (#11): the pipeline end to end beside the naive baseline and a text floor.

    python -m bench.perf --quick                                   # sample corpus + 200 scaled pages
    python -m bench.perf --corpus sample --corpus scaled --sizes 200,1000,3000 --out docs/benchmarks-perf.md
    python -m bench.perf --corpus real --naive-max-pages 1000

On the same PDFs, one after the other (never two arms at once), each arm a subprocess whose whole
process tree is polled for memory (``bench.perf_measure.run_measured``):

* floor: pypdfium2 text of every page (``bench.perf_arms floor``);
* naive: camelot lattice on every page + pdfplumber text of every page (``bench.perf_arms naive``),
  skipped above ``--naive-max-pages`` (the cap is written in the report);
* pipeline: ``decree ingest FOLDER --data-dir FRESH --no-prefect`` (``bench.perf_ingest``, the same
  Typer app plus a JSON dump of the run's per-document timings), then again on the unchanged
  corpus (re-run), and, on the first corpus, with one document's bytes changed (qpdf rewrite).

Start-up is measured on a tiny cached run (nothing to extract), with and without Prefect, and
broken down (interpreter, CLI import, run, exit) with ``python -X importtime``'s heaviest modules.
Accuracy of the naive and pipeline arms is scored against the corpus truth (sample and scaled
corpora) with the measures of ``bench.extraction``; the pipeline's is read from what it published.
The OCR line ingests a scanned variant (``tools.corpus.scan``) and divides OCR seconds by OCR'd pages.
Generated inputs are cached under ``data/bench/`` (gitignored) and regenerated only when missing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.perf_measure import PollSettings, fit_line, importtime_summary, machine, run_measured, score_naive

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "data" / "bench"
SAMPLES = REPO / "data" / "samples"
REAL = REPO.parent / "shared" / "real"
PY = sys.executable
DEFAULT_SIZES = (200, 1000, 3000)
QUICK_SIZES = (200,)
DEFAULT_NAIVE_MAX_PAGES = 1000  # the naive arm is skipped above this many pages (written in the report)
OCR_SCAN = ("gov", "vinhlong-33-2022", 4, 200)  # style, document, pages 1..N, scan dpi


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pages(pdf: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return len(doc)
    finally:
        doc.close()


def corpus_points(corpora: list[str], sizes: list[int], cache: Path, doc_pages: int = 1000) -> list[dict]:
    """Each corpus point: label, folder of PDFs, the PDFs, pages, truth by sha256 (may be empty)."""
    points = []
    for name in corpora:
        if name == "sample":
            pdfs = sorted((SAMPLES / "pdf").glob("*/*.pdf"))
            truths = {}
            for t in sorted((SAMPLES / "truth").glob("*/*.json")):
                truth = json.loads(t.read_text(encoding="utf-8"))
                truths[truth["pdf_sha256"]] = truth
            points.append({"label": "sample", "sources": [str(SAMPLES / "manifest.yaml")], "pdfs": pdfs,
                           "truths": truths})
        elif name == "real":
            if not REAL.is_dir():
                print(f"real corpus {REAL} absent: skipped", file=sys.stderr)
                continue
            pdfs = sorted(REAL.glob("*.pdf"))
            points.append({"label": "real", "sources": [str(REAL)], "pdfs": pdfs, "truths": {}})
        elif name == "scaled":
            from tools.corpus.scaled import ScaledSpec, ensure_scaled

            for n in sizes:
                folder = ensure_scaled(ScaledSpec(n, doc_pages), cache / "scaled")
                pdfs = sorted((folder / "pdf").glob("*.pdf"))
                truths = {}
                for t in sorted((folder / "truth").glob("*.json")):
                    truth = json.loads(t.read_text(encoding="utf-8"))
                    truths[truth["pdf_sha256"]] = truth
                points.append({"label": f"scaled {n}", "sources": [str(folder / "pdf")], "pdfs": pdfs,
                               "truths": truths, "scaled_pages": n})
        else:
            raise ValueError(f"unknown corpus {name!r} (sample, real, scaled)")
    for p in points:
        p["pages"] = sum(_pages(f) for f in p["pdfs"])
        p["shas"] = {_sha(f): f for f in p["pdfs"]}
    return points


# ---- the arms ---------------------------------------------------------------------------------------

def run_arm(arm: str, pdfs: list[Path], poll: PollSettings) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "arm.json"
        m = run_measured([PY, "-m", "bench.perf_arms", arm, *map(str, pdfs), "--json", str(out)], REPO, poll=poll)
        per_pdf = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    return {"measured": m.as_dict(), "per_pdf": per_pdf, "ok": m.exit_code == 0,
            "seconds": sum(v["seconds"] for v in per_pdf.values())}


def run_ingest(sources: list[str], data_dir: Path, poll: PollSettings, prefect: bool = False,
               importtime: bool = False) -> dict[str, Any]:
    """``decree ingest`` as a measured subprocess; its JSON summary merged in."""
    with tempfile.TemporaryDirectory() as tmp:
        summary = Path(tmp) / "summary.json"
        cmd = [PY, *(["-X", "importtime"] if importtime else []), "-m", "bench.perf_ingest", "ingest", *sources,
               "--data-dir", str(data_dir), "--prefect" if prefect else "--no-prefect"]
        m = run_measured(cmd, REPO, env={"PERF_SUMMARY_JSON": str(summary)}, poll=poll)
        info = json.loads(summary.read_text(encoding="utf-8")) if summary.is_file() else {}
    res: dict[str, Any] = {"measured": m.as_dict(), "summary": info, "wall_s": m.wall_s, "exit_code": m.exit_code}
    if info.get("process_started") and info.get("ended"):
        started = info["process_started"]
        res["phases"] = {
            "cli_import_s": info["cli_imported"] - started,
            "run_s": (info.get("run_finished") or info["ended"]) - info["cli_imported"],
            "report_exit_s": m.wall_s - ((info.get("run_finished") or info["ended"]) - started),
        }
    docs = info.get("documents") or []
    res["work"] = {k: round(sum(d.get(k, 0.0) for d in docs), 2) for k in ("fetch_s", "extract_s", "validate_s", "ocr_s")}
    res["cached"] = sum(bool(d.get("cached")) for d in docs)
    res["run_record"] = latest_run_record(data_dir)
    if importtime:
        res["imports"] = importtime_summary(m.stderr)
        res["measured"]["stderr"] = ""
    return res


def latest_run_record(data_dir: Path) -> dict[str, Any] | None:
    """The last run record's timing keys, if the run writes any (a later version may)."""
    runs = sorted((data_dir / "parquet" / "_runs").glob("*.json"),
                  key=lambda f: (int(f.stem), "") if f.stem.isdigit() else (-1, f.stem))
    if not runs:
        return None
    rec = json.loads(runs[-1].read_text(encoding="utf-8"))
    return {k: v for k, v in rec.items() if "tim" in k or "second" in k or "stage" in k or k == "mode"} or None


def score_pipeline(data_dir: Path, truths: dict[str, dict]) -> dict[str, int] | None:
    from collections import Counter

    from bench.perf_measure import score_published
    from pipeline.store.read import load

    if not truths:
        return None
    tables, cells = load("tables", data_dir=data_dir), load("cells", data_dir=data_dir)
    total: Counter = Counter()
    for sha, truth in truths.items():
        total.update(score_published(tables[tables["doc_sha256"] == sha], cells[cells["doc_sha256"] == sha], truth))
    return dict(total)


def stage_corpus(p: dict, dest: Path) -> list[str]:
    """A private copy of the point's corpus under ``dest`` (a manifest keeps its layout), so that
    one of its documents can later change in place under the same source. Returns the sources."""
    if p["label"] == "sample":
        shutil.copytree(SAMPLES / "pdf", dest / "pdf")
        shutil.copy2(SAMPLES / "manifest.yaml", dest / "manifest.yaml")
        return [str(dest / "manifest.yaml")]
    (dest / "pdf").mkdir(parents=True)
    for f in p["pdfs"]:
        shutil.copy2(f, dest / "pdf" / f.name)
    return [str(dest / "pdf")]


def change_one(sources: list[str], staged: Path) -> Path:
    """Rewrite one staged PDF in place with qpdf (same content, new bytes: the pipeline must read it
    again) and, when a manifest pins its sha256, pin the new one. Returns the changed file."""
    import yaml

    manifest = staged / "manifest.yaml"
    target = sorted((staged / "pdf").rglob("*.pdf"))[0]
    tmp = target.with_suffix(".tmp")
    subprocess.run(["qpdf", "--deterministic-id", "--object-streams=generate", str(target), str(tmp)],
                   check=True, capture_output=True)
    old = _sha(target)
    tmp.replace(target)
    if Path(sources[0]) == manifest:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        for e in data["documents"]:
            if e.get("sha256") == old:
                e["sha256"] = _sha(target)
        manifest.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def startup(tiny: Path, poll: PollSettings, prefect: bool) -> dict[str, Any]:
    """A tiny run twice on a fresh data dir; the second has nothing to extract: its wall time is
    the start-up of a run. Also the interpreter alone and ``-X importtime`` of that run."""
    out: dict[str, Any] = {}
    out["interpreter_s"] = run_measured([PY, "-c", "pass"], REPO, poll=poll).wall_s
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "data"
        run_ingest([str(tiny)], d, poll)
        out["no_prefect"] = run_ingest([str(tiny)], d, poll)
        out["imports"] = run_ingest([str(tiny)], d, poll, importtime=True)["imports"]
        if prefect:
            out["prefect"] = run_ingest([str(tiny)], d, poll, prefect=True)
    return out


def ocr_line(poll: PollSettings, cache: Path) -> dict[str, Any]:
    from tools.corpus.scan import ScanSettings, scan_pdf

    style, doc, last, dpi = OCR_SCAN
    scan = cache / "scans" / f"{style}-{doc}-p1-{last}-{dpi}dpi.pdf"
    if not scan.is_file():
        scan.parent.mkdir(parents=True, exist_ok=True)
        scan_pdf(SAMPLES / "pdf" / style / f"{doc}.pdf", scan, list(range(1, last + 1)), ScanSettings(dpi=dpi, seed=last))
    with tempfile.TemporaryDirectory() as tmp:
        r = run_ingest([str(scan)], Path(tmp) / "data", poll)
    docs = r["summary"].get("documents") or [{}]
    status = docs[0].get("status", "")
    ocr_pages = int(status.split(":")[1].split(" of ")[0]) if "read by OCR" in status else 0
    return {"scan": str(scan.relative_to(REPO)) if scan.is_relative_to(REPO) else str(scan), "pages": last,
            "dpi": dpi, "ocr_pages": ocr_pages, "ocr_s": r["work"]["ocr_s"], "wall_s": r["wall_s"],
            "s_per_ocr_page": r["work"]["ocr_s"] / ocr_pages if ocr_pages else None, "status": status,
            "peak_pss_tree_mb": r["measured"]["peak_pss_tree_mb"], "rejects": r["summary"].get("rejects") or []}


def measure_point(p: dict, args: argparse.Namespace, poll: PollSettings, first: bool,
                  res: dict[str, Any] | None = None, save=lambda: None) -> dict[str, Any]:  # noqa: ANN001
    """Every arm on one corpus point, into ``res``; ``save()`` after each step."""
    res = {} if res is None else res
    res.update({"label": p["label"], "pages": p["pages"], "documents": len(p["pdfs"])})

    def log(msg: str) -> None:
        save()
        print(f"[{time.strftime('%H:%M:%S')}] {p['label']}: {msg}", file=sys.stderr, flush=True)

    log(f"{p['pages']} pages in {len(p['pdfs'])} PDFs: floor")
    res["floor"] = run_arm("floor", p["pdfs"], poll)
    if p["pages"] <= args.naive_max_pages:
        log("naive")
        res["naive"] = run_arm("naive", p["pdfs"], poll)
        if p["truths"]:
            from collections import Counter

            acc: Counter = Counter()
            for path, out in res["naive"]["per_pdf"].items():
                truth = p["truths"].get(_sha(Path(path)))
                if truth:
                    acc.update(score_naive(out["tables"], truth))
                out.pop("tables", None)
            res["naive"]["accuracy"] = dict(acc)
    else:
        res["naive"] = {"skipped": f"above --naive-max-pages {args.naive_max_pages}"}
    with tempfile.TemporaryDirectory(dir=args.work_dir) as tmp:
        d = Path(tmp) / "data"
        change = first and len(p["pdfs"]) > 1  # one of several documents changes between runs
        sources = stage_corpus(p, Path(tmp) / "corpus") if change else p["sources"]
        log("pipeline (fresh data dir)")
        res["pipeline"] = run_ingest(sources, d, poll)
        res["pipeline"]["accuracy"] = score_pipeline(d, p["truths"]) if res["pipeline"]["exit_code"] in (0, 1) else None
        log("pipeline re-run (unchanged)")
        res["rerun"] = run_ingest(sources, d, poll)
        if change:
            log("pipeline with one changed document")
            before = _sha(sorted((Path(tmp) / "corpus" / "pdf").rglob("*.pdf"))[0])[:12]
            changed = change_one(sources, Path(tmp) / "corpus")
            res["changed"] = run_ingest(sources, d, poll)
            res["changed"]["file"] = changed.name
            orig = next((row for row in res["pipeline"]["summary"].get("documents", [])
                         if row.get("sha256") == before), None)
            res["changed"]["document_seconds_in_full_run"] = orig.get("seconds") if orig else None
        if first and args.prefect_full:
            log("pipeline through Prefect (fresh data dir)")
            res["prefect"] = run_ingest(p["sources"], Path(tmp) / "data-prefect", poll, prefect=True)
    return res


def main(argv: list[str] | None = None) -> int:
    from bench.perf_report import report

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append", choices=["sample", "real", "scaled"])
    ap.add_argument("--sizes", default=None, help="scaled sizes in pages, comma-separated (default 200,1000,3000)")
    ap.add_argument("--quick", action="store_true", help="sample corpus + 200 scaled pages (unless given)")
    ap.add_argument("--naive-max-pages", type=int, default=DEFAULT_NAIVE_MAX_PAGES)
    ap.add_argument("--doc-pages", type=int, default=1000, help="scaled corpus: at most this many pages per PDF")
    ap.add_argument("--no-prefect", dest="prefect", action="store_false", help="skip the Prefect start-up run")
    ap.add_argument("--prefect-full", action="store_true", help="also run the first corpus through Prefect")
    ap.add_argument("--no-ocr", dest="ocr", action="store_false", help="skip the OCR line")
    ap.add_argument("--cache", type=Path, default=CACHE, help="generated inputs (default data/bench/)")
    ap.add_argument("--work-dir", type=Path, default=None, help="where fresh data dirs go (default: temp)")
    ap.add_argument("--poll", type=float, default=0.2, help="memory sampling interval, seconds")
    ap.add_argument("--out", type=Path, help="write the markdown report here")
    ap.add_argument("--json", type=Path, help="write every measurement here")
    ap.add_argument("--from-json", type=Path, help="only rewrite the report from an earlier --json")
    args = ap.parse_args(argv)
    if args.from_json:
        md = report(json.loads(args.from_json.read_text(encoding="utf-8")))
        print(md)
        if args.out:
            args.out.write_text(md, encoding="utf-8")
        return 0
    corpora = args.corpus or (["sample", "scaled"])
    sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    poll = PollSettings(interval_s=args.poll)
    t0 = time.time()
    results: dict[str, Any] = {"machine": machine(), "argv": sys.argv[1:] if argv is None else argv,
                               "naive_max_pages": args.naive_max_pages, "started": time.strftime("%Y-%m-%d %H:%M")}
    points = corpus_points(corpora, sizes, args.cache, args.doc_pages)
    from tools.corpus.scaled import ScaledSpec, ensure_scaled

    tiny = sorted((ensure_scaled(ScaledSpec(3, 3), args.cache / "tiny") / "pdf").glob("*.pdf"))[0]
    print("start-up", file=sys.stderr, flush=True)
    results["startup"] = startup(tiny, poll, args.prefect)
    _save(results, args.json)
    results["points"] = []
    for i, p in enumerate(points):  # a long run that is stopped keeps what it measured
        results["points"].append({})
        measure_point(p, args, poll, i == 0, results["points"][-1], lambda: _save(results, args.json))
        _save(results, args.json)
    scaled = [r for r in results["points"] if r["label"].startswith("scaled")]
    results["fit"] = {arm: fit_line([r["pages"] for r in scaled if _secs(r, arm) is not None],
                                    [_secs(r, arm) for r in scaled if _secs(r, arm) is not None])
                      for arm in ("pipeline", "naive", "floor")}
    if args.ocr:
        print("OCR line", file=sys.stderr, flush=True)
        results["ocr"] = ocr_line(poll, args.cache)
    results["total_minutes"] = round((time.time() - t0) / 60, 1)
    md = report(results)
    print(md)
    if args.out:
        args.out.write_text(md, encoding="utf-8")
    _save(results, args.json)
    return 0


def _save(results: dict, path: Path | None) -> None:
    if path:
        path.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def _secs(r: dict, arm: str) -> float | None:
    """Wall seconds of one arm at one point (None when skipped or failed)."""
    a = r.get(arm) or {}
    if arm == "pipeline":
        return a.get("wall_s") if a.get("exit_code") == 0 else None  # a rejected document did not do its work
    return a.get("measured", {}).get("wall_s") if a.get("ok") else None


if __name__ == "__main__":
    raise SystemExit(main())
