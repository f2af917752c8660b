"""Reading published datasets: ``load`` (typed frames), time travel by Delta version, timestamp
or run id (``resolve_version``), the history of a dataset (``list_versions``).

By default a reader sees the versions pinned by the latest run record, so never half a run (see
``pipeline.store.publish`` for what a publish guarantees)."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable

from pipeline.core.errors import DatasetNotPublished, VersionNotFound
from pipeline.records.datasets import frame
from pipeline.store.tables import (
    DEFAULT_DATA_DIR,
    dataset_path,
    file_rows,
    open_table,
    run_record,
    run_records,
    schema_of,
)
from schemas import dataset

__all__ = ["list_versions", "load", "read_arrow", "resolve_version", "table_schema"]


def _as_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise VersionNotFound(f"version {value!r}: not an int version nor an ISO timestamp") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def resolve_version(name: str, version: int | datetime | str | None = None, data_dir: Path | str = DEFAULT_DATA_DIR,
                    *, run_id: str | None = None) -> int:
    """The Delta version ``load`` reads.

    - ``None``: the version pinned by the latest run record (never half a run); the latest table
      version if no run record pins this dataset.
    - ``run_id``: the version pinned by that run's record.
    - an ``int``: that Delta version.
    - a ``datetime`` or ISO string (naive = UTC): the version pinned by the last run recorded at or
      before that instant; without run records, Delta's own timestamp time travel.
    """
    if version is not None and (isinstance(version, bool)
                                or not isinstance(version, numbers.Integral | datetime | str)):
        raise VersionNotFound(f"version {version!r}: give an int version, a datetime or an ISO timestamp "
                              "(pass data_dir= by keyword)")
    dt = open_table(name, data_dir)
    if run_id is not None:
        if version is not None:
            raise VersionNotFound("give version= or run_id=, not both")
        snap = run_record(run_id, data_dir)["snapshot"]
        if name not in snap:
            raise VersionNotFound(f"run {run_id} does not pin dataset {name!r}")
        return int(snap[name])
    records = [r for r in run_records(data_dir) if name in r["snapshot"]]
    if version is None:
        return int(records[-1]["snapshot"][name]) if records else dt.version()
    if isinstance(version, numbers.Integral):
        version = int(version)
        if not 0 <= version <= dt.version():
            raise VersionNotFound(f"{name}: no version {version} (latest is {dt.version()})")
        return version
    at = _as_utc(version)
    if records:
        before = [r for r in records if _as_utc(r["committed_at"]) <= at]
        if not before:
            raise VersionNotFound(f"{name}: no run was published at or before {at.isoformat()}")
        return int(before[-1]["snapshot"][name])
    history = sorted(dt.history(), key=lambda h: h["version"])
    before = [h for h in history if datetime.fromtimestamp(h["timestamp"] / 1000, UTC) <= at]
    if not before:
        raise VersionNotFound(f"{name}: the table did not exist at {at.isoformat()}")
    return int(before[-1]["version"])


def read_arrow(name: str, version: int, data_dir: Path | str = DEFAULT_DATA_DIR,
               where: tuple[str, Iterable[Any]] | None = None, columns: Sequence[str] | None = None) -> pa.Table:
    """One Delta version of a dataset as an arrow table, as stored (no schema conforming);
    ``where=(column, values)``: only the rows whose column holds one of the values; ``columns``:
    only those columns."""
    path = dataset_path(name, data_dir)
    open_table(name, data_dir)
    try:
        dt = DeltaTable(str(path), version=version)
        if where is None and columns is None:
            return dt.to_pyarrow_table()
        data = dt.to_pyarrow_dataset()
        cols = list(columns) if columns else None
        if where is None:
            return data.to_table(columns=cols)
        # typed as the column, so that no value at all is an empty set, not a set of nulls
        values = pa.array(sorted(set(where[1])), type=data.schema.field(where[0]).type)
        return data.to_table(filter=pc.field(where[0]).isin(values), columns=cols)
    except Exception as exc:  # deltalake raises its own generic errors for missing versions/files
        raise VersionNotFound(f"{name}: cannot read version {version}: {exc}") from exc


def table_schema(name: str, version: int, data_dir: Path | str = DEFAULT_DATA_DIR) -> dict[str, str]:
    """column → type of one Delta version of a dataset."""
    open_table(name, data_dir)
    try:
        return schema_of(DeltaTable(str(dataset_path(name, data_dir)), version=version))
    except Exception as exc:
        raise VersionNotFound(f"{name}: cannot read version {version}: {exc}") from exc


def load(
    name: str,
    version: int | datetime | str | None = None,
    data_dir: Path | str = DEFAULT_DATA_DIR,
    *,
    run_id: str | None = None,
    where: tuple[str, Iterable[Any]] | None = None,
) -> pd.DataFrame:
    """Load a dataset as a pandas DataFrame with the dtypes declared in ``schemas/``.

    ``version`` is time travel (see ``resolve_version``); ``run_id`` reads the version a run
    pinned. A dataset no published run has written (``rejects`` of a data dir that never had a
    reject) is an empty frame of its declared columns; without any published run it is
    ``DatasetNotPublished``. Columns a version has but ``schemas/`` no longer declares come after the declared
    ones, as stored; declared columns the version lacks are null. (The LEGAL in-force date of the
    norm datasets is ``pipeline.versions.asof.load(..., as_of=)``, also ``pipeline.load``.)
    ``where=(column, values)`` reads only the rows whose column holds one of the values.
    """
    ds = dataset(name)
    try:
        resolved = resolve_version(name, version, data_dir, run_id=run_id)
    except DatasetNotPublished:
        if version is None and run_id is None and run_records(data_dir):
            return frame(name, [])  # runs were published and none had rows for it (e.g. no reject yet)
        raise
    table = read_arrow(name, resolved, data_dir, where)
    declared = [c for c in ds.columns if c in table.column_names]
    df = frame(name, table.select(declared).to_pylist(), check=False)
    for c in table.column_names:
        if c not in ds.columns:
            df[c] = table.column(c).to_pylist()
    return df


def list_versions(name: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> pd.DataFrame:
    """Every Delta version of a dataset, oldest first: version, timestamp (UTC), operation,
    publish_action (publish/rollback), run_id, run_sequence, published (pinned by a run record),
    rows, rows_added, rows_removed, input_hashes (count).

    For WRITE and DELETE commits the counts are logical: rows the commit wrote and rows it
    deleted. For other operations (RESTORE, OPTIMIZE, ...) they count the rows of the data files
    the commit added and removed (a RESTORE re-adds whole files). ``release_diff`` gives the
    row-level changes between any two versions."""
    dt = open_table(name, data_dir)
    pinned = {int(r["snapshot"][name]) for r in run_records(data_dir) if name in r["snapshot"]}
    rows_before = 0
    files_before: dict[str, int] = {}
    out = []
    for h in sorted(dt.history(), key=lambda h: h["version"]):
        v = int(h["version"])
        dt.load_as_version(v)
        files = file_rows(dt)
        rows = sum(files.values())
        metrics = h.get("operationMetrics") or {}
        if h["operation"] in ("WRITE", "CREATE TABLE") and "num_added_rows" in metrics:
            added = int(metrics["num_added_rows"])
        elif h["operation"] == "DELETE":
            added = 0
        else:  # RESTORE, OPTIMIZE, ...: rows of the files the commit added
            added = sum(n for p, n in files.items() if p not in files_before)
        out.append({
            "version": v, "timestamp": datetime.fromtimestamp(h["timestamp"] / 1000, UTC),
            "operation": h["operation"], "publish_action": h.get("publish_action"),
            "run_id": h.get("run_id"), "run_sequence": h.get("run_sequence"), "published": v in pinned,
            "rows": rows, "rows_added": added, "rows_removed": rows_before + added - rows,
            "input_hashes": len(h["input_hashes"]) if isinstance(h.get("input_hashes"), list) else None,
        })
        rows_before, files_before = rows, files
    return pd.DataFrame(out)
