"""Fetching: one manifest entry → one verified PDF in the raw store.

:func:`fetch` makes exactly one attempt. The document is streamed (from the server with httpx,
or from a local file, the same way) into a staging file beside the raw store while its sha256
and size are computed; it is stored (:mod:`pipeline.sources.rawstore`) only when every check passed:

- the size stays within ``FetchSettings.max_bytes`` (a larger ``Content-Length`` is refused
  before reading; a body that goes on is cut off at the limit) → else :class:`TooLarge`;
- ``%PDF-`` appears in the first 1024 bytes (an HTML error page served with status 200 is
  refused after its first kilobyte) → else :class:`NotAPdf`;
- a download ends with the PDF end marker ``%%EOF`` in its last 1024 bytes → else
  :class:`TruncatedDownload` (retryable). A ``Content-Length`` SMALLER than the body the server
  sends cannot be seen by the client: HTTP/1.1 frames the message by that length (RFC 9112 §6.3),
  so httpx/h11 end the response there and leave the rest on the connection, which is then not
  reused; what reaches us is a body cut short, missing its cross-reference table and ``%%EOF``.
  Local files are not held to this (extraction repairs or rejects them);
- the sha256 equals the manifest's, when given → else :class:`ChecksumMismatch`;
- the HTTP status is 2xx (after at most ``max_redirects`` redirects) → else
  :class:`HttpStatusError` with ``.status``.

Timeouts become :class:`FetchTimeout`, broken connections :class:`FetchConnectionError`, a
missing local file :class:`SourceNotFound`; anything else httpx raises is a :class:`FetchError`.
``pipeline.core.errors.is_retryable(exc)`` tells whether another attempt may succeed: timeouts,
broken connections, 408/425/429 and 5xx (except 501/505) are retryable; a 404, a non-PDF, a
checksum mismatch or an oversized document are not.

Retries belong to the caller. In a Prefect flow, wrap :func:`fetch` in a task and let Prefect
retry only what is retryable::

    from prefect import task
    from prefect.tasks import exponential_backoff
    from pipeline.sources.fetch import fetch, retry_on_retryable

    @task(retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=2),
          retry_condition_fn=retry_on_retryable)
    def fetch_task(entry, data_dir):
        return fetch(entry, data_dir)

Outside Prefect, :func:`fetch_with_retries` does the same with a plain loop.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from pipeline.core.errors import (
    ChecksumMismatch,
    FetchConnectionError,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    NotAPdf,
    SourceNotFound,
    TooLarge,
    TruncatedDownload,
    is_retryable,
)
from pipeline.core.version import __version__
from pipeline.sources.manifest import ManifestEntry
from pipeline.sources.rawstore import DEFAULT_DATA_DIR, RawRecord, commit, staging_file

if TYPE_CHECKING:  # imported where used: a run of local files does not load the HTTP client
    import httpx

PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024  # the PDF header may follow a little junk; readers accept it within 1 KiB
CHUNK = 1 << 16
PDF_EOF = b"%%EOF"
EOF_WINDOW = 1024  # readers look for %%EOF in the last kilobyte (PDF 1.7, Annex H.3 note 18)
NOTABLE_HEADERS = ("content-length", "content-disposition", "content-encoding", "cache-control", "date", "expires")


@dataclass(frozen=True)
class FetchSettings:
    """Limits of one fetch attempt (seconds and bytes)."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0  # the longest silence between two chunks, not the whole download
    max_bytes: int = 200 * 1024 * 1024
    max_redirects: int = 5
    max_retry_after: float = 300.0  # the longest Retry-After honoured between two attempts
    require_eof: bool = True  # a download must end with %%EOF (in its last EOF_WINDOW bytes)
    user_agent: str = f"decree-pipeline/{__version__}"

    def timeout(self) -> httpx.Timeout:
        import httpx

        return httpx.Timeout(connect=self.connect_timeout, read=self.read_timeout,
                             write=self.read_timeout, pool=self.connect_timeout)


DEFAULT_SETTINGS = FetchSettings()


