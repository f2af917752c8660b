"""A page's characters prepared once before line assembly: the producer's space glyphs recorded
as word breaks on their neighbours, each font's space width measured, duplicates dropped
(pdfplumber's ``dedupe_chars``), and the direction of rotated text, so that ``extractors.text``
can turn it upright. Pure functions over pdfplumber's char dicts."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from extractors.settings import DEFAULT, ExtractionSettings

Char = dict[str, Any]

def char_angle(c: Char) -> float:
    """Text direction of a character in degrees (0 = upright, left to right), from its matrix."""
    m = c.get("matrix")
    if not m:
        return 0.0
    return math.degrees(math.atan2(m[1], m[0]))


def direction(c: Char, step: float) -> int:
    m = c.get("matrix")
    if not m or (m[1] == 0 and m[0] > 0):  # upright text (almost every glyph): angle 0 without atan2
        return 0
    return int(round(char_angle(c) / step) * step) % 360


def to_upright(c: Char, angle: float) -> Char:
    """A rotated character as if its line were upright: coordinates along the baseline (x) and
    across it (top/bottom), so that the same line and word rules apply to rotated text."""
    th = math.radians(angle)
    cos, sin = math.cos(th), math.sin(th)
    scale = math.hypot(*c["matrix"][:2]) if c.get("matrix") else 1.0
    length = abs(c.get("adv") or 0.0) * scale or max(c["x1"] - c["x0"], c["bottom"] - c["top"])
    w, h = c["x1"] - c["x0"], c["bottom"] - c["top"]
    if abs(sin) > abs(cos):
        height = max(0.1, (w - length * abs(cos)) / abs(sin))
    else:
        height = max(0.1, (h - length * abs(sin)) / abs(cos))
    cx, cy = (c["x0"] + c["x1"]) / 2, -(c["top"] + c["bottom"]) / 2  # y up
    u = cx * cos + cy * sin
    v = -cx * sin + cy * cos
    return dict(c, x0=u - length / 2, x1=u + length / 2, top=-v - height / 2, bottom=-v + height / 2,
                size=height, _orig=c)


def vertical_overlap(a: Char, top: float, bottom: float) -> float:
    """Overlap of ``a``'s box with [top, bottom] as a share of the smaller height."""
    inter = min(a["bottom"], bottom) - max(a["top"], top)
    smaller = min(a["bottom"] - a["top"], bottom - top)
    return inter / smaller if smaller > 0 else (1.0 if inter >= 0 else 0.0)


def prepare_chars(chars: Sequence[Char], settings: ExtractionSettings = DEFAULT) -> list[Char]:
    """One page's characters, ready for assembly (pure: returns annotated copies).

    * the same glyph drawn twice at the same place (fake bold, overprint) is kept once, with
      pdfplumber's ``dedupe_chars`` (run only where a duplicate exists: its final re-sort is
      quadratic in the page's characters);
    * every space glyph the producer drew is recorded on its neighbours (``space_after`` on the
      character before it in the content stream, ``space_before`` on the one after it), so a word
      break survives even where the space glyphs themselves are dropped (table cells) and whatever
      the gap looks like (condensed Word text puts words 0.2 em apart);
    * the width of the font's own space (``space_em``, in em), measured from the space glyphs of
      that font on the page, for the word gaps of text drawn without space glyphs;
    * ``seq``: the position in the content stream.
    """
    out = [dict(c, seq=i) for i, c in enumerate(chars)]
    # characters made outside pdfplumber (annotation appearances) may lack the document offset
    offset = next((c["doctop"] - c["top"] for c in out if "doctop" in c), 0.0)
    for c in out:
        c.setdefault("doctop", c["top"] + offset)
    seen: set[tuple] = set()
    dup = False
    for c in out:
        key = (c["text"], c.get("fontname"), round(c["x0"]), round(c["top"]))
        if key in seen and c["text"].strip():
            dup = True
            break
        seen.add(key)
    if dup:
        from pdfplumber.utils import dedupe_chars

        out = dedupe_chars(out, tolerance=settings.dedupe_tolerance)
    widths: dict[str, list[float]] = {}
    for i, c in enumerate(out):
        if c["text"].strip() or not c["text"]:
            continue
        if c.get("size") and c["x1"] > c["x0"] and abs(char_angle(c)) < 1:
            widths.setdefault(c.get("fontname", ""), []).append((c["x1"] - c["x0"]) / c["size"])
        # neighbours in stream order on the same line, the space lying between them
        for j in range(i - 1, max(-1, i - 3), -1):
            p = out[j]
            if p["text"].strip():
                if vertical_overlap(p, c["top"], c["bottom"]) >= settings.line_overlap and c["x0"] >= p["x0"]:
                    p["space_after"] = True
                break
        for j in range(i + 1, min(len(out), i + 3)):
            n = out[j]
            if n["text"].strip():
                if vertical_overlap(n, c["top"], c["bottom"]) >= settings.line_overlap and n["x1"] >= c["x1"]:
                    n["space_before"] = True
                break
    space_em = {f: statistics.median(ws) for f, ws in widths.items() if ws}
    for c in out:
        if c.get("fontname", "") in space_em:
            c["space_em"] = space_em[c.get("fontname", "")]
    return out
