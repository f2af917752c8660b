"""Tolerances of the readers that sit around the text and tables: the masthead and signature
block (``extractors.masthead``, ``extractors.signer``, ``extractors.columns``), page triage
(``extractors.triage``) with its legacy-font decision (``extractors.legacy``), and OCR
(``extractors.ocr_image``, ``extractors.ocr``) with its second looks at table cells
(``extractors.ocr_glyphs``) and at the masthead's hand-filled blanks (``extractors.ocr_blanks``).

They live here, in a module that imports no reader, so that the one settings tree
(``extractors.settings.ExtractionSettings``: ``masthead``, ``triage``, ``triage.legacy``, ``ocr``,
``ocr.cells``, ``ocr.blanks``)
can hold them without an import cycle; the readers import them from here (and re-export them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

# caps the OCR pool of every document read in this process and in the processes it starts: a run
# that extracts N documents in parallel sets it (to 1, say) so that N x pool stays within the cores
OCR_WORKERS_ENV = "DECREE_OCR_WORKERS"


@dataclass(frozen=True)
class MastheadSettings:
    """Tolerances of the masthead reader, in multiples of the line's font size unless named."""

    column_gap: float = 1.5  # a gap wider than this between words on one baseline splits columns
    word_gap_pt: float = 3.0  # pdfplumber's x_tolerance: a gap wider than this separates words
    row_overlap: float = 0.5  # words share a row when their vertical overlap exceeds this share
    block_gap: float = 0.9  # a vertical gap wider than this ends a wrapped block (subject, name)
    min_size_pt: float = 4.0  # smaller glyphs (invisible stamps, 0.5-pt signature captions) ignored
    header_share: float = 0.45  # without a motto, the left column ends at this share of the width
    centred_share: float = 0.7  # a centred subject line is narrower than this share of the page width
    blank_run: float = 6.0  # widest blank left for a serial or a day ("Số:      /QĐ-UBND"), in font sizes

    def __post_init__(self) -> None:
        for name in ("column_gap", "word_gap_pt", "row_overlap", "block_gap", "min_size_pt", "header_share",
                     "centred_share", "blank_run"):
            if getattr(self, name) <= 0:
                raise ValueError(f"MastheadSettings.{name} must be positive")
        if not all(0 < getattr(self, n) < 1 for n in ("row_overlap", "header_share", "centred_share")):
            raise ValueError("MastheadSettings.row_overlap, header_share and centred_share must lie in (0, 1)")


@dataclass(frozen=True)
class LegacySettings:
    """When a conversion is taken.

    min_gain: a span whose font declares a legacy encoding is converted unless it reads better
      as it is; a span whose font declares nothing is converted only when the share of valid
      syllables rises by at least this much (0.3: mojibake scores near 0, Vietnamese above 0.8).
    min_share: the converted text must reach this share of valid syllables to count as Vietnamese
      when the decision rests on statistics alone.
    min_tokens: fewer judged words than this are too few for a decision by statistics alone.
    viqr_min_marked: share of word tokens that must carry VIQR marks before VIQR is tried.
    """

    min_gain: float = 0.3
    min_share: float = 0.7
    min_tokens: int = 8
    viqr_min_marked: float = 0.2

    def __post_init__(self) -> None:
        if not (0 < self.min_gain <= 1 and 0 < self.min_share <= 1 and 0 < self.viqr_min_marked <= 1):
            raise ValueError("LegacySettings shares must lie in (0, 1]")
        if self.min_tokens < 1:
            raise ValueError("LegacySettings.min_tokens must be at least 1")


