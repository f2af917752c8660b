"""Tables of real exports: traps met on documents nobody here made.

Two kinds of fixture:

* pages cut from the real corpus (``tests/fixtures/real/``, qpdf) with the expected rows read
  from the rendered page by a person, not from this pipeline's output;
* tiny PDFs drawn here with reportlab for the two cell errors seen on browser and LibreOffice
  prints (a glyph poking past a narrow column's rule; the last line of a wrapped cell whose row
  continues on the next page, with no ruling closing the row at the break).

The whole real corpus is measured by ``bench.real_tables`` (slow test at the end).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractors.document import extract_document
from extractors.table_settings import TableSettings
from tools.corpus.render import _register_fonts

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "real"
FONT = "DejaVuSerif"


@pytest.fixture(scope="module", autouse=True)
def fonts():
    _register_fonts()


def nfc(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


def rows_of(table) -> list[list[str]]:
    """Dense rows: a merged cell's text at its first column, '' at the columns it also covers."""
    grid = table.grid()
    return [[nfc(c.text) if c is not None and c.col == k else "" for k, c in enumerate(row)] for row in grid]


def _grid(c: canvas.Canvas, xs: list[float], ys: list[float], v_from: float | None = None,
          v_to: float | None = None) -> None:
    """Rulings: horizontal lines at ``ys`` across ``xs``; vertical lines at ``xs`` from ``v_from``
    to ``v_to`` (default: the first and last of ``ys``)."""
    c.setLineWidth(0.6)
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    top = ys[0] if v_from is None else v_from
    bottom = ys[-1] if v_to is None else v_to
    for x in xs:
        c.line(x, top, x, bottom)


# ---- the two cell errors, drawn ---------------------------------------------------------------

def test_glyph_poking_past_a_narrow_columns_rule_stays_with_its_word(tmp_path):
    pdf = tmp_path / "poke.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4, invariant=1)
    xs = [72.0, 200.0, 236.0, 300.0, 420.0]
    ys = [700.0, 680.0, 650.0, 630.0]
    _grid(c, xs, ys)
    c.setFont(FONT, 10)
    for x, text in zip(xs, ["Hạng mục", "ĐVT", "Định mức", "Ghi chú"], strict=False):
        c.drawString(x + 3, 686, text)
    c.drawString(75, 667, "Tập huấn kỹ thuật")
    c.drawString(203, 667, "ngày/")
    # the unit's second line is set a little too wide: its last glyph's box crosses the rule
    head = "ngườ"
    x_i = xs[2] - 1.0  # "i" starts 1 pt before the rule; its centre lies past it
    c.drawString(x_i - c.stringWidth(head, FONT, 10), 655, head + "i")
    c.drawString(xs[2] + 5, 667, "04")
    c.drawString(xs[3] + 3, 667, "mỗi lớp")
    c.drawString(75, 636, "Tài liệu")
    c.drawString(203, 636, "bộ")
    c.drawString(xs[2] + 5, 636, "1")
    c.showPage()
    c.save()
    assert x_i + c.stringWidth("i", FONT, 10) / 2 > xs[2], "the fixture must put the glyph's centre past the rule"
    doc = extract_document(pdf)
    assert len(doc.tables) == 1
    assert rows_of(doc.tables[0])[1] == ["Tập huấn kỹ thuật", "ngày/người", "04", "mỗi lớp"]


