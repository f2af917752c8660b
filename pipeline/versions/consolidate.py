"""Consolidated versions: which norm was in force on which day (docs/DOMAIN.md §4, docs/amendments.md).

``consolidate`` is pure: the published ``norm_items``, ``amendments`` and ``documents`` (plus the
metadata references give about documents that are cited but not ingested) go in, the
``norms_consolidated`` frame comes out. Every norm row gets

- the operation that brought it into force: the amendment whose ``source_appendices`` hold the
  row's appendix (an inserted article such as Điều 3a carries Phụ lục I–III), or whose
  ``source_sections`` / target item hold the row's inline section (33/2022 Điều 1 khoản 1 restates
  model 14 inline); otherwise the document's own provision;
- its address in the consolidated base text (``consolidated_path``): the amended base, the
  inserted article, appendix, part, model, section;
- ``valid_from`` = that operation's effective date and ``valid_to`` = the effective date of the
  first later replace/repeal/amend/correct operation whose target path covers the row.

A base text that is cited but not ingested (04/2021/QĐ-UBND) is never invented: one
``base_unavailable`` record per part an operation replaced, and one for the rest of it. An
operation whose content carries no norm values (a certification section "theo thực tế") gets a
``provision_without_norms`` record, so every operation is traceable in the dataset.

I/O lives only in ``load_inputs`` / ``build`` / ``publish_consolidated`` at the bottom.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core.errors import ConsolidationError, DatasetNotPublished
from pipeline.core.missing import none_if_missing
from pipeline.core.provisions import APPENDIX_LABEL, SECTION_LOOSE
from pipeline.records.citations import citation_graph
from pipeline.records.datasets import frame
from pipeline.store.publish import publish
from pipeline.store.read import load
from pipeline.versions.conflicts import unique_ids
from pipeline.versions.duplicates import content_differences, rendering_groups
from schemas import dataset

__all__ = ["build", "consolidate", "in_order", "load_inputs", "publish_consolidated"]

_SUPERSEDING = ("replace", "repeal", "amend", "correct")
ORDER = ["record_kind", "base_doc_number", "consolidated_path", "valid_from", "consolidated_id"]
_CHUNK = 2_000  # norm items turned into dicts at once (all 13,500 of a 1,000-page PDF at once: +40 MB)
_NO_APPENDIX = APPENDIX_LABEL


def _as_list(x: Any) -> list[str]:
    x = none_if_missing(x) if not isinstance(x, list | tuple) and not hasattr(x, "tolist") else x
    if x is None:
        return []
    return [str(v) for v in (x.tolist() if hasattr(x, "tolist") else x)]


def _appendix_label(appendix: str | None) -> str | None:
    """'Phụ lục I' → 'PL-I' (the amendments' form)."""
    if not appendix:
        return None
    m = _NO_APPENDIX.match(appendix)
    return f"PL-{m[1].upper()}" if m else None


def _compact_label(label: str | None) -> str | None:
    """'Điều 3a' → 'Điều3a'; 'Mục 7.6' → '7.6'."""
    if not label:
        return None
    s = re.sub(rf"(?i)^\s*{SECTION_LOOSE}\s+", "", label.strip())
    return re.sub(r"\s+", "", s).rstrip(".")


def _article(provision: str | None) -> list[str]:
    """A row's provision in the amendments' form: 'DIEU_3A' → ['Điều3a']; [] otherwise."""
    m = re.fullmatch(r"DIEU_(\d+)([A-Z]?)", none_if_missing(provision) or "")
    return [f"Điều{m[1]}{m[2].lower()}"] if m else []


def _strip_position(path: str) -> str:
    return re.sub(r"/(?:after|before):[^/]*$", "", path)


def _short(path: str, base: str) -> str:
    return path[len(base) + 1:] if path.startswith(base + "/") else path


@dataclass(frozen=True)
class _Op:
    doc_number: str
    sha256: str
    operation: str
    target_doc: str | None
    target_path: str
    new_label: str | None
    clause: str
    appendices: tuple[str, ...]
    sections: tuple[str, ...]
    effective: date | None
    page: int | None
    flags: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.operation} {self.target_path}"

    @property
    def clause_short(self) -> str:
        return self.clause.split("/")[-1] if "/" in self.clause else self.clause

    @property
    def content_path(self) -> str:
        """Where the operation's content sits in the base: the target (replace) or, for an insertion,
        the target container plus the new label."""
        base = _strip_position(self.target_path)
        if self.operation == "insert" and self.new_label:
            return f"{base}/{_compact_label(self.new_label)}"
        return base


