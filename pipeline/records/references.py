"""Legal references and dates in Vietnamese documents (docs/DOMAIN.md §1, §4, §7.19-20).

The spaCy pipeline of ``pipeline.parsing.nlp`` marks the entities; this module turns them into rows (people: ``people``; the graph: ``citations``):
which document is cited (number normalized, raw kept), its type, date and issuing body, how
the citing document uses it, and the sentence it sits in. Pure functions: a ``Document`` or a
string in, dicts or frames out. Nothing here reads files.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from extractors.model import Document
from pipeline.core.text import nfc
from pipeline.parsing.dates import parse_vn_date
from pipeline.parsing.nlp import get_nlp
from pipeline.records.doc_text import body_text, cell_texts, entities, sentence_bounds, squash

__all__ = [
    "TYPE_CODES", "doc_number_of", "find_dates", "find_references", "issuer_from_number", "normalize_doc_number",
    "references_from_document", "type_from_number",
]

# type code printed in a number ("QĐ" in "04/2021/QĐ-UBND") -> document type
TYPE_CODES: dict[str, str] = {
    "QĐ": "Quyết định", "NĐ": "Nghị định", "TT": "Thông tư", "TTLT": "Thông tư liên tịch", "NQ": "Nghị quyết",
    "KH": "Kế hoạch", "TTr": "Tờ trình", "CT": "Chỉ thị", "TB": "Thông báo", "BC": "Báo cáo", "HD": "Hướng dẫn",
    "CV": "Công văn", "PL": "Pháp lệnh",
}
# issuer code printed in a number -> issuing body
ISSUER_CODES: dict[str, str] = {
    "CP": "Chính phủ", "TTg": "Thủ tướng Chính phủ", "QH": "Quốc hội", "UBTVQH": "Ủy ban Thường vụ Quốc hội",
    "CTN": "Chủ tịch nước", "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "TU": "Tỉnh ủy",
    "BTC": "Bộ Tài chính", "BNN": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn", "BNN&PTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BNNMT": "Bộ Nông nghiệp và Môi trường", "BTNMT": "Bộ Tài nguyên và Môi trường", "BCT": "Bộ Công Thương",
    "BKHĐT": "Bộ Kế hoạch và Đầu tư", "BKHCN": "Bộ Khoa học và Công nghệ", "BYT": "Bộ Y tế", "BTP": "Bộ Tư pháp",
    "BNV": "Bộ Nội vụ", "BXD": "Bộ Xây dựng", "BGDĐT": "Bộ Giáo dục và Đào tạo",
    "BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội", "BTTTT": "Bộ Thông tin và Truyền thông",
    "BVTV": "Cục Bảo vệ thực vật", "SNN&PTNT": "Sở Nông nghiệp và Phát triển nông thôn",
    "SNN": "Sở Nông nghiệp và Phát triển nông thôn", "SNNPTNT": "Sở Nông nghiệp và Phát triển nông thôn",
    "SNNMT": "Sở Nông nghiệp và Môi trường", "STC": "Sở Tài chính",
}

_NUMBER_RX = re.compile(
    r"(?:[Ss][ốo]\s*:?\s*)?"
    r"(?P<serial>\d{1,5}[a-z]?|[.…]*)(?P<dot>\.(?=\s*/))?\s*(?P<colon>:)?\s*"
    r"(?:(?P<party>-)\s*(?P<ptype>[A-ZĐ][A-Za-zĐđ]*)\s*/\s*(?P<porg>[A-ZĐ][A-Za-zĐđ0-9]*)"
    r"|/\s*(?:(?P<year>\d{4})\s*/\s*)?(?P<codes>[A-ZĐ][A-Za-zĐđ0-9&]*(?:\s?[-/&]\s?[A-ZĐ][A-Za-zĐđ0-9&]*)*))"
)
_STANDARD_RX = re.compile(r"(?P<std>TCVN|QCVN|ISO)\s*(?P<num>\d+(?:\s*-\s*\d+)*)(?:\s*:\s*(?P<year>\d{4}))?"
                          r"(?P<tail>/[A-ZĐ][A-ZĐ0-9]*)?")
_PRODUCT_RX = re.compile(r"(?P<code>[A-ZĐ]{1,4})\s*(?P<num>\d{3,6})")


# ---------------------------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------------------------
def normalize_doc_number(raw: str | None) -> tuple[str | None, list[str]]:
    """'33 /2022/QĐ-UBND' → '33/2022/QĐ-UBND'; '4/2021/QĐ-UBND' → '04/2021/QĐ-UBND';
    '44: /2021/QĐ-UBND' → '44/2021/QĐ-UBND'; 'Số: 33 /2022/QĐ-UBND' → '33/2022/QĐ-UBND';
    '…../2022/QĐ-UBND' → None (a draft placeholder). Returns (number, flags)."""
    if not raw:
        return None, []
    s = squash(raw)
    m = _NUMBER_RX.search(s)
    if m is None:
        return None, ["number_unparsed"]
    flags: list[str] = []
    serial = m["serial"] or ""
    if not serial or not serial[0].isdigit():
        return None, ["number_placeholder"]
    if m["colon"]:
        flags.append("number_colon")
    if m["dot"]:
        flags.append("number_serial_dot")  # "3070. /KH-UBND" → 3070/KH-UBND
    if m["party"]:
        body = f"{m['ptype']}/{m['porg']}"
        sep = "-"
    else:
        codes = re.sub(r"\s*([-/&])\s*", r"\1", m["codes"])
        first, tail = re.match(r"([^-/]*)(.*)", codes).groups()  # type: ignore[union-attr]
        for tc in sorted(TYPE_CODES, key=len, reverse=True):  # "NQHĐND" → "NQ-HĐND"
            if first.startswith(tc) and first[len(tc):] in ISSUER_CODES:
                codes = f"{tc}-{first[len(tc):]}{tail}"
                flags.append("number_code_glued")
                break
        body = (f"{m['year']}/" if m["year"] else "") + codes
        sep = "/"
    digits = re.match(r"\d+", serial)
    assert digits is not None
    if len(digits[0]) == 1:
        serial = "0" + serial
        flags.append("number_zero_padded")
    number = f"{serial}{sep}{body}"
    printed = re.sub(r"^s[ốo]\s*:?\s*", "", m[0], flags=re.IGNORECASE)
    if re.search(r"\s", printed):
        flags.append("number_spacing")
    return number, flags


def _codes(number: str) -> list[str]:
    parts = re.split(r"[-/]", number)
    return [p for p in parts if p and not p[0].isdigit()]


def type_from_number(number: str | None) -> str | None:
    """The document type the number's type code names ('04/2021/QĐ-UBND' → 'Quyết định')."""
    if not number:
        return None
    for c in _codes(number):
        if c in TYPE_CODES:
            return TYPE_CODES[c]
    return None


