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
"Bảng 2", "DANH MỤC ...") and a caption "(Ban hành kèm theo Quyết định số 1187/QĐ-BNV ngày ...)"
naming the document it belongs to; its own number is null and the parent's number is kept
apart. Blanks stay blank: "Số:      /QĐ-UBND" on an unsigned draft gives a null number and
"ngày   tháng 6 năm 2025" a null date, never a guess.

Input is positioned lines (``extractors.model.Line``); ``masthead_lines`` builds them from a
page's characters with pdfplumber's word extraction, split into columns at wide gaps, because
the two masthead columns are often set in a borderless table whose cells sit on one baseline.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from extractors.model import Line
from extractors.text import fold_ws, is_bold, is_italic, join_wrapped, nfc
from schemas.document_types import type_by_abbreviation, type_by_title

__all__ = ["Masthead", "MastheadSettings", "Signer", "masthead_lines", "may_hold_signature", "read_masthead",
           "read_signer", "recase_body"]


@dataclass(frozen=True)
class MastheadSettings:
    """Tolerances of the masthead reader, in multiples of the line's font size unless named."""

    column_gap: float = 1.5  # a gap wider than this between words on one baseline splits columns
    word_gap_pt: float = 3.0  # pdfplumber's x_tolerance: a gap wider than this separates words
    row_overlap: float = 0.5  # words share a row when their vertical overlap exceeds this share
    block_gap: float = 0.9  # a vertical gap wider than this ends a wrapped block (subject, name)
    min_size_pt: float = 4.0  # smaller glyphs (invisible stamps, 0.5-pt signature captions) ignored
    header_share: float = 0.45  # without a motto, the left column ends at this share of the width
    centred_share: float = 0.7  # a centred subject line is narrower than this share of the page width
    blank_run: float = 6.0  # widest blank left for a serial or a day ("Số:      /QĐ-UBND"), in font sizes

    def __post_init__(self) -> None:
        for name in ("column_gap", "word_gap_pt", "row_overlap", "block_gap", "min_size_pt", "header_share",
                     "centred_share", "blank_run"):
            if getattr(self, name) <= 0:
                raise ValueError(f"MastheadSettings.{name} must be positive")
        if not all(0 < getattr(self, n) < 1 for n in ("row_overlap", "header_share", "centred_share")):
            raise ValueError("MastheadSettings.row_overlap, header_share and centred_share must lie in (0, 1)")


DEFAULT = MastheadSettings()


@dataclass
class Signer:
    authority: str | None  # "KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH"; None when signing in own name
    title: str | None  # "PHÓ CHỦ TỊCH"
    name: str | None  # "Nguyễn Văn A"
    page: int


@dataclass
class Masthead:
    parent_body: str | None = None  # re-cased: "Ủy ban nhân dân tỉnh Lâm Đồng"
    parent_body_raw: str | None = None  # as printed, lines joined: "UBND TỈNH LÂM ĐỒNG"
    issuer: str | None = None
    issuer_raw: str | None = None
    number: str | None = None  # "36/BC-HĐTĐ"; None when blank
    number_raw: str | None = None  # "Số: 36 /BC-HĐTĐ"
    type_code: str | None = None  # abbreviation in the number that names a type ("BC"), else None
    place: str | None = None
    signing_date: date | None = None
    date_raw: str | None = None  # "Lâm Đồng, ngày 02 tháng 02 năm 2026"
    doc_type: str | None = None  # canonical type name ("Báo cáo")
    title_raw: str | None = None  # the title line as printed ("BÁO CÁO", "Phụ lục III")
    subject: str | None = None
    parent_number: str | None = None  # attachments: the number of the document they belong to
    parent_number_raw: str | None = None  # "(Ban hành kèm theo Quyết định số 1187/QĐ-BNV ngày ...)"
    esign_number: str | None = None  # e-signature stamp "Số: 2061/QĐ-UBND"
    esign_time: str | None = None  # e-signature stamp "Thời gian ký: 2026-05-13T14:41:57+07:00"
    esign_raw: str | None = None  # the stamp's lines as printed, joined with "; "
    has_masthead: bool = False  # a motto or a "Số:" line was found


