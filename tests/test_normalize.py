"""Normalization on small synthetic Documents (built from extractors.model directly: fast), one
per family and trap, plus one real sample PDF (DOMAIN §3, §4.2)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extractors.model import Cell, Document, DocumentMeta, Heading, Line, PageText, Table, TableFragment
from pipeline.records.domain import domain_frames
from pipeline.records.families import classify_table, classify_tables
from pipeline.records.normalize import normalize_document
from pipeline.records.row_cells import split_item

REPO = Path(__file__).resolve().parent.parent
BOX = (0.0, 0.0, 1.0, 1.0)


def C(r: int, c: int, text: str, rs: int = 1, cs: int = 1) -> Cell:
    return Cell(r, c, rs, cs, text, 1, BOX)


def table(rows: list[list[Cell]], n_cols: int, n_header: int = 1, kinds: list[str] | None = None,
          index: int = 0, heading_ref: int | None = None, basis: str | None = None,
          path: list[str] | None = None) -> Table:
    cells = [c for row in rows for c in row]
    n_rows = max(c.row + c.rs for c in cells)
    kinds = kinds or ["header"] * n_header + ["item"] * (n_rows - n_header)
    frag = TableFragment(1, BOX, n_rows, n_cols, [0.0] * (n_cols + 1), cells, "lattice", 1.0)
    return Table(index, [frag], n_rows, n_cols, n_header, cells, kinds, "lattice", 1.0, heading_ref,
                 path or [], basis)


def H(i: int, kind: str, number: str | None, text: str, parent: int | None, title: str | None = None) -> Heading:
    level = {"appendix": 0, "article": 1, "part": 2, "model": 3, "scope": 4, "section": 5}[kind]
    return Heading(i, kind, level, number, text, 1, BOX, parent, [text], None, title)


HEADINGS = [
    H(0, "appendix", "Phụ lục I", "Phụ lục I", None, "ĐỊNH MỨC KINH TẾ KỸ THUẬT LĨNH VỰC TRỒNG TRỌT"),
    H(1, "part", "A", "A. MÔ HÌNH KHUYẾN NÔNG TRÊN CÂY ĂN TRÁI", 0),
    H(2, "model", "7", "7. MÔ HÌNH TRỒNG MỚI, THÂM CANH DỪA HỮU CƠ", 1),
    H(3, "section", "7.1", "7.1. Định mức vật tư", 2),
]


def doc(tables: list[Table], headings: list[Heading] | None = None, lines: list[str] = (),
        number: str = "33/2022/QĐ-UBND") -> Document:
    page = PageText(1, 595, 842, 0, "portrait", "text", 0, 0,
                    lines=[Line(t, 1, BOX, 12.0, False) for t in lines])
    return Document("f" * 64, "x.pdf", 1, 1, DocumentMeta(doc_number=number), [page],
                    headings if headings is not None else HEADINGS, tables)


def norm_table(period_rs: int = 3) -> Table:
    hdr = [C(0, i, t) for i, t in enumerate(["Thời kỳ", "Hạng mục", "Đơn vị tính", "Yêu cầu mô hình",
                                             "Tài liệu viện dẫn", "Ghi chú"])]
    rows = [hdr,
            [C(1, 0, "Trồng mới, chăm sóc năm thứ nhất", rs=period_rs), C(1, 1, "1. Phân hữu cơ:"), C(1, 2, ""),
             C(1, 3, ""), C(1, 4, "Quyết định số 04/2021/QĐ-UBND", rs=3), C(1, 5, "", rs=3)],
            [C(2, 1, "1.1 Phân hữu cơ vi sinh (bón qua rễ)"), C(2, 2, "tấn"), C(2, 3, "10")],
            [C(3, 1, "1.2 Thuốc BVTV sinh học"), C(3, 2, "1.000 đ"), C(3, 3, "2.000")]]
    return table(rows, 6, heading_ref=3, basis="Tính cho: 01 ha",
                 path=["Phụ lục I", "A. MÔ HÌNH KHUYẾN NÔNG TRÊN CÂY ĂN TRÁI",
                       "7. MÔ HÌNH TRỒNG MỚI, THÂM CANH DỪA HỮU CƠ", "7.1. Định mức vật tư"])


def test_merged_period_and_reference_are_inherited_and_parent_rows_are_not_records():
    rec = normalize_document(doc([norm_table()])).norm_items
    assert [r["item_text"] for r in rec] == ["Phân hữu cơ vi sinh (bón qua rễ)", "Thuốc BVTV sinh học"]
    assert {r["period"] for r in rec} == {"Trồng mới, chăm sóc năm thứ nhất"}
    assert {r["reference"] for r in rec} == {"Quyết định số 04/2021/QĐ-UBND"}
    r0, r1 = rec
    assert (r0["item_no"], r0["unit"], r0["unit_factor"], r0["value"]) == ("1.1", "kg", Decimal(1000), Decimal(10))
    assert (r1["unit"], r1["unit_factor"], r1["value"], r1["value_raw"]) == ("VND", Decimal(1000), Decimal(2000), "2.000")
    assert r0["basis_quantity"] == Decimal(1) and r0["basis_unit"] == "ha"
    assert (r0["appendix"], r0["part"], r0["model_no"], r0["section_no"]) == ("Phụ lục I", "A", "7", "7.1")
    assert r0["family"] == "material_norms" and r0["section_type"] == "vat_tu"
    assert r0["norm_key"] == ("trong_trot|dừa|hữu cơ|vat_tu|trong_moi_nam_1|phân hữu cơ vi sinh (bón qua rễ)|ha")
    assert r0["norm_address"].startswith("33-2022-QD-UBND/PL/PHU_LUC_I/A/7/7.1/-/P1/1.1")


def test_norm_key_is_stable_across_model_renumbering():
    """Coconut is model 7 in 33/2022 and model 1 in 30/2023 with a shorter title (DOMAIN §4.1)."""
    hs = [*HEADINGS[:2], H(2, "model", "1", "1. MÔ HÌNH THÂM CANH DỪA HỮU CƠ", 1), HEADINGS[3]]
    a = normalize_document(doc([norm_table()])).norm_items[0]
    b = normalize_document(doc([norm_table()], headings=hs, number="30/2023/QĐ-UBND")).norm_items[0]
    assert a["model_no"] != b["model_no"] and a["norm_key"] == b["norm_key"]


def test_missing_period_label_is_null_and_flagged():
    t = norm_table()
    t.cells[6].text = ""  # the merged period cell prints no label (DOMAIN trap 2)
    rec = normalize_document(doc([t])).norm_items
    assert all(r["period"] is None and "missing_period" in r["flags"] for r in rec)
    assert {r["period_type"] for r in rec} == {"unknown"}


def multi_scale() -> Table:
    rows = [[C(0, 0, "STT", rs=2), C(0, 1, "Nội dung, quy trình", rs=2), C(0, 2, "ĐVT", rs=2),
             C(0, 3, "Định mức theo quy mô", cs=3), C(0, 6, "Căn cứ", rs=2)],
            [C(1, 3, "200-300 đại biểu"), C(1, 4, "100-150 đại biểu"), C(1, 5, "30-50 đại biểu")],
            [C(2, 0, "I Định mức công lao động", cs=7)],
            [C(3, 0, "1.1"), C(3, 1, "Xây dựng kế hoạch"), C(3, 2, "Công"), C(3, 3, "3"), C(3, 4, "2"),
             C(3, 5, "1"), C(3, 6, "")],
            [C(4, 0, "1.2"), C(4, 1, "Nước uống"), C(4, 2, "Người/ngày"), C(4, 3, "Theo thực tế", cs=3),
             C(4, 6, "")]]
    return table(rows, 7, n_header=2, kinds=["header", "header", "group", "item", "item"])


def test_multi_scale_one_row_per_scale_and_spanning_cells_apply_to_each():
    rec = normalize_document(doc([multi_scale()])).norm_items
    assert len(rec) == 6
    first = [r for r in rec if r["item_no"] == "1.1"]
    assert [(r["scale_raw"], r["value"]) for r in first] == [
        ("200-300 đại biểu", Decimal(3)), ("100-150 đại biểu", Decimal(2)), ("30-50 đại biểu", Decimal(1))]
    assert (first[0]["scale_min"], first[0]["scale_max"]) == (Decimal(200), Decimal(300))
    spanning = [r for r in rec if r["item_no"] == "1.2"]
    assert [r["value_raw"] for r in spanning] == ["Theo thực tế"] * 3
    assert {r["value_kind"] for r in spanning} == {"text"}
    assert {r["group_label"] for r in rec} == {"I Định mức công lao động"}
    assert {r["family"] for r in rec} == {"multi_scale_norms"}


@pytest.mark.parametrize("value, unit, kind, value_, vmin, vmax, flag", [
    ("05", "Ngày/lớp", "number", Decimal(5), None, None, None),                 # leading zero
    ("1.200", "cây", "number", Decimal(1200), None, None, None),                # thousands dot
    ("0,35", "ha", "number", Decimal("0.35"), None, None, None),                # decimal comma
    ("≤ 05", "%", "comparator", Decimal(5), None, Decimal(5), None),
    ("5-10", "ha", "range", None, Decimal(5), Decimal(10), None),
    ("05 x 04", "Người/ngày", "product", Decimal(20), None, None, None),
    ("01 1-1,5", "Con Kg", "multi", None, None, None, "packed_value"),         # packed cell (trap 14)
    ("", "kg", "blank", None, None, None, "blank_value"),                       # blank value (003:4534)
    ("12", "thùng gỗ lim", "number", Decimal(12), None, None, "unknown_unit"),  # unknown unit, never guessed
    ("1/3", "lít", "fraction", Decimal("0.333333"), None, None, "value_rounded_to_6dp"),
])
def test_values_units_and_flags(value, unit, kind, value_, vmin, vmax, flag):
    rows = [[C(0, 0, "Nội dung"), C(0, 1, "Đơn vị tính"), C(0, 2, "Định mức"), C(0, 3, "Ghi chú")],
            [C(1, 0, "1. Mục"), C(1, 1, unit), C(1, 2, value), C(1, 3, "")]]
    (r,) = normalize_document(doc([table(rows, 4)])).norm_items
    assert r["value_raw"] == value and r["unit_raw"] == unit
    assert (r["value_kind"], r["value"], r["value_min"], r["value_max"]) == (kind, value_, vmin, vmax)
    if flag:
        assert flag in r["flags"]
    if kind == "product":
        assert r["factors"] == ["5", "4"]
    assert r["unit_known"] is (flag != "unknown_unit")


def test_header_variants_claim_the_same_roles():
    """ĐVT / DVT / Đơn vị tính / Đơn vị; Yêu cầu / Định mức / Chỉ tiêu; Trích dẫn / Căn cứ (trap 18)."""
    for unit_h, value_h, ref_h in [("ĐVT", "Yêu cầu", "Trích dẫn"), ("DVT", "Yêu cầu mô hình", "Căn cứ"),
                                   ("Đơn vị", "Yêu cầu mô hình", "Tài liệu viện dẫn")]:
        rows = [[C(0, 0, "Hạng mục"), C(0, 1, unit_h), C(0, 2, value_h), C(0, 3, ref_h)],
                [C(1, 0, "Vôi"), C(1, 1, "kg"), C(1, 2, "500"), C(1, 3, "QĐ 1")]]
        lay = classify_table(table(rows, 4))
        assert [c.role for c in lay.columns] == ["item", "unit", "value", "reference"], unit_h


def test_header_found_in_first_body_row_and_repeated_header_skipped():
    rows = [[C(0, 0, "Nội dung"), C(0, 1, "Đơn vị tính"), C(0, 2, "Chỉ tiêu")],
            [C(1, 0, "1. Mật độ"), C(1, 1, "Cây/ha"), C(1, 2, "300")],
            [C(2, 0, "Nội dung"), C(2, 1, "Đơn vị tính"), C(2, 2, "Chỉ tiêu")],  # repeated after a page break
            [C(3, 0, "2. Tỷ lệ sống"), C(3, 1, "%"), C(3, 2, "≥ 95")]]
    t = table(rows, 3, n_header=0, kinds=["item"] * 4)
    rec = normalize_document(doc([t])).norm_items
    assert [r["item_text"] for r in rec] == ["Mật độ", "Tỷ lệ sống"]
    assert rec[0]["family"] == "technical_indicators"


def test_unclaimed_table_is_reported_not_dropped():
    rows = [[C(0, 0, "Cột lạ"), C(0, 1, "Khác")], [C(1, 0, "a"), C(1, 1, "b")]]
    frames = domain_frames(doc([table(rows, 2)]))
    q = frames["quality_checks"].set_index("check_name")
    assert q.loc["unclaimed_tables", "actual"] == "1" and not q.loc["unclaimed_tables", "passed"]
    assert "no family claims" in q.loc["unclaimed_tables", "detail"]


def test_continuation_table_takes_the_previous_layout():
    a = norm_table()
    rows = [[C(0, 0, "Chăm sóc năm thứ hai, ba"), C(0, 1, "2. Vôi"), C(0, 2, "kg"), C(0, 3, "500"), C(0, 4, ""),
             C(0, 5, "")]]
    b = table(rows, 6, n_header=0, kinds=["item"], index=1, heading_ref=3, path=a.heading_path)
    lays = classify_tables([a, b])
    assert lays[1].family == "material_norms" and lays[1].header_rows == 0
    rec = normalize_document(doc([a, b])).norm_items
    assert rec[-1]["item_text"] == "Vôi" and rec[-1]["period"] == "Chăm sóc năm thứ hai, ba"


def budget() -> Table:
    hdr = [C(0, 0, "STT", rs=2), C(0, 1, "Hạng mục", rs=2), C(0, 2, "Tổng", rs=2),
           C(0, 3, "Phân theo nguồn vốn", cs=2), C(0, 5, "Nguồn vốn lồng ghép", rs=2),
           C(0, 6, "Đơn vị thực hiện", rs=2), C(1, 3, "NSTW"), C(1, 4, "Ngân sách tỉnh")]

    def row(r: int, *texts: str) -> list[Cell]:
        return [C(r, i, t) for i, t in enumerate(texts)]

    rows = [hdr,
            row(2, "I", "Đào tạo", "2.287.360.000", "103.000.000", "2.184.360.000", "", ""),
            row(3, "1", "Tư vấn", "623.700.000", "", "623.700.000", "Nguồn khuyến nông", "TTKN"),
            row(4, "2", "Tập huấn", "1.663.660.000", "103.000.000", "1.560.660.000", "", "TTKN"),
            row(5, "II", "Hội nghị", "39.340.000,00", "0", "39.340.000", "", ""),
            row(6, "1", "Hội nghị tổng kết", "39.340.000", "", "39.340.000", "", ""),
            row(7, "", "Tổng cộng (I+II)", "2.326.700.000", "103.000.000", "2.223.700.000", "", "")]
    return table(rows, 7, n_header=2, kinds=["header", "header", "group", "item", "item", "group", "item", "item"])


def test_budget_lines_exact_vnd_and_group_total_never_summed_with_children():
    frames = domain_frames(doc([budget()], headings=[]))
    bl = frames["budget_lines"]
    assert list(bl["line_kind"]) == ["group", "item", "item", "group", "item", "total"]
    assert bl.loc[4, "group_label"] == "II Hội nghị" and bl["group_label"].isna()[0]
    assert bl.loc[3, "total_vnd"] == Decimal("39340000") and bl.loc[0, "nstw_vnd"] == Decimal(103000000)
    q = frames["quality_checks"]
    b = q[q.check_name.str.startswith("budget_")]
    assert len(b) > 0 and b.passed.all(), b[~b.passed].to_string()
    grand = b[(b.check_name == "budget_grand_total") & b.check_scope.str.endswith("total_vnd")].iloc[0]
    assert grand.expected == grand.actual == "2326700000"  # the groups, not groups + lines (4.653.400.000)


def test_budget_mismatch_is_reported_with_expected_and_actual():
    t = budget()
    next(c for c in t.cells if c.text == "623.700.000" and c.col == 2).text = "600.000.000"
    frames = domain_frames(doc([t], headings=[]))
    q = frames["quality_checks"]
    bad = q[~q.passed & (q.check_name == "budget_group_sum")]
    assert list(bad.expected) == ["2287360000"] and list(bad.actual) == ["2263660000"]
    assert len(frames["budget_lines"]) == 6  # nothing dropped


def test_plan_tasks_and_schedule_marks():
    plan = table([[C(0, i, t) for i, t in enumerate(["TT", "Nội dung thực hiện", "Đơn vị chủ trì/người phụ trách chính",
                                                     "Đơn vị phối hợp", "Thời gian thực hiện",
                                                     "Sản phẩm/yêu cầu đạt được"])],
                  [C(1, 0, "I Công tác chỉ đạo", cs=6)],
                  [C(2, i, t) for i, t in enumerate(["1", "Tham mưu", "Sở NN", "Các sở", "Quý III-IV/2025", "DS"])]],
                 6, kinds=["header", "group", "item"])
    sched = table([[C(0, 0, "TT", rs=2), C(0, 1, "Hợp tác xã", rs=2), C(0, 2, "Thời gian", cs=2)],
                   [C(1, 2, "2019"), C(1, 3, "2021-2025")],
                   [C(2, 0, "I. Sản phẩm Dừa", cs=4)],
                   [C(3, 0, "1"), C(3, 1, "HTX A"), C(3, 2, "x"), C(3, 3, "Tiếp tục phát triển", rs=2)],
                   [C(4, 0, "2"), C(4, 1, "HTX B"), C(4, 2, "")]],
                  4, n_header=2, kinds=["header", "header", "group", "item", "item"], index=1)
    rec = normalize_document(doc([plan, sched], headings=[]))
    (t,) = rec.plan_tasks
    assert (t["group_label"], t["task_no"], t["lead_unit"], str(t["time_start_date"]), str(t["time_end_date"])) == (
        "I Công tác chỉ đạo", "1", "Sở NN", "2025-07-01", "2025-12-31")
    marks = [(m["cooperative"], m["period_label"], m["is_marked"], m["note"]) for m in rec.schedule_marks]
    assert marks == [("HTX A", "2019", True, None), ("HTX A", "2021-2025", False, "Tiếp tục phát triển"),
                     ("HTX B", "2019", False, None), ("HTX B", "2021-2025", False, "Tiếp tục phát triển")]


def test_split_item():
    assert split_item("1.3. Phân khoáng") == ("1.3.", "Phân khoáng")
    assert split_item("- Giống") == ("-", "Giống")
    assert split_item("2.Thức ăn") == (None, "2.Thức ăn")


def test_real_pdf_declared_models_and_coconut_values():
    """30/2023 (compact): declared = found for all five appendices (DOMAIN §3.2) and the coconut
    model's values of DOMAIN §4.2."""
    from extractors.document import extract_document

    frames = domain_frames(extract_document(REPO / "data/samples/pdf/compact/vinhlong-30-2023.pdf"))
    q = frames["quality_checks"]
    dm = q[q.check_name == "declared_models"].set_index("check_scope")
    assert dict(dm["expected"]) == {"Phụ lục I": "19", "Phụ lục II": "7", "Phụ lục III": "5", "Phụ lục IV": "2",
                                    "Phụ lục V": "4"}
    assert dm["passed"].all()
    ni = frames["norm_items"]
    coco = ni[(ni.model_no == "1") & (ni.appendix == "Phụ lục I") & (ni.section_type == "vat_tu")]
    got = {(r.item_text, r.period): (r.value_raw, r.unit) for r in coco.itertuples()}
    y1, y2 = "Giai đoạn chuyển đổi năm thứ nhất", "Giai đoạn chuyển đổi năm thứ hai (năm đánh giá chứng nhận)"
    for period in (y1, y2):
        assert got[("Phân hữu cơ vi sinh (bón qua rễ)", period)] == ("10", "kg")
        assert got[("Phân hữu cơ sinh học (bón qua lá, qua rễ)", period)] == ("60", "L")
        assert got[("Phân khoáng hữu cơ (bón qua rễ)", period)] == ("400", "kg")
    assert set(coco.basis_unit) == {"ha"} and set(coco.sector) == {"trong_trot"}
    assert coco.norm_key.str.startswith("trong_trot|dừa|hữu cơ|vat_tu|chuyen_doi_").all()


