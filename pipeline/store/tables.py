"""Where published datasets live and how their Delta tables are described: the dataset and
run-record paths, the run records (the commit points of runs), schema and row-count helpers.
Shared by ``pipeline.store.publish`` (writing) and ``pipeline.store.read`` (reading)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.core.errors import DatasetNotPublished, PublishError, VersionNotFound
from schemas import Dataset, dataset

if TYPE_CHECKING:  # loaded where used: reading run records needs neither
    import pyarrow as pa
    from deltalake import DeltaTable

DEFAULT_DATA_DIR = Path("data")
RUNS_DIR = "_runs"


def dataset_path(name: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> Path:
    """The Delta table folder of a dataset (unknown names fail with the list of known ones)."""
    dataset(name)
    return Path(data_dir) / "parquet" / name


def runs_dir(data_dir: Path | str = DEFAULT_DATA_DIR) -> Path:
    return Path(data_dir) / "parquet" / RUNS_DIR


def run_records(data_dir: Path | str = DEFAULT_DATA_DIR) -> list[dict[str, Any]]:
    """Every published run's record, oldest first."""
    d = runs_dir(data_dir)
    if not d.is_dir():
        return []
    out = []
    for p in sorted(d.glob("[0-9]*.json")):
        out.append(json.loads(p.read_text(encoding="utf-8")))
    return out


def latest_run(data_dir: Path | str = DEFAULT_DATA_DIR) -> dict[str, Any] | None:
    records = run_records(data_dir)
    return records[-1] if records else None


def run_record(run_id: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> dict[str, Any]:
    for rec in run_records(data_dir):
        if rec["run_id"] == run_id:
            return rec
    raise VersionNotFound(f"no published run {run_id!r} under {runs_dir(data_dir)}")


def _type_key(t: pa.DataType) -> str:
    """A type's identity without the name of list items (Delta calls them 'element', arrow 'item')."""
    import pyarrow as pa

    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"list<{_type_key(t.value_type)}>"
    return str(t)


def schema_of(dt: DeltaTable) -> dict[str, str]:
    """column → type of a Delta table version, comparable with ``declared_schema``."""
    import pyarrow as pa

    return {f.name: _type_key(f.type) for f in pa.schema(dt.schema().to_arrow())}


def declared_schema(ds: Dataset) -> dict[str, str]:
    return {f.name: _type_key(f.type) for f in ds.arrow_schema()}


def row_count(dt: DeltaTable) -> int:
    """Exact row count of a table version (file statistics, or a scan when they are missing)."""
    try:
        return sum(file_rows(dt).values())
    except PublishError:
        return dt.to_pyarrow_dataset().count_rows()


def open_table(name: str, data_dir: Path | str) -> DeltaTable:
    from deltalake import DeltaTable

    path = dataset_path(name, data_dir)
    if not DeltaTable.is_deltatable(str(path)):
        raise DatasetNotPublished(f"dataset {name!r} not published under {Path(data_dir) / 'parquet'}")
    return DeltaTable(str(path))


def file_rows(dt: DeltaTable) -> dict[str, int]:
    import pyarrow as pa

    actions = pa.table(dt.get_add_actions(flatten=True))
    if not actions.num_rows:
        return {}
    counts = actions.column("num_records").to_pylist()
    if any(c is None or (isinstance(c, float) and math.isnan(c)) for c in counts):
        raise PublishError("a data file has no row-count statistics; cannot count rows per version")
    return dict(zip(actions.column("path").to_pylist(), (int(c) for c in counts), strict=True))
