"""A run that changes some documents of a published corpus recomputes only the derived rows those
documents reach (pipeline/runs/derived.py, pipeline/versions/scope.py), and what it publishes is
what a fresh run over the same documents publishes: every dataset, row for row.

Synthetic frames (no extraction): a base decree, an amending decree held in two files, a plan
amending a base that is not ingested (its date comes from the references), a decree that cites
it too, a letter without a number. Each document is changed in turn (new bytes under the same
source: its rows replaced, some of its values or references different)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from pipeline.core.keys import norm_address
from pipeline.records.datasets import frame
from pipeline.runs.run import DocResult, publish_results
from pipeline.store.read import load
from pipeline.store.tables import latest_run, run_records

ISSUER = "Ủy ban nhân dân tỉnh Vĩnh Long"


@dataclass
class Doc:
    """One synthetic document: what its frames say."""

    name: str
    number: str | None
    signed: date
    norms: list[tuple[str, str, str, str]] = field(default_factory=list)  # appendix, model, section, value
    ops: list[tuple[str, str, str, list[str], list[str]]] = field(default_factory=list)  # op, target doc, path, appx, sections
    cites: list[tuple[str, date | None]] = field(default_factory=list)  # cited number, date
    version: int = 0

    @property
    def sha(self) -> str:
        return f"{self.name}{self.version}".ljust(64, "0")

    def frames(self) -> dict[str, pd.DataFrame]:
        sha, number = self.sha, self.number
        docs = [{"doc_sha256": sha, "source": f"/corpus/{self.name}.pdf", "file_name": f"{self.name}.pdf",
                 "size_bytes": 100 + self.version, "page_count": 1, "doc_number": number, "issuer": ISSUER,
                 "signing_date": self.signed, "effective_date": self.signed, "parser_version": "test",
                 "extracted_at": pd.Timestamp("2026-01-01", tz="UTC")}]
        items = []
        for i, (appendix, model, section, value) in enumerate(self.norms):
            r = {"doc_sha256": sha, "doc_number": number, "table_index": 0, "row": i, "value_col": 2,
                 "appendix": appendix, "model_no": model, "section_no": section, "item_text": f"Giống {i}",
                 "instrument": (number or sha).replace("/", "-"), "provision": "PL", "item_position": str(i),
                 "page": 1, "family": "norm", "value_raw": value, "unit": "kg"}
            items.append({**r, "norm_address": norm_address(r)})
        amend = [{"doc_sha256": sha, "amendment_index": i, "amending_doc_number": number, "operation": op,
                  "operation_raw": op, "target_doc_number": target, "target_path": path,
                  "source_label": f"{number}/Đ1.k{i}", "source_appendices": appx, "source_sections": secs,
                  "effective_date": self.signed, "clause_text": "…", "page": 1, "legal_flags": []}
                 for i, (op, target, path, appx, secs) in enumerate(self.ops)]
        refs = [{"doc_sha256": sha, "ref_index": i, "citing_doc_number": number, "cited_number": cited,
                 "cited_number_raw": cited, "cited_type": "Kế hoạch" if "KH" in cited else "Quyết định",
                 "cited_date": when, "relation": "amends" if any(o[1] == cited for o in self.ops) else "cites",
                 "is_self": False, "mention_context": f"… {cited} …", "page": 1, "source_kind": "body",
                 "legal_flags": []}
                for i, (cited, when) in enumerate(self.cites)]
        checks = [{"doc_sha256": sha, "check_name": "blank_values", "check_scope": "norm_items", "expected": "0",
                   "actual": "0", "passed": True, "severity": "warning", "detail": "0 rows"}]
        return {"documents": frame("documents", docs), "norm_items": frame("norm_items", items),
                "amendments": frame("amendments", amend), "references": frame("references", refs),
                "quality_checks": frame("quality_checks", checks)}

    def result(self, unchanged: bool = False) -> DocResult:
        source = f"/corpus/{self.name}.pdf"
        if unchanged:
            return DocResult(self.name, source, self.sha, cached=True, unchanged=True, key="k")
        return DocResult(self.name, source, self.sha, frames=self.frames(), key="k", stats={"pages": 1})


def corpus() -> list[Doc]:
    pl = "Phụ lục I"
    return [
        Doc("a", "1/2020/QĐ-UBND", date(2020, 1, 1), norms=[(pl, "3", "3.1", "1"), (pl, "4", "4.1", "2")]),
        Doc("b", "2/2021/QĐ-UBND", date(2021, 1, 1), norms=[(None, "3", "3.1", "5")],
            ops=[("replace", "1/2020/QĐ-UBND", "1/2020/QĐ-UBND/PL-I/3", [], ["3.1"])],
            cites=[("1/2020/QĐ-UBND", date(2020, 1, 1))]),
        Doc("c", "2/2021/QĐ-UBND", date(2021, 1, 1), norms=[(None, "3", "3.1", "5")],  # b's other file
            ops=[("replace", "1/2020/QĐ-UBND", "1/2020/QĐ-UBND/PL-I/3", [], ["3.1"])],
            cites=[("1/2020/QĐ-UBND", date(2020, 1, 1))]),
        Doc("d", "5/KH-UBND", date(2018, 6, 15),
            ops=[("replace", "330/KH-UBND", "330/KH-UBND/II.1", ["PL-1"], [])],
            cites=[("330/KH-UBND", date(2017, 1, 25))]),
        Doc("e", "7/QĐ-UBND", date(2019, 3, 1), norms=[(pl, "1", "1.1", "9")],
            # cited twice: when its dates change, so does the date of 330/KH-UBND (the most frequent)
            cites=[("330/KH-UBND", date(2017, 1, 25)), ("330/KH-UBND", date(2017, 1, 25)), ("1/2020/QĐ-UBND", None)]),
        Doc("f", None, date(2022, 2, 2), cites=[("7/QĐ-UBND", date(2019, 3, 1))]),
    ]


def changed(doc: Doc, how: str) -> Doc:
    new = Doc(**{**doc.__dict__, "version": doc.version + 1})
    if how == "values":  # the same text read again, one value different
        new.norms = [(a, m, s, v + "0") for a, m, s, v in doc.norms]
    elif how == "cites":  # its references now give another date for what it cites, and cite one more
        new.cites = [(n, date(2017, 2, 1) if d else d) for n, d in doc.cites] + [("9/QĐ-TTg", date(2015, 1, 1))]
    return new


def rows(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Every dataset the latest run pins, sorted, without the columns that say when or by which run."""
    out = {}
    for name in latest_run(data_dir)["snapshot"]:
        df = load(name, data_dir=data_dir)
        df = df.drop(columns=[c for c in df.columns if c.endswith("_at") or c == "run_id"])
        out[name] = df.astype("string").sort_values(list(df.columns)).reset_index(drop=True)
    return out


