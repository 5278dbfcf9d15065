"""Period codes, slugs and arithmetic, pinned with hand-worked examples (data contract: Periods)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pmlib
from pmlib.contract.periods import Period, example_code, first_months, parse_period, parse_quarter, period_indexes
from pmlib.errors import PeriodError
from pmlib.vocabulary import Frequency

# --- parsing and formatting -------------------------------------------------


@pytest.mark.parametrize(
    ("code", "frequency", "index"),
    [
        ("2020-09", "monthly", 2020 * 12 + 8),  # calendar months from year 0: 2020 x 12 + (9 - 1)
        ("2021-01", "monthly", 2021 * 12 + 0),
        ("2020/21 Q2", "quarterly", 2020 * 4 + 1),  # quarters from 0/01: 2020 x 4 + (2 - 1)
        ("2020/21 Q4", "quarterly", 2020 * 4 + 3),
        ("2020/21", "annual", 2020),  # a year is the calendar year it starts in
        ("1999/00", "annual", 1999),  # the century turns: 99 + 1 = 100 -> 00
        ("1999/00 Q1", "quarterly", 1999 * 4),
    ],
)
def test_parse_period_reads_each_frequency(code, frequency, index):
    period = parse_period(code)
    assert period == Period(Frequency(frequency), index)
    assert period.code == code
    assert parse_period(code, frequency) == period


@pytest.mark.parametrize(
    "code",
    [
        "2020/22",  # the second year must follow the first
        "2020/22 Q1",
        "2020/21 Q5",  # only Q1-Q4
        "2020/21 Q0",
        "2020-13",  # only months 01-12
        "2020-00",
        "2020-9",  # the month needs two digits
        "20-09",
        "2020/2021",
        "2020-21",  # a year's slug is not a period code
        "2020-21-Q2",  # neither is a quarter's slug (parse_quarter reads slugs)
        "2020/21 q2",  # Q is upper case
        "2020/21Q2",
        "2020/21  Q2",  # exactly one space inside a quarter code
        "September 2020",
        "",
        "   ",
    ],
)
def test_bad_codes_are_errors(code):
    with pytest.raises(PeriodError):
        parse_period(code)


def test_error_names_the_bad_value_and_the_expected_form():
    with pytest.raises(PeriodError, match=r"'2020/21 Q5' is not a period code"):
        parse_period("2020/21 Q5")
    with pytest.raises(PeriodError, match=r"'2020-09' is not a quarterly period code \(YYYY/YY Qn, e.g. 2020/21 Q2\)"):
        parse_period("2020-09", "quarterly")


@pytest.mark.parametrize(("code", "frequency"), [("2020-09", "annual"), ("2020/21", "monthly"), ("2020/21 Q2", "annual")])
def test_code_of_another_frequency_is_an_error(code, frequency):
    with pytest.raises(PeriodError, match=f"not a {frequency} period code"):
        parse_period(code, frequency)


def test_surrounding_whitespace_is_ignored():
    # A CSV cell " 2020-09 " (a stray space from a spreadsheet) is the code 2020-09; the
    # loader strips cells too, so both paths agree. Whitespace inside a code is an error.
    assert parse_period(" 2020-09 ") == parse_period("2020-09")
    assert parse_period("\t2020/21 Q2\n") == parse_period("2020/21 Q2")
    with pytest.raises(PeriodError):
        parse_period("2020 -09")


@pytest.mark.parametrize("code", ["２０２０-09", "٢٠٢٠-09", "2020/２１ Q1"])
def test_only_ascii_digits_make_a_code(code):
    # Python's \d also matches other scripts' digits; the contract's YYYY means 0-9 only.
    with pytest.raises(PeriodError):
        parse_period(code)


def test_slugs():
    assert parse_period("2020/21 Q2").slug == "2020-21-Q2"
    assert parse_period("2020/21").slug == "2020-21"
    assert parse_period("2020-09").slug == "2020-09"
    assert parse_period("1999/00 Q4").slug == "1999-00-Q4"


@pytest.mark.parametrize("text", ["2020/21 Q2", "2020-21-Q2", " 2020-21-Q2 "])
def test_parse_quarter_reads_code_or_slug(text):
    assert parse_quarter(text) == Period.quarter(2020, 2)


@pytest.mark.parametrize("text", ["2020-21-Q5", "2020-22-Q1", "2020/21", "2020-09", "2020-21-q2", "2020_21_Q2"])
def test_parse_quarter_rejects_anything_else(text):
    with pytest.raises(PeriodError, match="write it as 2020/21 Q2 or 2020-21-Q2"):
        parse_quarter(text)


def test_constructors_reject_out_of_range_numbers():
    with pytest.raises(PeriodError):
        Period.month(2020, 13)
    with pytest.raises(PeriodError):
        Period.quarter(2020, 0)


def test_str_is_the_code_and_example_codes():
    assert str(Period.quarter(2020, 2)) == "2020/21 Q2"
    assert example_code("monthly") == "YYYY-MM, e.g. 2020-09"


# --- arithmetic ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "previous", "last_year"),
    [
        ("2021/22 Q1", "2020/21 Q4", "2020/21 Q1"),  # Q1 steps back over the year boundary
        ("2020/21 Q2", "2020/21 Q1", "2019/20 Q2"),
        ("2021-01", "2020-12", "2020-01"),  # January steps back over the calendar year
        ("2020-04", "2020-03", "2019-04"),  # April steps back over the financial year
        ("2020/21", "2019/20", "2019/20"),
        ("2000/01", "1999/00", "1999/00"),
    ],
)
def test_previous_and_same_period_last_year(code, previous, last_year):
    period = parse_period(code)
    assert period.previous().code == previous
    assert period.same_period_last_year().code == last_year
    assert (period - 1) == period.previous()
    assert (period.previous() + 1) == period


@pytest.mark.parametrize(
    ("code", "elapsed"),
    [
        ("2020/21 Q1", 3),  # April-June
        ("2020/21 Q2", 6),
        ("2020/21 Q3", 9),
        ("2020/21 Q4", 12),  # the whole year
        ("2020-04", 1),  # April is the first month of the financial year
        ("2020-12", 9),  # April..December = 9 months
        ("2021-03", 12),  # March is the last
        ("2020/21", 12),
    ],
)
def test_months_elapsed(code, elapsed):
    assert parse_period(code).months_elapsed == elapsed


@pytest.mark.parametrize(
    ("month", "quarter"),
    [
        ("2021-02", "2020/21 Q4"),  # Jan-Mar belong to the year that started the April before
        ("2021-03", "2020/21 Q4"),
        ("2021-04", "2021/22 Q1"),
        ("2020-06", "2020/21 Q1"),
        ("2020-07", "2020/21 Q2"),
        ("2020-12", "2020/21 Q3"),
    ],
)
def test_quarter_of(month, quarter):
    assert parse_period(month).quarter_of.code == quarter
    assert parse_period(month).financial_year.code == quarter[:7]


def test_quarter_of_a_quarter_is_itself_and_a_year_has_none():
    q = parse_period("2020/21 Q3")
    assert q.quarter_of == q
    with pytest.raises(PeriodError):
        _ = parse_period("2020/21").quarter_of


def test_months_and_quarters():
    assert [p.code for p in parse_period("2020/21 Q4").months()] == ["2021-01", "2021-02", "2021-03"]
    assert [p.code for p in parse_period("2020/21 Q1").months()] == ["2020-04", "2020-05", "2020-06"]
    year = parse_period("2020/21")
    assert len(year.months()) == 12
    assert year.months()[0].code == "2020-04" and year.months()[-1].code == "2021-03"
    assert [p.code for p in year.quarters()] == ["2020/21 Q1", "2020/21 Q2", "2020/21 Q3", "2020/21 Q4"]
    assert [p.code for p in parse_period("2021-02").quarters()] == ["2020/21 Q4"]
    assert [p.code for p in parse_period("2020-09").months()] == ["2020-09"]


def test_numbers():
    assert parse_period("2020/21 Q3").number == 3
    assert parse_period("2021-02").number == 2  # calendar month number, not month of the financial year
    with pytest.raises(PeriodError):
        _ = parse_period("2020/21").number


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2020-09", dt.date(2020, 9, 1), dt.date(2020, 9, 30)),
        ("2020-02", dt.date(2020, 2, 1), dt.date(2020, 2, 29)),  # leap year
        ("2021-02", dt.date(2021, 2, 1), dt.date(2021, 2, 28)),
        ("2020/21 Q2", dt.date(2020, 7, 1), dt.date(2020, 9, 30)),
        ("2020/21 Q4", dt.date(2021, 1, 1), dt.date(2021, 3, 31)),
        ("2020/21", dt.date(2020, 4, 1), dt.date(2021, 3, 31)),
    ],
)
def test_start_and_end_dates(code, start, end):
    period = parse_period(code)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("2020-09", "September 2020"),
        ("2020/21 Q2", "July to September 2020"),
        ("2020/21 Q4", "January to March 2021"),
        ("2020/21", "April 2020 to March 2021"),
    ],
)
def test_labels(code, label):
    assert parse_period(code).label == label


@pytest.mark.parametrize(
    ("day", "frequency", "code"),
    [
        (dt.date(2021, 2, 14), "monthly", "2021-02"),
        (dt.date(2021, 2, 14), "quarterly", "2020/21 Q4"),
        (dt.date(2021, 2, 14), "annual", "2020/21"),
        (dt.date(2021, 4, 1), "annual", "2021/22"),
    ],
)
def test_containing(day, frequency, code):
    assert Period.containing(day, frequency).code == code


def test_a_periods_kind_is_the_vocabularys_frequency_given_as_member_or_word():
    assert pmlib.Frequency is Frequency and parse_period("2020/21 Q2").frequency is Frequency.QUARTERLY
    assert Frequency("monthly") is Frequency.MONTHLY and Frequency(Frequency.ANNUAL) is Frequency.ANNUAL
    for not_a_word in ("Monthly", "", None, 7):
        with pytest.raises(ValueError):
            Frequency(not_a_word)
    from_word, from_member = Period("quarterly", 8081), Period(Frequency.QUARTERLY, 8081)
    assert from_word == from_member and hash(from_word) == hash(from_member) and {from_member: 1}[from_word] == 1
    assert from_word.frequency is Frequency.QUARTERLY and from_word.code == "2020/21 Q2"
    assert str(Frequency.MONTHLY) == f"{Frequency.MONTHLY}" == "monthly" and f"{Frequency.ANNUAL:>8}" == "  annual"
    with pytest.raises(PeriodError, match="not a monthly period code"):
        parse_period("2020/21", Frequency.MONTHLY)


def test_periods_order_within_a_frequency():
    assert parse_period("2020/21 Q4") < parse_period("2021/22 Q1")
    assert sorted([parse_period("2021-01"), parse_period("2020-12")])[0].code == "2020-12"


# --- vectorised forms -----------------------------------------------------------


def test_period_indexes_hand_worked():
    codes = pd.Series(["2020-09", " 2020/21 Q2 ", "2020/21", "2020/22", "2020-13", "2020/21 Q5", "2020-09", ""])
    freq = pd.Series(["monthly", "quarterly", "annual", "annual", "monthly", "quarterly", "annual", "monthly"])
    out = period_indexes(codes, freq)
    expected = [2020 * 12 + 8, 2020 * 4 + 1, 2020, np.nan, np.nan, np.nan, np.nan, np.nan]
    np.testing.assert_array_equal(out.to_numpy(), expected)
    assert period_indexes(pd.Series(["2020/21 Q1", "2020-04"]), "quarterly").tolist()[0] == 2020 * 4
    for dtype in (None, object):  # pandas holds members as codes unless told to keep the objects
        members = pd.Series([Frequency(f) for f in freq], dtype=dtype)
        np.testing.assert_array_equal(period_indexes(codes, members).to_numpy(), expected)
    assert period_indexes(pd.Series(["2020/21 Q1"]), Frequency.QUARTERLY).tolist() == [2020 * 4]


def test_first_months_agrees_with_period():
    periods = [parse_period(c) for c in ("2020-09", "2020/21 Q2", "2020/21", "2021-03", "2020/21 Q4")]
    out = first_months([p.index for p in periods], [p.frequency.word for p in periods])
    assert out.tolist() == [p.first_month for p in periods]
    assert first_months([p.index for p in periods], [p.frequency for p in periods]).tolist() == out.tolist()
    assert [p.start for p in periods][1] == dt.date(2020, 7, 1)


_YEARS = st.integers(1990, 2060)
_VALID = st.one_of(
    st.builds(lambda y, m: f"{y:04d}-{m:02d}", _YEARS, st.integers(0, 14)),
    st.builds(lambda y, d, q: f"{y:04d}/{(y + d) % 100:02d} Q{q}", _YEARS, st.integers(0, 2), st.integers(0, 5)),
    st.builds(lambda y, d: f"{y:04d}/{(y + d) % 100:02d}", _YEARS, st.integers(0, 2)),
)
_PADDED = st.builds(lambda pre, code, post: pre + code + post, st.sampled_from(["", " ", "\t"]), _VALID, st.sampled_from(["", " ", "\n"]))
_CODES = st.one_of(_PADDED, st.text(alphabet="0123456789-/ Q٢２", max_size=12))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.tuples(_CODES, st.sampled_from(["monthly", "quarterly", "annual"])), min_size=1, max_size=30))
def test_period_indexes_agrees_with_parse_period(pairs):
    codes = pd.Series([c for c, _ in pairs])
    freq = pd.Series([f for _, f in pairs])
    out = period_indexes(codes, freq)
    for (code, frequency), got in zip(pairs, out, strict=True):
        try:
            want = parse_period(code, frequency).index
        except PeriodError:
            assert np.isnan(got), (code, frequency, got)
        else:
            assert got == want, (code, frequency, got)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.sampled_from(list(Frequency)), st.integers(1990 * 12, 2060 * 12))
def test_code_round_trips(frequency, raw):
    index = {Frequency.MONTHLY: raw, Frequency.QUARTERLY: raw // 3, Frequency.ANNUAL: raw // 12}[frequency]
    period = Period(frequency, index)
    assert parse_period(period.code) == period
    assert parse_period(period.code, frequency) == period
    if frequency is Frequency.QUARTERLY:
        assert parse_quarter(period.slug) == period
    # a period runs from its first day to its last, and the next one starts the day after
    assert period.start <= period.end
    assert (period + 1).start == period.end + dt.timedelta(days=1)
    assert Period.containing(period.end, frequency) == period
    assert period.same_period_last_year().start.replace(year=period.start.year) == period.start
