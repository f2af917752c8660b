"""The real corpus (``<repo>/../shared/real``, absent in CI): TCVN3 documents read as their
transcripts, and every page triaged as the golden files (written by people reading the pages) say.
Slow: run with ``-m slow``."""

from __future__ import annotations

import pytest

from bench import real_legacy as rl

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not rl.REAL.exists(), reason="real corpus ../shared/real not present")]


@pytest.mark.parametrize("prefix", rl.LEGACY_DOCS)
def test_tcvn3_documents_recover_their_transcripts(prefix):
    truth = next((rl.REAL / "transcripts").glob(f"{prefix}_*.groundtruth.txt")).read_text(encoding="utf-8")
    r = rl.recovery(truth, rl.ours_text(rl.real_file(prefix)))
    assert r["recovered"] >= 0.995, r
    assert r["precision"] >= 0.98, r


def test_every_page_triaged_as_the_golden_files_say():
    if not any(rl.GOLDEN.glob("*.json")):
        pytest.skip("golden files tests/golden/real/ not present")
    m = rl.measure_triage()
    assert m["judged"] > 0
    assert m["errors"] == [], "\n".join(m["errors"])
