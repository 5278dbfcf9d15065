import math

import pandas as pd
import pytest

from pmlib.views.disclosure import public_view, value_text
from pmlib.views.formats import format_value, period_words
from pmlib.views.labels import ACTION_LABELS, STATUS_LABELS, TREND_LABELS, trend_label
from pmlib.views.narrative import headline, measure_finding, movement, plan_sentence, short_headline, status_counts
from pmlib.views.wording import counted, join_words


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [
        (76.44, "percent", 1, "76.4%"),
        (76.45, "percent", 1, "76.5%"),  # half away from zero, not half to even
        (1_234_567, "gbp", 0, "£1.2m"),
        (2_500_000_000, "gbp", 0, "£2.5bn"),
        (45_000, "gbp", 0, "£45,000"),
        (-1_250_000, "gbp", 0, "-£1.3m"),
        (12, "days", 0, "12 days"),
        (1, "days", 0, "1 day"),
        (12.25, "days", 1, "12.3 days"),
        (4.1, "rate_per_1000", 1, "4.1 per 1,000"),
        (35.25, "rate_per_100k", 1, "35.3 per 100,000"),
        (1234, "number", 0, "1,234"),
        (7.6, "score", 1, "7.6"),
        (2.675, "score", 2, "2.68"),
        (-2.5, "number", 0, "-3"),
        (math.nan, "percent", 1, "[x]"),
        (None, "number", 0, "[x]"),
    ],
)
def test_format_value(value, unit, decimals, expected):
    assert format_value(value, unit, decimals) == expected


def test_value_text_markers():
    assert value_text(76.4, "percent", 1, provisional=True) == "76.4% [p]"
    assert value_text(76.4, "percent", 1, estimated=True, revised=True) == "76.4% [e] [r]"
    assert value_text(3, "number", 0, suppressed=True, provisional=True) == "[c]"
    assert value_text(math.nan, "number", 0, provisional=True) == "[x]"


def test_every_status_and_trend_has_word_and_symbol():
    for labels in (STATUS_LABELS, TREND_LABELS, ACTION_LABELS):
        for label in labels.values():
            assert label.word and label.symbol
    assert len({label.symbol for label in STATUS_LABELS.values()}) == len(STATUS_LABELS)
    assert trend_label(None).word == "Not available"
    assert STATUS_LABELS["intervention"].text == "✖ Intervention"


def _judged(rows):
    base = {
        "quarter": "2020/21 Q2",
        "plan_id": "p1",
        "period": "2020/21 Q2",
        "value": 1.0,
        "numerator": math.nan,
        "denominator": math.nan,
        "target": 1.0,
        "intervention": math.nan,
        "status": "on_target",
        "short_trend": None,
        "long_trend": None,
        "period_value": 1.0,
        "previous_value": 1.0,
        "year_ago_value": 1.0,
        "context_value": math.nan,
        "suppressed": False,
        "period_value_suppressed": False,
        "previous_value_suppressed": False,
        "year_ago_value_suppressed": False,
        "context_value_suppressed": False,
        "forecast": math.nan,
        "forecast_status": None,
        "forecast_kind": None,
        "forecast_suppressed": False,
        "public": True,
        "provisional": False,
        "estimated": False,
        "revised": False,
        "needs_exception": False,
    }
    return pd.DataFrame([base | r for r in rows])


def test_public_view_drops_restricted_and_blanks_small_numbers():
    judged = _judged(
        [
            {
                "measure_id": "A",
                "value": 3.0,
                "suppressed": True,
                "numerator": 3.0,
                "denominator": 40.0,
                "previous_value": 2.0,
                "previous_value_suppressed": True,
                "forecast": 6.0,
                "forecast_status": "below_target",
                "forecast_kind": "projection",
                "forecast_suppressed": True,
            },
            {"measure_id": "B", "public": False},
            {"measure_id": "C", "value": 12.0, "forecast": 24.0, "forecast_status": "on_target", "forecast_kind": "projection"},
        ]
    )
    public = public_view(judged)
    assert list(public["measure_id"]) == ["A", "C"]
    a = public.set_index("measure_id").loc["A"]
    assert math.isnan(a["value"]) and math.isnan(a["numerator"]) and math.isnan(a["previous_value"]) and math.isnan(a["forecast"])
    assert a["status"] == "on_target" and a["forecast_status"] == "below_target"  # statuses are still shown
    assert public.set_index("measure_id").at["C", "forecast"] == 24.0
    internal = public_view(judged, "internal")
    assert list(internal["measure_id"]) == ["A", "B", "C"]
    assert internal.set_index("measure_id").at["A", "value"] == 3.0


