"""pipeline.parsing.nlp / pipeline.records.references: references, dates, issuers and people (docs/DOMAIN.md §1, §7)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.parsing.nlp import build_nlp, get_nlp, tokenizer_mode
from pipeline.records.citations import citation_graph
from pipeline.records.people import find_people, people_from_document
from pipeline.records.references import (
    find_dates,
    find_references,
    issuer_from_number,
    normalize_doc_number,
    references_from_document,
)
from schemas import dataset

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "pdf" / "compact"

# snippet -> expected fields of its first reference (forms from the corpus and from real decrees absent from it)
REFERENCES = [
    ("Sửa đổi, bổ sung Quyết định số 04/2021/QĐ-UBND ngày 03 tháng 3 năm 2021 của Ủy ban nhân dân tỉnh Vĩnh Long",
     {"cited_number": "04/2021/QĐ-UBND", "cited_type": "Quyết định", "cited_date": date(2021, 3, 3),
      "cited_issuer": "Ủy ban nhân dân tỉnh Vĩnh Long", "relation": "amends"}),
    ("Căn cứ Nghị định số 98/2018/NĐ-CP ngày 05/7/2018 của Chính phủ về chính sách khuyến khích",
     {"cited_number": "98/2018/NĐ-CP", "cited_type": "Nghị định", "cited_date": date(2018, 7, 5),
      "cited_issuer": "Chính phủ", "relation": "basis"}),
    ("Căn cứ Thông tư số 40/2017/TT-BTC ngày 28 tháng 4 năm 2017",
     {"cited_number": "40/2017/TT-BTC", "cited_type": "Thông tư", "cited_date": date(2017, 4, 28),
      "cited_issuer": "Bộ Tài chính", "relation": "basis"}),
    ("Thông tư liên tịch số 183/2010/TTLT-BTC-BNN ngày 15/11/2010",
     {"cited_number": "183/2010/TTLT-BTC-BNN", "cited_type": "Thông tư liên tịch", "cited_date": date(2010, 11, 15),
      "cited_issuer": "Bộ Tài chính; Bộ Nông nghiệp và Phát triển nông thôn"}),
    ("Tham khảo Nghị quyết số 203/2019/NQ-HĐND ngày 17/10/2019 của Hội đồng nhân dân tỉnh Vĩnh Long",
     {"cited_number": "203/2019/NQ-HĐND", "cited_type": "Nghị quyết", "cited_date": date(2019, 10, 17),
      "cited_issuer": "Hội đồng nhân dân tỉnh Vĩnh Long", "relation": "consults"}),
    ("Tham khảo Nghị quyết số 203/2019/NQHĐND ngày 17/10/2019",  # glued codes, as printed in 33/2022
     {"cited_number": "203/2019/NQ-HĐND", "cited_number_raw": "203/2019/NQHĐND", "legal_flags": ["number_code_glued"],
      "cited_issuer": "Hội đồng nhân dân"}),
    ("Kế hoạch số 186/KH-UBND tỉnh",
     {"cited_number": "186/KH-UBND", "cited_type": "Kế hoạch", "cited_issuer": "Ủy ban nhân dân"}),
    ("Theo đề nghị của Giám đốc Sở tại Tờ trình số 159/TTr-SNN&PTNT ngày 18 tháng 10 năm 2022.",
     {"cited_number": "159/TTr-SNN&PTNT", "cited_type": "Tờ trình", "cited_date": date(2022, 10, 18),
      "cited_issuer": "Sở Nông nghiệp và Phát triển nông thôn", "relation": "proposal"}),
    ("Tiêu chuẩn Việt Nam: TCVN 11041- 2:2017 - Kỹ thuật trồng",
     {"cited_number": "TCVN 11041-2:2017", "cited_number_raw": "TCVN 11041- 2:2017", "cited_type": "TCVN"}),
    ("(Tham khảo Phụ lục VII - Mã sản phẩm: TT6001)",
     {"cited_number": "TT6001", "cited_type": "Mã sản phẩm"}),
    ("Bộ Nông nghiệp & PTNT - Mã sản phẩm: ĐT 1001)",
     {"cited_number": "ĐT1001", "cited_number_raw": "ĐT 1001", "cited_type": "Mã sản phẩm"}),
    ("Quyết định số: 33/2022/QĐ-UBND ngày 11 tháng 11 năm 2022 của Ủy ban nhân dân tỉnh Vĩnh Long.",
     {"cited_number": "33/2022/QĐ-UBND", "cited_type": "Quyết định", "cited_date": date(2022, 11, 11)}),
    ("- Quyết định số: 4/2021/QĐ-UBND ngày 03 tháng 3 năm 2021",  # typo form (003:3668)
     {"cited_number": "04/2021/QĐ-UBND", "cited_number_raw": "4/2021/QĐ-UBND", "legal_flags": ["number_zero_padded"]}),
    ("Số: 33 /2022/QĐ-UBND",
     {"cited_number": "33/2022/QĐ-UBND", "cited_number_raw": "33 /2022/QĐ-UBND", "cited_type": "Quyết định"}),
    ("Tham khảo phụ lục I, kèm theo Quyết định số 44: /2021/QĐ-UBND ngày 19 tháng 10 năm 2021 của UBND tỉnh Long An",
     {"cited_number": "44/2021/QĐ-UBND", "cited_issuer": "Ủy ban nhân dân tỉnh Long An", "cited_issuer_raw":
      "UBND tỉnh Long An", "cited_date": date(2021, 10, 19)}),
    ("Tham khảo Quyết định số: 726/QĐ -BNN-KN ngày 24 tháng 02 năm 2022 của Bộ trưởng Bộ Nông nghiệp và Phát triển nông thôn",
     {"cited_number": "726/QĐ-BNN-KN", "cited_type": "Quyết định", "cited_date": date(2022, 2, 24),
      "cited_issuer": "Bộ Nông nghiệp và Phát triển nông thôn", "relation": "consults"}),
    ("Quyết định số: 726/QĐ-BNN-KN",
     {"cited_issuer": "Bộ Nông nghiệp và Phát triển nông thôn", "cited_issuer_raw": None}),
    ("Quyết định Số: 34/2020/QĐ-UBND, ngày 08 tháng 12 năm 2020, của UBND TP. Hà Nội V/v Ban hành định mức",
     {"cited_number": "34/2020/QĐ-UBND", "cited_date": date(2020, 12, 8),
      "cited_issuer": "Ủy ban nhân dân thành phố Hà Nội"}),
    ("QĐ Số 18/2022/QĐ-UBND, ngày 22 tháng 09 năm 2022 của UBND tỉnh Bà Rịa-Vũng Tàu.",
     {"cited_number": "18/2022/QĐ-UBND", "cited_type": "Quyết định", "cited_date": date(2022, 9, 22)}),
    ("Căn cứ Quyết định số 1273/QĐ-UBND ngày 22 tháng 4 năm 2026 của Ủy ban nhân dân tỉnh Đắk Lắk",
     {"cited_number": "1273/QĐ-UBND", "cited_issuer": "Ủy ban nhân dân tỉnh Đắk Lắk", "relation": "basis"}),
    ("Thực hiện Nghị quyết 03-NQ/TU của Tỉnh ủy",
     {"cited_number": "03-NQ/TU", "cited_type": "Nghị quyết", "cited_issuer": "Tỉnh ủy", "relation": "implements"}),
    ("Quyết định này thay thế Quyết định số 12/2015/QĐ-UBND ngày 05-6-2015",
     {"cited_number": "12/2015/QĐ-UBND", "cited_date": date(2015, 6, 5), "relation": "amends"}),
    ("Bãi bỏ Quyết định số 5/2019/QĐ-UBND",
     {"cited_number": "05/2019/QĐ-UBND", "relation": "amends"}),
    ("Đính chính Quyết định số 1500/QĐ-TTg ngày 01/12/2020 của Thủ tướng Chính phủ",
     {"cited_number": "1500/QĐ-TTg", "cited_issuer": "Thủ tướng Chính phủ", "relation": "amends"}),
    ("(Ban hành kèm theo Quyết định số …../2022/QĐ-UBND ngày tháng năm 2022)",  # draft placeholder
     {"cited_number": None, "cited_number_raw": "…../2022/QĐ-UBND", "cited_date": None,
      "cited_date_raw": "ngày tháng năm 2022", "legal_flags": ["number_placeholder", "date_unparsed"],
      "relation": "issued_with"}),
    ("Luật số 02/2013/QH13 ngày 26 tháng 11 năm 2013",
     {"cited_number": "02/2013/QH13", "cited_type": "Luật", "cited_issuer": "Quốc hội"}),
    # numbers printed with inner spaces (real Word exports: the serial typed into a blank run)
    ("theo Báo cáo Số 36 /BC-HĐTĐ ngày 02/02/2026 của Hội đồng thẩm định",
     {"cited_number": "36/BC-HĐTĐ", "cited_number_raw": "36 /BC-HĐTĐ", "cited_type": "Báo cáo",
      "cited_date": date(2026, 2, 2), "legal_flags": ["number_spacing"]}),
    ("Căn cứ Nghị định số 30/2020/ NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư",
     {"cited_number": "30/2020/NĐ-CP", "cited_type": "Nghị định", "cited_date": date(2020, 3, 5),
      "cited_issuer": "Chính phủ", "relation": "basis"}),
    ("Thực hiện Quyết định số 33 / 2022 / QĐ-UBND ngày 11/11/2022",
     {"cited_number": "33/2022/QĐ-UBND", "cited_type": "Quyết định", "relation": "implements"}),
    ("Công văn số 12094 /BNV-CCHC ngày 15/12/2025 của Bộ Nội vụ",
     {"cited_number": "12094/BNV-CCHC", "cited_type": "Công văn", "cited_issuer": "Bộ Nội vụ"}),
    ("Số: 644 /TTXT-ĐTDN", {"cited_number": "644/TTXT-ĐTDN", "cited_number_raw": "644 /TTXT-ĐTDN"}),
    # the signing system writes the serial into the blank without a space ("số1187"), or a stray dot follows it
    ("(Ban hành kèm theo Quyết định số1187/QĐ-BNV ngày 15 tháng 10 năm 2025 của Bộ Nội vụ)",
     {"cited_number": "1187/QĐ-BNV", "cited_type": "Quyết định", "relation": "issued_with"}),
    ("Kế hoạch số 3070. /KH-UBND ngày 09/9/2024",
     {"cited_number": "3070/KH-UBND", "cited_type": "Kế hoạch", "legal_flags": ["number_serial_dot"]}),
]


@pytest.mark.parametrize(("text", "expected"), REFERENCES, ids=[t[:40] for t, _ in REFERENCES])
def test_find_references(text: str, expected: dict) -> None:
    refs = find_references(text)
    assert refs, text
    got = refs[0]
    for k, v in expected.items():
        if k == "legal_flags":
            assert set(v) <= set(got[k]), (k, got[k])
        else:
            assert got[k] == v, (k, got[k], v)


@pytest.mark.parametrize("text", [
    "Mật độ 10 chiếc/MH (1.000m2), 1 bảng/MH",
    "kg/con/ngày; 25- 30 người/lớp; 0,35 ha/hộ",
    "Giai đoạn 2016-2020 và định hướng đến năm 2025",
    "",
])
def test_no_false_references(text: str) -> None:
    assert find_references(text) == []


def test_self_and_caption_conflict() -> None:
    """The number line is the document's own; a caption printing another number is flagged (DOMAIN §7.20)."""
    own = find_references("Số: 2835/KH-UBND", citing_number="2835/KH-UBND")[0]
    assert own["is_self"] and own["relation"] == "self"
    cap = find_references("(Ban hành kèm theo Quyết định số 2885/KH-UBND ngày 19 tháng 6 năm 2018 của Ủy ban nhân "
                          "dân tỉnh)", citing_number="2835/KH-UBND")[0]
    assert cap["relation"] == "issued_with" and not cap["is_self"]
    assert {"type_conflict", "self_number_mismatch"} <= set(cap["legal_flags"])
    assert cap["cited_type"] == "Quyết định"  # as printed; the type code says Kế hoạch


