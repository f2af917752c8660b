"""Printed unit strings ("Đơn vị tính") to canonical unit codes.

A printed unit is read by the unit grammar (``pipeline/unit_grammar.py``: atoms, qualifiers and
slash rules kept as data in ``schemas/unit_atoms.csv``, ``unit_qualifiers.csv`` and
``unit_slash_rules.csv``); ``schemas/units.csv`` keeps only the exceptions the grammar must not
decide, each with the reason. pint is used where it knows the physics: converting between
canonical base codes (``convert``) and, in the tests, verifying every physical factor of the atoms.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from typing import Any

from pipeline.parsing.unit_grammar import parse_unit_key

__all__ = ["UNITS", "Unit", "UnitRow", "convert", "normalize_unit_key", "parse_unit"]

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉", "01234567890123456789")
_SCRIPT_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉"
_SUBSCRIPT_CHARS = "₀₁₂₃₄₅₆₇₈₉"
_TRAILING_PUNCT = ".,;:!?…"


def normalize_unit_key(raw: str) -> str:
    """The lookup key of a printed unit: NFC, lower case, one space, no spaces around "/",
    super/subscripts folded ("m ²" → "m2", and "m 2" where the exponent lost its raise), no
    trailing punctuation."""
    s = unicodedata.normalize("NFC", raw or "").replace("\ufffd", "")
    s = re.sub(rf"\s+(?=[{_SCRIPT_CHARS}])", "", s)  # "m ²" → "m²"
    s = re.sub(rf"(?<=[{_SUBSCRIPT_CHARS}])\s+", "", s)  # "P ₂ O ₅" → "P₂O₅" (not "m² bể")
    s = unicodedata.normalize("NFC", s.translate(_SUPERSCRIPTS).lower())
    s = " ".join(s.split())  # collapses NBSP, tabs, newlines too
    # a superscript the text layer set on its own baseline: "m\n2", "m 3 /ha" → "m2", "m3/ha" (only the
    # exponents 2 and 3 of a metre-family atom standing alone, never a quantity "m 2,5")
    s = re.sub(r"(?<![^\W\d_])([ckd]?m) ([23])(?=$|[/)]|[ ,](?!\d))", r"\1\2", s)
    s = re.sub(r"\s*/\s*", "/", s)
    return s.rstrip(_TRAILING_PUNCT + " ").strip()


@dataclass(frozen=True)
class UnitRow:
    code: str
    dimension: str
    factor: Decimal
    note: str


@dataclass(frozen=True)
class Unit:
    raw: str
    key: str
    code: str | None
    dimension: str | None
    factor: Decimal | None
    known: bool
    parts: tuple[Unit, ...] = ()

    @property
    def is_blank(self) -> bool:
        return self.key == ""

    @property
    def is_packed(self) -> bool:
        return self.code == "packed"


def _load() -> dict[str, UnitRow]:
    text = files("schemas").joinpath("units.csv").read_text(encoding="utf-8")
    table: dict[str, UnitRow] = {}
    for rec in csv.DictReader(text.splitlines()):
        key = rec["unit_key"]
        if key in table:
            raise ValueError(f"units.csv: duplicate unit_key {key!r}")
        try:
            factor = Decimal(rec["factor"])
        except InvalidOperation as e:
            raise ValueError(f"units.csv: bad factor for {key!r}: {rec['factor']!r}") from e
        table[key] = UnitRow(rec["code"], rec["dimension"], factor, rec["note"] or "")
    return table


UNITS: dict[str, UnitRow] = _load()  # loaded once, at import


def _known(key: str) -> Unit | None:
    """An exception of ``schemas/units.csv`` or, failing that, the unit grammar
    (``pipeline/unit_grammar.py``); None when neither covers the key."""
    if key in UNITS:
        row = UNITS[key]
        return Unit(raw=key, key=key, code=row.code, dimension=row.dimension, factor=row.factor, known=True)
    p = parse_unit_key(key)
    if p is None:
        return None
    return Unit(raw=key, key=key, code=p.code, dimension=p.dimension, factor=p.factor, known=True)


def _segment(tokens: list[str]) -> list[Unit] | None:
    """Split a packed cell ("con kg/con") into the fewest known units, by order; None if impossible."""
    n = len(tokens)
    best: list[list[Unit] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, n + 1):
            if tokens[i][:1].isdigit() and j == i + 1:
                continue  # a bare number is not a unit
            u = _known(" ".join(tokens[i:j]))
            if u is not None:
                cand = [*best[i], u]  # type: ignore[misc]
                if best[j] is None or len(cand) < len(best[j]):  # type: ignore[arg-type]
                    best[j] = cand
    return best[n]


def parse_unit(raw: str) -> Unit:
    """Read a printed unit: an exception of ``schemas/units.csv``, else the unit grammar. Blank →
    known=False, is_blank; not covered → known=False (never guessed); several units packed in one
    cell (DOMAIN §5, trap 14) → code "packed" with parts."""
    raw = raw if isinstance(raw, str) else ""
    key = normalize_unit_key(raw)
    if not key:
        return Unit(raw=raw, key="", code=None, dimension=None, factor=None, known=False)
    if (u := _known(key)) is not None:
        return replace(u, raw=raw)
    tokens = key.split(" ")
    if 1 < len(tokens) <= 40:
        seg = _segment(tokens)
        if seg is not None and len(seg) > 1:
            return Unit(raw=raw, key=key, code="packed", dimension=None, factor=None, known=True, parts=tuple(seg))
    return Unit(raw=raw, key=key, code=None, dimension=None, factor=None, known=False)


# Canonical codes that pint understands, for converting between them (e.g. ha → m2, m3 → L).
PINT_NAMES: dict[str, str] = {"kg": "kilogram", "L": "liter", "m3": "meter**3", "ha": "hectare",
                              "m2": "meter**2", "m": "meter", "hour": "hour", "day": "day"}


@cache
def _ureg() -> Any:
    import pint  # imported lazily: building the registry takes a moment

    return pint.UnitRegistry(non_int_type=Decimal)


def convert(value: Decimal, code: str, target: str) -> Decimal:
    """Convert between canonical physical codes with pint, exactly (Decimal): convert(1, "ha", "m2") == 10000."""
    if code not in PINT_NAMES or target not in PINT_NAMES:
        raise ValueError(f"no physical conversion between {code!r} and {target!r}")
    q = _ureg().Quantity(Decimal(value), PINT_NAMES[code]).to(PINT_NAMES[target])
    return Decimal(q.magnitude)
