"""Turn the measure table into rows for measures.csv, targets.csv and observations/*.csv.

Illustrative figures are the measure's level path times seasonality times
(1 + noise). Noise comes from ``numpy.random.default_rng`` seeded with 2020
and a checksum of the measure id, so the files are byte-identical on every run
and editing one measure leaves every other measure's figures unchanged.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np

from demo_data import periods as P
from demo_data.measures import REAL_SCHEDULE, Measure
from demo_data.real import RealSeries

MULTIPLIER = {"percent": 100, "rate_per_1000": 1_000, "rate_per_100k": 100_000}


@dataclass
class Obs:
    """One observation row; ``value`` or ``numerator``/``denominator`` already rounded as written."""

    measure_id: str
    frequency: str
    index: int  # period index
    value: float | None
    numerator: float | None
    denominator: float | None
    reported_on: dt.date
    quality: str = ""
    note: str = ""

    @property
    def period(self) -> str:
        return P.code(self.frequency, self.index)


def fmt(x: float | None, decimals: int) -> str:
    """A number as written to CSV: fixed decimals, no thousands separators, blank for None."""
    if x is None:
        return ""
    return f"{x:.{decimals}f}" if decimals else str(int(round(x)))


def plain(x: float | None) -> str:
    """A real figure as published, up to 3 decimals, without trailing zeros (``4``, ``312.9``)."""
    return "" if x is None else f"{x:.3f}".rstrip("0").rstrip(".")


def store_decimals(m: Measure) -> int:
    """Decimals written: counts and pounds as shown; other units one more, as a system extract would give."""
    return m.dp if m.unit in ("number", "gbp") else m.dp + 1


def _delay(m: Measure, index: int) -> int:
    """Days after the period ends that a figure arrives: 10-25, later by design for lagged measures."""
    spread = zlib.crc32(f"{m.id}|{index}".encode()) % 16
    if m.lag and m.frequency == "quarterly":
        return 75 + spread  # after this quarter's report, in time for the next one
    if m.lag and m.frequency == "monthly":
        return 35 + spread
    return 10 + spread


def _level(m: Measure, index: int) -> float:
    """The path value for a period: paths are given per quarter, per month or per year."""
    n = len(m.path)
    if m.frequency == "annual":
        return m.path[index - P.FIRST_FY]
    if n == 30:
        return m.path[index - P.FIRST_MONTH]
    q = P.quarter_of_month(index) if m.frequency == "monthly" else index
    return m.path[q - P.FIRST_QUARTER]


def illustrative(m: Measure) -> list[Obs]:
    """Figures for a measure without a real source, including its planned gaps, flags and revisions."""
    rng = np.random.default_rng([2020, zlib.crc32(m.id.encode())])
    nd = store_decimals(m)
    rows = []
    for index in P.own_periods(m.frequency):
        z, zd = rng.standard_normal(2)  # always drawn, so a gap or override does not shift later noise
        code = P.code(m.frequency, index)
        if m.start and code < m.start:  # codes of one frequency sort in time order
            continue
        season = m.season[(index - 3) % 12] if m.season and m.frequency == "monthly" else 1.0
        num = den = value = None
        if code in m.explicit:
            given = m.explicit[code]
            if isinstance(given, tuple):
                num, den = given
            else:
                value = given
        elif m.aggregation == "ratio":
            den = round(m.den * season * (1 + 0.05 * zd))
            rate = _level(m, index) * (1 + m.noise * z)
            num = round(den * rate / MULTIPLIER.get(m.unit, 1))
            num = min(num, den) if m.unit == "percent" else num
        else:
            value = round(max(_level(m, index) * season * (1 + m.noise * z), 0.0), nd)
        if code in m.omit:
            continue
        quality, note = m.quality.get(code, ("", ""))
        end = P.period_end(m.frequency, index)
        reported = end + dt.timedelta(days=_delay(m, index)) if m.frequency != "annual" else _annual_reported(m, index)
        rows.append(Obs(m.id, m.frequency, index, value, num, den, reported, quality, note))
    for code, reported_on, note, delta in m.revisions:
        old = next(r for r in rows if r.period == code)
        new = Obs(m.id, m.frequency, old.index, old.value, old.numerator, old.denominator, dt.date.fromisoformat(reported_on), "", note)
        if isinstance(delta, tuple):
            new.numerator, new.denominator = old.numerator + delta[0], old.denominator + delta[1]
        else:
            new.value = round(old.value + delta, nd)
        rows.append(new)
    return rows


def _annual_reported(m: Measure, fy: int) -> dt.date:
    """Illustrative annual figures (surveys) arrive in the second half of April, before the Q4 report's data_as_at.

    The 2019/20 surveys were analysed late, in May 2020, because of the first lockdown.
    """
    delay = zlib.crc32(f"{m.id}|{fy}".encode()) % 16 + (26 if fy == P.FIRST_FY else 0)
    return dt.date(fy + 1, 4, 14) + dt.timedelta(days=delay)


def real(m: Measure, series: RealSeries) -> list[Obs]:
    """Real annual figures, one row per publication step in ``REAL_SCHEDULE``."""
    rows = []
    for fy, value in sorted(series.values.items()):
        for reported_on, quality, note in REAL_SCHEDULE[m.real][fy]:
            rows.append(
                Obs(
                    m.id,
                    "annual",
                    fy,
                    round(value, 3),
                    None,
                    None,
                    dt.date.fromisoformat(reported_on),
                    "" if quality == "validated" else quality,
                    note,
                )
            )
    return rows


def observation_rows(rows: list[Obs], measures: dict[str, Measure]) -> list[list[str]]:
    """CSV rows in a stable order: measure table order, then period, then reported_on."""
    order = {mid: i for i, mid in enumerate(measures)}
    out = []
    for r in sorted(rows, key=lambda r: (order[r.measure_id], r.index, r.reported_on)):
        m = measures[r.measure_id]
        value = plain(r.value) if m.real else fmt(r.value, store_decimals(m))
        out.append(
            [r.measure_id, r.period, value, fmt(r.numerator, 0), fmt(r.denominator, 0), r.quality, r.note, r.reported_on.isoformat()]
        )
    return out


def value_of(r: Obs, m: Measure) -> float:
    """The figure a row gives, in display units."""
    if m.aggregation == "ratio":
        return r.numerator / r.denominator * MULTIPLIER.get(m.unit, 1)
    return r.value


TARGET_COLUMNS = ["measure_id", "year", "period", "target", "intervention", "agreed_on", "reason"]
FORECAST_COLUMNS = ["measure_id", "period", "forecast", "reported_on", "note"]


def target_rows(m: Measure) -> list[list[str]]:
    """targets.csv rows: the year's row and any later revisions of it (``agreed_on``, ``reason``), then phased rows in period order."""
    out = []
    years = sorted(set(m.targets) | set(m.phased))
    for year in years:
        if year in m.targets:
            t, i = m.targets[year]
            out.append([m.id, year, "", fmt(t, m.dp), fmt(i, m.dp), m.targets_agreed.get(year, ""), ""])
        for y, agreed_on, t, i, reason in m.target_revisions:
            if y == year:
                out.append([m.id, year, "", fmt(t, m.dp), fmt(i, m.dp), agreed_on, reason])
        for period, (t, i) in m.phased.get(year, {}).items():
            out.append([m.id, year, period, fmt(t, m.dp), fmt(i, m.dp), "", ""])
    return out


