"""Body lines → headings (kind, level, path) and document metadata. Pure functions.

Headings are recognized by typography and numbering, the way a reader does: a bold line that
starts with an appendix label ("Phụ lục II"), an article ("Điều 3a."), a part letter or Roman
numeral ("A.", "II."), or a number ("7.", "7.6.", "3.1.2."). Continuation lines of a wrapped
heading are bold lines without a numbering of their own. The kind of a numbered heading comes
from its numbering depth, its case (model titles are upper case: "7. MÔ HÌNH ...") and the
headings already open, because the documents reuse numbers ("1./2./3." sections in Phụ lục II
of 33/2022, "A./B." scopes inside models of 30/2023).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from extractors.model import DocumentMeta, Heading, Line
from extractors.reader_settings import MastheadSettings
from extractors.settings import DEFAULT, ExtractionSettings
from extractors.text import join_wrapped
from pipeline.core.provisions import APPENDIX_HEADING, ARTICLE_HEADING
from pipeline.core.text import fold_ws, nfc
from pipeline.core.vocabulary import BASIS_MARKER

_APPENDIX = APPENDIX_HEADING
_ARTICLE = ARTICLE_HEADING
_LETTER = re.compile(r"^[“\"]?([A-ZĐ])\.\s+(\S.*)$")
_ROMAN = re.compile(r"^[“\"]?([IVXL]+)\.?\s+(\S.*)$")
_NUMBERED = re.compile(r"^[“\"]?\s*(\d+(?:\s*\.\s*\d+)+\.?|\d+\s*[.:])\s*(\S.*)$")
_BASIS = re.compile(rf"\s+((?:Định mức\s+)?(?:{BASIS_MARKER})\s*:?\s*\S.*)$")

LEVELS = {"appendix": 0, "article": 1, "clause": 2, "part": 2, "model": 3, "scope": 4, "section": 5, "subsection": 6}


def _upper_share(text: str) -> float:
    text = re.sub(r"\([^)]*\)", "", text)  # Latin names and references in parentheses do not count
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0


@dataclass
class _Candidate:
    kind: str  # appendix | article | letter | roman | numbered
    number: str
    text: str
    line: Line
    title: list[str]


def _start(line: Line) -> _Candidate | None:
    t = line.text.strip()
    if _APPENDIX.match(t):
        return _Candidate("appendix", t.strip("“\":"), t.strip("“\":"), line, [])
    m = _ARTICLE.match(t)
    if m:
        return _Candidate("article", m.group(1), t.lstrip("“\""), line, [])
    m = _NUMBERED.match(t)
    if m:
        return _Candidate("numbered", m.group(1).replace(" ", "").rstrip(".:"), t.lstrip("“\" "), line, [])
    m = _LETTER.match(t)
    if m:
        return _Candidate("letter", m.group(1), t.lstrip("“\""), line, [])
    m = _ROMAN.match(t)
    if m and _upper_share(m.group(2)) > 0 and len(m.group(1)) <= 4:
        return _Candidate("roman", m.group(1), t.lstrip("“\""), line, [])
    return None


def find_heading_lines(lines: Sequence[Line], settings: ExtractionSettings = DEFAULT) -> list[_Candidate]:
    """Group bold body lines into heading candidates (wrapped headings joined)."""
    out: list[_Candidate] = []
    current: _Candidate | None = None
    prev: Line | None = None
    for ln in lines:
        near = prev is not None and ln.page == prev.page and ln.bbox[1] - prev.bbox[3] < settings.heading_gap_em * ln.size
        if not ln.bold:
            current = None
            prev = ln
            continue
        cand = _start(ln)
        if cand is not None:
            out.append(cand)
            current = cand
        elif current is not None and near:
            if current.kind == "appendix":
                current.title.append(ln.text)
            else:
                current.text = join_wrapped([current.text, ln.text])
        prev = ln
    return out


def classify(cands: Sequence[_Candidate], settings: ExtractionSettings = DEFAULT) -> list[Heading]:
    """Assign kind, level, parent and path to heading candidates in document order."""
    heads: list[Heading] = []
    stack: list[tuple[Heading, tuple]] = []  # (heading, signature)
    part_letter = ""

    def open_kinds() -> list[str]:
        return [h.kind for h, _ in stack]

    for cand in cands:
        text = nfc(fold_ws(cand.text))
        basis = None
        m = _BASIS.search(text)
        if m and cand.kind != "article":
            basis, text = m.group(1), text[: m.start()].strip()
        upper = _upper_share(text.split(None, 1)[1] if " " in text else text) >= settings.upper_title_share
        sig: tuple = (cand.kind, cand.number.count(".") + 1 if cand.kind == "numbered" else 0, upper)
        kinds = open_kinds()
        if cand.kind == "appendix":
            kind = "appendix"
            part_letter = ""
        elif cand.kind == "article":
            kind = "article"
        elif cand.kind == "roman":
            kind = "part"
        elif cand.kind == "letter":
            if "model" in kinds and (not upper or cand.number <= part_letter):
                kind = "scope" if upper else "section"
            else:
                kind = "part"
                part_letter = cand.number
        else:  # numbered
            depth = sig[1]
            in_article = bool(kinds) and kinds[0] == "article"
            same = next((h for h, s in stack if s == sig and h.kind in ("model", "clause")), None)
            if depth == 1 and same is not None:
                kind = same.kind
            elif depth == 1 and upper:
                kind = "model"
            elif depth == 1 and in_article and "model" not in kinds:
                kind = "clause"
            elif depth == 1:
                kind = "section" if "model" in kinds else "model"
            else:
                kind = "section" if depth == 2 else "subsection"
        # deeper numbering nests deeper: N.M.K is level 6, N.M.K.L level 7 ...
        level = 3 + sig[1] if kind == "subsection" else LEVELS[kind]
        if kind in ("appendix", "article"):
            stack = []
        while stack and stack[-1][0].level >= level:
            stack.pop()
        parent = stack[-1][0].index if stack else None
        path = [h.text for h, _ in stack] + [text]
        h = Heading(len(heads), kind, level, cand.number if kind != "appendix" else text, text, cand.line.page,
                    cand.line.bbox, parent, path, basis, " ".join(cand.title) or None)
        heads.append(h)
        stack.append((h, sig))
    return heads


# ------------------------------------------------------------------------------------ metadata
_PROVINCE = re.compile(r"\btỉnh\s+(?P<p>.+)$|\bthành phố\s+(?P<c>Hà Nội|Hồ Chí Minh|Hải Phòng|Đà Nẵng|Cần Thơ|Huế)\b")


def extract_meta(first_pages: Sequence[Line], all_text: str, masthead_lines: Sequence[Line] | None = None,
                 signer_pages: Sequence[Sequence[Line]] = (), width: float | None = None,
                 masthead: MastheadSettings | None = None) -> DocumentMeta:
    """Metadata from the masthead of the first page, the first signature block and the
    effective-date clause (extractors/masthead.py reads the parts where ND 30/2020 places them).

    ``masthead_lines``: the first page's lines in columns, including text of e-signature widgets
    (``columns.masthead_lines``); without it the first page's body lines are read."""
    from extractors.masthead import read_masthead
    from extractors.signer import read_signer
    from pipeline.parsing.dates import find_effective_date

    if masthead_lines is None:
        masthead_lines = [ln for ln in first_pages if ln.page == first_pages[0].page] if first_pages else []
    width = width or max((ln.bbox[2] for ln in masthead_lines), default=600.0)
    masthead = masthead or MastheadSettings()
    mh = read_masthead(masthead_lines, width, masthead)
    signer = read_signer(signer_pages, width, masthead)
    meta = DocumentMeta(
        doc_number=mh.number, doc_number_raw=mh.number_raw, doc_type=mh.doc_type, issuer=mh.issuer,
        place=mh.place, signing_date=mh.signing_date, subject=mh.subject, doc_type_code=mh.type_code,
        issuer_raw=mh.issuer_raw, parent_body=mh.parent_body, parent_body_raw=mh.parent_body_raw,
        date_raw=mh.date_raw, parent_doc_number=mh.parent_number, parent_doc_number_raw=mh.parent_number_raw,
        esign_stamp_raw=mh.esign_raw)
    for body in (mh.issuer, mh.parent_body):
        m = _PROVINCE.search(body or "")
        if m:
            meta.province = m["p"] or m["c"]
            break
    if signer is not None:
        meta.signer_authority, meta.signer_title = signer.authority, signer.title
        meta.signer_name, meta.signer_page = signer.name, signer.page
    meta.effective_date = find_effective_date(all_text)
    return meta


def unread_meta_warnings(meta: DocumentMeta) -> list[str]:
    """A masthead field printed but not read (a number or day filled in by hand, specks of a scan):
    the field is left empty, never guessed, and the document says so. A serial or day left blank
    on the form ("Số:      /QĐ-UBND", "ngày … tháng … năm 2025") is not a reading failure."""
    out = []
    raw = meta.doc_number_raw or ""
    serial = re.sub(r"^S\S{0,2}\s*[:;.,]?", "", raw).split("/", 1)[0]
    if raw and meta.doc_number is None and re.sub(r"[\s.…_]", "", serial):
        out.append(f"document number not legible (left empty): {raw!r}")
    draw = meta.date_raw or ""
    if draw and meta.signing_date is None and not re.search(r"ngày[\s.…_]*tháng[\s.…_]*năm", draw):
        out.append(f"signing date not legible (left empty): {draw!r}")
    return out
