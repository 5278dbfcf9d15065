"""What changed since the last report (contract v2), each kind worked by hand on a small data folder."""

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from builders import make_data, write_csv

from pmlib.contract.loading import load_data
from pmlib.engine.changes import COLUMNS, changes_between, targets_as_agreed, what_changed
from pmlib.engine.status import judge
from pmlib.vocabulary import CHANGES, Change

Q1, Q2 = "2020/21 Q1", "2020/21 Q2"
AS_AT_Q1, AS_AT_Q2 = dt.date(2020, 7, 31), dt.date(2020, 10, 31)


def figure(period, value, reported_on, measure="M1", **extra):
    return {"measure_id": measure, "period": period, "value": value, "reported_on": reported_on} | extra


def target(year="2020/21", target=80, intervention="", measure="M1", **extra):
    return {"measure_id": measure, "year": year, "period": "", "target": target, "intervention": intervention} | extra


def data_for(tmp_path, measures, observations, targets=()):
    return load_data(make_data(tmp_path / "data", measures, observations, list(targets)))


def changed(data, quarter=Q2, as_at=AS_AT_Q2, previous=Q1, previous_as_at=AS_AT_Q1, **kw):
    return what_changed(data, quarter, as_at, previous, previous_as_at, **kw)


def rows(changes):
    """The changes as tuples, blanks as None, for comparing with what was worked by hand."""
    return [tuple(None if pd.isna(v) else v for v in r) for r in changes.itertuples(index=False)]


def test_the_kinds_are_the_contracts_in_its_order():
    # "measures reported for the first time or no longer reported; targets and intervention levels
    # that changed ...; status moves ...; figures revised since that report"
    assert CHANGES == ("new_measure", "no_longer_reported", "target_changed", "intervention_changed", "status_moved", "figure_revised")
    assert Change.of("status_moved") is Change.STATUS


def test_a_measure_reported_for_the_first_time(tmp_path):
    # M2 has its first figure in Q2; at Q1 it had no figure, no earlier figure and no target.
    # M3 is new too, but restricted: it is only in the internal list.
    data = data_for(
        tmp_path,
        [{"measure_id": "M1"}, {"measure_id": "M2"}, {"measure_id": "M3", "public": "false"}],
        [
            figure(Q1, 82, "2020-07-15"),
            figure(Q2, 83, "2020-10-15"),
            figure(Q2, 50, "2020-10-15", measure="M2"),
            figure(Q2, 10, "2020-10-15", measure="M3"),
        ],
    )
    assert rows(changed(data)) == [("M2", "new_measure", Q2, None, None, "")]
    assert rows(changed(data, public_only=False)) == [("M2", "new_measure", Q2, None, None, ""), ("M3", "new_measure", Q2, None, None, "")]


def test_a_measure_with_a_target_but_no_figure_yet_is_new_when_its_target_is_set(tmp_path):
    # A target for 2020/21 (none for 2019/20): the 2020/21 Q1 report shows it against its target, so it is reported.
    data = data_for(tmp_path, [{"measure_id": "M1"}], [figure("2019/20 Q3", 70, "2020-01-15")], [target()])
    # ... but it showed the 2019/20 Q3 figure as context in the 2019/20 Q4 report, so it is not new.
    assert changed(data, Q1, AS_AT_Q1, "2019/20 Q4", dt.date(2020, 4, 30)).empty
    # A measure with nothing before the 2020/21 Q1 report but its target (M0 is there so the folder has a figure at each cut-off).
    fresh = data_for(
        tmp_path / "fresh",
        [{"measure_id": "M0"}, {"measure_id": "M1"}],
        [figure("2019/20 Q4", 50, "2020-04-15", measure="M0"), figure(Q1, 50, "2020-07-15", measure="M0")],
        [target()],
    )
    assert rows(changed(fresh, Q1, AS_AT_Q1, "2019/20 Q4", dt.date(2020, 4, 30))) == [("M1", "new_measure", Q1, None, None, "")]


