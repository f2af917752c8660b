"""Publishing and loading datasets: the only module that writes or reads ``data/parquet``.

Every dataset is one Parquet file, ``<data_dir>/parquet/<name>.parquet``, written with the
pyarrow schema compiled from ``schemas/``. A publish replaces the rows of the documents it
carries (keyed by ``doc_sha256``) and keeps everyone else's; each file is written to a
temporary name and renamed into place, so a reader sees the old file or the new one, never a
partial one. (The versioned table format of the orchestration issue replaces this module's
internals without changing its two functions.)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.datasets import frame
from schemas import dataset

DEFAULT_DATA_DIR = Path("data")


def dataset_path(name: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> Path:
    dataset(name)  # unknown names fail here, with the list of known ones
    return Path(data_dir) / "parquet" / f"{name}.parquet"


def _to_arrow(name: str, df: pd.DataFrame) -> pa.Table:
    schema = dataset(name).arrow_schema()
    return pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)


def publish(frames: Mapping[str, pd.DataFrame], data_dir: Path | str = DEFAULT_DATA_DIR) -> dict[str, int]:
    """Write ``frames`` (dataset name → rows); returns the row count now in each dataset."""
    counts: dict[str, int] = {}
    staged: list[tuple[Path, Path]] = []
    try:
        for name, df in frames.items():
            ds = dataset(name)
            path = dataset_path(name, data_dir)
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() and ds.document_key:
                old = load(name, data_dir)
                replaced = set(df[ds.document_key].dropna().unique())
                old = old[~old[ds.document_key].isin(replaced)]
                df = pd.concat([old, df], ignore_index=True) if len(old) else df
            table = _to_arrow(name, df)
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".parquet.tmp", dir=path.parent)
            os.close(fd)
            pq.write_table(table, tmp)
            staged.append((Path(tmp), path))
            counts[name] = table.num_rows
        for tmp, path in staged:  # every file is complete before any is swapped in
            os.replace(tmp, path)
        staged = []
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return counts


def load(name: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> pd.DataFrame:
    """Load a dataset as a pandas DataFrame with the dtypes declared in ``schemas/``."""
    path = dataset_path(name, data_dir)
    if not path.exists():
        raise FileNotFoundError(f"dataset {name!r} not published under {Path(data_dir) / 'parquet'}")
    df = pq.read_table(path).to_pandas()
    return frame(name, df.to_dict("records"))
