"""A norm diff as one self-contained HTML page (no external assets: inline CSS, no scripts, no
fonts or images), readable in any browser: the notes, a summary table of the model pairs, then
one section per model pair with its match decision and score and every item, changes
highlighted, each side's page linked back to the source PDF (``#page=N``) when its path is known.
Pure: a ``DiffResult`` goes in, a string comes out.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core.missing import none_if_missing
from pipeline.versions.diff import DiffResult, summary

__all__ = ["render_html"]

_CSS = """
body{font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif;margin:1.5rem;color:#1d232b;background:#fff}
h1{font-size:1.35rem;margin:0 0 .4rem}h2{font-size:1.1rem;margin:1.6rem 0 .2rem}
.meta,.reason{color:#4a5561;font-size:.85rem}.notes li{font-size:.85rem;margin:.15rem 0}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.85rem}
th,td{border:1px solid #c9d1d9;padding:.25rem .4rem;vertical-align:top;text-align:left}
th{background:#eef2f6}td.num{text-align:right}td{overflow-wrap:anywhere}
td.val-a,td.val-b{max-width:14rem}td.item{min-width:14rem}
tr.changed td{background:#fff4cc}tr.changed td.val-b{background:#ffd966;font-weight:bold}
tr.added td{background:#dcf5dc}tr.removed td{background:#fbe0e0}tr.removed td.item{text-decoration:line-through}
tr.unchanged td{color:#5b6570}
.badge{white-space:nowrap;overflow-wrap:normal;display:inline-block;padding:0 .45rem;border-radius:.6rem;font-size:.75rem;font-weight:bold}
.badge.changed{background:#ffd966}.badge.added{background:#9fdf9f}.badge.removed{background:#f4a3a3}
.badge.unchanged{background:#d9dee3}.badge.identity,.badge.title_structure{background:#cfe2ff}
.badge.unmatched{background:#eee}
a.page{color:#0b5cad}
"""


def _e(x: Any) -> str:
    x = none_if_missing(x)
    if x is None:
        return ""
    if isinstance(x, Decimal):
        return escape(format(x.normalize(), "f"))
    if isinstance(x, float):
        return escape(f"{x:+.1%}")
    return escape(str(x))


def _page_link(sources: dict[str, str], sha: Any, page: Any, doc: Any) -> str:
    sha, page = none_if_missing(sha), none_if_missing(page)
    if page is None:
        return ""
    label = f"{_e(doc)} p.&nbsp;{int(page)}"
    src = sources.get(sha) if sha else None
    if not src:
        return label
    href = src if "://" in src else Path(src).resolve().as_uri()
    return f'<a class="page" href="{escape(href)}#page={int(page)}">{label}</a>'


def render_html(result: DiffResult, title: str | None = None) -> str:
    """The HTML page of a diff (see the module docstring)."""
    rows = result.rows
    s = summary(rows)
    head = title or f"Norm diff {result.diff_id}"
    out = ["<!DOCTYPE html>", '<html lang="vi"><head><meta charset="utf-8">',
           f"<title>{escape(head)}</title><style>{_CSS}</style></head><body>", f"<h1>{escape(head)}</h1>",
           f'<p class="meta">A = {escape(result.side_a.label)} ({result.side_a.kind}); B = '
           f"{escape(result.side_b.label)} ({result.side_b.kind}). {len(s)} model pairs; items: "
           + ", ".join(f'<span class="badge {k}">{k} {int(s[k].sum()) if len(s) else 0}</span>'
                       for k in ("changed", "added", "removed", "unchanged")) + "</p>"]
    if result.notes:
        out.append('<ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in result.notes) + "</ul>")
    out.append("<h2>Model pairs</h2><table><tr><th>#</th><th>A</th><th>B</th><th>match</th><th>score</th>"
               "<th>changed</th><th>added</th><th>removed</th><th>unchanged</th></tr>")
    for p in s.itertuples(index=False):
        out.append(f'<tr><td><a href="#m{p.model_pair}">{p.model_pair}</a></td>'
                   f"<td>{_e(p.model_a)}<br>{_e(p.model_title_a)}</td><td>{_e(p.model_b)}<br>{_e(p.model_title_b)}</td>"
                   f'<td><span class="badge {_e(p.model_match)}">{_e(p.model_match)}</span></td>'
                   f'<td class="num">{p.model_score:.2f}</td><td class="num">{p.changed}</td>'
                   f'<td class="num">{p.added}</td><td class="num">{p.removed}</td><td class="num">{p.unchanged}</td></tr>')
    out.append("</table>")
    for p in s.itertuples(index=False):
        out.append(_model_section(p, rows[rows.model_pair == p.model_pair], result.sources,
                                  result.model_notes.get(p.model_pair, "")))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _item_note(note: Any, model_note: str) -> str | None:
    note = none_if_missing(note)
    if not note:
        return None
    rest = note.replace(model_note, "").strip("; ") if model_note else note
    return rest or None


def _model_section(p: Any, rows: pd.DataFrame, sources: dict[str, str], model_note: str) -> str:
    out = [f'<section id="m{p.model_pair}"><h2>{p.model_pair}. {_e(p.model_title_a) or "(none)"} &harr; '
           f'{_e(p.model_title_b) or "(none)"}</h2>',
           f'<p class="reason">A: {_e(p.model_a) or "(no counterpart)"}; B: {_e(p.model_b) or "(no counterpart)"}; '
           f'<span class="badge {_e(p.model_match)}">{_e(p.model_match)}</span> score {p.model_score:.2f}: '
           f"{_e(p.model_match_reason)}</p>"]
    if model_note:
        out.append(f'<p class="reason">{escape(model_note)}</p>')
    periods = [m for m in rows["period_match"].dropna().unique()]
    if periods:
        out.append('<p class="reason">Period alignment: ' + "; ".join(escape(m) for m in periods) + "</p>")
    out.append("<table><tr><th>status</th><th>section</th><th>period A &rarr; B</th><th>item</th><th>unit</th>"
               "<th>A (as printed)</th><th>B (as printed)</th><th>change (canonical)</th><th>source A</th>"
               "<th>source B</th><th>note</th></tr>")
    for r in rows.itertuples(index=False):
        item = none_if_missing(r.item_text_b) if r.diff_status == "added" else none_if_missing(r.item_text_a)
        unit = " / ".join(dict.fromkeys(u for u in (none_if_missing(r.unit_raw_a), none_if_missing(r.unit_raw_b)) if u))
        change = ""
        if none_if_missing(r.abs_change) is not None:
            change = f"{_e(r.abs_change)} {_e(r.unit)} ({_e(r.rel_change)})"
        out.append(
            f'<tr class="{r.diff_status}"><td><span class="badge {r.diff_status}">{r.diff_status}</span></td>'
            f"<td>{_e(none_if_missing(r.section_no_a) or none_if_missing(r.section_no_b))} {_e(r.section_type)}</td>"
            f"<td>{_e(r.period_a)} &rarr; {_e(r.period_b)}</td><td class=\"item\">{_e(item)}</td><td>{escape(unit)}</td>"
            f'<td class="num val-a">{_e(r.value_raw_a)}</td><td class="num val-b">{_e(r.value_raw_b)}</td>'
            f'<td class="num">{change}</td><td>{_page_link(sources, r.doc_sha256_a, r.page_a, r.doc_number_a)}</td>'
            f"<td>{_page_link(sources, r.doc_sha256_b, r.page_b, r.doc_number_b)}</td>"
            f"<td>{_e(_item_note(r.diff_note, model_note))}</td></tr>")
    out.append("</table></section>")
    return "\n".join(out)