def test_value_and_unit_parsers_agree_with_the_corpus_truth():
    """The truth states value, bounds, comparator, unit code and factor for every norm record,
    written from the source by tools/corpus/truth.py (no pipeline code); the pipeline's parsers on
    the same printed strings must agree on at least 99.5 % of records, field by field."""
    import json

    from pipeline.parsing.units import parse_unit
    from pipeline.parsing.values import parse_value

    for path in sorted((REPO / "data/samples/truth").glob("*/vinhlong-*.json")):
        recs = json.loads(path.read_text(encoding="utf-8"))["records"]["norm_items"]
        assert len(recs) > 500
        agree = dict.fromkeys(["value", "value_min", "value_max", "comparator", "unit", "unit_factor"], 0)
        for t in recs:
            pv = parse_value(t["value_raw"])
            spans = t["unit"] is None and bool(t["unit_raw"].strip())  # "Theo thực tế" across unit and value
            pu = parse_unit("" if spans else t["unit_raw"])
            got = {"value": pv.value, "value_min": pv.value_min, "value_max": pv.value_max,
                   "unit_factor": pu.factor if pu.known else None}
            for f, v in got.items():
                agree[f] += v == (Decimal(t[f]) if t[f] is not None else None)
            agree["comparator"] += pv.comparator == t["comparator"]
            agree["unit"] += (pu.code if pu.known else None) == t["unit"]
        low = {f: n / len(recs) for f, n in agree.items() if n / len(recs) < 0.995}
        assert not low, (path.name, low)