def test_last_line_of_a_wrapped_cell_survives_a_row_cut_by_the_page_break(tmp_path):
    """A LibreOffice/browser print: the row breaks over the page with no ruling at the break
    (side rulings run to the bottom margin on page 1 and from the top margin on page 2). Nothing
    in the text says "continued": no numbered column, and the other cell's rest starts with a
    capital."""
    pdf = tmp_path / "cut.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4, invariant=1)
    xs = [72.0, 330.0, 500.0]
    c.setFont(FONT, 11)
    # page 1: header, one closed row, then a row left open at the foot of the page
    ys = [200.0, 180.0, 150.0]
    _grid(c, xs, ys, v_from=200.0, v_to=60.0)
    c.drawString(75, 186, "Tên thủ tục")
    c.drawString(333, 186, "Cơ quan thực hiện")
    c.drawString(75, 166, "Cấp giấy phép hoạt động")
    c.drawString(333, 166, "Sở Y tế")
    y = 136.0
    for line in ["Đăng ký lại, thời hạn giải quyết là", "05 ngày làm việc kể từ ngày nhận", "đủ hồ sơ (không tính thời gian di"]:
        c.drawString(75, y, line)
        y -= 14
    c.drawString(333, 136, "Sở Y tế;")
    c.setFont(FONT, 10)
    c.drawCentredString(297, 30, "1")
    c.showPage()
    # page 2: the rest of the row above the first ruling, then a closed row
    c.setFont(FONT, 10)
    c.drawCentredString(297, 815, "2")
    c.setFont(FONT, 11)
    ys = [770.0, 740.0]
    _grid(c, xs, ys, v_from=790.0, v_to=740.0)
    c.drawString(75, 776, "chuyển)")
    c.drawString(333, 776, "UBND cấp tỉnh")
    c.drawString(75, 752, "Gia hạn giấy phép")
    c.drawString(333, 752, "Sở Y tế")
    c.showPage()
    c.save()
    doc = extract_document(pdf)
    assert len(doc.tables) == 1, "one table over the page break"
    t = doc.tables[0]
    assert t.pages == [1, 2]
    assert rows_of(t) == [
        ["Tên thủ tục", "Cơ quan thực hiện"],
        ["Cấp giấy phép hoạt động", "Sở Y tế"],
        ["Đăng ký lại, thời hạn giải quyết là 05 ngày làm việc kể từ ngày nhận đủ hồ sơ "
         "(không tính thời gian di chuyển)", "Sở Y tế; UBND cấp tỉnh"],
        ["Gia hạn giấy phép", "Sở Y tế"],
    ]


def test_table_settings_are_validated():
    with pytest.raises(ValueError):
        TableSettings(header_bold_share=0.0)
    with pytest.raises(ValueError):
        TableSettings(stream_max_whitespace=140.0)
    with pytest.raises(ValueError):
        TableSettings(grid_tol=-1.0)
    assert TableSettings().grid_tol == 4.0


# ---- pages cut from the real corpus (expected rows read from the rendered pages) --------------

def _doc(name: str):
    return extract_document(FIXTURES / name)


def _find_row(rows: list[list[str]], first: str) -> list[str]:
    hits = [r for r in rows if r and r[0] == first]
    assert hits, f"no row starting {first!r}"
    return hits[0]


def test_word_export_shaded_header_without_ruling_and_a_second_table_on_the_same_page():
    """Word, rulings drawn as thin filled rectangles; the ruling under the shaded header is left
    out in two columns (only the fill's edge draws it); a second table starts under the first
    one's end on page 2."""
    doc = _doc("t01_p24-25.pdf")
    assert [t.pages for t in doc.tables] == [[1, 2], [2]]
    first, second = doc.tables
    rows = rows_of(first)
    assert first.n_header_rows == 1
    assert rows[0] == ["STT", "Đơn vị", "Điểm đạt được (điểm chuẩn tối đa: 15đ)", "Tỷ lệ (%)"]
    assert sum(r[0] == "STT" for r in rows) == 1, "the header repeated on page 2 is dropped"
    assert rows[1] == ["1", "Thanh tra tỉnh", "12,734", "84,893%"]
    assert rows[2] == ["2", "Sở Dân tộc và Tôn giáo", "12,451", "83,009%"]
    assert _find_row(rows, "15") == ["15", "Sở Y tế", "11,636", "77,572%"]
    assert rows[-1] == ["Điểm thấp nhất", "", "11,636", "77,572%"]
    assert len(rows) == 1 + 15 + 3
    second_rows = rows_of(second)
    assert second.n_header_rows == 1 and second_rows[0][1] == "Địa phương"
    assert second_rows[1] == ["1", "UBND xã Tân Minh", "13,951", "93,004%"]


def test_table_continues_past_a_footnote_and_the_page_number():
    """Page 1 ends with the table's first rows, then a footnote in small type; page 2 opens with
    the printed page number and the header again."""
    doc = _doc("t01_p30-31.pdf")
    ranked = [t for t in doc.tables if t.n_rows and rows_of(t)[0][0] == "Thứ hạng"]
    assert len(ranked) == 1, "one ranking table, not one per page"
    t = ranked[0]
    assert t.pages == [1, 2]
    rows = rows_of(t)
    assert sum(r[0] == "Thứ hạng" for r in rows) == 1
    assert rows[1] == ["1", "UBND phường Cam Ly - Đà Lạt", "10,00", "8,48", "84,80%"]
    assert _find_row(rows, "9") == ["9", "UBND xã Hồng Sơn", "10,00", "8,45", "84,50%"]
    assert _find_row(rows, "10") == ["10", "UBND xã Đạ Huoai 3", "10,00", "8,44", "84,40%"]
    assert rows[-1] == ["38", "UBND xã Đam Rông 2", "10,00", "8,31", "83,10%"]
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(1, 39)]


