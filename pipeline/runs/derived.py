"""The datasets a run derives across documents (the citation graph, ``norms_consolidated``, the
``duplicate_renderings`` quality checks of one document held in several files),
built inside the run's own publish so that they are committed under the run's id together with
the documents' rows, or not at all (``pipeline.store.publish.publish(derive=...)``).

The inputs are what the datasets WILL hold once the run is committed: the published rows of the
documents the run does not touch, plus the run's own rows. That is the rule ``publish`` applies
to a dataset with a document key: the rows of every input document (and every document found
in the run's frame) are replaced by the frame's rows. The inputs are read in the order of their
primary key, so that what is derived depends on the rows, never on the order runs wrote them.

A run that changes a few documents of a published corpus recomputes only what those documents
can reach, and keeps the other published rows as they are (the result is the rows a run over the
whole corpus gives: ``tests/test_derived_incremental.py``):

- citation graph: the nodes and edges of the numbers the changed documents carry or cite, before
  or after the change;
- ``norms_consolidated``: the documents linked to the changed ones (``pipeline.versions.scope``);
- ``duplicate_renderings``: every file of a document one of whose files changed.

A derived dataset whose rows come out as published is not written again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from pipeline.core.errors import DatasetNotPublished
from pipeline.core.missing import none_if_missing
from pipeline.records.citations import citation_graph
from pipeline.records.datasets import frame
from pipeline.records.references import normalize_doc_number
from pipeline.store.read import load, read_arrow, resolve_version
from pipeline.store.tables import latest_run
from pipeline.versions.consolidate import cited_dates, consolidate, derived_frames, in_order
from pipeline.versions.duplicates import duplicate_check_rows
from pipeline.versions.scope import changed_dates, linked_documents, rendering_keys, targeting
from schemas import dataset

# the per-document datasets the derived ones are built from
DERIVED_INPUTS = ("norm_items", "amendments", "documents", "references")
# the datasets built across documents (besides the duplicate checks in quality_checks)
DERIVED = ("citation_nodes", "citation_edges", "norms_consolidated")


def canonical(name: str, df: pd.DataFrame | None) -> pd.DataFrame | None:
    """The rows in the order of the dataset's primary key (unique: a total order)."""
    if df is None or df.empty:
        return df if df is None else df.reset_index(drop=True)
    return df.sort_values(list(dataset(name).primary_key), kind="stable").reset_index(drop=True)


def published(name: str, data_dir: Path | str, where: tuple[str, Iterable] | None = None) -> pd.DataFrame | None:
    """The published rows (``where=(column, values)``: only those rows); None when never published."""
    try:
        return load(name, data_dir=data_dir, where=where)
    except DatasetNotPublished:
        return None


def replaced(name: str, frames: Mapping[str, pd.DataFrame], hashes: Iterable[str]) -> set[str]:
    """The documents whose rows of ``name`` the run replaces (``publish``'s rule)."""
    key = dataset(name).document_key
    new = frames.get(name)
    return set(hashes) | (set(new[key].dropna()) if new is not None and key else set())


def splice(name: str, old: pd.DataFrame | None, frames: Mapping[str, pd.DataFrame],
           hashes: Iterable[str]) -> pd.DataFrame | None:
    """``old`` (published rows of ``name``) as it will read once the run's frames replace its
    documents' rows, in canonical order."""
    new = frames.get(name)
    if old is None:
        return canonical(name, new)
    key = dataset(name).document_key
    kept = old[~old[key].isin(replaced(name, frames, hashes))] if key else old.iloc[0:0]
    if new is None:
        return canonical(name, kept)
    if kept.empty:
        return canonical(name, new)
    return canonical(name, pd.concat([kept, new[kept.columns]], ignore_index=True))


def staged(name: str, frames: Mapping[str, pd.DataFrame], hashes: Iterable[str],
           data_dir: Path | str) -> pd.DataFrame | None:
    """Dataset ``name`` as it will read once the run's ``frames`` replace the rows of the
    documents ``hashes``: None when neither the run nor the published data has it."""
    return splice(name, published(name, data_dir), frames, hashes)


def deriver(frames: Mapping[str, pd.DataFrame], hashes: Iterable[str],
            data_dir: Path | str) -> Callable[[], dict[str, pd.DataFrame]] | None:
    """The ``derive`` callable for a run publishing ``frames``, or None when the run changes none
    of the derived datasets' inputs (a run of rejects only)."""
    if not any(n in frames for n in DERIVED_INPUTS):
        return None
    hashes = sorted(set(hashes))

    def derive() -> dict[str, pd.DataFrame]:
        out = derive_incremental(frames, hashes, data_dir)
        return derive_all(frames, hashes, data_dir) if out is None else out

    return derive


