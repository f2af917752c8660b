"""The datasets a run derives across documents (the citation graph, ``norms_consolidated``),
built inside the run's own publish so that they are committed under the run's id together with
the documents' rows, or not at all (``pipeline.store.publish.publish(derive=...)``).

The inputs are what the datasets WILL hold once the run is committed: the published rows of the
documents the run does not touch, plus the run's own rows. That is the rule ``publish`` applies
to a dataset with a document key: the rows of every input document (and every document found
in the run's frame) are replaced by the frame's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from pipeline.core.errors import DatasetNotPublished
from pipeline.store.read import load
from pipeline.versions.consolidate import derived_frames
from schemas import dataset

# the per-document datasets the derived ones are built from
DERIVED_INPUTS = ("norm_items", "amendments", "documents", "references")


def staged(name: str, frames: Mapping[str, pd.DataFrame], hashes: Iterable[str],
           data_dir: Path | str) -> pd.DataFrame | None:
    """Dataset ``name`` as it will read once the run's ``frames`` replace the rows of the
    documents ``hashes``: None when neither the run nor the published data has it."""
    new = frames.get(name)
    try:
        old = load(name, data_dir=data_dir)
    except DatasetNotPublished:
        old = None
    if old is None:
        return new
    key = dataset(name).document_key
    replaced = set(hashes) | (set(new[key].dropna()) if new is not None and key else set())
    kept = old[~old[key].isin(replaced)] if key else old.iloc[0:0]
    if new is None:
        return kept.reset_index(drop=True)
    if kept.empty:
        return new.reset_index(drop=True)
    return pd.concat([kept, new[kept.columns]], ignore_index=True)


def deriver(frames: Mapping[str, pd.DataFrame], hashes: Iterable[str],
            data_dir: Path | str) -> Callable[[], dict[str, pd.DataFrame]] | None:
    """The ``derive`` callable for a run publishing ``frames``, or None when the run changes none
    of the derived datasets' inputs (a run of rejects only)."""
    if not any(n in frames for n in DERIVED_INPUTS):
        return None
    hashes = sorted(set(hashes))

    def derive() -> dict[str, pd.DataFrame]:
        return derived_frames({n: staged(n, frames, hashes, data_dir) for n in DERIVED_INPUTS})

    return derive
