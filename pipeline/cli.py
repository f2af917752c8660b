"""The ``decree`` command line.

Library errors are named exceptions (``pipeline.errors``); here they become one clear line on
stderr and a meaningful exit code:

    0  success
    1  finished, but some documents were rejected (see the rejects dataset)
    2  usage error (bad option, missing file)
    3  a run-level failure (nothing was published)
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from pipeline import __version__

app = typer.Typer(
    name="decree",
    help=(
        "Turn Vietnamese provincial plans and decrees (PDF) into structured, versioned Parquet datasets.\n\n"
        "Examples:\n\n"
        "  decree samples\n\n"
        "  decree extract data/samples/pdf/gov/vinhlong-30-2023.pdf\n\n"
        "  decree ingest data/samples/pdf --data-dir data\n"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"


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
    samples_dir: Path = typer.Option(SAMPLES, "--samples-dir", help="Folder of the bundled sample corpus."),
) -> None:
    """List the bundled sample corpus (PDFs rendered by tools/render_samples.py).

    Example: decree samples
    """
    import yaml

    manifest = samples_dir / "manifest.yaml"
    if not manifest.exists():
        typer.echo(f"error: no sample manifest at {manifest}; run: python -m tools.render_samples", err=True)
        raise typer.Exit(2)
    docs = yaml.safe_load(manifest.read_text(encoding="utf-8"))["documents"]
    for d in docs:
        path = samples_dir / d["source"]
        typer.echo(f"{d['id']:32s} {path.stat().st_size / 1024:8.0f} KiB  {d['sha256'][:12]}  {path}")
    typer.echo(f"{len(docs)} sample PDFs in {samples_dir}")


@app.command()
def extract(
    pdf: Path = typer.Argument(..., exists=True, dir_okay=False, help="The PDF to read."),
    cells: bool = typer.Option(False, "--cells", help="Also print every table's header row."),
) -> None:
    """Print a readable outline of one PDF: metadata, heading tree with table sizes, page kinds.

    Example: decree extract data/samples/pdf/gov/vinhlong-33-2022.pdf
    """
    from extractors.document import extract_document
    from pipeline.errors import PipelineError

    try:
        doc = extract_document(pdf)
    except PipelineError as exc:
        typer.echo(f"error: {exc.code}: {exc}", err=True)
        raise typer.Exit(1) from None
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
def ingest(
    sources: list[str] = typer.Argument(..., help="Manifest files (.yaml), PDF files, folders of PDFs or URLs."),
    data_dir: Path = typer.Option(Path("data"), "--data-dir", help="Raw files, cache and datasets live here."),
    workers: int = typer.Option(2, "--workers", min=1, help="Documents extracted in parallel processes."),
) -> None:
    """Fetch, extract, normalize and publish documents as one run; rejected documents are listed
    with their reason and the others are published.

    Exit code 1 when some documents were rejected.

    Examples: decree ingest data/samples/manifest.yaml ;  decree ingest some.pdf https://host/doc.pdf
    """
    from concurrent.futures import ProcessPoolExecutor

    from pipeline.errors import PipelineError
    from pipeline.run import new_run_id, process_entry, publish_results, resolve_entries

    try:
        entries = resolve_entries(sources)
    except PipelineError as exc:
        typer.echo(f"error: {exc.code}: {exc}", err=True)
        raise typer.Exit(2) from None
    run_id = new_run_id()
    results = []
    with typer.progressbar(length=len(entries), label="documents", file=sys.stderr) as bar:
        if workers > 1 and len(entries) > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futures = [pool.submit(process_entry, e, str(data_dir), run_id) for e in entries]
                for f in futures:
                    results.append(f.result())
                    bar.update(1)
        else:
            for e in entries:
                results.append(process_entry(e, str(data_dir), run_id))
                bar.update(1)
    outcome = publish_results(results, data_dir, run_id)
    _report(outcome, data_dir)
    if outcome.rejected:
        raise typer.Exit(1)


def _report(outcome, data_dir: Path) -> None:  # noqa: ANN001 - RunOutcome, imported lazily
    for r in outcome.published:
        s = r.stats
        typer.echo(f"ok       {r.entry_id}  {s.get('pages', 0)} pages, {s.get('tables', 0)} tables, "
                   f"{s.get('norm_items', 0)} norm items{' (cached)' if r.cached else ''}")
    for r in outcome.rejected:
        rej = r.reject or {}
        typer.echo(f"rejected {r.entry_id}  {rej.get('error_code')}: {rej.get('message')}", err=True)
    typer.echo(f"run {outcome.run_id}: {len(outcome.published)} published, {len(outcome.rejected)} rejected")
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

    from pipeline.errors import PipelineError
    from pipeline.publish import load

    ver: int | str | None = int(version) if version and version.isdigit() else version
    try:
        df = load(name, version=ver, data_dir=data_dir)
    except (PipelineError, KeyError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for cond in where:
        col, _, val = cond.partition("=")
        if col not in df.columns:
            typer.echo(f"error: {name} has no column {col!r}", err=True)
            raise typer.Exit(2)
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
    from pipeline.errors import PipelineError
    from pipeline.publish import list_versions

    try:
        df = list_versions(name, data_dir)
    except (PipelineError, KeyError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(df.to_string(index=False))


if __name__ == "__main__":  # pragma: no cover
    app()
