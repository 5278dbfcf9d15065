"""Properties of the status rules, and the vectorised judge against a per-row reference.

The reference implementation below is written from the data contract's text
(Periods; Status rules 1-7; Small numbers), one measure and quarter at a time,
in exact rational arithmetic on the figures as typed. It shares no code with
pmlib beyond loading the data folder and reading the judged table.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
from builders import make_data
from hypothesis import given, settings
from hypothesis import strategies as st

from pmlib.contract.loading import load_data
from pmlib.engine.rounding import round_half_away
from pmlib.engine.status import classify, direction, judge

FAST = settings(max_examples=200, deadline=None, derandomize=True)
RANK = {"intervention": 0, "below_target": 1, "on_target": 2}

# --- properties of the pure rules ------------------------------------------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
methods = st.sampled_from(["intervention", "tolerance"])


@st.composite
def levels(draw, polarity):
    """A target and an intervention level on the right side of it (or none)."""
    t = draw(finite)
    gap = draw(st.floats(0, 1e5, allow_nan=False))
    i = draw(st.one_of(st.just(math.nan), st.just(t - gap if polarity == "higher" else t + gap)))
    return t, i


@FAST
@given(st.data(), st.sampled_from(["higher", "lower"]), finite, finite, methods)
def test_status_is_monotone_in_the_value(data, polarity, v1, v2, method):
    t, i = data.draw(levels(polarity))
    low, high = sorted((v1, v2))
    s_low, s_high = (classify([v], [t], [i], [polarity], method)[0] for v in (low, high))
    if polarity == "higher":  # raising the value never makes the status worse
        assert RANK[s_low] <= RANK[s_high]
    else:  # lower is better: raising the value never makes it better
        assert RANK[s_low] >= RANK[s_high]


@FAST
@given(st.data(), st.sampled_from(["higher", "lower"]), finite, methods)
def test_status_mirrors_under_polarity(data, polarity, v, method):
    t, i = data.draw(levels(polarity))
    flipped = {"higher": "lower", "lower": "higher"}[polarity]
    assert classify([v], [t], [i], [polarity], method)[0] == classify([-v], [-t], [-i], [flipped], method)[0]


@FAST
@given(st.one_of(finite, st.just(math.nan)), st.one_of(finite, st.just(math.nan)), st.sampled_from(["higher", "lower", "none"]))
def test_direction_is_antisymmetric(current, previous, polarity):
    swap = {"improving": "worsening", "worsening": "improving", "increasing": "decreasing", "decreasing": "increasing"}
    forward = direction([current], [previous], [polarity])[0]
    backward = direction([previous], [current], [polarity])[0]
    assert backward == swap.get(forward, forward)
    assert (forward is None) == (math.isnan(current) or math.isnan(previous))


@FAST
@given(st.floats(-1e7, 1e7, allow_nan=False), st.integers(0, 3))
def test_rounding_is_idempotent_odd_and_close(x, decimals):
    once = round_half_away(x, decimals)
    assert round_half_away(once, decimals) == once
    assert round_half_away(-x, decimals) == -once
    assert abs(once - x) <= 0.5 * 10.0**-decimals + 1e-6 * max(1.0, abs(x))


# --- the reference implementation ---------------------------------------------------------------

MULTIPLIER = {"percent": 100, "rate_per_1000": 1000, "rate_per_100k": 100_000}


def month_code(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def fy_code(fy: int) -> str:
    return f"{fy:04d}/{(fy + 1) % 100:02d}"


def quarter_code(q: int) -> str:
    return f"{fy_code(q // 4)} Q{q % 4 + 1}"


def quarter_months(q: int) -> list[int]:
    """Absolute month numbers (year x 12 + month - 1) of quarter q (fy x 4 + n - 1); Q1 starts in April."""
    first = (q // 4) * 12 + 3 + 3 * (q % 4)
    return [first, first + 1, first + 2]


def month_end(m: int) -> dt.date:
    year, month = m // 12, m % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def half_away(x: Fraction | None, decimals: int) -> Fraction | None:
    if x is None:
        return None
    scaled = abs(x) * 10**decimals
    n = math.floor(scaled + Fraction(1, 2))
    return Fraction(n if x >= 0 else -n, 10**decimals)


@dataclass
class Measure:
    id: str
    frequency: str
    aggregation: str
    unit: str
    polarity: str
    ytd: bool
    lag: int
    decimals: int
    disclosure_min: int

    def row(self) -> dict:
        return {
            "measure_id": self.id, "frequency": self.frequency, "aggregation": self.aggregation, "unit": self.unit,
            "polarity": self.polarity, "ytd": str(self.ytd).lower(), "lag": str(self.lag), "decimals": str(self.decimals),
            "disclosure_min": str(self.disclosure_min),
        }  # fmt: skip


@dataclass
class World:
    measures: list[Measure]
    observations: list[dict]  # rows as written: measure_id, period, value/numerator/denominator (str), quality, reported_on
    targets: list[dict]
    method: str
    tolerance: str
    quarters: list[int]
    as_at: dt.date | None
    published: list[dt.date] = field(default_factory=list)


def reference(world: World) -> dict[tuple[str, str], dict]:
    """The judged rows by (measure_id, quarter code), worked out rule by rule from the contract."""
    tol = Fraction(world.tolerance)
    versions: dict[tuple[str, str], list[dict]] = {}
    for row in world.observations:
        versions.setdefault((row["measure_id"], row["period"]), []).append(row)

    def newest(key, on_or_before):
        rows = [r for r in versions.get(key, []) if on_or_before is None or dt.date.fromisoformat(r["reported_on"]) <= on_or_before]
        return max(rows, key=lambda r: r["reported_on"]) if rows else None

    def figure_of(r):
        return tuple(Fraction(r[c]) if r.get(c, "") != "" else None for c in ("value", "numerator", "denominator"))

    def figure(mid, code):
        """The figure a report at as-at uses, with its flags; None when there is none."""
        r = newest((mid, code), world.as_at)
        if r is None:
            return None
        earlier = [d for d in world.published if world.as_at is None or d < world.as_at]
        revised = any((then := newest((mid, code), d)) is not None and figure_of(then) != figure_of(r) for d in earlier)
        value, num, den = figure_of(r)
        return {"value": value, "num": num, "den": den, "quality": r.get("quality") or "validated", "revised": revised}

    def base_codes(m: Measure, kind: str, q: int) -> list[str]:
        """Codes of the measure's own periods that the figure ending at quarter q covers (rule 2)."""
        if m.frequency == "annual":
            return [fy_code(q // 4)]
        first_q = 4 * (q // 4) if kind == "ytd" else q
        if m.frequency == "quarterly":
            return [quarter_code(x) for x in range(first_q, q + 1)]
        return [month_code(mm) for x in range(first_q, q + 1) for mm in quarter_months(x)]

    def small(m: Measure, x) -> bool:
        return x is not None and 1 <= x < m.disclosure_min

    def roll(m: Measure, kind: str, q: int):
        """(value, figures rolled in, summed numerator, summed denominator); value None when any is missing."""
        figs = [figure(m.id, c) for c in base_codes(m, kind, q)]
        if any(f is None for f in figs):
            return None, (figs[-1:] if m.aggregation == "last" else figs), None, None
        if m.aggregation == "ratio":
            num, den = sum(f["num"] for f in figs), sum(f["den"] for f in figs)
            return num / den * MULTIPLIER.get(m.unit, 1), figs, num, den
        values = [f["value"] for f in figs]
        value = {"sum": sum(values), "mean": sum(values) / len(values), "last": values[-1]}[m.aggregation]
        # A `last` value is derived from its final figure alone (its flags and small-count rule too).
        return value, (figs[-1:] if m.aggregation == "last" else figs), None, None

    def expected(m: Measure, r: int) -> int:
        """Rule 1, as a quarter index (annual: the year's Q4)."""
        end = quarter_months(r)[-1]
        if m.frequency == "quarterly":
            return r - m.lag
        if m.frequency == "monthly":
            q = r
            while end - quarter_months(q)[-1] < m.lag:
                q -= 1
            return q
        fy = r // 4
        while fy * 12 + 3 + 11 > end:  # a year ends in March: month fy x 12 + 14
            fy -= 1
        return 4 * (fy - m.lag) + 3

    def target_rows(m: Measure, fy: int) -> list[dict]:
        return [t for t in world.targets if t["measure_id"] == m.id and t["year"] == fy_code(fy)]

    def levels(m: Measure, q: int):
        """Rules 3 and 4: target and intervention level for the period ending at quarter q."""
        if m.polarity == "none":
            return None, None
        fy = q // 4
        rows = target_rows(m, fy)
        by_period = {t["period"]: t for t in rows}

        def num(t, col):
            return Fraction(t[col]) if t[col] != "" else None

        t = i = None
        found = False
        if m.frequency != "annual" and f"Q{q % 4 + 1}" in by_period:
            row = by_period[f"Q{q % 4 + 1}"]
            t, i, found = num(row, "target"), num(row, "intervention"), True
        elif m.frequency == "monthly":
            codes = [month_code(mm) for mm in quarter_months(q)]
            if m.ytd or m.aggregation == "last":  # the row for the quarter's last month
                if codes[-1] in by_period:
                    row = by_period[codes[-1]]
                    t, i, found = num(row, "target"), num(row, "intervention"), True
            elif all(c in by_period for c in codes):  # the quarter's months, rolled up like the values
                ts = [num(by_period[c], "target") for c in codes]
                ins = [num(by_period[c], "intervention") for c in codes]
                divisor = 1 if m.aggregation == "sum" else 3
                t = half_away(sum(ts) / divisor, m.decimals)
                i = None if None in ins else half_away(sum(ins) / divisor, m.decimals)
                found = True
        if not found and "" in by_period:
            row = by_period[""]
            t, i = num(row, "target"), num(row, "intervention")
            phased_in_year = any(p != "" for p in by_period)
            if m.ytd and m.frequency != "annual" and m.aggregation == "sum" and not phased_in_year:
                share = Fraction((q % 4 + 1) * 3, 12)  # months elapsed / 12
                t = half_away(t * share, m.decimals)
                i = None if i is None else half_away(i * share, m.decimals)
        if t is not None and i is None and world.method == "tolerance":
            factor = 1 - tol / 100 if m.polarity == "higher" else 1 + tol / 100
            i = half_away(t * factor, m.decimals)
        return t, i

    def status(m: Measure, v, t, i) -> str:
        if v is None:
            return "no_data"
        if m.polarity == "none" or t is None:
            return "monitoring"
        better = (lambda a, b: a >= b) if m.polarity == "higher" else (lambda a, b: a <= b)
        if better(v, t):
            return "on_target"
        if i is not None and (not better(v, i) if world.method == "tolerance" else not better(v, i) or v == i):
            return "intervention"
        return "below_target"

    def trend(m: Measure, now, then):
        if now is None or then is None:
            return None
        if now == then:
            return "no_change"
        up = now > then
        if m.polarity == "none":
            return "increasing" if up else "decreasing"
        return "improving" if up == (m.polarity == "higher") else "worsening"

    out = {}
    for r in world.quarters:
        for m in world.measures:
            q = expected(m, r)
            step = 4 if m.frequency == "annual" else 1
            kind = "ytd" if m.ytd and m.frequency != "annual" else "own"
            raw, figs, num, den = roll(m, kind, q)
            v = half_away(raw, m.decimals)
            own = half_away(roll(m, "own", q)[0], m.decimals)
            previous = half_away(roll(m, "own", q - step)[0], m.decimals)
            year_ago = half_away(roll(m, kind, q - 4)[0], m.decimals)
            t, i = levels(m, q)
            st_ = status(m, v, t, i)
            context = (None, None)
            if v is None:
                back = q - step
                while back >= 4 * 2015:
                    earlier = half_away(roll(m, kind, back)[0], m.decimals)
                    if earlier is not None:
                        context = (fy_code(back // 4) if m.frequency == "annual" else quarter_code(back), earlier)
                        break
                    back -= step
            present = [f for f in figs if f is not None]
            if m.aggregation == "ratio":
                derived_small = small(m, num) or small(m, den)
                input_small = any(small(m, f["num"]) or small(m, f["den"]) for f in present)
            else:
                derived_small = m.unit == "number" and small(m, v)
                input_small = m.unit == "number" and any(small(m, f["value"]) for f in present)
            out[(m.id, quarter_code(r))] = {
                "period": fy_code(q // 4) if m.frequency == "annual" else quarter_code(q),
                "value": v,
                "target": t,
                "intervention": i,
                "status": st_,
                "short_trend": trend(m, own, previous),
                "long_trend": trend(m, v, year_ago),
                "context_period": context[0],
                "context_value": context[1],
                "suppressed": v is not None and (derived_small or input_small),
                "provisional": any(f["quality"] == "provisional" for f in present),
                "estimated": any(f["quality"] == "estimated" for f in present),
                "revised": any(f["revised"] for f in present),
                "needs_exception": st_ == "intervention",
            }
    return out


# --- random small councils --------------------------------------------------------------------

FIRST_MONTH = 2019 * 12 + 3  # April 2019
N_MONTHS = 36  # to March 2022
REPORT_QUARTERS = list(range(2020 * 4, 2022 * 4))  # 2020/21 Q1 to 2021/22 Q4
AS_AT = [None, None, dt.date(2020, 10, 31), dt.date(2021, 7, 31), dt.date(2022, 1, 31)]
PUBLISHED = [dt.date(2020, 7, 31), dt.date(2020, 10, 31), dt.date(2021, 1, 31), dt.date(2021, 4, 30), dt.date(2021, 7, 31)]


# Figures and targets that meet on the boundaries: 80 less 5% is 76, 20 plus 5% is 21.
PALETTE = ["20", "21", "75", "76", "80"]


def cents(lo: int = 0, hi: int = 10_000) -> st.SearchStrategy[str]:
    """Decimal text with up to two places, lo/100 to hi/100."""
    return st.builds(lambda n: f"{n / 100:.2f}".removesuffix(".00"), st.integers(lo, hi))


@st.composite
def measures(draw, mid: str) -> Measure:
    frequency = draw(st.sampled_from(["monthly", "monthly", "quarterly", "annual"]))
    aggregation = draw(st.sampled_from(["sum", "mean", "last", "ratio"]))
    unit = draw(st.sampled_from(["percent", "rate_per_1000", "number"] if aggregation == "ratio" else ["number", "percent", "score"]))
    return Measure(
        id=mid,
        frequency=frequency,
        aggregation=aggregation,
        unit=unit,
        polarity=draw(st.sampled_from(["higher", "higher", "lower", "lower", "none"])),
        ytd=draw(st.booleans()) if frequency != "annual" else False,
        lag=draw(st.integers(0, 1 if frequency == "annual" else 4)),
        decimals=draw(st.integers(0, 2)),
        disclosure_min=draw(st.sampled_from([0, 0, 3, 5])),
    )


@st.composite
def figure_cells(draw, m: Measure) -> dict:
    if m.aggregation == "ratio":
        den = draw(st.integers(1, 40))
        return {"numerator": str(draw(st.integers(0, den))), "denominator": str(den)}
    if m.unit == "number" and draw(st.booleans()):
        return {"value": str(draw(st.integers(0, 12)))}  # small counts, to exercise suppression
    return {"value": draw(st.one_of(st.sampled_from(PALETTE), cents()))}


@st.composite
def observations(draw, m: Measure) -> list[dict]:
    if m.frequency == "monthly":
        periods = [(month_code(FIRST_MONTH + k), FIRST_MONTH + k) for k in range(N_MONTHS)]
    elif m.frequency == "quarterly":
        periods = [(quarter_code(2019 * 4 + k), quarter_months(2019 * 4 + k)[-1]) for k in range(N_MONTHS // 3)]
    else:
        periods = [(fy_code(fy), fy * 12 + 14) for fy in range(2017, 2022)]
    rows = []
    missing = draw(st.sampled_from([0.0, 0.0, 0.05, 0.2]))
    for code, last in periods:
        if draw(st.floats(0, 1)) < missing:
            continue
        reported = month_end(last) + dt.timedelta(days=draw(st.integers(1, 90)))
        quality = draw(st.sampled_from(["", "validated", "provisional", "estimated"]))
        rows.append({"measure_id": m.id, "period": code, "quality": quality, "reported_on": reported.isoformat()} | draw(figure_cells(m)))
        if draw(st.integers(0, 2)) == 0:  # a revision, with a new figure or the same one re-supplied
            later = reported + dt.timedelta(days=draw(st.integers(1, 300)))
            cells = draw(
                st.one_of(figure_cells(m), st.just({k: rows[-1][k] for k in ("value", "numerator", "denominator") if k in rows[-1]}))
            )
            rows.append({"measure_id": m.id, "period": code, "quality": "", "reported_on": later.isoformat()} | cells)
    return rows


@st.composite
def level_pair(draw, m: Measure) -> tuple[str, str]:
    """A target and an intervention level (maybe blank) on the right side of it."""
    t = draw(
        st.one_of(st.sampled_from(["20", "80"]), cents(0, 10_000) if m.unit == "percent" or m.aggregation != "sum" else cents(0, 60_000))
    )
    if draw(st.booleans()):
        return t, ""
    gap = Fraction(draw(st.one_of(st.just("0"), cents(100, 2_000))))
    i = Fraction(t) - gap if m.polarity != "lower" else Fraction(t) + gap
    i = min(max(i, Fraction(0)), Fraction(100)) if m.unit == "percent" else max(i, Fraction(0))
    return t, f"{float(i):.2f}"


@st.composite
def targets(draw, m: Measure) -> list[dict]:
    rows = []
    for fy in range(2019, 2022):
        code = fy_code(fy)
        if draw(st.integers(0, 4)) > 0:
            t, i = draw(level_pair(m))
            rows.append({"measure_id": m.id, "year": code, "period": "", "target": t, "intervention": i})
        if m.frequency == "annual":
            continue
        for n in range(1, 5):
            if draw(st.integers(0, 5)) == 0:
                t, i = draw(level_pair(m))
                rows.append({"measure_id": m.id, "year": code, "period": f"Q{n}", "target": t, "intervention": i})
        if m.frequency == "monthly" and draw(st.integers(0, 2)) == 0:
            for k in range(12):
                if draw(st.integers(0, 3)) > 0:
                    t, i = draw(level_pair(m))
                    rows.append({"measure_id": m.id, "year": code, "period": month_code(fy * 12 + 3 + k), "target": t, "intervention": i})
    return rows


@st.composite
def worlds(draw) -> World:
    ms = [draw(measures(f"M{k}")) for k in range(draw(st.integers(1, 3)))]
    return World(
        measures=ms,
        observations=[row for m in ms for row in draw(observations(m))],
        targets=[row for m in ms for row in draw(targets(m))],
        method=draw(st.sampled_from(["intervention", "tolerance"])),
        tolerance=draw(st.sampled_from(["0", "5", "10", "12.5"])),
        quarters=REPORT_QUARTERS,
        as_at=draw(st.sampled_from(AS_AT)),
        published=draw(st.lists(st.sampled_from(PUBLISHED), unique=True, max_size=3)),
    )


def same(expected, got) -> bool:
    if expected is None:
        return got is None or (isinstance(got, float) and math.isnan(got))
    if isinstance(expected, Fraction):
        return isinstance(got, (float, np.floating)) and not math.isnan(got) and math.isclose(float(expected), got, rel_tol=0, abs_tol=1e-9)
    if isinstance(expected, bool):
        return bool(got) is expected
    return expected == got


@settings(max_examples=60, deadline=None, derandomize=True)
@given(worlds().filter(lambda world: world.observations))  # a header-only observations file is another test's matter
def test_judge_agrees_with_the_reference(world):
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_data(
            Path(tmp) / "data", [m.row() for m in world.measures], world.observations, world.targets, world.method, world.tolerance
        )
        data = load_data(folder)
        table = judge(data, [quarter_code(q) for q in world.quarters], data_as_at=world.as_at, published=world.published)
    want = reference(world)
    assert len(table) == len(want)
    for row in table.to_dict("records"):
        expected = want[(row["measure_id"], row["quarter"])]
        for column, value in expected.items():
            assert same(value, row[column]), f"{row['measure_id']} {row['quarter']} {column}: reference {value!r}, judge {row[column]!r}"
