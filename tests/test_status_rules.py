"""The contract's status rules, one boundary at a time, with the expected numbers worked by hand."""

import math

import numpy as np
import pytest
from builders import make_data

from pmlib.contract.loading import load_data
from pmlib.engine.rounding import round_half_away
from pmlib.engine.status import classify, direction, expected_period_end, judge

Q2 = "2020/21 Q2"


def judged(tmp_path, measures, observations, targets=(), quarters=(Q2,), method="intervention", tolerance=5, **kw):
    """The judged table for a small data folder built from the given rows."""
    data = load_data(make_data(tmp_path / "data", measures, observations, list(targets), method, tolerance))
    return judge(data, quarters, **kw)


def one(table, measure="M1", quarter=Q2):
    """The judged row for one measure and quarter, as a dict."""
    rows = table[(table["measure_id"] == measure) & (table["quarter"] == quarter)]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


def months(first: str, values, measure="M1", **extra):
    """Observation rows for consecutive months from ``first`` (None leaves a month out)."""
    year, month = map(int, first.split("-"))
    rows = []
    for value in values:
        if value is not None:
            cell = value if isinstance(value, dict) else {"value": value}
            rows.append({"measure_id": measure, "period": f"{year:04d}-{month:02d}"} | cell | extra)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


def quarterly(values: dict, measure="M1"):
    """Observation rows for quarters: ``{"2020/21 Q2": 80, ...}``."""
    return [{"measure_id": measure, "period": code, "value": v} for code, v in values.items()]


def target(year="2020/21", target=80, intervention="", period="", measure="M1"):
    return {"measure_id": measure, "year": year, "period": period, "target": target, "intervention": intervention}


def blank(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# --- the pure rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("v", "t", "i", "polarity", "method", "status"),
    [
        (80, 80, 70, "higher", "intervention", "on_target"),  # v = T meets the target
        (20, 20, 25, "lower", "intervention", "on_target"),
        (81, 80, 70, "higher", "intervention", "on_target"),  # beats it
        (19, 20, 25, "lower", "intervention", "on_target"),
        (79, 80, 70, "higher", "intervention", "below_target"),
        (70, 80, 70, "higher", "intervention", "intervention"),  # intervention method: at I is intervention
        (25, 20, 25, "lower", "intervention", "intervention"),
        (70, 80, 70, "higher", "tolerance", "below_target"),  # tolerance method: only beyond I
        (25, 20, 25, "lower", "tolerance", "below_target"),
        (69.9, 80, 70, "higher", "tolerance", "intervention"),
        (25.1, 20, 25, "lower", "tolerance", "intervention"),
        (10, 80, np.nan, "higher", "intervention", "below_target"),  # no I: a miss is below target
        (90, 80, np.nan, "lower", "intervention", "below_target"),
        (50, 80, 70, "none", "intervention", "monitoring"),
        (50, np.nan, np.nan, "higher", "intervention", "monitoring"),  # no target
        (np.nan, 80, 70, "higher", "intervention", "no_data"),  # no figure beats everything
        (np.nan, np.nan, np.nan, "none", "intervention", "no_data"),
    ],
)
def test_classify(v, t, i, polarity, method, status):
    assert classify([v], [t], [i], [polarity], method).tolist() == [status]


@pytest.mark.parametrize(
    ("current", "previous", "polarity", "trend"),
    [
        (5, 4, "higher", "improving"),
        (5, 4, "lower", "worsening"),
        (5, 4, "none", "increasing"),
        (4, 5, "higher", "worsening"),
        (4, 5, "lower", "improving"),
        (4, 5, "none", "decreasing"),
        (4, 4, "higher", "no_change"),
        (4, 4, "none", "no_change"),
        (4, np.nan, "higher", None),
        (np.nan, 4, "lower", None),
    ],
)
def test_direction(current, previous, polarity, trend):
    assert direction([current], [previous], [polarity]).tolist() == [trend]


