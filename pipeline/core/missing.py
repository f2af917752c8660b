"""Missing values read back from pandas/arrow frames: the one rule for "is there a value"."""

from __future__ import annotations

from typing import Any

import pandas as pd


def none_if_missing(x: Any) -> Any:
    """pandas missing values (NA, NaN, NaT) → None; anything else unchanged."""
    if x is None:
        return None
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    return x
