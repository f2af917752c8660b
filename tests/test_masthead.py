"""extractors/masthead.py: masthead and signature block of Vietnamese official documents.

Juriscraper-style: a table of masthead shapes (laid out as Nghị định 30/2020/NĐ-CP places the
parts: bodies top left, motto top right, number under the bodies, place and date under the
motto, title and subject centred, signature block bottom right) → the fields a reader of the
page would write down; then a few first pages cut from the real corpus, checked against what
those pages print.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bench.corpus import default_real
from extractors.bodies import modern_tone, normalize_body
from extractors.columns import masthead_lines
from extractors.masthead import MastheadSettings, read_masthead
from extractors.model import Line
from extractors.signer import read_signer
from schemas.document_types import document_types, type_by_abbreviation, type_by_title

FIXTURES = Path(__file__).parent / "fixtures" / "real"
W = 595.0
_X = {"L": 160.0, "R": 420.0, "C": 297.0}
MOTTO = [("R", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "b"), ("R", "Độc lập - Tự do - Hạnh phúc", "b")]


def layout(rows: list) -> list[Line]:
    """Printed rows → positioned lines. A row is a list of (column, text, style) — column L/R
    (masthead columns), C (centred), B (body line from margin to margin), T (stamp, top right); style has b (bold),
    i (italic) — or None for a blank line. Rows are 16 pt apart at 13 pt type."""
    out: list[Line] = []
    y = 50.0
    for row in rows:
        if row is None:
            y += 16
            continue
        for col, text, style in row:
            if col == "B":
                x0, x1 = 85.0, 540.0
            elif col == "T":  # a stamp's lines, left-aligned at the top right
                x0, x1 = 430.0, 430.0 + 4.0 * len(text)
            else:
                half = min(6.2 * len(text), 500.0) / 2
                x0, x1 = _X[col] - half, _X[col] + half
            out.append(Line(text, 1, (x0, y, x1, y + 13), 13.0, "b" in style, "i" in style))
        y += 16
    return out


def two_col(left: list[tuple[str, str]], right: list[tuple[str, str]]) -> list:
    rows = []
    for i in range(max(len(left), len(right))):
        row = []
        if i < len(left):
            row.append(("L", *left[i]))
        if i < len(right):
            row.append(("R", *right[i]))
        rows.append(row)
    return rows


def qd(number_line: str = "Số: 779 /QĐ-UBND", date_line: str = "Bình Thuận, ngày 23 tháng 3 năm 2022",
       bodies: tuple = (("ỦY BAN NHÂN DÂN", "b"), ("TỈNH BÌNH THUẬN", "b")), title: str = "QUYẾT ĐỊNH",
       subject: tuple = ("Về việc công nhận Điều lệ (sửa đổi, bổ sung)", "Quỹ Khuyến học tỉnh Bình Thuận")) -> list:
    rows = two_col(list(bodies), [(t, s) for _, t, s in MOTTO])
    rows += [None, [("L", number_line, ""), ("R", date_line, "i")], None, [("C", title, "b")]]
    rows += [[("C", s, "b")] for s in subject]
    rows += [None, [("C", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH", "b")], [("B", "Căn cứ Luật Tổ chức chính quyền địa phương;", "i")]]
    return rows


CASES = [
    ("decision of a provincial people's committee", qd(), {
        "issuer": "Ủy ban nhân dân tỉnh Bình Thuận", "parent_body": None, "number": "779/QĐ-UBND",
        "number_raw": "Số: 779 /QĐ-UBND", "type_code": "QĐ", "doc_type": "Quyết định", "place": "Bình Thuận",
        "signing_date": date(2022, 3, 23),
        "subject": "Về việc công nhận Điều lệ (sửa đổi, bổ sung) Quỹ Khuyến học tỉnh Bình Thuận"}),
    ("report: parent body over a wrapped issuer, number glued to the colon", qd(
        number_line="Số:36 /BC-HĐTĐ", date_line="Lâm Đồng, ngày 02 tháng 02 năm 2026",
        bodies=(("UBND TỈNH LÂM ĐỒNG", "b"), ("HỘI ĐỒNG THẨM ĐỊNH,", "b"), ("ĐÁNH GIÁ CHỈ SỐ CẢI", "b"),
                ("CÁCH HÀNH CHÍNH TỈNH", "b")),
        title="BÁO CÁO", subject=("Kết quả thẩm định Chỉ số cải cách hành chính năm 2025",)), {
        "parent_body": "Ủy ban nhân dân tỉnh Lâm Đồng", "parent_body_raw": "UBND TỈNH LÂM ĐỒNG",
        "issuer": "Hội đồng thẩm định, đánh giá chỉ số cải cách hành chính tỉnh", "number": "36/BC-HĐTĐ",
        "number_raw": "Số:36 /BC-HĐTĐ", "type_code": "BC", "doc_type": "Báo cáo", "place": "Lâm Đồng",
        "signing_date": date(2026, 2, 2), "subject": "Kết quả thẩm định Chỉ số cải cách hành chính năm 2025"}),
    ("department under a province: parent regular, issuer bold", qd(
        number_line="Số: 2858 /TTr-SNV", bodies=(("UBND TỈNH LÂM ĐỒNG", ""), ("SỞ NỘI VỤ", "b")), title="TỜ TRÌNH",
        subject=("Về việc ban hành Quy chế",)), {
        "parent_body": "Ủy ban nhân dân tỉnh Lâm Đồng", "issuer": "Sở Nội vụ", "issuer_raw": "SỞ NỘI VỤ",
        "number": "2858/TTr-SNV", "type_code": "TTr", "doc_type": "Tờ trình"}),
    ("unsigned draft: blank number and blank day stay null", qd(
        number_line="Số:      /QĐ-UBND", date_line="Hà Nội, ngày      tháng 6 năm 2025"), {
        "number": None, "number_raw": "Số: /QĐ-UBND", "type_code": "QĐ", "signing_date": None, "place": "Hà Nội",
        "doc_type": "Quyết định"}),
    ("dotted placeholder number", qd(number_line="Số: ……/2025/QĐ-UBND"), {"number": None, "type_code": "QĐ"}),
    ("legal normative decree with a year in the number", qd(
        number_line="Số: 30/2020/NĐ-CP", date_line="Hà Nội, ngày 05 tháng 3 năm 2020", bodies=(("CHÍNH PHỦ", "b"),),
        title="NGHỊ ĐỊNH", subject=("Về công tác văn thư",)), {
        "issuer": "Chính phủ", "parent_body": None, "number": "30/2020/NĐ-CP", "type_code": "NĐ",
        "doc_type": "Nghị định", "signing_date": date(2020, 3, 5), "subject": "Về công tác văn thư"}),
    ("stray dot after the serial, old-style tone on the issuer", qd(
        number_line="Số: 3070. /KH-UBND", bodies=(("UỶ BAN NHÂN DÂN", "b"), ("THỊ XÃ BỈM SƠN", "b")), title="KẾ HOẠCH",
        subject=("Khắc phục những tồn tại",)), {
        "number": "3070/KH-UBND", "number_raw": "Số: 3070. /KH-UBND", "issuer": "Ủy ban nhân dân thị xã Bỉm Sơn",
        "issuer_raw": "UỶ BAN NHÂN DÂN THỊ XÃ BỈM SƠN", "doc_type": "Kế hoạch", "type_code": "KH"}),
    ("official letter: no title, V/v subject under the number", two_col(
        [("UBND TỈNH LÂM ĐỒNG", ""), ("TRUNG TÂM XÚC TIẾN ĐẦU TƯ", "b"), ("THƯƠNG MẠI VÀ DU LỊCH", "b")],
        [(t, s) for _, t, s in MOTTO]) + [
        [("L", "Số: 644 /TTXT-ĐTDN", ""), ("R", "Lâm Đồng, ngày 06 tháng 11 năm 2025", "i")],
        [("L", "V/v báo cáo tình hình cải thiện môi", "")], [("L", "trường đầu tư, nâng cao chỉ số PCI", "")],
        None, [("C", "Kính gửi: Ủy ban nhân dân tỉnh", "")], [("B", "Thực hiện chức năng, nhiệm vụ được giao", "")]], {
        "doc_type": "Công văn", "type_code": None, "number": "644/TTXT-ĐTDN", "parent_body": "Ủy ban nhân dân tỉnh Lâm Đồng",
        "subject": "báo cáo tình hình cải thiện môi trường đầu tư, nâng cao chỉ số PCI", "signing_date": date(2025, 11, 6)}),
    ("letter of a people's committee: the number names no type", two_col(
        [("ỦY BAN NHÂN DÂN", "b"), ("TỈNH LÂM ĐỒNG", "b")], [(t, s) for _, t, s in MOTTO]) + [
        [("L", "Số: 4377 /UBND-NC", ""), ("R", "Lâm Đồng, ngày 30 tháng 9 năm 2025", "i")],
        [("L", "V/v xem xét đề nghị", "")], None, None, [("C", "Kính gửi:", "")]], {
        "doc_type": "Công văn", "type_code": None, "number": "4377/UBND-NC", "subject": "xem xét đề nghị",
        "issuer": "Ủy ban nhân dân tỉnh Lâm Đồng"}),
    ("appendix without a masthead: caption names the parent document", [
        [("C", "Phụ lục III", "b")], [("C", "KẾT QUẢ ĐÁNH GIÁ CÁC TIÊU CHÍ THUỘC CẢI CÁCH THỦ TỤC", "b")],
        [("C", "HÀNH CHÍNH NĂM 2025", "b")],
        [("C", "(Kèm theo Quyết định số 1187 /QĐ-BNV ngày 15 tháng 10 năm 2025 của Bộ Nội vụ)", "i")],
        None, [("B", "I. ĐỐI VỚI CẤP SỞ", "b")]], {
        "doc_type": "Phụ lục", "title_raw": "Phụ lục III", "number": None, "issuer": None, "signing_date": None,
        "subject": "KẾT QUẢ ĐÁNH GIÁ CÁC TIÊU CHÍ THUỘC CẢI CÁCH THỦ TỤC HÀNH CHÍNH NĂM 2025",
        "parent_number": "1187/QĐ-BNV"}),
    ("attached table titled 'Bảng 2' is a Phụ lục of its decision", [
        [("R", "Bảng 2", "b")], [("C", "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CẤP TỈNH", "b")],
        [("C", "(Ban hành kèm theo Quyết định số1187/QĐ-BNV ngày15 tháng10 năm 2025 của Bộ Nội vụ)", "i")]], {
        "doc_type": "Phụ lục", "title_raw": "Bảng 2", "number": None, "subject": "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CẤP TỈNH",
        "parent_number": "1187/QĐ-BNV"}),
    ("attachment printing its body top left, blank caption number", [
        [("L", "BỘ NỘI VỤ", "b")], None, [("C", "Phụ lục 2", "b")], [("C", "HƯỚNG DẪN CHẤM ĐIỂM CÁC TIÊU CHÍ", "b")],
        [("C", "(Kèm theo Công văn số       /BNV-CCHC ngày    /12/2025 của Bộ Nội vụ)", "i")]], {
        "doc_type": "Phụ lục", "issuer": "Bộ Nội vụ", "number": None, "parent_number": None,
        "subject": "HƯỚNG DẪN CHẤM ĐIỂM CÁC TIÊU CHÍ"}),
    ("resolution of a Party committee: party motto, number 03-NQ/TU", two_col(
        [("TỈNH ỦY BẾN TRE", "b"), ("*", "")], [("ĐẢNG CỘNG SẢN VIỆT NAM", "b")]) + [
        [("L", "Số 03-NQ/TU", ""), ("R", "Bến Tre, ngày 15 tháng 6 năm 2016", "i")], None, [("C", "NGHỊ QUYẾT", "b")],
        [("C", "về xây dựng chuỗi giá trị sản phẩm nông nghiệp chủ lực", "b")]], {
        "issuer": "Tỉnh ủy Bến Tre", "number": "03-NQ/TU", "type_code": "NQ", "doc_type": "Nghị quyết",
        "signing_date": date(2016, 6, 15), "subject": "về xây dựng chuỗi giá trị sản phẩm nông nghiệp chủ lực"}),
    ("e-signature stamp on an attachment is kept apart, not taken as its number", [
        [("T", "Số: 2061/QĐ-UBND", "")], [("T", "Thời gian ký: 2026-05-13T14:41:57+07:00", "")], None,
        [("C", "DANH MỤC SẢN PHẨM/ CÔNG VIỆC CHUNG", "b")],
        [("C", "(Ban hành kèm theo Quyết định số: /QĐ-UBND ngày tháng 5 năm 2026 của UBND tỉnh)", "i")]], {
        "number": None, "signing_date": None, "doc_type": "Phụ lục", "parent_number": None,
        "esign_number": "2061/QĐ-UBND", "esign_time": "2026-05-13T14:41:57+07:00",
        "subject": "DANH MỤC SẢN PHẨM/ CÔNG VIỆC CHUNG"}),
]


@pytest.mark.parametrize("name,rows,expected", CASES, ids=[c[0] for c in CASES])
def test_masthead_shapes(name: str, rows: list, expected: dict) -> None:
    mh = read_masthead(layout(rows), W)
    for key, want in expected.items():
        assert getattr(mh, key) == want, f"{name}: {key}"


@pytest.mark.parametrize("dt", [d for d in document_types() if d.abbreviation], ids=lambda d: d.name)
def test_every_type_of_the_standard_is_read_from_its_title_and_number(dt) -> None:
    """Every type with an abbreviation in schemas/document_types.csv (ND 30/2020 Phụ lục III and
    the legal normative types): its upper-case title gives the type, its abbreviation the code."""
    rows = qd(number_line=f"Số: 12/{dt.abbreviation}-UBND", title=dt.titles[0], subject=("Về việc thử",))
    mh = read_masthead(layout(rows), W)
    assert (mh.doc_type, mh.type_code, mh.number, mh.subject) == (dt.name, dt.abbreviation, f"12/{dt.abbreviation}-UBND",
                                                                   "Về việc thử")


def test_type_from_the_number_when_no_title_is_printed() -> None:
    rows = two_col([("SỞ NỘI VỤ", "b")], [(t, s) for _, t, s in MOTTO]) + [
        [("L", "Số: 15/TB-SNV", ""), ("R", "Lâm Đồng, ngày 3 tháng 3 năm 2025", "i")], None,
        [("B", "Sở Nội vụ thông báo kết quả như sau:", "")]]
    mh = read_masthead(layout(rows), W)
    assert (mh.doc_type, mh.type_code, mh.signing_date) == ("Thông báo", "TB", date(2025, 3, 3))


def test_title_with_colon_and_abbreviation_table_is_one_home() -> None:
    assert type_by_title()["THÔNG TƯ LIÊN TỊCH"].abbreviation == "TTLT"
    assert type_by_abbreviation()["QyĐ"].name == "Quy định"
    assert type_by_abbreviation()["CTr"].name == "Chương trình"
    from pipeline.parsing.nlp import DOC_TYPE_ABBREVIATIONS, DOC_TYPES

    assert DOC_TYPES["Quyết định"] == ("quyết định", "quết định")
    assert DOC_TYPE_ABBREVIATIONS == {"NQ": "Nghị quyết", "QĐ": "Quyết định", "NĐ": "Nghị định",
                                      "TTLT": "Thông tư liên tịch"}


SIGNERS = [
    ("deputy signing for the chair", [
        [("L", "Nơi nhận:", "bi"), ("R", "KT. CHỦ TỊCH", "b")], [("L", "- Như Điều 3;", ""), ("R", "PHÓ CHỦ TỊCH", "b")],
        [("L", "- Lưu: VT.", "")], None, None, [("R", "Nguyễn Minh", "b")]],
        ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Minh")),
    ("on behalf of the committee, deputy for the chair", [
        [("L", "Nơi nhận:", "bi"), ("R", "TM. ỦY BAN NHÂN DÂN", "b")], [("R", "KT. CHỦ TỊCH", "b")],
        [("R", "PHÓ CHỦ TỊCH", "b")], None, None, [("R", "Dương Đức Tuấn", "b")]],
        ("TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Dương Đức Tuấn")),
    ("by order (TL.)", [
        [("L", "Nơi nhận:", "bi"), ("R", "TL. CHỦ TỊCH", "b")], [("R", "CHÁNH VĂN PHÒNG", "b")], None, None,
        [("R", "Nguyễn Nhân Bản", "b")]], ("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "Nguyễn Nhân Bản")),
    ("the chair in own name", [
        [("L", "Nơi nhận:", "bi"), ("R", "CHỦ TỊCH", "b")], [("L", "- Thường trực Thị uỷ;", "")], None, None,
        [("R", "Trịnh Tuấn Thành", "b")]], (None, "CHỦ TỊCH", "Trịnh Tuấn Thành")),
    ("draft without a name", [
        [("L", "Nơi nhận:", "bi"), ("R", "KT. GIÁM ĐỐC", "b")], [("R", "PHÓ GIÁM ĐỐC", "b")], None, None],
        ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", None)),
]


@pytest.mark.parametrize("name,rows,expected", SIGNERS, ids=[s[0] for s in SIGNERS])
def test_signer_shapes(name: str, rows: list, expected: tuple) -> None:
    body = [[("B", "Quyết định này có hiệu lực kể từ ngày ký./.", "")], None]
    s = read_signer([layout(body + rows)], W)
    assert s is not None and (s.authority, s.title, s.name) == expected


def test_no_signer_on_pages_without_a_block() -> None:
    rows = [[("B", "Trên đây là báo cáo kết quả.", "")], [("B", "Nguyễn Văn A đề nghị xem xét.", "")]]
    assert read_signer([layout(rows)], W) is None


@pytest.mark.parametrize("raw,want", [
    ("SỞ NỘI VỤ", "Sở Nội vụ"), ("UBND TỈNH LÂM ĐỒNG", "Ủy ban nhân dân tỉnh Lâm Đồng"),
    ("UỶ BAN NHÂN DÂN THỊ XÃ BỈM SƠN", "Ủy ban nhân dân thị xã Bỉm Sơn"), ("BỘ Y TẾ", "Bộ Y tế"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", "Ủy ban nhân dân thành phố Hà Nội"),
    ("SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "Sở Nông nghiệp và Môi trường"),
    ("BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Bộ Lao động - Thương binh và Xã hội"),
    ("HĐND TỈNH VĨNH LONG", "Hội đồng nhân dân tỉnh Vĩnh Long"), ("CÔNG AN TỈNH LÂM ĐỒNG", "Công an tỉnh Lâm Đồng"),
    ("Sở Nội vụ", "Sở Nội vụ"),
])
def test_body_names_in_normal_case(raw: str, want: str) -> None:
    assert normalize_body(raw) == want


@pytest.mark.parametrize("old,new", [("Uỷ ban", "Ủy ban"), ("CỘNG HOÀ", "CỘNG HÒA"), ("thuỷ lợi", "thủy lợi"),
                                     ("quý", "quý"), ("hoàn thành", "hoàn thành"), ("khoẻ", "khỏe")])
def test_modern_tone_placement(old: str, new: str) -> None:
    assert modern_tone(old) == new


def _chars(text: str, x0: float, top: float, size: float = 13.0, font: str = "TimesNewRomanPSMT") -> list[dict]:
    out, x = [], x0
    for ch in text:
        w = size * 0.5
        out.append({"text": ch, "x0": x, "x1": x + w, "top": top, "bottom": top + size, "size": size,
                    "fontname": font, "upright": True})
        x += w
    return out


def test_lines_split_at_the_column_gap_and_merge_filled_in_numbers() -> None:
    """One baseline carries both masthead columns; a number written into the blank by the
    signing system (another layer) joins its line in x order."""
    chars = _chars("UBND TỈNH", 80, 50) + _chars("CỘNG HÒA", 300, 50, font="Times-Bold")
    chars += _chars("Số:", 90, 80) + _chars("/BC-SNV", 136, 80) + _chars("184", 113, 80.5, size=13.04)
    lines = masthead_lines(chars, 1)
    assert [ln.text for ln in lines] == ["UBND TỈNH", "CỘNG HÒA", "Số: 184 /BC-SNV"]
    assert lines[1].bold and not lines[0].bold


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        MastheadSettings(column_gap=0)
    with pytest.raises(ValueError):
        MastheadSettings(header_share=1.5)


# ------------------------------------------------------------------------- pages of the real corpus
def _read(name: str) -> tuple:
    import pdfplumber

    from extractors.annotations import meta_page_lines

    with pdfplumber.open(FIXTURES / name) as pdf:
        pages = [x for x in (meta_page_lines(p, p.chars) for p in pdf.pages) if x is not None]
        return read_masthead(pages[0], float(pdf.pages[0].width)), read_signer(pages, float(pdf.pages[0].width))


def test_real_report_with_e_signature_fill_ins() -> None:
    """Sở Nội vụ Lâm Đồng, report 184/BC-SNV (pages 1 and 16): the number and the day are written
    into the blanks by the e-signature system as widget appearances."""
    mh, signer = _read("masthead_09_p1_p16.pdf")
    assert (mh.parent_body, mh.issuer) == ("Ủy ban nhân dân tỉnh Lâm Đồng", "Sở Nội vụ")
    assert (mh.number, mh.number_raw, mh.type_code) == ("184/BC-SNV", "Số: 184 /BC-SNV", "BC")
    assert (mh.place, mh.signing_date, mh.doc_type) == ("Lâm Đồng", date(2025, 11, 6), "Báo cáo")
    assert mh.subject == "Tình hình thực hiện các chỉ số PAR Index, SIPAS, PAPI, PCI, 766 của tỉnh Lâm Đồng"
    assert signer is not None and (signer.authority, signer.title, signer.name) == (
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Hữu Tuấn")


def test_real_appendix_of_an_official_letter() -> None:
    """Bộ Nội vụ, Phụ lục 2 of Công văn 12094/BNV-CCHC: no Số line, no motto, body top left."""
    mh, signer = _read("masthead_05_p1.pdf")
    assert (mh.doc_type, mh.number, mh.issuer, mh.parent_body) == ("Phụ lục", None, "Bộ Nội vụ", None)
    assert mh.parent_number == "12094/BNV-CCHC"
    assert mh.subject == "HƯỚNG DẪN CHẤM ĐIỂM CÁC TIÊU CHÍ, TIÊU CHÍ THÀNH PHẦN CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CẤP TỈNH"
    assert signer is None


def test_real_appendix_without_anything_above_its_title() -> None:
    mh, signer = _read("masthead_07_p1.pdf")
    assert (mh.doc_type, mh.title_raw, mh.number, mh.issuer, mh.signing_date) == ("Phụ lục", "Phụ lục III", None, None,
                                                                                  None)
    assert mh.subject == "KẾT QUẢ ĐÁNH GIÁ CÁC TIÊU CHÍ THUỘC CẢI CÁCH THỦ TỤC HÀNH CHÍNH NĂM 2025"
    assert signer is None


def test_real_pages_through_extract_document() -> None:
    """The whole path: extract_document → documents row with the new columns."""
    from extractors.document import extract_document
    from pipeline.records.datasets import document_frames

    doc = extract_document(FIXTURES / "masthead_09_p1_p16.pdf")
    row = document_frames(doc, "test")["documents"].iloc[0]
    assert (row["doc_number"], row["doc_type_code"], row["parent_body"], row["signer_name"]) == (
        "184/BC-SNV", "BC", "Ủy ban nhân dân tỉnh Lâm Đồng", "Trần Hữu Tuấn")
    assert row["signing_date"] == date(2025, 11, 6) and row["province"] == "Lâm Đồng"


def test_number_and_date_lines_split_by_the_blank_are_joined() -> None:
    """Word sets the blank for the serial and the day as a wide run: the row builder sees two
    segments ("Số:" … "/KH-UBND", "Bỉm Sơn, ngày" … "tháng 9 năm 2024")."""
    def ln(text: str, x0: float, x1: float, top: float, italic: bool = False) -> Line:
        return Line(text, 1, (x0, top, x1, top + 13), 13.0, False, italic)

    lines = [ln("UBND THỊ XÃ BỈM SƠN", 85, 207, 58), ln("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", 266, 537, 58),
             ln("Số:", 91, 109, 101), ln("/KH-UBND", 145, 208, 101), ln("Bỉm Sơn, ngày", 320, 396, 101, True),
             ln("tháng 9 năm 2024", 419, 513, 101, True), ln("KẾ HOẠCH", 273, 350, 138)]
    mh = read_masthead(lines, W)
    assert (mh.number, mh.number_raw, mh.type_code) == (None, "Số: /KH-UBND", "KH")
    assert (mh.place, mh.signing_date, mh.date_raw) == ("Bỉm Sơn", None, "Bỉm Sơn, ngày tháng 9 năm 2024")


REPO = Path(__file__).resolve().parent.parent
REAL = default_real()  # <repo>/../shared/real, or one level up from a worktree
GOLDEN = REPO / "tests" / "golden" / "real"


@pytest.mark.slow
@pytest.mark.skipif(not REAL.exists() or not GOLDEN.exists(), reason="real corpus or its golden files absent")
def test_real_corpus_metadata_per_field() -> None:
    """Every metadata field ≥ 98 % on the text-layer documents of the real corpus (bench/real_meta)."""
    from bench.real_meta import measure, report

    res = measure(GOLDEN, REAL, fast=True)
    low = {f: v["pipeline"] for f, v in res["text_layer"].items() if v["pipeline"] is not None and v["pipeline"] < 0.98}
    assert not low, report(res)
