"""Versioned publishing: Delta tables, run records, time travel, rollback, outside readers."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
import textwrap
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from deltalake import DeltaTable

import pipeline
import pipeline.store.publish as pub
from extractors.document import PARSER_VERSION
from pipeline.core import errors
from pipeline.core.errors import PipelineError
from pipeline.core.fingerprint import code_fingerprint
from pipeline.records.datasets import frame
from pipeline.store import read, tables
from schemas import Dataset, dataset, fields
from schemas.datasets import DATASETS

REPO = Path(__file__).resolve().parent.parent
EXTRACTION = ["documents", "pages", "headings", "tables", "cells"]


def _value(f, sha: str, i: int, tag: str):  # noqa: ANN001,ANN202
    """A value of the field's declared logical type; ``tag`` varies it between runs."""
    t = f.type
    if t in ("string", "json"):
        return json.dumps({"i": i, "tag": tag}) if t == "json" else f"Điều {i} {f.name} {tag}"
    if t == "int":
        return i
    if t == "float":
        return i + 0.25
    if t == "bool":
        return i % 2 == 0
    if t == "date":
        return date(2023, 1, 1) + timedelta(days=i)
    if t == "timestamp":
        return datetime(2026, 1, 1, 7, 30, tzinfo=UTC) + timedelta(minutes=i)
    if t == "decimal":
        return Decimal("1234567.125") + i
    if t == "list_string":
        return [f"cột {i}", tag]
    if t == "list_int":
        return [i, i + 1]
    if t == "list_float":
        return [1.5 * i, 2.0, 3.0, 4.0]
    raise AssertionError(t)


def rows(name: str, shas: list[str], n: int, tag: str) -> pd.DataFrame:
    """``n`` rows per document for any dataset, every field filled with a value of its type."""
    ds = dataset(name)
    out = []
    for sha in shas:
        for i in range(n):
            row = {f.name: _value(f, sha, i, tag) for f in ds.fields}
            row[ds.document_key] = sha
            out.append(row)
    return frame(name, out)


def run_frames(shas: list[str], tag: str, n: int = 3) -> dict[str, pd.DataFrame]:
    return {name: rows(name, shas, 1 if name == "documents" else n, tag) for name in EXTRACTION}


def sort(df: pd.DataFrame, name: str) -> pd.DataFrame:
    return df.sort_values(list(dataset(name).primary_key)).reset_index(drop=True)


def assert_same(a: pd.DataFrame, b: pd.DataFrame, name: str) -> None:
    pd.testing.assert_frame_equal(sort(a, name), sort(b, name))


def pinned_by_record(data_dir: Path, name: str) -> pd.DataFrame:
    """What a reader sees who pins versions via the latest run record, using deltalake only."""
    record = json.loads(sorted((data_dir / "parquet" / "_runs").glob("[0-9]*.json"))[-1].read_text())
    table = DeltaTable(str(data_dir / "parquet" / name), version=record["snapshot"][name]).to_pyarrow_table()
    return frame(name, table.to_pylist())


def latest_delta(data_dir: Path, name: str) -> pd.DataFrame:
    return frame(name, DeltaTable(str(data_dir / "parquet" / name)).to_pyarrow_table().to_pylist())


@pytest.fixture
def two_runs(tmp_path: Path) -> tuple[Path, dict, dict, pub.PublishResult, pub.PublishResult]:
    first = run_frames(["a" * 64, "b" * 64, "c" * 64], "run1")
    second = run_frames(["b" * 64], "run2", n=2)  # document b re-ingested: other values, one row fewer
    data = tmp_path / "data"
    r1 = pub.publish(first, data, run_id="run1")
    r2 = pub.publish(second, data, run_id="run2")
    return data, first, second, r1, r2


