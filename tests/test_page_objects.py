"""extractors.page_objects builds pdfplumber's page objects faster: the dicts must be the very
ones pdfplumber builds (same keys, same values), on real pages cut into the repo (TCVN3 fonts,
condensed Word, ruled tables, e-signed mastheads) and on sample pages."""

from pathlib import Path

import pdfplumber
import pytest

from extractors.page_objects import fast_char_objects

ROOT = Path(__file__).resolve().parents[1]
PDFS = sorted((ROOT / "tests/fixtures/real").glob("*.pdf")) + sorted((ROOT / "data/samples/pdf/gov").glob("*.pdf"))[:2]


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.name)
def test_objects_equal_pdfplumbers(pdf):
    with pdfplumber.open(pdf) as ours, pdfplumber.open(pdf) as theirs:
        for mine, ref in list(zip(ours.pages, theirs.pages, strict=True))[:3]:
            got = fast_char_objects(mine).objects
            want = ref.objects
            assert got.keys() == want.keys()
            for kind in want:
                assert len(got[kind]) == len(want[kind])
                for a, b in zip(got[kind], want[kind], strict=True):
                    # a PDFStream compares by identity: two opens of the file give two streams
                    if kind == "image":
                        a, b = {k: v for k, v in a.items() if k != "stream"}, {k: v for k, v in b.items() if k != "stream"}
                    assert a == b
                    assert list(a) == list(b)  # same keys in the same order


def test_chars_are_built_here():
    """The fast path is taken (not silently pdfplumber's own): a char dict is built without
    pdfplumber's process_object being called for it."""
    calls = []
    with pdfplumber.open(PDFS[0]) as pdf:
        page = fast_char_objects(pdf.pages[0])
        orig = pdfplumber.page.Page.process_object

        def spy(self, obj):
            calls.append(type(obj).__name__)
            return orig(self, obj)

        pdfplumber.page.Page.process_object = spy
        try:
            chars = page.chars
        finally:
            pdfplumber.page.Page.process_object = orig
    assert chars and "LTChar" not in calls
