"""The as-at view: which figure a report uses for each period, and whether it was revised.

A report frozen at ``data_as_at`` uses, per measure and period, the newest row
reported on or before that date; rebuilding an old quarter later therefore
shows exactly what it first showed. A figure is *revised* when an earlier
published report used a different one for the same period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

_KEY = ["measure_id", "period"]
_FIGURE = ["value", "numerator", "denominator"]


def _latest(observations: pd.DataFrame, as_at: dt.date | None) -> pd.DataFrame:
    obs = observations
    if as_at is not None:
        obs = obs[obs["reported_on"] <= pd.Timestamp(as_at)]
    obs = obs.sort_values(_KEY + ["reported_on"], kind="stable")
    return obs.drop_duplicates(_KEY, keep="last")


def _same(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    same = np.ones(len(a), dtype=bool)
    for col in _FIGURE:
        x, y = a[col].to_numpy("float64"), b[col].to_numpy("float64")
        same &= (x == y) | (np.isnan(x) & np.isnan(y))
    return same


def figures_as_at(observations: pd.DataFrame, data_as_at: dt.date | None = None, published: Iterable[dt.date] = ()) -> pd.DataFrame:
    """One row per measure and period as a report at ``data_as_at`` sees it (None: the newest).

    ``published`` are the ``data_as_at`` dates of reports already published;
    those before ``data_as_at`` decide the ``revised`` flag: a figure is
    revised when any of them saw a different value, numerator or denominator
    for the period. A correction made before the first of them is not.
    """
    current = _latest(observations, data_as_at).set_index(_KEY)
    revised = pd.Series(False, index=current.index)
    earlier = sorted(d for d in set(published) if data_as_at is None or d < data_as_at)
    for date in earlier:
        then = _latest(observations, date).set_index(_KEY)
        common = current.index.intersection(then.index)
        if len(common):
            differs = ~_same(current.loc[common], then.loc[common])
            revised.loc[common[differs]] = True
    return current.assign(revised=revised).reset_index()
