"""The bundled sample corpus: faithful to the seeds, complete against DOMAIN.md's inventory,
readable as PDFs, and reproducible by its generator."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
import yaml

from tools.corpus.source_model import list_doc_ids, load_source
from tools.corpus.styles import STYLES

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
SEEDS = REPO / "tools" / "corpus" / "seeds"
DOCS = ["bentre-2835-2018", "camau-2025-plan", "daklak-2026-letter", "vinhlong-30-2023", "vinhlong-33-2022"]
PDFS = [(s, d) for s in sorted(STYLES) for d in DOCS]


def truth(style: str, doc: str) -> dict:
    return json.loads((SAMPLES / "truth" / style / f"{doc}.json").read_text(encoding="utf-8"))


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


def test_every_seed_has_a_source_and_two_renderings():
    assert list_doc_ids() == DOCS
    manifest = yaml.safe_load((SAMPLES / "manifest.yaml").read_text(encoding="utf-8"))
    ids = sorted(d["id"] for d in manifest["documents"])
    assert ids == sorted(f"{s}/{d}" for s, d in PDFS)
    assert len(STYLES) >= 2


# ---------------------------------------------------------------- inventory (DOMAIN.md §3)
def _models(doc: str, appendix: str) -> list[str]:
    t = truth("gov", doc)
    return [h["text"] for h in t["headings"] if h["kind"] == "model" and h["path"][0] == appendix]


@pytest.mark.parametrize("appendix,declared", [("Phụ lục I", 14), ("Phụ lục II", 3), ("Phụ lục III", 12)])
def test_33_2022_models_found_equal_declared(appendix, declared):
    src = load_source("vinhlong-33-2022")
    assert src.meta["declared_models"][appendix] == declared
    models = _models("vinhlong-33-2022", appendix)
    assert len(models) == declared, models
    numbers = [int(m.split(".")[0]) for m in models]
    assert numbers == list(range(1, declared + 1))


def test_33_2022_inline_model_14_is_not_counted_in_dieu_3a():
    heads = truth("gov", "vinhlong-33-2022")["headings"]
    inline = [h for h in heads if h["kind"] == "model" and h["path"][0].startswith("Điều 1")]
    assert [h["text"] for h in inline] == ["14. MÔ HÌNH SẢN XUẤT LÚA HỮU CƠ"]
    sections = [h["text"].split()[0] for h in heads if h["kind"] == "section" and h["path"][0].startswith("Điều 1")]
    assert sections == ["14.1", "14.2", "14.3"]


@pytest.mark.parametrize("appendix,declared", [("Phụ lục I", 19), ("Phụ lục II", 7), ("Phụ lục III", 5)])
def test_30_2023_models_found_equal_declared(appendix, declared):
    assert load_source("vinhlong-30-2023").meta["declared_models"][appendix] == declared
    assert len(_models("vinhlong-30-2023", appendix)) == declared


@pytest.mark.parametrize("appendix,declared", [("Phụ lục IV", 2), ("Phụ lục V", 4)])
def test_30_2023_training_and_communication_groups(appendix, declared):
    t = truth("gov", "vinhlong-30-2023")
    parts = [h["text"] for h in t["headings"] if h["kind"] == "part" and h["path"][0] == appendix]
    assert len(parts) == declared, parts


def test_33_2022_sections_per_model():
    heads = truth("gov", "vinhlong-33-2022")["headings"]
    per_model: Counter = Counter()
    for h in heads:
        if h["kind"] == "section" and h["path"][0] == "Phụ lục I":
            per_model[h["path"][-2]] += 1
    counts = [per_model[m] for m in _models("vinhlong-33-2022", "Phụ lục I")]
    assert counts == [5] * 9 + [3] * 5


def test_part_letters_of_phu_luc_i():
    for doc, expected in [("vinhlong-33-2022", ["A", "B", "C", "D"]), ("vinhlong-30-2023", ["A", "B", "C", "D"])]:
        heads = truth("gov", doc)["headings"]
        letters = [h["text"][0] for h in heads if h["kind"] == "part" and h["path"][0] == "Phụ lục I"]
        assert letters == expected


def test_scopes_inside_30_2023_models_8_and_9():
    heads = truth("gov", "vinhlong-30-2023")["headings"]
    scopes = [(h["path"][-2].split(".")[0], h["text"][:2]) for h in heads if h["kind"] == "scope"]
    assert ("8", "A.") in scopes and ("8", "B.") in scopes and ("9", "A.") in scopes and ("9", "B.") in scopes


def test_plan_tables():
    dl = truth("gov", "daklak-2026-letter")
    tasks = [r for r in dl["records"]["plan_tasks"]]
    assert len(tasks) == 19
    groups = [t for t in dl["tables"] if t["family"] == "plan_tasks"][0]["row_kinds"].count("group")
    assert groups == 7
    bt = truth("gov", "bentre-2835-2018")
    assert len([t for t in bt["tables"] if t["family"] == "plan_tasks"]) == 9  # section I + 8 chains
    sched = [t for t in bt["tables"] if t["family"] == "schedule"]
    assert len(sched) == 1
    group_rows = [r for r, k in enumerate(sched[0]["row_kinds"]) if k == "group"]
    assert len(group_rows) == 8  # I..VIII with "VI." printed twice


def test_bentre_cooperatives_match_07_existing_29_new():
    bt = truth("gov", "bentre-2835-2018")
    coops = {(m["table_id"], m["row"]): m["coop"] for m in bt["records"]["schedule_marks"]}
    new = [c for c in coops.values() if not c.startswith("Củng cố")]
    existing = [c for c in coops.values() if c.startswith("Củng cố")]
    assert len(new) == 29  # "xây dựng mới 29 hợp tác xã" (001:17)
    # "05 HTX hiện có" + Sơn Định + Cái Môn = 07 existing
    assert sum(5 if "05 HTX" in c else 1 for c in existing) == 7


def test_camau_budget_total_row_and_groups():
    cm = truth("gov", "camau-2025-plan")
    lines = cm["records"]["budget_lines"]
    total = [ln for ln in lines if ln["kind"] == "total"]
    assert len(total) == 1 and total[0]["total_raw"] == "16.671.771.000"
    groups = [ln for ln in lines if ln["kind"] == "group"]
    assert [g["total_raw"] for g in groups] == ["2.287.360.000", "14.185.071.000", "160.000.000", "39.340.000"]


# ---------------------------------------------------------------- values against the seeds
SEED_VALUES = [
    # (doc, seed file, item text fragment, unit, value) checked both in the truth and in the seed text
    ("vinhlong-33-2022", "003_2f7ea11ffd19b5ee.txt", "Giống", "kg", "80"),
    ("vinhlong-33-2022", "003_2f7ea11ffd19b5ee.txt", "Sản xuất vụ thứ nhất", "kg", "1.500"),
    ("vinhlong-33-2022", "003_2f7ea11ffd19b5ee.txt", "Thức ăn", "kg", "378"),
    ("vinhlong-30-2023", "004_668edcbe801ecb7a.txt", "Phân hữu cơ vi sinh (bón qua rễ)", "tấn", "10"),
    ("vinhlong-30-2023", "004_668edcbe801ecb7a.txt", "Phân khoáng hữu cơ (bón qua rễ)", "kg", "400"),
    ("vinhlong-30-2023", "004_668edcbe801ecb7a.txt", "Khảo sát, tiền trạm địa điểm tổ chức", "Người/ngày", "05 x 04"),
]


@pytest.mark.parametrize("doc,seed,item,unit,value", SEED_VALUES)
def test_sample_values_match_seed(doc, seed, item, unit, value):
    recs = truth("gov", doc)["records"]["norm_items"]
    hits = [r for r in recs if item in r["item_text"] and r["unit_raw"] == unit and r["value_raw"] == value]
    assert hits, f"{item!r} {unit} {value} not in truth"
    seed_text = _fold((SEEDS / seed).read_text(encoding="utf-8"))
    assert value in seed_text and unit in seed_text


def test_multi_scale_event_table_has_one_record_per_scale():
    recs = truth("gov", "vinhlong-30-2023")["records"]["norm_items"]
    scales = {r["scale"] for r in recs if r["scale"] and "đại biểu" in r["scale"]}
    assert scales == {"200-300 đại biểu", "100-150 đại biểu", "30-50 đại biểu"}


def test_coconut_model_values_differ_between_decrees_as_domain_says():
    def values(doc: str, model_prefix: str, item: str) -> list[str]:
        recs = truth("gov", doc)["records"]["norm_items"]
        return [r["value_raw"] for r in recs if r["heading_path"] and any(p.startswith(model_prefix) for p in
                r["heading_path"]) and "DỪA" in " ".join(r["heading_path"]) and r["item_text"].startswith(item)]

    assert values("vinhlong-33-2022", "7. MÔ HÌNH", "Phân khoáng hữu cơ") == ["250", "250", "400"]
    assert values("vinhlong-30-2023", "1. MÔ HÌNH", "Phân khoáng hữu cơ") == ["400", "400"]


def test_every_table_row_covers_every_column_and_text_is_nfc():
    for style, doc in PDFS:
        for tab in truth(style, doc)["tables"]:
            covered = Counter()
            for c in tab["cells"]:
                assert unicodedata.normalize("NFC", c["text"]) == c["text"]
                for r in range(c["row"], c["row"] + c["rs"]):
                    covered[r] += c["cs"]
            n = tab["n_header_rows"] + tab["n_body_rows"]
            assert [covered[r] for r in range(n)] == [tab["n_cols"]] * n, tab["id"]
            assert tab["pages"], f"{doc} {tab['id']} was never drawn"


def test_corpus_has_multi_page_tables_split_rows_and_landscape_pages():
    multi = sum(t["multi_page"] for s, d in PDFS for t in truth(s, d)["tables"])
    split = sum(len(t["split_rows"]) for d in DOCS for t in truth("gov", d)["tables"])
    assert multi >= 20
    assert split >= 5, "the gov style must produce rows split by a page break"
    assert sum(len(t["split_rows"]) for d in DOCS for t in truth("compact", d)["tables"]) == 0
    for doc in ("camau-2025-plan", "bentre-2835-2018"):
        assert any(p["orientation"] == "landscape" for p in truth("gov", doc)["pages"])


# ---------------------------------------------------------------- the PDFs themselves
KEY_STRINGS = {
    "vinhlong-33-2022": ["33 /2022/QĐ-UBND", "ĐỊNH MỨC KINH TẾ KỸ THUẬT LĨNH VỰC TRỒNG TRỌT", "Phụ lục III"],
    "vinhlong-30-2023": ["30/2023/QĐ-UBND", "NHIỆM VỤ THÔNG TIN TUYÊN TRUYỀN", "Phụ lục V"],
    "camau-2025-plan": ["KHÁI TOÁN KINH PHÍ THỰC HIỆN NĂM 2025", "PHỤ LỤC 2"],
    "bentre-2835-2018": ["2835/KH-UBND", "KHUNG KẾ HOẠCH HÀNH ĐỘNG"],
    "daklak-2026-letter": ["/SNNMT-CCTTBVT", "Phụ lục"],
}


@pytest.mark.parametrize("style,doc", PDFS)
def test_pdf_opens_has_expected_pages_text_layer_and_key_strings(style, doc):
    t = truth(style, doc)
    path = SAMPLES / "pdf" / style / f"{doc}.pdf"
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == t["page_count"]
        texts = []
        for page in pdf.pages:
            text = page.extract_text() or ""
            assert text.strip(), f"page {page.page_number} has no text layer"
            texts.append(text)
            expected = t["pages"][page.page_number - 1]["orientation"]
            assert ("landscape" if page.width > page.height else "portrait") == expected
    full = _fold(" ".join(texts))
    for key in KEY_STRINGS[doc]:
        assert _fold(key) in full, key


def test_corpus_stays_small():
    total = sum(p.stat().st_size for p in (SAMPLES / "pdf").rglob("*.pdf"))
    assert total < 20 * 1024 * 1024


def test_regenerating_reproduces_the_committed_corpus(tmp_path):
    from tools.render_samples import _compare, render_all

    render_all(tmp_path)
    assert _compare(tmp_path, SAMPLES) == []


def test_pipeline_code_never_reads_the_truth():
    offenders = []
    for folder in ("pipeline", "extractors", "flows", "schemas"):
        for py in (REPO / folder).rglob("*.py"):
            text = py.read_text(encoding="utf-8")
            if re.search(r"(from|import) tools\b|[\x27\"/]truth[\x27\"/]", text):
                offenders.append(str(py.relative_to(REPO)))
    assert offenders == []
