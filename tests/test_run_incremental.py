"""Run-level work: a re-run of an unchanged corpus reads and writes nothing, one changed document
costs one extraction and gives the rows a full run gives, parallel extraction gives the rows of a
serial one, the run record carries seconds per stage, and light commands stay light.
Behaviour only: counts of extractions and table versions, never wall-clock limits."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from pipeline.runs import corpus, plan, run
from pipeline.runs.isolate import ExtractionLimits
from pipeline.store.read import load
from pipeline.store.runlog import log_version
from pipeline.store.tables import run_records
from schemas.runs import STAGES, check_record

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "real"
SMALL = ("run_07_p2.pdf", "masthead_07_p1.pdf", "t26_p10-11.pdf")  # three small text-layer documents
HEAVY = ("spacy", "camelot", "pdfplumber", "pandas", "prefect")


class Calls:
    """Counts the documents sent to an extraction worker (``isolate.call``), from any thread; not
    the page counts a run with cores to spare takes first (``pipeline.runs.ranges``)."""

    def __init__(self) -> None:
        self.n = 0
        self._lock = threading.Lock()
        self._real = run.isolate.call

    def __call__(self, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN204
        with self._lock:
            self.n += fn.__name__ != "_page_count"
        return self._real(fn, *args, **kwargs)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    counter = Calls()
    monkeypatch.setattr(run.isolate, "call", counter)
    return counter


def corpus_dir(root: Path, names: tuple[str, ...] = SMALL[:2]) -> Path:
    d = root / "corpus"
    d.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(FIXTURES / name, d / name)
    return d


def versions(data_dir: Path) -> dict[str, int | None]:
    root = data_dir / "parquet"
    return {p.name: log_version(p) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith("_")}


def rows(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Every published dataset, sorted, without the columns that say when or by which run."""
    out = {}
    for name in versions(data_dir):
        df = load(name, data_dir=data_dir)
        df = df.drop(columns=[c for c in df.columns if c.endswith("_at") or c == "run_id"])
        out[name] = df.astype("string").sort_values(list(df.columns)).reset_index(drop=True)
    return out