def test_headline_names_the_measures_needing_intervention():
    judged = _judged(
        [{"measure_id": f"M{i}", "status": "on_target"} for i in range(31)]
        + [{"measure_id": f"B{i}", "status": "below_target"} for i in range(7)]
        + [{"measure_id": "X1", "status": "intervention"}, {"measure_id": "X2", "status": "intervention"}]
        + [{"measure_id": "X3", "status": "intervention"}, {"measure_id": "X4", "status": "intervention"}]
        + [{"measure_id": "N1", "status": "monitoring"}, {"measure_id": "D1", "status": "no_data"}]
    )
    names = pd.Series({m: f"Name {m}" for m in judged["measure_id"]})
    assert headline(judged, names) == (
        "31 of 42 measures with a target are on target, seven are below target and four need intervention: "
        "Name X1, Name X2, Name X3 and Name X4. One measure is monitored without a target and one has no figure yet (Name D1)."
    )
    assert status_counts(judged)["intervention"] == 4


def test_headline_with_nothing_wrong():
    judged = _judged([{"measure_id": "A"}])
    assert headline(judged, pd.Series({"A": "A"})) == "One of 1 measure with a target is on target and none needs intervention."


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["below_target"], "The only measure with a target is below target and none needs intervention."),
        (["intervention"], "The only measure with a target needs intervention: Name M0."),
        (
            ["below_target", "intervention"],
            "None of the 2 measures with a target is on target, one is below target and one needs intervention: Name M1.",
        ),
    ],
)
def test_headline_with_none_on_target(statuses, expected):
    judged = _judged([{"measure_id": f"M{i}", "status": s} for i, s in enumerate(statuses)])
    assert headline(judged, pd.Series({f"M{i}": f"Name M{i}" for i in range(len(statuses))})) == expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["monitoring", "no_data"], "No measure with a target has a figure for this quarter."),
        (["on_target"], "One of 1 measure with a target is on target; none needs intervention."),
        (["intervention"], "The only measure with a target is not on target; one needs intervention."),
        (["below_target"], "The only measure with a target is not on target; none needs intervention."),
        (["below_target", "intervention", "intervention"], "None of the 3 measures with a target is on target; two need intervention."),
        (["on_target", "below_target", "intervention"], "One of 3 measures with a target is on target; one needs intervention."),
        (["on_target", "on_target", "below_target"], "Two of 3 measures with a target are on target; none needs intervention."),
    ],
)
def test_short_headline(statuses, expected):
    judged = _judged([{"measure_id": f"M{i}", "status": s} for i, s in enumerate(statuses)])
    assert short_headline(judged) == expected


def test_movement_with_no_measure_judged_both_times():
    now = _judged([{"measure_id": "A", "status": "on_target"}])
    assert movement(now, _judged([{"measure_id": "B", "status": "on_target"}]), "2020/21 Q1") == (
        "Since 2020/21 Q1, no measure judged against a target both times changed status; "
        "one measure not judged against a target then is now."
    )