@pytest.mark.parametrize(
    ("value", "decimals", "rounded"),
    [
        (2.675, 2, 2.68),  # stored as 2.67499999..., read as typed: half away -> 2.68
        (-2.5, 0, -3.0),  # half away from zero, not to even
        (2.5, 0, 3.0),
        (0.5, 0, 1.0),
        (1.005, 2, 1.01),
        (79.95, 1, 80.0),
        (79.94, 1, 79.9),
        (-0.04, 1, 0.0),
        (1234.5, 0, 1235.0),
    ],
)
def test_round_half_away_from_zero(value, decimals, rounded):
    assert round_half_away(value, decimals) == rounded


def test_rounding_keeps_nan_and_never_gives_negative_zero():
    assert np.isnan(round_half_away(np.nan, 1))
    assert math.copysign(1, round_half_away(-0.04, 1)) == 1.0  # "-0.0" would print as "-0.0"


def test_expected_period_end_in_quarter_indexes():
    q2 = 2020 * 4 + 1  # 2020/21 Q2
    assert expected_period_end(["monthly"], [4], [q2]).tolist() == [q2 - 2]  # 4 months: two quarters back
    assert expected_period_end(["annual"], [0], [q2]).tolist() == [2019 * 4 + 3]  # 2019/20, in its Q4 column


# --- target and intervention level ---------------------------------------------------


@pytest.mark.parametrize(("polarity", "t", "i"), [("higher", 80, 70), ("lower", 20, 25)])
def test_exactly_at_target_is_on_target(tmp_path, polarity, t, i):
    table = judged(tmp_path, [{"polarity": polarity}], quarterly({Q2: t}), [target(target=t, intervention=i)])
    row = one(table)
    assert (row["value"], row["target"], row["status"], row["needs_exception"]) == (t, t, "on_target", False)


@pytest.mark.parametrize(("polarity", "v", "t", "i"), [("higher", 70, 80, 70), ("lower", 25, 20, 25)])
def test_at_the_intervention_level(tmp_path, polarity, v, t, i):
    measures, obs, targets = [{"polarity": polarity}], quarterly({Q2: v}), [target(target=t, intervention=i)]
    row = one(judged(tmp_path / "a", measures, obs, targets, method="intervention"))
    assert (row["status"], row["needs_exception"]) == ("intervention", True)
    # The tolerance method intervenes only beyond the level, so the same figure is below target.
    row = one(judged(tmp_path / "b", measures, obs, targets, method="tolerance"))
    assert (row["status"], row["needs_exception"]) == ("below_target", False)


@pytest.mark.parametrize(
    ("polarity", "t", "i", "at", "beyond"),
    [
        ("higher", 80, 76.0, 76.0, 75.9),  # 80 x (1 - 5/100) = 76
        ("lower", 20, 21.0, 21.0, 21.1),  # 20 x (1 + 5/100) = 21
    ],
)
def test_tolerance_derives_the_intervention_level(tmp_path, polarity, t, i, at, beyond):
    obs = quarterly({"2020/21 Q1": at, Q2: beyond})
    table = judged(tmp_path, [{"polarity": polarity}], obs, [target(target=t)], ["2020/21 Q1", Q2], method="tolerance", tolerance=5)
    q1, q2 = one(table, quarter="2020/21 Q1"), one(table, quarter=Q2)
    assert q1["intervention"] == q2["intervention"] == i
    assert q1["status"] == "below_target"  # at the derived level: not beyond it
    assert q2["status"] == "intervention"


def test_tolerance_pct_is_the_councils(tmp_path):
    # 80 x (1 - 10/100) = 72; 73 misses 80 but is short of 72
    row = one(judged(tmp_path, [{}], quarterly({Q2: 73}), [target(target=80)], method="tolerance", tolerance=10))
    assert (row["intervention"], row["status"]) == (72.0, "below_target")


def test_a_given_intervention_level_wins_over_the_tolerance(tmp_path):
    row = one(judged(tmp_path, [{}], quarterly({Q2: 73}), [target(target=80, intervention=74)], method="tolerance"))
    assert (row["intervention"], row["status"]) == (74.0, "intervention")  # 73 is beyond 74


