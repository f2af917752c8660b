"""Characters to lines, and lines to text: pure functions over pdfplumber's char dicts.

* characters are prepared once per page (``prepare_chars``): the producer's space glyphs are
  recorded as word breaks on their neighbours, each font's space width is measured, duplicates
  dropped;
* each text direction is assembled apart (rotated text turned upright first); characters are cut
  into runs in content-stream order, runs go to lines by vertical overlap with the line's own
  band, and runs whose characters overlap (a stamp or signature box over the body) go to
  separate layers of the line instead of being interleaved;
* words break at the producer's space glyphs, and where it drew none, at gaps wider than the
  line's letter spacing plus half the font's own space (so Tc, Tw, justified and condensed
  lines follow the font, not a fixed share of the size);
* raised/lowered small digits are folded into their word as Unicode super/subscripts
  ("m" + raised "2" → "m²", "P" + lowered "2" → "P₂");
* everything stored is NFC;
* wrapped lines inside a paragraph or a cell are joined with a space, except after a hyphen or
  slash glued to a word ("04/2021/QĐ-" + "UBND", "Ngày/lớp/" + "vụ"): Vietnamese words are
  separated by spaces, so a line break is a space unless the producer broke inside a token.
"""

from __future__ import annotations

import bisect
import math
import re
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from extractors.chars import direction as char_direction
from extractors.chars import to_upright, vertical_overlap
from extractors.model import BBox, Line
from extractors.settings import DEFAULT, ExtractionSettings
from pipeline.core.provisions import ARTICLE
from pipeline.core.text import fold_ws, nfc

Char = dict[str, Any]

_SUP = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_SUB = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")
_PAGE_NUMBER = re.compile(r"^(?:-\s*)?(?:trang\s+)?\d{1,4}(?:\s*/\s*\d{1,4})?(?:\s*-)?$", re.I)


def is_bold(fontname: str) -> bool:
    f = fontname.lower()
    return "bold" in f or "black" in f or "heavy" in f or f.endswith(",b") or "-bd" in f


def is_italic(fontname: str) -> bool:
    f = fontname.lower()
    return "italic" in f or "oblique" in f


# ------------------------------------------------------------------------------ lines
def _runs(chars: Sequence[Char], settings: ExtractionSettings) -> list[list[Char]]:
    """Cut characters (one text direction, content-stream order) into runs: characters drawn one
    after the other, left to right on one line. A run is the producer's own piece of a line; it
    never mixes two layers of text."""
    runs: list[list[Char]] = []
    backstep, overlap = settings.run_backstep_em, settings.line_overlap
    run: list[Char] = []
    p: Char | None = None
    for c in chars:
        if p is not None:
            size = max(p["size"], c["size"]) or 1.0
            if c["x0"] >= p["x0"] - backstep * size and vertical_overlap(c, p["top"], p["bottom"]) >= overlap:
                run.append(c)
                p = c
                continue
        run = [c]
        runs.append(run)
        p = c
    return runs


def _style(run: Sequence[Char]) -> tuple:
    c = max(run, key=lambda ch: ch["size"])
    return (round(c["size"]), str(c.get("non_stroking_color")))


def _bands(runs: list[list[Char]], settings: ExtractionSettings) -> list[list[list[Char]]]:
    """Group runs into visual lines. A run joins a line when its largest characters overlap the
    line's band (the box of the line's largest character so far, never the union of all boxes:
    growing the band would chain neighbouring lines together)."""
    bands: list[dict[str, Any]] = []

    def size(ch: Char) -> float:
        return ch["size"]

    keyed = [(max(run, key=size), run) for run in runs]  # each run's largest character (the first of them)
    keyed.sort(key=lambda kr: ((kr[0]["top"] + kr[0]["bottom"]) / 2, kr[1][0]["x0"]))
    for k, run in keyed:
        best, best_ov = None, 0.0
        for b in bands[-6:]:
            ov = vertical_overlap(k, b["top"], b["bottom"])
            small = k["size"] < settings.script_size_ratio * b["size"] or b["size"] < settings.script_size_ratio * k["size"]
            if ov >= settings.line_overlap or (small and ov > 0):
                if ov > best_ov:
                    best, best_ov = b, ov
        if best is None:
            bands.append({"top": k["top"], "bottom": k["bottom"], "size": k["size"], "runs": [run]})
            continue
        best["runs"].append(run)
        if k["size"] > best["size"]:
            best["top"], best["bottom"], best["size"] = k["top"], k["bottom"], k["size"]
    return [b["runs"] for b in bands]