def issuer_from_number(number: str | None) -> str | None:
    """The issuing body the number's issuer codes name ('98/2018/NĐ-CP' → 'Chính phủ';
    '183/2010/TTLT-BTC-BNN' → 'Bộ Tài chính; Bộ Nông nghiệp và Phát triển nông thôn')."""
    if not number:
        return None
    codes = _codes(number)
    joint = "TTLT" in codes
    bodies: list[str] = []
    for c in codes:
        if c in TYPE_CODES:
            continue
        key = re.sub(r"\d+$", "", c)  # QH14 -> QH
        body = ISSUER_CODES.get(c) or ISSUER_CODES.get(key)
        if body and body not in bodies:
            bodies.append(body)
            if not joint:
                break
    return "; ".join(bodies) or None


# ---------------------------------------------------------------------------------------------
# issuers in text
# ---------------------------------------------------------------------------------------------
_ORG_START = (r"(?:Bộ trưởng\s+)?(?:Ủy ban|Uỷ ban|UBND|Hội đồng|HĐND|Bộ|Cục|Tổng cục|Sở|Chi cục|Chính phủ|"
              r"Thủ tướng|Tỉnh ủy|Tỉnh uỷ|Quốc hội|Ban|Trung tâm|Văn phòng|Chủ tịch)")
_ISSUER_RX = re.compile(
    r"^\s*,?\s*(?:được\s+ban\s+hành\s+)?của\s+(?P<org>" + _ORG_START + r"\b(?:TP\.\s?|[^,;.()\n])*?)"
    r"(?=\s+(?:về|V/v|v/v|ban hành|quy định|phê duyệt|hướng dẫn|tại|như|được|thực hiện|và\s+(?:Quyết|Nghị|Thông))"
    r"\b|\s*[,;.()]|\s*$)"
)


