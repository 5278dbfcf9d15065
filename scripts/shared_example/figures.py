"""Figures, targets, params and the real ELS series for the Chorley and South Ribble example.

Illustrative figures are the measure's level path times seasonality times
(1 + noise). Noise comes from ``numpy.random.default_rng`` seeded with 2024
and a checksum of the council and measure id, so the files are byte-identical
on every run and editing one measure leaves every other unchanged. Period
arithmetic and number formatting are the BCP demo's (``demo_data``).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zlib
from pathlib import Path

import numpy as np
from demo_data import periods as P
from demo_data.generate import MULTIPLIER, Obs, fmt, plain, round_half_away

from shared_example.councils import Council, Figures
from shared_example.definitions import Definition

FIRST_FY, LAST_YEAR = 2022, 2024  # annual figures: 2022/23 (for 2023/24's trend) to 2024/25, the latest ELS year
FIRST_QUARTER, LAST_QUARTER = 2023 * 4, 2025 * 4 + 1  # 2023/24 Q1 to 2025/26 Q2
FIRST_MONTH, LAST_MONTH = 2023 * 12 + 3, 2025 * 12 + 8  # April 2023 to September 2025
REPORT_QUARTERS = list(range(2024 * 4, LAST_QUARTER + 1))  # 2024/25 Q1 to 2025/26 Q2
JOINT_QUARTERS = [2025 * 4, 2025 * 4 + 1]  # 2025/26 Q1 and Q2
ELS_FILE = Path("ons-els-net-additional-dwellings") / "net-additions-to-the-housing-stock.csv"


def own_periods(frequency: str) -> range:
    if frequency == "monthly":
        return range(FIRST_MONTH, LAST_MONTH + 1)
    if frequency == "quarterly":
        return range(FIRST_QUARTER, LAST_QUARTER + 1)
    return range(FIRST_FY, LAST_YEAR + 1)


def store_decimals(d: Definition) -> int:
    """Decimals written: counts and pounds as shown; other units one more, as a system extract would give."""
    return d.dp if d.unit in ("number", "gbp") else d.dp + 1


def _fy(frequency: str, index: int) -> int:
    return {"monthly": lambda m: P.quarter_of_month(m) // 4, "quarterly": lambda q: q // 4, "annual": lambda y: y}[frequency](index)


def _level(d: Definition, f: Figures, index: int) -> float:
    if d.frequency == "annual":
        return f.path[index - FIRST_FY]
    q = P.quarter_of_month(index) if d.frequency == "monthly" else index
    return f.path[q - FIRST_QUARTER]


def _reported(council: str, d: Definition, index: int) -> dt.date:
    """Figures arrive 10-25 days after the period ends; a lagged quarter 75-90 days (after its own report, before the next);
    annual surveys in the second half of April."""
    spread = zlib.crc32(f"{council}|{d.id}|{index}".encode()) % 16
    if d.frequency == "annual":
        return dt.date(index + 1, 4, 14) + dt.timedelta(days=spread)
    end = P.period_end(d.frequency, index)
    return end + dt.timedelta(days=(75 if d.lag else 10) + spread)


def illustrative(council: str, d: Definition, f: Figures) -> list[Obs]:
    """Invented figures for one council's measure, with its flags and revisions."""
    rng = np.random.default_rng([2024, zlib.crc32(f"{council}|{d.id}".encode())])
    nd, scale = store_decimals(d), MULTIPLIER.get(d.unit, 1)
    rows = []
    for index in own_periods(d.frequency):
        z, zd = rng.standard_normal(2)  # always drawn, so an explicit figure does not shift later noise
        code = P.code(d.frequency, index)
        season = f.season[(index - 3) % 12] if f.season and d.frequency == "monthly" else 1.0
        num = den = value = None
        if code in f.explicit:
            given = f.explicit[code]
            num, den = given if isinstance(given, tuple) else (None, None)
            value = None if isinstance(given, tuple) else given
        elif not f.path:
            continue
        elif d.aggregation == "ratio":
            if f.den_noise:
                den = round(f.den * season * (1 + f.den_noise * zd))
            else:
                den = round(f.den * 1.05 ** (_fy(d.frequency, index) - 2024))
            num = round(den * _level(d, f, index) * (1 + f.noise * z) / scale)
            num = min(num, den) if d.unit == "percent" else num
        else:
            value = round(max(_level(d, f, index) * season * (1 + f.noise * z), 0.0), nd)
            value = min(value, 100.0) if d.unit == "percent" else value
        quality, note = f.quality.get(code, ("", ""))
        rows.append(Obs(d.id, d.frequency, index, value, num, den, _reported(council, d, index), quality, note))
    for code, reported_on, note, delta in f.revisions:
        old = next(r for r in rows if r.period == code)
        new = Obs(d.id, d.frequency, old.index, old.value, old.numerator, old.denominator, dt.date.fromisoformat(reported_on), "", note)
        if isinstance(delta, tuple):
            new.numerator, new.denominator = old.numerator + delta[0], old.denominator + delta[1]
        else:
            new.value = round(old.value + delta, nd)
        rows.append(new)
    return rows


