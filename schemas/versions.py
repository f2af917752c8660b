"""Consolidated versions and norm diffs (docs/DOMAIN.md §4, §9; docs/amendments.md).

``norms_consolidated`` is every norm row of the ingested instruments with its legal validity
(valid_from inclusive, valid_to exclusive), the operation that brought it into force and the one
that ended it, plus plain records for the parts of a base text that is cited but not ingested.
``norm_diffs`` compares two documents or two dates model by model, item by item.

Declared with ``schemas.fields.register`` and ``schemas.datasets.register_datasets``.
"""

from __future__ import annotations

from schemas.core import Dataset, Field
from schemas.datasets import DATASETS, register_datasets
from schemas.fields import fields, register

F = Field

_RECORD_KINDS = ("norm", "base_unavailable", "provision_without_norms")
_MODEL_MATCHES = ("identity", "title_structure", "unmatched")
_DIFF_STATUSES = ("added", "removed", "changed", "unchanged")

register(
    # ---- norms_consolidated -------------------------------------------------------------------
    F("consolidated_id", "string", "Identity of the row: '{doc_sha256}/{table_index}/{row}/{value_col}' for a norm "
                                   "row; '{record_kind}:{consolidated_path}' for the other records.", nullable=False),
    F("record_kind", "string", "norm (a norm row of an ingested document); base_unavailable (a part of a base "
                               "text that is cited but not ingested: stated, never invented); "
                               "provision_without_norms (an operation whose content has no norm values in "
                               "norm_items, e.g. a certification section supported 'theo thực tế').",
      enum=_RECORD_KINDS, nullable=False),
    F("base_doc_number", "string", "The instrument the row is consolidated into: the end of the chain of amended "
                                   "documents ('04/2021/QĐ-UBND' for rows of 33/2022 and 30/2023)."),
    F("consolidated_path", "string", "Legal address of the row in the consolidated base text: "
                                     "'{base}/{article}/PL-{n}/{part}/{model}/{section}', e.g. "
                                     "'04/2021/QĐ-UBND/Điều3a/PL-I/A/7/7.1', '04/2021/QĐ-UBND/PL-I/B/14/14.1'."),
    F("model_path", "string", "consolidated_path of the model the row belongs to (its identity across dates)."),
    F("valid_from", "date", "First day the row is in force (inclusive): the effective date of the operation that "
                            "introduced it. For a base text that is not ingested: its signing date (a lower bound; "
                            "its effective date is not known)."),
    F("valid_to", "date", "First day the row is no longer in force (exclusive): the effective date of the operation "
                          "that replaced or repealed it; null while in force."),
    F("introduced_by_doc_number", "string", "Document whose operation brought the row into force."),
    F("introduced_by_sha256", "string", "SHA-256 of that document's ingested PDF; null when it is not ingested."),
    F("introduced_by_clause", "string", "Address of the clause that did it (amendments.source_label, e.g. "
                                        "'33/2022/QĐ-UBND/Đ1.k2'); null for a document's own provisions."),
    F("introduced_by_operation", "string", "The clause's operation (replace, insert, ...) and target path, e.g. "
                                           "'insert 04/2021/QĐ-UBND/after:Điều3'."),
    F("superseded_by_doc_number", "string", "Document whose operation ended the row's validity; null while in force."),
    F("superseded_by_sha256", "string", "SHA-256 of that document's ingested PDF."),
    F("superseded_by_clause", "string", "Address of the clause that replaced or repealed the row."),
    F("superseded_by_operation", "string", "The superseding clause's operation and target path."),
    F("consolidation_note", "string", "Plain statement of how the row entered (and left) the consolidated text, "
                                      "e.g. '04/2021/QĐ-UBND PL-I/B/14: base text not available; replaced by "
                                      "33/2022/QĐ-UBND Đ1.k1 from 2022-11-22'."),
    F("consolidation_flags", "list_string", "What the consolidation could not establish or chose: "
                                            "effective_date_from_documents, effective_date_unknown, "
                                            "valid_from_is_signing_date, other_rendering:{sha12} (another file of the "
                                            "same document — number, issuer and signing date — kept as a source, not "
                                            "consolidated twice), renderings_disagree:{sha12}:{n} (that file's norm "
                                            "rows differ from this one's in n rows), ..."),
    # ---- norm_diffs ---------------------------------------------------------------------------
    F("diff_id", "string", "The comparison: '{side_a}..{side_b}' (document numbers or ISO dates).", nullable=False),
    F("diff_row", "int", "0-based order of the row in the comparison."),
    F("side_a", "string", "Left side: a document number or an in-force date (ISO)."),
    F("side_b", "string", "Right side: a document number or an in-force date (ISO)."),
    F("model_pair", "int", "0-based index of the model pair the row belongs to."),
    F("model_a", "string", "Left model: '{doc} {appendix} {part}.{model_no}' (or its consolidated path); null "
                           "when the model has no counterpart."),
    F("model_b", "string", "Right model, same form."),
    F("model_title_a", "string", "Left model heading as printed."),
    F("model_title_b", "string", "Right model heading as printed."),
    F("model_match", "string", "How the models were paired: identity (the same provision, dates only), "
                               "title_structure (normalized title, practice, sector and section structure), "
                               "unmatched (no counterpart scored at or above the threshold).",
      enum=_MODEL_MATCHES),
    F("model_score", "float", "Score of the pairing, 0-1 (title similarity x section-structure similarity; 1 for "
                              "identity); for an unmatched model, the best rejected candidate's score."),
    F("model_match_reason", "string", "Why the models were (not) paired: the scores and any hard rule "
                                      "(different practice, different sector), and the best rejected candidate."),
    F("section_no_a", "string", "Left section number as printed."),
    F("section_no_b", "string", "Right section number as printed."),
    F("period_a", "string", "Left period label as printed ('(unlabelled block 3)' when the block has none)."),
    F("period_b", "string", "Right period label as printed."),
    F("period_match", "string", "How the periods were aligned, with the reason (docs/amendments.md)."),
    F("period_score", "float", "Score of the period alignment, 0-1."),
    F("item_text_a", "string", "Left item text."),
    F("item_text_b", "string", "Right item text."),
    F("item_score", "float", "Similarity of the item texts, 0-1 (1 = same canonical text)."),
    F("diff_status", "string", "added (only right), removed (only left), changed (value or unit differs), "
                                "unchanged.", enum=_DIFF_STATUSES),
    F("unit_raw_a", "string", "Left unit as printed."),
    F("unit_raw_b", "string", "Right unit as printed."),
    F("value_raw_a", "string", "Left value as printed."),
    F("value_raw_b", "string", "Right value as printed."),
    F("value_a", "decimal", "Left value in the canonical unit (value x unit_factor), exact."),
    F("value_b", "decimal", "Right value in the canonical unit, exact."),
    F("abs_change", "decimal", "value_b - value_a in the canonical unit; null unless both are numbers in the same "
                               "unit."),
    F("rel_change", "float", "abs_change / value_a; null when value_a is 0 or absent."),
    F("doc_number_a", "string", "Document of the left row."),
    F("doc_number_b", "string", "Document of the right row."),
    F("doc_sha256_a", "string", "SHA-256 of the left row's PDF."),
    F("doc_sha256_b", "string", "SHA-256 of the right row's PDF."),
    F("page_a", "int", "1-based page of the left row in its PDF."),
    F("page_b", "int", "1-based page of the right row in its PDF."),
    F("clause_a", "string", "Clause that brought the left row into force (introduced_by_clause)."),
    F("clause_b", "string", "Clause that brought the right row into force."),
    F("norm_address_a", "string", "Positional address of the left row."),
    F("norm_address_b", "string", "Positional address of the right row."),
    F("diff_note", "string", "What else differs (reference, wording of the item, printed form of the value)."),
)

