"""One run, one publish; queries never write; one exit-code table for every command
(``pipeline.app.exits``), each command checked against it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from deltalake import DeltaTable
from test_consolidate import N30, N33, PDFS, ingested_vinhlong
from typer.testing import CliRunner

from pipeline.app.cli import app
from pipeline.app.exits import MEANING, ExitCode, exit_code
from pipeline.core import errors
from pipeline.store.tables import run_records

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_vinhlong(tmp_path_factory)


def state(data_dir: Path) -> dict[str, object]:
    """Every table's latest Delta version and every file under parquet/ (names and sizes)."""
    root = data_dir / "parquet"
    tables = {p.name: DeltaTable(str(p)).version() for p in sorted(root.iterdir())
              if p.is_dir() and DeltaTable.is_deltatable(str(p))}
    files = {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}
    return {"tables": tables, "files": files}


def invoke(*args: str | Path) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_one_run_publishes_documents_and_what_is_derived_from_them_under_one_run_id(data_dir: Path) -> None:
    # the shared data dir may also hold runs of other tests (a published diff): the ingest is one run
    records = [r for r in run_records(data_dir) if "norm_items" in r["tables"]]
    assert len(records) == 1, [r["run_id"] for r in records]
    run = records[0]
    for name in ("norm_items", "documents", "amendments", "norms_consolidated", "citation_nodes", "citation_edges"):
        assert name in run["tables"], name
        version = run["snapshot"][name]
        meta = next(h for h in DeltaTable(str(data_dir / "parquet" / name)).history() if h["version"] == version)
        assert meta["run_id"] == run["run_id"] and meta["publish_action"] == "publish", name


QUERIES = [
    ("consolidate", "--as-of", "2023-01-01"),
    ("consolidate", "--as-of", "2022-06-01", "--rows"),
    ("diff", N33, N30),
    ("diff", "2022-06-01", "2024-01-01", "--all"),
    ("show", "norm_items", "--limit", "3"),
    ("show", "norms_consolidated", "--version", "0"),
    ("versions", "norm_items"),
]


@pytest.mark.parametrize("args", QUERIES, ids=[" ".join(q[:2]) for q in QUERIES])
def test_queries_never_write(data_dir: Path, args: tuple[str, ...]) -> None:
    before = state(data_dir)
    res = invoke(*args, "--data-dir", data_dir)
    assert res.exit_code == 0, res.output
    assert state(data_dir) == before


def test_the_table_is_complete_and_documented() -> None:
    assert set(MEANING) == set(ExitCode)
    top = invoke("--help")
    for code in ExitCode:
        assert f"{int(code):>2}  {MEANING[code][:30]}" in " ".join(top.output.split("\n")), code
    cli_doc = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert all(f"{int(c):>2}  " in cli_doc for c in ExitCode)


@pytest.mark.parametrize(("exc", "code"), [
    (errors.ManifestError("bad"), ExitCode.USAGE),
    (errors.InvalidAsOfDate("x"), ExitCode.USAGE),
    (KeyError("no dataset"), ExitCode.USAGE),
    (errors.DatasetNotPublished("x"), ExitCode.NOT_FOUND),
    (errors.VersionNotFound("x"), ExitCode.NOT_FOUND),
    (errors.ConsolidationError("x"), ExitCode.NOT_FOUND),
    (errors.PublishFailed("x"), ExitCode.RUN_FAILED),
    (errors.PublishInputError("x"), ExitCode.RUN_FAILED),
    (errors.EncryptedPdf("x"), ExitCode.REJECTS),
    (errors.NotAPdf("x"), ExitCode.REJECTS),
    (PermissionError("x"), ExitCode.OUTPUT),
    (ZeroDivisionError(), ExitCode.INTERNAL),
])
def test_error_classes_map_to_the_table(exc: BaseException, code: ExitCode) -> None:
    assert exit_code(exc) == code


