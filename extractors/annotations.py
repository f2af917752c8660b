"""Text drawn by annotation appearance streams, as pdfplumber-style char dicts.

Vietnamese e-signature systems (the VGCA "ký số" clients of ministries and provinces) issue a
document by writing its number and day into the blanks the drafter left ("Số:   /BC-SNV",
"ngày   tháng 11 năm 2025") and a stamp ("Số: 2061/QĐ-UBND / Thời gian ký: ...") as signature
*widgets*: the text lives in the widget's appearance stream, not in the page content. Viewers
and poppler's ``pdftotext`` show it; pdfplumber reads page content only (and its ``annots``
recurses forever on these signature dictionaries), so the masthead read from pdfplumber's chars
has blank numbers and dates on every e-signed document.

This module renders the normal appearance (``/AP /N``) of each visible annotation with
pdfminer's own interpreter, placed on the page as the PDF specification says (12.5.5: the form
BBox transformed by its Matrix is mapped onto the annotation Rect), and returns its characters
in pdfplumber's coordinates (``top`` from the top of the page). Annotations flagged hidden or
no-view are skipped. Reading only, never modifying the file.
"""

from __future__ import annotations

from typing import Any

from extractors.reader_settings import MastheadSettings

Char = dict[str, Any]

_HIDDEN = 1 << 1
_NOVIEW = 1 << 5


def _walk(item: Any, out: list[Any]) -> None:
    from pdfminer.layout import LTChar

    if isinstance(item, LTChar):
        out.append(item)
        return
    try:
        children = list(item)
    except TypeError:
        return
    for ch in children:
        _walk(ch, out)


def _rect_map(bbox: list[float], matrix: list[float], rect: list[float]) -> tuple[float, ...]:
    """The matrix A of PDF 32000 §12.5.5 that maps the transformed form bbox onto ``rect``."""
    from pdfminer.utils import apply_matrix_pt

    pts = [apply_matrix_pt(matrix, (x, y)) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]  # type: ignore[arg-type]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    rx0, ry0, rx1, ry1 = min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])
    sx = (rx1 - rx0) / w if w else 1.0
    sy = (ry1 - ry0) / h if h else 1.0
    return (sx, 0.0, 0.0, sy, rx0 - sx * min(xs), ry0 - sy * min(ys))


def annotation_chars(page: Any) -> list[Char]:
    """Characters of the visible annotation appearances of a pdfplumber ``page``.

    Each char carries ``source = "annotation"`` and the annotation's field name (``/T``) as
    ``annotation``, beside pdfplumber's usual keys (text, x0, x1, top, bottom, size, fontname,
    upright). Returns [] when the page has no annotation with an appearance stream.
    """
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdftypes import PDFStream, resolve1
    from pdfminer.psparser import PSLiteral
    from pdfminer.utils import mult_matrix

    page_obj = page.page_obj
    annots = resolve1(page_obj.annots) if page_obj.annots else None
    if not annots:
        return []
    height = float(page.height)
    rotation = int(page.rotation or 0) % 360
    if rotation:  # the masthead fill-ins of the e-signature clients sit on upright pages
        return []
    x0, y0 = float(page_obj.mediabox[0]), float(page_obj.mediabox[1])
    page_ctm = (1.0, 0.0, 0.0, 1.0, -x0, -y0)
    rsrc = PDFResourceManager()
    device = PDFPageAggregator(rsrc, laparams=None)
    interp = PDFPageInterpreter(rsrc, device)
    chars: list[Char] = []
    for ref in annots:
        try:
            a = resolve1(ref)
            if not isinstance(a, dict) or int(resolve1(a.get("F", 0)) or 0) & (_HIDDEN | _NOVIEW):
                continue
            ap = resolve1(a.get("AP"))
            normal = resolve1(ap.get("N")) if isinstance(ap, dict) else None
            if isinstance(normal, dict):  # appearance states (/On, /Off): take the current one
                state = resolve1(a.get("AS"))
                key = state.name if isinstance(state, PSLiteral) else None
                normal = resolve1(normal.get(key)) if key else None
            if not isinstance(normal, PDFStream):
                continue
            rect = [float(v) for v in resolve1(a.get("Rect"))]
            bbox = [float(v) for v in resolve1(normal.get("BBox", [0, 0, 0, 0]))]
            matrix = [float(v) for v in resolve1(normal.get("Matrix", [1, 0, 0, 1, 0, 0]))]
            ctm = mult_matrix(mult_matrix(tuple(matrix), _rect_map(bbox, matrix, rect)), page_ctm)  # type: ignore[arg-type]
            # some signing clients put the form's resources on the widget (/DR) instead
            resources = resolve1(normal.get("Resources")) or resolve1(a.get("DR")) or {}
            device.begin_page(page_obj, page_ctm)  # type: ignore[arg-type]
            interp.render_contents(resources, [normal], ctm=ctm)  # type: ignore[arg-type]
            device.end_page(page_obj)
            layout = device.get_result()
        except Exception:  # noqa: BLE001 - a broken appearance must not stop the page: skip it
            continue
        name = resolve1(a.get("T"))
        name = name.decode("latin-1", "replace") if isinstance(name, bytes) else str(name or "")
        found: list[Any] = []
        _walk(layout, found)
        for c in found:
            text = c.get_text()
            if not text:
                continue
            chars.append({
                "text": text, "x0": c.x0, "x1": c.x1, "top": height - c.y1, "bottom": height - c.y0,
                "size": c.size, "fontname": c.fontname, "upright": c.upright, "source": "annotation",
                "annotation": name,
            })
    return chars


def meta_page_lines(page: Any, chars: list[Char], want_signature: bool = True,
                    settings: MastheadSettings | None = None) -> list[Any] | None:
    """The lines the masthead and signature readers need from one pdfplumber page, or None.

    The first page always (its masthead); a later page only when ``want_signature`` and its
    text in content order holds "Nơi nhận:" or an authority line ("KT. CHỦ TỊCH"). The lines
    include the page's annotation text (e-signature fill-ins) and the characters of tables (the
    masthead and the signature block are often set in a borderless table)."""
    from extractors.columns import masthead_lines
    from extractors.signer import may_hold_signature

    if page.page_number != 1 and not (want_signature and may_hold_signature(chars)):
        return None
    try:
        extra = annotation_chars(page)
    except Exception:  # noqa: BLE001 - unreadable annotations: read the page content alone
        extra = []
    return masthead_lines(list(chars) + extra, page.page_number, settings or MastheadSettings())
