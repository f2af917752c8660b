"""Print one of the two Quick start commands of README.md: ``main`` (first) or ``test`` (second).

Used by .ci/run and by a test that checks the README keeps exactly two commands.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def quick_start_commands(text: str) -> list[str]:
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```(?:sh|bash|shell)?\n(.*?)```", section, re.S)
    if not block:
        raise ValueError("no code block under '## Quick start'")
    return [line.strip() for line in block.group(1).splitlines() if line.strip() and not line.strip().startswith("#")]


def main(argv: list[str]) -> int:
    cmds = quick_start_commands(README.read_text(encoding="utf-8"))
    if len(cmds) != 2:
        print(f"README Quick start must hold exactly two commands, found {len(cmds)}", file=sys.stderr)
        return 2
    which = argv[0] if argv else "test"
    print(cmds[0] if which == "main" else cmds[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
