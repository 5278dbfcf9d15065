"""Financial years, quarters and months as the data contract defines them.

Every period is an integer index on one of three scales, so that arithmetic
("the quarter before", "a year earlier") is integer arithmetic and the status
engine can do it for millions of rows at once. A month's index counts calendar
months from year 0; a quarter's counts quarters from the financial year 0/01;
a financial year's is the calendar year it starts in (2020 for 2020/21).
A period's kind is the contract's ``Frequency`` from ``pmlib.vocabulary``, not a
second list of the same words, so a measure's frequency and its periods'
kind are one value.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmlib.errors import PeriodError
from pmlib.vocabulary import Frequency

# [0-9], not \d: Python's \d also matches other scripts' digits ("２０２０-09"), which are not codes.
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^([0-9]{4})/([0-9]{2}) Q([1-4])$")
_YEAR = re.compile(r"^([0-9]{4})/([0-9]{2})$")
_SLUG = re.compile(r"^([0-9]{4})-([0-9]{2})-Q([1-4])$")

_EXAMPLES = {
    Frequency.MONTHLY: "YYYY-MM, e.g. 2020-09",
    Frequency.QUARTERLY: "YYYY/YY Qn, e.g. 2020/21 Q2",
    Frequency.ANNUAL: "YYYY/YY, e.g. 2020/21",
}


def _fy_code(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


@dataclass(frozen=True, order=True)
class Period:
    """A month, quarter or financial year; ordered within a frequency by ``index``.

    Periods of different frequencies order by the frequency's code (months,
    then quarters, then years), which means nothing in time; nothing sorts
    them together.
    """

    frequency: Frequency
    index: int

    def __post_init__(self) -> None:
        """Hold the member even when given the word, so ``Period("quarterly", i)`` equals and hashes as the member-built period."""
        if type(self.frequency) is not Frequency:
            object.__setattr__(self, "frequency", Frequency(self.frequency))

    # --- construction -------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month ``month`` of ``year``."""
        if not 1 <= month <= 12:
            raise PeriodError(f"month {month} is not 1-12; give a month number from 1 (January) to 12", column="month")
        return cls(Frequency.MONTHLY, year * 12 + month - 1)

    @classmethod
    def quarter(cls, fy_start: int, n: int) -> Period:
        """Quarter ``n`` (1-4, Q1 = April to June) of the financial year starting in ``fy_start``."""
        if not 1 <= n <= 4:
            raise PeriodError(f"quarter {n} is not 1-4; give 1 (April to June) to 4 (January to March)", column="quarter")
        return cls(Frequency.QUARTERLY, fy_start * 4 + n - 1)

    @classmethod
    def year(cls, fy_start: int) -> Period:
        """The financial year from April ``fy_start`` to March of the next year."""
        return cls(Frequency.ANNUAL, fy_start)

    @classmethod
    def containing(cls, day: dt.date, frequency: Frequency | str) -> Period:
        """The period of ``frequency`` that a date falls in."""
        month = cls.month(day.year, day.month)
        frequency = Frequency(frequency)
        if frequency is Frequency.MONTHLY:
            return month
        if frequency is Frequency.QUARTERLY:
            return month.quarter_of
        return month.financial_year

    # --- reading ------------------------------------------------------
    @property
    def first_month(self) -> int:
        """Absolute month index of the period's first month."""
        if self.frequency is Frequency.MONTHLY:
            return self.index
        if self.frequency is Frequency.QUARTERLY:
            return 3 * self.index + 3
        return 12 * self.index + 3

    @property
    def last_month(self) -> int:
        """Absolute month index of the period's last month."""
        return self.first_month + self.frequency.months - 1

    @property
    def start(self) -> dt.date:
        """First day of the period."""
        year, month0 = divmod(self.first_month, 12)
        return dt.date(year, month0 + 1, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the period."""
        year, month0 = divmod(self.last_month, 12)
        return dt.date(year, month0 + 1, calendar.monthrange(year, month0 + 1)[1])

    @property
    def fy_start(self) -> int:
        """Calendar year in which the period's financial year starts."""
        return (self.first_month - 3) // 12

    @property
    def financial_year(self) -> Period:
        """The financial year the period falls in."""
        return Period.year(self.fy_start)

    @property
    def quarter_of(self) -> Period:
        """The quarter a month belongs to (a quarter is its own)."""
        if self.frequency is Frequency.ANNUAL:
            raise PeriodError(f"{self.code} is a year, which spans four quarters; use .quarters()", column="period")
        return Period(Frequency.QUARTERLY, (self.first_month - 3) // 3)

    @property
    def number(self) -> int:
        """Quarter number 1-4 within its year, or month number 1-12 within the calendar year."""
        if self.frequency is Frequency.QUARTERLY:
            return self.index % 4 + 1
        if self.frequency is Frequency.MONTHLY:
            return self.index % 12 + 1
        raise PeriodError("a financial year has no number within a year; ask a month or quarter for its number", column="period")

    @property
    def months_elapsed(self) -> int:
        """Months from the start of the financial year to the end of this period (Q2 -> 6)."""
        return self.last_month - Period.year(self.fy_start).first_month + 1

    def months(self) -> tuple[Period, ...]:
        """The calendar months the period covers, in order."""
        return tuple(Period(Frequency.MONTHLY, m) for m in range(self.first_month, self.last_month + 1))

    def quarters(self) -> tuple[Period, ...]:
        """The quarters the period covers (a month or quarter gives one)."""
        first = (self.first_month - 3) // 3
        last = (self.last_month - 3) // 3
        return tuple(Period(Frequency.QUARTERLY, q) for q in range(first, last + 1))

    # --- arithmetic ---------------------------------------------------
    def __add__(self, steps: int) -> Period:
        return Period(self.frequency, self.index + int(steps))

    def __sub__(self, steps: int) -> Period:
        return Period(self.frequency, self.index - int(steps))

    def previous(self) -> Period:
        """The period just before, of the same frequency."""
        return self - 1

    def same_period_last_year(self) -> Period:
        """The same month, quarter or year one year earlier."""
        return self - {Frequency.MONTHLY: 12, Frequency.QUARTERLY: 4, Frequency.ANNUAL: 1}[self.frequency]

    # --- text ---------------------------------------------------------
    @property
    def code(self) -> str:
        """The contract's code: ``2020-09``, ``2020/21 Q2`` or ``2020/21``."""
        if self.frequency is Frequency.MONTHLY:
            year, month0 = divmod(self.index, 12)
            return f"{year:04d}-{month0 + 1:02d}"
        if self.frequency is Frequency.QUARTERLY:
            return f"{_fy_code(self.fy_start)} Q{self.number}"
        return _fy_code(self.index)

    @property
    def slug(self) -> str:
        """File-name and URL form: ``2020-21-Q2`` for a quarter, ``2020-21`` for a year."""
        return self.code.replace("/", "-").replace(" ", "-")

    @property
    def label(self) -> str:
        """Words for readers: ``September 2020``, ``July to September 2020``, ``April 2020 to March 2021``."""
        start, end = self.start, self.end
        if self.frequency is Frequency.MONTHLY:
            return start.strftime("%B %Y")
        if start.year == end.year:
            return f"{start:%B} to {end:%B %Y}"
        return f"{start:%B %Y} to {end:%B %Y}"

    def __str__(self) -> str:
        return self.code


def parse_period(code: str, frequency: Frequency | str | None = None) -> Period:
    """Read a period code; with ``frequency`` given, a code of another frequency is an error."""
    text = str(code).strip()
    period: Period | None = None
    if m := _MONTH.match(text):
        period = Period.month(int(m[1]), int(m[2]))
    elif m := _QUARTER.match(text):
        if (int(m[1]) + 1) % 100 == int(m[2]):
            period = Period.quarter(int(m[1]), int(m[3]))
    elif m := _YEAR.match(text):
        if (int(m[1]) + 1) % 100 == int(m[2]):
            period = Period.year(int(m[1]))
    if frequency is not None:
        frequency = Frequency(frequency)
        if period is None or period.frequency is not frequency:
            raise PeriodError(f"'{text}' is not a {frequency.word} period code ({_EXAMPLES[frequency]})", column="period")
    if period is None:
        raise PeriodError(f"'{text}' is not a period code (YYYY-MM, YYYY/YY Qn or YYYY/YY)", column="period")
    return period


def parse_quarter(text: str) -> Period:
    """Read a report quarter given as a code (``2020/21 Q2``) or a slug (``2020-21-Q2``)."""
    value = str(text).strip()
    if m := _SLUG.match(value):
        value = f"{m[1]}/{m[2]} Q{m[3]}"
    try:
        return parse_period(value, Frequency.QUARTERLY)
    except PeriodError:
        raise PeriodError(f"'{text}' is not a quarter: write it as 2020/21 Q2 or 2020-21-Q2", column="quarter") from None


def period_indexes(codes: pd.Series, frequency: pd.Series | Frequency | str) -> pd.Series:
    """Vectorised ``parse_period(...).index``: the index of each code, NaN where it is not of its frequency.

    Each distinct (code, frequency) pair is read once by ``parse_period``
    itself and the rows take its answer, so a million observation rows cost
    a factorisation and as many reads as there are distinct periods.
    ``frequency`` is one frequency (a member or its word) or each row's, as
    words or as codes: pandas stores a Series of members as their codes, and
    codes read as text ("1") would match no frequency.
    """
    codes = codes.astype("string").str.strip()
    if isinstance(frequency, str | Frequency):
        freq = pd.Series(str(frequency), index=codes.index, dtype="string")
    elif pd.api.types.is_integer_dtype(frequency):
        freq = pd.Series(np.asarray(Frequency.words(), dtype=object)[frequency.to_numpy("int64")], index=frequency.index, dtype="string")
    else:
        freq = frequency.astype("string")
    code_ids, code_texts = pd.factorize(codes)
    freq_ids, freq_words = pd.factorize(freq)
    known = (code_ids >= 0) & (freq_ids >= 0)
    pairs, rows = np.unique(code_ids[known].astype("int64") * len(freq_words) + freq_ids[known], return_inverse=True)
    indexes = np.array([_index_of(code_texts[p // len(freq_words)], freq_words[p % len(freq_words)]) for p in pairs], dtype="float64")
    out = np.full(len(codes), np.nan)
    out[known] = indexes[rows]
    return pd.Series(out, index=codes.index, dtype="float64")


def _index_of(code: str, word: str) -> float:
    """``parse_period(code).index`` when the code is a period of frequency ``word``; NaN otherwise."""
    try:
        period = parse_period(code)
    except PeriodError:
        return np.nan
    return float(period.index) if period.frequency.word == word else np.nan


def first_months(index: pd.Series | np.ndarray, frequency: pd.Series | np.ndarray) -> np.ndarray:
    """Vectorised ``Period.first_month`` for arrays of indexes and frequencies, given as words or as codes (members).

    Words are compared with words and codes with members: a word array
    compared with a member is all False, which would make every period a year.
    """
    index = np.asarray(index, dtype="int64")
    freq = np.asarray(frequency)
    if freq.dtype.kind in "iu":
        monthly, quarterly = freq == Frequency.MONTHLY, freq == Frequency.QUARTERLY
    else:
        monthly, quarterly = freq == Frequency.MONTHLY.word, freq == Frequency.QUARTERLY.word
    return np.select([monthly, quarterly], [index, 3 * index + 3], default=12 * index + 3)


def example_code(frequency: Frequency | str) -> str:
    """How a code of ``frequency`` is written, for error messages."""
    return _EXAMPLES[Frequency(frequency)]
