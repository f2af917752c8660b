"""The masthead and the signature block of a Vietnamese official document. Pure functions.

The layout is set by law — Nghị định 30/2020/NĐ-CP on the format of administrative documents
(Phụ lục I) and the same rules for legal normative documents — so this module reads the parts
where the standard places them, not where a sample happened to put them:

top left     the parent body (cơ quan chủ quản, upper case) over the issuing body (bold upper
             case; a long name wraps over lines), a short rule under it, then
             "Số: <serial>/<type abbr>-<issuer abbr>" (legal documents: "Số: 33/2022/QĐ-UBND"),
             and for a Công văn the subject after "V/v" under the number;
top right    the national motto "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh
             phúc", then "<place>, ngày .. tháng .. năm ...." in italics;
centre       the type name in bold capitals ("QUYẾT ĐỊNH", "BÁO CÁO", "TỜ TRÌNH", ...) and the
             subject (trích yếu) in bold under it, wrapped over lines;
end          "Nơi nhận:" on the left; on the right the authority line ("TM./KT./TL./TUQ./Q." +
             body or office; "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH" chains two), the signer's
             title, the space for the signature and seal, and the signer's name.

An appendix without a masthead of its own starts with its title ("Phụ lục III", "PHỤ LỤC 2",
"Bảng 2", "DANH MỤC ...") and a caption "(Ban hành kèm theo Quyết định số 45/QĐ-BNV ngày ...)"
naming the document it belongs to; its own number is null and the parent's number is kept
apart. Blanks stay blank: "Số:      /QĐ-UBND" on an unsigned draft gives a null number and
"ngày   tháng 6 năm 2025" a null date, never a guess.

Input is positioned lines (``extractors.model.Line``); ``masthead_lines`` builds them from a
page's characters with pdfplumber's word extraction, split into columns at wide gaps, because
the two masthead columns are often set in a borderless table whose cells sit on one baseline.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from extractors.bodies import LEVELS, misread_name, normalize_body, resplit_name, starts_body, upper_share
from extractors.model import Line
from extractors.reader_settings import MastheadSettings
from extractors.text import join_wrapped
from pipeline.core.provisions import ARTICLE, CHAPTER, PART, SECTION
from pipeline.core.text import fold_ws, nfc
from schemas.document_types import type_by_abbreviation, type_by_title

__all__ = ["DEFAULT", "Masthead", "MastheadSettings", "read_masthead"]


DEFAULT = MastheadSettings()


@dataclass
class Masthead:
    parent_body: str | None = None  # re-cased: "Ủy ban nhân dân tỉnh Lâm Đồng"
    parent_body_raw: str | None = None  # as printed, lines joined: "UBND TỈNH LÂM ĐỒNG"
    issuer: str | None = None
    issuer_raw: str | None = None
    number: str | None = None  # "12/BC-SNV"; None when blank
    number_raw: str | None = None  # "Số: 36 /BC-HĐTĐ"
    type_code: str | None = None  # abbreviation in the number that names a type ("BC"), else None
    place: str | None = None
    signing_date: date | None = None
    date_raw: str | None = None  # "Lâm Đồng, ngày 02 tháng 02 năm 2026"
    doc_type: str | None = None  # canonical type name ("Báo cáo")
    title_raw: str | None = None  # the title line as printed ("BÁO CÁO", "Phụ lục III")
    subject: str | None = None
    parent_number: str | None = None  # attachments: the number of the document they belong to
    parent_number_raw: str | None = None  # "(Ban hành kèm theo Quyết định số 45/QĐ-BNV ngày ...)"
    esign_number: str | None = None  # e-signature stamp "Số: 2061/QĐ-UBND"
    esign_time: str | None = None  # e-signature stamp "Thời gian ký: 2026-05-13T14:41:57+07:00"
    esign_raw: str | None = None  # the stamp's lines as printed, joined with "; "
    has_masthead: bool = False  # a motto or a "Số:" line was found


# ------------------------------------------------------------------------------------ helpers
def _key(s: str) -> str:
    """Letters only, upper case, NFC: compares printed lines whatever their spacing."""
    return "".join(ch for ch in nfc(s).upper() if ch.isalnum())


def _strip_marks(s: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch)).replace("Đ", "D")


_MOTTO_1 = _strip_marks("CONGHOAXAHOICHUNGHIAVIETNAM")
_MOTTO_2 = _strip_marks("DOCLAPTUDOHANHPHUC")
_MOTTO_PARTY = _strip_marks("DANGCONGSANVIETNAM")  # the motto of Party committees' documents


def is_motto(ln: Line) -> bool:
    k = _strip_marks(_key(ln.text))
    return (k.startswith(_MOTTO_1) or k.startswith(_MOTTO_2) or k.startswith(_MOTTO_PARTY)
            or _MOTTO_1.startswith(k) and len(k) >= 12)



def mid(ln: Line) -> float:
    return (ln.bbox[0] + ln.bbox[2]) / 2


def _centred(ln: Line, ref: Line, width: float, settings: MastheadSettings) -> bool:
    """Centred under ``ref`` (the title): same middle within two font sizes, and narrower than a
    body line (a paragraph runs from margin to margin)."""
    return abs(mid(ln) - mid(ref)) < 2 * ln.size and (ln.bbox[2] - ln.bbox[0]) < settings.centred_share * width


def gap(a: Line, b: Line) -> float:
    return b.bbox[1] - a.bbox[3]


# "Số: 36 /BC-HĐTĐ", "SỐ:36/QĐ-UBND", "Số:      /QĐ-UBND", "Số: 1781-CV/TU" (not "Số liệu ...")
_NUMBER_LINE = re.compile(r"^Số\s*[:.]?\s*(?P<rest>[\d.…\s]*[a-z]?\s*[/-].*)$", re.I)
# the "Số" line whose serial cannot be read (filled in by hand, specks of a scan: "Số: I#Œ/QĐ-UBND",
# "Só/‡2đ# /UBND-NC"): still the number line (never an issuer line), its number left unread
_ILLEGIBLE_NUMBER_LINE = re.compile(r"^S[ốóôồổoò6ỗộ]\s*[:;.,]?\s*(?P<rest>\S[^/]{0,12}/\s*[A-ZĐ][\w-]*.*)$")
_DATE_LINE = re.compile(r"^(?P<place>[^,]{2,60}?)\s*,\s*ngày\b(?P<rest>.*)$", re.I)
_DATE_PARTS = re.compile(r"^\s*(?P<d>\d{1,2})?\s*[.…]*\s*tháng\s*(?P<m>\d{1,2})?\s*[.…]*\s*năm\s*(?P<y>\d{4})")
_VV = re.compile(r"^(?:V/v|V/V|v/v|Về việc)\s*:?\s*(?P<rest>.*)$")
_CAPTION = re.compile(r"^\(?\s*(?:Ban hành\s+)?(?:kèm|đính kèm)\s+theo\b(?P<rest>.*)$", re.I)
_ESIGN_TIME = re.compile(r"^Thời\s*gian\s*ký\s*:?\s*(?P<t>\S.*)$", re.I)
_HEADING = re.compile(rf"^(?:[IVXL]+\.|\d+(?:\.\d+)*\.|[a-zđ]\)|{ARTICLE}\s+\d|{CHAPTER}\s+[IVXL\d]|{SECTION}\s+\d|{PART}\s+[IVX\d])(?:\s|$)")
_NUMBERED_TITLE = re.compile(r"^(?P<w>[^\W\d_][^\W\d_ ]*(?: [^\W\d_]+){0,2}?)\s+(?:số\s*)?(?:[IVXLC]+|\d+[a-z]?)\s*:?$",
                             re.I)
RECIPIENTS = re.compile(r"^(?:Kính\s*gửi|Nơi\s*nhận)\s*:?", re.I)

def _continues(prev: Line, ln: Line) -> bool:
    """Does masthead line ``ln`` continue the body name on ``prev`` (a wrapped name) rather than
    start the next body? ND 30/2020 sets the parent body in regular weight and the issuer in
    bold, and a body's name starts with its kind (Sở, Bộ, Ủy ban, Trung tâm ...)."""
    words = fold_ws(ln.text).split(" ")
    level = fold_ws(ln.text).lower()
    if re.search(r"(?:\bVÀ|,|-|–)$", fold_ws(prev.text).upper()) or len(words) == 1:
        return True  # "SỞ NÔNG NGHIỆP VÀ" / "PHÁT TRIỂN NÔNG THÔN", "... VÀ MÔI" / "TRƯỜNG"
    if any(level == lv or level.startswith(lv + " ") for lv in LEVELS):
        return True  # "ỦY BAN NHÂN DÂN" / "TỈNH VĨNH LONG" (whatever the weight)
    return ln.bold == prev.bold and not starts_body(ln.text)


