"""The fingerprint of the code and data that compute a document's frames: the cache key that
makes a warm cache serve only what the current code computes.

It hashes the CONTENT (never the modification time) of every file under ``COMPUTING_PATHS``
(extraction, printed-value parsing, records, the vocabularies and schemas in ``schemas/``, the
run's ``document_datasets``) and the versions of the libraries whose output the frames are
(``COMPUTING_LIBRARIES``). Any edit of a rule, a vocabulary row or a library upgrade gives a new
fingerprint, so every cached document is a miss. It is computed once per process.

``extractors.document.PARSER_VERSION`` stays a human label written beside it; it is no longer
what decides whether a cache entry is current.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# folders (all files below them) and files, relative to the repository root
COMPUTING_PATHS: tuple[str, ...] = (
    "extractors", "schemas", "pipeline/core", "pipeline/parsing", "pipeline/records", "pipeline/runs/run.py",
    "pipeline/runs/extract.py",
)
COMPUTING_SUFFIXES = frozenset({".py", ".yaml", ".yml", ".csv", ".json", ".txt", ".tsv"})
COMPUTING_LIBRARIES: tuple[str, ...] = (
    "pdfplumber", "pdfminer.six", "pypdfium2", "camelot-py", "opencv-python-headless", "spacy", "pyvi",
    "pandas", "numpy", "pyarrow", "babel", "Pint",
)
DIGEST_CHARS = 16


def files_of(paths: Iterable[str], root: Path = REPO) -> list[Path]:
    """Every computing file under ``paths`` (sorted, caches and hidden files left out)."""
    out: list[Path] = []
    for rel in paths:
        p = root / rel
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out += [f for f in p.rglob("*") if f.is_file() and f.suffix in COMPUTING_SUFFIXES
                    and "__pycache__" not in f.parts and not any(part.startswith(".") for part in f.parts)]
    return sorted(set(out))


def fingerprint_of(paths: Iterable[str] = COMPUTING_PATHS, root: Path = REPO,
                   libraries: Iterable[str] = COMPUTING_LIBRARIES) -> str:
    """The hex digest over the files' relative paths and contents and the libraries' versions."""
    h = hashlib.sha256()
    for f in files_of(paths, root):
        h.update(f.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    for lib in libraries:
        try:
            version = metadata.version(lib)
        except metadata.PackageNotFoundError:
            version = "absent"
        h.update(f"{lib}=={version}\0".encode())
    return h.hexdigest()[:DIGEST_CHARS]


@cache
def code_fingerprint() -> str:
    """This process's fingerprint of the computing code and data (computed once)."""
    return fingerprint_of()
