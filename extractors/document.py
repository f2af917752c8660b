"""One PDF → Document. The only module here that reads files.

Pages are streamed: each page's characters and rulings are read, its tables found, its lines
built, and the page is closed before the next one, so memory does not grow with page count.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from extractors.annotations import annotation_chars, meta_page_lines
from extractors.chars import prepare_chars
from extractors.failures import open_error
from extractors.model import Document, Line, PageText, TableFragment
from extractors.ocr import ocr_pages
from extractors.ocr_image import OcrRun, OcrSettings
from extractors.page_objects import fast_char_objects
from extractors.repair import readable_pdf
from extractors.settings import ExtractionSettings
from extractors.stitch import stitch_fragments
from extractors.structure import classify, extract_meta, find_heading_lines, unread_meta_warnings
from extractors.table_pages import TablePage, find_tables, needs_camelot
from extractors.text import chars_to_lines, inside, repeated_margin_texts, split_furniture
from extractors.triage import (
    needs_ocr,
    page_evidence,
    page_kind,
    read_chars,
    record_triage,
    triage_page,
    triage_warnings,
)
from extractors.version import DEFAULT_MAX_PAGES, PARSER_VERSION  # noqa: F401 - re-exported
from pipeline.core.errors import EncryptedPdf, NotAPdf, PageLimitExceeded
from pipeline.core.vocabulary import BASIS_MARKER

_BASIS_LINE = re.compile(rf"^\(?\s*({BASIS_MARKER})\s*:?\s*\S")
META_PAGES = 6  # pages whose lines the masthead and signature readers get: page 1 and the first signature pages


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
    meta_lines: list[Line] | None = None  # page 1 and signature pages, for the masthead reader
    chars: list | None = None  # the page's prepared characters, only until its tables are found
    edges: list | None = None


def _finish_pages(path: Path, pending: list[_PageResult], settings: ExtractionSettings) -> None:
    """Tables of a batch of read pages (camelot once per flavour for the batch,
    extractors.table_pages), then each page's lines outside its tables; characters released."""
    todo = [r for r in pending if r.chars is not None]
    found = find_tables(path, [TablePage(r.page.page, r.page.height, r.chars, r.edges) for r in todo if r.edges is not None],
                        settings.tables)
    for r in todo:
        chars, r.chars, r.edges = r.chars, None, None
        r.fragments = frags = found.get(r.page.page, [])
        outside = [c for c in chars if not any(inside(c, f.bbox, pad=settings.table_text_pad) for f in frags)]
        r.lines = chars_to_lines(outside, r.page.page, settings)
        r.page.n_words = sum(len(ln.text.split()) for ln in r.lines)
        if frags:
            r.page.kind = "table"


def _read_pages(path: Path, max_pages: int, settings: ExtractionSettings,
                pages: range | None = None) -> list[_PageResult]:
    import pdfplumber

    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # classified: encrypted, corrupt (extractors/failures.py)
        raise open_error(path, exc) from exc
    results: list[_PageResult] = []
    pending: list[_PageResult] = []  # read; the table candidates among them hold their characters until
    # their batch (TableSettings.batch_pages, batch_chars) is read by camelot
    n_meta = 0
    with pdf:
        if getattr(pdf.doc, "encryption", None) and not pdf.pages:
            raise EncryptedPdf(f"{path.name}: encrypted PDF")
        n = len(pdf.pages)
        if n > max_pages:
            raise PageLimitExceeded(f"{path.name}: {n} pages, limit is {max_pages}")
        chosen = pdf.pages if pages is None else pdf.pages[pages.start - 1:pages.stop - 1]
        for page in map(fast_char_objects, chosen):  # same objects as pdfplumber's, built faster
            w, h = float(page.width), float(page.height)
            rotation = int(page.rotation or 0)
            if rotation % 180 == 90:  # pdfplumber gives characters in the displayed (rotated) frame
                w, h = h, w
            n_chars = len(page.chars)
            # ---- page triage (extractors/triage.py): legacy fonts converted, unreadable layers dropped
            tri = triage_page(page_evidence(page, settings=settings.triage), settings.triage)
            own = read_chars(page.chars, tri)
            # the page's text and what its annotations show (e-signature number and date), prepared
            # once: space glyphs, font space widths, duplicates (extractors.text.prepare_chars); the page
            # kind and masthead input stay those of the page's own (triaged) text layer
            chars = prepare_chars(own + annotation_chars(page), settings)
            kind = "text" if own else page_kind(tri)
            pt = PageText(page.page_number, w, h, rotation, "landscape" if w > h else "portrait", kind,
                          n_chars, 0)
            record_triage(pt, tri)
            meta = meta_page_lines(page, own, n_meta < META_PAGES, settings.masthead)
            n_meta += meta is not None
            # tables (only on pages with a text layer of their own) and lines: _finish_pages, by batch
            edges = list(page.edges) if own else None
            pending.append(_PageResult(pt, [], [], meta, chars, edges))
            page.close()  # release the page's parsed objects before the next page
            if edges is None or not needs_camelot(chars, edges, settings.tables):  # finished now, its characters released
                _finish_pages(path, pending[-1:], settings)
            held = [len(r.chars) for r in pending if r.chars is not None]
            if len(held) >= settings.tables.batch_pages or sum(held) >= settings.tables.batch_chars:
                _finish_pages(path, pending, settings)
                results.extend(pending)
                pending = []
        _finish_pages(path, pending, settings)
        results.extend(pending)
    return results


