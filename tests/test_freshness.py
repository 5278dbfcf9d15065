"""When a measure's next figure is due, worked by hand from the status rules' expected period, and how fresh each figure is."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmlib.contract.params_folder import report_params
from pmlib.contract.periods import Frequency, Period, parse_period, parse_quarter
from pmlib.engine.freshness import next_period_end
from pmlib.engine.status import expected_period_end
from pmlib.views.freshness import freshness_words, last_updated
from pmlib.views.report import quarter_report


def _period(end: int, frequency: str) -> str:
    return Period.year(end // 4).code if frequency == "annual" else Period(Frequency.QUARTERLY, end).code


# report quarter, frequency, lag -> the next figure's period, the report that first includes it
NEXT = [
    ("2021/22 Q2", "quarterly", 0, "2021/22 Q3", "2021/22 Q3"),
    ("2021/22 Q2", "quarterly", 1, "2021/22 Q2", "2021/22 Q3"),
    ("2021/22 Q4", "quarterly", 0, "2022/23 Q1", "2022/23 Q1"),
    ("2021/22 Q2", "monthly", 0, "2021/22 Q3", "2021/22 Q3"),
    ("2021/22 Q2", "monthly", 1, "2021/22 Q2", "2021/22 Q3"),  # lag 1 month: the quarter ending a month before
    ("2021/22 Q2", "monthly", 4, "2021/22 Q1", "2021/22 Q3"),  # 4 months: two quarters back
    ("2021/22 Q2", "annual", 0, "2021/22", "2021/22 Q4"),  # the year ending 31 March 2022, first in the Q4 report
    ("2021/22 Q1", "annual", 0, "2021/22", "2021/22 Q4"),
    ("2021/22 Q4", "annual", 0, "2022/23", "2022/23 Q4"),  # Q4 already shows 2021/22: the next year waits a year
    ("2021/22 Q4", "annual", 1, "2021/22", "2022/23 Q4"),
    ("2021/22 Q3", "annual", 2, "2019/20", "2021/22 Q4"),  # Q3 shows 2018/19 (2020/21 two years back)
]


@pytest.mark.parametrize(("quarter", "frequency", "lag", "period", "report"), NEXT)
def test_next_figure_worked_by_hand(quarter, frequency, lag, period, report):
    ends, following = next_period_end(np.array([frequency], dtype=object), np.array([lag]), parse_quarter(quarter).index)
    assert _period(int(ends[0]), frequency) == period
    assert Period(Frequency.QUARTERLY, int(following[0])).code == report


@given(
    st.sampled_from(["monthly", "quarterly", "annual"]),
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=2000 * 4, max_value=2040 * 4),
)
def test_the_next_report_is_the_first_that_expects_a_later_period(frequency, lag, report):
    freq = np.array([frequency], dtype=object)
    ends, following = next_period_end(freq, np.array([lag]), report)
    now = expected_period_end(freq, lag, report)[0]
    assert ends[0] > now
    between = [expected_period_end(freq, lag, r)[0] for r in range(report + 1, int(following[0]))]
    assert all(e == now for e in between)
    assert expected_period_end(freq, lag, following[0])[0] == ends[0]


@pytest.fixture(scope="module")
def report():
    return quarter_report(report_params("params", "2021/22 Q2"), "data", "params")


def test_the_next_figure_is_due_as_long_after_its_quarter_as_this_report_came_after_its_own(report):
    # 2021/22 Q2 ends 30 September 2021 and its figures are as at 31 October: 31 days later.
    assert report.params.data_as_at == dt.date(2021, 10, 31)
    table = report.freshness
    quarterly = table.loc["SE02"]
    assert (quarterly["period"], quarterly["next_period"]) == ("2021/22 Q2", "2021/22 Q3")
    assert quarterly["next_expected"] == pd.Timestamp("2022-01-31")  # 31 December + 31 days
    annual = table.loc["DP01"]
    assert (annual["period"], annual["next_period"], annual["next_expected"]) == ("2020/21", "2021/22", pd.Timestamp("2022-05-01"))
    assert list(table.index) == list(report.judged["measure_id"])


def test_supply_dates_are_the_newest_row_behind_the_figure(report):
    obs = report.data.observations
    rows = obs[(obs["measure_id"] == "SE02") & (obs["period"] == "2021/22 Q2")]
    rows = rows[rows["reported_on"] <= pd.Timestamp(report.params.data_as_at)]
    assert report.freshness.loc["SE02", "reported_on"] == rows["reported_on"].max()
    assert last_updated(report) == max(d.date() for d in report.freshness["reported_on"].dropna())
    assert last_updated(report) <= report.params.data_as_at


def test_freshness_in_words():
    row = {"period": "2021/22 Q2", "reported_on": pd.Timestamp("2021-10-13"), "next_period": "2021/22 Q3"}
    row["next_expected"] = pd.Timestamp("2022-01-31")
    assert (
        freshness_words(row)
        == "Figure for 2021/22 Q2, supplied on 13 October 2021. Next figure, for 2021/22 Q3, expected by 31 January 2022."
    )
    assert freshness_words(row | {"reported_on": pd.NaT}).startswith("Figure for 2021/22 Q2; the date it was supplied was not recorded.")
    assert freshness_words(row, has_figure=False).startswith("No figure has been supplied for 2021/22 Q2.")


def test_open_data_carries_next_expected(report):
    from pmlib.views.open_data import measures_table

    table = measures_table(report).set_index("measure_id")
    assert table.loc["SE02", "next_expected"] == "2022-01-31"
    assert table.loc["SE02", "reported_on"] == f"{report.freshness.loc['SE02', 'reported_on']:%Y-%m-%d}"
    assert parse_period(table.loc["DP01", "period"]).frequency is Frequency.ANNUAL
