"""Legacy-encoded variants of sample-corpus PDFs: the same pages typed in TCVN3 or VNI fonts.

Every character of a Unicode PDF is redrawn at its place, in its size, as the byte string a 2004
typist's TCVN3 (``.VnTime``, capitals with a tone in ``.VnTimeH``) or VNI (``VNI-Times``) font
holds; ruling lines and rectangles are redrawn too, so tables keep their grid. The text layer of
the result reads like a real legacy document ("ng©n hµng", "ngaân haøng"); the glyphs drawn are
Latin-1 (no legacy font ships with the repository), which does not matter to a text layer. Each
glyph is scaled horizontally to the width of the letter it stands for (VNI marks are drawn over
their base letter), so the geometry extraction sees is that of the original.

    python -m tools.corpus.legacy SRC.pdf OUT.pdf --encoding tcvn3 [--pages 1-3]

Truth: extraction of the variant must equal extraction of the original (tests/test_legacy.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from extractors.legacy import encode
from extractors.text import is_bold, is_italic

FONTS = Path(__file__).resolve().parent.parent / "fonts"
_FACES = {(False, False): "DejaVuSerif.ttf", (True, False): "DejaVuSerif-Bold.ttf",
          (False, True): "DejaVuSerif-Italic.ttf", (True, True): "DejaVuSerif-BoldItalic.ttf"}
FAMILY = {"tcvn3": ".VnTime", "vni": "VNI-Times"}


def _font(encoding: str, bold: bool, italic: bool, capitals: bool) -> str:
    """Register (once) a DejaVu face under the legacy font's name; returns the reportlab name."""
    family = FAMILY[encoding] + ("H" if capitals else "")
    style = ("Bold" if bold else "") + ("Italic" if italic else "")
    name = family + style
    if name not in pdfmetrics.getRegisteredFontNames():
        f = TTFont(name, str(FONTS / _FACES[(bold, italic)]))
        f.face.name = name.encode("ascii")  # the PDF's BaseFont: "AAAAAA+.VnTimeHBold"
        pdfmetrics.registerFont(f)
    return name


def _draw_glyph(c: canvas.Canvas, font: str, size: float, x: float, y: float, text: str, width: float) -> None:
    natural = pdfmetrics.stringWidth(text, font, size)
    t = c.beginText(x, y)
    t.setFont(font, size)
    if natural > 0 and width > 0:
        t.setHorizScale(100.0 * width / natural)
    t.textOut(text)
    c.drawText(t)


def make_legacy_pdf(src: Path, out: Path, encoding: str, pages: list[int] | None = None) -> Path:
    """Write ``out``: the pages of ``src`` (all, or the 1-based ``pages``) in ``encoding``."""
    import pdfplumber

    if encoding not in FAMILY:
        raise ValueError(f"encoding must be one of {sorted(FAMILY)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    cv = canvas.Canvas(str(out), invariant=1)
    with pdfplumber.open(src) as pdf:
        for page in pdf.pages:
            if pages and page.page_number not in pages:
                continue
            w, h = float(page.width), float(page.height)
            cv.setPageSize((w, h))
            cv.setLineWidth(0.5)
            for r in page.rects:
                cv.setLineWidth(float(r.get("linewidth") or 0.5))
                cv.rect(r["x0"], h - r["bottom"], r["x1"] - r["x0"], r["bottom"] - r["top"],
                        stroke=1 if r.get("stroke", True) else 0, fill=0)
            for ln in page.lines:
                cv.setLineWidth(float(ln.get("linewidth") or 0.5))
                cv.line(ln["x0"], h - ln["top"], ln["x1"], h - ln["bottom"])
            for ch in page.chars:
                if not ch["text"]:
                    continue  # space glyphs are kept: a space at a line break decides how lines join
                fn = ch.get("fontname", "")
                x, y = ch["matrix"][4], ch["matrix"][5]
                for seq, capitals in encode(ch["text"], encoding):
                    font = _font(encoding, is_bold(fn), is_italic(fn), capitals)
                    if encoding == "vni" and len(seq) > 1:
                        for part in seq:  # the mark is drawn over its base letter
                            _draw_glyph(cv, font, ch["size"], x, y, part, ch["width"])
                    else:
                        _draw_glyph(cv, font, ch["size"], x, y, seq, ch["width"])
            cv.showPage()
    cv.save()
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--encoding", choices=sorted(FAMILY), default="tcvn3")
    ap.add_argument("--pages", help="1-based pages, e.g. 1-3 or 2,5")
    a = ap.parse_args(argv)
    pages = None
    if a.pages:
        pages = []
        for part in a.pages.split(","):
            lo, _, hi = part.partition("-")
            pages.extend(range(int(lo), int(hi or lo) + 1))
    make_legacy_pdf(a.src, a.out, a.encoding, pages)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