# ------------------------------------------------------------------------------------ lines
def masthead_lines(chars: Sequence[dict[str, Any]], page: int,
                   settings: MastheadSettings = DEFAULT) -> list[Line]:
    """A page's characters → positioned lines, one per column segment, top to bottom.

    Words come from pdfplumber's ``extract_words`` (space glyphs honoured, gaps above
    ``word_gap_pt`` separate words); words on one row are split into segments where the gap
    exceeds ``column_gap`` × font size (the two masthead columns, "Nơi nhận:" beside the
    signature block)."""
    from pdfplumber.utils import extract_words

    # sizes rounded: pdfplumber splits words where an extra attribute differs (12.96 vs 12.959999)
    body = [{**c, "doctop": c.get("doctop", c["top"]), "size": round(c["size"], 1)} for c in chars
            if c.get("upright", True) and (c.get("size") or 0) >= settings.min_size_pt]
    if not body:
        return []
    words = extract_words(body, x_tolerance=settings.word_gap_pt, y_tolerance=3, keep_blank_chars=False,
                          use_text_flow=False, extra_attrs=["size"], return_chars=True)
    words.sort(key=lambda w: ((w["top"] + w["bottom"]) / 2, w["x0"]))
    rows: list[list[dict[str, Any]]] = []
    for w in words:
        mid = (w["top"] + w["bottom"]) / 2
        for row in reversed(rows[-3:]):
            top = statistics.median(x["top"] for x in row)
            bottom = statistics.median(x["bottom"] for x in row)
            overlap = min(bottom, w["bottom"]) - max(top, w["top"])
            if top <= mid <= bottom or overlap > settings.row_overlap * min(bottom - top, w["bottom"] - w["top"]):
                row.append(w)
                break
        else:
            rows.append([w])
    out: list[Line] = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        seg: list[dict[str, Any]] = []
        segs = [seg]
        for w in row:
            if seg and w["x0"] - seg[-1]["x1"] > settings.column_gap * max(w["size"], seg[-1]["size"]):
                seg = []
                segs.append(seg)
            seg.append(w)
        for s in segs:
            cs = [c for w in s for c in w["chars"] if c["text"].strip()]
            fonts = [c.get("fontname", "") for c in cs]
            text = nfc(fold_ws(" ".join(w["text"] for w in s)))
            if not text:
                continue
            out.append(Line(text, page, (min(w["x0"] for w in s), min(w["top"] for w in s), max(w["x1"] for w in s),
                                         max(w["bottom"] for w in s)),
                            round(statistics.median(c["size"] for c in cs), 2),
                            sum(is_bold(f) for f in fonts) >= 0.6 * len(fonts),
                            sum(is_italic(f) for f in fonts) >= 0.6 * len(fonts)))
    out.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    return out


_SIGNATURE_HINT = re.compile(r"Nơi\s*nhận\s*:|(?:^|\s)(?:TM|KT|TL|TUQ)\s*\.\s*[A-ZĐÀ-Ỹ]")


def may_hold_signature(chars: Sequence[dict[str, Any]]) -> bool:
    """Cheap test over a page's characters in content order: a "Nơi nhận:" or an authority line."""
    return bool(_SIGNATURE_HINT.search(nfc("".join(c.get("text", "") for c in chars))))


# ------------------------------------------------------------------------------------ helpers
def _key(s: str) -> str:
    """Letters only, upper case, NFC: compares printed lines whatever their spacing."""
    return "".join(ch for ch in nfc(s).upper() if ch.isalnum())


def _strip_marks(s: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch)).replace("Đ", "D")


_MOTTO_1 = _strip_marks("CONGHOAXAHOICHUNGHIAVIETNAM")
_MOTTO_2 = _strip_marks("DOCLAPTUDOHANHPHUC")
_MOTTO_PARTY = _strip_marks("DANGCONGSANVIETNAM")  # the motto of Party committees' documents


def _is_motto(ln: Line) -> bool:
    k = _strip_marks(_key(ln.text))
    return (k.startswith(_MOTTO_1) or k.startswith(_MOTTO_2) or k.startswith(_MOTTO_PARTY)
            or _MOTTO_1.startswith(k) and len(k) >= 12)


def _upper_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0


def _mid(ln: Line) -> float:
    return (ln.bbox[0] + ln.bbox[2]) / 2


def _centred(ln: Line, ref: Line, width: float, settings: MastheadSettings) -> bool:
    """Centred under ``ref`` (the title): same middle within two font sizes, and narrower than a
    body line (a paragraph runs from margin to margin)."""
    return abs(_mid(ln) - _mid(ref)) < 2 * ln.size and (ln.bbox[2] - ln.bbox[0]) < settings.centred_share * width