def _layers(runs: list[list[Char]], settings: ExtractionSettings) -> list[list[Char]]:
    """Runs of one visual line into layers: a run whose characters overlap characters of another
    run cannot be the same text (a stamp, an e-signature box or a watermark over the body line),
    so it goes to a layer of its own instead of being interleaved with the other character by
    character. A run that only fills a blank of another (the number an e-signature system writes
    into "Số:      /QĐ-UBND") joins it."""
    layers: list[dict[str, Any]] = []

    def conflicts(ly: dict[str, Any], run: Sequence[Char]) -> bool:
        xs = ly["x0s"]
        for c in run:
            tol = settings.layer_overlap_em * c["size"]
            i = bisect.bisect_left(xs, c["x1"])
            for j in range(i - 1, max(-1, i - 4), -1):
                o = ly["chars"][j]
                if min(o["x1"], c["x1"]) - max(o["x0"], c["x0"]) > tol:
                    return True
        return False

    for run in sorted(runs, key=lambda r: (-len(r), min(c["x0"] for c in r))):
        style = _style(run)
        free = [ly for ly in layers if not conflicts(ly, run)]
        if free:
            same = [ly for ly in free if ly["style"] == style]
            ly = (same or free)[0]
            ly["chars"] = sorted(ly["chars"] + list(run), key=lambda c: c["x0"])
            ly["x0s"] = [c["x0"] for c in ly["chars"]]
        else:
            chars = sorted(run, key=lambda c: c["x0"])
            layers.append({"style": style, "chars": chars, "x0s": [c["x0"] for c in chars]})
    return [ly["chars"] for ly in layers]


def line_groups(chars: Sequence[Char], settings: ExtractionSettings = DEFAULT) -> list[list[Char]]:
    """Characters → visual lines (lists of characters in reading order), top to bottom.

    Hand-written over pdfplumber's word extraction, measured on the real corpus: pdfplumber's
    ``extract_text`` clusters lines by ``top`` within a fixed 3 pt and splits words at a fixed
    3 pt gap, which glues the words of small type (an Excel export at 8.8 pt: 68 % of pdftotext's
    words), and it has no notion of overlapping layers. Here: text directions apart (rotated
    characters are turned upright first), runs in content-stream order, runs to lines by
    vertical overlap with the line's own band, overlapping runs to separate layers, and a wide
    gap splits a line into blocks (masthead columns)."""
    body = [c for c in chars if c["text"].strip()]
    if not body:
        return []
    if "seq" in body[0]:
        body.sort(key=lambda c: c["seq"])
    by_dir: dict[int, list[Char]] = {}
    for c in body:
        by_dir.setdefault(char_direction(c, settings.rotation_step_deg), []).append(c)
    out: list[list[Char]] = []
    for direction, cs in by_dir.items():
        if direction:
            cs = [to_upright(c, direction) for c in cs]
        for band in _bands(_runs(cs, settings), settings):
            for layer in _layers(band, settings):
                size = statistics.median(c["size"] for c in layer) or 1.0
                run: list[Char] = []
                for c in sorted(layer, key=lambda c: c["x0"]):
                    if run and c["x0"] - run[-1]["x1"] > settings.column_gap_em * size:
                        out.append(run)
                        run = []
                    run.append(c)
                out.append(run)

    out.sort(key=_group_position)
    return out


def _group_position(cs: Sequence[Char]) -> tuple[float, float]:
    """Where a line group starts on the page: the least top and x0 of its characters as drawn
    (a rotated character's own box, not its upright copy's)."""
    top = x0 = math.inf
    for c in cs:
        o = c.get("_orig", c)
        if o["top"] < top:
            top = o["top"]
        if o["x0"] < x0:
            x0 = o["x0"]
    return top, x0