def _number(rest: str) -> tuple[str | None, str | None]:
    """(number without inner spaces or None when the serial is blank, type abbreviation)."""
    squashed = re.sub(r"\s+", "", rest)
    squashed = squashed.rstrip(",;")
    if "/" not in squashed and "-" not in squashed:
        return None, None
    squashed = re.sub(r"^(\d+[a-z]?)\.(?=/)", r"\1", squashed)  # "3070./KH-UBND": a stray dot after the serial
    serial = re.split(r"[/-]", squashed, maxsplit=1)[0]
    if not re.search(r"\d", serial):
        return None, _type_code(squashed)
    return squashed, _type_code(squashed)


def _type_code(number: str) -> str | None:
    parts = re.split(r"[/-]", number)  # parts[0] is the serial, empty when left blank
    codes = [p for p in parts[1:] if p and not p.isdigit()]
    if codes and codes[0] in type_by_abbreviation():
        return codes[0]
    return None


def _title_type(text: str) -> tuple[str | None, bool]:
    """(type name, the line is the type alone) for a title line: "QUYẾT ĐỊNH" → (Quyết định, True),
    "Phụ lục III" → (Phụ lục, True), "DANH MỤC SẢN PHẨM ..." → (Danh mục, False)."""
    t = fold_ws(nfc(text)).rstrip(":").strip().upper()
    t = re.sub(r"^[“\"]", "", t)
    titles = type_by_title()
    spaced = {k.replace(" ", ""): v for k, v in titles.items()}
    if re.fullmatch(r"(?:\S\s+){2,}\S", t) and t.replace(" ", "") in spaced:  # letter-spaced "Q U Y Ế T  Đ Ị N H"
        return spaced[t.replace(" ", "")].name, True
    for title in sorted(titles, key=len, reverse=True):
        if t == title:
            return titles[title].name, True
        if t.startswith(title + " "):
            tail = t[len(title) + 1:]
            if re.fullmatch(r"(?:SỐ\s*)?(?:[IVXLC]+|\d+[A-Z]?)\.?", tail):  # "PHỤ LỤC III", "PHỤ LỤC SỐ 2"
                return titles[title].name, True
            return titles[title].name, False
    return None, False