def _choose_renderings(documents: pd.DataFrame, norm_items: pd.DataFrame) -> tuple[dict[str, str], dict[str, list[str]]]:
    """doc key → chosen sha, and chosen sha → the other shas of the same document number.

    Several PDFs may carry one document number (the sample corpus renders each decree twice);
    the rendering with the most norm rows is consolidated (ties: the smaller sha), the others are
    named in ``consolidation_flags``."""
    counts = norm_items.groupby("doc_sha256").size().to_dict() if len(norm_items) else {}
    # same number, issuer and signing date = one document (pipeline/duplicates.py)
    by_number = rendering_groups(documents)
    chosen, others = {}, {}
    for key, shas in by_number.items():
        best = sorted(set(shas), key=lambda s: (-counts.get(s, 0), s))
        chosen[key] = best[0]
        others[best[0]] = best[1:]
    return chosen, others


def _records(df: pd.DataFrame) -> Iterator[dict[str, Any]]:  # df.to_dict("records"), _CHUNK rows at a time
    for start in range(0, len(df), _CHUNK):
        yield from df.iloc[start:start + _CHUNK].to_dict("records")


def consolidate(norm_items: pd.DataFrame, amendments: pd.DataFrame, documents: pd.DataFrame,
                cited_dates: dict[str, date] | None = None) -> pd.DataFrame:
    """The ``norms_consolidated`` frame (see the module docstring). ``cited_dates`` maps the number
    of a document known only from references to its date (a lower bound of its validity)."""
    cited_dates = cited_dates or {}
    chosen, others = _choose_renderings(documents, norm_items)
    chosen_shas = set(chosen.values())
    disagree = {c: {o: content_differences(norm_items, c, o) for o in os_} for c, os_ in others.items() if os_}
    docs = documents[documents.doc_sha256.isin(chosen_shas)]
    doc_eff = {r.doc_sha256: none_if_missing(r.effective_date) for r in docs.itertuples(index=False)}
    sha_of = {(none_if_missing(r.doc_number) or r.doc_sha256): r.doc_sha256 for r in docs.itertuples(index=False)}

    ops: list[_Op] = []
    for r in amendments[amendments.doc_sha256.isin(chosen_shas)].itertuples(index=False):
        flags: list[str] = []
        eff = none_if_missing(r.effective_date)
        if eff is None and doc_eff.get(r.doc_sha256) is not None:
            eff = doc_eff[r.doc_sha256]
            flags.append("effective_date_from_documents")
        elif eff is None:
            flags.append("effective_date_unknown")
        ops.append(_Op(none_if_missing(r.amending_doc_number) or r.doc_sha256, r.doc_sha256, r.operation,
                       none_if_missing(r.target_doc_number), r.target_path, none_if_missing(r.new_label),
                       none_if_missing(r.source_label) or (none_if_missing(r.amending_doc_number) or r.doc_sha256),
                       tuple(_as_list(r.source_appendices)), tuple(_as_list(r.source_sections)), eff,
                       none_if_missing(r.page), tuple(flags)))
    ops.sort(key=lambda o: (o.effective or date.max, o.doc_number, o.clause))
    ops_by_doc: dict[str, list[_Op]] = {}
    for o in ops:
        ops_by_doc.setdefault(o.sha256, []).append(o)

    def base_of(number: str, seen: frozenset[str] = frozenset()) -> str:
        sha = sha_of.get(number)
        targets = Counter(o.target_doc for o in ops_by_doc.get(sha, []) if o.target_doc) if sha else Counter()
        if not targets or number in seen:
            return number
        return base_of(targets.most_common(1)[0][0], seen | {number})

    rows: list[dict[str, Any]] = []
    used_ops: set[tuple[str, str]] = set()
    sections_with_rows: set[tuple[str, str, str]] = set()
    ni = norm_items[norm_items.doc_sha256.isin(chosen_shas)]
    for rec in _records(ni):
        rec = {k: none_if_missing(v) if not isinstance(v, list | tuple) and not hasattr(v, "tolist") else v
               for k, v in rec.items()}
        sha = rec["doc_sha256"]
        number = rec["doc_number"] or sha
        flags = [f"other_rendering:{s[:12]}" for s in others.get(sha, [])]
        flags += [f"renderings_disagree:{s[:12]}:{n}" for s, n in disagree.get(sha, {}).items() if n]
        pl = _appendix_label(rec["appendix"])
        op = None
        if pl:
            op = next((o for o in ops_by_doc.get(sha, []) if pl in o.appendices), None)
        else:
            section = rec["section_no"] or ""
            model = rec["model_no"] or ""
            op = next((o for o in ops_by_doc.get(sha, []) if section and section in o.sections), None) or \
                next((o for o in ops_by_doc.get(sha, []) if model and o.operation != "insert"
                      and _strip_position(o.target_path).rsplit("/", 1)[-1] == model), None)
        model_tail = [x for x in (rec["part"], rec["model_no"]) if x]
        if op is not None:
            used_ops.add((op.sha256, op.clause))
            base = op.target_doc or base_of(number)
            if pl:  # the appendix comes with the inserted/replaced article
                model_path = "/".join([op.content_path, pl, *model_tail])
            elif op.operation == "insert" and rec["section_no"] and _compact_label(op.new_label) == rec["section_no"]:
                model_path = _strip_position(op.target_path)  # an inserted section of an existing model
            else:
                model_path = op.content_path
            valid_from = op.effective
            flags += list(op.flags)
            intro = dict(introduced_by_doc_number=op.doc_number, introduced_by_sha256=op.sha256,
                         introduced_by_clause=op.clause, introduced_by_operation=op.text)
            note = f"in force from {valid_from or '?'} by {op.doc_number} {op.clause_short} ({op.text})"
        else:
            base = base_of(number)
            model_path = "/".join([number, *([pl] if pl else _article(rec.get("provision"))), *model_tail])
            valid_from = doc_eff.get(sha)
            if valid_from is None:
                flags.append("effective_date_unknown")
            intro = dict(introduced_by_doc_number=number, introduced_by_sha256=sha, introduced_by_clause=None,
                         introduced_by_operation=None)
            note = f"own provision of {number}, in force from {valid_from or '?'}"
        section_path = f"{model_path}/{rec['section_no']}" if rec["section_no"] else model_path
        sections_with_rows.add((sha, op.clause if op else "", rec["section_no"] or ""))
        rows.append({**rec, "consolidated_id": f"{sha}/{rec['table_index']}/{rec['row']}/{rec['value_col']}",
                     "record_kind": "norm", "base_doc_number": base, "consolidated_path": section_path,
                     "model_path": model_path, "valid_from": valid_from, "valid_to": None, **intro,
                     "consolidation_note": note, "consolidation_flags": flags})

    # supersession: a later operation whose target covers the row ends its validity
    for row in rows:
        for o in ops:
            if o.operation not in _SUPERSEDING or o.effective is None:
                continue
            target = _strip_position(o.target_path)
            path = row["consolidated_path"] or ""
            if not (path == target or path.startswith(target + "/")):
                continue
            if row["valid_from"] is not None and row["valid_from"] >= o.effective:
                continue
            if row["valid_to"] is None or o.effective < row["valid_to"]:
                _supersede(row, o)

    # the base texts that are cited but not ingested: state what is missing, never invent it
    ingested_numbers = set(sha_of)
    missing_bases = sorted({o.target_doc for o in ops if o.target_doc and o.target_doc not in ingested_numbers})
    for base in missing_bases:
        base_ops = [o for o in ops if o.target_doc == base]
        evidence = base_ops[0]
        since = cited_dates.get(base)
        bflags = ["valid_from_is_signing_date"] if since else ["effective_date_unknown"]
        replaced = [o for o in base_ops if o.operation in _SUPERSEDING and _strip_position(o.target_path) != base]
        for o in replaced:
            target = _strip_position(o.target_path)
            rec = _record(o, "base_unavailable", base, target, target, since, list(bflags))
            rec["consolidation_note"] = (f"{base} {_short(target, base)}: base text not available (cited, not "
                                         f"ingested); replaced by {o.doc_number} {o.clause_short} from "
                                         f"{o.effective or '?'}")
            _supersede(rec, o)
            rows.append(rec)
        repeal_all = next((o for o in base_ops if o.operation == "repeal" and _strip_position(o.target_path) == base),
                          None)
        rec = _record(evidence, "base_unavailable", base, base, base, since, list(bflags))
        parts = ", ".join(_short(_strip_position(o.target_path), base) for o in replaced) or "none"
        inserted = "; ".join(f"{_short(o.content_path, base)} ({o.doc_number} {o.clause_short} from "
                             f"{o.effective or '?'})" for o in base_ops if o.operation == "insert")
        rec["consolidation_note"] = (f"{base}: base text not available (cited, not ingested); its provisions other "
                                     f"than those replaced ({parts}) stay in force as far as the ingested "
                                     f"amendments show, and cannot be listed. Inserted: {inserted or 'none'}")
        rec["introduced_by_doc_number"] = base
        rec["introduced_by_sha256"] = rec["introduced_by_clause"] = rec["introduced_by_operation"] = None
        if repeal_all is not None:
            _supersede(rec, repeal_all)
        rows.append(rec)

    # operations whose content has no norm values: stated, so every operation is traceable
    for o in ops:
        secs = [s for s in o.sections if (o.sha256, o.clause, s) not in sections_with_rows]
        if (o.sha256, o.clause) in used_ops and not secs:
            continue
        if o.operation in ("repeal", "amend", "correct"):
            continue
        base = o.target_doc or base_of(o.doc_number)
        targets = [f"{_strip_position(o.target_path) if o.operation == 'insert' else o.content_path}/{s}"
                   for s in secs] or [o.content_path]
        for path in targets:
            model_path = path.rsplit("/", 1)[0] if secs else path
            rec = _record(o, "provision_without_norms", base, path, model_path, o.effective, list(o.flags))
            rec["consolidation_note"] = (f"{o.doc_number} {o.clause_short} ({o.text}) brings "
                                         f"{_short(path, base)} into force from {o.effective or '?'}; its content "
                                         f"has no norm values in norm_items (see the clause text on page "
                                         f"{o.page or '?'})")
            rows.append(rec)
    return in_order(frame("norms_consolidated", unique_ids(rows)))  # repeated/conflicting operations: flagged


