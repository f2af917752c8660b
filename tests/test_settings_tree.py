"""The one tree of extraction settings: overrides by dotted name, validated before any work,
changing what is read, recorded with the document (extractors/settings.py, extractors/overrides.py,
the manifest's ``settings:``, ``decree ingest --setting``)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from extractors.overrides import parse_assignments
from extractors.settings import ExtractionSettings
from extractors.table_settings import TableSettings
from pipeline.core.errors import InvalidSetting, ManifestError
from pipeline.sources.manifest import load_manifest

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
# a table of a Word export continued on the next page, where Word moved the rulings by a point
CONTINUED = REAL / "t01_p24-25.pdf"


def test_the_tree_holds_every_readers_settings_by_dotted_name() -> None:
    names = ExtractionSettings.names()
    for name in ("column_gap_em", "tables.grid_tol", "masthead.column_gap", "triage.min_words",
                 "triage.legacy.min_gain", "ocr.dpi"):
        assert name in names
    assert len(names) == len(set(names))
    s = ExtractionSettings.from_mapping({"tables.grid_tol": "6", "column_gap_em": 4, "triage.legacy.min_gain": "0.4",
                                         "ocr.deskew": "no", "ocr.dpi": "300"})
    assert (s.tables.grid_tol, s.column_gap_em, s.triage.legacy.min_gain, s.ocr.deskew, s.ocr.dpi) == \
        (6.0, 4.0, 0.4, False, 300)
    assert isinstance(s.tables, TableSettings) and s.tables.min_edges_for_table == TableSettings().min_edges_for_table
    assert s.overrides() == {"column_gap_em": 4.0, "ocr.deskew": False, "ocr.dpi": 300, "tables.grid_tol": 6.0,
                             "triage.legacy.min_gain": 0.4}
    assert ExtractionSettings().overrides() == {} and ExtractionSettings().key() == "{}"
    assert ExtractionSettings.resolve(None) == ExtractionSettings.resolve({}) == ExtractionSettings()


@pytest.mark.parametrize(("overrides", "says"), [
    ({"tables.grid": 1}, "unknown setting 'tables.grid'; did you mean tables.grid_tol"),
    ({"no_such_setting": 1}, "unknown setting 'no_such_setting'"),
    ({"tables": 1}, "'tables' is a group of settings"),
    ({"tables.min_edges_for_table": "2.5"}, "'tables.min_edges_for_table' is a whole number"),
    ({"tables.grid_tol": "wide"}, "'tables.grid_tol' is a finite number"),
    ({"tables.grid_tol": True}, "'tables.grid_tol' is a finite number"),
    ({"tables.grid_tol": "nan"}, "'tables.grid_tol' is a finite number"),
    ({"ocr.deskew": "maybe"}, "'ocr.deskew' is true or false"),
    ({"tables.grid_tol": -1}, "tables.grid_tol: TableSettings.grid_tol must be >= 0"),
    ({"triage.legacy.min_gain": 2}, "triage.legacy.min_gain: LegacySettings"),
    ({"header_band": 0.95}, "header_band: ExtractionSettings.header_band must lie above footer_band"),
])
def test_a_bad_override_is_an_error_naming_the_setting(overrides: dict, says: str) -> None:
    with pytest.raises(InvalidSetting, match=None) as err:
        ExtractionSettings.from_mapping(overrides)
    assert says in str(err.value)
    with pytest.raises(InvalidSetting):
        ExtractionSettings.check(overrides)


def test_command_line_assignments() -> None:
    assert parse_assignments(["tables.grid_tol=6", "ocr.languages = vie+eng", "tables.grid_tol=7"]) == \
        {"tables.grid_tol": "7", "ocr.languages": "vie+eng"}
    with pytest.raises(InvalidSetting, match="NAME=VALUE"):
        parse_assignments(["tables.grid_tol"])


def test_an_override_changes_what_is_read_and_is_recorded() -> None:
    """With no tolerance for the column grid, the table continued on page 2 (rulings moved by a
    point) is no longer recognised as the same table; the defaults stitch it."""
    from extractors.document import extract_document

    default = extract_document(CONTINUED, ocr=None)
    strict = extract_document(CONTINUED, ocr=None, settings={"tables.grid_tol": 0})
    assert default.settings == {}
    assert strict.settings == {"tables.grid_tol": 0.0}
    assert [t.pages for t in default.tables][0] == [1, 2]
    assert [1, 2] not in [t.pages for t in strict.tables]
    assert len(strict.tables) == len(default.tables) + 1
    # split, nothing lost (the repeated header row on page 2 is kept as the second table's header)
    lost = Counter(c.text for t in default.tables for c in t.cells) - Counter(c.text for t in strict.tables
                                                                           for c in t.cells)
    assert not lost
    from pipeline.records.datasets import document_frames

    recorded = [document_frames(d, "x.pdf")["documents"]["extraction_settings"].iloc[0] for d in (default, strict)]
    assert recorded == ["{}", '{"tables.grid_tol": 0.0}']


def test_manifest_settings_are_checked_and_typed(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")

    def manifest(settings: object) -> Path:
        path = tmp_path / "m.yaml"
        docs = [{"id": "other", "source": "a.pdf"}, {"id": "a", "source": "a.pdf", "settings": settings}]
        path.write_text(yaml.safe_dump({"documents": docs}), encoding="utf-8")
        return path

    entry = load_manifest(manifest({"tables.grid_tol": 6, "column_gap_em": "4"})).entries[1]
    assert entry.settings_map == {"tables.grid_tol": 6.0, "column_gap_em": 4.0}
    assert entry.with_settings({"tables.grid_tol": "2"}).settings_map == {"tables.grid_tol": 2.0, "column_gap_em": 4.0}
    for bad, says in (({"tables.grid": 6}, "unknown setting 'tables.grid'"), (["tables.grid_tol"], "mapping"),
                      ({"tables.max_header_rows": "two"}, "whole number")):
        with pytest.raises(ManifestError) as err:
            load_manifest(manifest(bad))
        assert says in str(err.value) and "entry 'a'" in str(err.value) and "(line 4)" in str(err.value)


def test_bad_setting_fails_before_any_work(tmp_path: Path) -> None:
    from pipeline.app.cli import app

    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(CONTINUED.read_bytes())
    data = tmp_path / "data"
    bad_manifest = tmp_path / "m.yaml"
    bad_manifest.write_text(yaml.safe_dump({"documents": [{"id": "a", "source": "a.pdf",
                                                           "settings": {"tables.gridtol": 1}}]}), encoding="utf-8")
    runner = CliRunner()
    for args, says in (([str(pdf), "--setting", "tables.gridtol=6"], "tables.gridtol"),
                       ([str(pdf), "--setting", "tables.grid_tol=wide"], "tables.grid_tol"),
                       ([str(pdf), "--setting", "grid_tol"], "NAME=VALUE"),
                       ([str(bad_manifest)], "tables.gridtol")):
        res = runner.invoke(app, ["ingest", *args, "--data-dir", str(data), "--no-prefect"])
        assert res.exit_code == 2, res.output
        assert says in res.output
        assert not data.exists() or not any(data.rglob("*.pdf")), "nothing may be fetched"
