"""`decree ingest` as the performance benchmark runs it: the same Typer app, plus a JSON dump.

    PERF_SUMMARY_JSON=out.json python -m bench.perf_ingest ingest SOURCES --data-dir DIR [--no-prefect]

Runs ``pipeline.app.cli.app`` exactly as the ``decree`` console script does (same process, same
imports), and writes to ``$PERF_SUMMARY_JSON``: when the interpreter started, when the CLI module
was imported, when the run finished (the report began), the run's per-document rows
(``RunOutcome.summary_rows()``: fetch/extract/validate seconds, cache hits, OCR seconds) and totals,
and any run-level stage timings the outcome carries (an attribute named ``stages``, ``stage_timings``,
``stage_seconds`` or ``timings``, when a later version of the run records them). Without the
variable, or when the CLI no longer has a ``_report`` hook, it is plain ``decree``.
"""

from __future__ import annotations

import json
import os
import sys
import time

T_START = time.time()


def _process_started() -> float:
    """When the parent spawned this process (``$PERF_SPAWNED_AT``, epoch seconds), else this
    module's own start. Not psutil: its import would be counted as start-up."""
    try:
        return float(os.environ["PERF_SPAWNED_AT"])
    except (KeyError, ValueError):
        return T_START


def _jsonable(x):  # noqa: ANN001, ANN202
    try:
        json.dumps(x)
        return x
    except TypeError:
        if isinstance(x, dict):
            return {str(k): _jsonable(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [_jsonable(v) for v in x]
        return str(x)


def main(argv: list[str] | None = None) -> int:
    out = os.environ.get("PERF_SUMMARY_JSON")
    info: dict = {"process_started": _process_started(), "module_started": T_START}
    from pipeline.app import cli

    info["cli_imported"] = time.time()
    original = getattr(cli, "_report", None)
    if out and original is not None:
        def _report(outcome, *args, **kwargs):  # noqa: ANN001, ANN202
            info["run_finished"] = time.time()
            try:
                info["totals"] = _jsonable(outcome.totals())
                info["documents"] = _jsonable(outcome.summary_rows())
                info["rejects"] = _jsonable(outcome.reject_lines())
                for name in ("stages", "stage_timings", "stage_seconds", "timings"):
                    if getattr(outcome, name, None):
                        info["stage_timings"] = _jsonable(getattr(outcome, name))
                        break
            except Exception as exc:  # the outcome changed shape: report what we can
                info["summary_error"] = f"{exc.__class__.__name__}: {exc}"
            return original(outcome, *args, **kwargs)

        cli._report = _report
    code = 0
    try:
        cli.app(args=argv if argv is not None else sys.argv[1:], prog_name="decree")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    info["exit_code"] = code
    info["ended"] = time.time()
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(info, f, ensure_ascii=False, indent=1)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