def derive_all(frames: Mapping[str, pd.DataFrame], hashes: list[str], data_dir: Path | str) -> dict[str, pd.DataFrame]:
    """Every derived dataset from every document's rows."""
    inputs = {n: staged(n, frames, hashes, data_dir) for n in DERIVED_INPUTS}
    out = derived_frames(inputs)
    checks = duplicate_checks(frames, inputs.get("documents"), inputs.get("norm_items"), hashes, data_dir)
    if checks is not None:
        out["quality_checks"] = checks
    return out


def _changed(frames: Mapping[str, pd.DataFrame], hashes: Iterable[str]) -> set[str]:
    return set().union(*(replaced(n, frames, hashes) for n in DERIVED_INPUTS))


def _numbers(documents: pd.DataFrame) -> pd.Series:
    """The citation graph's node number of each documents row (None without a number)."""
    return pd.Series([normalize_doc_number(n)[0] if isinstance(n, str) and n else None
                      for n in documents["doc_number"]], index=documents.index, dtype=object)


def _both(name: str, old: pd.DataFrame | None, frames: Mapping[str, pd.DataFrame],
          columns: list[str] | None = None) -> pd.DataFrame:
    """The rows before and after the change, together (for closures that must hold in both)."""
    parts = [df if columns is None else df[columns] for df in (old, frames.get(name)) if df is not None and len(df)]
    return pd.concat(parts, ignore_index=True) if parts else frame(name, [])[columns or slice(None)]


def derive_incremental(frames: Mapping[str, pd.DataFrame], hashes: list[str],
                       data_dir: Path | str) -> dict[str, pd.DataFrame] | None:
    """The derived datasets recomputed only where the changed documents reach (module docstring);
    None when what was derived so far is not known (then ``derive_all``). Reads the published
    rows it needs: the link columns of every document, whole rows of the reached ones only."""
    last = latest_run(data_dir)
    if last is None or any(n not in last.get("snapshot", {}) for n in ("documents", "amendments", *DERIVED)):
        return None
    changed = _changed(frames, hashes)
    old_docs = _columns("documents", data_dir, LINK_COLUMNS["documents"])
    if set(old_docs["doc_sha256"]) <= changed:
        return None  # every document changes (a --full run): nothing to keep
    old_amend = _columns("amendments", data_dir, LINK_COLUMNS["amendments"])
    docs = splice("documents", old_docs, {n: df[LINK_COLUMNS[n]] for n, df in frames.items() if n == "documents"},
                  hashes)
    both_docs = _both("documents", old_docs, frames, LINK_COLUMNS["documents"])
    both_amend = _both("amendments", old_amend, frames, LINK_COLUMNS["amendments"])
    out: dict[str, pd.DataFrame] = {}

    # citation graph: the numbers the changed documents carry or cite, before or after
    touched = both_docs[both_docs["doc_sha256"].isin(changed)]
    refs_changed = _both("references", published("references", data_dir, ("doc_sha256", changed)), frames)
    numbers = (set(_numbers(touched).dropna()) | set(touched["doc_number"].dropna())
               | set(refs_changed["cited_number"].dropna()))
    refs = splice("references", published("references", data_dir, ("cited_number", numbers)),
                  {"references": frames["references"][frames["references"]["cited_number"].isin(numbers)]}
                  if "references" in frames else {}, changed)
    numbered = set(docs.loc[_numbers(docs).isin(numbers), "doc_sha256"])
    graph = citation_graph(refs if refs is not None else frame("references", []),
                           rows_of("documents", numbered, frames, hashes, data_dir))
    old_nodes = published("citation_nodes", data_dir)
    nodes = pd.concat([old_nodes[~old_nodes["doc_number"].isin(numbers)], graph["citation_nodes"]], ignore_index=True)
    nodes = nodes.sort_values("doc_number", kind="stable").reset_index(drop=True)
    if not same_rows(nodes, old_nodes):
        out["citation_nodes"] = nodes
    edge_order = ["cited_number", "citing_doc_number"]
    edges = graph["citation_edges"].sort_values(edge_order, kind="stable").reset_index(drop=True)
    old_edges = published("citation_edges", data_dir, ("cited_number", numbers))
    if not same_rows(edges, old_edges.sort_values(edge_order, kind="stable").reset_index(drop=True)):
        old_edges = published("citation_edges", data_dir)
        edges = pd.concat([old_edges[~old_edges["cited_number"].isin(numbers)], edges], ignore_index=True)
        out["citation_edges"] = edges.sort_values(edge_order, kind="stable").reset_index(drop=True)

    # consolidation: the documents linked to the changed ones, and to a cited date that changed
    dates = cited_dates(nodes, None)
    seeds = changed | targeting(both_amend, changed_dates(cited_dates(old_nodes, None), dates))
    reach = linked_documents(seeds, both_docs, both_amend, _norm_numbers(frames, data_dir))
    items = rows_of("norm_items", reach, frames, hashes, data_dir)
    part = in_order(consolidate(items, rows_of("amendments", reach, frames, hashes, data_dir),
                                rows_of("documents", reach, frames, hashes, data_dir), dates))
    if not same_rows(part, in_order(published("norms_consolidated", data_dir, ("doc_sha256", reach)))):
        kept = published("norms_consolidated", data_dir)
        kept = kept[~kept["doc_sha256"].isin(reach)]
        out["norms_consolidated"] = in_order(pd.concat([kept, part[kept.columns]], ignore_index=True)
                                             if len(kept) else part)

    # duplicate checks: every file of a document one of whose files changed
    keys = rendering_keys(docs)
    groups = set(rendering_keys(touched).values())
    members = {s for s, k in keys.items() if k in groups}
    checks = duplicate_checks(frames, rows_of("documents", members, frames, hashes, data_dir),
                              items[items["doc_sha256"].isin(members)], hashes, data_dir, touched)
    if checks is not None:
        out["quality_checks"] = checks
    return out


