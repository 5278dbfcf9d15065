"""Numbers as a council publishes them: ``76.4%``, ``£1.2m``, ``12 days``, ``4.1 per 1,000``.

Formatting rounds half away from zero, exactly as the status engine does, so
the figure on the page is the figure that was judged.
"""

from __future__ import annotations

import math

from pmlib.contract.periods import PeriodError, parse_period
from pmlib.engine.rounding import round_half_away
from pmlib.vocabulary import Frequency, Polarity

NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"


def _number(value: float, decimals: int) -> str:
    rounded = float(round_half_away(value, decimals))
    return f"{rounded:,.{decimals}f}"


def format_value(value: float | None, unit: str, decimals: int) -> str:
    """A figure with its unit, at the measure's decimals; ``[x]`` when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_AVAILABLE
    value = float(value)
    if unit == "percent":
        return f"{_number(value, decimals)}%"
    if unit == "gbp":
        sign, size = ("-" if value < 0 else ""), abs(value)
        if size >= 1e9:
            return f"{sign}£{_number(size / 1e9, 1)}bn"
        if size >= 1e6:
            return f"{sign}£{_number(size / 1e6, 1)}m"
        return f"{sign}£{_number(size, decimals)}"
    if unit == "days":
        text = _number(value, decimals)
        return f"{text} day" if text == "1" else f"{text} days"
    if unit == "rate_per_1000":
        return f"{_number(value, decimals)} per 1,000"
    if unit == "rate_per_100k":
        return f"{_number(value, decimals)} per 100,000"
    return _number(value, decimals)


def target_text(value: float | None, unit: str, decimals: int, polarity: str) -> str:
    """A target or intervention level as shown: ``[z]`` (not applicable) for a measure monitored for context (``polarity: none``).

    Such a measure has no target by design, where a target not yet set is
    ``[x]``, not available (``format_value`` of a missing one).
    """
    return NOT_APPLICABLE if polarity == Polarity.NONE.word else format_value(value, unit, decimals)


UNIT_WORDS = {
    "percent": "per cent",
    "number": "number",
    "days": "days",
    "gbp": "pounds (£)",
    "rate_per_1000": "rate per 1,000",
    "rate_per_100k": "rate per 100,000",
    "score": "score",
}


def period_words(code: object) -> object:
    """A period as a reader says it: a month's code (``2021-06``) as its name (June 2021).

    Quarters and years keep their codes (``2021/22 Q2``), which read as
    written and are how the reports name them everywhere; anything that is
    not a period code is returned as it is.
    """
    if not isinstance(code, str):
        return code
    try:
        period = parse_period(code)
    except PeriodError:
        return code
    return period.label if period.frequency == Frequency.MONTHLY else code
