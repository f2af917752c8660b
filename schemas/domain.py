"""Domain datasets: norm items, plan tasks, budget lines, schedule marks, quality checks.

Declared with ``schemas.fields.register`` and ``schemas.datasets.register_datasets``.
Values are exact decimals (``decimal``), never floats; every parsed value keeps its raw text.
"""

from __future__ import annotations

from schemas.core import Dataset, Field
from schemas.datasets import register_datasets
from schemas.fields import fields, register

F = Field

# The composite keys of norm_items (DOMAIN §9) as their parts, in joined order; each part is a
# column of norm_items. pipeline.core.keys joins them ("|" and "/"), nothing reads them back.
NORM_KEY_PARTS = ("sector", "commodity", "practice", "section_type", "period_type", "item_key", "basis_unit",
                  "scale_key")
NORM_ADDRESS_PARTS = ("instrument", "provision", "appendix_key", "part", "model_no", "section_no", "scope",
                      "period_index", "item_position", "scale_key")
# parts declared for the keys only (the others are columns in their own right, listed earlier)
NORM_KEY_ONLY_PARTS = ("commodity", "practice", "item_key", "scale_key")
NORM_ADDRESS_ONLY_PARTS = ("instrument", "provision", "appendix_key", "period_index", "item_position")

register(
    # ---- shared context -----------------------------------------------------------------------
    F("family", "string", "Table family that claimed the table (schemas/table_families.yaml)."),
    F("appendix", "string", "Appendix label the row sits under ('Phụ lục I', 'PHỤ LỤC 2'); null outside appendices."),
    F("appendix_title", "string", "Title printed under the appendix label."),
    F("group_label", "string", "Text of the last group row above the row ('I Định mức công lao động'), as printed."),
    F("flags", "list_string", "Problems found while normalizing the row (never a reason to drop it)."),
    # ---- norm items ---------------------------------------------------------------------------
    F("value_col", "int", "0-based grid column of the value (several per row in multi-scale tables)."),
    F("sector", "string", "Sector code from the appendix topic (trong_trot, chan_nuoi, thuy_san, dao_tao, thong_tin)."),
    F("part", "string", "Part letter/numeral (Phần 'A', group 'I'), as printed; meaning changes between decrees."),
    F("model_no", "string", "Model number as printed ('7'); shown, never joined on."),
    F("model_title", "string", "Model heading text as printed."),
    F("scope", "string", "In-model scope letter ('A'/'B', 30/2023 models 8 and 9)."),
    F("section_no", "string", "Section number as printed ('7.1')."),
    F("section_title", "string", "Section heading text as printed."),
    F("section_type", "string", "Section type code (vat_tu, csvc, tuoi, trien_khai, chi_tieu, chung_nhan, lao_dong, "
                                "hoc_lieu)."),
    F("basis_quantity", "decimal", "Quantity of the basis line ('Tính cho: 01 ha' → 1)."),
    F("basis_unit_raw", "string", "Unit of the basis line as printed ('ha', 'mô hình (20ha)')."),
    F("basis_unit", "string", "Canonical code of the basis unit (unit grammar, docs/units.md); null when unknown."),
    F("period", "string", "Period (Thời kỳ) label, inherited through merged cells; null when none is printed."),
    F("period_type", "string", "Period type code of the norm key ('chuyen_doi_1', 'nam_2_3'; 'none'; 'unknown')."),
    F("item_no", "string", "Item numbering as printed ('1.2', '1.3.', '-'), or the STT/TT cell."),
    F("item_text", "string", "Item text without its numbering, NFC."),
    F("unit_raw", "string", "Unit cell exactly as printed."),
    F("unit", "string", "Canonical unit code from the unit grammar ('kg_per_ha_per_year'; docs/units.md); 'packed' for several units in one cell."),
    F("unit_dimension", "string", "Dimension of the canonical unit (mass, area, money, count, ...; compounds 'mass_per_area')."),
    F("unit_factor", "decimal", "Factor from the printed unit to the canonical code ('tấn' → 1000 kg)."),
    F("unit_known", "bool", "The printed unit is understood by the unit grammar or its exceptions (false for blank or unknown units)."),
    F("value_raw", "string", "Value cell exactly as printed."),
    F("value", "decimal", "The value as an exact decimal (numbers, comparator bounds, product of factors)."),
    F("value_min", "decimal", "Lower bound (ranges, ≥/> comparators)."),
    F("value_max", "decimal", "Upper bound (ranges, ≤/< comparators)."),
    F("comparator", "string", "Comparator code: '<=', '>=', '<', '>', '~='."),
    F("factors", "list_string", "Operands of a product ('05 x 04' → ['5', '4']) or fraction, as exact decimal text."),
    F("value_kind", "string", "number, range, comparator, product, fraction, percent, text, blank, not_applicable, "
                              "mark, multi, unparsed."),
    F("value_text", "string", "The value text cleaned (markup dropped), for text values."),
    F("value_unit_hint", "string", "Words or '%' printed after the number inside the value cell."),
    F("is_parsed", "bool", "The value was understood (false: see parse_problem)."),
    F("parse_problem", "string", "Why the value is not (fully) understood."),
    F("scale_raw", "string", "Scale column label as printed ('200-300 đại biểu'); null for one-value tables."),
    F("scale_min", "decimal", "Lower bound of the scale label."),
    F("scale_max", "decimal", "Upper bound of the scale label."),
    F("scale_open_min", "bool", "The lower bound is exclusive ('Trên 30%', '>50')."),
    F("scale_open_max", "bool", "The upper bound is exclusive ('< 50', 'Dưới')."),
    F("reference", "string", "Reference document (Tài liệu viện dẫn / Trích dẫn / Căn cứ), inherited through merges."),
    F("note", "string", "Remarks (Ghi chú), inherited through merges."),
    F("spec", "string", "Technical requirement (Tiêu chuẩn, yêu cầu kỹ thuật) printed beside the value."),
    F("grade", "string", "Grade or rank printed in its own column beside the item ('3/9' for 'Biên tập viên hạng III')."),
    F("work", "string", "Work step (Nội dung công việc) printed beside the item ('- Trang layout CSDL')."),
    F("product_code", "string", "Product or norm code (Mã hiệu), from the row or the group row above it."),
    F("parent_item", "string", "The parent item the row belongs to, as printed ('2. Thức ăn hỗn hợp' for "
                               "'- Giai đoạn 21 ngày'): a row with no value followed by deeper rows."),
    F("extra", "list_string", "Printed cells of columns no typed column holds, as 'header label: text'; null when none."),
    # the parts of the two composite keys (DOMAIN §9) are columns; the joined keys are derived
    # from them by pipeline.core.keys (NORM_KEY_PARTS / NORM_ADDRESS_PARTS below)
    F("commodity", "string", "Commodity from the model title, practice and generic words dropped ('dừa'); '-' without "
                             "a model title. Part of norm_key."),
    F("practice", "string", "Production practice from the model title ('hữu cơ'), '-' when none is named. Part of "
                            "norm_key."),
    F("item_key", "string", "The item text as matched across decrees, with its grade and work step when printed: one space, trailing ' :' dropped, casefolded. "
                            "Part of norm_key."),
    F("scale_key", "string", "The scale label as a slug ('200_300_dai_bieu'); null for one-value tables. Last part of "
                             "norm_key (only when present) and of norm_address."),
    F("norm_key", "string", "Semantic key for matching a norm across decrees (DOMAIN §9), derived from its parts: "
                            "sector|commodity|practice|section_type|period_type|item_key|basis_unit[|scale_key] "
                            "(a missing part is '-')."),
    F("instrument", "string", "The instrument as a key: its document number as a slug ('33-2022-QD-UBND'), else the "
                              "first 12 characters of doc_sha256. First part of norm_address."),
    F("provision", "string", "Where in the instrument the table sits: the article as a slug ('DIEU_1'), 'PL' inside an "
                             "appendix, '-' otherwise. Part of norm_address."),
    F("appendix_key", "string", "The appendix label as a slug ('PHU_LUC_I'); '-' outside appendices. Part of "
                                "norm_address."),
    F("period_index", "string", "The row's period block in its table, in printed order ('P1', 'P2'); '-' without a "
                                "period column. Part of norm_address."),
    F("item_position", "string", "The item number as printed, or 'r<row>' (the table row) when there is none. Part of "
                                 "norm_address."),
    F("norm_address", "string", "Positional address as printed (DOMAIN §9), derived from its parts: instrument/provision/"
                                "appendix_key/part/model_no/section_no/scope/period_index/item_position/scale_key "
                                "(a missing part is '-')."),
    # ---- plan tasks ---------------------------------------------------------------------------
    F("task_no", "string", "Task number as printed (TT/STT cell)."),
    F("content", "string", "Task content (Nội dung thực hiện / Nhiệm vụ thực hiện)."),
    F("inputs", "string", "Input activities (Các hoạt động đầu vào)."),
    F("lead_unit", "string", "Lead agency (Cơ quan/Đơn vị chủ trì)."),
    F("partner_units", "string", "Co-operating agencies (Cơ quan/Đơn vị phối hợp)."),
    F("support_units", "string", "Supporting agencies (Cơ quan hỗ trợ)."),
    F("time_raw", "string", "Time frame as printed ('Quý III-IV/2025')."),
    F("time_start_date", "date", "Start of the parsed time frame."),
    F("time_end_date", "date", "End of the parsed time frame (inclusive)."),
    F("time_parsed", "bool", "The time frame was understood as a calendar span."),
    F("product", "string", "Expected product / target (Kết quả, Sản phẩm/yêu cầu đạt được)."),
    # ---- budget lines -------------------------------------------------------------------------
    F("line_kind", "string", "item, group or total.", enum=("item", "group", "total")),
    F("line_no", "string", "STT as printed ('I', '1')."),
    F("item", "string", "Budget item (Hạng mục)."),
    F("total_raw", "string", "Total cell as printed."),
    F("total_vnd", "decimal", "Total in đồng, exact.", unit="VND"),
    F("nstw_raw", "string", "Central budget (NSTW) cell as printed."),
    F("nstw_vnd", "decimal", "Central budget in đồng.", unit="VND"),
    F("province_raw", "string", "Provincial budget (Ngân sách tỉnh) cell as printed."),
    F("province_vnd", "decimal", "Provincial budget in đồng.", unit="VND"),
    F("commune_raw", "string", "Commune budget (Ngân sách xã, phường) cell as printed."),
    F("commune_vnd", "decimal", "Commune budget in đồng.", unit="VND"),
    F("counterpart_raw", "string", "Counterpart funds (Vốn đối ứng) cell as printed."),
    F("counterpart_vnd", "decimal", "Counterpart funds in đồng.", unit="VND"),
    F("funding", "string", "Funding programme text (Nguồn vốn lồng ghép)."),
    F("implementing_unit", "string", "Implementing unit (Đơn vị thực hiện)."),
    # ---- schedule marks -----------------------------------------------------------------------
    F("coop_no", "string", "Row number as printed."),
    F("cooperative", "string", "Cooperative with its scale and location, as printed."),
    F("period_label", "string", "Period column label ('2017-2018', '2021-2025')."),
    F("is_marked", "bool", "The cell holds an 'x' mark."),
    F("mark_raw", "string", "The cell exactly as printed."),
    # ---- quality checks -----------------------------------------------------------------------
    F("check_name", "string", "Check: declared_models, budget_total, unknown_units, unparsed_values, "
                              "empty_required_fields, missing_period, unclaimed_tables, repeated_operations, conflicting_operations, "
                              "duplicate_renderings (the same document, by number, issuer and signing date, held in "
                              "several files: passed when their norm rows agree; scope = that identity).",
      nullable=False),
    F("check_scope", "string", "What was checked ('Phụ lục I', 'table 1 group I NSTW', 'norm_items').",
      nullable=False),
    F("expected", "string", "Expected value (declared count, printed total, 0 problems)."),
    F("actual", "string", "Value found (models counted, sum of lines, problems found)."),
    F("passed", "bool", "expected == actual."),
    F("severity", "string", "error (data disagrees with itself) or warning (needs a look).",
      enum=("error", "warning")),
    F("detail", "string", "Human explanation; lists the offending rows or strings."),
)

