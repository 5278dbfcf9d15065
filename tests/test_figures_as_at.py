"""The as-at view: which figure and which commentary a report uses, and when a figure counts as revised."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from builders import make_data, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from pmlib.contract.loading import load_data
from pmlib.engine.commentary import commentary_as_at
from pmlib.engine.figures import figures_as_at, latest_rows
from pmlib.engine.status import judge

Q1 = "2020/21 Q1"
Q2 = "2020/21 Q2"
D = dt.date.fromisoformat


def load(tmp_path, observations, measures=({},)):
    return load_data(make_data(tmp_path / "data", list(measures), observations))


def history(*versions, period=Q1, measure="M1"):
    """Rows for one measure and period: ``(reported_on, value)`` pairs."""
    return [{"measure_id": measure, "period": period, "value": v, "reported_on": d} for d, v in versions]


def value_at(data, as_at=None, published=(), period=Q1):
    figures = figures_as_at(data.observations, as_at, published).set_index(["measure_id", "period"])
    if ("M1", period) not in figures.index:
        return None, None
    row = figures.loc[("M1", period)]
    return row["value"], bool(row["revised"])


# 70 supplied mid-July, corrected to 72 in August, revised again to 75 in November.
HISTORY = history(("2020-07-15", 70), ("2020-08-20", 72), ("2020-11-10", 75))


@pytest.mark.parametrize(
    ("as_at", "value"),
    [
        (D("2020-07-10"), None),  # before any figure: the period has none
        (D("2020-07-15"), 70),  # on the reported_on date counts ("on or before")
        (D("2020-07-31"), 70),
        (D("2020-08-31"), 72),  # the newest on or before as-at
        (D("2020-10-31"), 72),  # the November revision is not seen by an October report
        (None, 75),  # no as-at date: the newest
    ],
)
def test_as_at_picks_the_newest_on_or_before(tmp_path, as_at, value):
    assert value_at(load(tmp_path, HISTORY), as_at)[0] == value


def test_rows_arrive_in_any_order(tmp_path):
    data = load(tmp_path, list(reversed(HISTORY)))
    assert value_at(data, D("2020-08-31"))[0] == 72


def test_a_quarter_rebuilt_later_shows_what_it_first_showed(tmp_path):
    data = load(tmp_path, HISTORY)
    first = judge(data, [Q1], data_as_at=D("2020-07-31"))
    again = judge(data, [Q1], data_as_at=D("2020-07-31"), published=[D("2020-07-31"), D("2020-10-31")])
    assert first["value"].tolist() == again["value"].tolist() == [70]
    assert not again["revised"].iloc[0]  # later publications do not revise an earlier report


def test_revised_when_an_earlier_published_report_used_another_figure(tmp_path):
    data = load(tmp_path, HISTORY)
    # Q1 report published with as-at 31 July (70); the Q2 report at 31 October sees 72
    assert value_at(data, D("2020-10-31"), [D("2020-07-31")]) == (72, True)
    # the same figure with nothing published before is not revised
    assert value_at(data, D("2020-10-31"), []) == (72, False)
    # published dates after this report's as-at are not earlier reports
    assert value_at(data, D("2020-10-31"), [D("2021-01-31")]) == (72, False)
    # a published date equal to this report's as-at is this report itself
    assert value_at(data, D("2020-07-31"), [D("2020-07-31")]) == (70, False)


def test_a_correction_before_first_publication_is_not_a_revision(tmp_path):
    # 70 on 15 July corrected to 72 on 25 July, first published at 31 July: nobody saw 70
    data = load(tmp_path, history(("2020-07-15", 70), ("2020-07-25", 72)))
    assert value_at(data, D("2020-10-31"), [D("2020-07-31")]) == (72, False)


def test_revised_against_any_earlier_publication(tmp_path):
    data = load(tmp_path, HISTORY)
    # Q2 report (as-at 31 October) published 72; the Q3 report (as-at 31 January) sees 75
    assert value_at(data, D("2021-01-31"), [D("2020-07-31"), D("2020-10-31")]) == (75, True)
    assert value_at(data, None, [D("2020-10-31")]) == (75, True)


def test_a_figure_first_supplied_after_publication_is_not_revised(tmp_path):
    # the Q1 report at 31 July had no figure for Q1 yet: nothing was published to differ from
    data = load(tmp_path, history(("2020-08-20", 72)))
    assert value_at(data, D("2020-10-31"), [D("2020-07-31")]) == (72, False)


def test_resupplying_the_same_figure_is_not_a_revision(tmp_path):
    data = load(tmp_path, history(("2020-07-15", 70), ("2020-09-01", 70)))
    assert value_at(data, D("2020-10-31"), [D("2020-07-31")]) == (70, False)


def test_a_changed_denominator_is_a_revision_even_at_the_same_rate(tmp_path):
    # 10/20 and 20/40 are both 50%, but the published numerator and denominator changed
    obs = [
        {"measure_id": "M1", "period": Q1, "numerator": 10, "denominator": 20, "reported_on": "2020-07-15"},
        {"measure_id": "M1", "period": Q1, "numerator": 20, "denominator": 40, "reported_on": "2020-09-01"},
    ]
    data = load(tmp_path, obs, [{"aggregation": "ratio"}])
    row = figures_as_at(data.observations, D("2020-10-31"), [D("2020-07-31")]).iloc[0]
    assert (row["numerator"], row["denominator"], bool(row["revised"])) == (20, 40, True)


def test_revised_month_flags_the_quarter_and_year_to_date(tmp_path):
    m = [{"frequency": "monthly", "aggregation": "sum", "unit": "number", "ytd": "true"}]
    obs = [{"measure_id": "M1", "period": f"2020-{mm:02d}", "value": 10, "reported_on": "2020-07-10"} for mm in (4, 5, 6)]
    obs += [{"measure_id": "M1", "period": "2020-05", "value": 12, "reported_on": "2020-08-15"}]  # May corrected
    obs += [{"measure_id": "M1", "period": f"2020-{mm:02d}", "value": 10, "reported_on": "2020-10-10"} for mm in (7, 8, 9)]
    table = judge(load(tmp_path, obs, m), [Q1, Q2], data_as_at=D("2020-10-31"), published=[D("2020-07-31")])
    q1, q2 = (table[table["quarter"] == q].iloc[0] for q in (Q1, Q2))
    assert (q1["value"], bool(q1["revised"])) == (32, True)  # 10 + 12 + 10, was published as 30
    # Q2's year to date (32 + 30 = 62) includes the revised May
    assert (q2["value"], bool(q2["revised"])) == (62, True)


def test_quality_flags_reach_the_judged_row(tmp_path):
    m = [{"frequency": "monthly", "aggregation": "mean"}]
    obs = [
        {"measure_id": "M1", "period": "2020-07", "value": 80},
        {"measure_id": "M1", "period": "2020-08", "value": 80, "quality": "provisional"},
        {"measure_id": "M1", "period": "2020-09", "value": 80, "quality": "estimated"},
        {"measure_id": "M1", "period": "2020-04", "value": 80},
        {"measure_id": "M1", "period": "2020-05", "value": 80},
        {"measure_id": "M1", "period": "2020-06", "value": 80},
    ]
    table = judge(load(tmp_path, obs, m), [Q1, Q2])
    q1, q2 = (table[table["quarter"] == q].iloc[0] for q in (Q1, Q2))
    assert (bool(q2["provisional"]), bool(q2["estimated"])) == (True, True)  # any month rolled in carries it
    assert (bool(q1["provisional"]), bool(q1["estimated"])) == (False, False)


def test_the_validated_figure_replaces_the_provisional_one(tmp_path):
    obs = [
        {"measure_id": "M1", "period": Q1, "value": 70, "quality": "provisional", "reported_on": "2020-07-15"},
        {"measure_id": "M1", "period": Q1, "value": 70, "quality": "validated", "reported_on": "2020-09-01"},
    ]
    data = load(tmp_path, obs)
    early = judge(data, [Q1], data_as_at=D("2020-07-31")).iloc[0]
    late = judge(data, [Q1], data_as_at=D("2020-10-31"), published=[D("2020-07-31")]).iloc[0]
    assert bool(early["provisional"]) and not bool(late["provisional"])
    assert not bool(late["revised"])  # same figure, now validated: not a revision


# --- the array form against a plain reading of the rule ----------------------------------------------


def _plain_latest(keys, reported, values, as_at, published):
    """Newest row by reported day (the later row on a tie) per key, and whether an earlier published report saw another value."""

    def winners(limit):
        best = {}
        for row, (key, day) in enumerate(zip(keys, reported, strict=True)):
            if limit is None or day <= limit:
                if key not in best or day >= reported[best[key]]:
                    best[key] = row
        return best

    now = winners(as_at)
    revised = {}
    for day in published:
        if as_at is None or day < as_at:
            for key, then in winners(day).items():
                if key in now:
                    a, b = values[now[key]], values[then]
                    revised[key] = revised.get(key, False) or not (a == b or (math.isnan(a) and math.isnan(b)))
    rows = sorted(now.values())
    return rows, [revised.get(keys[r], False) for r in rows]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    rows=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 8), st.sampled_from([1.0, 2.0, float("nan")])), max_size=30),
    as_at=st.one_of(st.none(), st.integers(0, 8)),
    published=st.lists(st.integers(0, 8), max_size=4),
)
def test_latest_rows_follow_the_rule(rows, as_at, published):
    keys = np.array([r[0] for r in rows], dtype="int64")
    reported = np.array([r[1] for r in rows], dtype="int64")
    values = np.array([r[2] for r in rows], dtype="float64")
    epoch = dt.date(2020, 1, 1)
    day = lambda d: None if d is None else epoch + dt.timedelta(days=d)  # noqa: E731
    kept, revised = latest_rows(keys, 6, reported + (epoch - dt.date(1970, 1, 1)).days, (values,), day(as_at), [day(d) for d in published])
    expected_rows, expected_revised = _plain_latest(keys.tolist(), reported.tolist(), values.tolist(), as_at, published)
    assert kept.tolist() == expected_rows
    assert revised.tolist() == expected_revised


# --- commentary: the same as-at rule for what officers said ----------------------

NOTE_COLUMNS = ["measure_id", "period", "commentary", "action", "action_owner", "action_due", "reported_on"]


def commentary(tmp_path, rows, columns=NOTE_COLUMNS) -> pd.DataFrame:
    """The typed commentary table of a one-measure council, read from ``rows`` as the CSV holds them."""
    data = make_data(tmp_path / "data", [{}], [{"measure_id": "M1", "period": Q1, "value": "80"}])
    write_csv(data / "commentary.csv", rows, columns)
    return load_data(data).commentary


def said(*versions, period=Q1, measure="M1"):
    """Rows for one measure and quarter: ``(reported_on, text)`` pairs, "" for undated."""
    return [{"measure_id": measure, "period": period, "commentary": t, "reported_on": d} for d, t in versions]


def text_at(notes, as_at, period=Q1):
    shown = commentary_as_at(notes, as_at)
    shown = shown[(shown["measure_id"] == "M1") & (shown["period"] == period)]
    assert len(shown) <= 1
    return None if shown.empty else shown["commentary"].iloc[0]


# Standing text with no date; first said in July, rewritten in August, rewritten again for Q3's meeting in November.
SAID = said(("", "Standing text."), ("2020-07-20", "First said."), ("2020-08-25", "Rewritten."), ("2020-11-10", "Rewritten again."))


@pytest.mark.parametrize(
    ("as_at", "text"),
    [
        (D("2020-07-10"), "Standing text."),  # no dated row yet: the undated row applies
        (D("2020-07-20"), "First said."),  # on the reported_on date counts, and a dated row beats the undated one
        (D("2020-07-31"), "First said."),
        (D("2020-08-31"), "Rewritten."),  # the newest on or before as-at
        (D("2020-10-31"), "Rewritten."),  # the November rewrite is not seen by an October report
        (None, "Rewritten again."),  # no as-at date: the newest
    ],
)
def test_commentary_as_at_picks_the_newest_on_or_before(tmp_path, as_at, text):
    notes = commentary(tmp_path, SAID)
    assert text_at(notes, as_at) == text
    assert text_at(commentary(tmp_path / "reversed", list(reversed(SAID))), as_at) == text  # file order does not matter


def test_a_quarter_rebuilt_later_shows_the_commentary_it_first_showed(tmp_path):
    first = commentary(tmp_path / "then", SAID[1:2])
    later = commentary(tmp_path / "now", SAID[1:])
    assert text_at(first, D("2020-07-31")) == text_at(later, D("2020-07-31")) == "First said."


def test_without_an_undated_row_a_quarter_has_no_commentary_before_its_first_date(tmp_path):
    notes = commentary(tmp_path, SAID[1:])
    assert text_at(notes, D("2020-07-19")) is None
    assert text_at(notes, D("2020-07-20")) == "First said."


def test_one_row_per_measure_and_quarter_in_file_order_with_every_column(tmp_path):
    rows = said(("2020-07-20", "Q1 first."), period=Q1) + said(("", "Q2 standing."), period=Q2) + said(("2020-08-25", "Q1 again."))
    notes = commentary(tmp_path, rows)
    shown = commentary_as_at(notes, D("2020-10-31"))
    assert list(shown["commentary"]) == ["Q2 standing.", "Q1 again."]
    assert list(shown.columns) == list(notes.columns)
    assert shown["reported_on"].isna().tolist() == [True, False]


def test_a_v1_file_without_reported_on_reads_as_before(tmp_path):
    rows = said(("", "Q1 text."), period=Q1) + said(("", "Q2 text."), period=Q2)
    notes = commentary(tmp_path, rows, NOTE_COLUMNS[:-1])
    assert notes["reported_on"].isna().all()
    for as_at in (D("2000-01-01"), D("2020-10-31"), None):
        pd.testing.assert_frame_equal(commentary_as_at(notes, as_at), notes)
    # A table built by hand without the column at all is read the same way.
    pd.testing.assert_frame_equal(commentary_as_at(notes.drop(columns="reported_on"), None), notes.drop(columns="reported_on"))
