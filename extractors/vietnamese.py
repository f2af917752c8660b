"""Is this Vietnamese? A syllable validator driven by ``schemas/encodings/syllables.yaml``.

Vietnamese is written one syllable per word, and its syllables are a closed set: onset + rhyme +
one tone mark placed on a known vowel. A text layer that reads as Vietnamese therefore has a high
share of valid syllables; mojibake ("ng©n hµng"), scanner OCR that lost the diacritics
("QUYTTDINH Vd viQc thirnh lAp") and undecodable glyphs ("(cid:12)") have a low one. No library
on PyPI offers such a validator (pyvi and underthesea segment words, they do not judge spelling),
hence this small one.

Pure functions; the data file is read once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent.parent / "schemas" / "encodings" / "syllables.yaml"

# combining tone marks: sắc, huyền, hỏi, ngã, nặng
TONE_MARKS = {"\u0301": "sac", "\u0300": "huyen", "\u0309": "hoi", "\u0303": "nga", "\u0323": "nang"}
_SHAPED = set("ăâêôơư")
_VOWELS = set("aăâeêioôơuưy")
# word separators: white space, ASCII and typographic punctuation, digits are handled per token
_SPLIT = re.compile(r"[\s,;:!?()\[\]{}\"“”‘’'/\\|<>=+*&#@_…•·–—-]+|\.(?!\w)|(?<!\w)\.")
_DIGIT_INSIDE = re.compile(r"[^\W\d_]\d+[^\W\d_]")


@dataclass(frozen=True)
class _Inventory:
    onsets: tuple[str, ...]  # longest first
    rhymes: frozenset[str]
    stop_codas: tuple[str, ...]
    tone_on_first: frozenset[str]
    tone_on_either: frozenset[str]
    tone_on_middle: frozenset[str]


@lru_cache(maxsize=1)
def inventory() -> _Inventory:
    d = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    rhymes = frozenset(unicodedata.normalize("NFC", r) for group in d["rhymes"].values() for r in group)
    return _Inventory(
        onsets=tuple(sorted((unicodedata.normalize("NFC", o) for o in d["onsets"]), key=len, reverse=True)),
        rhymes=rhymes,
        stop_codas=tuple(d["stop_codas"]),
        tone_on_first=frozenset(d["tone_on_first"]),
        tone_on_either=frozenset(d["tone_on_either"]),
        tone_on_middle=frozenset(d["tone_on_middle"]),
    )


def split_tone(syllable: str) -> tuple[str, str | None, int | None]:
    """(toneless NFC lower-case syllable, tone name or None, index of the letter carrying it).

    Raises ValueError when the syllable carries more than one tone mark."""
    s = unicodedata.normalize("NFD", syllable.lower())
    letters: list[str] = []
    tone, at = None, None
    for ch in s:
        if ch in TONE_MARKS:
            if tone is not None or not letters:
                raise ValueError("two tone marks")
            tone, at = TONE_MARKS[ch], len(letters) - 1
        elif unicodedata.combining(ch):
            if not letters:
                raise ValueError("stray mark")
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + ch)
        else:
            letters.append(ch)
    return "".join(letters), tone, at


def _tone_positions(rhyme: str, inv: _Inventory) -> set[int]:
    """Indexes (inside the rhyme) where the tone mark may sit."""
    vowel_idx = [i for i, ch in enumerate(rhyme) if ch in _VOWELS]
    if not vowel_idx:
        return set()
    shaped = [i for i in vowel_idx if rhyme[i] in _SHAPED]
    if shaped:
        return {shaped[-1]}
    last = vowel_idx[-1]
    if last < len(rhyme) - 1:  # consonant coda
        return {last}
    if rhyme in inv.tone_on_first:
        return {0}
    if rhyme in inv.tone_on_either:
        return {0, 1}
    if rhyme in inv.tone_on_middle:
        return {1}
    return {last}


def is_valid_syllable(word: str) -> bool:
    """True when ``word`` (any case, NFC or NFD) is a well-formed Vietnamese syllable."""
    try:
        base, tone, at = split_tone(word)
    except ValueError:
        return False
    if not base or not base.isalpha():
        return False
    inv = inventory()
    for onset in inv.onsets:
        if not base.startswith(onset):
            continue
        rest = base[len(onset):]
        candidates = [rest]
        if onset == "gi":  # gi + iêng is written "giêng"; "gì" is gi + i
            candidates.append("i" + rest)
        for k, rhyme in enumerate(candidates):
            if rhyme not in inv.rhymes:
                continue
            if tone is not None:
                if tone not in ("sac", "nang") and rhyme.endswith(inv.stop_codas):
                    continue
                pos = at - len(onset) + k  # type: ignore[operator]
                if pos not in _tone_positions(rhyme, inv):
                    continue
            elif rhyme.endswith(inv.stop_codas):
                continue  # a stop coda needs sắc or nặng
            return True
    return False


def tokens(text: str) -> list[str]:
    return [t for t in _SPLIT.split(unicodedata.normalize("NFC", text)) if t]


@dataclass(frozen=True)
class SyllableStats:
    n_tokens: int  # word tokens judged (numbers and vowel-less abbreviations excluded)
    n_valid: int
    n_marked: int = 0  # valid syllables written with a Vietnamese mark (tone, ă â ê ô ơ ư đ)

    @property
    def share(self) -> float | None:
        return self.n_valid / self.n_tokens if self.n_tokens else None

    @property
    def marked_share(self) -> float | None:
        """Share of words that are valid syllables with a Vietnamese mark: about half of the
        words of any Vietnamese text, near none in OCR that lost the marks."""
        return self.n_marked / self.n_tokens if self.n_tokens else None


def _is_abbreviation(tok: str) -> bool:
    """Vowel-less tokens made of letters only (UBND, QĐ, TTg, HĐND): abbreviations, not syllables."""
    low = unicodedata.normalize("NFD", tok.lower())
    return all(ch.isalpha() or unicodedata.combining(ch) for ch in low) and not any(
        ch in "aeiouy" for ch in low)


def syllable_stats(text: str) -> SyllableStats:
    n = ok = marked = 0
    for tok in tokens(text):
        if any(ch.isdigit() for ch in tok) and not _DIGIT_INSIDE.search(tok):
            continue  # numbers, "m2", "3a", "2004/QĐ": not syllables
        if _is_abbreviation(tok):
            continue
        n += 1
        if is_valid_syllable(tok):
            ok += 1
            marked += not tok.isascii()
    return SyllableStats(n, ok, marked)


def valid_syllable_share(text: str) -> float | None:
    """Share of word tokens of ``text`` that are valid Vietnamese syllables (None: no words)."""
    return syllable_stats(text).share


# ---- text without diacritics: unmarked Vietnamese and English ------------------------------------
_STRIP = str.maketrans("đĐ", "dD")


def strip_marks(text: str) -> str:
    """``text`` without Vietnamese diacritics (tones, ă â ê ô ơ ư, đ → d)."""
    d = unicodedata.normalize("NFD", text.translate(_STRIP))
    return "".join(ch for ch in d if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def unmarked_syllables() -> frozenset[str]:
    """Every Vietnamese syllable as written without its diacritics ("quyet", "dinh", "nguoi"):
    onset + rhyme of the inventory, marks stripped."""
    inv = inventory()
    out = set()
    for onset in inv.onsets:
        for rhyme in inv.rhymes:
            out.add(strip_marks(onset + rhyme))
            if onset == "gi" and rhyme.startswith("i"):
                out.add(strip_marks("g" + rhyme))
    return frozenset(out)


def _plain_case(tok: str) -> bool:
    """lower, Capitalised or UPPER: a written word; "viQc", "lAp" (capitals inside) are not."""
    return tok.islower() or tok.isupper() or (tok[:1].isupper() and tok[1:].islower())


@dataclass(frozen=True)
class PlainStats:
    """Words of an ASCII text judged as Vietnamese written without diacritics, or as English."""

    n_tokens: int  # letter-only word tokens (abbreviations without a vowel excluded)
    n_unmarked: int  # plainly cased and a Vietnamese syllable once marks are ignored
    n_english: int  # English function words (spaCy's English stop words, schemas/english_function_words.txt)

    @property
    def unmarked_share(self) -> float | None:
        return self.n_unmarked / self.n_tokens if self.n_tokens else None

    @property
    def english_share(self) -> float | None:
        return self.n_english / self.n_tokens if self.n_tokens else None


ENGLISH_FILE = DATA.parent.parent / "english_function_words.txt"


@lru_cache(maxsize=1)
def _english_function_words() -> frozenset[str]:
    """spaCy's English stop words, kept as data (importing spaCy costs seconds per process)."""
    lines = ENGLISH_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def plain_stats(text: str) -> PlainStats:
    """Judge a text layer that carries (almost) no Vietnamese mark: how much of it is Vietnamese
    typed without diacritics ("Quyet dinh ve viec phe duyet"), how much English. Scanner OCR that
    lost the marks ("QUYTTDINH Vd viQc thirnh lAp") fails both: fused words, capitals inside
    words, letters no syllable has."""
    skeletons = unmarked_syllables()
    english = None
    n = unmarked = eng = 0
    for tok in tokens(text):
        if not tok.isalpha() or _is_abbreviation(tok):
            continue
        n += 1
        plain = _plain_case(tok)
        low = tok.lower()
        if plain and strip_marks(low) in skeletons:
            unmarked += 1
        if plain and tok.isascii():
            english = english if english is not None else _english_function_words()
            eng += low in english
    return PlainStats(n, unmarked, eng)