_CTX = ("doc_sha256", "doc_number", "table_index", "row", "page")

register_datasets(
    Dataset(
        "norm_items",
        "One row per norm value (per scale column in multi-scale tables), typed and unit-normalized, with the "
        "heading path, a semantic norm key for matching across decrees and provenance.",
        fields(*_CTX, "value_col", "family", "heading_path", "appendix", "appendix_title", "sector", "part",
               "model_no", "model_title", "scope", "section_no", "section_title", "section_type", "basis_raw",
               "basis_quantity", "basis_unit_raw", "basis_unit", "period", "period_type", "group_label", "item_no",
               "item_text", "unit_raw", "unit", "unit_dimension", "unit_factor", "unit_known", "value_raw", "value",
               "value_min", "value_max", "comparator", "factors", "value_kind", "value_text", "value_unit_hint",
               "is_parsed", "parse_problem", "scale_raw", "scale_min", "scale_max", "scale_open_min",
               "scale_open_max", "reference", "note", "spec", "grade", "work", "product_code", "parent_item", "extra",
               *NORM_KEY_ONLY_PARTS, "norm_key", *NORM_ADDRESS_ONLY_PARTS, "norm_address", "flags"),
        primary_key=("doc_sha256", "table_index", "row", "value_col"),
        required=("page", "family", "value_raw"),
    ),
    Dataset(
        "plan_tasks",
        "Task rows of plan tables: group, number, content, agencies, time frame (raw and parsed), product.",
        fields(*_CTX, "heading_path", "appendix", "group_label", "task_no", "content", "inputs", "lead_unit",
               "partner_units", "support_units", "time_raw", "time_start_date", "time_end_date", "time_parsed",
               "product", "flags"),
        primary_key=("doc_sha256", "table_index", "row"),
        required=("page",),
    ),
    Dataset(
        "budget_lines",
        "Budget rows (items, group subtotals, grand total) with exact đồng amounts per funding source.",
        fields(*_CTX, "appendix", "line_kind", "group_label", "line_no", "item", "total_raw", "total_vnd",
               "nstw_raw", "nstw_vnd", "province_raw", "province_vnd", "commune_raw", "commune_vnd",
               "counterpart_raw", "counterpart_vnd", "funding", "implementing_unit", "flags"),
        primary_key=("doc_sha256", "table_index", "row"),
        required=("page",),
    ),
    Dataset(
        "schedule_marks",
        "Cooperative schedule: one row per cooperative and period column, marked ('x') or not, with any note.",
        fields(*_CTX, "appendix", "group_label", "coop_no", "cooperative", "period_label", "is_marked", "mark_raw",
               "note"),
        primary_key=("doc_sha256", "table_index", "row", "period_label"),
        required=("page",),
    ),
    Dataset(
        "quality_checks",
        "One row per check per document: declared vs found models, budget totals vs their lines, unknown units, "
        "unparsed values, empty required fields. Expected and actual are kept; a failing check drops nothing.",
        fields("doc_sha256", "check_name", "check_scope", "expected", "actual", "passed", "severity", "detail"),
        primary_key=("doc_sha256", "check_name", "check_scope"),
        required=("passed", "severity"),
    ),
)
