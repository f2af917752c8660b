"""The extraction cache: keyed on sha256 + parser version, atomic, computes only on a miss."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from extractors.document import PARSER_VERSION, extract_document
from pipeline.core import cache
from pipeline.records.datasets import document_frames

SHA = "0123456789abcdef" * 4
PDF = Path(__file__).resolve().parent.parent / "data" / "samples" / "pdf" / "compact" / "daklak-2026-letter.pdf"


def frames() -> dict[str, pd.DataFrame]:
    return {
        "tables": pd.DataFrame({
            "table_id": ["t1", "t2"],
            "title": ["Định mức kinh tế - kỹ thuật", None],
            "n_rows": pd.array([12, None], dtype="Int64"),
            "value": [1.5, float("nan")],
            "extracted_at": pd.to_datetime(["2026-01-05T02:00:00Z", "2026-01-05T02:00:01Z"], utc=True),
        }),
        "cells": pd.DataFrame({"text": ["1.200", "kg"], "row": [0, 1]}),
    }


class Counter:
    def __init__(self, result: dict[str, pd.DataFrame]) -> None:
        self.calls = 0
        self.result = result

    def __call__(self) -> dict[str, pd.DataFrame]:
        self.calls += 1
        return self.result


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert sorted(a) == sorted(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_miss_put_hit(tmp_path: Path) -> None:
    assert cache.get("extract", SHA, "extract-1", tmp_path) is None
    folder = cache.put("extract", SHA, "extract-1", frames(), tmp_path)
    assert folder == tmp_path / "cache" / "extract" / "extract-1" / SHA
    assert sorted(p.name for p in folder.iterdir()) == ["_frames.json", "cells.parquet", "tables.parquet"]
    assert_same(cache.get("extract", SHA, "extract-1", tmp_path), frames())
    assert [p.name for p in folder.parent.iterdir()] == [SHA]  # no temporary folder left behind


def test_cached_computes_once_and_new_parser_version_misses(tmp_path: Path) -> None:
    compute = Counter(frames())
    first = cache.cached("extract", SHA, "extract-1", compute, tmp_path)
    second = cache.cached("extract", SHA, "extract-1", compute, tmp_path)
    assert compute.calls == 1
    assert_same(first, frames())
    assert_same(second, first)
    newer = cache.cached("extract", SHA, "extract-2", compute, tmp_path)
    assert compute.calls == 2  # a different parser version is a miss
    assert_same(newer, first)
    other_stage = cache.cached("normalize", SHA, "extract-1", compute, tmp_path)
    assert compute.calls == 3 and sorted(other_stage) == ["cells", "tables"]
    other_doc = cache.get("extract", "f" * 64, "extract-1", tmp_path)
    assert other_doc is None


def test_a_stage_that_produced_nothing_is_a_hit(tmp_path: Path) -> None:
    compute = Counter({})
    assert cache.cached("extract", SHA, "extract-1", compute, tmp_path) == {}
    assert cache.cached("extract", SHA, "extract-1", compute, tmp_path) == {}
    assert compute.calls == 1
    empty = Counter({"rejects": pd.DataFrame({"code": pd.Series([], dtype="str")})})
    got = cache.cached("validate", SHA, "extract-1", empty, tmp_path)
    assert len(got["rejects"]) == 0 and list(got["rejects"].columns) == ["code"]


def test_damaged_entry_is_a_miss_and_is_replaced(tmp_path: Path) -> None:
    folder = cache.put("extract", SHA, "extract-1", frames(), tmp_path)
    (folder / "cells.parquet").write_bytes(b"not parquet")
    assert cache.get("extract", SHA, "extract-1", tmp_path) is None
    compute = Counter(frames())
    assert_same(cache.cached("extract", SHA, "extract-1", compute, tmp_path), frames())
    assert compute.calls == 1
    assert_same(cache.get("extract", SHA, "extract-1", tmp_path), frames())


def test_existing_entry_is_kept(tmp_path: Path) -> None:
    cache.put("extract", SHA, "extract-1", frames(), tmp_path)
    other = {"cells": pd.DataFrame({"text": ["x"], "row": [9]})}
    cache.put("extract", SHA, "extract-1", other, tmp_path)  # same key, same code: first result stands
    assert_same(cache.get("extract", SHA, "extract-1", tmp_path), frames())


def test_compute_failure_stores_nothing(tmp_path: Path) -> None:
    def boom() -> dict[str, pd.DataFrame]:
        raise RuntimeError("parser crashed")

    with pytest.raises(RuntimeError, match="parser crashed"):
        cache.cached("extract", SHA, "extract-1", boom, tmp_path)
    assert cache.get("extract", SHA, "extract-1", tmp_path) is None


@pytest.mark.parametrize(("stage", "sha", "version", "name"), [
    ("../x", SHA, "extract-1", "tables"),
    ("extract", SHA.upper(), "extract-1", "tables"),
    ("extract", "abc", "extract-1", "tables"),
    ("extract", SHA, "extract/1", "tables"),
    ("extract", SHA, "extract-1", "Bad Name"),
])
def test_keys_and_names_are_validated(tmp_path: Path, stage: str, sha: str, version: str, name: str) -> None:
    with pytest.raises(ValueError):
        cache.put(stage, sha, version, {name: pd.DataFrame({"a": [1]})}, tmp_path)
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.parquet"))


def test_not_a_dataframe_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="not a pandas DataFrame"):
        cache.put("extract", SHA, "extract-1", {"tables": [1, 2]}, tmp_path)  # type: ignore[dict-item]


def test_real_document_frames_round_trip(tmp_path: Path) -> None:
    doc = extract_document(PDF)
    at = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    compute = Counter(document_frames(doc, str(PDF), at))
    got = cache.cached("extract", doc.sha256, PARSER_VERSION, compute, tmp_path)
    assert_same(got, compute.result)
    assert {"documents", "pages", "tables", "cells"} <= set(got)
    assert cache.cached("extract", doc.sha256, PARSER_VERSION, compute, tmp_path).keys() == got.keys()
    assert compute.calls == 1



def test_the_fingerprint_follows_file_contents_not_times(tmp_path: Path) -> None:
    import os
    import shutil

    from pipeline.core import fingerprint

    for rel in fingerprint.COMPUTING_PATHS:  # a copy of the computing tree: new mtimes, same bytes
        src, dst = fingerprint.REPO / rel, tmp_path / rel
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    assert fingerprint.fingerprint_of(root=tmp_path) == fingerprint.code_fingerprint()
    units = tmp_path / "schemas" / "units.csv"
    os.utime(units, (0, 0))  # a touched file is the same rule
    assert fingerprint.fingerprint_of(root=tmp_path) == fingerprint.code_fingerprint()
    units.write_text(units.read_text(encoding="utf-8") + "thùng,box,count,1\n", encoding="utf-8")
    changed_data = fingerprint.fingerprint_of(root=tmp_path)
    assert changed_data != fingerprint.code_fingerprint()
    values = tmp_path / "pipeline" / "parsing" / "values.py"
    values.write_text(values.read_text(encoding="utf-8") + "\n# a changed rule\n", encoding="utf-8")
    assert fingerprint.fingerprint_of(root=tmp_path) not in (changed_data, fingerprint.code_fingerprint())
    assert fingerprint.fingerprint_of(root=tmp_path, libraries=["pdfplumber", "no-such-lib"]) != \
        fingerprint.fingerprint_of(root=tmp_path)


def test_a_changed_rule_makes_every_cached_document_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.core import fingerprint
    from pipeline.runs import run
    from pipeline.sources.manifest import ManifestEntry

    compute = Counter({"cells": frames()["cells"]})
    monkeypatch.setattr(run, "isolated_datasets", lambda path, source, max_pages, limits, data_dir=None, **_: compute())
    entry = ManifestEntry("doc", "doc.pdf", SHA)
    first = run.extract_entry(entry, SHA, tmp_path)
    again = run.extract_entry(entry, SHA, tmp_path)
    assert (compute.calls, first.cached, again.cached) == (1, False, True)
    monkeypatch.setattr(fingerprint, "code_fingerprint", lambda: "0" * 16)  # the code changed
    changed = run.extract_entry(entry, SHA, tmp_path)
    assert (compute.calls, changed.cached) == (2, False)
    assert_same(changed.frames, first.frames)


def test_other_extraction_settings_are_other_frames(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A document read with overridden settings is cached apart from the defaults' frames, and the
    settings reach the extraction; the defaults keep the key they had before settings existed."""
    from pipeline.core import fingerprint
    from pipeline.runs import run
    from pipeline.sources.manifest import ManifestEntry

    seen: list[object] = []

    def compute(path, source, max_pages, limits, data_dir=None, settings=None, **_):  # noqa: ANN001, ANN202
        seen.append(settings)
        return {"cells": frames()["cells"]}

    monkeypatch.setattr(run, "isolated_datasets", compute)
    plain = ManifestEntry("doc", "doc.pdf", SHA)
    tuned = plain.with_settings({"tables.grid_tol": "6"})
    assert tuned.settings == (("tables.grid_tol", 6.0),)
    assert run.cache_key() == run.cache_key({}) == f"{run.PARSER_VERSION}-{fingerprint.code_fingerprint()}"
    assert run.cache_key(tuned.settings_map) != run.cache_key()
    assert run.cache_key({"tables.grid_tol": 6}) == run.cache_key({"tables.grid_tol": "6.0"})
    results = [run.extract_entry(e, SHA, tmp_path) for e in (plain, tuned, tuned, plain)]
    assert [r.cached for r in results] == [False, False, True, True]
    assert seen == [{}, {"tables.grid_tol": 6.0}]
