"""Roll-ups onto the quarter grid and small-number suppression, with hand-worked figures."""

import math

import numpy as np
import pytest
from builders import make_data

from pmlib.contract.loading import load_data
from pmlib.contract.periods import Period
from pmlib.engine.figures import figures_as_at
from pmlib.engine.rollup import roll_up, small_count
from pmlib.engine.status import judge

Q2 = "2020/21 Q2"


def load(tmp_path, measures, observations, targets=()):
    return load_data(make_data(tmp_path / "data", measures, observations, list(targets)))


def one(table, measure="M1", quarter=Q2):
    rows = table[(table["measure_id"] == measure) & (table["quarter"] == quarter)]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


def months(first: str, cells, measure="M1"):
    """Observation rows for consecutive months from ``first``; a number is a value, a pair a ratio."""
    year, month = map(int, first.split("-"))
    rows = []
    for cell in cells:
        if cell is not None:
            fig = {"numerator": cell[0], "denominator": cell[1]} if isinstance(cell, tuple) else {"value": cell}
            rows.append({"measure_id": measure, "period": f"{year:04d}-{month:02d}"} | fig)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


def blank(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


COUNT = {"unit": "number", "aggregation": "sum", "disclosure_min": "5"}


# --- the roll-up grid --------------------------------------------------------------------


def test_roll_up_grid_for_a_monthly_sum(tmp_path):
    data = load(
        tmp_path, [COUNT | {"frequency": "monthly", "disclosure_min": "0"}], months("2020-04", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    )
    figures = figures_as_at(data.observations)
    q1 = Period.quarter(2020, 1).index
    roll = roll_up(data.measures, figures, q1, q1 + 3)
    start = q1 - roll.first_quarter
    own = roll.own[0, start : start + 4]
    ytd = roll.ytd[0, start : start + 4]
    assert own.tolist() == [6, 15, 24, 33]  # 1+2+3, 4+5+6, 7+8+9, 10+11+12
    assert ytd.tolist() == [6, 21, 45, 78]  # running totals over the financial year
    assert np.isnan(roll.own[0, :start]).all()  # before April 2020: no figures


def test_roll_up_ytd_restarts_each_financial_year(tmp_path):
    data = load(
        tmp_path,
        [COUNT | {"frequency": "quarterly", "disclosure_min": "0", "ytd": "true"}],
        [{"measure_id": "M1", "period": p, "value": v} for p, v in (("2019/20 Q4", 40), ("2020/21 Q1", 10), ("2020/21 Q2", 20))],
    )
    table = judge(data, ["2019/20 Q4", "2020/21 Q1", Q2])
    # 2019/20 Q4 alone (Q1-Q3 missing) is no year to date; 2020/21 starts again: 10, then 10 + 20 = 30
    assert blank(one(table, quarter="2019/20 Q4")["value"])
    assert one(table, quarter="2020/21 Q1")["value"] == 10
    assert one(table)["value"] == 30


def test_quarterly_mean_and_last_year_to_date(tmp_path):
    obs = [{"measure_id": m, "period": p, "value": v} for m in ("MEAN", "LAST") for p, v in (("2020/21 Q1", 70), ("2020/21 Q2", 90))]
    data = load(tmp_path, [{"measure_id": "MEAN", "ytd": "true"}, {"measure_id": "LAST", "ytd": "true", "aggregation": "last"}], obs)
    table = judge(data, [Q2])
    assert one(table, "MEAN")["value"] == 80.0  # (70 + 90) / 2 quarters
    assert one(table, "LAST")["value"] == 90.0  # the latest quarter


def test_monthly_ratio_year_to_date(tmp_path):
    # April-September: (1 + 2 + 3 + 4 + 5 + 6) / (10 x 6) x 100 = 21 / 60 x 100 = 35.0%
    cells = [(n, 10) for n in (1, 2, 3, 4, 5, 6)]
    table = judge(load(tmp_path, [{"frequency": "monthly", "aggregation": "ratio", "ytd": "true"}], months("2020-04", cells)), [Q2])
    row = one(table)
    assert (row["value"], row["numerator"], row["denominator"]) == (35.0, 21, 60)
    assert row["period_value"] == 50.0  # Q2 alone: (4 + 5 + 6) / 30 x 100


# --- small numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "suppressed"), [(3, True), (1, True), (4, True), (0, False), (5, False), (120, False)])
def test_small_counts_are_suppressed(tmp_path, value, suppressed):
    # disclosure_min 5: a count of 1-4 is [c]; 0 discloses nobody and 5 is at the threshold
    data = load(
        tmp_path, [COUNT], [{"measure_id": "M1", "period": Q2, "value": value}], [{"measure_id": "M1", "year": "2020/21", "target": 4}]
    )
    row = one(judge(data, [Q2]))
    assert row["suppressed"] is suppressed or row["suppressed"] == suppressed
    assert row["value"] == value  # the judged table keeps the figure; outputs show [c]
    assert row["status"] == ("on_target" if value >= 4 else "below_target")  # statuses are still shown


def test_disclosure_min_zero_suppresses_nothing(tmp_path):
    data = load(tmp_path, [COUNT | {"disclosure_min": "0"}], [{"measure_id": "M1", "period": Q2, "value": 1}])
    assert not one(judge(data, [Q2]))["suppressed"]


@pytest.mark.parametrize(
    ("numerator", "denominator", "suppressed"),
    [
        (2, 50, True),  # a numerator of 2 with disclosure_min 5
        (1, 3, True),  # so is a denominator of 3
        (0, 10, False),  # zero of ten: nobody to disclose
        (5, 50, False),
    ],
)
def test_ratio_numerator_and_denominator(tmp_path, numerator, denominator, suppressed):
    m = [{"aggregation": "ratio", "unit": "percent", "disclosure_min": "5"}]
    data = load(tmp_path, m, [{"measure_id": "M1", "period": Q2, "numerator": numerator, "denominator": denominator}])
    row = one(judge(data, [Q2]))
    assert bool(row["suppressed"]) is suppressed
    assert row["value"] == round(numerator / denominator * 100, 1)


def test_every_value_derived_from_a_small_count_is_suppressed(tmp_path):
    # July 2, August 10, September 10: the quarter (22) is derived from the 2, so it is [c] too;
    # so is the year to date at Q2 and Q3 (it includes July), but not Q1 (April-June 10 each).
    data = load(tmp_path, [COUNT | {"frequency": "monthly", "ytd": "true"}], months("2020-04", [10, 10, 10, 2, 10, 10, 10, 10, 10]))
    table = judge(data, ["2020/21 Q1", Q2, "2020/21 Q3"])
    q1, q2, q3 = (one(table, quarter=q) for q in ("2020/21 Q1", Q2, "2020/21 Q3"))
    assert (q1["value"], q1["suppressed"]) == (30, False)
    assert (q2["value"], q2["suppressed"], q2["period_value"], q2["period_value_suppressed"]) == (52, True, 22, True)
    assert (q3["value"], q3["suppressed"]) == (82, True)  # 30 + 22 + 30, includes July's 2
    assert not q3["period_value_suppressed"]  # Q3 alone: 10 + 10 + 10
    assert q3["previous_value_suppressed"]  # the previous quarter shown is Q2's 22


def test_a_small_quarter_total_is_suppressed_though_no_month_is(tmp_path):
    # 0 + 0 + 3 = 3: the 3 is small itself; 0 + 0 + 0 = 0 is not
    data = load(tmp_path, [COUNT | {"frequency": "monthly"}], months("2020-04", [0, 0, 3, 0, 0, 0]))
    table = judge(data, ["2020/21 Q1", Q2])
    assert one(table, quarter="2020/21 Q1")["suppressed"]
    assert not one(table)["suppressed"]


def test_small_ratio_numerator_rolled_up(tmp_path):
    # months 1/100, 0/100, 1/100: the quarter's numerator is 2, a small count (and so are the months)
    m = [{"frequency": "monthly", "aggregation": "ratio", "disclosure_min": "5"}]
    row = one(judge(load(tmp_path, m, months("2020-07", [(1, 100), (0, 100), (1, 100)])), [Q2]))
    assert (row["value"], row["suppressed"]) == (round(2 / 300 * 100, 1), True)


def test_context_and_year_ago_values_carry_their_own_suppression(tmp_path):
    obs = [{"measure_id": "M1", "period": p, "value": v} for p, v in (("2019/20 Q2", 3), ("2020/21 Q1", 2))]
    data = load(tmp_path, [COUNT], obs)
    table = judge(data, [Q2, "2020/21 Q3"])
    q3 = one(table, quarter="2020/21 Q3")  # Q3 has no figure; context is Q1's 2 (Q2 is missing too)
    assert (q3["status"], q3["context_period"], q3["context_value"], q3["context_value_suppressed"]) == ("no_data", "2020/21 Q1", 2, True)
    assert not q3["suppressed"]  # nothing to suppress: no figure
    q2 = one(table)
    assert (q2["year_ago_value"], q2["year_ago_value_suppressed"]) == (3, True)


def test_percent_values_are_not_counts(tmp_path):
    # disclosure_min applies to counts (unit number) and ratio parts only; a typed percent of 3 is not a count
    data = load(tmp_path, [{"unit": "percent", "disclosure_min": "5"}], [{"measure_id": "M1", "period": Q2, "value": 3}])
    assert not one(judge(data, [Q2]))["suppressed"]


def test_small_count_on_figure_rows(tmp_path):
    measures = [COUNT | {"measure_id": "N"}, {"measure_id": "R", "aggregation": "ratio", "disclosure_min": "5"}]
    obs = [
        {"measure_id": "N", "period": "2020/21 Q1", "value": 4},
        {"measure_id": "N", "period": Q2, "value": 0},
        {"measure_id": "R", "period": "2020/21 Q1", "numerator": 6, "denominator": 9},
        {"measure_id": "R", "period": Q2, "numerator": 0, "denominator": 4},
    ]
    data = load(tmp_path, measures, obs)
    figures = figures_as_at(data.observations).sort_values(["measure_id", "period"])
    assert small_count(figures, data.measures).tolist() == [True, False, False, True]  # 4; 0; 6/9; 0/4 (denominator 4)


def test_last_aggregation_takes_flags_from_its_final_period_only(tmp_path):
    from builders import make_data

    from pmlib.contract.loading import load_data
    from pmlib.engine.status import judge

    # Families in B&B: July 3 (small), August 2 (small, provisional), September 0. A `last` quarter
    # value is September's 0 alone: not derived from the small counts, not provisional.
    data = load_data(
        make_data(
            tmp_path / "data",
            [{"measure_id": "L", "unit": "number", "frequency": "monthly", "aggregation": "last", "disclosure_min": "5"}],
            [
                {"measure_id": "L", "period": "2020-07", "value": "3"},
                {"measure_id": "L", "period": "2020-08", "value": "2", "quality": "provisional"},
                {"measure_id": "L", "period": "2020-09", "value": "0"},
            ],
        )
    )
    row = judge(data, ["2020/21 Q2"]).iloc[0]
    assert row["value"] == 0
    assert not row["suppressed"] and not row["provisional"]


def test_empty_observation_file_loads(tmp_path):
    from builders import make_data

    from pmlib.contract.loading import check_data

    folder = make_data(tmp_path / "data", [{"measure_id": "M1"}], [])
    data, problems = check_data(folder)
    assert data is not None, [p.format() for p in problems]
    assert data.observations.empty