_DATE_NUMERIC = re.compile(r"^\s*(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})\b")


def _parse_date(rest: str) -> date | None:
    m = _DATE_PARTS.match(rest) or _DATE_NUMERIC.match(rest)  # "ngày 05 tháng 3 năm 2020", "ngày 05/3/2020"
    if not m or not m["d"] or not m["m"]:
        return None
    try:
        return date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


_BLANK_BEFORE = re.compile(r"(?:^|\s)(?:Số\s*:?|ngày|tháng|năm)$")


def _join_blanks(lines: list[Line], settings: MastheadSettings) -> list[Line]:
    """Re-join a number or date line that a wide blank split into two segments: "Số:" … "/KH-UBND",
    "Tân Hà, ngày" … "tháng năm 2024" (the drafter leaves room for the serial and the day)."""
    out: list[Line] = []
    for ln in sorted(lines, key=lambda x: (x.bbox[1], x.bbox[0])):
        prev = next((p for p in reversed(out[-3:]) if abs(p.bbox[1] - ln.bbox[1]) < 0.3 * ln.size
                     and 0 <= ln.bbox[0] - p.bbox[2] < settings.blank_run * ln.size), None)
        if prev is not None and _BLANK_BEFORE.search(prev.text):
            out[out.index(prev)] = Line(f"{prev.text} {ln.text}", prev.page,
                                        (prev.bbox[0], min(prev.bbox[1], ln.bbox[1]), ln.bbox[2],
                                         max(prev.bbox[3], ln.bbox[3])), prev.size, prev.bold, prev.italic)
            continue
        out.append(ln)
    return out