def test_a_measure_no_longer_reported(tmp_path):
    # M2's targets and figures stop with 2019/20: the 2020/21 Q1 report has neither for it (only the Q4 figure as context).
    data = data_for(
        tmp_path,
        [{"measure_id": "M1"}, {"measure_id": "M2"}],
        [
            figure("2019/20 Q4", 85, "2020-04-15"),
            figure(Q1, 85, "2020-07-15"),
            figure("2019/20 Q4", 60, "2020-04-15", measure="M2"),
        ],
        [target("2019/20"), target("2020/21"), target("2019/20", 50, measure="M2")],
    )
    assert rows(changed(data, Q1, AS_AT_Q1, "2019/20 Q4", dt.date(2020, 4, 30))) == [("M2", "no_longer_reported", Q1, None, None, "")]
    # Dropped once: the next report has nothing new to say about it.
    assert rows(changed(data, Q2, AS_AT_Q2, Q1, AS_AT_Q1)) == [("M1", "status_moved", Q2, "on_target", "no_data", "")]


def test_a_status_move_in_the_order_of_the_measures(tmp_path):
    # measures.csv lists M2 first. M1: 85 then 75 against 80 (I 70): on_target -> below_target.
    # M2 (lower is better): 20 then 30 against 25 (I 30): on_target -> intervention (at I).
    data = data_for(
        tmp_path,
        [{"measure_id": "M2", "polarity": "lower"}, {"measure_id": "M1"}],
        [
            figure(Q1, 85, "2020-07-15"),
            figure(Q2, 75, "2020-10-15"),
            figure(Q1, 20, "2020-07-15", measure="M2"),
            figure(Q2, 30, "2020-10-15", measure="M2"),
        ],
        [target(target=80, intervention=70), target(target=25, intervention=30, measure="M2")],
    )
    assert rows(changed(data)) == [
        ("M2", "status_moved", Q2, "on_target", "intervention", ""),
        ("M1", "status_moved", Q2, "on_target", "below_target", ""),
    ]


def test_a_figure_revised_after_publication_with_the_officers_note(tmp_path):
    # Q1 was 82 when the Q1 report was frozen (31 July); 84 supplied on 1 September with a note.
    data = data_for(
        tmp_path,
        [{"measure_id": "M1"}],
        [
            figure(Q1, 82, "2020-07-15"),
            figure(Q1, 84, "2020-09-01", note="Two wards' late returns added"),
            figure(Q2, 83, "2020-10-15"),
        ],
    )
    assert rows(changed(data)) == [("M1", "figure_revised", Q1, 82.0, 84.0, "Two wards' late returns added")]


def test_a_correction_before_the_previous_report_is_not_a_revision_since_it(tmp_path):
    data = data_for(
        tmp_path,
        [{"measure_id": "M1"}],
        [figure(Q1, 82, "2020-07-15"), figure(Q1, 84, "2020-07-20", note="typo"), figure(Q2, 83, "2020-10-15")],
    )
    assert changed(data).empty


def test_revised_ratio_shown_as_its_rate_and_small_counts_confidential_in_public(tmp_path):
    # R: 40/50 = 80.0% revised to 45/50 = 90.0%. C (a count, disclosure_min 5): 3 revised to 7.
    data = data_for(
        tmp_path,
        [{"measure_id": "R", "aggregation": "ratio"}, {"measure_id": "C", "unit": "number", "aggregation": "sum", "disclosure_min": "5"}],
        [
            {"measure_id": "R", "period": Q1, "numerator": 40, "denominator": 50, "reported_on": "2020-07-15"},
            {"measure_id": "R", "period": Q1, "numerator": 45, "denominator": 50, "reported_on": "2020-08-15", "note": "recount"},
            {"measure_id": "R", "period": Q2, "numerator": 45, "denominator": 50, "reported_on": "2020-10-15"},
            figure(Q1, 3, "2020-07-15", measure="C"),
            figure(Q1, 7, "2020-08-15", measure="C"),
            figure(Q2, 9, "2020-10-15", measure="C"),
        ],
    )
    assert rows(changed(data)) == [
        ("R", "figure_revised", Q1, 80.0, 90.0, "recount"),
        ("C", "figure_revised", Q1, "[c]", 7.0, ""),
    ]
    assert rows(changed(data, public_only=False))[1] == ("C", "figure_revised", Q1, 3.0, 7.0, "")


def _revised_targets(tmp_path):
    """M1: 80 (I 70) with no agreed_on, raised to 85 (I 75) on 15 September 2020, between the Q1 and Q2 reports."""
    folder = make_data(
        tmp_path / "data",
        [{"measure_id": "M1"}],
        [figure(Q1, 82, "2020-07-15"), figure(Q2, 82, "2020-10-15")],
    )
    write_csv(
        folder / "targets.csv",
        [
            target(target=80, intervention=70),
            target(target=85, intervention=75, agreed_on="2020-09-15", reason="Raised to the regional average"),
        ],
        ["measure_id", "year", "period", "target", "intervention", "agreed_on", "reason"],
    )
    return folder


