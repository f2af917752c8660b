"""``decree ingest`` killed with SIGKILL at many moments (startup, extraction, publishing):
afterwards every dataset reads as its last complete run, no partial run is visible, and the next
run completes. A few kill points run in the default suite, twenty more behind ``-m slow``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from deltalake import DeltaTable

from pipeline.store.read import load
from pipeline.store.tables import run_records

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples" / "pdf"
DOCS = [SAMPLES / "compact" / "daklak-2026-letter.pdf", SAMPLES / "compact" / "camau-2025-plan.pdf"]


def ingest(data: Path, *pdfs: Path, full: bool = False) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline.app.cli", "ingest", *map(str, pdfs), "--no-prefect",
                             "--workers", "1", "--data-dir", str(data), *(["--full"] if full else [])], cwd=REPO, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(REPO)})


def assert_whole_runs(data: Path) -> None:
    """Every pinned table reads; any commit newer than the latest record's pin belongs to a run
    without a record (a killed publish, undone by the next one) or is such a rollback."""
    records = run_records(data)
    if not records:
        return
    last = records[-1]
    for name, version in last["snapshot"].items():
        dt = DeltaTable(str(data / "parquet" / name))
        assert len(load(name, data_dir=data)) == DeltaTable(str(data / "parquet" / name), version=version).count()
        for h in dt.history():
            if h["version"] > version:
                assert h.get("publish_action") == "rollback" or int(h.get("run_sequence", 0)) > last["sequence"], \
                    (name, h)


def kill_at(data: Path, seconds: float) -> str:
    """Kill a run after ``seconds``; checks what is left and says when the kill landed: before
    the publish, during it (commits without a run record), or after the run ended."""
    before, commits = len(run_records(data)), unrecorded_commits(data)
    proc = ingest(data, *DOCS, full=True)  # --full: the documents are unchanged, publish them anyway
    time.sleep(seconds)
    ended = proc.poll() is not None
    if not ended:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    after = run_records(data)
    assert len(after) in (before, before + 1)  # the run is recorded whole or not at all
    assert_whole_runs(data)
    if ended or len(after) > before:
        return "after the run"
    return "during the publish" if unrecorded_commits(data) > commits else "before the publish"


def unrecorded_commits(data: Path) -> int:
    """Table commits newer than the latest run record (a killed publish, or its rollback)."""
    records = run_records(data)
    if not records:
        return 0
    last = records[-1]
    return sum(int(h.get("run_sequence", 0)) > last["sequence"] for name in last["snapshot"]
               for h in DeltaTable(str(data / "parquet" / name)).history())


def next_run_completes(data: Path) -> None:
    before = len(run_records(data))
    proc = ingest(data, *DOCS)
    assert proc.wait() == 0
    records = run_records(data)
    assert len(records) == before + 1
    last = records[-1]
    for name, version in last["snapshot"].items():  # after recovery the tables are exactly the record's
        assert DeltaTable(str(data / "parquet" / name)).version() == version, name
    assert set(load("documents", data_dir=data)["file_name"]) == {p.name for p in DOCS}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("killed")
    proc = ingest(d, *DOCS)  # a first complete run: the kills below hit a data dir with history
    assert proc.wait() == 0
    return d


@pytest.mark.parametrize("seconds", [0.5, 4.0, 8.0])
def test_a_killed_ingest_leaves_whole_runs_and_the_next_one_completes(data: Path, seconds: float) -> None:
    kill_at(data, seconds)
    next_run_completes(data)


@pytest.mark.slow
def test_twenty_kills_at_spread_moments(data: Path) -> None:
    """Kill points spread over the whole of a run as long as one takes on this machine (measured
    first, cache warm as for the killed runs): fixed moments all fell before the publish on a
    loaded machine, where a run outlasted them."""
    t0 = time.monotonic()
    next_run_completes(data)
    duration = time.monotonic() - t0
    landed = Counter(kill_at(data, duration * (i + 0.5) / 20) for i in range(20))
    print(f"\n20 kills over a {duration:.1f} s run: {dict(landed)}")
    next_run_completes(data)


def test_two_runs_started_at_once_both_complete_and_see_each_other(tmp_path: Path) -> None:
    data = tmp_path / "data"
    procs = [ingest(data, DOCS[0]), ingest(data, DOCS[1])]
    assert [p.wait() for p in procs] == [0, 0]
    records = run_records(data)
    assert [r["sequence"] for r in records] == [1, 2] and len({r["run_id"] for r in records}) == 2
    assert set(load("documents", data_dir=data)["file_name"]) == {p.name for p in DOCS}
    # the second run's derived datasets were built from both documents, under the writer lock
    refs = load("references", data_dir=data)
    cited = refs[refs["cited_number"].notna() & refs["cited_type"].notna()]
    assert cited["doc_sha256"].nunique() == 2  # both documents cite others
    assert set(cited["cited_number"]) <= set(load("citation_nodes", data_dir=data)["doc_number"])