@dataclass(frozen=True)
class TriageSettings:
    """Named tolerances of the triage. Defaults measured on the real development corpus (400
    pages): Unicode Vietnamese text layers have 0.52-0.95 of their words valid syllables written
    with a Vietnamese mark (0.57-1.0 valid syllables in all); scanner OCR that lost the marks
    0.00 (0.32-0.47 valid); TCVN3 mojibake 0.07-0.18 (0.19-0.27 valid).

    min_marked_share: share of words that are valid syllables with a Vietnamese mark (tone or
      ă â ê ô ơ ư đ) above which a text layer is Vietnamese.
    good_share: share of valid syllables above which a text layer is Vietnamese however few marks
      it carries (a page of names and toneless words).
    min_words: fewer judged words than this cannot be judged; the page is taken as text
      (a page holding only figures or a signature block), unless most glyphs are undecodable.
    max_cid_share: share of undecodable glyphs ("(cid:N)") above which the layer is unreadable.
    image_coverage: share of the page area covered by images for a garbled text layer to be
      reported as the OCR layer of a scan (evidence only; the decision does not depend on it).
    min_outline_curves: filled curves on a page without fonts for its text to count as outlines
      (a letter is one to three curves; a page of text draws hundreds).
    max_blank_ink: share of dark pixels (80 levels below the paper) in the page's scan at or
      below which a scanned page is blank (scanned blank sheets measure 0.000, the least inked
      scanned text page of the corpus 0.04).
    plain_max_non_ascii: a text layer with almost no Vietnamese mark is judged as plain text
      (Vietnamese typed without diacritics, or English) only when at most this share of its
      letters is outside ASCII (mojibake is full of Latin-1 letters; unmarked text has none).
    unmarked_share: share of words that are Vietnamese syllables once marks are ignored, plainly
      cased, above which an unmarked layer is Vietnamese typed without diacritics. Real corpus
      page 1s with their marks stripped: 0.92-1.00; the scanners' garbled OCR layers: 0.47-0.55.
    english_share: share of words that are English function words (spaCy's English stop words,
      kept as data: schemas/english_function_words.txt) above which a layer is English: this
      repository's English docs 0.37; garbled OCR layers 0.02-0.05; Vietnamese without marks up
      to 0.17 (it also passes unmarked_share).
    """

    min_marked_share: float = 0.3
    good_share: float = 0.85
    min_words: int = 8
    max_cid_share: float = 0.3
    image_coverage: float = 0.3
    min_outline_curves: int = 150
    max_blank_ink: float = 0.001
    plain_max_non_ascii: float = 0.02
    unmarked_share: float = 0.8
    english_share: float = 0.25
    legacy: LegacySettings = field(default_factory=LegacySettings)

    def __post_init__(self) -> None:
        for name in ("min_marked_share", "good_share", "max_cid_share", "image_coverage", "max_blank_ink",
                     "plain_max_non_ascii", "unmarked_share", "english_share"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"TriageSettings.{name} must lie in (0, 1]")
        if self.min_words < 1 or self.min_outline_curves < 1:
            raise ValueError("TriageSettings counts must be positive")


@dataclass(frozen=True)
class CellSettings:
    """Confidences are Tesseract's (0-100). Measured on scanned sample tables (150-300 dpi with a
    seal and a signature): speckle read as marks ("ˆ-", "_.", "--") 0-31, as letters ("l", "Ẩw",
    "fR") 0; real words 33-97 (the lowest: a header word under a seal, chemical formulas "(P₂O₅)").

    min_mark_conf: a word without any letter or digit below this is speckle.
    min_word_conf: any word below this is speckle.
    bar_share: share of the first glyph's width that its bottom band must ink for "<"/">" to be
      read as "≤"/"≥" ("≤" at 150-300 dpi: 0.8-1.0; "<": the point, 0.2-0.35).
    bar_band: height of that bottom band, as a share of the glyph's height."""

    min_mark_conf: float = 35.0
    min_word_conf: float = 10.0
    bar_share: float = 0.6
    bar_band: float = 0.18

    def __post_init__(self) -> None:
        for name in ("min_mark_conf", "min_word_conf"):
            if not 0 <= getattr(self, name) <= 100:
                raise ValueError(f"CellSettings.{name} must be within 0..100")
        for name in ("bar_share", "bar_band"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"CellSettings.{name} must lie in (0, 1)")


@dataclass(frozen=True)
class BlankSettings:
    """The second look at the blanks of the masthead filled in by hand or by a stamp (the serial of
    "Số: …/QĐ-UBND", the day and month of "…, ngày … tháng … năm 2025"; ``extractors.ocr_blanks``).
    Each blank is cut out between the typed words around it and read for digits only at 1x and at
    ``upscale``; an illegible blank is filled when both reads give the same digits, each at least
    ``min_conf``, and they fit the grammar (a serial of 1-5 digits, a day valid for its month, a
    month 1-12); a serial the page's read gave as digits is kept only when one of the two reads
    gives it again at ``min_conf``. Measured on the six real scans (``python -m bench.ocr
    --meta-only``): handwritten digits misread at 50-87 ("322" for 932, "339"/"439" for 239, "40"
    for 30), never the same way at both scales; right readings 64-96 at both (a handwritten month
    "4", a day "01", a typed serial "1629").

    enabled: off reads the page once, as before (the masthead leaves the hand-filled fields empty).
    min_conf: Tesseract confidence (0-100) every reading of a blank must reach.
    upscale: the second read's magnification (the first is at the page's resolution).
    min_digit_height: a blank holds digits only when an ink blob stands this share of the line's
      height (dots and dashes of an empty blank do not; the filled digits of the six real scans
      stand 0.52-1.0 of it)."""

    enabled: bool = True
    min_conf: float = 60.0
    upscale: float = 2.0
    min_digit_height: float = 0.4

    def __post_init__(self) -> None:
        if not 0 <= self.min_conf <= 100:
            raise ValueError("BlankSettings.min_conf must be within 0..100")
        if not 1 < self.upscale <= 4:
            raise ValueError("BlankSettings.upscale must lie in (1, 4]")
        if not 0 < self.min_digit_height < 1:
            raise ValueError("BlankSettings.min_digit_height must lie in (0, 1)")