@dataclass
class PagesRead:
    """Pages of a document read (text, tables, OCR), before anything that needs the whole document
    (page furniture, stitching, headings, metadata): what a worker reading a range of pages returns
    (``read_pages``), put together by ``assemble_document``."""

    results: list[_PageResult]
    ocr: OcrRun | None  # the OCR step's seconds and failures (its pages are in ``results``)
    meta_pages: list[int]  # pages whose own text layer gave masthead/signature lines (at most META_PAGES)


def extract_document(path: Path, max_pages: int = DEFAULT_MAX_PAGES, ocr: OcrSettings | bool | None = True,
                     cache_root: Path | str | None = None,
                     settings: ExtractionSettings | dict | None = None) -> Document:
    """``settings``: the tolerances of every reader (``ExtractionSettings``, or a dict of overrides
    by dotted name: ``{"tables.grid_tol": 6}``); ``ocr``: True reads pages without a usable text
    layer by OCR with ``settings.ocr``, an ``OcrSettings`` with those, None/False leaves them unread;
    ``cache_root`` is the data dir whose ``cache/ocr`` keeps OCR results (None: no OCR cache)."""
    settings = ExtractionSettings.resolve(settings)
    return assemble_document(path, [read_pages(path, max_pages, ocr, cache_root, settings)], settings)


def read_pages(path: Path, max_pages: int = DEFAULT_MAX_PAGES, ocr: OcrSettings | bool | None = True,
               cache_root: Path | str | None = None, settings: ExtractionSettings | dict | None = None,
               pages: range | None = None) -> PagesRead:
    """The 1-based ``pages`` of the PDF (all when None) read one at a time and released, their
    unreadable pages OCR'd; arguments as ``extract_document``. Every page is read as in a whole
    run: a page's reading depends on no other page (``assemble_document`` does what needs them all)."""
    settings = ExtractionSettings.resolve(settings)
    ocr = settings.ocr if ocr is True else ocr or None
    path = Path(path)
    check_pdf_bytes(path)
    with readable_pdf(path) as src:  # bytes before %PDF: read from the header (extractors/repair.py)
        results = _read_pages(src, max_pages, settings, pages)
        meta_pages = [r.page.page for r in results if r.meta_lines is not None]
        # ---- pages a person can read but the text layer cannot: OCR (extractors.ocr) -----------
        ocr_run = ocr_pages(src, [r.page.page for r in results if needs_ocr(r.page.kind)], ocr, cache_root) \
            if ocr is not None else None
    for r in results:
        got = ocr_run.pages.get(r.page.page) if ocr_run else None
        if got is not None:
            r.lines, r.fragments = got.lines, got.fragments
            r.meta_lines = list(got.lines)  # the masthead and signature readers read the OCR'd lines
            r.page.is_ocr, r.page.ocr_confidence, r.page.n_words = True, got.confidence, got.n_words
        elif ocr_run and r.page.page in ocr_run.failed:  # left unread: the reason goes with the page
            r.page.triage_reason = f"{r.page.triage_reason}; not read by OCR: {ocr_run.failed[r.page.page]}"
    if ocr_run:
        ocr_run.pages = {}  # merged into the results above
    return PagesRead(results, ocr_run, meta_pages)


def assemble_document(path: Path, parts: list[PagesRead], settings: ExtractionSettings) -> Document:
    """The ``Document`` of the pages read (``read_pages``), in ranges in page order: what needs the
    whole document (page furniture repeated across pages, tables stitched over page breaks,
    headings, metadata) is done here, so the result is the same however the pages were split."""
    path = Path(path)
    sha = sha256_file(path)
    results = [r for part in parts for r in part.results]
    # each range kept the masthead/signature lines of its own first META_PAGES pages that have
    # them; the document keeps those of its first META_PAGES (OCR'd pages keep their OCR'd lines)
    read_meta = sorted(p for part in parts for p in part.meta_pages)
    for r in results:
        if r.page.page in read_meta[META_PAGES:] and not r.page.is_ocr:
            r.meta_lines = None
    runs = [part.ocr for part in parts if part.ocr is not None]
    ocr_run = OcrRun(seconds=round(sum(o.seconds for o in runs), 3),
                     failed={p: why for o in runs for p, why in o.failed.items()}) if runs else None
    repeated = repeated_margin_texts([(r.page.height, r.lines) for r in results], settings=settings)
    body_lines: list[Line] = []
    items: list[tuple[int, float, str, object]] = []  # (page, top, kind, obj) in reading order
    for r in results:
        header, body, footer = split_furniture(r.lines, r.page.height, repeated, settings)
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
    body_size = statistics.median(ln.size for ln in body_lines) if body_lines else 0.0
    tables = stitch_fragments(items, body_size, settings.tables)

    # ---- structure: headings, and the heading path and basis of each table -----------------
    headings = classify(find_heading_lines(body_lines, settings), settings)
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
    meta = extract_meta(results[0].lines if results else [], all_text,
                        results[0].meta_lines if results else None,
                        [r.meta_lines for r in results if r.meta_lines],
                        results[0].page.width if results else None, settings.masthead)
    pages = [r.page for r in results]
    n_ocr = sum(p.is_ocr for p in pages)
    warnings = triage_warnings([p for p in pages if not p.is_ocr]) + unread_meta_warnings(meta)
    if n_ocr:
        warnings.append(f"{n_ocr} page(s) read by OCR from their image")
    warnings += ocr_run.warnings() if ocr_run else []  # pages OCR could not read, and why
    return Document(sha, path.name, path.stat().st_size, len(results), meta, pages, headings,
                    tables, warnings=warnings, ocr_seconds=ocr_run.seconds if ocr_run else 0.0,
                    settings=settings.overrides())
