"""Amendment clauses → amendment operations (docs/DOMAIN.md §4.1).

A clause such as "1. Bổ sung Mục 7.6. vào sau mục 7.5 tại số thứ tự 7 Phần A Phụ lục I của
Điều 3a Quyết định số 04/2021/QĐ-UBND được bổ sung tại khoản 2 Điều 1 Quyết định số:
33/2022/QĐ-UBND …" becomes one row: operation ``insert``, target document ``04/2021/QĐ-UBND``,
target path ``04/2021/QĐ-UBND/Điều3a/PL-I/A/7/after:7.5``, new label ``Mục 7.6``, via
``33/2022/QĐ-UBND/Đ1.k2``, plus the amending clause's own label, the content it brings and the
amending document's effective date. Pure functions; nothing here reads files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from extractors.model import Document
from pipeline.core.provisions import APPENDIX, ARTICLE, CLAUSE, PART, POINT, SECTION_ANY_INITIAL
from pipeline.core.text import nfc
from pipeline.parsing.dates import find_effective_date
from pipeline.records.datasets import frame
from pipeline.records.doc_text import body_text, sentence_bounds
from pipeline.records.operations import amended_document, dedupe_operations, operation_checks, sentence_verbs
from pipeline.records.people import people_from_document
from pipeline.records.references import find_references, normalize_doc_number, references_from_document

__all__ = ["amendments_from_document", "effective_clause", "legal_frames", "parse_amendment_clause"]

_VERB = r"Sửa đổi,?\s*bổ sung|Sửa đổi|Bổ sung|Thay thế|Thay|Bãi bỏ|Đính chính"
_VERB_RX = re.compile(rf"^\s*(?P<verb>{_VERB})\b", re.IGNORECASE)
_MARKER_RX = re.compile(rf"^\s*(?:{ARTICLE}\s+\d+[a-zđ]?\s*\.|\d+\s*\.(?!\d)|[a-zđ]\s*\))\s*")
_QUOTED = r"[“\"]([^”\"]+)[”\"]"
_ROMAN_OR_NUM = r"(?:[IVXLC]+|\d+)"

# components of a target path, in hierarchy order: (name, pattern, format)
_COMPONENTS: list[tuple[str, re.Pattern[str], str]] = [
    ("article", re.compile(rf"\b{ARTICLE}\s+(\d+[a-zđ]?)\b"), "Điều{}"),
    ("clause", re.compile(rf"\b{CLAUSE}\s+(\d+[a-zđ]?)\b", re.IGNORECASE), "khoản{}"),
    ("point", re.compile(rf"\b{POINT}\s+([a-zđ])\b", re.IGNORECASE), "điểm{}"),
    ("appendix", re.compile(rf"\b{APPENDIX}\s+({_ROMAN_OR_NUM})\b", re.IGNORECASE), "PL-{}"),
    ("part", re.compile(rf"\b{PART}\s+([A-ZĐ]|[IVX]+)\b"), "{}"),
    ("item", re.compile(r"\b(?:số thứ tự|STT|mô hình số)\s+(\d+)\b", re.IGNORECASE), "{}"),
    ("section", re.compile(rf"\b{SECTION_ANY_INITIAL}\s+({_ROMAN_OR_NUM}(?:\s*\.\s*\d+)*)"), "{}"),
]


def _squash(s: str) -> str:
    return " ".join(nfc(s).split())


def _label(kind: str, raw: str) -> str:
    fmt = dict((n, f) for n, _, f in _COMPONENTS)[kind]
    return fmt.format(re.sub(r"\s+", "", raw).rstrip("."))


def _components(text: str) -> dict[str, str]:
    """Target components named in ``text`` (the first of each kind)."""
    out: dict[str, str] = {}
    for name, rx, _ in _COMPONENTS:
        if m := rx.search(text):
            out[name] = _label(name, m[1])
    return out


def _first_label(text: str) -> tuple[str, str, str] | None:
    """The first provision label in ``text``: (kind, path label, as printed)."""
    best: tuple[int, str, str, str] | None = None
    for name, rx, _ in _COMPONENTS:
        if (m := rx.search(text)) and (best is None or m.start() < best[0]):
            best = (m.start(), name, _label(name, m[1]), m[0].strip().rstrip("."))
    return best[1:] if best else None


def _operation(verb: str, header: str) -> str:
    v = _squash(verb).lower()
    wording = re.search(r"cụm từ|từ ngữ", header, re.IGNORECASE) is not None
    if v.startswith("sửa đổi") and "bổ sung" in v:
        return "replace"
    if v.startswith("sửa đổi"):
        return "amend" if wording else "replace"
    if v.startswith("thay"):
        return "amend" if wording else "replace"
    if v.startswith("bổ sung"):
        return "insert"
    if v.startswith("bãi bỏ"):
        return "repeal"
    return "correct"


def _header(text: str) -> tuple[str, str]:
    """(header, body): the operative sentence up to "như sau" (or the first line), and the rest."""
    m = re.search(r"như\s+sau\s*:?", text[:1200], re.IGNORECASE)
    if m:
        return text[:m.start()], text[m.end():]
    first, _, rest = text.partition("\n")
    return first, rest


_EFFECTIVE_SENTENCE = re.compile(
    r"[^.;:\n]*có\s+hiệu\s+lực(?:\s+thi\s+hành)?\s+(?:kể\s+)?từ\s+ngày[^;]*?(?:\d{4}|ký)", re.IGNORECASE)


def effective_clause(text: str) -> tuple[date | None, str | None]:
    """(date, sentence as printed) of the "có hiệu lực … kể từ ngày …" clause; (None, None) if absent."""
    s = _squash(text)
    m = _EFFECTIVE_SENTENCE.search(s)
    return find_effective_date(s), (m[0].strip() if m else None)


def parse_amendment_clause(text: str, amending_number: str | None = None, default_target: str | None = None,
                           source_label: str | None = None, effective_date: date | None = None,
                           effective_date_raw: str | None = None) -> dict[str, Any] | None:
    """One amendment clause (its header, optionally followed by the content it brings) → a row
    of the ``amendments`` dataset without the document columns; None when the text is not an
    amendment operation, or is only an umbrella ("Điều 1. Sửa đổi, bổ sung Quyết định số … như
    sau:") whose operations are its numbered clauses.

    ``default_target`` is the document operated on when the clause names none (it is then
    given by the article's lead-in or the document's subject). ``source_label`` defaults to
    the amending number."""
    clause = nfc(text).strip()
    rest = _MARKER_RX.sub("", clause, count=1)
    header_raw, body = _header(rest)
    header = _squash(header_raw)
    vm = _VERB_RX.match(header)
    if vm is None:
        return None
    verb = vm["verb"]
    if re.fullmatch(r"thay", verb, re.IGNORECASE) and not re.search(r"\bbằng\b", header):
        return None  # bare "Thay" operates only as "Thay X bằng Y"; "Thay mặt …" (on behalf of) is no operation
    op = _operation(verb, header)
    flags: list[str] = []
    after_verb = header[vm.end():].strip(" ,:")

    # "… được bổ sung tại khoản 2 Điều 1 Quyết định số 33/2022/QĐ-UBND": where the target came from
    target_via = None
    vv = re.search(r"\bđược\s+(?:sửa đổi,?\s*)?(?:bổ sung|sửa đổi|thay thế)\s+tại\s+(?P<via>.*)$", after_verb,
                   re.IGNORECASE)
    if vv:
        via_refs = [r for r in find_references(vv["via"]) if r["cited_number"]]
        if via_refs:
            via_loc = _components(vv["via"][:via_refs[0]["start"]])
            target_via = "/".join([via_refs[0]["cited_number"], _source_label_from(via_loc)]).rstrip("/")
        after_verb = after_verb[:vv.start()].strip(" ,")

    # "Thay thế X bằng Y": Y is the new content, not part of the target
    new_part = None
    if op == "replace" and verb.lower().startswith("thay"):
        bm = re.search(r"\bbằng\b", after_verb)
        if bm:
            new_part = after_verb[bm.end():]
            after_verb = after_verb[:bm.start()]

    refs = [r for r in find_references(after_verb) if r["cited_type"] not in ("TCVN", "QCVN", "ISO", "Mã sản phẩm")]
    target_ref = next((r for r in refs if r["cited_number"]), None)
    if target_ref is not None:
        target_doc = target_ref["cited_number"]
        loc_text = after_verb[:target_ref["start"]]
    else:
        target_doc = normalize_doc_number(default_target)[0] if default_target else None
        loc_text = after_verb
        flags.append("target_doc_from_context" if target_doc else "target_doc_unknown")

    new_label = position = target_title = None
    if op == "insert":
        im = re.match(r"(?P<new>.*?)\s+vào\s+(?:(?P<after>sau|trước)\s+)?(?P<rest>.*)$", loc_text, re.IGNORECASE)
        if im:
            new_lab = _first_label(im["new"])
            new_label = new_lab[2] if new_lab else (im["new"].strip(" .,") or None)
            rest_loc = im["rest"]
            if im["after"]:
                pm = re.match(r"(?P<pos>.*?)(?=\s+(?:tại|của|thuộc)\b|,|$)", rest_loc)
                pos_lab = _first_label(pm["pos"]) if pm else None
                if pos_lab:
                    position = f"{im['after'].lower().replace('sau', 'after').replace('trước', 'before')}:{pos_lab[1]}"
                    rest_loc = rest_loc[pm.end():] if pm else rest_loc
            loc_text = rest_loc
        else:
            lab = _first_label(loc_text)
            new_label = lab[2] if lab else None
            loc_text = loc_text[len(new_label):] if lab and loc_text.startswith(new_label or "") else ""
    elif op == "amend":
        pass  # the quoted strings are the old and new wording, not the provision's name
    else:
        if q := re.search(_QUOTED, loc_text):
            target_title = q[1].strip()
        elif (lab := _first_label(loc_text)) and lab[0] == "section":
            sm = _COMPONENTS[-1][1].search(loc_text)
            assert sm is not None
            tail = loc_text[sm.end():].strip(" .:")
            target_title = tail or None
    comps = _components(re.sub(_QUOTED, " ", loc_text))

    # an umbrella lead-in: no provision, whole document, "như sau"
    if not comps and op in ("replace", "insert", "amend") and not target_title and not new_label \
            and "như sau" in rest[:1200].lower() and target_ref is not None:
        return None
    if op == "insert" and new_label and re.fullmatch(rf"một số (?:{ARTICLE}|nội dung).*", new_label, re.IGNORECASE):
        return None
    if target_ref is None and not comps and not target_title and not new_label and not re.search(_QUOTED, header):
        return None  # names no document, provision or wording: an article title ("Sửa đổi, bổ sung Điều lệ")

    path_parts = [target_doc or "?"] + [comps[n] for n, _, _ in _COMPONENTS if n in comps]
    if position:
        path_parts.append(position)
    target_path = "/".join(path_parts)

    # wording changes and corrections: old and new text
    text_old = text_new = None
    wm = re.search(rf"{_QUOTED}\s*(?:,\s*)?(?:bằng|thành|nay (?:sửa|đính chính) (?:lại )?(?:là|thành))\s*"
                   rf"(?:cụm từ\s*)?{_QUOTED}", header + " " + _squash(body[:600]), re.IGNORECASE)
    if wm and op in ("amend", "correct"):
        text_old, text_new = wm[1].strip(), wm[2].strip()

    source_text = body + ("\n" + new_part if new_part else "")
    appendices = []
    for m in re.finditer(rf"\b[Pp]hụ lục\s+({_ROMAN_OR_NUM})\b", source_text):
        lab = f"PL-{m[1]}"
        if lab not in appendices:
            appendices.append(lab)
    sections = []
    for m in re.finditer(r"(?m)^\s*[“\"]?(\d+\.\d+)\.?\s+\S", body):
        if m[1] not in sections:
            sections.append(m[1])
    if effective_date is None:
        flags.append("effective_date_not_stated")
    amending = normalize_doc_number(amending_number)[0] if amending_number else None
    return {
        "amending_doc_number": amending, "operation": op, "operation_raw": _squash(verb),
        "target_doc_number": target_doc, "target_path": target_path, "target_title": target_title,
        "insert_position": position, "new_label": new_label, "target_via": target_via,
        "source_label": source_label or amending, "source_appendices": appendices, "source_sections": sections,
        "text_old": text_old, "text_new": text_new, "effective_date": effective_date,
        "effective_date_raw": effective_date_raw, "clause_text": clause, "legal_flags": flags,
    }


def _source_label_from(comps: dict[str, str]) -> str:
    """'khoản 2 Điều 1' → 'Đ1.k2' (the amending clause's address form)."""
    parts = []
    if "article" in comps:
        parts.append("Đ" + comps["article"].removeprefix("Điều"))
    if "clause" in comps:
        parts.append("k" + comps["clause"].removeprefix("khoản"))
    if "point" in comps:
        parts.append("đ" + comps["point"].removeprefix("điểm"))
    return ".".join(parts)


# ---------------------------------------------------------------------------------------------
# documents
# ---------------------------------------------------------------------------------------------
_ARTICLE_RX = re.compile(rf"^\s*{ARTICLE}\s+(\d+)\s*\.")
_CLAUSE_RX = re.compile(rf"^\s*(?:(?P<item>\d+)\s*\.(?!\d)|(?P<point>[a-zđ])\s*\))\s*(?:{_VERB})\b", re.IGNORECASE)
_ARTICLE_OP_RX = re.compile(rf"^\s*{ARTICLE}\s+(?P<article>\d+)\s*\.\s*(?:{_VERB})\b", re.IGNORECASE)
_END_RX = re.compile(r"^\s*(?:Trên đây|Nơi nhận|TM\.|KT\.)")
_SIGNATURE_RX = re.compile(r"^\s*(?:Nơi nhận|TM\.|KT\.)")  # the signature block closes the operative text
_LINE_MARKER_RX = re.compile(rf"\s*(?:{ARTICLE}\s+\d+[a-zđ]?\s*\.|\d+\s*\.|[a-zđ]\s*\))\s*")


@dataclass
class _Clause:
    article: str | None
    item: str | None
    lines: list[int]


def _operative_lines(doc: Document, starts: list[int], pages: list[int], tops: list[float]) -> int:
    """Index of the first body line of the appendices (the operative text ends there)."""
    apps = [(h.page, h.bbox[1]) for h in doc.headings if h.kind == "appendix"]
    if not apps:
        return len(starts)
    first = min(apps)
    for i, (p, t) in enumerate(zip(pages, tops, strict=True)):
        if (p, t + 0.5) >= first:
            return i
    return len(starts)


def amendments_from_document(doc: Document) -> list[dict[str, Any]]:
    """Rows of the ``amendments`` dataset: every amendment clause of the operative text (before
    the appendices), with its label (Đ{article}.k{clause}, or the item number in plans without
    articles), the document it targets (named in the clause, else by the article's lead-in, else
    by the document's subject) and the document's effective date."""
    body = body_text(doc)
    lines = body.text.split("\n")
    end = _operative_lines(doc, body.starts, body.pages, body.tops)
    # a regulation attached after the signature has articles of its own: content, not operations
    seen_article = False
    for i in range(end):
        seen_article = seen_article or bool(_ARTICLE_RX.match(lines[i]))
        if seen_article and _SIGNATURE_RX.match(lines[i]):
            end = i
            break
    operative = "\n".join(lines[:end])
    eff, eff_raw = effective_clause(operative)
    amending = normalize_doc_number(doc.meta.doc_number)[0] if doc.meta.doc_number else None

    clauses: list[_Clause] = []
    umbrellas: dict[str | None, str] = {}
    article: str | None = None
    current: _Clause | None = None
    first_clause_line = end
    for i in range(end):
        ln = lines[i]
        am = _ARTICLE_RX.match(ln)
        if am or _END_RX.match(ln):
            current = None
            article = am[1] if am else article
            if am and _ARTICLE_OP_RX.match(ln):
                # the article itself is an operation or an umbrella over its numbered clauses
                current = _Clause(article, None, [i])
                clauses.append(current)
                first_clause_line = min(first_clause_line, i)
            continue
        cm = _CLAUSE_RX.match(ln)
        if cm:
            current = _Clause(article, cm["item"] or cm["point"], [i])
            clauses.append(current)
            first_clause_line = min(first_clause_line, i)
            continue
        if current is not None:
            current.lines.append(i)

    # the document the clauses operate on when they name none: the subject line, else the preamble
    subject_target = amended_document(doc.meta.subject, "\n".join(lines[:first_clause_line]), amending)

    rows: list[dict[str, Any]] = []
    for c in clauses:
        text = "\n".join(lines[j] for j in c.lines)
        if c.item is None:  # article lead-in
            nxt_is_clause = any(o.article == c.article and o.item is not None for o in clauses)
            refs = [r for r in find_references(_header(text)[0]) if r["cited_number"] and not r["is_self"]]
            if refs:
                umbrellas[c.article] = refs[0]["cited_number"]
            if nxt_is_clause:
                continue
            label = f"Đ{c.article}"
            text_for_parse = text
        else:
            label = (f"Đ{c.article}.k{c.item}" if c.article else c.item) if c.item.isdigit() else \
                (f"Đ{c.article}.đ{c.item}" if c.article else c.item)
            text_for_parse = text
        default = umbrellas.get(c.article) or subject_target
        row = parse_amendment_clause(text_for_parse, amending, default_target=default,
                                     source_label=f"{amending}/{label}" if amending else label,
                                     effective_date=eff, effective_date_raw=eff_raw)
        if row is None:
            continue
        rows.append({"doc_sha256": doc.sha256, "amendment_index": len(rows), **row,
                     "page": body.page_at(body.starts[c.lines[0]])})
    rows += _sentence_operations(doc, body, lines, end, amending, subject_target, eff, eff_raw)
    return dedupe_operations(rows)


def _sentence_operations(doc: Document, body: Any, lines: list[str], end: int, amending: str | None,
                         default: str | None, eff: date | None, eff_raw: str | None) -> list[dict[str, Any]]:
    """Operations stated inside a sentence of an article ("Quyết định này thay thế Quyết định số …",
    "… và bãi bỏ Quyết định số …"; ``pipeline.records.operations.sentence_verbs``), labelled by
    their article."""
    heads = [(am[1], i) for i in range(end) if (am := _ARTICLE_RX.match(lines[i]))]
    rows: list[dict[str, Any]] = []
    for (article, a), (_, b) in zip(heads, [*heads[1:], (None, end)], strict=False):
        text = "\n".join(lines[a:b])
        refs = [r for r in find_references(text, amending) if r["cited_number"] and not r["is_self"]]
        for pos, verb in sentence_verbs(text, [r["start"] for r in refs]):
            line_start = text.rfind("\n", 0, pos) + 1
            if _LINE_MARKER_RX.fullmatch(text[line_start:pos]):
                continue  # a clause that starts with its verb: read by the clause pass
            _, stop = sentence_bounds(text, pos, pos + len(verb))
            clause = _squash(verb + text[pos + len(verb):stop])  # one sentence: its header is all of it
            row = parse_amendment_clause(clause, amending, default_target=default,
                                         source_label=f"{amending}/Đ{article}" if amending else f"Đ{article}",
                                         effective_date=eff, effective_date_raw=eff_raw)
            if row is None or row["target_doc_number"] is None:
                continue
            row["operation_raw"] = _squash(text[pos:pos + len(verb)])
            row["clause_text"] = _squash(text[text.rfind("\n", 0, pos) + 1:stop])
            rows.append({"doc_sha256": doc.sha256, "amendment_index": 0, **row,
                         "page": body.page_at(body.starts[a] + pos)})
    return rows


def legal_frames(doc: Document) -> dict[str, pd.DataFrame]:
    """The ``references``, ``people`` and ``amendments`` frames of one document, typed by schemas/."""
    operations = amendments_from_document(doc)
    return {
        "references": frame("references", references_from_document(doc)),
        "people": frame("people", people_from_document(doc)),
        "amendments": frame("amendments", operations),
        "quality_checks": frame("quality_checks", operation_checks(doc.sha256, operations)),
    }
