"""Generate the documentation that is derived from code:

* ``docs/data-dictionary.md`` from ``schemas/`` (every dataset, column, type, unit, description);
* ``docs/cli.md`` from ``decree --help`` and every subcommand's ``--help``.

    python -m tools.gen_docs           # rewrite both
    python -m tools.gen_docs --check   # exit 1 if either is stale (a test runs this)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DICTIONARY = REPO / "docs" / "data-dictionary.md"
CLI_DOC = REPO / "docs" / "cli.md"


def data_dictionary() -> str:
    from schemas import DATASETS

    out = ["# Data dictionary", "",
           "Generated from `schemas/` by `python -m tools.gen_docs`; do not edit by hand.", "",
           "Load any dataset with `from pipeline import load; load(\"<name>\", data_dir=\"data\")`.", "",
           "| dataset | primary key | description |", "|---|---|---|"]
    for ds in DATASETS.values():
        out.append(f"| [`{ds.name}`](#{ds.name}) | {', '.join(ds.primary_key)} | {ds.description} |")
    for ds in DATASETS.values():
        out += ["", f"## {ds.name}", "", ds.description, "",
                f"Primary key: `{', '.join(ds.primary_key)}`.", "",
                "| column | type | unit | nullable | description |", "|---|---|---|---|---|"]
        for f in ds.fields:
            desc = f.description + (f" One of: {', '.join(f.enum)}." if f.enum else "")
            out.append(f"| `{f.name}` | {f.type} | {f.unit or ''} | {'yes' if f.nullable else 'no'} | "
                       f"{desc.replace('|', '/')} |")
    return "\n".join(out) + "\n"


def cli_reference() -> str:
    from typer.testing import CliRunner

    from pipeline.app.cli import app

    runner = CliRunner()
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
    out = ["# `decree` command reference", "",
           "Generated from `--help` by `python -m tools.gen_docs`; a test fails when it drifts.", "",
           "```text", top.output.rstrip(), "```"]
    import typer

    group = typer.main.get_command(app)
    for name in sorted(group.commands):  # type: ignore[attr-defined]
        res = runner.invoke(app, [name, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
        out += ["", f"## decree {name}", "", "```text", res.output.rstrip(), "```"]
    out += ["", settings_reference()]
    return "\n".join(out) + "\n"


def _field_docs(cls: type) -> dict[str, str]:
    """A settings class's field descriptions from its source: the docstring under a field, or
    the comment on its line."""
    import ast
    import inspect
    import textwrap

    src = textwrap.dedent(inspect.getsource(cls))
    lines = src.splitlines()
    body = ast.parse(src).body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for i, node in enumerate(body):
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        nxt = body[i + 1] if i + 1 < len(body) else None
        if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) and isinstance(nxt.value.value, str):
            docs[node.target.id] = " ".join(nxt.value.value.split())
        elif "#" in lines[node.lineno - 1]:
            docs[node.target.id] = lines[node.lineno - 1].split("#", 1)[1].strip()
    described = re.split(r"\n\s*(\w+): ", "\n" + (cls.__doc__ or ""))  # "name: meaning" in the class docstring
    for name, text in zip(described[1::2], described[2::2], strict=False):
        docs.setdefault(name, " ".join(text.split()))
    return docs


def settings_reference() -> str:
    """Every extraction setting by dotted name, its default and meaning (``extractors.settings``)."""
    import dataclasses

    from extractors.settings import ExtractionSettings

    rows: list[str] = []

    def walk(obj: object, prefix: str) -> None:
        docs = _field_docs(type(obj))
        for f in dataclasses.fields(obj):  # type: ignore[arg-type]
            value = getattr(obj, f.name)
            if dataclasses.is_dataclass(value):
                walk(value, f"{prefix}{f.name}.")
            else:
                doc = docs.get(f.name, "").replace("|", "\\|")
                rows.append(f"| `{prefix}{f.name}` | `{value!r}` | {doc} |")

    walk(ExtractionSettings(), "")
    return "\n".join([
        "## Extraction settings", "",
        "Tolerances of every reader, one frozen tree (`extractors/settings.py`), overridable by dotted name for "
        "a difficult producer: `decree ingest --setting NAME=VALUE` (every document of the run, repeatable), a "
        "manifest entry's `settings:` mapping (that document), `decree extract --setting`. The command line wins "
        "over the manifest. An unknown name, a value of the wrong type or out of bounds stops the command before "
        "any work (exit 2). The settings that differ from the defaults are recorded in "
        "`documents.extraction_settings` and are part of the cache key. Units: pt = PDF points, em = the font "
        "size of the text concerned, share = a fraction.", "",
        "| name | default | meaning |", "|---|---|---|", *rows])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    stale = []
    for path, text in ((DICTIONARY, data_dictionary()), (CLI_DOC, cli_reference())):
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(REPO)))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(REPO)}")
    for s in stale:
        print(f"stale: {s} (run python -m tools.gen_docs)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
