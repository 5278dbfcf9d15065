"""A straightforward per-row implementation of the contract's status rules, to check ``pmlib.judge`` against.

One measure and one report quarter at a time, in plain Python loops, the
rules taken in the order the contract states them ("Status rules" 1-6 in
``docs/data-contract.md``). Where the contract is silent it follows pmlib's
*documented* reading ("How pmlib reads the points this contract leaves
open", same page), never pmlib's code: it shares nothing with pmlib but the
typed tables ``load_data`` returns, and of those it reads only the
contract's own columns (period codes as text, not pmlib's derived indexes).

It works in decimal arithmetic on each figure as typed (a float read back
through its shortest decimal text, which is what the CSV cell said), so a
half-way case such as 79.95 at one decimal is decided exactly, not by float
noise. pmlib works in binary floats with a rounding guard; the two are
compared value for value in the benchmarks and tests.

Readings of points the contract leaves open, each from the documented page:

* a ``polarity: none`` measure has no target or intervention level (not used);
* month-phased targets of a monthly measure judged on its quarter roll up
  like the values (``sum`` adds the three rows, ``mean`` and ``ratio``
  average them, rounded to ``decimals``); ``last`` and year-to-date measures
  take the row of the quarter's last month; a missing month row means no
  phased target; a quarter row wins over month rows;
* even phasing (rule 3) applies only in a year with no phased rows at all,
  to the intervention level too, both rounded to ``decimals``; so is a
  tolerance-derived intervention level (rule 4);
* target revisions: of the rows for one measure, year and period agreed on
  or before ``data_as_at``, the newest ``agreed_on`` wins, an undated row
  counting as agreed at the start of time;
* a forecast is of the figure the year's Q4 report judges (its expected
  period), rounded to ``decimals`` and judged against that figure's target
  and level; a projection is the judged year-to-date value x the months the
  Q4 figure covers / the months the value covers (12 / months elapsed
  without lag), only when both lie in one financial year, rounded likewise.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal

import pandas as pd

COMPARED = ("period", "value", "target", "intervention", "status", "short_trend", "long_trend")
EXTRA = ("period_value", "previous_value", "year_ago_value")
FORECAST = ("forecast", "forecast_status", "forecast_kind")
MULTIPLIER = {"percent": Decimal(100), "rate_per_1000": Decimal(1_000), "rate_per_100k": Decimal(100_000)}
_CTX = Context(prec=60)

# --- periods, straight from the contract's table -------------------------------------------------


def year_code(fy: int) -> str:
    """``2020/21`` for the financial year starting April 2020."""
    return f"{fy:04d}/{(fy + 1) % 100:02d}"


def quarter_code(fy: int, n: int) -> str:
    """``2020/21 Q2``."""
    return f"{year_code(fy)} Q{n}"


def month_code(year: int, month: int) -> str:
    """``2020-09``."""
    return f"{year:04d}-{month:02d}"


def parse_quarter_code(code: str) -> tuple[int, int]:
    """``2020/21 Q2`` or a slug ``2020-21-Q2`` as (financial year start, quarter number)."""
    text = str(code).strip().replace("-Q", " Q")
    year, q = text.split(" Q")
    start = int(year[:4])
    assert year[4] in "/-" and int(year[5:7]) == (start + 1) % 100, code
    return start, int(q)


def quarter_months(fy: int, n: int) -> list[tuple[int, int]]:
    """The calendar (year, month) pairs of quarter n of a financial year: Q1 is April to June."""
    out = []
    for k in range(3):
        month = 4 + 3 * (n - 1) + k
        out.append((fy, month) if month <= 12 else (fy + 1, month - 12))
    return out


def previous_quarter(fy: int, n: int) -> tuple[int, int]:
    """The quarter before."""
    return (fy, n - 1) if n > 1 else (fy - 1, 4)


def quarter_end(fy: int, n: int) -> dt.date:
    """The last day of a quarter."""
    year, month = quarter_months(fy, n)[-1]
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months_apart(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from one month end to another."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


# --- numbers ----------------------------------------------------------------------------------------


def as_decimal(x) -> Decimal | None:
    """A typed number as the decimal its text said; None for a blank."""
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return None
    return Decimal(repr(float(x)))


def rounded(x: Decimal | None, decimals: int) -> Decimal | None:
    """Rounded to ``decimals`` places, halves away from zero (``ROUND_HALF_UP`` is away from zero in ``decimal``)."""
    if x is None:
        return None
    return x.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_CTX)


def as_float(x: Decimal | None) -> float:
    """The nearest float (NaN for None), for comparing with pmlib's table."""
    return math.nan if x is None else float(x) + 0.0