def test_derived_intervention_level_is_rounded_like_values(tmp_path):
    # 81 x 0.95 = 76.95, shown (and judged) at 0 decimals as 77; 76 is beyond 77.
    # Documented choice: the level a reader sees in the table is the level compared.
    m = [{"unit": "number", "aggregation": "sum"}]
    row = one(judged(tmp_path, m, quarterly({Q2: 77}), [target(target=81)], method="tolerance"))
    assert (row["intervention"], row["status"]) == (77.0, "below_target")


def test_no_intervention_level_under_the_intervention_method(tmp_path):
    row = one(judged(tmp_path, [{}], quarterly({Q2: 10}), [target(target=80)]))
    assert blank(row["intervention"])
    assert (row["status"], row["needs_exception"]) == ("below_target", False)


def test_no_target_is_monitoring(tmp_path):
    table = judged(tmp_path, [{}], quarterly({Q2: 10}), [target(year="2019/20", target=80, intervention=70)])
    row = one(table)
    assert blank(row["target"]) and row["status"] == "monitoring" and not row["needs_exception"]


def test_polarity_none_is_monitoring_with_increasing_and_decreasing(tmp_path):
    obs = quarterly({"2019/20 Q2": 50, "2020/21 Q1": 40, Q2: 45})
    row = one(judged(tmp_path, [{"polarity": "none"}], obs, [target(target=80, intervention=70)]))
    assert row["status"] == "monitoring"
    assert blank(row["target"]) and blank(row["intervention"])  # a target for a none measure is not used
    assert row["short_trend"] == "increasing"  # 45 > 40
    assert row["long_trend"] == "decreasing"  # 45 < 50


@pytest.mark.parametrize(
    ("value", "status"), [(79.95, "on_target"), (79.94, "below_target"), (69.95, "below_target"), (69.94, "intervention")]
)
def test_rounding_decides_the_status(tmp_path, value, status):
    # percent at 1 decimal: 79.95 is shown as 80.0 and meets 80; 79.94 is shown as 79.9 and misses it;
    # 69.95 -> 70.0 is above the intervention level 69.9; 69.94 -> 69.9 is at it.
    table = judged(tmp_path, [{"decimals": "1"}], quarterly({Q2: value}), [target(target=80, intervention=69.9)])
    assert one(table)["status"] == status


def test_rounding_applies_to_the_rolled_up_value(tmp_path):
    # mean of 79.9, 80.0 and 79.95 = 239.85 / 3 = 79.95 -> 80.0: on target (a float sum gives 79.9499999...)
    m = [{"frequency": "monthly", "aggregation": "mean"}]
    row = one(judged(tmp_path, m, months("2020-07", [79.9, 80.0, 79.95]), [target(target=80, intervention=70)]))
    assert (row["value"], row["status"]) == (80.0, "on_target")


# --- roll-ups --------------------------------------------------------------------------


def test_monthly_ratio_sums_numerators_and_denominators(tmp_path):
    # 10/20 = 50%, 30/40 = 75%, 1/40 = 2.5%: the mean of those is 42.5, but the quarter is
    # (10 + 30 + 1) / (20 + 40 + 40) x 100 = 41 / 100 x 100 = 41.0%
    obs = months(
        "2020-07", [{"numerator": 10, "denominator": 20}, {"numerator": 30, "denominator": 40}, {"numerator": 1, "denominator": 40}]
    )
    row = one(judged(tmp_path, [{"frequency": "monthly", "aggregation": "ratio"}], obs, [target(target=40, intervention=30)]))
    assert (row["value"], row["numerator"], row["denominator"], row["status"]) == (41.0, 41, 100, "on_target")


@pytest.mark.parametrize(
    ("unit", "cells", "value"),
    [
        # (1 + 1 + 1) / (1000 + 500 + 500) x 1,000 = 3 / 2000 x 1000 = 1.5
        ("rate_per_1000", [(1, 1000), (1, 500), (1, 500)], 1.5),
        # (1 + 2 + 4) / (100,000 + 100,000 + 150,000) x 100,000 = 7 / 350,000 x 100,000 = 2.0
        ("rate_per_100k", [(1, 100_000), (2, 100_000), (4, 150_000)], 2.0),
        # a ratio of another unit is not scaled: (3 + 3 + 3) / (2 + 2 + 2) = 1.5
        ("score", [(3, 2), (3, 2), (3, 2)], 1.5),
    ],
)
def test_ratio_multipliers(tmp_path, unit, cells, value):
    obs = months("2020-07", [{"numerator": n, "denominator": d} for n, d in cells])
    row = one(judged(tmp_path, [{"frequency": "monthly", "aggregation": "ratio", "unit": unit}], obs))
    assert row["value"] == value


