"""Which documents a change of some documents can reach in the datasets derived across documents,
so that a run recomputes only those rows (``pipeline.runs.derived``). Pure functions.

``norms_consolidated`` is the union, over groups of documents that nothing links, of what
``consolidate`` gives for each group alone. Two documents are linked when

- they hold one document (the same number, issuer and signing date: ``rendering_groups``): which
  rendering is consolidated, and the flags naming the others, depend on all of them;
- a number or path of one is a prefix of (or equal to) a number or path of the other. A
  document's numbers and paths are its own number (the sha when it prints none, as
  ``consolidate`` keys it), the number its norm rows carry, and for each of its amendments the
  amending number, the target number, the target path and the path of the inserted content.
  A consolidated path starts with the row's own number or with the target path of one of its
  document's operations, and an operation ends the rows whose path starts with its target path:
  one of those two strings is then a prefix of the other. Equal target numbers join every
  operation on one base text (which base texts are missing, their ``base_unavailable`` records)
  and the documents that carry that number (which are ingested, what they amend in turn).

Prefixes over-link (``1/QĐ`` is a prefix of ``1/QĐ-UBND``): that recomputes more, never less.
The dates of cited documents that are not ingested come from the citation graph, across every
document: a group whose operations target a number whose date changed is recomputed too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd

from pipeline.core.missing import none_if_missing
from pipeline.versions.duplicates import document_key

__all__ = ["changed_dates", "linked_documents", "rendering_keys", "targeting"]

_POSITION = re.compile(r"/(?:after|before):[^/]*$")


def _strip_position(path: str) -> str:
    # consolidate's rule: an insertion point (after:/before:) is not part of the target
    return _POSITION.sub("", path)


def _paths(documents: pd.DataFrame, amendments: pd.DataFrame,
           norm_numbers: pd.DataFrame | None) -> dict[str, set[str]]:
    """sha → the numbers and paths that may link the document to others (module docstring)."""
    out: dict[str, set[str]] = {}
    for sha, number in zip(documents["doc_sha256"], documents["doc_number"], strict=True):
        out.setdefault(sha, set()).add(none_if_missing(number) or sha)
    if norm_numbers is not None:
        for sha, number in zip(norm_numbers["doc_sha256"], norm_numbers["doc_number"], strict=True):
            out.setdefault(sha, set()).add(none_if_missing(number) or sha)
    for r in amendments.itertuples(index=False):
        p = out.setdefault(r.doc_sha256, set())
        p.add(none_if_missing(r.amending_doc_number) or r.doc_sha256)
        if none_if_missing(r.target_doc_number):
            p.add(r.target_doc_number)
        # the inserted content's path starts with the target path: linking by the target covers it
        p.add(_strip_position(none_if_missing(r.target_path) or ""))
    return out


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def rendering_keys(documents: pd.DataFrame) -> dict[str, str]:
    """sha → the document it holds (``duplicates.document_key``)."""
    return {r.doc_sha256: document_key(getattr(r, "doc_number", None), getattr(r, "issuer", None),
                                       getattr(r, "signing_date", None), r.doc_sha256)
            for r in documents.itertuples(index=False)}


def linked_documents(seeds: Iterable[str], documents: pd.DataFrame, amendments: pd.DataFrame,
                     norm_numbers: pd.DataFrame | None = None) -> set[str]:
    """Every document linked to one of ``seeds`` (module docstring), the seeds included.
    ``documents``, ``amendments`` (and ``norm_numbers``: doc_sha256, doc_number of the norm rows)
    should hold the rows before AND after the change, so that the set is closed in both states."""
    u = _Union()
    for sha, key in rendering_keys(documents).items():
        u.join(f"doc:{sha}", f"key:{key}")
    nodes: dict[str, list[str]] = {}
    for sha, paths in _paths(documents, amendments, norm_numbers).items():
        u.find(f"doc:{sha}")
        for p in paths:
            nodes.setdefault(p, []).append(sha)
    ordered = sorted(nodes)
    for i, p in enumerate(ordered):  # every path that starts with p follows p in sorted order
        for sha in nodes[p]:
            u.join(f"doc:{sha}", f"path:{p}")
        j = i + 1
        while j < len(ordered) and ordered[j].startswith(p):
            u.join(f"path:{p}", f"path:{ordered[j]}")
            j += 1
    roots = {u.find(f"doc:{s}") for s in seeds}
    return {x[4:] for x in list(u.parent) if x.startswith("doc:") and u.find(x) in roots}


def changed_dates(old: Mapping[str, date], new: Mapping[str, date]) -> set[str]:
    """The cited numbers whose date (``consolidate.cited_dates``) differs between two states."""
    return {k for k in set(old) | set(new) if old.get(k) != new.get(k)}


def targeting(amendments: pd.DataFrame, numbers: set[str]) -> set[str]:
    """The documents with an operation on one of ``numbers``."""
    if not numbers or amendments.empty:
        return set()
    return set(amendments.loc[amendments["target_doc_number"].isin(numbers), "doc_sha256"])