def test_a_target_agreed_between_the_reports_with_its_reason(tmp_path):
    # Q1 (as at 31 July): 82 against 80 is on target. Q2 (as at 31 October): 82 against 85, above 75, is below target.
    data = load_data(_revised_targets(tmp_path))
    reason = "Raised to the regional average"
    assert rows(changed(data)) == [
        ("M1", "target_changed", Q2, 80.0, 85.0, reason),
        ("M1", "intervention_changed", Q2, 70.0, 75.0, reason),
        ("M1", "status_moved", Q2, "on_target", "below_target", ""),
    ]
    # The Q1 report rebuilt later still shows the target it first showed, so nothing changed between Q1 and itself.
    assert changed(data, Q1, AS_AT_Q1, Q1, AS_AT_Q1).empty


def test_target_revisions_are_like_with_like_whatever_judge_does_with_agreed_on(tmp_path):
    # The same revision, given to the engine as a targets table with agreed_on and reason (the loader's v2 columns):
    # the target for Q2 as agreed on 31 October against the target for Q2 as agreed on 31 July.
    data = load_data(make_data(tmp_path / "data", [{"measure_id": "M1"}], [figure(Q1, 82, "2020-07-15"), figure(Q2, 82, "2020-10-15")]))
    targets = pd.DataFrame(
        {
            "measure_id": ["M1", "M1"],
            "year": ["2020/21", "2020/21"],
            "period": [None, None],
            "target": [80.0, 85.0],
            "intervention": [70.0, 75.0],
            "agreed_on": pd.to_datetime([None, "2020-09-15"]),
            "reason": [None, "Raised to the regional average"],
            "fy": pd.array([2020, 2020], dtype="Int64"),
            "phased_last_month": [float("nan")] * 2,
        }
    )
    data = dataclasses.replace(data, targets=targets)
    assert targets_as_agreed(targets, AS_AT_Q1)["target"].tolist() == [80.0]
    assert targets_as_agreed(targets, AS_AT_Q2)["target"].tolist() == [85.0]
    got = changes_between(data, judge(data, [Q2], AS_AT_Q2), judge(data, [Q1], AS_AT_Q1), AS_AT_Q2, AS_AT_Q1)
    levels = got[got["kind"].isin([Change.TARGET.word, Change.INTERVENTION.word])]
    assert rows(levels) == [
        ("M1", "target_changed", Q2, 80.0, 85.0, "Raised to the regional average"),
        ("M1", "intervention_changed", Q2, 70.0, 75.0, "Raised to the regional average"),
    ]
    # Agreed before the previous report: the target is not news, however the year's reports read it.
    assert changes_between(data, judge(data, [Q2], AS_AT_Q2), judge(data, [Q1], AS_AT_Q2), AS_AT_Q2, AS_AT_Q2).empty


def test_no_changes_between_identical_reports_is_an_empty_list_with_the_columns(tmp_path):
    data = data_for(tmp_path, [{"measure_id": "M1"}], [figure(Q1, 82, "2020-07-15")], [target()])
    for same in (changed(data, Q1, AS_AT_Q1, Q1, AS_AT_Q1), changed(data, Q1, AS_AT_Q1, None, None)):
        assert same.empty
        assert tuple(same.columns) == COLUMNS
        assert set(same.dtypes) == {np.dtype(object)}


def test_the_columns_and_their_types(tmp_path):
    data = data_for(tmp_path, [{"measure_id": "M1"}], [figure(Q1, 82, "2020-07-15"), figure(Q2, 70, "2020-10-15")], [target()])
    got = changed(data)
    assert tuple(got.columns) == COLUMNS
    assert set(got.dtypes) == {np.dtype(object)}
    assert rows(got) == [("M1", "status_moved", Q2, "on_target", "below_target", "")]
    with pytest.raises(ValueError, match="quarters"):
        changes_between(data, judge(data, [Q1, Q2], AS_AT_Q2), judge(data, [Q1], AS_AT_Q1), AS_AT_Q2, AS_AT_Q1)
