"""Masthead of a scan whose number and day were filled in by hand: the fields Tesseract cannot read
are left empty with a warning (never a wrong value), and the lines around them are still read.
Lines are laid out as on a provincial decision's first page (two columns); text written for the test."""

from __future__ import annotations

from extractors.masthead import read_masthead
from extractors.model import DocumentMeta, Line
from extractors.structure import unread_meta_warnings


def ln(text: str, x0: float, top: float, x1: float, size: float = 12.0, bold: bool = False) -> Line:
    return Line(text, 1, (x0, top, x1, top + size), size, bold, False, is_ocr=True, confidence=0.9)


def page(number_line: str, date_line: str) -> list[Line]:
    return [ln("ỦY BAN NHÂN DÂN", 78, 24, 200), ln("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 232, 24, 520),
            ln("TỈNH TÂN HÀ", 85, 41, 190), ln("Độc lập - Tự do - Hạnh phúc", 293, 43, 470),
            ln(number_line, 88, 71, 200), ln(date_line, 276, 71, 520),
            ln("QUYẾT ĐỊNH", 261, 115, 340, 14, True), ln("Về việc ban hành định mức kinh tế - kỹ thuật", 167, 134, 430,
                                                        12, True),
            ln("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH TÂN HÀ", 148, 203, 450, 12, True)]


def test_a_handwritten_serial_leaves_the_number_empty_and_the_issuer_right():
    mh = read_masthead(page("Số: I#Œ/QĐ-UBND", "Tân Hà, ngày c2 tháng 9 năm 2025"), 600)
    assert mh.number is None and mh.number_raw == "Số: I#Œ/QĐ-UBND" and mh.type_code == "QĐ"
    assert mh.issuer == "Ủy ban nhân dân tỉnh Tân Hà"  # not the number line
    assert mh.place == "Tân Hà" and mh.signing_date is None
    assert mh.doc_type == "Quyết định" and mh.subject == "Về việc ban hành định mức kinh tế - kỹ thuật"
    meta = DocumentMeta(doc_number=mh.number, doc_number_raw=mh.number_raw, date_raw=mh.date_raw)
    warnings = unread_meta_warnings(meta)
    assert len(warnings) == 2 and "number not legible" in warnings[0] and "date not legible" in warnings[1]


def test_a_misread_so_still_marks_the_number_line():
    mh = read_masthead(page("Só/‡2đ# /UBND-NC", "Tân Hà, ngày 4 tháng 9 năm 2025"), 600)
    assert mh.number is None and mh.issuer == "Ủy ban nhân dân tỉnh Tân Hà"
    assert mh.signing_date is not None and mh.signing_date.isoformat() == "2025-09-04"


def test_a_legible_number_and_a_blank_form_raise_no_warning():
    mh = read_masthead(page("Số: 12/QĐ-UBND", "Tân Hà, ngày 4 tháng 9 năm 2025"), 600)
    assert mh.number == "12/QĐ-UBND"
    assert unread_meta_warnings(DocumentMeta(doc_number=mh.number, doc_number_raw=mh.number_raw,
                                             signing_date=mh.signing_date, date_raw=mh.date_raw)) == []
    blank = DocumentMeta(doc_number_raw="Số:      /QĐ-UBND", date_raw="Tân Hà, ngày … tháng … năm 2025")
    assert unread_meta_warnings(blank) == []


def test_a_misread_issuer_is_left_empty_and_a_code_in_mixed_case_marks_the_number_line():
    lines = page("Số: 2'Ø/TTr-CAT-PC06", "Tân Hà, ngày 01 tháng # năm 2026")
    lines[0] = ln("CÔNG ANTỈNHTÂNHÀ", 78, 24, 200)  # spaces lost by the OCR
    del lines[2]
    mh = read_masthead(lines, 600)
    assert mh.number is None and mh.number_raw == "Số: 2'Ø/TTr-CAT-PC06"
    assert mh.issuer is None and mh.issuer_raw == "CÔNG ANTỈNHTÂNHÀ"  # not a wrong name, not the number line


def test_a_text_layer_issuer_is_never_judged():
    from extractors.bodies import misread_name

    printed = Line("SỞ XÂY DỰNG", 1, (0, 0, 100, 12), 12, False, False)
    assert not misread_name([printed])
    assert misread_name([ln("SỞ XÂYDỰNG", 0, 0, 100)])


def test_a_margin_note_beside_the_title_is_not_the_subject():
    lines = page("Số: 12/KH-UBND", "Tân Hà, ngày 4 tháng 9 năm 2025")
    lines[6] = ln("KẾ HOẠCH", 289, 132, 370, 14, True)
    lines[7] = ln("Phối hợp kiểm soát các hoạt động", 198, 149, 450, 12, True)
    lines += [ln("A64", 103, 134, 125), ln("O({2 J6", 100, 154, 140),
              ln("liên quan đến năm 2026", 234, 167, 420, 12, True)]
    mh = read_masthead(lines, 600)
    assert mh.doc_type == "Kế hoạch"
    assert mh.subject == "Phối hợp kiểm soát các hoạt động liên quan đến năm 2026"
