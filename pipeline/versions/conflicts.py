"""What a set of documents says twice or says differently never fails a consolidation.

Two amending documents may replace the same provision of a base that is not ingested, one text may
state an operation twice, two renderings may carry one number: the records built from them then
share an id. ``unique_ids`` keeps every record traceable and the key unique: records identical
in everything but their evidence are one record (flag ``repeated_operation``); records that
differ are all kept, numbered ``<id>#2``, ``<id>#3`` … in their order, and flagged
``conflicting_operations`` so that an auditor finds them (``consolidation_flags``). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["unique_ids"]

# columns that say where a record came from, not what it says
_EVIDENCE = ("doc_sha256", "page", "introduced_by_sha256", "introduced_by_clause", "superseded_by_sha256",
             "superseded_by_clause", "consolidation_note", "consolidation_flags")


def _content(row: dict[str, Any], id_col: str) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in row.items() if k not in _EVIDENCE and k != id_col))


def _flag(row: dict[str, Any], flag: str, col: str) -> None:
    flags = list(row.get(col) or [])
    if flag not in flags:
        row[col] = [*flags, flag]


def unique_ids(rows: Iterable[dict[str, Any]], id_col: str = "consolidated_id",
               flags_col: str = "consolidation_flags") -> list[dict[str, Any]]:
    """``rows`` with ``id_col`` unique (see the module docstring); order kept."""
    out: list[dict[str, Any]] = []
    by_id: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        same = by_id.setdefault(row[id_col], [])
        content = _content(row, id_col)
        twin = next((r for r in same if _content(r, id_col) == content), None)
        if twin is not None:
            _flag(twin, "repeated_operation", flags_col)
            continue
        if same:
            row = {**row, id_col: f"{row[id_col]}#{len(same) + 1}"}
            for r in [*same, row]:
                _flag(r, "conflicting_operations", flags_col)
        same.append(row)
        out.append(row)
    return out
