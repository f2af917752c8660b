"""Nothing printed in a norm table is dropped (issue 12): every body cell of every norm table of
the sample corpus lands in some column of the published rows; numbering is told from quantities;
text-only norms are records; grades, requirements and parent items are kept.

The tables are the corpus truth's own grids (``data/samples/truth/*/*.json``, written from the
source), turned into extractor tables, so the test measures normalization, not extraction
(bench/extraction.py scores that)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from extractors.model import Cell, Document, DocumentMeta, Table, TableFragment
from pipeline.records.domain import domain_frames
from pipeline.records.normalize import normalize_document
from pipeline.records.row_cells import split_item

REPO = Path(__file__).resolve().parent.parent
TRUTH = REPO / "data" / "samples" / "truth" / "gov"
BOX = (0.0, 0.0, 1.0, 1.0)
COLUMNS = ("item_no", "item_text", "unit_raw", "value_raw", "period", "reference", "note", "spec", "grade", "work",
           "product_code", "parent_item", "group_label", "scale_raw")


def _n(s: Any) -> str:
    return "".join(unicodedata.normalize("NFC", str(s or "")).split())  # whitespace-free: wraps and spacing differ


def truth_document(doc_id: str) -> tuple[dict, Document]:
    t = json.loads((TRUTH / f"{doc_id}.json").read_text(encoding="utf-8"))
    tables = []
    for i, tab in enumerate(t["tables"]):
        cells = [Cell(c["row"], c["col"], c["rs"], c["cs"], c["text"], 1, BOX) for c in tab["cells"]]
        n_rows = tab["n_header_rows"] + tab["n_body_rows"]
        kinds = ["header"] * tab["n_header_rows"] + tab["row_kinds"]
        frag = TableFragment(1, BOX, n_rows, tab["n_cols"], [0.0] * (tab["n_cols"] + 1), cells, "lattice", 1.0)
        tables.append(Table(i, [frag], n_rows, tab["n_cols"], tab["n_header_rows"], cells, kinds, "lattice", 1.0,
                            None, tab["heading_path"], tab["basis"]))
    return t, Document("f" * 64, f"{doc_id}.pdf", 1, 1, DocumentMeta(doc_number=t["meta"].get("number")), [], [],
                       tables)


@pytest.mark.parametrize("doc_id", ["vinhlong-30-2023", "vinhlong-33-2022"])
def test_every_printed_cell_of_every_norm_table_lands_in_a_column(doc_id: str) -> None:
    t, doc = truth_document(doc_id)
    rec = normalize_document(doc)
    claimed = {lay.table_index for lay in rec.layouts if lay.dataset == "norm_items"}
    by_table: dict[int, set[str]] = {}
    for r in rec.norm_items:
        texts = by_table.setdefault(r["table_index"], set())
        texts.update(_n(r[c]) for c in COLUMNS if r.get(c))
        texts.add(_n(f"{r['item_no'] or ''}{r['item_text']}"))
        texts.update(_n(e.split(": ", 1)[-1]) for e in r.get("extra") or [])
    missing, unclaimed = [], []
    for i, tab in enumerate(t["tables"]):
        if tab["family"] != "norm":
            continue
        if i not in claimed:
            unclaimed.append(i)  # reported as a quality check below, not silently dropped
            continue
        texts = by_table.get(i, set())
        for c in tab["cells"]:
            if not c["header"] and _n(c["text"]) and not any(_n(c["text"]) in x for x in texts):
                missing.append((tab["id"], c["row"], c["col"], c["text"][:60]))
    assert missing == []
    assert unclaimed == []  # every norm table is claimed by a family (schemas/table_families.yaml)
    q = domain_frames(doc)["quality_checks"].set_index("check_name")
    assert q.loc["unclaimed_tables", "passed"]


@pytest.mark.parametrize("doc_id", ["vinhlong-30-2023", "vinhlong-33-2022"])
def test_rows_item_numbers_and_parents_equal_the_truth(doc_id: str) -> None:
    """One record per truth record (same table, row, item number, item text and parent item);
    the truth builder decides these from the source with its own code."""
    t, doc = truth_document(doc_id)
    rec = normalize_document(doc)
    claimed = {lay.table_index for lay in rec.layouts if lay.dataset == "norm_items"}
    nh = {i: tab["n_header_rows"] for i, tab in enumerate(t["tables"])}

    def key(r: dict, row: int) -> tuple:
        return r["table_index"], row, _n(r["item_no"]), _n(r["item_text"]), _n(r["parent_item"])

    ours = sorted(key(r, r["row"]) for r in rec.norm_items)
    truth = sorted(key(r, r["row"] + nh[r["table_index"]]) for r in t["records"]["norm_items"]
                   if r["table_index"] in claimed)
    assert ours == truth


def _rows(header: list[str], *rows: list[str]) -> Table:
    cells = [Cell(0, i, 1, 1, h, 1, BOX) for i, h in enumerate(header)]
    for r, row in enumerate(rows, start=1):
        cells += [Cell(r, i, 1, 1, x, 1, BOX) for i, x in enumerate(row)]
    n = len(rows) + 1
    frag = TableFragment(1, BOX, n, len(header), [0.0] * (len(header) + 1), cells, "lattice", 1.0)
    return Table(0, [frag], n, len(header), 1, cells, ["header"] + ["item"] * len(rows), "lattice", 1.0, None, [], None)


def _norms(table: Table) -> list[dict]:
    return normalize_document(Document("f" * 64, "x.pdf", 1, 1, DocumentMeta(), [], [], [table])).norm_items


def test_quantity_is_not_numbering_and_text_norm_is_a_record() -> None:
    rows = _norms(_rows(["TT", "Tên học liệu, vật tư", "Đơn vị tính", "Số lượng", "Tiêu chuẩn, yêu cầu kỹ thuật"],
                        ["1", "Tài liệu phát cho học viên", "Bộ", "42", "Đảm bảo yêu cầu"],
                        ["2", "01 Sổ ghi chép, 01 bút, 01 túi đựng tài liệu", "Bộ", "40", ""],
                        ["3", "Vật tư tham quan", "", "", "Theo thực tế"]))
    assert [(r["item_no"], r["item_text"]) for r in rows] == [
        ("1", "Tài liệu phát cho học viên"), ("2", "01 Sổ ghi chép, 01 bút, 01 túi đựng tài liệu"),
        ("3", "Vật tư tham quan")]
    assert rows[0]["spec"] == "Đảm bảo yêu cầu"
    last = rows[2]
    assert (last["value_kind"], last["value_text"], last["spec"], last["value_raw"]) == (
        "text", "Theo thực tế", "Theo thực tế", "")
    assert "text_norm_in_spec" in last["flags"]


def test_split_item_numbering_by_position_and_pattern() -> None:
    assert split_item("01 Sổ ghi chép, 01 bút") == (None, "01 Sổ ghi chép, 01 bút")  # leading zero: a quantity
    assert split_item("3 Vật tư") == ("3", "Vật tư")  # no numbering column: numbering
    assert split_item("3 Vật tư", numbered_column=True) == (None, "3 Vật tư")  # the STT column numbers the row
    assert split_item("1.2 Phân", numbered_column=True) == ("1.2", "Phân")
    assert split_item("6 . Hội nghị tổng kết") == ("6.", "Hội nghị tổng kết")


def test_children_carry_their_parent_item_and_its_remark() -> None:
    rows = _norms(_rows(["Hạng mục", "Đơn vị tính", "Yêu cầu mô hình", "Ghi chú"],
                        ["1. Con giống", "Con", "100", ""],
                        ["2. Thức ăn hỗn hợp", "", "", "Theo quy trình"],
                        ["- Giai đoạn 21 ngày", "kg/con", "1,2", ""],
                        ["- Giai đoạn 21 ngày - xuất chuồng", "kg/con", "3,5", "Cám viên"],
                        ["3. Vôi", "kg", "50", ""]))
    got = [(r["item_text"], r["parent_item"], r["note"]) for r in rows]
    assert got == [("Con giống", None, None),
                   ("Giai đoạn 21 ngày", "2. Thức ăn hỗn hợp", "Theo quy trình"),
                   ("Giai đoạn 21 ngày - xuất chuồng", "2. Thức ăn hỗn hợp", "Cám viên"),
                   ("Vôi", None, None)]


def test_grade_column_is_kept_and_tells_items_apart() -> None:
    cells = [Cell(0, 0, 1, 1, "Mã hiệu", 1, BOX), Cell(0, 1, 1, 2, "Thành phần hao phí", 1, BOX),
             Cell(0, 3, 1, 1, "Đơn vị", 1, BOX), Cell(0, 4, 1, 1, "Mức", 1, BOX),
             Cell(1, 0, 1, 1, "01.03.01.10.10", 1, BOX), Cell(1, 1, 1, 4, "Nhân công", 1, BOX)]
    for r, (item, grade, value) in enumerate([("Biên tập viên hạng III", "6/9", "0,30"),
                                              ("Biên tập viên hạng III", "8/9", "0,06")], start=2):
        cells += [Cell(r, 0, 1, 1, "", 1, BOX), Cell(r, 1, 1, 1, item, 1, BOX), Cell(r, 2, 1, 1, grade, 1, BOX),
                  Cell(r, 3, 1, 1, "Công", 1, BOX), Cell(r, 4, 1, 1, value, 1, BOX)]
    frag = TableFragment(1, BOX, 4, 5, [0.0] * 6, cells, "lattice", 1.0)
    rows = _norms(Table(0, [frag], 4, 5, 1, cells, ["header", "group", "item", "item"], "lattice", 1.0, None, [], None))
    assert [(r["grade"], r["product_code"], r["group_label"]) for r in rows] == [
        ("6/9", "01.03.01.10.10", "01.03.01.10.10 Nhân công"), ("8/9", "01.03.01.10.10", "01.03.01.10.10 Nhân công")]
    assert rows[0]["norm_key"] != rows[1]["norm_key"]