# --- the rules ----------------------------------------------------------------------------------------


class Measure:
    """The measures.csv columns the rules read, for one measure."""

    def __init__(self, row):
        self.id = str(row.measure_id)
        self.unit, self.polarity = str(row.unit), str(row.polarity)
        self.frequency, self.aggregation = str(row.frequency), str(row.aggregation)
        self.ytd = bool(row.ytd)
        self.lag, self.decimals = int(row.lag), int(row.decimals)


def expected_period(m: Measure, fy: int, n: int):
    """Rule 1: the quarter (fy, n) for monthly and quarterly measures, the financial year for annual ones."""
    if m.frequency == "quarterly":
        q = (fy, n)
        for _ in range(m.lag):
            q = previous_quarter(*q)
        return q
    if m.frequency == "monthly":
        end = quarter_end(fy, n)
        q = (fy, n)
        while months_apart(quarter_end(*q), end) < m.lag:  # "ends at least n months before the report quarter ends"
            q = previous_quarter(*q)
        return q
    year = fy
    while dt.date(year + 1, 3, 31) > quarter_end(fy, n):  # "the latest financial year that ends on or before the quarter's end"
        year -= 1
    return year - m.lag


def period_code(m: Measure, period) -> str:
    """The code of an expected period: a year code for annual measures, else a quarter code."""
    return year_code(period) if m.frequency == "annual" else quarter_code(*period)


def covered_codes(m: Measure, period, year_to_date: bool) -> list[str]:
    """Rule 2: codes of the measure's own periods a figure covers, from the year's start when ``year_to_date``."""
    if m.frequency == "annual":
        return [year_code(period)]
    fy, n = period
    quarters = [(fy, k) for k in range(1, n + 1)] if year_to_date else [(fy, n)]
    if m.frequency == "quarterly":
        return [quarter_code(*q) for q in quarters]
    return [month_code(y, mo) for q in quarters for (y, mo) in quarter_months(*q)]


def roll_up(m: Measure, figures: dict[str, tuple], codes: list[str]) -> Decimal | None:
    """Rule 2: the roll-up by aggregation; missing if any period it covers has no figure."""
    rows = []
    for code in codes:
        if code not in figures:
            return None
        rows.append(figures[code])
    if m.aggregation == "ratio":
        numerator = sum((r[1] for r in rows), Decimal(0))
        denominator = sum((r[2] for r in rows), Decimal(0))
        return _CTX.divide(numerator * MULTIPLIER.get(m.unit, Decimal(1)), denominator)
    values = [r[0] for r in rows]
    if m.aggregation == "sum":
        return sum(values, Decimal(0))
    if m.aggregation == "mean":
        return _CTX.divide(sum(values, Decimal(0)), Decimal(len(values)))
    return values[-1]  # last


def a_year_earlier(m: Measure, period):
    """The same period one year earlier."""
    return period - 1 if m.frequency == "annual" else (period[0] - 1, period[1])


def period_before(m: Measure, period):
    """Rule 6: the previous quarter for monthly and quarterly measures, the previous year for annual ones."""
    return period - 1 if m.frequency == "annual" else previous_quarter(*period)


