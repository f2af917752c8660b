"""Documentation generated from code must not drift, and must cover every dataset and command."""

from __future__ import annotations

from pathlib import Path

from tools.gen_docs import CLI_DOC, DICTIONARY, cli_reference, data_dictionary
from tools.readme_commands import quick_start_commands

REPO = Path(__file__).resolve().parent.parent


def test_data_dictionary_is_current():
    assert DICTIONARY.read_text(encoding="utf-8") == data_dictionary(), "run: python -m tools.gen_docs"


def test_cli_reference_is_current():
    assert CLI_DOC.read_text(encoding="utf-8") == cli_reference(), "run: python -m tools.gen_docs"


def test_every_dataset_and_column_is_documented():
    from schemas import DATASETS

    text = DICTIONARY.read_text(encoding="utf-8")
    for ds in DATASETS.values():
        assert f"## {ds.name}" in text
        for f in ds.fields:
            assert f"| `{f.name}` |" in text


def test_readme_quick_start_has_exactly_two_commands_main_first():
    cmds = quick_start_commands((REPO / "README.md").read_text(encoding="utf-8"))
    assert len(cmds) == 2
    assert "pytest" not in cmds[0] and "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_commands.py test" in ci