def test_several_references_and_context() -> None:
    text = ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;\nCăn cứ Nghị định số 83/2018/NĐ-CP ngày 24 "
            "tháng 5 năm 2018 của Chính phủ về Khuyến\nnông;\nTheo đề nghị của Giám đốc Sở tại Tờ trình số\n"
            "159/TTr-SNN&PTNT ngày 18 tháng 10 năm 2022.")
    refs = find_references(text)
    assert [r["cited_number"] for r in refs] == ["83/2018/NĐ-CP", "159/TTr-SNN&PTNT"]
    assert refs[0]["mention_context"] == ("Căn cứ Nghị định số 83/2018/NĐ-CP ngày 24 tháng 5 năm 2018 của Chính phủ "
                                          "về Khuyến nông;")
    assert refs[1]["mention_context"].startswith("Theo đề nghị") and refs[1]["relation"] == "proposal"


DATES = [
    ("ngày 03 tháng 3 năm 2021", date(2021, 3, 3)),
    ("ngày 05/7/2018", date(2018, 7, 5)),
    ("ngày 05-7-2018", date(2018, 7, 5)),
    ("ngày 05.7.2018", date(2018, 7, 5)),
    ("ngày 25 tháng 01 năm 2017", date(2017, 1, 25)),
    ("Ngày 11 tháng 11, năm 2022", date(2022, 11, 11)),
    ("ngày tháng 5 năm 2026", None),  # drafts
    ("ngày tháng năm 2022", None),
    ("ngày /7/2025", None),
    ("ngày 31 tháng 2 năm 2022", None),  # impossible
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_find_dates(text: str, expected: date | None) -> None:
    found = find_dates(f"Ký {text} tại Vĩnh Long")
    assert len(found) == 1
    assert found[0]["raw"] == text
    assert found[0]["date"] == expected
    assert ("date_unparsed" in found[0]["flags"]) == (expected is None)


@pytest.mark.parametrize(("raw", "number", "flags"), [
    ("33 /2022/QĐ-UBND", "33/2022/QĐ-UBND", {"number_spacing"}),
    ("4/2021/QĐ-UBND", "04/2021/QĐ-UBND", {"number_zero_padded"}),
    ("44: /2021/QĐ-UBND", "44/2021/QĐ-UBND", {"number_colon", "number_spacing"}),
    ("Số: 30/2023/QĐ-UBND", "30/2023/QĐ-UBND", set()),
    ("726/QĐ -BNN-KN", "726/QĐ-BNN-KN", {"number_spacing"}),
    ("Số: /SNNMT-CCTTBVT", None, {"number_placeholder"}),
    ("…../2022/QĐ-UBND", None, {"number_placeholder"}),
    ("03-NQ/TU", "03-NQ/TU", set()),
])
def test_normalize_doc_number(raw: str, number: str | None, flags: set[str]) -> None:
    got, got_flags = normalize_doc_number(raw)
    assert got == number and set(got_flags) == flags


@pytest.mark.parametrize(("number", "issuer"), [
    ("98/2018/NĐ-CP", "Chính phủ"), ("40/2017/TT-BTC", "Bộ Tài chính"),
    ("726/QĐ-BNN-KN", "Bộ Nông nghiệp và Phát triển nông thôn"), ("429/QĐ-BVTV-KH", "Cục Bảo vệ thực vật"),
    ("445/QĐ-TTg", "Thủ tướng Chính phủ"), ("33/2022/QĐ-UBND", "Ủy ban nhân dân"), ("02/2013/QH13", "Quốc hội"),
    ("123/XYZ-ABC", None),
])
def test_issuer_from_number(number: str, issuer: str | None) -> None:
    assert issuer_from_number(number) == issuer


PEOPLE = [
    ("Sở Nông nghiệp và Môi trường (Bà Nguyễn Kiên Nhẫn - Chi cục trưởng Chi cục Kinh tế hợp tác và Phát triển "
     "nông thôn)",
     [("Bà", "Nguyễn Kiên Nhẫn", "Chi cục trưởng", "Chi cục Kinh tế hợp tác và Phát triển nông thôn",
       "Sở Nông nghiệp và Môi trường")]),
    ("Sở Nông nghiệp và Môi trường (ông Nguyễn Trần Thức - Chi cục trưởng Chi cục Trồng trọt và Bảo vệ thực vật; "
     "Ông Tiết Tiến Dũng, Giám đốc Trung tâm Khuyến nông)",
     [("Ông", "Nguyễn Trần Thức", "Chi cục trưởng", "Chi cục Trồng trọt và Bảo vệ thực vật",
       "Sở Nông nghiệp và Môi trường"),
      ("Ông", "Tiết Tiến Dũng", "Giám đốc", "Trung tâm Khuyến nông", "Sở Nông nghiệp và Môi trường")]),
    ("Liên minh Hợp tác xã tỉnh (Ông Nguyễn Trọng Nhân - Phó Chủ tịch)",
     [("Ông", "Nguyễn Trọng Nhân", "Phó Chủ tịch", None, "Liên minh Hợp tác xã tỉnh")]),
    ("Sở (Ông Nguyễn Vĩnh Nghi - Phó Trưởng phòng Kế hoạch - Tài chính)",
     [("Ông", "Nguyễn Vĩnh Nghi", "Phó Trưởng phòng", "Kế hoạch - Tài chính", "Sở")]),
]


@pytest.mark.parametrize(("text", "expected"), PEOPLE)
def test_find_people(text: str, expected: list[tuple]) -> None:
    got = [(p["honorific"], p["person_name"], p["person_title"], p["person_unit"], p["organization"])
           for p in find_people(text)]
    assert got == expected


def test_pipeline_is_a_singleton_with_pyvi() -> None:
    assert get_nlp() is get_nlp()
    assert tokenizer_mode() == "pyvi"  # pyvi ships its model: no download
    assert get_nlp().pipe_names == ["entity_ruler"]


def test_syllable_fallback_marks_the_same_entities() -> None:
    nlp, mode = build_nlp(use_pyvi=False)
    assert mode.startswith("syllable")
    doc = nlp("Căn cứ Quyết định số 04/2021/QĐ-UBND ngày 03/3/2021 của Ủy ban nhân dân tỉnh; Bà Nguyễn Kiên Nhẫn")
    labels = [(e.label_, e.text) for e in doc.ents]
    assert ("DOC_TYPE", "Quyết định") in labels
    assert ("DOC_NUMBER", "04/2021/QĐ-UBND") in labels
    assert ("DATE", "ngày 03/3/2021") in labels
    assert ("PERSON", "Bà Nguyễn Kiên Nhẫn") in labels


# ---- the real sample PDFs -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def docs():
    from extractors.document import extract_document

    return {name: extract_document(SAMPLES / f"{name}.pdf")
            for name in ("vinhlong-33-2022", "camau-2025-plan", "bentre-2835-2018")}


def test_references_of_33_2022(docs) -> None:
    rows = references_from_document(docs["vinhlong-33-2022"])
    by = {}
    for r in rows:
        by.setdefault(r["cited_number"], []).append(r)
    assert all(r["citing_doc_number"] == "33/2022/QĐ-UBND" for r in rows)
    assert [r["ref_index"] for r in rows] == list(range(len(rows)))
    body_0421 = [r for r in by["04/2021/QĐ-UBND"] if r["source_kind"] == "body"]
    assert body_0421 and body_0421[0]["cited_date"] == date(2021, 3, 3) and body_0421[0]["page"] == 1
    assert body_0421[0]["relation"] == "amends"
    # the typo "4/2021/QĐ-UBND" in Phụ lục I model 10 (003:3668) joins the same node
    assert any("4/2021/QĐ-UBND" == r["cited_number_raw"] for r in by["04/2021/QĐ-UBND"])
    assert by["83/2018/NĐ-CP"][0]["relation"] == "basis" and by["83/2018/NĐ-CP"][0]["cited_issuer"] == "Chính phủ"
    assert by["159/TTr-SNN&PTNT"][0]["cited_date"] == date(2022, 10, 18)
    assert by["159/TTr-SNN&PTNT"][0]["mention_context"].startswith("Theo đề nghị")
    assert "TCVN 11041-2:2017" in by and all(r["source_kind"] == "table" for r in by["TCVN 11041-2:2017"])
    assert any(r["is_self"] and r["relation"] == "self" for r in by["33/2022/QĐ-UBND"])
    # draft captions of Phụ lục II and III (003:4725, 003:5079)
    assert sum(r["cited_number"] is None and "number_placeholder" in r["legal_flags"] for r in rows) == 2


def test_people_of_camau_plan(docs) -> None:
    people = people_from_document(docs["camau-2025-plan"])
    names = {p["person_name"] for p in people}
    assert {"Nguyễn Kiên Nhẫn", "Tiết Tiến Dũng", "Phùng Sơn Kiệt", "Nguyễn Trọng Nhân"} <= names
    nhan = next(p for p in people if p["person_name"] == "Nguyễn Kiên Nhẫn")
    assert (nhan["honorific"], nhan["person_title"], nhan["organization"]) == (
        "Bà", "Chi cục trưởng", "Sở Nông nghiệp và Môi trường")
    assert nhan["source_kind"] == "table" and nhan["page"] == 1
    dung = next(p for p in people if p["person_name"] == "Tiết Tiến Dũng")
    assert dung["person_role"] == "Giám đốc Trung tâm Khuyến nông"


def test_bentre_caption_conflict(docs) -> None:
    rows = references_from_document(docs["bentre-2835-2018"])
    bad = [r for r in rows if r["cited_number"] == "2885/KH-UBND"]
    assert len(bad) == 1 and "self_number_mismatch" in bad[0]["legal_flags"]
    assert any(r["cited_number"] == "330/KH-UBND" and r["relation"] == "amends" for r in rows)


def test_legal_frames_are_typed(docs) -> None:
    from pipeline.records.amendments import legal_frames

    frames = legal_frames(docs["vinhlong-33-2022"])
    for name, df in frames.items():
        ds = dataset(name)
        assert list(df.columns) == ds.columns
        pa.Table.from_pandas(df, schema=ds.arrow_schema(), preserve_index=False)  # types conform
    assert len(frames["references"]) > 50 and len(frames["amendments"]) == 2


def test_citation_graph_knows_the_missing_base(docs) -> None:
    from pipeline.records.datasets import document_frames

    refs, documents = [], []
    for d in docs.values():
        refs += references_from_document(d)
        documents.append(document_frames(d, source=d.file_name)["documents"])
    import pandas as pd

    g = citation_graph(refs, pd.concat(documents))
    nodes = g["citation_nodes"].set_index("doc_number")
    base = nodes.loc["04/2021/QĐ-UBND"]
    assert not base["is_ingested"] and pd.isna(base["ingested_sha256"])
    assert base["doc_type"] == "Quyết định" and base["signing_date"] == date(2021, 3, 3)
    assert base["issuer"] == "Ủy ban nhân dân tỉnh Vĩnh Long"
    assert set(base["number_variants"]) >= {"04/2021/QĐ-UBND", "4/2021/QĐ-UBND"}
    assert nodes.loc["33/2022/QĐ-UBND", "is_ingested"]
    edges = g["citation_edges"]
    e = edges[(edges.citing_doc_number == "33/2022/QĐ-UBND") & (edges.cited_number == "04/2021/QĐ-UBND")]
    assert len(e) == 1 and "amends" in e.iloc[0]["relations"]
    assert not ((edges.citing_doc_number == edges.cited_number).any())  # self references are not edges
    for name, df in g.items():
        pa.Table.from_pandas(df, schema=dataset(name).arrow_schema(), preserve_index=False)


# laws cited by name and date, without a number (the "Căn cứ" lines of real decrees): snippet -> (name, date)
NAMED_LAWS = [
    ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
     [("Luật Tổ chức chính quyền địa phương", date(2015, 6, 19), "basis")]),
    ("Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ\nvà Luật Tổ chức chính quyền địa phương "
     "ngày 22 tháng 11 năm 2019;",
     [("Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương",
       date(2019, 11, 22), "basis")]),
    ("Căn cứ Luật Thủ đô ngày 28/6/2024;", [("Luật Thủ đô", date(2024, 6, 28), "basis")]),
    ("Căn cứ Bộ luật Lao động ngày 20 tháng 11 năm 2019;", [("Bộ luật Lao động", date(2019, 11, 20), "basis")]),
    ("Căn cứ Luật số 02/2013/QH13 ngày 26/11/2013;", []),  # a number: found by find_references
    ("theo quy định của pháp luật ngày 01/01/2020", []),
]


