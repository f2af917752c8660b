"""pipeline.versions.duplicates: one decree held in two files is one document, with a check when the
files' contents disagree (issue 12)."""

from __future__ import annotations

import pandas as pd

from pipeline.versions.duplicates import content_differences, document_key, duplicate_checks, rendering_groups

DOCS = pd.DataFrame([
    {"doc_sha256": "a" * 64, "doc_number": "30/2023/QĐ-UBND", "issuer": "Ủy ban nhân dân tỉnh Vĩnh Long",
     "signing_date": "2023-10-20"},
    {"doc_sha256": "b" * 64, "doc_number": "30/2023/QĐ-UBND ", "issuer": "ỦY BAN NHÂN DÂN TỈNH VĨNH LONG",
     "signing_date": "2023-10-20"},
    {"doc_sha256": "c" * 64, "doc_number": "30/2023/QĐ-UBND", "issuer": "Ủy ban nhân dân tỉnh Bến Tre",
     "signing_date": "2023-05-02"},
    {"doc_sha256": "d" * 64, "doc_number": None, "issuer": "Ủy ban nhân dân tỉnh Vĩnh Long", "signing_date": None},
])


def _ni(sha: str, rows: list[tuple[str, str, str]]) -> list[dict]:
    return [{"doc_sha256": sha, "item_text": i, "value_raw": v, "unit": u} for i, v, u in rows]


def test_same_number_issuer_and_date_is_one_document_another_province_is_not() -> None:
    groups = rendering_groups(DOCS)
    assert sorted(len(v) for v in groups.values()) == [1, 1, 2]
    assert ["a" * 64, "b" * 64] in groups.values()
    assert document_key(None, "x", None, "d" * 64) == "d" * 64  # no number: only itself


def test_disagreeing_renderings_are_reported() -> None:
    same = [("Vôi", "500", "kg"), ("Giống", "1.200", "plant")]
    ni = pd.DataFrame(_ni("a" * 64, same) + _ni("b" * 64, [("Vôi", "500", "kg"), ("Giống", "1.300", "plant")]))
    assert content_differences(ni, "a" * 64, "b" * 64) == 2
    (check,) = duplicate_checks(DOCS, ni)
    assert (check["check_name"], check["passed"], check["actual"]) == ("duplicate_renderings", False, "2")
    agree = pd.DataFrame(_ni("a" * 64, same) + _ni("b" * 64, [("Vôi", "5 00", "kg"), ("Giống", "1.200", "plant")]))
    assert duplicate_checks(DOCS, agree)[0]["passed"]
