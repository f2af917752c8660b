"""The spaCy pipeline for Vietnamese legal text: a blank ``vi`` language with pyvi word
segmentation and an ``entity_ruler`` whose token patterns mark

- ``DOC_TYPE``     Quyết định, Nghị định, Thông tư (liên tịch), Nghị quyết, Kế hoạch, Tờ trình, ...
- ``DOC_NUMBER``   04/2021/QĐ-UBND, 33 /2022/QĐ-UBND, 159/TTr-SNN&PTNT, 03-NQ/TU, số …../2022/QĐ-UBND
- ``STANDARD``     TCVN 11041-2:2017, QCVN 01-195:2022/BNNPTNT
- ``PRODUCT_CODE`` Mã sản phẩm: TT6001, Mã sản phẩm: ĐT 1001
- ``DATE``         ngày 03 tháng 3 năm 2021, ngày 05/7/2018, ngày tháng năm 2022 (blank draft)
- ``PERSON``       Bà/Ông + capitalized name tokens

No model is downloaded: pyvi ships its own segmentation model inside the wheel. The pipeline
is built once per process (``get_nlp``). If pyvi cannot be imported or run, the pipeline falls
back to spaCy's syllable tokenizer (``use_pyvi: False``, which splits on whitespace only); the
patterns carry single-token alternatives for that case, and ``TOKENIZER_MODE`` says which
tokenizer is in use and why.
"""

from __future__ import annotations

import threading
from itertools import combinations
from typing import Any

import spacy
from spacy.language import Language

from schemas.document_types import document_types

__all__ = ["DOC_TYPES", "build_nlp", "get_nlp", "tokenizer_mode"]

# canonical document-type phrase -> its spellings (lowercase), and the abbreviations printed in
# place of the type words ("QĐ Số 18/2022/QĐ-UBND"): both from schemas/document_types.csv
DOC_TYPES: dict[str, tuple[str, ...]] = {d.name: d.spellings for d in document_types() if d.spellings}
DOC_TYPE_ABBREVIATIONS: dict[str, str] = {
    d.abbreviation: d.name for d in document_types() if d.abbreviation and d.abbr_in_text}

_NUM_SERIAL = r"^(?:[Ss]ố:?)?\d{1,5}[a-z]?$"  # "số1187" when the signing system fills the blank unspaced
_CODE = r"^[A-ZĐ][A-Za-zĐđ0-9&]*\.?$"  # pyvi keeps a sentence "." on "UBND."
_CODE_SEP = ("-", "/", "&")
# whole-number tokens (syllable tokenizer keeps "04/2021/QĐ-UBND," as one token)
_NUMBER_TOKEN = r"^(?:\d{1,5}[a-z]?\s*:?)?/(?:\d{4}/)?[A-ZĐ][\w&/-]*[,.;:)]*$|^\d{1,5}[a-z]?/(?:\d{4}/)?[A-ZĐ][\w&/-]*[,.;:)]*$"
_DATE_TOKEN = r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}[,.;:)]*$"


