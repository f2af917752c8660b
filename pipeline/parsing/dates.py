"""Pure parsers for Vietnamese dates, effective-date clauses and plan time frames
(docs/DOMAIN.md §1, §6 "Dates and periods"). No function here raises on any string input."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = ["TimeFrame", "find_effective_date", "parse_time_frame", "parse_vn_date"]

_MIN_YEAR, _MAX_YEAR = 1900, 2200


def _norm(text: str) -> str:
    s = unicodedata.normalize("NFC", text if isinstance(text, str) else "").replace("\ufffd", "")
    s = re.sub(r"</?[A-Za-z][^<>]{0,200}>", " ", s)  # HTML leftovers (<p>, <br>)
    return " ".join(s.split())


def _date(y: int, m: int, d: int) -> date | None:
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_end(y: int, m: int) -> date | None:
    if not (1 <= m <= 12 and _MIN_YEAR <= y <= _MAX_YEAR):
        return None
    return date(y, m, calendar.monthrange(y, m)[1])


_WORDY = re.compile(r"ngày\s+0?(\d{1,2})\s+tháng\s+0?(\d{1,2})\s*,?\s+năm\s+(\d{4})", re.IGNORECASE)
_NUMERIC = re.compile(r"(?<![\d/.])(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?![\d/])")


def parse_vn_date(text: str) -> date | None:
    """The first full date in ``text``: "ngày 11 tháng 11 năm 2022", "ngày 03/3/2021", "11/11/2022".
    A date with a blank part (drafts: "ngày tháng 5 năm 2026", "ngày /7/2025") → None."""
    s = _norm(text)
    candidates = []
    for rx in (_WORDY, _NUMERIC):
        if m := rx.search(s):
            candidates.append((m.start(), int(m[3]), int(m[2]), int(m[1])))
    for _, y, mo, d in sorted(candidates):
        if (dt := _date(y, mo, d)) is not None:
            return dt
    return None


_EFFECTIVE = re.compile(r"có\s+hiệu\s+lực(?:\s+thi\s+hành)?\s+(?:kể\s+)?từ\s+ngày\s*(?P<rest>.{0,60})", re.IGNORECASE)


def find_effective_date(text: str) -> date | None:
    """The date of the "có hiệu lực (thi hành) kể từ ngày …" clause, or None.

    "có hiệu lực kể từ ngày ký" → None: the date is the signing date, which this clause does not
    print; the caller takes it from the place-and-date line (a context-free parser cannot)."""
    s = _norm(text)
    for m in _EFFECTIVE.finditer(s):
        rest = m["rest"]
        if re.match(r"ký\b", rest, re.IGNORECASE):
            return None
        if (dt := parse_vn_date("ngày " + rest)) is not None:
            return dt
    return None


@dataclass(frozen=True)
class TimeFrame:
    """A plan time column as an inclusive [start, end] date span; parsed False when the text is
    not a calendar span ("Thường xuyên", "Hàng năm"), with start/end None and raw kept."""

    raw: str
    start: date | None
    end: date | None
    parsed: bool


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_Q = r"(i{1,3}|iv|[1-4])"
_Y = r"(\d{4})"
_M = r"0?(\d{1,2})"

_TF_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # "Từ tháng 04 đến tháng 12 hàng năm (2018-2020)"
    ("months_years", re.compile(rf"từ tháng {_M} đến tháng {_M}(?: hàng năm| hằng năm)?,? \(?(?:năm )?{_Y} ?[-–] ?{_Y}\)?")),
    ("month_range", re.compile(rf"(?:tháng |t)?{_M} ?[-–] ?(?:tháng |t)?{_M} ?/ ?{_Y}")),  # "Tháng 3-T8/2019"
    ("month_span", re.compile(rf"(?:tháng |t)?{_M} ?/ ?{_Y} ?[-–] ?(?:tháng |t)?{_M} ?/ ?{_Y}")),  # "6/2018-12/2018"
    ("month", re.compile(rf"(?:tháng |t)?{_M} ?/ ?{_Y}|tháng {_M} năm {_Y}")),  # "Tháng 7/2025"
    ("quarters", re.compile(rf"qu[ýíy] {_Q}(?: ?[-–] ?(?:qu[ýíy] )?{_Q})? ?(?:/|năm) ?{_Y}")),  # "Quý III-IV/2025"
    ("years", re.compile(rf"(?:năm |giai đoạn )?{_Y} ?[-–] ?(?:năm )?{_Y}")),  # "2026 - 2030"
    ("year", re.compile(rf"(?:năm )?{_Y}")),  # "Năm 2025", "2026"
]


def _q(tok: str) -> int:
    return int(tok) if tok.isdigit() else _ROMAN[tok]


def _span(kind: str, g: tuple[str | None, ...]) -> tuple[date | None, date | None]:
    if kind == "months_years":
        m1, m2, y1, y2 = (int(x or 0) for x in g)
        return _date(y1, m1, 1) if 1 <= m1 <= 12 else None, _month_end(y2, m2)
    if kind == "month_range":
        m1, m2, y = (int(x or 0) for x in g)
        return (_date(y, m1, 1) if 1 <= m1 <= 12 else None), _month_end(y, m2)
    if kind == "month_span":
        m1, y1, m2, y2 = (int(x or 0) for x in g)
        return (_date(y1, m1, 1) if 1 <= m1 <= 12 else None), _month_end(y2, m2)
    if kind == "month":
        m, y = (int(x) for x in ((g[0], g[1]) if g[0] else (g[2], g[3])))  # type: ignore[arg-type]
        return (_date(y, m, 1) if 1 <= m <= 12 else None), _month_end(y, m)
    if kind == "quarters":
        q1 = _q(g[0] or "")
        q2 = _q(g[1]) if g[1] else q1
        y = int(g[2] or 0)
        return _date(y, 3 * q1 - 2, 1), _month_end(y, 3 * q2)
    if kind == "years":
        return _date(int(g[0] or 0), 1, 1), _date(int(g[1] or 0), 12, 31)
    y = int(g[0] or 0)
    return _date(y, 1, 1), _date(y, 12, 31)


def parse_time_frame(raw: str) -> TimeFrame:
    """"Tháng 7/2025" → July 2025; "Quý III-IV/2025" → 2025-07-01..2025-12-31; "Năm 2025", "2026";
    "2026 - 2030"; "6/2018-12/2018"; "Tháng 3-T8/2019"; "Từ tháng 04 đến tháng 12 hàng năm
    (2018-2020)" → 2018-04-01..2020-12-31 (the overall span of a recurring window).
    "Thường xuyên", "Hàng năm", stacked lists ("Năm 2018 Năm 2019") → parsed False."""
    raw_s = raw if isinstance(raw, str) else ""
    failed = TimeFrame(raw_s, None, None, False)
    try:
        t = _norm(raw_s).lower().rstrip(".;, ")
        for kind, rx in _TF_PATTERNS:
            if m := rx.fullmatch(t):
                start, end = _span(kind, m.groups())
                if start is None or end is None or start > end:
                    return failed
                return TimeFrame(raw_s, start, end, True)
    except Exception:
        return failed
    return failed
