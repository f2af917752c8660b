"""The performance benchmark's instrument (#11): the scaled corpus generator and the measuring
machinery of ``bench.perf``, on a 3-page input. No wall-clock limits: the numbers are checked for
sense (positive, consistent with each other and with the truth), never against a time."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import pytest

from bench import perf
from bench.perf_measure import PollSettings, fit_line, importtime_summary, run_measured
from bench.perf_report import report
from tools.corpus.scaled import ScaledSpec, cut_truth, ensure_scaled, roman

_pages = perf._pages  # one page counter for the benchmark and its test


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_scaled(ScaledSpec(3, 3), tmp_path_factory.mktemp("scaled"))


def test_scaled_corpus_has_the_asked_pages_and_is_deterministic(tiny: Path, tmp_path: Path) -> None:
    again = ensure_scaled(ScaledSpec(3, 3), tmp_path)
    (pdf,) = sorted((tiny / "pdf").glob("*.pdf"))
    (pdf2,) = sorted((again / "pdf").glob("*.pdf"))
    assert _pages(pdf) == 3
    assert pdf.read_bytes() == pdf2.read_bytes()
    truth = json.loads((tiny / "truth" / f"{pdf.stem}.json").read_text(encoding="utf-8"))
    assert truth == json.loads((again / "truth" / f"{pdf.stem}.json").read_text(encoding="utf-8"))
    assert truth["page_count"] == 3 and truth["pdf_sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert truth["tables"] and all(max(t["pages"]) <= 3 for t in truth["tables"])
    # cached: a second call with the same spec does not regenerate
    stamp = (tiny / "spec.json").stat().st_mtime_ns
    assert ensure_scaled(ScaledSpec(3, 3), tiny.parent) == tiny and (tiny / "spec.json").stat().st_mtime_ns == stamp


def test_scaled_sizes_split_into_documents_and_truth_is_cut() -> None:
    assert ScaledSpec(3000).doc_sizes() == [1000, 1000, 1000]
    assert ScaledSpec(5, doc_pages=2).doc_sizes() == [2, 2, 1]
    assert [roman(n) for n in (1, 4, 9, 14, 40, 1990)] == ["I", "IV", "IX", "XIV", "XL", "MCMXC"]
    truth = {"page_count": 4, "pages": [{"page": i} for i in range(1, 5)], "headings": [{"page": 1}, {"page": 4}],
             "tables": [{"index": 0, "pages": [1, 2]}, {"index": 1, "pages": [2, 3]}],
             "records": {"norm_items": [{"table_index": 0}, {"table_index": 1}]}}
    cut = cut_truth(truth, 2)
    assert cut["page_count"] == 2 and len(cut["pages"]) == 2 and len(cut["headings"]) == 1
    assert [t["index"] for t in cut["tables"]] == [0] and cut["records"]["norm_items"] == [{"table_index": 0}]
    with pytest.raises(ValueError):
        ScaledSpec(0)


def test_tree_memory_counts_forked_children() -> None:
    code = ("import os, time\n"
            "if os.fork() == 0:\n"
            "    b = bytearray(80 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(1.5); os._exit(0)\n"
            "os.wait()\n")
    m = run_measured([sys.executable, "-c", code], poll=PollSettings(interval_s=0.05))
    assert m.exit_code == 0 and m.wall_s > 0 and m.samples >= 1
    assert m.max_processes >= 2
    assert m.peak_rss_tree_mb >= 80 and m.peak_rss_single_mb >= 80
    assert m.peak_rss_tree_mb >= m.peak_rss_single_mb


def test_importtime_and_fit() -> None:
    text = ("import time: self [us] | cumulative | imported package\n"
            "import time:    100000 |     100000 |   pandas.core\n"
            "import time:    500000 |     600000 | pandas\n"
            "import time:    200000 |     200000 | json\n")
    s = importtime_summary(text)
    assert s["total_s"] == pytest.approx(0.8)
    assert s["top"][0] == ("pandas", 0.6) and dict(s["by_package"])["pandas"] == pytest.approx(0.6)
    m = run_measured([sys.executable, "-X", "importtime", "-c", "import json"])
    assert any(name == "json" for name, _ in importtime_summary(m.stderr)["top"])
    f = fit_line([200, 1000, 3000], [2 * 200 + 5, 2 * 1000 + 5, 2 * 3000 + 5])
    assert f["slope"] == pytest.approx(2) and f["intercept"] == pytest.approx(5) and f["r2"] == pytest.approx(1)
    assert fit_line([200], [1.0]) is None


def test_one_point_end_to_end_and_report(tiny: Path) -> None:
    """floor, naive, pipeline and its re-run on the 3-page PDF; then the markdown report."""
    pdfs = sorted((tiny / "pdf").glob("*.pdf"))
    truth = json.loads(next((tiny / "truth").glob("*.json")).read_text(encoding="utf-8"))
    point = {"label": "scaled 3", "sources": [str(tiny / "pdf")], "pdfs": pdfs, "pages": 3,
              "truths": {truth["pdf_sha256"]: truth}}
    args = argparse.Namespace(naive_max_pages=10, work_dir=None, prefect_full=False)
    r = perf.measure_point(point, args, PollSettings(), first=True)
    assert r["floor"]["ok"] and r["floor"]["per_pdf"][str(pdfs[0])]["pages"] == 3
    assert r["floor"]["per_pdf"][str(pdfs[0])]["chars"] > 500
    assert r["naive"]["ok"] and r["naive"]["per_pdf"][str(pdfs[0])]["pages"] == 3
    n_frags = sum(len(t["fragments"]) for t in truth["tables"])
    assert r["naive"]["accuracy"]["frags"] == n_frags
    assert 0 <= r["naive"]["accuracy"]["frag_found"] <= n_frags
    pl = r["pipeline"]
    assert pl["exit_code"] == 0, pl["measured"]["stderr"]
    (doc,) = pl["summary"]["documents"]
    assert doc["pages"] == 3 and not doc["cached"] and pl["work"]["extract_s"] > 0
    assert pl["phases"]["cli_import_s"] > 0 and pl["phases"]["run_s"] > 0
    assert pl["measured"]["peak_pss_tree_mb"] > 0 and pl["measured"]["max_processes"] >= 2  # the extraction worker
    acc = pl["accuracy"]
    assert acc["tables"] == len(truth["tables"]) and 0 <= acc["found"] <= acc["tables"]
    assert 0 <= acc["cells_exact"] <= acc["cells"] and acc["frags"] == n_frags
    assert r["rerun"]["exit_code"] == 0 and r["rerun"]["cached"] == 1
    assert "changed" not in r  # one PDF: no "one of several changed" run
    results = {"machine": perf.machine(), "argv": ["--quick", "--json", str(tiny / "perf.json")], "naive_max_pages": 10, "started": "now",
               "total_minutes": 1.0, "startup": {"interpreter_s": 0.1, "no_prefect": pl}, "points": [r],
               "fit": {"pipeline": None, "naive": None, "floor": None}}
    md = report(results)
    for heading in ("## Against the targets", "## Throughput", "## Peak memory", "## Accuracy", "## Re-runs",
                    "## Start-up", "## Time against pages"):
        assert heading in md
    assert "| scaled 3 | 1 | 3 |" in md and "| scaled 3 | pipeline |" in md
    assert "--quick --json perf.json`" in md and str(tiny) not in md  # no path of this machine in the report


def test_one_document_changes_in_place_under_the_same_source(tiny: Path, tmp_path: Path) -> None:
    point = {"label": "scaled 3", "pdfs": sorted((tiny / "pdf").glob("*.pdf"))}
    sources = perf.stage_corpus(point, tmp_path / "corpus")
    (staged,) = sorted((tmp_path / "corpus" / "pdf").glob("*.pdf"))
    before = staged.read_bytes()
    changed = perf.change_one(sources, tmp_path / "corpus")
    assert changed == staged and staged.read_bytes() != before and _pages(staged) == 3