@dataclass(frozen=True)
class OcrSettings:
    """How pages are OCR'd. Defaults are the measured best (``python -m bench.ocr --variants --scans``,
    results in docs/ocr-benchmark.md). On three transcribed real pages, mean char accuracy:
    200 dpi 0.961, 300 dpi 0.956, 400 dpi 0.957 (raw Tesseract 0.948-0.950); red ink dropped
    +0.006 over raw; deskew neutral on real pages (they are straight) but needed for tables on
    askew scans; denoise +0.002 char / -0.003 word (off); Otsu binarisation -0.001 (off);
    ``Vietnamese`` script model 0.947, ``vie+Vietnamese`` 0.957 at 1.3x the time (``vie`` kept);
    psm 4 = psm 3. Norm records on scanned sample pages (``python -m bench.ocr_scans``, 160 records):
    0.838 before the seal's colour separation and the cell checks (``ocr_glyphs``), 0.963 after."""

    dpi: int = 200  # render resolution: best on real scans (mostly 200 dpi natively) and scanned tables
    languages: str = "vie"  # Tesseract traineddata names joined by "+" ("vie", "script/Vietnamese")
    psm: int = 3  # page segmentation: 3 = automatic (two-column mastheads need block analysis)
    oem: int = 1  # OCR engine: 1 = LSTM only
    drop_red: bool = True  # whiten red ink: seals stamped over the text and the signature block
    drop_blue: bool = False  # whiten blue ink too (signatures; but numbers and days filled in by hand are blue)
    colour_margin: int = 60  # a pixel is red (blue) when that channel exceeds both others by this
    deskew: bool = True  # rotate the page straight when it is skewed by more than min_skew_deg
    min_skew_deg: float = 0.15
    max_skew_deg: float = 5.0  # larger estimates are not trusted (a stamp, a photo): no rotation
    denoise: bool = False  # median filter against speckle
    binarise: bool = False  # Otsu before Tesseract (Tesseract binarises internally)
    tables: bool = True  # find ruled tables in the image
    min_word_conf: float = 0.0  # words below this 0-100 confidence are dropped (0: keep all)
    workers: int = 2  # processes over pages (the machine's cores); 1 runs in this process;
    # capped by the DECREE_OCR_WORKERS environment variable (see pool_size)
    timeout_s: float = 0.0  # Tesseract timeout per page, 0 = none
    cells: CellSettings = field(default_factory=CellSettings)  # second looks at table cells' words
    blanks: BlankSettings = field(default_factory=BlankSettings)  # second look at hand-filled masthead blanks

    def __post_init__(self) -> None:
        if not 72 <= self.dpi <= 600:
            raise ValueError(f"OcrSettings.dpi must be within 72..600, got {self.dpi}")
        if self.psm not in (1, 3, 4, 6, 11, 12):
            raise ValueError(f"OcrSettings.psm must be a page-level mode (1, 3, 4, 6, 11, 12), got {self.psm}")
        if self.oem not in (0, 1, 2, 3):
            raise ValueError(f"OcrSettings.oem must be 0..3, got {self.oem}")
        if not self.languages or any(not part for part in self.languages.split("+")):
            raise ValueError(f"OcrSettings.languages must name traineddata joined by '+', got {self.languages!r}")
        if not 0 <= self.min_word_conf <= 100:
            raise ValueError(f"OcrSettings.min_word_conf must be within 0..100, got {self.min_word_conf}")
        if self.workers < 1:
            raise ValueError(f"OcrSettings.workers must be >= 1, got {self.workers}")
        if not 0 <= self.min_skew_deg < self.max_skew_deg <= 45:
            raise ValueError("OcrSettings needs 0 <= min_skew_deg < max_skew_deg <= 45")
        if not 0 < self.colour_margin < 255:
            raise ValueError(f"OcrSettings.colour_margin must be within 1..254, got {self.colour_margin}")

    def pool_size(self, n_pages: int, environ: Mapping[str, str] | None = None) -> int:
        """Processes the OCR of ``n_pages`` pages may use: ``workers``, capped by the environment's
        ``DECREE_OCR_WORKERS`` (the run's bound on total processes) and by the number of pages.
        1 means "in this process, no pool"."""
        cap = self.workers
        raw = (os.environ if environ is None else environ).get(OCR_WORKERS_ENV, "").strip()
        if raw:
            if not raw.isdigit() or int(raw) < 1:
                raise ValueError(f"{OCR_WORKERS_ENV} must be a positive integer, got {raw!r}")
            cap = min(cap, int(raw))
        return max(1, min(cap, n_pages))

    def key(self) -> str:
        """What the cached result depends on (workers and timeout do not change the result)."""
        d = asdict(self)
        d.pop("workers")
        d.pop("timeout_s")
        return repr(sorted(d.items()))
