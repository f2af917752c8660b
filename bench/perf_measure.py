"""The measuring pieces of the performance benchmark (``bench.perf``), free of any corpus.

* ``run_measured``: a command as a subprocess, its wall time and the peak memory of its whole
  process tree (forked extraction workers and pools included), polled with psutil;
* ``importtime_summary``: the heaviest imports from ``python -X importtime`` output;
* ``fit_line``: least-squares slope and intercept (time linear in pages);
* ``score_naive`` / ``score_published``: the accuracy of camelot's tables and of the pipeline's
  published ``tables``/``cells`` against the corpus truth (the measures of ``bench.extraction``);
* ``machine``: what the numbers were measured on.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MB = 1024 * 1024


@dataclass(frozen=True)
class PollSettings:
    """How often the memory of the process tree is sampled (seconds); ``pss``: also sum the
    proportional set size (shared pages counted once across forks; slower to read)."""

    interval_s: float = 0.2
    pss: bool = True

    def __post_init__(self) -> None:
        if not 0.01 <= self.interval_s <= 5:
            raise ValueError(f"PollSettings.interval_s must be within 0.01..5, got {self.interval_s}")


@dataclass
class Measured:
    cmd: list[str]
    exit_code: int
    wall_s: float
    peak_rss_tree_mb: float = 0.0  # the largest sum of RSS over the tree at one sample
    peak_pss_tree_mb: float = 0.0  # the same with PSS (shared pages split between processes)
    peak_rss_single_mb: float = 0.0  # the largest RSS of any one process of the tree
    max_processes: int = 0
    samples: int = 0
    stdout: str = ""
    stderr: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["stdout"], d["stderr"] = self.stdout[-2000:], self.stderr[-4000:]
        return d


def _tree(proc) -> list:  # noqa: ANN001 - psutil.Process
    import psutil

    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return []


def run_measured(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
                 poll: PollSettings = PollSettings()) -> Measured:  # noqa: B008 - frozen settings
    """Run ``cmd``; sample the memory of its process tree until it ends."""
    import psutil

    t0 = time.perf_counter()
    spawned = {"PERF_SPAWNED_AT": repr(time.time())}
    p = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {}), **spawned}, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    peaks = {"rss": 0, "pss": 0, "single": 0, "n": 0, "samples": 0}
    done = threading.Event()

    def sample() -> None:
        root = psutil.Process(p.pid)
        while not done.is_set():
            rss = pss = 0
            procs = _tree(root)
            for q in procs:
                try:
                    if poll.pss:
                        mi = q.memory_full_info()
                        r, s = mi.rss, getattr(mi, "pss", mi.rss)
                    else:
                        r = s = q.memory_info().rss
                except psutil.Error:
                    continue
                rss, pss = rss + r, pss + s
                peaks["single"] = max(peaks["single"], r)
            peaks["rss"], peaks["pss"] = max(peaks["rss"], rss), max(peaks["pss"], pss)
            peaks["n"] = max(peaks["n"], len(procs))
            peaks["samples"] += 1
            done.wait(poll.interval_s)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    return Measured(cmd, p.returncode, wall, peaks["rss"] / MB, peaks["pss"] / MB, peaks["single"] / MB,
                    peaks["n"], peaks["samples"], out, err)


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def importtime_summary(stderr: str, top: int = 12) -> dict[str, Any]:
    """From ``python -X importtime`` output: total import seconds, the top-level imports with
    the largest cumulative time, and the cumulative time per root package (first import of it)."""
    rows = []
    for line in stderr.splitlines():
        m = _IMPORT_LINE.match(line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), len(m.group(3)) // 2, m.group(4)))
    if not rows:
        return {"total_s": None, "top": [], "by_package": []}
    min_depth = min(r[2] for r in rows)
    top_level = [r for r in rows if r[2] == min_depth]
    total = sum(r[1] for r in top_level) / 1e6
    by_pkg: Counter[str] = Counter()
    for self_us, _cum, _depth, name in rows:
        by_pkg[name.split(".")[0]] += self_us
    return {"total_s": round(total, 3),
            "top": [(name, round(cum / 1e6, 3)) for _s, cum, _d, name in sorted(top_level, key=lambda r: -r[1])[:top]],
            "by_package": [(name, round(us / 1e6, 3)) for name, us in by_pkg.most_common(top)]}


def fit_line(xs: list[float], ys: list[float]) -> dict[str, float] | None:
    """Least squares y = slope * x + intercept, with r²; None with fewer than two distinct x."""
    n = len(xs)
    if n < 2 or len(set(xs)) < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = my - slope * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - (slope * x + intercept)) ** 2 for x, y in zip(xs, ys, strict=True))
    return {"slope": slope, "intercept": intercept, "r2": 1 - ss_res / ss_tot if ss_tot else 1.0}


# ---- accuracy against the corpus truth (the measures of bench.extraction) --------------------------

def score_naive(found: list[dict], truth: dict) -> Counter:
    """camelot's tables (``bench.perf_arms.naive`` output) against one truth: fragments found and
    cell texts found (``bench.extraction.frag_recall``)."""
    from bench.extraction import fold, frag_recall

    frags = [(f["page"], f["bbox"], Counter(fold(t) for t in f["texts"] if fold(t))) for f in found]
    fm, fn, cm, cn = frag_recall(truth, frags)
    return Counter(frag_found=fm, frags=fn, frag_cells_found=cm, frag_cells=cn)


def score_published(tables, cells, truth: dict) -> Counter:  # noqa: ANN001 - DataFrames of one document
    """The pipeline's published ``tables`` and ``cells`` of one document against its truth: the
    fragment measures of ``score_naive`` and, per logical table, cells exact and stitched."""
    from bench.extraction import fold, frag_recall, iou

    frags, firsts = [], []
    for _, t in tables.iterrows():
        fr = t["fragments"]
        fr = json.loads(fr) if isinstance(fr, str) else list(fr or [])
        mine = cells[cells["table_index"] == t["table_index"]]
        for k, f in enumerate(fr):
            on_page = mine[mine["page"] == f["page"]]
            texts = Counter(fold(x) for x in on_page["text"].tolist() if fold(x))
            frags.append((int(f["page"]), list(f["bbox"]), texts))
            if k == 0:
                firsts.append((int(f["page"]), list(f["bbox"]), t, mine))
    fm, fn, cm, cn = frag_recall(truth, frags)
    c = Counter(frag_found=fm, frags=fn, frag_cells_found=cm, frag_cells=cn)
    for tt in truth["tables"]:
        f0 = tt["fragments"][0]
        c["tables"] += 1
        c["cells"] += len(tt["cells"])
        c["multi"] += bool(tt["multi_page"])
        match = next(((t, mine) for page, bbox, t, mine in firsts
                      if page == f0["page"] and iou(bbox, f0["bbox"]) >= 0.5), None)
        if match is None:
            continue
        t, mine = match
        c["found"] += 1
        ours = {(int(r), int(col)): x for r, col, x in zip(mine["row"], mine["col"], mine["text"], strict=True)}
        c["cells_exact"] += sum(fold(ours.get((x["row"], x["col"]))) == fold(x["text"]) and (x["row"], x["col"]) in ours
                                for x in tt["cells"])
        pages = [int(p) for p in (json.loads(t["pages"]) if isinstance(t["pages"], str) else list(t["pages"]))]
        c["stitched"] += bool(tt["multi_page"] and pages == tt["pages"])
    return c


# ---- the machine -----------------------------------------------------------------------------------

LIBRARIES = ("camelot-py", "pdfplumber", "pdfminer.six", "pypdfium2", "pandas", "pyarrow", "deltalake", "prefect",
             "spacy", "pytesseract", "reportlab", "psutil")


def machine() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        ram = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
        load = ", ".join(f"{x:.2f}" for x in psutil.getloadavg())
    except Exception:  # psutil missing
        ram, load = "?", "?"
    libs = {}
    for lib in LIBRARIES:
        try:
            libs[lib] = version(lib)
        except PackageNotFoundError:
            libs[lib] = "-"
    try:
        tess = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    except OSError:
        tess = "-"
    return {"cpu": cpu, "cores": os.cpu_count(), "ram": ram, "load_at_start": load, "os": platform.platform(),
            "python": platform.python_version(), "libraries": libs, "tesseract": tess}
