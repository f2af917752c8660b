"""People named in a document (docs/DOMAIN.md §7.21): honorific and name as marked by the spaCy
pipeline, the role printed after the name (title and unit), the organization a bracketed list of
people sits under, and the sentence around the mention. Pure functions."""

from __future__ import annotations

import re
from typing import Any

from extractors.model import Document
from pipeline.core.text import nfc
from pipeline.parsing.nlp import get_nlp
from pipeline.records.doc_text import body_text, cell_texts, entities, sentence_bounds, squash
from pipeline.records.references import doc_number_of

__all__ = ["find_people", "people_from_document"]


_POSITIONS = (
    "Phó Chi cục trưởng", "Chi cục trưởng", "Phó Cục trưởng", "Cục trưởng", "Phó Giám đốc", "Giám đốc",
    "Phó Trưởng phòng", "Trưởng phòng", "Phó Chủ tịch", "Chủ tịch", "Phó Trưởng ban", "Trưởng ban",
    "Phó Chánh Văn phòng", "Chánh Văn phòng", "Phó Bí thư", "Bí thư", "Phó Viện trưởng", "Viện trưởng",
    "Phó Hiệu trưởng", "Hiệu trưởng", "Phó Tổng Giám đốc", "Tổng Giám đốc", "Phó Trưởng", "Trưởng", "Chuyên viên",
    "Kế toán trưởng", "Thư ký",
)


_POSITION_RX = re.compile(r"^(?P<title>" + "|".join(re.escape(p) for p in _POSITIONS) + r")\b\s*(?P<unit>.*)$",
                          re.IGNORECASE)


_ROLE_RX = re.compile(r"^\s*(?:[-–,]\s*)(?P<role>[^;(),\n]*?)\s*(?=[;(),]|$)")


_ORG_HEAD = re.compile(r"\b(?:Sở|Ban|Chi cục|Trung tâm|Liên minh|UBND|Ủy ban|Uỷ ban|Phòng|Hội|Cục|Bộ|Văn phòng|"
                       r"Công ty|Hợp tác xã|HTX|Đài|Báo|Trường|Viện|Tỉnh ủy|Tỉnh đoàn)\b")


def _split_role(role: str) -> tuple[str | None, str | None]:
    if m := _POSITION_RX.match(role):
        unit = m["unit"].strip(" ,-–") or None
        return m["title"], unit
    return None, None


def _organization(text: str, start: int) -> str | None:
    """The body a bracketed person list sits under: 'Sở Nông nghiệp và Môi trường (Bà …'."""
    depth, i = 0, start - 1
    while i >= 0:
        ch = text[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                seg = squash(re.split(r"[;.]\s|\)\s*", text[max(0, i - 300):i])[-1])
                heads = list(_ORG_HEAD.finditer(seg))
                return seg[heads[0].start():].strip(" ,-–:") or None if heads else None
            depth -= 1
        i -= 1
    return None


def _people_in_doc(doc: Any, text: str, whole_context: bool = False) -> list[dict[str, Any]]:
    rows = []
    for e in entities(doc):
        if e.label != "PERSON":
            continue
        honorific, _, name = squash(e.text).partition(" ")
        role = None
        if m := _ROLE_RX.match(" ".join(text[e.cend:e.cend + 300].split())):
            role = m["role"].strip() or None
        title, unit = _split_role(role) if role else (None, None)
        a, b = (0, len(text)) if whole_context else sentence_bounds(text, e.cstart, e.cend)
        rows.append({
            "honorific": honorific[:1].upper() + honorific[1:], "person_name": name, "person_role": role,
            "person_title": title, "person_unit": unit, "organization": _organization(text, e.cstart),
            "mention_context": squash(text[a:b]), "start": e.cstart, "end": e.cend,
        })
    return rows


def find_people(text: str) -> list[dict[str, Any]]:
    """People in a snippet: {honorific, person_name, person_role, person_title, person_unit,
    organization, mention_context, start, end}."""
    s = nfc(text)
    return _people_in_doc(get_nlp()(s), s)


def people_from_document(doc: Document) -> list[dict[str, Any]]:
    """Rows of the ``people`` dataset (body text, then table cells)."""
    nlp = get_nlp()
    rows: list[dict[str, Any]] = []
    body = body_text(doc)
    for r in _people_in_doc(nlp(body.text), body.text):
        rows.append({**r, "page": body.page_at(r["start"]), "source_kind": "body", "table_index": None,
                     "row": None, "col": None})
    cells = [(k, t) for k, t in cell_texts(doc) if re.search(r"[Bb]à\s|[Ôô]ng\s", t)]
    for (key, text), sdoc in zip(cells, nlp.pipe(t for _, t in cells), strict=True):
        ti, row, col, page = key
        for r in _people_in_doc(sdoc, text, whole_context=True):
            rows.append({**r, "page": page, "source_kind": "table", "table_index": ti, "row": row, "col": col})
    number = doc_number_of(doc)
    return [{"doc_sha256": doc.sha256, "person_index": i, "doc_number": number,
             **{k: v for k, v in r.items() if k not in ("start", "end")}} for i, r in enumerate(rows)]
