"""One document's datasets: extraction, domain records and legal references computed from its
PDF, in a worker process under the run's limits (``pipeline.runs.isolate``), with the cache key
of the code and settings that compute them. ``pipeline.runs.run`` calls these per entry."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors.version import DEFAULT_MAX_PAGES, PARSER_VERSION
from pipeline.core import fingerprint
from pipeline.core.errors import TooLarge
from pipeline.runs import isolate
from pipeline.runs.isolate import DEFAULT_LIMITS, ExtractionLimits

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
    import pandas as pd

    from extractors.document import extract_document
    from extractors.settings import ExtractionSettings
    from pipeline.records.amendments import legal_frames
    from pipeline.records.datasets import document_frames
    from pipeline.records.domain import domain_frames

    t0 = time.perf_counter()
    resolved = ExtractionSettings.resolve(dict(settings) if settings else None)
    ocr = replace(resolved.ocr, workers=ocr_workers) if ocr_workers else True
    doc = extract_document(path, max_pages=max_pages, cache_root=data_dir, ocr=ocr, settings=resolved)
    t1 = time.perf_counter()
    frames = document_frames(doc, source)
    frames.update(domain_frames(doc))
    for name, df in legal_frames(doc).items():  # quality_checks come from both: rows of each
        frames[name] = pd.concat([frames[name], df], ignore_index=True) if name in frames else df
    if seconds is not None:
        seconds.update(extract=t1 - t0, records=time.perf_counter() - t1)
    return frames


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
                      settings: Mapping[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """``document_datasets`` in a worker process under ``limits`` (``pipeline.runs.isolate``): a
    hang, a memory blow-up or a crashed native library ends this document with a classified error."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise TooLarge(f"{path.name}: {size} bytes, the limit is {limits.max_bytes} (ExtractionLimits.max_bytes)")
    isolate.warm()
    frames, took = isolate.call(timed_datasets, path, source, min(max_pages, limits.max_pages), data_dir,
                                ocr_workers, settings, limits=limits, count_pages=partial(_page_count, path))
    if seconds is not None:
        seconds.update(took)
    return frames
