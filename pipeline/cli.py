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
        "  decree extract data/samples/pdf/gov/vinhlong-30-2023.pdf\n"
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


if __name__ == "__main__":  # pragma: no cover
    app()