def in_order(consolidated: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``norms_consolidated`` in the order ``consolidate`` gives them (the id is unique)."""
    return consolidated.sort_values(ORDER, kind="stable", na_position="first").reset_index(drop=True)


def _record(o: _Op, kind: str, base: str, path: str, model_path: str, valid_from: date | None,
            flags: list[str]) -> dict[str, Any]:
    """A non-norm record; doc_sha256/page point at the clause that evidences it."""
    return {"doc_sha256": o.sha256, "doc_number": o.doc_number, "page": o.page, "consolidated_id": f"{kind}:{path}",
            "record_kind": kind, "base_doc_number": base, "consolidated_path": path, "model_path": model_path,
            "valid_from": valid_from, "valid_to": None, "introduced_by_doc_number": o.doc_number,
            "introduced_by_sha256": o.sha256, "introduced_by_clause": o.clause, "introduced_by_operation": o.text,
            "consolidation_flags": flags, "flags": []}


def _supersede(row: dict[str, Any], o: _Op) -> None:
    row.update(valid_to=o.effective, superseded_by_doc_number=o.doc_number, superseded_by_sha256=o.sha256,
               superseded_by_clause=o.clause, superseded_by_operation=o.text)
    if o.effective is None:
        row["consolidation_flags"] = [*row["consolidation_flags"], "superseded_date_unknown"]
    if row["record_kind"] == "norm":
        row["consolidation_note"] = (f"{row['consolidation_note']}; superseded from {o.effective} by "
                                     f"{o.doc_number} {o.clause_short} ({o.text})")


# ---------------------------------------------------------------- I/O edge


def cited_dates(citation_nodes: pd.DataFrame | None, references: pd.DataFrame | None) -> dict[str, date]:
    """doc number → signing date of the documents that are cited but not ingested: from the
    citation graph's nodes when there are any, else from the references themselves."""
    cited: dict[str, date] = {}
    if citation_nodes is not None:
        for r in citation_nodes.itertuples(index=False):
            if none_if_missing(r.signing_date) is not None and not bool(none_if_missing(r.is_ingested)):
                cited[r.doc_number] = r.signing_date
    elif references is not None:
        for r in references.itertuples(index=False):
            if none_if_missing(r.cited_number) and none_if_missing(r.cited_date) and r.cited_number not in cited:
                cited[r.cited_number] = r.cited_date
    return cited


def derived_frames(inputs: dict[str, pd.DataFrame | None]) -> dict[str, pd.DataFrame]:
    """The datasets built across documents from ``inputs`` (dataset name → every document's rows,
    or None when there are none): the citation graph (from ``references`` and ``documents``) and
    ``norms_consolidated`` (from ``norm_items``, ``amendments``, ``documents``). Pure; a dataset
    whose inputs are missing is left out."""
    out: dict[str, pd.DataFrame] = {}
    refs, docs = inputs.get("references"), inputs.get("documents")
    if refs is not None and docs is not None:
        out.update(citation_graph(refs, docs))
    if all(inputs.get(n) is not None for n in ("norm_items", "amendments", "documents")):
        dates = cited_dates(out.get("citation_nodes"), refs)
        out["norms_consolidated"] = consolidate(inputs["norm_items"], inputs["amendments"], inputs["documents"],
                                                dates)
    return out


def _published(name: str, data_dir: Path | str) -> pd.DataFrame | None:
    """The published rows in primary-key order (as an ingest run derives from them), or None."""
    try:
        df = load(name, data_dir=data_dir)
    except DatasetNotPublished:
        return None
    return df.sort_values(list(dataset(name).primary_key), kind="stable").reset_index(drop=True)


def load_inputs(data_dir: Path | str) -> dict[str, Any]:
    """The published inputs of a consolidation; ConsolidationError names what is missing."""
    out: dict[str, Any] = {}
    for name in ("norm_items", "amendments", "documents"):
        out[name] = _published(name, data_dir)
        if out[name] is None:
            raise ConsolidationError(f"dataset {name!r} not published under {data_dir}; ingest documents first "
                                     f"(decree ingest ... --data-dir {data_dir})")
    out["cited_dates"] = cited_dates(_published("citation_nodes", data_dir),
                                     _published("references", data_dir))
    return out


def build(data_dir: Path | str) -> pd.DataFrame:
    """``consolidate`` over the datasets published under ``data_dir``. Reads only: a query."""
    i = load_inputs(data_dir)
    return consolidate(i["norm_items"], i["amendments"], i["documents"], i["cited_dates"])


def publish_consolidated(data_dir: Path | str) -> tuple[pd.DataFrame, Any]:
    """Rebuild ``norms_consolidated`` (and the citation graph) from the published inputs and
    publish them as one run. Returns the frame and the PublishResult. (An ingest run builds them
    in its own publish: ``pipeline.runs.derived``; this is for rebuilding by hand.)"""
    load_inputs(data_dir)  # a clear error when nothing was ingested
    names = ("norm_items", "amendments", "documents", "references")
    frames = derived_frames({n: _published(n, data_dir) for n in names})
    result = publish(frames, data_dir, input_hashes=[])
    return frames["norms_consolidated"], result
