"""Release-diff reports: exact counts by primary key, schema changes, markdown."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

import pipeline.store.publish as pub
from pipeline.core import errors
from pipeline.records.datasets import frame
from pipeline.store.release_diff import compare, release_diff, run_release_diff, to_markdown
from schemas import Dataset, dataset, fields
from schemas.datasets import DATASETS

A, B, C = "a" * 64, "b" * 64, "c" * 64


def cell(sha: str, row: int, text: str, page: int = 1) -> dict:
    return {"doc_sha256": sha, "table_index": 0, "row": row, "col": 0, "row_span": 1, "col_span": 1,
            "is_anchor": True, "anchor_row": row, "anchor_col": 0, "is_header": row == 0, "row_kind": "body",
            "text": text, "page": page, "bbox": [0.0, 1.0, 2.0, 3.0]}


def document(sha: str, subject: str) -> dict:
    return {"doc_sha256": sha, "file_name": f"{sha[:4]}.pdf", "subject": subject, "page_count": 3,
            "source": f"{sha[:4]}.pdf", "size_bytes": 1, "parser_version": "test",
            "extracted_at": datetime(2026, 1, 1, tzinfo=UTC)}


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    run1 = [cell(A, r, f"a{r}") for r in range(3)] + [cell(B, r, f"b{r}") for r in range(3)]
    pub.publish({"cells": frame("cells", run1),
                 "documents": frame("documents", [document(A, "Kế hoạch"), document(B, "Quyết định")])},
                tmp_path, run_id="r1")
    # run 2 re-ingests b (row 0 same, row 1 new text and page, row 2 gone, row 3 new) and adds c
    run2 = [cell(B, 0, "b0"), cell(B, 1, "b1 sửa", page=2), cell(B, 3, "b3"), cell(C, 0, "c0"), cell(C, 1, "c1")]
    pub.publish({"cells": frame("cells", run2), "documents": frame("documents", [document(B, "Quyết định"),
                                                                                 document(C, "Công văn")])},
                tmp_path, run_id="r2")
    return tmp_path


def test_counts_by_primary_key_are_exact(runs: Path) -> None:
    d = release_diff("cells", 0, 1, runs)
    assert d["rows"] == {"old": 6, "new": 8}
    assert (d["rows_added"], d["rows_removed"], d["rows_changed"], d["rows_unchanged"]) == (3, 1, 1, 4)
    assert d["changed_columns"] == {"page": 1, "text": 1}
    assert d["examples"]["removed"] == [{"doc_sha256": B, "table_index": 0, "row": 2, "col": 0}]
    assert d["examples"]["changed"] == [{"doc_sha256": B, "table_index": 0, "row": 1, "col": 0}]
    assert {e["doc_sha256"] for e in d["examples"]["added"]} == {B, C}
    assert not d["schema_changed"] and d["duplicate_keys"] == {"old": 0, "new": 0}
    back = release_diff("cells", 1, 0, runs)  # the reverse diff mirrors it
    assert (back["rows_added"], back["rows_removed"], back["rows_changed"]) == (1, 3, 1)
    same = release_diff("cells", 1, 1, runs)
    assert (same["rows_added"], same["rows_removed"], same["rows_changed"], same["rows_unchanged"]) == (0, 0, 0, 8)


def test_run_report_covers_every_dataset_the_run_committed(runs: Path) -> None:
    report = run_release_diff("r2", runs)
    assert report["previous_run_id"] == "r1" and report["input_documents"] == 2
    docs = report["datasets"]["documents"]
    assert (docs["rows_added"], docs["rows_removed"], docs["rows_changed"], docs["rows_unchanged"]) == (1, 0, 0, 2)
    assert report["datasets"]["cells"]["rows_changed"] == 1
    first = run_release_diff("r1", runs)
    assert first["previous_run_id"] is None
    assert first["datasets"]["cells"]["old_version"] is None and first["datasets"]["cells"]["rows_added"] == 6
    assert run_release_diff(None, runs)["run_id"] == "r2"  # default: the latest run
    md = to_markdown(report)
    assert "# Release diff: run r2 (#2)" in md
    assert "| cells | 0 → 1 | 6 | 8 | 3 | 1 | 1 | no |" in md
    assert "| documents | 0 → 1 | 2 | 3 | 1 | 0 | 0 | no |" in md
    assert "- changed values per column: `page` 1, `text` 1" in md
    assert "| cells | new → 0 | 0 | 6 | 6 | 0 | 0 | no |" in to_markdown(first)
    with pytest.raises(errors.VersionNotFound):
        run_release_diff("nope", runs)


def test_publish_result_gives_the_versions_to_diff(tmp_path: Path) -> None:
    pub.publish({"cells": frame("cells", [cell(A, 0, "x")])}, tmp_path, run_id="r1")
    result = pub.publish({"cells": frame("cells", [cell(A, 0, "y")])}, tmp_path, run_id="r2")
    d = release_diff("cells", *result.versions["cells"], tmp_path)
    assert (d["rows_added"], d["rows_removed"], d["rows_changed"]) == (0, 0, 1)


def test_schema_changes_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = Dataset("probe", "test-only dataset", fields("doc_sha256", "page", "text", "n_words"),
                   primary_key=("doc_sha256", "page"))
    monkeypatch.setitem(DATASETS, "probe", base)
    pub.publish({"probe": frame("probe", [{"doc_sha256": A, "page": 1, "text": "x", "n_words": 1}])},
                tmp_path, run_id="s1")
    monkeypatch.setitem(DATASETS, "probe", replace(base, fields=fields("doc_sha256", "page", "text", "page_label")))
    pub.publish({"probe": frame("probe", [{"doc_sha256": B, "page": 1, "text": "y", "page_label": "ii"}])},
                tmp_path, run_id="s2")
    d = run_release_diff("s2", tmp_path)["datasets"]["probe"]
    assert d["schema"] == {"added": {"page_label": "string"}, "removed": {"n_words": "int64"}, "changed": {}}
    assert (d["rows_added"], d["rows_removed"], d["rows_changed"], d["rows_unchanged"]) == (1, 0, 0, 1)
    md = to_markdown(d)
    assert "- column added: `page_label` (string)" in md and "- column removed: `n_words` (int64)" in md


def test_compare_is_exact_on_nulls_nan_lists_and_duplicate_keys() -> None:
    schema = {f.name: str(f.type) for f in dataset("pages").arrow_schema()}
    key = ["doc_sha256", "page"]
    old = pa.table({"doc_sha256": [A, A, A, B], "page": [1, 2, 3, 1], "width_pt": [float("nan"), None, 1.0, 2.0]})
    new = pa.table({"doc_sha256": [A, A, A, B, B], "page": [1, 2, 3, 1, 1],
                    "width_pt": [float("nan"), None, 1.5, 2.0, 3.0]})
    sub = {c: schema[c] for c in ["doc_sha256", "page", "width_pt"]}
    d = compare("pages", old, new, sub, sub)
    assert d["primary_key"] == key
    # NaN equals NaN and null equals null (unchanged); page 3 changed; (B, 1) now has two rows: changed
    assert (d["rows_added"], d["rows_removed"], d["rows_changed"], d["rows_unchanged"]) == (0, 0, 2, 2)
    assert d["changed_columns"] == {"width_pt": 1} and d["duplicate_keys"] == {"old": 0, "new": 1}
    lists_old = pa.table({"doc_sha256": [A], "heading_index": [0], "bbox": [[1.0, 2.0]]})
    lists_new = pa.table({"doc_sha256": [A], "heading_index": [0], "bbox": [[1.0, 2.5]]})
    assert compare("headings", lists_old, lists_new, None, {})["rows_changed"] == 1
    assert compare("headings", lists_old, lists_old, None, {})["rows_unchanged"] == 1
