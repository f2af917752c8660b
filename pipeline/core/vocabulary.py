"""Printed vocabulary shared by ``extractors/`` and the library, read from ``schemas/`` (the one
home of the words): the basis-line markers (``schemas/vocabulary.yaml``) and the words a header
cell starts with (``schemas/table_families.yaml``). Column-role spellings and table families are
read by ``pipeline.records.families``; units by ``pipeline.parsing.units``."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

__all__ = ["BASIS_MARKER", "BASIS_MARKERS", "BASIS_MARKER_ANY_CASE", "HEADER_ROW_START", "HEADER_ROW_WORDS",
           "provision_words"]


@cache
def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load(files("schemas").joinpath(name).read_text(encoding="utf-8"))


# "Tính cho", "ĐVT", ... as printed
BASIS_MARKERS: tuple[str, ...] = tuple(_load("vocabulary.yaml")["basis_markers"])
# regex alternation of the markers with their printed capitalisation
BASIS_MARKER = "|".join(re.escape(m) for m in BASIS_MARKERS)
# the same, lower case, for patterns compiled with re.IGNORECASE
BASIS_MARKER_ANY_CASE = "|".join(dict.fromkeys(re.escape(m.lower()) for m in BASIS_MARKERS))

HEADER_ROW_WORDS: tuple[str, ...] = tuple(_load("table_families.yaml")["header_row_words"])
# a cell text that starts like a header cell
HEADER_ROW_START = re.compile("^(" + "|".join(re.escape(w) for w in HEADER_ROW_WORDS) + ")", re.IGNORECASE)


def provision_words() -> dict[str, str]:
    """Kind of provision → its name as printed in sentence case ("article" → "Điều"); patterns
    over them: ``pipeline.core.provisions``."""
    return {k: str(v) for k, v in _load("vocabulary.yaml")["provisions"].items()}

