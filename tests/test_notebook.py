"""notebooks/analyst-tour.ipynb runs from top to bottom (nbclient, kernel "python3") against the
two Vĩnh Long decrees ingested and consolidated by the session's shared data dir, and shows what it
promises: the as-of counts, the organic coconut diff and the chart of one norm across revisions."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest
from test_consolidate import N30, N30_ROWS, N33, N33_ROWS, ingested_vinhlong

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "analyst-tour.ipynb"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_vinhlong(tmp_path_factory)


@pytest.fixture(scope="module")
def executed(data_dir: Path) -> Any:
    """The notebook executed as Jupyter would (working directory = notebooks/), DECREE_DATA_DIR set."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DECREE_DATA_DIR", str(data_dir))
        # the kernel runs in notebooks/: put this checkout first on its path, so the notebook
        # imports the code under test, not whichever checkout is installed in the environment
        mp.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
        NotebookClient(nb, kernel_name="python3", timeout=600,
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return nb


def _text(nb: Any) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream" and out["name"] == "stdout":
                parts.append(out["text"])
            elif "data" in out:
                parts.append(out["data"].get("text/plain", ""))
    return "\n".join(parts)


def test_the_committed_notebook_has_no_outputs_and_runs_on_python3() -> None:
    raw = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert raw["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in raw["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    # every step is explained to the analyst
    assert sum(c["cell_type"] == "markdown" for c in raw["cells"]) >= 5


def test_the_notebook_runs_without_errors(executed: Any, data_dir: Path) -> None:
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert all(c.execution_count is not None for c in executed.cells if c.cell_type == "code")
    assert f"data dir: {data_dir}" in _text(executed)


def test_load_shows_dtypes_and_provenance(executed: Any) -> None:
    text = _text(executed)
    assert f"norm_items: {N33_ROWS + N30_ROWS} rows" in text
    assert "table_index      Int64" in text and "doc_number      string" in text
    for col in ("doc_number", "page", "table_index", "row"):
        assert col in text
    assert str(N30_ROWS) in text and str(N33_ROWS) in text  # rows per decree


def test_as_of_counts_before_and_after_30_2023(executed: Any) -> None:
    text = _text(executed)
    assert f"in force on 2023-01-01: {N33_ROWS} norm rows from ['{N33}']" in text
    assert f"in force on 2023-11-01: {N33_ROWS + N30_ROWS} norm rows from ['{N30}', '{N33}']" in text
    assert f"added between the two dates: {N30_ROWS} norm rows" in text
    assert "base_unavailable" in text


def test_diff_summary_and_the_coconut_model(executed: Any) -> None:
    text = _text(executed)
    assert f"{N33}..{N30}" in text
    # every 30/2023 row is either added or paired with a 33/2022 row (the coconut model: 23 pairs)
    import ast
    import re

    m = re.search(r"(\d+) model pairs; (\{[^}]*\})", text)
    assert m is not None
    counts = ast.literal_eval(m.group(2))
    assert counts["added"] + counts["unchanged"] + counts.get("changed", 0) == N30_ROWS and counts["unchanged"] == 23
    assert f"A: {N33} PL-I A.7 - 7. MÔ HÌNH TRỒNG MỚI, THÂM CANH DỪA HỮU CƠ" in text
    assert f"B: {N30} PL-I A.1 - 1. MÔ HÌNH THÂM CANH DỪA HỮU CƠ" in text
    assert "match: title_structure 0.82" in text
    assert "{'unchanged': 23, 'removed': 17, 'added': 2}" in text


def test_the_norm_across_revisions_table_and_chart(executed: Any) -> None:
    text = _text(executed)
    assert [line for line in text.splitlines() if " | " in line] == [
        f"{N33} | Trồng mới, chăm sóc năm thứ nhất: 250 kg (page 28)",
        f"{N33} | Chăm sóc năm thứ hai, ba: 250 kg (page 28)",
        f"{N33} | (unlabelled, read as kinh_doanh): 400 kg (page 28)",
        f"{N30} | Giai đoạn chuyển đổi năm thứ nhất: 400 kg (page 3)",
        f"{N30} | Giai đoạn chuyển đổi năm thứ hai (năm đánh giá chứng nhận): 400 kg (page 3)"]
    pngs = [o["data"]["image/png"] for c in executed.cells for o in c.get("outputs", [])
            if "data" in o and "image/png" in o["data"]]
    assert len(pngs) == 1
    assert base64.b64decode(pngs[0]).startswith(b"\x89PNG\r\n\x1a\n")
