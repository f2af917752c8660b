"""Text assembly traps of real producers (issue 13, item 3), each with a focused fixture.

Real pages are cut from the development corpus into ``tests/fixtures/real/`` (expected strings
read from the rendered page, not from the pipeline); the other traps are drawn here with
reportlab, so that each isolates one rule.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractors.chars import prepare_chars
from extractors.document import extract_document
from extractors.settings import ExtractionSettings
from extractors.text import chars_to_lines
from tools.corpus.render import _register_fonts

FIXTURES = Path(__file__).parent / "fixtures" / "real"
FONT = "DejaVuSerif"


@pytest.fixture(scope="module", autouse=True)
def fonts():
    _register_fonts()


def page_lines(pdf: Path, page: int = 1) -> list[str]:
    with pdfplumber.open(pdf) as doc:
        p = doc.pages[page - 1]
        return [ln.text for ln in chars_to_lines(prepare_chars(p.chars), page)]


def draw(path: Path, paint) -> Path:  # noqa: ANN001 - a function of the canvas
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    paint(c)
    c.showPage()
    c.save()
    return path


# ------------------------------------------------------------------------- space glyphs
def test_space_glyphs_of_condensed_word_text_are_word_breaks():
    """Word condenses a justified line until its words stand 0.2 em apart; the space glyphs it
    draws are the word breaks (page 2 of a provincial report; lines read from the page)."""
    doc = extract_document(FIXTURES / "11_p2_condensed_word.pdf")
    text = [ln.text for p in doc.pages for ln in p.lines]
    for printed in ["có hơn 3.500 doanh nghiệp đăng ký thành lập mới với tổng vốn đăng ký hơn 18.000",
                    "pháp nhân, vốn đăng ký hơn 360.000 tỷ đồng. Như vậy, số lượng doanh nghiệp có",
                    "phản ánh khó khăn, vướng mắc (được ghi nhận tại Hội nghị đối thoại doanh nghiệp",
                    "năm 2025) chiếm khoảng 0,4% số lượng doanh nghiệp toàn tỉnh."]:
        assert printed in text


def test_words_drawn_without_space_glyphs_split_by_the_fonts_space_width(tmp_path):
    """No space glyphs, words placed one by one 0.2 em apart (condensed): the gap is measured
    against the font's space, not against a fixed share of the size."""
    words = ["Quyết", "định", "có", "hiệu", "lực", "từ", "ngày", "ký"]

    def paint(c):
        x = 72.0
        for w in words:
            c.setFont(FONT, 12)
            c.drawString(x, 700, w)
            x += c.stringWidth(w, FONT, 12) + 0.2 * 12

    lines = page_lines(draw(tmp_path / "condensed.pdf", paint))
    assert lines == [" ".join(words)]


# ------------------------------------------------------------------ letter spacing / justified
def test_spread_lettering_and_justified_word_spacing_read_as_words(tmp_path):
    """A title set with 4 pt letter spacing (Tc, 0.29 em: wider than the old fixed word gap) and a justified line with wide word spacing:
    letters of a word stay together, words stay apart."""
    def paint(c):
        x = 72.0
        for w in ["Phê", "duyệt", "quy", "hoạch", "chi", "tiết"]:  # justified: 14 pt between words
            c.setFont(FONT, 12)
            c.drawString(x, 660, w)
            x += c.stringWidth(w, FONT, 12) + 14
        t = c.beginText(72, 700)  # drawn last: reportlab keeps the letter spacing for later text
        t.setFont(FONT, 14)
        t.setCharSpace(4)
        t.textLine("QUYẾT ĐỊNH")
        c.drawText(t)

    assert page_lines(draw(tmp_path / "spread.pdf", paint)) == ["QUYẾT ĐỊNH", "Phê duyệt quy hoạch chi tiết"]


# ------------------------------------------------------------------------ layers over text
def test_stamp_over_a_body_line_is_read_apart_not_interleaved(tmp_path):
    """An e-signature box drawn after the page, in another colour and size, over a body line:
    both texts come out whole, never one character of each in turn."""
    body = "Giá bán lẻ xăng dầu trong nước áp dụng từ ngày 15 tháng 3"
    stamp = "Người ký: Nguyễn Văn An"

    def paint(c):
        c.setFont(FONT, 12)
        c.drawString(72, 700, body)
        c.setFillColorRGB(0.8, 0, 0)
        c.setFont(FONT, 10)
        c.drawString(140, 698, stamp)  # same band, overlapping the body line horizontally

    lines = page_lines(draw(tmp_path / "stamp.pdf", paint))
    assert body in lines and stamp in lines


def test_table_header_cells_centred_half_a_line_apart_stay_apart():
    """Header cells whose lines are vertically centred at different heights (a real Aspose
    export, page 1 of a results annex): no line is chained to its neighbour, so the words of
    "Điểm chuẩn tối đa", "Điểm tự đánh giá", "Điểm thẩm định" and "Sở Văn hoá, Thể thao và Du
    lịch" come out whole."""
    lines = page_lines(FIXTURES / "masthead_07_p1.pdf")
    words = " ".join(lines).split()
    for w in ["Điểm", "chuẩn", "tối", "đa", "tự", "đánh", "giá", "thẩm", "định", "Chỉ", "số", "lịch"]:
        assert w in words
    assert words.count("Điểm") >= 3
    assert any(ln.endswith("Sở Văn hoá, Thể thao và Du") for ln in lines)


