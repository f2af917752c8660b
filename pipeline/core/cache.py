"""The extraction cache: what a stage produced for a document, keyed on its sha256 and the
version of the code that computed it, so an unchanged document is never processed twice by the
same code.

An entry is a folder ``<data_dir>/cache/<stage>/<parser_version>/<sha256>/`` holding one
Parquet file per frame (``<name>.parquet``) and ``_frames.json`` listing the names. It is
written under a temporary name and renamed into place in one step, so an entry is complete or
absent. A different version is a different folder. The run passes
``pipeline.runs.run.cache_key()``: the parser label and the fingerprint of every file that
computes the frames (``pipeline.core.fingerprint``), so any change of the code is a miss.

    frames = cached("datasets", doc.sha256, cache_key(), lambda: document_datasets(...), data_dir)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

DEFAULT_DATA_DIR = Path("data")
INDEX_FILE = "_frames.json"

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_FRAME_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

Frames = dict[str, pd.DataFrame]


def entry_dir(stage: str, sha256: str, parser_version: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> Path:
    """The folder of one cache entry (validated: every part must be a safe path segment)."""
    if not _SEGMENT.match(stage):
        raise ValueError(f"bad cache stage name: {stage!r}")
    if not _SEGMENT.match(parser_version):
        raise ValueError(f"bad parser version: {parser_version!r}")
    if not _SHA256.match(sha256):
        raise ValueError(f"not a lower-case hex sha256: {sha256!r}")
    return Path(data_dir) / "cache" / stage / parser_version / sha256


def _read(folder: Path) -> Frames | None:
    try:
        names = json.loads((folder / INDEX_FILE).read_text(encoding="utf-8"))
        return {name: pd.read_parquet(folder / f"{name}.parquet") for name in names}
    except (OSError, ValueError):  # incomplete or damaged: a miss (ArrowInvalid is a ValueError)
        return None


def get(stage: str, sha256: str, parser_version: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> Frames | None:
    """The cached frames of this document for this stage and parser version, or None."""
    folder = entry_dir(stage, sha256, parser_version, data_dir)
    if not folder.is_dir():
        return None
    return _read(folder)


def put(stage: str, sha256: str, parser_version: str, frames: Mapping[str, pd.DataFrame],
        data_dir: Path | str = DEFAULT_DATA_DIR) -> Path:
    """Store ``frames`` (name → DataFrame; names are snake_case) atomically; returns the entry's
    folder. An existing complete entry is kept (same key, same code: same result); a damaged
    one is replaced."""
    for name, df in frames.items():
        if not _FRAME_NAME.match(name):
            raise ValueError(f"frame name must be snake_case ASCII: {name!r}")
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"frame {name!r} is a {type(df).__name__}, not a pandas DataFrame")
    final = entry_dir(stage, sha256, parser_version, data_dir)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{sha256}.", suffix=".tmp", dir=final.parent))
    try:
        for name, df in frames.items():
            df.to_parquet(tmp / f"{name}.parquet")
        (tmp / INDEX_FILE).write_text(json.dumps(sorted(frames)), encoding="utf-8")
        if final.is_dir() and _read(final) is None:
            shutil.rmtree(final)  # a damaged entry (e.g. written by hand): replace it
        try:
            os.rename(tmp, final)
        except OSError:
            if not final.is_dir():  # not "another writer got there first"
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return final


def cached(stage: str, sha256: str, parser_version: str, compute: Callable[[], Mapping[str, pd.DataFrame]],
           data_dir: Path | str = DEFAULT_DATA_DIR) -> Frames:
    """The frames from the cache, or ``compute()``'s, stored first. Either way the frames are
    read back from the cache, so a hit and a miss return identical frames (dtypes included)."""
    hit = get(stage, sha256, parser_version, data_dir)
    if hit is not None:
        return hit
    folder = put(stage, sha256, parser_version, compute(), data_dir)
    frames = _read(folder)
    if frames is None:
        raise OSError(f"cache entry {folder} unreadable right after writing it")
    return frames
