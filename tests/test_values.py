"""pipeline.parsing.values: every value form of docs/DOMAIN.md §6, scale labels (§2.5), basis lines (§2.3)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.parsing.values import parse_basis, parse_money_vnd, parse_number, parse_scale_label, parse_value

D = Decimal

# ---- parse_number ------------------------------------------------------------------------------

NUMBERS = [
    ("1.200", D("1200")), ("60.000", D("60000")), ("1.000.000", D("1000000")),
    ("16.671.771.000", D("16671771000")), ("0,35", D("0.35")), ("5,9", D("5.9")), ("2,45", D("2.45")),
    ("39.340.000,00", D("39340000.00")), ("05", D("5")), ("06", D("6")), ("09", D("9")), ("03", D("3")),
    ("1.5", D("1.5")), ("6.4", D("6.4")), ("11.1", D("11.1")), ("4.2", D("4.2")), ("3.5", D("3.5")),
    ("0.5", D("0.5")), ("1.000", D("1000")), ("1500", D("1500")), ("0", D("0")), (" 12 ", D("12")),
    ("0.350", D("0.350")), ("1.2345", D("1.2345")),
]
NOT_NUMBERS = ["", " ", "abc", "1.234.5", "12.34.5", "1,2,3", "1e5", "١٢", "1.000.", ".5", "5.", "1 000", "x", "-"]


@pytest.mark.parametrize(("raw", "expected"), NUMBERS)
def test_parse_number(raw: str, expected: Decimal) -> None:
    got = parse_number(raw)
    assert got == expected and isinstance(got, Decimal)


def test_parse_number_keeps_exponent_of_money() -> None:
    assert str(parse_number("39.340.000,00")) == "39340000.00"


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_parse_number_rejects(raw: str) -> None:
    assert parse_number(raw) is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("16.671.771.000", D("16671771000")), ("39.340.000,00", D("39340000.00")), ("0", D("0")),
    ("12.492.201.000", D("12492201000")), ("2.287.360.000 đ", D("2287360000")), ("103.000.000 đồng", D("103000000")),
])
def test_parse_money_vnd(raw: str, expected: Decimal) -> None:
    got = parse_money_vnd(raw)
    assert isinstance(got, Decimal) and got == expected


@pytest.mark.parametrize("raw", ["1.5", "abc", "", "1.234.5", "7 0"])
def test_parse_money_vnd_rejects(raw: str) -> None:
    assert parse_money_vnd(raw) is None


def test_money_totals_reconcile_exactly() -> None:
    """DOMAIN §8: Cà Mau 'Tổng cộng' equals the sum of the group totals, exactly."""
    groups = ["2.287.360.000", "14.185.071.000", "160.000.000", "39.340.000,00"]
    total = sum((parse_money_vnd(g) for g in groups), D(0))  # type: ignore[misc]
    assert total == parse_money_vnd("16.671.771.000")


# ---- parse_value: table --------------------------------------------------------------------------

N = None
# raw, kind, value, value_min, value_max, comparator, unit_hint
VALUES = [
    # numbers
    ("1.200", "number", D(1200), N, N, N, N),
    ("60.000", "number", D(60000), N, N, N, N),
    ("1.000.000", "number", D(1000000), N, N, N, N),
    ("16.671.771.000", "number", D(16671771000), N, N, N, N),
    ("0,35", "number", D("0.35"), N, N, N, N),
    ("5,9", "number", D("5.9"), N, N, N, N),
    ("1.5", "number", D("1.5"), N, N, N, N),
    ("6.4", "number", D("6.4"), N, N, N, N),
    ("11.1", "number", D("11.1"), N, N, N, N),
    ("0.5", "number", D("0.5"), N, N, N, N),
    ("1500", "number", D(1500), N, N, N, N),
    ("39.340.000,00", "number", D("39340000.00"), N, N, N, N),
    ("05", "number", D(5), N, N, N, N),
    ("09", "number", D(9), N, N, N, N),
    ("1.000", "number", D(1000), N, N, N, N),
    ("\u00a012 ", "number", D(12), N, N, N, N),
    # numbers with words or units
    ("3.000 gốc", "number", D(3000), N, N, N, "gốc"),
    ("10 điểm", "number", D(10), N, N, N, "điểm"),
    ("03 tháng/năm", "number", D(3), N, N, N, "tháng/năm"),
    ("0.35ha/hộ", "number", D("0.35"), N, N, N, "ha/hộ"),
    ("1000 m²", "number", D(1000), N, N, N, "m²"),
    ("10 chiếc/MH (1.000m2)", "number", D(10), N, N, N, "chiếc/MH (1.000m2)"),
    ("50 bộ/1.000m2", "number", D(50), N, N, N, "bộ/1.000m2"),
    ("1 người 01 mô hình", "number", D(1), N, N, N, "người 01 mô hình"),
    # comparators
    ("≤ 05", "comparator", D(5), N, D(5), "<=", N),
    ("≥ 95", "comparator", D(95), D(95), N, ">=", N),
    ("≥150", "comparator", D(150), D(150), N, ">=", N),
    ("< 50", "comparator", D(50), N, D(50), "<", N),
    ("> 100", "comparator", D(100), D(100), N, ">", N),
    ("\ufffd≤ 2,8", "comparator", D("2.8"), N, D("2.8"), "<=", N),
    ("$\\geq 5,5$", "comparator", D("5.5"), D("5.5"), N, ">=", N),
    ("$\\geq 0,1$", "comparator", D("0.1"), D("0.1"), N, ">=", N),
    ("\\leq 3", "comparator", D(3), N, D(3), "<=", N),
    ("≤1,5", "comparator", D("1.5"), N, D("1.5"), "<=", N),
    ("≥ 3", "comparator", D(3), D(3), N, ">=", N),
    ("≥ 90 ngày", "comparator", D(90), D(90), N, ">=", "ngày"),
    ("≥ 1.000m2/hộ", "comparator", D(1000), D(1000), N, ">=", "m2/hộ"),
    ("≤ 10 triệu đồng/ha", "comparator", D(10), N, D(10), "<=", "triệu đồng/ha"),
    ("≥1,2", "comparator", D("1.2"), D("1.2"), N, ">=", N),
    ("≃ 3 hộ", "comparator", D(3), N, N, "~=", "hộ"),
    # percents
    ("≥70%", "comparator", D(70), D(70), N, ">=", "%"),
    ("70%", "percent", D(70), N, N, N, "%"),
    ("5%", "percent", D(5), N, N, N, "%"),
    # ranges
    ("5-10", "range", N, D(5), D(10), N, N),
    ("10- 20", "range", N, D(10), D(20), N, N),
    ("1,5 - 3", "range", N, D("1.5"), D(3), N, N),
    ("0,7 – 1,0", "range", N, D("0.7"), D("1.0"), N, N),
    ("3.000 – 5.000", "range", N, D(3000), D(5000), N, N),
    ("0,41 -6,79", "range", N, D("0.41"), D("6.79"), N, N),
    ("0,02- 2,75", "range", N, D("0.02"), D("2.75"), N, N),
    ("2.100-3.000", "range", N, D(2100), D(3000), N, N),
    ("200.000-250.000", "range", N, D(200000), D(250000), N, N),
    ("1-1,5", "range", N, D(1), D("1.5"), N, N),
    ("3 - 4", "range", N, D(3), D(4), N, N),
    ("15 - 20", "range", N, D(15), D(20), N, N),
    ("25- 30 người/lớp", "range", N, D(25), D(30), N, "người/lớp"),
    ("15-20 con", "range", N, D(15), D(20), N, "con"),
    ("250-350 g củ, quả.", "range", N, D(250), D(350), N, "g củ, quả"),
    ("10-50%", "range", N, D(10), D(50), N, "%"),
    ("10-15% trọng lượng thân", "range", N, D(10), D(15), N, "% trọng lượng thân"),
    ("$\\geq 5-10\\%$", "range", N, D(5), D(10), ">=", "%"),
    ("≥ 5-10%", "range", N, D(5), D(10), ">=", "%"),
    ("$\\geq 5\\%$ -10%", "range", N, D(5), D(10), ">=", "%"),
    # products
    ("05 x 04", "product", D(20), N, N, N, N),
    ("150 x 02", "product", D(300), N, N, N, N),
    ("02 x 05", "product", D(10), N, N, N, N),
    ("04 x 02", "product", D(8), N, N, N, N),
    ("10 x 01", "product", D(10), N, N, N, N),
    ("1,2 m x 0,8 m", "product", D("0.96"), N, N, N, "m x m"),
    # fractions
    ("1/4", "fraction", D("0.25"), N, N, N, N),
    ("$\\frac{1}{4}$", "fraction", D("0.25"), N, N, N, N),
    ("$\\frac{1}{2}$", "fraction", D("0.5"), N, N, N, N),
    # text norms
    ("Theo thực tế", "text", N, N, N, N, N),
    ("Theo quy mô", "text", N, N, N, N, N),
    ("Hỗ trợ 100% kinh phí theo thực tế", "text", N, N, N, N, N),
    ("Sau khi nở khoảng 18-20 giờ", "text", N, N, N, N, N),
    ("Sau khi hết noãn hoàng", "text", N, N, N, N, N),
    ("Không bị nấm ký sinh", "text", N, N, N, N, N),
    ("Căn cứ vào quy mô và tính chất của từng hội thi để xem xét và quyết định", "text", N, N, N, N, N),
    ("Đảm bảo yêu cầu, chất lượng theo quy định mức hỗ trợ ≤ 10 triệu đồng/ha", "text", N, N, N, N, N),
    ("Trống $\\geq 4,0$ kg/con; Mái $\\geq 2,5$ kg/con", "text", N, N, N, N, N),
    ("Cá lóc ≥ 8; cá rô ≥ 5; cá sặc rằn ≥ 5,5", "text", N, N, N, N, N),
    ("<i>Trichoderma</i>", "text", N, N, N, N, N),
    # markers and blanks
    ("", "blank", N, N, N, N, N),
    ("   ", "blank", N, N, N, N, N),
    ("-", "not_applicable", N, N, N, N, N),
    ("x", "mark", N, N, N, N, N),
    ("X", "mark", N, N, N, N, N),
]


@pytest.mark.parametrize(("raw", "kind", "value", "vmin", "vmax", "cmp", "unit"), VALUES)
def test_parse_value_forms(raw: str, kind: str, value: Decimal | None, vmin: Decimal | None,
                           vmax: Decimal | None, cmp: str | None, unit: str | None) -> None:
    v = parse_value(raw)
    assert v.raw == raw
    assert (v.kind, v.value, v.value_min, v.value_max, v.comparator, v.unit_hint) == (kind, value, vmin, vmax, cmp, unit)
    assert v.parsed is True and v.problem is None


def test_value_table_is_large_enough() -> None:
    assert len(VALUES) + len(MULTI) + len(UNPARSED) >= 60


def test_product_keeps_factors() -> None:
    v = parse_value("150 x 02")
    assert v.factors == (D(150), D(2)) and v.value == D(300)


def test_fraction_keeps_operands() -> None:
    v = parse_value("$\\frac{1}{4}$")
    assert v.factors == (D(1), D(4)) and v.text == "1/4"


MULTI = [
    ("01 1-1,5", [("number", D(1), N, N), ("range", N, D(1), D("1.5"))]),
    ("0,2 0,5", [("number", D("0.2"), N, N), ("number", D("0.5"), N, N)]),
    ("01 8-10 10-12", [("number", D(1), N, N), ("range", N, D(8), D(10)), ("range", N, D(10), D(12))]),
]


@pytest.mark.parametrize(("raw", "parts"), MULTI)
def test_packed_multi_values(raw: str, parts: list[tuple]) -> None:
    v = parse_value(raw)
    assert v.kind == "multi" and v.parsed and v.value is None
    assert [(p.kind, p.value, p.value_min, p.value_max) for p in v.parts] == parts


UNPARSED = [
    ("(≤ 10 ha/bảng)", "unrecognized_form"),
    ("1.234.5", "bad_number"),
    ("-5", "unrecognized_form"),
    ("15/6/2018", "unrecognized_form"),
    ("1/0", "fraction_zero_denominator"),
    ("≥ ≥", "unrecognized_form"),
]


@pytest.mark.parametrize(("raw", "problem"), UNPARSED)
def test_unparsed_is_flagged(raw: str, problem: str) -> None:
    v = parse_value(raw)
    assert (v.kind, v.parsed, v.problem, v.value) == ("unparsed", False, problem, None)
    assert v.raw == raw


def test_inverted_range_is_kept_but_flagged() -> None:
    v = parse_value("10-5")
    assert (v.kind, v.value_min, v.value_max, v.problem) == ("range", D(10), D(5), "range_min_greater_than_max")


def test_text_fields_are_nfc_and_raw_is_exact() -> None:
    nfd = unicodedata.normalize("NFD", "Theo thực tế")
    v = parse_value(nfd)
    assert v.raw == nfd and v.text == "Theo thực tế" and v.kind == "text"
    u = parse_value(unicodedata.normalize("NFD", "3.000 gốc"))
    assert u.unit_hint == "gốc"


@pytest.mark.parametrize("raw", ["1" * 200_000, "x" * 1_000_000, "≥ " * 50_000, "1.1" * 30_000, "\x00\x1f\x7f",
                                 "$\\frac{" * 1000, "<" * 10_000 + "a", "1-" * 20_000, "01 " * 20_000])
def test_never_raises_on_hostile_input(raw: str) -> None:
    v = parse_value(raw)
    assert v.raw == raw
    assert v.parsed or v.problem


# ---- parse_value: properties ---------------------------------------------------------------------

VALUE_CHARS = st.sampled_from(list("0123456789.,-–x×/%≤≥<>$\\{} \u00a0\ufffdabđêếm²³\t\n") + ["\\geq", "\\frac"])


@settings(max_examples=400)
@given(st.one_of(st.text(), st.lists(VALUE_CHARS, max_size=25).map("".join)))
def test_parse_value_never_raises_and_keeps_raw(raw: str) -> None:
    v = parse_value(raw)
    assert v.raw == raw
    if not v.parsed:
        assert v.problem is not None
    for field in (v.text, v.unit_hint):
        assert field is None or unicodedata.is_normalized("NFC", field)


def _vi(d: Decimal) -> str:
    """Vietnamese style by hand: thousands dot, decimal comma, fraction digits kept."""
    ip, _, fp = format(d, "f").partition(".")
    return f"{int(ip):,}".replace(",", ".") + ("," + fp if fp else "")


decimals = st.builds(lambda n, p: Decimal(n).scaleb(-p), st.integers(0, 10**13), st.integers(0, 4))


@given(decimals)
def test_round_trip_hand_formatter(d: Decimal) -> None:
    s = _vi(d)
    assert parse_number(s) == d
    v = parse_value(s)
    assert (v.kind, v.value) == ("number", d)


@given(decimals)
def test_round_trip_babel_formatter(d: Decimal) -> None:
    s = format_decimal(d, format="#,##0.####", locale="vi")
    assert parse_number(s) == d


@given(decimals, decimals, st.sampled_from(["-", " - ", "- ", " -", "–", " – "]))
def test_range_round_trip(a: Decimal, b: Decimal, sep: str) -> None:
    v = parse_value(f"{_vi(a)}{sep}{_vi(b)}")
    assert (v.kind, v.value, v.value_min, v.value_max) == ("range", None, a, b)


@given(decimals, decimals, st.sampled_from([" x ", "x", " × ", " X "]))
def test_product_round_trip(a: Decimal, b: Decimal, sep: str) -> None:
    v = parse_value(f"{_vi(a)}{sep}{_vi(b)}")
    assert (v.kind, v.factors, v.value) == ("product", (a, b), a * b)


@given(decimals, st.sampled_from(["≤", "≥", "<", ">"]))
def test_comparator_round_trip(a: Decimal, sym: str) -> None:
    v = parse_value(f"{sym} {_vi(a)}")
    assert v.kind == "comparator" and v.value == a
    assert (v.value_min if sym in "≥>" else v.value_max) == a


# ---- scale labels --------------------------------------------------------------------------------

SCALES = [
    ("200-300 đại biểu", D(200), D(300), False, False, "đại biểu"),
    ("100-150 đại biểu", D(100), D(150), False, False, "đại biểu"),
    ("30-50 đại biểu", D(30), D(50), False, False, "đại biểu"),
    (">50-100 thí sinh", D(50), D(100), True, False, "thí sinh"),
    (">30-50 thí sinh", D(30), D(50), True, False, "thí sinh"),
    ("20-30 thí sinh", D(20), D(30), False, False, "thí sinh"),
    ("> 100 sản phẩm dự thi", D(100), N, True, False, "sản phẩm dự thi"),
    ("50-100 sản phẩm dự thi", D(50), D(100), False, False, "sản phẩm dự thi"),
    ("< 50 sản phẩm dự thi", N, D(50), False, True, "sản phẩm dự thi"),
    ("Đến 30%", N, D(30), False, False, "%"),
    ("Trên 30% đến 50%", D(30), D(50), True, False, "%"),
    ("Trên 50% đến 70%", D(50), D(70), True, False, "%"),
    ("Trên 70%", D(70), N, True, False, "%"),
    ("05 phút", D(5), D(5), False, False, "phút"),
    ("10 phút", D(10), D(10), False, False, "phút"),
]


@pytest.mark.parametrize(("raw", "lo", "hi", "open_lo", "open_hi", "unit"), SCALES)
def test_parse_scale_label(raw: str, lo: Decimal | None, hi: Decimal | None, open_lo: bool, open_hi: bool,
                           unit: str) -> None:
    s = parse_scale_label(raw)
    assert s.raw == raw and s.parsed
    assert (s.min, s.max, s.open_min, s.open_max, s.unit) == (lo, hi, open_lo, open_hi, unit)


@pytest.mark.parametrize("raw", ["Theo thực tế", "", "abc 12"])
def test_scale_label_not_understood(raw: str) -> None:
    s = parse_scale_label(raw)
    assert (s.parsed, s.min, s.max) == (False, None, None)


# ---- basis lines ---------------------------------------------------------------------------------

BASES = [
    ("Tính cho: 01 ha", D(1), "ha"),
    ("1.1. Định mức vật tư Tính cho: 01 ha", D(1), "ha"),
    ("14.1 Định mức giống, vật tư (tính cho: 01ha)", D(1), "ha"),
    ("Tính cho: 01ha", D(1), "ha"),
    ("Tính cho: 01 con", D(1), "con"),
    ("Tính cho: 10 m2\nbể nuôi", D(10), "m2 bể nuôi"),
    ("Tính cho 1.000 m2 mặt nước", D(1000), "m2 mặt nước"),
    ("Tính cho: 10 m2 mặt nước", D(10), "m2 mặt nước"),
    ("ĐVT: 01 ha", D(1), "ha"),
    ("DVT: 01ha", D(1), "ha"),
    ("ĐVT: 1 mô hình (20ha)", D(1), "mô hình (20ha)"),
    ("tính cho 0.1 ha/vụ", D("0.1"), "ha/vụ"),
    ("(01 ha cho 1 mô hình)", D(1), "ha cho 1 mô hình"),
    ("Đơn vị tính: 1 ha", D(1), "ha"),
    ("DVT: 1 Mô hình", D(1), "Mô hình"),
    ("DVT: 01 hộ", D(1), "hộ"),
    ("Tính cho: MH 50 ha", D(50), "ha"),
    ("Tính cho: 10 m² bể", D(10), "m² bể"),
    ("Tính cho: 1m²", D(1), "m²"),
    ("Tính cho 45 m³", D(45), "m³"),
    ("Tính cho: 10 m³ mặt nước", D(10), "m³ mặt nước"),
    ("Đơn vị tính: 01 bản tin", D(1), "bản tin"),
    ("DVT: 01 Sự kiện", D(1), "Sự kiện"),
    ("Bìa ngoài sách (ĐVT: 01 trang)", D(1), "trang"),
    ("Ruột sách (ĐVT: 100 trang)", D(100), "trang"),
    ("Tờ rơi (ĐVT: 01 trang, A4)", D(1), "trang, A4"),
]


@pytest.mark.parametrize(("raw", "qty", "unit"), BASES)
def test_parse_basis(raw: str, qty: Decimal, unit: str) -> None:
    assert parse_basis(raw) == (qty, unit)


@pytest.mark.parametrize("raw", ["Định mức vật tư", "", "Nội dung Đơn vị tính Chỉ tiêu", "Đơn / vị tính", "ĐVT"])
def test_no_basis(raw: str) -> None:
    assert parse_basis(raw) == (None, None)


def test_basis_without_number_keeps_the_unit() -> None:
    assert parse_basis("ĐVT: ha") == (None, "ha")


@given(st.text())
def test_parse_basis_never_raises(raw: str) -> None:
    qty, unit = parse_basis(raw)
    assert qty is None or isinstance(qty, Decimal)
    assert unit is None or unicodedata.is_normalized("NFC", unit)


@given(st.text())
def test_parse_scale_label_never_raises(raw: str) -> None:
    s = parse_scale_label(raw)
    assert s.raw == raw and (s.parsed or (s.min is None and s.max is None))


def test_basis_units_are_in_the_unit_table() -> None:
    from pipeline.parsing.units import parse_unit

    for raw, _, unit in BASES:
        assert parse_unit(unit).known, (raw, unit)