# ------------------------------------------------------------------------------ rotation
def test_rotated_text_is_read_along_its_own_direction(tmp_path):
    """A column header turned 90° and a diagonal watermark: each is read as a line of its own
    direction, not dropped and not mixed into the horizontal lines."""
    def paint(c):
        c.setFont(FONT, 12)
        c.drawString(72, 700, "Bảng giá đất ở tại đô thị")
        c.saveState()
        c.translate(300, 500)
        c.rotate(90)
        c.drawString(0, 0, "Ghi chú")
        c.restoreState()
        c.saveState()
        c.translate(150, 300)
        c.rotate(45)
        c.setFillColorRGB(0.7, 0.7, 0.7)
        c.setFont(FONT, 20)
        c.drawString(0, 0, "BẢN DỰ THẢO")
        c.restoreState()

    lines = page_lines(draw(tmp_path / "rotated.pdf", paint))
    assert "Bảng giá đất ở tại đô thị" in lines
    assert "Ghi chú" in lines
    assert "BẢN DỰ THẢO" in lines


# ------------------------------------------------------------------------------ settings
def test_settings_are_validated_and_overridable():
    s = ExtractionSettings.resolve({"column_gap_em": 4.0})
    assert s.column_gap_em == 4.0 and s.line_overlap == ExtractionSettings().line_overlap
    assert ExtractionSettings.resolve(None) == ExtractionSettings()
    with pytest.raises(ValueError, match="unknown setting .colum_gap.; did you mean column_gap_em"):
        ExtractionSettings.resolve({"colum_gap": 4.0})
    with pytest.raises(ValueError, match="line_overlap"):
        ExtractionSettings(line_overlap=1.5)
    with pytest.raises(ValueError, match="header_band"):
        ExtractionSettings(header_band=0.95)
    with pytest.raises(TypeError):
        ExtractionSettings.resolve(3)


def test_a_setting_changes_what_is_read(tmp_path):
    """The settings reach the assembly: with a column gap wider than the gap between two
    masthead blocks, the two blocks are read as one line."""
    def paint(c):
        c.setFont(FONT, 12)
        c.drawString(72, 700, "ỦY BAN NHÂN DÂN")
        c.drawString(320, 700, "CỘNG HÒA XÃ HỘI")

    pdf = draw(tmp_path / "cols.pdf", paint)
    with pdfplumber.open(pdf) as doc:
        chars = prepare_chars(doc.pages[0].chars)
    assert [ln.text for ln in chars_to_lines(chars, 1)] == ["ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI"]
    wide = ExtractionSettings(column_gap_em=30.0)
    assert [ln.text for ln in chars_to_lines(chars, 1, wide)] == ["ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI"]


# ------------------------------------------------------------------ annotation appearances
def test_number_written_by_the_e_signature_system_is_read_into_its_line(tmp_path):
    """E-signature systems write the document number and the date into the masthead's blanks as
    form-field widgets after signing (seen on the e-signed reports and decisions of the real
    corpus: "Số: 36 /BC-HĐTĐ", "Số: 2858 /QĐ-UBND"). The page shows them, so the text has them,
    in their line; a hidden widget shows nothing."""
    def paint(c):
        c.setFont(FONT, 13)
        c.drawString(100, 720, "Số:")
        c.drawString(160, 720, "/TTXT-ĐTDN")
        c.acroForm.textfield(name="so", value="644", x=124, y=716, width=34, height=18, fontName="Times-Roman",
                             fontSize=13, borderWidth=0, fillColor=None, borderColor=None, forceBorder=False)
        c.acroForm.textfield(name="an", value="DRAFT 12", x=100, y=600, width=120, height=18, fontName="Times-Roman",
                             fontSize=13, borderWidth=0, fillColor=None, borderColor=None, forceBorder=False,
                             annotationFlags="hidden")

    doc = extract_document(draw(tmp_path / "widget.pdf", paint))
    lines = [ln.text for ln in doc.pages[0].lines]
    assert lines == ["Số: 644 /TTXT-ĐTDN"]
    assert doc.pages[0].n_chars == len("Số:/TTXT-ĐTDN"), "the page's own text layer is what its kind is judged on"


def test_duplicates_are_dropped_also_among_characters_made_outside_pdfplumber():
    """Annotation characters carry no ``doctop``; a glyph drawn twice (overprint) counts once."""
    def ch(text, x0, top, doctop=True):
        c = {"text": text, "x0": x0, "x1": x0 + 6, "top": top, "bottom": top + 12, "size": 12.0,
             "fontname": "F", "upright": True, "matrix": (1, 0, 0, 1, x0, 700)}
        if doctop:
            c["doctop"] = top + 842
        return c

    chars = [ch("S", 100, 100), ch("ố", 106, 100), ch("6", 120, 100, doctop=False), ch("6", 120.2, 100, doctop=False)]
    assert [c["text"] for c in prepare_chars(chars)] == ["S", "ố", "6"]