def _gap(a: Line, b: Line) -> float:
    return b.bbox[1] - a.bbox[3]


# "Số: 36 /BC-HĐTĐ", "SỐ:36/QĐ-UBND", "Số:      /QĐ-UBND", "Số: 1781-CV/TU" (not "Số liệu ...")
_NUMBER_LINE = re.compile(r"^Số\s*[:.]?\s*(?P<rest>[\d.…\s]*[a-z]?\s*[/-].*)$", re.I)
_DATE_LINE = re.compile(r"^(?P<place>[^,]{2,60}?)\s*,\s*ngày\b(?P<rest>.*)$", re.I)
_DATE_PARTS = re.compile(r"^\s*(?P<d>\d{1,2})?\s*[.…]*\s*tháng\s*(?P<m>\d{1,2})?\s*[.…]*\s*năm\s*(?P<y>\d{4})")
_VV = re.compile(r"^(?:V/v|V/V|v/v|Về việc)\s*:?\s*(?P<rest>.*)$")
_CAPTION = re.compile(r"^\(?\s*(?:Ban hành\s+)?(?:kèm|đính kèm)\s+theo\b(?P<rest>.*)$", re.I)
_ESIGN_TIME = re.compile(r"^Thời\s*gian\s*ký\s*:?\s*(?P<t>\S.*)$", re.I)
_HEADING = re.compile(r"^(?:[IVXL]+\.|\d+(?:\.\d+)*\.|[a-zđ]\)|Điều\s+\d|Chương\s+[IVXL\d]|Mục\s+\d|Phần\s+[IVX\d])(?:\s|$)")
_NUMBERED_TITLE = re.compile(r"^(?P<w>[^\W\d_][^\W\d_ ]*(?: [^\W\d_]+){0,2}?)\s+(?:số\s*)?(?:[IVXLC]+|\d+[a-z]?)\s*:?$",
                             re.I)
_RECIPIENTS = re.compile(r"^(?:Kính\s*gửi|Nơi\s*nhận)\s*:?", re.I)

# head words of a body's name: a masthead line starting with one opens a new body
_ORG_HEADS = ("ỦY BAN", "UỶ BAN", "UBND", "HĐND", "HỘI ĐỒNG", "SỞ", "BỘ", "BAN", "CỤC", "TỔNG CỤC", "CHI CỤC",
              "VĂN PHÒNG", "PHÒNG", "TRUNG TÂM", "VIỆN", "TRƯỜNG", "BỆNH VIỆN", "CÔNG AN", "BỘ CHỈ HUY", "ĐẢNG",
              "TỈNH ỦY", "TỈNH UỶ", "THÀNH ỦY", "THÀNH UỶ", "HUYỆN ỦY", "HUYỆN UỶ", "ĐOÀN", "CHÍNH PHỦ", "QUỐC HỘI",
              "THỦ TƯỚNG", "CHỦ TỊCH", "KIỂM TOÁN", "TÒA ÁN", "TOÀ ÁN", "VIỆN KIỂM SÁT", "NGÂN HÀNG", "KHO BẠC",
              "THANH TRA", "CÔNG TY", "TỔNG CÔNG TY", "HỌC VIỆN", "ĐẠI HỌC", "LIÊN ĐOÀN", "HỘI", "QUỸ", "ĐÀI",
              "BÁO", "MẶT TRẬN", "ỦY BAN MẶT TRẬN", "BỘ TƯ LỆNH", "QUÂN KHU", "BAN QUẢN LÝ", "TỔ")


def _starts_body(text: str) -> bool:
    t = fold_ws(nfc(text)).upper()
    return any(t == h or t.startswith(h + " ") for h in _ORG_HEADS)


