"""Pages a person can read but the text layer cannot: render, clean, Tesseract, back to `Line`s.

    results = ocr_pages(pdf_path, [3, 4], OcrSettings(), cache_root=data_dir)
    results[3].lines, results[3].fragments, results[3].seconds

* a page is rendered with pypdfium2 at ``OcrSettings.dpi`` (pdfium applies the page's /Rotate,
  so pixel / (dpi / 72) gives the same top-left point frame as pdfplumber's characters);
* the image is cleaned where measurement showed it helps (``bench/ocr.py`` compares the
  variants): red ink (seals stamped over text) is whitened, the page is deskewed;
  (the numbers are in ``OcrSettings``' docstring);
* ruling lines are found with camelot's own image helpers (adaptive threshold + morphology),
  the grid of each table is rebuilt into the same ``TableFragment``/``Cell`` objects the text
  layer yields (merged cells from the unruled edges, as in ``extractors.tables``), and the
  rulings are erased before Tesseract reads the page, so words never run across a cell border;
* Tesseract (``vie`` traineddata from Debian, LSTM engine) returns positioned words with
  confidences; they become ``Line``s (``is_ocr=True``, ``confidence`` 0-1) and cell texts;
  boldness, which Tesseract does not report, is read from stroke width (a bold line's strokes
  are markedly thicker than the page's median line);
* Vietnamese post-OCR fixes (``extractors.ocr_fixes``, data in ``schemas/ocr_fixes.tsv``) are
  applied to every line and cell;
* pages run in a process pool (``OcrSettings.workers``, one Tesseract thread each) and every
  page result is cached under ``<cache_root>/cache/ocr/<OCR_VERSION>/<key>/``, keyed on the
  SHA-256 of the rendered image and the settings, so a page is never read twice.

Tesseract does not see Vietnamese typography the way the text layer gives it; sizes of OCR
lines are the median word height converted to points (close to the font size in points, which
is what heading and masthead detection compare).
"""

from __future__ import annotations

import hashlib
import os
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from extractors.model import BBox, Cell, Line, TableFragment
from extractors.ocr_fixes import fix_text

OCR_VERSION = "ocr-1"  # bump when the output of the same settings on the same image changes
# bold: strokes this much thicker than the page's median (measured on the real scans: regular
# Times 3.3-3.6 px at 300 dpi, bold 4.4-4.7 px)
BOLD_STROKE_RATIO = 1.2
TEXT_MAX_GRAY = 70  # pixels darker than this are text, however tinted
RIM_MIN_GRAY = 150  # around whitened seal ink, pixels lighter than this are its rim, darker ones text
OCR_KINDS = frozenset({"image_only"})  # page kinds read by OCR when the triage module is absent


def image_cover_share(images: Sequence[dict[str, Any]], width: float, height: float) -> float:
    """Share of the page covered by its images (pdfplumber image dicts, clipped to the page; overlaps
    counted twice, so a share near 1 or above means a scanned page)."""
    area = 0.0
    for i in images:
        dx = min(float(i["x1"]), width) - max(float(i["x0"]), 0.0)
        dy = min(float(i["bottom"]), height) - max(float(i["top"]), 0.0)
        area += max(0.0, dx) * max(0.0, dy)
    return area / (width * height) if width > 0 and height > 0 else 0.0


def needs_ocr(page_kind: str) -> bool:
    """Whether a page of this kind is read by OCR: the page-triage module decides
    (``extractors.triage.needs_ocr``); without it, image-only pages are."""
    try:
        from extractors.triage import needs_ocr as triage_needs_ocr
    except ImportError:
        return page_kind in OCR_KINDS
    return bool(triage_needs_ocr(page_kind))


