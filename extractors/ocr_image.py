"""Page images for OCR: the settings, rendering with pypdfium2, cleaning (red seal ink whitened,
deskew) and the ruling lines of tables found in the image with camelot's own image helpers.
Pure functions over numpy images, except ``render_page`` (reads the PDF). ``extractors.ocr``
runs Tesseract over what this module prepares."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from extractors.model import Line, TableFragment
from extractors.reader_settings import OCR_WORKERS_ENV, OcrSettings  # noqa: F401 - re-exported: readers import them from here

RULING_GAP_IN = 0.08  # gaps in a ruling under seal ink bridged up to this length (inches; ~6 pt)
TEXT_MAX_GRAY = 70  # pixels darker than this are text, however tinted
RIM_MIN_GRAY = 150  # around whitened seal ink, pixels lighter than this are its rim, darker ones text


# ---------------------------------------------------------------------------------------------
# rendering and preprocessing (pure functions over numpy images)
# ---------------------------------------------------------------------------------------------

def render_page(path: Path | str, page: int, dpi: int) -> np.ndarray:
    """RGB image (H, W, 3, uint8) of 1-based ``page`` at ``dpi``."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        bitmap = pdf[page - 1].render(scale=dpi / 72.0)
        img = bitmap.to_numpy()
        mode = bitmap.mode
    finally:
        pdf.close()
    if img.ndim == 2:
        import cv2

        return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    if mode == "BGRA":
        img = img[:, :, [2, 1, 0]]
    elif mode == "BGR":
        img = img[:, :, ::-1]
    elif mode == "RGBA":
        img = img[:, :, :3]
    return np.ascontiguousarray(img[:, :, :3])


def drop_colour(rgb: np.ndarray, margin: int, red: bool = True, blue: bool = False) -> np.ndarray:
    return dropout(rgb, margin, red, blue)[0]


