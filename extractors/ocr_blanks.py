"""A second look at the blanks of a scanned masthead that were filled in by hand or by a stamp.

The drafter types "Số:      /QĐ-UBND" and "Lâm Đồng, ngày    tháng    năm 2025"; the office fills
in the serial, the day (often the month) with a pen or a numbering stamp when the document is
signed. Tesseract, reading the whole page, reads those digits as noise ("Số: I#Œ/QĐ-UBND",
"ngày c2 tháng"), and the masthead reader then leaves the field empty. Here each such blank is cut
out of the page image between the typed words around it ("Số:" and "/QĐ-UBND"; "ngày", "tháng",
"năm", located by Tesseract's character boxes on the line alone) and read again for digits only,
at the page's resolution and magnified (``BlankSettings``). A reading replaces the noise only when
both reads give the same digits with enough confidence and the digits fit the line's grammar (a
serial of 1-5 digits, whose number's year, if it carries one, is the date line's year; a month
1-12; a day that exists in that month). Otherwise the line is left as read and the field stays
empty, with its warning: a wrong number is worse than none. For the same reason a serial that the
page's read did give as digits is checked: one of the two reads of its blank must give it again,
or it is marked doubtful ("Số: 96? /KH-…", the masthead then leaves it empty and warns; a stamped
"996" was read "96" on a cut of a real page). The day and month the page's read gave are not
checked that way: a single typed digit read alone is often read as nothing (measured: the typed
month "6" of a real decision, at both scales), which would empty right dates.

Pure apart from running Tesseract; called by ``extractors.ocr.ocr_image`` on every OCR'd page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np

from extractors.model import Line
from extractors.reader_settings import BlankSettings, OcrSettings

# the number line as OCR gives it: "Số: I#Œ/QĐ-UBND", "Số: 2'Ø/TTr-CAT-PC06", "Só:ØÓế` /KH-TCTLNTW-C04"
NUMBER_LINE = re.compile(r"^S[ốóôồổoò6ỗộ]\s*[:;.,]?\s*(?P<serial>[^/]{0,14}?)\s*(?P<code>/\s*[A-ZĐ0-9][\w/-]*)\s*$")
# the date line: "Lâm Đồng, ngày c2 tháng 9 năm 2025", "Hà Nội, ngày 44 tháng năm 2026"
DATE_LINE = re.compile(r"^(?P<place>[^,\d]{2,60}),\s*ngày\s*(?P<d>[^\s]*?)\s*tháng\s*(?P<m>[^\s]*?)\s*năm\s*(?P<y>\d{4})\s*$")
# "Số" as character boxes (no spaces): the serial's blank starts after it
_SO = re.compile(r"^S[ốóôồổoò6ỗộ][:;.,]?")
_LINES_LOOKED_AT = 30  # the masthead sits in the first lines of a page
# a line is cut out with this margin around Tesseract's box (shares of the line's height: accents
# above, descenders and a stamped digit standing taller than the typed text)
_MARGIN_X, _MARGIN_Y = 0.4, 0.35
_CLEARANCE_PX = 2  # a blank is narrowed by this much each side, clear of the typed glyphs' edges
_N_WIDTHS = 1.1  # the month's blank ends this many "n" widths before the "ă" of "năm"


def _valid_serial(s: str) -> bool:
    return re.fullmatch(r"\d{1,5}", s) is not None


def _valid_month(s: str) -> bool:
    return s.isdigit() and 1 <= int(s) <= 12


def _valid_day(d: str, m: str | None, y: int) -> bool:
    if not d.isdigit() or not 1 <= int(d) <= 31:
        return False
    if m is None or not _valid_month(m):
        return True
    try:
        date(y, int(m), int(d))
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Tesseract on a line and on a blank
# ---------------------------------------------------------------------------------------------

def char_boxes(img: np.ndarray, s: OcrSettings) -> list[tuple[str, int, int]]:
    """(character, x0, x1) of one text line read alone (psm 7), left to right."""
    import pytesseract

    out = []
    rows = pytesseract.image_to_boxes(img, lang=s.languages, config=f"--oem {s.oem} --psm 7", timeout=s.timeout_s)
    for row in rows.splitlines():
        parts = row.split(" ")
        if len(parts) >= 5 and parts[0]:
            out.append((parts[0], int(parts[1]), int(parts[3])))
    return out


def read_digits(img: np.ndarray, s: OcrSettings) -> tuple[str, float]:
    """Digits of a blank (one line, digits only) and the lowest word confidence (0-100)."""
    import cv2
    import pytesseract

    pad = max(10, img.shape[0] // 3)
    img = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    data = pytesseract.image_to_data(img, lang=s.languages,
                                     config=f"--oem {s.oem} --psm 7 -c tessedit_char_whitelist=0123456789",
                                     timeout=s.timeout_s, output_type=pytesseract.Output.DICT)
    words = [(t.strip(), float(c)) for t, c in zip(data["text"], data["conf"], strict=True) if t and t.strip()]
    if not words:
        return "", 0.0
    return "".join(t for t, _ in words), min(c for _, c in words)


def has_digit_ink(img: np.ndarray, level: float, line_height: int, b: BlankSettings) -> bool:
    """Does the blank hold a blob darker than ``level`` (the line's ink: Otsu's level over the
    whole line) as tall as a digit (not paper grain, nor the dots or dashes of an empty blank)?"""
    import cv2

    if img.size == 0:
        return False
    ink = np.where(img < level, 255, 0).astype(np.uint8)
    n, _labels, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return any(stats[i, cv2.CC_STAT_HEIGHT] >= b.min_digit_height * line_height for i in range(1, n))


def blank_reads(img: np.ndarray, level: float, line_height: int, s: OcrSettings) -> list[tuple[str, float]] | None:
    """The blank read at 1x and at ``upscale`` (digits, lowest confidence), or None when it holds
    no digit-sized ink."""
    import cv2

    if not has_digit_ink(img, level, line_height, s.blanks):
        return None
    big = cv2.resize(img, None, fx=s.blanks.upscale, fy=s.blanks.upscale, interpolation=cv2.INTER_CUBIC)
    return [read_digits(img, s), read_digits(big, s)]


def reread_blank(img: np.ndarray, level: float, line_height: int, s: OcrSettings) -> tuple[str, float] | None:
    """The digits in a blank when both reads (1x, ``upscale``) agree with enough confidence."""
    reads = blank_reads(img, level, line_height, s)
    if not reads:
        return None
    (first, c1), (second, c2) = reads
    if not first or first != second or min(c1, c2) < s.blanks.min_conf:
        return None
    return first, min(c1, c2)


# ---------------------------------------------------------------------------------------------
# where the blanks are on a line
# ---------------------------------------------------------------------------------------------

def serial_blank(chars: Sequence[tuple[str, int, int]], code: str = "") -> tuple[int, int] | None:
    """x-range between "Số:" and the "/" that opens the code ("/QĐ-UBND"), or None. Where the
    slash itself was not read (merged into the serial's noise), the blank ends an "S" width before
    the code's own letters (``code``, as the page's read gave it)."""
    text = "".join(c for c, _, _ in chars)
    m = _SO.match(text)
    if not m:
        return None
    # a stamped serial touching the colon ("Số:996") is boxed with it: the blank starts half an
    # "S" after the last mark's left edge when that box is wider than the "S"
    _c, x0, x1 = chars[m.end() - 1]
    s_width = chars[0][2] - chars[0][1]
    left = x1 if x1 - x0 <= s_width else x0 + s_width // 2
    slash = [i for i, c in enumerate(text) if c == "/" and i >= m.end()
             and re.fullmatch(r"/[A-ZĐ0-9][\w/Đđ-]*", text[i:])]
    if slash:
        return left, chars[slash[0]][1]
    letters = code.lstrip("/")
    at = text.rfind(letters) if len(letters) >= 2 else -1
    if at >= m.end() and at + len(letters) == len(text):
        return left, chars[at][1] - s_width
    return None


def date_blanks(chars: Sequence[tuple[str, int, int]]) -> dict[str, tuple[int, int]]:
    """x-ranges of the day (between "ngày" and "tháng") and the month (between "tháng" and
    "năm"). The boxes of letters touching a filled-in digit swallow it ("n" of "năm" under "02"):
    the month's blank ends one "n" width before the "ă"."""
    text = "".join(c for c, _, _ in chars)
    a = text.find("ngày")
    t = text.find("tháng", a + 4 if a >= 0 else 0)
    n = text.find("ăm", t + 5 if t >= 0 else 0)
    out = {}
    if a >= 0 and t > a:
        out["d"] = (chars[a + 3][2], chars[t][1])
    if t >= 0 and n > t:
        n_width = chars[t + 3][2] - chars[t + 3][1]  # the "n" of "tháng"
        out["m"] = (chars[t + 4][2], chars[n][1] - round(_N_WIDTHS * n_width))
    return out


