"""A large document read in page ranges by several worker processes at once.

One document is one worker process (``pipeline.runs.isolate``): a run of one long document would
use one core while the others wait. When the run has cores to spare for a document
(``range_workers`` > 1: ``plan.ocr_workers``, the cores divided by the documents in flight) and
the document has at least ``RangeSettings.min_pages`` pages, its pages are cut into ranges of
``RangeSettings.range_pages``; each range is read by its own worker under the run's limits
(``extractors.document.read_pages``: text, tables, OCR of those pages only), up to
``range_workers`` at a time; then one more worker puts the ranges together
(``extractors.document.assemble_document``: page furniture, tables stitched over page breaks,
including the breaks between ranges, headings, metadata) and computes the records. A page is
read the same way whichever range holds it, so the published rows are those of a one-process run.

Splitting costs a worker start per range and one open of the PDF per range and camelot batch;
on a short document that costs more than a second core saves, hence ``min_pages``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RangeSettings:
    """When and how a large document is read in page ranges by several processes (not part of
    the extraction settings: the rows published are the same whether a document is split or not,
    so these change no cache key)."""

    range_pages: int = 50
    """pages: the pages one worker reads at once. Small enough that the ranges share the cores
    evenly (a 1,000-page document makes 20 ranges) and that a worker holds only a few dozen
    pages' results; large enough that opening the PDF again (pdfplumber and camelot index every
    page of the file on open: about 1 s on a 1,000-page PDF) stays a small part of a range."""
    min_pages: int = 100
    """pages: a document with fewer pages is read in one process (measured on the scaled corpus:
    a range worker costs about 1-2 s of start-up and opening, under 1 % of 100 pages at ~0.3 s a
    page)."""

    def __post_init__(self) -> None:
        for name in ("range_pages", "min_pages"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"RangeSettings.{name} must be at least 1, got {getattr(self, name)}")

    def splits(self, pages: int | None, workers: int) -> bool:
        """Whether a document of ``pages`` pages is read in ranges with ``workers`` processes."""
        return workers > 1 and pages is not None and pages >= self.min_pages and pages > self.range_pages

    def spans(self, pages: int) -> list[range]:
        """The 1-based page ranges of a document of ``pages`` pages, in page order."""
        return [range(a, min(a + self.range_pages, pages + 1)) for a in range(1, pages + 1, self.range_pages)]


DEFAULT_RANGES = RangeSettings()
