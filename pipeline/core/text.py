"""Text utilities shared by ``extractors/`` and the library: the one definition of each.

Everything stored is Unicode NFC (STYLE); whitespace runs fold to one space where text is
compared or stored as a single line.
"""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")


def nfc(s: str) -> str:
    """``s`` in Unicode normal form C (composed: one code point per Vietnamese letter)."""
    return unicodedata.normalize("NFC", s)


def fold_ws(s: str) -> str:
    """Every run of whitespace as one space, no leading or trailing space."""
    return _WS.sub(" ", s).strip()