def _word_gap(chars: Sequence[Char], settings: ExtractionSettings) -> float:
    """The line's typical letter spacing (pt): the median gap between neighbouring characters,
    i.e. Tc plus kerning, as most neighbours are inside a word. Where the producer drew no space
    glyph on the line, clipped to what letter spacing can be (a line of one-letter words has no
    letter gaps to measure); where it did, its spaced-out titles keep their letters together."""
    gaps = [b["x0"] - a["x1"] for a, b in zip(chars, chars[1:], strict=False)]
    if not gaps:
        return 0.0
    if any(c.get("space_after") or c.get("space_before") for c in chars):
        return statistics.median(gaps)  # the producer marks its words: the typical gap is letter spacing
    size = statistics.median(c["size"] for c in chars) or 1.0
    return min(statistics.median(gaps), settings.letter_spacing_max_em * size)


def chars_to_string(chars: Sequence[Char], settings: ExtractionSettings = DEFAULT) -> str:
    """Characters of one visual line to text: spaces where the producer drew a space glyph, or
    where the gap is wider than the line's letter spacing plus a share of the font's own space
    width (Tc, Tw and justification widen gaps; the rule follows them); small raised/lowered
    digits folded into sub/superscripts."""
    if not chars:
        return ""
    sizes = [c["size"] for c in chars]
    size = max(sizes)
    normal = [c for c in chars if c["size"] >= settings.script_size_ratio * size] or list(chars)
    base_top = statistics.median(c["top"] for c in normal)
    base_bottom = statistics.median(c["bottom"] for c in normal)
    letter = _word_gap(normal, settings)
    out: list[str] = []
    prev: Char | None = None
    prev_raised = False
    for c in chars:
        t = c["text"]
        small = c["size"] < settings.script_size_ratio * size
        raised = False
        if small and t in "0123456789+-":
            mid = (c["top"] + c["bottom"]) / 2
            raised = mid < base_top + settings.script_raise * (base_bottom - base_top)
            t = t.translate(_SUP if raised else _SUB)
        if prev is not None:
            gap = c["x0"] - prev["x1"]
            ref = min(prev["size"], c["size"]) if not small else size
            space = ref * prev.get("space_em", settings.default_space_em)
            glyph = prev.get("space_after") or c.get("space_before")
            if small and gap < settings.script_gap_em * ref and not glyph:
                pass
            elif glyph and c["x0"] >= prev["x0"]:
                out.append(" ")
            elif gap > letter + settings.word_gap_space_share * space:
                out.append(" ")
            elif prev_raised and not small and t[:1].isalpha():
                out.append(" ")  # a footnote mark before the footnote's first word: "⁸Trong" is "⁸ Trong"
        out.append(t)
        prev, prev_raised = c, raised
    return nfc(fold_ws("".join(out)))


def chars_to_text(chars: Sequence[Char], settings: ExtractionSettings = DEFAULT) -> str:
    """The text of ``chars_to_lines`` (its lines' texts, one a line) without building the lines."""
    texts = (chars_to_string(group, settings) for group in line_groups(chars, settings))
    return "\n".join(t for t in texts if t)


def chars_to_lines(chars: Sequence[Char], page: int, settings: ExtractionSettings = DEFAULT) -> list[Line]:
    lines: list[Line] = []
    for group in line_groups(chars, settings):
        text = chars_to_string(group, settings)
        if not text:
            continue
        orig = [c.get("_orig", c) for c in group]
        bbox: BBox = (min(c["x0"] for c in orig), min(c["top"] for c in orig),
                      max(c["x1"] for c in orig), max(c["bottom"] for c in orig))
        fonts = [c.get("fontname", "") for c in group if c["text"].strip()]
        bold = sum(is_bold(f) for f in fonts) >= settings.bold_share * len(fonts)
        italic = sum(is_italic(f) for f in fonts) >= settings.bold_share * len(fonts)
        size = statistics.median(c["size"] for c in group)
        lines.append(Line(text, page, bbox, round(size, 2), bold, italic))
    return lines


