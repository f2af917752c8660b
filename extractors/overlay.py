"""A picture of what was read on one page: the page rendered by pdfplumber with, drawn over it,
the words pdfplumber sees, the ruling lines and rectangles of the page, and what extraction made
of it (text lines, headings, tables and their cells, the masthead fields), with a legend. The
data team sees why a document went wrong; golden files are reviewed against the page.

``draw_page`` is the drawing (a pdfplumber page and the extracted ``Document`` in, a PIL image
out); ``inspect_page`` opens the file, extracts it and writes the PNG.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from extractors.model import BBox, Document

__all__ = ["DEFAULT_STYLE", "InspectStyle", "draw_page", "inspect_page", "masthead_boxes"]

RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class InspectStyle:
    """Colours (RGBA) and sizes of the overlay. ``resolution`` is the rendering in dots per inch."""

    resolution: int = 110
    words: RGBA = (120, 120, 120, 150)  # pdfplumber's words: thin grey
    rulings: RGBA = (0, 170, 0, 200)  # vector lines and filled rectangles of the page: green
    lines: RGBA = (30, 90, 230, 220)  # extracted text lines: blue
    headings: RGBA = (150, 40, 200, 255)  # headings: purple
    tables: RGBA = (220, 20, 20, 255)  # table fragments: red
    cells: RGBA = (255, 140, 0, 255)  # table cells: orange
    masthead: RGBA = (230, 0, 160, 255)  # masthead fields: magenta, labelled
    legend_height: int = 24

    def __post_init__(self) -> None:
        if not 20 <= self.resolution <= 600:
            raise ValueError("resolution must be between 20 and 600 dpi")


DEFAULT_STYLE = InspectStyle()


def _fold(s: str) -> str:
    return " ".join(s.split()).casefold()


def masthead_boxes(doc: Document, page_no: int) -> list[tuple[str, BBox]]:
    """(field name, box) of every metadata field whose printed text sits on a line of the page
    (the raw number, place, issuer, subject, …)."""
    page = next((p for p in doc.pages if p.page == page_no), None)
    if page is None:
        return []
    out: list[tuple[str, BBox]] = []
    for f in fields(doc.meta):
        value = getattr(doc.meta, f.name)
        if not isinstance(value, str) or len(value.strip()) < 2:
            continue
        v = _fold(value)
        # the line that is the value, else the first (topmost) line that holds it, else the lines
        # a value spread over several lines is made of (a subject)
        hits = [ln for ln in page.lines if _fold(ln.text) == v][:1] or \
            [ln for ln in page.lines if v in _fold(ln.text)][:1] or \
            [ln for ln in page.lines if len(_fold(ln.text)) >= 4 and _fold(ln.text) in v][:4]
        for ln in hits:
            out.append((f.name, ln.bbox))
    return out


def _rect(b: Any) -> tuple[float, float, float, float]:
    return (b["x0"], b["top"], b["x1"], b["bottom"]) if isinstance(b, dict) else tuple(b)  # type: ignore[return-value]


def draw_page(page: Any, doc: Document | None, page_no: int, style: InspectStyle = DEFAULT_STYLE) -> Any:
    """The annotated PIL image of pdfplumber ``page`` (number ``page_no``, 1-based) with the
    extraction ``doc`` drawn over it (``doc`` None: pdfplumber's words and rulings only). The
    legend is a strip under the page."""
    from PIL import Image, ImageDraw

    im = page.to_image(resolution=style.resolution)
    im.draw_rects([_rect(w) for w in page.extract_words()], stroke=style.words, fill=(0, 0, 0, 0), stroke_width=1)
    rulings = [e for e in page.edges]
    im.draw_lines(rulings, stroke=style.rulings, stroke_width=1)
    labels: list[tuple[str, BBox]] = []
    if doc is not None:
        pt = next((p for p in doc.pages if p.page == page_no), None)
        if pt is not None:
            im.draw_rects([ln.bbox for ln in pt.lines], stroke=style.lines, fill=(0, 0, 0, 0), stroke_width=1)
        heads = [h.bbox for h in doc.headings if h.page == page_no]
        im.draw_rects(heads, stroke=style.headings, fill=(0, 0, 0, 0), stroke_width=2)
        for t in doc.tables:
            for fr in t.fragments:
                if fr.page != page_no:
                    continue
                im.draw_rects([c.bbox for c in fr.cells], stroke=style.cells, fill=(0, 0, 0, 0), stroke_width=2)
                im.draw_rect(fr.bbox, stroke=style.tables, fill=(0, 0, 0, 0), stroke_width=3)
                labels.append((f"table {t.index}", fr.bbox))
        for name, box in masthead_boxes(doc, page_no):
            im.draw_rect(box, stroke=style.masthead, fill=(0, 0, 0, 0), stroke_width=2)
            labels.append((name, box))
    img = im.annotated.convert("RGB")
    scale = img.width / float(page.width)
    draw = ImageDraw.Draw(img)
    for text, (x0, top, _x1, _bottom) in labels:
        colour = style.tables if text.startswith("table ") else style.masthead
        draw.text((x0 * scale + 2, max(0, top * scale - 11)), text, fill=colour[:3])
    out = Image.new("RGB", (img.width, img.height + style.legend_height), "white")
    out.paste(img, (0, 0))
    draw = ImageDraw.Draw(out)
    x = 6
    y = img.height + 6
    for name, colour in (("words", style.words), ("rulings", style.rulings), ("lines", style.lines),
                         ("headings", style.headings), ("tables", style.tables), ("cells", style.cells),
                         ("masthead", style.masthead)):
        draw.rectangle((x, y, x + 12, y + 12), outline=colour[:3], width=3)
        draw.text((x + 16, y), name, fill=(0, 0, 0))
        x += 16 + int(draw.textlength(name)) + 14
    return out


def inspect_page(pdf: Path, page_no: int, out: Path, style: InspectStyle = DEFAULT_STYLE,
                 doc: Document | None = None) -> dict[str, Any]:
    """Extract ``pdf`` (unless ``doc`` is given), draw page ``page_no`` (1-based) and write the PNG
    to ``out``. Returns what was drawn: counts of words, lines, tables, cells and masthead fields."""
    import pdfplumber

    from extractors.document import extract_document

    doc = doc if doc is not None else extract_document(pdf)
    with pdfplumber.open(pdf) as plumber:
        if not 1 <= page_no <= len(plumber.pages):
            raise IndexError(f"{pdf.name} has {len(plumber.pages)} pages; page {page_no} does not exist")
        page = plumber.pages[page_no - 1]
        img = draw_page(page, doc, page_no, style)
        n_words = len(page.extract_words())
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out, format="PNG")
    pt = next((p for p in doc.pages if p.page == page_no), None)
    frags = [fr for t in doc.tables for fr in t.fragments if fr.page == page_no]
    return {"png": str(out), "width": img.width, "height": img.height, "page_kind": pt.kind if pt else None,
            "words": n_words, "lines": len(pt.lines) if pt else 0, "tables": len(frags),
            "cells": sum(len(fr.cells) for fr in frags),
            "masthead": sorted({n for n, _ in masthead_boxes(doc, page_no)})}
