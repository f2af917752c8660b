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
from extractors.text import join_wrapped
from pipeline.core.text import fold_ws, nfc
from pipeline.core.vocabulary import BASIS_MARKER

_APPENDIX = re.compile(r"^[“\"]?(PHỤ LỤC|Phụ lục|PHỤ LỤC SỐ|Phụ lục số)(\s+([IVXLC]+|\d+))?\s*:?\s*$")
_ARTICLE = re.compile(r"^[“\"]?(Điều\s+\d+[a-z]?)\s*[.:]")
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


def find_heading_lines(lines: Sequence[Line]) -> list[_Candidate]:
    """Group bold body lines into heading candidates (wrapped headings joined)."""
    out: list[_Candidate] = []
    current: _Candidate | None = None
    prev: Line | None = None
    for ln in lines:
        near = prev is not None and ln.page == prev.page and ln.bbox[1] - prev.bbox[3] < 0.9 * ln.size
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


def classify(cands: Sequence[_Candidate]) -> list[Heading]:
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
        upper = _upper_share(text.split(None, 1)[1] if " " in text else text) >= 0.7
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
_NUMBER_LINE = re.compile(r"Số\s*:\s*(.*)$")
_PLACE_DATE = re.compile(r"^([^,]{2,40}),\s*ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*năm\s*(\d{4})")
_DOC_TYPES = [("QUYẾT ĐỊNH", "Quyết định"), ("KẾ HOẠCH", "Kế hoạch"), ("CÔNG VĂN", "Công văn"),
              ("THÔNG BÁO", "Thông báo"), ("NGHỊ QUYẾT", "Nghị quyết"), ("CHỈ THỊ", "Chỉ thị")]
_TYPE_BY_SUFFIX = {"QĐ": "Quyết định", "KH": "Kế hoạch", "NQ": "Nghị quyết", "CT": "Chỉ thị", "TB": "Thông báo"}


def _issuer_case(s: str) -> str:
    s = fold_ws(s)
    low = s.lower()
    out = low[:1].upper() + low[1:]
    m = re.search(r"\b(tỉnh|thành phố|huyện)\s+(.+)$", out)
    if m:
        out = out[: m.start(2)] + " ".join(w[:1].upper() + w[1:] for w in m.group(2).split())
    return out.replace("ubnd", "Ủy ban nhân dân")


def _following(lines: Sequence[Line], start: Line, same_x: bool = False) -> list[Line]:
    """Lines continuing ``start``'s block: same weight, no larger gap than a line, no new title."""
    out: list[Line] = []
    prev = start
    for ln in lines[lines.index(start) + 1:]:
        gap = ln.bbox[1] - prev.bbox[3]
        if ln.bold != start.bold or gap > 0.9 * ln.size or gap < -1 or _start(ln) is not None:
            break
        if same_x and not start.bbox[0] - ln.size <= (ln.bbox[0] + ln.bbox[2]) / 2 <= start.bbox[2] + ln.size:
            break  # left the column of the start line (the masthead has two columns)
        if fold_ws(ln.text).rstrip(":") in {caps for caps, _ in _DOC_TYPES} or ln.text.isupper():
            break
        out.append(ln)
        prev = ln
    return out


def extract_meta(first_pages: Sequence[Line], all_text: str) -> DocumentMeta:
    """Metadata from the masthead of the first page and the effective-date clause."""
    from pipeline.parsing.dates import find_effective_date

    meta = DocumentMeta()
    width = max((ln.bbox[2] for ln in first_pages), default=600)
    page1 = [ln for ln in first_pages if ln.page == first_pages[0].page] if first_pages else []
    left_caps = []
    for ln in page1[:12]:
        t = ln.text.strip()
        m = _NUMBER_LINE.search(t)
        if m and meta.doc_number_raw is None:
            meta.doc_number_raw = t[m.start():]
            num = re.sub(r"\s+", "", m.group(1))
            meta.doc_number = num if re.search(r"\d", num.split("/")[0] if "/" in num else num) else None
            continue
        m = _PLACE_DATE.search(t)
        if m and meta.place is None:
            meta.place = m.group(1).strip()
            if m.group(2) and m.group(3):
                from datetime import date

                try:
                    meta.signing_date = date(int(m.group(4)), int(m.group(3)), int(m.group(2)))
                except ValueError:
                    meta.signing_date = None
            continue
        if ln.bbox[2] < width * 0.55 and _upper_share(t) > 0.8 and "CỘNG HÒA" not in t:
            left_caps.append(t)
    if left_caps:
        meta.issuer = _issuer_case(" ".join(left_caps[-2:] if len(left_caps) > 1 else left_caps))
        m = re.search(r"tỉnh\s+(.+)$", meta.issuer)
        meta.province = m.group(1) if m else None
    for ln in page1:
        for caps, name in _DOC_TYPES:
            if fold_ws(ln.text).rstrip(":") == caps:
                meta.doc_type = meta.doc_type or name
        if ln.text.startswith("V/v") and meta.subject is None:
            meta.subject = join_wrapped([ln.text[3:]] + [x.text for x in _following(page1, ln, same_x=True)])
            meta.doc_type = meta.doc_type or "Công văn"
    if meta.doc_type is None and meta.doc_number:
        suffix = meta.doc_number.split("/")[-1].split("-")[0]
        meta.doc_type = _TYPE_BY_SUFFIX.get(suffix)
    if meta.subject is None:
        for i, ln in enumerate(page1):
            if any(fold_ws(ln.text) == caps for caps, _ in _DOC_TYPES) and i + 1 < len(page1):
                nxt = page1[i + 1]
                if nxt.bold:  # the subject: the bold lines right under the title, wrapped
                    meta.subject = join_wrapped([nxt.text] + [x.text for x in _following(page1, nxt)])
                break
    meta.effective_date = find_effective_date(all_text)
    return meta
