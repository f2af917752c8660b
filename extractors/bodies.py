"""Names of issuing bodies in mastheads: where a body's name starts, and its normal case.

"ỦY BAN NHÂN DÂN / TỈNH LÂM ĐỒNG" → "Ủy ban nhân dân tỉnh Lâm Đồng", "UBND" and "HĐND" expanded, the
old tone placement ("Uỷ", "hoà") moved to the modern one. Pure functions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from pipeline.core.text import fold_ws, nfc

# head words of a body's name: a masthead line starting with one opens a new body
ORG_HEADS = ("ỦY BAN", "UỶ BAN", "UBND", "HĐND", "HỘI ĐỒNG", "SỞ", "BỘ", "BAN", "CỤC", "TỔNG CỤC", "CHI CỤC",
              "VĂN PHÒNG", "PHÒNG", "TRUNG TÂM", "VIỆN", "TRƯỜNG", "BỆNH VIỆN", "CÔNG AN", "BỘ CHỈ HUY", "ĐẢNG",
              "TỈNH ỦY", "TỈNH UỶ", "THÀNH ỦY", "THÀNH UỶ", "HUYỆN ỦY", "HUYỆN UỶ", "ĐOÀN", "CHÍNH PHỦ", "QUỐC HỘI",
              "THỦ TƯỚNG", "CHỦ TỊCH", "KIỂM TOÁN", "TÒA ÁN", "TOÀ ÁN", "VIỆN KIỂM SÁT", "NGÂN HÀNG", "KHO BẠC",
              "THANH TRA", "CÔNG TY", "TỔNG CÔNG TY", "HỌC VIỆN", "ĐẠI HỌC", "LIÊN ĐOÀN", "HỘI", "QUỸ", "ĐÀI",
              "BÁO", "MẶT TRẬN", "ỦY BAN MẶT TRẬN", "BỘ TƯ LỆNH", "QUÂN KHU", "BAN QUẢN LÝ", "TỔ")


def starts_body(text: str) -> bool:
    t = fold_ws(nfc(text)).upper()
    return any(t == h or t.startswith(h + " ") for h in ORG_HEADS)


def upper_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0

# place-name levels after which the words are a proper name ("tỉnh Lâm Đồng", "xã Tân Hà")
LEVELS = ("thành phố trực thuộc trung ương", "thành phố", "tỉnh", "huyện", "quận", "thị xã", "thị trấn", "xã",
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


_EXPANSIONS = ((re.compile(r"\bUBND\b"), "Ủy ban nhân dân"), (re.compile(r"\bHĐND\b"), "Hội đồng nhân dân"),
               (re.compile(r"(?<=\w )TW$"), "trung ương"))  # "... LIÊN NGÀNH TW": central, closing a body's name


def normalize_body(raw: str | None) -> str | None:
    """A body's name in normal case, abbreviations UBND/HĐND (and a closing TW) expanded, modern tone placement:
    'UBND TỈNH LÂM ĐỒNG' → 'Ủy ban nhân dân tỉnh Lâm Đồng', 'UỶ BAN NHÂN DÂN THỊ XÃ BỈM SƠN' →
    'Ủy ban nhân dân thị xã Tân Hà'. The printed form is kept beside it (``*_raw``)."""
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
    if upper_share(s) < 0.9:
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
        level = next((lv for lv in LEVELS if rest == lv or rest.startswith(lv + " ")), None)
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
        head = next((h for h in ORG_HEADS if " ".join(out).upper().endswith(h)), None)
        cap_next = bool(head) and len(out) == len(head.split(" ")) and head not in ("HỘI", "ĐOÀN", "BÁO", "TỔ")
        if head in ("ỦY BAN", "UỶ BAN", "HỘI ĐỒNG") and len(out) == 2:
            cap_next = False  # "Ủy ban nhân dân", "Hội đồng thẩm định": the body's kind, not a field
        in_field = in_field or cap_next
        if in_field and low in ("và", "-", "–"):
            cap_next = True  # each field of a body's name is capitalised: "Tài nguyên và Môi trường"
        i += 1
    return " ".join(out)


def misread_name(lines: Sequence[Any]) -> bool:
    """OCR'd lines (``Line``) of a body's name with a word that is neither a Vietnamese syllable nor
    an abbreviation ("CÔNG ANTỈNHLÂMĐÔỎNG": spaces and a tone lost): not published as a name,
    left empty (the raw lines are kept). Lines of a text layer are never judged."""
    from extractors.vietnamese import syllable_stats

    if not any(getattr(ln, "is_ocr", False) for ln in lines):
        return False
    stats = syllable_stats(" ".join(ln.text for ln in lines))
    return stats.n_valid < stats.n_tokens


# heads whose name goes on with "NHÂN DÂN" before the place ("ỦY BAN NHÂN DÂN TỈNH …")
_PEOPLES = ("ỦY BAN", "UỶ BAN", "HỘI ĐỒNG")
# a province's letters may differ by one from the OCR's when it has this many (a tone mark read as a
# letter: "ĐỒNG" → "ĐÔỎNG") and no other province is one edit away too (Bình/Ninh Thuận, Kiên/Tiền
# Giang, Khánh/Thanh Hóa, Quảng Bình/Ninh are one edit apart: a letter between them decides nothing)
_MIN_FUZZY = 6


def resplit_name(raw: str | None) -> str | None:
    """An OCR'd body's name in capitals whose spaces (and some marks) were lost, spelt again from
    the vocabulary: "CÔNG ANTỈNHLÂMĐÔỎNG" → "CÔNG AN TỈNH LÂM ĐỒNG". Only a name whose letters,
    marks and spaces aside, are exactly one way a body head (``ORG_HEADS``, "ỦY BAN" with its
    "NHÂN DÂN"), a level word (``LEVELS``) and a province (``schemas/places.csv``; one letter may
    differ in a name of ``_MIN_FUZZY`` letters or more, when no other province is as near) — the
    name of a provincial body as ND 30/2020 prints it; anything else (a department's field, a name
    that splits two ways) gives None and stays unread."""
    from extractors.ocr_fixes import edit_distance, places
    from extractors.vietnamese import strip_marks

    if not raw or upper_share(raw) < 0.9:
        return None

    def key(s: str) -> str:
        return strip_marks(nfc(s)).upper().replace(" ", "")

    whole = key(raw)
    provinces = {key(name): name for name in places().values()}
    found: dict[str, str] = {}  # normal case → capitals: "ỦY BAN" and "UỶ BAN" are one name
    for head in ORG_HEADS:
        rest = whole[len(key(head)):] if whole.startswith(key(head)) else None
        if rest is None:
            continue
        name = head
        if head in _PEOPLES and rest.startswith(key("NHÂN DÂN")):
            name, rest = f"{head} NHÂN DÂN", rest[len(key("NHÂN DÂN")):]
        for level in LEVELS:
            place = rest[len(key(level)):] if rest.startswith(key(level)) else None
            if place is None:
                continue
            near = [k for k in provinces if k == place] or [
                k for k in provinces if len(place) >= _MIN_FUZZY and edit_distance(place, k, 1) <= 1]
            if len(near) == 1:
                spelt = f"{name} {level.upper()} {provinces[near[0]].upper()}"
                found.setdefault(normalize_body(spelt) or spelt, spelt)
    return next(iter(found.values())) if len(found) == 1 else None
