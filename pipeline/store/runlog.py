"""Run records and what keeps them atomic: the writer lock, writing a record (complete or not at
all), rolling back the commits of a failed run and recovering from a crashed one, and the record
of a run that changed nothing. ``pipeline.store.publish`` writes the tables and calls these.

A run record (``<data_dir>/parquet/_runs/<seq>.json``, keys declared in ``schemas/runs.py``) is
the commit point of a run: it pins every table's version (``snapshot``). A run whose inputs are
the ones the latest record already published (same documents, same code) commits no table: its
record (``mode: "unchanged"``) pins the same versions, so readers see the same rows under the new
run id, and nothing is rewritten (``record_unchanged``).
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.core.errors import PublishFailed
from pipeline.core.fingerprint import code_fingerprint
from pipeline.core.version import __version__
from pipeline.store.tables import DEFAULT_DATA_DIR, dataset_path, latest_run, runs_dir
from schemas.runs import RUN_RECORD_FORMAT, check_record


@dataclass(frozen=True)
class TableCommit:
    """One table's commit in a run: ``previous_version`` is None when the run created the table."""

    name: str
    previous_version: int | None
    version: int
    rows: int
    rows_added: int
    replaced_documents: int
    schema_rewrite: bool = False


def code_version() -> dict[str, str]:
    """The versions a run record names: package, parser label, code fingerprint."""
    return {"pipeline": __version__, "parser": parser_version(), "code": code_fingerprint()}


def record_unchanged(data_dir: Path | str, run_id: str, extra: Mapping[str, Any] | None = None,
                     started: datetime | None = None) -> dict[str, Any]:
    """Record run ``run_id`` as one that changed nothing: under the writer lock (after recovering a
    crashed run), a record pinning the latest record's tables, with no table commit. Returns the
    record written. Raises ``PublishFailed`` when there is no published run to point at.

    A table that recovery restored holds the pinned content under a newer version (the rollback
    commit); the record pins that version, so that the tables' latest versions are exactly the
    record's, as after any other run."""
    with writer_lock(data_dir):
        last = recover(data_dir, run_id=run_id)
        if last is None:
            raise PublishFailed(f"run {run_id}: nothing published yet, a run cannot be 'unchanged'")
        root = Path(data_dir) / "parquet"
        snapshot = {name: max(v, log_version(root / name) or v) for name, v in last["snapshot"].items()}
        record = {**{k: v for k, v in last.items() if k in ("input_hashes", "rejected_hashes", "documents",
                                                             "derive_key")},
                  **dict(extra or {}),
                  "format": RUN_RECORD_FORMAT, "sequence": last["sequence"] + 1, "run_id": run_id,
                  "started_at": (started or datetime.now(UTC)).isoformat(),
                  "committed_at": datetime.now(UTC).isoformat(), "code_version": code_version(),
                  "tables": {}, "snapshot": snapshot, "mode": "unchanged",
                  "unchanged_from": last.get("unchanged_from") or last["run_id"]}
        write_run_record(record, data_dir)
    return record


def recover(data_dir: Path | str = DEFAULT_DATA_DIR, *, run_id: str = "recover") -> dict[str, Any] | None:
    """Restore every table that holds commits of a run without a run record (a crashed publish)
    to the version pinned by the latest record. Returns that record. Called by ``publish``."""
    last = latest_run(data_dir)
    sequence = last["sequence"] if last else 0
    snapshot = last["snapshot"] if last else {}
    root = Path(data_dir) / "parquet"
    if not root.is_dir():
        return last
    for path in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_")):
        pinned = snapshot.get(path.name)
        if pinned is not None and log_version(path) == pinned:
            continue  # the usual case, decided without opening the table
        from deltalake import DeltaTable

        if not DeltaTable.is_deltatable(str(path)):
            continue
        dt = DeltaTable(str(path))
        if pinned is not None and dt.version() == pinned:
            continue
        orphans = []
        for h in dt.history():  # newest first
            if pinned is not None and h["version"] <= pinned:
                break
            if h.get("publish_action") == "rollback":
                break
            if h.get("publish_action") == "publish" and int(h.get("run_sequence", 0)) > sequence:
                orphans.append(h.get("run_id"))
        if orphans:
            commit = TableCommit(path.name, pinned, dt.version(), 0, 0, 0)
            failed = roll_back({path.name: commit}, data_dir, run_id, orphans[0], sequence + 1)
            if failed:
                raise PublishFailed(f"cannot restore {path.name} after the unrecorded run {orphans[0]}: {failed}")
    return last


def log_version(table: Path) -> int | None:
    """The latest version of the Delta table at ``table`` read from its log's file names (a commit
    ``N`` is the file ``_delta_log/<N zero-padded to 20 digits>.json``, kept after checkpoints),
    or None when there is no commit file."""
    log = table / "_delta_log"
    try:
        numbers = [int(f.name[:-5]) for f in os.scandir(log) if f.name.endswith(".json") and f.name[:-5].isdigit()]
    except OSError:
        return None
    return max(numbers) if numbers else None


def parser_version() -> str:
    from extractors.version import PARSER_VERSION

    return PARSER_VERSION


@contextmanager
def writer_lock(data_dir: Path | str) -> Iterator[None]:
    d = runs_dir(data_dir)
    d.mkdir(parents=True, exist_ok=True)
    with open(d / ".lock", "a+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # released by the OS if the process dies
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def write_run_record(record: dict[str, Any], data_dir: Path | str) -> Path:
    check_record(record)
    d = runs_dir(data_dir)
    final = d / f"{record['sequence']:08d}.json"
    fd, tmp = tempfile.mkstemp(prefix=".run.", suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, final)  # atomic, and fails instead of overwriting another run's record
        except FileExistsError:
            raise PublishFailed(f"run record {final.name} already exists: another publish ran concurrently") from None
    finally:
        os.unlink(tmp)
    return final


def roll_back(commits: Mapping[str, TableCommit], data_dir: Path | str, run_id: str, rolled_back: str,
               sequence: int) -> list[str]:
    """Restore each committed table to its previous version (or empty it if the run created it).
    Returns the tables that could not be restored."""
    from deltalake import CommitProperties, DeltaTable

    failed = []
    for name, c in commits.items():
        props = CommitProperties(custom_metadata={
            "publish_action": "rollback", "run_id": run_id, "run_sequence": sequence,
            "rolled_back_run_id": rolled_back, "restored_version": c.previous_version,
            "pipeline_version": __version__, "parser_version": parser_version()})
        try:
            dt = DeltaTable(str(dataset_path(name, data_dir)))
            if c.previous_version is None:
                dt.delete(commit_properties=props)
            else:
                dt.restore(c.previous_version, commit_properties=props)
        except Exception as exc:  # keep rolling back the others; report which failed
            failed.append(f"{name} ({exc.__class__.__name__}: {exc})")
    return failed
