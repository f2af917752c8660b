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
