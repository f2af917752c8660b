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
* the masthead's blanks filled in by hand or stamp (the serial after "Số:", the day and month of
  the date line) that the page's read left illegible are read again alone, digits only
  (``extractors.ocr_blanks``), and kept only when sure;
* pages run in a process pool (``OcrSettings.workers``, capped by the environment variable
  ``DECREE_OCR_WORKERS`` that a run extracting documents in parallel sets; one Tesseract thread
  each; a pool of 1 reads in the calling process) and every
  page result is cached under ``<cache_root>/cache/ocr/<OCR_VERSION>/<key>/``, keyed on the
  SHA-256 of the rendered image and the settings, so a page is never read twice.

Tesseract does not see Vietnamese typography the way the text layer gives it; sizes of OCR
lines are the median word height converted to points (close to the font size in points, which
is what heading and masthead detection compare).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from extractors.model import BBox, Cell, Line, TableFragment
from extractors.ocr_blanks import reread_blanks
from extractors.ocr_cache import cache_key, page_from_frames, page_to_frames
from extractors.ocr_fixes import fix_text
from extractors.ocr_glyphs import fix_comparator, is_speckle
from extractors.ocr_image import (
    ImageGrid,
    OcrPage,
    OcrRun,
    OcrSettings,
    erase_rulings,
    find_image_tables,
    prepare,
    render_page,
)

OCR_VERSION = "ocr-5"  # bump when the output of the same settings on the same image changes
# bold: strokes this much thicker than the page's median (measured on the real scans: regular
# Times 3.3-3.6 px at 300 dpi, bold 4.4-4.7 px)
BOLD_STROKE_RATIO = 1.2




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
                if is_speckle(w.text, w.conf, s.cells):  # grain, seal or signature remains (ocr_glyphs)
                    break
                dx, dy = x0 - gap, y0 - top
                box = (w.x0 + dx, w.y0 + dy, w.x1 + dx, w.y1 + dy)
                out.setdefault(key, []).append(_Word(fix_comparator(w.text, gray, box, s.cells), *box, w.conf,
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
    gray, skew, under_ink = prepare(rgb, s)
    px_to_pt = 72.0 / s.dpi
    grids: list[ImageGrid] = []
    if s.tables:
        grids, mask = find_image_tables(gray, s.dpi, under_ink)
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
    lines = reread_blanks(gray, lines, 1.0 / px_to_pt, s)  # hand-filled serial and day of the masthead
    bold_stroke = BOLD_STROKE_RATIO * ref
    fragments = [words_to_fragment(g, cw, page, px_to_pt, ink, bold_stroke) for g, cw in zip(grids, cell_words,
                                                                                             strict=True)]
    conf = sum(w.conf for w in all_words) / len(all_words) / 100.0 if all_words else 0.0
    return OcrPage(page, lines, fragments, round(conf, 3), len(all_words), round(time.perf_counter() - t0, 3),
                   skew_deg=round(skew, 2))


# ---------------------------------------------------------------------------------------------
# cache and pool
# ---------------------------------------------------------------------------------------------


def ocr_pdf_page(path: str, page: int, s: OcrSettings, cache_root: str | None) -> OcrPage:
    """Render, look up the cache, OCR on a miss and store. Runs in a pool worker."""
    from pipeline.core import cache

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one Tesseract thread per worker process
    t0 = time.perf_counter()
    rgb = render_page(path, page, s.dpi)
    key = cache_key(rgb, s)
    if cache_root is not None:
        hit = cache.get("ocr", key, OCR_VERSION, cache_root)
        if hit is not None:
            return page_from_frames(page, hit)
    result = ocr_image(rgb, page, s)
    result.seconds = round(time.perf_counter() - t0, 3)
    if cache_root is not None:
        cache.put("ocr", key, OCR_VERSION, page_to_frames(result), cache_root)
    return result


def ocr_page_or_why(path: str, page: int, s: OcrSettings, cache_root: str | None) -> OcrPage | str:
    """``ocr_pdf_page``, or why the page could not be OCR'd: a page the renderer cannot load (a
    broken page tree pdfminer walked around) stays unread with its reason instead of failing the
    whole document. Running out of memory is not caught: the worker's limit classifies it."""
    try:
        return ocr_pdf_page(path, page, s, cache_root)
    except MemoryError:
        raise
    except Exception as exc:
        return f"{exc.__class__.__name__}: {exc}".strip()


def ocr_pages(path: Path | str, pages: Sequence[int], s: OcrSettings | None = None,
              cache_root: Path | str | None = None) -> OcrRun:
    """OCR the 1-based ``pages`` of the PDF at ``path``: a process pool over pages, cached."""
    s = s or OcrSettings()
    run = OcrRun()
    if not pages:
        return run
    t0 = time.perf_counter()
    root = str(cache_root) if cache_root is not None else None
    size = s.pool_size(len(pages))
    if size == 1:
        results = [ocr_page_or_why(str(path), p, s, root) for p in pages]
    else:
        with ProcessPoolExecutor(max_workers=size) as pool:
            results = list(pool.map(ocr_page_or_why, [str(path)] * len(pages), pages, [s] * len(pages),
                                    [root] * len(pages)))
    run.pages = {r.page: r for r in results if not isinstance(r, str)}
    run.failed = {p: r for p, r in zip(pages, results, strict=True) if isinstance(r, str)}
    run.seconds = round(time.perf_counter() - t0, 3)
    return run
