"""Word recall of the pipeline's text on the real development corpus, against poppler's pdftotext.

Slow (the whole corpus through the pipeline, tables included) and only where the corpus is
present (``<repo>/../shared/real``); run with ``pytest -m slow tests/test_real_text.py``.
"""

from __future__ import annotations

import shutil

import pytest

from bench.real_text import REAL, measure

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not REAL.is_dir(), reason="real corpus ../shared/real not present"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext not installed"),
]


def test_text_layer_documents_reach_the_word_recall_target():
    m = measure(baselines=False, include_other=True)
    overall = m["overall"]["pipeline"]
    assert overall.recall >= 0.995, f"overall word recall {overall.recall:.4f}"
    assert overall.extra <= 0.005, f"overall extra words {overall.extra:.4f}"
    for r in m["docs"]:
        assert r.error is None, f"{r.file}: {r.error}"  # scans, outlines and TCVN3 files must not crash either
        if r.text_layer:
            s = r.vs_pdftotext["pipeline"]
            assert s.recall >= 0.99 and s.extra <= 0.01, f"{r.file}: recall {s.recall:.4f}, extra {s.extra:.4f}"
