"""The exit codes of every ``decree`` command: the one table, and the one mapping from the
library's classified errors (``pipeline.core.errors``) to it. ``docs/cli.md`` prints the table
(``python -m tools.gen_docs``); ``tests/test_exit_codes.py`` checks each command against it."""

from __future__ import annotations

from enum import IntEnum

from pipeline.core.errors import (
    ConsolidationError,
    DatasetNotPublished,
    InvalidAsOfDate,
    InvalidSetting,
    ManifestError,
    PipelineError,
    PublishError,
    VersionNotFound,
)


class ExitCode(IntEnum):
    """What a ``decree`` command's exit status means (the same for every command)."""

    OK = 0
    REJECTS = 1
    USAGE = 2
    RUN_FAILED = 3
    NOT_FOUND = 4
    OUTPUT = 5
    INTERNAL = 70


MEANING: dict[ExitCode, str] = {
    ExitCode.OK: "success (a run: every document published)",
    ExitCode.REJECTS: "finished, but some documents were rejected: the others are published, the rejected "
                      "ones are listed with their reason (rejects dataset); `extract`: the PDF cannot be read",
    ExitCode.USAGE: "usage error: bad option or argument, invalid manifest or source, unknown or invalid "
                    "extraction setting, unknown dataset or column, unreadable date; nothing was done",
    ExitCode.RUN_FAILED: "the run failed and NOTHING was published (any table it had committed was rolled back)",
    ExitCode.NOT_FOUND: "the data asked for is not there: dataset, version or run never published, "
                        "document or date without data",
    ExitCode.OUTPUT: "an output file (--csv, --html) cannot be written",
    ExitCode.INTERNAL: "an unexpected internal error (a bug; DECREE_DEBUG=1 shows the traceback): a run that stops "
                        "on it before its publish publishes nothing, as the run record shows",
}


def exit_code(exc: BaseException) -> ExitCode:
    """The exit code of a command that stopped on ``exc``."""
    if isinstance(exc, ManifestError | InvalidAsOfDate | InvalidSetting):
        return ExitCode.USAGE
    if isinstance(exc, DatasetNotPublished | VersionNotFound | ConsolidationError):
        return ExitCode.NOT_FOUND
    if isinstance(exc, PublishError):
        return ExitCode.RUN_FAILED
    if isinstance(exc, PipelineError):
        return ExitCode.REJECTS if exc.stage in ("read", "extract") else ExitCode.USAGE
    if isinstance(exc, KeyError):  # schemas.dataset(name) of an unknown dataset
        return ExitCode.USAGE
    if isinstance(exc, OSError):
        return ExitCode.OUTPUT
    return ExitCode.INTERNAL


def table_text() -> str:
    """The table, one line per code, for ``--help`` and docs/cli.md."""
    return "\n\n".join(f"  {int(c):>2}  {MEANING[c]}" for c in ExitCode)