def test_each_command_exits_with_the_code_of_the_table(data_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    html = tmp_path / "page.pdf"
    html.write_bytes(b"<!DOCTYPE html><html><body>404</body></html>")
    cases = [
        (("bogus-command",), ExitCode.USAGE),
        (("show", "no_such_dataset", "--data-dir", data_dir), ExitCode.USAGE),
        (("show", "norm_items", "--where", "no_col=1", "--data-dir", data_dir), ExitCode.USAGE),
        (("show", "norm_items", "--data-dir", empty), ExitCode.NOT_FOUND),
        (("show", "norm_items", "--version", "999", "--data-dir", data_dir), ExitCode.NOT_FOUND),
        (("versions", "norm_items", "--data-dir", empty), ExitCode.NOT_FOUND),
        (("consolidate", "--as-of", "31/02/2023", "--data-dir", data_dir), ExitCode.USAGE),
        (("consolidate", "--as-of", "2023-01-01", "--data-dir", empty), ExitCode.NOT_FOUND),
        (("consolidate", "--data-dir", empty), ExitCode.NOT_FOUND),
        (("diff", "99/2099/QĐ-UBND", N30, "--data-dir", data_dir), ExitCode.NOT_FOUND),
        (("diff", N33, N30, "--html", tmp_path / "no" / "dir" / "x.html", "--data-dir", data_dir), ExitCode.OUTPUT),
        (("extract", html), ExitCode.REJECTS),
        (("extract", tmp_path / "missing.pdf"), ExitCode.USAGE),
        (("ingest", tmp_path / "missing.yaml", "--no-prefect", "--data-dir", empty), ExitCode.USAGE),
        (("samples", "--samples-dir", empty), ExitCode.NOT_FOUND),
    ]
    before = state(data_dir)
    for args, code in cases:
        res = invoke(*args)
        assert res.exit_code == code, (args, res.output)
        assert "Traceback" not in res.output, args
    assert state(data_dir) == before
    assert not (empty / "parquet").exists() or not any((empty / "parquet").rglob("*.json"))


def test_ingest_of_a_rejected_document_exits_1_and_publishes_the_reject(tmp_path: Path) -> None:
    html = tmp_path / "page.pdf"
    html.write_bytes(b"<!DOCTYPE html><html><body>404</body></html>")
    res = invoke("ingest", html, "--no-prefect", "--data-dir", tmp_path / "d")
    assert res.exit_code == ExitCode.REJECTS, res.output
    assert "NotAPdf" in res.output and "0 published, 1 rejected" in res.output
    assert len(run_records(tmp_path / "d")) == 1


@pytest.fixture
def copied(data_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the ingested data dir (its cache makes re-ingesting the decrees cheap)."""
    out = tmp_path / "data"
    shutil.copytree(data_dir, out)
    return out


def test_a_reingest_exits_0_as_one_more_run(copied: Path) -> None:
    n_before = len(run_records(copied))
    res = invoke("ingest", *PDFS, "--no-prefect", "--data-dir", copied)
    assert res.exit_code == ExitCode.OK, res.output
    assert "2 published, 0 rejected" in res.output and "unchanged" in res.output
    records = run_records(copied)  # nothing changed: one more run, pinning the same versions
    assert len(records) == n_before + 1 and records[-1]["tables"] == {}
    assert records[-1]["snapshot"] == records[-2]["snapshot"]
    res = invoke("ingest", *PDFS, "--no-prefect", "--full", "--data-dir", copied)
    assert res.exit_code == ExitCode.OK, res.output
    records = run_records(copied)  # --full: everything published again
    assert len(records) == n_before + 2 and "norms_consolidated" in records[-1]["tables"]


def _duplicate_consolidation(inputs: dict) -> dict:  # the failure seen on real documents
    from pipeline.versions.consolidate import derived_frames

    out = derived_frames(inputs)
    out["norms_consolidated"] = pd.concat([out["norms_consolidated"]] * 2, ignore_index=True)
    return out


def _broken_consolidation(inputs: dict) -> dict:
    raise RuntimeError("consolidation bug")


@pytest.mark.parametrize("derive", [_duplicate_consolidation, _broken_consolidation])
def test_a_failing_consolidation_fails_the_run_and_publishes_nothing(copied: Path, derive,  # noqa: ANN001
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.runs.derived as derived

    monkeypatch.setattr(derived, "derived_frames", derive)
    before, n_before = state(copied), len(run_records(copied))
    res = invoke("ingest", *PDFS, "--no-prefect", "--full", "--data-dir", copied)  # --full: derive again
    assert res.exit_code == ExitCode.RUN_FAILED, res.output
    assert "nothing was published" in res.output and "Traceback" not in res.output
    after = state(copied)
    assert after["tables"] == before["tables"] and len(run_records(copied)) == n_before