def levels(m: Measure, rows: dict[str, dict[str, tuple]], period, method: str, tolerance_pct: Decimal):
    """Rules 3 and 4: target T and intervention level I for the expected period (None where there is none)."""
    if m.polarity == "none":
        return None, None
    fy = period if m.frequency == "annual" else period[0]
    year_rows = rows.get(year_code(fy), {})
    target = intervention = None
    phased = False
    if m.frequency != "annual":
        n = period[1]
        if f"Q{n}" in year_rows:
            target, intervention = year_rows[f"Q{n}"]
            phased = True
        elif m.frequency == "monthly":
            months = [month_code(y, mo) for (y, mo) in quarter_months(fy, n)]
            if m.ytd or m.aggregation == "last":
                if months[-1] in year_rows:
                    target, intervention = year_rows[months[-1]]
                    phased = True
            elif all(code in year_rows for code in months):
                ts = [year_rows[code][0] for code in months]
                ins = [year_rows[code][1] for code in months]
                divisor = Decimal(1) if m.aggregation == "sum" else Decimal(3)
                target = rounded(_CTX.divide(sum(ts, Decimal(0)), divisor), m.decimals)
                intervention = None if None in ins else rounded(_CTX.divide(sum(ins, Decimal(0)), divisor), m.decimals)
                phased = True
    if not phased and "" in year_rows:
        target, intervention = year_rows[""]
        has_phased_rows = any(key != "" for key in year_rows)
        if m.ytd and m.frequency != "annual" and m.aggregation == "sum" and not has_phased_rows:
            elapsed = Decimal(3 * period[1])  # months from April to the end of the expected quarter
            target = rounded(_CTX.divide(target * elapsed, Decimal(12)), m.decimals)
            if intervention is not None:
                intervention = rounded(_CTX.divide(intervention * elapsed, Decimal(12)), m.decimals)
    if target is not None and intervention is None and method == "tolerance":
        share = _CTX.divide(tolerance_pct, Decimal(100))
        factor = 1 - share if m.polarity == "higher" else 1 + share
        intervention = rounded(target * factor, m.decimals)
    return target, intervention


def status(m: Measure, v, target, intervention, method: str) -> str:
    """Rule 5, in the contract's order."""
    if v is None:
        return "no_data"
    if m.polarity == "none" or target is None:
        return "monitoring"
    higher = m.polarity == "higher"
    if (v >= target) if higher else (v <= target):
        return "on_target"
    if intervention is not None:
        if method == "tolerance":
            beyond = v < intervention if higher else v > intervention
        else:
            beyond = v <= intervention if higher else v >= intervention
        if beyond:
            return "intervention"
    return "below_target"


def direction(m: Measure, now, then) -> str | None:
    """Rule 6: both already rounded to the measure's decimals; None when either is missing."""
    if now is None or then is None:
        return None
    if now == then:
        return "no_change"
    if m.polarity == "none":
        return "increasing" if now > then else "decreasing"
    return "improving" if (now > then) == (m.polarity == "higher") else "worsening"


def forecast_for(rows: list[tuple], n: int) -> Decimal | None:
    """The forecast a report in quarter n uses: made in the latest quarter of its year up to n, then the newest reported_on.

    ``rows`` are (quarter number, reported_on, value) of the measure's
    forecasts made in the report's financial year by ``data_as_at``, in file order; the later
    row wins a tie.
    """
    best = None
    for q, reported, value in rows:
        if q <= n and (best is None or (q, reported) >= best[:2]):
            best = (q, reported, value)
    return None if best is None else best[2]


def judge_forecast(m: Measure, row: dict, forecasts: dict, target_rows: dict, fy: int, n: int, method: str, tolerance_pct: Decimal):
    """Forecast, its status and kind for one measure in report quarter (fy, n): none at Q4."""
    if n == 4:
        return None, None, None
    period4 = expected_period(m, fy, 4)
    target, intervention = levels(m, target_rows, period4, method, tolerance_pct)
    given = forecast_for(forecasts.get(fy, []), n)
    if given is not None:
        value, kind = rounded(given, m.decimals), "forecast"
    else:
        period = expected_period(m, fy, n)
        if not (m.ytd and m.frequency != "annual" and m.aggregation == "sum") or row["value"] is None or period[0] != period4[0]:
            return None, None, None
        elapsed, year_end = Decimal(3 * period[1]), Decimal(3 * period4[1])  # months of the year each figure covers
        value, kind = rounded(_CTX.divide(row["value"] * year_end, elapsed), m.decimals), "projection"
    return value, status(m, value, target, intervention, method), kind