@pytest.mark.parametrize(
    ("aggregation", "unit", "value"),
    [
        ("mean", "percent", 80.0),  # (70 + 80 + 90) / 3 = 80
        ("last", "percent", 90.0),  # September's figure
        ("sum", "number", 240.0),  # 70 + 80 + 90
    ],
)
def test_monthly_aggregations_into_the_quarter(tmp_path, aggregation, unit, value):
    m = [{"frequency": "monthly", "aggregation": aggregation, "unit": unit}]
    assert one(judged(tmp_path, m, months("2020-07", [70, 80, 90])))["value"] == value


def test_missing_month_makes_the_quarter_no_data_with_context(tmp_path):
    # Q1: April-June 70, 80, 90 (mean 80); Q2: August is missing
    m = [{"frequency": "monthly", "aggregation": "mean"}]
    row = one(judged(tmp_path, m, months("2020-04", [70, 80, 90, 85, None, 95]), [target(target=80, intervention=70)]))
    assert blank(row["value"]) and row["status"] == "no_data" and not row["needs_exception"]
    assert (row["context_period"], row["context_value"]) == ("2020/21 Q1", 80.0)
    assert blank(row["long_trend"]) and blank(row["short_trend"])


@pytest.mark.parametrize("aggregation", ["last", "sum", "ratio"])
def test_a_missing_month_makes_every_aggregation_missing(tmp_path, aggregation):
    cell = {"numerator": 1, "denominator": 2} if aggregation == "ratio" else {"value": 5}
    m = [{"frequency": "monthly", "aggregation": aggregation, "unit": "number"}]
    row = one(judged(tmp_path, m, months("2020-07", [cell, cell, None])))  # September missing, even for "last"
    assert blank(row["value"]) and row["status"] == "no_data"


def test_context_reaches_back_past_gaps(tmp_path):
    # Nothing since 2019/20 Q4: the latest earlier figure is shown, with its own period
    obs = quarterly({"2019/20 Q3": 60, "2019/20 Q4": 65})
    row = one(judged(tmp_path, [{}], obs, [target(target=80)]))
    assert (row["status"], row["context_period"], row["context_value"]) == ("no_data", "2019/20 Q4", 65.0)


def test_no_context_when_nothing_earlier(tmp_path):
    row = one(judged(tmp_path, [{}], quarterly({"2020/21 Q3": 60}), [target(target=80)]))
    assert row["status"] == "no_data" and blank(row["context_period"]) and blank(row["context_value"])


def test_quarterly_measure_with_a_value_has_no_context(tmp_path):
    row = one(judged(tmp_path, [{}], quarterly({"2020/21 Q1": 60, Q2: 70}), [target(target=80)]))
    assert blank(row["context_period"]) and blank(row["context_value"])


# --- year to date ----------------------------------------------------------------------


def test_ytd_with_even_phasing(tmp_path):
    m = [{"frequency": "monthly", "aggregation": "sum", "unit": "number", "ytd": "true"}]
    obs = months("2020-04", [100, 100, 100, 90, 90, 90, 100, 100, 100])
    table = judged(tmp_path, m, obs, [target(target=1200, intervention=1000)], ["2020/21 Q1", Q2, "2020/21 Q3"])
    q1, q2, q3 = (one(table, quarter=q) for q in ("2020/21 Q1", Q2, "2020/21 Q3"))
    # Q1: 300 vs 1200 x 3/12 = 300 (intervention 1000 x 3/12 = 250)
    assert (q1["value"], q1["target"], q1["intervention"], q1["status"]) == (300, 300, 250, "on_target")
    # Q2: 300 + 270 = 570 vs 1200 x 6/12 = 600, intervention 1000 x 6/12 = 500: a miss short of 500
    assert (q2["value"], q2["target"], q2["intervention"], q2["status"]) == (570, 600, 500, "below_target")
    assert q2["period_value"] == 270  # the quarter on its own: 90 x 3
    assert q2["target_phased"]
    # Q3: 570 + 300 = 870 vs 1200 x 9/12 = 900
    assert (q3["value"], q3["target"]) == (870, 900)