# ------------------------------------------------------------------------------------ masthead
def read_masthead(lines: Sequence[Line], width: float, settings: MastheadSettings = DEFAULT) -> Masthead:
    """The masthead parts of a first page (lines of that page, any order)."""
    mh = Masthead()
    lines = _join_blanks(list(lines), settings)
    if not lines:
        return mh
    motto = [ln for ln in lines if is_motto(ln)]
    split = min(ln.bbox[0] for ln in motto) if motto else width * settings.header_share
    # ---- e-signature stamp ("Số: …" over "Thời gian ký: …"), kept apart from the masthead
    stamp: set[int] = set()
    for i, ln in enumerate(lines):
        m = _ESIGN_TIME.match(ln.text)
        if m:
            mh.esign_time = m["t"].strip()
            stamp.add(i)
            prev = [j for j in range(i) if _NUMBER_LINE.match(lines[j].text)
                    and abs(lines[j].bbox[0] - ln.bbox[0]) < 2 * ln.size and -0.5 * ln.size <= gap(lines[j], ln) < ln.size]
            if prev:
                stamp.add(prev[-1])
                mh.esign_number = _number(_NUMBER_LINE.match(lines[prev[-1]].text)["rest"])[0]  # type: ignore[index]
    if stamp:
        mh.esign_raw = "; ".join(lines[i].text for i in sorted(stamp))
    body = [ln for i, ln in enumerate(lines) if i not in stamp]
    # ---- the number line and the date line
    num_line = next((ln for ln in body[:25] if _NUMBER_LINE.match(ln.text) and "/" in ln.text), None)
    illegible = num_line is None and (num_line := next(
        (ln for ln in body[:25] if _ILLEGIBLE_NUMBER_LINE.match(ln.text)), None)) is not None
    date_line = next((ln for ln in body[:25] if _DATE_LINE.match(ln.text) and "năm" in ln.text), None)
    if num_line is not None and illegible:
        m = _ILLEGIBLE_NUMBER_LINE.match(num_line.text)
        assert m is not None
        mh.number_raw = fold_ws(num_line.text)
        mh.type_code = _type_code("/" + m["rest"].split("/", 1)[1].replace(" ", ""))
        mh.has_masthead = True
    elif num_line is not None:
        m = _NUMBER_LINE.match(num_line.text)
        assert m is not None
        rest = m["rest"]
        dm = re.search(r"\s[^,\d/]{2,40},\s*ngày\b", rest)  # a date line glued on by the row builder
        if dm:
            rest = rest[: dm.start()]
        mh.number_raw = fold_ws(num_line.text[: m.start("rest") + len(rest)])
        mh.number, mh.type_code = _number(rest)
        mh.has_masthead = True
    if date_line is not None:
        m = _DATE_LINE.match(date_line.text)
        assert m is not None
        place = m["place"].strip()
        if _NUMBER_LINE.match(place):  # "Số: 12/KH-UBND Hà Nội, ngày …" on one row
            place = re.sub(r"^Số\s*[:.]?\s*\S*(?:\s*/\s*\S+)*\s+", "", place)
        mh.place = place
        mh.date_raw = fold_ws(date_line.text[date_line.text.find(place):])
        mh.signing_date = _parse_date(m["rest"])
    if motto:
        mh.has_masthead = True
    # ---- the header block ends with the lower of the number and date lines (or the motto)
    anchors = [ln for ln in (num_line, date_line) if ln is not None] or motto
    header_bottom = max((ln.bbox[3] for ln in anchors), default=None)
    # ---- V/v subject of a Công văn: under the number, in the left column
    after = [ln for ln in body if header_bottom is None or ln.bbox[1] >= (num_line.bbox[3] - 1 if num_line else 0)]
    vv = next((ln for ln in after[:8] if _VV.match(ln.text) and mid(ln) < split and ln.text[:3].lower() == "v/v"),
              None)
    if vv is not None:
        parts = [_VV.match(vv.text)["rest"]]  # type: ignore[index]
        prev = vv
        for ln in body[body.index(vv) + 1:]:
            if mid(ln) >= split or ln.bbox[1] < prev.bbox[1]:
                continue
            if gap(prev, ln) > settings.block_gap * ln.size or RECIPIENTS.match(ln.text):
                break
            parts.append(ln.text)
            prev = ln
        mh.subject = join_wrapped(parts) or None
    # ---- title and subject (centre), below the header block
    start = header_bottom if header_bottom is not None else -1.0
    centre = [ln for ln in body if ln.bbox[1] > start - 0.5 and ln is not num_line and ln is not date_line
              and not is_motto(ln) and ln is not vv]
    title_i = None
    for i, ln in enumerate(centre[:12]):
        name, alone = _title_type(ln.text)
        if name and (ln.bold or upper_share(ln.text) >= 0.9 or alone) and not _VV.match(ln.text):
            title_i = i
            mh.doc_type = name
            mh.title_raw = ln.text
            break
        m = _NUMBERED_TITLE.match(fold_ws(ln.text))
        if m and not mh.has_masthead and any(_CAPTION.match(x.text) for x in centre[i + 1:i + 5]):
            title_i = i  # an attachment's own title word: "Bảng 2", "Biểu số 3", "Mẫu số 01"
            mh.doc_type = m["w"][:1].upper() + m["w"][1:].lower()
            mh.title_raw = ln.text
            break
        if vv is not None and (RECIPIENTS.match(ln.text) or ln.bbox[1] > vv.bbox[3] + 6 * ln.size):
            break
    if title_i is not None:
        title = centre[title_i]
        name, alone = _title_type(title.text)
        alone = alone or name is None
        sub_lines: list[Line] = [] if alone else [title]
        prev = title
        for ln in centre[title_i + 1:]:
            if ln.bbox[2] < title.bbox[0] or ln.bbox[0] > title.bbox[2]:
                continue  # beside the title, not under it: a margin note, a stamp (the subject is centred)
            if gap(prev, ln) > settings.block_gap * ln.size and (sub_lines or gap(prev, ln) > 3 * ln.size):
                break
            if _CAPTION.match(ln.text) or _HEADING.match(ln.text) or RECIPIENTS.match(ln.text):
                break
            if sub_lines and ln.bold != sub_lines[-1].bold and not _centred(ln, title, width, settings):
                break  # a change of weight ends the subject unless the line stays centred under the title
            if sub_lines and upper_share(ln.text) > 0.9 and upper_share(sub_lines[-1].text) < 0.5:
                break  # the authority line under the subject ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH")
            sub_lines.append(ln)
            prev = ln
        if sub_lines and mh.subject is None:
            mh.subject = join_wrapped(ln.text for ln in sub_lines)
        # ---- an attachment's caption names the document it belongs to
        for ln in centre[title_i + 1:title_i + 10]:
            m = _CAPTION.match(ln.text)
            if m:
                cap = [ln.text]
                nxt = centre[centre.index(ln) + 1:centre.index(ln) + 3]
                for c in nxt:
                    if ")" in cap[-1] or gap(ln, c) > settings.block_gap * c.size:
                        break
                    cap.append(c.text)
                raw = join_wrapped(cap)
                mh.parent_number_raw = raw
                nm = re.search(r"số\s*:?\s*(?P<n>[\d.…\s]*/\s*[\w\s/&.-]*?)(?=\s+ngày|\s+của|\)|$)", raw)
                if nm:
                    mh.parent_number = _number(nm["n"])[0]
                break
    # ---- bodies: left-column lines above the number line
    # (an attachment without masthead may still print its body top left: "BỘ NỘI VỤ" over "Phụ lục 2")
    title_top = centre[title_i].bbox[1] if title_i is not None else None
    top_limit = num_line.bbox[1] if num_line is not None else header_bottom if header_bottom is not None else title_top
    if top_limit is not None:
        left = [ln for ln in body if ln.bbox[3] <= top_limit + 1 and mid(ln) < split and not is_motto(ln)
                and ln is not date_line and upper_share(ln.text) >= 0.7
                and (mh.has_masthead or ln.bold)]
        blocks: list[list[Line]] = []
        for ln in left:
            if blocks and gap(blocks[-1][-1], ln) < settings.block_gap * ln.size and _continues(blocks[-1][-1], ln):
                blocks[-1].append(ln)
            else:
                blocks.append([ln])
        if blocks:
            issuer = blocks[-1]
            mh.issuer_raw = join_wrapped(ln.text for ln in issuer)
            mh.issuer = normalize_body(mh.issuer_raw if not misread_name(issuer) else resplit_name(mh.issuer_raw))
            if len(blocks) > 1:
                mh.parent_body_raw = join_wrapped(ln.text for ln in blocks[-2])
                mh.parent_body = normalize_body(mh.parent_body_raw)
    # ---- an attachment without a masthead of its own, issued with another document ("Bảng 2",
    # "DANH MỤC ..." over "(Ban hành kèm theo Quyết định số …)"), is a Phụ lục of that document
    if not mh.has_masthead and mh.parent_number_raw is not None:
        mh.doc_type = "Phụ lục"
    # ---- the type when no title names it: V/v → Công văn, else the number's abbreviation
    if mh.doc_type is None and vv is not None:
        mh.doc_type = "Công văn"
    if mh.doc_type is None and mh.type_code:
        mh.doc_type = type_by_abbreviation()[mh.type_code].name
    return mh