def judge_one(
    m: Measure, figures: dict, target_rows: dict, fy: int, n: int, method: str, tolerance_pct: Decimal, forecasts: dict | None = None
) -> dict:
    """Every rule for one measure and one report quarter."""
    period = expected_period(m, fy, n)
    ytd = m.ytd and m.frequency != "annual"
    v = rounded(roll_up(m, figures, covered_codes(m, period, ytd)), m.decimals)
    own = rounded(roll_up(m, figures, covered_codes(m, period, False)), m.decimals)
    previous = rounded(roll_up(m, figures, covered_codes(m, period_before(m, period), False)), m.decimals)
    year_ago = rounded(roll_up(m, figures, covered_codes(m, a_year_earlier(m, period), ytd)), m.decimals)
    target, intervention = levels(m, target_rows, period, method, tolerance_pct)
    row = {
        "quarter": quarter_code(fy, n),
        "measure_id": m.id,
        "period": period_code(m, period),
        "value": v,
        "target": target,
        "intervention": intervention,
        "status": status(m, v, target, intervention, method),
        "short_trend": direction(m, own, previous),
        "long_trend": direction(m, v, year_ago),
        "period_value": own,
        "previous_value": previous,
        "year_ago_value": year_ago,
    }
    forecast = judge_forecast(m, row, forecasts or {}, target_rows, fy, n, method, tolerance_pct)
    return row | dict(zip(FORECAST, forecast, strict=True))


# --- the tables ----------------------------------------------------------------------------------------


def _figures(observations: pd.DataFrame, data_as_at: dt.date | None) -> dict[str, dict[str, tuple]]:
    """Per measure and period code, the newest figure reported on or before ``data_as_at``: (value, numerator, denominator)."""
    newest: dict[tuple[str, str], tuple] = {}
    limit = None if data_as_at is None else pd.Timestamp(data_as_at)
    columns = ["measure_id", "period", "value", "numerator", "denominator", "reported_on"]
    for measure_id, code, value, numerator, denominator, reported in observations[columns].itertuples(index=False, name=None):
        if limit is not None and reported > limit:
            continue
        key = (measure_id, code)
        if key not in newest or reported > newest[key][0]:
            newest[key] = (reported, (as_decimal(value), as_decimal(numerator), as_decimal(denominator)))
    out: dict[str, dict[str, tuple]] = {}
    for (measure_id, code), (_, figure) in newest.items():
        out.setdefault(measure_id, {})[code] = figure
    return out


def _targets(targets: pd.DataFrame, data_as_at: dt.date | None = None) -> dict[str, dict[str, dict[str, tuple]]]:
    """Per measure, year code and period ('' for the year's row): (target, intervention) as agreed at ``data_as_at``."""
    newest: dict[tuple[str, str, str], tuple] = {}
    limit = None if data_as_at is None else pd.Timestamp(data_as_at)
    agreed = targets["agreed_on"] if "agreed_on" in targets.columns else pd.Series(pd.NaT, index=targets.index)
    columns = ["measure_id", "year", "period", "target", "intervention"]
    for (measure_id, year, period, target, intervention), on in zip(
        targets[columns].itertuples(index=False, name=None), agreed, strict=True
    ):
        on = None if pd.isna(on) else on
        if on is not None and limit is not None and on > limit:
            continue
        period = "" if period is None or (isinstance(period, float) and math.isnan(period)) else str(period)
        key = (measure_id, str(year), period)
        if key not in newest or (on is not None and (newest[key][0] is None or on > newest[key][0])):
            newest[key] = (on, (as_decimal(target), as_decimal(intervention)))
    out: dict[str, dict[str, dict[str, tuple]]] = {}
    for (measure_id, year, period), (_, levels_) in newest.items():
        out.setdefault(measure_id, {}).setdefault(year, {})[period] = levels_
    return out


