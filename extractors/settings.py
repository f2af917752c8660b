"""Tolerances of extraction as named, documented settings (like pdfplumber's ``TableSettings``):
one frozen tree.

``ExtractionSettings`` holds the tolerances of text assembly (its own fields, below) and, as
sub-settings, those of tables (``tables``: ``extractors.table_settings.TableSettings``), the
masthead and signature reader (``masthead``: ``extractors.reader_settings.MastheadSettings``),
page triage (``triage``: ``TriageSettings``, with ``triage.legacy``) and OCR (``ocr``:
``OcrSettings``; these three in ``extractors.reader_settings``). It is passed down from ``extract_document`` to
every reader. Defaults are the values measured on the sample corpus and the real development
corpus (``python -m bench.extraction``, ``python -m bench.real_text``); a difficult producer can
be read with overrides by dotted name (``decree ingest --setting NAME=VALUE``, a manifest entry's
``settings:``)::

    ExtractionSettings.resolve({"column_gap_em": 4.0, "tables.grid_tol": 6})

Units: ``pt`` = PDF points (1/72 in); ``em`` = multiples of the font size of the text concerned
(so a tolerance scales with the type, as a reader's eye does); ``share`` = a fraction in [0, 1].
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from extractors import overrides
from extractors.reader_settings import MastheadSettings, OcrSettings, TriageSettings
from extractors.table_settings import TableSettings


@dataclass(frozen=True)
class ExtractionSettings:
    # ---- characters → lines (extractors.text) -----------------------------------------------
    line_overlap: float = 0.5
    """share: two characters sit on one line when their glyph boxes overlap vertically by at least
    this share of the smaller box's height. Compared with the line's own band (never a band grown
    by earlier characters), so lines offset by half a line in neighbouring table cells stay apart."""
    script_size_ratio: float = 0.8
    """share: a character smaller than this share of its line's font size is a sub/superscript
    candidate ("m" + raised "2" → "m²")."""
    script_raise: float = 0.45
    """share: a small digit whose middle lies above this share of the line's box height (from its
    top) is a superscript, otherwise a subscript."""
    script_gap_em: float = 0.5
    """em: a small (script) character closer than this to the previous character gets no space."""
    default_space_em: float = 0.25
    """em: width of a space when the font shows no space glyph on the page (0.25 em is the space
    of Times New Roman; Arial's is 0.278)."""
    word_gap_space_share: float = 0.5
    """share: where the producer drew no space glyph, a gap wider than the line's own letter
    spacing plus this share of the font's space width is a word break."""
    letter_spacing_max_em: float = 0.1
    """em: the largest letter spacing (Tc, spread lettering) a line's typical gap may be credited
    with; above it a typical gap is a word gap (lines of one-letter words)."""
    layer_overlap_em: float = 0.25
    """em: two runs of text on one line with characters that overlap horizontally by more than
    this are different layers (a stamp or e-signature box over the body text) and are read apart,
    never interleaved character by character."""
    run_backstep_em: float = 0.3
    """em: a character drawn right after another in the content stream continues its run when it
    starts no further left than this before the previous character's start (kerning, accents)."""
    column_gap_em: float = 3.0
    """em: a horizontal gap wider than this splits a visual line into blocks (masthead columns,
    two-column layouts, unruled table columns)."""
    rotation_step_deg: float = 5.0
    """degrees: characters are grouped by text direction rounded to this step; each direction is
    assembled on its own (rotated table headers, stamps, diagonal watermarks)."""
    dedupe_tolerance: float = 1.0
    """pt: the same character drawn twice within this distance (fake bold, overprinting) counts once
    (pdfplumber's ``dedupe_chars``)."""
    bold_share: float = 0.6
    """share: a line (or cell) is bold / italic when at least this share of its characters are."""
    # ---- lines → paragraphs (extractors.text.lines_to_paragraphs) ------------------------------
    paragraph_gap_em: float = 0.7
    """em: a vertical gap between lines wider than this ends a paragraph."""
    short_line_em: float = 4.0
    """em: a line ending more than this before the right margin is the last line of its paragraph."""
    # ---- page furniture (extractors.text.split_furniture / repeated_margin_texts) ----------------
    header_band: float = 0.08
    """share of page height: lines ending above this are in the top margin (running headers)."""
    footer_band: float = 0.92
    """share of page height: lines starting below this are in the bottom margin (page numbers)."""
    repeated_min_share: float = 0.5
    """share of pages: a margin text (digits masked) repeated on at least this share of pages is
    furniture."""
    repeated_min_pages: int = 3
    """pages: documents shorter than this have no repeated furniture."""
    # ---- tables ↔ body text (extractors.document) ---------------------------------------------
    table_text_pad: float = 1.0
    """pt: a character whose centre lies within this distance of a table's box belongs to the
    table, not to the body text."""
    # ---- structure (extractors.structure) -------------------------------------------------------
    heading_gap_em: float = 0.9
    """em: a bold line closer than this under a heading continues the heading (wrapped title)."""
    upper_title_share: float = 0.7
    """share: a heading whose title has at least this share of capitals is an upper-case title."""
    # ---- sub-settings: dotted names (tables.grid_tol, triage.legacy.min_gain) ---------------------
    tables: TableSettings = field(default_factory=TableSettings)
    """finding tables, their cells, header rows and stitching (``extractors.table_settings``)."""
    masthead: MastheadSettings = field(default_factory=MastheadSettings)
    """the masthead and signature-block reader (``extractors.reader_settings``)."""
    triage: TriageSettings = field(default_factory=TriageSettings)
    """which text layers are read, converted from legacy fonts or sent to OCR (``extractors.triage``)."""
    ocr: OcrSettings = field(default_factory=OcrSettings)
    """rendering and Tesseract for pages without a usable text layer (``extractors.ocr_image``)."""

    def __post_init__(self) -> None:
        shares = ("line_overlap", "script_size_ratio", "script_raise", "word_gap_space_share", "bold_share",
                  "header_band", "footer_band", "repeated_min_share", "upper_title_share")
        for name in shares:
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not 0.0 < v <= 1.0:
                raise ValueError(f"ExtractionSettings.{name} must be a share in (0, 1], got {v!r}")
        non_negative = ("script_gap_em", "default_space_em", "letter_spacing_max_em", "layer_overlap_em",
                        "run_backstep_em", "column_gap_em", "rotation_step_deg", "dedupe_tolerance",
                        "paragraph_gap_em", "short_line_em", "table_text_pad", "heading_gap_em")
        for name in non_negative:
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or v < 0:
                raise ValueError(f"ExtractionSettings.{name} must be a number >= 0, got {v!r}")
        for name in ("repeated_min_pages",):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"ExtractionSettings.{name} must be an integer >= 1, got {v!r}")
        if self.header_band >= self.footer_band:
            raise ValueError("ExtractionSettings.header_band must lie above footer_band "
                             f"({self.header_band} >= {self.footer_band})")
        if self.default_space_em <= 0 or self.column_gap_em <= 0 or self.rotation_step_deg <= 0:
            raise ValueError("ExtractionSettings: default_space_em, column_gap_em and rotation_step_deg must be > 0")

    @classmethod
    def names(cls) -> list[str]:
        """Every setting's dotted name (``column_gap_em``, ``tables.grid_tol``, ``triage.legacy.min_gain``)."""
        return list(overrides.leaves(cls()))

    @classmethod
    def from_mapping(cls, changes: Mapping[str, Any] | None) -> ExtractionSettings:
        """Defaults with ``changes`` (dotted names, values typed or as text) applied; an unknown
        name, a wrong type or a value out of bounds is an ``InvalidSetting`` naming the setting."""
        return overrides.apply(cls(), dict(changes or {}))

    @classmethod
    def resolve(cls, settings: ExtractionSettings | Mapping[str, Any] | None) -> ExtractionSettings:
        """``None`` → defaults; a settings object as is; a mapping → ``from_mapping``."""
        if settings is None:
            return cls()
        if isinstance(settings, cls):
            return settings
        if isinstance(settings, Mapping):
            return cls.from_mapping(settings)
        raise TypeError(f"cannot resolve extraction settings from {type(settings).__name__}")

    @classmethod
    def check(cls, changes: Mapping[str, Any]) -> dict[str, Any]:
        """``changes`` validated (names, types, bounds) and coerced to the settings' types: what a
        manifest entry keeps, so that ``"6"`` from the command line and ``6.0`` from YAML agree."""
        checked = overrides.coerce_all(cls(), changes)
        cls.from_mapping(checked)  # bounds
        return checked

    def overrides(self) -> dict[str, Any]:
        """The settings that differ from the defaults, by dotted name (``{}`` for the defaults)."""
        return overrides.differences(self, DEFAULT)

    def key(self) -> str:
        """The overrides as canonical JSON: recorded with each document and part of the cache key
        (``"{}"`` for the defaults)."""
        return json.dumps(self.overrides(), sort_keys=True, ensure_ascii=False)

    def replace(self, **changes: Any) -> ExtractionSettings:
        return dataclasses.replace(self, **changes)


DEFAULT = ExtractionSettings()
