"""Producer styles for the sample corpus.

Two deliberately different producers, so that nothing downstream is tuned to one of them:

* ``gov`` imitates a Word export of a provincial decree: Times-metric serif (Liberation Serif),
  13 pt body, hairline 0.5 pt rules, header rows repeated on every page, rows allowed to break
  across pages (a row's text is split by the page break), page number at the top centre.
* ``compact`` imitates a denser office/browser print: DejaVu Serif, 10 pt body, heavy 1.2 pt
  rules with a thicker frame, wide cell padding, header printed only once, rows never split,
  "Trang N" page numbers at the bottom right, different margins and column-width heuristics.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"


@dataclass(frozen=True)
class Style:
    name: str
    font: str  # regular
    font_bold: str
    font_italic: str
    font_bold_italic: str
    body_size: float
    table_size: float
    leading: float  # multiple of size
    margins_mm: tuple[float, float, float, float]  # left, right, top, bottom
    grid_width: float
    frame_width: float
    pad_h: float
    pad_v: float
    repeat_header: bool
    split_in_row: bool
    page_number: str  # "top-center" | "bottom-right"
    width_rule: str  # "content" | "sqrt"
    keep_break_spaces: bool  # the space at a soft line break stays in the text layer


STYLES: dict[str, Style] = {
    "gov": Style(
        name="gov",
        font="LiberationSerif-Regular",
        font_bold="LiberationSerif-Bold",
        font_italic="LiberationSerif-Italic",
        font_bold_italic="LiberationSerif-BoldItalic",
        body_size=13,
        table_size=10.5,
        leading=1.2,
        margins_mm=(30, 15, 20, 20),
        grid_width=0.5,
        frame_width=0.5,
        pad_h=3,
        pad_v=2,
        repeat_header=True,
        split_in_row=True,
        page_number="top-center",
        width_rule="content",
        keep_break_spaces=True,
    ),
    "compact": Style(
        name="compact",
        font="DejaVuSerif",
        font_bold="DejaVuSerif-Bold",
        font_italic="DejaVuSerif-Italic",
        font_bold_italic="DejaVuSerif-BoldItalic",
        body_size=10,
        table_size=8.5,
        leading=1.25,
        margins_mm=(20, 20, 18, 22),
        grid_width=1.2,
        frame_width=2.0,
        pad_h=5,
        pad_v=4,
        repeat_header=False,
        split_in_row=False,
        page_number="bottom-right",
        width_rule="sqrt",
        keep_break_spaces=False,
    ),
}

FALLBACK_FONT = "DejaVuSans"
