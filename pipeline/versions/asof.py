"""The legal as-of view: which rows of a norm dataset were in force on a given day.

``as_of`` is the LEGAL in-force date (DOMAIN §4), not time travel: the validity interval
``valid_from <= as_of < valid_to`` of ``norms_consolidated`` rows (built by
``pipeline.versions.consolidate``). ``load`` is the reader analysts call through ``pipeline.load``:
without ``as_of`` it is ``pipeline.store.read.load``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from pipeline.core.errors import AsOfNotSupported, DatasetNotPublished, InvalidAsOfDate
from pipeline.core.missing import none_if_missing
from pipeline.store import read
from pipeline.store.tables import DEFAULT_DATA_DIR
from schemas import dataset

__all__ = ["VALIDITY_COLUMNS", "in_force", "load", "parse_as_of"]

# columns that make a dataset a legal-validity ("in force") dataset; see load(as_of=...)
VALIDITY_COLUMNS = ("valid_from", "valid_to")
# the dataset that holds the in-force rows of each norm dataset
AS_OF_SOURCE = {"norm_items": "norms_consolidated"}


def parse_as_of(value: str | date | datetime) -> date:
    """'2023-01-01', '01/01/2023', a date or a datetime → date; anything else is ConsolidationError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = str(value).strip()
    try:
        return date.fromisoformat(s)
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s)
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            pass
    raise InvalidAsOfDate(f"as-of date {value!r}: give YYYY-MM-DD or DD/MM/YYYY")


def in_force(consolidated: pd.DataFrame, as_of: str | date | datetime) -> pd.DataFrame:
    """Rows in force on ``as_of``: valid_from <= as_of < valid_to (or valid_to open). Rows whose
    valid_from is unknown are never in force (they cannot be placed in time; they stay flagged)."""
    d = parse_as_of(as_of)
    vf = consolidated["valid_from"].map(lambda x: none_if_missing(x) is not None and x <= d)
    vt = consolidated["valid_to"].map(lambda x: none_if_missing(x) is None or d < x)
    return consolidated[vf.astype(bool) & vt.astype(bool)].reset_index(drop=True)


def load(
    name: str,
    version: int | datetime | str | None = None,
    as_of: str | datetime | None = None,
    data_dir: Path | str = DEFAULT_DATA_DIR,
    *,
    run_id: str | None = None,
) -> pd.DataFrame:
    """Load a dataset as a pandas DataFrame with the dtypes declared in ``schemas/``.

    ``version`` is time travel (see ``pipeline.store.read.resolve_version``); ``run_id`` reads the
    version a run pinned. ``as_of`` is the LEGAL in-force date of the norm datasets, not time
    travel: for ``norm_items`` (and ``norms_consolidated``) it returns the rows of
    ``norms_consolidated`` in force that day (valid_from <= as_of < valid_to, or valid_to open),
    including the records that state which parts of a base text are not available; it is refused
    for datasets without validity columns.
    """
    if as_of is None:
        return read.load(name, version, data_dir, run_id=run_id)
    dataset(name)  # unknown names fail with the list of known ones
    source = AS_OF_SOURCE.get(name, name)
    if not all(c in dataset(source).columns for c in VALIDITY_COLUMNS):
        raise AsOfNotSupported(f"dataset {name!r} has no validity columns {VALIDITY_COLUMNS}: as_of= is the "
                               "legal in-force date of the norm datasets; for time travel use version=")
    try:
        consolidated = read.load(source, version, data_dir, run_id=run_id)
    except DatasetNotPublished:
        raise DatasetNotPublished(f"{name} as_of=: {source!r} is not published under "
                                  f"{Path(data_dir) / 'parquet'}; run: decree consolidate --data-dir {data_dir}"
                                  ) from None
    return in_force(consolidated, as_of)