def dropout(rgb: np.ndarray, margin: int, red: bool = True,
            blue: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grey image with red (and optionally blue) ink whitened: seals stamped over the text are
    red, official text is black. A pixel is red (blue) when that channel exceeds both others by
    ``margin``. Also returned: the mask of pixels under the ink, and the page seen through a filter
    of the ink's colour (its own channel: the ink nearly as light as the paper, black under it
    dark), for the rulings: whitening cuts a faint ruling wherever a seal stroke crosses it (rows
    of a table under a seal merged), while the filtered view keeps it but leaves too much of the
    seal on the digits for Tesseract (measured on scanned sample tables: 300 read as 400)."""
    r, g, b = (rgb[:, :, i].astype(np.int16) for i in range(3))
    gray = (0.299 * r + 0.587 * g + 0.114 * b).astype(np.uint8)
    out, view = gray.copy(), gray.copy()
    inked = np.zeros(gray.shape, bool)
    for on, ink, others in ((red, r, (g, b)), (blue, b, (r, g))):
        if not on:
            continue
        coloured = (ink - np.maximum(*others)) > margin
        # black text under the ink, tinted by JPEG's colour blur, is kept: dark, and dark through a
        # filter of the ink's colour too (the seal's own darkest strokes are light through it)
        coloured &= (gray > TEXT_MAX_GRAY) | (ink >= RIM_MIN_GRAY)
        if not coloured.any():
            continue
        import cv2

        # the anti-aliased rim of a stroke is a paler tint that misses the margin: whiten the light
        # pixels around coloured ones too (dark pixels there are text under the ink: kept)
        rim = cv2.dilate(coloured.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        coloured |= rim & (gray > RIM_MIN_GRAY)
        out[coloured] = 255
        seen = ink.clip(0, 255).astype(np.uint8)
        view = np.where(coloured, np.maximum(view, seen), view).astype(np.uint8)
        inked |= coloured
    return out, inked, view


def to_gray(rgb: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def estimate_skew(gray: np.ndarray, max_deg: float) -> float:
    """Skew of the text lines in degrees (positive: counter-clockwise), from the minimum-area
    rectangles of the text lines smeared horizontally; 0.0 when no reliable estimate."""
    import cv2

    h, w = gray.shape
    scale = 1000.0 / max(h, w)
    small = cv2.resize(gray, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    smear = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 1)))
    contours, _ = cv2.findContours(smear, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles, weights = [], []
    for c in contours:
        (_cx, _cy), (cw, ch), angle = cv2.minAreaRect(c)
        if cw < ch:
            cw, ch, angle = ch, cw, angle - 90
        if cw < 80 or ch < 3 or cw / ch < 8:  # text lines only: long and thin
            continue
        while angle > 45:  # OpenCV's convention changed across versions: fold into (-45, 45]
            angle -= 90
        while angle <= -45:
            angle += 90
        if abs(angle) <= max_deg:
            angles.append(angle)
            weights.append(cw)
    if len(angles) < 5:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    median = float(np.asarray(angles)[order][np.searchsorted(cum, cum[-1] / 2)])
    return -median  # minAreaRect angles grow clockwise in image coordinates


def rotate(gray: np.ndarray, deg: float) -> np.ndarray:
    import cv2

    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -deg, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


def preprocess(rgb: np.ndarray, s: OcrSettings) -> tuple[np.ndarray, float]:
    """The grey image Tesseract reads, and the skew (degrees) that was removed."""
    gray, skew, _inked = prepare(rgb, s)
    return gray, skew


def prepare(rgb: np.ndarray, s: OcrSettings) -> tuple[np.ndarray, float, np.ndarray | None]:
    """``preprocess``, and the page seen through a filter of the dropped ink's colour where that
    ink lay (255 elsewhere; None when no ink was dropped), deskewed like the image: where a seal
    crosses a table's rulings, ``find_image_tables`` looks for them in this view."""
    import cv2

    view = None
    if s.drop_red or s.drop_blue:
        gray, inked, seen = dropout(rgb, s.colour_margin, s.drop_red, s.drop_blue)
        if inked.any():
            view = np.where(inked, seen, 255).astype(np.uint8)
    else:
        gray = to_gray(rgb)
    skew = 0.0
    if s.deskew:
        skew = estimate_skew(gray, s.max_skew_deg)
        if abs(skew) >= s.min_skew_deg:
            gray = rotate(gray, skew)
            view = rotate(view, skew) if view is not None else None
        else:
            skew = 0.0
    if s.denoise:
        gray = cv2.medianBlur(gray, 3)
    if s.binarise:
        gray = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
    return gray, skew, view


# ---------------------------------------------------------------------------------------------
# tables in the image: camelot's line detection, our grid and spans
# ---------------------------------------------------------------------------------------------

@dataclass
class ImageGrid:
    """One ruled table found in the image, in pixels."""

    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1
    xs: list[int]  # column boundaries
    ys: list[int]  # row boundaries
    spans: list[tuple[int, int, int, int]]  # (row, col, row_span, col_span) anchors


def _cluster(values: Sequence[float], tol: float) -> list[int]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [int(round(statistics.median(g))) for g in out]


def _ruled(mask: np.ndarray, a: tuple[int, int], b: tuple[int, int], pad: int) -> bool:
    """Is the segment a→b (axis-parallel, pixels) covered by the line mask for most of its length?"""
    (x0, y0), (x1, y1) = a, b
    if y0 == y1:
        band = mask[max(0, y0 - pad):y0 + pad + 1, min(x0, x1):max(x0, x1) + 1]
        cover = band.max(axis=0) > 0 if band.size else np.zeros(0, bool)
    else:
        band = mask[min(y0, y1):max(y0, y1) + 1, max(0, x0 - pad):x0 + pad + 1]
        cover = band.max(axis=1) > 0 if band.size else np.zeros(0, bool)
    return bool(cover.size) and float(cover.mean()) >= 0.7


