"""One document's datasets: extraction, domain records and legal references computed from its
PDF, in a worker process under the run's limits (``pipeline.runs.isolate``), with the cache key
of the code and settings that compute them. ``pipeline.runs.run`` calls these per entry."""

from __future__ import annotations

import hashlib
import pickle
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors.version import DEFAULT_MAX_PAGES, PARSER_VERSION
from pipeline.core import fingerprint
from pipeline.core.errors import TooLarge
from pipeline.runs import isolate
from pipeline.runs.isolate import DEFAULT_LIMITS, ExtractionLimits
from pipeline.runs.ranges import DEFAULT_RANGES, RangeSettings

if TYPE_CHECKING:
    import pandas as pd


def cache_key(settings: Mapping[str, Any] | None = None) -> str:
    """The cache key of this code: the human parser label and the code fingerprint, and the
    extraction settings overridden (none: the key of the defaults), so other settings → other frames."""
    from extractors.settings import ExtractionSettings  # light, but only a settings override needs it

    key = f"{PARSER_VERSION}-{fingerprint.code_fingerprint()}"
    changed = ExtractionSettings.from_mapping(settings).key() if settings else "{}"
    return key if changed == "{}" else f"{key}-settings-{hashlib.sha256(changed.encode()).hexdigest()[:16]}"


