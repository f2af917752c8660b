"""Render one corpus source document to PDF with reportlab, recording the layout.

The layout log (which page every heading, table fragment and table row landed on, and the
bounding box of every table fragment) is what makes the ground truth exact: it comes from the
producer itself, not from reading the PDF back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from fontTools.ttLib import TTFont as _FTFont
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from tools.corpus.source_model import SourceDocument
from tools.corpus.styles import FALLBACK_FONT, FONT_DIR, STYLES, Style

rl_config.invariant = 1  # no timestamps or random ids: the corpus regenerates byte for byte

_CMAPS: dict[str, set[int]] = {}


def _register_fonts() -> None:
    if _CMAPS:
        return
    names = {FALLBACK_FONT}
    for st in STYLES.values():
        names |= {st.font, st.font_bold, st.font_italic, st.font_bold_italic}
    for name in sorted(names):
        path = FONT_DIR / f"{name}.ttf"
        pdfmetrics.registerFont(TTFont(name, str(path)))
        _CMAPS[name] = set(_FTFont(str(path)).getBestCmap())
    for st in STYLES.values():
        pdfmetrics.registerFontFamily(
            st.font, normal=st.font, bold=st.font_bold, italic=st.font_italic, boldItalic=st.font_bold_italic
        )


def _missing(text: str, font: str) -> bool:
    cmap = _CMAPS[font]
    return any(ord(ch) not in cmap and not ch.isspace() for ch in text)


def _markup(text: str, font: str) -> str:
    """Escape text for a Paragraph; characters the font lacks are set in the fallback font."""
    cmap = _CMAPS[font]
    out: list[str] = []
    for ch in text:
        if ch == "\n":
            out.append("<br/>")
        elif ord(ch) in cmap or ch.isspace():
            out.append(escape(ch))
        else:
            out.append(f'<font name="{FALLBACK_FONT}">{escape(ch)}</font>')
    return "".join(out)


@dataclass
class Layout:
    page_orientation: dict[int, str] = field(default_factory=dict)
    heading_pages: dict[int, int] = field(default_factory=dict)  # block index -> page
    table_fragments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    page_size: dict[int, tuple[float, float]] = field(default_factory=dict)


class _TrackedParagraph(Paragraph):
    _block_index: int = -1
    _layout: Layout | None = None

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802 (reportlab API)
        if self._layout is not None and self._block_index >= 0:
            self._layout.heading_pages.setdefault(self._block_index, canvas.getPageNumber())
        return super().drawOn(canvas, x, y, _sW)


class _TrackedTable(Table):
    """A Table that remembers which source rows each of its fragments holds."""

    _track_id: str | None = None
    _row_ids: list[tuple[str, int]] | None = None
    _layout: Layout | None = None
    _n_repeat: int = 0

    def split(self, availWidth, availHeight):  # noqa: N802, N803
        parts = super().split(availWidth, availHeight)
        if len(parts) == 2 and self._row_ids is not None:
            r0, r1 = parts
            ids = self._row_ids
            n0 = len(r0._cellvalues)
            n1 = len(r1._cellvalues)
            rep = r1.repeatRows if isinstance(r1.repeatRows, int) else len(r1.repeatRows)
            rep = rep if self._n_repeat else 0
            r0._row_ids = ids[:n0]
            r1._row_ids = ids[: rep] + ids[len(ids) - (n1 - rep):]
            for r in (r0, r1):
                r._track_id, r._layout, r._n_repeat = self._track_id, self._layout, self._n_repeat
            # reportlab keeps the pre-split row heights for the rest of the table, so the rest of a
            # merged cell's text can overflow below the table; let the rows size to their content
            r1._argH = [None] * len(r1._argH)
        return parts

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802
        if self._layout is not None and self._track_id is not None:
            page = canvas.getPageNumber()
            _w, h = canvas._pagesize
            self._layout.table_fragments.setdefault(self._track_id, []).append(
                {
                    "page": page,
                    # top-left origin, like pdfplumber: (x0, top, x1, bottom)
                    "bbox": [round(x, 2), round(h - (y + self._height), 2), round(x + self._width, 2), round(h - y, 2)],
                    "rows": [list(r) for r in (self._row_ids or [])],
                }
            )
        return super().drawOn(canvas, x, y, _sW)


class _Renderer:
    def __init__(self, doc: SourceDocument, style: Style, layout: Layout):
        self.doc, self.st, self.layout = doc, style, layout
        s = style
        self.p_body = ParagraphStyle("body", fontName=s.font, fontSize=s.body_size, leading=s.body_size * s.leading,
                                     alignment=TA_JUSTIFY, spaceAfter=s.body_size * 0.35, firstLineIndent=0)
        self.p_center = ParagraphStyle("center", parent=self.p_body, alignment=TA_CENTER)
        self.p_right = ParagraphStyle("right", parent=self.p_body, alignment=TA_RIGHT)
        self.p_small = ParagraphStyle("small", parent=self.p_body, fontSize=s.body_size - 2,
                                      leading=(s.body_size - 2) * s.leading, alignment=TA_LEFT, spaceAfter=0)
        self.p_head = ParagraphStyle("head", parent=self.p_body, fontName=s.font_bold, alignment=TA_LEFT,
                                     spaceBefore=s.body_size * 0.5, spaceAfter=s.body_size * 0.3, keepWithNext=1)
        self.p_title = ParagraphStyle("title", parent=self.p_head, alignment=TA_CENTER, fontSize=s.body_size + 1,
                                      leading=(s.body_size + 1) * s.leading)

    # ---------------------------------------------------------------- paragraphs
    def para(self, text: str, pstyle: ParagraphStyle, bold: bool = False, italic: bool = False,
             track: int = -1) -> Paragraph:
        font = pstyle.fontName
        if bold and italic:
            font = self.st.font_bold_italic
        elif bold:
            font = self.st.font_bold
        elif italic:
            font = self.st.font_italic
        ps = ParagraphStyle(f"{pstyle.name}-{font}", parent=pstyle, fontName=font)
        p = _TrackedParagraph(_markup(text, font), ps)
        p._block_index, p._layout = track, self.layout
        return p

    # ---------------------------------------------------------------- tables
    def col_widths(self, tab: Any, avail: float) -> list[float]:
        if tab.col_widths:
            rel = [float(w) for w in tab.col_widths]
        else:
            n = tab.ncols
            lengths = [[] for _ in range(n)]
            for g in tab.grid:
                if g.cs == 1:
                    lengths[g.col].append(len(g.text))
            rel = []
            for col in lengths:
                mean = sum(col) / len(col) if col else 4
                longest = max(col) if col else 4
                if self.st.width_rule == "content":
                    rel.append(max(3.0, min(45.0, 0.6 * mean + 0.15 * longest)))
                else:
                    rel.append(max(2.5, math.sqrt(mean + 1) * 2.2))
        total = sum(rel)
        widths = [avail * r / total for r in rel]
        # like a word processor's autofit: a column is never narrower than its longest word,
        # so no text overflows into the next cell
        need = [0.0] * tab.ncols
        font = self.st.font_bold
        for g in tab.grid:
            if g.cs == 1:
                longest = max((pdfmetrics.stringWidth(w, font, self.st.table_size) for w in g.text.split()), default=0)
                need[g.col] = max(need[g.col], longest + 2 * self.st.pad_h + 1)
        for _ in range(3):
            short = [i for i in range(tab.ncols) if widths[i] < need[i]]
            if not short:
                break
            extra = sum(need[i] - widths[i] for i in short)
            donors = [i for i in range(tab.ncols) if widths[i] > need[i] and i not in short]
            spare = sum(widths[i] - need[i] for i in donors)
            if spare <= 0:
                break
            take = min(1.0, extra / spare)
            for i in donors:
                widths[i] -= (widths[i] - need[i]) * take
            for i in short:
                widths[i] = widths[i] + (need[i] - widths[i]) * min(1.0, spare / extra)
        return widths

    def table(self, tab: Any, avail_w: float) -> Table:
        st = self.st
        widths = self.col_widths(tab, avail_w)
        nh = len(tab.header)
        nrows = nh + len(tab.rows)
        data: list[list[str]] = [["" for _ in range(tab.ncols)] for _ in range(nrows)]
        cmds: list[tuple] = [
            ("FONT", (0, 0), (-1, -1), st.font, st.table_size, st.table_size * st.leading),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), st.pad_h),
            ("RIGHTPADDING", (0, 0), (-1, -1), st.pad_h),
            ("TOPPADDING", (0, 0), (-1, -1), st.pad_v),
            ("BOTTOMPADDING", (0, 0), (-1, -1), st.pad_v + 1),
            ("INNERGRID", (0, 0), (-1, -1), st.grid_width, colors.black),
            ("BOX", (0, 0), (-1, -1), st.frame_width, colors.black),
        ]
        kinds = ["header"] * nh + [r.kind for r in tab.rows]
        for g in tab.grid:
            width = sum(widths[g.col:g.col + g.cs]) - 2 * st.pad_h
            is_header = g.row < nh
            bold = is_header or kinds[g.row] in ("group", "total")
            font = st.font_bold if bold else st.font
            if _missing(g.text, font):
                font = FALLBACK_FONT
            lines: list[str] = []
            for hard in g.text.split("\n"):
                soft = simpleSplit(hard, font, st.table_size, width) or [""]
                if st.keep_break_spaces:  # Word keeps the space at a soft line break in its text layer
                    soft = [ln + " " for ln in soft[:-1]] + soft[-1:]
                lines.extend(soft)
            data[g.row][g.col] = "\n".join(lines)
            if font != st.font:
                cmds.append(("FONT", (g.col, g.row), (g.col, g.row), font, st.table_size, st.table_size * st.leading))
            if g.rs > 1 or g.cs > 1:
                cmds.append(("SPAN", (g.col, g.row), (g.col + g.cs - 1, g.row + g.rs - 1)))
            if is_header:
                cmds.append(("ALIGN", (g.col, g.row), (g.col, g.row), "CENTER"))
        if nh and st.name == "gov":
            cmds.append(("LINEBELOW", (0, nh - 1), (-1, nh - 1), st.grid_width * 2, colors.black))
        t = _TrackedTable(
            data,
            colWidths=widths,
            repeatRows=nh if (st.repeat_header and nh) else 0,
            splitByRow=0 if st.split_in_row else 1,
            splitInRow=1 if st.split_in_row else 0,
            hAlign="CENTER",
        )
        t.setStyle(TableStyle(cmds))
        t._track_id, t._layout = tab.id, self.layout
        t._n_repeat = nh if (st.repeat_header and nh) else 0
        t._row_ids = [("h", i) for i in range(nh)] + [("b", i) for i in range(len(tab.rows))]
        return t

    # ---------------------------------------------------------------- document
    def masthead(self, b: dict[str, Any], avail_w: float) -> list[Any]:
        st = self.st
        small = ParagraphStyle("mh", parent=self.p_center, fontSize=st.body_size - 0.5,
                               leading=(st.body_size - 0.5) * st.leading, spaceAfter=0)
        left = [self.para(line, small, bold=(i > 0 or len(b["left"]) == 1)) for i, line in enumerate(b["left"])]
        right = [self.para(line, small, bold=True) for line in b["right"]]
        if b.get("number"):
            left.append(self.para(b["number"], small))
        if b.get("subject_line"):
            left.append(self.para(b["subject_line"], small))
        if b.get("place_date"):
            right.append(self.para(b["place_date"], small, italic=True))
        t = Table([[left, right]], colWidths=[avail_w * 0.4, avail_w * 0.6])
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        return [t, Spacer(1, st.body_size)]

    def flowables(self, frame_w: dict[str, float]) -> list[Any]:
        out: list[Any] = []
        orient = "portrait"
        for i, b in enumerate(self.doc.blocks):
            t = b["t"]
            avail = frame_w[orient]
            if t == "masthead":
                out += self.masthead(b, avail)
            elif t == "title":
                out.append(self.para(b["text"], self.p_title, bold=True))
                if b.get("subtitle"):
                    out.append(self.para(b["subtitle"], self.p_center, bold=True))
            elif t == "p":
                style = b.get("style")
                ps = {"center": self.p_center, "bold-center": self.p_center, "right": self.p_right}.get(style, self.p_body)
                out.append(self.para(b["text"], ps, bold=style in ("bold", "bold-center"), italic=style == "italic"))
            elif t == "h":
                text = b["text"] + (f"  {b['basis']}" if b.get("basis") else "")
                out.append(CondPageBreak(self.st.body_size * 5))
                out.append(self.para(text, self.p_head, bold=True, track=i))
            elif t == "basis":
                out.append(self.para(b["text"], self.p_right, italic=True))
            elif t == "appendix":
                new = "landscape" if b.get("landscape") else "portrait"
                out.append(NextPageTemplate(new))
                out.append(PageBreak())
                orient = new
                out.append(self.para(b["label"], self.p_title, bold=True, track=i))
                for line in b["title"]:
                    out.append(self.para(line, self.p_title, bold=True))
                if b.get("caption"):
                    out.append(self.para(b["caption"], self.p_center, italic=True))
                out.append(Spacer(1, self.st.body_size * 0.5))
            elif t == "table":
                out.append(self.table(self.doc.tables[b["id"]], avail))
                out.append(Spacer(1, self.st.body_size * 0.6))
            elif t == "signature":
                for line in b["lines"]:
                    out.append(self.para(line, self.p_right, bold=True))
                if b.get("name"):
                    out.append(Spacer(1, self.st.body_size * 3))
                    out.append(self.para(b["name"], self.p_right, bold=True))
            elif t == "recipients":
                for j, line in enumerate(b["lines"]):
                    out.append(self.para(line, self.p_small, bold=j == 0, italic=j == 0))
        return out


def render_pdf(doc: SourceDocument, style_name: str, out_path: Path) -> Layout:
    """Render ``doc`` in the named producer style to ``out_path``; return the layout log."""
    _register_fonts()
    st = STYLES[style_name]
    layout = Layout()
    lm, rm, tm, bm = (v * mm for v in st.margins_mm)

    def on_page(canvas, docx):  # page furniture: page number
        n = canvas.getPageNumber()
        w, h = canvas._pagesize
        layout.page_orientation[n] = "landscape" if w > h else "portrait"
        layout.page_size[n] = (round(w, 2), round(h, 2))
        canvas.saveState()
        canvas.setFont(st.font, st.body_size - 1)
        if st.page_number == "top-center":
            if n > 1:
                canvas.drawCentredString(w / 2, h - tm / 2, str(n))
        else:
            canvas.drawRightString(w - rm, bm / 2, f"Trang {n}")
        canvas.restoreState()

    pw, ph = A4
    lw, lh = landscape(A4)
    frames = {
        "portrait": Frame(lm, bm, pw - lm - rm, ph - tm - bm, id="fp", leftPadding=0, rightPadding=0,
                          topPadding=0, bottomPadding=0),
        "landscape": Frame(tm, lm * 0.7, lw - tm - bm, lh - lm * 0.7 - rm * 1.3, id="fl", leftPadding=0,
                           rightPadding=0, topPadding=0, bottomPadding=0),
    }
    template = BaseDocTemplate(
        str(out_path), pagesize=A4, title=doc.meta.get("number") or doc.doc_id, author="",
        subject=doc.meta.get("subject") or "", creator=f"decree-pipeline sample generator ({st.name})",
        producer=f"reportlab ({st.name} style)",
    )
    template.addPageTemplates([
        PageTemplate(id="portrait", frames=[frames["portrait"]], onPage=on_page, pagesize=A4),
        PageTemplate(id="landscape", frames=[frames["landscape"]], onPage=on_page, pagesize=(lw, lh)),
    ])
    renderer = _Renderer(doc, st, layout)
    widths = {k: f._width for k, f in frames.items()}
    story = renderer.flowables(widths)
    # a document that starts with a landscape appendix starts on a landscape page
    first = next((b for b in doc.blocks if b["t"] != "p"), None)
    if first and first["t"] == "appendix":
        story = story[2:]  # drop the leading NextPageTemplate + PageBreak
        if first.get("landscape"):
            template.pageTemplates.reverse()
    template.build(story)
    return layout
