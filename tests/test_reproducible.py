"""Same inputs and code → row-identical output: two runs of ``decree ingest`` over the same
documents into two fresh data directories (no shared cache) publish the same datasets with the same
rows, once the columns that say WHEN or in WHICH run a row was made are set aside.

Columns that legitimately differ between two runs (and nothing else):

- ``run_id`` (rejects): the run's identifier, new for every run;
- ``extracted_at`` (documents), ``rejected_at`` (rejects): the wall-clock time of the run;
- ``ocr_seconds`` (documents): how long OCR took (0 on an OCR-cache hit).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.store.read import load
from pipeline.store.tables import run_records

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples" / "pdf" / "compact"
DOCS = [SAMPLES / "daklak-2026-letter.pdf", SAMPLES / "camau-2025-plan.pdf", SAMPLES / "vinhlong-33-2022.pdf"]
VARYING = {"run_id", "extracted_at", "rejected_at", "ocr_seconds"}


def ingest(data: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pipeline.app.cli", "ingest", *map(str, DOCS), "--no-prefect",
                           "--workers", "1", "--data-dir", str(data)], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def canonical(df: pd.DataFrame) -> pd.DataFrame:
    """The rows without the varying columns, in a stable order, every cell as comparable text."""
    kept = df.drop(columns=[c for c in df.columns if c in VARYING])
    text = kept.apply(lambda col: col.map(lambda v: json.dumps(v, sort_keys=True, default=str, ensure_ascii=False)
                                          if isinstance(v, list | dict | tuple) or hasattr(v, "tolist")
                                          else repr(v)))
    return text.sort_values(list(text.columns)).reset_index(drop=True)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    a, b = tmp_path_factory.mktemp("run-a"), tmp_path_factory.mktemp("run-b")
    ingest(a)
    ingest(b)
    return a, b


def test_two_runs_over_the_same_inputs_publish_identical_rows(two_runs: tuple[Path, Path]) -> None:
    a, b = two_runs
    names_a, names_b = (set(run_records(d)[-1]["snapshot"]) for d in (a, b))
    assert names_a == names_b and "documents" in names_a
    differ = {}
    for name in sorted(names_a):
        da, db = load(name, data_dir=a), load(name, data_dir=b)
        assert list(da.columns) == list(db.columns), name
        ca, cb = canonical(da), canonical(db)
        if not ca.equals(cb):
            cols = [c for c in ca.columns if len(ca) != len(cb) or not ca[c].equals(cb[c])]
            differ[name] = (len(da), len(db), cols[:8])
    assert not differ, differ


def test_the_varying_columns_are_the_only_ones_that_vary(two_runs: tuple[Path, Path]) -> None:
    """The list above is not a blanket: each varying column exists in what was published."""
    a, _ = two_runs
    published = {c for name in run_records(a)[-1]["snapshot"] for c in load(name, data_dir=a).columns}
    assert VARYING - {"run_id", "rejected_at"} <= published  # rejects: empty in a run without rejects
