"""How fresh each published figure is: the period it covers, when it was supplied, and when the next one is expected.

Residents distrust figures that look months old without saying so. Each
measure's page, the measures dashboard and the open data say the same three
things, from the same report: the period (the status rules' expected
period), the date the newest figure behind it was supplied, and the date the
next figure is expected. That date is when the first later report that
includes it should have its figures: the end of that report's quarter plus
this report's own gap between its quarter's end and ``data_as_at``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pmlib.contract.periods import Period
from pmlib.engine.freshness import next_period_end
from pmlib.vocabulary import Frequency


def _date(value) -> str:
    return f"{value:%-d %B %Y}"


def freshness(report) -> pd.DataFrame:
    """One row per published measure (the report's ``judged`` order), indexed by ``measure_id``.

    Columns: ``period`` (what the shown figure covers), ``reported_on``
    (NaT where no figure or no date was supplied), ``next_period`` and
    ``next_expected``.
    """
    j = report.judged
    m = report.data.measures.loc[j["measure_id"]]
    frequency = m["frequency"].to_numpy(object)
    ends, following = next_period_end(frequency, m["lag"].fillna(0).to_numpy("int64"), report.quarter.index)
    annual = Frequency.codes(frequency) == Frequency.ANNUAL
    next_period = [Period.year(e // 4).code if a else Period(Frequency.QUARTERLY, e).code for e, a in zip(ends, annual, strict=True)]
    lead = report.params.data_as_at - report.quarter.end
    expected = {f: Period(Frequency.QUARTERLY, f).end + lead for f in np.unique(following)}
    return pd.DataFrame(
        {
            "period": j["period"].to_numpy(object),
            "reported_on": report.provenance["reported_on"].to_numpy(),
            "next_period": next_period,
            "next_expected": pd.to_datetime([expected[f] for f in following]),
        },
        index=pd.Index(j["measure_id"].to_numpy(), name="measure_id"),
    )


def freshness_words(row, *, has_figure: bool = True) -> str:
    """The three facts as a reader's sentence, e.g. "Figure for 2021/22 Q2, supplied on 14 October 2021. Next figure ..."."""
    period = row["period"] if isinstance(row["period"], str) else None
    if period is None:
        first = "No figure is expected yet."
    elif not has_figure:
        first = f"No figure has been supplied for {period}."
    elif pd.isna(row["reported_on"]):
        first = f"Figure for {period}; the date it was supplied was not recorded."
    else:
        first = f"Figure for {period}, supplied on {_date(row['reported_on'])}."
    return f"{first} Next figure, for {row['next_period']}, expected by {_date(row['next_expected'])}."


def last_updated(report) -> dt.date | None:
    """The newest supply date of any published figure: when the site's figures last changed."""
    supplied = report.freshness["reported_on"].dropna()
    return None if supplied.empty else supplied.max().date()
