"""Load and check the structured corpus source (see tools/corpus/FORMAT.md).

This module belongs to the corpus generator and the ground truth, never to the pipeline:
nothing under pipeline/, extractors/ or flows/ may import it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SOURCE_DIR = Path(__file__).resolve().parent / "source"

BLOCK_TYPES = {"masthead", "title", "p", "h", "appendix", "basis", "table", "signature", "recipients"}
HEADING_LEVELS = {"article": 1, "clause": 2, "part": 2, "model": 3, "scope": 4, "section": 5, "subsection": 6}
FAMILIES = {"norm", "plan_tasks", "budget", "schedule", "list", "other"}
ROW_KINDS = {"item", "group", "total"}
P_STYLES = {None, "bold", "italic", "center", "bold-center", "right"}

_ROLE_RE = re.compile(
    r"^(no|period|item|unit|value|reference|note|spec|code|grade|other|content|inputs|product|time|lead|"
    r"partner|support|total|funding|impl|coop)$|^(value|src|mark):.+$"
)
_ARTIFACT_RE = re.compile(r"\$|\\[a-z]|</?[a-z]+[ >/]|</?[a-z]+>|\ufffd|\*\*")


class SourceError(ValueError):
    """The corpus source breaks the format contract."""


@dataclass
class Cell:
    text: str
    rs: int = 1
    cs: int = 1


@dataclass
class Row:
    kind: str
    cells: list[Cell]


@dataclass
class GridCell:
    """A cell placed on the table grid (0-based row over header+body, column)."""

    row: int
    col: int
    rs: int
    cs: int
    text: str


@dataclass
class Table:
    id: str
    family: str
    roles: list[str]
    header: list[Row]
    rows: list[Row]
    col_widths: list[float] | None = None
    reading: str | None = None
    grid: list[GridCell] = field(default_factory=list)

    @property
    def ncols(self) -> int:
        return len(self.roles)

    @property
    def all_rows(self) -> list[Row]:
        return self.header + self.rows


def _cell(raw: Any, where: str) -> Cell:
    if isinstance(raw, str):
        return Cell(raw)
    if isinstance(raw, dict):
        extra = set(raw) - {"text", "rs", "cs"}
        if extra or "text" not in raw or not isinstance(raw["text"], str):
            raise SourceError(f"{where}: bad cell {raw!r}")
        rs, cs = int(raw.get("rs", 1)), int(raw.get("cs", 1))
        if rs < 1 or cs < 1:
            raise SourceError(f"{where}: span below 1 in {raw!r}")
        return Cell(raw["text"], rs, cs)
    raise SourceError(f"{where}: cell must be a string or object, got {raw!r}")


def _row(raw: Any, where: str) -> Row:
    if isinstance(raw, list):
        return Row("item", [_cell(c, where) for c in raw])
    if isinstance(raw, dict):
        kind = raw.get("kind", "item")
        if kind not in ROW_KINDS or not isinstance(raw.get("cells"), list) or set(raw) - {"kind", "cells"}:
            raise SourceError(f"{where}: bad row {raw!r}")
        return Row(kind, [_cell(c, where) for c in raw["cells"]])
    raise SourceError(f"{where}: row must be a list or object")


def place_grid(rows: list[Row], ncols: int, where: str) -> list[GridCell]:
    """Place HTML-style rows (spanned positions omitted) on a grid; check every row is full."""
    occupied: dict[tuple[int, int], bool] = {}
    placed: list[GridCell] = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row.cells:
            while occupied.get((r, c)):
                c += 1
            if c + cell.cs > ncols:
                raise SourceError(f"{where} row {r + 1}: cell {cell.text[:30]!r} runs past column {ncols}")
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    if occupied.get((r + dr, c + dc)):
                        raise SourceError(f"{where} row {r + 1}: overlapping spans at column {c + dc + 1}")
                    occupied[(r + dr, c + dc)] = True
            placed.append(GridCell(r, c, cell.rs, cell.cs, cell.text))
            c += cell.cs
        filled = sum(1 for cc in range(ncols) if occupied.get((r, cc)))
        if filled != ncols:
            raise SourceError(f"{where} row {r + 1}: covers {filled} of {ncols} columns")
    for (r, _c) in occupied:
        if r >= len(rows):
            raise SourceError(f"{where}: a row span runs past the last row")
    return placed


def _table(raw: dict[str, Any], where: str) -> Table:
    allowed = {"t", "id", "family", "roles", "header", "rows", "col_widths", "reading"}
    if set(raw) - allowed:
        raise SourceError(f"{where}: unknown table keys {sorted(set(raw) - allowed)}")
    for key in ("id", "family", "roles", "header", "rows"):
        if key not in raw:
            raise SourceError(f"{where}: table lacks {key!r}")
    if raw["family"] not in FAMILIES:
        raise SourceError(f"{where}: family {raw['family']!r} not in {sorted(FAMILIES)}")
    roles = raw["roles"]
    for role in roles:
        if not isinstance(role, str) or not _ROLE_RE.match(role):
            raise SourceError(f"{where}: unknown role {role!r}")
    header = [_row(r, f"{where} header") for r in raw["header"]]
    rows = [_row(r, f"{where} body") for r in raw["rows"]]
    if not rows:
        raise SourceError(f"{where}: table has no body rows")
    widths = raw.get("col_widths")
    if widths is not None and len(widths) != len(roles):
        raise SourceError(f"{where}: col_widths has {len(widths)} entries for {len(roles)} columns")
    table = Table(raw["id"], raw["family"], roles, header, rows, widths, raw.get("reading"))
    # header and body are placed separately: a span never crosses from header into body
    hgrid = place_grid(header, len(roles), f"{where} header") if header else []
    bgrid = place_grid(rows, len(roles), f"{where} body")
    for g in bgrid:
        g.row += len(header)
    table.grid = hgrid + bgrid
    return table


@dataclass
class SourceDocument:
    doc_id: str
    seed: str
    meta: dict[str, Any]
    blocks: list[dict[str, Any]]
    tables: dict[str, Table]


def _check_text(value: str, where: str, problems: list[str]) -> None:
    if unicodedata.normalize("NFC", value) != value:
        problems.append(f"{where}: text is not NFC: {value[:40]!r}")
    m = _ARTIFACT_RE.search(value)
    if m:
        problems.append(f"{where}: leftover artifact {m.group(0)!r} in {value[:60]!r}")


def _walk_strings(obj: Any, where: str, problems: list[str]) -> None:
    if isinstance(obj, str):
        _check_text(obj, where, problems)
    elif isinstance(obj, list):
        for x in obj:
            _walk_strings(x, where, problems)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if k != "reading" and k != "readings":
                _walk_strings(v, where, problems)


def check_blocks(blocks: list[dict[str, Any]], where: str) -> tuple[dict[str, Table], list[str]]:
    """Return the parsed tables and a list of problems (empty when the blocks are valid)."""
    problems: list[str] = []
    tables: dict[str, Table] = {}
    for i, b in enumerate(blocks):
        w = f"{where} block {i + 1}"
        t = b.get("t") if isinstance(b, dict) else None
        if t not in BLOCK_TYPES:
            problems.append(f"{w}: unknown block type {t!r}")
            continue
        _walk_strings(b, w, problems)
        try:
            if t == "h":
                if b.get("kind") not in HEADING_LEVELS:
                    raise SourceError(f"{w}: heading kind {b.get('kind')!r} not in {sorted(HEADING_LEVELS)}")
                deeper = b["kind"] == "subsection" and b.get("level") in (7, 8)  # N.M.K.L numbering
                if b.get("level") != HEADING_LEVELS[b["kind"]] and not deeper:
                    raise SourceError(f"{w}: heading kind {b['kind']} must have level {HEADING_LEVELS[b['kind']]}")
                if not b.get("text"):
                    raise SourceError(f"{w}: heading without text")
                if set(b) - {"t", "kind", "level", "text", "basis"}:
                    raise SourceError(f"{w}: unknown heading keys {sorted(set(b) - {'t', 'kind', 'level', 'text', 'basis'})}")
            elif t == "p":
                if not isinstance(b.get("text"), str) or b.get("style") not in P_STYLES:
                    raise SourceError(f"{w}: paragraph needs text and a known style")
            elif t == "appendix":
                if not b.get("label") or not isinstance(b.get("title"), list):
                    raise SourceError(f"{w}: appendix needs label and title lines")
            elif t == "basis":
                if not b.get("text"):
                    raise SourceError(f"{w}: basis without text")
            elif t == "masthead":
                if not isinstance(b.get("left"), list) or not isinstance(b.get("right"), list):
                    raise SourceError(f"{w}: masthead needs left and right line lists")
            elif t in ("signature", "recipients"):
                if not isinstance(b.get("lines"), list):
                    raise SourceError(f"{w}: {t} needs lines")
            elif t == "title":
                if not b.get("text"):
                    raise SourceError(f"{w}: title without text")
            elif t == "table":
                tab = _table(b, f"{w} table {b.get('id')!r}")
                if tab.id in tables:
                    raise SourceError(f"{w}: duplicate table id {tab.id!r}")
                tables[tab.id] = tab
        except SourceError as exc:
            problems.append(str(exc))
    return tables, problems


def part_files(doc_id: str, source_dir: Path = SOURCE_DIR) -> list[Path]:
    return sorted((source_dir / doc_id).glob("[0-9][0-9].json"))


def load_source(doc_id: str, source_dir: Path = SOURCE_DIR) -> SourceDocument:
    parts = part_files(doc_id, source_dir)
    if not parts:
        raise SourceError(f"no source parts for {doc_id} under {source_dir}")
    first = json.loads(parts[0].read_text(encoding="utf-8"))
    blocks: list[dict[str, Any]] = []
    for p in parts:
        data = json.loads(p.read_text(encoding="utf-8"))
        blocks.extend(data.get("blocks", []))
    tables, problems = check_blocks(blocks, doc_id)
    if problems:
        raise SourceError("\n".join(problems[:20]))
    return SourceDocument(first["doc_id"], first["seed"], first["meta"], blocks, tables)


def list_doc_ids(source_dir: Path = SOURCE_DIR) -> list[str]:
    return sorted(p.name for p in source_dir.iterdir() if p.is_dir() and part_files(p.name, source_dir))
