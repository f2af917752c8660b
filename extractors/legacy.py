"""Legacy Vietnamese encodings (TCVN3/ABC, VNI, VIQR) → Unicode NFC, span by span.

Before Unicode, Vietnamese documents were typed in 8-bit fonts that draw Vietnamese letters at the
places of Latin-1 letters: a PDF made from them carries the font's bytes, and its text layer
reads "ng©n hµng nhµ n−íc" for "ngân hàng nhà nước". No general PDF tool undoes this (pdfminer
maps the bytes through the WinAnsi encoding the fonts declare), so this module does, with the
conversion tables kept as data in ``schemas/encodings/`` (read by ``extractors.encodings``).

A span is converted when its font declares a legacy encoding by name (``.VnTime``, ``VnTimeH``,
``VNI-Times``; subset prefixes "ABCDEF+" stripped, case-insensitive) and the conversion makes the
text read better as Vietnamese (share of valid syllables, ``extractors.vietnamese``): a font with
a legacy name that already holds Unicode is left alone. A page whose fonts declare nothing is
converted when its text is not Vietnamese and a conversion makes it so (statistics alone; VIQR is
only ever detected this way, and only where the converted text is clearly Vietnamese).

Pure functions over pdfplumber's character dicts; the tables are read once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from extractors.encodings import (  # noqa: F401 - re-exported: the conversion API lives here too
    ENCODINGS,
    VIQR_WORD,
    Codec,
    codec,
    decode,
    encode,
    segments,
    viqr_segments,
)
from extractors.reader_settings import LegacySettings
from extractors.vietnamese import SyllableStats, is_valid_syllable, syllable_stats

Char = dict[str, Any]

_SUBSET = re.compile(r"^[A-Z]{6}\+")
_STYLE = re.compile(r"(?:[,\-\s]?(?:Bold|Italic|Oblique|Regular|Roman|Normal|BoldItalic|PS|MT))+$", re.I)
_TCVN3_NAME = re.compile(r"^\.?vn(?!i[-_\s])[a-z]", re.I)
_VNI_NAME = re.compile(r"^vni[-_\s]?[a-z]", re.I)


# ---- font names ----------------------------------------------------------------------------------
def base_font_name(fontname: str) -> str:
    """Font name without the subset prefix ("AARIQC+.VnTime,Bold" → ".VnTime,Bold")."""
    return _SUBSET.sub("", fontname or "")


def declared_encoding(fontname: str) -> str | None:
    """The legacy encoding a font declares by its name, or None."""
    name = base_font_name(fontname)
    if _VNI_NAME.match(name):
        return "vni"
    if _TCVN3_NAME.match(name):
        return "tcvn3"
    return None


def is_capitals_font(fontname: str) -> bool:
    """TCVN3 capitals-only fonts: the family name ends in H (.VnTimeH, .VnArialH,Bold, VnTimeHBold)."""
    name = base_font_name(fontname).split(",")[0]
    family = _STYLE.sub("", name)
    return declared_encoding(name) == "tcvn3" and family.endswith("H")


# ---- characters of a page --------------------------------------------------------------------------
def page_text(chars: Sequence[Char]) -> str:
    """The text the rest of extraction would read from these characters (lines, spaces from
    gaps: ``extractors.text``), for judging it."""
    from extractors.text import chars_to_text

    return chars_to_text(chars)


def _merge(group: Sequence[Char], text: str) -> Char:
    c = dict(group[0])
    c["text"] = text
    if len(group) > 1:
        c["x1"] = max(g["x1"] for g in group)
        c["top"] = min(g["top"] for g in group)
        c["bottom"] = max(g["bottom"] for g in group)
        c["width"] = c["x1"] - c["x0"]
        c["height"] = c["bottom"] - c["top"]
    return c


def convert_run(chars: Sequence[Char], encoding: str, capitals: bool = False) -> list[Char]:
    """Convert one run of characters (one font) keeping geometry: a multi-character legacy
    sequence (VNI base + mark, VIQR letter + marks) becomes one character spanning them."""
    # a pdfplumber char may hold several code points (ligatures): index code points to chars
    owner: list[int] = []
    for k, c in enumerate(chars):
        owner.extend([k] * len(c["text"]))
    text = "".join(c["text"] for c in chars)
    segs = viqr_segments(text) if encoding == "viqr" else segments(text, codec(encoding), capitals)
    out: list[Char] = []
    for a, b, u in segs:
        ks = sorted(set(owner[a:b]))
        if out and ks[0] == out[-1].get("_src"):  # same source char as the previous piece
            out[-1]["text"] += u
            continue
        c = _merge([chars[k] for k in ks], u)
        c["_src"] = ks[-1]
        out.append(c)
    for c in out:
        c.pop("_src", None)
        c["text"] = unicodedata.normalize("NFC", c["text"])
    return out


def font_runs(chars: Sequence[Char]) -> list[list[Char]]:
    runs: list[list[Char]] = []
    for c in chars:
        if runs and runs[-1][0].get("fontname") == c.get("fontname"):
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


def convert_chars(chars: Sequence[Char], plan: dict[str, str]) -> list[Char]:
    """Convert every run whose font is in ``plan`` (font name → encoding); others stay."""
    out: list[Char] = []
    for run in font_runs(chars):
        fn = run[0].get("fontname", "")
        enc = plan.get(fn)
        out.extend(convert_run(run, enc, enc == "tcvn3" and is_capitals_font(fn)) if enc else run)
    return close_syllable_gaps(out, set(plan)) if plan else out


def _letters(c: Char) -> str:
    return unicodedata.normalize("NFC", c["text"])


def _has_vowel(text: str) -> bool:
    return any(ch in "aeiouy" for ch in unicodedata.normalize("NFD", text.lower()))


def _starts_with_vowel(text: str) -> bool:
    return bool(text) and _has_vowel(unicodedata.normalize("NFD", text)[0])


def close_syllable_gaps(chars: list[Char], fonts: set[str]) -> list[Char]:
    """Legacy fonts draw some toned vowels from an origin set apart from the letter before them,
    so the text layer shows a gap inside a word that the printed page does not ("ch ỉ", "v ùng",
    "l ý"), or even puts the vowel before the consonant ("ýl"): pdfminer places characters by
    their origin and advance, not their ink. No Vietnamese word is
    made of consonants alone, so where a consonant-only fragment is followed, with no space
    character between, by a fragment starting with a vowel, and the two make one valid syllable,
    the gap is closed (the vowel moved to start at the consonant's x1; a vowel placed before its
    consonant is moved just after the consonant's start). Only characters of ``fonts``."""
    n = len(chars)
    out = [dict(c) for c in chars]
    for i in range(1, n):
        c, p = out[i], out[i - 1]
        if c.get("fontname") not in fonts or p.get("fontname") not in fonts:
            continue
        size = float(c.get("size") or 0) or 1.0
        gap = c["x0"] - p["x1"]
        inverted = c["x0"] < p["x0"] and gap > -1.0 * size  # drawn after p, placed before it
        if not (0.05 * size < gap < 0.6 * size or inverted) or abs(c["top"] - p["top"]) > 0.3 * size:
            continue  # no gap (an overlap in order is how these fonts print), or too far to be one word
        if not _starts_with_vowel(_letters(c)) or not _letters(p).isalpha():
            continue
        # the fragment before: contiguous letters ending at p
        k = i - 1
        while k > 0 and _letters(out[k - 1]).isalpha() and out[k]["x0"] - out[k - 1]["x1"] < 0.05 * size \
                and abs(out[k]["top"] - out[k - 1]["top"]) < 0.3 * size:
            k -= 1
        before = "".join(_letters(x) for x in out[k:i])
        if _has_vowel(before):
            continue
        j = i + 1
        while j < n and _letters(out[j]).isalpha() and out[j]["x0"] - out[j - 1]["x1"] < 0.05 * size \
                and abs(out[j]["top"] - out[j - 1]["top"]) < 0.3 * size:
            j += 1
        after = "".join(_letters(x) for x in out[i:j])
        if is_valid_syllable(before + after):
            if inverted:  # keep its right edge (the gap to the next word), put it after p
                c["x0"] = p["x0"] + 0.01 * size
                c["x1"] = max(c["x1"], c["x0"] + 0.01 * size)
            else:
                c["x0"] = p["x1"]
            c["width"] = c["x1"] - c["x0"]
    return out


# ---- decision -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LegacyDecision:
    encoding: str | None  # tcvn3 | vni | viqr | None (Unicode or nothing to convert)
    source: str | None  # "font name" | "statistics"
    before: SyllableStats
    after: SyllableStats
    plan: dict[str, str] = field(default_factory=dict)  # font name → encoding to convert
    kept: tuple[str, ...] = ()  # fonts declaring a legacy name but left alone (Unicode inside)

    def describe(self) -> str:
        b, a = self.before.share, self.after.share

        def fmt(s: float | None) -> str:
            return "n/a" if s is None else f"{s:.2f}"

        if self.encoding:
            return (f"{self.encoding} by {self.source}: valid syllables {fmt(b)} as read, {fmt(a)} "
                    f"converted ({self.after.n_tokens} words)")
        if self.kept:
            return (f"fonts {', '.join(self.kept)} declare a legacy encoding but hold Unicode "
                    f"(valid syllables {fmt(b)} as read, {fmt(a)} converted)")
        return ""


def _share(s: SyllableStats) -> float:
    return s.share if s.share is not None else 0.0


def _viqr_marked(text: str) -> float:
    words = VIQR_WORD.findall(text)
    if not words:
        return 0.0
    marked = sum(1 for w in words if re.search(r"[a-zA-Z][(^+'`?~][a-zA-Z'`?~.]?|dd", w.rstrip(".?")))
    return marked / len(words)


def detect(chars: Sequence[Char], settings: LegacySettings = LegacySettings()) -> LegacyDecision:
    """Decide which runs of a page to convert, with the evidence (pure)."""
    raw = page_text(chars)
    before = syllable_stats(raw)
    fonts = dict.fromkeys(c.get("fontname", "") for c in chars)
    declared = {fn: e for fn in fonts if (e := declared_encoding(fn))}
    if declared:
        plan: dict[str, str] = {}
        kept: list[str] = []
        for enc in dict.fromkeys(declared.values()):
            group = {fn for fn, e in declared.items() if e == enc}
            sub = [c for c in chars if c.get("fontname") in group]
            b = syllable_stats(page_text(sub))
            a = syllable_stats(page_text(convert_chars(sub, {fn: enc for fn in group})))
            if b.share is not None and a.share is not None and b.share > a.share:
                kept.extend(sorted({base_font_name(fn) for fn in group}))
            else:
                plan.update({fn: enc for fn in group})
        after = syllable_stats(page_text(convert_chars(chars, plan))) if plan else before
        encs = sorted(set(plan.values()))
        return LegacyDecision("+".join(encs) if encs else None, "font name" if plan else None,
                              before, after, plan, tuple(kept))
    # no font declares anything: statistics alone, only when the page does not read as Vietnamese
    if before.n_tokens < settings.min_tokens or _share(before) >= settings.min_share:
        return LegacyDecision(None, None, before, before)
    best: LegacyDecision | None = None
    candidates = ["tcvn3", "vni"] + (["viqr"] if _viqr_marked(raw) >= settings.viqr_min_marked else [])
    for enc in candidates:
        plan = {fn: enc for fn in fonts}
        a = syllable_stats(page_text(convert_chars(chars, plan)))
        if a.n_tokens >= settings.min_tokens and _share(a) >= settings.min_share \
                and _share(a) - _share(before) >= settings.min_gain \
                and (best is None or _share(a) > _share(best.after)):
            best = LegacyDecision(enc, "statistics", before, a, plan)
    return best or LegacyDecision(None, None, before, before)
