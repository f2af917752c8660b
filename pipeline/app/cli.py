"""The ``decree`` command line.

Library errors are named exceptions (``pipeline.core.errors``); here they become one clear line on
stderr and an exit code from the one table of ``pipeline.app.exits`` (printed by ``decree --help``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import typer

from pipeline.app.exits import ExitCode, exit_code, table_text
from pipeline.core.version import __version__

app = typer.Typer(
    name="decree",
    help=(
        "Turn Vietnamese provincial plans and decrees (PDF) into structured, versioned Parquet datasets.\n\n"
        "Examples:\n\n"
        "  decree samples\n\n"
        "  decree extract data/samples/pdf/gov/vinhlong-30-2023.pdf\n\n"
        "  decree ingest data/samples/pdf --data-dir data\n\n"
        "Exit codes (every command):\n\n" + table_text() + "\n"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data" / "samples"


@contextmanager
def _errors() -> Iterator[None]:
    """A command's failure as one line on stderr and its exit code (``pipeline.app.exits``)."""
    try:
        yield
    except (click.exceptions.Exit, click.exceptions.ClickException, click.exceptions.Abort):
        raise
    except Exception as exc:
        code = exit_code(exc)
        if code == ExitCode.INTERNAL and os.environ.get("DECREE_DEBUG"):
            raise
        typer.echo(f"error: {getattr(exc, 'code', exc.__class__.__name__)}: {exc}", err=True)
        if code == ExitCode.RUN_FAILED:
            typer.echo("nothing was published", err=True)
        raise typer.Exit(int(code)) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"decree {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """decree: Vietnamese decree and plan PDFs to Parquet."""


@app.command()
def samples(
    samples_dir: Path = typer.Option(SAMPLES, "--samples-dir", help="Folder of the bundled sample corpus.",
                                     show_default="data/samples of this repository"),
) -> None:
    """List the bundled sample corpus (PDFs rendered by tools/render_samples.py).

    Example: decree samples
    """
    import yaml

    manifest = samples_dir / "manifest.yaml"
    if not manifest.exists():
        typer.echo(f"error: no sample manifest at {manifest}; run: python -m tools.render_samples", err=True)
        raise typer.Exit(ExitCode.NOT_FOUND)
    docs = yaml.safe_load(manifest.read_text(encoding="utf-8"))["documents"]
    for d in docs:
        path = samples_dir / d["source"]
        typer.echo(f"{d['id']:32s} {path.stat().st_size / 1024:8.0f} KiB  {d['sha256'][:12]}  {path}")
    typer.echo(f"{len(docs)} sample PDFs in {samples_dir}")


@app.command()
def extract(
    pdf: Path = typer.Argument(..., exists=True, dir_okay=False, help="The PDF to read."),
    cells: bool = typer.Option(False, "--cells", help="Also print every table's header row."),
    setting: list[str] = typer.Option([], "--setting", metavar="NAME=VALUE",
                                      help="Override an extraction tolerance (as decree ingest --setting; repeatable)."),
) -> None:
    """Print a readable outline of one PDF: metadata, heading tree with table sizes, page kinds.

    Example: decree extract data/samples/pdf/gov/vinhlong-33-2022.pdf
    """
    from extractors.document import extract_document

    with _errors():
        doc = extract_document(pdf, settings=_settings(setting))
    m = doc.meta
    typer.echo(f"{doc.file_name}  sha256 {doc.sha256[:16]}  {doc.page_count} pages")
    typer.echo(f"  number: {m.doc_number or '-'}   type: {m.doc_type or '-'}   issuer: {m.issuer or '-'}")
    typer.echo(f"  signed: {m.signing_date or '-'} at {m.place or '-'}   effective: {m.effective_date or '-'}")
    if m.subject:
        typer.echo(f"  subject: {m.subject}")
    kinds: dict[str, int] = {}
    for p in doc.pages:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    typer.echo("  pages: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    by_heading: dict[int | None, list] = {}
    for t in doc.tables:
        by_heading.setdefault(t.heading_ref, []).append(t)

    def show_tables(key: int | None, indent: str) -> None:
        for t in by_heading.get(key, []):
            pages = f"p.{t.pages[0]}" + (f"-{t.pages[-1]}" if len(t.pages) > 1 else "")
            typer.echo(f"{indent}[table {t.index}: {t.n_rows - t.n_header_rows} rows x {t.n_cols} cols, {pages}"
                       + (f", basis {t.basis_raw}" if t.basis_raw else "") + "]")
            if cells:
                heads = [c.text for c in t.cells if c.row < t.n_header_rows]
                typer.echo(f"{indent}   header: " + " | ".join(heads))

    show_tables(None, "  ")
    for h in doc.headings:
        indent = "  " + "  " * h.level
        typer.echo(f"{indent}{h.text[:100]}  (p.{h.page})")
        show_tables(h.index, indent + "  ")
    if doc.warnings:
        for w in doc.warnings:
            typer.echo(f"  warning: {w}")


@app.command()
def inspect(
    pdf: Path = typer.Argument(..., exists=True, dir_okay=False, help="The PDF to look at."),
    page: int = typer.Option(1, "--page", min=1, help="Page number (1-based)."),
    out: Path | None = typer.Option(None, "--out", help="PNG to write.", show_default="FILE-pN.png beside the PDF"),
    resolution: int = typer.Option(110, "--resolution", min=20, max=600, help="Rendering in dots per inch."),
) -> None:
    """Draw what was read on one page into a PNG: pdfplumber's words and the page's rulings, and the
    extracted text lines, headings, tables, cells and masthead fields, with a legend.

    Example: decree inspect data/samples/pdf/gov/vinhlong-33-2022.pdf --page 3 --out p3.png
    """
    from extractors.overlay import InspectStyle, inspect_page
    from pipeline.core.errors import PipelineError

    target = out or pdf.with_name(f"{pdf.stem}-p{page}.png")
    try:
        info = inspect_page(pdf, page, target, InspectStyle(resolution=resolution))
    except PipelineError as exc:
        typer.echo(f"error: {exc.code}: {exc}", err=True)
        raise typer.Exit(1) from None
    except (IndexError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{info['png']}  {info['width']}x{info['height']} px, page kind {info['page_kind']}: "
               f"{info['words']} words, {info['lines']} lines, {info['tables']} tables, {info['cells']} cells, "
               f"masthead {', '.join(info['masthead']) or '-'}")


@app.command()
def ingest(
    sources: list[str] = typer.Argument(..., help="Manifest files (.yaml), PDF files, folders of PDFs or URLs."),
    data_dir: Path = typer.Option(Path("data"), "--data-dir", help="Raw files, cache and datasets live here."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Documents extracted in parallel processes.",
                                       show_default="the number of cores"),
    dask_address: str | None = typer.Option(None, "--dask-address",
                                            help="With --prefect: run extraction on this Dask cluster."),
    prefect: bool = typer.Option(False, "--prefect/--no-prefect",
                                 help="Run as the Prefect ingest flow (artifacts, retries; starts a local Prefect "
                                      "server unless PREFECT_API_URL is set) or as plain processes."),
    full: bool = typer.Option(False, "--full", help="Publish every document again, even those whose published "
                                                     "rows are current (by default they are kept as they are)."),
    setting: list[str] = typer.Option([], "--setting", metavar="NAME=VALUE",
                                      help="Override an extraction tolerance for every document, by dotted name "
                                           "(tables.grid_tol=6, column_gap_em=4; repeatable; wins over a manifest "
                                           "entry's settings:). Names: docs/cli.md#extraction-settings."),
) -> None:
    """Fetch, extract, normalize and publish documents as one run; rejected documents are listed
    with their reason and the others are published.

    A document whose bytes, source and code are those of its published rows is not read again;
    a run in which nothing changed writes no table and records that it is unchanged.

    Exit codes: 0 all published, 1 some documents rejected (the others published), 2 bad input (no
    manifest, bad entry), 3 the run failed and nothing was published (see decree --help).

    Examples: decree ingest data/samples/manifest.yaml ;  decree ingest some.pdf https://host/doc.pdf ;
    decree ingest hard.pdf --setting tables.grid_tol=6
    """
    with _errors():
        settings = _settings(setting)  # checked before any work: a bad name is a usage error
        if prefect:
            # this machine may have no internet: Prefect's telemetry would only log failures
            os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
            from flows.ingest import run_ingest

            outcome = run_ingest(sources, data_dir, dask_address=dask_address, workers=workers, settings=settings,
                                 full=full)
        else:
            outcome = _ingest_plain(sources, data_dir, workers, full, settings)
    _report(outcome, data_dir, prefect)
    if outcome.rejected:
        raise typer.Exit(ExitCode.REJECTS)


def _settings(assignments: list[str]) -> dict | None:
    """``--setting NAME=VALUE`` options → overrides, checked (names, types, bounds) and typed."""
    from extractors.overrides import parse_assignments
    from extractors.settings import ExtractionSettings

    return ExtractionSettings.check(parse_assignments(assignments)) if assignments else None


def _ingest_plain(sources: list[str], data_dir: Path, workers: int | None, full: bool,  # noqa: ANN202 - RunOutcome
                  settings: dict | None = None):
    """The same run without Prefect (``pipeline.runs.corpus``), with a progress bar."""
    from pipeline.runs.corpus import run_corpus
    from pipeline.runs.plan import process_age

    bars: list = []

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(typer.progressbar(length=total, label="documents", file=sys.stderr).__enter__())
        bars[0].update(done)

    try:
        return run_corpus(sources, data_dir, workers=workers, full=full, progress=progress, startup=process_age(),
                          settings=settings)
    finally:
        if bars:
            bars[0].__exit__(None, None, None)


def _report(outcome, data_dir: Path, prefect: bool = False) -> None:  # noqa: ANN001 - RunOutcome, imported lazily
    for r in outcome.published:
        s = r.stats
        status = r.status
        typer.echo(f"{'ok' if status == 'ok' else status.split(':')[0]:8s} {r.entry_id}  {s.get('pages', 0)} pages, "
                   f"{s.get('tables', 0)} tables, {s.get('norm_items', 0)} norm items"
                   f"{' (unchanged)' if r.unchanged else ' (cached)' if r.cached else ''}"
                   + ("" if status == "ok" else f"  ({status.partition(': ')[2]})"))
    for r in outcome.rejected:
        rej = r.reject or {}
        typer.echo(f"rejected {r.entry_id}  {rej.get('error_code')}: {rej.get('message')}", err=True)
    unchanged = sum(bool(r.unchanged) for r in outcome.published)
    typer.echo(f"run {outcome.run_id}: {len(outcome.published)} published, {len(outcome.rejected)} rejected, "
               f"{outcome.totals()['ocr_seconds']} s of OCR; {outcome.mode}"
               + (f" ({unchanged} documents unchanged)" if unchanged else ""))
    if outcome.stages:
        typer.echo(outcome.stage_line())
    if prefect:
        typer.echo("reports: Prefect artifacts ingest-summary, ingest-quality-checks, ingest-release-diff "
                   "(prefect artifact ls); rejected documents: load(\"rejects\")")
    typer.echo(f"datasets: {data_dir / 'parquet'}  (load with: from pipeline import load; "
               f"load(\"norm_items\", data_dir=\"{data_dir}\"))")


@app.command()
def show(
    name: str = typer.Argument(..., help="Dataset name (see docs/data-dictionary.md)."),
    data_dir: Path = typer.Option(Path("data"), "--data-dir", help="Where the datasets were published."),
    version: str | None = typer.Option(None, "--version", help="Delta version number or ISO timestamp."),
    limit: int = typer.Option(20, "--limit", help="Rows to print."),
    where: list[str] = typer.Option([], "--where", help="column=value filter (repeatable)."),
) -> None:
    """Print the first rows of a published dataset.

    Example: decree show norm_items --where doc_number=30/2023/QĐ-UBND --limit 10
    """
    import pandas as pd

    from pipeline.store.read import load

    ver: int | str | None = int(version) if version and version.isdigit() else version
    with _errors():
        df = load(name, version=ver, data_dir=data_dir)
    for cond in where:
        col, _, val = cond.partition("=")
        if col not in df.columns:
            typer.echo(f"error: {name} has no column {col!r}", err=True)
            raise typer.Exit(ExitCode.USAGE)
        df = df[df[col].astype("string") == val]
    with pd.option_context("display.max_columns", 12, "display.width", 200, "display.max_colwidth", 40):
        typer.echo(df.head(limit).to_string())
    typer.echo(f"{len(df)} rows")


@app.command()
def versions(
    name: str = typer.Argument(..., help="Dataset name."),
    data_dir: Path = typer.Option(Path("data"), "--data-dir", help="Where the datasets were published."),
) -> None:
    """List the published versions of a dataset (time travel with `decree show --version N`).

    Example: decree versions norm_items
    """
    from pipeline.store.read import list_versions

    with _errors():
        df = list_versions(name, data_dir)
    typer.echo(df.to_string(index=False))


@app.command()
def consolidate(
    as_of: str | None = typer.Option(None, "--as-of", help="Print the norms in force on this date (YYYY-MM-DD)."),
    data_dir: Path = typer.Option(Path("data"), "--data-dir", help="Where the datasets were published."),
    rows: bool = typer.Option(False, "--rows", help="With --as-of: print every norm row, not one line per model."),
) -> None:
    """Without --as-of: rebuild and publish norms_consolidated (valid_from/valid_to of every norm row,
    the clauses that introduced and superseded it, and what of a cited base text is not available;
    every ingest run already does this in its own publish). With --as-of, a query that writes
    nothing: print the norms in force that day, consolidated from the published datasets.

    Example: decree consolidate --as-of 2023-01-01 --data-dir data
    """
    import pandas as pd

    from pipeline.versions.asof import in_force, parse_as_of
    from pipeline.versions.consolidate import build, publish_consolidated

    with _errors():
        day = parse_as_of(as_of) if as_of else None
        if day is None:
            df, result = publish_consolidated(data_dir)
        else:
            df = build(data_dir)
    kinds = df["record_kind"].value_counts().to_dict()
    typer.echo(f"norms_consolidated: {len(df)} rows ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})"
               + (f", published as version {result.commits['norms_consolidated'].version}" if day is None else ""))
    if day is None:
        return
    now = in_force(df, day)
    norms = now[now["record_kind"] == "norm"]
    typer.echo(f"in force on {day}: {len(norms)} norm rows in {norms['model_path'].nunique()} models")
    if rows:
        with pd.option_context("display.max_columns", 12, "display.width", 200, "display.max_colwidth", 40):
            typer.echo(norms[["model_path", "section_no", "period", "item_text", "unit_raw", "value_raw",
                              "introduced_by_clause", "valid_from", "page"]].to_string(index=False))
    else:
        g = norms.groupby("model_path", sort=True)
        for path, m in g:
            r = m.iloc[0]
            typer.echo(f"  {path}  {str(r['model_title'])[:60]}  {len(m)} rows  from {r['valid_from']} by "
                       f"{r['introduced_by_clause'] or r['doc_number']}")
    for kind, label in (("base_unavailable", "not available"), ("provision_without_norms", "without norm values")):
        for note in now.loc[now["record_kind"] == kind, "consolidation_note"]:
            typer.echo(f"  {label}: {note}")
    if norms.empty:
        typer.echo(f"  no ingested norm was in force on {day}")


@app.command()
def diff(
    a: str = typer.Argument(..., help="Left side: a document number (33/2022/QĐ-UBND) or a date (YYYY-MM-DD)."),
    b: str = typer.Argument(..., help="Right side: a document number or a date."),
    data_dir: Path = typer.Option(Path("data"), "--data-dir", help="Where the datasets were published."),
    model: str | None = typer.Option(None, "--model", help="Only model pairs whose title contains this text."),
    csv: Path | None = typer.Option(None, "--csv", help="Write the norm_diffs rows to this CSV file."),
    html: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML report to this file."),
    publish: bool = typer.Option(False, "--publish", help="Publish the rows to the norm_diffs dataset."),
    all_items: bool = typer.Option(False, "--all", help="Also print unchanged items and unmatched models' items."),
) -> None:
    """Compare two documents (or the norms in force on two dates) model by model: items added,
    removed, changed (old/new value, absolute and relative change) and unchanged, with each model
    pairing's score and reason.

    Example: decree diff 33/2022/QĐ-UBND 30/2023/QĐ-UBND --model dừa --html diff.html
    """
    from pipeline.store.publish import publish as publish_frames
    from pipeline.versions.diff import compare, terminal_table
    from pipeline.versions.report_html import render_html

    with _errors():
        result = compare(data_dir, a, b, model_filter=model)
        if publish:
            publish_frames({"norm_diffs": result.rows}, data_dir, input_hashes=[])
    typer.echo(terminal_table(result, show_unchanged=all_items, detail_unmatched=all_items))
    with _errors():
        if csv is not None:
            result.rows.to_csv(csv, index=False)
            typer.echo(f"csv: {csv}")
        if html is not None:
            html.write_text(render_html(result), encoding="utf-8")
            typer.echo(f"html: {html}")


if __name__ == "__main__":  # pragma: no cover
    app()
