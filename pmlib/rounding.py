"""Rounding as readers expect it: half away from zero, on the decimal figure they typed.

Binary floats store 2.675 as 2.67499999...; rounding that naively gives 2.67,
where a spreadsheet user expects 2.68. Scaling first and then cleaning the
last few bits keeps "what a reader sees is what is judged" true.
"""

from __future__ import annotations

import numpy as np


def round_half_away(values, decimals):
    """Round each value to its ``decimals`` places, halves away from zero; NaN stays NaN."""
    values = np.asarray(values, dtype="float64")
    scale = np.power(10.0, np.asarray(decimals, dtype="float64"))
    scaled = np.round(values * scale, 6)
    # "+ 0.0" turns the -0.0 that small negatives round to into 0.0, so no "-0.0" reaches a table.
    return np.sign(scaled) * np.floor(np.abs(scaled) + 0.5) / scale + 0.0
