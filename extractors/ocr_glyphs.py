"""Second looks at words Tesseract read in table cells, from the cell's own pixels.

* Comparators: the ``vie`` model reads "≤ 1" and "≥ 95" as "<1" and ">95" (its alphabet has no
  ≤/≥); a norm table's limits hinge on that bar. The sign is told from its shape: "≤" is "<"
  with a bar under it, so the bottom band of the first glyph is inked across most of the glyph's
  width, where "<" ends in a point. (Tesseract's character whitelist cannot add a glyph its
  model does not have, hence this check.)
* Speckle: grain, the remains of a seal or a signature stroke crossing a cell come back as
  "words" of a low confidence ("ˆ-", "_.", "Ẩw", "fR"); such a word is dropped from the cell
  text (``is_speckle``; the page's own lines keep every word: ``OcrSettings.min_word_conf``).
  A cell whose only word was speckle is left empty: a value not read, never a wrong one.

Pure functions over a grey page image (uint8, 0 = ink) and word boxes in its pixels.
"""

from __future__ import annotations

import numpy as np

from extractors.reader_settings import CellSettings  # noqa: F401 - re-exported: the cell checks' settings

_TO_LE = {"<": "≤", "«": "≤", "‹": "≤"}
_TO_GE = {">": "≥", "»": "≥", "›": "≥"}


def first_glyph_box(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the first glyph of a word's ink mask: the leftmost connected component
    and every component overlapping it horizontally (a bar under a chevron is its own component)."""
    import cv2

    n, _labels, stats, _c = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    comps = [tuple(int(v) for v in stats[i][:4]) for i in range(1, n) if stats[i][4] >= 3]  # specks out
    if not comps:
        return None
    comps.sort(key=lambda c: c[0])
    x0, y0, w, h = comps[0]
    x1, y1 = x0 + w, y0 + h
    for cx, cy, cw, ch in comps[1:]:
        overlap = min(x1, cx + cw) - max(x0, cx)
        if overlap >= 0.5 * min(x1 - x0, cw):
            x0, y0, x1, y1 = min(x0, cx), min(y0, cy), max(x1, cx + cw), max(y1, cy + ch)
    return x0, y0, x1, y1


def has_bar_under(ink: np.ndarray, s: CellSettings = CellSettings()) -> bool:
    """Does the first glyph of this word's ink mask carry a bar under it (≤, ≥)?"""
    box = first_glyph_box(ink)
    if box is None:
        return False
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if w < 3 or h < 4:
        return False
    band = ink[y1 - max(1, round(h * s.bar_band)):y1, x0:x1]
    return float(band.any(axis=0).mean()) >= s.bar_share


def word_ink(gray: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Ink mask (bool) of a word's box, thresholded at Otsu's level of the box."""
    import cv2

    x0, y0, x1, y1 = box
    roi = gray[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
    if roi.size == 0:
        return np.zeros((0, 0), bool)
    _t, bw = cv2.threshold(roi, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return bw > 0


def fix_comparator(text: str, gray: np.ndarray, box: tuple[int, int, int, int],
                   s: CellSettings = CellSettings()) -> str:
    """``text`` with a leading "<"/">" (or the guillemets Tesseract also reads) turned into "≤"/"≥"
    when the glyph in ``box`` has a bar under it; otherwise unchanged."""
    first = text[:1]
    if first not in _TO_LE and first not in _TO_GE:
        return text
    if not has_bar_under(word_ink(gray, box), s):
        return text
    return (_TO_LE.get(first) or _TO_GE[first]) + text[1:]


def is_speckle(text: str, conf: float, s: CellSettings = CellSettings()) -> bool:
    """Is this cell word noise rather than print? (``conf``: Tesseract's 0-100)"""
    if conf < s.min_word_conf:
        return True
    return conf < s.min_mark_conf and not any(ch.isalnum() for ch in text)
