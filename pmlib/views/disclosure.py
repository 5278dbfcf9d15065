"""What may be published: restricted measures removed, small numbers shown as ``[c]``.

Public outputs (website, public pack, open data) go through ``public_view``;
nothing downstream decides disclosure for itself. The Government Statistical
Service shorthand marks why a figure is not shown or is qualified.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.engine.comparisons import Comparisons
from pmlib.views.formats import format_value

GSS_SYMBOLS = {
    "[c]": "confidential: suppressed to protect small numbers",
    "[x]": "not available",
    "[z]": "not applicable",
    "[p]": "provisional",
    "[e]": "estimated",
    "[r]": "revised",
}
SUPPRESSED = "[c]"
_VALUE_COLUMNS = {
    "value": "suppressed",
    "period_value": "period_value_suppressed",
    "previous_value": "previous_value_suppressed",
    "year_ago_value": "year_ago_value_suppressed",
    "context_value": "context_value_suppressed",
    "forecast": "forecast_suppressed",
}


def public_view(judged: pd.DataFrame, audience: str = "public") -> pd.DataFrame:
    """The judged rows an audience may see; for the public, small-number values become NaN and flagged.

    Restricted (``public: false``) measures are dropped for the public. The
    numerator and denominator of a suppressed ratio are blanked too, so no
    value derived from a small count survives into any output.
    """
    if audience == "internal":
        return judged.copy()
    out = judged[judged["public"]].copy()
    for column, flag in _VALUE_COLUMNS.items():
        out[column] = out[column].where(~out[flag])
    for column in ("numerator", "denominator"):
        out[column] = out[column].where(~out["suppressed"])
    return out


def value_text(value: float, unit: str, decimals: int, *, suppressed=False, provisional=False, estimated=False, revised=False) -> str:
    """A published figure with its GSS markers, e.g. ``76.4% [p]``, or ``[c]`` when suppressed."""
    if suppressed:
        return SUPPRESSED
    text = format_value(value, unit, decimals)
    if text == "[x]":
        return text
    markers = [m for m, on in (("[p]", provisional), ("[e]", estimated), ("[r]", revised)) if on]
    return " ".join([text, *markers])


def value_texts(judged: pd.DataFrame, measures: pd.DataFrame) -> pd.Series:
    """``value_text`` for every row of a judged table, for tables and open data."""
    m = measures.reindex(judged["measure_id"])
    return pd.Series(
        [
            value_text(v, u, d, suppressed=s, provisional=p, estimated=e, revised=r)
            for v, u, d, s, p, e, r in zip(
                judged["value"].to_numpy(),
                m["unit"],
                m["decimals"],
                judged["suppressed"].to_numpy(bool),
                judged["provisional"].to_numpy(bool),
                judged["estimated"].to_numpy(bool),
                judged["revised"].to_numpy(bool),
                strict=True,
            )
        ],
        index=judged.index,
        dtype=object,
    )


def has_value(judged: pd.DataFrame) -> np.ndarray:
    """Rows with a figure that may be shown."""
    return judged["value"].notna().to_numpy() & ~judged["suppressed"].to_numpy(bool)


def public_comparisons(comparisons: Comparisons, measures: pd.DataFrame, audience: str = "public") -> Comparisons:
    """The comparisons an audience may see: for the public, no restricted measure, and no rank from a suppressed value.

    Where the council's value is ``[c]`` its value, rank, quartile, tie and
    comparison word are blanked (the group's size and median stay, as the
    contract says); ``suppressed`` stays set so every output writes ``[c]``.
    The council's row among the figures is blanked the same way.
    """
    if audience == "internal":
        return comparisons
    public = set(measures.index[measures["public"].to_numpy(bool)])
    table = comparisons.table[comparisons.table["measure_id"].isin(public)].copy()
    hidden = table["suppressed"].to_numpy(bool)
    for column in ("value", "rank", "quartile", "comparison"):
        table[column] = table[column].where(~hidden)
    table["tied"] = table["tied"].to_numpy(bool) & ~hidden
    figures = comparisons.figures[comparisons.figures["measure_id"].isin(public)].copy()
    figures["value"] = figures["value"].where(~figures["suppressed"].to_numpy(bool))
    return type(comparisons)(table.reset_index(drop=True), figures.reset_index(drop=True))