def test_truth_builder_does_not_use_pipeline_parsers():
    src = (REPO / "tools/corpus/truth.py").read_text(encoding="utf-8")
    assert "pipeline" not in "".join(line for line in src.splitlines() if line.lstrip().startswith(("import", "from")))


def test_a_remarks_table_under_a_caption_is_a_norm_table() -> None:
    """A caption "Ghi chú: ..." spanning a two-column table over label | value rows (the make-up
    of the product the norm is for) is claimed (schemas/table_families.yaml, caption families):
    every printed cell lands in a norm row, the caption heads the rows."""
    caption = "Ghi chú: Số lượng tin trong một bản tin ngắn"
    rows = [[C(0, 0, caption, cs=2)], [C(1, 0, "Thời lượng phát sóng"), C(1, 1, "05 phút")],
            [C(2, 0, "Tin trong nước"), C(2, 1, "5")]]
    t = table(rows, 2)
    lay = classify_table(t)
    assert (lay.family, lay.dataset, lay.header_rows, lay.caption) == ("captioned_values", "norm_items", 1, caption)
    rec = normalize_document(doc([t])).norm_items
    assert [(r["item_text"], r["value_raw"], r["group_label"]) for r in rec] == [
        ("Thời lượng phát sóng", "05 phút", caption), ("Tin trong nước", "5", caption)]
    assert rec[1]["value"] == Decimal("5")
    # not every spanning first row is a caption: a title over two columns is not claimed by it
    other = classify_table(table([[C(0, 0, "Danh sách", cs=2)], [C(1, 0, "a"), C(1, 1, "b")]], 2))
    assert other.family is None
    three = classify_table(table([[C(0, 0, caption, cs=3)], [C(1, 0, "a"), C(1, 1, "b"), C(1, 2, "c")]], 3))
    assert three.family is None