def forecast_rows(m: Measure) -> list[list[str]]:
    """forecasts.csv rows for one measure, by the quarter each was made in, then ``reported_on``."""
    rows = sorted(m.forecasts, key=lambda f: (P.quarter_index(f[0]), f[1]))
    return [[m.id, period, fmt(value, m.dp), reported_on, note] for period, reported_on, value, note in rows]


def baseline(m: Measure, rows: list[Obs]) -> tuple[str, str]:
    """Baseline period (a 2019/20 period of the measure's frequency unless set) and its latest figure, at display decimals.

    A measure introduced later (``start``) has no baseline yet: both cells blank.
    """
    if m.start and not m.baseline_period:
        return "", ""
    period = m.baseline_period or {"monthly": "2020-03", "quarterly": "2019/20 Q4", "annual": "2019/20"}[m.frequency]
    mine = sorted((r for r in rows if r.period == period), key=lambda r: r.reported_on)
    return period, fmt(_round(value_of(mine[-1], m), m.dp), m.dp)


def _round(x: float, decimals: int) -> float:
    """Half away from zero, on the decimal figure (as a reader rounds), not the binary float."""
    scaled = round(x * 10**decimals, 6)
    return float(np.sign(scaled) * np.floor(abs(scaled) + 0.5) / 10**decimals)


round_half_away = _round
