"""pipeline.records.amendments: every amendment operation of docs/DOMAIN.md §4.1, on snippets and on the
sample PDFs, plus the operation forms of real decrees that the corpus lacks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.records.amendments import amendments_from_document, effective_clause, legal_frames, parse_amendment_clause
from schemas import dataset

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "pdf" / "compact"

OP1 = ("1. Sửa đổi, bổ sung “MÔ HÌNH SẢN XUẤT LÚA HỮU CƠ” tại số thứ tự 14 Phần B của\n"
       "Phụ lục I ban hành kèm theo Quyết định số 04/2021/QĐ-UBND, như sau:\n14. MÔ HÌNH SẢN XUẤT LÚA HỮU CƠ\n"
       "14.1 Định mức giống, vật tư (tính cho: 01ha)\n14.2 Định mức triển khai mô hình\n"
       "14.3 Định mức đào tạo, tư vấn, đánh giá chứng nhận")
OP2 = ("2. Bổ sung Điều 3a vào sau Điều 3, như sau:\nĐiều 3a. Định mức kinh tế - kỹ thuật (chi tiết tại các Phụ lục "
       "kèm theo)\n1. Lĩnh vực trồng trọt có 14 mô hình được quy định tại Phụ lục I.\n2. Lĩnh vực chăn nuôi có 03 mô "
       "hình được quy định tại Phụ lục II.\n3. Lĩnh vực thủy sản có 12 mô hình được quy định tại Phụ lục III.”")
OP3 = ("1. Bổ sung Mục 7.6. vào sau mục 7.5 tại số thứ tự 7 Phần A Phụ lục I của Điều 3a\nQuyết định số "
       "04/2021/QĐ-UBND được bổ sung tại khoản 2 Điều 1 Quyết định số:\n33/2022/QĐ-UBND ngày 11 tháng 11 năm 2022 "
       "như sau:\n7.6. Định mức điều tra, khảo sát và đánh giá chứng nhận")
OP4 = ("2. Bổ sung Điều 3b vào sau Điều 3a, như sau:\n“Điều 3b. Định mức kinh tế - kỹ thuật (Chi tiết tại các Phụ "
       "lục kèm theo)\n1. Lĩnh vực trồng trọt có 19 mô hình được quy định tại Phụ lục I.\n5. Nhiệm vụ thông tin "
       "tuyên truyền có 04 định mức được quy định tại Phụ lục V”.")
OP5 = ("1. Sửa đổi, bổ sung mục II. 1. Mục tiêu\nXây dựng, hoàn thiện và phát triển chuỗi giá trị 08 nông sản chủ "
       "lực của tỉnh ... xây dựng mới 29 hợp tác xã tiêu biểu (liên kết ngang) tham gia liên kết chặt chẽ với doanh\n"
       "nghiệp (Chi tiết theo phụ lục 1 đính kèm); xác định điểm mạnh, điểm yếu")
OP6 = "2. Sửa đổi, bổ sung mục II.2 Khung kế hoạch hành động\n(Chi tiết theo phụ lục 2 đính kèm)"

# DOMAIN §4.1: clause -> (amending, default target, label, op, target path, position, new label, appendices,
#                          sections, effective)
DOMAIN_OPS = [
    (OP1, "33/2022/QĐ-UBND", "04/2021/QĐ-UBND", "33/2022/QĐ-UBND/Đ1.k1", "replace", "04/2021/QĐ-UBND/PL-I/B/14",
     None, None, [], ["14.1", "14.2", "14.3"], date(2022, 11, 22)),
    (OP2, "33/2022/QĐ-UBND", "04/2021/QĐ-UBND", "33/2022/QĐ-UBND/Đ1.k2", "insert", "04/2021/QĐ-UBND/after:Điều3",
     "after:Điều3", "Điều 3a", ["PL-I", "PL-II", "PL-III"], [], date(2022, 11, 22)),
    (OP3, "30/2023/QĐ-UBND", "04/2021/QĐ-UBND", "30/2023/QĐ-UBND/Đ1.k1", "insert",
     "04/2021/QĐ-UBND/Điều3a/PL-I/A/7/after:7.5", "after:7.5", "Mục 7.6", [], ["7.6"], date(2023, 10, 24)),
    (OP4, "30/2023/QĐ-UBND", "04/2021/QĐ-UBND", "30/2023/QĐ-UBND/Đ1.k2", "insert", "04/2021/QĐ-UBND/after:Điều3a",
     "after:Điều3a", "Điều 3b", ["PL-I", "PL-V"], [], date(2023, 10, 24)),
    (OP5, "2835/KH-UBND", "330/KH-UBND", "2835/KH-UBND/1", "replace", "330/KH-UBND/II.1", None, None, ["PL-1"], [],
     None),
    (OP6, "2835/KH-UBND", "330/KH-UBND", "2835/KH-UBND/2", "replace", "330/KH-UBND/II.2", None, None, ["PL-2"], [],
     None),
]


@pytest.mark.parametrize(("text", "amending", "default", "label", "op", "path", "position", "new", "apps", "secs",
                          "effective"), DOMAIN_OPS, ids=[f"op{i + 1}" for i in range(len(DOMAIN_OPS))])
def test_domain_operations_on_snippets(text, amending, default, label, op, path, position, new, apps, secs,
                                       effective) -> None:
    row = parse_amendment_clause(text, amending, default_target=default, source_label=label,
                                 effective_date=effective)
    assert row is not None
    assert (row["operation"], row["target_path"], row["insert_position"], row["new_label"]) == (op, path, position,
                                                                                               new)
    assert row["target_doc_number"] == default and row["amending_doc_number"] == amending
    assert row["source_label"] == label and row["source_appendices"] == apps and row["source_sections"] == secs
    assert row["effective_date"] == effective
    assert ("effective_date_not_stated" in row["legal_flags"]) == (effective is None)
    assert row["clause_text"] == text


def test_target_named_in_the_clause_wins_over_the_default() -> None:
    row = parse_amendment_clause(OP3, "30/2023/QĐ-UBND", default_target="99/2099/QĐ-UBND")
    assert row is not None and row["target_doc_number"] == "04/2021/QĐ-UBND"
    assert row["target_via"] == "33/2022/QĐ-UBND/Đ1.k2"  # the provision itself came from 33/2022
    assert "target_doc_from_context" not in row["legal_flags"]
    row1 = parse_amendment_clause(OP1)
    assert row1 is not None and row1["target_title"] == "MÔ HÌNH SẢN XUẤT LÚA HỮU CƠ"
    row5 = parse_amendment_clause(OP5, default_target="330/KH-UBND")
    assert row5 is not None and row5["target_title"] == "Mục tiêu"
    assert "target_doc_from_context" in row5["legal_flags"]


# forms that do not occur in the corpus but do in real decrees: snippet -> expected fields
OTHER_FORMS = [
    ("3. Thay thế Phụ lục I ban hành kèm theo Quyết định số 04/2021/QĐ-UBND bằng Phụ lục I ban hành kèm theo "
     "Quyết định này.",
     {"operation": "replace", "operation_raw": "Thay thế", "target_path": "04/2021/QĐ-UBND/PL-I",
      "source_appendices": ["PL-I"]}),
    ("4. Bãi bỏ khoản 3 Điều 5 Quyết định số 04/2021/QĐ-UBND ngày 03 tháng 3 năm 2021.",
     {"operation": "repeal", "target_path": "04/2021/QĐ-UBND/Điều5/khoản3", "new_label": None}),
    ("Bãi bỏ Quyết định số 12/2015/QĐ-UBND ngày 05/6/2015 của Ủy ban nhân dân tỉnh Vĩnh Long.",
     {"operation": "repeal", "target_path": "12/2015/QĐ-UBND", "target_doc_number": "12/2015/QĐ-UBND"}),
    ("a) Bãi bỏ điểm b khoản 2 Điều 4.",
     {"operation": "repeal", "target_path": "04/2021/QĐ-UBND/Điều4/khoản2/điểmb",
      "legal_flags": ["target_doc_from_context"]}),
    ("1. Đính chính số thứ tự 5 Phần A Phụ lục II ban hành kèm theo Quyết định số 30/2023/QĐ-UBND như sau: "
     "“1.000 kg” nay đính chính thành “100 kg”.",
     {"operation": "correct", "target_path": "30/2023/QĐ-UBND/PL-II/A/5", "text_old": "1.000 kg",
      "text_new": "100 kg"}),
    ("2. Thay cụm từ “Sở Nông nghiệp và Phát triển nông thôn” bằng cụm từ “Sở Nông nghiệp và Môi trường” tại khoản 2 "
     "Điều 3 Quyết định số 04/2021/QĐ-UBND.",
     {"operation": "amend", "target_path": "04/2021/QĐ-UBND/Điều3/khoản2",
      "text_old": "Sở Nông nghiệp và Phát triển nông thôn", "text_new": "Sở Nông nghiệp và Môi trường"}),
    ("1. Sửa đổi, bổ sung khoản 2 Điều 3 như sau:\n“2. Mức hỗ trợ tối đa 40 triệu đồng/ha.”",
     {"operation": "replace", "target_path": "04/2021/QĐ-UBND/Điều3/khoản2"}),
    ("2. Sửa đổi điểm a khoản 1 Điều 2 như sau:",
     {"operation": "replace", "target_path": "04/2021/QĐ-UBND/Điều2/khoản1/điểma"}),
    ("3. Bổ sung khoản 4 vào Điều 5 như sau:\n“4. Trường hợp ...”",
     {"operation": "insert", "new_label": "khoản 4", "target_path": "04/2021/QĐ-UBND/Điều5",
      "insert_position": None}),
    ("5. Bổ sung mục 7.7 vào sau mục 7.6 tại số thứ tự 7 Phần A Phụ lục I Quyết định số 33/2022/QĐ-UBND như sau:",
     {"operation": "insert", "new_label": "mục 7.7", "target_path": "33/2022/QĐ-UBND/PL-I/A/7/after:7.6"}),
]


@pytest.mark.parametrize(("text", "expected"), OTHER_FORMS, ids=[t[:35] for t, _ in OTHER_FORMS])
def test_other_operation_forms(text: str, expected: dict) -> None:
    row = parse_amendment_clause(text, "99/2024/QĐ-UBND", default_target="04/2021/QĐ-UBND")
    assert row is not None
    for k, v in expected.items():
        if k == "legal_flags":
            assert set(v) <= set(row[k])
        else:
            assert row[k] == v, (k, row[k], v)


@pytest.mark.parametrize("text", [
    "Điều 1. Sửa đổi, bổ sung Quyết định số 04/2021/QĐ-UBND ngày 03 tháng 3 năm 2021 của Ủy ban nhân dân tỉnh, "
    "như sau:",  # umbrella: its numbered clauses are the operations
    "Điều 1. Bổ sung một số điều vào Quyết định số 04/2021/QĐ-UBND, ngày 03 tháng 3 năm 2021 như sau:",
    "Điều 2. Tổ chức thực hiện",
    "1. Lĩnh vực trồng trọt có 14 mô hình được quy định tại Phụ lục I.",
    "",
])
def test_not_an_operation(text: str) -> None:
    assert parse_amendment_clause(text, "33/2022/QĐ-UBND") is None


@pytest.mark.parametrize(("text", "expected", "raw"), [
    ("Quyết định có hiệu lực thi hành kể từ ngày 22 tháng 11 năm 2022./.", date(2022, 11, 22),
     "Quyết định có hiệu lực thi hành kể từ ngày 22 tháng 11 năm 2022"),
    ("Quyết định này có hiệu lực kể từ ngày 05/7/2018.", date(2018, 7, 5),
     "Quyết định này có hiệu lực kể từ ngày 05/7/2018"),
    ("Kế hoạch này có hiệu lực kể từ ngày ký.", None, "Kế hoạch này có hiệu lực kể từ ngày ký"),
    ("Trên đây là Kế hoạch sửa đổi, bổ sung Kế hoạch hành động số 330/KH-UBND.", None, None),
])
def test_effective_clause(text: str, expected: date | None, raw: str | None) -> None:
    assert effective_clause(text) == (expected, raw)


# ---- the real sample PDFs -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def docs():
    from extractors.document import extract_document

    return {name: extract_document(SAMPLES / f"{name}.pdf")
            for name in ("vinhlong-33-2022", "vinhlong-30-2023", "bentre-2835-2018")}


PDF_OPS = {
    "vinhlong-33-2022": [
        ("replace", "04/2021/QĐ-UBND/PL-I/B/14", None, "33/2022/QĐ-UBND/Đ1.k1", [], ["14.1", "14.2", "14.3"]),
        ("insert", "04/2021/QĐ-UBND/after:Điều3", "Điều 3a", "33/2022/QĐ-UBND/Đ1.k2", ["PL-I", "PL-II", "PL-III"], []),
    ],
    "vinhlong-30-2023": [
        ("insert", "04/2021/QĐ-UBND/Điều3a/PL-I/A/7/after:7.5", "Mục 7.6", "30/2023/QĐ-UBND/Đ1.k1", [], ["7.6"]),
        ("insert", "04/2021/QĐ-UBND/after:Điều3a", "Điều 3b", "30/2023/QĐ-UBND/Đ1.k2",
         ["PL-I", "PL-II", "PL-III", "PL-IV", "PL-V"], []),
    ],
    "bentre-2835-2018": [
        ("replace", "330/KH-UBND/II.1", None, "2835/KH-UBND/1", ["PL-1"], []),
        ("replace", "330/KH-UBND/II.2", None, "2835/KH-UBND/2", ["PL-2"], []),
    ],
}
EFFECTIVE = {"vinhlong-33-2022": date(2022, 11, 22), "vinhlong-30-2023": date(2023, 10, 24), "bentre-2835-2018": None}


@pytest.mark.parametrize("name", list(PDF_OPS))
def test_domain_operations_on_pdfs(docs, name: str) -> None:
    rows = amendments_from_document(docs[name])
    got = [(r["operation"], r["target_path"], r["new_label"], r["source_label"], r["source_appendices"],
            r["source_sections"]) for r in rows]
    assert got == PDF_OPS[name]
    for r in rows:
        assert r["effective_date"] == EFFECTIVE[name]
        assert r["doc_sha256"] == docs[name].sha256 and r["page"] in (1, 2)
        assert r["clause_text"].startswith(("1. ", "2. "))
    assert [r["amendment_index"] for r in rows] == list(range(len(rows)))


def test_30_2023_clause_records_its_via_and_page(docs) -> None:
    rows = amendments_from_document(docs["vinhlong-30-2023"])
    assert rows[0]["target_via"] == "33/2022/QĐ-UBND/Đ1.k2" and rows[0]["insert_position"] == "after:7.5"
    assert rows[0]["effective_date_raw"] == "Quyết định có hiệu lực kể từ ngày 24 tháng 10 năm 2023"
    assert rows[0]["page"] == 1


def test_amendment_frames_conform_to_schema(docs) -> None:
    for d in docs.values():
        df = legal_frames(d)["amendments"]
        ds = dataset("amendments")
        assert list(df.columns) == ds.columns and len(df) == 2
        pa.Table.from_pandas(df, schema=ds.arrow_schema(), preserve_index=False)


# ---- real wording: operations inside a sentence, article titles, each operation once ----------------
def _doc(lines: list[str], number: str = "779/QĐ-UBND"):
    from tests.test_normalize import doc

    return doc([], headings=[], lines=lines, number=number)


# a decree as real ones are written: snippet lines -> expected (operation, target path, source label)
REAL_WORDING = [
    # the text itself replaces an older one, inside a sentence
    (["Điều 1. Công nhận Điều lệ (sửa đổi, bổ sung) của Quỹ ban hành kèm theo Quyết định này.",
      "Điều lệ này thay thế Điều lệ được công nhận tại Quyết định số",
      "2221/QĐ-UBND ngày 24 tháng 8 năm 2015 của Chủ tịch Ủy ban nhân dân tỉnh.",
      "Điều 2. Quyết định này có hiệu lực kể từ ngày ký ban hành.", "KT. CHỦ TỊCH"],
     [("replace", "2221/QĐ-UBND", "779/QĐ-UBND/Đ1")]),
    (["Điều 3. Quyết định này có hiệu lực kể từ ngày 01 tháng 7 năm 2024 và thay thế Quyết định số",
      "15/2020/QĐ-UBND ngày 05/6/2020 của Ủy ban nhân dân tỉnh."],
     [("replace", "15/2020/QĐ-UBND", "779/QĐ-UBND/Đ3")]),
    (["Điều 3. Quyết định này có hiệu lực kể từ ngày 01 tháng 7 năm 2024.",
      "Quyết định này thay thế Quyết định số 15/2020/QĐ-UBND ngày 05/6/2020 của Ủy ban nhân dân tỉnh."],
     [("replace", "15/2020/QĐ-UBND", "779/QĐ-UBND/Đ3")]),
    (["Điều 3. Quyết định này có hiệu lực kể từ ngày ký và bãi bỏ Quyết định số 12/2019/QĐ-UBND",
      "ngày 03/5/2019 của Ủy ban nhân dân tỉnh."],
     [("repeal", "12/2019/QĐ-UBND", "779/QĐ-UBND/Đ3")]),
    (["Điều 2. Bãi bỏ khoản 2 Điều 5 Quyết định số 12/2019/QĐ-UBND ngày 03/5/2019."],
     [("repeal", "12/2019/QĐ-UBND/Điều5/khoản2", "779/QĐ-UBND/Đ2")]),
    # not operations: the verb's object is not a cited document, or it is the authority ("theo quy định")
    (["Điều 12. Phụ trách kế toán", "1. Hội đồng bổ nhiệm, bãi miễn, thay thế phụ trách kế toán theo quy định",
      "tại Nghị định số 93/2019/NĐ-CP."], []),
    (["Điều 9. Chủ tịch Hội đồng quản lý Quỹ",
      "đ) Thay mặt Hội đồng quản lý Quỹ ký các quyết định của Hội đồng quản lý Quỹ."], []),
    (["Điều 27. Sửa đổi, bổ sung Điều lệ",
      "Việc sửa đổi, bổ sung Điều lệ Quỹ phải được 2/3 thành viên Hội đồng thông qua."], []),
    # a charter attached after the signature: its articles are its content
    (["Điều 1. Phê duyệt Quy chế kèm theo.", "KT. CHỦ TỊCH", "QUY CHẾ",
      "Điều 5. Bãi bỏ Quyết định số 12/2019/QĐ-UBND."], []),
]


@pytest.mark.parametrize(("lines", "expected"), REAL_WORDING, ids=[ln[0][:30] + str(i) for i, (ln, _) in
                                                                  enumerate(REAL_WORDING)])
def test_operations_in_real_wording(lines: list[str], expected: list[tuple]) -> None:
    rows = amendments_from_document(_doc(lines))
    assert [(r["operation"], r["target_path"], r["source_label"]) for r in rows] == expected


def test_an_operation_stated_twice_is_one_row_with_both_clauses() -> None:
    lines = ["Điều 1. Sửa đổi, bổ sung một số điều của Quyết định số 04/2021/QĐ-UBND như sau:",
             "1. Bãi bỏ khoản 3 Điều 5.", "2. Bãi bỏ khoản 3 Điều 5.",
             "3. Sửa đổi khoản 2 Điều 6 như sau:", "“2. Mức hỗ trợ 40 triệu đồng.”",
             "4. Bãi bỏ khoản 2 Điều 6."]
    rows = amendments_from_document(_doc(lines, "99/2024/QĐ-UBND"))
    got = [(r["operation"], r["target_path"], r["source_label"]) for r in rows]
    assert got == [("repeal", "04/2021/QĐ-UBND/Điều5/khoản3", "99/2024/QĐ-UBND/Đ1.k1"),
                   ("replace", "04/2021/QĐ-UBND/Điều6/khoản2", "99/2024/QĐ-UBND/Đ1.k3"),
                   ("repeal", "04/2021/QĐ-UBND/Điều6/khoản2", "99/2024/QĐ-UBND/Đ1.k4")]
    assert "repeated_in:99/2024/QĐ-UBND/Đ1.k2" in rows[0]["legal_flags"]
    assert [r["amendment_index"] for r in rows] == [0, 1, 2]
    checks = legal_frames(_doc(lines, "99/2024/QĐ-UBND"))["quality_checks"].set_index("check_name")
    assert checks.loc["repeated_operations", "actual"] == "1" and not checks.loc["repeated_operations", "passed"]
    assert checks.loc["conflicting_operations", "actual"] == "1"
    assert "04/2021/QĐ-UBND/Điều6/khoản2" in checks.loc["conflicting_operations", "detail"]


# ---- a clause naming only a provision: its document is the one the subject line amends (DOMAIN §4.1) ----
_BASIS_AMENDING = ("Căn cứ Nghị định số 154/2025/NĐ-CP ngày 16 tháng 6 năm 2025 của Chính phủ sửa đổi, bổ sung "
                   "một số điều của Nghị định số 30/2020/NĐ-CP;")


def test_the_subject_line_names_the_document_a_bare_provision_belongs_to() -> None:
    from pipeline.records.operations import amended_document

    subject = "Sửa đổi, bổ sung một số điều của Quyết định số 04/2021/QĐ-UBND ngày 03 tháng 3 năm 2021"
    assert amended_document(subject, _BASIS_AMENDING, "33/2022/QĐ-UBND") == "04/2021/QĐ-UBND"
    # the subject line read with the preamble (no masthead subject): the same
    assert amended_document(None, subject + "\n" + _BASIS_AMENDING, "33/2022/QĐ-UBND") == "04/2021/QĐ-UBND"
    # a basis that amends another text is the legal ground, not this document's target
    assert amended_document("Về việc ban hành Quy chế làm việc", _BASIS_AMENDING, "33/2022/QĐ-UBND") is None


def test_a_bare_provision_under_a_subject_that_amends_nothing_has_no_target_document() -> None:
    lines = ["QUYẾT ĐỊNH", "Về việc ban hành Quy chế làm việc", _BASIS_AMENDING, "QUYẾT ĐỊNH:",
             "Điều 1. Sửa đổi Quy chế như sau:", "1. Bãi bỏ khoản 2 Điều 5."]
    rows = amendments_from_document(_doc(lines, "99/2024/QĐ-UBND"))
    assert [r["target_doc_number"] for r in rows] == [None]
    assert "target_doc_unknown" in rows[0]["legal_flags"]
    lines[1] = "Sửa đổi, bổ sung một số điều của Quyết định số 04/2021/QĐ-UBND"
    rows = amendments_from_document(_doc(lines, "99/2024/QĐ-UBND"))
    assert [(r["target_doc_number"], r["target_path"]) for r in rows] == [
        ("04/2021/QĐ-UBND", "04/2021/QĐ-UBND/Điều5/khoản2")]
    assert "target_doc_from_context" in rows[0]["legal_flags"]