@pytest.mark.parametrize(("text", "expected"), NAMED_LAWS, ids=[t[:30] for t, _ in NAMED_LAWS])
def test_laws_cited_by_name_and_date(text: str, expected: list) -> None:
    from pipeline.records.references import named_laws

    rows = named_laws(text)
    assert [(r["cited_number_raw"], r["cited_date"], r["relation"]) for r in rows] == expected
    assert all(r["cited_number"] is None and "cited_by_name" in r["legal_flags"] for r in rows)


# the forms met in the "Căn cứ pháp lý" cells of real lists of procedures
NAMED_LAWS_MORE = [
    ("1. Luật Phòng, chống nhiễm vi rút gây ra hội chứng suy giảm miễn dịch mắc phải ở người (HIV/AIDS) "
     "ngày 29/6/2006;",
     [("Luật Phòng, chống nhiễm vi rút gây ra hội chứng suy giảm miễn dịch mắc phải ở người (HIV/AIDS)",
       date(2006, 6, 29), "ngày 29/6/2006")]),
    ("1. Luật phòng, chống bệnh truyền nhiễm năm 2007;",
     [("Luật phòng, chống bệnh truyền nhiễm", None, "năm 2007")]),
    ("1. Luật an toàn, vệ sinh lao động số 84 ngày 25 tháng 6 năm 2015.",
     [("Luật an toàn, vệ sinh lao động", date(2015, 6, 25), "ngày 25 tháng 6 năm 2015")]),
    ("1. Luật Phòng, chống tác hại của thuốc lá số 09/2012/QH13 ngày 18 tháng 6 năm 2012;", []),  # numbered
    ("Luật này có hiệu lực thi hành từ năm 2026.", []),
    ("Căn cứ Luật Tổ chức chính quyền địa phương 19/02/2025;",
     [("Luật Tổ chức chính quyền địa phương", date(2025, 2, 19), "19/02/2025")]),
]


