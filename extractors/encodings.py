"""Legacy Vietnamese code tables (TCVN3/ABC, VNI, VIQR) and string conversion, as data.

The tables live in ``schemas/encodings/`` (see their header comments for the standards and the
sources they were checked against):

* ``tcvn3.tsv``: TCVN 5712:1993 VN3 ("ABC"), one byte per letter. The capitals-only fonts
  (``.VnTimeH`` and kin) draw capitals from the same bytes as the lower-case fonts; the table
  gives both.
* ``vni.tsv``: VNI-Windows, a base letter followed by a mark byte.
* ``viqr.tsv``: VIQR (RFC 1456), ASCII letters followed by ' ` ? ~ . ^ ( + marks.
* ``text_layer_aliases.tsv``: characters a text layer gives for a legacy byte other than its
  WinAnsi character (glyphs a producer re-encoded in a CID copy of the font).

Sequences are written as a PDF text layer gives them (the fonts declare WinAnsi, so pdfminer maps
each byte to its cp1252 character). Pure functions; the tables are read once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from extractors.vietnamese import is_valid_syllable

ENCODINGS = ("tcvn3", "vni", "viqr")
TABLES = Path(__file__).resolve().parent.parent / "schemas" / "encodings"


def _read_tsv(name: str) -> list[dict[str, str]]:
    rows = [ln for ln in (TABLES / name).read_text(encoding="utf-8").splitlines()
            if ln and not ln.startswith("#")]
    head = rows[0].split("\t")
    return [dict(zip(head, r.split("\t"), strict=True)) for r in rows[1:]]


@dataclass(frozen=True)
class Codec:
    name: str
    decode_lower: dict[str, str]  # text-layer sequence → Unicode (lower-case fonts)
    decode_capital: dict[str, str]  # text-layer sequence → Unicode (capitals-only fonts)
    encode: dict[str, tuple[str, bool]]  # Unicode letter → (text-layer sequence, needs capitals font)
    max_len: int


@cache
def codec(name: str) -> Codec:
    if name == "tcvn3":
        rows = _read_tsv("tcvn3.tsv")
        lower = {r["text_layer"]: r["unicode"] for r in rows}
        capital = {r["text_layer"]: r["capital_font"] for r in rows}
        for a in _read_tsv("text_layer_aliases.tsv"):
            if a["encoding"] == "tcvn3":
                byte_char = bytes([int(a["code"], 16)]).decode("cp1252")
                lower[a["text_layer"]] = lower[byte_char]
                capital[a["text_layer"]] = capital[byte_char]
        enc: dict[str, tuple[str, bool]] = {}
        for r in rows:
            enc.setdefault(r["unicode"], (r["text_layer"], False))
        for r in rows:
            enc.setdefault(r["capital_font"], (r["text_layer"], True))
        return Codec(name, lower, capital, enc, 1)
    if name in ("vni", "viqr"):
        rows = _read_tsv(f"{name}.tsv")
        table = {r["sequence"]: r["unicode"] for r in rows}
        enc = {r["unicode"]: (r["sequence"], False) for r in rows}
        if name == "vni":
            # producers mix the case of base and mark ("Aù"); the base letter decides the case
            for seq, u in list(table.items()):
                if len(seq) == 2:
                    table.setdefault(seq[0] + seq[1].swapcase(), u)
        else:
            table["Dd"] = "Đ"
        return Codec(name, table, table, enc, max(len(s) for s in table))
    raise KeyError(f"unknown legacy encoding {name!r}; known: {ENCODINGS}")


VIQR_WORD = re.compile(r"[A-Za-z][A-Za-z(^+'`?~.]*")


def segments(text: str, c: Codec, capitals: bool) -> list[tuple[int, int, str]]:
    """Greedy longest match: (start, end, Unicode) for every position of ``text``."""
    table = c.decode_capital if capitals else c.decode_lower
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(text):
        for n in range(min(c.max_len, len(text) - i), 0, -1):
            u = table.get(text[i:i + n])
            if u is not None:
                out.append((i, i + n, u))
                i += n
                break
        else:
            ch = text[i]
            out.append((i, i + 1, ch.upper() if capitals else ch))
            i += 1
    return out


def viqr_segments(text: str) -> list[tuple[int, int, str]]:
    """VIQR words are converted only where the result is a valid syllable (a "?" or "." after a
    word that would not make one stays punctuation)."""
    c = codec("viqr")
    out: list[tuple[int, int, str]] = []
    pos = 0
    for m in VIQR_WORD.finditer(text):
        out.extend((i, i + 1, text[i]) for i in range(pos, m.start()))
        word = m.group(0)
        stripped = word.rstrip("?.")
        done = False
        for w in dict.fromkeys((word, stripped)):
            segs = segments(w, c, False)
            u = "".join(s[2] for s in segs)
            if u != w and is_valid_syllable(u):
                out.extend((m.start() + a, m.start() + b, s) for a, b, s in segs)
                out.extend((m.start() + i, m.start() + i + 1, word[i]) for i in range(len(w), len(word)))
                done = True
                break
        if not done:
            out.extend((m.start() + i, m.start() + i + 1, word[i]) for i in range(len(word)))
        pos = m.end()
    out.extend((i, i + 1, text[i]) for i in range(pos, len(text)))
    return out


def decode(text: str, encoding: str, capitals: bool = False, words_only: bool = True) -> str:
    """Legacy text as a text layer gives it → Unicode NFC. VIQR is converted only where a word
    becomes a valid syllable, unless ``words_only`` is False (the bare table)."""
    if encoding == "viqr" and words_only:
        segs = viqr_segments(text)
    else:
        segs = segments(text, codec(encoding), capitals)
    return unicodedata.normalize("NFC", "".join(s[2] for s in segs))


def encode(text: str, encoding: str) -> list[tuple[str, bool]]:
    """Unicode → legacy text as runs of (text-layer string, needs the capitals-only font).

    TCVN3 has no code for a capital with a tone mark: such letters go in a run for the capitals
    font (``.VnTimeH``), as typists did. Characters without a code are kept as they are."""
    c = codec(encoding)
    runs: list[tuple[str, bool]] = []
    for ch in unicodedata.normalize("NFC", text):
        seq, cap = c.encode.get(ch, (ch, False))
        if runs and runs[-1][1] == cap:
            runs[-1] = (runs[-1][0] + seq, cap)
        else:
            runs.append((seq, cap))
    return runs
