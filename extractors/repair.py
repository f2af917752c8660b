"""PDF files as downloads leave them: bytes before the ``%PDF-`` header.

PDF readers accept a header anywhere in the first 1024 bytes and count every byte offset of the
file (the cross-reference table, ``startxref``) from that header (PDF 1.7, Annex H.3 note 13;
qpdf and Acrobat do so). pdfminer counts from the start of the file: with junk before the header
it falls back to scanning for objects, which fails on files whose cross-reference is a stream
("No /Root object!"). ``readable_pdf`` hands extraction the file as its readers mean it: the
bytes from the header on, in a temporary copy under the same name (camelot reads the path, so a
stream would not do); a file that starts with its header is used as is.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["HEADER_WINDOW", "header_offset", "readable_pdf"]

HEADER_WINDOW = 1024  # where readers look for the header


def header_offset(path: Path) -> int | None:
    """Offset of ``%PDF-`` in the first ``HEADER_WINDOW`` bytes; None when there is none."""
    with open(path, "rb") as f:
        head = f.read(HEADER_WINDOW)
    i = head.find(b"%PDF-")
    return None if i < 0 else i


@contextmanager
def readable_pdf(path: Path) -> Iterator[Path]:
    """``path`` itself, or a temporary copy of it from its header on (see the module docstring)."""
    offset = header_offset(path)
    if not offset:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="pdf-from-header-") as tmp:
        fixed = Path(tmp) / path.name
        with open(path, "rb") as src, open(fixed, "wb") as dst:
            src.seek(offset)
            shutil.copyfileobj(src, dst)
        yield fixed
