"""Synthetic councils in the data contract's format, seeded and scaled, for timing and checking the status engine.

One data folder is one council (one ``council.yml``, one ``status_method``),
so "317 councils x 150 measures" is a single national table of 47,550
measures with ids like ``C001-M001`` and one observations file per synthetic
council (``observations/C001.csv``). ``_synthetic_tables.py`` turns them
into the contract's tables: a real data folder, or typed in memory.

The mix follows the issue's "10 years of monthly data": mostly monthly
measures, some quarterly and annual, every unit and aggregation, year to date,
lags, missing months, revisions, phased and partly phased targets, blank
intervention levels, targets revised mid-year (``agreed_on``), and year-end
forecasts (some made twice in a quarter, some in Q4, which no report uses). ``coverage=True`` replaces the random mix by every
combination of unit x aggregation x frequency x ytd x polarity x lag, for tests.
Figures are typed with a fixed number of decimal places (integers divided by
a power of ten), so the text written is exactly the float held in memory.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from pmlib.contract.periods import first_months
from pmlib.contract.tables import TABLES
from pmlib.engine.measure_arrays import SPANS
from pmlib.vocabulary import AGGREGATIONS, FREQUENCIES, MULTIPLIERS, NON_NEGATIVE_UNITS, POLARITIES, QUALITIES, UNITS, Frequency, Unit

COVERAGE_LAGS = (0, 1, 4)
SPAN = {f.word: f.months for f in Frequency}
PER_YEAR = {f.word: 12 // f.months for f in Frequency}

# The realistic mix: unit given aggregation, as councils' frameworks use them.
_UNITS_FOR = {
    "sum": ((Unit.NUMBER, Unit.GBP, Unit.DAYS), (0.6, 0.25, 0.15)),
    "mean": ((Unit.PERCENT, Unit.DAYS, Unit.SCORE, Unit.GBP), (0.4, 0.2, 0.2, 0.2)),
    "last": ((Unit.NUMBER, Unit.PERCENT, Unit.SCORE, Unit.GBP), (0.3, 0.3, 0.2, 0.2)),
    "ratio": ((Unit.PERCENT, Unit.RATE_PER_1000, Unit.RATE_PER_100K, Unit.SCORE), (0.5, 0.25, 0.15, 0.1)),
}
_LAGS = {
    "monthly": ((0, 1, 2, 3, 4, 6), (0.5, 0.2, 0.1, 0.1, 0.05, 0.05)),
    "quarterly": ((0, 1, 2), (0.7, 0.2, 0.1)),
    "annual": ((0, 1), (0.7, 0.3)),
}

# Target styles for a measure's year: 0 year row with an intervention level, 1 year row without one,
# 2 every quarter phased, 3 every month phased (quarter rows for a quarterly measure), 4 partly phased,
# 5 no target that year.
_STYLE_P = (0.55, 0.25, 0.05, 0.05, 0.05, 0.05)
OBSERVATION_COLUMNS = [c.name for c in TABLES["observations"]]
MEASURE_COLUMNS = [c.name for c in TABLES["measures.csv"]]


@dataclass(frozen=True)
class Shape:
    """How big a synthetic data set is and how it is judged; the defaults are the issue's national scale."""

    councils: int = 317
    measures: int = 150  # per council
    years: int = 10
    first_year: int = 2014  # the first financial year, 2014/15
    seed: int = 8
    method: str = "intervention"
    tolerance_pct: float = 5.0
    coverage: bool = False  # every unit x aggregation x frequency x ytd x polarity x lag instead of the random mix

    @property
    def report_quarters(self) -> list[str]:
        """Every quarter the data covers, as codes: what the benchmark judges."""
        return [f"{fy}/{(fy + 1) % 100:02d} Q{n}" for fy in range(self.first_year, self.first_year + self.years) for n in range(1, 5)]


@dataclass
class Synthetic:
    """The generated tables as columns of NumPy arrays; ``mi`` columns index into ``measures``."""

    shape: Shape
    measures: dict[str, np.ndarray]
    observations: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]
    council_of: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=np.int64))
    forecasts: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_measures(self) -> int:
        """Number of measures (all councils together)."""
        return len(self.measures["measure_id"])

    @property
    def n_figures(self) -> int:
        """Number of observation rows, revisions included."""
        return len(self.observations["mi"])