def test_ytd_even_phasing_is_rounded_to_decimals(tmp_path):
    # 1234 x 3/12 = 308.5, shown at 0 decimals as 309 (half away from zero): 308 misses it
    m = [{"frequency": "quarterly", "aggregation": "sum", "unit": "number", "ytd": "true"}]
    row = one(judged(tmp_path, m, quarterly({"2020/21 Q1": 308}), [target(target=1234)], ["2020/21 Q1"]), quarter="2020/21 Q1")
    assert (row["target"], row["status"]) == (309, "below_target")


def test_ytd_mean_is_not_phased(tmp_path):
    # A percent judged year to date keeps the year's target: mean of 70, 80, 90, 80, 80, 80 = 80
    m = [{"frequency": "monthly", "aggregation": "mean", "ytd": "true"}]
    row = one(judged(tmp_path, m, months("2020-04", [70, 80, 90, 80, 80, 80]), [target(target=85, intervention=75)]))
    assert (row["value"], row["target"], row["intervention"], row["status"]) == (80.0, 85, 75, "below_target")


def test_ytd_with_phased_quarter_targets(tmp_path):
    m = [{"frequency": "monthly", "aggregation": "sum", "unit": "number", "ytd": "true"}]
    targets = [
        target(target=1200, intervention=1000),
        target(period="Q1", target=250, intervention=200),
        target(period="Q2", target=550, intervention=450),
    ]
    obs = months("2020-04", [100] * 9)
    table = judged(tmp_path, m, obs, targets, ["2020/21 Q1", Q2, "2020/21 Q3"])
    q1, q2, q3 = (one(table, quarter=q) for q in ("2020/21 Q1", Q2, "2020/21 Q3"))
    assert (q1["target"], q1["intervention"], q1["status"]) == (250, 200, "on_target")  # the phased row, not 1200 x 3/12
    assert (q2["value"], q2["target"], q2["intervention"], q2["status"]) == (600, 550, 450, "on_target")
    # Q3 has no phased row, and the year has phased rows, so the contract's even phasing does not apply:
    # the year's row is used as it stands (900 vs 1200, intervention 1000).
    assert (q3["value"], q3["target"], q3["intervention"], q3["status"]) == (900, 1200, 1000, "intervention")


def test_ytd_month_phased_targets(tmp_path):
    # A year-to-date measure's month row is the cumulative target to the end of that month.
    m = [{"frequency": "monthly", "aggregation": "sum", "unit": "number", "ytd": "true"}]
    targets = [target(target=1200), target(period="2020-06", target=280), target(period="2020-09", target=650, intervention=560)]
    table = judged(tmp_path, m, months("2020-04", [100] * 6), targets, ["2020/21 Q1", Q2])
    assert one(table, quarter="2020/21 Q1")["target"] == 280  # 300 vs 280: on target
    q2 = one(table)
    assert (q2["value"], q2["target"], q2["intervention"], q2["status"]) == (600, 650, 560, "below_target")


def test_month_phased_targets_roll_up_like_the_values(tmp_path):
    # A measure judged on its quarter (not year to date) with a target for each month: the quarter's
    # target is rolled up from its months as the value is. Sum: 100 + 110 + 120 = 330 (intervention
    # 90 + 100 + 110 = 300); mean: (80 + 82 + 84) / 3 = 82; last: September's 84.
    month_rows = lambda ts, ins=("", "", ""): [  # noqa: E731
        target(period=p, target=t, intervention=i) for p, t, i in zip(("2020-07", "2020-08", "2020-09"), ts, ins, strict=True)
    ]
    base = {"frequency": "monthly", "ytd": "false"}
    summed = one(
        judged(
            tmp_path / "sum",
            [base | {"aggregation": "sum", "unit": "number"}],
            months("2020-07", [100, 100, 110]),
            [target(target=4000)] + month_rows((100, 110, 120), (90, 100, 110)),
        )
    )
    assert (summed["value"], summed["target"], summed["intervention"], summed["status"]) == (310, 330, 300, "below_target")
    mean = one(judged(tmp_path / "mean", [base | {"aggregation": "mean"}], months("2020-07", [82, 82, 82]), month_rows((80, 82, 84))))
    assert (mean["target"], mean["status"]) == (82, "on_target")
    last = one(judged(tmp_path / "last", [base | {"aggregation": "last"}], months("2020-07", [82, 82, 82]), month_rows((80, 82, 84))))
    assert (last["target"], last["status"]) == (84, "below_target")