def _forecasts(forecasts: pd.DataFrame | None, data_as_at: dt.date | None) -> dict[str, dict[int, list[tuple]]]:
    """Per measure and financial year made in: (quarter number, reported_on, value) of each forecast reported by ``data_as_at``."""
    out: dict[str, dict[int, list[tuple]]] = {}
    if forecasts is None:
        return out
    limit = None if data_as_at is None else pd.Timestamp(data_as_at)
    columns = ["measure_id", "period", "forecast", "reported_on"]
    for measure_id, code, value, reported in forecasts[columns].itertuples(index=False, name=None):
        if limit is not None and reported > limit:
            continue
        fy, n = parse_quarter_code(code)
        out.setdefault(measure_id, {}).setdefault(fy, []).append((n, reported, as_decimal(value)))
    return out


def reference_judge(data, quarters: Iterable, data_as_at: dt.date | None = None, decimals_out: bool = False) -> pd.DataFrame:
    """The judged rows for ``data`` (a ``CouncilData``) and ``quarters`` (codes, slugs or ``Period``), one at a time.

    Columns: ``quarter``, ``measure_id`` and ``COMPARED`` + ``EXTRA`` + ``FORECAST``; numbers
    as floats (NaN for none), or as the exact ``Decimal`` with ``decimals_out``.
    """
    method = data.council.status_method
    tolerance = as_decimal(data.council.tolerance_pct)
    figures = _figures(data.observations, data_as_at)
    target_rows = _targets(data.targets, data_as_at)
    forecasts = _forecasts(getattr(data, "forecasts", None), data_as_at)
    measures = [Measure(row) for row in data.measures.itertuples(index=False)]
    codes = [getattr(q, "code", q) for q in quarters]
    rows = []
    for fy, n in sorted({parse_quarter_code(c) for c in codes}):
        for m in measures:
            rows.append(judge_one(m, figures.get(m.id, {}), target_rows.get(m.id, {}), fy, n, method, tolerance, forecasts.get(m.id, {})))
    table = pd.DataFrame(rows, columns=["quarter", "measure_id", *COMPARED, *EXTRA, *FORECAST])
    if not decimals_out:
        for column in ("value", "target", "intervention", *EXTRA, "forecast"):
            table[column] = [as_float(x) for x in table[column]]
    return table


def disagreements(judged: pd.DataFrame, reference: pd.DataFrame, columns: Iterable[str] = COMPARED + EXTRA + FORECAST) -> pd.DataFrame:
    """Every (quarter, measure, column) where ``pmlib.judge``'s table and the reference differ, as ``judge`` and ``reference``.

    Numbers must be equal as floats (both are rounded to the measure's
    decimals, so there is no tolerance); blanks (None, NaN) are equal. A row
    present on one side only is reported with column ``row``.
    """
    key = ["quarter", "measure_id"]
    columns = list(columns)
    merged = judged[key + columns].merge(reference[key + columns], on=key, how="outer", suffixes=("_judge", "_ref"), indicator=True)
    out = []
    for row in merged[merged["_merge"] != "both"].itertuples(index=False):
        out.append({"quarter": row.quarter, "measure_id": row.measure_id, "column": "row", "judge": row._merge, "reference": None})
    both = merged[merged["_merge"] == "both"]
    for column in columns:
        a, b = both[f"{column}_judge"], both[f"{column}_ref"]
        blank_a, blank_b = a.isna(), b.isna()
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            same = (blank_a & blank_b) | (a.to_numpy(float) == b.to_numpy(float))
        else:
            same = (blank_a & blank_b) | (a.astype(object) == b.astype(object))
        for row in both[~same].itertuples(index=False):
            out.append(
                {
                    "quarter": row.quarter,
                    "measure_id": row.measure_id,
                    "column": column,
                    "judge": getattr(row, f"{column}_judge"),
                    "reference": getattr(row, f"{column}_ref"),
                }
            )
    return pd.DataFrame(out, columns=["quarter", "measure_id", "column", "judge", "reference"])
