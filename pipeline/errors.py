"""The error taxonomy. Library code raises these; flows record them as rejects and the CLI
turns them into one clear line and an exit code. Each has a stable ``code``."""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every classified pipeline error."""

    code = "PipelineError"
    stage = "extract"


class NotAPdf(PipelineError):
    """The bytes are not a PDF (no %PDF- header), e.g. an HTML error page."""

    code = "NotAPdf"
    stage = "read"


class EncryptedPdf(PipelineError):
    """The PDF is encrypted and cannot be read without a password."""

    code = "EncryptedPdf"
    stage = "read"


class CorruptPdf(PipelineError):
    """The PDF structure cannot be parsed."""

    code = "CorruptPdf"
    stage = "read"


class PageLimitExceeded(PipelineError):
    """The document has more pages than the per-document limit."""

    code = "PageLimitExceeded"
    stage = "read"


class NoTextLayer(PipelineError):
    """No page has a text layer (a scan): OCR is needed and not yet available."""

    code = "NoTextLayer"
    stage = "extract"


class ExtractionFailed(PipelineError):
    """Extraction of the document failed unexpectedly (wrapped original error)."""

    code = "ExtractionFailed"
    stage = "extract"


class FetchError(PipelineError):
    """The document could not be fetched."""

    code = "FetchError"
    stage = "fetch"


class ChecksumMismatch(PipelineError):
    """The fetched bytes do not match the expected sha256."""

    code = "ChecksumMismatch"
    stage = "fetch"


class TooLarge(PipelineError):
    """The document is larger than the configured maximum size."""

    code = "TooLarge"
    stage = "fetch"
