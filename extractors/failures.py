"""What went wrong when a PDF library failed on a document, as a classified error with a
message a reader can act on: never an empty message, never the wrapper's name alone.

pdfplumber wraps every pdfminer error in ``PdfminerException(original)`` whose own message is
empty: the original is its first argument. ``describe`` unwraps it; ``open_error`` classifies a
failure to open a document (encrypted, corrupt)."""

from __future__ import annotations

from pathlib import Path

from pipeline.core.errors import CorruptPdf, EncryptedPdf, PipelineError


def unwrap(exc: BaseException) -> BaseException:
    """The library's own error inside pdfplumber's ``PdfminerException`` wrapper (or ``exc``)."""
    seen = 0
    while exc.__class__.__name__ == "PdfminerException" and exc.args and isinstance(exc.args[0], BaseException):
        exc = exc.args[0]
        seen += 1
        if seen > 5:
            break
    return exc


def describe(exc: BaseException) -> str:
    """``Class: message`` of the unwrapped error; a message-less error says so."""
    inner = unwrap(exc)
    text = str(inner).strip()
    return f"{inner.__class__.__name__}: {text}" if text else f"{inner.__class__.__name__} (the library gave no message)"


def _encrypted(exc: BaseException) -> bool:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    return isinstance(exc, PDFPasswordIncorrect | PDFEncryptionError)


def open_error(path: Path, exc: BaseException) -> PipelineError:
    """The classified error of a document the PDF library could not open."""
    inner = unwrap(exc)
    if isinstance(inner, PipelineError):
        return inner
    if _encrypted(inner):
        return EncryptedPdf(f"{path.name}: encrypted PDF: it cannot be opened without its password (the empty "
                            f"password does not open it); ask the publisher for an unprotected copy ({describe(inner)})")
    return CorruptPdf(f"{path.name}: cannot parse PDF structure ({describe(inner)})")
