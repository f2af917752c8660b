"""The manifest loader, its validation errors, and command-line sources."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pytest
import yaml

from pipeline.core.errors import ManifestError
from pipeline.sources.fetch import fetch
from pipeline.sources.manifest import Hints, ManifestEntry, entries_from_args, load_manifest, parse_manifest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
SHA = "a" * 64


def write(tmp_path: Path, data: object, name: str = "manifest.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_bundled_manifest_parses_unchanged_and_its_checksums_hold(tmp_path: Path) -> None:
    m = load_manifest(SAMPLES / "manifest.yaml")
    raw = yaml.safe_load((SAMPLES / "manifest.yaml").read_text(encoding="utf-8"))
    assert m.description == raw["description"]
    assert [e.id for e in m.entries] == [d["id"] for d in raw["documents"]]
    pdfs = sorted(str(p) for p in (SAMPLES / "pdf").rglob("*.pdf"))
    assert sorted(e.source for e in m.entries) == pdfs
    for entry, doc in zip(m.entries, raw["documents"], strict=True):
        assert entry.path == (SAMPLES / doc["source"]).resolve()
        assert entry.sha256 == hashlib.sha256(entry.path.read_bytes()).hexdigest()
        assert entry.hints.producer_style == entry.id.split("/")[0]
        assert entry.hints.as_dict() == doc["hints"]
    bentre = next(e for e in m.entries if e.id == "gov/bentre-2835-2018")
    assert bentre.hints == Hints(province="Bến Tre", doc_type="Kế hoạch", producer_style="gov")
    # fetching every bundled entry verifies each manifest sha256 against the bytes
    records = [fetch(e, tmp_path) for e in m.entries]
    assert [r.sha256 for r in records] == [e.sha256 for e in m.entries]


def test_relative_sources_resolve_against_the_manifest_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "sub", {"documents": [
        {"id": "a", "source": "pdfs/a.pdf"},
        {"id": "b", "source": "../b.pdf", "sha256": SHA.upper()},
        {"id": "c", "source": "https://example.gov.vn/van-ban/QD%2030.pdf"},
        {"id": "d", "source": f"file://{tmp_path}/d.pdf"},
        {"id": "e", "source": str(tmp_path / "abs.pdf")},
    ]})
    monkeypatch.chdir(REPO)  # the current folder does not matter
    a, b, c, d, e = load_manifest(path).entries
    assert a.source == str(tmp_path / "sub" / "pdfs" / "a.pdf") and not a.is_url
    assert b.source == str(tmp_path / "b.pdf") and b.sha256 == SHA  # normalized to lower case
    assert c.source == "https://example.gov.vn/van-ban/QD%2030.pdf" and c.is_url
    assert d.source == str(tmp_path / "d.pdf")
    assert e.source == str(tmp_path / "abs.pdf")
    assert a.hints == Hints()
    with pytest.raises(ValueError):
        _ = c.path


def test_text_is_nfc_and_hint_alias(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Vĩnh Long")
    path = write(tmp_path, {"documents": [{"id": unicodedata.normalize("NFD", "vĩnh-long/30"), "source": "x.pdf",
                                           "hints": {"province": nfd, "document_type": "Quyết định"}}]})
    (entry,) = load_manifest(path).entries
    assert entry.id == unicodedata.normalize("NFC", "vĩnh-long/30")
    assert entry.hints.province == "Vĩnh Long" == unicodedata.normalize("NFC", nfd)
    assert entry.hints.doc_type == "Quyết định"


@pytest.mark.parametrize(("documents", "message", "entry"), [
    ([{"source": "a.pdf"}], "missing required key 'id'", 1),
    ([{"id": "a"}], "missing required key 'source'", "a"),
    ([{"id": "a", "source": "a.pdf", "sha265": SHA}], "unknown key(s) sha265", "a"),
    ([{"id": "a", "source": "a.pdf", "sha256": "abc"}], "64 hexadecimal digits", "a"),
    ([{"id": "a", "source": "a.pdf"}, {"id": "a", "source": "b.pdf"}], "duplicate id (also entry #1)", "a"),
    ([{"id": 2021, "source": "a.pdf"}], "'id' must be a string", 1),
    ([{"id": " a", "source": "a.pdf"}], "without surrounding spaces", " a"),
    ([{"id": "a", "source": ""}], "'source' must be a non-empty string", "a"),
    ([{"id": "a", "source": "ftp://host/a.pdf"}], "unsupported source scheme 'ftp'", "a"),
    ([{"id": "a", "source": "https:///a.pdf"}], "URL has no host", "a"),
    ([{"id": "a", "source": "a.pdf", "hints": {"provinse": "Cà Mau"}}], "unknown hint 'provinse'", "a"),
    ([{"id": "a", "source": "a.pdf", "hints": ["Cà Mau"]}], "'hints' must be a mapping", "a"),
    ([{"id": "a", "source": "a.pdf", "hints": {"doc_type": "A", "document_type": "B"}}], "given twice", "a"),
    (["a.pdf"], "an entry must be a mapping", 1),
])
def test_entry_errors_name_the_entry(tmp_path: Path, documents: list, message: str, entry: object) -> None:
    path = write(tmp_path, {"documents": documents})
    with pytest.raises(ManifestError) as info:
        load_manifest(path)
    assert message in str(info.value)
    assert info.value.entry == entry
    assert info.value.manifest == str(path)
    assert str(path) in str(info.value)
    assert info.value.code == "ManifestError" and info.value.retryable is False


@pytest.mark.parametrize(("text", "message"), [
    ("documents: [", "not valid YAML"),
    ("- id: a\n  source: a.pdf\n", "must be a mapping with a 'documents' list"),
    ("description: x\n", "'documents' must be a list"),
    ("documents: []\ndefaults: {}\n", "unknown top-level key(s) defaults"),
])
def test_file_level_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        load_manifest(path)
    assert message in str(info.value) and info.value.entry is None


def test_missing_manifest_file(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read manifest"):
        load_manifest(tmp_path / "nope.yaml")


def test_parse_manifest_is_pure() -> None:
    m = parse_manifest({"documents": [{"id": "x", "source": "x.pdf"}]}, Path("/base"))
    assert m.path is None and m.entries == (ManifestEntry("x", "/base/x.pdf"),)


def test_entries_from_args(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    entries = entries_from_args([
        "https://snnptnt.vinhlong.gov.vn/files/30-2023-QD-UBND.pdf?download=1",
        "data/samples/pdf/gov/vinhlong-30-2023.pdf",
        "data/samples/pdf",  # a folder: every PDF below it, ids relative to it
        "data/samples/manifest.yaml",  # a manifest: its entries (same sources: kept once)
        "http://example.org/",
    ])
    assert entries[0] == ManifestEntry("30-2023-QD-UBND",
                                       "https://snnptnt.vinhlong.gov.vn/files/30-2023-QD-UBND.pdf?download=1")
    assert entries[1] == ManifestEntry("vinhlong-30-2023", str(SAMPLES / "pdf" / "gov" / "vinhlong-30-2023.pdf"))
    folder = entries[2:11]  # gov/vinhlong-30-2023 was already given, so 9 of the 10
    assert [e.id for e in folder] == sorted(e.id for e in folder)
    assert "compact/bentre-2835-2018" in {e.id for e in folder}
    assert all(e.sha256 is None for e in folder)
    assert entries[11] == ManifestEntry("example.org", "http://example.org/")
    assert len(entries) == 12


def test_entries_from_args_disambiguates_ids_and_rejects_typos(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "qd.pdf").write_bytes(b"%PDF-1.4\n")
    entries = entries_from_args(["a/qd.pdf", "b/qd.pdf", "a/qd.pdf"], cwd=tmp_path)
    assert [(e.id, e.source) for e in entries] == [("qd", str(tmp_path / "a" / "qd.pdf")),
                                                   ("qd-2", str(tmp_path / "b" / "qd.pdf"))]
    with pytest.raises(ManifestError, match="no such file or folder") as info:
        entries_from_args(["a/qđ.pdf"], cwd=tmp_path)
    assert info.value.entry == "a/qđ.pdf" and info.value.manifest is None
    (tmp_path / "empty").mkdir()
    with pytest.raises(ManifestError, match="holds no .pdf"):
        entries_from_args(["empty"], cwd=tmp_path)
    with pytest.raises(ManifestError, match="unsupported source scheme 's3'"):
        entries_from_args(["s3://bucket/x.pdf"], cwd=tmp_path)


def test_documented_example_parses() -> None:
    import re

    text = (REPO / "docs" / "manifest.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert example is not None
    m = parse_manifest(yaml.safe_load(example.group(1)), Path("/manifests"), "docs/manifest.md")
    assert [e.id for e in m.entries] == ["vinhlong-30-2023", "vinhlong-33-2022", "camau-2025-plan"]
    assert m.entries[0].is_url and m.entries[0].hints.doc_type == "Quyết định"
    assert m.entries[1].source == "/manifests/archive/33-2022-QD-UBND.pdf" and m.entries[1].sha256 is not None


def test_entry_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("documents:\n  - id: a\n    source: a.pdf\n  - id: b\n    source: b.pdf\n    sha265: x\n"
                    "  - id: a\n    source: c.pdf\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"unknown key\(s\) sha265 .*\(line 4\)"):
        load_manifest(path)
    path.write_text("documents:\n  - id: a\n    source: a.pdf\n\n  - id: a\n    source: c.pdf\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"duplicate id .*\(line 5\)"):
        load_manifest(path)
    path.write_text("documents:\n  - id: a\n    source: a.pdf\n  - just a string\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"entry #2.*\(line 4\)"):
        load_manifest(path)
