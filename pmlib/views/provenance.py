"""Where each published figure came from: the council's data rows behind it and when the newest of them was supplied.

Open data names the rows (``source_rows``) so anyone can trace a figure to
the exact version a report used; the measure pages and dashboard say when it
was supplied, so a reader can see how fresh it is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.contract.periods import parse_period
from pmlib.engine.figures import figures_as_at


def provenance(report) -> pd.DataFrame:
    """For each judged measure, the data rows its value was made from and when the newest of them was supplied.

    A monthly measure's quarter is three rows, a year-to-date value every
    row since April; each is the version the report used (as at its
    ``data_as_at``), so the trail leads to the exact figure published.
    """
    j = report.judged[["measure_id", "period"]]
    ytd = report.data.measures.loc[j["measure_id"], "ytd"].to_numpy(bool)
    periods = [parse_period(code) if isinstance(code, str) else None for code in j["period"]]
    last = np.array([p.last_month if p else -1 for p in periods])
    first = np.array([(p.financial_year.first_month if y else p.first_month) if p else 0 for p, y in zip(periods, ytd, strict=True)])
    wanted = pd.DataFrame({"measure_id": j["measure_id"].to_numpy(), "first": first, "last": last})
    figures = figures_as_at(report.data.observations, report.params.data_as_at)
    prefix = len(str(report.data.data_dir)) + 1
    used = figures.merge(wanted, on="measure_id")
    used = used[(used["first_month"] >= used["first"]) & (used["first_month"] <= used["last"])].sort_values(["measure_id", "first_month"])
    used = used.assign(where=used["source"].str.slice(prefix) + ":" + used["_row"].astype("int64").astype(str))
    grouped = used.groupby("measure_id").agg(reported_on=("reported_on", "max"), source_rows=("where", " ".join))
    out = grouped.reindex(j["measure_id"])
    return pd.DataFrame(
        {
            "reported_on": pd.to_datetime(out["reported_on"]).to_numpy(),
            "source_rows": out["source_rows"].fillna("").to_numpy(),
        },
        index=j["measure_id"].to_numpy(),
    )