# the columns that link documents (pipeline.versions.scope), read for every published document
LINK_COLUMNS = {"documents": ["doc_sha256", "doc_number", "issuer", "signing_date"],
                "amendments": ["doc_sha256", "amendment_index", "amending_doc_number", "target_doc_number",
                               "target_path"]}


def _columns(name: str, data_dir: Path | str, columns: list[str]) -> pd.DataFrame:
    """Some columns of every published row of ``name``."""
    return read_arrow(name, resolve_version(name, None, data_dir), data_dir, columns=columns).to_pandas()


def rows_of(name: str, shas: Iterable[str], frames: Mapping[str, pd.DataFrame], hashes: Iterable[str],
            data_dir: Path | str) -> pd.DataFrame:
    """The rows of the documents ``shas`` once the run is committed, in canonical order."""
    shas = set(shas)
    old = published(name, data_dir, ("doc_sha256", shas - replaced(name, frames, hashes)))
    out = splice(name, old, frames, hashes)
    if out is None:
        return frame(name, [])
    return out[out["doc_sha256"].isin(shas)].reset_index(drop=True)


def _norm_numbers(frames: Mapping[str, pd.DataFrame], data_dir: Path | str) -> pd.DataFrame:
    """doc_sha256, doc_number of every norm row, published and the run's (two columns only)."""
    cols = ["doc_sha256", "doc_number"]
    parts = [_columns("norm_items", data_dir, cols).drop_duplicates()]
    if "norm_items" in frames:
        parts.append(frames["norm_items"][cols].drop_duplicates())
    return pd.concat(parts, ignore_index=True)


def same_rows(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """True when two frames hold the same rows in the same order, every missing value (None, NaN,
    NA: null once published) counting as one. A different representation of one value counts as
    different: the dataset is then written again, which is only slower."""
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    return all(list(map(_shown, a[c].tolist())) == list(map(_shown, b[c].tolist())) for c in a.columns)


def _shown(value: object) -> str:
    if hasattr(value, "tolist"):
        value = value.tolist()
    return repr(value if isinstance(value, list | tuple | dict) else none_if_missing(value))


def duplicate_checks(frames: Mapping[str, pd.DataFrame], docs: pd.DataFrame | None, norms: pd.DataFrame | None,
                     hashes: Iterable[str], data_dir: Path | str,
                     old_docs: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The run's ``quality_checks`` with a ``duplicate_renderings`` row for every file of a
    document one of whose files the run changes (before or after the change) and that another
    file holds too; the published checks of the files the run does not replace come along, so
    that their ``duplicate_renderings`` rows are replaced. None when there is no such file (the
    run's own rows are published as they are)."""
    if docs is None:
        return None
    if norms is None:
        norms = pd.DataFrame(columns=["doc_sha256", "item_text", "value_raw", "unit"])
    changed = _changed(frames, hashes)
    if old_docs is None:
        old_docs = published("documents", data_dir)
    groups = set(rendering_keys(docs[docs["doc_sha256"].isin(changed)]).values())
    if old_docs is not None:
        groups |= set(rendering_keys(old_docs[old_docs["doc_sha256"].isin(changed)]).values())
    keys = rendering_keys(docs)
    members = docs[docs["doc_sha256"].map(lambda s: keys[s] in groups)].reset_index(drop=True)
    rows = duplicate_check_rows(members, norms[norms["doc_sha256"].isin(set(members["doc_sha256"]))],
                                members["doc_sha256"])
    own = frames.get("quality_checks")
    others = set(members["doc_sha256"]) - replaced("quality_checks", frames, hashes)
    theirs = published("quality_checks", data_dir, ("doc_sha256", others)) if others else None
    if theirs is not None:
        theirs = theirs[theirs["check_name"] != "duplicate_renderings"]
    parts = [df for df in (own, theirs, frame("quality_checks", rows) if rows else None) if df is not None and len(df)]
    if not rows and (theirs is None or theirs.empty):
        return None
    cols = list(dataset("quality_checks").columns)
    return pd.concat([df[cols] for df in parts], ignore_index=True)