def document_datasets(path: Path, source: str, max_pages: int = DEFAULT_MAX_PAGES,
                      data_dir: Path | str | None = None, ocr_workers: int | None = None,
                      seconds: dict[str, float] | None = None,
                      settings: Mapping[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """Every dataset's rows for one PDF: extraction, domain records, legal references. OCR'd
    pages are cached under ``data_dir`` (when given); ``ocr_workers``: OCR processes this
    document may start (default ``OcrSettings.workers``); ``settings``: extraction settings
    overridden by dotted name (``extractors.settings``). ``seconds`` receives the seconds of
    ``extract`` (PDF → Document) and ``records`` (Document → frames)."""
    # imported here, not at the top: a run that has nothing to extract does not load the PDF
    # libraries, pandas or the spaCy pipeline
    from extractors.document import extract_document

    t0 = time.perf_counter()
    resolved = _resolved(settings)
    doc = extract_document(path, max_pages=max_pages, cache_root=data_dir, ocr=_ocr(resolved, ocr_workers),
                           settings=resolved)
    t1 = time.perf_counter()
    frames = records_frames(doc, source)
    if seconds is not None:
        seconds.update(extract=t1 - t0, records=time.perf_counter() - t1)
    return frames


def _resolved(settings: Mapping[str, Any] | None) -> Any:  # noqa: ANN401 - ExtractionSettings, imported lazily
    from extractors.settings import ExtractionSettings

    return ExtractionSettings.resolve(dict(settings) if settings else None)


def _ocr(resolved: Any, ocr_workers: int | None) -> Any:  # noqa: ANN401 - OcrSettings | True
    """The OCR settings of a worker that may start ``ocr_workers`` OCR processes (None: the settings')."""
    return replace(resolved.ocr, workers=ocr_workers) if ocr_workers else True


def records_frames(doc: Any, source: str) -> dict[str, pd.DataFrame]:  # noqa: ANN401 - extractors.model.Document
    """A ``Document``'s frames: extraction datasets, domain records, legal references."""
    import pandas as pd

    from pipeline.records.amendments import legal_frames
    from pipeline.records.datasets import document_frames
    from pipeline.records.domain import domain_frames

    frames = document_frames(doc, source)
    frames.update(domain_frames(doc))
    for name, df in legal_frames(doc).items():  # quality_checks come from both: rows of each
        frames[name] = pd.concat([frames[name], df], ignore_index=True) if name in frames else df
    return frames


def read_range(out: Path, path: Path, max_pages: int, ocr: Any, data_dir: Path | str | None,  # noqa: ANN401
               settings: Any, span: range) -> Path:  # noqa: ANN401 - OcrSettings, ExtractionSettings
    """``extractors.document.read_pages`` of the pages ``span``, pickled into the file ``out`` (what a
    range worker does): the run process never holds the pages of a long document, only file names."""
    from extractors.document import read_pages

    with open(out, "wb") as f:
        pickle.dump(read_pages(path, max_pages, ocr, data_dir, settings, span), f, protocol=pickle.HIGHEST_PROTOCOL)
    return out


def assembled_datasets(path: Path, source: str, files: list[Path], settings: Mapping[str, Any] | None,
                       ) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """The frames of a document read in ranges (``files``: ``read_range``'s, in page order) and the
    seconds of putting them together (``extract``) and of the records (``records``): what the
    worker that assembles a ranged document sends back."""
    from extractors.document import assemble_document

    t0 = time.perf_counter()
    parts = []
    for name in files:  # written by this run's own range workers
        with open(name, "rb") as f:
            parts.append(pickle.load(f))  # noqa: S301
    doc = assemble_document(path, parts, _resolved(settings))
    del parts  # the pages are in the Document now
    t1 = time.perf_counter()
    frames = records_frames(doc, source)
    return frames, {"extract": t1 - t0, "records": time.perf_counter() - t1}


def timed_datasets(path: Path, source: str, max_pages: int, data_dir: Path | str | None,
                   ocr_workers: int | None, settings: Mapping[str, Any] | None = None,
                   ) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """``document_datasets`` and its ``seconds`` (what a worker process sends back)."""
    seconds: dict[str, float] = {}
    return document_datasets(path, source, max_pages, data_dir, ocr_workers, seconds, settings), seconds


def _page_count(path: Path) -> int | None:
    """The page count the document declares (pdfium: fast), for the time limit; None if unreadable."""
    try:
        import pypdfium2

        with open(path, "rb") as f:
            doc = pypdfium2.PdfDocument(f.read())
        try:
            return len(doc)
        finally:
            doc.close()
    except Exception:
        return None


def isolated_datasets(path: Path, source: str, max_pages: int = DEFAULT_MAX_PAGES,
                      limits: ExtractionLimits = DEFAULT_LIMITS,
                      data_dir: Path | str | None = None, ocr_workers: int | None = None,
                      seconds: dict[str, float] | None = None,
                      settings: Mapping[str, Any] | None = None, range_workers: int = 1,
                      ranges: RangeSettings = DEFAULT_RANGES) -> dict[str, pd.DataFrame]:
    """``document_datasets`` in a worker process under ``limits`` (``pipeline.runs.isolate``): a
    hang, a memory blow-up or a crashed native library ends this document with a classified error.
    ``range_workers`` > 1: a long document (``ranges``) is read in page ranges by that many workers
    at once (``ranged_datasets``)."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise TooLarge(f"{path.name}: {size} bytes, the limit is {limits.max_bytes} (ExtractionLimits.max_bytes)")
    isolate.warm()
    if range_workers > 1:
        # counted in a worker too: pdfium on an unknown file may crash, and must not crash the run
        pages = isolate.call(_page_count, path, limits=limits)
        if ranges.splits(pages, range_workers):
            return ranged_datasets(path, source, pages, min(max_pages, limits.max_pages), limits, data_dir,
                                   ocr_workers, seconds, settings, range_workers, ranges)
    frames, took = isolate.call(timed_datasets, path, source, min(max_pages, limits.max_pages), data_dir,
                                ocr_workers, settings, limits=limits, count_pages=partial(_page_count, path))
    if seconds is not None:
        seconds.update(took)
    return frames


def ranged_datasets(path: Path, source: str, pages: int, max_pages: int, limits: ExtractionLimits,
                    data_dir: Path | str | None, ocr_workers: int | None, seconds: dict[str, float] | None,
                    settings: Mapping[str, Any] | None, range_workers: int,
                    ranges: RangeSettings = DEFAULT_RANGES) -> dict[str, pd.DataFrame]:
    """``isolated_datasets`` of a document of ``pages`` pages read in ranges (``pipeline.runs.ranges``):
    each range by ``extractors.document.read_pages`` in its own worker under ``limits`` (its time
    limit set by its own pages), up to ``range_workers`` at once, each starting up to
    ``ocr_workers // range_workers`` OCR processes; then one worker assembles the document and
    computes its frames. The first range that fails fails the document, as in one worker."""
    resolved = _resolved(settings)
    ocr = _ocr(resolved, max(1, (ocr_workers or resolved.ocr.workers) // range_workers))
    spans = ranges.spans(pages)
    with tempfile.TemporaryDirectory(prefix="decree-ranges-") as tmp:

        def one(span: range) -> Path:
            out = Path(tmp) / f"pages-{span.start:06d}.pickle"
            return isolate.call(read_range, out, path, max_pages, ocr, data_dir, resolved, span, limits=limits,
                                count_pages=partial(len, span))

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=min(range_workers, len(spans))) as pool:
            files = list(pool.map(one, spans))
        t_read = time.perf_counter() - t0
        frames, took = isolate.call(assembled_datasets, path, source, files, settings, limits=limits,
                                    count_pages=partial(len, range(pages)))
    if seconds is not None:
        seconds.update(took, extract=t_read + took["extract"])
    return frames