def test_month_phased_targets_need_every_month_of_the_quarter(tmp_path):
    # Only July and August phased: the quarter has no phased target, so the year's row applies.
    m = [{"frequency": "monthly", "aggregation": "mean"}]
    targets = [target(target=75, intervention=60), target(period="2020-07", target=90), target(period="2020-08", target=90)]
    row = one(judged(tmp_path, m, months("2020-07", [80, 80, 80]), targets))
    assert (row["target"], row["intervention"], row["status"], row["target_phased"]) == (75, 60, "on_target", False)


def test_a_quarter_row_wins_over_month_rows(tmp_path):
    m = [{"frequency": "monthly", "aggregation": "mean"}]
    targets = [target(target=75), target(period="Q2", target=85)] + [target(period=p, target=70) for p in ("2020-07", "2020-08", "2020-09")]
    row = one(judged(tmp_path, m, months("2020-07", [80, 80, 80]), targets))
    assert (row["target"], row["status"]) == (85, "below_target")


def test_phased_quarter_target_for_a_quarterly_measure(tmp_path):
    targets = [target(target=80, intervention=70), target(period="Q2", target=60)]
    row = one(judged(tmp_path, [{}], quarterly({Q2: 65}), targets))
    # the phased row wins, intervention from the same row (blank): 65 meets 60
    assert (row["target"], row["status"]) == (60, "on_target") and blank(row["intervention"])


# --- expected period: lag and annual measures --------------------------------------------


def test_quarterly_lag(tmp_path):
    row = one(judged(tmp_path, [{"lag": "1"}], quarterly({"2020/21 Q1": 85, Q2: 10}), [target(target=80)]))
    assert (row["period"], row["value"], row["status"]) == ("2020/21 Q1", 85, "on_target")


@pytest.mark.parametrize(
    ("lag", "period"),
    [
        (0, "2020/21 Q2"),
        (1, "2020/21 Q1"),  # Q2 ends in September; a quarter ending by August is Q1 (June)
        (2, "2020/21 Q1"),
        (3, "2020/21 Q1"),  # June is exactly 3 months before September ends
        (4, "2019/20 Q4"),  # ending by May: March
        (6, "2019/20 Q4"),
        (7, "2019/20 Q3"),
    ],
)
def test_monthly_lag(tmp_path, lag, period):
    m = [{"frequency": "monthly", "aggregation": "mean", "lag": str(lag)}]
    table = judged(tmp_path, m, months("2019-10", [50, 51, 52, 60, 61, 62, 70, 71, 72, 80, 81, 82]))
    expected = {"2020/21 Q2": 81, "2020/21 Q1": 71, "2019/20 Q4": 61, "2019/20 Q3": 51}  # the middle month is each mean
    row = one(table)
    assert (row["period"], row["value"]) == (period, expected[period])


