"""A run over a corpus that holds one decree in two files publishes a ``duplicate_renderings``
quality check for each file, saying whether their contents agree (issue 12;
pipeline/versions/duplicates.py, published by pipeline/runs/derived.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from pipeline.runs.isolate import ExtractionLimits
from pipeline.runs.run import process_entry, publish_results
from pipeline.sources.manifest import ManifestEntry
from pipeline.store.read import load

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "pdf"
# the sample corpus renders every decree twice (two producer styles): one document in two files
NAME = "bentre-2835-2018.pdf"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list:
    data = tmp_path_factory.mktemp("dup-extract")
    out = [process_entry(ManifestEntry(style, str(SAMPLES / style / NAME)), data, limits=ExtractionLimits(isolate=False))
           for style in ("compact", "gov")]
    assert all(r.ok for r in out), [r.reject for r in out]
    return out


def _checks(data_dir: Path) -> pd.DataFrame:
    qc = load("quality_checks", data_dir=data_dir)
    return qc[qc["check_name"] == "duplicate_renderings"].sort_values("doc_sha256")


def test_two_files_of_one_decree_are_checked_and_agree(results: list, tmp_path: Path) -> None:
    publish_results(results, tmp_path)
    checks = _checks(tmp_path)
    assert sorted(checks["doc_sha256"]) == sorted(r.sha256 for r in results)
    assert checks["passed"].all(), checks["detail"].tolist()
    assert checks["check_scope"].nunique() == 1
    for detail in checks["detail"]:
        assert NAME in detail and "agree" in detail
    # the documents' own checks are still there
    assert (load("quality_checks", data_dir=tmp_path)["check_name"] != "duplicate_renderings").any()


def _norm_rows(sha: str, value: str) -> pd.DataFrame:
    from pipeline.core.keys import norm_address
    from pipeline.records.datasets import frame

    row = {"doc_sha256": sha, "doc_number": "2835/KH-UBND", "table_index": 0, "row": 1, "value_col": 2,
           "model_no": "1", "section_no": "1.1", "item_text": "Giống", "instrument": "2835-KH-UBND",
           "provision": "PL", "item_position": "1", "page": 1, "family": "norm", "value_raw": value, "unit": "kg"}
    return frame("norm_items", [{**row, "norm_address": norm_address(row)}])


def test_files_whose_contents_disagree_are_reported(results: list, tmp_path: Path) -> None:
    first, second = (replace(r, frames={**r.frames, "norm_items": _norm_rows(r.sha256, v)})
                     for r, v in zip(results, ("1.200", "1.300"), strict=True))  # one value read differently
    publish_results([first, second], tmp_path)
    checks = _checks(tmp_path)
    assert len(checks) == 2 and not checks["passed"].any()
    assert set(checks["actual"]) == {"2"}  # the row one file has and the other lacks, both ways
    assert all("disagree" in d and NAME in d for d in checks["detail"])


def test_a_file_alone_gets_no_duplicate_check(results: list, tmp_path: Path) -> None:
    publish_results(results[:1], tmp_path)
    assert _checks(tmp_path).empty
