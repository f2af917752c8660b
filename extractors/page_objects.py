"""pdfplumber's page objects, with its character records built faster (same dicts).

pdfplumber turns every pdfminer layout object into a dict (``Page.process_object``): for each
attribute it walks ``resolve_all`` (recursion into tuples, lists, dicts, object references), names
the object's kind with a regular expression and decodes the colour-space name through
PDFDocEncoding character by character. Measured without a profiler on 30 pages of the scaled
ruled appendix (about 1,450 characters a page): pdfplumber's parse was 37 % of extraction CPU, and
a third of the parse was building these dicts, almost all of them characters, whose attributes
are plain numbers, strings and tuples of numbers.

``fast_char_objects(page)`` makes the page build its character dicts with the same keys, values and
key order in less work (scalars and tuples of numbers taken as they are, the decoded colour-space
name computed once per name, the page's constants read once); every other object (rectangles,
lines, curves, images) still goes through pdfplumber's own ``process_object``.
``tests/test_page_objects.py`` checks that the dicts are equal to pdfplumber's on real and sample
pages; pdfplumber is pinned in ``pyproject.toml``.
"""

from __future__ import annotations

from typing import Any

_NUMBERS = (float, int)


def _resolved(v: Any, resolve_all: Any) -> Any:
    """pdfplumber's ``resolve_all(v)``, without the walk for values it returns unchanged."""
    t = type(v)
    if t is float or t is int or t is str or t is bool or v is None:
        return v
    if t is tuple and all(type(x) in _NUMBERS for x in v):
        return v  # resolve_all rebuilds an equal tuple
    return resolve_all(v)


def _char_maker(page: Any) -> Any:
    """pdfplumber's ``Page.process_object`` for this page: characters here, the rest by pdfplumber.
    The page's constants (number, mediabox, height, offset in the document) are read once."""
    from pdfminer.layout import LTChar
    from pdfplumber.page import ALL_ATTRS, Page, fix_fontname_bytes
    from pdfplumber.utils import resolve_all, resolve_and_decode

    page_number, height, doctop = page.page_number, page.height, page.initial_doctop
    mb_x0, mb_top = page.mediabox[:2]
    norm = page.pdf.unicode_norm

    def process_object(obj: Any) -> dict[str, Any]:
        if type(obj) is not LTChar:
            return Page.process_object(page, obj)
        attr = {}
        for k, v in obj.__dict__.items():
            if k in ALL_ATTRS:
                t = type(v)  # the scalar test inlined: about a dozen attributes per glyph
                attr[k] = v if t is float or t is int or t is str or t is bool or v is None else _resolved(v, resolve_all)
        attr["object_type"] = "char"
        attr["page_number"] = page_number
        for cs in ("ncs", "scs"):
            if hasattr(obj, cs):
                name = getattr(obj, cs).name
                try:
                    key = (type(name), name)
                    decoded = _DECODED[key]
                except KeyError:
                    decoded = _DECODED[key] = resolve_and_decode(name)
                except TypeError:  # an unhashable name: decoded each time
                    decoded = resolve_and_decode(name)
                attr[cs] = decoded
        text = obj.get_text()
        if norm is not None:
            from unicodedata import normalize

            text = normalize(norm, text)
        attr["text"] = text
        gs = obj.graphicstate
        attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
        attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
        if isinstance(attr["fontname"], bytes):  # pragma: no cover - rare byte-encoded font names
            attr["fontname"] = fix_fontname_bytes(attr["fontname"])
        if "y0" in attr:
            attr["top"] = (height - attr["y1"]) + mb_top
            attr["bottom"] = (height - attr["y0"]) + mb_top
            attr["doctop"] = doctop + attr["top"]
        if "x0" in attr and mb_x0 != 0:
            attr["x0"] = attr["x0"] + mb_x0
            attr["x1"] = attr["x1"] + mb_x0
        return attr

    return process_object


_DECODED: dict[tuple[type, Any], Any] = {}


def fast_char_objects(page: Any) -> Any:
    """Make this pdfplumber ``page`` build its objects with ``process_object`` (above); returns the page."""
    page.process_object = _char_maker(page)
    return page