# --- period codes -------------------------------------------------------------------------


def _fy_code(fy: int) -> str:
    return f"{fy:04d}/{(fy + 1) % 100:02d}"


def _code_table(frequency: str, indexes: np.ndarray) -> np.ndarray:
    """Period codes for period indexes of one frequency (months from year 0, quarters from 0/01 Q1, years), each code made once."""
    uniques, inverse = np.unique(np.asarray(indexes, dtype=np.int64), return_inverse=True)
    if frequency == "monthly":
        names = [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in uniques]
    elif frequency == "quarterly":
        names = [f"{_fy_code(i // 4)} Q{i % 4 + 1}" for i in uniques]
    else:
        names = [_fy_code(i) for i in uniques]
    return np.array(names, dtype=object)[inverse.reshape(-1)]


def _quantize(x: np.ndarray, places: np.ndarray) -> np.ndarray:
    """Round to ``places`` decimals as an integer over a power of ten, so the float is the nearest to its decimal text."""
    scale = np.power(10.0, places)
    return np.round(x * scale) / scale


# --- generation ---------------------------------------------------------------------------


def _measure_attributes(shape: Shape, rng: np.random.Generator) -> dict[str, np.ndarray]:
    if shape.coverage:
        combos = list(itertools.product(UNITS, AGGREGATIONS, FREQUENCIES, (False, True), POLARITIES, COVERAGE_LAGS))
        n = len(combos)
        columns = list(zip(*combos, strict=True))
        unit, agg, freq, pol = (np.array(columns[i], dtype=object) for i in (0, 1, 2, 4))
        ytd, lag = np.array(columns[3], dtype=bool), np.array(columns[5], dtype=np.int64)
        decimals = np.array([-1, 0, 1, 2])[np.arange(n) % 4]
        council = np.zeros(n, dtype=np.int64)
        number = np.arange(n) + 1
    else:
        n = shape.councils * shape.measures
        council = np.repeat(np.arange(shape.councils), shape.measures)
        number = np.tile(np.arange(shape.measures), shape.councils) + 1
        freq = rng.choice(np.array(FREQUENCIES, dtype=object), n, p=(0.8, 0.15, 0.05))
        agg = rng.choice(np.array(AGGREGATIONS, dtype=object), n, p=(0.3, 0.25, 0.15, 0.3))
        unit = np.empty(n, dtype=object)
        for a, (units, p) in _UNITS_FOR.items():
            mask = agg == a
            unit[mask] = rng.choice(np.array([u.word for u in units], dtype=object), int(mask.sum()), p=p)
        pol = rng.choice(np.array(POLARITIES, dtype=object), n, p=(0.45, 0.45, 0.1))
        ytd = (rng.random(n) < np.where(agg == "sum", 0.35, 0.15)) & (freq != "annual")
        lag = np.zeros(n, dtype=np.int64)
        for f, (lags, p) in _LAGS.items():
            mask = freq == f
            lag[mask] = rng.choice(lags, int(mask.sum()), p=p)
        decimals = rng.choice([-1, 0, 1, 2], n, p=(0.4, 0.2, 0.25, 0.15))
    width = max(3, len(str(int(council.max(initial=0)) + 1)))
    mwidth = max(3, len(str(int(number.max(initial=0)))))
    ids = np.array([f"C{c + 1:0{width}d}-M{m:0{mwidth}d}" for c, m in zip(council, number, strict=True)], dtype=object)
    plans = np.array([f"c{c + 1:0{width}d}-p{m % 3 + 1}" for c, m in zip(council, number, strict=True)], dtype=object)
    small_counts = (unit == "number") | (agg == "ratio")
    disclosure = np.where(small_counts & (rng.random(n) < 0.05), 5, 0)
    return {
        "measure_id": ids,
        "plan_id": plans,
        "council": council,
        "unit": unit,
        "polarity": pol,
        "frequency": freq,
        "aggregation": agg,
        "ytd": ytd,
        "lag": lag,
        "decimals": decimals,  # -1: blank, the contract's default
        "disclosure_min": disclosure,
    }


