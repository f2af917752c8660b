"""Page triage: what kind of text layer does a page have, decided before it is read.

A provincial archive holds pages whose text layer is good Unicode, pages typed in legacy fonts
(TCVN3, VNI, VIQR: readable once converted), and pages whose text layer cannot be read: image-only
scans, scans carrying the scanner's garbled OCR ("QUYTTDINH Vd viQc thirnh lAp"), undecodable
glyphs ("(cid:12)"), text drawn as filled vector outlines with no font ("Print to PDF"), and blank
pages. Each page gets one kind and the evidence it was decided on, recorded in ``pages``.

``triage_page`` is pure (evidence in, decision out); ``page_evidence`` gathers the evidence from a
pdfplumber page (the I/O edge). Pages for which ``needs_ocr`` is true are not read as text: their
text layer, if any, is garbage and is not published; an OCR stage reads them instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from extractors.legacy import LegacyDecision, LegacySettings, base_font_name, detect, page_text  # noqa: F401
from extractors.reader_settings import TriageSettings
from extractors.vietnamese import PlainStats, plain_stats

# kinds of page, as recorded in pages.text_layer
GOOD = "unicode"  # text layer reads as Vietnamese
LEGACY = "legacy"  # legacy-encoded text layer, converted
IMAGE_ONLY = "image_only"  # no text layer, page drawn by images
NOT_VIETNAMESE = "not_vietnamese"  # a text layer that is neither Vietnamese nor a known encoding
OUTLINE = "outline"  # text drawn as filled vector outlines, no font
BLANK = "blank"
KINDS = (GOOD, LEGACY, IMAGE_ONLY, NOT_VIETNAMESE, OUTLINE, BLANK)
_OCR_KINDS = frozenset({IMAGE_ONLY, NOT_VIETNAMESE, OUTLINE})


def needs_ocr(kind: str) -> bool:
    """The hook for the OCR stage: pages of these kinds are read from their image, not their text."""
    return kind in _OCR_KINDS


@dataclass(frozen=True)
class PageEvidence:
    n_glyphs: int  # non-space characters of the text layer
    n_cid: int  # undecodable glyphs, "(cid:N)"
    fonts: tuple[str, ...]  # font names, subset prefixes stripped
    n_images: int
    image_coverage: float  # share of the page area covered by images (0-1, overlaps counted once)
    n_curves: int  # filled curves (glyph outlines, when there are no fonts)
    legacy: LegacyDecision
    image_ink: float | None = None  # dark-pixel share of the largest image, pages without text only
    plain: PlainStats | None = None  # a layer with almost no Vietnamese mark: unmarked Vietnamese? English?
    non_ascii_share: float | None = None  # share of its letters outside ASCII (with ``plain``)


@dataclass(frozen=True)
class Triage:
    kind: str  # one of KINDS
    encoding: str | None  # unicode | tcvn3 | vni | viqr | None (no usable text layer)
    reason: str
    valid_syllable_share: float | None  # of the text as it will be read (after any conversion)
    evidence: PageEvidence

    @property
    def needs_ocr(self) -> bool:
        return needs_ocr(self.kind)


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def triage_page(ev: PageEvidence, settings: TriageSettings = TriageSettings()) -> Triage:
    """Classify one page from its evidence (pure)."""
    leg = ev.legacy
    if ev.n_glyphs == 0:
        if ev.n_curves >= settings.min_outline_curves:
            return Triage(OUTLINE, None, f"no fonts; {ev.n_curves} filled curves draw the text", None, ev)
        if ev.n_images and ev.image_ink is not None and ev.image_ink <= settings.max_blank_ink:
            return Triage(BLANK, None, f"scanned blank page: no text layer; images cover {ev.image_coverage:.0%} "
                                       f"of the page with {ev.image_ink:.2%} dark pixels", None, ev)
        if ev.n_images:  # even a small image may hold text a person reads: OCR decides
            return Triage(IMAGE_ONLY, None, f"no text layer; {ev.n_images} image(s) cover "
                                            f"{ev.image_coverage:.0%} of the page", None, ev)
        return Triage(BLANK, None, f"no text layer, no image; {ev.n_curves} filled curves", None, ev)
    if ev.n_cid / ev.n_glyphs > settings.max_cid_share:
        return Triage(NOT_VIETNAMESE, None, f"{ev.n_cid} of {ev.n_glyphs} glyphs undecodable (cid:N); fonts "
                                            f"{', '.join(ev.fonts)}", None, ev)
    if leg.encoding:
        return Triage(LEGACY, leg.encoding, leg.describe() + f"; fonts {', '.join(ev.fonts)}",
                      leg.after.share, ev)
    share = leg.before.share
    kept = f"; {leg.describe()}" if leg.kept else ""
    if leg.before.n_tokens < settings.min_words:
        return Triage(GOOD, "unicode", f"{leg.before.n_tokens} word(s), too few to judge; taken as text{kept}",
                      share, ev)
    marked = leg.before.marked_share
    if (marked is not None and marked >= settings.min_marked_share) or (share is not None
                                                                          and share >= settings.good_share):
        return Triage(GOOD, "unicode", f"valid syllables {_fmt(share)} ({_fmt(marked)} with Vietnamese marks) "
                                       f"of {leg.before.n_tokens} words{kept}", share, ev)
    plain = _plain_text(ev, settings)
    if plain:
        return Triage(GOOD, "unicode", f"{plain} ({_fmt(share)} valid syllables, {_fmt(marked)} with Vietnamese "
                                       f"marks) of {leg.before.n_tokens} words{kept}", share, ev)
    scan = ev.n_images and ev.image_coverage >= settings.image_coverage
    what = ("garbled OCR layer over a scan" if scan else "text layer is not Vietnamese (mojibake or an "
            "unknown encoding)")
    return Triage(NOT_VIETNAMESE, None, f"{what}: valid syllables {_fmt(share)} ({_fmt(marked)} with "
                                       f"Vietnamese marks) of {leg.before.n_tokens} words, "
                                       f"no legacy encoding fits; fonts {', '.join(ev.fonts) or 'none'}"
                                       + (f"; images cover {ev.image_coverage:.0%}" if ev.n_images else "")
                                       + (f"; unmarked syllables {_fmt(ev.plain.unmarked_share)}, English "
                                          f"function words {_fmt(ev.plain.english_share)}" if ev.plain else ""),
                  share, ev)


def _plain_text(ev: PageEvidence, settings: TriageSettings) -> str | None:
    """What a valid text layer without Vietnamese marks reads as, or None (not plain text)."""
    p = ev.plain
    if p is None or p.n_tokens < settings.min_words or ev.non_ascii_share is None \
            or ev.non_ascii_share > settings.plain_max_non_ascii:
        return None
    if (p.unmarked_share or 0) >= settings.unmarked_share:
        return f"Vietnamese typed without diacritics: unmarked syllables {_fmt(p.unmarked_share)}"
    if (p.english_share or 0) >= settings.english_share:
        return f"English: function words {_fmt(p.english_share)}"
    return None


def _unjudged(leg: LegacyDecision, settings: TriageSettings) -> bool:
    """Would the syllable statistics alone send this layer to OCR? (then plain text is looked for)"""
    b = leg.before
    if leg.encoding or b.n_tokens < settings.min_words:
        return False
    return (b.marked_share or 0) < settings.min_marked_share and (b.share or 0) < settings.good_share


# ---- evidence from a pdfplumber page (the I/O edge) ------------------------------------------------
def _coverage(boxes: Sequence[tuple[float, float, float, float]], width: float, height: float) -> float:
    """Share of the page covered by the union of boxes (on a coarse grid: overlaps counted once)."""
    if not boxes or width <= 0 or height <= 0:
        return 0.0
    n = 50
    hit = 0
    for i in range(n):
        y = (i + 0.5) * height / n
        for j in range(n):
            x = (j + 0.5) * width / n
            hit += any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)
    return hit / (n * n)


def page_evidence(page: Any, chars: Sequence[dict[str, Any]] | None = None,
                  settings: TriageSettings = TriageSettings()) -> PageEvidence:
    chars = page.chars if chars is None else chars
    glyphs = [c for c in chars if c["text"].strip()]
    n_cid = sum(1 for c in glyphs if c["text"].startswith("(cid:"))
    fonts = tuple(sorted({base_font_name(f) for f in {c.get("fontname", "") for c in glyphs}}))  # each name once
    images = page.images
    x0, top = float(page.bbox[0]), float(page.bbox[1])
    boxes = [(float(i["x0"]) - x0, float(i["top"]) - top, float(i["x1"]) - x0, float(i["bottom"]) - top)
             for i in images]
    cov = _coverage(boxes, float(page.width), float(page.height))
    curves = sum(1 for c in page.curves if c.get("fill")) if not glyphs else 0
    ink = None
    if not glyphs and images:
        largest = max(images, key=lambda i: (i["x1"] - i["x0"]) * (i["bottom"] - i["top"]))
        ink = image_ink_share(largest.get("stream"))
    leg = detect(glyphs, settings.legacy) if glyphs else _EMPTY
    plain, non_ascii = plain_evidence(glyphs, leg, settings)
    return PageEvidence(len(glyphs), n_cid, fonts, len(images), round(cov, 3), curves, leg,
                        None if ink is None else round(ink, 4), plain, non_ascii)


def plain_evidence(glyphs: Sequence[dict[str, Any]], leg: LegacyDecision,
                   settings: TriageSettings = TriageSettings()) -> tuple[PlainStats | None, float | None]:
    """For a layer the syllable statistics alone would send to OCR: its words judged as plain text
    (``plain_stats``) and the share of its letters outside ASCII; (None, None) otherwise (pure)."""
    if not glyphs or not _unjudged(leg, settings):
        return None, None
    text = page_text(glyphs)
    letters = [ch for ch in text if ch.isalpha()]
    non_ascii = round(sum(not ch.isascii() for ch in letters) / len(letters), 4) if letters else None
    return plain_stats(text), non_ascii


def _pixels(stream: Any) -> Any:
    """Grey pixels of a PDF image XObject, subsampled about 4x; None when the format is not one
    read here (JPEG, or 8-bit grey/RGB raw after Flate and kin; not JBIG2/CCITT/JPX)."""
    import io

    import numpy as np
    from pdfminer.pdftypes import resolve1
    from PIL import Image

    filters = [getattr(f, "name", str(f)) for f, _ in stream.get_filters()]
    data = stream.get_data()  # pdfminer applies every filter but DCT
    if filters and filters[-1] in ("DCTDecode", "DCT"):
        img = Image.open(io.BytesIO(data))
        img.draft("L", (max(1, img.size[0] // 4), max(1, img.size[1] // 4)))
        return np.asarray(img.convert("L"), dtype=np.uint8)
    attrs = stream.attrs
    w = int(resolve1(attrs.get("Width", attrs.get("W", 0))) or 0)
    h = int(resolve1(attrs.get("Height", attrs.get("H", 0))) or 0)
    bpc = int(resolve1(attrs.get("BitsPerComponent", attrs.get("BPC", 8))) or 8)
    cs = resolve1(attrs.get("ColorSpace", attrs.get("CS")))
    comps = {"DeviceGray": 1, "G": 1, "DeviceRGB": 3, "RGB": 3}.get(getattr(cs, "name", cs))
    if bpc != 8 or comps is None or w * h == 0 or len(data) < w * h * comps:
        return None
    a = np.frombuffer(data[: w * h * comps], dtype=np.uint8).reshape(h, w, comps)
    return a.mean(axis=2).astype(np.uint8)[::4, ::4]


def image_ink_share(stream: Any) -> float | None:
    """Share of the image's pixels (5 % margins cut) at least 80 grey levels darker than the paper
    (its 95th percentile); None when the image cannot be decoded here."""
    import numpy as np

    if stream is None:
        return None
    try:
        g = _pixels(stream)
    except Exception:  # noqa: BLE001 - an undecodable image is evidence unknown, not an error
        return None
    if g is None or g.size == 0:
        return None
    h, w = g.shape
    g = g[h // 20: h - h // 20, w // 20: w - w // 20].astype(float)
    if g.size == 0:
        return None
    paper = float(np.percentile(g, 95))
    return float((g < paper - 80).mean())


def _empty_decision() -> LegacyDecision:
    from extractors.vietnamese import SyllableStats

    s = SyllableStats(0, 0)
    return LegacyDecision(None, None, s, s)


_EMPTY = _empty_decision()


# ---- what extraction does with a triaged page (called from extractors/document.py) ------------------
def read_chars(chars: Sequence[dict[str, Any]], tri: Triage) -> list[dict[str, Any]]:
    """The characters to read as text: legacy runs converted to Unicode; none at all for a page
    that needs OCR (its text layer is garbage and must not be published as text)."""
    if tri.needs_ocr:
        return []
    if tri.kind == LEGACY:
        from extractors.legacy import convert_chars

        return convert_chars(chars, tri.evidence.legacy.plan)
    return list(chars)


def page_kind(tri: Triage) -> str:
    """pages.page_kind of a page that yielded no text: what the triage found."""
    return tri.kind if tri.kind in (IMAGE_ONLY, NOT_VIETNAMESE, OUTLINE) else BLANK


def record_triage(page: Any, tri: Triage) -> None:
    """Copy the decision and its evidence onto the PageText (extractors.model)."""
    ev = tri.evidence
    page.text_layer = tri.kind
    page.text_encoding = tri.encoding
    page.triage_reason = tri.reason
    page.valid_syllable_share = None if tri.valid_syllable_share is None else round(tri.valid_syllable_share, 4)
    page.fonts = list(ev.fonts)
    page.image_coverage = ev.image_coverage
    page.n_outline_curves = ev.n_curves
    page.needs_ocr = tri.needs_ocr


def triage_warnings(pages: Sequence[Any]) -> list[str]:
    """One warning per kind of page that was not read as text (pages listed)."""
    out = []
    nums = [p.page for p in pages if getattr(p, "text_layer", None) == IMAGE_ONLY]
    if nums:
        out.append(f"{len(nums)} page(s) without a text layer")
    for kind, what in ((NOT_VIETNAMESE, "with a text layer that is not Vietnamese (garbled OCR, mojibake or "
                        "undecodable glyphs), not read as text"),
                       (OUTLINE, "whose text is drawn as vector outlines, not read as text")):
        nums = [p.page for p in pages if getattr(p, "text_layer", None) == kind]
        if nums:
            out.append(f"{len(nums)} page(s) {what}: {', '.join(map(str, nums))}")
    legacy = [p.page for p in pages if getattr(p, "text_layer", None) == LEGACY]
    if legacy:
        encs = sorted({p.text_encoding for p in pages if getattr(p, "text_layer", None) == LEGACY})
        out.append(f"{len(legacy)} page(s) in legacy encodings ({', '.join(encs)}) converted to Unicode")
    return out