@pytest.mark.parametrize(("text", "expected"), NAMED_LAWS_MORE, ids=[t[:30] for t, _ in NAMED_LAWS_MORE])
def test_laws_by_name_with_parenthesis_year_or_bare_serial(text: str, expected: list) -> None:
    from pipeline.records.references import named_laws

    assert [(r["cited_number_raw"], r["cited_date"], r["cited_date_raw"]) for r in named_laws(text)] == expected


def test_laws_cited_by_name_inside_table_cells() -> None:
    """A law named in a table cell (the legal-basis column of a list of procedures) is a reference
    of the document, with its table position, as in the body."""
    from extractors.model import Cell, Document, DocumentMeta, Table

    cell = Cell(1, 2, 1, 1, "1. Luật phòng, chống bệnh truyền nhiễm năm 2007;\n2. Nghị định số 101/2010/NĐ-CP "
                "ngày 30/9/2010 của Chính phủ", 7, (0.0, 0.0, 10.0, 10.0))
    table = Table(0, [], 2, 3, 1, [Cell(0, 0, 1, 1, "TT", 7, (0.0, 0.0, 1.0, 1.0)), cell], ["header", "body"],
                  "lattice", 1.0)
    doc = Document("0" * 64, "x.pdf", 1, 7, DocumentMeta(), [], [], [table])
    rows = [r for r in references_from_document(doc) if r["source_kind"] == "table"]
    got = {(r["cited_number"], r["cited_number_raw"], r["page"], r["row"], r["col"]) for r in rows}
    assert (None, "Luật phòng, chống bệnh truyền nhiễm", 7, 1, 2) in got
    assert ("101/2010/NĐ-CP", "101/2010/NĐ-CP", 7, 1, 2) in {(a, b.removeprefix("số ").strip(), c, d, e)
                                                          for a, b, c, d, e in got}


@pytest.mark.parametrize(("text", "number", "day"), [
    ("Trung tâm đã có Công văn số 428/TTXT-\nĐTDN ngày 09/9/2025 báo cáo UBND tỉnh", "428/TTXT-ĐTDN", date(2025, 9, 9)),
    ("theo Quyết định số 12/2021/QĐ-\nUBND ngày 01/02/2021 của Ủy ban", "12/2021/QĐ-UBND", date(2021, 2, 1)),
])
def test_a_number_wrapped_at_its_hyphen_is_one_number_with_its_date(text: str, number: str, day: date) -> None:
    (ref,) = find_references(text)
    assert (ref["cited_number"], ref["cited_date"]) == (number, day)


def test_a_trailing_hyphen_does_not_take_the_next_lines_prose() -> None:
    (ref,) = find_references("xem Quyết định số 12/QĐ-UBND-\nSau đó, các sở triển khai")
    assert ref["cited_number"] == "12/QĐ-UBND"