def _levels(m: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per measure: a typical figure per own period, a yearly drift, noise, and the decimals figures are typed with."""
    n = len(m["unit"])
    unit = m["unit"]
    low = {"percent": 30, "number": 5, "days": 2, "gbp": -2_000, "score": -5, "rate_per_1000": 1, "rate_per_100k": 10}
    high = {"percent": 90, "number": 500, "days": 60, "gbp": 50_000, "score": 10, "rate_per_1000": 50, "rate_per_100k": 500}
    places = {"percent": 1, "number": 0, "days": 1, "gbp": 2, "score": 2, "rate_per_1000": 2, "rate_per_100k": 1}
    lo = np.array([low[u] for u in unit], dtype=float)
    hi = np.array([high[u] for u in unit], dtype=float)
    level = lo + (hi - lo) * rng.random(n)
    noise = np.maximum(np.abs(level) * rng.uniform(0.03, 0.12, n), 0.5)
    # Ratio measures: the chance a case counts, before the unit's multiplier, and a monthly denominator.
    share = {"percent": (0.3, 0.95), "rate_per_1000": (0.002, 0.05), "rate_per_100k": (1e-4, 2e-3)}
    p_lo = np.array([share.get(u, (0.2, 3.0))[0] for u in unit])
    p_hi = np.array([share.get(u, (0.2, 3.0))[1] for u in unit])
    return {
        "level": level,
        "drift": rng.normal(0, 0.03, n),  # share of the level per year
        "noise": noise,
        "places": np.array([places[u] for u in unit], dtype=float),
        "p": p_lo + (p_hi - p_lo) * rng.random(n),
        "den": rng.integers(200, 5_000, n),
    }


def _observations(shape: Shape, m: dict[str, np.ndarray], lv: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    parts = []
    for freq in FREQUENCIES:
        rows = np.flatnonzero(m["frequency"] == freq)
        if not len(rows):
            continue
        per_year = PER_YEAR[freq]
        periods = shape.years * per_year
        start = {"monthly": shape.first_year * 12 + 3, "quarterly": shape.first_year * 4, "annual": shape.first_year}[freq]
        t = np.arange(periods)
        years_in = (t / per_year)[None, :]
        month_of_year = (t * SPAN[freq]) % 12
        season = np.sin(2 * np.pi * month_of_year / 12)[None, :]
        mi = np.repeat(rows, periods)
        k = len(rows)
        level, drift, noise = lv["level"][rows, None], lv["drift"][rows, None], lv["noise"][rows, None]
        unit = m["unit"][rows]
        x = level * (1 + drift * years_in) + noise * (0.5 * season + rng.standard_normal((k, periods)))
        x = np.where((unit == "percent")[:, None], np.clip(x, 0, 100), x)
        x = np.where(np.isin(unit, NON_NEGATIVE_UNITS)[:, None], np.maximum(x, 0), x)
        value = _quantize(x, lv["places"][rows, None])
        # Ratio figures: whole-number numerators and denominators; a percent's numerator never above its denominator.
        den = np.maximum(1, np.round(lv["den"][rows, None] * SPAN[freq] * rng.uniform(0.8, 1.2, (k, periods))))
        p = lv["p"][rows, None] * (1 + drift * years_in) * rng.uniform(0.9, 1.1, (k, periods))
        binomial = rng.binomial(den.astype(np.int64), np.clip(p, 0, 1)).astype(float)
        num = np.where((p <= 1) | (unit == "percent")[:, None], binomial, np.round(den * p))
        ratio = (m["aggregation"][rows] == "ratio")[:, None]
        parts.append(
            {
                "mi": mi,
                "period_index": np.tile(start + t, k),
                "value": np.where(ratio, np.nan, value).ravel(),
                "numerator": np.where(ratio, num, np.nan).ravel(),
                "denominator": np.where(ratio, den, np.nan).ravel(),
            }
        )
    obs = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    n_obs = len(obs["mi"])
    freq = m["frequency"][obs["mi"]]

    # Missing figures: a scatter of single periods, and for some measures a run of them (so context reaches back).
    n = len(m["unit"])
    first = first_months(obs["period_index"], freq)
    has_gap = rng.random(n) < 0.03
    gap_start = shape.first_year * 12 + 3 + rng.integers(0, 12 * shape.years, n)
    gap_end = gap_start + rng.integers(3, 18, n)
    in_gap = has_gap[obs["mi"]] & (first >= gap_start[obs["mi"]]) & (first < gap_end[obs["mi"]])
    keep = (rng.random(n_obs) >= 0.015) & ~in_gap
    obs = {key: a[keep] for key, a in obs.items()}
    freq, first = freq[keep], first[keep]
    n_obs = len(obs["mi"])

    # reported_on: after the period ends and the measure's lag; 1% of figures were first supplied earlier
    # with another figure (a revision), which the newest row replaces.
    span = SPANS[Frequency.codes(freq)]
    next_month = first + span  # absolute month after the period ends
    lag_months = m["lag"][obs["mi"]] * span
    days = rng.integers(3, 40, n_obs)
    reported = _month_start(next_month + lag_months) + days.astype("timedelta64[D]")
    quality = rng.choice(np.array(["", *QUALITIES], dtype=object), n_obs, p=(0.8, 0.14, 0.04, 0.02))
    obs |= {"reported_on": reported, "quality": quality, "first_month": first, "revision_order": np.ones(n_obs, dtype=np.int8)}

    revised = np.flatnonzero(rng.random(n_obs) < 0.01)
    if len(revised):
        old = {key: a[revised].copy() for key, a in obs.items()}
        old["reported_on"] = _month_start(next_month[revised]) + np.timedelta64(1, "D")
        old["reported_on"] = np.minimum(old["reported_on"], obs["reported_on"][revised] - np.timedelta64(1, "D"))
        unit = m["unit"][old["mi"]]
        places = lv["places"][old["mi"]]
        bumped = old["value"] * rng.uniform(0.9, 1.1, len(revised))
        bumped = np.where(unit == "percent", np.clip(bumped, 0, 100), bumped)
        old["value"] = _quantize(bumped, places)
        old["numerator"] = np.minimum(np.round(old["numerator"] * 0.97), old["denominator"])
        old["quality"] = np.full(len(revised), "provisional", dtype=object)
        old["revision_order"] = np.zeros(len(revised), dtype=np.int8)
        obs = {key: np.concatenate([obs[key], old[key]]) for key in obs}

    # File order: by council (one file each), measure, period, then the superseded row before its revision.
    order = np.lexsort((obs["revision_order"], obs["first_month"], obs["mi"]))
    return {key: a[order] for key, a in obs.items()}


def _month_start(month_index: np.ndarray) -> np.ndarray:
    """First day of absolute month ``year * 12 + month - 1`` as datetime64[D]."""
    return (np.asarray(month_index, dtype=np.int64) - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")


def _targets(shape: Shape, m: dict[str, np.ndarray], lv: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = len(m["unit"])
    years = np.arange(shape.first_year, shape.first_year + shape.years)
    mi = np.repeat(np.arange(n), len(years))
    fy = np.tile(years, n)
    freq, agg, unit, pol = (m[k][mi] for k in ("frequency", "aggregation", "unit", "polarity"))
    ytd = m["ytd"][mi] & (freq != "annual")
    if shape.coverage:
        style = (mi + fy) % 6
    else:
        style = rng.choice(6, len(mi), p=_STYLE_P)
        style = np.where(pol == "none", 5, style)  # a real framework gives a context measure no target
    style = np.where((freq == "annual") & np.isin(style, (2, 3, 4)), 0, style)  # an annual target cannot be phased
    style = np.where((freq == "quarterly") & (style == 3), 2, style)

    # The value a target is set against: the measure's level that year, in the judged period's terms.
    level = lv["level"][mi] * (1 + lv["drift"][mi] * (fy - shape.first_year + 0.5))
    scaled = np.where(agg == "ratio", lv["p"][mi] * np.array([MULTIPLIERS.get(u, 1.0) for u in unit]), level)
    per_quarter = np.where((agg == "sum") & (freq == "monthly"), 3.0, 1.0)
    per_year = np.where(freq == "monthly", 12.0, np.where(freq == "quarterly", 4.0, 1.0))
    quarter_value = scaled * per_quarter
    year_value = np.where((agg == "sum") & ytd, scaled * per_year, quarter_value)
    places = lv["places"][mi]

    def level_pair(pick, expected, blank_share):
        """A target near ``expected`` and an intervention level on the right side of it, blank for ``blank_share`` of rows."""
        k, unit_k, pol_k, places_k = int(pick.sum()), unit[pick], pol[pick], places[pick]
        t = expected * (1 + rng.normal(0, 0.06, k))
        t = np.where(unit_k == "percent", np.clip(t, 0, 100), t)
        t = np.where(np.isin(unit_k, NON_NEGATIVE_UNITS), np.maximum(t, 0), t)
        t = _quantize(t, places_k)
        gap = np.maximum(_quantize(np.abs(t) * rng.uniform(0.03, 0.15, k), places_k), 10.0**-places_k)
        i = np.where(pol_k == "lower", t + gap, t - gap)
        i = np.where(unit_k == "percent", np.clip(i, 0, 100), i)
        i = np.where(np.isin(unit_k, NON_NEGATIVE_UNITS), np.maximum(i, 0), i)
        i = np.where(rng.random(k) < blank_share, np.nan, _quantize(i, places_k))
        return t, i

    rows = []
    # The year's row (styles 0-4; style 1 leaves the intervention level blank).
    has_year = style != 5
    t, i = level_pair(has_year, year_value[has_year], 0.0)
    i = np.where(style[has_year] == 1, np.nan, i)
    rows.append(
        {
            "mi": mi[has_year],
            "fy": fy[has_year],
            "kind": np.zeros(len(t), np.int8),
            "n": np.zeros(len(t), np.int64),
            "target": t,
            "intervention": i,
        }
    )

    # Quarter rows (style 2: all four; style 4 on a quarterly measure: two of them).
    for n_q in range(1, 5):
        pick = (style == 2) | ((style == 4) & (freq == "quarterly") & (n_q % 2 == 1))
        if not pick.any():
            continue
        cumulative = (agg[pick] == "sum") & ytd[pick]
        expected = np.where(cumulative, year_value[pick] * n_q / 4, quarter_value[pick])
        t, i = level_pair(pick, expected, 0.4)
        rows.append(
            {"mi": mi[pick], "fy": fy[pick], "kind": np.ones(len(t), np.int8), "n": np.full(len(t), n_q), "target": t, "intervention": i}
        )

    # Month rows (style 3: all twelve; style 4 on a monthly measure: all but two).
    monthly = freq == "monthly"
    skip = rng.integers(0, 12, (len(mi), 2))
    for k in range(12):
        pick = monthly & ((style == 3) | ((style == 4) & (skip[:, 0] != k) & (skip[:, 1] != k)))
        if not pick.any():
            continue
        cumulative = (agg[pick] == "sum") & ytd[pick]
        per_month = np.where(agg[pick] == "sum", quarter_value[pick] / 3, quarter_value[pick])
        expected = np.where(cumulative, year_value[pick] * (k + 1) / 12, per_month)
        t, i = level_pair(pick, expected, 0.4)
        month = fy[pick] * 12 + 3 + k
        rows.append({"mi": mi[pick], "fy": fy[pick], "kind": np.full(len(t), 2, np.int8), "n": month, "target": t, "intervention": i})

    out = {key: np.concatenate([r[key] for r in rows]) for key in rows[0]}
    return _revisions(shape, out, lv, rng)


def _revisions(shape: Shape, t: dict[str, np.ndarray], lv: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Some target rows revised mid-year (a new row with a later ``agreed_on``); some originals dated before their year.

    Both levels of a revision are the original's scaled by one factor below 1,
    so a percent stays in 0-100 and the intervention level on the right side.
    """
    k = len(t["mi"])
    t["agreed"] = np.full(k, np.datetime64("NaT"), dtype="datetime64[D]")
    t["revision"] = np.zeros(k, dtype=np.int8)
    year_start = _month_start(t["fy"] * 12 + 3)
    dated = rng.random(k) < 0.3
    t["agreed"][dated] = year_start[dated] - np.timedelta64(30, "D") + rng.integers(0, 20, int(dated.sum())).astype("timedelta64[D]")
    pick = np.flatnonzero(rng.random(k) < (0.15 if shape.coverage else 0.05))
    new = {key: a[pick].copy() for key, a in t.items()}
    places = lv["places"][new["mi"]]
    factor = rng.uniform(0.85, 0.99, len(pick))
    new["target"] = _quantize(new["target"] * factor, places)
    new["intervention"] = _quantize(new["intervention"] * factor, places)
    new["agreed"] = year_start[pick] + rng.integers(60, 300, len(pick)).astype("timedelta64[D]")
    new["revision"] = np.ones(len(pick), dtype=np.int8)
    out = {key: np.concatenate([t[key], new[key]]) for key in t}
    order = np.lexsort((out["revision"], out["n"], out["kind"], out["fy"], out["mi"]))
    return {key: a[order] for key, a in out.items()}


def _forecasts(shape: Shape, m: dict[str, np.ndarray], lv: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Year-end forecasts for some measure-years: one to three rows, in random quarters (so sometimes two in one quarter)."""
    n = len(m["unit"])
    years = np.arange(shape.first_year, shape.first_year + shape.years)
    mi, fy = np.repeat(np.arange(n), len(years)), np.tile(years, n)
    share = np.where(rng.random(n) < (1.0 if shape.coverage else 0.1), 0.5, 0.0)[mi]
    pick = rng.random(len(mi)) < share
    mi, fy = mi[pick], fy[pick]
    per = rng.integers(1, 4, len(mi))
    mi, fy = np.repeat(mi, per), np.repeat(fy, per)
    k = np.arange(len(mi)) - np.repeat(np.cumsum(per) - per, per)  # 0, 1, 2 within each measure-year
    quarter = rng.integers(1, 5, len(mi))
    days = 5 + 40 * k + rng.integers(0, 30, len(mi))  # distinct for each row of a measure-year, whatever its quarter
    reported = _month_start(fy * 12 + 3 + 3 * quarter) + days.astype("timedelta64[D]")
    unit, agg, freq = m["unit"][mi], m["aggregation"][mi], m["frequency"][mi]
    level = lv["level"][mi] * (1 + lv["drift"][mi] * (fy - shape.first_year + 0.5))
    scaled = np.where(agg == "ratio", lv["p"][mi] * np.array([MULTIPLIERS.get(u, 1.0) for u in unit]), level)
    per_year = np.where(freq == "monthly", 12.0, np.where(freq == "quarterly", 4.0, 1.0))
    per_quarter = np.where((agg == "sum") & (freq == "monthly"), 3.0, 1.0)
    expected = np.where((agg == "sum") & m["ytd"][mi] & (freq != "annual"), scaled * per_year, scaled * per_quarter)
    value = expected * (1 + rng.normal(0, 0.08, len(mi)))
    value = np.where(unit == "percent", np.clip(value, 0, 100), value)
    value = np.where(np.isin(unit, NON_NEGATIVE_UNITS), np.maximum(value, 0), value)
    out = {"mi": mi, "quarter": fy * 4 + quarter - 1, "forecast": _quantize(value, lv["places"][mi]), "reported_on": reported}
    order = np.lexsort((out["reported_on"], out["quarter"], out["mi"]))
    return {key: a[order] for key, a in out.items()}


def generate(shape: Shape = Shape()) -> Synthetic:
    """The tables for ``shape``, deterministic for its seed."""
    rng = np.random.default_rng(shape.seed)
    m = _measure_attributes(shape, rng)
    lv = _levels(m, rng)
    obs = _observations(shape, m, lv, rng)
    targets = _targets(shape, m, lv, rng)
    forecasts = _forecasts(shape, m, lv, rng)
    return Synthetic(shape=shape, measures=m, observations=obs, targets=targets, council_of=m["council"], forecasts=forecasts)
