"""The hostile corpus (tools/hostile.py) ingested as one run beside good documents: every case
ends published or rejected with a classified reason, as the case expects; the run never crashes;
nothing a PDF carries is run or extracted; the whole run stays under 1 GB of resident memory."""

from __future__ import annotations

import threading
from pathlib import Path

import psutil
import pytest

from pipeline.runs.isolate import ExtractionLimits
from pipeline.runs.run import new_run_id, process_entry, publish_results, resolve_entries
from tools import hostile

# tight limits so that the bomb and the looping cases end quickly (seconds of CPU: pipeline/runs/isolate.py)
LIMITS = ExtractionLimits(memory_mb=300, seconds_base=12, seconds_per_page=1, seconds_per_document=20)
# legitimate but slow documents (300 small pages, a 100k-character line): the default time and
# memory limits, with room for a machine shared by other jobs (the long line's worker holds about
# 320 MB of its own: pdfminer's objects for 100,000 characters)
FULL_TIME = ExtractionLimits(seconds_base=120, seconds_per_page=2)
PEAK_RSS_LIMIT = 1024 ** 3


class PeakRss:
    """The peak memory of this process and all its children, sampled: the sum of their
    proportional set sizes (PSS: a page shared by the forked workers counts once in all, not once
    per process as a sum of RSS would) and, for the record, the sum of their RSS."""

    def __init__(self) -> None:
        self.base = 0  # the tree's PSS before the run: what earlier tests of the session left loaded
        self.peak = 0
        self.peak_rss_sum = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def sample() -> tuple[int, int]:
        me = psutil.Process()
        total = rss = 0
        for p in [me, *me.children(recursive=True)]:
            try:
                info = p.memory_full_info()
                total, rss = total + info.pss, rss + info.rss
            except psutil.Error:
                pass
        return total, rss

    def _run(self) -> None:
        while not self._stop.is_set():
            total, rss = self.sample()
            self.peak, self.peak_rss_sum = max(self.peak, total), max(self.peak_rss_sum, rss)
            self._stop.wait(0.05)

    def __enter__(self) -> PeakRss:
        self.base = self.sample()[0]
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    root = tmp_path_factory.mktemp("hostile")
    written = hostile.write(root / "in", canary=root / "canary" / "hostile-pwned")
    data = root / "data"
    run_id = new_run_id()
    with PeakRss() as rss:
        entries = resolve_entries([str(root / "in")])
        slow = {path.name for case, path in written if case.full_time}
        results = [process_entry(e, str(data), run_id, limits=FULL_TIME if Path(e.source).name in slow else LIMITS)
                   for e in entries]
        outcome = publish_results(results, data, run_id)
    by_source = {Path(r.source).name: r for r in results}
    print(f"\nhostile run: peak PSS {rss.peak / 1024 ** 2:.0f} MB (before the run {rss.base / 1024 ** 2:.0f} MB), "
          f"peak sum of RSS {rss.peak_rss_sum / 1024 ** 2:.0f} MB")
    # in a full test session the process already holds what earlier tests loaded: the run's own
    # memory is the growth above that (docs/reliability.md gives a standalone run's peak)
    return written, by_source, outcome, rss.peak - rss.base, data


def test_there_are_at_least_50_cases() -> None:
    assert len(hostile.cases()) >= 50


def test_every_case_ends_as_expected_and_the_run_publishes(hostile_run) -> None:  # noqa: ANN001
    written, by_source, outcome, peak, data = hostile_run
    assert len(by_source) == len(written)  # nothing lost: one outcome per file
    wrong = []
    for case, path in written:
        r = by_source[path.name]
        got = "published" if r.ok else "rejected"
        code = None if r.ok else r.reject["error_code"]
        if case.expect != hostile.EITHER and got != case.expect:
            wrong.append((case.name, got, r.reject))
        if not r.ok and (code not in case.codes or not r.reject["message"].strip()):
            wrong.append((case.name, code, r.reject["message"]))
    assert not wrong, wrong
    assert outcome.published and outcome.rejected
    from pipeline.store.read import load

    rejects = load("rejects", data_dir=data)
    assert len(rejects) == len({r.reject["doc_sha256"] for r in outcome.rejected})


def test_nothing_a_pdf_carries_is_run_or_extracted(hostile_run) -> None:  # noqa: ANN001
    *_, data = hostile_run
    canary = data.parent / "canary" / "hostile-pwned"  # what the embedded script would create
    assert f"touch '{canary}'".encode() in (data.parent / "in" / "javascript-embedded.pdf").read_bytes()
    assert not canary.exists()
    assert not [p for p in data.parent.rglob("*") if p.name in ("evil.sh", "pwned", "passwd")]


def test_encrypted_documents_say_so(hostile_run) -> None:  # noqa: ANN001
    _, by_source, *_ = hostile_run
    r = by_source["enc-secret.pdf"]
    assert r.reject["error_code"] == "EncryptedPdf" and "password" in r.reject["message"]
    assert by_source["enc-empty.pdf"].ok


def test_an_image_only_document_is_reported_as_unread(hostile_run) -> None:  # noqa: ANN001
    _, by_source, *_ = hostile_run
    assert by_source["scan.pdf"].status.startswith("unread")
    assert by_source["good.pdf"].status.startswith("ok")  # published and read (its unmarked text may go to OCR)


def test_peak_memory_of_the_whole_run_stays_under_1_gb(hostile_run) -> None:  # noqa: ANN001
    *_, peak, _ = hostile_run
    assert 0 < peak < PEAK_RSS_LIMIT


def test_reject_messages_name_the_source_not_the_raw_store(hostile_run) -> None:  # noqa: ANN001
    _, by_source, *_ = hostile_run
    rejected = [r for r in by_source.values() if not r.ok]
    assert rejected
    for r in rejected:
        msg = r.reject["message"]
        assert msg.startswith(f"{r.entry_id}: "), msg
        assert r.sha256 is None or r.sha256 not in msg, msg  # extraction reads <sha256>.pdf: never shown


def test_a_page_ocr_cannot_render_stays_unread_with_its_reason(tmp_path: Path) -> None:
    """A page tree cycle: pdfminer reads the page, pdfium cannot load it for OCR. The document is
    read (not failed by the renderer's exception); the page says why it was not read."""
    from extractors.document import extract_document

    case = next(c for c in hostile.cases(tmp_path / "canary") if c.file_name == "cycle-kids.pdf")
    path = tmp_path / case.file_name
    path.write_bytes(case.make())
    # the case's text is Vietnamese typed without diacritics, which triage reads as text: the
    # thresholds of that rule are raised out of reach so that the page goes to OCR, as a garbled
    # layer would
    doc = extract_document(path, cache_root=None,
                           settings={"triage.unmarked_share": 1.0, "triage.english_share": 1.0})
    page = doc.pages[0]
    assert not page.is_ocr and "not read by OCR: PdfiumError" in page.triage_reason
    assert any(w.startswith("page 1: not read by OCR") for w in doc.warnings)