def _canonical_issuer(raw: str) -> str:
    s = squash(raw)
    s = re.sub(r"^Bộ trưởng\s+", "", s)
    s = re.sub(r"^(?:UBND|Ủy ban Nhân dân|Uỷ ban nhân dân|Ủy ban nhân dân)\b", "Ủy ban nhân dân", s, flags=re.I)
    s = re.sub(r"^HĐND\b", "Hội đồng nhân dân", s)
    s = re.sub(r"\bTP\.\s?", "thành phố ", s)
    if re.match(r"Bộ Nông nghiệp", s, re.I) and re.search(r"PTNT|phát triển nông thôn", s, re.I):
        return "Bộ Nông nghiệp và Phát triển nông thôn"
    if re.match(r"Bộ Nông nghiệp và Môi trường", s, re.I):
        return "Bộ Nông nghiệp và Môi trường"
    return s[:1].upper() + s[1:]


# ---------------------------------------------------------------------------------------------
# relation of the citing document to the cited one
# ---------------------------------------------------------------------------------------------
_CAPTION = re.compile(r"^\(?\s*(?:Ban hành\s+)?kèm theo(?:\s+\S+){0,3}\s*$", re.I)  # "(Ban hành kèm theo Quyết định số"
_WRAPPED_CODE = re.compile(r"-[ \t]*\n[ \t]*(?P<code>[A-ZĐ][A-ZĐ0-9&]*(?:-[A-ZĐ0-9&]+)*)(?![\w/])")  # wrapped at its hyphen
_CUES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"căn cứ", re.I), "basis"),
    (re.compile(r"tờ trình|đề nghị", re.I), "proposal"),
    (re.compile(r"sửa đổi|bổ sung|thay thế|bãi bỏ|đính chính|hết hiệu lực", re.I), "amends"),
    (re.compile(r"được\s+(?:sửa đổi,\s*)?bổ sung\s+tại|được\s+sửa đổi\s+tại|đã được", re.I), "cites"),
    (re.compile(r"triển khai|thực hiện", re.I), "implements"),
    (re.compile(r"tham khảo|(?<!kèm )\btheo\b", re.I), "consults"),
]


def _relation(prefix: str) -> str:
    if _CAPTION.match(prefix):
        return "issued_with"
    best: tuple[int, int, str] | None = None
    for rx, rel in _CUES:
        for m in rx.finditer(prefix):
            key = (m.end(), m.end() - m.start(), rel)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else "cites"


# ---------------------------------------------------------------------------------------------
# text-level finders
# ---------------------------------------------------------------------------------------------


_GAP_BEFORE_NUMBER = {"số", ":", ","}
_GAP_BEFORE_DATE = {","}


def _gap_ok(doc: Any, a: int, b: int, allowed: set[str]) -> bool:
    return all(t.is_space or t.lower_ in allowed for t in doc[a:b])


def _date_row(raw: str) -> tuple[date | None, list[str]]:
    d = parse_vn_date(raw)
    return d, ([] if d else ["date_unparsed"])


def find_dates(text: str) -> list[dict[str, Any]]:
    """Every date phrase in ``text``: {raw, date, start, end, flags}. Blank drafts ("ngày tháng
    năm 2022", "ngày /7/2025") are returned with date None and flag date_unparsed."""
    doc = get_nlp()(nfc(text))
    out = []
    for e in entities(doc):
        if e.label == "DATE":
            d, flags = _date_row(e.text)
            out.append({"raw": e.text, "date": d, "start": e.cstart, "end": e.cend, "flags": flags})
    return out


