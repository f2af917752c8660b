"""A page's characters as positioned lines split into columns at wide gaps: the two masthead
columns are often set in a borderless table whose cells sit on one baseline, and "Nơi nhận:"
sits beside the signature block. Used by the masthead and signature readers."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from extractors.masthead import DEFAULT, MastheadSettings
from extractors.model import Line
from extractors.text import is_bold, is_italic
from pipeline.core.text import fold_ws, nfc


def masthead_lines(chars: Sequence[dict[str, Any]], page: int,
                   settings: MastheadSettings = DEFAULT) -> list[Line]:
    """A page's characters → positioned lines, one per column segment, top to bottom.

    Words come from pdfplumber's ``extract_words`` (space glyphs honoured, gaps above
    ``word_gap_pt`` separate words); words on one row are split into segments where the gap
    exceeds ``column_gap`` × font size (the two masthead columns, "Nơi nhận:" beside the
    signature block)."""
    from pdfplumber.utils import extract_words

    # sizes rounded: pdfplumber splits words where an extra attribute differs (12.96 vs 12.959999)
    body = [{**c, "doctop": c.get("doctop", c["top"]), "size": round(c["size"], 1)} for c in chars
            if c.get("upright", True) and (c.get("size") or 0) >= settings.min_size_pt]
    if not body:
        return []
    words = extract_words(body, x_tolerance=settings.word_gap_pt, y_tolerance=3, keep_blank_chars=False,
                          use_text_flow=False, extra_attrs=["size"], return_chars=True)
    words.sort(key=lambda w: ((w["top"] + w["bottom"]) / 2, w["x0"]))
    rows: list[list[dict[str, Any]]] = []
    for w in words:
        mid = (w["top"] + w["bottom"]) / 2
        for row in reversed(rows[-3:]):
            top = statistics.median(x["top"] for x in row)
            bottom = statistics.median(x["bottom"] for x in row)
            overlap = min(bottom, w["bottom"]) - max(top, w["top"])
            if top <= mid <= bottom or overlap > settings.row_overlap * min(bottom - top, w["bottom"] - w["top"]):
                row.append(w)
                break
        else:
            rows.append([w])
    out: list[Line] = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        seg: list[dict[str, Any]] = []
        segs = [seg]
        for w in row:
            if seg and w["x0"] - seg[-1]["x1"] > settings.column_gap * max(w["size"], seg[-1]["size"]):
                seg = []
                segs.append(seg)
            seg.append(w)
        for s in segs:
            cs = [c for w in s for c in w["chars"] if c["text"].strip()]
            fonts = [c.get("fontname", "") for c in cs]
            text = nfc(fold_ws(" ".join(w["text"] for w in s)))
            if not text:
                continue
            out.append(Line(text, page, (min(w["x0"] for w in s), min(w["top"] for w in s), max(w["x1"] for w in s),
                                         max(w["bottom"] for w in s)),
                            round(statistics.median(c["size"] for c in cs), 2),
                            sum(is_bold(f) for f in fonts) >= 0.6 * len(fonts),
                            sum(is_italic(f) for f in fonts) >= 0.6 * len(fonts)))
    out.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    return out