def test_second_run_replaces_only_the_reingested_documents_rows(two_runs) -> None:  # noqa: ANN001
    data, first, second, r1, r2 = two_runs
    for name in EXTRACTION:
        latest = pipeline.load(name, data_dir=data)
        old = first[name]
        expected = pd.concat([old[old.doc_sha256 != "b" * 64], second[name]], ignore_index=True)
        assert_same(latest, expected, name)
        assert dict(r2)[name] == len(expected)
    assert r1.versions == {n: (None, 0) for n in EXTRACTION}
    assert r2.versions == {n: (0, 1) for n in EXTRACTION}
    assert r2.commits["cells"].rows_added == 2 and r2.commits["cells"].replaced_documents == 1


def test_time_travel_to_version_0_gives_the_first_run(two_runs) -> None:  # noqa: ANN001
    data, first, _, r1, _ = two_runs
    for name in EXTRACTION:
        assert_same(read.load(name, version=0, data_dir=data), first[name], name)
        assert_same(read.load(name, run_id="run1", data_dir=data), first[name], name)
    record1 = tables.run_record("run1", data)
    at = datetime.fromisoformat(record1["committed_at"])
    assert_same(read.load("cells", version=at, data_dir=data), first["cells"], "cells")
    assert_same(read.load("cells", version=record1["committed_at"], data_dir=data), first["cells"], "cells")
    naive_utc = at.astimezone(UTC).replace(tzinfo=None).isoformat()
    assert_same(read.load("cells", version=naive_utc, data_dir=data), first["cells"], "cells")
    with pytest.raises(errors.VersionNotFound):
        read.load("cells", version=at - timedelta(days=1), data_dir=data)
    with pytest.raises(errors.VersionNotFound):
        read.load("cells", version=7, data_dir=data)
    with pytest.raises(errors.VersionNotFound):
        read.load("cells", run_id="no-such-run", data_dir=data)
    with pytest.raises(errors.VersionNotFound, match="data_dir= by keyword"):
        read.load("cells", data)  # the old positional data_dir is refused, not misread


def test_loaded_dtypes_are_the_declared_ones(two_runs) -> None:  # noqa: ANN001
    data, first, *_ = two_runs
    for name in EXTRACTION:
        df = read.load(name, data_dir=data)
        assert list(df.columns) == dataset(name).columns
        assert {c: str(t) for c, t in df.dtypes.items()} == dataset(name).pandas_dtypes()
    doc = read.load("documents", version=0, data_dir=data).iloc[0]
    assert isinstance(doc["signing_date"], date) and doc["subject"].startswith("Điều 0")
    assert isinstance(read.load("headings", data_dir=data).iloc[0]["bbox"], list)


def test_list_versions_shows_runs_and_exact_counts(two_runs) -> None:  # noqa: ANN001
    data, *_ = two_runs
    v = pipeline.list_versions("cells", data_dir=data)
    assert v[["version", "run_id", "run_sequence", "operation", "publish_action", "published"]].to_dict("records") == [
        {"version": 0, "run_id": "run1", "run_sequence": 1, "operation": "WRITE", "publish_action": "publish",
         "published": True},
        {"version": 1, "run_id": "run2", "run_sequence": 2, "operation": "WRITE", "publish_action": "publish",
         "published": True},
    ]
    assert v[["rows", "rows_added", "rows_removed", "input_hashes"]].values.tolist() == [[9, 9, 0, 3], [8, 2, 3, 1]]
    assert v["timestamp"].iloc[0] <= v["timestamp"].iloc[1]


def test_commit_metadata_records_run_code_version_and_input_hashes(two_runs) -> None:  # noqa: ANN001
    data, *_ = two_runs
    history = DeltaTable(str(data / "parquet" / "pages")).history()  # newest first
    assert [h["run_id"] for h in history] == ["run2", "run1"]
    assert history[0]["input_hashes"] == ["b" * 64]
    assert history[1]["input_hashes"] == ["a" * 64, "b" * 64, "c" * 64]
    assert {h["pipeline_version"] for h in history} == {pipeline.__version__}
    assert {h["parser_version"] for h in history} == {PARSER_VERSION}
    assert history[0]["operationParameters"]["mode"] == "Overwrite"  # replaceWhere: one commit
    assert "doc_sha256" in history[0]["operationParameters"]["predicate"]
    record = tables.latest_run(data)
    assert record["run_id"] == "run2" and record["sequence"] == 2
    assert record["input_hashes"] == ["b" * 64]
    assert record["snapshot"] == {n: 1 for n in EXTRACTION}
    assert record["code_version"] == {"pipeline": pipeline.__version__, "parser": PARSER_VERSION,
                                      "code": code_fingerprint()}


