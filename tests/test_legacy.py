"""Legacy encodings (TCVN3, VNI, VIQR), the Vietnamese syllable validator and page triage.

Truth: the code tables' defining examples (TCVN3 bytes of the standard, RFC 1456 for VIQR), the
Unicode original of a sample-corpus document (its legacy-encoded twin must extract the same), and
the transcripts of real TCVN3 pages (``tests/fixtures/real/*.transcript.txt``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from extractors.legacy import (
    LegacySettings,
    codec,
    convert_chars,
    declared_encoding,
    decode,
    detect,
    encode,
    is_capitals_font,
)
from extractors.triage import (
    BLANK,
    GOOD,
    IMAGE_ONLY,
    LEGACY,
    NOT_VIETNAMESE,
    OUTLINE,
    PageEvidence,
    TriageSettings,
    needs_ocr,
    triage_page,
)
from extractors.vietnamese import SyllableStats, is_valid_syllable, syllable_stats, valid_syllable_share

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "real"
TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]  # none, sắc, huyền, hỏi, ngã, nặng
LETTERS = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]


def every_letter() -> list[str]:
    out = [unicodedata.normalize("NFC", b + t) for b in LETTERS for t in TONES]
    out += [c.upper() for c in out] + ["đ", "Đ"]
    assert len(out) == 2 * 12 * 6 + 2
    return out


# ---- tables, both ways ---------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "viqr"])
def test_every_letter_with_every_tone_round_trips(encoding):
    for ch in every_letter():
        runs = encode(ch, encoding)
        assert ch in codec(encoding).encode or ch.isascii(), (encoding, ch)  # it has a legacy code
        back = "".join(decode(s, encoding, capitals=cap, words_only=False) for s, cap in runs)
        assert back == ch, (encoding, ch, runs, back)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "viqr"])
def test_every_table_row_decodes_to_one_nfc_letter_and_codes_are_unique(encoding):
    c = codec(encoding)
    for seq, u in c.decode_lower.items():
        assert unicodedata.is_normalized("NFC", u) and len(u) == 1, (seq, u)
    seqs = [s for s, _ in c.encode.values()]
    if encoding != "tcvn3":  # TCVN3's capitals font reuses the lower-case codes by design
        assert len(seqs) == len(set(seqs))


def test_tcvn3_bytes_are_those_of_the_standard():
    # VN3 codes as printed in TCVN 5712:1993 (independent of the table file)
    known = {0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ", 0xA7: "Đ",
             0xB5: "à", 0xB8: "á", 0xB9: "ạ", 0xD0: "é", 0xDD: "í", 0xE3: "ó", 0xF3: "ú", 0xFD: "ý", 0xFE: "ỵ"}
    for byte, letter in known.items():
        assert decode(bytes([byte]).decode("cp1252"), "tcvn3") == letter
        assert encode(letter, "tcvn3") == [(bytes([byte]).decode("cp1252"), False)]


def test_tcvn3_text_layer_as_pdfminer_reads_it():
    # the README's example, with "ư" as the CID copy's U+2212 the producer emits
    assert decode("ng©n hµng nhµ n−íc", "tcvn3") == "ngân hàng nhà nước"
    assert decode("ng©n hµng nhµ n\u00adíc", "tcvn3") == "ngân hàng nhà nước"
    assert decode("Quü b¶o l∙nh", "tcvn3", capitals=True) == "QUỸ BẢO LÃNH"
    assert decode("QuyÕt ®Þnh", "tcvn3", capitals=True) == "QUYẾT ĐỊNH"


def test_vni_and_viqr_known_words():
    assert decode("Vieät Nam", "vni") == "Việt Nam"
    assert decode("ngöôøi", "vni") == "người"
    assert decode("NGÖÔØI", "vni") == "NGƯỜI"
    assert decode("Vie^.t Nam", "viqr") == "Việt Nam"  # RFC 1456's example
    assert decode("ddu+o+.c", "viqr") == "được"
    assert decode("Ai dde^'n?", "viqr") == "Ai đến?"  # a question mark after a word stays punctuation


# ---- font names ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, enc, caps", [
    (".VnTime", "tcvn3", False), ("AARIQC+.VnTime,Bold", "tcvn3", False), ("GDNPNI+VnTime", "tcvn3", False),
    (".VnTimeH", "tcvn3", True), ("AARIQC+.VnTimeH,BoldItalic", "tcvn3", True), ("GDNPMG+VnTimeHBold", "tcvn3", True),
    (".vnarialh", "tcvn3", False), (".VnArialH", "tcvn3", True), ("VNI-Times", "vni", False),
    ("ABCDEF+vni-helve-bold", "vni", False), ("TimesNewRomanPSMT", None, False), ("Verdana", None, False),
])
def test_legacy_font_names(name, enc, caps):
    assert declared_encoding(name) == enc
    assert is_capitals_font(name) is caps


# ---- syllables -----------------------------------------------------------------------------------
def test_valid_syllables():
    good = ("của thủy thuỷ hoà hòa quốc gì giữa giếng nghiệp khuya người được Điều ngân hàng nhà nước xoong "
            "uỷ khuỷu ngoặt quyết tuyển yêu oanh").split()
    bad = "ng©n viQc QUYTTDINH thirnh lAp hóat bátt bàt hoạtt nguời cuả ưo (cid:3)".split()
    assert [w for w in good if not is_valid_syllable(w)] == []
    assert [w for w in bad if is_valid_syllable(w)] == []


def test_stop_codas_take_only_sac_or_nang():
    assert is_valid_syllable("hát") and is_valid_syllable("hạt")
    assert not any(is_valid_syllable(w) for w in ("hat", "hàt", "hảt", "hãt"))


def test_shares_tell_vietnamese_from_garbled_ocr():
    viet = "Căn cứ Luật Tổ chức Chính phủ ngày 25 tháng 12 năm 2001 của Ủy ban nhân dân tỉnh"
    ocr = "QUYTTDINH Vd viQc thirnh lAp HQi C6ng chri'ng vi6n tinh Lffm D6ng"
    assert valid_syllable_share(viet) == 1.0
    s = syllable_stats(ocr)
    assert s.share < 0.5 and s.marked_share == 0.0


# ---- detection by font name and statistics --------------------------------------------------------
def chars_of(text: str, font: str, top: float = 100.0) -> list[dict]:
    out, x = [], 72.0
    for ch in text:
        out.append({"text": ch, "fontname": font, "x0": x, "x1": x + 5.0, "top": top, "bottom": top + 10,
                    "size": 10.0, "upright": True, "width": 5.0, "height": 10.0})
        x += 5.0
    return out


def test_legacy_font_holding_unicode_is_left_alone():
    chars = chars_of("Căn cứ Luật Tổ chức Chính phủ ngày 25 tháng 12 năm 2001 của Ủy ban nhân dân", ".VnTime")
    d = detect(chars)
    assert d.encoding is None and d.kept == (".VnTime",) and d.plan == {}


def test_legacy_font_converted_span_by_span_with_capitals_font():
    chars = (chars_of("QuyÕt ®Þnh", "AAAAAA+.VnTimeH") + chars_of(" cña Thñ t", "AAAAAA+.VnTime", 120)
             + chars_of("−", "AAAAAB+.VnTime", 120) + chars_of("íng ChÝnh phñ vÒ viÖc thµnh lËp", "AAAAAA+.VnTime", 120))
    d = detect(chars)
    assert d.encoding == "tcvn3" and d.source == "font name"
    text = "".join(c["text"] for c in convert_chars(chars, d.plan))
    assert text == "QUYẾT ĐỊNH của Thủ tướng Chính phủ về việc thành lập"


def test_undeclared_font_detected_by_statistics():
    chars = chars_of(" ".join(["ng©n hµng nhµ n−íc ViÖt Nam vµ c¸c tæ chøc tÝn dông"] * 2), "Arial")
    d = detect(chars, LegacySettings())
    assert (d.encoding, d.source) == ("tcvn3", "statistics")
    assert "".join(c["text"] for c in convert_chars(chars, d.plan)).startswith("ngân hàng nhà nước Việt Nam")


def test_vni_marks_merge_into_their_base_letter():
    chars = chars_of("ngaân haøng nhaø nöôùc Vieät Nam", "VNI-Times")
    d = detect(chars)
    out = convert_chars(chars, d.plan)
    assert "".join(c["text"] for c in out) == "ngân hàng nhà nước Việt Nam"
    assert out[2]["text"] == "â" and out[2]["x1"] == chars[3]["x1"]  # "aâ" is one character spanning both


def test_viqr_only_when_clearly_viqr():
    viqr = chars_of("Vie^.t Nam la` mo^.t nu+o+'c o+? Ddo^ng Nam A'. Ngu+o+`i dda^n ddu+o+.c ho.c ta^.p", "Courier")
    d = detect(viqr)
    assert d.encoding == "viqr"
    assert "".join(c["text"] for c in convert_chars(viqr, d.plan)).startswith("Việt Nam là một nước ở Đông Nam Á.")
    english = chars_of("What is this? It is a test. Isn't it? Yes, and it's fine.", "Courier")
    assert detect(english).encoding is None


# ---- triage (pure) -------------------------------------------------------------------------------
def evidence(text: str = "", font: str = "Times", n_images: int = 0, coverage: float = 0.0, curves: int = 0,
             cid: int = 0) -> PageEvidence:
    chars = [c for c in chars_of(text, font) if c["text"].strip()]
    leg = detect(chars) if chars else detect([])
    return PageEvidence(len(chars) + cid, cid, (font,) if chars else (), n_images, coverage, curves, leg)


def test_triage_kinds():
    viet = "Căn cứ Luật Tổ chức Chính phủ ngày 25 tháng 12 năm 2001 của Ủy ban nhân dân tỉnh Lâm Đồng"
    assert triage_page(evidence(viet)).kind == GOOD
    t = triage_page(evidence("QUYTTDINH Vd viQc thirnh lAp HQi C6ng chri'ng vi6n tinh Lffm D6ng nay", "Helvetica",
                             1, 1.0))
    assert t.kind == NOT_VIETNAMESE and "garbled OCR" in t.reason and t.needs_ocr
    t = triage_page(evidence("ng©n hµng nhµ n−íc ViÖt Nam vµ c¸c tæ chøc tÝn dông", ".VnTime"))
    assert (t.kind, t.encoding) == (LEGACY, "tcvn3") and not t.needs_ocr and t.valid_syllable_share > 0.9
    assert triage_page(evidence(curves=900)).kind == OUTLINE
    assert triage_page(evidence(n_images=1, coverage=0.98)).kind == IMAGE_ONLY
    assert triage_page(evidence(curves=3)).kind == BLANK
    assert triage_page(evidence("ab", cid=40)).kind == NOT_VIETNAMESE
    assert [k for k in (GOOD, LEGACY, IMAGE_ONLY, NOT_VIETNAMESE, OUTLINE, BLANK) if needs_ocr(k)] == [
        IMAGE_ONLY, NOT_VIETNAMESE, OUTLINE]


def test_settings_are_validated():
    with pytest.raises(ValueError):
        TriageSettings(min_marked_share=0)
    with pytest.raises(ValueError):
        LegacySettings(min_tokens=0)
    assert SyllableStats(0, 0).share is None


# ---- generated legacy twins of a sample-corpus document -------------------------------------------
def _records(doc) -> dict:
    from pipeline.records.normalize import normalize_document

    rec = normalize_document(doc)
    return {name: [{k: v for k, v in r.items() if k != "doc_sha256"} for r in getattr(rec, name)]
            for name in ("norm_items", "plan_tasks", "budget_lines", "schedule_marks")}


def _extracted(doc) -> tuple:
    pages = [(p.kind, p.header, p.footer, p.page_label, [ln.text for ln in p.lines]) for p in doc.pages]
    heads = [(h.kind, h.number, h.text, h.path) for h in doc.headings]
    tables = [(t.n_rows, t.n_cols, t.n_header_rows, [(c.row, c.col, c.rs, c.cs, c.text) for c in t.cells])
              for t in doc.tables]
    return pages, heads, tables, doc.meta


@pytest.fixture(scope="module")
def original():
    from extractors.document import extract_document

    doc = extract_document(REPO / "data" / "samples" / "pdf" / "gov" / "camau-2025-plan.pdf")
    return _extracted(doc), _records(doc)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_twin_extracts_like_its_unicode_original(tmp_path, original, encoding):
    from extractors.document import extract_document
    from tools.corpus.legacy import make_legacy_pdf

    pdf = make_legacy_pdf(REPO / "data" / "samples" / "pdf" / "gov" / "camau-2025-plan.pdf",
                          tmp_path / f"camau-{encoding}.pdf", encoding)
    import pdfplumber

    with pdfplumber.open(pdf) as p:  # the twin's text layer really is legacy mojibake
        raw = p.pages[0].extract_text()
    assert "Nông nghiệp" not in raw
    doc = extract_document(pdf)
    assert {p.text_layer for p in doc.pages} == {LEGACY}
    assert {p.text_encoding for p in doc.pages} == {encoding}
    assert _extracted(doc) == original[0]
    records = _records(doc)
    assert records == original[1]
    assert len(records["plan_tasks"]) > 10 and len(records["budget_lines"]) > 5


# ---- real TCVN3 pages against their transcripts ---------------------------------------------------
def words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text).lower())]


def document_text(doc) -> str:
    parts = []
    for p in doc.pages:
        parts += [p.header or "", p.footer or ""] + [ln.text for ln in p.lines]
    parts += [c.text for t in doc.tables for c in t.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("name", ["38_tcvn3_p1", "36_tcvn3_p1-2"])
def test_real_tcvn3_pages_read_as_their_transcript(name):
    from extractors.document import extract_document

    doc = extract_document(FIXTURES / f"{name}.pdf")
    assert {p.text_layer for p in doc.pages} == {LEGACY}
    assert all("tcvn3 by font name" in p.triage_reason for p in doc.pages)
    truth = (FIXTURES / f"{name}.transcript.txt").read_text(encoding="utf-8")
    got = Counter(words(document_text(doc)))
    want = Counter(words(truth))
    recovered = sum((want & got).values()) / sum(want.values())
    assert recovered >= 0.995, (recovered, want - got)
    # whole lines come out as printed (case aside)
    lines = {ln.text.lower() for p in doc.pages for ln in p.lines}
    printed = [t.lower() for t in truth.splitlines() if len(t) > 30]
    assert sum(t in lines for t in printed) >= 0.9 * len(printed)


def test_scanned_blank_sheet_is_blank_and_a_scan_with_ink_needs_ocr(tmp_path):
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from extractors.document import extract_document

    blank, inked = Image.new("L", (600, 850), 250), Image.new("L", (600, 850), 250)
    for y in range(100, 700, 30):  # lines of "text"
        inked.paste(20, (60, y, 540, y + 8))
    pdf = tmp_path / "scans.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4, invariant=1)
    for im in (blank, inked):
        path = tmp_path / f"{id(im)}.jpg"
        im.save(path, quality=90)
        c.drawImage(ImageReader(str(path)), 0, 0, *A4)
        c.showPage()
    c.save()
    doc = extract_document(pdf)
    assert [p.text_layer for p in doc.pages] == [BLANK, IMAGE_ONLY]
    assert [p.needs_ocr for p in doc.pages] == [False, True]
    assert "scanned blank page" in doc.pages[0].triage_reason


def test_gap_inside_a_syllable_from_legacy_glyph_origins_is_closed():
    from extractors.text import chars_to_lines

    def spaced(parts: list[tuple[str, float]], font: str = ".VnTime") -> list[dict]:
        out, x = [], 72.0
        for text, gap in parts:
            x += gap
            for ch in text:
                out.append({"text": ch, "fontname": font, "x0": x, "x1": x + 5.0, "top": 100.0, "bottom": 110.0,
                            "size": 10.0, "upright": True, "width": 5.0, "height": 10.0})
                x += 5.0
        return out

    # "ë v ïng" as the text layer places it: the printed page reads "ở vùng"
    chars = spaced([("ë", 0), ("v", 3.5), ("ïng", 4.0), ("c", 3.5), ("ßn", 3.0)])
    lines = chars_to_lines(convert_chars(chars, {".VnTime": "tcvn3"}), 1)
    assert [ln.text for ln in lines] == ["ở vùng còn"]
    # a real word space between two syllables stays (both fragments have vowels)
    lines = chars_to_lines(convert_chars(spaced([("Hµ", 0), ("Néi", 4.0)]), {".VnTime": "tcvn3"}), 1)
    assert [ln.text for ln in lines] == ["Hà Nội"]


def test_vowel_placed_before_its_consonant_by_a_legacy_font_is_put_back():
    from extractors.text import chars_to_lines

    # "qu¶n lý" where the text layer draws "ý" from an origin left of the "l" before it
    chars = chars_of("qu¶n l", ".VnTime")
    last = chars[-1]
    chars.append(dict(last, text="ý", x0=last["x0"] - 1.0, x1=last["x0"] + 4.0))
    lines = chars_to_lines(convert_chars(chars, {".VnTime": "tcvn3"}), 1)
    assert [ln.text for ln in lines] == ["quản lý"]
