"""The returns deadline: which service units' figures and commentary were in by the quarter's ``returns_due``.

A return is only useful if it arrives in time to be checked before the pack
goes to Cabinet; the performance team chases the ones that did not. A figure
counts as in when it was first supplied (its earliest ``reported_on``), so a
later revision does not make an on-time return look late, and commentary
counts as in when a text for the measure and quarter had been supplied by the
deadline, by the same as-at rule the report uses.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pmlib.contract.loading import CouncilData
from pmlib.contract.periods import Period
from pmlib.engine.commentary import commentary_as_at
from pmlib.engine.status import judge
from pmlib.vocabulary import Status

RETURN_STATES = ("not received", "partly received", "late", "on time")
"""A return's state at the deadline, most urgent first."""


def _day(value) -> str:
    return "" if pd.isna(value) else f"{value:%Y-%m-%d}"


def returns_by_deadline(data: CouncilData, needed: pd.DataFrame, due: dt.date) -> pd.DataFrame:
    """Per owner: the figures the quarter needs, how many were first supplied by ``due`` and how many after, and the state.

    ``needed`` is one row per measure and period the report needs, with its
    owner (``data_quality.needed_periods``). Only owners whose return was
    not complete by the deadline are listed.
    """
    obs = data.observations
    first = obs.groupby(["measure_id", "period"], sort=False)["reported_on"].min().rename("first_in")
    rows = needed.join(first, on=["measure_id", "period"])
    deadline = pd.Timestamp(due)
    rows = rows.assign(on_time=rows["first_in"] <= deadline, late=rows["first_in"] > deadline)
    by = rows.groupby("owner", sort=True).agg(
        needed=("measure_id", "size"), on_time=("on_time", "sum"), late=("late", "sum"), last_in=("first_in", "max")
    )
    received = by["on_time"] + by["late"]
    state = np.select(
        [received == 0, received < by["needed"], by["late"] > 0],
        ["not received", "partly received", "late"],
        default="on time",
    )
    out = pd.DataFrame(
        {
            "owner": by.index,
            "figures needed": by["needed"].to_numpy(),
            "in by the deadline": by["on_time"].astype(int).to_numpy(),
            "in late": by["late"].astype(int).to_numpy(),
            "last figure in": [_day(d) if n else "" for d, n in zip(by["last_in"], received, strict=True)],
            "state": state,
        }
    )
    out = out[out["state"] != "on time"]
    order = out["state"].map({s: i for i, s in enumerate(RETURN_STATES)})
    return out.assign(_order=order).sort_values(["_order", "owner"]).drop(columns="_order").reset_index(drop=True)


def intervention_without_commentary(data: CouncilData, quarter: Period, as_at: dt.date | None, due: dt.date | None) -> pd.DataFrame:
    """Measures needing intervention in the quarter (judged as the report judges them) with no commentary in by ``due``.

    Each says whether commentary came in later (and when) or not at all, so
    the team knows whom to chase. Without a deadline, the report's own
    ``data_as_at`` is the cut-off.
    """
    judged = judge(data, [quarter], as_at)
    needing = judged[judged["status"] == Status.INTERVENTION.word]
    by_due = commentary_as_at(data.commentary, due or as_at)
    newest = commentary_as_at(data.commentary, None)
    given = lambda f: f[f["period"] == quarter.code].loc[lambda x: x["commentary"].fillna("").str.strip() != ""]  # noqa: E731
    in_time = set(given(by_due)["measure_id"])
    later = given(newest).set_index("measure_id")
    rows = []
    for measure_id in needing["measure_id"]:
        if measure_id in in_time:
            continue
        owner = data.measures.at[measure_id, "owner"]
        came = later["reported_on"].get(measure_id) if measure_id in later.index else None
        rows.append(
            {
                "measure": f"{measure_id} {data.measures.at[measure_id, 'name']}",
                "owner": owner if isinstance(owner, str) else "",
                "commentary": f"in late, on {_day(came)}" if came is not None and not pd.isna(came) else "none yet",
            }
        )
    return pd.DataFrame(rows, columns=["measure", "owner", "commentary"])