def _segmentations(phrase: str) -> list[list[str]]:
    """Every way to group the words of ``phrase`` into contiguous tokens: pyvi joins words of a
    compound ("quyết định") into one token, the syllable tokenizer keeps them apart, and pyvi
    itself is not always consistent, so a pattern exists for each grouping."""
    words = phrase.split()
    out = []
    for k in range(len(words)):
        for cuts in combinations(range(1, len(words)), k):
            bounds = [0, *cuts, len(words)]
            out.append([" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)])
    return out


def _phrase(phrase: str) -> list[list[dict[str, Any]]]:
    return [[{"LOWER": tok} for tok in seg] for seg in _segmentations(phrase)]


def _patterns() -> list[dict[str, Any]]:
    pats: list[dict[str, Any]] = []

    def add(label: str, pattern: list[dict[str, Any]], pid: str) -> None:
        pats.append({"label": label, "pattern": pattern, "id": pid})

    # ---- document types -----------------------------------------------------------------------
    for canonical, spellings in DOC_TYPES.items():
        for sp in spellings:
            for p in _phrase(sp):
                add("DOC_TYPE", p, canonical)
    for abbr, canonical in DOC_TYPE_ABBREVIATIONS.items():
        add("DOC_TYPE", [{"TEXT": abbr}], canonical)

    # ---- document numbers -----------------------------------------------------------------------
    code = {"TEXT": {"REGEX": _CODE}}
    code_tail = {"TEXT": {"REGEX": r"^(?:[A-ZĐ][A-Za-zĐđ0-9&]*\.?|-|/|&)$"}, "OP": "*"}
    serial = {"TEXT": {"REGEX": _NUM_SERIAL}}
    colon = {"TEXT": ":", "OP": "?"}
    slash = {"TEXT": "/"}
    year = {"TEXT": {"REGEX": r"^\d{4}$"}}
    # 04/2021/QĐ-UBND, 33 /2022/QĐ-UBND, 44: /2021/QĐ-UBND
    dot = {"TEXT": ".", "OP": "?"}  # "Số: 3070. /KH-UBND": a stray dot typed after the serial
    add("DOC_NUMBER", [serial, dot, colon, slash, year, slash, code, code_tail], "number_year")
    # 186/KH-UBND, 159/TTr-SNN&PTNT, 726/QĐ -BNN-KN
    add("DOC_NUMBER", [serial, dot, colon, slash, code, code_tail], "number")
    # 03-NQ/TU (party documents)
    add("DOC_NUMBER", [serial, {"TEXT": "-"}, code, {"TEXT": "/"}, code], "number_party")
    # drafts: "số …../2022/QĐ-UBND", "Số: /KH-SNNMT" (only after "số", else "bảng/MH" would match)
    dots = {"TEXT": {"REGEX": r"^[.…]+$"}, "OP": "*"}
    add("DOC_NUMBER", [{"LOWER": "số"}, colon, dots, slash, year, slash, code, code_tail], "placeholder_year")
    add("DOC_NUMBER", [{"LOWER": "số"}, colon, dots, slash, code, code_tail], "placeholder")
    add("DOC_NUMBER", [{"TEXT": {"REGEX": _NUMBER_TOKEN}}], "number_token")

    # ---- standards and product codes ------------------------------------------------------------
    std_part = {"TEXT": {"REGEX": r"^(?:\d+|-|:|/|[A-ZĐ]+\d*)$"}, "OP": "*"}
    for std in ("TCVN", "QCVN", "ISO"):
        add("STANDARD", [{"TEXT": std}, {"TEXT": {"REGEX": r"^\d+"}}, std_part], std)
    for p in _phrase("mã sản phẩm"):
        add("PRODUCT_CODE", [*p, colon, {"TEXT": {"REGEX": r"^[A-ZĐ]{1,4}\d{3,6}[,.;)]*$"}}], "code")
        add("PRODUCT_CODE", [*p, colon, {"TEXT": {"REGEX": r"^[A-ZĐ]{1,4}$"}},
                             {"TEXT": {"REGEX": r"^\d{3,6}[,.;)]*$"}}], "code_spaced")

    # ---- dates ----------------------------------------------------------------------------------
    num = {"TEXT": {"REGEX": r"^\d{1,4}$"}}
    comma = {"TEXT": ",", "OP": "?"}
    for ngay in _phrase("ngày"):
        for thang in _phrase("tháng"):
            for nam in _phrase("năm"):
                add("DATE", [*ngay, num, *thang, num, comma, *nam, num], "wordy")
        add("DATE", [*ngay, num, {"TEXT": {"IN": ["/", "-", "."]}}, num, {"TEXT": {"IN": ["/", "-", "."]}}, num],
            "numeric")
        add("DATE", [*ngay, {"TEXT": {"REGEX": _DATE_TOKEN}}], "numeric_token")
    # blank drafts: "ngày tháng 5 năm 2026", "ngày tháng năm 2022", "ngày /7/2025"
    blank_num = {"TEXT": {"REGEX": r"^\d{1,2}$"}, "OP": "?"}
    for p in _phrase("ngày tháng"):
        add("DATE", [*p, blank_num, {"LOWER": "năm"}, {"TEXT": {"REGEX": r"^\d{4}$"}}], "blank")
    add("DATE", [{"LOWER": "ngày"}, {"TEXT": "/"}, num, {"TEXT": "/"}, num], "blank_day")

    # ---- people -------------------------------------------------------------------------------
    name_tok = {"IS_TITLE": True, "IS_PUNCT": False, "OP": "+"}
    add("PERSON", [{"LOWER": {"IN": ["bà", "ông"]}}, name_tok], "honorific")
    return pats


def build_nlp(use_pyvi: bool = True) -> tuple[Language, str]:
    """A fresh pipeline and the tokenizer mode it uses ('pyvi' or 'syllable: <why>')."""
    mode = "pyvi"
    nlp: Language | None = None
    if use_pyvi:
        try:
            nlp = spacy.blank("vi")
            nlp.make_doc("Quyết định số")  # loads pyvi's bundled model now, not on first use
        except Exception as exc:  # pyvi missing or broken: fall back, and say why
            nlp = None
            mode = f"syllable: pyvi unavailable ({exc.__class__.__name__}: {exc})"
    else:
        mode = "syllable: requested"
    if nlp is None:
        nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": None, "overwrite_ents": True})
    ruler.add_patterns(_patterns())  # type: ignore[attr-defined]
    nlp.meta["tokenizer_mode"] = mode
    return nlp, mode


_LOCK = threading.Lock()
_NLP: Language | None = None
_MODE: str | None = None


def get_nlp() -> Language:
    """The process-wide pipeline, built on first use."""
    global _NLP, _MODE
    if _NLP is None:
        with _LOCK:
            if _NLP is None:
                _NLP, _MODE = build_nlp()
    return _NLP


def tokenizer_mode() -> str:
    get_nlp()
    return _MODE or "pyvi"
