"""The markdown report of ``bench.perf``: machine, targets of issue #11, throughput, stages,
memory, accuracy, re-runs, start-up, linearity and the OCR line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TARGET_SPEEDUP = 4.0  # end to end at least 4x faster than the naive baseline
TARGET_STARTUP_S = 3.0
TARGET_RERUN_SHARE = 0.02
TARGET_PEAK_MB = 500.0
TARGET_PEAK_PAGES = 1000


def _f(x: float | None, nd: int = 1, unit: str = "") -> str:
    return "–" if x is None else f"{x:,.{nd}f}{unit}"


def _pct(a: float | None, b: float | None) -> str:
    return "–" if a is None or not b else f"{100.0 * a / b:.1f} %"


def _share(a: float | None, b: float | None) -> str:
    return "–" if a is None or not b else f"{100.0 * a / b:.1f} %"


def _pps(pages: int, secs: float | None) -> str:
    return "–" if not secs else f"{pages / secs:,.1f}"


def _wall(arm: dict[str, Any] | None) -> float | None:
    if not arm or arm.get("skipped"):
        return None
    if "wall_s" in arm:
        return arm["wall_s"] if arm.get("exit_code") in (0, 1) else None
    return arm["measured"]["wall_s"] if arm.get("ok") else None


def _mem(arm: dict[str, Any] | None) -> dict[str, float]:
    return (arm or {}).get("measured", {}) if arm and not arm.get("skipped") else {}


def _met(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**not met**")


def _stages(pl: dict[str, Any]) -> str:
    """Run-level stage seconds, from the run's outcome or its run record, when the run has them."""
    rec = pl.get("run_record") or {}
    stages = pl.get("summary", {}).get("stage_timings") or rec.get("stages") or {}
    if not isinstance(stages, dict):
        return str(stages)
    txt = ", ".join(f"{k} {v:.1f} s" if isinstance(v, (int, float)) else f"{k} {v}" for k, v in stages.items())
    if rec.get("mode"):
        txt = f"({rec['mode']}) {txt}"
    return txt or "–"


def _peak_verdict(point: dict[str, Any] | None, peak: dict[str, float]) -> str:
    if not peak or point is None:
        return "–"
    if (point.get("pipeline") or {}).get("summary", {}).get("totals", {}).get("rejects"):
        return "inconclusive: the document was rejected before its end (see below)"
    return _met(peak.get("peak_pss_tree_mb", 0) < TARGET_PEAK_MB)


def targets(r: dict[str, Any]) -> list[str]:
    pts = r.get("points", [])
    best = [(p, _wall(p.get("naive")), _wall(p.get("pipeline"))) for p in pts]
    best = [(p, n, w) for p, n, w in best if n and w]
    speed = ", ".join(f"{p['label']}: {n / w:.2f}×" for p, n, w in best) or "–"
    speed_ok = all(n / w >= TARGET_SPEEDUP for _, n, w in best) if best else None
    su = r.get("startup", {}).get("no_prefect", {}).get("wall_s")
    su_p = r.get("startup", {}).get("prefect", {}).get("wall_s")
    reruns = [(p["label"], _wall(p.get("rerun")), _wall(p.get("pipeline"))) for p in pts]
    reruns = [(lab, a, b) for lab, a, b in reruns if a and b]
    rr = ", ".join(f"{lab}: {_share(a, b)}" for lab, a, b in reruns) or "–"
    rr_ok = all(a / b < TARGET_RERUN_SHARE for _, a, b in reruns) if reruns else None
    big = next((p for p in pts if p.get("documents") == 1 and p["pages"] == TARGET_PEAK_PAGES), None)
    peak = _mem(big.get("pipeline")) if big else {}
    fit = (r.get("fit") or {}).get("pipeline")
    lin = "–" if not fit else f"{fit['slope']:.3f} s/page + {fit['intercept']:.1f} s (r² {fit['r2']:.3f})"
    ocr = r.get("ocr") or {}
    rows = ["| target (2 cores) | measured | |", "|---|---|---|",
            f"| end to end ≥ {TARGET_SPEEDUP:.0f}× faster than naive (wall, same PDFs) | {speed} | {_met(speed_ok)} |",
            f"| start-up of a small run < {TARGET_STARTUP_S:.0f} s | {_f(su, 2, ' s')} without Prefect, "
            f"{_f(su_p, 2, ' s')} with | {_met(None if su is None else su < TARGET_STARTUP_S)} |",
            f"| re-run of an unchanged corpus < {TARGET_RERUN_SHARE:.0%} of a full run | {rr} | {_met(rr_ok)} |",
            f"| peak memory < {TARGET_PEAK_MB:.0f} MB on a {TARGET_PEAK_PAGES:,}-page PDF (whole process tree) | "
            + (f"RSS {_f(peak.get('peak_rss_tree_mb'), 0)} MB, PSS {_f(peak.get('peak_pss_tree_mb'), 0)} MB, "
               f"largest process {_f(peak.get('peak_rss_single_mb'), 0)} MB" if peak else "not measured (no 1,000-page point)")
            + f" | {_peak_verdict(big, peak)} |",
            f"| time linear in pages (scaled points) | {lin} | {'see the points below' if fit else '–'} |",
            f"| OCR on its own line | {_f(ocr.get('s_per_ocr_page'), 2, ' s')} per OCR'd page | – |"]
    return rows


