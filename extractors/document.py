"""One PDF → Document. The only module here that reads files.

Pages are streamed: each page's characters and rulings are read, its tables found, its lines
built, and the page is closed before the next one, so memory does not grow with page count.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from extractors.failures import open_error
from extractors.model import Document, Line, PageText, Table, TableFragment
from extractors.stitch import append_fragment, continues, finish, new_table
from extractors.structure import classify, extract_meta, find_heading_lines
from extractors.tables import find_page_tables
from extractors.text import chars_to_lines, inside, repeated_margin_texts, split_furniture
from pipeline.core.errors import EncryptedPdf, NotAPdf, PageLimitExceeded
from pipeline.core.vocabulary import BASIS_MARKER

PARSER_VERSION = "extract-1"
DEFAULT_MAX_PAGES = 2000
_BASIS_LINE = re.compile(rf"^\(?\s*({BASIS_MARKER})\s*:?\s*\S")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_pdf_bytes(path: Path) -> None:
    with open(path, "rb") as f:
        head = f.read(1024)
    if b"%PDF-" not in head:
        raise NotAPdf(f"{path.name}: not a PDF (starts with {head[:16]!r})")


@dataclass
class _PageResult:
    page: PageText
    lines: list[Line]
    fragments: list[TableFragment]


def _read_pages(path: Path, max_pages: int) -> list[_PageResult]:
    import pdfplumber

    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # classified: encrypted, corrupt (extractors/failures.py)
        raise open_error(path, exc) from exc
    results: list[_PageResult] = []
    with pdf:
        if getattr(pdf.doc, "encryption", None) and not pdf.pages:
            raise EncryptedPdf(f"{path.name}: encrypted PDF")
        n = len(pdf.pages)
        if n > max_pages:
            raise PageLimitExceeded(f"{path.name}: {n} pages, limit is {max_pages}")
        for page in pdf.pages:
            w, h = float(page.width), float(page.height)
            rotation = int(page.rotation or 0)
            if rotation % 180 == 90:  # pdfplumber gives characters in the displayed (rotated) frame
                w, h = h, w
            chars = page.chars
            frags = find_page_tables(path, page.page_number, h, chars, page.edges) if chars else []
            outside = [c for c in chars if not any(inside(c, f.bbox, pad=1.0) for f in frags)]
            lines = chars_to_lines(outside, page.page_number)
            n_images = len(page.images)
            kind = "table" if frags else "text" if chars else ("image_only" if n_images else "blank")
            pt = PageText(page.page_number, w, h, rotation, "landscape" if w > h else "portrait", kind,
                          len(chars), sum(len(ln.text.split()) for ln in lines))
            results.append(_PageResult(pt, lines, frags))
            page.close()  # release the page's parsed objects before the next page
    return results


def extract_document(path: Path, max_pages: int = DEFAULT_MAX_PAGES) -> Document:
    path = Path(path)
    check_pdf_bytes(path)
    sha = sha256_file(path)
    results = _read_pages(path, max_pages)
    repeated = repeated_margin_texts([(r.page.height, r.lines) for r in results])
    body_lines: list[Line] = []
    items: list[tuple[int, float, str, object]] = []  # (page, top, kind, obj) in reading order
    for r in results:
        header, body, footer = split_furniture(r.lines, r.page.height, repeated)
        r.page.header = " ".join(ln.text for ln in header) or None
        r.page.footer = " ".join(ln.text for ln in footer) or None
        label = next((ln.text for ln in header + footer if re.search(r"\d", ln.text)), None)
        r.page.page_label = label
        r.page.lines = body
        body_lines.extend(body)
        for ln in body:
            items.append((r.page.page, ln.bbox[1], "line", ln))
        for f in r.fragments:
            items.append((r.page.page, f.bbox[1], "frag", f))
    items.sort(key=lambda it: (it[0], it[1]))

    # ---- stitch fragments into logical tables -------------------------------------------
    tables: list[Table] = []
    current: Table | None = None
    last_kind = None
    last_page = 0
    for page, _top, kind, obj in items:
        first_on_page = page != last_page
        if kind == "frag":
            frag = obj  # type: ignore[assignment]
            assert isinstance(frag, TableFragment)
            if (current is not None and last_kind == "frag" and first_on_page
                    and continues(current, frag)):
                append_fragment(current, frag)
            else:
                current = new_table(len(tables), frag)
                tables.append(current)
        last_kind, last_page = kind, page
    tables = [finish(t) for t in tables]

    # ---- structure: headings, and the heading path and basis of each table -----------------
    headings = classify(find_heading_lines(body_lines))
    head_at = {(h.page, h.bbox[1], h.text[:20]): h for h in headings}
    del head_at
    heading_pos = [(h.page, h.bbox[1], h) for h in headings]
    for t in tables:
        f0 = t.fragments[0]
        before = [h for p, top, h in heading_pos if (p, top) < (f0.page, f0.bbox[1])]
        if before:
            h = before[-1]
            t.heading_ref, t.heading_path = h.index, list(h.path)
            hpos = (h.page, h.bbox[1])
            basis = h.basis_raw
            for p, top, kind, obj in items:
                if kind == "line" and hpos < (p, top) < (f0.page, f0.bbox[1]) and isinstance(obj, Line) \
                        and _BASIS_LINE.match(obj.text):
                    basis = obj.text.strip()
            if basis is None:
                m = re.search(r"\((?:tính cho|Tính cho)\s*:?\s*[^)]*\)", h.text)
                basis = m.group(0).strip("()") if m else None
            t.basis_raw = basis
    all_text = "\n".join(ln.text for ln in body_lines)
    meta = extract_meta(results[0].lines if results else [], all_text)
    image_pages = sum(r.page.kind == "image_only" for r in results)
    return Document(sha, path.name, path.stat().st_size, len(results), meta, [r.page for r in results], headings,
                    tables, warnings=[f"{image_pages} page(s) without a text layer"] if image_pages else [])
