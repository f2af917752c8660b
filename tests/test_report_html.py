"""pipeline.versions.report_html: the diff report is one self-contained page that headless Chromium renders
with the model titles, the highlighted changes, the values and the page links visible."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_consolidate import N30, N33, ingested_vinhlong
from test_diff import COCONUT

from pipeline.versions.diff import diff
from pipeline.versions.report_html import render_html

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, object]:
    from pipeline.store.read import load

    data = ingested_vinhlong(tmp_path_factory)
    consolidated = load("norms_consolidated", data_dir=data)
    # one real value change, so the page has a highlighted change to show (the corpus coconut has none)
    edited = consolidated.copy()
    i = edited.index[(edited["doc_number"] == N30) & (edited["model_no"] == "1") & (edited["part"] == "A")
                     & (edited["item_text"] == "Phân khoáng hữu cơ (bón qua rễ)")
                     & (edited["period_type"] == "chuyen_doi_2")][0]
    edited.loc[i, ["value", "value_raw"]] = [Decimal(450), "450"]
    result = diff(edited, N33, N30, model_filter="dừa")
    docs = load("documents", data_dir=data)
    result.sources = {r.doc_sha256: str(r.source) for r in docs.itertuples(index=False)}
    return render_html(result), result


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for k, v in attrs:
            if k in ("src", "href") and v:
                self.refs.append((tag, k, v))


def test_the_page_is_self_contained(report) -> None:  # noqa: ANN001
    html, _ = report
    p = _Refs()
    p.feed(html)
    assert "<script" not in html and "@import" not in html and "url(" not in html
    assert not [r for r in p.refs if r[0] in ("link", "script", "img", "iframe")]
    links = [v for t, k, v in p.refs if t == "a"]
    # only in-page anchors and links back to the source PDFs' pages
    assert all(v.startswith("#m") or re.search(r"\.pdf#page=\d+$", v) for v in links), links
    assert any(v.endswith("vinhlong-33-2022.pdf#page=28") for v in links)
    assert any(v.endswith("vinhlong-30-2023.pdf#page=3") for v in links)


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.fail(f"{CHROMIUM} is missing: the test setup installs Debian's chromium (apt-get install chromium)")
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, check=False)


def test_chromium_renders_titles_changes_and_values(report, tmp_path: Path) -> None:  # noqa: ANN001
    html, result = report
    page = tmp_path / "diff.html"
    page.write_text(html, encoding="utf-8")
    dom = _chromium(["--dump-dom", page.as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout
    # the DOM Chromium built (not our string): titles, the match decision, the changed row and its values
    assert "7. MÔ HÌNH TRỒNG MỚI, THÂM CANH DỪA HỮU CƠ" in text and "1. MÔ HÌNH THÂM CANH DỪA HỮU CƠ" in text
    assert re.search(r"title_structure</span> score 0\.82", text)
    changed = re.findall(r'<tr class="changed">(.*?)</tr>', text, re.S)
    assert len(changed) == 1
    assert "Phân khoáng hữu cơ (bón qua rễ)" in changed[0]
    assert re.search(r'val-a">400<', changed[0]) and re.search(r'val-b">450<', changed[0])
    assert "50 kg (+12.5%)" in changed[0]
    assert len(re.findall(r'<tr class="removed">', text)) == 17
    assert len(re.findall(r'<tr class="unchanged">', text)) == 22
    assert "Năng suất ổn định" in text and "32.000" in text
    assert "(unlabelled block 3)" in text and "read as 'kinh_doanh'" in text

    shot = tmp_path / "diff.png"
    res = _chromium(["--screenshot=" + str(shot), "--window-size=1400,1200", page.as_uri()], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert _has_highlight(shot), "the changed/removed rows' highlight colours are not visible in the screenshot"
    assert len(result.rows) == len(COCONUT)  # the DOMAIN §4.2 rows, tests/test_diff.py


def _has_highlight(png: Path) -> bool:
    """The screenshot shows the removed-row background (#fbe0e0) or the changed-value one (#ffd966)."""
    import matplotlib.image as mpimg

    img = mpimg.imread(str(png))
    rgb = (img[..., :3] * 255).round().astype(int).reshape(-1, 3)
    colours = {tuple(c) for c in rgb[:: max(1, len(rgb) // 200000)]}
    return (251, 224, 224) in colours or (255, 217, 102) in colours
