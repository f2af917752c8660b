"""Typed row builders: a row naming a field schemas/ does not declare, or leaving a required one
empty, fails at once (and rejects its document in a run) instead of being dropped or nulled."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.errors import FrameInvalid
from pipeline.records.datasets import frame
from schemas import DATASETS

SHA = "ab" * 32


def cell(**over: object) -> dict:
    row = {"doc_sha256": SHA, "table_index": 0, "row": 0, "col": 0, "text": "1.200", "page": 1, "is_header": False}
    return {**row, **over}


def test_a_misspelt_field_is_an_error_naming_it_and_the_declared_one() -> None:
    bad = cell()
    bad["txet"] = bad.pop("text")
    with pytest.raises(FrameInvalid, match=r"cells row 1: .*'txet' \(did you mean 'text'\?\)"):
        frame("cells", [cell(), bad])


@pytest.mark.parametrize("field", ["doc_sha256", "table_index", "text", "page"])
def test_a_missing_required_field_is_an_error(field: str) -> None:
    row = cell()
    del row[field]
    with pytest.raises(FrameInvalid, match=rf"no value for required field\(s\) \['{field}'\]"):
        frame("cells", [row])
    with pytest.raises(FrameInvalid, match=field):
        frame("cells", [cell(**{field: None})])


def test_optional_fields_may_be_left_out_and_are_typed_nulls() -> None:
    df = frame("cells", [cell()])
    assert df.columns.tolist() == DATASETS["cells"].columns
    assert df["bbox"].isna().all() and str(df["row_span"].dtype) == "Int64"


def test_every_dataset_requires_its_identity_and_provenance() -> None:
    for name, ds in DATASETS.items():
        req = set(ds.required_columns)
        assert set(ds.primary_key) <= req, name
        if ds.document_key:
            assert ds.document_key in req, name
        if "page" in ds.columns and name not in ("norms_consolidated",):
            assert "page" in req, name  # where a row was read is part of every read row
    assert sum(len(ds.required_columns) for ds in DATASETS.values()) >= 80


def test_a_builder_bug_rejects_its_document_with_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.runs import run
    from pipeline.sources.manifest import ManifestEntry

    monkeypatch.setattr(run, "isolated_datasets",
                        lambda path, source, max_pages, limits, data_dir=None, **_: {"cells": frame("cells", [cell(colour="red")])})
    result = run.extract_entry(ManifestEntry("doc", "doc.pdf", SHA), SHA, tmp_path, "run1", use_cache=False)
    assert not result.ok
    assert (result.reject["stage"], result.reject["error_code"]) == ("validate", "FrameInvalid")
    assert "'colour'" in result.reject["message"]


def test_rejects_of_a_data_dir_without_a_reject_is_an_empty_typed_frame(tmp_path: Path) -> None:
    from pipeline.core.errors import DatasetNotPublished
    from pipeline.records.datasets import frame as typed
    from pipeline.store.publish import publish
    from pipeline.store.read import load

    with pytest.raises(DatasetNotPublished):  # nothing published at all: say so
        load("rejects", data_dir=tmp_path)
    publish({"documents": typed("documents", [{
        "doc_sha256": SHA, "source": "a.pdf", "file_name": "a.pdf", "size_bytes": 1, "page_count": 1,
        "parser_version": "x", "extracted_at": __import__("datetime").datetime.now(__import__("datetime").UTC)}])},
        tmp_path, run_id="r1")
    rejects = load("rejects", data_dir=tmp_path)
    assert rejects.empty and rejects.columns.tolist() == DATASETS["rejects"].columns
    assert str(rejects["rejected_at"].dtype) == "datetime64[us, UTC]"
