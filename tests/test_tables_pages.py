"""Which pages camelot reads, and how often it is called (extractors.table_pages, issue 11).

camelot's stream flavour runs only on pages whose own characters set text lines side by side;
camelot is called once per flavour for a batch of pages, not once per page. The memory test
(``slow``) checks that extraction holds pages one batch at a time: the peak grows no faster with
the page count than a fixed amount per batch.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import camelot
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractors.document import extract_document
from extractors.table_pages import may_hold_unruled_table, side_by_side_rows
from extractors.table_settings import TableSettings
from tools.corpus.render import _register_fonts

FONT = "DejaVuSerif"
REPO = Path(__file__).resolve().parent.parent
PROSE = ("Điều 1. Ban hành kèm theo Quyết định này định mức kinh tế kỹ thuật áp dụng cho các mô hình",
         "khuyến nông trên địa bàn tỉnh; các cơ quan, đơn vị căn cứ định mức để lập dự toán, thanh",
         "quyết toán kinh phí theo quy định hiện hành của pháp luật về ngân sách nhà nước và đầu tư.",
         "Điều 2. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân tỉnh,",
         "Giám đốc các sở, ngành và Chủ tịch Ủy ban nhân dân các huyện chịu trách nhiệm thi hành.")
ROWS = [("STT", "Nội dung", "Đơn vị", "Số lượng"),
        ("1", "Giống lúa xác nhận", "kg", "120"),
        ("2", "Phân bón hữu cơ", "kg", "500"),
        ("3", "Thuốc bảo vệ thực vật", "lít", "2,5"),
        ("4", "Công lao động", "công", "15")]
COLS = (72, 130, 330, 440)


@pytest.fixture(scope="module", autouse=True)
def fonts():
    _register_fonts()


def _prose(c: canvas.Canvas, y: float) -> float:
    c.setFont(FONT, 12)
    for text in PROSE:
        c.drawString(72, y, text)
        y -= 18
    return y


def _unruled_table(c: canvas.Canvas, y: float) -> float:
    c.setFont(FONT, 11)
    for row in ROWS:
        for x, text in zip(COLS, row, strict=True):
            c.drawString(x, y, text)
        y -= 18
    return y


def _ruled_table(c: canvas.Canvas, y: float) -> None:
    xs = [x - 6 for x in COLS] + [520]
    ys = [y + 14 - 18 * i for i in range(len(ROWS) + 1)]
    c.grid(xs, ys)
    _unruled_table(c, y)


def _pdf(path: Path, pages: list) -> Path:  # noqa: ANN001 - functions of the canvas
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for paint in pages:
        paint(c)
        c.showPage()
    c.save()
    return path


@pytest.fixture
def camelot_calls(monkeypatch):
    calls: list[dict] = []
    real = camelot.read_pdf

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(camelot, "read_pdf", counting)
    return calls


def _char(text: str, x0: float, top: float, seq: int, size: float = 12.0) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + 0.5 * size, "top": top, "bottom": top + size, "size": size, "seq": seq}


def test_prose_lines_are_one_text_line_per_row_and_aligned_columns_are_several():
    prose = [_char(ch, 72 + 6 * i, 100 + 20 * k, 100 * k + i) for k in range(5) for i, ch in enumerate("lorem ipsum dolor")]
    assert side_by_side_rows(prose) == 0
    assert not may_hold_unruled_table(prose)
    grid = [_char(ch, x + 6 * i, 100 + 20 * k, 100 * k + 10 * j + i)
            for k in range(4) for j, x in enumerate((72, 200, 330)) for i, ch in enumerate("abcd")]
    assert side_by_side_rows(grid) == 4
    assert may_hold_unruled_table(grid)
    # two rows side by side are the least a kept table (3 rows, 60 % with two filled cells) needs
    assert not may_hold_unruled_table(grid[:12] + prose)
    assert may_hold_unruled_table(grid, TableSettings(stream_min_rows=5, stream_filled_row_share=0.8))
    assert not may_hold_unruled_table(grid, TableSettings(stream_min_rows=6, stream_filled_row_share=0.9))


def test_unruled_table_is_still_found_and_prose_page_does_not_call_camelot(tmp_path, camelot_calls):
    pdf = _pdf(tmp_path / "unruled.pdf", [lambda c: _prose(c, _unruled_table(c, 760) - 40)])
    doc = extract_document(pdf, ocr=None)
    assert [kw["flavor"] for kw in camelot_calls] == ["stream"]
    assert len(doc.tables) == 1
    cells = {(c.row, c.col): c.text for f in doc.tables[0].fragments for c in f.cells}
    assert cells[(0, 1)] == "Nội dung" and cells[(3, 3)] == "2,5" and cells[(4, 1)] == "Công lao động"

    camelot_calls.clear()
    prose = _pdf(tmp_path / "prose.pdf", [lambda c: _prose(c, 760), lambda c: _prose(c, 700)])
    doc = extract_document(prose, ocr=None)
    assert camelot_calls == []
    assert doc.tables == [] and doc.pages[0].lines[0].text.startswith("Điều 1.")


def test_camelot_reads_a_batch_of_ruled_pages_in_one_call(tmp_path, camelot_calls):
    pdf = _pdf(tmp_path / "ruled.pdf", [lambda c: _ruled_table(c, 700)] * 3 + [lambda c: _prose(c, 760)])
    doc = extract_document(pdf, ocr=None)
    assert len(camelot_calls) == 1 and camelot_calls[0]["flavor"] == "lattice"
    assert camelot_calls[0]["pages"] == "1,2,3"
    assert sorted(f.page for t in doc.tables for f in t.fragments) == [1, 2, 3]
    assert all(f.n_rows == len(ROWS) and f.n_cols == len(COLS) for t in doc.tables for f in t.fragments)
    assert doc.pages[3].kind == "text" and [p.kind for p in doc.pages[:3]] == ["table"] * 3


def test_batch_size_is_a_validated_setting():
    with pytest.raises(ValueError):
        TableSettings(batch_pages=0)
    with pytest.raises(ValueError):
        TableSettings(stream_char_margin=-1.0)


_PEAK = """
import json, resource, sys
from pathlib import Path
from extractors.document import extract_document
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
doc = extract_document(Path(sys.argv[1]), ocr=None)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"pages": len(doc.pages), "growth_kb": peak - before}))
"""


def _growth(pdf: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", "import camelot, pdfplumber\n" + _PEAK, str(pdf)],
                         cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _long_ruled_table(c: canvas.Canvas) -> None:
    """A page-high ruled table of 36 rows: about 2,000 glyphs a page is held until camelot reads it."""
    rows = [ROWS[0]] + [ROWS[1 + i % 4] for i in range(35)]
    xs = [x - 6 for x in COLS] + [520]
    ys = [800 - 21 * i for i in range(len(rows) + 1)]
    c.grid(xs, ys)
    c.setFont(FONT, 11)
    for k, row in enumerate(rows):
        for x, text in zip(COLS, row, strict=True):
            c.drawString(x, ys[k] - 15, text)


@pytest.mark.slow
def test_peak_memory_of_extraction_does_not_grow_with_page_count(tmp_path):
    """Extraction of 3N pages must not hold much more than of N pages: table pages are held one
    batch at a time, other pages not at all. N pages alternate ruled tables and prose, N/2 table
    pages = one batch."""
    n = 2 * TableSettings().batch_pages
    pages = [_long_ruled_table, lambda c: _prose(c, 760)]
    small = _growth(_pdf(tmp_path / "n.pdf", pages * (n // 2)))
    large = _growth(_pdf(tmp_path / "3n.pdf", pages * (3 * n // 2)))
    assert small["pages"] == n and large["pages"] == 3 * n
    # what the document itself keeps (lines, cells) grows with it: allowed, half the first run's
    # growth; holding every table page's characters would add some 4 MB per extra table page
    assert large["growth_kb"] - small["growth_kb"] <= 0.5 * small["growth_kb"] + 10_000, (small, large)
