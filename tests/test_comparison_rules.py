"""The contract's comparison rules, worked by hand: one small data folder per rule, and a property of the rank.

Each case writes a council with one annual measure (2019/20 and 2020/21
figures), a comparator group and the comparators' figures, then asks the
engine for the comparison a report would show. The numbers in the asserts
were worked out on paper from the contract's rules 1-6.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import make_data, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from pmlib.contract.loading import load_data
from pmlib.contract.periods import parse_quarter
from pmlib.engine.comparisons import compare, comparison_words, judge_groups
from pmlib.vocabulary import Polarity

OURS = "E06000099"
ENGLAND = "E92000001"
Q2_2021 = parse_quarter("2021/22 Q2")  # expects the annual 2020/21 figure
AS_AT = dt.date(2021, 10, 31)


def areas(n: int) -> list[str]:
    return [f"E0600{i:04d}" for i in range(1, n + 1)]


def council(
    tmp_path: Path,
    members: dict[str, dict[str, float | None]],
    *,
    ours: dict[str, float] | None = None,
    measure: dict | None = None,
    england: dict[str, float] | None = None,
    extra_rows: list[dict] = (),
    group_size: int | None = None,
    observations: list[dict] | None = None,
):
    """A data folder: measure M1 (annual, percent, higher, 1 decimal unless ``measure`` says otherwise) and its comparators.

    ``members`` maps a year to each neighbour's figure (in order, None: no
    figure); ``ours`` the council's own figures by year.
    """
    ours = {"2019/20": 50.0, "2020/21": 50.0} if ours is None else ours
    m = {"measure_id": "M1", "frequency": "annual", "decimals": "1"} | (measure or {})
    obs = observations or [{"measure_id": "M1", "period": y, "value": v, "reported_on": "2021-06-01"} for y, v in ours.items()]
    folder = make_data(tmp_path / "data", [m], obs)
    with (folder / "council.yml").open("a", encoding="utf-8") as f:
        f.write(f"area_code: {OURS}\n")
    size = group_size or max(len(v) for v in members.values())
    group = [
        {"group_id": "neighbours", "name": "Statistical neighbours", "area_code": a, "area_name": f"Area {a[-2:]}"} for a in areas(size)
    ]
    group.append({"group_id": "england", "name": "England", "area_code": ENGLAND, "area_name": "England"})
    write_csv(folder / "comparator_groups.csv", group)
    rows = [
        {"measure_id": "M1", "period": year, "area_code": area, "value": value, "source": "Test", "reported_on": "2021-06-01"}
        for year, values in members.items()
        for area, value in zip(areas(size), values, strict=False)
        if value is not None
    ]
    rows += [
        {"measure_id": "M1", "period": y, "area_code": ENGLAND, "value": v, "source": "Test", "reported_on": "2021-06-01"}
        for y, v in (england or {}).items()
    ]
    columns = ["measure_id", "period", "area_code", "value", "numerator", "denominator", "source", "reported_on"]
    write_csv(folder / "comparators" / "published.csv", [*rows, *extra_rows], columns)
    return load_data(folder)


def row(data, group: str = "neighbours", quarter=Q2_2021, as_at=AS_AT) -> dict:
    table = compare(data, quarter, as_at).table
    found = table[table["group_id"] == group]
    assert len(found) == 1, table
    return found.iloc[0].to_dict()


def test_equal_values_share_the_best_rank(tmp_path):
    r = row(council(tmp_path, {"2020/21": [60, 50, 50, 40]}))
    assert (r["rank"], r["tied"], r["of"], r["quartile"]) == (2, True, 5, 2)  # 1 ahead; 4 x 2 / 5 = 1.6 -> 2
    assert r["group_median"] == 50 and r["comparison"] == "same"
    assert r["period"] == "2020/21" and r["value"] == 50


@pytest.mark.parametrize(
    ("ahead", "of", "quartile"),
    [
        (0, 4, 1),
        (1, 4, 2),
        (2, 4, 3),
        (3, 4, 4),
        (0, 5, 1),  # 4/5 = 0.8 -> 1
        (1, 5, 2),  # 8/5 = 1.6 -> 2
        (2, 5, 3),  # 12/5 = 2.4 -> 3
        (3, 5, 4),  # 16/5 = 3.2 -> 4
        (4, 5, 4),  # 20/5 = 4
        (1, 11, 1),  # rank 2: 8/11 -> 1
        (2, 11, 2),  # rank 3: 12/11 -> 2
        (5, 11, 3),  # rank 6: 24/11 = 2.2 -> 3
        (8, 11, 4),  # rank 9: 36/11 = 3.3 -> 4
        (10, 11, 4),
    ],
)
def test_quartile_is_the_ceiling_of_four_times_rank_over_n(tmp_path, ahead, of, quartile):
    members = [60.0] * ahead + [40.0] * (of - 1 - ahead)
    r = row(council(tmp_path, {"2020/21": members}))
    assert (r["rank"], r["of"], r["quartile"]) == (ahead + 1, of, quartile)


def test_lower_is_better_ranks_the_lowest_first_and_the_median_is_rounded_half_away(tmp_path):
    data = council(tmp_path, {"2020/21": [3, 4, 6, 7]}, ours={"2020/21": 5}, measure={"polarity": "lower"})
    r = row(data)
    assert (r["rank"], r["of"], r["quartile"]) == (3, 5, 3)  # 3 and 4 are better; 12/5 -> 3
    assert r["group_median"] == 5 and r["comparison"] == "same"  # median of 3, 4, 6, 7 is 5.0
    data = council(tmp_path / "b", {"2020/21": [1.2, 1.3]}, ours={"2020/21": 1.3}, measure={"polarity": "lower"})
    r = row(data)
    assert r["group_median"] == 1.3 and r["comparison"] == "same"  # 1.25 -> 1.3, half away from zero
    assert (r["rank"], r["tied"]) == (2, True)


def test_polarity_none_has_no_rank_or_quartile_and_says_above_or_below(tmp_path):
    r = row(council(tmp_path, {"2020/21": [40, 45, 70]}, measure={"polarity": "none"}, england={"2020/21": 55}))
    assert pd.isna(r["rank"]) and pd.isna(r["quartile"]) and r["of"] == 4
    assert r["group_median"] == 45 and r["comparison"] == "above"
    england = row(council(tmp_path / "b", {"2020/21": [40]}, measure={"polarity": "none"}, england={"2020/21": 55}), "england")
    assert england["comparison"] == "below" and england["reference_value"] == 55


def test_only_members_with_a_figure_are_counted(tmp_path):
    r = row(council(tmp_path, {"2020/21": [60, None, 40, None]}, group_size=4))
    assert (r["rank"], r["of"], r["quartile"]) == (2, 3, 3)  # 8/3 = 2.7 -> 3
    assert r["group_median"] == 50


def test_each_group_falls_back_to_its_own_latest_period(tmp_path):
    data = council(tmp_path, {"2019/20": [60, 40, 30], "2020/21": [None]}, england={"2020/21": 48})
    assert row(data)["period"] == "2019/20"
    assert (row(data)["rank"], row(data)["of"]) == (2, 4)
    england = row(data, "england")
    assert england["period"] == "2020/21" and england["comparison"] == "better" and england["reference_value"] == 48


def test_a_period_after_the_expected_one_is_not_used(tmp_path):
    data = council(tmp_path, {"2019/20": [60, 40], "2020/21": [10, 20]}, ours={"2019/20": 50, "2020/21": 50})
    r = row(data, quarter=parse_quarter("2020/21 Q3"), as_at=dt.date(2021, 10, 31))  # Q3 expects 2019/20
    assert r["period"] == "2019/20" and r["rank"] == 2


def test_a_period_the_council_has_no_figure_for_is_not_used(tmp_path):
    data = council(tmp_path, {"2019/20": [60, 40], "2020/21": [10, 20]}, ours={"2019/20": 50})
    assert row(data)["period"] == "2019/20"


def test_a_comparator_published_after_data_as_at_is_not_seen(tmp_path):
    late = {"measure_id": "M1", "period": "2020/21", "area_code": areas(2)[1], "value": 90, "source": "Test", "reported_on": "2021-11-15"}
    data = council(tmp_path, {"2020/21": [60]}, group_size=2, extra_rows=[late])
    assert (row(data)["rank"], row(data)["of"]) == (2, 2)
    later = row(data, as_at=dt.date(2021, 11, 30))
    assert (later["rank"], later["of"]) == (3, 3)


def test_a_revised_comparator_replaces_the_first_from_its_date(tmp_path):
    revised = {
        "measure_id": "M1",
        "period": "2020/21",
        "area_code": areas(1)[0],
        "value": 45,
        "source": "Test",
        "reported_on": "2021-09-01",
    }
    data = council(tmp_path, {"2020/21": [60]}, extra_rows=[revised])
    assert row(data, as_at=dt.date(2021, 8, 31))["comparison"] == "worse"  # 50 against 60
    assert row(data)["comparison"] == "better"  # 50 against the revised 45


def test_a_group_with_no_figures_gives_no_row(tmp_path):
    data = council(tmp_path, {"2020/21": [60, 40]})
    table = compare(data, Q2_2021, AS_AT).table
    assert set(table["group_id"]) == {"neighbours"}


def test_a_suppressed_council_value_is_flagged_and_still_ranked(tmp_path):
    measure = {"unit": "number", "aggregation": "sum", "decimals": "0", "disclosure_min": "5"}
    r = row(council(tmp_path, {"2020/21": [10, 2]}, ours={"2020/21": 3}, measure=measure))
    assert r["suppressed"] and (r["rank"], r["of"], r["group_median"]) == (2, 3, 6)


def test_ratio_figures_are_parts_times_the_unit_scale_rounded_to_decimals(tmp_path):
    measure = {"aggregation": "ratio"}
    obs = [{"measure_id": "M1", "period": "2020/21", "numerator": 1, "denominator": 3, "reported_on": "2021-06-01"}]
    parts = {"measure_id": "M1", "period": "2020/21", "area_code": areas(2)[1], "numerator": 2, "denominator": 3}
    data = council(
        tmp_path,
        {"2020/21": [33.3]},
        measure=measure,
        observations=obs,
        group_size=2,
        extra_rows=[parts | {"source": "T", "reported_on": "2021-06-01"}],
    )
    r = row(data)
    assert r["value"] == 33.3 and (r["rank"], r["tied"], r["of"]) == (2, True, 3)  # 33.3, 33.3 and 66.7
    assert r["group_median"] == 50  # (33.3 + 66.7) / 2


def test_figures_list_the_council_first_then_the_members_best_first(tmp_path):
    data = council(tmp_path, {"2020/21": [40, 60, 50]}, england={"2020/21": 55})
    figures = compare(data, Q2_2021, AS_AT).figures
    group = figures[figures["group_id"] == "neighbours"]
    assert list(group["role"]) == ["council", "member", "member", "member"]
    assert list(group["value"]) == [50, 60, 50, 40]
    assert list(group["area_name"])[0] == "Test" and set(group["period"]) == {"2020/21"}
    assert list(figures.loc[figures["group_id"] == "england", "role"]) == ["council", "reference"]


def test_a_council_without_comparators_compares_nothing(tmp_path):
    data = load_data(make_data(tmp_path / "data", [{"measure_id": "M1"}], [{"measure_id": "M1", "period": "2020/21 Q1", "value": 5}]))
    assert compare(data, Q2_2021, AS_AT).empty


def test_comparison_words_follow_polarity():
    polarity = np.array([Polarity.HIGHER] * 3 + [Polarity.LOWER] * 2 + [Polarity.NONE])
    words = comparison_words([2, 1, 1, 2, 1, 1], [1, 1, 2, 1, 1, 2], polarity)
    assert list(words) == ["better", "same", "worse", "worse", "same", "below"]


MEASURES = pd.DataFrame(
    {"polarity": ["higher", "lower"], "decimals": [1, 1], "frequency": ["annual", "annual"], "public": [True, True]},
    index=pd.Index(["H", "L"], name="measure_id"),
)
GROUPS = pd.DataFrame({"group_id": ["g", "g"], "name": ["Group", "Group"], "area_code": ["A", "B"]})


def ranks(council_value: float, members: list[float], measure: str) -> int:
    rows = pd.DataFrame(
        {
            "measure_id": measure,
            "group_id": "g",
            "period_index": 2020,
            "value": members,
            "reference": False,
            "council": council_value,
            "council_suppressed": False,
        }
    )
    return int(judge_groups(rows, MEASURES, GROUPS).iloc[0]["rank"])


values = st.lists(st.integers(-50, 50).map(lambda v: v / 2), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(values, st.integers(-50, 50), st.integers(-50, 50))
def test_rank_is_monotone_in_the_council_value_and_mirrors_under_polarity(members, a, b):
    low, high = sorted((a / 2, b / 2))
    assert ranks(high, members, "H") <= ranks(low, members, "H")
    assert ranks(low, members, "L") <= ranks(high, members, "L")
    assert ranks(low, members, "L") == ranks(-low, [-v for v in members], "H")
    assert 1 <= ranks(low, members, "H") <= len(members) + 1
