"""Which target and intervention level apply to a measure's expected period.

A phased row (a quarter ``Qn`` or a month ``YYYY-MM``) wins over the year's
row. A year-to-date ``sum`` measure with no phased rows in the year has the
year's target phased evenly by months elapsed. Under the tolerance method a
blank intervention level is derived from the target. Derived levels are
rounded to the measure's decimals, like values, so what a reader sees in a
table is exactly what was compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.config import Council
from pmlib.rounding import round_half_away


def resolve_targets(rows: pd.DataFrame, measures: pd.DataFrame, targets: pd.DataFrame, council: Council) -> pd.DataFrame:
    """Target and intervention level for each row of ``rows``.

    ``rows`` has ``measure_id``, ``fy`` (financial year of the expected
    period), ``last_month`` (absolute month index where it ends) and
    ``months_elapsed`` (months from the start of its year). Returns columns
    ``target``, ``intervention`` and ``target_phased`` aligned to ``rows``.
    """
    t = targets.dropna(subset=["fy"])
    t = t.assign(fy=t["fy"].astype("int64"))
    year_rows = t[t["phased_last_month"].isna()].drop_duplicates(["measure_id", "fy"])
    phased_rows = t[t["phased_last_month"].notna()]
    # A quarter row and a month row for the same quarter end: the quarter row wins.
    phased_rows = phased_rows.assign(is_month=phased_rows["period"].str.contains("-", na=False))
    phased_rows = phased_rows.sort_values("is_month", kind="stable").drop_duplicates(["measure_id", "fy", "phased_last_month"])
    phased_years = phased_rows[["measure_id", "fy"]].drop_duplicates().assign(has_phasing=True)

    keys = rows[["measure_id", "fy", "last_month"]].astype({"fy": "int64", "last_month": "float64"})
    year = keys.merge(year_rows[["measure_id", "fy", "target", "intervention"]], on=["measure_id", "fy"], how="left")
    phased = keys.merge(
        phased_rows[["measure_id", "fy", "phased_last_month", "target", "intervention"]],
        left_on=["measure_id", "fy", "last_month"],
        right_on=["measure_id", "fy", "phased_last_month"],
        how="left",
    )
    has_phasing = keys.merge(phased_years, on=["measure_id", "fy"], how="left")["has_phasing"].fillna(False).to_numpy(bool)

    m = measures.reindex(rows["measure_id"])
    decimals = m["decimals"].to_numpy("int64")
    use_phased = phased["target"].notna().to_numpy()
    even = (m["ytd"].to_numpy(bool) & (m["aggregation"] == "sum").to_numpy() & ~has_phasing & (m["frequency"] != "annual").to_numpy())
    share = np.where(even, rows["months_elapsed"].to_numpy("float64") / 12.0, 1.0)

    target = np.where(use_phased, phased["target"].to_numpy("float64"), year["target"].to_numpy("float64") * share)
    intervention = np.where(use_phased, phased["intervention"].to_numpy("float64"), year["intervention"].to_numpy("float64") * share)
    target = np.where(even, round_half_away(target, decimals), target)
    intervention = np.where(even, round_half_away(intervention, decimals), intervention)

    if council.status_method == "tolerance":
        polarity = m["polarity"].to_numpy()
        factor = np.select([polarity == "higher", polarity == "lower"], [1 - council.tolerance_pct / 100, 1 + council.tolerance_pct / 100], np.nan)
        derived = round_half_away(target * factor, decimals)
        intervention = np.where(np.isnan(intervention), derived, intervention)

    no_target = (m["polarity"] == "none").to_numpy()
    return pd.DataFrame(
        {
            "target": np.where(no_target, np.nan, target),
            "intervention": np.where(no_target, np.nan, intervention),
            "target_phased": use_phased | (even & ~np.isnan(target)),
        },
        index=rows.index,
    )