def _references_in_doc(doc: Any, text: str, citing_number: str | None,
                       whole_context: bool = False) -> list[dict[str, Any]]:
    ents = entities(doc)
    rows: list[dict[str, Any]] = []
    for i, e in enumerate(ents):
        if e.label not in ("DOC_NUMBER", "STANDARD", "PRODUCT_CODE"):
            continue
        flags: list[str] = []
        cited_type = text_type = None
        end_tok, end_char = e.end, e.cend
        raw = e.text
        if e.label == "DOC_NUMBER":
            number, nflags = normalize_doc_number(e.text)
            flags += nflags
            m = _NUMBER_RX.search(nfc(e.text))
            if m is not None:  # trim what the greedy token pattern took beyond the number
                raw = re.sub(r"^s[ốo]\s*:?\s*", "", m[0], flags=re.IGNORECASE).strip()
                end_char = e.cstart + m.end()
                end_tok = next((t.i + 1 for t in doc[e.start:e.end] if t.idx + len(t.text) >= end_char), e.end)
            if (tail := _WRAPPED_CODE.match(text, end_char)) is not None:  # "428/TTXT-⏎ĐTDN": one number
                raw, end_char = f"{raw}-{tail['code']}", tail.end()
                number, nflags = normalize_doc_number(raw)
                end_tok = next((t.i + 1 for t in doc[e.start:] if t.idx + len(t.text) >= end_char), e.end)
            prev = ents[i - 1] if i > 0 else None
            if prev is not None and prev.label == "DOC_TYPE" and _gap_ok(doc, prev.end, e.start, _GAP_BEFORE_NUMBER):
                text_type = prev.kind
            code_type = type_from_number(number) or type_from_number(raw)
            if text_type and code_type and code_type != text_type and not (
                    text_type == "Kế hoạch" and code_type == "Kế hoạch"):
                flags.append("type_conflict")
            cited_type = text_type or code_type
            if text_type is None and code_type is not None:
                flags.append("type_from_number")
            type_start = prev.cstart if text_type and prev is not None else e.cstart
        elif e.label == "STANDARD":
            m = _STANDARD_RX.search(e.text)
            number = None
            if m is not None:
                raw = m[0]
                end_char = e.cstart + m.end()
                num = re.sub(r"\s*-\s*", "-", m["num"])
                number = f"{m['std']} {num}" + (f":{m['year']}" if m["year"] else "") + (m["tail"] or "")
            cited_type = m["std"] if m else e.kind
            type_start = e.cstart
        else:
            m = _PRODUCT_RX.search(e.text)
            raw = m[0] if m else e.text
            number = f"{m['code']}{m['num']}" if m else None
            cited_type = "Mã sản phẩm"
            type_start = e.cstart
        # the date right after the number
        cited_date = cited_date_raw = None
        nxt = ents[i + 1] if i + 1 < len(ents) else None
        after_char = end_char
        if e.label == "DOC_NUMBER" and nxt is not None and nxt.label == "DATE" and _gap_ok(
                doc, end_tok, nxt.start, _GAP_BEFORE_DATE):
            cited_date_raw = nxt.text
            cited_date, dflags = _date_row(nxt.text)
            flags += dflags
            after_char = nxt.cend
        # the issuing body: "của …" after the number/date, else the number's issuer code
        issuer_raw = None
        if e.label == "DOC_NUMBER":
            window = " ".join(text[after_char:after_char + 240].split())
            if im := _ISSUER_RX.match(window):
                issuer_raw = im["org"].strip()
        issuer = _canonical_issuer(issuer_raw) if issuer_raw else (
            issuer_from_number(number) if e.label == "DOC_NUMBER" else None)
        if whole_context:
            a, b = 0, len(text)
        else:
            a, b = sentence_bounds(text, type_start, end_char)
        context = squash(text[a:b])
        prefix = squash(text[a:type_start])
        is_self = bool(number and citing_number and number == citing_number)
        relation = _relation(prefix)
        if relation != "issued_with" and is_self:
            relation = "self"
        line_prefix = text[text.rfind("\n", 0, e.cstart) + 1:e.cstart].strip()
        if e.label == "DOC_NUMBER" and not line_prefix and re.match(r"Số\b", squash(e.text)):
            is_self, relation = True, "self"  # the number line, also when left blank ("Số: /SNNMT-…")
        if (relation == "issued_with" and citing_number and number and not is_self
                and e.label == "DOC_NUMBER" and number.split("/")[-1] == citing_number.split("/")[-1]):
            flags.append("self_number_mismatch")  # "(Ban hành kèm theo … 2885/KH-UBND" in 2835/KH-UBND
        if cited_type == "Tờ trình" and relation == "cites":
            relation = "proposal"
        rows.append({
            "cited_number": number, "cited_number_raw": raw, "cited_type": cited_type,
            "cited_date": cited_date, "cited_date_raw": cited_date_raw, "cited_issuer": issuer,
            "cited_issuer_raw": issuer_raw, "relation": relation, "is_self": is_self, "mention_context": context,
            "start": e.cstart, "end": end_char, "legal_flags": flags,
        })
    return rows


