"""Quality checks and schema validation of the domain frames."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.core.errors import FrameInvalid
from pipeline.records.datasets import frame
from pipeline.records.domain import domain_frames
from pipeline.records.validate import declared_counts, validate_frame
from schemas import dataset
from tests.test_normalize import HEADINGS, H, doc, norm_table

DECL = ["Điều 3a. Định mức kinh tế - kỹ thuật", "1. Lĩnh vực trồng trọt có 02 mô hình được quy định",
        "tại Phụ lục I. 2. Lĩnh vực chăn nuôi có 01 mô hình được quy định tại Phụ lục II.",
        "3. Nhiệm vụ thông tin tuyên truyền có 01 định mức được quy định tại Phụ lục V"]


def test_declarations_are_found_across_wrapped_lines():
    got = declared_counts(doc([], lines=DECL))
    assert {k: v[:2] for k, v in got.items()} == {"Phụ lục I": (2, "model"), "Phụ lục II": (1, "model"),
                                                 "Phụ lục V": (1, "part")}


def test_declared_vs_found_models_expected_and_actual_kept():
    hs = [*HEADINGS, H(4, "model", "8", "8. MÔ HÌNH TRỒNG MỚI, THÂM CANH CÂY DỨA THEO GAP", 1),
          H(5, "appendix", "Phụ lục II", "Phụ lục II", None, "LĨNH VỰC CHĂN NUÔI"),
          H(6, "appendix", "Phụ lục V", "Phụ lục V", None, "THÔNG TIN TUYÊN TRUYỀN"),
          H(7, "part", "I", "I. ĐỊNH MỨC SẢN XUẤT VIDEOCLIP", 6),
          H(8, "model", "1", "1. Xây dựng clip tin ngắn", 7), H(9, "model", "2", "2. Phóng sự", 7)]
    q = domain_frames(doc([norm_table()], headings=hs, lines=DECL))["quality_checks"]
    dm = q[q.check_name == "declared_models"].set_index("check_scope")
    assert dm.loc["Phụ lục I", ["expected", "actual", "passed"]].tolist() == ["2", "2", True]
    # declared 1 model, none found: reported with expected and actual, nothing dropped
    assert dm.loc["Phụ lục II", ["expected", "actual", "passed"]].tolist() == ["1", "0", False]
    # "định mức" of Phụ lục V are counted at the Roman-group (part) level, not the 2 sheets under it
    assert dm.loc["Phụ lục V", ["expected", "actual", "passed"]].tolist() == ["1", "1", True]


def test_every_domain_frame_validates_against_its_schema():
    frames = domain_frames(doc([norm_table()], lines=DECL))
    for name, df in frames.items():
        assert list(df.columns) == dataset(name).columns
        validate_frame(name, df)
    assert len(frames["norm_items"]) == 2


def test_validate_frame_rejects_bad_frames():
    df = frame("quality_checks", [{"doc_sha256": "a", "check_name": "x", "check_scope": "y", "severity": "fatal",
                                    "passed": False}])
    with pytest.raises(FrameInvalid, match="severity"):
        validate_frame("quality_checks", df)
    with pytest.raises(FrameInvalid):
        validate_frame("quality_checks", df.drop(columns=["detail"]))
    dup = pd.concat([df.assign(severity="error")] * 2, ignore_index=True)
    with pytest.raises(FrameInvalid):
        validate_frame("quality_checks", dup)


def test_decimal_values_survive_publishing(tmp_path):
    from pipeline.store.publish import publish
    from pipeline.store.read import load

    frames = domain_frames(doc([norm_table()], lines=DECL))
    publish(frames, data_dir=tmp_path)
    ni = load("norm_items", data_dir=tmp_path)
    assert [str(v) for v in ni["value"]] == ["10.000000", "2000.000000"]
    assert list(ni["unit"]) == ["kg", "VND"]
    assert len(load("quality_checks", data_dir=tmp_path)) == len(frames["quality_checks"])