register_datasets(
    Dataset(
        "norms_consolidated",
        "Every norm row of the ingested instruments with its legal validity [valid_from, valid_to), the "
        "document and clause that introduced it and the ones that superseded it, following the amendment "
        "operations in date order; plus one record per part of a cited-but-not-ingested base text (stated, not "
        "invented) and per operation whose content carries no norm values. load('norm_items', as_of=DATE) "
        "reads it.",
        (*DATASETS["norm_items"].fields,
         *fields("consolidated_id", "record_kind", "base_doc_number", "consolidated_path", "model_path",
                 "valid_from", "valid_to", "introduced_by_doc_number", "introduced_by_sha256",
                 "introduced_by_clause", "introduced_by_operation", "superseded_by_doc_number",
                 "superseded_by_sha256", "superseded_by_clause", "superseded_by_operation", "consolidation_note",
                 "consolidation_flags")),
        primary_key=("consolidated_id",),
        required=("consolidated_path",),
        document_key=None,
    ),
    Dataset(
        "norm_diffs",
        "Two documents (or the norms in force on two dates) compared model by model: models paired by "
        "normalized title and section structure with a visible score, periods aligned by meaning, items "
        "added, removed, changed (old and new value, absolute and relative change, canonical unit) or "
        "unchanged, each with its page and introducing clause. Publishing a comparison replaces only the rows "
        "of its diff_id.",
        fields("diff_id", "diff_row", "side_a", "side_b", "model_pair", "model_a", "model_b", "model_title_a",
               "model_title_b", "model_match", "model_score", "model_match_reason", "section_type", "section_no_a",
               "section_no_b", "period_a", "period_b", "period_match", "period_score", "item_text_a", "item_text_b",
               "item_score", "diff_status", "unit", "unit_raw_a", "unit_raw_b", "value_raw_a", "value_raw_b",
               "value_a", "value_b", "abs_change", "rel_change", "doc_number_a", "doc_number_b", "doc_sha256_a",
               "doc_sha256_b", "page_a", "page_b", "clause_a", "clause_b", "norm_address_a", "norm_address_b",
               "diff_note"),
        primary_key=("diff_id", "diff_row"),
        required=("diff_status",),
        document_key="diff_id",
    ),
)