def join_wrapped(parts: Iterable[str]) -> str:
    """Join the visual lines of one paragraph or cell into one string (see module doc)."""
    out = ""
    explicit_space = False
    for raw in parts:
        part = raw.strip()
        if not part:
            continue
        if not out:
            out = part
        elif not explicit_space and re.search(r"\w[-/]$", out) and re.match(r"\w", part) \
                and not part.startswith("- "):
            out += part
        else:
            out += " " + part
        explicit_space = raw.endswith(" ")  # a space glyph at the break: keep it whatever precedes
    return nfc(out)


_NEW_BLOCK = re.compile(rf"^([-+•]\s|\d+(\.\d+)*[.:)]\s|[IVXL]+\.\s|[A-ZĐ]\.\s|{ARTICLE}\s+\d|Căn cứ|Theo đề nghị|Nơi nhận)")


def lines_to_paragraphs(lines: Sequence[Line], settings: ExtractionSettings = DEFAULT) -> list[str]:
    """Body lines (reading order) → paragraphs with wrapped lines joined.

    A paragraph ends at a vertical gap larger than the line spacing, a change of weight, a line
    that starts a list item, article or numbered point, or after a short line (the last line of
    a paragraph rarely reaches the right margin)."""
    paras: list[list[str]] = []
    prev: Line | None = None
    right = max((ln.bbox[2] for ln in lines), default=0.0)
    for ln in lines:
        new = (
            prev is None or ln.page != prev.page or ln.bold != prev.bold
            or ln.bbox[1] - prev.bbox[3] > settings.paragraph_gap_em * ln.size
            or bool(_NEW_BLOCK.match(ln.text))
            or prev.bbox[2] < right - settings.short_line_em * ln.size
        )
        if new:
            paras.append([ln.text])
        else:
            paras[-1].append(ln.text)
        prev = ln
    return [join_wrapped(p) for p in paras]


def inside(c: Char, bbox: BBox, pad: float = 0.5) -> bool:
    x = (c["x0"] + c["x1"]) / 2
    y = (c["top"] + c["bottom"]) / 2
    return bbox[0] - pad <= x <= bbox[2] + pad and bbox[1] - pad <= y <= bbox[3] + pad


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


def split_furniture(lines: list[Line], height: float, repeated: set[str],
                    settings: ExtractionSettings = DEFAULT) -> tuple[list[Line], list[Line], list[Line]]:
    """Split a page's lines into (header, body, footer).

    A line is furniture when it sits in the top or bottom margin band of the page (8 % by
    default: ``settings.header_band`` / ``footer_band``) and is a page number
    or text that repeats on many pages of the document (``repeated``)."""
    header, body, footer = [], [], []
    for ln in lines:
        furniture = is_page_number(ln.text) or fold_ws(re.sub(r"\d+", "#", ln.text)) in repeated
        if furniture and ln.bbox[3] < settings.header_band * height:
            header.append(ln)
        elif furniture and ln.bbox[1] > settings.footer_band * height:
            footer.append(ln)
        else:
            body.append(ln)
    return header, body, footer


def repeated_margin_texts(pages_lines: list[tuple[float, list[Line]]], min_share: float | None = None,
                          settings: ExtractionSettings = DEFAULT) -> set[str]:
    """Texts (digits masked) that appear in the top/bottom margin of at least ``min_share`` of pages
    (default ``settings.repeated_min_share``)."""
    if min_share is None:
        min_share = settings.repeated_min_share
    from collections import Counter

    counts: Counter[str] = Counter()
    for height, lines in pages_lines:
        seen = {fold_ws(re.sub(r"\d+", "#", ln.text)) for ln in lines
                if ln.bbox[3] < settings.header_band * height or ln.bbox[1] > settings.footer_band * height}
        counts.update(seen)
    n = max(1, len(pages_lines))
    return {t for t, k in counts.items() if n >= settings.repeated_min_pages and k / n >= min_share}