def assert_same_rows(a: Path, b: Path) -> None:
    ra, rb = rows(a), rows(b)
    assert sorted(ra) == sorted(rb)
    for name in ra:
        pd.testing.assert_frame_equal(ra[name], rb[name], obj=name)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two small documents ingested once (serially): (corpus folder, data dir)."""
    root = tmp_path_factory.mktemp("incremental")
    src = corpus_dir(root)
    outcome = corpus.run_corpus([str(src)], root / "data", workers=1)
    assert outcome.ok and outcome.mode == "full", outcome.message()
    return src, root / "data"


@pytest.fixture
def copied(ingested: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    src, data = ingested
    shutil.copytree(src, tmp_path / "corpus")
    shutil.copytree(data, tmp_path / "data")
    # the documents under their new paths (sources): published again from the cache
    again = corpus.run_corpus([str(tmp_path / "corpus")], tmp_path / "data", workers=1)
    assert again.mode == "full" and all(r.cached for r in again.published)
    return tmp_path / "corpus", tmp_path / "data"


def test_an_unchanged_corpus_is_not_read_again_and_no_table_is_rewritten(copied, calls: Calls) -> None:  # noqa: ANN001
    src, data = copied
    before_versions, before_rows, n_runs = versions(data), rows(data), len(run_records(data))
    outcome = corpus.run_corpus([str(src)], data, workers=2)
    assert calls.n == 0
    assert outcome.ok and outcome.mode == "unchanged" and len(outcome.published) == 2
    assert all(r.unchanged for r in outcome.published)
    assert outcome.published[0].stats["pages"] >= 1  # the counts come from the record
    assert versions(data) == before_versions  # not one commit
    records = run_records(data)
    assert len(records) == n_runs + 1
    last, previous = records[-1], records[-2]
    assert last["mode"] == "unchanged" and last["tables"] == {}
    assert last["snapshot"] == previous["snapshot"] and last["unchanged_from"] == previous["run_id"]
    for name, df in rows(data).items():  # readers see the same rows, also through the new run id
        pd.testing.assert_frame_equal(df, before_rows[name], obj=name)
    assert len(load("documents", run_id=outcome.run_id, data_dir=data)) == 2


def test_one_changed_document_is_extracted_alone_and_gives_the_rows_of_a_full_run(copied, calls: Calls,  # noqa: ANN001
                                                                                   tmp_path: Path) -> None:
    src, data = copied
    old_sha = hashlib.sha256((src / SMALL[1]).read_bytes()).hexdigest()
    shutil.copyfile(FIXTURES / SMALL[2], src / SMALL[1])  # the second file now holds other bytes
    full = tmp_path / "full"
    shutil.copytree(data, full)
    outcome = corpus.run_corpus([str(src)], data, workers=2)
    assert calls.n == 1
    changed = [r for r in outcome.published if not r.unchanged]
    assert outcome.mode == "incremental" and len(outcome.published) == 2
    assert [Path(r.source).name for r in changed] == [SMALL[1]]
    # only its rows were replaced: those of its new bytes and those its source held before
    assert run_records(data)[-1]["input_hashes"] == sorted([changed[0].sha256, old_sha])
    assert old_sha not in set(load("documents", data_dir=data)["doc_sha256"])
    everything = corpus.run_corpus([str(src)], full, workers=2, full=True)
    assert everything.mode == "full" and calls.n == 2
    assert_same_rows(data, full)


def test_a_change_of_the_publishing_code_publishes_every_document_again(copied, calls: Calls,  # noqa: ANN001
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    src, data = copied
    monkeypatch.setattr(plan, "derive_key", lambda: "another-publishing-code")
    monkeypatch.setattr(run, "derive_key", lambda: "another-publishing-code")
    outcome = corpus.run_corpus([str(src)], data, workers=1)
    assert outcome.mode == "full" and not any(r.unchanged for r in outcome.published)
    assert calls.n == 0  # the frames come from the cache: same extraction code
    assert run_records(data)[-1]["tables"]  # but the tables are written again


def test_parallel_extraction_publishes_the_rows_of_a_serial_one(tmp_path: Path, calls: Calls) -> None:
    src = corpus_dir(tmp_path, SMALL)
    roomy = ExtractionLimits(seconds_base=600.0)  # about rows, not limits: a loaded machine must not reject
    serial = corpus.run_corpus([str(src)], tmp_path / "serial", workers=1, limits=roomy)
    parallel = corpus.run_corpus([str(src)], tmp_path / "parallel", workers=2, limits=roomy)
    assert serial.ok and parallel.ok, serial.reject_lines() + parallel.reject_lines()
    assert calls.n == 6
    assert [r.entry_id for r in serial.published] == [r.entry_id for r in parallel.published]
    assert run_records(tmp_path / "parallel")[-1]["workers"] == 2
    assert_same_rows(tmp_path / "serial", tmp_path / "parallel")


def test_the_run_record_holds_declared_stage_seconds(ingested: tuple[Path, Path]) -> None:
    _, data = ingested
    record = run_records(data)[-1]
    check_record(record)
    assert set(record["stages"]) <= set(STAGES)
    for stage in ("fetch", "documents", "extract", "records", "validate", "derive", "publish", "total"):
        assert record["stages"][stage] >= 0, stage
    assert record["stages"]["extract"] > 0 and record["stages"]["publish"] >= record["stages"]["derive"]
    with pytest.raises(ValueError, match="undeclared keys"):
        check_record({**record, "colour": "red"})
    with pytest.raises(ValueError, match="undeclared stages"):
        check_record({**record, "stages": {"coffee": 1.0}})


def test_ocr_workers_keep_documents_times_processes_within_the_cores() -> None:
    for cores in (1, 2, 4, 8):
        for docs in range(1, cores + 2):
            assert docs * plan.ocr_workers(docs, cores) <= max(cores, docs)
            assert plan.ocr_workers(docs, cores) >= 1


def _modules_after(code: str) -> dict[str, bool]:
    probe = f"import sys\n{code}\nprint(__import__('json').dumps({{m: m in sys.modules for m in {list(HEAVY)!r}}}))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_help_loads_no_heavy_library() -> None:
    loaded = _modules_after("from pipeline.app.cli import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass")
    assert not any(loaded.values()), loaded


def test_an_unchanged_run_without_prefect_loads_neither_prefect_nor_the_pdf_libraries(copied) -> None:  # noqa: ANN001
    src, data = copied
    loaded = _modules_after(
        "from pipeline.app.cli import app\n"
        f"try:\n    app(['ingest', {str(src)!r}, '--no-prefect', '--data-dir', {str(data)!r}])\n"
        "except SystemExit as e:\n    assert e.code == 0, e.code")
    assert not any(loaded.values()), loaded  # no Prefect imported: its server cannot have started
    assert run_records(data)[-1]["mode"] == "unchanged"


def test_a_run_served_from_the_frame_cache_starts_no_worker(copied, calls: Calls,  # noqa: ANN001
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # --full republishes every document: from the cache, with no fork server loading the libraries
    src, data = copied
    warmed = []
    monkeypatch.setattr(corpus.isolate, "warm", lambda: warmed.append(1))
    outcome = corpus.run_corpus([str(src)], data, workers=2, full=True)
    assert outcome.ok and outcome.mode == "full" and all(r.cached for r in outcome.published)
    assert calls.n == 0 and warmed == []