def test_rejects_keep_good_rows_and_are_recorded(tmp_path: Path) -> None:
    pub.publish(run_frames(["a" * 64, "b" * 64], "run1"), tmp_path, run_id="run1")
    rejects = rows("rejects", ["b" * 64], 1, "run2")
    result = pub.publish({**run_frames(["a" * 64], "run2"), "rejects": rejects}, tmp_path, run_id="run2")
    record = tables.latest_run(tmp_path)
    assert record["input_hashes"] == ["a" * 64] and record["rejected_hashes"] == ["b" * 64]
    cells = read.load("cells", data_dir=tmp_path)
    assert set(cells.doc_sha256) == {"a" * 64, "b" * 64}  # b's rows from run1 survive its failed re-ingest
    assert (cells[cells.doc_sha256 == "b" * 64].text.str.endswith("run1")).all()
    assert result["rejects"] == 1
    # b ingested successfully later: its reject row is replaced (kept in time travel)
    pub.publish(run_frames(["b" * 64], "run3"), tmp_path, run_id="run3", input_hashes=["b" * 64])
    pub.publish({"rejects": rows("rejects", ["z" * 64], 1, "run4").iloc[0:0]}, tmp_path, run_id="run4",
                input_hashes=["b" * 64])
    assert read.load("rejects", data_dir=tmp_path).empty
    assert len(read.load("rejects", version=0, data_dir=tmp_path)) == 1


def test_bad_input_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    good = run_frames(["a" * 64], "x")
    cases = {
        "missing column": {**good, "cells": good["cells"].drop(columns=["text"])},
        "undeclared column": {**good, "pages": good["pages"].assign(extra=1)},
        "duplicate key": {**good, "cells": pd.concat([good["cells"], good["cells"].iloc[:1]], ignore_index=True)},
        "no document key": {**good, "tables": good["tables"].assign(doc_sha256=pd.NA)},
        "wrong type": {**good, "headings": good["headings"].assign(level="deux")},
    }
    for label, frames in cases.items():
        with pytest.raises(errors.PublishInputError) as err:
            pub.publish(frames, tmp_path, run_id="bad")
        assert isinstance(err.value, PipelineError), label
        assert not any((tmp_path / "parquet").glob("*/_delta_log")), label
    with pytest.raises(errors.PublishInputError):
        pub.publish(good, tmp_path, run_id="bad run id with spaces")
    with pytest.raises(errors.DatasetNotPublished):
        read.load("cells", data_dir=tmp_path)


def test_as_of_is_the_legal_date_and_refused_without_validity_columns(two_runs) -> None:  # noqa: ANN001
    data, *_ = two_runs
    with pytest.raises(errors.AsOfNotSupported, match="version=") as err:
        pipeline.load("cells", as_of="2023-01-01", data_dir=data)
    assert isinstance(err.value, NotImplementedError) and isinstance(err.value, PipelineError)


def _failing_second_table(monkeypatch: pytest.MonkeyPatch, how) -> list[str]:  # noqa: ANN001
    """Make the writer fail on the second table of a run; returns the tables it was asked to write."""
    real = pub._commit_table
    seen: list[str] = []

    def commit(name, *args, **kwargs):  # noqa: ANN001,ANN002,ANN003,ANN202
        seen.append(name)
        if len(seen) == 2:
            how()
        return real(name, *args, **kwargs)

    monkeypatch.setattr(pub, "_commit_table", commit)
    return seen


