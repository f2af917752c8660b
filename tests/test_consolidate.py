"""pipeline.versions.consolidate and load(as_of=): the norms in force before, between and after the
effective dates of 33/2022 (2022-11-22) and 30/2023 (2023-10-24), with the base 04/2021 stated
as not available rather than invented (docs/DOMAIN.md §4.1)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "pdf" / "compact"
PDFS = [SAMPLES / "vinhlong-33-2022.pdf", SAMPLES / "vinhlong-30-2023.pdf"]
N33, N30, N04 = "33/2022/QĐ-UBND", "30/2023/QĐ-UBND", "04/2021/QĐ-UBND"
# Norm rows each decree must publish: the corpus truth's records (data/samples/truth, written from
# the source), every norm table claimed (30/2023 TT1001's "Ghi chú" item | value table included).


def truth_norm_rows(doc_id: str) -> int:
    import json

    truth = SAMPLES.parent.parent / "truth" / "compact" / f"{doc_id}.json"
    return len(json.loads(truth.read_text(encoding="utf-8"))["records"]["norm_items"])


N33_ROWS, N30_ROWS = truth_norm_rows("vinhlong-33-2022"), truth_norm_rows("vinhlong-30-2023")


def truth_records(doc_id: str, pred) -> int:  # noqa: ANN001
    import json

    truth = SAMPLES.parent.parent / "truth" / "compact" / f"{doc_id}.json"
    return sum(1 for r in json.loads(truth.read_text(encoding="utf-8"))["records"]["norm_items"] if pred(r))


def ingested_vinhlong(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two Vĩnh Long decrees ingested ONCE per test session (shared by test_consolidate,
    test_diff, test_report_html and test_exit_codes through the session's base temp dir); the run's
    own publish consolidates them."""
    from pipeline.runs.run import new_run_id, process_entry, publish_results, resolve_entries

    data = tmp_path_factory.getbasetemp() / "vinhlong-ingested"
    done = data / ".done"
    if not done.exists():
        run_id = new_run_id()
        results = [process_entry(e, str(data), run_id) for e in resolve_entries([str(p) for p in PDFS])]
        outcome = publish_results(results, data, run_id)
        assert not outcome.rejected, [r.reject for r in outcome.rejected]
        done.write_text("ok", encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_vinhlong(tmp_path_factory)


@pytest.fixture(scope="module")
def consolidated(data_dir: Path) -> pd.DataFrame:
    from pipeline.versions.asof import load

    return load("norms_consolidated", data_dir=data_dir)


def _norms(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["record_kind"] == "norm"]


def test_every_norm_row_is_consolidated_once_with_its_clause(data_dir: Path, consolidated: pd.DataFrame) -> None:
    from pipeline.versions.asof import load

    items = load("norm_items", data_dir=data_dir)
    norms = _norms(consolidated)
    assert len(norms) == len(items) and norms["consolidated_id"].is_unique
    # the inline model 14 (Điều 1 khoản 1) replaces 04/2021 PL-I/B/14; 30/2023 Điều 1 khoản 1 adds section
    # 7.6 (certification: rows whose rule "Hỗ trợ 100% kinh phí theo thực tế" is in the note); the
    # appendices come with Điều 3a / 3b
    by_clause = {k: set(g) for k, g in norms.groupby("introduced_by_clause")["doc_number"]}
    assert by_clause == {f"{N33}/Đ1.k1": {N33}, f"{N33}/Đ1.k2": {N33}, f"{N30}/Đ1.k1": {N30},
                         f"{N30}/Đ1.k2": {N30}}
    inline = norms[norms["introduced_by_clause"] == f"{N33}/Đ1.k1"]
    model14 = truth_records("vinhlong-33-2022", lambda r: r["table_id"].startswith("a33-m14"))
    assert set(inline["model_path"]) == {f"{N04}/PL-I/B/14"} and len(inline) == model14 == 16
    assert set(inline["introduced_by_operation"]) == {f"replace {N04}/PL-I/B/14"}
    coconut = norms[(norms["doc_number"] == N33) & (norms["model_no"] == "7") & (norms["part"] == "A")]
    assert set(coconut["model_path"]) == {f"{N04}/Điều3a/PL-I/A/7"}
    assert f"{N04}/Điều3a/PL-I/A/7/7.1" in set(coconut["consolidated_path"])
    # dates follow the effective dates of the operations; 30/2023 only adds, so nothing is superseded
    assert set(norms.loc[norms["doc_number"] == N33, "valid_from"]) == {date(2022, 11, 22)}
    assert set(norms.loc[norms["doc_number"] == N30, "valid_from"]) == {date(2023, 10, 24)}
    assert norms["valid_to"].isna().all() and norms["superseded_by_clause"].isna().all()
    assert set(norms["base_doc_number"]) == {N04}


def test_the_unavailable_base_is_stated_not_invented(consolidated: pd.DataFrame) -> None:
    gaps = consolidated[consolidated["record_kind"] == "base_unavailable"].set_index("consolidated_path")
    assert set(gaps.index) == {N04, f"{N04}/PL-I/B/14"}
    b14 = gaps.loc[f"{N04}/PL-I/B/14"]
    assert b14["valid_to"] == date(2022, 11, 22) and b14["superseded_by_clause"] == f"{N33}/Đ1.k1"
    assert b14["valid_from"] == date(2021, 3, 3)  # the signing date the references give, flagged as such
    assert "valid_from_is_signing_date" in list(b14["consolidation_flags"])
    assert b14["consolidation_note"] == (f"{N04} PL-I/B/14: base text not available (cited, not ingested); "
                                         f"replaced by {N33} Đ1.k1 from 2022-11-22")
    assert pd.isna(gaps.loc[N04, "valid_to"]) and "base text not available" in gaps.loc[N04, "consolidation_note"]
    assert gaps["item_text"].isna().all() and gaps["value"].isna().all()  # no invented norm content
    # the inserted 7.6 (certification): its rows print no value, the rule "Hỗ trợ 100% kinh phí theo
    # thực tế" is in the note, so they are text norms brought by 30/2023 Điều 1 khoản 1
    r76 = _norms(consolidated)[_norms(consolidated)["consolidated_path"].str.startswith(f"{N04}/Điều3a/PL-I/A/7/7.6")]
    assert len(r76) == truth_records("vinhlong-30-2023", lambda r: r["table_id"] == "a30-d1-k1-s76") == 2
    assert set(r76["introduced_by_clause"]) == {f"{N30}/Đ1.k1"} and set(r76["valid_from"]) == {date(2023, 10, 24)}
    assert set(r76["model_path"]) == {f"{N04}/Điều3a/PL-I/A/7"} and set(r76["value_kind"]) == {"text"}


@pytest.mark.parametrize(("day", "docs", "gap_paths"), [
    ("2021-01-01", set(), set()),                                  # before the base was even signed
    ("2022-11-21", set(), {N04, f"{N04}/PL-I/B/14"}),              # only the (unavailable) base
    ("2022-11-22", {N33}, {N04}),                                  # 33/2022 in force from its first day
    ("2023-01-01", {N33}, {N04}),
    ("2023-10-23", {N33}, {N04}),
    ("2023-10-24", {N33, N30}, {N04}),                             # 30/2023 adds Điều 3b and 7.6
    ("2025-06-30", {N33, N30}, {N04}),
])
def test_load_as_of(data_dir: Path, consolidated: pd.DataFrame, day: str, docs: set[str], gap_paths: set[str]) -> None:
    from pipeline.versions.asof import load

    now = load("norm_items", as_of=day, data_dir=data_dir)
    assert set(_norms(now)["doc_number"]) == docs
    assert set(now.loc[now["record_kind"] == "base_unavailable", "consolidated_path"]) == gap_paths
    expected = _norms(consolidated)[_norms(consolidated)["doc_number"].isin(docs)]
    assert sorted(_norms(now)["consolidated_id"]) == sorted(expected["consolidated_id"])
    has_76 = f"{N04}/Điều3a/PL-I/A/7/7.6" in set(now["consolidated_path"])
    assert has_76 == (N30 in docs)
    if docs == {N33, N30}:  # the union of Điều 3a, Điều 3b and the inserted 7.6, nothing double counted
        assert set(_norms(now)["introduced_by_clause"]) == {f"{N33}/Đ1.k1", f"{N33}/Đ1.k2", f"{N30}/Đ1.k1",
                                                            f"{N30}/Đ1.k2"}
        assert now["consolidated_id"].is_unique


def test_cli_consolidate_as_of(data_dir: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.app.cli import app

    runner = CliRunner()
    before = runner.invoke(app, ["consolidate", "--as-of", "2022-06-01", "--data-dir", str(data_dir)])
    assert before.exit_code == 0, before.output
    assert "in force on 2022-06-01: 0 norm rows" in before.output
    assert f"not available: {N04} PL-I/B/14: base text not available" in before.output
    between = runner.invoke(app, ["consolidate", "--as-of", "2023-01-01", "--data-dir", str(data_dir)])
    assert between.exit_code == 0 and f"in force on 2023-01-01: {N33_ROWS} norm rows in 30 models" in between.output
    assert f"{N04}/Điều3a/PL-I/A/7  7. MÔ HÌNH TRỒNG MỚI, THÂM CANH DỪA HỮU CƠ" in between.output
    bad = runner.invoke(app, ["consolidate", "--as-of", "31/02/2023", "--data-dir", str(data_dir)])
    assert bad.exit_code == 2 and "InvalidAsOfDate" in bad.output


def test_as_of_without_a_consolidation_names_the_command(tmp_path: Path) -> None:
    from pipeline.core.errors import DatasetNotPublished
    from pipeline.versions.asof import load

    with pytest.raises(DatasetNotPublished, match="decree consolidate"):
        load("norm_items", as_of="2023-01-01", data_dir=tmp_path)


def test_parse_as_of_forms() -> None:
    from pipeline.core.errors import ConsolidationError
    from pipeline.versions.asof import parse_as_of

    assert parse_as_of("2023-10-24") == parse_as_of("24/10/2023") == date(2023, 10, 24)
    with pytest.raises(ConsolidationError):
        parse_as_of("hôm nay")


def _doc_row(letter: str, **fields: object) -> dict[str, object]:
    """A documents row with the fields the schema requires (synthetic provenance)."""
    return {"doc_sha256": letter * 64, "source": f"{letter}.pdf", "file_name": f"{letter}.pdf", "size_bytes": 1,
            "page_count": 1, "parser_version": "test", "extracted_at": pd.Timestamp("2026-01-01", tz="UTC"), **fields}


def test_supersession_follows_operations_in_date_order() -> None:
    """A later replace ends the rows under its target from its effective date (synthetic frames:
    the corpus has no replacement of an ingested provision)."""
    from pipeline.core.keys import norm_address
    from pipeline.records.datasets import frame
    from pipeline.versions.asof import in_force
    from pipeline.versions.consolidate import consolidate

    docs = frame("documents", [
        _doc_row("a", doc_number="1/2020/QĐ-UBND", effective_date=date(2020, 1, 1)),
        _doc_row("b", doc_number="2/2021/QĐ-UBND", effective_date=date(2021, 1, 1)),
    ])
    rows = [
        {"doc_sha256": "a" * 64, "doc_number": "1/2020/QĐ-UBND", "table_index": 0, "row": 1, "value_col": 2,
         "appendix": "Phụ lục I", "part": "A", "model_no": "3", "section_no": "3.1", "item_text": "Giống",
         "instrument": "1-2020-QD-UBND", "provision": "PL", "appendix_key": "PHU_LUC_I", "item_position": "1"},
        {"doc_sha256": "b" * 64, "doc_number": "2/2021/QĐ-UBND", "table_index": 0, "row": 1, "value_col": 2,
         "model_no": "3", "section_no": "3.1", "item_text": "Giống",
         "instrument": "2-2021-QD-UBND", "provision": "DIEU_1", "item_position": "1"},
    ]
    items = frame("norm_items", [{**r, "page": 1, "family": "norm", "value_raw": "1", "norm_address": norm_address(r)}
                                 for r in rows])
    assert items.norm_address.tolist() == ["1-2020-QD-UBND/PL/PHU_LUC_I/A/3/3.1/-/-/1/-",
                                           "2-2021-QD-UBND/DIEU_1/-/-/3/3.1/-/-/1/-"]
    amend = frame("amendments", [
        {"doc_sha256": "b" * 64, "amendment_index": 0, "amending_doc_number": "2/2021/QĐ-UBND",
         "operation": "replace", "operation_raw": "thay thế", "target_doc_number": "1/2020/QĐ-UBND", "target_path": "1/2020/QĐ-UBND/PL-I/A/3",
         "source_label": "2/2021/QĐ-UBND/Đ1.k1", "source_appendices": [], "source_sections": ["3.1"],
         "effective_date": date(2021, 1, 1), "page": 1},
    ])
    out = consolidate(items, amend, docs)
    old = out[out["doc_number"] == "1/2020/QĐ-UBND"].iloc[0]
    assert (old["valid_from"], old["valid_to"], old["superseded_by_clause"]) == (
        date(2020, 1, 1), date(2021, 1, 1), "2/2021/QĐ-UBND/Đ1.k1")
    assert set(in_force(out, "2020-06-01")["doc_number"]) == {"1/2020/QĐ-UBND"}
    assert set(in_force(out, "2021-01-01")["doc_number"]) == {"2/2021/QĐ-UBND"}


# ---- what documents say twice or differently is flagged, never fatal ------------------------------
def _op(sha: str, number: str, op: str, path: str, clause: str) -> dict:
    return {"doc_sha256": sha, "amendment_index": int(clause[-1]), "amending_doc_number": number, "operation": op,
            "operation_raw": op, "target_doc_number": path.split("/Điều")[0], "target_path": path,
            "source_label": f"{number}/{clause}", "source_appendices": [], "source_sections": [],
            "effective_date": date(2024, 1, 1), "clause_text": "…", "page": 1, "legal_flags": []}


def test_repeated_and_conflicting_operations_become_flags_not_a_failure() -> None:
    from pipeline.records.datasets import frame
    from pipeline.records.validate import validate_frame
    from pipeline.versions.consolidate import consolidate

    base = "2221/QĐ-UBND"
    amendments = frame("amendments", [
        _op("a" * 64, "1/QĐ-UBND", "replace", base, "Đ1"),  # the same operation stated twice in one text
        _op("a" * 64, "1/QĐ-UBND", "replace", base, "Đ2"),
        _op("b" * 64, "2/QĐ-UBND", "replace", f"{base}/Điều5", "Đ1"),  # two texts replace one article
        _op("c" * 64, "3/QĐ-UBND", "replace", f"{base}/Điều5", "Đ1"),
    ])
    documents = frame("documents", [_doc_row(s, doc_number=f"{i}/QĐ-UBND") for i, s in enumerate("abc", 1)])
    out = consolidate(frame("norm_items", []), amendments, documents)
    validate_frame("norms_consolidated", out)  # a unique key: publishing cannot fail on it
    flags = {r.consolidated_id: list(r.consolidation_flags) for r in out.itertuples()}
    whole = [k for k in flags if k.startswith("provision_without_norms:") and k.split(":", 1)[1] == base]
    assert len(whole) == 1 and "repeated_operation" in flags[whole[0]]
    art = sorted(k for k in flags if k.startswith(f"provision_without_norms:{base}/Điều5"))
    assert len(art) == 2 and all("conflicting_operations" in flags[k] for k in art)