def report(r: dict[str, Any]) -> str:
    m = r["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items())
    # an absolute path (a scratch file of the machine it ran on) is shown by its name only
    argv = " ".join(Path(a).name if Path(a).is_absolute() else a for a in r["argv"])
    lines = ["# Performance benchmark (issue #11)", "",
             f"Reproduce: `.venv/bin/python -m bench.perf {argv}` (from the repository root; generated inputs are "
             "cached under `data/bench/`).", "",
             f"Measured {r['started']} in {r.get('total_minutes', '(stopped before the end)')} min on: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM, "
             f"{m['os']}, Python {m['python']}; load average at start {m['load_at_start']}. {m['tesseract']}.", "",
             f"Libraries: {libs}.", "",
             "Each arm runs alone as its own process tree (never two arms at once); memory is the tree's peak, "
             "sampled every 0.2 s (RSS sums count pages shared by forked workers once per process; PSS splits them). "
             "Wall times on a machine shared with other work are indicative only: compare arms within one report, "
             "and re-measure on an idle machine before quoting a number.", "",
             "## Against the targets", "", *targets(r), "",
             "## Throughput (wall seconds, pages per second)", "",
             "| corpus | PDFs | pages | floor: pypdfium2 text | naive: camelot lattice + pdfplumber text | "
             "pipeline: `decree ingest --no-prefect` | pipeline ÷ floor | naive ÷ pipeline |",
             "|---|---|---|---|---|---|---|---|"]
    for p in r.get("points", []):
        fl, nv, pl = _wall(p.get("floor")), _wall(p.get("naive")), _wall(p.get("pipeline"))
        nv_txt = (f"{_f(nv)} s ({_pps(p['pages'], nv)} p/s)" if nv else p.get("naive", {}).get("skipped", "failed"))
        lines.append(f"| {p['label']} | {p['documents']} | {p['pages']:,} | {_f(fl)} s ({_pps(p['pages'], fl)} p/s) | "
                     f"{nv_txt} | {_f(pl)} s ({_pps(p['pages'], pl)} p/s) | "
                     f"{'–' if not (fl and pl) else f'{pl / fl:.0f}×'} | {'–' if not (nv and pl) else f'{nv / pl:.2f}×'} |")
    for p in r.get("points", []):
        t = (p.get("pipeline") or {}).get("summary", {}).get("totals") or {}
        if t.get("rejects") or (p.get("pipeline") or {}).get("exit_code") not in (0, None):
            rej = p["pipeline"]["summary"].get("rejects") or [
                f"{d['document']}: {d['status']}" for d in p["pipeline"]["summary"].get("documents", [])
                if str(d.get("status", "")).startswith("rejected")]
            lines += ["", f"**{p['label']}: the pipeline exited {p['pipeline'].get('exit_code')} with "
                      f"{t.get('rejects', '?')} rejected document(s)** ({'; '.join(rej) or 'see --json'}): its time "
                      "does not cover the rejected pages' work."]
    lines += ["", f"The naive arm is skipped above {r['naive_max_pages']:,} pages (`--naive-max-pages`).", "",
              "## Where the pipeline's time goes", "",
              "Per-document step seconds are summed over documents (documents run in parallel workers, so the sum "
              "can exceed the wall time); `run` is the wall time from the CLI being imported to the run's report "
              "(fetch, extraction, validation, publishing, consolidation).", "",
              "| corpus | wall | CLI import | run | report + exit | fetch Σ | extract Σ | validate Σ | OCR Σ | "
              "run-level stages |", "|---|---|---|---|---|---|---|---|---|---|"]
    for p in r.get("points", []):
        pl = p.get("pipeline") or {}
        ph, w = pl.get("phases") or {}, pl.get("work") or {}
        stages = _stages(pl)
        lines.append(f"| {p['label']} | {_f(pl.get('wall_s'))} | {_f(ph.get('cli_import_s'), 2)} | {_f(ph.get('run_s'))} | "
                     f"{_f(ph.get('report_exit_s'), 2)} | {_f(w.get('fetch_s'))} | {_f(w.get('extract_s'))} | "
                     f"{_f(w.get('validate_s'))} | {_f(w.get('ocr_s'))} | {stages} |")
    lines += ["", "## Peak memory (MB, whole process tree)", "",
              "| corpus | pages | pipeline RSS Σ | pipeline PSS Σ | pipeline largest process | processes | "
              "naive RSS | floor RSS |", "|---|---|---|---|---|---|---|---|"]
    for p in r.get("points", []):
        pm, nm, fm = _mem(p.get("pipeline")), _mem(p.get("naive")), _mem(p.get("floor"))
        lines.append(f"| {p['label']} | {p['pages']:,} | {_f(pm.get('peak_rss_tree_mb'), 0)} | "
                     f"{_f(pm.get('peak_pss_tree_mb'), 0)} | {_f(pm.get('peak_rss_single_mb'), 0)} | "
                     f"{pm.get('max_processes', '–')} | {_f(nm.get('peak_rss_tree_mb'), 0)} | "
                     f"{_f(fm.get('peak_rss_tree_mb'), 0)} |")
    lines += ["", "## Accuracy on the same PDFs (truth from the generator; measures of `bench.extraction`)", "",
              "Fragment = one table on one page matched by bbox IoU ≥ 0.5; cell texts found = truth cell texts "
              "present in the matched fragment. Logical tables and exact cells are scored for the pipeline only "
              "(camelot has no stitching). The pipeline's figures are read from what it published (`tables`, `cells`).",
              "", "| corpus | arm | fragments found | cell texts found | logical tables found | cells exact | "
              "multi-page stitched |", "|---|---|---|---|---|---|---|"]
    for p in r.get("points", []):
        for arm, acc in (("naive", (p.get("naive") or {}).get("accuracy")),
                         ("pipeline", (p.get("pipeline") or {}).get("accuracy"))):
            if not acc:
                continue
            acc = {k: acc.get(k, 0) for k in ("frag_found", "frags", "frag_cells_found", "frag_cells", "found",
                                              "tables", "cells_exact", "cells", "stitched", "multi")}
            lines.append(f"| {p['label']} | {arm} | {_pct(acc.get('frag_found'), acc.get('frags'))} | "
                         f"{_pct(acc.get('frag_cells_found'), acc.get('frag_cells'))} | "
                         + ("– | – | – |" if arm == "naive" else
                            f"{_pct(acc.get('found'), acc.get('tables'))} ({acc.get('found')}/{acc.get('tables')}) | "
                            f"{_pct(acc.get('cells_exact'), acc.get('cells'))} | "
                            f"{acc.get('stitched')}/{acc.get('multi')} |"))
    lines += ["", "## Re-runs (same data dir)", "",
              "| corpus | full run | re-run unchanged | share | documents from cache | one document changed | share | "
              "that document in the full run |", "|---|---|---|---|---|---|---|---|"]
    for p in r.get("points", []):
        full, rr, ch = _wall(p.get("pipeline")), _wall(p.get("rerun")), _wall(p.get("changed"))
        lines.append(f"| {p['label']} | {_f(full)} s | {_f(rr)} s | {_share(rr, full)} | "
                     f"{(p.get('rerun') or {}).get('cached', '–')}/{p['documents']} | "
                     f"{_f(ch) + ' s' if ch else '–'} | {_share(ch, full) if ch else '–'} | "
                     f"{_f((p.get('changed') or {}).get('document_seconds_in_full_run'))} |")
    lines += ["", "The first corpus is ingested from a private copy; for the changed run its first PDF is rewritten "
              "in place by `qpdf --object-streams=generate` (same content, new bytes; a manifest's sha256 "
              "follows), so every source stays the same and only one document's bytes differ.", ""]
    lines += startup_section(r)
    fit = r.get("fit") or {}
    lines += ["## Time against pages (scaled corpus)", "", "| arm | slope (s/page) | intercept (s) | r² |", "|---|---|---|---|"]
    for arm in ("pipeline", "naive", "floor"):
        f = fit.get(arm)
        if f:
            lines.append(f"| {arm} | {f['slope']:.4f} | {f['intercept']:.1f} | {f['r2']:.3f} |")
    if not any(fit.values()):
        lines.append("| – | fewer than two scaled sizes measured | | |")
    ocr = r.get("ocr")
    if ocr:
        lines += ["", "## OCR (scanned pages, both cores)", "",
                  f"`{ocr['scan']}` ({ocr['pages']} pages at {ocr['dpi']} dpi): {ocr['ocr_pages']} pages read by OCR in "
                  f"{_f(ocr['ocr_s'])} s of OCR, **{_f(ocr['s_per_ocr_page'], 2)} s per OCR'd page**; the whole "
                  f"`decree ingest` {_f(ocr['wall_s'])} s, peak PSS {_f(ocr['peak_pss_tree_mb'], 0)} MB."]
        if ocr.get("rejects") or str(ocr.get("status", "")).startswith("rejected"):
            lines += ["", f"**The scan was rejected**: {'; '.join(ocr.get('rejects') or [ocr.get('status', '')])}"]
    return "\n".join(lines) + "\n"


def startup_section(r: dict[str, Any]) -> list[str]:
    s = r.get("startup", {})
    lines = ["## Start-up (a 3-page run whose document is already cached: nothing to extract)", "",
             "| | wall | CLI import | run | report + exit |", "|---|---|---|---|---|",
             f"| `python -c pass` | {_f(s.get('interpreter_s'), 2)} s | | | |"]
    for key, name in (("no_prefect", "`decree ingest --no-prefect`"), ("prefect", "`decree ingest` (Prefect)")):
        x = s.get(key)
        if x:
            ph = x.get("phases") or {}
            lines.append(f"| {name} | {_f(x['wall_s'], 2)} s | {_f(ph.get('cli_import_s'), 2)} s | "
                         f"{_f(ph.get('run_s'), 2)} s | {_f(ph.get('report_exit_s'), 2)} s |")
    if s.get("prefect") and s.get("no_prefect"):
        lines += ["", f"Prefect adds {_f(s['prefect']['wall_s'] - s['no_prefect']['wall_s'], 2)} s to a small run "
                  "(its temporary API server and flow/task machinery)."]
    imp = s.get("imports") or {}
    if imp.get("top"):
        lines += ["", f"`python -X importtime` of the no-Prefect run: {imp['total_s']} s of imports in all "
                  "(importtime's own overhead inflates it). Heaviest top-level imports (cumulative) and the "
                  "packages whose modules took the most time (self):", "",
                  "| top-level import | cumulative s | | package | self s |", "|---|---|---|---|---|"]
        for (a, x), (b, y) in zip(imp["top"], imp["by_package"], strict=False):
            lines.append(f"| `{a}` | {x:.3f} | | `{b}` | {y:.3f} |")
    return lines + [""]
