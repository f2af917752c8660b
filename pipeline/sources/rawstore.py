"""The raw store: fetched PDFs, content-addressed, under ``<data_dir>/raw/``.

Each document version is ``<sha256>.pdf`` with a sidecar ``<sha256>.json`` (a :class:`RawRecord`:
source, manifest id, fetch time in UTC, size, HTTP status and headers of note). Both are written
to a temporary file in the same folder and renamed into place, the PDF first and the sidecar
last, so a sidecar always describes a complete PDF. Storing bytes that are already stored is a
no-op returning the existing record (the record keeps the first source that delivered them). A
document that changes at the same source gets a new sha256, hence a new file: the history of a
source is :func:`versions_of_source`. Two processes storing the same new bytes at once both
write identical PDFs; the sidecar of the last one stays.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

from pipeline.sources.manifest import normalize_source

DEFAULT_DATA_DIR = Path("data")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
RECORD_FORMAT = 1


@dataclass(frozen=True)
class RawRecord:
    """The sidecar of one stored document version."""

    sha256: str
    size: int
    source: str
    manifest_id: str | None
    fetched_at: str  # ISO 8601, UTC, e.g. 2026-01-31T08:15:02.123456+00:00
    source_kind: str  # "url" or "file"
    http_status: int | None = None
    final_url: str | None = None  # after redirects
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # other headers of note, lower-case names
    file_mtime: str | None = None  # for file sources: the file's modification time, ISO UTC
    format: int = RECORD_FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> RawRecord:
        data = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def raw_dir(data_dir: Path | str = DEFAULT_DATA_DIR) -> Path:
    return Path(data_dir) / "raw"


def _check_sha(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise ValueError(f"not a lower-case hex sha256: {sha256!r}")
    return sha256


def raw_path(sha256: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> Path:
    """Where the PDF with this sha256 is (or would be) stored."""
    return raw_dir(data_dir) / f"{_check_sha(sha256)}.pdf"


def sidecar_path(sha256: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> Path:
    return raw_dir(data_dir) / f"{_check_sha(sha256)}.json"


@contextmanager
def staging_file(data_dir: Path | str = DEFAULT_DATA_DIR) -> Iterator[tuple[BinaryIO, Path]]:
    """A temporary file inside the raw folder (same file system, so :func:`commit` can rename
    it). Removed on exit unless it was committed."""
    folder = raw_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".fetch-", suffix=".part", dir=folder)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f, tmp
    finally:
        tmp.unlink(missing_ok=True)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def get_record(sha256: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> RawRecord | None:
    """The stored record of this version, or None when it is not (completely) stored."""
    side = sidecar_path(sha256, data_dir)
    if not side.exists() or not raw_path(sha256, data_dir).exists():
        return None
    return RawRecord.from_json(side.read_text(encoding="utf-8"))


def commit(staged: Path, record: RawRecord, data_dir: Path | str = DEFAULT_DATA_DIR) -> RawRecord:
    """Move a complete, verified staged file into place as ``<sha256>.pdf`` and write its
    sidecar. If this version is already stored, nothing is written and the existing record is
    returned (the staged file is left for its owner to delete)."""
    existing = get_record(record.sha256, data_dir)
    if existing is not None:
        return existing
    size = staged.stat().st_size
    if size != record.size:
        raise ValueError(f"staged file has {size} bytes, record says {record.size}")
    final = raw_path(record.sha256, data_dir)
    with open(staged, "rb") as f:
        os.fsync(f.fileno())
    os.replace(staged, final)
    _write_atomic(sidecar_path(record.sha256, data_dir), record.to_json().encode("utf-8"))
    return record


def list_records(data_dir: Path | str = DEFAULT_DATA_DIR) -> list[RawRecord]:
    """Every stored version, oldest first."""
    folder = raw_dir(data_dir)
    if not folder.is_dir():
        return []
    records = []
    for side in folder.glob("*.json"):
        if _SHA256.match(side.stem) and (folder / f"{side.stem}.pdf").exists():
            records.append(RawRecord.from_json(side.read_text(encoding="utf-8")))
    return sorted(records, key=lambda r: (r.fetched_at, r.sha256))


def versions_of_source(source: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> list[RawRecord]:
    """The stored versions first delivered by ``source`` (a URL, or a file path; a relative path
    resolves against the current folder, as on the command line), in the order they were first
    stored. Records are never updated, so a source that reverts to bytes it served before (A, B,
    A again) lists [A, B]: the current version is the record the latest fetch returned."""
    wanted = normalize_source(source, Path.cwd())
    return [r for r in list_records(data_dir) if r.source == wanted]
