"""The data contract's words, each vocabulary defined once, with the small integer codes the engine compares.

A performance team writes words (``higher``, ``monthly``, ``ratio``); the
engine judges a national table on arrays of small integers. Keeping both in
one ``IntEnum`` per vocabulary means the contract's cell checks, the
engine's code arrays and the labels shown to readers cannot drift apart:
a member's value is its code (the contract's order, so codes never change),
its ``.word`` what the CSV files hold. Rules that belong to a word, such as
the scale a ratio is multiplied by for a unit, live here too.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Self

import numpy as np
import pandas as pd


class Vocabulary(IntEnum):
    """A vocabulary of the contract: members in the contract's order, value the code, ``word`` the text."""

    word: str

    def __new__(cls, word: str):
        """Number members in the order written, so a code is the word's position in the contract's list."""
        code = len(cls.__members__)
        member = int.__new__(cls, code)
        member._value_ = code
        member.word = word
        return member

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        """Let ``Frequency("monthly")`` find a member by its word, as callers pass the CSV's text; anything else stays a ValueError."""
        if isinstance(value, str):
            return next((member for member in cls if member.word == value), None)
        return None

    def __str__(self) -> str:
        """The word, so a member in a message reads as the contract writes it (``monthly``), not as its code."""
        return self.word

    def __format__(self, spec: str) -> str:
        """The word in f-strings too (``IntEnum`` would format the code)."""
        return format(self.word, spec)

    @classmethod
    def words(cls) -> tuple[str, ...]:
        """The words in code order: the contract's allowed values, and ``names[code]`` for turning codes back into text."""
        return tuple(member.word for member in cls)

    @classmethod
    def of(cls, word: str) -> Self:
        """The member for a word, so code can name a row's word as a member."""
        return next(member for member in cls if member.word == word)

    @classmethod
    def codes(cls, values) -> np.ndarray:
        """The code of each word, any shape, as int8; anything else (blank, a refused word) gets the last code.

        The last code is the vocabulary's catch-all where it has one (polarity
        ``none``); validation has already refused every other word, so for the
        rest it only decides what a missing value does.
        """
        shape = np.shape(values)
        flat = values if len(shape) == 1 else np.ravel(np.asarray(values, dtype=object))
        codes = pd.Index(cls.words()).get_indexer(flat).astype("int8") % len(cls)
        return codes.reshape(shape)


class Polarity(Vocabulary):
    """Which way is better; ``none``: the measure is context only, never judged."""

    HIGHER = "higher"
    LOWER = "lower"
    NONE = "none"


class Frequency(Vocabulary):
    """How often a measure reports, and so a period's kind: ``pmlib.contract.periods.Period.frequency`` is one of these."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"

    @property
    def months(self) -> int:
        """Length of one period in months."""
        return {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}[self]


class Aggregation(Vocabulary):
    """How shorter periods roll up into a quarter, a year or a year to date."""

    SUM = "sum"
    MEAN = "mean"
    LAST = "last"
    RATIO = "ratio"


class Unit(Vocabulary):
    """How values are read and formatted."""

    PERCENT = "percent"
    NUMBER = "number"
    DAYS = "days"
    GBP = "gbp"
    RATE_PER_1000 = "rate_per_1000"
    RATE_PER_100K = "rate_per_100k"
    SCORE = "score"

    @property
    def scale(self) -> float:
        """What a ratio's numerator / denominator is multiplied by: x 100 for percent, x 1,000 and x 100,000 for the rates, else x 1."""
        return MULTIPLIERS.get(self.word, 1.0)

    @classmethod
    def scales(cls, units) -> np.ndarray:
        """``scale`` for an array of unit words, any shape; a blank or unknown unit scales by 1."""
        shape = np.shape(units)
        return pd.Series(np.ravel(np.asarray(units, dtype=object))).map(MULTIPLIERS).fillna(1.0).to_numpy("float64").reshape(shape)


class Quality(Vocabulary):
    """How sure the service unit is of a figure; blank means validated."""

    VALIDATED = "validated"
    PROVISIONAL = "provisional"
    ESTIMATED = "estimated"


class ActionStatus(Vocabulary):
    """A delivery plan action's progress in a quarter (``action_updates.csv``)."""

    COMPLETE = "complete"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    DELAYED = "delayed"
    NOT_STARTED = "not_started"
    CANCELLED = "cancelled"


class Status(Vocabulary):
    """A measure's status in a quarter: the contract's rule 5."""

    ON_TARGET = "on_target"
    BELOW_TARGET = "below_target"
    INTERVENTION = "intervention"
    MONITORING = "monitoring"
    NO_DATA = "no_data"


class Change(Vocabulary):
    """A kind of change since the previous report, in the order the list shows them (``pmlib.engine.changes``).

    The words differ from the judged table's column names (``target``,
    ``status``, ``revised``) so a list of columns is never a list of these.
    """

    NEW_MEASURE = "new_measure"
    NOT_REPORTED = "no_longer_reported"
    TARGET = "target_changed"
    INTERVENTION = "intervention_changed"
    STATUS = "status_moved"
    REVISED = "figure_revised"


class Direction(Vocabulary):
    """A direction of travel: the contract's rule 6 (``increasing`` and ``decreasing`` for polarity ``none``)."""

    IMPROVING = "improving"
    WORSENING = "worsening"
    INCREASING = "increasing"
    DECREASING = "decreasing"
    NO_CHANGE = "no_change"


class ForecastKind(Vocabulary):
    """Where a year-end figure in a Q1-Q3 report comes from: the service's own forecast, or a projection at the current rate."""

    FORECAST = "forecast"
    PROJECTION = "projection"


UNITS = Unit.words()
POLARITIES = Polarity.words()
FREQUENCIES = Frequency.words()
AGGREGATIONS = Aggregation.words()
QUALITIES = Quality.words()
ACTION_STATUSES = ActionStatus.words()
STATUSES = Status.words()
CHANGES = Change.words()
DIRECTIONS = Direction.words()
FORECAST_KINDS = ForecastKind.words()

MULTIPLIERS = {unit.word: scale for unit, scale in ((Unit.PERCENT, 100.0), (Unit.RATE_PER_1000, 1_000.0), (Unit.RATE_PER_100K, 100_000.0))}
"""Unit word -> the scale of a ratio in that unit; units not listed scale by 1."""

NON_NEGATIVE_UNITS = tuple(unit.word for unit in (Unit.NUMBER, Unit.DAYS, Unit.RATE_PER_1000, Unit.RATE_PER_100K))
"""Counts, durations and rates: a negative figure is an error. Percents have their own 0-100 rule; money and scores may be negative."""