def _continues(prev: Line, ln: Line) -> bool:
    """Does masthead line ``ln`` continue the body name on ``prev`` (a wrapped name) rather than
    start the next body? ND 30/2020 sets the parent body in regular weight and the issuer in
    bold, and a body's name starts with its kind (Sở, Bộ, Ủy ban, Trung tâm ...)."""
    words = fold_ws(ln.text).split(" ")
    level = fold_ws(ln.text).lower()
    if re.search(r"(?:\bVÀ|,|-|–)$", fold_ws(prev.text).upper()) or len(words) == 1:
        return True  # "SỞ NÔNG NGHIỆP VÀ" / "PHÁT TRIỂN NÔNG THÔN", "... VÀ MÔI" / "TRƯỜNG"
    if any(level == lv or level.startswith(lv + " ") for lv in _LEVELS):
        return True  # "ỦY BAN NHÂN DÂN" / "TỈNH VĨNH LONG" (whatever the weight)
    return ln.bold == prev.bold and not _starts_body(ln.text)


# place-name levels after which the words are a proper name ("tỉnh Lâm Đồng", "xã Tân Hà")
_LEVELS = ("thành phố trực thuộc trung ương", "thành phố", "tỉnh", "huyện", "quận", "thị xã", "thị trấn", "xã",
           "phường", "đặc khu", "tp.")
_ABBREVIATIONS = re.compile(r"^(?:UBND|HĐND|MTTQ|TP\.|TW|VN|KCN|KKT|[A-ZĐ]{2,}&[A-ZĐ]{2,})$")


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
_OLD_TONE = re.compile(r"(?<![qQ])([oO][aAeE]|[uU][yY])([" + _TONES + r"])(?=$|[^\w])")


def modern_tone(s: str) -> str:
    """Old-style tone placement to the modern one used by Nghị định 30/2020 ("Uỷ ban" → "Ủy ban",
    "CỘNG HOÀ" → "CỘNG HÒA", "thuỷ" → "thủy"): in a syllable ending in the glides oa, oe, uy
    (not qu-y: "quý" keeps its tone) the mark sits on the first vowel."""
    d = unicodedata.normalize("NFD", s)
    d = _OLD_TONE.sub(lambda m: m[1][0] + m[2] + m[1][1], d)
    return nfc(d)


_EXPANSIONS = ((re.compile(r"\bUBND\b"), "Ủy ban nhân dân"), (re.compile(r"\bHĐND\b"), "Hội đồng nhân dân"))


def normalize_body(raw: str | None) -> str | None:
    """A body's name in normal case, abbreviations UBND/HĐND expanded, modern tone placement:
    'UBND TỈNH LÂM ĐỒNG' → 'Ủy ban nhân dân tỉnh Lâm Đồng', 'UỶ BAN NHÂN DÂN THỊ XÃ BỈM SƠN' →
    'Ủy ban nhân dân thị xã Bỉm Sơn'. The printed form is kept beside it (``*_raw``)."""
    s = recase_body(raw)
    if s is None:
        return None
    for rx, full in _EXPANSIONS:
        s = rx.sub(full, s)
    s = modern_tone(s)
    return s[:1].upper() + s[1:]


