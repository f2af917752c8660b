"""Pure parsers for printed values: numbers, ranges, comparators, products, money, scale labels
and basis lines (docs/DOMAIN.md §2.3, §2.5, §6).

Nothing is coerced silently: every result keeps the raw text exactly, and a form that is not
understood comes back as kind "unparsed" with a ``problem``, never as a guess. No function here
raises on any string input.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal

from pipeline.core.vocabulary import BASIS_MARKER_ANY_CASE

__all__ = [
    "ParsedValue", "Scale", "clean_text", "parse_basis", "parse_money_vnd", "parse_number",
    "parse_scale_label", "parse_value",
]

# ---- numbers ---------------------------------------------------------------------------------

_MAX_NUMBER_LEN = 64  # longer digit strings are not table numbers: reported as "not a number"
_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?")  # 1.200 / 39.340.000,00
_PLAIN = re.compile(r"[0-9]+(?:,[0-9]+)?")  # 1500 / 0,35 / 05
_DOT_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")  # 1.5 / 6.4 / 0.35 (single dot, not a thousands group)


def parse_number(s: str) -> Decimal | None:
    """A Vietnamese-printed number, exactly, or None.

    "1.200" → 1200, "0,35" → 0.35, "39.340.000,00" → 39340000.00, "05" → 5, "1500" → 1500.
    A dot followed by exactly three digits (and only groups of three) is a thousands separator,
    so "1.000" is one thousand; any other single dot is a decimal point ("1.5", "6.4", "0.5").
    A leading group of zeros ("0.350") cannot start a thousands group, so that dot is decimal.

    Babel's ``parse_decimal(locale="vi", strict=True)`` handles the standard forms (thousands
    dot, decimal comma). It cannot handle the decimal *point* some converters print ("1.5" is
    rejected as malformed), and it accepts things a table cell never means (exponents "1e5",
    non-ASCII digits), so the shape is checked here first and the dot-decimal form is by hand.
    """
    if not isinstance(s, str):
        return None
    t = unicodedata.normalize("NFC", s).strip().replace("\u00a0", "")
    sign = ""
    if t[:1] in ("-", "+", "\u2212"):
        sign, t = ("-" if t[0] != "+" else ""), t[1:].lstrip()
    if not t or len(t) > _MAX_NUMBER_LEN:
        return None
    if _GROUPED.fullmatch(t) and t.split(".", 1)[0].strip("0") == "" and "," not in t and t.count(".") == 1:
        return Decimal(sign + t)  # "0.350": a zero cannot lead a thousands group → decimal point
    if _GROUPED.fullmatch(t) or _PLAIN.fullmatch(t):
        try:
            d = parse_decimal(t, locale="vi", strict=True)
        except (NumberFormatError, InvalidOperation, ValueError):
            return None
        return -d if sign == "-" else d
    if _DOT_DECIMAL.fullmatch(t):
        return Decimal(sign + t)
    return None


def parse_money_vnd(raw: str) -> Decimal | None:
    """Exact đồng from "16.671.771.000", "39.340.000,00", "0" (optionally followed by đ/đồng/VNĐ).

    Only the money forms are accepted (thousands dot, decimal comma); a dot-decimal such as "1.5"
    is not a đồng amount and gives None. Never float."""
    if not isinstance(raw, str):
        return None
    t = clean_text(raw)
    t = re.sub(r"\s*(?:đồng|đ|vnđ|vnd)$", "", t, flags=re.IGNORECASE).strip()
    if not (_GROUPED.fullmatch(t) or _PLAIN.fullmatch(t)):
        return None
    return parse_number(t)


# ---- cleaning --------------------------------------------------------------------------------

_LATEX_CMD = re.compile(r"\\(geqslant|geq|ge|leqslant|leq|le|approx|simeq|times|%|,|;|!)(?![A-Za-z])")
_LATEX_MAP = {"geqslant": "≥", "geq": "≥", "ge": "≥", "leqslant": "≤", "leq": "≤", "le": "≤",
              "approx": "≈", "simeq": "≃", "times": "x", "%": "%", ",": " ", ";": " ", "!": ""}
_LATEX_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")


def clean_text(raw: str) -> str:
    """NFC; drop U+FFFD, control/format characters, HTML tags and LaTeX wrappers
    ("$\\geq 5,5$" → "≥ 5,5", "$\\frac{1}{4}$" → "1/4"); one space between words."""
    s = unicodedata.normalize("NFC", raw if isinstance(raw, str) else "")
    s = s.replace("\ufffd", "")
    s = _HTML_TAG.sub(" ", s)
    s = _LATEX_FRAC.sub(r"\1/\2", s)
    s = _LATEX_CMD.sub(lambda m: _LATEX_MAP[m.group(1)], s)
    s = s.replace("$", "").replace(">=", "≥").replace("<=", "≤").replace("⩾", "≥").replace("⩽", "≤")
    s = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch for ch in s)
    return unicodedata.normalize("NFC", " ".join(s.split()))


# ---- values ----------------------------------------------------------------------------------

_NUM = r"[0-9]+(?:[.,][0-9]+)*"
_CMP = r"(?P<cmp>≤|≥|<|>|≈|≃|~)"
_CMP_CODES = {"≤": "<=", "≥": ">=", "<": "<", ">": ">", "≈": "~=", "≃": "~=", "~": "~="}
_DASH = r"[-–—]"
_REST = r"(?P<rest>[^0-9.,/\s\-–—].*)?"  # words/units after the number: must not start like a number

_RANGE_RE = re.compile(rf"(?:{_CMP}\s*)?(?P<a>{_NUM})\s*(?P<pa>%)?\s*{_DASH}\s*(?P<b>{_NUM})\s*(?P<pb>%)?\s*{_REST}")
_PRODUCT_RE = re.compile(rf"(?P<f>{_NUM}(?:\s*[x×X*]\s*{_NUM})+)\s*{_REST}")
_PRODUCT_UNITS_RE = re.compile(
    rf"(?P<a>{_NUM})\s*(?P<ua>[^\W\d_]+)\s*[x×X*]\s*(?P<b>{_NUM})\s*(?P<ub>[^\W\d_]+)")  # "1,2 m x 0,8 m"
_FRACTION_RE = re.compile(r"(?P<a>[0-9]+)\s*/\s*(?P<b>[0-9]+)")
_SINGLE_RE = re.compile(rf"(?:{_CMP}\s*)?(?P<a>{_NUM})\s*{_REST}")
_MULTI_TOKEN_RE = re.compile(rf"{_NUM}%?(?:{_DASH}{_NUM}%?)?")
_NA = {"-", "–", "—", "--", "---"}
_MARKS = {"x", "X", "×"}


@dataclass(frozen=True)
class ParsedValue:
    """One printed value. ``raw`` is exactly the input; text fields are NFC.

    kinds: number, range, comparator, product, fraction, percent, text, blank, not_applicable
    ("-"), mark ("x"), multi (packed values, see ``parts``), unparsed (``problem`` says why).
    A comparator sets value and the bound it implies (≤/< → value_max, ≥/> → value_min); a range
    sets value_min/value_max and may carry a comparator ("≥ 5-10%"); a product or fraction keeps
    its operands in ``factors``; ``unit_hint`` keeps "%" and any words printed after the number.
    """

    raw: str
    kind: str
    value: Decimal | None
    value_min: Decimal | None
    value_max: Decimal | None
    comparator: str | None
    factors: tuple[Decimal, ...] | None
    text: str | None
    unit_hint: str | None
    parsed: bool
    problem: str | None
    parts: tuple[ParsedValue, ...] = ()


def _pv(raw: str, kind: str, *, value: Decimal | None = None, vmin: Decimal | None = None,
        vmax: Decimal | None = None, cmp: str | None = None, factors: tuple[Decimal, ...] | None = None,
        text: str | None = None, unit: str | None = None, parsed: bool = True, problem: str | None = None,
        parts: tuple[ParsedValue, ...] = ()) -> ParsedValue:
    return ParsedValue(raw, kind, value, vmin, vmax, cmp, factors, text, unit or None, parsed, problem, parts)


def _unit_hint(pct: bool, rest: str | None) -> str | None:
    rest = (rest or "").strip() or None
    if pct:
        return "%" if rest is None else f"% {rest}"
    return rest


def _bad(raw: str, text: str, problem: str) -> ParsedValue:
    return _pv(raw, "unparsed", text=text, parsed=False, problem=problem)


def _parse(raw: str) -> ParsedValue:
    text = clean_text(raw)
    t = text.rstrip(".;,: ")
    if not t:
        return _pv(raw, "blank", text=text or None)
    if t in _NA:
        return _pv(raw, "not_applicable", text=text)
    if t in _MARKS:
        return _pv(raw, "mark", text=text)

    if m := _RANGE_RE.fullmatch(t):
        a, b = parse_number(m["a"]), parse_number(m["b"])
        if a is None or b is None:
            return _bad(raw, text, "bad_number")
        cmp = _CMP_CODES[m["cmp"]] if m["cmp"] else None
        problem = "range_min_greater_than_max" if a > b else None
        return _pv(raw, "range", vmin=a, vmax=b, cmp=cmp, text=text,
                   unit=_unit_hint(bool(m["pa"] or m["pb"]), m["rest"]), problem=problem)

    if m := _PRODUCT_RE.fullmatch(t):
        nums = [parse_number(x) for x in re.split(r"\s*[x×X*]\s*", m["f"])]
        if any(n is None for n in nums):
            return _bad(raw, text, "bad_number")
        factors = tuple(n for n in nums if n is not None)
        return _pv(raw, "product", value=math.prod(factors, start=Decimal(1)), factors=factors, text=text,
                   unit=_unit_hint(False, m["rest"]))

    if m := _PRODUCT_UNITS_RE.fullmatch(t):
        a, b = parse_number(m["a"]), parse_number(m["b"])
        if a is None or b is None:
            return _bad(raw, text, "bad_number")
        return _pv(raw, "product", value=a * b, factors=(a, b), text=text, unit=f"{m['ua']} x {m['ub']}")

    if m := _FRACTION_RE.fullmatch(t):
        a, b = Decimal(int(m["a"])), Decimal(int(m["b"]))
        if b == 0:
            return _bad(raw, text, "fraction_zero_denominator")
        return _pv(raw, "fraction", value=a / b, factors=(a, b), text=text)

    if m := _SINGLE_RE.fullmatch(t):
        n = parse_number(m["a"])
        if n is None:
            return _bad(raw, text, "bad_number")
        rest = m["rest"] or ""
        pct = rest.startswith("%")
        unit = _unit_hint(pct, rest[1:] if pct else rest)
        if m["cmp"]:
            cmp = _CMP_CODES[m["cmp"]]
            return _pv(raw, "comparator", value=n, vmin=n if cmp in (">=", ">") else None,
                       vmax=n if cmp in ("<=", "<") else None, cmp=cmp, text=text, unit=unit)
        return _pv(raw, "percent" if pct and unit == "%" else "number", value=n, text=text, unit=unit)

    tokens = t.split(" ")
    if len(tokens) > 1 and all(_MULTI_TOKEN_RE.fullmatch(tok) for tok in tokens):
        parts = tuple(_parse(tok) for tok in tokens)
        ok = all(p.parsed and p.problem is None for p in parts)
        return _pv(raw, "multi", text=text, parts=parts, parsed=ok, problem=None if ok else "bad_part")

    if t[0].isalpha():
        return _pv(raw, "text", text=text)  # a legitimate text norm ("Theo thực tế")
    return _bad(raw, text, "unrecognized_form")


def parse_value(raw: str) -> ParsedValue:
    """Parse one printed value (DOMAIN §6). Never raises; ``raw`` is kept exactly."""
    if not isinstance(raw, str):
        return _pv(str(raw), "unparsed", parsed=False, problem="not_a_string")
    try:
        return _parse(raw)
    except Exception as e:  # defensive: a parser bug must flag the cell, not stop the run
        return _pv(raw, "unparsed", parsed=False, problem=f"internal_error: {type(e).__name__}")


# ---- scale labels (DOMAIN §2.5) ----------------------------------------------------------------

@dataclass(frozen=True)
class Scale:
    """A scale column label as {min, max, open_min, open_max}; ``parsed`` False when not understood."""

    raw: str
    min: Decimal | None
    max: Decimal | None
    open_min: bool
    open_max: bool
    unit: str | None
    parsed: bool = True


_SCALE_RE = re.compile(
    rf"(?P<lo>trên|từ|hơn|>|≥)?\s*(?P<a>{_NUM})\s*(?P<pa>%)?"
    rf"(?:\s*(?:đến|{_DASH})\s*(?P<b>{_NUM})\s*(?P<pb>%)?)?\s*(?P<unit>[^0-9.,\s].*)?", re.IGNORECASE)
_SCALE_MAX_RE = re.compile(
    rf"(?P<hi>đến|dưới|tối đa|không quá|<|≤)\s*(?P<b>{_NUM})\s*(?P<pb>%)?\s*(?P<unit>[^0-9.,\s].*)?", re.IGNORECASE)


def parse_scale_label(label: str) -> Scale:
    """"200-300 đại biểu" → [200, 300]; ">50-100 thí sinh" → (50, 100]; "< 50 sản phẩm dự thi" →
    (-, 50); "Đến 30%" → [-, 30]; "Trên 30% đến 50%" → (30, 50]; "Trên 70%" → (70, -); "05 phút" → [5, 5]."""
    raw = label if isinstance(label, str) else ""
    t = clean_text(raw).rstrip(".;,: ")
    unparsed = Scale(raw, None, None, False, False, None, parsed=False)
    try:
        if m := _SCALE_MAX_RE.fullmatch(t):
            b = parse_number(m["b"])
            if b is None:
                return unparsed
            hi = m["hi"].lower()
            return Scale(raw, None, b, False, hi in ("dưới", "<"), _unit_hint(bool(m["pb"]), m["unit"]))
        if m := _SCALE_RE.fullmatch(t):
            a = parse_number(m["a"])
            b = parse_number(m["b"]) if m["b"] else None
            if a is None or (m["b"] and b is None):
                return unparsed
            lo = (m["lo"] or "").lower()
            unit = _unit_hint(bool(m["pa"] or m["pb"]), m["unit"])
            open_min = lo in ("trên", "hơn", ">")
            if b is None and lo:  # "Trên 70%": lower bound only
                return Scale(raw, a, None, open_min, False, unit)
            return Scale(raw, a, a if b is None else b, open_min, False, unit)
    except Exception:
        return unparsed
    return unparsed


# ---- basis lines (DOMAIN §2.3) -----------------------------------------------------------------

# the basis markers of schemas/vocabulary.yaml in any case, and a bare "đơn vị" when a colon follows
_BASIS_PREFIX = re.compile(rf"(?:{BASIS_MARKER_ANY_CASE}|đơn vị(?=\s*:))\s*:?\s*", re.IGNORECASE)
_BASIS_BODY = re.compile(rf"(?:(?:mh|mô hình)\s+(?=[0-9]))?(?P<n>{_NUM})\s*(?P<unit>.*)", re.IGNORECASE)
_PAREN_ONLY = re.compile(rf"\(\s*(?P<body>{_NUM}\s*[^\W\d_].*)\)")


def _cut_unbalanced(s: str) -> str:
    depth = 0
    for i, ch in enumerate(s):
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return s[:i]
            depth -= 1
    return s


def parse_basis(text: str) -> tuple[Decimal | None, str | None]:
    """The basis ("Tính cho", "ĐVT", "Đơn vị tính") of a sub-table → (quantity, unit as printed).

    "Tính cho: 01 ha" → (1, "ha"); "ĐVT: 1 mô hình (20ha)" → (1, "mô hình (20ha)");
    "tính cho 0.1 ha/vụ" → (0.1, "ha/vụ"); "(01 ha cho 1 mô hình)" → (1, "ha cho 1 mô hình").
    Decision: "Tính cho: MH 50 ha" → (50, "ha"): the model is named by its area, so the basis is
    50 ha (the caller keeps the raw line, which still says "MH"). No basis found → (None, None);
    a basis word with a colon but no number ("ĐVT: ha") → (None, "ha").
    """
    try:
        t = clean_text(text)
        candidates = [(m.group().rstrip().endswith(":"), t[m.end():]) for m in _BASIS_PREFIX.finditer(t)]
        if not candidates and (p := _PAREN_ONLY.search(t)):
            candidates = [(False, p["body"])]
        for has_colon, tail in candidates:
            rest = _cut_unbalanced(tail).strip().rstrip(".;,: ").strip()
            b = _BASIS_BODY.fullmatch(rest)
            n = parse_number(b["n"]) if b else None
            if b and n is not None:
                return n, b["unit"].strip() or None
            if has_colon and rest:  # "ĐVT: ha": a basis word without a number
                return None, rest
        return None, None
    except Exception:
        return None, None
