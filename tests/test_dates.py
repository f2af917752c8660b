"""pipeline.parsing.dates: signing/effective dates and plan time frames (docs/DOMAIN.md §1, §6)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.parsing.dates import find_effective_date, parse_time_frame, parse_vn_date


@pytest.mark.parametrize(("raw", "expected"), [
    ("ngày 11 tháng 11 năm 2022", date(2022, 11, 11)),
    ("Vĩnh Long, ngày 11 tháng 11 năm 2022", date(2022, 11, 11)),
    ("ngày 03/3/2021", date(2021, 3, 3)),
    ("11/11/2022", date(2022, 11, 11)),
    ("ngày 24 tháng 10 năm 2023", date(2023, 10, 24)),
    ("ngày 10 tháng 10 năm 2023", date(2023, 10, 10)),
    ("Kế hoạch số 2835/KH-UBND ngày 15 tháng 6 năm 2018", date(2018, 6, 15)),
    ("Quyết định số 1273/QĐ-UBND ngày 22 tháng 4 năm 2026", date(2026, 4, 22)),
    ("ngày 03 tháng 3 năm 2021", date(2021, 3, 3)),
    ("NGÀY 25 THÁNG 01 NĂM 2017", date(2017, 1, 25)),
])
def test_parse_vn_date(raw: str, expected: date) -> None:
    assert parse_vn_date(raw) == expected


@pytest.mark.parametrize("raw", [
    "ngày tháng 5 năm 2026",  # draft: blank day
    "Kế hoạch số: /KH-SNNMT ngày /7/2025",
    "Quyết định số …../2022/QĐ-UBND ngày tháng năm 2022",
    "31/2/2022",
    "ngày 32 tháng 1 năm 2022",
    "",
    "trước ngày 10/11",
])
def test_parse_vn_date_blank_or_invalid(raw: str) -> None:
    assert parse_vn_date(raw) is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("Quyết định có hiệu lực thi hành kể từ ngày 22 tháng 11 năm 2022./.", date(2022, 11, 22)),
    ("Quyết định có hiệu lực kể từ ngày 24 tháng 10 năm 2023./.", date(2023, 10, 24)),
    ("Điều 3. Hiệu lực thi hành\nQuyết định có hiệu lực\nkể từ ngày 24 tháng 10 năm 2023.", date(2023, 10, 24)),
    ("Quyết định này có hiệu lực kể từ ngày ký.", None),
    ("Kế hoạch số 2835/KH-UBND ngày 15 tháng 6 năm 2018", None),
    ("", None),
])
def test_find_effective_date(raw: str, expected: date | None) -> None:
    assert find_effective_date(raw) == expected


TIME_FRAMES = [
    ("Tháng 7/2025", date(2025, 7, 1), date(2025, 7, 31)),
    ("Tháng 12/2018", date(2018, 12, 1), date(2018, 12, 31)),
    ("Tháng 2/2024", date(2024, 2, 1), date(2024, 2, 29)),
    ("Quý III-IV/2025", date(2025, 7, 1), date(2025, 12, 31)),
    ("Quí III-IV/2025", date(2025, 7, 1), date(2025, 12, 31)),
    ("Quý II-IV/2025", date(2025, 4, 1), date(2025, 12, 31)),
    ("Quý IV/2025", date(2025, 10, 1), date(2025, 12, 31)),
    ("Quý I/2025", date(2025, 1, 1), date(2025, 3, 31)),
    ("Năm 2025", date(2025, 1, 1), date(2025, 12, 31)),
    ("Năm 2019", date(2019, 1, 1), date(2019, 12, 31)),
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-2035", date(2026, 1, 1), date(2035, 12, 31)),
    ("2026 - 2030", date(2026, 1, 1), date(2030, 12, 31)),
    ("2026 - 2035", date(2026, 1, 1), date(2035, 12, 31)),
    ("2028 - 2035", date(2028, 1, 1), date(2035, 12, 31)),
    ("2017-2018", date(2017, 1, 1), date(2018, 12, 31)),
    ("2021-2025", date(2021, 1, 1), date(2025, 12, 31)),
    ("6/2018-12/2018", date(2018, 6, 1), date(2018, 12, 31)),
    ("2018-2018", date(2018, 1, 1), date(2018, 12, 31)),
    ("Tháng 3-T8/2019", date(2019, 3, 1), date(2019, 8, 31)),
    ("Từ tháng 04 đến tháng 12 hàng năm (2018-2020)", date(2018, 4, 1), date(2020, 12, 31)),
    ("<p>Tháng 12/2018</p>", date(2018, 12, 1), date(2018, 12, 31)),
]


@pytest.mark.parametrize(("raw", "start", "end"), TIME_FRAMES)
def test_parse_time_frame(raw: str, start: date, end: date) -> None:
    tf = parse_time_frame(raw)
    assert (tf.raw, tf.start, tf.end, tf.parsed) == (raw, start, end, True)


@pytest.mark.parametrize("raw", [
    "Thường xuyên", "Hàng năm", "", "Năm 2018 Năm 2019 Năm 2020", "13/2020", "2030-2026", "Quý V/2025",
    "Tiếp tục phát triển chuỗi giá trị theo hướng bền vững",
])
def test_time_frame_not_a_span(raw: str) -> None:
    tf = parse_time_frame(raw)
    assert (tf.raw, tf.start, tf.end, tf.parsed) == (raw, None, None, False)


@given(st.text())
def test_never_raise(raw: str) -> None:
    tf = parse_time_frame(raw)
    assert tf.raw == raw
    assert tf.parsed == (tf.start is not None) and (not tf.parsed or tf.start <= tf.end)  # type: ignore[operator]
    parse_vn_date(raw)
    find_effective_date(raw)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_date_round_trip(d: date) -> None:
    assert parse_vn_date(f"ngày {d.day:02d} tháng {d.month} năm {d.year}") == d
    assert parse_vn_date(f"{d.day}/{d.month:02d}/{d.year}") == d