def make_client(settings: FetchSettings = DEFAULT_SETTINGS) -> httpx.Client:
    """An httpx client configured by ``settings``; share one across fetches to reuse connections."""
    import httpx

    return httpx.Client(timeout=settings.timeout(), follow_redirects=True, max_redirects=settings.max_redirects,
                        headers={"User-Agent": settings.user_agent})


class _Sink:
    """Writes the streamed bytes to the staging file, hashing, counting and checking as it goes."""

    def __init__(self, out: BinaryIO, entry: ManifestEntry, max_bytes: int) -> None:
        self.out, self.entry, self.max_bytes = out, entry, max_bytes
        self.hash = hashlib.sha256()
        self.size = 0
        self.head = b""
        self.magic_ok = False
        self.tail = b""  # the last EOF_WINDOW bytes

    def write(self, chunk: bytes) -> None:
        if self.size + len(chunk) > self.max_bytes:
            raise TooLarge(f"{self.entry.id}: more than {self.max_bytes} bytes from {self.entry.source}")
        self.size += len(chunk)
        self.hash.update(chunk)
        self.out.write(chunk)
        self.tail = (self.tail + chunk)[-EOF_WINDOW:]
        if not self.magic_ok:
            self.head = (self.head + chunk)[:MAGIC_WINDOW]
            if PDF_MAGIC in self.head:
                self.magic_ok = True
            elif len(self.head) >= MAGIC_WINDOW:
                self._not_a_pdf()

    def finish(self) -> str:
        """After the last chunk: the checks that need the whole body; returns the sha256."""
        if not self.magic_ok:
            self._not_a_pdf()
        self.out.flush()
        digest = self.hash.hexdigest()
        if self.entry.sha256 is not None and digest != self.entry.sha256:
            raise ChecksumMismatch(f"{self.entry.id}: sha256 is {digest}, the manifest expects {self.entry.sha256} "
                                   f"({self.entry.source})")
        return digest

    def _not_a_pdf(self) -> None:
        raise NotAPdf(f"{self.entry.id}: not a PDF (starts with {self.head[:32]!r}) from {self.entry.source}")


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _fetch_url(entry: ManifestEntry, data_dir: Path | str, settings: FetchSettings, client: httpx.Client) -> RawRecord:
    import httpx

    with staging_file(data_dir) as (out, staged):
        sink = _Sink(out, entry, settings.max_bytes)
        try:
            with client.stream("GET", entry.source, timeout=settings.timeout()) as resp:
                if not 200 <= resp.status_code < 300:
                    wait = retry_after(resp.headers.get("retry-after"))
                    raise HttpStatusError(f"{entry.id}: HTTP {resp.status_code} {resp.reason_phrase} "
                                          f"from {entry.source}" + (f" (Retry-After {wait:g} s)" if wait else ""),
                                          resp.status_code, wait)
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > settings.max_bytes:
                    raise TooLarge(f"{entry.id}: Content-Length {declared} exceeds the limit of "
                                   f"{settings.max_bytes} bytes ({entry.source})")
                for chunk in resp.iter_bytes(CHUNK):
                    sink.write(chunk)
                digest = sink.finish()
                if settings.require_eof and PDF_EOF not in sink.tail:
                    raise TruncatedDownload(
                        f"{entry.id}: the download ends without the PDF end marker %%EOF ({sink.size} bytes"
                        f"{', Content-Length ' + declared if declared else ''}): the transfer was cut short, or the "
                        f"server declared a Content-Length smaller than the document ({entry.source})")
                headers = {k: resp.headers[k] for k in NOTABLE_HEADERS if k in resp.headers}
                record = RawRecord(
                    sha256=digest, size=sink.size, source=entry.source, manifest_id=entry.id, fetched_at=_now(),
                    source_kind="url", http_status=resp.status_code, final_url=str(resp.url),
                    content_type=resp.headers.get("content-type"), etag=resp.headers.get("etag"),
                    last_modified=resp.headers.get("last-modified"), headers=headers)
        except httpx.TimeoutException as exc:
            raise FetchTimeout(f"{entry.id}: {exc.__class__.__name__} after the configured timeout "
                               f"(connect {settings.connect_timeout}s, read {settings.read_timeout}s) "
                               f"from {entry.source}") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise FetchConnectionError(f"{entry.id}: {exc.__class__.__name__}: {exc} ({entry.source})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{entry.id}: {exc.__class__.__name__}: {exc} ({entry.source})") from exc
        return commit(staged, record, data_dir)


