"""Vietnamese post-OCR fixes: every row of schemas/ocr_fixes.tsv is a test case, plus the rules
that must NOT fire (ambiguous numbers, real words, lines that are merely similar)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.ocr_fixes import FIXES_FILE, OcrFixSettings, default_fixes, edit_distance, fix_text, load_fixes

FIXES = default_fixes()


@pytest.mark.parametrize("fix", FIXES, ids=[f"{f.kind}:{f.pattern[:30]}" for f in FIXES])
def test_every_fix_turns_its_example_into_the_printed_text(fix):
    assert fix_text(fix.example_in) == fix.example_out


@pytest.mark.parametrize("fix", FIXES, ids=[f"{f.kind}:{f.pattern[:30]}" for f in FIXES])
def test_fixes_are_idempotent_and_leave_correct_text_alone(fix):
    assert fix_text(fix.example_out) == fix.example_out


@pytest.mark.parametrize("text", [
    "1,000 đồng",  # one group: 1 with three decimals or a thousand? left as read
    "12,5 ha",  # a decimal comma
    "1.000,50 đồng",  # already Vietnamese
    "Phú Yên",  # "phú" is a word; only "Chính phú" is fixed
    "giàu phú",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",  # canonical lines stay, in either tone placement
    "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "QUYẾT ĐỊNH:",
    "BÁO CÁO TÀI CHÍNH",  # longer than a title: not pulled onto "BÁO CÁO"
    "Kế hoạch",  # sentence case is not the title line
    "m2 đất",  # units are spelled as printed (the units table parses m2 and m²)
    "số 04/2021/QĐ-UBND ngày 03 tháng 3 năm 2021",
])
def test_what_must_not_change(text):
    assert fix_text(text) == text


def test_white_space_folded_and_nfc():
    decomposed = "Quye\u0302\u0301t  \u0111i\u0323nh"  # NFD
    assert fix_text(decomposed) == "Quyết định"


def test_line_fix_picks_the_nearest_canonical_line():
    assert fix_text("CỘNG HOÀ XÃ HỘl CHỦ NGHĨA VIỆT NAM") == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert fix_text("QUYÉT ĐỊNH:") == "QUYẾT ĐỊNH:"


def test_edit_distance_stops_past_its_limit():
    assert edit_distance("kitten", "sitting", 5) == 3
    assert edit_distance("abc", "xyzxyz", 2) == 3


def test_settings_validated():
    with pytest.raises(ValueError, match="line_edit_share"):
        OcrFixSettings(line_edit_share=0.6)
    assert OcrFixSettings().allowed_edits(7) == 1
    assert OcrFixSettings().allowed_edits(34) == 6


def test_bad_rows_are_refused(tmp_path: Path):
    header = "kind\tpattern\treplacement\texample_in\texample_out\twhy\n"
    bad = tmp_path / "bad.tsv"
    bad.write_text(header + "spell\ta\tb\ta\tb\tno such kind\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown kind 'spell'"):
        load_fixes(bad)
    bad.write_text(header + "char\tab\tc\tab\tc\ttwo characters\n", encoding="utf-8")
    with pytest.raises(ValueError, match="exactly one character"):
        load_fixes(bad)


def test_the_data_file_is_packaged_beside_the_schemas():
    assert FIXES_FILE.parent.name == "schemas" and FIXES_FILE.suffix == ".tsv"
    assert {f.kind for f in FIXES} == {"char", "word", "regex", "number", "line"}


# ---- province names (schemas/places.csv) -------------------------------------------------------
@pytest.mark.parametrize("ocr, fixed", [
    ("MTTQ Việt Nam tỉnh Lâm Đông", "MTTQ Việt Nam tỉnh Lâm Đồng"),  # tone mark misread
    ("TỈNH LAM ĐÔNG", "TỈNH LÂM ĐỒNG"),
    ("Lâm Đông, ngày 4 tháng 9 năm 2025", "Lâm Đồng, ngày 4 tháng 9 năm 2025"),
    ("Ha Noi, ngày 3 tháng 5", "Hà Nội, ngày 3 tháng 5"),
    ("tỉnh Bà Rịa - Vũng Tau", "tỉnh Bà Rịa - Vũng Tàu"),
    ("tỉnh Lâm Đồng (mới)", "tỉnh Lâm Đồng (mới)"),
    ("Công an tỉnh đã dự thảo", "Công an tỉnh đã dự thảo"),  # no place after the level word
    ("Lâm Đông là", "Lâm Đông là"),  # not after a level word, not a date line: left alone
    ("Tân Hà, ngày 4 tháng 2", "Tân Hà, ngày 4 tháng 2"),  # a place not in the list
])
def test_province_names_snap_only_when_their_letters_match(ocr, fixed):
    from extractors.ocr_fixes import snap_places

    assert snap_places(ocr) == fixed
    assert fix_text(ocr) == fixed


def test_every_province_is_recovered_from_its_unmarked_letters():
    from extractors.ocr_fixes import places
    from extractors.vietnamese import strip_marks

    names = list(places().values())
    assert len(names) >= 63
    for name in names:
        assert fix_text(f"tỉnh {strip_marks(name)}") == f"tỉnh {name}"
