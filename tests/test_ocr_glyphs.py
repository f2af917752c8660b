"""Second looks at table-cell words: comparator signs told by their shape, speckle dropped, and the
seal's colour separated so that rulings under it survive. Images are drawn for the test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors.ocr_glyphs import CellSettings, fix_comparator, has_bar_under, is_speckle, word_ink
from extractors.ocr_image import dropout, find_image_tables

FONT = Path(__file__).resolve().parents[1] / "tools" / "fonts" / "LiberationSerif-Regular.ttf"


def draw(text: str, size: int) -> np.ndarray:
    font = ImageFont.truetype(str(FONT), size)
    im = Image.new("L", (size * (len(text) + 2), size * 2), 255)
    ImageDraw.Draw(im).text((size // 3, size // 3), text, font=font, fill=0)
    return np.asarray(im)


@pytest.mark.parametrize("size", [17, 25, 40])  # x-heights of 8-10 pt type at 150-300 dpi
@pytest.mark.parametrize("printed, read, expected", [
    ("≤ 1", "<1", "≤1"), ("≥95", ">95", "≥95"), ("<5", "<5", "<5"), (">95", ">95", ">95"),
    ("≤05", "«05", "≤05"), ("12", "12", "12"),
])
def test_comparator_read_from_the_glyph_shape(size, printed, read, expected):
    img = draw(printed, size)
    box = (0, 0, img.shape[1], img.shape[0])
    assert fix_comparator(read, img, box) == expected


def test_bar_needs_most_of_the_glyph_width():
    img = draw("<", 40)
    assert not has_bar_under(word_ink(img, (0, 0, img.shape[1], img.shape[0])))
    with pytest.raises(ValueError):
        CellSettings(bar_share=1.0)


def test_speckle_is_dropped_but_a_faint_real_word_is_kept():
    assert is_speckle("ˆ-", 0) and is_speckle("_.", 31) and is_speckle("Ẩw", 0)
    assert not is_speckle("mức", 33)  # a header word under a seal
    assert not is_speckle("-", 92)  # a printed dash in an empty cell
    assert not is_speckle("(P„O.,)", 46)


def test_ruling_under_a_seal_stroke_is_kept():
    """A faint 1-px ruling crossed by red strokes: whitening the red cut it; seen through a red
    filter it stays whole, and the table keeps its rows."""
    h, w = 300, 400
    rgb = np.full((h, w, 3), 245, np.uint8)
    for y in (20, 100, 180, 260):
        rgb[y, 20:380] = 120  # a faint ruling (a 150 dpi scan)
    for x in (20, 200, 380):
        rgb[20:261, x] = 60
    for x0 in range(60, 360, 24):  # seal strokes across the middle ruling, blended with it
        rgb[90:112, x0:x0 + 8] = (200, 40, 50)
        rgb[100, x0:x0 + 8] = (170, 60, 70)  # red over the grey ruling: darker, still red
    gray, inked, view = dropout(rgb, 60)
    assert inked.any() and (gray[100, 60:68] == 255).all()  # the seal and the ruling under it whitened
    grids, _mask = find_image_tables(gray, 200, np.where(inked, view, 255).astype(np.uint8))
    assert grids and len(grids[0].ys) == 4, grids
