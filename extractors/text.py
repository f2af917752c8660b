"""Characters to lines, and lines to text: pure functions over pdfplumber's char dicts.

* lines are clustered by vertical overlap, words by horizontal gaps (not by the producer's
  space glyphs, which many producers omit);
* raised/lowered small digits are folded into their word as Unicode super/subscripts
  ("m" + raised "2" → "m²", "P" + lowered "2" → "P₂");
* everything stored is NFC;
* wrapped lines inside a paragraph or a cell are joined with a space, except after a hyphen or
  slash glued to a word ("04/2021/QĐ-" + "UBND", "Ngày/lớp/" + "vụ"): Vietnamese words are
  separated by spaces, so a line break is a space unless the producer broke inside a token.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from extractors.model import BBox, Line
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


def _line_groups(chars: Sequence[Char]) -> list[list[Char]]:
    """Cluster characters into visual lines by vertical overlap with the line's core band."""
    body = [c for c in chars if c.get("upright", True) and c["text"].strip()]
    if not body:
        return []
    sizes = [c["size"] for c in body]
    big = statistics.median(sizes)
    lines: list[dict[str, Any]] = []
    # sort by the middle of the glyph box, then x
    for c in sorted(body, key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"])):
        mid = (c["top"] + c["bottom"]) / 2
        placed = False
        for ln in reversed(lines[-4:]):
            # a char joins a line if its middle lies inside the line's band; small chars
            # (sub/superscripts) only need to overlap it
            if ln["top"] - 0.1 * ln["size"] <= mid <= ln["bottom"] + 0.1 * ln["size"] or (
                c["size"] < 0.8 * ln["size"] and c["bottom"] > ln["top"] and c["top"] < ln["bottom"]
            ):
                ln["chars"].append(c)
                if c["size"] >= 0.8 * ln["size"]:
                    ln["top"] = min(ln["top"], c["top"])
                    ln["bottom"] = max(ln["bottom"], c["bottom"])
                    ln["size"] = max(ln["size"], c["size"])
                placed = True
                break
        if not placed:
            lines.append({"top": c["top"], "bottom": c["bottom"], "size": c["size"] or big, "chars": [c]})
    out = []
    for ln in lines:
        # a wide horizontal gap separates columns (masthead blocks, two-column layouts)
        run: list[Char] = []
        for c in sorted(ln["chars"], key=lambda c: c["x0"]):
            if run and c["x0"] - run[-1]["x1"] > 3.0 * ln["size"]:
                out.append(run)
                run = []
            run.append(c)
        out.append(run)
    out.sort(key=lambda cs: (min(c["top"] for c in cs), cs[0]["x0"]))
    return out


def _chars_to_string(chars: Sequence[Char]) -> str:
    """Characters of one visual line to text: spaces from gaps, small raised/lowered digits folded."""
    if not chars:
        return ""
    sizes = [c["size"] for c in chars]
    size = max(sizes)
    normal = [c for c in chars if c["size"] >= 0.8 * size] or list(chars)
    base_top = statistics.median(c["top"] for c in normal)
    base_bottom = statistics.median(c["bottom"] for c in normal)
    out: list[str] = []
    prev: Char | None = None
    for c in chars:
        t = c["text"]
        small = c["size"] < 0.8 * size
        if small and t in "0123456789+-":
            mid = (c["top"] + c["bottom"]) / 2
            if mid < base_top + 0.45 * (base_bottom - base_top):
                t = t.translate(_SUP)
            else:
                t = t.translate(_SUB)
        if prev is not None:
            gap = c["x0"] - prev["x1"]
            ref = min(prev["size"], c["size"]) if not small else size
            if gap > 0.22 * ref and not (small and gap < 0.5 * ref):
                out.append(" ")
        out.append(t)
        prev = c
    return nfc(fold_ws("".join(out)))


def chars_to_lines(chars: Sequence[Char], page: int) -> list[Line]:
    lines: list[Line] = []
    for group in _line_groups(chars):
        text = _chars_to_string(group)
        if not text:
            continue
        bbox: BBox = (min(c["x0"] for c in group), min(c["top"] for c in group),
                      max(c["x1"] for c in group), max(c["bottom"] for c in group))
        fonts = [c.get("fontname", "") for c in group if c["text"].strip()]
        bold = sum(is_bold(f) for f in fonts) >= 0.6 * len(fonts)
        italic = sum(is_italic(f) for f in fonts) >= 0.6 * len(fonts)
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


_NEW_BLOCK = re.compile(r"^([-+•]\s|\d+(\.\d+)*[.:)]\s|[IVXL]+\.\s|[A-ZĐ]\.\s|Điều\s+\d|Căn cứ|Theo đề nghị|Nơi nhận)")


def lines_to_paragraphs(lines: Sequence[Line]) -> list[str]:
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
            or ln.bbox[1] - prev.bbox[3] > 0.7 * ln.size
            or bool(_NEW_BLOCK.match(ln.text))
            or prev.bbox[2] < right - 4 * ln.size
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


def split_furniture(lines: list[Line], height: float, repeated: set[str]) -> tuple[list[Line], list[Line], list[Line]]:
    """Split a page's lines into (header, body, footer).

    A line is furniture when it sits in the top or bottom 8 % of the page and is a page number
    or text that repeats on many pages of the document (``repeated``)."""
    header, body, footer = [], [], []
    for ln in lines:
        furniture = is_page_number(ln.text) or fold_ws(re.sub(r"\d+", "#", ln.text)) in repeated
        if furniture and ln.bbox[3] < 0.08 * height:
            header.append(ln)
        elif furniture and ln.bbox[1] > 0.92 * height:
            footer.append(ln)
        else:
            body.append(ln)
    return header, body, footer


def repeated_margin_texts(pages_lines: list[tuple[float, list[Line]]], min_share: float = 0.5) -> set[str]:
    """Texts (digits masked) that appear in the top/bottom margin of at least ``min_share`` of pages."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for height, lines in pages_lines:
        seen = {fold_ws(re.sub(r"\d+", "#", ln.text)) for ln in lines
                if ln.bbox[3] < 0.08 * height or ln.bbox[1] > 0.92 * height}
        counts.update(seen)
    n = max(1, len(pages_lines))
    return {t for t, k in counts.items() if n >= 3 and k / n >= min_share}
