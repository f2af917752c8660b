"""Check corpus source part files: ``python -m tools.corpus.validate FILE.json [...]``."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from tools.corpus.source_model import check_blocks


def validate_file(path: Path) -> list[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"{path}: cannot read JSON: {exc}"]
    problems: list[str] = []
    if path.name == "01.json":
        for key in ("doc_id", "seed", "meta"):
            if key not in data:
                problems.append(f"{path}: part 01 needs {key!r}")
    blocks = data.get("blocks")
    if not isinstance(blocks, list):
        return problems + [f"{path}: 'blocks' must be a list"]
    tables, block_problems = check_blocks(blocks, str(path))
    problems += block_problems
    if not problems:
        kinds = Counter(b.get("kind") for b in blocks if b.get("t") == "h")
        rows = sum(len(t.rows) for t in tables.values())
        print(f"{path}: {len(blocks)} blocks, {len(tables)} tables, {rows} body rows, headings {dict(kinds)}")
    return problems


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m tools.corpus.validate FILE.json [...]", file=sys.stderr)
        return 2
    problems: list[str] = []
    for arg in argv:
        problems += validate_file(Path(arg))
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
