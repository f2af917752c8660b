"""The composite norm keys are joined from their part columns in the order of DOMAIN §9."""

from __future__ import annotations

from pipeline.core.keys import norm_address, norm_key
from schemas import dataset
from schemas.domain import NORM_ADDRESS_PARTS, NORM_KEY_PARTS

ROW = {"sector": "trong_trot", "commodity": "dừa", "practice": "hữu cơ", "section_type": "vat_tu",
       "period_type": "trong_moi_nam_1", "item_key": "phân hữu cơ vi sinh", "basis_unit": "ha", "scale_key": None,
       "instrument": "33-2022-QD-UBND", "provision": "PL", "appendix_key": "PHU_LUC_I", "part": "A", "model_no": "7",
       "section_no": "7.1", "scope": None, "period_index": "P1", "item_position": "1.1"}


def test_norm_key_leaves_out_a_missing_scale_and_marks_other_missing_parts() -> None:
    assert norm_key(ROW) == "trong_trot|dừa|hữu cơ|vat_tu|trong_moi_nam_1|phân hữu cơ vi sinh|ha"
    assert norm_key({**ROW, "basis_unit": None, "scale_key": "200_300_dai_bieu"}) == \
        "trong_trot|dừa|hữu cơ|vat_tu|trong_moi_nam_1|phân hữu cơ vi sinh|-|200_300_dai_bieu"


def test_norm_address_has_every_part_in_order() -> None:
    assert norm_address(ROW) == "33-2022-QD-UBND/PL/PHU_LUC_I/A/7/7.1/-/P1/1.1/-"


def test_every_part_is_a_declared_column_of_norm_items_and_norms_consolidated() -> None:
    for name in ("norm_items", "norms_consolidated"):
        assert set(NORM_KEY_PARTS) | set(NORM_ADDRESS_PARTS) <= set(dataset(name).columns), name