def _fetch_file(entry: ManifestEntry, data_dir: Path | str, settings: FetchSettings) -> RawRecord:
    path = entry.path
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise SourceNotFound(f"{entry.id}: no such file: {path}") from exc
    except OSError as exc:
        raise FetchError(f"{entry.id}: cannot read {path} ({exc.__class__.__name__}: {exc})") from exc
    if not path.is_file():
        raise SourceNotFound(f"{entry.id}: not a regular file: {path}")
    if st.st_size > settings.max_bytes:
        raise TooLarge(f"{entry.id}: {st.st_size} bytes exceeds the limit of {settings.max_bytes} bytes ({path})")
    with staging_file(data_dir) as (out, staged):
        sink = _Sink(out, entry, settings.max_bytes)
        try:
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(CHUNK), b""):
                    sink.write(chunk)
        except OSError as exc:
            raise FetchError(f"{entry.id}: cannot read {path} ({exc.__class__.__name__}: {exc})") from exc
        digest = sink.finish()
        record = RawRecord(sha256=digest, size=sink.size, source=entry.source, manifest_id=entry.id,
                           fetched_at=_now(), source_kind="file",
                           file_mtime=datetime.fromtimestamp(st.st_mtime, UTC).isoformat())
        return commit(staged, record, data_dir)


def fetch(entry: ManifestEntry, data_dir: Path | str = DEFAULT_DATA_DIR, settings: FetchSettings = DEFAULT_SETTINGS,
          client: httpx.Client | None = None) -> RawRecord:
    """One attempt to bring ``entry`` into the raw store; returns its record (the existing one
    when these bytes were stored before). Raises the classified errors listed in the module
    docstring; nothing is stored when it raises."""
    if not entry.is_url:
        return _fetch_file(entry, data_dir, settings)
    if client is not None:
        return _fetch_url(entry, data_dir, settings, client)
    with make_client(settings) as own:
        return _fetch_url(entry, data_dir, settings, own)


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def backoff_delays(attempts: int, backoff: float) -> list[float]:
    """Seconds to wait before attempts 2..n: ``backoff``, ``2·backoff``, ``4·backoff``..."""
    return [backoff * 2**i for i in range(max(attempts - 1, 0))]


def fetch_with_retries(entry: ManifestEntry, data_dir: Path | str = DEFAULT_DATA_DIR, *, attempts: int = 3,
                       backoff: float = 1.0, settings: FetchSettings = DEFAULT_SETTINGS,
                       client: httpx.Client | None = None,
                       sleep: Callable[[float], None] = time.sleep) -> RawRecord:
    """:func:`fetch` up to ``attempts`` times with exponential backoff, for callers outside
    Prefect. Only retryable errors are retried; the last error is raised as is."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    delays = backoff_delays(attempts, backoff)
    for attempt in range(attempts):
        try:
            return fetch(entry, data_dir, settings, client)
        except FetchError as exc:
            if attempt == attempts - 1 or not is_retryable(exc):
                raise
            asked = getattr(exc, "retry_after", None)
        # the server's Retry-After when it gave one (capped), else the exponential backoff
        sleep(min(asked, settings.max_retry_after) if asked is not None else delays[attempt])
    raise AssertionError("unreachable")  # the loop returns or raises


def retry_on_retryable(task: object, task_run: object, state: object) -> bool:
    """Prefect ``retry_condition_fn``: retry a failed fetch task only when its error is
    retryable (see the module docstring for the task definition)."""
    exc = getattr(state, "data", None)
    if not isinstance(exc, BaseException):
        result = getattr(state, "result", None)
        exc = result(raise_on_failure=False) if callable(result) else None
    return isinstance(exc, BaseException) and is_retryable(exc)
