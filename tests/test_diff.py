"""pipeline.versions.diff and `decree diff`: the organic-coconut comparison of docs/DOMAIN.md §4.2 item by
item, model pairing by title and structure with visible scores, and the related models that
must not be merged."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from test_consolidate import N30, N30_ROWS, N33, N33_ROWS, ingested_vinhlong, truth_records

from pipeline.versions import matching
from pipeline.versions.diff import diff, diff_models, terminal_table
from pipeline.versions.matching import MODEL_THRESHOLD, model_score, select_side


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_vinhlong(tmp_path_factory)


@pytest.fixture(scope="module")
def consolidated(data_dir: Path) -> pd.DataFrame:
    from pipeline.store.read import load

    return load("norms_consolidated", data_dir=data_dir)


@pytest.fixture(scope="module")
def full_diff(consolidated: pd.DataFrame):  # noqa: ANN201
    return diff(consolidated, N33, N30)


P1, P2, P3 = "Trồng mới, chăm sóc năm thứ nhất", "Chăm sóc năm thứ hai, ba", "(unlabelled block 3)"
CD1, CD2 = "Giai đoạn chuyển đổi năm thứ nhất", "Giai đoạn chuyển đổi năm thứ hai (năm đánh giá chứng nhận)"
IRR_A, IRR_B = "Giai đoạn trồng mới hoặc chuyển đổi sang sản xuất hữu cơ", "Giai đoạn chuyển đổi sang sản xuất hữu cơ"
NONE = "(no period column)"
VS, SH, KH, BV = ("Phân hữu cơ vi sinh (bón qua rễ)", "Phân hữu cơ sinh học (bón qua lá, qua rễ)",
                  "Phân khoáng hữu cơ (bón qua rễ)", "Thuốc bảo vệ thực vật sinh học")
# DOMAIN §4.2, organic coconut 33/2022 A.7 -> 30/2023 A.1: (status, section type, item, period A, period B,
# value A as printed, value B as printed). The third, unlabelled 33/2022 block is the conversion stage and
# aligns with both conversion years of 30/2023 (docs/amendments.md); planting, year 2-3 and targets are absent.
COCONUT = sorted([
    *[("removed", "vat_tu", item, P1, None, v, None) for item, v in [
        ("Giống trồng mới", "300"), ("Giống trồng dặm (5% giống trồng mới)", "15"),
        ("Giống cây phân xanh, cây họ đậu trồng xen làm cây che phủ đất", "100"),
        ("Giống cây so đũa, khuynh diệp,..", "200"), ("giống cây gừng, sả,..", "30"),
        (VS, "10"), (SH, "40"), (KH, "250"), (BV, "2.000")]],
    *[("removed", "vat_tu", item, P2, None, v, None) for item, v in [(VS, "10"), (SH, "40"), (KH, "250"),
                                                                    (BV, "2.500")]],
    *[("unchanged", "vat_tu", item, P3, cd, v, v) for cd in (CD1, CD2) for item, v in [
        (VS, "10"), (SH, "60"), (KH, "400"), (BV, "3.000")]],
    *[("unchanged", "csvc", item, NONE, NONE, "3", "03") for item in [
        "Tủ thuốc y tế", "Bảo hộ lao động: Ủng, Quần áo BHLĐ, Khẩu trang, kính, …",
        "Hệ thống bảng báo, hướng dẫn,..", "Hồ sơ tài liệu phục vụ cho việc sản xuất theo tiêu chuẩn hữu cơ"]],
    *[("unchanged", "tuoi", item, IRR_A, IRR_B, "3", "03") for item in [
        "Máy bơm nước (mô tơ điện 2 HP - 3 HP), động cơ bơm nước chạy xăng hoặc dầu,..)",
        "Vật tư lắp đặt (ống PVC, ống ldpe, hdpe, ống pc, béc tưới nước kết hợp phun thuốc bảo vệ thực vật sinh "
        "học và dinh dưỡng, phụ kiện, vật tư thiết bị lắp đặt hệ thống tưới tiên tiến tiết kiệm nước kết hợp phun "
        "thuốc bảo vệ thực vật sinh học và dinh dưỡng, vật tư thiết bị điện cung cấp nguồn điện,…)",
        "Thiết bị điều khiển tự động, bán tự động",
        "Hệ thống cung cấp thuốc bảo vệ thực vật sinh học, dinh dưỡng qua lá"]],
    *[("unchanged", "trien_khai", item, NONE, NONE, a, b) for item, a, b in [
        ("Thời gian triển khai", "9", "09"), ("Hội nghị triển khai", "1", "01"), ("Tập huấn kỹ thuật", "4", "04"),
        ("Tham quan, hội thảo", "1", "01"), ("Pano Thông tin tuyên truyền", "≤ 1", "≤ 1"),
        ("Hội nghị tổng kết", "1", "01"), ("Quy mô cho 01 cán bộ chỉ đạo", "≤ 05", "≤ 05")]],
    *[("removed", "chi_tieu", item, NONE, None, v, None) for item, v in [
        ("Quy mô/mô hình", "≥ 3 (10-15 hộ, ≥ 0,1 ha/hộ); Mô hình có áp dụng hệ thống tưới tiên tiến tiết kiệm nước "
                           "kết hợp phun thuốc bảo vệ thực vật sinh học, dinh dưỡng qua lá thì diện tích tham gia "
                           "≥ 0,3 ha/hộ"),
        ("Mật độ trồng", "300"), ("Tỷ lệ sống (đối với mô hình trồng mới)", "≥ 95"), ("Năng suất ổn định", "32.000")]],
    # 30/2023 A.1 prints a certification section whose rows carry no value (the rule "Hỗ trợ 100% kinh
    # phí theo thực tế" is in the note): text norms, new in 30/2023
    *[("added", "chung_nhan", item, None, NONE, None, "") for item in [
        "Điều tra cơ bản, khảo sát địa hình, phân tích mẫu đất, mẫu nước, mẫu không khí",
        "Đánh giá chứng nhận hữu cơ: - Đánh giá giai đoạn chuyển đổi - Đánh giá chính thức"]],
], key=str)
COCONUT_SCORE = 0.825  # title 1.00, sections 0.67 (no certification section in 33/2022 A.7), items 0.63


def _coconut(full_diff) -> pd.DataFrame:  # noqa: ANN001
    rows = full_diff.rows
    return rows[(rows["model_a"] == f"{N33} PL-I A.7")]


def test_coconut_diff_lists_exactly_the_domain_changes(full_diff) -> None:  # noqa: ANN001
    rows = _coconut(full_diff)
    assert set(rows["model_b"]) == {f"{N30} PL-I A.1"} and set(rows["model_match"]) == {"title_structure"}
    got = sorted(((r.diff_status, r.section_type, r.item_text_a if r.item_text_a is not pd.NA else r.item_text_b,
                   r.period_a if not pd.isna(r.period_a) else None, r.period_b if not pd.isna(r.period_b) else None,
                   r.value_raw_a if not pd.isna(r.value_raw_a) else None,
                   r.value_raw_b if not pd.isna(r.value_raw_b) else None) for r in rows.itertuples()), key=str)
    # the irrigation item text is long; compare it by prefix so a wrap change in the extraction shows plainly
    assert [g[:2] + (g[2][:40],) + g[3:] for g in got] == [e[:2] + (e[2][:40],) + e[3:] for e in COCONUT]
    counts = rows["diff_status"].value_counts().to_dict()
    assert counts == {"unchanged": 23, "removed": 17, "added": 2}  # no value changes; the certification rows added
    # values compare in the canonical unit: 3.000 x 1.000 đ = 3 000 000 VND, 10 tấn = 10 000 kg
    bv = rows[(rows["item_text_a"] == BV) & (rows["diff_status"] == "unchanged")].iloc[0]
    assert (bv["value_a"], bv["value_b"], bv["unit"]) == (Decimal("3000000"), Decimal("3000000"), "VND")
    vs = rows[(rows["item_text_a"] == VS) & (rows["diff_status"] == "unchanged")].iloc[0]
    assert vs["value_a"] == Decimal("10000") and vs["unit"] == "kg"
    # the alignment decision is visible on every aligned row, with its reason
    p3 = rows[rows["period_a"] == P3]
    assert p3["period_score"].tolist() == pytest.approx([0.72] * 8)
    assert all("unlabelled block 3 read as 'kinh_doanh'" in m for m in p3["period_match"])
    assert set(rows.loc[rows["period_a"] == P1, "period_match"]) == {
        "period not aligned: no block of the same type or stage on the other side"}
    # pages lead back to the printed rows; the 7.6 inserted by 30/2023 Điều 1 khoản 1 (text norms: the
    # rule is in the note) is 30/2023's own rows
    assert set(rows.loc[rows["section_type"] == "vat_tu", "page_a"]) == {28}
    assert set(rows.loc[rows["section_type"] == "vat_tu", "page_b"].dropna()) == {3}
    s76 = full_diff.rows[full_diff.rows["section_no_b"] == "7.6"]
    assert len(s76) == 2 and set(s76["diff_status"]) == {"added"} and set(s76["doc_number_b"]) == {N30}


def test_changed_values_carry_absolute_and_relative_change(consolidated: pd.DataFrame) -> None:
    """A value that does change is 'changed' with old/new value and the change (synthetic: one row edited)."""
    edited = consolidated.copy()
    i = edited.index[(edited["doc_number"] == N30) & (edited["model_no"] == "1") & (edited["part"] == "A")
                     & (edited["item_text"] == SH) & (edited["period_type"] == "chuyen_doi_1")][0]
    edited.loc[i, "value"] = Decimal("75")
    edited.loc[i, "value_raw"] = "75"
    rows = diff(edited, N33, N30, model_filter="dừa").rows
    ch = rows[rows["diff_status"] == "changed"]
    assert len(ch) == 1
    r = ch.iloc[0]
    assert (r["value_raw_a"], r["value_raw_b"], r["value_a"], r["value_b"]) == ("60", "75", Decimal(60), Decimal(75))
    assert r["abs_change"] == Decimal(15) and r["rel_change"] == pytest.approx(0.25) and r["unit"] == "L"


# the models of docs/DOMAIN.md §4.2 that must NOT be merged: (side, label) pairs
MUST_DIFFER = [
    ((N33, "PL-I A.8"), (N33, "PL-I A.9")),          # pineapple GAP vs organic
    ((N30, "PL-I B.5"), (N30, "PL-I B.6")),          # sweet potato theo hướng hữu cơ vs hữu cơ
    ((N30, "PL-I B.7"), (N30, "PL-I B.8")), ((N30, "PL-I B.7"), (N30, "PL-I B.9")),
    ((N30, "PL-I B.8"), (N30, "PL-I B.9")),          # watercress 7 / 8 / 9
    ((N30, "PL-I B.11"), (N30, "PL-I B.12")),        # asparagus
    ((N33, "PL-III 3"), (N30, "PL-III 5")),          # giant river prawn: rice-field grow-out vs all-male nursery
    ((N33, "PL-III 1"), (N33, "PL-III 6")),          # eel: grow-out vs nursery
]


@pytest.fixture(scope="module")
def models(consolidated: pd.DataFrame) -> dict[str, object]:
    out = {}
    for doc in (N33, N30):
        for m in matching.models(select_side(consolidated, doc).rows):
            out[m.label] = m
    return out


@pytest.mark.parametrize(("a", "b"), MUST_DIFFER, ids=[f"{a[1]}~{b[1]}" for a, b in MUST_DIFFER])
def test_related_models_are_not_merged(models, full_diff, a, b) -> None:  # noqa: ANN001
    ma, mb = models[f"{a[0]} {a[1]}"], models[f"{b[0]} {b[1]}"]
    score, why = model_score(ma, mb)
    assert score < MODEL_THRESHOLD, why
    keys_a = set(zip(ma.rows["sector"], ma.rows["commodity"], ma.rows["practice"], strict=True))
    keys_b = set(zip(mb.rows["sector"], mb.rows["commodity"], mb.rows["practice"], strict=True))
    assert not keys_a & keys_b  # their semantic keys differ too
    pairs = full_diff.rows[["model_a", "model_b"]].drop_duplicates()
    merged = pairs[((pairs["model_a"] == ma.label) & (pairs["model_b"] == mb.label))
                   | ((pairs["model_a"] == mb.label) & (pairs["model_b"] == ma.label))]
    assert merged.empty


def test_models_match_by_title_not_number(models, full_diff) -> None:  # noqa: ANN001
    # organic rice: the inline 14 (Điều 1 khoản 1) and Phụ lục I model 10 are the same model, every number equal
    rice14, rice10 = models[f"{N33} Đ1.k1 mục 14"], models[f"{N33} PL-I B.10"]
    score, _ = model_score(rice14, rice10)
    assert score >= 0.9
    rows = diff_models(rice14, rice10, {})
    model14 = truth_records("vinhlong-33-2022", lambda r: r["table_id"].startswith("a33-m14"))
    assert len(rows) == model14 == 16 and {r["diff_status"] for r in rows} == {"unchanged"}
    # coconut: 7 in 33/2022, 1 in 30/2023; the decision and its score are in the output
    s = full_diff.rows.drop_duplicates("model_pair")
    coconut = s[s["model_a"] == f"{N33} PL-I A.7"].iloc[0]
    assert coconut["model_b"] == f"{N30} PL-I A.1" and coconut["model_score"] == pytest.approx(COCONUT_SCORE, abs=0.02)
    assert "commodity 1.00" in coconut["model_match_reason"]
    # the only cross-document pairing in the corpus is the coconut one; everything else stays apart
    paired = s[s["model_match"] == "title_structure"]
    assert list(paired["model_a"]) == [f"{N33} PL-I A.7"]
    unmatched = s[s["model_match"] == "unmatched"]
    assert unmatched["model_match_reason"].str.contains("best candidate|no candidate").all()


def test_date_diff_pairs_the_same_provision_and_adds_the_new_article(consolidated: pd.DataFrame) -> None:
    res = diff(consolidated, "2023-01-01", "2023-11-01")
    rows = res.rows
    ident = rows[rows["model_match"] == "identity"]
    # every 33/2022 row is unchanged; 30/2023 Điều 1 khoản 1 adds section 7.6 to the same coconut model
    assert (ident["diff_status"] == "unchanged").sum() == N33_ROWS
    s76 = truth_records("vinhlong-30-2023", lambda r: r["table_id"] == "a30-d1-k1-s76")
    assert (ident["diff_status"] == "added").sum() == s76 == 2 and set(ident["diff_status"]) == {"unchanged", "added"}
    added = rows[rows["diff_status"] == "added"]
    assert set(added["doc_number_b"]) == {N30} and len(added) == N30_ROWS
    assert (rows["diff_status"] == "removed").sum() == 0
    assert any("7.6" in n for n in res.notes)
    before = diff(consolidated, "2022-01-01", "2023-01-01")
    assert set(before.rows["diff_status"]) == {"added"}
    assert any("base text not available" in n for n in before.notes)


def test_terminal_csv_publish_and_errors(data_dir: Path, tmp_path: Path, full_diff) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from pipeline.app.cli import app
    from pipeline.store.read import load

    text = terminal_table(full_diff)
    assert "match title_structure score 0.82" in text and "period alignment: same stage (conversion)" in text
    runner = CliRunner()
    out = tmp_path / "coconut.csv"
    res = runner.invoke(app, ["diff", N33, N30, "--model", "dừa", "--csv", str(out), "--publish",
                              "--data-dir", str(data_dir)])
    assert res.exit_code == 0, res.output
    assert "removed   chi_tieu   Mật độ trồng" in res.output
    csv = pd.read_csv(out)
    assert len(csv) == len(COCONUT) and set(csv["diff_status"]) == {"removed", "unchanged", "added"}
    published = load("norm_diffs", data_dir=data_dir)
    assert set(published["diff_id"]) == {f"{N33}..{N30}"} and len(published) == len(COCONUT)
    bad = runner.invoke(app, ["diff", "99/2099/QĐ-UBND", N30, "--data-dir", str(data_dir)])
    # exit 4 = the data asked for is not there (pipeline/app/exits.py)
    assert bad.exit_code == 4 and "neither a date nor an ingested document number" in bad.output
