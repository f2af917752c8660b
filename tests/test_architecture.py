"""The layering of the code (pipeline/layers.py) holds: no upward import, no import cycle (imports
inside functions included), no private name imported across modules, no oversized module.

Read from the source with ``ast``: nothing is imported, so the test is fast and sees the imports
inside functions that a runtime check would miss.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.layers import FACADE_MODULES, LAYERS, MAX_MODULE_LINES

REPO = Path(__file__).resolve().parent.parent
SIZED = ("pipeline", "extractors", "flows")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module
    names: tuple[str, ...]  # names taken from it (from-imports)
    line: int


def _roots() -> list[str]:
    return sorted({layer.split(".")[0] for level in LAYERS for layer in _members(level)})


def _members(level: str) -> list[str]:
    return [m.strip() for m in level.split("|")]


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    out = {}
    for root in _roots():
        for path in sorted((REPO / root).rglob("*.py")):
            out[_module_name(path)] = path
    return out


def imports(known: dict[str, Path]) -> list[Import]:
    """Every import of a project module, wherever it sits in the file. ``from pkg import name``
    is an import of the submodule ``pkg.name`` when that module exists, else of ``pkg``."""
    roots = set(_roots())
    out = []
    for mod, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in roots:
                        out.append(Import(mod, alias.name, (), node.lineno))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative import
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base]).strip(".")
                if base.split(".")[0] not in roots:
                    continue
                plain = [a.name for a in node.names if f"{base}.{a.name}" not in known]
                for alias in node.names:
                    if f"{base}.{alias.name}" in known:
                        out.append(Import(mod, f"{base}.{alias.name}", (), node.lineno))
                if plain:
                    out.append(Import(mod, base, tuple(plain), node.lineno))
    return out


def layer_of(module: str) -> str:
    if module in FACADE_MODULES:
        return "pipeline"
    best = ""
    for level in LAYERS:
        for layer in _members(level):
            if layer != "pipeline" and (module == layer or module.startswith(layer + ".")) and len(layer) > len(best):
                best = layer
    assert best, f"{module} belongs to no layer of pipeline/layers.py: put it in a layer package"
    return best


def level_of(layer: str) -> int:
    return next(i for i, level in enumerate(LAYERS) if layer in _members(level))


KNOWN = modules()
IMPORTS = imports(KNOWN)


def test_every_module_belongs_to_a_layer() -> None:
    assert "pipeline.core.errors" in KNOWN and "flows.ingest" in KNOWN  # the scan sees the tree
    for mod in KNOWN:
        layer_of(mod)


def test_no_upward_import() -> None:
    bad = []
    for imp in IMPORTS:
        a, b = layer_of(imp.module), layer_of(imp.target)
        if level_of(b) > level_of(a) or (level_of(b) == level_of(a) and a != b):
            bad.append(f"{imp.module}:{imp.line} ({a}) imports {imp.target} ({b})")
    assert not bad, "imports against the layer order of pipeline/layers.py:\n" + "\n".join(bad)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module, or a module importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in edges.get(v, ()):
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle() -> None:
    edges: dict[str, set[str]] = {}
    for imp in IMPORTS:
        if imp.target != imp.module:
            edges.setdefault(imp.module, set()).add(imp.target)
    cycles = _cycles(edges)
    assert not cycles, f"import cycles (imports inside functions count): {cycles}"


def test_the_cycle_check_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_private_name_crosses_a_module_boundary() -> None:
    bad = {(imp.module, imp.target, n) for imp in IMPORTS for n in imp.names
           if n.startswith("_") and not n.startswith("__") and imp.target != imp.module}
    assert not bad, f"private names imported from another module (make them public or move them): {sorted(bad)}"


@pytest.mark.parametrize("root", SIZED)
def test_modules_stay_small(root: str) -> None:
    sizes = {p.relative_to(REPO).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
             for p in (REPO / root).rglob("*.py")}
    big = {p: n for p, n in sizes.items() if n >= MAX_MODULE_LINES}
    assert not big, f"modules of {MAX_MODULE_LINES} lines or more (split along a real seam): {big}"


def test_the_architecture_page_lists_the_layers_in_order() -> None:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- layers -->\n(.*?)<!-- /layers -->", text, re.S)
    assert block, "docs/architecture.md: the layer list goes between <!-- layers --> and <!-- /layers -->"
    listed = re.findall(r"^\d+\. `([^`]+)`", block[1], re.M)
    assert listed == list(LAYERS), "docs/architecture.md lists the layers of pipeline/layers.py, lowest first"


def test_composite_keys_are_columns_and_never_read_back_by_position() -> None:
    from schemas import dataset
    from schemas.domain import NORM_ADDRESS_PARTS, NORM_KEY_PARTS

    columns = dataset("norm_items").columns
    assert set(NORM_KEY_PARTS) | set(NORM_ADDRESS_PARTS) <= set(columns)
    readers = []
    for root in ("pipeline", "flows", "extractors", "bench", "tools"):
        for path in (REPO / root).rglob("*.py"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"norm_(key|address)\b.*\.split\(|\.split\(.*norm_(key|address)\b", line):
                    readers.append(f"{path.relative_to(REPO)}:{n}")
    assert not readers, f"read the part's column instead of splitting the joined key: {readers}"
