"""Legal datasets: references between documents (the citation graph), people named in plans,
and amendment operations (docs/DOMAIN.md §4.1).

Declared with ``schemas.fields.register`` and ``schemas.datasets.register_datasets``.
"""

from __future__ import annotations

from schemas.core import Dataset, Field
from schemas.datasets import register_datasets
from schemas.fields import fields, register

F = Field

_RELATIONS = ("self", "issued_with", "basis", "proposal", "amends", "implements", "consults", "cites")
_OPERATIONS = ("amend", "replace", "insert", "repeal", "correct")

register(
    # ---- references ---------------------------------------------------------------------------
    F("ref_index", "int", "0-based order of the reference in the citing document (body text first, then "
                          "table cells in table/row/column order)."),
    F("citing_doc_number", "string", "Normalized number of the citing document (e.g. '33/2022/QĐ-UBND'); "
                                     "null when the citing document prints none."),
    F("cited_number", "string", "Normalized number of the cited document: spaces and stray ':' removed, the "
                                "serial zero-padded to two digits ('4/2021/QĐ-UBND' → '04/2021/QĐ-UBND', "
                                "'33 /2022/QĐ-UBND' → '33/2022/QĐ-UBND'); for standards 'TCVN 11041-2:2017', for "
                                "product codes the code ('TT6001', 'ĐT1001'); null for a blank draft number and for a law "
                                "cited by name and date without a number."),
    F("cited_number_raw", "string", "The cited number exactly as printed; for a law cited by name and date, its "
                                    "name ('Luật Tổ chức chính quyền địa phương')."),
    F("cited_type", "string", "Kind of the cited document: Quyết định, Nghị định, Thông tư, Thông tư liên tịch, "
                              "Nghị quyết, Kế hoạch, Tờ trình, Công văn, Chỉ thị, Luật, TCVN, Mã sản phẩm, ... "
                              "From the words before the number, else from the number's type code (QĐ, NĐ, TT, ...)."),
    F("cited_date", "date", "Date of the cited document ('ngày 03 tháng 3 năm 2021', 'ngày 03/3/2021'); null when "
                            "none is printed or it is blank."),
    F("cited_date_raw", "string", "The date phrase exactly as printed; kept even when it cannot be parsed."),
    F("cited_issuer", "string", "Issuing body of the cited document: from the 'của …' phrase when printed, else "
                                "from the number's issuer code (NĐ-CP → Chính phủ, BNN → Bộ Nông nghiệp và Phát "
                                "triển nông thôn, BTC → Bộ Tài chính, UBND → Ủy ban nhân dân)."),
    F("cited_issuer_raw", "string", "The 'của …' issuer phrase exactly as printed; null when absent."),
    F("relation", "string", "How the citing document uses the cited one, from the surrounding words: self (its "
                            "own number line), issued_with ('Ban hành kèm theo' captions), basis ('Căn cứ'), "
                            "proposal ('Tờ trình', 'Theo đề nghị'), amends ('Sửa đổi', 'Bổ sung', 'thay thế', "
                            "'bãi bỏ', 'đính chính'), implements ('triển khai', 'thực hiện'), consults "
                            "('Tham khảo', 'theo'), cites (anything else).", enum=_RELATIONS),
    F("is_self", "bool", "The cited number is the citing document's own number."),
    F("mention_context", "string", "The sentence (or table cell) the item was found in, NFC."),
    F("source_kind", "string", "Where the text was found: body (text outside tables) or table (a cell).",
      enum=("body", "table")),
    F("legal_flags", "list_string", "What could not be parsed or looked wrong: number_placeholder, number_spacing, "
                              "number_zero_padded, date_unparsed, type_conflict (words and type code disagree, e.g. "
                              "'Quyết định số 2885/KH-UBND'), self_number_mismatch (a 'Ban hành kèm theo' caption "
                              "prints another number than the document's), effective_date_not_stated, cited_by_name "
                              "(a law cited by name and date), cited_year_only (by name and year: the date is null, "
                              "the year in cited_date_raw), serial_without_year ('Luật … số 84 ngày …'), repeated_in:<clause> (an amendment operation stated "
                              "again by another clause, kept once), ..."),
    # ---- people -------------------------------------------------------------------------------
    F("person_index", "int", "0-based order of the person mention in the document."),
    F("honorific", "string", "Bà or Ông, as printed (capitalized)."),
    F("person_name", "string", "Full name as printed, e.g. 'Nguyễn Kiên Nhẫn'."),
    F("person_role", "string", "Role exactly as printed after the name, e.g. 'Chi cục trưởng Chi cục Kinh tế hợp "
                               "tác và Phát triển nông thôn'."),
    F("person_title", "string", "The position part of the role, e.g. 'Chi cục trưởng', 'Phó Trưởng phòng', "
                                "'Giám đốc'; null when the role does not start with a known position."),
    F("person_unit", "string", "The unit part of the role, e.g. 'Chi cục Kinh tế hợp tác và Phát triển nông thôn'."),
    F("organization", "string", "The body the person is listed under, e.g. 'Sở Nông nghiệp và Môi trường' in "
                                "'Sở Nông nghiệp và Môi trường (Bà … - …)'."),
    # ---- amendments ---------------------------------------------------------------------------
    F("amendment_index", "int", "0-based order of the amendment clause in the amending document."),
    F("amending_doc_number", "string", "Normalized number of the amending document."),
    F("operation", "string", "amend (wording changed in place: 'sửa đổi cụm từ', 'thay cụm từ … bằng …'), replace "
                             "('Sửa đổi, bổ sung X như sau' restates X; 'Thay thế X bằng Y'), insert ('Bổ sung X "
                             "vào sau Y'), repeal ('Bãi bỏ'), correct ('Đính chính').", enum=_OPERATIONS),
    F("operation_raw", "string", "The operation words as printed, e.g. 'Sửa đổi, bổ sung', 'Bổ sung'."),
    F("target_doc_number", "string", "Normalized number of the document whose provision is operated on "
                                     "(e.g. '04/2021/QĐ-UBND', '330/KH-UBND')."),
    F("target_path", "string", "Structured address of the target (docs/DOMAIN.md §4.1): '{doc}/Điều{n}/khoản{n}/"
                               "điểm{x}/PL-{n}/{part}/{item}/{section}', then 'after:{label}' for an insertion "
                               "position, e.g. '04/2021/QĐ-UBND/PL-I/B/14', '04/2021/QĐ-UBND/Điều3a/PL-I/A/7/"
                               "after:7.5', '04/2021/QĐ-UBND/after:Điều3', '330/KH-UBND/II.1'."),
    F("target_title", "string", "Name of the target provision as printed ('MÔ HÌNH SẢN XUẤT LÚA HỮU CƠ', "
                                "'Mục tiêu'); null when none is given."),
    F("insert_position", "string", "Insertion position, 'after:{label}' (e.g. 'after:Điều3', 'after:7.5'); null when the "
                            "clause gives none."),
    F("new_label", "string", "Label of the provision an insertion adds, as printed ('Điều 3a', 'Mục 7.6')."),
    F("target_via", "string", "Where the target provision itself came from, when the clause says so ('được bổ "
                              "sung tại khoản 2 Điều 1 Quyết định số 33/2022/QĐ-UBND' → "
                              "'33/2022/QĐ-UBND/Đ1.k2')."),
    F("source_label", "string", "The amending clause's own address, e.g. '33/2022/QĐ-UBND/Đ1.k1'; for plans "
                                "without articles the item number, e.g. '2835/KH-UBND/1'."),
    F("source_appendices", "list_string", "Appendices of the amending document the clause brings in "
                                          "('PL-I', 'PL-II', ...; arabic numbering kept: 'PL-1')."),
    F("source_sections", "list_string", "Numbered sections printed inline in the clause ('14.1', '14.2', '7.6')."),
    F("text_old", "string", "For wording amendments and corrections: the quoted text replaced."),
    F("text_new", "string", "For wording amendments and corrections: the quoted replacement text."),
    F("effective_date_raw", "string", "The 'có hiệu lực … kể từ ngày …' sentence of the amending document as "
                                      "printed; null when the document states none."),
    F("clause_text", "string", "The amendment clause as printed (NFC; lines joined with newlines)."),
    # ---- citation graph -----------------------------------------------------------------------
    F("is_ingested", "bool", "The document's PDF is among the ingested documents (otherwise the node is known "
                             "only from references)."),
    F("ingested_sha256", "string", "SHA-256 of the node's ingested PDF; null when the document is only cited."),
    F("n_citations", "int", "How many reference rows point at the node / make up the edge."),
    F("n_citing_docs", "int", "How many distinct documents cite the node."),
    F("number_variants", "list_string", "Every raw spelling of the number seen in references (e.g. "
                                        "['04/2021/QĐ-UBND', '4/2021/QĐ-UBND'])."),
    F("relations", "list_string", "Distinct relations of the edge's reference rows."),
)

