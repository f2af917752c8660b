"""Types of Vietnamese official documents, from ``schemas/document_types.csv`` (the one home).

The table follows the standard, not samples: the administrative types and their abbreviations
of Nghị định 30/2020/NĐ-CP (Phụ lục III: NQ, QĐ, CT, QC, QyĐ, TC, TB, HD, CTr, KH, PA, ĐA, DA,
BC, BB, TTr, HĐ, CĐ, BGN, BTT, GUQ, GM, GGT, GNP, PG, PC, PB; Công văn has no abbreviation),
the legal normative types of the Law on the promulgation of legal documents (Luật, Pháp lệnh,
Nghị định NĐ, Thông tư TT, Thông tư liên tịch TTLT, Nghị quyết liên tịch NQLT, ...), and the
titles an attachment carries (Phụ lục, Danh mục, Điều lệ).

Columns: ``name`` (canonical, sentence case), ``titles`` (upper-case title spellings, ``|``
separated: "BẢN THỎA THUẬN|BẢN THOẢ THUẬN"), ``abbreviation`` (the code printed in numbers,
blank when none), ``kind`` (administrative / legal-normative / attachment, ``;`` separated),
``source``, ``spellings`` (lower-case phrases the text NLP marks as a type; blank: not marked in
running text) and ``abbr_in_text`` (the abbreviation also stands for the type words in running
text, "QĐ số 18/2022/QĐ-UBND").
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

__all__ = ["DocType", "document_types", "type_by_abbreviation", "type_by_title"]

_KINDS = {"administrative", "legal-normative", "attachment"}


@dataclass(frozen=True)
class DocType:
    name: str
    titles: tuple[str, ...]
    abbreviation: str | None
    kinds: tuple[str, ...]
    source: str
    spellings: tuple[str, ...]
    abbr_in_text: bool


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s.strip())


@lru_cache(maxsize=1)
def document_types() -> tuple[DocType, ...]:
    """Every document type of ``schemas/document_types.csv``, validated, in file order."""
    text = files("schemas").joinpath("document_types.csv").read_text(encoding="utf-8")
    out: list[DocType] = []
    seen_names: set[str] = set()
    seen_abbr: set[str] = set()
    for rec in csv.DictReader(io.StringIO(text)):
        name = _nfc(rec["name"])
        abbr = _nfc(rec["abbreviation"]) or None
        kinds = tuple(k.strip() for k in rec["kind"].split(";") if k.strip())
        titles = tuple(_nfc(t) for t in rec["titles"].split("|") if t.strip())
        if name in seen_names:
            raise ValueError(f"document_types.csv: duplicate name {name!r}")
        if abbr and abbr in seen_abbr:
            raise ValueError(f"document_types.csv: duplicate abbreviation {abbr!r}")
        if not kinds or set(kinds) - _KINDS:
            raise ValueError(f"document_types.csv: bad kind {rec['kind']!r} for {name!r}")
        if not titles or any(t != t.upper() for t in titles):
            raise ValueError(f"document_types.csv: titles of {name!r} must be upper case")
        seen_names.add(name)
        if abbr:
            seen_abbr.add(abbr)
        out.append(DocType(name, titles, abbr, kinds, rec["source"].strip(),
                           tuple(_nfc(s) for s in rec["spellings"].split("|") if s.strip()),
                           rec["abbr_in_text"].strip().lower() == "yes"))
    return tuple(out)


@lru_cache(maxsize=1)
def type_by_title() -> dict[str, DocType]:
    """Upper-case title spelling → type ("QUYẾT ĐỊNH" → Quyết định)."""
    return {t: d for d in document_types() for t in d.titles}


@lru_cache(maxsize=1)
def type_by_abbreviation() -> dict[str, DocType]:
    """Abbreviation printed in a number → type ("BC" → Báo cáo, "TTr" → Tờ trình)."""
    return {d.abbreviation: d for d in document_types() if d.abbreviation}
