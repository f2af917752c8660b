"""The citation graph (docs/DOMAIN.md §4): which document cites which, built from the
``references`` rows of every ingested document. A document that is only cited is a node too,
with what the references say about it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from pipeline.records.datasets import frame
from pipeline.records.references import normalize_doc_number

__all__ = ["citation_graph"]


def _mode(values: Iterable[Any]) -> Any:
    vals = [v for v in values if v is not None and not (isinstance(v, float) and pd.isna(v)) and v is not pd.NA]
    if not vals:
        return None
    return Counter(vals).most_common(1)[0][0]


def citation_graph(references: pd.DataFrame | Sequence[dict[str, Any]],
                   documents: pd.DataFrame | Sequence[dict[str, Any]] | None = None) -> dict[str, pd.DataFrame]:
    """Nodes and edges of the citation graph from ``references`` rows (and ``documents`` rows,
    which mark the ingested nodes and give their own metadata). A document that is only cited
    (04/2021/QĐ-UBND) is a node with ``is_ingested`` false and the type, issuer and date the
    references give (the most frequent value). Self references are not edges."""
    refs = pd.DataFrame(list(references) if not isinstance(references, pd.DataFrame) else references)
    docs = pd.DataFrame(list(documents) if documents is not None and not isinstance(documents, pd.DataFrame)
                        else documents if documents is not None else [])
    nodes: dict[str, dict[str, Any]] = {}
    for d in docs.astype(object).where(docs.notna(), None).to_dict("records") if len(docs) else []:
        num = normalize_doc_number(d.get("doc_number"))[0] if d.get("doc_number") else None
        if num is None:
            continue
        nodes[num] = {"doc_number": num, "is_ingested": True, "ingested_sha256": d.get("doc_sha256"),
                      "doc_type": d.get("doc_type"), "issuer": d.get("issuer"),
                      "signing_date": d.get("signing_date"), "n_citations": 0, "n_citing_docs": 0,
                      "number_variants": []}
    edges: list[dict[str, Any]] = []
    if len(refs):
        cited = refs[refs["cited_number"].notna() & refs["cited_type"].notna()]
        for num, g in cited.groupby("cited_number", sort=True):
            others = g[~g["is_self"].astype(bool)]
            node = nodes.setdefault(num, {
                "doc_number": num, "is_ingested": False, "ingested_sha256": None, "doc_type": _mode(g["cited_type"]),
                "issuer": _mode(g["cited_issuer"]), "signing_date": _mode(g["cited_date"]), "n_citations": 0,
                "n_citing_docs": 0, "number_variants": []})
            node["n_citations"] = int(len(others))
            node["n_citing_docs"] = int(others["citing_doc_number"].nunique())
            node["number_variants"] = sorted({str(v) for v in g["cited_number_raw"].dropna()})
            for citing, eg in others.groupby("citing_doc_number", sort=True):
                edges.append({
                    "citing_doc_number": citing, "cited_number": num, "cited_type": _mode(eg["cited_type"]),
                    "relations": sorted(set(eg["relation"].dropna())), "n_citations": int(len(eg)),
                    "pages": sorted({int(p) for p in eg["page"].dropna()}),
                })
    return {"citation_nodes": frame("citation_nodes", sorted(nodes.values(), key=lambda n: n["doc_number"])),
            "citation_edges": frame("citation_edges", edges)}
