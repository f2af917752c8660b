"""One document held in several files (a scan and a Word export of one decree; the sample corpus
renders every decree twice): which files are the same document, and whether their contents agree.

Two files are the same document when they carry the same number, issuer and signing date (after
NFC, case and spacing are normalized); a file without a number is only itself. Consolidation and
diffs read one rendering per document (``pipeline/consolidate.py``) and keep the others as sources;
when the renderings' norm rows disagree, the consolidated rows say so (``renderings_disagree``) and
``duplicate_checks`` gives the quality-check rows. Pure functions over the published frames.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Any

import pandas as pd

__all__ = ["content_differences", "document_key", "duplicate_check_rows", "duplicate_checks", "rendering_groups"]


def _norm(x: Any) -> str:
    if x is None or (isinstance(x, float) and x != x) or x is pd.NA or x is pd.NaT:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(x)).casefold().split())


def document_key(doc_number: Any, issuer: Any, signing_date: Any, sha256: str) -> str:
    """The identity of a document across files: number | issuer | signing date, or the file's
    sha when no number is printed (a draft is only itself)."""
    number = _norm(doc_number).replace(" ", "")
    if not number:
        return sha256
    return "|".join((number, _norm(issuer), _norm(signing_date)[:10]))


def rendering_groups(documents: pd.DataFrame) -> dict[str, list[str]]:
    """document key → the shas of every file holding that document (in the frame's order)."""
    groups: dict[str, list[str]] = {}
    for r in documents.itertuples(index=False):
        key = document_key(getattr(r, "doc_number", None), getattr(r, "issuer", None),
                           getattr(r, "signing_date", None), r.doc_sha256)
        if r.doc_sha256 not in groups.setdefault(key, []):
            groups[key].append(r.doc_sha256)
    return groups


def _content(norm_items: pd.DataFrame, sha: str) -> Counter:
    rows = norm_items[norm_items["doc_sha256"] == sha]
    return Counter((_norm(r.item_text), _norm(r.value_raw).replace(" ", ""), _norm(r.unit))
                   for r in rows.itertuples(index=False))


def content_differences(norm_items: pd.DataFrame, sha_a: str, sha_b: str) -> int:
    """How many norm rows (item, value as printed, unit) one rendering has that the other lacks,
    both ways; 0 when the contents agree."""
    a, b = _content(norm_items, sha_a), _content(norm_items, sha_b)
    return sum(((a - b) + (b - a)).values())


def duplicate_checks(documents: pd.DataFrame, norm_items: pd.DataFrame) -> list[dict[str, Any]]:
    """One quality-check row per document held in more than one file: passed when every
    rendering's norm rows agree with the first one's."""
    out = []
    for key, shas in rendering_groups(documents).items():
        if len(shas) < 2:
            continue
        diffs = {s: content_differences(norm_items, shas[0], s) for s in shas[1:]}
        bad = {s: n for s, n in diffs.items() if n}
        out.append({"check_name": "duplicate_renderings", "check_scope": key, "expected": "0",
                    "actual": str(sum(bad.values())), "passed": not bad, "severity": "warning",
                    "detail": f"{len(shas)} files hold this document ({', '.join(s[:12] for s in shas)}); "
                              + ("their norm rows agree" if not bad else
                                 "; ".join(f"{s[:12]} differs from {shas[0][:12]} in {n} rows" for s, n in bad.items()))})
    return out


def duplicate_check_rows(documents: pd.DataFrame, norm_items: pd.DataFrame, shas: Any) -> list[dict[str, Any]]:
    """``quality_checks`` rows (``duplicate_renderings``) for the files ``shas`` (a run's documents)
    that hold a document another file holds too: one row per such file, passed when its norm rows
    agree with every other rendering's, the detail naming the other files and how many rows differ.
    A file of an earlier run gets no row here (its rows are that run's)."""
    wanted = set(shas)
    names = {r.doc_sha256: getattr(r, "file_name", None) or r.doc_sha256[:12] for r in documents.itertuples(index=False)}
    out = []
    for key, group in rendering_groups(documents).items():
        if len(group) < 2:
            continue
        for sha in (s for s in group if s in wanted):
            diffs = {o: content_differences(norm_items, sha, o) for o in group if o != sha}
            bad = {o: n for o, n in diffs.items() if n}
            others = ", ".join(f"{names[o]} ({o[:12]})" for o in diffs)
            out.append({"doc_sha256": sha, "check_name": "duplicate_renderings", "check_scope": key,
                        "expected": "0", "actual": str(sum(bad.values())), "passed": not bad, "severity": "warning",
                        "detail": f"the same document (number, issuer, signing date) is also held by {others}; "
                                  + ("their norm rows agree" if not bad else "their norm rows disagree: "
                                     + "; ".join(f"{n} rows differ from {names[o]}" for o, n in bad.items()))})
    return out