@dataclass(frozen=True)
class OcrSettings:
    """How pages are OCR'd. Defaults are the measured best (``python -m bench.ocr --variants --scans``,
    results in docs/ocr-benchmark.md). On three transcribed real pages, mean char accuracy:
    200 dpi 0.961, 300 dpi 0.956, 400 dpi 0.957 (raw Tesseract 0.948-0.950); red ink dropped
    +0.006 over raw; deskew neutral on real pages (they are straight) but needed for tables on
    askew scans; denoise +0.002 char / -0.003 word (off); Otsu binarisation -0.001 (off);
    ``Vietnamese`` script model 0.947, ``vie+Vietnamese`` 0.957 at 1.3x the time (``vie`` kept);
    psm 4 = psm 3. Norm records on scanned sample pages: 0.826 at 200 dpi, 0.779 at 300 dpi."""

    dpi: int = 200  # render resolution: best on real scans (mostly 200 dpi natively) and scanned tables
    languages: str = "vie"  # Tesseract traineddata names joined by "+" ("vie", "script/Vietnamese")
    psm: int = 3  # page segmentation: 3 = automatic (two-column mastheads need block analysis)
    oem: int = 1  # OCR engine: 1 = LSTM only
    drop_red: bool = True  # whiten red ink: seals stamped over the text and the signature block
    drop_blue: bool = False  # whiten blue ink too (signatures; but numbers and days filled in by hand are blue)
    colour_margin: int = 60  # a pixel is red (blue) when that channel exceeds both others by this
    deskew: bool = True  # rotate the page straight when it is skewed by more than min_skew_deg
    min_skew_deg: float = 0.15
    max_skew_deg: float = 5.0  # larger estimates are not trusted (a stamp, a photo): no rotation
    denoise: bool = False  # median filter against speckle
    binarise: bool = False  # Otsu before Tesseract (Tesseract binarises internally)
    tables: bool = True  # find ruled tables in the image
    min_word_conf: float = 0.0  # words below this 0-100 confidence are dropped (0: keep all)
    workers: int = 2  # processes over pages (the machine's cores); 1 runs in this process
    timeout_s: float = 0.0  # Tesseract timeout per page, 0 = none

    def __post_init__(self) -> None:
        if not 72 <= self.dpi <= 600:
            raise ValueError(f"OcrSettings.dpi must be within 72..600, got {self.dpi}")
        if self.psm not in (1, 3, 4, 6, 11, 12):
            raise ValueError(f"OcrSettings.psm must be a page-level mode (1, 3, 4, 6, 11, 12), got {self.psm}")
        if self.oem not in (0, 1, 2, 3):
            raise ValueError(f"OcrSettings.oem must be 0..3, got {self.oem}")
        if not self.languages or any(not part for part in self.languages.split("+")):
            raise ValueError(f"OcrSettings.languages must name traineddata joined by '+', got {self.languages!r}")
        if not 0 <= self.min_word_conf <= 100:
            raise ValueError(f"OcrSettings.min_word_conf must be within 0..100, got {self.min_word_conf}")
        if self.workers < 1:
            raise ValueError(f"OcrSettings.workers must be >= 1, got {self.workers}")
        if not 0 <= self.min_skew_deg < self.max_skew_deg <= 45:
            raise ValueError("OcrSettings needs 0 <= min_skew_deg < max_skew_deg <= 45")
        if not 0 < self.colour_margin < 255:
            raise ValueError(f"OcrSettings.colour_margin must be within 1..254, got {self.colour_margin}")

    def key(self) -> str:
        """What the cached result depends on (workers and timeout do not change the result)."""
        d = asdict(self)
        d.pop("workers")
        d.pop("timeout_s")
        return repr(sorted(d.items()))


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
    """Grey image with red (and optionally blue) ink whitened: seals stamped over the text are
    red, official text is black. A pixel is red (blue) when that channel exceeds both others by
    ``margin``."""
    r, g, b = (rgb[:, :, i].astype(np.int16) for i in range(3))
    coloured = np.zeros(r.shape, bool)
    if red:
        coloured |= (r - np.maximum(g, b)) > margin
    if blue:
        coloured |= (b - np.maximum(r, g)) > margin
    gray = (0.299 * r + 0.587 * g + 0.114 * b).astype(np.uint8)
    coloured &= gray > TEXT_MAX_GRAY  # black text under the ink, tinted by JPEG's colour blur, is kept
    if coloured.any():
        import cv2

        # the anti-aliased rim of a stroke is a paler tint that misses the margin: whiten the light
        # pixels around coloured ones too (dark pixels there are text under the ink: kept)
        rim = cv2.dilate(coloured.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        coloured |= rim & (gray > RIM_MIN_GRAY)
    gray[coloured] = 255
    return gray


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
    import cv2

    gray = drop_colour(rgb, s.colour_margin, s.drop_red, s.drop_blue) if s.drop_red or s.drop_blue \
        else to_gray(rgb)
    skew = 0.0
    if s.deskew:
        skew = estimate_skew(gray, s.max_skew_deg)
        if abs(skew) >= s.min_skew_deg:
            gray = rotate(gray, skew)
        else:
            skew = 0.0
    if s.denoise:
        gray = cv2.medianBlur(gray, 3)
    if s.binarise:
        gray = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
    return gray, skew


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


def find_image_tables(gray: np.ndarray, dpi: int) -> tuple[list[ImageGrid], np.ndarray]:
    """Ruled tables in a grey page image, and the ruling mask (to erase before OCR)."""
    from camelot.image_processing import adaptive_threshold, find_contours, find_joints, find_lines

    from extractors.tables import grid_spans

    bgr = np.dstack([gray, gray, gray])
    _img, thr = adaptive_threshold(bgr, process_background=False, blocksize=15, c=-2)
    vmask, vlines = find_lines(thr, direction="vertical", line_scale=40)
    hmask, hlines = find_lines(thr, direction="horizontal", line_scale=40)
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


# ---------------------------------------------------------------------------------------------
# Tesseract words → lines and cells
# ---------------------------------------------------------------------------------------------

@dataclass
class _Word:
    text: str
    x0: int
    y0: int
    x1: int
    y1: int
    conf: float  # 0-100
    line_key: tuple[int, int, int]


def tesseract_words(gray: np.ndarray, s: OcrSettings) -> list[_Word]:
    import pytesseract

    config = f"--oem {s.oem} --psm {s.psm} -c preserve_interword_spaces=0"
    data = pytesseract.image_to_data(gray, lang=s.languages, config=config, timeout=s.timeout_s,
                                     output_type=pytesseract.Output.DICT)
    words = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0 or conf < s.min_word_conf:
            continue
        x, y, w, h = (int(data[k][i]) for k in ("left", "top", "width", "height"))
        words.append(_Word(text, x, y, x + w, y + h, conf,
                           (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))))
    return words


