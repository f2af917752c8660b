"""Row structure of a norm table: numbering told from quantities, parent items, and the printed
cells no typed column holds (docs/DOMAIN.md §2.1 items, §7 traps 6 and 22).

Pure functions over plain values; ``pipeline/normalize.py`` calls them for every norm table.

- **Numbering or quantity.** "1.2 Phân hữu cơ", "1. Giống", "- Giống", "+ Vôi" start with
  numbering. A bare integer ("3 Vật tư") is numbering only when the table has no numbering
  column (STT/TT) and it has no leading zero: "01 Sổ ghi chép, 01 bút, 01 túi đựng tài liệu" is a
  quantity (Vietnamese decrees print counts as "01", "02"; numbering as "1.", "1.1").
- **Parents.** A row that prints no value and no unit and is followed by a deeper row ("2. Thức
  ăn hỗn hợp" before "- Giai đoạn 21 ngày") is a parent: it gives no record of its own and every
  row below it, down to the next row at its depth or shallower, carries it in ``parent_item``
  (the chain of parents, outermost first, joined by " > "); a note or reference printed on the
  parent row passes to the children that print none.
  Depth: "1." = 1, "1.1" = 2, …; "-"/"•" = 10, "+" = 11; an unnumbered row without values heads
  what follows (0), an unnumbered row with values sits below everything (99). A row that prints
  no value and is not a parent (a certification step whose rule is in the note, a material whose
  requirement is "Theo thực tế") is still a record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["RowShape", "depth", "is_numbering", "parents"]

_DOTTED = re.compile(r"(?:\d+\s*\.\s*)+\d*\.?|\d+\s*\.")  # "1.", "1.2", "1.2.", "2.4.3"
_BULLET_DEPTH = {"-": 10, "•": 10, "+": 11}


def is_numbering(token: str, numbered_column: bool) -> bool:
    """Whether a leading token of an item cell is numbering ("1.2", "1.", "-") rather than a
    quantity ("01 Sổ ghi chép"); see the module docstring."""
    t = token.replace(" ", "")
    if t in _BULLET_DEPTH or _DOTTED.fullmatch(t):
        return True
    if t.isdigit():
        return not numbered_column and not t.startswith("0")
    return False


def depth(item_no: str | None, has_value: bool) -> int:
    if not item_no:
        return 99 if has_value else 0
    t = item_no.strip()
    if t in _BULLET_DEPTH:
        return _BULLET_DEPTH[t]
    nums = [x for x in re.split(r"\s*\.\s*", t) if x.strip()]
    return max(1, len(nums)) if all(x.strip().isdigit() for x in nums) else 99


@dataclass(frozen=True)
class RowShape:
    item_no: str | None
    label: str  # the item cell as printed, numbering included ("2. Thức ăn hỗn hợp")
    has_value: bool  # prints a value or a unit
    is_group: bool  # a group row (resets the parents)


def parents(rows: list[RowShape]) -> list[tuple[bool, tuple[str, ...]]]:
    """For each row: (is_parent, the labels of its parent items, outermost first)."""
    out: list[tuple[bool, tuple[str, ...]]] = []
    stack: list[tuple[int, str]] = []
    for i, row in enumerate(rows):
        if row.is_group:
            stack = []
            out.append((False, ()))
            continue
        d = depth(row.item_no, row.has_value)
        stop = next((k for k in range(i + 1, len(rows)) if rows[k].is_group), len(rows))
        nxt = rows[i + 1] if not row.has_value and i + 1 < stop else None
        is_parent = nxt is not None and depth(nxt.item_no, nxt.has_value) > d and bool(row.label)
        while stack and stack[-1][0] >= d:
            stack.pop()
        out.append((is_parent, tuple(label for _, label in stack)))
        if row.label:
            stack.append((d, row.label))
    return out