# ---------------------------------------------------------------------------------------------
# the page
# ---------------------------------------------------------------------------------------------

def _line_crop(gray: np.ndarray, ln: Line, px_per_pt: float) -> tuple[np.ndarray, float, int]:
    """The line's pixels with a margin, the line's ink level (Otsu) and its height in pixels."""
    import cv2

    x0, y0, x1, y1 = (int(round(v * px_per_pt)) for v in ln.bbox)
    h = max(1, y1 - y0)
    padx, pady = int(_MARGIN_X * h), int(_MARGIN_Y * h)
    crop = np.ascontiguousarray(gray[max(0, y0 - pady):y1 + pady, max(0, x0 - padx):x1 + padx])
    level = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0] if crop.size else 0.0
    return crop, float(level), h


def _blank(crop: np.ndarray, span: tuple[int, int]) -> np.ndarray:
    x0, x1 = span[0] + _CLEARANCE_PX, span[1] - _CLEARANCE_PX
    return crop[:, max(0, x0):max(0, x1)]


def reread_blanks(gray: np.ndarray, lines: Sequence[Line], px_per_pt: float, s: OcrSettings) -> list[Line]:
    """``lines`` with the number line and the date line of the page's masthead read again where
    their hand-filled digits were not legible (module docstring). Other lines are returned as they
    were; a blank that cannot be read surely leaves its line as the first read gave it."""
    if not s.blanks.enabled:
        return list(lines)
    out = list(lines)
    head = range(min(len(out), _LINES_LOOKED_AT))
    date_i = next((i for i in head if DATE_LINE.match(out[i].text)), None)
    year = int(DATE_LINE.match(out[date_i].text)["y"]) if date_i is not None else None  # type: ignore[index]
    if date_i is not None:
        out[date_i] = _reread_date(gray, out[date_i], px_per_pt, s)
    num_i = next((i for i in head if NUMBER_LINE.match(out[i].text)), None)
    if num_i is not None:
        out[num_i] = _reread_number(gray, out[num_i], px_per_pt, s, year)
    return out


