"""The composite keys of norm rows, joined from their parts (DOMAIN §9).

The parts are columns declared in ``schemas/domain.py`` (``NORM_KEY_PARTS``,
``NORM_ADDRESS_PARTS``); the joined strings are kept for analysts who match or sort on one
column, and are derived here only. Code that needs a part reads its column, never the joined key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from schemas.domain import NORM_ADDRESS_PARTS, NORM_KEY_PARTS

MISSING = "-"


def _part(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    return MISSING if value is None or value == "" else str(value)


def join_key(row: Mapping[str, Any], parts: Sequence[str], sep: str, *, optional_last: bool = False) -> str:
    """The parts of ``row`` joined with ``sep``, a missing part written '-'. With
    ``optional_last`` the last part is left out (with its separator) when it is missing."""
    names = list(parts)
    if optional_last and _part(row, names[-1]) == MISSING:
        names = names[:-1]
    return sep.join(_part(row, n) for n in names)


def norm_key(row: Mapping[str, Any]) -> str:
    """sector|commodity|practice|section_type|period_type|item_key|basis_unit[|scale_key]"""
    return join_key(row, NORM_KEY_PARTS, "|", optional_last=True)


def norm_address(row: Mapping[str, Any]) -> str:
    """instrument/provision/appendix_key/part/model_no/section_no/scope/period_index/item_position/scale_key"""
    return join_key(row, NORM_ADDRESS_PARTS, "/")
