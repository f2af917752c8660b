"""Extraction traps from DOMAIN.md §7, each with a focused fixture PDF made in the test.

Fixtures are rendered by the corpus generator from tiny sources, or drawn directly with
reportlab where a trap needs a layout the generator does not make (raised/lowered digits).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractors.document import extract_document
from extractors.text import join_wrapped
from pipeline.core.errors import NotAPdf
from tools.corpus.render import _register_fonts, render_pdf
from tools.corpus.source_model import load_source

HEADER = ["Thời kỳ", "Hạng mục", "Đơn vị tính", "Yêu cầu mô hình", "Tài liệu viện dẫn", "Ghi chú"]
ROLES = ["period", "item", "unit", "value", "reference", "note"]


def make_pdf(tmp_path: Path, blocks: list[dict], style: str = "gov", name: str = "fx") -> Path:
    src_dir = tmp_path / "src" / name
    src_dir.mkdir(parents=True)
    (src_dir / "01.json").write_text(json.dumps(
        {"doc_id": name, "seed": "-", "meta": {"number": "1/2024/QĐ-UBND"}, "blocks": blocks}, ensure_ascii=False),
        encoding="utf-8")
    pdf = tmp_path / f"{name}-{style}.pdf"
    render_pdf(load_source(name, tmp_path / "src"), style, pdf)
    return pdf


def norm_table(rows: list, tid: str = "t1", header: list | None = None, roles: list | None = None) -> dict:
    return {"t": "table", "id": tid, "family": "norm", "roles": roles or ROLES, "header": [header or HEADER],
            "rows": rows}


def long_rows(n: int) -> list:
    first = [{"text": "Trồng mới, chăm sóc năm thứ nhất", "rs": n}, "1. Giống trồng mới", "cây", "1.200",
             {"text": "Quyết định số 04/2021/QĐ-UBND ngày 03 tháng 3 năm 2021", "rs": n}, {"text": "", "rs": n}]
    rows = [first]
    for i in range(2, n + 1):
        rows.append([f"{i}. Phân hữu cơ vi sinh loại {i} dùng bón lót và bón thúc cho cây trồng (bón qua rễ)",
                     "kg", f"{i * 10}"])
    return rows


@pytest.fixture(scope="module", autouse=True)
def fonts():
    _register_fonts()


def cell(table, row: int, col: int):
    for c in table.cells:
        if c.row <= row < c.row + c.rs and c.col <= col < c.col + c.cs:
            return c
    raise AssertionError(f"no cell at {row},{col}")


def test_merged_period_spans_every_row_and_survives_page_breaks(tmp_path):
    style = "gov"  # rows split across pages; the compact producer cannot break a 60-row span at all
    pdf = make_pdf(tmp_path, [{"t": "h", "kind": "section", "level": 5, "text": "1.1. Định mức vật tư"},
                              norm_table(long_rows(60))], style)
    doc = extract_document(pdf)
    assert len(doc.tables) == 1, "one logical table over several pages"
    t = doc.tables[0]
    assert len(t.pages) >= 2
    assert t.n_header_rows == 1 and t.n_rows == 61
    period = cell(t, 1, 0)
    assert period.text == "Trồng mới, chăm sóc năm thứ nhất"
    assert period.rs == 60, "the merged period covers every body row, across the page break"
    assert cell(t, 60, 1).text.startswith("60. Phân hữu cơ")
    assert [cell(t, r, 3).text for r in range(1, 61)] == ["1.200"] + [str(i * 10) for i in range(2, 61)]


def test_repeated_header_is_dropped_and_split_row_rejoined(tmp_path):
    rows = [["", f"{i}. Hạng mục số {i} " + "có nội dung dài được ngắt dòng nhiều lần " * (3 if i % 7 == 0 else 0),
             "kg", str(i), "", ""] for i in range(1, 70)]
    pdf = make_pdf(tmp_path, [norm_table(rows)], "gov")
    t = extract_document(pdf).tables[0]
    texts = [c.text for c in t.cells if c.col == 1]
    assert texts.count("Hạng mục") == 1, "header repeated on each page is kept once"
    assert t.n_rows == 70
    for i in range(1, 70):
        assert cell(t, i, 1).text.startswith(f"{i}. Hạng mục số {i}")
        assert cell(t, i, 3).text == str(i)


def test_wrapped_unit_in_a_narrow_column_is_one_word(tmp_path):
    table = norm_table([["", "2. Tập huấn kỹ thuật", "Ngày/lớp/vụ", "2", "", "2 ngày/lớp/vụ; 25- 30 người/lớp"]])
    table["col_widths"] = [3, 6, 1.2, 1.2, 3, 4]
    doc = extract_document(make_pdf(tmp_path, [table], "gov"))
    assert cell(doc.tables[0], 1, 2).text == "Ngày/lớp/vụ"


def test_join_wrapped_rules():
    assert join_wrapped(["Ngày/lớp/", "vụ"]) == "Ngày/lớp/vụ"
    assert join_wrapped(["Quyết định số 04/2021/QĐ-", "UBND ngày 03"]) == "Quyết định số 04/2021/QĐ-UBND ngày 03"
    assert join_wrapped(["Phân hữu cơ vi sinh (bón", "qua rễ)"]) == "Phân hữu cơ vi sinh (bón qua rễ)"
    assert join_wrapped(["- Mức hỗ trợ", "- Phân hữu cơ"]) == "- Mức hỗ trợ - Phân hữu cơ"


def test_raised_and_lowered_digits_fold_into_their_word(tmp_path):
    _register_fonts()
    pdf = tmp_path / "sub.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4, invariant=1)
    c.setFont("DejaVuSerif", 12)
    x, y = 72, 700
    for base, small, dy in [("Phân lân P", "2", -3), ("O", "5", -3), (" và diện tích 10 m", "2", 5)]:
        c.setFont("DejaVuSerif", 12)
        c.drawString(x, y, base)
        x += c.stringWidth(base, "DejaVuSerif", 12)
        c.setFont("DejaVuSerif", 7)
        c.drawString(x, y + dy, small)
        x += c.stringWidth(small, "DejaVuSerif", 7)
    c.showPage()
    c.save()
    doc = extract_document(pdf)
    assert doc.pages[0].lines[0].text == "Phân lân P₂O₅ và diện tích 10 m²"


def test_group_and_total_rows(tmp_path):
    rows = [{"kind": "group", "cells": [{"text": "I Định mức công lao động", "cs": 6}]},
            ["", "1.1 Xây dựng kế hoạch", "Ngày công", "10", "", ""],
            {"kind": "group", "cells": [{"text": "II Định mức máy móc, thiết bị", "cs": 6}]},
            ["", "1 Hội trường", "Ngày", "02", "", ""],
            {"kind": "total", "cells": ["", "Tổng cộng (I+II)", "", "12", "", ""]}]
    t = extract_document(make_pdf(tmp_path, [norm_table(rows)], "compact")).tables[0]
    assert t.row_kinds == ["header", "group", "item", "group", "item", "total"]


def test_landscape_appendix_page(tmp_path):
    blocks = [{"t": "appendix", "label": "PHỤ LỤC 1", "title": ["DANH MỤC NỘI DUNG"], "landscape": True},
              {"t": "table", "id": "x", "family": "plan_tasks", "roles": ["no", "content", "lead", "partner", "time",
                                                                          "product"],
               "header": [["TT", "Nội dung thực hiện", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện",
                           "Sản phẩm"]],
               "rows": [{"kind": "group", "cells": [{"text": "I Công tác chỉ đạo", "cs": 6}]},
                        ["1", "Tham mưu", "Sở Nông nghiệp", "Các sở", "Tháng 7/2025", "Danh sách"]]}]
    doc = extract_document(make_pdf(tmp_path, blocks, "gov"))
    assert doc.pages[0].orientation == "landscape"
    assert doc.headings[0].kind == "appendix" and doc.headings[0].text == "PHỤ LỤC 1"
    assert doc.tables[0].heading_path == ["PHỤ LỤC 1"]
    assert cell(doc.tables[0], 2, 4).text == "Tháng 7/2025"


def test_numbering_errors_and_reused_numbers_keep_the_outline(tmp_path):
    blocks = [{"t": "appendix", "label": "Phụ lục II", "title": ["ĐỊNH MỨC"]},
              {"t": "h", "kind": "model", "level": 3, "text": "1. MÔ HÌNH CHĂN NUÔI GÀ THỊT THEO HƯỚNG HỮU CƠ"},
              {"t": "h", "kind": "section", "level": 5, "text": "1. Định mức giống, vật tư"},
              norm_table([["", "1. Gà giống", "con", "1.000", "", ""]], "a"),
              {"t": "h", "kind": "section", "level": 5, "text": "3. Định mức triển khai"},  # "2." is missing
              norm_table([["", "1. Thời gian", "Tháng", "4", "", ""]], "b"),
              {"t": "h", "kind": "model", "level": 3, "text": "2. MÔ HÌNH CHĂN NUÔI HEO THỊT"},
              {"t": "h", "kind": "section", "level": 5, "text": "1. Định mức giống, vật tư"},
              norm_table([["", "1. Heo giống", "con", "01", "", ""]], "c")]
    doc = extract_document(make_pdf(tmp_path, blocks, "compact"))
    paths = [t.heading_path for t in doc.tables]
    assert paths == [
        ["Phụ lục II", "1. MÔ HÌNH CHĂN NUÔI GÀ THỊT THEO HƯỚNG HỮU CƠ", "1. Định mức giống, vật tư"],
        ["Phụ lục II", "1. MÔ HÌNH CHĂN NUÔI GÀ THỊT THEO HƯỚNG HỮU CƠ", "3. Định mức triển khai"],
        ["Phụ lục II", "2. MÔ HÌNH CHĂN NUÔI HEO THỊT", "1. Định mức giống, vật tư"],
    ]


def test_basis_line_is_attached_to_the_table(tmp_path):
    blocks = [{"t": "h", "kind": "section", "level": 5, "text": "1.1. Định mức vật tư", "basis": "Tính cho: 01 ha"},
              norm_table([["", "1. Giống", "kg", "80", "", ""]], "a"),
              {"t": "h", "kind": "section", "level": 5, "text": "1.2. Định mức triển khai"},
              {"t": "basis", "text": "DVT: 01ha"},
              norm_table([["", "1. Thời gian", "Tháng", "4", "", ""]], "b")]
    doc = extract_document(make_pdf(tmp_path, blocks, "gov"))
    assert [t.basis_raw for t in doc.tables] == ["Tính cho: 01 ha", "DVT: 01ha"]
    assert doc.headings[0].text == "1.1. Định mức vật tư"


def test_not_a_pdf_is_classified(tmp_path):
    bad = tmp_path / "error.pdf"
    bad.write_text("<html><body>502 Bad Gateway</body></html>", encoding="utf-8")
    with pytest.raises(NotAPdf):
        extract_document(bad)


def test_text_is_nfc_even_when_the_pdf_is_not(tmp_path):
    import unicodedata

    _register_fonts()
    pdf = tmp_path / "nfd.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4, invariant=1)
    c.setFont("DejaVuSerif", 12)
    c.drawString(72, 700, unicodedata.normalize("NFD", "Quyết định số 33"))
    c.showPage()
    c.save()
    text = extract_document(pdf).pages[0].lines[0].text
    assert text == "Quyết định số 33" and unicodedata.is_normalized("NFC", text)


def test_unruled_table_found_with_stream_and_title_kept_out(tmp_path):
    _register_fonts()
    pdf = tmp_path / "borderless.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4, invariant=1)
    c.setFont("DejaVuSerif", 11)
    c.drawString(72, 780, "Bảng định mức tổ chức sự kiện (không kẻ khung)")
    rows = [("STT", "Nội dung", "ĐVT", "Định mức"), ("1", "Xây dựng kế hoạch", "Ngày công", "10"),
            ("2", "Khảo sát địa điểm", "Người/ngày", "05 x 04"), ("3", "Chuẩn bị nội dung", "Ngày công", "14"),
            ("4", "Thiết kế backdrop", "Ngày công", "05")]
    y = 740
    for row in rows:
        for x, text in zip((72, 120, 330, 450), row, strict=True):
            c.drawString(x, y, text)
        y -= 20
    c.drawString(72, 600, "Đoạn văn bản thường sau bảng, không phải là một phần của bảng nào cả.")
    c.showPage()
    c.save()
    doc = extract_document(pdf)
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.method == "stream" and (t.n_rows, t.n_cols) == (5, 4)
    assert cell(t, 2, 3).text == "05 x 04" and cell(t, 0, 1).text == "Nội dung"
    assert [ln.text for ln in doc.pages[0].lines][0] == "Bảng định mức tổ chức sự kiện (không kẻ khung)"


def test_text_pages_of_the_corpus_yield_no_unruled_tables():
    from extractors.document import extract_document as ex

    doc = ex(Path(__file__).resolve().parent.parent / "data/samples/pdf/gov/daklak-2026-letter.pdf")
    assert all(t.method == "lattice" for t in doc.tables)
    assert len(doc.tables) == 2


def test_rotated_page_reads_upright(tmp_path):
    _register_fonts()
    pdf = tmp_path / "rot.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4, invariant=1)
    c.setPageRotation(90)  # a portrait page shown landscape, its content drawn turned so it reads upright
    c.setFont("DejaVuSerif", 12)
    c.translate(500, 72)
    c.rotate(90)
    c.drawString(0, 0, "Phụ lục 2 KHÁI TOÁN KINH PHÍ")
    c.showPage()
    c.save()
    doc = extract_document(pdf)
    assert doc.pages[0].rotation == 90
    assert doc.pages[0].orientation == "landscape"
    assert [ln.text for ln in doc.pages[0].lines] == ["Phụ lục 2 KHÁI TOÁN KINH PHÍ"]


def test_image_only_page_is_marked_and_reported(tmp_path):
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    img = tmp_path / "scan.png"
    im = Image.new("L", (200, 100), 255)
    im.paste(0, (20, 40, 180, 52))  # a line of "text": a scan with ink, not a blank sheet
    im.save(img)
    pdf = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4, invariant=1)
    c.drawImage(ImageReader(str(img)), 20, 20, A4[0] - 40, A4[1] - 40)  # a scan: the image is the page
    c.showPage()
    c.setFont("DejaVuSerif", 12)
    c.drawString(72, 700, "Trang có chữ")
    c.drawImage(ImageReader(str(img)), 72, 72, 100, 140)  # a small picture beside text: not a scan
    c.showPage()
    c.drawImage(ImageReader(str(img)), 72, 72, 100, 140)  # a small image alone: it may hold text, OCR decides
    c.showPage()
    c.save()
    doc = extract_document(pdf, ocr=None)  # OCR off: the scan is reported, not read
    assert [p.kind for p in doc.pages] == ["image_only", "text", "image_only"]
    assert doc.warnings == ["2 page(s) without a text layer"]
    assert not any(p.is_ocr for p in doc.pages)


def test_multi_scale_two_row_header(tmp_path):
    roles = ["no", "item", "unit", "value:200-300 đại biểu", "value:100-150 đại biểu", "value:30-50 đại biểu",
             "reference"]
    table = {"t": "table", "id": "s", "family": "norm", "roles": roles,
             "header": [[{"text": "STT", "rs": 2}, {"text": "Nội dung, quy trình", "rs": 2}, {"text": "ĐVT", "rs": 2},
                         {"text": "Định mức theo quy mô", "cs": 3}, {"text": "Căn cứ", "rs": 2}],
                        ["200-300 đại biểu", "100-150 đại biểu", "30-50 đại biểu"]],
             "rows": [["1.1", "Xây dựng, thẩm định kế hoạch, dự toán", "Ngày công", "10", "10", "7", ""],
                      ["-", "Sức chứa", "Chỗ ngồi", {"text": "Theo quy mô số lượng đại biểu", "cs": 3}, ""]]}
    t = extract_document(make_pdf(tmp_path, [table], "compact")).tables[0]
    assert t.n_header_rows == 2
    assert (cell(t, 0, 3).text, cell(t, 0, 3).cs) == ("Định mức theo quy mô", 3)
    assert [cell(t, 1, k).text for k in (3, 4, 5)] == ["200-300 đại biểu", "100-150 đại biểu", "30-50 đại biểu"]
    merged = cell(t, 3, 4)
    assert merged.text == "Theo quy mô số lượng đại biểu" and merged.cs == 3 and merged.col == 3
