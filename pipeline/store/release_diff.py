"""Release-diff reports: what one run changed in each dataset, by primary key (like PUDL's).

``release_diff(name, old, new)`` compares two Delta versions of a dataset: schema changes (columns
added, removed, retyped), row counts, and rows added / removed / changed / unchanged by the
dataset's primary key (``schemas.dataset(name).primary_key``). A row is *changed* when a column
both versions have differs (columns only one version has are reported as schema changes, not as
row changes). ``run_release_diff(run_id)`` does it for every dataset a run committed, against the
version the previous run pinned; ``to_markdown`` renders either.

Reads only through ``pipeline.store.read`` / ``pipeline.store.tables``; the comparison itself is pure.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.core.errors import VersionNotFound
from pipeline.store.read import read_arrow, table_schema
from pipeline.store.tables import DEFAULT_DATA_DIR, latest_run, run_record, run_records
from schemas import dataset

_NAN = ("NaN",)


def _canon(value: Any) -> Any:
    """A hashable value that compares equal exactly when the stored values are equal."""
    if isinstance(value, list | tuple):
        return tuple(_canon(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _canon(v)) for k, v in value.items()))
    if isinstance(value, float) and math.isnan(value):
        return _NAN
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def _rows_by_key(table: pa.Table, key: Sequence[str], columns: Sequence[str]) -> dict[tuple, list[tuple]]:
    n = table.num_rows
    keys = zip(*[_col(table, c, n) for c in key], strict=True) if key else iter([()] * n)
    values = list(zip(*[_col(table, c, n) for c in columns], strict=True)) if columns else [()] * n
    out: dict[tuple, list[tuple]] = {}
    for k, v in zip(keys, values, strict=True):
        out.setdefault(tuple(k), []).append(v)
    return out


def _col(table: pa.Table, name: str, n: int) -> list[Any]:
    if name not in table.column_names:  # a key column an older version did not have
        return [None] * n
    return [_canon(v) for v in table.column(name).to_pylist()]


def compare(name: str, old: pa.Table | None, new: pa.Table, old_schema: Mapping[str, str] | None,
            new_schema: Mapping[str, str], *, examples: int = 5) -> dict[str, Any]:
    """The diff of two versions given as arrow tables (``old`` None: the dataset is new). Pure."""
    key = list(dataset(name).primary_key)
    old_schema = dict(old_schema or {})
    schema = {
        "added": {c: t for c, t in new_schema.items() if c not in old_schema} if old is not None else {},
        "removed": {c: t for c, t in old_schema.items() if c not in new_schema},
        "changed": {c: {"old": old_schema[c], "new": t} for c, t in new_schema.items()
                    if c in old_schema and old_schema[c] != t},
    }
    common = [c for c in new.column_names if c not in key and (old is None or c in old.column_names)]
    before = _rows_by_key(old, key, common) if old is not None else {}
    after = _rows_by_key(new, key, common)
    added = [k for k in after if k not in before]
    removed = [k for k in before if k not in after]
    changed, unchanged = [], 0
    by_column: Counter[str] = Counter()
    for k, rows in after.items():
        if k not in before:
            continue
        old_rows = before[k]
        if sorted(rows, key=repr) == sorted(old_rows, key=repr):
            unchanged += len(rows)
            continue
        changed.append(k)
        if len(rows) == 1 and len(old_rows) == 1:
            for c, a, b in zip(common, old_rows[0], rows[0], strict=True):
                if a != b:
                    by_column[c] += 1

    def keyed(keys: list[tuple]) -> list[dict[str, Any]]:
        return [dict(zip(key, (_jsonable(v) for v in k), strict=True)) for k in keys[:examples]]

    return {
        "dataset": name,
        "primary_key": key,
        "schema": schema,
        "schema_changed": any(schema.values()),
        "rows": {"old": old.num_rows if old is not None else 0, "new": new.num_rows},
        "rows_added": sum(len(after[k]) for k in added),
        "rows_removed": sum(len(before[k]) for k in removed),
        "rows_changed": len(changed),
        "rows_unchanged": unchanged,
        "changed_columns": dict(sorted(by_column.items())),
        "duplicate_keys": {"old": sum(len(v) > 1 for v in before.values()),
                           "new": sum(len(v) > 1 for v in after.values())},
        "examples": {"added": keyed(added), "removed": keyed(removed), "changed": keyed(changed)},
    }


def release_diff(name: str, old_version: int | None, new_version: int,
                 data_dir: Path | str = DEFAULT_DATA_DIR, *, examples: int = 5) -> dict[str, Any]:
    """Diff of two Delta versions of one dataset (``old_version`` None: everything is added)."""
    old = read_arrow(name, old_version, data_dir) if old_version is not None else None
    old_schema = table_schema(name, old_version, data_dir) if old_version is not None else None
    new = read_arrow(name, new_version, data_dir)
    report = compare(name, old, new, old_schema, table_schema(name, new_version, data_dir), examples=examples)
    return {**report, "old_version": old_version, "new_version": new_version}


def run_release_diff(run_id: str | None = None, data_dir: Path | str = DEFAULT_DATA_DIR,
                     *, examples: int = 5) -> dict[str, Any]:
    """The release diff of one run (default: the latest): every dataset it committed, against
    the version the previous run pinned."""
    record = run_record(run_id, data_dir) if run_id is not None else latest_run(data_dir)
    if record is None:
        raise VersionNotFound(f"no published run under {Path(data_dir) / 'parquet'}")
    earlier = [r for r in run_records(data_dir) if r["sequence"] < record["sequence"]]
    previous = earlier[-1] if earlier else None
    pinned = previous["snapshot"] if previous else {}
    datasets = {name: release_diff(name, pinned.get(name), t["version"], data_dir, examples=examples)
                for name, t in sorted(record["tables"].items())}
    return {"run_id": record["run_id"], "sequence": record["sequence"], "committed_at": record["committed_at"],
            "previous_run_id": previous["run_id"] if previous else None, "code_version": record["code_version"],
            "input_documents": len(record["input_hashes"]), "rejected_documents": len(record["rejected_hashes"]),
            "datasets": datasets}


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _dataset_markdown(d: Mapping[str, Any], level: str) -> list[str]:
    v = f"{d['old_version']} → {d['new_version']}" if d.get("old_version") is not None else f"new → {d.get('new_version')}"
    out = [f"{level} {d['dataset']} (version {v})", ""]
    out.append(f"Rows {d['rows']['old']} → {d['rows']['new']}: {d['rows_added']} added, {d['rows_removed']} removed, "
               f"{d['rows_changed']} changed, {d['rows_unchanged']} unchanged (by {', '.join(d['primary_key'])}).")
    s = d["schema"]
    for c, t in s["added"].items():
        out.append(f"- column added: `{c}` ({t})")
    for c, t in s["removed"].items():
        out.append(f"- column removed: `{c}` ({t})")
    for c, t in s["changed"].items():
        out.append(f"- column retyped: `{c}` {t['old']} → {t['new']}")
    if d["changed_columns"]:
        out.append("- changed values per column: " + ", ".join(f"`{c}` {n}" for c, n in d["changed_columns"].items()))
    for kind in ("added", "removed", "changed"):
        if d["examples"][kind]:
            keys = "; ".join(", ".join(f"{k}={_cell(v)}" for k, v in ex.items()) for ex in d["examples"][kind])
            out.append(f"- e.g. {kind}: {keys}")
    if d["duplicate_keys"]["old"] or d["duplicate_keys"]["new"]:
        out.append(f"- primary key not unique: {d['duplicate_keys']['old']} keys before, "
                   f"{d['duplicate_keys']['new']} after")
    out.append("")
    return out


def to_markdown(report: Mapping[str, Any]) -> str:
    """Markdown for a ``run_release_diff`` report or a single ``release_diff``."""
    if "datasets" not in report:
        return "\n".join(_dataset_markdown(report, "#"))
    lines = [f"# Release diff: run {report['run_id']} (#{report['sequence']})", "",
             f"Committed {report['committed_at']}; previous run: {report['previous_run_id'] or 'none'}; "
             f"code {report['code_version']['pipeline']}, parser {report['code_version']['parser']}; "
             f"{report['input_documents']} documents ingested, {report['rejected_documents']} rejected.", "",
             "| dataset | versions | rows before | rows after | added | removed | changed | schema changed |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for name, d in report["datasets"].items():
        v = f"{d['old_version']} → {d['new_version']}" if d["old_version"] is not None else f"new → {d['new_version']}"
        lines.append(f"| {name} | {v} | {d['rows']['old']} | {d['rows']['new']} | {d['rows_added']} | "
                     f"{d['rows_removed']} | {d['rows_changed']} | {'yes' if d['schema_changed'] else 'no'} |")
    lines.append("")
    for d in report["datasets"].values():
        lines.extend(_dataset_markdown(d, "##"))
    return "\n".join(lines)
