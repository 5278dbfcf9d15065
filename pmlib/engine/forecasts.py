"""Year-end forecasts and projections: where a Q1-Q3 report says the year is heading, for every measure and quarter at once.

A forecast is of the figure the Q4 report of the same financial year will
judge (``eq4``, that report's expected period), so it is judged against the
target and intervention level of that figure. A report takes the forecast
made in the latest quarter of its financial year up to its own, the newest
``reported_on`` among those; rows reported after ``data_as_at`` never reach
the engine (``ForecastArrays.of``). Without one, a year-to-date ``sum``
measure is projected at its current rate: the year-to-date value scaled from
the months it covers to the months the Q4 figure covers (x 12 / months
elapsed for a measure without lag). A Q4 report judges the outturn itself,
so it has neither.
"""

from __future__ import annotations

import numpy as np

from pmlib.engine.measure_arrays import ForecastArrays, MeasureArrays
from pmlib.engine.rounding import round_half_away
from pmlib.vocabulary import Aggregation, ForecastKind


def latest_forecasts(f: ForecastArrays, n: int, report: np.ndarray) -> np.ndarray:
    """(report quarters x measures): the forecast value each report quarter uses, NaN where none.

    Per (measure, quarter made in) the newest ``reported_on`` wins (the later
    row in the files on a tie); then each quarter carries forward the latest
    earlier quarter's of the same financial year, three steps along each year.
    """
    out = np.full((len(report), n), np.nan)
    if len(f.position) == 0 or len(report) == 0:
        return out
    fy0 = int(report.min()) // 4
    width = 4 * (int(report.max()) // 4 - fy0 + 1)
    col = f.quarter - 4 * fy0
    rows = np.flatnonzero((col >= 0) & (col < width))
    if len(rows) == 0:
        return out
    cell = f.position[rows] * width + col[rows]
    order = np.lexsort((rows, f.reported[rows], cell))
    cell = cell[order]
    last = np.append(cell[1:] != cell[:-1], True)
    grid = np.full(n * width, np.nan)
    grid[cell[last]] = f.value[rows[order[last]]]
    grid = grid.reshape(n, width // 4, 4)
    for q in (1, 2, 3):
        grid[..., q] = np.where(np.isnan(grid[..., q]), grid[..., q - 1], grid[..., q])
    return grid.reshape(n, width)[:, report - 4 * fy0].T


def forecast_values(
    m: MeasureArrays,
    f: ForecastArrays,
    value: np.ndarray,
    value_suppressed: np.ndarray,
    eq: np.ndarray,
    eq4: np.ndarray,
    report: np.ndarray,
) -> dict[str, np.ndarray]:
    """The forecast or projection shown, its ``ForecastKind`` code (-1: none) and whether disclosure suppresses it.

    ``value`` is the judged (rounded) year-to-date value and
    ``value_suppressed`` its disclosure flag; ``eq`` and ``eq4`` the expected
    periods of the report and of its year's Q4 report, all (report quarters x
    measures). Forecasts are rounded to the measure's decimals like values.
    A projection gives its year-to-date value away, so it is suppressed with
    it; a count forecast below ``disclosure_min`` is suppressed like a count;
    a ratio forecast carries no counts to check. Only the measures that can
    have one are worked on: most have no forecast and cannot be projected.
    """
    forecast = np.full(value.shape, np.nan)
    kind = np.full(value.shape, -1, dtype="int8")
    suppressed = np.zeros(value.shape, dtype=bool)
    year_end = (report % 4 == 3)[:, None]
    given = np.unique(f.position)
    if len(given):
        compact = ForecastArrays(np.searchsorted(given, f.position), f.quarter, f.reported, f.value)
        chosen = round_half_away(latest_forecasts(compact, len(given), report), m.decimals[given][None, :])
        forecast[:, given] = np.where(year_end, np.nan, chosen)
        kind[:, given] = np.where(np.isnan(forecast[:, given]), -1, ForecastKind.FORECAST)
    cols = np.flatnonzero(m.judged_ytd & (m.aggregation == Aggregation.SUM))
    if len(cols):
        e, e4 = eq[:, cols], eq4[:, cols]
        with np.errstate(invalid="ignore"):
            projected = round_half_away(value[:, cols] * (e4 % 4 + 1) / (e % 4 + 1), m.decimals[cols][None, :])
        projects = ~year_end & (e // 4 == e4 // 4) & (kind[:, cols] < 0) & ~np.isnan(projected)
        forecast[:, cols] = np.where(projects, projected, forecast[:, cols])
        kind[:, cols] = np.where(projects, ForecastKind.PROJECTION, kind[:, cols])
        suppressed[:, cols] = projects & value_suppressed[:, cols]
    counts = np.flatnonzero(m.is_count & ~m.is_ratio & (m.disclosure_min > 1))
    if len(counts):
        x = forecast[:, counts]
        with np.errstate(invalid="ignore"):
            suppressed[:, counts] |= (x >= 1) & (x < m.disclosure_min[counts][None, :])
    return {"forecast": forecast, "forecast_kind": kind, "forecast_suppressed": suppressed}
