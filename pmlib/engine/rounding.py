"""Rounding as readers expect it: half away from zero, on the decimal figure they typed.

Binary floats store 2.675 as 2.67499999...; rounding that naively gives 2.67,
where a spreadsheet user expects 2.68. A value within a few hundred units in
the last place of a half is taken as the half, which absorbs the error of
storing and rolling up decimal figures; anything further from the half, such
as 1 in 2,000,001 per 100,000 (0.04999997...), is rounded as the exact value
it is, so "what a reader sees is what is judged" holds at every decimal.
"""

from __future__ import annotations

import numpy as np

# 2**-44 relative is about 280 units in the last place of a float64.
_HALF_GUARD = 2.0**-44


def round_half_away(values, decimals):
    """Round each value to its ``decimals`` places, halves away from zero; NaN stays NaN."""
    values = np.asarray(values, dtype="float64")
    scale = np.power(10.0, np.asarray(decimals, dtype="float64"))
    scaled = values * scale
    size = np.abs(scaled)
    whole = np.floor(size)
    with np.errstate(invalid="ignore"):
        half = np.abs(size - whole - 0.5) <= _HALF_GUARD * np.maximum(size, 1.0)
    rounded = np.where(half, whole + 1.0, np.floor(size + 0.5))
    # "+ 0.0" turns the -0.0 that small negatives round to into 0.0, so no "-0.0" reaches a table.
    return np.copysign(rounded, scaled) / scale + 0.0
