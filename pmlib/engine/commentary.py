"""The as-at view of officers' commentary: which text a report shows for each measure and quarter.

Commentary is supplied, and sometimes rewritten, after a quarter ends. A
report frozen at ``data_as_at`` must show the text that had been supplied by
then, as its figures do (``pmlib.engine.figures``), so a quarter rebuilt
later shows the commentary it first showed, not a rewrite made for a later
meeting. A row without ``reported_on`` counts as supplied at the start of
time: it applies to every report, and any dated row on or before the report's
date replaces it. Files written before ``reported_on`` existed have only
undated rows, one per measure and quarter, and so read exactly as before.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pmlib.engine.figures import reported_days

_KEY = ["measure_id", "period"]


def commentary_as_at(commentary: pd.DataFrame, as_at: dt.date | None) -> pd.DataFrame:
    """One row per measure and quarter: the newest supplied on or before ``as_at`` (None: the newest of all).

    Rows keep their columns and file order. A frame without ``reported_on``
    is all undated rows. On a tie of dates (an error ``pm check`` reports)
    the later row wins, as for figures.
    """
    if "reported_on" in commentary:
        days = reported_days(commentary)
    else:
        days = np.full(len(commentary), np.iinfo("int64").min + 1)
    limit = np.iinfo("int64").max if as_at is None else np.datetime64(as_at, "D").astype("int64")
    usable = np.flatnonzero(days <= limit)
    order = usable[np.argsort(days[usable], kind="stable")]
    rows = commentary.iloc[order].assign(_place=order)
    newest = rows.drop_duplicates(_KEY, keep="last").sort_values("_place")
    return newest.drop(columns="_place").reset_index(drop=True)