def test_failure_mid_publish_rolls_back_and_no_reader_sees_a_partial_run(
        two_runs, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    data, first, second, _, _ = two_runs
    before = {n: read.load(n, data_dir=data) for n in EXTRACTION}

    def boom() -> None:
        raise OSError("disk full")

    seen = _failing_second_table(monkeypatch, boom)
    third = run_frames(["a" * 64, "d" * 64], "run3")
    with pytest.raises(errors.PublishFailed, match="disk full"):
        pub.publish(third, data, run_id="run3")
    assert seen == ["documents", "pages"]
    assert tables.latest_run(data)["run_id"] == "run2"  # the run was not published
    for name in EXTRACTION:
        assert_same(read.load(name, data_dir=data), before[name], name)
        assert_same(pinned_by_record(data, name), before[name], name)
        assert_same(latest_delta(data, name), before[name], name)  # the committed table was restored
    v = read.list_versions("documents", data)
    assert v[["run_id", "publish_action", "operation", "published"]].to_dict("records")[-2:] == [
        {"run_id": "run3", "publish_action": "publish", "operation": "WRITE", "published": False},
        {"run_id": "run3", "publish_action": "rollback", "operation": "RESTORE", "published": False},
    ]
    # the failed WRITE: 2 rows written (a, d), 1 deleted (a); the RESTORE counts rows of data files:
    # it drops the write's files (4 rows: b, c kept + a, d new) and re-adds run 2's file (3 rows)
    assert v[["rows", "rows_added", "rows_removed"]].values.tolist()[-2:] == [[4, 2, 1], [3, 3, 4]]

    monkeypatch.undo()
    result = pub.publish(third, data, run_id="run3-retry")
    assert result.sequence == 3
    for name in EXTRACTION:
        old = before[name]
        expected = pd.concat([old[~old.doc_sha256.isin(["a" * 64, "d" * 64])], third[name]], ignore_index=True)
        assert_same(read.load(name, data_dir=data), expected, name)


def test_a_killed_publish_is_invisible_through_the_run_record_and_undone_by_the_next(two_runs) -> None:  # noqa: ANN001
    data, first, second, _, _ = two_runs
    before = {n: read.load(n, data_dir=data) for n in EXTRACTION}
    # a real process dies (no rollback, no cleanup) right after committing the first table
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(REPO)!r}); sys.path.insert(0, {str(Path(__file__).parent)!r})
        import pipeline.store.publish as pub
        from test_publish import run_frames
        real, seen = pub._commit_table, []
        def commit(name, *a, **k):
            seen.append(name)
            if len(seen) == 2:
                os._exit(9)
            return real(name, *a, **k)
        pub._commit_table = commit
        pub.publish(run_frames(["a" * 64, "e" * 64], "killed"), {str(data)!r}, run_id="killed")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    # guaranteed: readers pinning via the run record (and pipeline.load) see the last complete run
    assert tables.latest_run(data)["run_id"] == "run2"
    for name in EXTRACTION:
        assert_same(pinned_by_record(data, name), before[name], name)
        assert_same(read.load(name, data_dir=data), before[name], name)
    # documented, not hidden: a reader of the latest version of the committed table sees the killed run
    assert "e" * 64 in set(latest_delta(data, "documents").doc_sha256)
    assert_same(latest_delta(data, "pages"), before["pages"], "pages")
    # the next publish restores the orphan commit before writing, so none of its rows leak
    fourth = run_frames(["c" * 64], "run4")
    pub.publish(fourth, data, run_id="run4")
    for name in EXTRACTION:
        old = before[name]
        expected = pd.concat([old[old.doc_sha256 != "c" * 64], fourth[name]], ignore_index=True)
        assert_same(read.load(name, data_dir=data), expected, name)
        assert_same(latest_delta(data, name), expected, name)
    history = DeltaTable(str(data / "parquet" / "documents")).history()
    rollback = next(h for h in history if h.get("publish_action") == "rollback")
    assert rollback["rolled_back_run_id"] == "killed" and rollback["run_id"] == "run4"
    assert rollback["restored_version"] == 1