def _reread_number(gray: np.ndarray, ln: Line, px_per_pt: float, s: OcrSettings, year: int | None) -> Line:
    """The number line with its serial read again when the page's read left it illegible; a
    serial the page's read gave as digits must be read the same again in its blank alone (a
    handwritten "996" was read "96" on the page), or it is marked doubtful ("Số: 96? /KH-…": the
    masthead then leaves the number empty and warns)."""
    m = NUMBER_LINE.match(ln.text)
    assert m is not None
    serial, code = m["serial"], re.sub(r"\s+", "", m["code"])
    if not serial.strip(" .…_"):  # a blank left empty on the form
        return ln
    years = re.findall(r"/((?:19|20)\d\d)/", code + "/")
    if years and year is not None and int(years[0]) != year:  # "12/2021/QĐ-UBND" dated 2021
        return ln
    crop, level, h = _line_crop(gray, ln, px_per_pt)
    span = serial_blank(char_boxes(crop, s), code)
    if span is None:
        return ln
    if _valid_serial(serial):
        reads = blank_reads(_blank(crop, span), level, h, s)
        if reads is None or any(r == serial and c >= s.blanks.min_conf for r, c in reads):
            return ln
        return replace(ln, text=ln.text[:m.start("serial")] + serial + "?" + ln.text[m.end("serial"):])
    got = reread_blank(_blank(crop, span), level, h, s)
    if got is None or not _valid_serial(got[0]):
        return ln
    conf = min(ln.confidence if ln.confidence is not None else 1.0, got[1] / 100.0)
    return replace(ln, text=f"Số: {got[0]}{code}", confidence=round(conf, 3))


def _reread_date(gray: np.ndarray, ln: Line, px_per_pt: float, s: OcrSettings) -> Line:
    m = DATE_LINE.match(ln.text)
    assert m is not None
    day, month, year = m["d"], m["m"], int(m["y"])
    need = {k for k, ok in (("d", _valid_day(day, month if _valid_month(month) else None, year)),
                             ("m", _valid_month(month))) if not ok}
    if not need:
        return ln
    crop, level, h = _line_crop(gray, ln, px_per_pt)
    spans = date_blanks(char_boxes(crop, s))
    got: dict[str, str] = {}
    conf = ln.confidence if ln.confidence is not None else 1.0
    for k in sorted(need):
        if k not in spans:
            continue
        r = reread_blank(_blank(crop, spans[k]), level, h, s)
        if r is not None:
            got[k], conf = r[0], min(conf, r[1] / 100.0)
    d, mo = got.get("d", day), got.get("m", month)
    if not got or ("m" in got and not _valid_month(mo)) or ("d" in got and not _valid_day(d, None, year)):
        return ln
    if _valid_month(mo) and d.isdigit() and not _valid_day(d, mo, year):  # "31" in a month of 30 days
        return ln
    return replace(ln, text=f"{m['place']}, ngày {d} tháng {mo} năm {year}", confidence=round(conf, 3))