def test_landscape_criteria_table_rejoins_a_formula_cut_by_the_page_break():
    """Two-row header repeated on page 2, where its 'Ghi chú' cell runs on into the body for want
    of a ruling; the formula cell of 2.3.2 continues at the top of page 2."""
    doc = _doc("t03_p3-4.pdf")
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.pages == [1, 2] and t.n_header_rows == 2
    rows = rows_of(t)
    assert not any(r[0] == "STT" for r in rows[2:]), "the header repeated on page 2 is dropped"
    formula = [r for r in rows if r[1].startswith("Tính điểm theo công thức: (b1/a)")]
    assert len(formula) == 1
    assert formula[0][1] == (
        "Tính điểm theo công thức: (b1/a)*điểm tối đa *100% + (b2/a)*điểm tối đa *75% + (b3/a)*điểm tối đa*25% "
        "Trong đó: a là tổng số văn bản cần phải xử lý b1 là số văn bản đã hoàn thành xử lý trong 30 ngày "
        "(kể từ ngày cơ quan có thẩm quyền kiến nghị) b2 là số văn bản đã hoàn thành việc xử lý trong thời hạn "
        "từ sau 30 ngày đến 90 ngày. b3 là số văn bản đã hoàn thành việc xử lý trong thời hạn từ sau 90 ngày "
        "Trường hợp a = 0 thì đạt điểm tối đa.")
    assert _find_row(rows, "2.4.")[1:3] == ["Cập nhật văn bản trên Cơ sở dữ liệu quốc gia về pháp luật", "1.00"]
    assert _find_row(rows, "2.5.1.")[-1] == "ĐTXHH"


def test_procedure_table_without_header_rejoins_a_row_split_by_the_page_break():
    """A two-column table per procedure: no header row, label rows merged over both columns, a
    content row split over the page break (Word draws the break's rulings)."""
    doc = _doc("t26_p10-11.pdf")
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.pages == [1, 2] and t.n_header_rows == 0
    rows = rows_of(t)
    assert rows[0] == ["1 - Thủ tục hành chính",
                       "Cấp giấy chứng nhận bị phơi nhiễm với HIV do tai nạn rủi ro nghề nghiệp"]
    assert rows[1] == ["Trình tự thực hiện", ""]
    split = [r for r in rows if r[1].startswith("- Cơ quan chuyên môn về y tế")]
    assert len(split) == 1
    assert split[0][1].endswith("- Bộ Công an, Bộ Quốc phòng cấp giấy chứng nhận bị phơi nhiễm với HIV, bị nhiễm HIV "
                                "do tai nạn rủi ro nghề nghiệp cho các đối tượng thuộc thẩm quyền quản lý.")
    i = rows.index(["Phí", ""])
    assert rows[i + 1] == ["", "Không"]
    assert len(rows) == 23


def test_a_row_cut_after_the_first_content_row_is_rejoined_by_the_pattern_of_the_next_page():
    """The page holds only the procedure's title row, one label row and the start of one content
    row; the pattern (label row, content row with an empty first column, repeated, never two
    content rows in a row) shows only on the next page, whose first row is the rest of that
    content row (Word draws rulings at the break, so they say nothing). Rows read from the pages."""
    doc = _doc("t26_p155-156.pdf")
    assert len(doc.tables) == 1
    rows = rows_of(doc.tables[0])
    assert rows[1] == ["Trình tự thực hiện", ""]
    assert rows[2][0] == "" and rows[2][1].startswith("Bước 1: Trường hợp xác định chế phẩm có lỗi")
    assert rows[2][1].endswith("quyết định việc thu hồi số đăng ký lưu hành. - Quyết định thu hồi số đăng ký lưu "
                               "hành được gửi đến chủ sở hữu số đăng ký lưu hành, Bộ Tài chính (Cục Hải quan), Bộ Y "
                               "tế (Cục Phòng bệnh) và đăng tải công khai trên trang thông tin điện tử.")
    assert rows[3] == ["Cách thức thực hiện", ""]
    assert rows[4] == ["", "Trực tiếp, trực tuyến hoặc qua dịch vụ bưu chính công ích"]


@pytest.mark.slow
def test_real_corpus_tables_meet_the_targets():
    """The whole development corpus against the golden files (absent in CI: skipped)."""
    from bench.real_tables import GOLDEN, REAL, measure

    if not REAL.is_dir() or not GOLDEN.is_dir():
        pytest.skip("real corpus or golden files not present")
    c = measure(REAL, GOLDEN, tools=("ours",))["all"]["ours"]
    assert c["tables"] > 0
    assert c["whole"] >= 0.98 * c["multi"]
    assert c["rows_found"] >= 0.98 * c["rows"]
