"""Publishing datasets: the only module that writes ``data/parquet`` (reading is
``pipeline.store.read``; the legal as-of view of the norm datasets is ``pipeline.versions.asof``).

Every dataset is a Delta Lake table, ``<data_dir>/parquet/<name>/``, written with the pyarrow
schema compiled from ``schemas/``. What a publish guarantees:

- **one commit per table per run.** A document that is re-ingested has its rows replaced with
  one ``write_deltalake(mode="overwrite", predicate="doc_sha256 IN (...)")`` commit: Delta's
  *replaceWhere*, i.e. "delete the rows matching the predicate and add the new rows" in a single
  transaction. (A ``merge`` would match row by row on the primary key and could not remove the
  rows a document no longer has; replaceWhere does both in one commit and writes less.) Every
  commit carries custom metadata: ``run_id``, ``run_sequence``, ``pipeline_version``,
  ``parser_version``, ``input_hashes`` (doc_sha256 of every ingested document) and
  ``rejected_hashes``. Earlier versions stay readable (time travel) until someone vacuums.
- **the run record is the commit point of the whole run.** Delta has no transactions across
  tables, so after every table is committed a run record ``<data_dir>/parquet/_runs/<seq>.json``
  is written (to a temporary name, then hard-linked into place: it appears complete or not at
  all). It pins every table's version. A run is *published* exactly when its record exists.
  ``load`` reads through the latest record by default, so it never shows half a run.
- **failure rolls back.** If a table commit (or the record) fails, the tables this run already
  committed are restored to their previous version (a ``RESTORE`` commit). If the process dies
  before it can roll back, the next publish finds the commits of the unrecorded run (their
  ``run_sequence`` is above the last record's) and restores them before writing.

What a reader who does not use the run record (``polars.read_delta(path)`` of the latest
version) can observe between two table commits of a run: the tables committed so far already
show the new run while the others still show the previous one; if the run fails, the committed
ones show it until the rollback commit. Pinning versions from the latest run record
(docs/reading-the-data.md) avoids that. Publishing assumes one writer at a time per data dir; a
file lock (``_runs/.lock``) serializes concurrent publishes on one machine.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import CommitProperties, DeltaTable, write_deltalake

from pipeline.core.errors import PipelineError, PublishFailed, PublishInputError
from pipeline.store.runlog import (
    TableCommit,
    code_version,
    parser_version,
    recover,
    roll_back,
    write_run_record,
    writer_lock,
)
from pipeline.store.tables import DEFAULT_DATA_DIR, dataset_path, declared_schema, row_count, schema_of
from schemas import dataset
from schemas.runs import RUN_RECORD_FORMAT

__all__ = ["PublishResult", "TableCommit", "publish", "recover"]

# a test replaces it to make the record fail
_write_run_record = write_run_record
# datasets whose document keys are documents a run could NOT ingest: they are not input hashes
# and their rows elsewhere are kept (a failed re-fetch must not erase good data)
_REJECT_DATASETS = frozenset({"rejects"})
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")



@dataclass(frozen=True)
class PublishResult(Mapping[str, int]):
    """What a publish did. As a mapping it is ``dataset name → rows now in the dataset``."""

    run_id: str
    sequence: int
    record_path: Path
    commits: dict[str, TableCommit]
    snapshot: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.commits[name].rows

    def __iter__(self) -> Iterator[str]:
        return iter(self.commits)

    def __len__(self) -> int:
        return len(self.commits)

    @property
    def versions(self) -> dict[str, tuple[int | None, int]]:
        """dataset → (previous version, new version): the arguments of ``release_diff``."""
        return {n: (c.previous_version, c.version) for n, c in self.commits.items()}


def publish(
    frames: Mapping[str, pd.DataFrame],
    data_dir: Path | str = DEFAULT_DATA_DIR,
    *,
    run_id: str | None = None,
    input_hashes: Iterable[str] | None = None,
    derive: Callable[[], Mapping[str, pd.DataFrame]] | None = None,
    documents: Mapping[str, Mapping[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> PublishResult:
    """Publish ``frames`` (dataset name → rows) as one run.

    In every dataset with a document key, the rows of each document in ``input_hashes`` (default:
    the document keys found in the frames, rejects excepted) or in that dataset's frame are
    replaced by the frame's rows; all other rows are kept. Returns the new versions; raises
    ``PublishInputError`` (nothing written) or ``PublishFailed`` (rolled back).

    ``derive`` builds the datasets computed across documents (consolidation, citation graph)
    from what is published: it is called under the writer lock, after recovery and before any
    commit, and its frames are committed in the same run, so a run publishes its documents and
    what is derived from them together or not at all. Its errors publish nothing.

    ``documents`` (doc_sha256 → what produced its rows) and ``extra`` (more keys declared in
    ``schemas/runs.py``, e.g. ``stages``) go into the run record; the record's ``documents`` are
    the previous record's, less every document whose rows this run replaced, plus ``documents``.
    The seconds spent deriving and publishing are added to ``extra["stages"]``.
    """
    t0 = time.perf_counter()
    run_id = run_id or uuid.uuid4().hex[:12]
    if not _RUN_ID.match(run_id):
        raise PublishInputError(f"run id {run_id!r}: use letters, digits and _ . : - (at most 128)")
    tables = {name: _to_arrow(name, df) for name, df in frames.items()}  # validate everything first
    if input_hashes is None:
        keys: set[str] = set()
        for name, table in tables.items():
            if name not in _REJECT_DATASETS:
                keys |= _document_keys(name, table)
        hashes = sorted(keys)
    else:
        hashes = sorted(set(input_hashes))
    rejected = sorted(set().union(*(_document_keys(n, t) for n, t in tables.items() if n in _REJECT_DATASETS)))
    started = datetime.now(UTC)
    with writer_lock(data_dir):
        last = recover(data_dir, run_id=run_id)
        t_derive = time.perf_counter()
        if derive is not None:
            tables.update({name: _to_arrow(name, df) for name, df in _derived(derive, run_id).items()})
        t_derive = time.perf_counter() - t_derive
        sequence = (last["sequence"] if last else 0) + 1
        meta = {
            "run_id": run_id, "run_sequence": sequence, "publish_action": "publish",
            "pipeline_version": code_version()["pipeline"], "parser_version": parser_version(),
            "code_fingerprint": code_version()["code"],
            "input_hashes": hashes, "rejected_hashes": rejected,
        }
        commits: dict[str, TableCommit] = {}
        try:
            for name, table in tables.items():
                commit = _commit_table(name, table, set(hashes), data_dir, meta)
                if commit is not None:
                    commits[name] = commit
            snapshot = dict(last["snapshot"]) if last else {}
            snapshot.update({n: c.version for n, c in commits.items()})
            record = {
                **_carried(last, set(hashes) | set(rejected), documents), "mode": "publish", **dict(extra or {}),
                "format": RUN_RECORD_FORMAT, "sequence": sequence, "run_id": run_id,
                "started_at": started.isoformat(), "committed_at": datetime.now(UTC).isoformat(),
                "code_version": code_version(),
                "input_hashes": hashes, "rejected_hashes": rejected,
                "tables": {n: {"previous_version": c.previous_version, "version": c.version, "rows": c.rows,
                               "rows_added": c.rows_added, "replaced_documents": c.replaced_documents}
                           for n, c in commits.items()},
                "snapshot": snapshot,
            }
            stages = {**dict(record.get("stages") or {}), "derive": round(t_derive, 3)}
            took = time.perf_counter() - t0
            record["stages"] = {**stages, "publish": round(took, 3)}
            if "total" in stages:  # the run's wall time so far, given by the caller: add this publish
                record["stages"]["total"] = round(stages["total"] + took, 3)
            path = _write_run_record(record, data_dir)
        except BaseException as exc:
            errors = roll_back(commits, data_dir, run_id, run_id, sequence)
            note = f"; rollback also failed for {errors} (the next publish restores them)" if errors else ""
            if isinstance(exc, PublishInputError):
                raise
            if not isinstance(exc, Exception):
                raise
            raise PublishFailed(f"run {run_id}: publishing failed, committed tables rolled back{note}: "
                                f"{exc.__class__.__name__}: {exc}") from exc
    return PublishResult(run_id, sequence, path, commits, snapshot)


def _carried(last: Mapping[str, Any] | None, replaced: set[str],
             documents: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """The record keys a run carries forward: ``documents`` (less the ``replaced``, plus the
    run's own) and ``derive_key``."""
    docs = {h: d for h, d in ((last or {}).get("documents") or {}).items() if h not in replaced}
    docs.update({h: dict(d) for h, d in (documents or {}).items()})
    out: dict[str, Any] = {"documents": docs}
    if last and last.get("derive_key"):
        out["derive_key"] = last["derive_key"]
    return out


def _derived(derive: Callable[[], Mapping[str, pd.DataFrame]], run_id: str) -> Mapping[str, pd.DataFrame]:
    try:
        return derive()
    except PipelineError:
        raise
    except Exception as exc:  # a bug in a derivation: nothing is written, the run says why
        raise PublishFailed(f"run {run_id}: building the derived datasets failed, nothing published: "
                            f"{exc.__class__.__name__}: {exc}") from exc


def _document_keys(name: str, table: pa.Table) -> set[str]:
    key = dataset(name).document_key
    if not key:
        return set()
    return set(table.column(key).unique().to_pylist())


def _to_arrow(name: str, df: pd.DataFrame) -> pa.Table:
    """The frame as an arrow table of the declared schema; mismatches are PublishInputError."""
    ds = dataset(name)
    schema = ds.arrow_schema()
    missing = [c for c in schema.names if c not in df.columns]
    extra = [c for c in df.columns if c not in schema.names]
    if missing or extra:
        raise PublishInputError(f"{name}: frame columns do not match schemas/: missing {missing}, undeclared {extra}")
    df = df[schema.names]
    # a column with no value at all (e.g. a key absent from every row given to ``frame``) is
    # all-null whatever dtype pandas guessed for it (float NaN for an absent date column)
    empty = [c for c in schema.names if len(df) and df[c].isna().all() and df[c].dtype.kind == "f"
             and not pa.types.is_floating(schema.field(c).type)]
    if empty:
        df = df.assign(**{c: pd.Series([None] * len(df), index=df.index, dtype="object") for c in empty})
    try:
        table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise PublishInputError(f"{name}: a value does not fit its declared type: {exc}") from exc
    required = [f.name for f in ds.fields if not f.nullable] + ([ds.document_key] if ds.document_key else [])
    for col in dict.fromkeys(required):
        if table.column(col).null_count:
            raise PublishInputError(f"{name}: {table.column(col).null_count} rows have no {col}")
    if len(df) and df.duplicated(subset=list(ds.primary_key)).any():
        dup = df[df.duplicated(subset=list(ds.primary_key), keep=False)][list(ds.primary_key)].head(3)
        raise PublishInputError(f"{name}: duplicate primary key {list(ds.primary_key)}, e.g. "
                                f"{dup.to_dict('records')}")
    return table


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _commit_table(name: str, table: pa.Table, hashes: set[str], data_dir: Path | str,
                  meta: dict[str, Any]) -> TableCommit | None:
    """One atomic commit of one table; None when there is nothing to change."""
    ds = dataset(name)
    path = dataset_path(name, data_dir)
    replaced = (hashes | _document_keys(name, table)) if ds.document_key else set()
    props = CommitProperties(custom_metadata={**meta, "replaced_documents": len(replaced)})
    if not DeltaTable.is_deltatable(str(path)):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_deltalake(str(path), table, mode="append", name=name, description=ds.description,
                        commit_properties=props)
        return TableCommit(name, None, DeltaTable(str(path)).version(), table.num_rows, table.num_rows, len(replaced))
    dt = DeltaTable(str(path))
    previous = dt.version()
    rewrite = schema_of(dt) != declared_schema(ds)
    if rewrite:
        # the declared schema changed: rewrite the table in the new schema, in one commit
        kept = dt.to_pyarrow_table()
        if ds.document_key and replaced:
            kept = kept.filter(pc.invert(pc.is_in(kept.column(ds.document_key), pa.array(sorted(replaced)))))
        elif not ds.document_key:
            kept = kept.slice(0, 0)
        data = pa.concat_tables([_conform(name, kept), table])
        write_deltalake(dt, data, mode="overwrite", schema_mode="overwrite", commit_properties=props)
    elif ds.document_key:
        if not replaced:
            return None
        predicate = f"{ds.document_key} IN ({', '.join(_quote(k) for k in sorted(replaced))})"
        write_deltalake(dt, table, mode="overwrite", predicate=predicate, commit_properties=props)
    else:  # no document key: a run's frame is the whole dataset
        write_deltalake(dt, table, mode="overwrite", commit_properties=props)
    dt = DeltaTable(str(path))
    return TableCommit(name, previous, dt.version(), row_count(dt), table.num_rows, len(replaced), rewrite)


def _conform(name: str, old: pa.Table) -> pa.Table:
    """Rows of an older schema in the declared one: dropped columns go, new ones are null."""
    schema = dataset(name).arrow_schema()
    cols = []
    for f in schema:
        if f.name not in old.column_names:
            if old.num_rows and not f.nullable:
                raise PublishInputError(f"{name}: new required column {f.name} has no value in the published rows")
            cols.append(pa.nulls(old.num_rows, f.type))
            continue
        try:
            cols.append(old.column(f.name).cast(f.type))
        except pa.ArrowException as exc:
            raise PublishInputError(f"{name}: published column {f.name} cannot become {f.type}: {exc}") from exc
    return pa.Table.from_arrays(cols, schema=schema)