def find_image_tables(gray: np.ndarray, dpi: int,
                      under_ink: np.ndarray | None = None) -> tuple[list[ImageGrid], np.ndarray]:
    """Ruled tables in a grey page image, and the ruling mask (to erase before OCR).
    ``under_ink`` (``prepare``): where seal ink was whitened, the page seen through a filter of
    the ink's colour; rulings are looked for there in that view, with short gaps along rows bridged."""
    import cv2
    from camelot.image_processing import adaptive_threshold, find_contours, find_joints, find_lines

    from extractors.tables import grid_spans

    bgr = np.dstack([gray, gray, gray])
    _img, thr = adaptive_threshold(bgr, process_background=False, blocksize=15, c=-2)
    thr_v = thr_h = thr
    if under_ink is not None:
        zone = under_ink < 255
        # a global level there: the local threshold picks up the seal's faint remains
        level, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        thr = np.where(zone, np.where(under_ink < level, 255, 0), thr).astype(thr.dtype)
        span = max(3, int(dpi * RULING_GAP_IN))
        # rows only: bridging vertically joined the "1"s of a column of figures through the
        # rulings between them into a false column boundary (measured on scanned sample tables)
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (span, 1))
        thr_v = thr
        thr_h = np.where(zone, cv2.morphologyEx(thr, cv2.MORPH_CLOSE, kernel), thr).astype(thr.dtype)
    vmask, vlines = find_lines(thr_v, direction="vertical", line_scale=40)
    hmask, hlines = find_lines(thr_h, direction="horizontal", line_scale=40)
    mask = np.maximum(vmask, hmask)
    # ~5 pt: one ruling drawn as two strokes, or a ruling whose joints drift on a page scanned a little
    # askew, is one boundary (no column or row of a printed table is this narrow)
    tol = max(3, int(dpi / 15))
    grids: list[ImageGrid] = []
    for (x0, y1, x1, y0), joints in find_joints(find_contours(vmask, hmask), vmask, hmask).items():
        if len(joints) < 6:
            continue
        xs = _cluster([j[0] for j in joints], tol)
        ys = _cluster([j[1] for j in joints], tol)
        if len(xs) < 3 or len(ys) < 2:  # two columns at least (a framed paragraph is not a table)
            continue
        flags = []
        pad = tol  # a ruling is looked for as far as its joints may drift
        for r in range(len(ys) - 1):
            row = []
            for c in range(len(xs) - 1):
                left = _ruled(vmask, (xs[c], ys[r]), (xs[c], ys[r + 1]), pad)
                right = _ruled(vmask, (xs[c + 1], ys[r]), (xs[c + 1], ys[r + 1]), pad)
                top = _ruled(hmask, (xs[c], ys[r]), (xs[c + 1], ys[r]), pad)
                bottom = _ruled(hmask, (xs[c], ys[r + 1]), (xs[c + 1], ys[r + 1]), pad)
                row.append((left, right, top, bottom))
            flags.append(row)
        grids.append(ImageGrid((x0, y0, x1, y1), xs, ys, grid_spans(flags)))
    del vlines, hlines
    grids.sort(key=lambda g: g.bbox[1])
    return grids, mask


def erase_rulings(gray: np.ndarray, mask: np.ndarray, dpi: int) -> np.ndarray:
    import cv2

    k = max(1, int(dpi / 100))
    grown = cv2.dilate(mask, np.ones((2 * k + 1, 2 * k + 1), np.uint8))
    out = gray.copy()
    out[grown > 0] = 255
    return out


@dataclass
class OcrPage:
    """One page read by OCR, in PDF points (top-left origin) like the text layer."""

    page: int
    lines: list[Line]
    fragments: list[TableFragment]
    confidence: float  # mean word confidence 0-1 (0 when no word was read)
    n_words: int
    seconds: float  # wall time spent on this page (0 when it came from the cache)
    cached: bool = False
    skew_deg: float = 0.0


@dataclass
class OcrRun:
    """All OCR'd pages of a document, and what they cost."""

    pages: dict[int, OcrPage] = field(default_factory=dict)
    seconds: float = 0.0  # wall time of the whole OCR step (pool included)
    failed: dict[int, str] = field(default_factory=dict)  # page → why it could not be OCR'd (left unread)

    def warnings(self) -> list[str]:
        return [f"page {p}: not read by OCR ({why})" for p, why in sorted(self.failed.items())]