@pytest.mark.parametrize(
    ("quarter", "lag", "period"),
    [
        ("2020/21 Q1", 0, "2019/20"),  # 2020/21 has not ended: the latest year ended is 2019/20
        ("2020/21 Q2", 0, "2019/20"),
        ("2020/21 Q3", 0, "2019/20"),
        ("2020/21 Q4", 0, "2020/21"),  # Q4 ends on 31 March, with the year
        ("2020/21 Q4", 1, "2019/20"),
        ("2021/22 Q2", 1, "2019/20"),  # latest ended 2020/21, one year back
    ],
)
def test_annual_expected_year(tmp_path, quarter, lag, period):
    m = [{"frequency": "annual", "aggregation": "sum", "unit": "number", "lag": str(lag)}]
    obs = [{"measure_id": "M1", "period": y, "value": v} for y, v in (("2018/19", 10), ("2019/20", 20), ("2020/21", 30))]
    targets = [target(year=y, target=t) for y, t in (("2019/20", 15), ("2020/21", 35))]
    row = one(judged(tmp_path, m, obs, targets, [quarter]), quarter=quarter)
    values = {"2019/20": (20, 15, "on_target"), "2020/21": (30, 35, "below_target")}  # each year's own target
    assert row["period"] == period
    assert (row["value"], row["target"], row["status"]) == values[period]
    assert row["previous_period"] == {"2019/20": "2018/19", "2020/21": "2019/20"}[period]
    assert row["short_trend"] == "improving"  # 20 > 10, 30 > 20
    assert row["long_trend"] == "improving"  # a year earlier is also the previous year


# --- direction of travel ------------------------------------------------------------------


def test_short_trend_against_previous_quarter_and_long_against_last_year(tmp_path):
    obs = quarterly({"2019/20 Q2": 90, "2020/21 Q1": 70, Q2: 80})
    row = one(judged(tmp_path, [{}], obs, [target(target=85)]))
    assert (row["previous_period"], row["previous_value"], row["short_trend"]) == ("2020/21 Q1", 70, "improving")  # 80 > 70
    assert (row["year_ago_value"], row["long_trend"]) == (90, "worsening")  # 80 < 90


def test_short_trend_across_the_year_boundary(tmp_path):
    obs = quarterly({"2019/20 Q4": 30, "2020/21 Q1": 20})
    row = one(judged(tmp_path, [{"polarity": "lower"}], obs, quarters=["2020/21 Q1"]), quarter="2020/21 Q1")
    assert (row["previous_period"], row["short_trend"]) == ("2019/20 Q4", "improving")  # 20 < 30, lower is better


def test_ytd_long_trend_compares_the_same_months(tmp_path):
    m = [{"frequency": "monthly", "aggregation": "sum", "unit": "number", "ytd": "true"}]
    # 2019/20 April-September: 100 each; 2020/21: 120 x 3 then 90 x 3
    obs = months("2019-04", [100] * 6) + months("2020-04", [120, 120, 120, 90, 90, 90])
    row = one(judged(tmp_path, m, obs))
    assert (row["value"], row["year_ago_value"], row["long_trend"]) == (630, 600, "improving")  # 360 + 270 > 600
    assert (row["period_value"], row["previous_value"], row["short_trend"]) == (270, 360, "worsening")  # Q2 alone vs Q1


def test_missing_prior_periods_leave_trends_blank(tmp_path):
    row = one(judged(tmp_path, [{}], quarterly({Q2: 80}), [target(target=85)]))
    assert blank(row["short_trend"]) and blank(row["long_trend"])
    assert blank(row["previous_value"]) and blank(row["year_ago_value"])


def test_no_change_when_equal_at_decimals(tmp_path):
    # 80.04 and 80.01 are both 80.0 at 1 decimal; 80.06 -> 80.1 is a change
    obs = quarterly({"2019/20 Q2": 80.06, "2020/21 Q1": 80.01, Q2: 80.04})
    row = one(judged(tmp_path, [{"decimals": "1"}], obs))
    assert (row["short_trend"], row["long_trend"]) == ("no_change", "worsening")


def test_needs_exception_only_for_intervention(tmp_path):
    ms = [{"measure_id": m} for m in ("ON", "BELOW", "INT", "MON", "NODATA")]
    obs = quarterly({Q2: 85}, "ON") + quarterly({Q2: 75}, "BELOW") + quarterly({Q2: 60}, "INT") + quarterly({Q2: 60}, "MON")
    targets = [target(target=80, intervention=70, measure=m) for m in ("ON", "BELOW", "INT", "NODATA")]
    table = judged(tmp_path, ms, obs, targets)
    status = dict(zip(table["measure_id"], table["status"], strict=True))
    assert status == {"ON": "on_target", "BELOW": "below_target", "INT": "intervention", "MON": "monitoring", "NODATA": "no_data"}
    assert table.set_index("measure_id")["needs_exception"].to_dict() == {m: m == "INT" for m in status}
