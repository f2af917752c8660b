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


class InvalidSetting(PipelineError, ValueError):
    """An extraction setting override (``decree ingest --setting NAME=VALUE``, a manifest entry's
    ``settings:``) names no setting, has a value of the wrong type, or breaks the setting's
    bounds. Raised before any document is read."""

    code = "InvalidSetting"
    stage = "settings"


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


# --- Sources and fetching (manifest, fetch, raw store) ----------------------------------------
# Every error raised by ``pipeline.sources.fetch`` answers "does retrying make sense?" through
# ``is_retryable(exc)``: the subclasses below carry a ``retryable`` attribute; every other
# classified error (NotAPdf, TooLarge, ChecksumMismatch, ...) is permanent.


class ManifestError(PipelineError):
    """The manifest (or an ad-hoc source given on the command line) is invalid.

    ``manifest`` is the manifest file (None for command-line sources), ``entry`` the offending
    entry's position or id (None for a file-level problem)."""

    code = "ManifestError"
    stage = "manifest"
    retryable = False

    def __init__(self, message: str, manifest: str | None = None, entry: str | int | None = None) -> None:
        where = manifest or "command line"
        if entry is not None:
            where += f", entry {entry!r}" if isinstance(entry, str) else f", entry #{entry}"
        super().__init__(f"{where}: {message}")
        self.manifest = manifest
        self.entry = entry


class SourceNotFound(FetchError):
    """A local source file does not exist (or is not a regular file)."""

    code = "SourceNotFound"
    retryable = False


class FetchTimeout(FetchError):
    """Connecting to, or reading from, the server took longer than the configured timeout."""

    code = "FetchTimeout"
    retryable = True


class FetchConnectionError(FetchError):
    """The connection failed or broke off (refused, reset, DNS failure, truncated body)."""

    code = "FetchConnectionError"
    retryable = True


class TruncatedDownload(FetchConnectionError):
    """A download that ends without the PDF's end marker: the transfer was cut short (a
    ``Content-Length`` smaller than the body, a proxy that stopped); another attempt may be whole."""

    code = "TruncatedDownload"
    retryable = True


class HttpStatusError(FetchError):
    """The server answered with an HTTP error status (``status``). 408, 425, 429 and 5xx
    (except 501 and 505) are worth retrying; every other status is permanent."""

    code = "HttpStatusError"

    def __init__(self, message: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = status in (408, 425, 429) or (500 <= status < 600 and status not in (501, 505))
        self.retry_after = retry_after  # seconds the server asked to wait (Retry-After), if any


def is_retryable(exc: BaseException) -> bool:
    """True when a failed attempt may succeed if repeated (timeouts, broken connections, 5xx)."""
    return bool(getattr(exc, "retryable", False))


# ---------------------------------------------------------------- publishing and reading


class PublishError(PipelineError):
    """Publishing or reading the published datasets failed."""

    code = "PublishError"
    stage = "publish"


class PublishInputError(PublishError, ValueError):
    """The frames given to publish do not match the dataset's declared schema."""

    code = "PublishInputError"


class PublishFailed(PublishError):
    """A run could not be published; the tables it had already committed were rolled back."""

    code = "PublishFailed"


class DatasetNotPublished(PublishError, FileNotFoundError):
    """The dataset has never been published under this data dir."""

    code = "DatasetNotPublished"
    stage = "load"


class VersionNotFound(PublishError, LookupError):
    """The requested version, timestamp or run does not exist for this dataset."""

    code = "VersionNotFound"
    stage = "load"


class AsOfNotSupported(PublishError, NotImplementedError):
    """``as_of`` (the legal in-force date) was asked of a dataset that cannot answer it."""

    code = "AsOfNotSupported"
    stage = "load"


class FrameInvalid(PipelineError):
    """A dataset frame breaks its declared schema (missing column, null in a required column,
    value outside its enum). Raised by ``validate_frame``; a bug, not bad input."""

    code = "FrameInvalid"
    stage = "validate"


class ConsolidationError(PipelineError):
    """The inputs of a consolidation are missing or an as-of date cannot be read."""

    code = "ConsolidationError"
    stage = "consolidate"


class InvalidAsOfDate(ConsolidationError):
    """An as-of date (or a diff side that looks like one) cannot be read."""

    code = "InvalidAsOfDate"


class ResourceLimitExceeded(PipelineError):
    """A document's extraction went past a limit (time, memory): it was stopped, the run goes on."""

    code = "ResourceLimitExceeded"
    stage = "extract"


class WorkerCrashed(PipelineError):
    """The process extracting a document died (a native library crashed): that document only."""

    code = "WorkerCrashed"
    stage = "extract"