register_datasets(
    Dataset(
        "references",
        "Every reference to a document, standard or product code found in a document's body text and table "
        "cells, with its type, date, issuer, relation and the sentence it sits in: the citation graph's edges "
        "one occurrence at a time.",
        fields("doc_sha256", "ref_index", "citing_doc_number", "cited_number", "cited_number_raw", "cited_type",
               "cited_date", "cited_date_raw", "cited_issuer", "cited_issuer_raw", "relation", "is_self",
               "mention_context", "page", "source_kind", "table_index", "row", "col", "legal_flags"),
        primary_key=("doc_sha256", "ref_index"),
        required=("page", "relation", "source_kind"),
    ),
    Dataset(
        "people",
        "People named in plans with their role and organization ('Sở Nông nghiệp và Môi trường (Bà Nguyễn Kiên "
        "Nhẫn - Chi cục trưởng Chi cục Kinh tế hợp tác và Phát triển nông thôn)').",
        fields("doc_sha256", "person_index", "doc_number", "honorific", "person_name", "person_role",
               "person_title", "person_unit", "organization", "mention_context", "page", "source_kind", "table_index",
               "row", "col"),
        primary_key=("doc_sha256", "person_index"),
        required=("page", "source_kind"),
    ),
    Dataset(
        "amendments",
        "One row per amendment operation (docs/DOMAIN.md §4.1): amending document and clause, operation, target "
        "document and structured target path, insertion position, new label, the content the clause brings, and "
        "the effective date of the amending document.",
        fields("doc_sha256", "amendment_index", "amending_doc_number", "operation", "operation_raw",
               "target_doc_number", "target_path", "target_title", "insert_position", "new_label", "target_via",
               "source_label", "source_appendices", "source_sections", "text_old", "text_new", "effective_date",
               "effective_date_raw", "clause_text", "page", "legal_flags"),
        primary_key=("doc_sha256", "amendment_index"),
        required=("operation", "operation_raw", "page"),
    ),
    Dataset(
        "citation_nodes",
        "Documents of the citation graph, ingested or known only from references (e.g. 04/2021/QĐ-UBND), with "
        "the metadata the ingested PDF or the references give.",
        fields("doc_number", "is_ingested", "ingested_sha256", "doc_type", "issuer", "signing_date", "n_citations",
               "n_citing_docs", "number_variants"),
        primary_key=("doc_number",),
        required=("is_ingested",),
        document_key=None,
    ),
    Dataset(
        "citation_edges",
        "Citing document → cited document, one row per pair (self references left out).",
        fields("citing_doc_number", "cited_number", "cited_type", "relations", "n_citations", "pages"),
        primary_key=("citing_doc_number", "cited_number"),
        document_key=None,
    ),
)
