"""The signature block of a Vietnamese official document (ND 30/2020/NĐ-CP, Phụ lục I): "Nơi nhận:" on
the left; on the right the authority line ("TM./KT./TL./TUQ./Q." + body or office; "TM. ỦY BAN
NHÂN DÂN / KT. CHỦ TỊCH" chains two), the signer's title, the space for signature and seal, and
the signer's name. Pure functions over positioned lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from extractors.bodies import upper_share
from extractors.masthead import DEFAULT, RECIPIENTS, MastheadSettings, gap, is_motto, mid
from extractors.model import Line
from pipeline.core.text import fold_ws, nfc


@dataclass
class Signer:
    authority: str | None  # "KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH"; None when signing in own name
    title: str | None  # "PHÓ CHỦ TỊCH"
    name: str | None  # "Nguyễn Văn A"
    page: int



_SIGNATURE_HINT = re.compile(r"Nơi\s*nhận\s*:|(?:^|\s)(?:TM|KT|TL|TUQ)\s*\.\s*[A-ZĐÀ-Ỹ]")


def may_hold_signature(chars: Sequence[dict[str, Any]]) -> bool:
    """Cheap test over a page's characters in content order: a "Nơi nhận:" or an authority line."""
    return bool(_SIGNATURE_HINT.search(nfc("".join(c.get("text", "") for c in chars))))


# ------------------------------------------------------------------------------------ signer
_AUTHORITY = re.compile(r"^(?:TM|KT|TL|TUQ|Q|UQ)\s*\.\s*\S")
# a name of capitalised syllables, after a military or academic rank when one is printed
_RANK = (r"(?:(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy|uý)|Đại\s+úy|GS\.?\s*TS\.|PGS\.?\s*TS\.|TS\.|ThS\.|BS\.|"
         r"KTS\.|Luật sư|Nhà giáo)\s+")
_NAME = re.compile(r"^(?:" + _RANK + r")?[A-ZĐÀ-Ỹ][a-zđà-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][a-zđà-ỹ]*){1,5}$")


def read_signer(pages: Sequence[Sequence[Line]], width: float, settings: MastheadSettings = DEFAULT) -> Signer | None:
    """The first signature block in document order: the right column beside or under "Nơi nhận:".

    ``pages``: the lines of each candidate page in page order (``masthead_lines``). A block is
    an authority line ("KT. CHỦ TỊCH") and/or an upper-case title line in the right half,
    followed within a few lines by the signer's name (capitalised syllables)."""
    for lines in pages:
        lines = sorted(lines, key=lambda ln: (ln.bbox[1], ln.bbox[0]))
        right = [ln for ln in lines if mid(ln) > width * 0.5 and not is_motto(ln)]
        recipients = next((ln for ln in lines if RECIPIENTS.match(ln.text) and ln.text.lower().startswith("nơi")),
                          None)
        for i, ln in enumerate(right):
            is_auth = bool(_AUTHORITY.match(ln.text))
            caps = upper_share(ln.text) > 0.9 and ln.bold and len(ln.text) <= 60
            if not (is_auth or (caps and recipients is not None and abs(ln.bbox[1] - recipients.bbox[1]) < 4 * ln.size)):
                continue
            auth: list[str] = []
            j = i
            while j < len(right) and _AUTHORITY.match(right[j].text):
                auth.append(right[j].text)
                j += 1
            titles: list[str] = []
            prev = right[j - 1] if auth else None
            while j < len(right) and upper_share(right[j].text) > 0.9 and not _AUTHORITY.match(right[j].text) and (
                    prev is None or gap(prev, right[j]) < settings.block_gap * right[j].size):
                titles.append(right[j].text)
                prev = right[j]
                j += 1
            name = None
            for k in range(j, min(j + 6, len(right))):
                t = fold_ws(right[k].text)
                if _NAME.match(t) and upper_share(t) < 0.6:
                    name = t
                    break
            if not titles and not auth:
                continue
            if name is None and not auth:
                continue
            return Signer(" ".join(auth) or None, " ".join(titles) or None, name, ln.page)
    return None
