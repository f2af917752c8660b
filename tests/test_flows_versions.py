"""The consolidate and diff flows: thin orchestration over the library, on the shared ingested data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_consolidate import ingested_vinhlong


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # work on a copy: these flows publish, and the shared data must stay as the other tests expect
    src = ingested_vinhlong(tmp_path_factory)
    dst = tmp_path_factory.mktemp("flows-versions")
    shutil.copytree(src, dst, dirs_exist_ok=True)
    return dst


def test_consolidate_flow_publishes_norms_consolidated(prefect_api, data_dir):
    from flows.consolidate import consolidate_flow
    from pipeline import load

    kinds = consolidate_flow(data_dir=str(data_dir))
    assert kinds["norm"] == len(load("norms_consolidated", data_dir=data_dir).query("record_kind == 'norm'"))
    assert kinds.get("base_unavailable", 0) >= 1  # 04/2021 is cited, never invented
    nodes = load("citation_nodes", data_dir=data_dir).set_index("doc_number")
    assert not nodes.loc["04/2021/QĐ-UBND", "is_ingested"]  # a known node with what references say
    assert nodes.loc["33/2022/QĐ-UBND", "is_ingested"] and nodes.loc["30/2023/QĐ-UBND", "is_ingested"]
    edges = load("citation_edges", data_dir=data_dir)
    assert len(edges) > 0


def test_diff_flow_publishes_rows_and_writes_the_report(prefect_api, data_dir, tmp_path):
    from flows.diff import diff_flow
    from pipeline import load

    path = Path(diff_flow("33/2022/QĐ-UBND", "30/2023/QĐ-UBND", data_dir=str(data_dir),
                          report_dir=str(tmp_path)))
    html = path.read_text(encoding="utf-8")
    assert "DỪA" in html and "<script" not in html and "http" not in html.split("<body", 1)[1][:200]
    rows = load("norm_diffs", data_dir=data_dir)
    assert {"removed", "unchanged"} <= set(rows["diff_status"])
