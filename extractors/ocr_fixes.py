"""Vietnamese post-OCR fixes: a pure function over one line of OCR'd text, driven by data.

The fixes live in ``schemas/ocr_fixes.tsv`` (one row per fix, each with an example that the
tests run): characters Tesseract's Vietnamese model confuses (Icelandic eth for Đ), tone and
circumflex confusions on the words every official document prints (QUYÉT → QUYẾT, quôc →
quốc), thousands separators ("1,250,000" → "1.250.000": Vietnamese groups thousands with a dot),
unit spellings ("rn2" → "m2", "25oC" → "25°C"), the date line's spacing ("ngày4tháng"), and
whole masthead lines (the national motto, document-type titles) matched within a small edit
distance. Nothing here is keyed to a document: every row is a confusion a reader of Vietnamese
official documents would correct the same way everywhere.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FIXES_FILE = Path(__file__).resolve().parent.parent / "schemas" / "ocr_fixes.tsv"
KINDS = ("char", "word", "regex", "number", "line")


@dataclass(frozen=True)
class OcrFixSettings:
    """How close a line must be to a canonical line to become it: at most ``line_edit_share`` of
    its characters edited, and never more than ``line_max_edits`` (short titles like "BÁO CÁO"
    get one edit)."""

    line_edit_share: float = 0.2
    line_max_edits: int = 6

    def __post_init__(self) -> None:
        if not 0 <= self.line_edit_share < 0.5:
            raise ValueError(f"OcrFixSettings.line_edit_share must be within 0..0.5, got {self.line_edit_share}")
        if self.line_max_edits < 0:
            raise ValueError(f"OcrFixSettings.line_max_edits must be >= 0, got {self.line_max_edits}")

    def allowed_edits(self, length: int) -> int:
        return min(self.line_max_edits, max(1, int(length * self.line_edit_share)))


@dataclass(frozen=True)
class Fix:
    kind: str
    pattern: str
    replacement: str
    example_in: str
    example_out: str
    why: str


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def load_fixes(path: Path = FIXES_FILE) -> tuple[Fix, ...]:
    """The fixes of ``path`` (TSV with a header; '#' lines are comments), validated."""
    rows = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    fixes = []
    for i, rec in enumerate(csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
        fix = Fix(**{k: nfc(v or "") for k, v in rec.items()})
        if fix.kind not in KINDS:
            raise ValueError(f"{path.name} row {i}: unknown kind {fix.kind!r} (expected one of {KINDS})")
        if fix.kind == "char" and len(fix.pattern) != 1:
            raise ValueError(f"{path.name} row {i}: a char fix replaces exactly one character")
        if fix.kind in ("regex", "number"):
            re.compile(fix.pattern)
        if fix.kind == "line" and fix.pattern != fix.replacement:
            raise ValueError(f"{path.name} row {i}: a line fix names the same canonical line twice")
        fixes.append(fix)
    return tuple(fixes)


@lru_cache(maxsize=1)
def default_fixes() -> tuple[Fix, ...]:
    return load_fixes()


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping early once it exceeds ``limit`` (returns limit + 1)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


@lru_cache(maxsize=512)
def _compiled(kind: str, pattern: str) -> re.Pattern[str]:
    if kind == "word":
        return re.compile(r"(?<!\w)" + re.escape(pattern) + r"(?!\w)")
    return re.compile(pattern)


def _fix_line(text: str, canonicals: list[str], s: OcrFixSettings) -> str:
    """``text`` replaced by the nearest canonical line within the allowed edits (trailing ':' kept)."""
    body = text.rstrip(" :")
    tail = text[len(body):].strip()
    if body in canonicals:
        return text
    best, best_d = None, None
    for canonical in canonicals:
        limit = s.allowed_edits(len(canonical))
        d = edit_distance(body, canonical, limit)
        if d <= limit and (best_d is None or d < best_d):
            best, best_d = canonical, d
    return best + (":" if ":" in tail else "") if best is not None else text


def fix_text(text: str, fixes: tuple[Fix, ...] | None = None, settings: OcrFixSettings = OcrFixSettings()) -> str:
    """One OCR'd line (or cell) with the fixes applied in file order (the line fixes together, at
    the place of the first one); white space folded, NFC."""
    out = nfc(" ".join(text.split()))
    fixes = default_fixes() if fixes is None else fixes
    canonicals = [f.pattern for f in fixes if f.kind == "line"]
    lines_done = False
    for f in fixes:
        if f.kind == "char":
            out = out.replace(f.pattern, f.replacement)
        elif f.kind == "line":
            if not lines_done:
                out = _fix_line(out, canonicals, settings)
                lines_done = True
        elif f.kind == "number":
            out = _compiled("regex", f.pattern).sub(lambda m, r=f.replacement: re.sub(r"[.,]", r, m.group(0)), out)
        else:
            out = _compiled(f.kind, f.pattern).sub(f.replacement, out)
    return snap_places(nfc(" ".join(out.split())))


# ---- place names: schemas/places.csv ---------------------------------------------------------------
PLACES_FILE = Path(__file__).resolve().parent.parent / "schemas" / "places.csv"
# where a province's name stands: after its level word, or opening the place-and-date line
_PLACE_AT = re.compile(r"(?:(?<=\btỉnh )|(?<=\bthành phố )|(?<=\bTỈNH )|(?<=\bTHÀNH PHỐ )|(?<=\bTỉnh )|"
                       r"(?<=\bThành phố ))(?P<name>\w+(?: - \w+| \w+){0,3})")
_DATE_PLACE = re.compile(r"^(?P<name>[^\W\d][^,]{1,40}?)(?=\s*,\s*ngày\b)")


@lru_cache(maxsize=1)
def places() -> dict[str, str]:
    """Skeleton (marks stripped, case folded) → the name as written, for every place of the file
    whose skeleton no other place shares."""
    from extractors.vietnamese import strip_marks

    rows = [ln for ln in PLACES_FILE.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    names = [nfc(r["name"]) for r in csv.DictReader(rows)]
    keys = [strip_marks(n).casefold() for n in names]
    return {k: n for k, n in zip(keys, names, strict=True) if keys.count(k) == 1}


def snap_places(text: str) -> str:
    """A place name whose letters are a province's but whose marks differ becomes that province
    ("tỉnh Lâm Đông" → "tỉnh Lâm Đồng", "TỈNH LAM ĐÔNG" → "TỈNH LÂM ĐỒNG", "Lâm Đông, ngày" →
    "Lâm Đồng, ngày"); after a level word the longest name that fits wins; opening a date line the
    place must be the whole name."""
    from extractors.vietnamese import strip_marks

    known = places()

    def snap(m: re.Match[str]) -> str:
        words = m["name"].split(" ")
        for k in range(len(words), 0, -1):
            cand = " ".join(words[:k])
            name = known.get(strip_marks(cand).casefold())
            if name is not None:
                return (name.upper() if cand.isupper() else name) + m["name"][len(cand):]
        return m["name"]

    def whole(m: re.Match[str]) -> str:  # opening a date line: the whole place, not a prefix of it
        name = known.get(strip_marks(m["name"]).casefold())
        return m["name"] if name is None else name.upper() if m["name"].isupper() else name

    return _DATE_PLACE.sub(whole, _PLACE_AT.sub(snap, text))