def _stroke_width(ink: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Mean stroke thickness (pixels) of the ink inside ``box``: twice the mean distance of ink
    pixels to the background along their skeleton's neighbourhood, approximated by the mean
    distance transform over ink pixels."""
    import cv2

    x0, y0, x1, y1 = box
    roi = ink[max(0, y0):y1, max(0, x0):x1]
    if roi.size == 0 or not roi.any():
        return 0.0
    roi = cv2.copyMakeBorder(roi, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)  # background around the box
    dist = cv2.distanceTransform(roi, cv2.DIST_L2, 3, dstType=cv2.CV_32F)
    vals = dist[roi > 0]
    return float(vals.astype(np.float64).mean()) * 2.0


def words_to_lines(words: Sequence[_Word], page: int, px_to_pt: float, ink: np.ndarray | None = None,
                   bold_ratio: float | None = None, gap_ratio: float = 0.9,
                   ref_stroke: float | None = None) -> list[Line]:
    """Tesseract's words grouped by its own (block, paragraph, line) → ``Line``s in points."""
    groups: dict[tuple[int, int, int], list[_Word]] = {}
    for w in words:
        groups.setdefault(w.line_key, []).append(w)
    runs: list[list[_Word]] = []
    for ws in groups.values():
        ws.sort(key=lambda w: w.x0)
        # a wide horizontal gap separates columns (masthead blocks) that Tesseract put on one line,
        # as in extractors.text for the text layer
        height = max(w.y1 for w in ws) - min(w.y0 for w in ws)
        run: list[_Word] = []
        for w in ws:
            if run and w.x0 - run[-1].x1 > gap_ratio * height:
                runs.append(run)
                run = []
            run.append(w)
        runs.append(run)
    raw = []
    for ws in runs:
        key = ws[0].line_key
        box = (min(w.x0 for w in ws), min(w.y0 for w in ws), max(w.x1 for w in ws), max(w.y1 for w in ws))
        height = statistics.median(w.y1 - w.y0 for w in ws)  # a word's ink ~ the em (accents, descenders)
        stroke = _stroke_width(ink, box) if ink is not None else 0.0
        raw.append((key, ws, box, height, stroke))
    bold_ratio = BOLD_STROKE_RATIO if bold_ratio is None else bold_ratio
    strokes = [r[4] for r in raw if r[4] > 0]
    # the page's regular stroke: given (all words of the page, tables included) or this text's median
    median_stroke = ref_stroke if ref_stroke else statistics.median(strokes) if strokes else 0.0
    lines = []
    for _key, ws, box, height, stroke in raw:
        text = fix_text(" ".join(w.text for w in ws))
        if not text:
            continue
        bbox: BBox = tuple(round(v * px_to_pt, 2) for v in box)  # type: ignore[assignment]
        conf = sum(w.conf for w in ws) / len(ws) / 100.0
        bold = median_stroke > 0 and stroke > bold_ratio * median_stroke
        lines.append(Line(text, page, bbox, round(height * px_to_pt, 2), bold, False, is_ocr=True,
                          confidence=round(conf, 3)))
    lines.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    return _reading_order(lines)


def _reading_order(lines: list[Line]) -> list[Line]:
    """Top to bottom; lines whose vertical bands overlap (masthead columns) left to right."""
    out: list[Line] = []
    for ln in sorted(lines, key=lambda ln: ((ln.bbox[1] + ln.bbox[3]) / 2, ln.bbox[0])):
        out.append(ln)
    # stable pass: a line whose middle lies within the previous line's band is the same row
    rows: list[list[Line]] = []
    for ln in out:
        mid = (ln.bbox[1] + ln.bbox[3]) / 2
        if rows and rows[-1][0].bbox[1] <= mid <= rows[-1][0].bbox[3]:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda ln: ln.bbox[0])]


