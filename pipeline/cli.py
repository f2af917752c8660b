"""The ``decree`` command line.

Library errors are named exceptions (``pipeline.errors``); here they become one clear line on
stderr and a meaningful exit code:

    0  success
    1  finished, but some documents were rejected (see the rejects dataset)
    2  usage error (bad option, missing file)
    3  a run-level failure (nothing was published)
"""

from __future__ import annotations

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
    paths: list[Path] = typer.Argument(..., help="PDF files or folders of PDFs."),
    data_dir: Path = typer.Option(Path("data"), "--data-dir", help="Datasets go to DATA_DIR/parquet/."),
) -> None:
    """Extract and publish every PDF given; rejected documents are listed with their reason.

    Exit code 1 when some documents were rejected (the others are published).

    Example: decree ingest data/samples/pdf/gov --data-dir data
    """
    from pipeline.ingest import ingest as run_ingest

    missing = [p for p in paths if not p.exists()]
    if missing:
        typer.echo(f"error: no such file or folder: {missing[0]}", err=True)
        raise typer.Exit(2)
    report = run_ingest(paths, data_dir)
    for d in report.documents:
        typer.echo(f"ok       {d['file']}  {d['pages']} pages, {d['tables']} tables, {d['headings']} headings")
    for r in report.rejects:
        typer.echo(f"rejected {r['source']}  {r['error_code']}: {r['message']}", err=True)
    typer.echo(f"run {report.run_id}: {len(report.documents)} published, {len(report.rejects)} rejected; "
               f"datasets in {data_dir / 'parquet'}: " + ", ".join(f"{k} {v}" for k, v in report.counts.items()))
    if report.rejects:
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    app()