def read_els(realdata: Path, codes: set[str]) -> dict[str, dict[int, float]]:
    """Net additional dwellings per 1,000 stock by area and financial year (``2024-04-01/P1Y`` = 2024/25), years in range."""
    out: dict[str, dict[int, float]] = {c: {} for c in codes}
    with (realdata / ELS_FILE).open(encoding="utf-8-sig", newline="") as f:  # the file starts with a byte-order mark
        for row in csv.DictReader(f):
            match = re.fullmatch(r"(\d{4})-04-01/P1Y", row["period"])
            if row["areacd"] in codes and match and FIRST_FY <= int(match[1]) <= LAST_YEAR and row["observation"]:
                out[row["areacd"]][int(match[1])] = float(row["observation"])
    for code, values in out.items():
        if sorted(values) != list(range(FIRST_FY, LAST_YEAR + 1)) or min(values.values()) < 0:
            raise SystemExit(f"{realdata / ELS_FILE}: {code} lacks a year from {FIRST_FY} to {LAST_YEAR} or has a negative rate")
    return out


def real(d: Definition, values: dict[int, float], dates: dict[int, tuple[str, str]]) -> list[Obs]:
    """Each year twice, same value: the council's provisional housing monitoring figure, then the national statistics."""
    rows = []
    for fy, value in sorted(values.items()):
        provisional, validated = dates[fy]
        label = f"{fy}-{(fy + 1) % 100:02d}"
        rows.append(Obs(d.id, "annual", fy, value, None, None, dt.date.fromisoformat(provisional), "provisional",
                        "Provisional: the council's housing monitoring return."))  # fmt: skip
        rows.append(Obs(d.id, "annual", fy, value, None, None, dt.date.fromisoformat(validated), "",
                        f"MHCLG net additional dwellings statistics, {label}."))  # fmt: skip
    return rows


def observation_rows(rows: list[Obs], order: dict[str, Definition]) -> list[list[str]]:
    """CSV rows in a stable order: measure order, then period, then reported_on."""
    rank = {mid: i for i, mid in enumerate(order)}
    out = []
    for r in sorted(rows, key=lambda r: (rank[r.measure_id], r.index, r.reported_on)):
        d = order[r.measure_id]
        value = plain(r.value) if d.real else fmt(r.value, store_decimals(d))
        out.append(
            [r.measure_id, r.period, value, fmt(r.numerator, 0), fmt(r.denominator, 0), r.quality, r.note, r.reported_on.isoformat()]
        )
    return out


def target_rows(d: Definition, f: Figures) -> list[list[str]]:
    """targets.csv rows: each year's row, then its phased rows; a blank intervention is derived by the 5% tolerance."""
    out = []
    for year in sorted(set(f.targets) | set(f.phased)):
        if year in f.targets:
            t, i = f.targets[year]
            out.append([d.id, year, "", fmt(t, d.dp), fmt(i, d.dp)])
        for period, (t, i) in f.phased.get(year, {}).items():
            out.append([d.id, year, period, fmt(t, d.dp), fmt(i, d.dp)])
    return out


def baseline(d: Definition, rows: list[Obs]) -> tuple[str, str]:
    """The 2023/24 figure (its last month or quarter for monthly and quarterly measures), as the reader sees it."""
    period = {"monthly": "2024-03", "quarterly": "2023/24 Q4", "annual": "2023/24"}[d.frequency]
    mine = sorted((r for r in rows if r.period == period), key=lambda r: r.reported_on)
    r = mine[-1]
    value = r.numerator / r.denominator * MULTIPLIER.get(d.unit, 1) if d.aggregation == "ratio" else r.value
    return period, fmt(round_half_away(value, d.dp), d.dp)


def data_as_at(q: int) -> dt.date:
    return P.data_as_at(q)


def _on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def returns_due(q: int) -> dt.date:
    """The Friday a week or more before data_as_at."""
    day = data_as_at(q) - dt.timedelta(days=7)
    return day - dt.timedelta(days=(day.weekday() - 4) % 7)


def params_text(c: Council, q: int) -> str:
    asat = data_as_at(q)
    return (
        f"quarter: {P.quarter_code(q)}\ntitle: {c.title}\nmeeting: {c.meeting}\n"
        f"meeting_date: {_on_or_after(asat + dt.timedelta(days=14), c.meeting_weekday)}\n"
        f"data_as_at: {asat}\nreturns_due: {returns_due(q)}\naudience: public\n"
    )


def joint_params_text(q: int) -> str:
    asat = data_as_at(q)
    return (
        f"quarter: {P.quarter_code(q)}\ntitle: Shared Services Performance Report\nmeeting: Shared Services Joint Committee\n"
        f"meeting_date: {_on_or_after(asat + dt.timedelta(days=28), 1)}\ndata_as_at: {asat}\naudience: public\n"
    )
