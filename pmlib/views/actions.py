"""Progress on each delivery plan's actions, as a quarter's report shows it.

An action keeps the status of its latest update on or before the report
quarter; a quarter with no new update says so rather than repeating an old
one as if it were fresh, because Cabinet needs to see which leads went quiet.
"""

from __future__ import annotations

import pandas as pd

from pmlib.contract.periods import Period, period_indexes
from pmlib.vocabulary import Frequency


def _with_index(updates: pd.DataFrame) -> pd.DataFrame:
    out = updates.copy()
    out["quarter_index"] = period_indexes(out["period"], Frequency.QUARTERLY).astype("int64")
    return out


def action_progress(actions: pd.DataFrame, updates: pd.DataFrame, plan_id: str, quarter: Period) -> pd.DataFrame:
    """One row per action of the plan: its latest status and update as at ``quarter``.

    Columns: ``action_id``, ``title``, ``lead``, ``due``, ``status`` (None when
    never updated), ``update``, ``update_period`` and ``current`` (the update
    is from this quarter).
    """
    plan_actions = actions[actions["plan_id"] == plan_id][["action_id", "title", "lead", "due"]]
    known = _with_index(updates[updates["action_id"].isin(plan_actions["action_id"])])
    known = known[known["quarter_index"] <= quarter.index].sort_values(["action_id", "quarter_index"])
    latest = known.groupby("action_id", sort=False).tail(1)[["action_id", "status", "update", "period", "quarter_index"]]
    out = plan_actions.merge(latest, on="action_id", how="left").rename(columns={"period": "update_period"})
    out["current"] = out["quarter_index"].eq(quarter.index).fillna(False).astype(bool)
    out["status"] = out["status"].astype(object).where(out["status"].notna(), None)
    return out.drop(columns="quarter_index").reset_index(drop=True)


def year_progress(actions: pd.DataFrame, updates: pd.DataFrame, plan_id: str, quarter: Period) -> pd.DataFrame:
    """Each action's status in every quarter of the financial year so far: the year's view at Q2 and Q4.

    One row per action (``action_id``, ``title``) and one column per quarter
    code, holding the status given that quarter or None.
    """
    quarters = [q for q in Period.year(quarter.fy_start).quarters() if q <= quarter]
    plan_actions = actions[actions["plan_id"] == plan_id][["action_id", "title"]]
    known = updates[updates["action_id"].isin(plan_actions["action_id"]) & updates["period"].isin([q.code for q in quarters])]
    wide = known.pivot(index="action_id", columns="period", values="status")
    out = plan_actions.set_index("action_id").join(wide.reindex(columns=[q.code for q in quarters]))
    return out.astype(object).where(out.notna(), None).reset_index()