def assert_same_rows(a: Path, b: Path) -> None:
    ra, rb = rows(a), rows(b)
    assert sorted(ra) == sorted(rb)
    for name in ra:
        pd.testing.assert_frame_equal(ra[name], rb[name], obj=name)


@pytest.mark.parametrize("how", ["same", "values", "cites"])
@pytest.mark.parametrize("name", list("abcdef"))
def test_a_run_changing_one_document_publishes_what_a_fresh_run_publishes(tmp_path: Path, name: str,
                                                                          how: str) -> None:
    docs = corpus()
    publish_results([d.result() for d in docs], tmp_path / "inc")
    after = [changed(d, how) if d.name == name else d for d in docs]
    publish_results([d.result(unchanged=d.name != name) for d in after], tmp_path / "inc")
    publish_results([d.result() for d in after], tmp_path / "fresh")
    assert_same_rows(tmp_path / "inc", tmp_path / "fresh")
    documents = load("documents", data_dir=tmp_path / "inc")
    assert sorted(documents["doc_sha256"]) == sorted(d.sha for d in after)  # the old bytes' rows are gone


def test_two_changes_in_a_row_and_a_new_document(tmp_path: Path) -> None:
    docs = corpus()
    publish_results([d.result() for d in docs[:4]], tmp_path / "inc")  # e and f come later
    step = [changed(d, "cites") if d.name == "d" else d for d in docs]
    publish_results([d.result(unchanged=d.name in "abc") for d in step], tmp_path / "inc")
    step = [changed(d, "values") if d.name == "b" else d for d in step]
    publish_results([d.result(unchanged=d.name != "b") for d in step], tmp_path / "inc")
    publish_results([d.result() for d in step], tmp_path / "fresh")
    assert_same_rows(tmp_path / "inc", tmp_path / "fresh")


def test_a_change_outside_the_consolidation_writes_no_consolidation(tmp_path: Path) -> None:
    """The letter without a number links to no norm row: the consolidation is not written again."""
    docs = corpus()
    publish_results([d.result() for d in docs], tmp_path)
    before = latest_run(tmp_path)["snapshot"]["norms_consolidated"]
    after = [changed(d, "same") if d.name == "f" else d for d in docs]
    publish_results([d.result(unchanged=d.name != "f") for d in after], tmp_path)
    record = run_records(tmp_path)[-1]
    assert "norms_consolidated" not in record["tables"]
    assert record["snapshot"]["norms_consolidated"] == before
    assert "documents" in record["tables"]  # the letter's own rows were replaced


def test_a_source_with_new_bytes_replaces_its_old_document_unless_rejected_or_still_held() -> None:
    from pipeline.runs.plan import superseded

    published = {"old-a": {"source": "a.pdf"}, "old-b": {"source": "b.pdf"}, "same-c": {"source": "c.pdf"}}
    # a.pdf now gives new bytes (published); b.pdf's new bytes were rejected (not published);
    # c.pdf is unchanged; old-a is not held by another entry of the run
    assert superseded(published, {"a.pdf": "new-a", "c.pdf": "same-c"}, {"new-a", "same-c", "new-b"}) == ["old-a"]
    # the old bytes still come from another entry of the run: they stay
    assert superseded(published, {"a.pdf": "new-a"}, {"new-a", "old-a"}) == []


def test_a_rejected_new_version_keeps_the_last_good_rows(tmp_path: Path) -> None:
    from pipeline.runs.run import rejected
    from pipeline.sources.manifest import ManifestEntry

    docs = corpus()
    publish_results([d.result() for d in docs], tmp_path)
    bad = rejected(ManifestEntry("b", "/corpus/b.pdf"), ValueError("unreadable"), sha256="b9".ljust(64, "0"))
    publish_results([bad] + [d.result(unchanged=True) for d in docs if d.name != "b"], tmp_path)
    assert docs[1].sha in set(load("documents", data_dir=tmp_path)["doc_sha256"])
    assert set(load("rejects", data_dir=tmp_path)["doc_sha256"]) == {bad.sha256}
