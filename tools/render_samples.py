"""Regenerate the sample corpus (PDFs + ground truth) from tools/corpus/source.

    python -m tools.render_samples              # writes data/samples/
    python -m tools.render_samples --out DIR    # writes elsewhere (tests use this)
    python -m tools.render_samples --check      # regenerate in a temp dir, compare with data/samples

Deterministic: the same source renders to the same bytes and the same truth.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import yaml

from tools.corpus.render import render_pdf
from tools.corpus.source_model import list_doc_ids, load_source
from tools.corpus.styles import STYLES
from tools.corpus.truth import build_truth

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "data" / "samples"


def render_all(out: Path, doc_ids: list[str] | None = None, styles: list[str] | None = None) -> list[dict]:
    entries = []
    for doc_id in doc_ids or list_doc_ids():
        src = load_source(doc_id)
        for style in styles or sorted(STYLES):
            pdf_dir, truth_dir = out / "pdf" / style, out / "truth" / style
            pdf_dir.mkdir(parents=True, exist_ok=True)
            truth_dir.mkdir(parents=True, exist_ok=True)
            pdf_path = pdf_dir / f"{doc_id}.pdf"
            layout = render_pdf(src, style, pdf_path)
            sha = hashlib.sha256(pdf_path.read_bytes()).hexdigest()
            truth = build_truth(src, style, layout, pdf_path.name, sha)
            (truth_dir / f"{doc_id}.json").write_text(
                json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
            )
            entries.append({
                "id": f"{style}/{doc_id}",
                "source": f"pdf/{style}/{doc_id}.pdf",
                "sha256": sha,
                "hints": {"province": src.meta.get("province"), "doc_type": src.meta.get("doc_type"),
                          "producer_style": style},
            })
            print(f"{style:8s} {doc_id:22s} {truth['page_count']:4d} pages {len(truth['tables']):4d} tables "
                  f"{sum(len(v) for v in truth['records'].values()):5d} records")
    manifest = {"description": "Bundled sample corpus rendered by tools/render_samples.py", "documents": entries}
    (out / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return entries


def _compare(a: Path, b: Path) -> list[str]:
    diffs = []
    for f in sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file()):
        other = b / f
        if not other.exists():
            diffs.append(f"missing in committed corpus: {f}")
        elif other.read_bytes() != (a / f).read_bytes():
            diffs.append(f"differs: {f}")
    for f in sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()):
        if not (a / f).exists():
            diffs.append(f"not produced by the generator: {f}")
    return diffs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--doc", action="append", help="only this doc_id (repeatable)")
    ap.add_argument("--style", action="append", choices=sorted(STYLES), help="only this style (repeatable)")
    ap.add_argument("--check", action="store_true", help="regenerate into a temp dir and compare with --out")
    args = ap.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            render_all(Path(tmp))
            diffs = _compare(Path(tmp), args.out)
        for d in diffs:
            print(d)
        print("corpus reproduces" if not diffs else f"{len(diffs)} difference(s)")
        return 1 if diffs else 0
    render_all(args.out, args.doc, args.style)
    return 0


if __name__ == "__main__":
    sys.exit(main())