# laws are cited by name and date, without a number: "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19
# tháng 6 năm 2015"; a name runs from the capitalised type word to "ngày" (or to the year alone: "Luật
# phòng, chống bệnh truyền nhiễm năm 2007"; or to a bare "19/02/2025") within one clause, and may hold a short parenthesis
# ("Luật Phòng, chống … ở người (HIV/AIDS) ngày 29/6/2006"). A bare serial after "số" ("Luật an toàn,
# vệ sinh lao động số 84 ngày 25 tháng 6 năm 2015") is not part of the name; a full number
# ("số 09/2012/QH13") makes it a numbered reference, which ``find_references`` reads.
_NAMED_LAW_RX = re.compile(
    r"\b(?P<type>Bộ luật|Luật|Pháp lệnh)\s+"
    r"(?P<name>(?!(?:số|này|và|hoặc|đã|được|có|thì|về)\b)(?:[^;:.()]|\([^;:.()]{1,40}\)){3,200}?)\s*,?"
    r"(?:\s+số\s+(?P<serial>[^\s;,]+))?\s+"
    r"(?P<date>ngày\s+\d{1,2}\s*(?:tháng\s+\d{1,2}\s*,?\s*năm\s+|[/.-]\s*\d{1,2}\s*[/.-]\s*)\d{4}"
    r"|năm\s+(?:19[4-9]\d|2[01]\d\d)\b|\d{1,2}/\d{1,2}/\d{4}\b)")


def named_laws(text: str) -> list[dict[str, Any]]:
    """References to laws cited by name and date (no number): cited_number None, the name as
    printed in ``cited_number_raw``, the type, the date (None when only the year is printed, kept
    in ``cited_date_raw``) and the relation (``basis`` after "Căn cứ")."""
    rows = []
    text = nfc(text)
    for m in _NAMED_LAW_RX.finditer(text):
        if m["serial"] and "/" in m["serial"]:
            continue  # a numbered law: a reference by its number
        year_only = m["date"].startswith("năm")
        d, flags = (None, ["cited_year_only"]) if year_only else _date_row(squash(m["date"]))
        if m["serial"]:
            flags.append("serial_without_year")
        a, b = sentence_bounds(text, m.start(), m.end())
        rows.append({"cited_number": None, "cited_number_raw": squash(f"{m['type']} {m['name']}").strip(" ,"),
                     "cited_type": m["type"], "cited_date": d, "cited_date_raw": squash(m["date"]),
                     "cited_issuer": None, "cited_issuer_raw": None, "relation": _relation(squash(text[a:m.start()])),
                     "is_self": False, "mention_context": squash(text[a:b]), "start": m.start(), "end": m.end(),
                     "legal_flags": ["cited_by_name", *flags]})
    return rows


def find_references(text: str, citing_number: str | None = None) -> list[dict[str, Any]]:
    """References in a snippet: {cited_number, cited_number_raw, cited_type, cited_date,
    cited_date_raw, cited_issuer, cited_issuer_raw, relation, is_self, mention_context, start,
    end, legal_flags}, in text order. ``citing_number`` (normalized) marks self references."""
    s = nfc(text)
    citing, _ = normalize_doc_number(citing_number)
    return _references_in_doc(get_nlp()(s), s, citing)


# ---------------------------------------------------------------------------------------------
# documents
# ---------------------------------------------------------------------------------------------


def doc_number_of(doc: Document) -> str | None:
    return normalize_doc_number(doc.meta.doc_number)[0] if doc.meta.doc_number else None


def references_from_document(doc: Document) -> list[dict[str, Any]]:
    """Rows of the ``references`` dataset: body text first (sentences may span lines and
    pages), then every table cell, in table/row/column order."""
    nlp = get_nlp()
    citing = doc_number_of(doc)
    rows: list[dict[str, Any]] = []
    body = body_text(doc)
    for r in _references_in_doc(nlp(body.text), body.text, citing):
        rows.append({**r, "page": body.page_at(r["start"]), "source_kind": "body", "table_index": None,
                     "row": None, "col": None})
    for r in named_laws(body.text):
        rows.append({**r, "page": body.page_at(r["start"]), "source_kind": "body",
                     "table_index": None, "row": None, "col": None})
    cells = cell_texts(doc)
    for (key, text), sdoc in zip(cells, nlp.pipe(t for _, t in cells), strict=True):
        ti, row, col, page = key
        for r in _references_in_doc(sdoc, text, citing, whole_context=True):
            rows.append({**r, "page": page, "source_kind": "table", "table_index": ti, "row": row, "col": col})
        # a law cited by name inside a cell ("Luật Đầu tư ngày 17 tháng 6 năm 2020" in a "Căn cứ
        # pháp lý" column of a list of procedures) is a reference as in the body
        for r in named_laws(text):
            rows.append({**r, "page": page, "source_kind": "table", "table_index": ti, "row": row, "col": col})
    out = []
    for i, r in enumerate(rows):
        r = {k: v for k, v in r.items() if k not in ("start", "end")}
        out.append({"doc_sha256": doc.sha256, "ref_index": i, "citing_doc_number": citing, **r})
    return out


