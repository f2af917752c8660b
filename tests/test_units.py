"""pipeline.parsing.units and schemas/units.csv: every printed unit string of docs/DOMAIN.md §5."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from importlib.resources import files

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.parsing.units import UNITS, convert, normalize_unit_key, parse_unit

# Every printed string of DOMAIN §5 (plus §2.3 bases, §2.5 labels, §6 value words), as printed.
PRINTED: dict[str, str] = {
    # mass
    "kg": "kg", "Kg": "kg", "tấn": "kg", "g/con": "kg_per_head", "gr/con": "kg_per_head",
    "gam/con/ngày": "kg_per_head_per_day",
    # volume
    "lít": "L", "Lít": "L", "Lit": "L", "m ³": "m3", "m³": "m3", "m3": "m3",
    # alternative ⚠
    "lít/kg": "L_or_kg", "kg/lít": "L_or_kg", "Kg/lít": "L_or_kg", "lít, kg": "L_or_kg",
    # area
    "ha": "ha", "Ha": "ha", "m2": "m2", "m ²": "m2", "m²": "m2",
    # area as unit ⚠
    "1.000m2": "per_m2", "1.000m ²": "per_m2", "1.000m²": "per_m2", "01 bộ (1.000 m ²)": "set_per_m2",
    "25m ² /MH": "m2_per_model", "Con/ 10m ³": "head_per_m3",
    # length, money
    "m": "m", "Met": "m", "đồng": "VND", "Đồng": "VND", "1.000 đ": "VND",
    # plants and material
    "cây": "plant", "Cây": "plant", "hom": "cutting", "Trụ": "post", "hạt": "seed", "Hạt": "seed",
    "Muôn (1 muôn = 10.000 dây)": "vine_cutting", "Muôn": "vine_cutting", "miếng/viên": "piece", "bao": "bag",
    "gốc": "plant",
    # animals
    "con": "head", "Con": "head", "ấu trùng": "larva", "Mummy": "mummy", "mummy/hộ": "mummy_per_household",
    "post": "pl_stage",
    # objects
    "cái": "piece", "Cái": "piece", "chiếc": "piece", "Chiếc": "piece", "bộ": "set", "Bộ": "set",
    "Hệ thống": "system", "Điểm": "station", "Liều": "dose", "Bẫy": "trap", "bẫy": "trap", "lon": "can",
    "máy": "machine", "Ô chông": "pen", "Ô chuồng/con": "pen_per_head", "Ram": "ream", "Hộp": "box",
    "Clip": "clip", "Bài": "article", "Cuốn": "book", "Tin, bài": "news_item", "Giải thưởng": "prize",
    "Chỗ ngồi": "seat", "Thí sinh": "contestant",
    # people, events
    "Người": "person", "người": "person", "1 người": "person", "01 người": "person", "Lớp": "class",
    "Cuộc": "event", "Lần": "event", "Buổi": "session", "Bảng": "board", "Lứa": "litter",
    # time
    "Tháng": "month", "tháng": "month", "Năm": "year", "Ngày": "day", "ngày": "day", "Giờ": "hour", "Ca": "shift",
    # labour
    "Công": "person_day", "Ngày công": "person_day", "ngày/người": "person_day", "ngày /người": "person_day",
    # labour product
    "Người/ngày": "person_day", "Người/ ngày": "person_day", "Người/buổi": "person_session",
    "Bộ/ngày": "set_day", "Bộ/ ngày": "set_day", "Phòng, địa điểm/buổi": "room_session",
    # durations, training
    "Tháng/năm": "month_per_year", "Tháng/vụ": "month_per_season", "Ngày/lớp": "day_per_class",
    "ngày/lớp": "day_per_class", "Ngày/lớp/vụ": "day_per_class_per_season", "Ngày/cuộc": "day_per_event",
    "ngày/cuộc": "day_per_event",
    # boards and staffing
    "Ha/bảng": "ha_per_board", "bảng/MH": "board_per_model", "Bảng/mô hình": "board_per_model",
    "chiếc/hộ": "board_per_household", "Chiếc/hộ": "board_per_household", "ha/cán bộ hướng dẫn": "ha_per_advisor",
    # density
    "Cây/ha": "plant_per_ha", "Trụ/ha": "post_per_ha", "Hạt/ha": "seed_per_ha", "Con/m2": "head_per_m2",
    "con/m ²": "head_per_m2", "con/m ³": "head_per_m3", "Kg sinh khối/m ²": "kg_per_m2", "Con/lít": "head_per_L",
    # yield
    "Tấn/ha/năm": "kg_per_ha_per_year", "tấn/ha/năm": "kg_per_ha_per_year", "Tấn/ha/vụ": "kg_per_ha_per_season",
    "tấn/ha": "kg_per_ha", "Tấn/ha": "kg_per_ha", "kg/vụ": "kg_per_season", "trái/ha/năm": "fruit_per_ha_per_year",
    "Kg/m2": "kg_per_m2", "kg/m ²": "kg_per_m2", "kg/m ³": "kg_per_m3",
    # size, growth
    "Con/kg": "head_per_kg", "con/kg": "head_per_kg", "Kg/con": "kg_per_head", "kg/con": "kg_per_head",
    "cm/con": "cm_per_head", "Cm/con": "cm_per_head", "Kg/ngày": "kg_per_day", "Kg/con/ngày": "kg_per_head_per_day",
    "Kg/con/tháng": "kg_per_head_per_month",
    # other rates
    "vụ/năm": "season_per_year", "Lứa/năm": "litter_per_year", "Con/hộ": "head_per_household",
    "bộ/học viên": "set_per_learner", "chiếc/học viên": "piece_per_learner",
    # ratio
    "%": "percent", "Tỷ lệ %": "percent", "% chi phí thức ăn": "percent_of_feed_cost", "FCR": "ratio",
    # units only in text (seeds 000-002)
    "con heo": "head", "cuộc": "event", "lớp": "class", "HTX": "cooperative", "chuỗi": "chain",
    "dự án": "project", "chuyến": "trip", "lao động": "worker", "sản phẩm/năm": "product_per_year",
    "nông dân/năm": "farmer_per_year", "mô hình": "model",
    # basis units (§2.3) and scale units (§2.5)
    "hộ": "household", "Mô hình": "model", "mô hình (20ha)": "ha", "ha/vụ": "ha_per_season",
    "m2 mặt nước": "m2", "m² bể": "m2", "m2 bể nuôi": "m2", "m³ mặt nước": "m3", "bản tin": "bulletin",
    "Sự kiện": "event", "trang": "page", "trang, A4": "page", "đại biểu": "delegate",
    "sản phẩm dự thi": "contest_entry", "phút": "minute", "Phòng": "room",
}

PACKED = {
    "Con Kg": ["head", "kg"],
    "Con Kg/con": ["head", "kg_per_head"],
    "Con Kg/con Kg/con": ["head", "kg_per_head", "kg_per_head"],
    "Kg Kg": ["kg", "kg"],
    "Kg/con/ngày Kg/con/ngày": ["kg_per_head_per_day", "kg_per_head_per_day"],
    "Kg/con/tháng Kg/con/ngày": ["kg_per_head_per_month", "kg_per_head_per_day"],
}


@pytest.mark.parametrize(("raw", "code"), sorted(PRINTED.items()))
def test_every_printed_unit_maps(raw: str, code: str) -> None:
    u = parse_unit(raw)
    assert u.raw == raw and u.known and not u.is_blank
    assert u.code == code
    assert isinstance(u.factor, Decimal) and u.dimension


@pytest.mark.parametrize(("raw", "codes"), sorted(PACKED.items()))
def test_packed_units_split_in_order(raw: str, codes: list[str]) -> None:
    u = parse_unit(raw)
    assert (u.code, u.known, u.is_packed) == ("packed", True, True)
    assert [p.code for p in u.parts] == codes and all(p.known for p in u.parts)


@pytest.mark.parametrize(("variants", "code"), [
    (["kg", "Kg", "KG", " kg ", "kg.", "Kg\u00a0"], "kg"),
    (["m2", "m ²", "m²", "M2", "m\u00b2", "m  ²"], "m2"),
    (["m3", "m ³", "m³"], "m3"),
    (["Người/ngày", "Người/ ngày", "người /ngày", "NGƯỜI/NGÀY", "Người / ngày"], "person_day"),
    (["Ngày/lớp/vụ", "ngày/lớp/vụ", "Ngày / lớp / vụ", "Ngày/lớp/vụ."], "day_per_class_per_season"),
    (["1.000 đ", "1.000 Đ", "1.000  đ", "1.000đ"], "VND"),
    (["Con/ 10m ³", "con/10m3", "Con /10 m³".replace(" m", "m")], "head_per_m3"),
])
def test_variants_map_to_same_code(variants: list[str], code: str) -> None:
    assert {parse_unit(v).code for v in variants} == {code}


def test_nfd_input_maps_like_nfc() -> None:
    import unicodedata

    assert parse_unit(unicodedata.normalize("NFD", "Tấn/ha/năm")).code == "kg_per_ha_per_year"


def test_litre_or_kg_is_an_alternative_not_a_rate() -> None:
    u = parse_unit("lít/kg")
    assert (u.code, u.dimension, u.factor) == ("L_or_kg", "mass_or_volume", Decimal(1))
    assert u.code != "L_per_kg"


def test_factors_of_special_units() -> None:
    assert parse_unit("tấn").factor == Decimal(1000)
    assert parse_unit("1.000 đ").factor == Decimal(1000)
    assert parse_unit("g/con").factor == Decimal("0.001")
    assert parse_unit("Muôn").factor == Decimal(10000)
    assert parse_unit("Muôn (1 muôn = 10.000 dây)").factor == Decimal(10000)
    assert parse_unit("Con/ 10m ³").factor == Decimal("0.1")
    assert parse_unit("1.000m2").factor == Decimal("0.001")
    assert parse_unit("25m ² /MH").factor == Decimal(25)


@pytest.mark.parametrize("raw", ["xyz", "Ngày/lớp/v", "Người/", "P ₂ O ₅", "kg/xyz", "con heo rừng bay", "<u>Nhân công</u>"])
def test_unknown_is_flagged_never_guessed(raw: str) -> None:
    u = parse_unit(raw)
    assert (u.known, u.code, u.factor, u.parts) == (False, None, None, ())
    assert not u.is_blank and u.raw == raw


@pytest.mark.parametrize("raw", ["", "   ", "\u00a0", "\n"])
def test_blank_is_not_unknown(raw: str) -> None:
    u = parse_unit(raw)
    assert u.is_blank and not u.known and u.code is None and u.raw == raw


@pytest.mark.parametrize(("raw", "key"), [
    ("m ²", "m2"), ("m²", "m2"), ("m2", "m2"), ("m ³", "m3"), ("P ₂ O ₅", "p2o5"), ("K ₂ O", "k2o"),
    ("Người/ ngày", "người/ngày"), ("ngày /người", "ngày/người"), ("  Kg   sinh  khối/m ² ", "kg sinh khối/m2"),
    ("Tháng.", "tháng"), ("m² bể", "m2 bể"), ("25m ² /MH", "25m2/mh"),
])
def test_normalize_unit_key(raw: str, key: str) -> None:
    assert normalize_unit_key(raw) == key


@given(st.text())
def test_parse_unit_never_raises_and_keeps_raw(raw: str) -> None:
    u = parse_unit(raw)
    assert u.raw == raw
    assert u.known == (u.code is not None)
    assert normalize_unit_key(u.key) == u.key  # idempotent


# ---- the table itself ----------------------------------------------------------------------------

ROWS = list(csv.DictReader(files("schemas").joinpath("units.csv").read_text(encoding="utf-8").splitlines()))


def test_csv_columns_unique_keys_and_valid_values() -> None:
    assert list(ROWS[0].keys()) == ["unit_key", "code", "dimension", "factor", "note"]
    keys = [r["unit_key"] for r in ROWS]
    assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]
    for r in ROWS:
        assert normalize_unit_key(r["unit_key"]) == r["unit_key"], r  # stored normalized
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", r["code"]), r
        assert re.fullmatch(r"[a-z][a-z0-9_]*", r["dimension"]), r
        assert re.fullmatch(r"[0-9]+(\.[0-9]+)?", r["factor"]), r
        assert Decimal(r["factor"]) > 0
    assert len(UNITS) == len(ROWS)


def test_every_domain_code_is_in_the_table() -> None:
    codes = {r["code"] for r in ROWS}
    assert set(PRINTED.values()) <= codes


UREG = pint.UnitRegistry(non_int_type=Decimal)
# printed key -> (pint expression of the printed unit, pint expression of the canonical code)
PINT_CHECKS = {
    "kg": ("kilogram", "kilogram"), "tấn": ("metric_ton", "kilogram"), "g": ("gram", "kilogram"),
    "gr": ("gram", "kilogram"), "gam": ("gram", "kilogram"), "cm": ("centimeter", "meter"),
    "lít": ("liter", "liter"), "m3": ("meter**3", "meter**3"), "ha": ("hectare", "hectare"),
    "m2": ("meter**2", "meter**2"), "tấn/ha": ("metric_ton/hectare", "kilogram/hectare"),
    "tấn/ha/năm": ("metric_ton/hectare", "kilogram/hectare"), "g/con": ("gram", "kilogram"),
    "gam/con/ngày": ("gram/day", "kilogram/day"), "mô hình (20ha)": ("20 * hectare", "hectare"),
    "1.000m2": ("1 / (1000 * meter**2)", "1 / meter**2"), "con/10m3": ("1 / (10 * meter**3)", "1 / meter**3"),
}


@pytest.mark.parametrize(("key", "exprs"), sorted(PINT_CHECKS.items()))
def test_physical_factors_agree_with_pint(key: str, exprs: tuple[str, str]) -> None:
    printed, canonical = exprs
    expected = (Decimal(1) * UREG.parse_expression(printed)).to(canonical).magnitude
    assert UNITS[key].factor == Decimal(expected), (key, UNITS[key].factor, expected)


def test_convert_uses_pint_exactly() -> None:
    assert convert(Decimal(1), "ha", "m2") == Decimal(10000)
    assert convert(Decimal("0.5"), "m3", "L") == Decimal(500)
    with pytest.raises(ValueError):
        convert(Decimal(1), "VND", "kg")
