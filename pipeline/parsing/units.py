"""Printed unit strings ("Đơn vị tính") to canonical unit codes, from ``schemas/units.csv``.

The Vietnamese unit strings are a hand-kept table, not pint definitions: pint knows kilograms and
hectares, but not "1.000 đ" (thousand đồng), "Ngày/lớp/vụ" (training days per class per season),
"lít/kg" (litre *or* kg, not a rate), "Muôn" (10.000 vine cuttings) or "1.000m2" printed as a
unit. Those are facts of the source documents (docs/DOMAIN.md §5), kept in one CSV. pint is used
where it does know the physics: converting between canonical base codes (``convert``) and, in
the tests, verifying the mass/area/volume factors of the table.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["UNITS", "Unit", "UnitRow", "convert", "normalize_unit_key", "parse_unit"]

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉", "01234567890123456789")
_SCRIPT_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉"
_SUBSCRIPT_CHARS = "₀₁₂₃₄₅₆₇₈₉"
_TRAILING_PUNCT = ".,;:!?…"


def normalize_unit_key(raw: str) -> str:
    """The lookup key of a printed unit: NFC, lower case, one space, no spaces around "/",
    super/subscripts folded ("m ²" → "m2"), no trailing punctuation."""
    s = unicodedata.normalize("NFC", raw or "").replace("\ufffd", "")
    s = re.sub(rf"\s+(?=[{_SCRIPT_CHARS}])", "", s)  # "m ²" → "m²"
    s = re.sub(rf"(?<=[{_SUBSCRIPT_CHARS}])\s+", "", s)  # "P ₂ O ₅" → "P₂O₅" (not "m² bể")
    s = unicodedata.normalize("NFC", s.translate(_SUPERSCRIPTS).lower())
    s = " ".join(s.split())  # collapses NBSP, tabs, newlines too
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


def _segment(tokens: list[str]) -> list[str] | None:
    """Split a packed cell ("con kg/con") into the fewest known keys, by order; None if impossible."""
    n = len(tokens)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, n + 1):
            key = " ".join(tokens[i:j])
            if key in UNITS:
                cand = [*best[i], key]  # type: ignore[misc]
                if best[j] is None or len(cand) < len(best[j]):  # type: ignore[arg-type]
                    best[j] = cand
    return best[n]


def _lookup(raw: str, key: str) -> Unit:
    row = UNITS[key]
    return Unit(raw=raw, key=key, code=row.code, dimension=row.dimension, factor=row.factor, known=True)


def parse_unit(raw: str) -> Unit:
    """Look a printed unit up. Blank → known=False, is_blank; unmapped → known=False (never
    guessed); several units packed in one cell (DOMAIN §5, trap 14) → code "packed" with parts."""
    raw = raw if isinstance(raw, str) else ""
    key = normalize_unit_key(raw)
    if not key:
        return Unit(raw=raw, key="", code=None, dimension=None, factor=None, known=False)
    if key in UNITS:
        return _lookup(raw, key)
    tokens = key.split(" ")
    if 1 < len(tokens) <= 40:
        seg = _segment(tokens)
        if seg is not None and len(seg) > 1:
            parts = tuple(_lookup(k, k) for k in seg)
            return Unit(raw=raw, key=key, code="packed", dimension=None, factor=None, known=True, parts=parts)
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
