"""Fetching from a real HTTP server on 127.0.0.1 (started per test) and from local files, and
the content-addressed raw store behind it."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from prefect.states import Failed

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
from pipeline.sources.fetch import (
    FetchSettings,
    backoff_delays,
    fetch,
    fetch_with_retries,
    make_client,
    retry_on_retryable,
)
from pipeline.sources.manifest import ManifestEntry, entries_from_args
from pipeline.sources.rawstore import get_record, list_records, raw_path, sidecar_path, versions_of_source

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "pdf"
PDF_A = (SAMPLES / "compact" / "daklak-2026-letter.pdf").read_bytes()
PDF_B = (SAMPLES / "gov" / "daklak-2026-letter.pdf").read_bytes()
HTML = b"<!DOCTYPE html><html><head><title>Loi</title></head><body>" + b"Trang khong ton tai. " * 200 + b"</body></html>"
LIMIT = 4 * len(PDF_A)
SETTINGS = FetchSettings(connect_timeout=0.5, read_timeout=0.5, max_bytes=LIMIT)
ETAG = '"daklak-v1"'
LAST_MODIFIED = "Mon, 05 Jan 2026 02:00:00 GMT"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Server:
    base: str
    hits: Counter = field(default_factory=Counter)
    times: dict[str, list[float]] = field(default_factory=dict)  # path → monotonic time of each request
    release: threading.Event = field(default_factory=threading.Event)

    def entry(self, path: str, doc_id: str = "doc", sha256: str | None = None) -> ManifestEntry:
        return ManifestEntry(doc_id, self.base + path, sha256)


def _handler(state: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
            pass

        def _send(self, status: int, body: bytes, ctype: str = "application/pdf", extra: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path
            state.hits[path] += 1
            state.times.setdefault(path, []).append(time.monotonic())
            n = state.hits[path]
            if path == "/doc.pdf":
                self._send(200, PDF_A, extra={"ETag": ETAG, "Last-Modified": LAST_MODIFIED,
                                              "Content-Disposition": 'attachment; filename="cv-daklak.pdf"'})
            elif path == "/error-page.pdf":
                self._send(200, HTML, "text/html; charset=utf-8")
            elif path == "/missing.pdf":
                self._send(404, b"<html>not found</html>", "text/html")
            elif path == "/flaky.pdf":
                if n < 3:
                    self._send(503, b"busy", "text/plain")
                else:
                    self._send(200, PDF_A)
            elif path == "/slow.pdf":
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(PDF_A)))
                self.end_headers()
                self.wfile.write(PDF_A[:100])
                self.wfile.flush()
                if not state.release.wait(10):  # far beyond the client's read timeout
                    return
                self._write_quietly(PDF_A[100:])
            elif path == "/huge.pdf":  # no Content-Length: the body runs until the server closes
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.end_headers()
                self._write_quietly(PDF_A + b"\0" * (LIMIT * 3))
            elif path == "/huge-declared.pdf":
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(LIMIT * 10))
                self.end_headers()
                self._write_quietly(PDF_A)
            elif path == "/changing.pdf":
                self._send(200, PDF_A if n == 1 else PDF_B, extra={"ETag": f'"v{n}"'})
            elif path == "/moved.pdf":
                self.send_response(302)
                self.send_header("Location", "/doc.pdf")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path == "/loop.pdf":
                self.send_response(302)
                self.send_header("Location", "/loop.pdf")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path == "/limited.pdf":  # 429 with Retry-After, then the document
                if n < 2:
                    self._send(429, b"slow down", "text/plain", extra={"Retry-After": "2"})
                else:
                    self._send(200, PDF_A)
            elif path in ("/cut.pdf", "/length-over.pdf"):  # the server stops mid-body / declares more
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(PDF_A) if path == "/cut.pdf" else len(PDF_A) + 1000))
                self.send_header("Connection", "close")
                self.end_headers()
                self._write_quietly(PDF_A[: len(PDF_A) // 2] if path == "/cut.pdf" else PDF_A)
                self.close_connection = True
            elif path == "/length-under.pdf":  # declares 1000 bytes fewer than it sends
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(PDF_A) - 1000))
                self.end_headers()
                self._write_quietly(PDF_A)
            elif path == "/to-ftp.pdf":
                self.send_response(302)
                self.send_header("Location", "ftp://127.0.0.1/doc.pdf")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path == "/to-file.pdf":
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._send(500, b"unexpected path", "text/plain")

        def _write_quietly(self, data: bytes) -> None:
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client stopped reading: expected
                pass

    return Handler


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    httpd.daemon_threads = True
    state = Server(f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def raw_files(data_dir: Path) -> list[str]:
    folder = data_dir / "raw"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def assert_nothing_stored(data_dir: Path) -> None:
    assert raw_files(data_dir) == []  # no PDF, no sidecar, no leftover staging file


# --- HTTP -----------------------------------------------------------------------------------


def test_fetch_stores_pdf_content_addressed_with_sidecar(server: Server, tmp_path: Path) -> None:
    before = datetime.now(UTC)
    rec = fetch(server.entry("/doc.pdf", "compact/daklak-2026-letter"), tmp_path, SETTINGS)
    assert rec.sha256 == sha(PDF_A)
    assert raw_path(rec.sha256, tmp_path).read_bytes() == PDF_A
    assert raw_files(tmp_path) == [f"{rec.sha256}.json", f"{rec.sha256}.pdf"]
    side = json.loads(sidecar_path(rec.sha256, tmp_path).read_text(encoding="utf-8"))
    assert side["source"] == server.base + "/doc.pdf"
    assert side["manifest_id"] == "compact/daklak-2026-letter"
    assert side["size"] == len(PDF_A)
    assert side["source_kind"] == "url"
    assert side["http_status"] == 200
    assert side["content_type"] == "application/pdf"
    assert side["etag"] == ETAG
    assert side["last_modified"] == LAST_MODIFIED
    assert side["headers"]["content-length"] == str(len(PDF_A))
    assert side["headers"]["content-disposition"] == 'attachment; filename="cv-daklak.pdf"'
    fetched = datetime.fromisoformat(side["fetched_at"])
    assert fetched.utcoffset().total_seconds() == 0
    assert before <= fetched <= datetime.now(UTC)
    assert get_record(rec.sha256, tmp_path) == rec


def test_same_bytes_twice_is_a_noop(server: Server, tmp_path: Path) -> None:
    first = fetch(server.entry("/doc.pdf"), tmp_path, SETTINGS)
    pdf, side = raw_path(first.sha256, tmp_path), sidecar_path(first.sha256, tmp_path)
    stats = [(p.stat().st_ino, p.stat().st_mtime_ns) for p in (pdf, side)]
    again = fetch(server.entry("/doc.pdf", "another-id"), tmp_path, SETTINGS)
    assert server.hits["/doc.pdf"] == 2  # really fetched twice
    assert again == first  # the existing record, manifest id and fetch time unchanged
    assert [(p.stat().st_ino, p.stat().st_mtime_ns) for p in (pdf, side)] == stats
    assert raw_files(tmp_path) == [f"{first.sha256}.json", f"{first.sha256}.pdf"]
    assert len(versions_of_source(server.base + "/doc.pdf", tmp_path)) == 1


def test_changed_document_at_same_url_is_a_new_version(server: Server, tmp_path: Path) -> None:
    entry = server.entry("/changing.pdf", "daklak")
    v1 = fetch(entry, tmp_path, SETTINGS)
    v2 = fetch(entry, tmp_path, SETTINGS)
    assert (v1.sha256, v2.sha256) == (sha(PDF_A), sha(PDF_B))
    assert raw_path(v1.sha256, tmp_path).read_bytes() == PDF_A  # the old version stays
    assert raw_path(v2.sha256, tmp_path).read_bytes() == PDF_B
    assert (v1.etag, v2.etag) == ('"v1"', '"v2"')
    assert versions_of_source(entry.source, tmp_path) == [v1, v2]
    assert versions_of_source(server.base + "/doc.pdf", tmp_path) == []
    assert len(list_records(tmp_path)) == 2


def test_redirect_is_followed_and_final_url_recorded(server: Server, tmp_path: Path) -> None:
    rec = fetch(server.entry("/moved.pdf"), tmp_path, SETTINGS)
    assert rec.source == server.base + "/moved.pdf"
    assert rec.final_url == server.base + "/doc.pdf"
    assert rec.sha256 == sha(PDF_A)


def test_redirect_loop_is_a_permanent_fetch_error(server: Server, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="TooManyRedirects") as info:
        fetch(server.entry("/loop.pdf"), tmp_path, SETTINGS)
    assert not is_retryable(info.value)
    assert server.hits["/loop.pdf"] == SETTINGS.max_redirects + 1
    assert_nothing_stored(tmp_path)


def test_html_page_with_status_200_is_rejected(server: Server, tmp_path: Path) -> None:
    with pytest.raises(NotAPdf, match="not a PDF") as info:
        fetch(server.entry("/error-page.pdf"), tmp_path, SETTINGS)
    assert "<!DOCTYPE html>" in str(info.value)
    assert not is_retryable(info.value)
    assert_nothing_stored(tmp_path)


def test_404_is_classified_with_status_and_not_retried(server: Server, tmp_path: Path) -> None:
    with pytest.raises(HttpStatusError) as info:
        fetch_with_retries(server.entry("/missing.pdf"), tmp_path, attempts=3, backoff=0.01, settings=SETTINGS)
    assert isinstance(info.value, FetchError)
    assert info.value.status == 404
    assert info.value.retryable is False
    assert "HTTP 404" in str(info.value)
    assert server.hits["/missing.pdf"] == 1
    assert_nothing_stored(tmp_path)


def test_503_twice_then_success_with_retries(server: Server, tmp_path: Path) -> None:
    waits: list[float] = []
    rec = fetch_with_retries(server.entry("/flaky.pdf"), tmp_path, attempts=3, backoff=0.01, settings=SETTINGS,
                             sleep=waits.append)
    assert rec.sha256 == sha(PDF_A)
    assert server.hits["/flaky.pdf"] == 3
    assert waits == [0.01, 0.02]


def test_503_exhausting_attempts_raises_the_retryable_error(server: Server, tmp_path: Path) -> None:
    with pytest.raises(HttpStatusError) as info:
        fetch_with_retries(server.entry("/flaky.pdf"), tmp_path, attempts=2, backoff=0.001, settings=SETTINGS)
    assert info.value.status == 503 and is_retryable(info.value)
    assert server.hits["/flaky.pdf"] == 2
    assert_nothing_stored(tmp_path)


def test_a_single_fetch_makes_one_attempt(server: Server, tmp_path: Path) -> None:
    with pytest.raises(HttpStatusError):
        fetch(server.entry("/flaky.pdf"), tmp_path, SETTINGS)
    assert server.hits["/flaky.pdf"] == 1


def test_slow_server_trips_the_read_timeout(server: Server, tmp_path: Path) -> None:
    with pytest.raises(FetchTimeout, match="ReadTimeout") as info:
        fetch(server.entry("/slow.pdf"), tmp_path, SETTINGS)
    assert is_retryable(info.value)
    assert_nothing_stored(tmp_path)


def test_body_beyond_the_limit_is_cut_off(server: Server, tmp_path: Path) -> None:
    with pytest.raises(TooLarge, match=f"more than {LIMIT} bytes") as info:
        fetch(server.entry("/huge.pdf"), tmp_path, SETTINGS)
    assert not is_retryable(info.value)
    assert_nothing_stored(tmp_path)


def test_declared_length_beyond_the_limit_is_refused_before_reading(server: Server, tmp_path: Path) -> None:
    with pytest.raises(TooLarge, match="Content-Length"):
        fetch(server.entry("/huge-declared.pdf"), tmp_path, SETTINGS)
    assert_nothing_stored(tmp_path)


def test_checksum_is_verified(server: Server, tmp_path: Path) -> None:
    with pytest.raises(ChecksumMismatch, match=sha(PDF_B)) as info:
        fetch(server.entry("/doc.pdf", sha256=sha(PDF_B)), tmp_path, SETTINGS)
    assert sha(PDF_A) in str(info.value) and not is_retryable(info.value)
    assert_nothing_stored(tmp_path)
    rec = fetch(server.entry("/doc.pdf", sha256=sha(PDF_A)), tmp_path, SETTINGS)
    assert rec.sha256 == sha(PDF_A)


def test_connection_refused_is_retryable(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port that nothing listens on once the socket is closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchConnectionError) as info:
        fetch(ManifestEntry("gone", f"http://127.0.0.1:{port}/x.pdf"), tmp_path, SETTINGS)
    assert is_retryable(info.value)


def test_shared_client_and_ad_hoc_url_entries(server: Server, tmp_path: Path) -> None:
    entries = entries_from_args([server.base + "/doc.pdf", server.base + "/changing.pdf"])
    assert [e.id for e in entries] == ["doc", "changing"]
    with make_client(SETTINGS) as client:
        recs = [fetch(e, tmp_path, SETTINGS, client) for e in entries]
    assert recs[0].sha256 == recs[1].sha256 == sha(PDF_A)  # same bytes: one stored file...
    assert recs[1] == recs[0]  # ...whose record keeps the first source that delivered them
    assert recs[0].manifest_id == "doc" and recs[0].source == server.base + "/doc.pdf"


# --- retry policy for Prefect and plain callers --------------------------------------------


@pytest.mark.parametrize(("exc", "expected"), [
    (HttpStatusError("busy", 503), True),
    (HttpStatusError("rate limited", 429), True),
    (HttpStatusError("not implemented", 501), False),
    (HttpStatusError("gone", 410), False),
    (FetchTimeout("slow"), True),
    (NotAPdf("html"), False),
    (ChecksumMismatch("changed"), False),
    (TooLarge("big"), False),
    (ValueError("a bug"), False),
])
def test_prefect_retry_condition(exc: Exception, expected: bool) -> None:
    assert retry_on_retryable(None, None, Failed(data=exc)) is expected


def test_backoff_delays_grow_exponentially() -> None:
    assert backoff_delays(4, 0.5) == [0.5, 1.0, 2.0]
    assert backoff_delays(1, 0.5) == []
    with pytest.raises(ValueError):
        fetch_with_retries(ManifestEntry("x", "/nonexistent.pdf"), attempts=0)


# --- local files ----------------------------------------------------------------------------


def test_local_file_is_read_like_a_download(tmp_path: Path) -> None:
    src = SAMPLES / "compact" / "daklak-2026-letter.pdf"
    entry = entries_from_args([str(src)])[0]
    data_dir = tmp_path / "data"
    rec = fetch(entry, data_dir)
    assert rec.source == str(src.resolve()) and rec.source_kind == "file"
    assert rec.manifest_id == "daklak-2026-letter"
    assert rec.sha256 == sha(PDF_A) and rec.size == len(PDF_A)
    assert datetime.fromisoformat(rec.file_mtime) == datetime.fromtimestamp(src.stat().st_mtime, UTC)
    assert rec.http_status is None and rec.etag is None
    assert raw_path(rec.sha256, data_dir).read_bytes() == PDF_A
    assert versions_of_source(str(src), data_dir) == [rec]


def test_local_file_checks(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    html = tmp_path / "page.pdf"
    html.write_bytes(HTML)
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF_A + b"\0" * 100)
    good = tmp_path / "good.pdf"
    good.write_bytes(PDF_A)
    with pytest.raises(SourceNotFound):
        fetch(ManifestEntry("missing", str(tmp_path / "missing.pdf")), data_dir)
    with pytest.raises(SourceNotFound, match="not a regular file"):
        fetch(ManifestEntry("folder", str(tmp_path)), data_dir)
    with pytest.raises(NotAPdf):
        fetch(ManifestEntry("html", str(html)), data_dir)
    with pytest.raises(TooLarge):
        fetch(ManifestEntry("big", str(big)), data_dir, FetchSettings(max_bytes=len(PDF_A)))
    with pytest.raises(ChecksumMismatch):
        fetch(ManifestEntry("good", str(good), sha(PDF_B)), data_dir)
    assert_nothing_stored(data_dir)
    assert fetch(ManifestEntry("good", str(good), sha(PDF_A)), data_dir).sha256 == sha(PDF_A)


def test_pdf_header_after_a_little_junk_is_accepted(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"\r\n" * 10 + PDF_A)
    assert fetch(ManifestEntry("junk", str(junk)), tmp_path / "data").size == len(PDF_A) + 20
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(NotAPdf):
        fetch(ManifestEntry("empty", str(empty)), tmp_path / "data")


@pytest.mark.slow
def test_prefect_task_retries_only_retryable_fetch_errors(server: Server, tmp_path: Path) -> None:
    """The task definition documented in pipeline.sources.fetch, run by a real Prefect engine."""
    from prefect import flow, task
    from prefect.testing.utilities import prefect_test_harness

    @task(retries=3, retry_delay_seconds=0, retry_condition_fn=retry_on_retryable)
    def fetch_task(entry: ManifestEntry, data_dir: Path) -> str:
        return fetch(entry, data_dir, SETTINGS).sha256

    @flow
    def fetch_flow(entry: ManifestEntry, data_dir: Path) -> str:
        return fetch_task(entry, data_dir)

    with prefect_test_harness(server_startup_timeout=120):
        assert fetch_flow(server.entry("/flaky.pdf"), tmp_path) == sha(PDF_A)
        with pytest.raises(HttpStatusError):
            fetch_flow(server.entry("/missing.pdf"), tmp_path)
    assert server.hits["/flaky.pdf"] == 3
    assert server.hits["/missing.pdf"] == 1


def test_429_waits_as_long_as_retry_after_says(server: Server, tmp_path: Path) -> None:
    waits: list[float] = []
    record = fetch_with_retries(server.entry("/limited.pdf"), tmp_path, attempts=3, backoff=0.01,
                                settings=SETTINGS, sleep=waits.append)
    assert record.sha256 == sha(PDF_A) and waits == [2.0]
    with pytest.raises(HttpStatusError) as err:  # one attempt: the error carries the wait, and is retryable
        server.hits.clear()
        fetch(server.entry("/limited.pdf"), tmp_path / "b", SETTINGS)
    assert err.value.status == 429 and err.value.retry_after == 2.0 and is_retryable(err.value)


@pytest.mark.parametrize("path", ["/cut.pdf", "/length-over.pdf"])
def test_a_body_shorter_than_its_content_length_is_a_retryable_error_and_stores_nothing(
        server: Server, tmp_path: Path, path: str) -> None:
    with pytest.raises(FetchConnectionError) as err:
        fetch(server.entry(path), tmp_path, SETTINGS)
    assert is_retryable(err.value)
    assert_nothing_stored(tmp_path)


@pytest.mark.parametrize("path", ["/to-ftp.pdf", "/to-file.pdf"])
def test_a_redirect_to_another_scheme_is_refused(server: Server, tmp_path: Path, path: str) -> None:
    with pytest.raises(FetchError) as err:
        fetch(server.entry(path), tmp_path, SETTINGS)
    assert not is_retryable(err.value) and "Protocol" in str(err.value)
    assert_nothing_stored(tmp_path)


def test_the_ingest_flows_fetch_task_waits_as_long_as_retry_after_says(prefect_api: str, server: Server,
                                                                       tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The flow's own fetch task (flows/ingest.py), run by a real Prefect engine against a server
    answering 429 with ``Retry-After: 2``: Prefect's backoff is set to 0.01 s, so the task itself
    waits the rest (1.99 s) before Prefect retries, and the two requests are 2 s apart."""
    from prefect import flow
    from prefect.tasks import exponential_backoff

    import flows.ingest
    from flows.ingest import fetch_task

    waited: list[float] = []
    honour = flows.ingest.honour_retry_after
    monkeypatch.setattr(flows.ingest, "honour_retry_after", lambda exc: waited.append(honour(exc)))

    task_ = fetch_task.with_options(retries=2, retry_delay_seconds=exponential_backoff(0.01))

    @flow
    def fetch_flow(entry: ManifestEntry, data_dir: str) -> str:
        return task_(entry, data_dir)[0].sha256

    assert fetch_flow(server.entry("/limited.pdf"), str(tmp_path)) == sha(PDF_A)
    first, second = server.times["/limited.pdf"]
    assert second - first >= 2.0 and waited == [pytest.approx(1.99)]
    assert fetch_flow(server.entry("/flaky.pdf"), str(tmp_path / "b")) == sha(PDF_A)  # 503 twice: no Retry-After
    assert server.hits["/flaky.pdf"] == 3 and waited[1:] == [0.0, 0.0]  # Prefect's own backoff only


def test_a_content_length_smaller_than_the_body_is_caught_by_its_consequence(server: Server, tmp_path: Path) -> None:
    """The client stops at the declared length (HTTP/1.1 framing): it cannot see the bytes beyond
    it, but the body it got lacks the PDF's end (%%EOF), which is checked."""
    with pytest.raises(TruncatedDownload) as err:
        fetch(server.entry("/length-under.pdf"), tmp_path, SETTINGS)
    assert is_retryable(err.value) and "%%EOF" in str(err.value) and str(len(PDF_A) - 1000) in str(err.value)
    assert_nothing_stored(tmp_path)
    # a whole document passes the same check; a local file is not held to it (extraction repairs it)
    assert fetch(server.entry("/doc.pdf"), tmp_path, SETTINGS).size == len(PDF_A)
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(PDF_A[:-1000])
    assert fetch(ManifestEntry("cut", str(cut)), tmp_path / "local", SETTINGS).size == len(PDF_A) - 1000
