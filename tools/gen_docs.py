"""Generate the documentation that is derived from code:

* ``docs/data-dictionary.md`` from ``schemas/`` (every dataset, column, type, unit, description);
* ``docs/cli.md`` from ``decree --help`` and every subcommand's ``--help``.

    python -m tools.gen_docs           # rewrite both
    python -m tools.gen_docs --check   # exit 1 if either is stale (a test runs this)
"""

from __future__ import annotations

import argparse
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
    return "\n".join(out) + "\n"


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