def test_a_run_that_creates_a_table_and_fails_leaves_it_empty(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    pub.publish({"documents": rows("documents", ["a" * 64], 1, "r1")}, tmp_path, run_id="r1")

    def no_space(*args: object) -> None:
        raise OSError("no space")

    monkeypatch.setattr(pub, "_write_run_record", no_space)
    with pytest.raises(errors.PublishFailed, match="no space"):
        pub.publish(run_frames(["b" * 64], "r2"), tmp_path, run_id="r2")
    assert latest_delta(tmp_path, "cells").empty  # created by the failed run, then emptied
    with pytest.raises(errors.VersionNotFound):  # no published run pins it
        read.load("cells", run_id="r1", data_dir=tmp_path)
    assert len(latest_delta(tmp_path, "documents")) == 1


def test_a_schema_change_rewrites_the_table_in_one_commit(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    base = Dataset("probe", "test-only dataset", fields("doc_sha256", "page", "text", "n_words"),
                   primary_key=("doc_sha256", "page"))
    monkeypatch.setitem(DATASETS, "probe", base)
    pub.publish({"probe": rows("probe", ["a" * 64, "b" * 64], 2, "v1")}, tmp_path, run_id="s1")
    evolved = replace(base, fields=fields("doc_sha256", "page", "text", "page_label"))  # n_words out, label in
    monkeypatch.setitem(DATASETS, "probe", evolved)
    result = pub.publish({"probe": rows("probe", ["b" * 64], 2, "v2")}, tmp_path, run_id="s2")
    assert result.commits["probe"].schema_rewrite and result.versions["probe"] == (0, 1)
    df = read.load("probe", data_dir=tmp_path)
    assert list(df.columns) == ["doc_sha256", "page", "text", "page_label"]
    a = df[df.doc_sha256 == "a" * 64]
    assert a.page_label.isna().all() and a.text.str.endswith("v1").all()
    old = read.load("probe", version=0, data_dir=tmp_path)  # the old version keeps its dropped column
    assert list(old.columns) == ["doc_sha256", "page", "text", "page_label", "n_words"]
    assert old.n_words.tolist() == [0, 1, 0, 1]


def test_arrow_schema_of_a_table_is_the_declared_one(two_runs) -> None:  # noqa: ANN001
    data, *_ = two_runs
    for name in EXTRACTION:
        stored = pa.schema(DeltaTable(str(data / "parquet" / name)).schema().to_arrow())
        assert tables.schema_of(DeltaTable(str(data / "parquet" / name))) == tables.declared_schema(dataset(name))
        assert [f.nullable for f in stored] == [f.nullable for f in dataset(name).fields]


def _snippets() -> list[str]:
    text = (REPO / "docs" / "reading-the-data.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_reading_the_data_snippets_run_without_the_project(two_runs) -> None:  # noqa: ANN001
    data, *_ = two_runs
    snippets = _snippets()
    assert len(snippets) >= 4
    site = sysconfig.get_paths()["purelib"]
    # -I -S: no PYTHONPATH, no cwd, no site (so no editable-install hook of this project); only
    # the third-party packages directory is put back on the path
    prelude = textwrap.dedent(f"""
        import sys, importlib.util
        sys.path.append({site!r})
        for mod in ("pipeline", "schemas", "extractors", "flows"):
            assert importlib.util.find_spec(mod) is None, mod
    """)
    epilogue = textwrap.dedent("""
        assert not {"pipeline", "schemas", "extractors"} & set(sys.modules)
        print("SNIPPETS-OK")
    """)
    script = prelude + "\n".join(snippets) + epilogue
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", script], cwd=data.parent, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "SNIPPETS-OK" in out
    assert "3 documents; 8 cells" in out  # a, c: 3 cells each from run 1; b: 2 from run 2
    assert "run run2" in out and "3 documents in version 0" in out
    assert re.search(r"^1 WRITE publish run2 1 input documents$", out, flags=re.M)
    assert re.search(r"^0 WRITE publish run1 3 input documents$", out, flags=re.M)
