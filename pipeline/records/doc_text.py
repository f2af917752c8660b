"""The text of a ``Document`` as the language pipeline reads it: the body lines joined (with the
page of each offset), the table cells worth reading, sentence bounds around a match, and the
entity spans spaCy marked. Shared by ``references``, ``people`` and ``amendments``."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from extractors.model import Document
from pipeline.core.provisions import ARTICLE
from pipeline.core.text import nfc

__all__ = ["BodyText", "Entity", "body_text", "cell_texts", "entities", "sentence_bounds", "squash"]


def squash(s: str) -> str:
    return " ".join(nfc(s).split())


_BOUNDARY_BACK = re.compile(rf"(?:[.;!?](?=\s)|\n(?=\s*(?:\(|Số\b|[-–+•]\s|\d+(?:\.\d+)*\.?\s|{ARTICLE}\s+\d|[IVX]+\.\s|Căn cứ)))")


_BOUNDARY_FWD = re.compile(rf"(?:[.;!?](?=\s|$)|\n(?=\s*(?:\(|Số\b|[-–+•]\s|\d+(?:\.\d+)*\.?\s|{ARTICLE}\s+\d|[IVX]+\.\s|Căn cứ)))")


_MAX_CONTEXT = 600


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence around [start, end): the nearest '.', ';' or list-item line break
    before and after (a '.' inside 'TP. Hà Nội' may cut a sentence short; capped in length)."""
    lo = max(0, start - _MAX_CONTEXT)
    a = lo
    for m in _BOUNDARY_BACK.finditer(text, lo, start):
        a = m.end()
    m2 = _BOUNDARY_FWD.search(text, end, min(len(text), end + _MAX_CONTEXT))
    b = m2.end() if m2 else min(len(text), end + _MAX_CONTEXT)
    return a, b


@dataclass(frozen=True)
class Entity:
    label: str
    kind: str  # the pattern id (canonical type for DOC_TYPE)
    start: int  # token index
    end: int
    cstart: int
    cend: int
    text: str


def entities(doc: Any) -> list[Entity]:
    return [Entity(e.label_, e.ent_id_, e.start, e.end, e.start_char, e.end_char, e.text) for e in doc.ents]


@dataclass(frozen=True)
class BodyText:
    """The body lines of a document joined with newlines, and where each line starts."""

    text: str
    starts: list[int]  # char offset of each line
    pages: list[int]  # page of each line
    tops: list[float]  # top of each line's bbox

    def page_at(self, offset: int) -> int | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.pages[i] if 0 <= i < len(self.pages) else None


def body_text(doc: Document) -> BodyText:
    parts: list[str] = []
    starts, pages, tops = [], [], []
    pos = 0
    for p in doc.pages:
        for ln in p.lines:
            t = nfc(ln.text)
            starts.append(pos)
            pages.append(p.page)
            tops.append(ln.bbox[1])
            parts.append(t)
            pos += len(t) + 1
    return BodyText("\n".join(parts), starts, pages, tops)


_PREFILTER = re.compile(r"\d|[Bb]à\s|[Ôô]ng\s")


def cell_texts(doc: Document) -> list[tuple[Any, str]]:
    out = []
    for t in doc.tables:
        for c in sorted(t.cells, key=lambda c: (c.row, c.col)):
            if c.text and _PREFILTER.search(c.text):
                out.append(((t.index, c.row, c.col, c.page), nfc(c.text)))
    return out