def recase_body(raw: str | None) -> str | None:
    """'ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG' → 'Ủy ban nhân dân tỉnh Lâm Đồng'; 'SỞ NỘI VỤ' → 'Sở Nội vụ';
    'UBND TỈNH LÂM ĐỒNG' → 'UBND tỉnh Lâm Đồng' (abbreviations kept as printed, words only re-cased).

    The Vietnamese rule (Nghị định 30/2020, Phụ lục II on capitalisation): the first word of a
    body's name is capitalised, and so is the first word of what names its function or field
    ("Sở Nội vụ", "Bộ Y tế", "Trung tâm Xúc tiến ..."); place names after an administrative
    level word are proper nouns with every syllable capitalised ("tỉnh Lâm Đồng"). Names already
    in mixed case are returned as printed."""
    if not raw:
        return None
    s = fold_ws(nfc(raw))
    if _upper_share(s) < 0.9:
        return s
    words = s.split(" ")
    out: list[str] = []
    i = 0
    proper = False  # inside a place name
    cap_next = True  # the first word of the name, and of the field after a body head
    in_field = False  # after a body head: "Nông nghiệp và Phát triển nông thôn", "Lao động - Thương binh"
    while i < len(words):
        w = words[i]
        low = w.lower()
        if _ABBREVIATIONS.match(w):
            out.append(w)
            i += 1
            cap_next = False
            continue
        rest = " ".join(x.lower() for x in words[i:])
        party = re.match(r"(?:tỉnh|thành|huyện|quận|thị|đảng) (?:ủy|uỷ)(?= |$)", rest)
        if party:  # a Party committee ("Tỉnh ủy Bến Tre", "Đảng ủy xã …"): the place follows
            out.extend([words[i][:1] + words[i][1:].lower() if i == 0 else words[i].lower(), words[i + 1].lower()])
            i += 2
            proper = True
            continue
        level = next((lv for lv in _LEVELS if rest == lv or rest.startswith(lv + " ")), None)
        if level and not rest.startswith("xã hội"):
            n = len(level.split(" "))
            out.extend(words[j].lower() for j in range(i, i + n))
            if i == 0:  # "TỈNH BÌNH THUẬN" alone: the name starts with the level word
                out[0] = out[0][:1].upper() + out[0][1:]
            i += n
            proper = True
            continue
        if proper or cap_next:
            out.append(low[:1].upper() + low[1:])
        else:
            out.append(low)
        head = next((h for h in _ORG_HEADS if " ".join(out).upper().endswith(h)), None)
        cap_next = bool(head) and len(out) == len(head.split(" ")) and head not in ("HỘI", "ĐOÀN", "BÁO", "TỔ")
        if head in ("ỦY BAN", "UỶ BAN", "HỘI ĐỒNG") and len(out) == 2:
            cap_next = False  # "Ủy ban nhân dân", "Hội đồng thẩm định": the body's kind, not a field
        in_field = in_field or cap_next
        if in_field and low in ("và", "-", "–"):
            cap_next = True  # each field of a body's name is capitalised: "Tài nguyên và Môi trường"
        i += 1
    return " ".join(out)


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
    "Bỉm Sơn, ngày" … "tháng năm 2024" (the drafter leaves room for the serial and the day)."""
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
    motto = [ln for ln in lines if _is_motto(ln)]
    split = min(ln.bbox[0] for ln in motto) if motto else width * settings.header_share
    # ---- e-signature stamp ("Số: …" over "Thời gian ký: …"), kept apart from the masthead
    stamp: set[int] = set()
    for i, ln in enumerate(lines):
        m = _ESIGN_TIME.match(ln.text)
        if m:
            mh.esign_time = m["t"].strip()
            stamp.add(i)
            prev = [j for j in range(i) if _NUMBER_LINE.match(lines[j].text)
                    and abs(lines[j].bbox[0] - ln.bbox[0]) < 2 * ln.size and -0.5 * ln.size <= _gap(lines[j], ln) < ln.size]
            if prev:
                stamp.add(prev[-1])
                mh.esign_number = _number(_NUMBER_LINE.match(lines[prev[-1]].text)["rest"])[0]  # type: ignore[index]
    if stamp:
        mh.esign_raw = "; ".join(lines[i].text for i in sorted(stamp))
    body = [ln for i, ln in enumerate(lines) if i not in stamp]
    # ---- the number line and the date line
    num_line = next((ln for ln in body[:25] if _NUMBER_LINE.match(ln.text) and "/" in ln.text), None)
    date_line = next((ln for ln in body[:25] if _DATE_LINE.match(ln.text) and "năm" in ln.text), None)
    if num_line is not None:
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
    vv = next((ln for ln in after[:8] if _VV.match(ln.text) and _mid(ln) < split and ln.text[:3].lower() == "v/v"),
              None)
    if vv is not None:
        parts = [_VV.match(vv.text)["rest"]]  # type: ignore[index]
        prev = vv
        for ln in body[body.index(vv) + 1:]:
            if _mid(ln) >= split or ln.bbox[1] < prev.bbox[1]:
                continue
            if _gap(prev, ln) > settings.block_gap * ln.size or _RECIPIENTS.match(ln.text):
                break
            parts.append(ln.text)
            prev = ln
        mh.subject = join_wrapped(parts) or None
    # ---- title and subject (centre), below the header block
    start = header_bottom if header_bottom is not None else -1.0
    centre = [ln for ln in body if ln.bbox[1] > start - 0.5 and ln is not num_line and ln is not date_line
              and not _is_motto(ln) and ln is not vv]
    title_i = None
    for i, ln in enumerate(centre[:12]):
        name, alone = _title_type(ln.text)
        if name and (ln.bold or _upper_share(ln.text) >= 0.9 or alone) and not _VV.match(ln.text):
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
        if vv is not None and (_RECIPIENTS.match(ln.text) or ln.bbox[1] > vv.bbox[3] + 6 * ln.size):
            break
    if title_i is not None:
        title = centre[title_i]
        name, alone = _title_type(title.text)
        alone = alone or name is None
        sub_lines: list[Line] = [] if alone else [title]
        prev = title
        for ln in centre[title_i + 1:]:
            if _gap(prev, ln) > settings.block_gap * ln.size and (sub_lines or _gap(prev, ln) > 3 * ln.size):
                break
            if _CAPTION.match(ln.text) or _HEADING.match(ln.text) or _RECIPIENTS.match(ln.text):
                break
            if sub_lines and ln.bold != sub_lines[-1].bold and not _centred(ln, title, width, settings):
                break  # a change of weight ends the subject unless the line stays centred under the title
            if sub_lines and _upper_share(ln.text) > 0.9 and _upper_share(sub_lines[-1].text) < 0.5:
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
                    if ")" in cap[-1] or _gap(ln, c) > settings.block_gap * c.size:
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
        left = [ln for ln in body if ln.bbox[3] <= top_limit + 1 and _mid(ln) < split and not _is_motto(ln)
                and ln is not date_line and _upper_share(ln.text) >= 0.7
                and (mh.has_masthead or ln.bold)]
        blocks: list[list[Line]] = []
        for ln in left:
            if blocks and _gap(blocks[-1][-1], ln) < settings.block_gap * ln.size and _continues(blocks[-1][-1], ln):
                blocks[-1].append(ln)
            else:
                blocks.append([ln])
        if blocks:
            issuer = blocks[-1]
            mh.issuer_raw = join_wrapped(ln.text for ln in issuer)
            mh.issuer = normalize_body(mh.issuer_raw)
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


# ------------------------------------------------------------------------------------ signer
_AUTHORITY = re.compile(r"^(?:TM|KT|TL|TUQ|Q|UQ)\s*\.\s*\S")
# a name of capitalised syllables, after a military or academic rank when one is printed
_RANK = (r"(?:(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy|uý)|Đại\s+úy|GS\.?\s*TS\.|PGS\.?\s*TS\.|TS\.|ThS\.|BS\.|"
         r"KTS\.|Luật sư|Nhà giáo)\s+")
_NAME = re.compile(r"^(?:" + _RANK + r")?[A-ZĐÀ-Ỹ][a-zđà-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][a-zđà-ỹ]*){1,5}$")


def read_signer(pages: Sequence[Sequence[Line]], width: float, settings: MastheadSettings = DEFAULT) -> Signer | None:
    """The first signature block in document order: the right column beside or under "Nơi nhận:".

    ``pages``: the lines of each candidate page in page order (``masthead_lines``). A block is
    an authority line ("KT. CHỦ TỊCH") and/or an upper-case title line in the right half,
    followed within a few lines by the signer's name (capitalised syllables)."""
    for lines in pages:
        lines = sorted(lines, key=lambda ln: (ln.bbox[1], ln.bbox[0]))
        right = [ln for ln in lines if _mid(ln) > width * 0.5 and not _is_motto(ln)]
        recipients = next((ln for ln in lines if _RECIPIENTS.match(ln.text) and ln.text.lower().startswith("nơi")),
                          None)
        for i, ln in enumerate(right):
            is_auth = bool(_AUTHORITY.match(ln.text))
            caps = _upper_share(ln.text) > 0.9 and ln.bold and len(ln.text) <= 60
            if not (is_auth or (caps and recipients is not None and abs(ln.bbox[1] - recipients.bbox[1]) < 4 * ln.size)):
                continue
            auth: list[str] = []
            j = i
            while j < len(right) and _AUTHORITY.match(right[j].text):
                auth.append(right[j].text)
                j += 1
            titles: list[str] = []
            prev = right[j - 1] if auth else None
            while j < len(right) and _upper_share(right[j].text) > 0.9 and not _AUTHORITY.match(right[j].text) and (
                    prev is None or _gap(prev, right[j]) < settings.block_gap * right[j].size):
                titles.append(right[j].text)
                prev = right[j]
                j += 1
            name = None
            for k in range(j, min(j + 6, len(right))):
                t = fold_ws(right[k].text)
                if _NAME.match(t) and _upper_share(t) < 0.6:
                    name = t
                    break
            if not titles and not auth:
                continue
            if name is None and not auth:
                continue
            return Signer(" ".join(auth) or None, " ".join(titles) or None, name, ln.page)
    return None