def ocr_cells(gray: np.ndarray, grid: ImageGrid, s: OcrSettings) -> dict[tuple[int, int], list[_Word]]:
    """Each merged cell of ``grid`` read inside its own box: the cell crops (inset past the
    erased rulings) are stacked into one column with white gaps and read by ONE Tesseract call
    as a uniform block (psm 6), so a cell's words never mix with its neighbours' and a table
    costs one call, not one per cell. Words come back in page pixels, keyed by anchor cell."""
    from dataclasses import replace

    import cv2

    inset = max(2, s.dpi // 100)
    gap = max(20, s.dpi // 8)
    # the crops sit on a white canvas: whiten their paper first (Otsu's level), or the edge between a
    # grey, grainy crop and the white canvas is read as letters ("Ngày" → "NÑgày", "1" → "TL")
    level, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    gray = np.where(gray > level, 255, gray).astype(np.uint8)
    crops = []
    for r, c, rs, cs in grid.spans:
        x0, x1 = grid.xs[c] + inset, grid.xs[c + cs] - inset
        y0, y1 = grid.ys[r] + inset, grid.ys[r + rs] - inset
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        crop = gray[y0:y1, x0:x1]
        if float((crop < 128).mean()) < 0.002:  # no ink: an empty cell
            continue
        crops.append(((r, c), crop, x0, y0))
    if not crops:
        return {}
    width = max(cr.shape[1] for _k, cr, _x, _y in crops) + 2 * gap
    height = sum(cr.shape[0] + gap for _k, cr, _x, _y in crops) + gap
    canvas = np.full((height, width), 255, np.uint8)
    places = []  # (canvas y0, canvas y1, key, page x0, page y0)
    y = gap
    for key, crop, x0, y0 in crops:
        canvas[y:y + crop.shape[0], gap:gap + crop.shape[1]] = crop
        places.append((y, y + crop.shape[0], key, x0, y0))
        y += crop.shape[0] + gap
    out: dict[tuple[int, int], list[_Word]] = {}
    for w in tesseract_words(canvas, replace(s, psm=6)):
        cy = (w.y0 + w.y1) / 2
        for top, bottom, key, x0, y0 in places:
            if top - gap / 2 <= cy <= bottom + gap / 2:
                dx, dy = x0 - gap, y0 - top
                out.setdefault(key, []).append(_Word(w.text, w.x0 + dx, w.y0 + dy, w.x1 + dx, w.y1 + dy, w.conf,
                                                     w.line_key))
                break
    return out


def _cell_text(words: Sequence[_Word]) -> str:
    """Words of one cell → text: Tesseract's lines top to bottom, wrapped lines joined."""
    from extractors.text import join_wrapped

    lines: dict[tuple[int, int, int], list[_Word]] = {}
    for w in words:
        lines.setdefault(w.line_key, []).append(w)
    ordered = sorted(lines.values(), key=lambda ws: statistics.mean((w.y0 + w.y1) / 2 for w in ws))
    return join_wrapped(" ".join(w.text for w in sorted(ws, key=lambda w: w.x0)) for ws in ordered)


def words_to_fragment(grid: ImageGrid, cell_words: dict[tuple[int, int], list[_Word]], page: int,
                      px_to_pt: float, ink: np.ndarray | None = None, bold_stroke: float = 0.0) -> TableFragment:
    """The merged cells of ``grid`` with their words (``ocr_cells``) → a ``TableFragment``
    (method "ocr"; a cell is bold when its strokes are thicker than ``bold_stroke`` px)."""
    xs, ys = grid.xs, grid.ys
    cells: list[Cell] = []
    confs: list[float] = []
    for r, c, rs, cs in grid.spans:
        x0, x1, y0, y1 = xs[c], xs[c + cs], ys[r], ys[r + rs]
        mine = cell_words.get((r, c), [])
        conf = (sum(w.conf for w in mine) / len(mine) / 100.0) if mine else None
        if conf is not None:
            confs.append(conf)
        bold = bool(mine) and ink is not None and bold_stroke > 0 and _stroke_width(
            ink, (min(w.x0 for w in mine), min(w.y0 for w in mine), max(w.x1 for w in mine),
                  max(w.y1 for w in mine))) > bold_stroke
        bbox: BBox = (round(x0 * px_to_pt, 2), round(y0 * px_to_pt, 2), round(x1 * px_to_pt, 2),
                      round(y1 * px_to_pt, 2))
        cells.append(Cell(r, c, rs, cs, fix_text(_cell_text(mine)), page, bbox, bold, is_ocr=True,
                          confidence=round(conf, 3) if conf is not None else None))
    x0, y0, x1, y1 = grid.bbox
    confidence = round(statistics.mean(confs), 3) if confs else 0.0
    return TableFragment(page, (round(x0 * px_to_pt, 2), round(y0 * px_to_pt, 2), round(x1 * px_to_pt, 2),
                                round(y1 * px_to_pt, 2)),
                         len(ys) - 1, len(xs) - 1, [round(x * px_to_pt, 2) for x in xs], cells, "ocr", confidence)


def ocr_image(rgb: np.ndarray, page: int, s: OcrSettings) -> OcrPage:
    """OCR one rendered page (pure apart from running Tesseract)."""
    import cv2

    t0 = time.perf_counter()
    gray, skew = preprocess(rgb, s)
    px_to_pt = 72.0 / s.dpi
    grids: list[ImageGrid] = []
    if s.tables:
        grids, mask = find_image_tables(gray, s.dpi)
        if grids:
            gray = erase_rulings(gray, mask, s.dpi)
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    if grids:  # the page outside its tables is read with the tables blanked out
        outside = gray.copy()
        for g in grids:
            outside[g.bbox[1]:g.bbox[3] + 1, g.bbox[0]:g.bbox[2] + 1] = 255
    else:
        outside = gray
    words = tesseract_words(outside, s)
    cell_words = [ocr_cells(gray, g, s) for g in grids]
    all_words = words + [w for cw in cell_words for ws in cw.values() for w in ws]
    # the regular stroke of the page, over its words (body and cells): a page whose few body lines
    # are all headings still tells them from its table text
    strokes = [_stroke_width(ink, (w.x0, w.y0, w.x1, w.y1)) for w in all_words[:600]]
    ref = statistics.median(strokes) if strokes else 0.0
    lines = words_to_lines(words, page, px_to_pt, ink, ref_stroke=ref)
    bold_stroke = BOLD_STROKE_RATIO * ref
    fragments = [words_to_fragment(g, cw, page, px_to_pt, ink, bold_stroke) for g, cw in zip(grids, cell_words,
                                                                                             strict=True)]
    conf = sum(w.conf for w in all_words) / len(all_words) / 100.0 if all_words else 0.0
    return OcrPage(page, lines, fragments, round(conf, 3), len(all_words), round(time.perf_counter() - t0, 3),
                   skew_deg=round(skew, 2))


# ---------------------------------------------------------------------------------------------
# cache and pool
# ---------------------------------------------------------------------------------------------

def cache_key(rgb: np.ndarray, s: OcrSettings) -> str:
    h = hashlib.sha256()
    h.update(repr(rgb.shape).encode())
    h.update(rgb.tobytes())
    h.update(s.key().encode())
    return h.hexdigest()


def _to_frames(p: OcrPage) -> dict[str, Any]:
    import pandas as pd

    lines = pd.DataFrame([{"text": ln.text, "x0": ln.bbox[0], "top": ln.bbox[1], "x1": ln.bbox[2],
                           "bottom": ln.bbox[3], "size": ln.size, "bold": ln.bold,
                           "confidence": ln.confidence} for ln in p.lines],
                         columns=["text", "x0", "top", "x1", "bottom", "size", "bold", "confidence"])
    frags = pd.DataFrame([{"frag": i, "bbox": list(f.bbox), "n_rows": f.n_rows, "n_cols": f.n_cols,
                           "col_edges": list(f.col_edges), "confidence": f.confidence}
                          for i, f in enumerate(p.fragments)],
                         columns=["frag", "bbox", "n_rows", "n_cols", "col_edges", "confidence"])
    cells = pd.DataFrame([{"frag": i, "row": c.row, "col": c.col, "rs": c.rs, "cs": c.cs, "text": c.text,
                           "bbox": list(c.bbox), "confidence": c.confidence}
                          for i, f in enumerate(p.fragments) for c in f.cells],
                         columns=["frag", "row", "col", "rs", "cs", "text", "bbox", "confidence"])
    info = pd.DataFrame([{"confidence": p.confidence, "n_words": p.n_words, "seconds": p.seconds,
                          "skew_deg": p.skew_deg}])
    return {"lines": lines, "fragments": frags, "cells": cells, "info": info}


def _nan_to_none(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and v != v) else v


def _from_frames(page: int, frames: dict[str, Any]) -> OcrPage:
    lines = [Line(r.text, page, (r.x0, r.top, r.x1, r.bottom), float(r.size), bool(r.bold), False,
                  is_ocr=True, confidence=_nan_to_none(r.confidence)) for r in frames["lines"].itertuples()]
    frags = []
    cells_df = frames["cells"]
    for f in frames["fragments"].itertuples():
        rows = cells_df[cells_df["frag"] == f.frag]
        cells = [Cell(int(c.row), int(c.col), int(c.rs), int(c.cs), c.text, page, tuple(c.bbox), False,
                      is_ocr=True, confidence=_nan_to_none(c.confidence)) for c in rows.itertuples()]
        frags.append(TableFragment(page, tuple(f.bbox), int(f.n_rows), int(f.n_cols), list(f.col_edges), cells,
                                   "ocr", float(f.confidence)))
    info = frames["info"].iloc[0]
    return OcrPage(page, lines, frags, float(info["confidence"]), int(info["n_words"]), 0.0, cached=True,
                   skew_deg=float(info["skew_deg"]))


def ocr_pdf_page(path: str, page: int, s: OcrSettings, cache_root: str | None) -> OcrPage:
    """Render, look up the cache, OCR on a miss and store. Runs in a pool worker."""
    from pipeline import cache

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one Tesseract thread per worker process
    t0 = time.perf_counter()
    rgb = render_page(path, page, s.dpi)
    key = cache_key(rgb, s)
    if cache_root is not None:
        hit = cache.get("ocr", key, OCR_VERSION, cache_root)
        if hit is not None:
            return _from_frames(page, hit)
    result = ocr_image(rgb, page, s)
    result.seconds = round(time.perf_counter() - t0, 3)
    if cache_root is not None:
        cache.put("ocr", key, OCR_VERSION, _to_frames(result), cache_root)
    return result


def ocr_pages(path: Path | str, pages: Sequence[int], s: OcrSettings | None = None,
              cache_root: Path | str | None = None) -> OcrRun:
    """OCR the 1-based ``pages`` of the PDF at ``path``: a process pool over pages, cached."""
    s = s or OcrSettings()
    run = OcrRun()
    if not pages:
        return run
    t0 = time.perf_counter()
    root = str(cache_root) if cache_root is not None else None
    if s.workers == 1 or len(pages) == 1:
        results = [ocr_pdf_page(str(path), p, s, root) for p in pages]
    else:
        with ProcessPoolExecutor(max_workers=min(s.workers, len(pages))) as pool:
            results = list(pool.map(ocr_pdf_page, [str(path)] * len(pages), pages, [s] * len(pages),
                                    [root] * len(pages)))
    run.pages = {r.page: r for r in results}
    run.seconds = round(time.perf_counter() - t0, 3)
    return run
