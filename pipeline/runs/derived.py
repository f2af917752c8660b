"""The datasets a run derives across documents (the citation graph, ``norms_consolidated``, the
``duplicate_renderings`` quality checks of one document held in several files),
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
from pipeline.records.datasets import frame
from pipeline.store.read import load
from pipeline.versions.consolidate import derived_frames
from pipeline.versions.duplicates import duplicate_check_rows
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
        inputs = {n: staged(n, frames, hashes, data_dir) for n in DERIVED_INPUTS}
        out = derived_frames(inputs)
        checks = duplicate_checks(frames, inputs, hashes)
        if checks is not None:
            out["quality_checks"] = checks
        return out

    return derive


def duplicate_checks(frames: Mapping[str, pd.DataFrame], inputs: Mapping[str, pd.DataFrame | None],
                     hashes: Iterable[str]) -> pd.DataFrame | None:
    """The run's ``quality_checks`` with a ``duplicate_renderings`` row for each of its files that
    holds a document another file (of this run or a published one) holds too; None when there is
    no such file (the run's own rows are published as they are)."""
    docs, norms = inputs.get("documents"), inputs.get("norm_items")
    if docs is None:
        return None
    if norms is None:
        norms = pd.DataFrame(columns=["doc_sha256", "item_text", "value_raw", "unit"])
    rows = duplicate_check_rows(docs, norms, hashes)
    if not rows:
        return None
    own = frames.get("quality_checks")
    new = frame("quality_checks", rows)
    return new if own is None or own.empty else pd.concat([own, new[own.columns]], ignore_index=True)

