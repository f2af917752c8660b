"""Triage of text layers that carry no Vietnamese marks: valid plain text (Vietnamese typed without
diacritics, English) is read as text; a scanner's garbled OCR layer still goes to OCR.

The garbled layer below is the text layer of a real scanned letter of the development corpus
(page 1, as pdfplumber gives it); the other texts are written for the test."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from extractors.legacy import LegacyDecision, detect
from extractors.triage import (
    GOOD,
    NOT_VIETNAMESE,
    PageEvidence,
    TriageSettings,
    page_evidence,
    plain_evidence,
    triage_page,
)
from extractors.vietnamese import plain_stats, strip_marks, syllable_stats, unmarked_syllables

REAL_GARBLED = """V/v xem xdtdO nghi cria 0y ban MTTQ ViCt Nam tinh LAm Ddng Kinh gui: S0 NQi vu
Uybannh₆nddn tinhnh₄nduocC₆ng vin s6 }27IMTTQ-BTTngdy 25lgl2o25 cira Uy ban M4ttrQn T6 qui5c ViQt Nam
tinh vA viQcdO nghi c6ng nh$n chric danh c6c HQi quAn chring do D6ng, Nhd nudc giao tthi€m vp (C6ng
van sii zzz/twrQ-BTT dinhkdm). Chrl tich Uy ban nhdn d6n tinh giao Sd NOi vU nghiEn criu thgc hi6ndA
nghi tr6n theo thAm quy6n. Trudng hqp vuE thAmquyAn b6o c6o,dC xu6t Uy ban nhdn dan tinh./."""
GARBLED_SYNTH = "QUYTTDINH Vd viQc thirnh lAp HQi C6ng chri'ng vi6n tinh Lffm D6ng nay"
VIET = ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; theo đề nghị của Giám đốc "
        "Sở Nông nghiệp và Phát triển nông thôn, Ủy ban nhân dân tỉnh ban hành định mức kinh tế kỹ thuật.")
ENGLISH = ("This report describes the economic and technical norms that apply to the province. It was "
           "prepared by the department of agriculture and is published for the people who use it.")


def chars_of(text: str, font: str = "Helvetica") -> list[dict]:
    out, x, top = [], 72.0, 100.0
    for ch in text:
        if ch == "\n":
            x, top = 72.0, top + 14
            continue
        out.append({"text": ch, "fontname": font, "x0": x, "x1": x + 5.0, "top": top, "bottom": top + 10,
                    "size": 10.0, "upright": True, "width": 5.0, "height": 10.0})
        x += 5.0
    return out


def triage_text(text: str, n_images: int = 0, coverage: float = 0.0):
    glyphs = [c for c in chars_of(text) if c["text"].strip()]
    leg = detect(glyphs)
    plain, non_ascii = plain_evidence(glyphs, leg)
    return triage_page(PageEvidence(len(glyphs), 0, ("Helvetica",), n_images, coverage, 0, leg,
                                    plain=plain, non_ascii_share=non_ascii))


def test_unmarked_syllables_are_the_inventory_without_marks():
    sk = unmarked_syllables()
    assert {"quyet", "dinh", "nguoi", "duoc", "nghieng", "gi", "khuya"} <= sk
    assert not {"thirnh", "quytt", "lffm", "chri", "qd"} & sk
    assert strip_marks("Quyết định Đồng") == "Quyet dinh Dong"


def test_vietnamese_typed_without_diacritics_is_read_as_text():
    t = triage_text(strip_marks(VIET))
    assert t.kind == GOOD and not t.needs_ocr and "without diacritics" in t.reason
    # the same text in capitals (a title typed in ASCII capitals)
    assert triage_text(strip_marks(VIET).upper()).kind == GOOD


def test_english_is_read_as_text():
    t = triage_text(ENGLISH)
    assert t.kind == GOOD and not t.needs_ocr and "English" in t.reason


@pytest.mark.parametrize("text", [REAL_GARBLED, GARBLED_SYNTH + " " + GARBLED_SYNTH])
def test_scanner_ocr_garbage_still_goes_to_ocr(text):
    t = triage_text(text, n_images=1, coverage=1.0)
    assert t.kind == NOT_VIETNAMESE and t.needs_ocr and "garbled OCR" in t.reason
    assert "unmarked syllables" in t.reason  # the evidence of the plain-text check is recorded
    p = plain_stats(text)
    assert p.unmarked_share < TriageSettings().unmarked_share and p.english_share < TriageSettings().english_share


def test_mojibake_is_not_taken_for_unmarked_text():
    # an unknown 8-bit encoding: Latin-1 letters inside words; its skeleton would read as syllables
    text = " ".join(["ViÖt Nam kÕ ho¹ch nhµ n−íc vÒ viÖc thµnh lËp"] * 3)
    glyphs = [c for c in chars_of(text, "Arial") if c["text"].strip()]
    unknown = LegacyDecision(None, None, syllable_stats(text), syllable_stats(text))  # no table fits it
    plain, non_ascii = plain_evidence(glyphs, unknown)
    assert non_ascii > TriageSettings().plain_max_non_ascii
    t = triage_page(PageEvidence(len(glyphs), 0, ("Arial",), 0, 0.0, 0, unknown, plain=plain,
                                 non_ascii_share=non_ascii))
    assert t.kind == NOT_VIETNAMESE


def test_marked_vietnamese_is_unchanged_and_does_not_pay_for_the_check():
    glyphs = [c for c in chars_of(VIET) if c["text"].strip()]
    assert plain_evidence(glyphs, detect(glyphs)) == (None, None)  # judged by its marks already
    assert triage_text(VIET).kind == GOOD


def test_settings_are_validated():
    with pytest.raises(ValueError):
        TriageSettings(unmarked_share=0)
    with pytest.raises(ValueError):
        TriageSettings(english_share=1.5)


def test_an_ascii_pdf_page_is_not_sent_to_ocr():
    """Through pdfplumber (the I/O edge): a Helvetica page typed in ASCII Vietnamese."""
    from tools.hostile import GOOD as pdf_bytes

    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        t = triage_page(page_evidence(pdf.pages[0]))
    assert t.kind == GOOD and not t.needs_ocr, t.reason
