"""A long document read in page ranges by several workers (pipeline.runs.ranges) publishes the
rows of a one-process run: same pages, lines, tables (stitched over the page breaks between
ranges), headings, metadata, in the same order with the same page numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.runs import extract, isolate
from pipeline.runs.ranges import RangeSettings

REPO = Path(__file__).resolve().parent.parent
# a letter whose appendix table runs over pages 3-6 (truth: data/samples/truth), its signature on page 2
PDF = REPO / "data" / "samples" / "pdf" / "gov" / "daklak-2026-letter.pdf"
TRUTH = REPO / "data" / "samples" / "truth" / "gov" / "daklak-2026-letter.json"
SMALL = RangeSettings(range_pages=2, min_pages=1)  # ranges 1-2, 3-4, 5-6: the table crosses two breaks
VARYING = {"documents": ["extracted_at", "ocr_seconds"]}  # when and how fast, not what was read


def test_spans_cover_every_page_once_in_order() -> None:
    assert SMALL.spans(5) == [range(1, 3), range(3, 5), range(5, 6)]
    assert RangeSettings(range_pages=50).spans(120) == [range(1, 51), range(51, 101), range(101, 121)]
    assert [p for s in RangeSettings(range_pages=7).spans(1000) for p in s] == list(range(1, 1001))


def test_when_a_document_is_split() -> None:
    s = RangeSettings(range_pages=50, min_pages=100)
    assert s.splits(1000, 2)
    assert not s.splits(1000, 1)  # one process: nothing to share
    assert not s.splits(99, 2)  # short: one process
    assert not s.splits(None, 2)  # page count unreadable: one process, whose error classifies it


@pytest.mark.parametrize("field", ["range_pages", "min_pages"])
def test_range_settings_are_checked(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        RangeSettings(**{field: 0})


def _comparable(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: df.drop(columns=VARYING.get(name, [])) for name, df in frames.items()}


def test_a_ranged_run_publishes_the_rows_of_a_whole_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[str] = []
    real_call = isolate.call

    def counting(fn, *args, **kwargs):  # noqa: ANN001, ANN202 - the parent's side only
        calls.append(fn.__name__ if fn.__name__ != "read_range" else f"read_range {args[-1].start}-{args[-1].stop - 1}")
        return real_call(fn, *args, **kwargs)

    monkeypatch.setattr(isolate, "call", counting)
    whole = extract.isolated_datasets(PDF, "letter.pdf", data_dir=tmp_path)
    assert calls == ["timed_datasets"]
    calls.clear()
    took: dict[str, float] = {}
    ranged = extract.isolated_datasets(PDF, "letter.pdf", data_dir=tmp_path, seconds=took, range_workers=2,
                                       ranges=SMALL)
    assert sorted(calls) == ["_page_count", "assembled_datasets", "read_range 1-2", "read_range 3-4",
                             "read_range 5-6"]
    assert took["extract"] > 0 and took["records"] > 0

    # the truth: the appendix table over pages 3-6 is one logical table in the ranged run
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    crossing = [t["pages"] for t in truth["tables"] if t["multi_page"]]
    assert [3, 4, 5, 6] in crossing
    pages = [json.loads(p) if isinstance(p, str) else [int(x) for x in p] for p in ranged["tables"]["pages"]]
    assert [3, 4, 5, 6] in pages

    a, b = _comparable(whole), _comparable(ranged)
    assert sorted(a) == sorted(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)
    assert len(b["pages"]) == 6 and b["pages"]["page"].tolist() == [1, 2, 3, 4, 5, 6]


def test_a_short_document_or_a_single_worker_reads_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_call = isolate.call
    monkeypatch.setattr(isolate, "call", lambda fn, *a, **k: calls.append(fn.__name__) or real_call(fn, *a, **k))
    extract.isolated_datasets(PDF, "letter.pdf", range_workers=2, ranges=RangeSettings(range_pages=2, min_pages=7))
    assert calls == ["_page_count", "timed_datasets"]