@pytest.mark.parametrize(
    ("before", "now", "expected"),
    [
        (["on_target", "monitoring"], ["on_target", "monitoring"], "No measure changed status since 2019/20 Q4."),
        (
            ["on_target", "monitoring", "monitoring", "no_data"],
            ["on_target", "below_target", "intervention", "on_target"],
            "Since 2019/20 Q4, no measure judged against a target both times changed status; "
            "three measures not judged against a target then are now.",
        ),
        (
            ["below_target", "on_target", "no_data"],
            ["on_target", "no_data", "no_data"],
            "Since 2019/20 Q4, one measure moved to a better status; one judged against a target then is not now.",
        ),
        (
            ["below_target", "below_target", "monitoring"],
            ["intervention", "intervention", "on_target"],
            "Since 2019/20 Q4, two measures moved to a worse status; one measure not judged against a target then is now.",
        ),
    ],
)
def test_movement_counts_measures_judged_only_once(before, now, expected):
    rows = lambda statuses: _judged([{"measure_id": f"M{i}", "status": s} for i, s in enumerate(statuses)])  # noqa: E731
    assert movement(rows(now), rows(before), "2019/20 Q4") == expected


def test_movement_and_plan_sentence():
    before = _judged(
        [
            {"measure_id": "A", "status": "below_target"},
            {"measure_id": "B", "status": "on_target"},
            {"measure_id": "C", "status": "no_data"},
        ]
    )
    now = _judged(
        [
            {"measure_id": "A", "status": "on_target"},
            {"measure_id": "B", "status": "intervention"},
            {"measure_id": "C", "status": "on_target"},
        ]
    )
    assert movement(now, before, "2020/21 Q1") == (
        "Since 2020/21 Q1, one measure moved to a better status and one to a worse one; "
        "one measure not judged against a target then is now."
    )
    assert movement(before, before, "2020/21 Q1") == "No measure changed status since 2020/21 Q1."
    assert plan_sentence("Dynamic Places", now) == "Dynamic Places: 3 measures: 2 on target, 1 intervention."


def test_join_words():
    assert join_words([]) == ""
    assert join_words(["A"]) == "A"
    assert join_words(["A", "B"]) == "A and B"
    assert join_words(["A", "B", "C"]) == "A, B and C"


@pytest.mark.parametrize(("n", "expected"), [(0, "0 quarters"), (1, "1 quarter"), (2, "2 quarters"), (1234, "1,234 quarters")])
def test_counted(n, expected):
    assert counted(n, "quarter") == expected


@pytest.mark.parametrize(
    ("status", "suppressed", "expected"),
    [
        ("on_target", False, "12 in 2021/22 Q2, meeting the target of 10."),
        ("below_target", False, "12 in 2021/22 Q2, below the target of 10 (intervention level 20)."),
        ("intervention", False, "12 in 2021/22 Q2: needs intervention (target 10, intervention level 20)."),
        ("monitoring", False, "12 in 2021/22 Q2, monitored without a target."),
        ("on_target", True, "The figure for 2021/22 Q2 is withheld to protect small numbers [c]; it meets the target of 10."),
        (
            "below_target",
            True,
            "The figure for 2021/22 Q2 is withheld to protect small numbers [c]; it is below the target of 10 (intervention level 20).",
        ),
        (
            "intervention",
            True,
            "The figure for 2021/22 Q2 is withheld to protect small numbers [c]; it needs intervention (target 10, intervention level 20).",
        ),
        ("monitoring", True, "The figure for 2021/22 Q2 is withheld to protect small numbers [c]; it is monitored without a target."),
    ],
)
def test_measure_finding_reads_as_a_sentence_whether_or_not_the_figure_is_withheld(status, suppressed, expected):
    target = math.nan if status == "monitoring" else 10.0
    row = pd.Series(
        {"period": "2021/22 Q2", "status": status, "value": 12.0, "target": target, "intervention": 20.0, "suppressed": suppressed}
        | {"provisional": False, "estimated": False, "revised": False}
    )
    assert measure_finding(row, "number", 0) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2021-06", "June 2021"),
        ("2020-03", "March 2020"),
        ("2021/22 Q2", "2021/22 Q2"),
        ("2021/22", "2021/22"),
        ("soon", "soon"),
        (None, None),
    ],
)
def test_a_month_is_shown_by_name_and_other_periods_by_code(code, expected):
    assert period_words(code) == expected
