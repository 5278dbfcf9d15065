"""A small, private implementation of the contract's status rules 1-5, target revisions and forecasts.

It reads the rows exactly as they are written to the CSV files, so what it
judges is what ``pmlib`` will read. It exists to design the demo data (a
status mix for every report quarter) and to write commentary for the cases
that need it; it is deliberately separate from ``pmlib`` so the demo data is
an independent check of the package, not a copy of its output.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from demo_data import periods as P
from demo_data.generate import MULTIPLIER, round_half_away
from demo_data.measures import Measure


@dataclass
class Judged:
    """One measure in one report quarter."""

    measure_id: str
    quarter: int
    period: str
    value: float | None
    target: float | None
    intervention: float | None
    status: str


@dataclass
class Outlook:
    """The year-end forecast or projection a Q1-Q3 report shows for a measure, judged against the year-end target."""

    measure_id: str
    quarter: int  # the report quarter
    kind: str  # "forecast" (the service's own) or "projection" (at the current rate)
    value: float
    target: float | None
    intervention: float | None
    status: str
    made_in: str = ""  # forecasts only: the row's period and reported_on
    reported_on: str = ""


def _num(cell: str) -> float | None:
    return float(cell) if cell != "" else None


class Calculator:
    """Statuses for the demo council from its written rows (intervention method)."""

    def __init__(
        self,
        measures: dict[str, Measure],
        observation_rows: list[list[str]],
        target_rows: list[list[str]],
        forecast_rows: list[list[str]] = (),
    ):
        """Target rows may stop after ``intervention`` (v1) or go on with ``agreed_on`` and ``reason`` (v2)."""
        self.measures = measures
        self.figures: dict[tuple[str, str], list] = defaultdict(list)
        for mid, period, value, num, den, _quality, _note, reported in observation_rows:
            self.figures[mid, period].append((dt.date.fromisoformat(reported), _num(value), _num(num), _num(den)))
        self.targets: dict[tuple[str, str], list[tuple]] = defaultdict(list)
        for mid, year, period, target, intervention, *rest in target_rows:
            agreed = dt.date.fromisoformat(rest[0]) if rest and rest[0] else None
            self.targets[mid, year].append((period, agreed, float(target), _num(intervention)))
        self.forecasts: dict[str, list[tuple]] = defaultdict(list)
        for mid, period, forecast, reported, _note in forecast_rows:
            self.forecasts[mid].append((P.quarter_index(period), dt.date.fromisoformat(reported), float(forecast), period))

    def figure(self, mid: str, period: str, as_at: dt.date):
        """The newest row for a period supplied on or before ``as_at`` (rule: a quarter shows what it showed)."""
        rows = [r for r in self.figures.get((mid, period), []) if r[0] <= as_at]
        return max(rows, key=lambda r: r[0]) if rows else None

    @staticmethod
    def expected(m: Measure, rq: int) -> int:
        """Rule 1: the expected period's index (a quarter, or a financial year for annual measures)."""
        if m.frequency == "annual":
            return (rq + 1) // 4 - 1 - m.lag
        if m.frequency == "quarterly":
            return rq - m.lag
        return rq - -(-m.lag // 3)  # monthly: latest quarter ending at least `lag` months before

    def covered(self, m: Measure, eq: int) -> list[str]:
        """Rule 2: the measure's own periods that roll up into the expected period (from April if ytd)."""
        if m.frequency == "annual":
            return [P.fy_code(eq)]
        first_q = eq // 4 * 4 if m.ytd else eq
        if m.frequency == "quarterly":
            return [P.quarter_code(q) for q in range(first_q, eq + 1)]
        return [P.month_code(mm) for q in range(first_q, eq + 1) for mm in P.quarter_months(q)]

    def value(self, m: Measure, periods: list[str], as_at: dt.date) -> float | None:
        """Rule 2: roll-up by aggregation; missing if any covered period is missing; rounded to decimals."""
        rows = [self.figure(m.id, p, as_at) for p in periods]
        if any(r is None for r in rows):
            return None
        if m.aggregation == "ratio":
            v = sum(r[2] for r in rows) / sum(r[3] for r in rows) * MULTIPLIER.get(m.unit, 1)
        elif m.aggregation == "sum":
            v = sum(r[1] for r in rows)
        elif m.aggregation == "mean":
            v = sum(r[1] for r in rows) / len(rows)
        else:
            v = rows[-1][1]
        return round_half_away(v, m.dp)

    def agreed(self, m: Measure, fy: int, as_at: dt.date) -> dict[str, tuple]:
        """A year's target rows as agreed at ``as_at``, by period: rows agreed on or before it, or undated; the newest wins.

        An undated row counts as older than any dated one; between undated rows the later in the file wins.
        """
        rows = [r for r in self.targets.get((m.id, P.fy_code(fy)), []) if r[1] is None or r[1] <= as_at]
        return {period: (t, i) for period, _agreed, t, i in sorted(rows, key=lambda r: r[1] or dt.date.min)}

    def levels(self, m: Measure, eq: int, as_at: dt.date) -> tuple[float | None, float | None]:
        """Rules 3-4: phased row for the expected period, else the year's row (evenly phased for ytd sums), as agreed at ``as_at``."""
        if m.polarity == "none":
            return None, None
        fy = eq if m.frequency == "annual" else eq // 4
        rows = self.agreed(m, fy, as_at)
        if m.frequency != "annual":
            last = 3 * eq + 5
            for period in (f"Q{eq % 4 + 1}", P.month_code(last)):  # a quarter row wins over a month row
                if period in rows:
                    return rows[period]
        if "" not in rows:
            return None, None
        t, i = rows[""]
        has_phasing = any(p != "" for p in rows)
        if m.ytd and m.aggregation == "sum" and not has_phasing and m.frequency != "annual":
            share = (eq % 4 + 1) * 3 / 12
            t = round_half_away(t * share, m.dp)
            i = None if i is None else round_half_away(i * share, m.dp)
        return t, i

    @staticmethod
    def status(m: Measure, v: float | None, t: float | None, i: float | None) -> str:
        """Rule 5 for a value and its levels."""
        if v is None:
            return "no_data"
        if t is None:
            return "monitoring"
        if (v >= t) if m.polarity == "higher" else (v <= t):
            return "on_target"
        if i is not None and ((v <= i) if m.polarity == "higher" else (v >= i)):
            return "intervention"
        return "below_target"

    def judge(self, m: Measure, rq: int) -> Judged:
        """Rule 5 for one measure and report quarter."""
        eq = self.expected(m, rq)
        period = P.fy_code(eq) if m.frequency == "annual" else P.quarter_code(eq)
        as_at = P.data_as_at(rq)
        v = self.value(m, self.covered(m, eq), as_at)
        t, i = self.levels(m, eq, as_at)
        return Judged(m.id, rq, period, v, t, i, self.status(m, v, t, i))

    def outlook(self, m: Measure, rq: int) -> Outlook | None:
        """Forecasts (v2): the service's forecast of the figure the year's Q4 report will judge, else a projection.

        Q1-Q3 only. The forecast made in the latest quarter of the report's
        year up to the report quarter, newest ``reported_on`` first, counting
        only rows supplied by ``data_as_at``; without one, a ytd ``sum``
        measure is projected at the current rate (value x 12 / months
        elapsed). Both are judged against the Q4 target as agreed at
        ``data_as_at``.
        """
        if rq % 4 == 3:
            return None
        as_at = P.data_as_at(rq)
        fy = rq // 4
        q4 = self.expected(m, fy * 4 + 3)
        t, i = self.levels(m, q4, as_at)
        usable = [f for f in self.forecasts.get(m.id, []) if f[0] // 4 == fy and f[0] <= rq and f[1] <= as_at]
        if usable:
            _q, reported, value, period = max(usable, key=lambda f: (f[0], f[1]))
            value = round_half_away(value, m.dp)
            return Outlook(m.id, rq, "forecast", value, t, i, self.status(m, value, t, i), period, reported.isoformat())
        if not (m.ytd and m.aggregation == "sum" and m.frequency != "annual"):
            return None
        eq = self.expected(m, rq)
        v = self.value(m, self.covered(m, eq), as_at)
        if v is None:
            return None
        value = round_half_away(v * 12 / ((eq % 4 + 1) * 3), m.dp)
        return Outlook(m.id, rq, "projection", value, t, i, self.status(m, value, t, i))

    def all(self) -> dict[tuple[str, int], Judged]:
        """Every measure in every report quarter."""
        return {(mid, rq): self.judge(m, rq) for mid, m in self.measures.items() for rq in P.REPORT_QUARTERS}

    def outlooks(self) -> dict[tuple[str, int], Outlook]:
        """Every forecast or projection a report shows."""
        out = {}
        for mid, m in self.measures.items():
            for rq in P.REPORT_QUARTERS:
                o = self.outlook(m, rq)
                if o is not None:
                    out[mid, rq] = o
        return out


SHORT = {"on_target": "O", "below_target": "B", "intervention": "I", "monitoring": "m", "no_data": "-"}


def summary(judged: dict[tuple[str, int], Judged], measures: dict[str, Measure], outlooks: dict | None = None) -> str:
    """A table of statuses per quarter (counts, then measure by measure) to tune the data against."""
    names = list(SHORT)
    lines = ["quarter      " + " ".join(f"{n:>12}" for n in names) + "   on/with-target"]
    for rq in P.REPORT_QUARTERS:
        counts = {n: sum(1 for (mid, q), j in judged.items() if q == rq and j.status == n) for n in names}
        judged_n = counts["on_target"] + counts["below_target"] + counts["intervention"]
        share = f"{counts['on_target'] / judged_n:.0%}" if judged_n else "-"
        lines.append(f"{P.quarter_code(rq):12} " + " ".join(f"{counts[n]:>12}" for n in names) + f"   {share}")
    lines.append("")
    lines.append("measure " + " ".join(P.quarter_code(rq)[2:] for rq in P.REPORT_QUARTERS))
    for mid in measures:
        cells = []
        for rq in P.REPORT_QUARTERS:
            j = judged[mid, rq]
            v = "" if j.value is None else f"{j.value:.{measures[mid].dp}f}"
            cells.append(f"{SHORT[j.status]} {v:>10}")
        lines.append(f"{mid:7} " + " ".join(f"{c:>12}" for c in cells))
    lines.append("(O on_target, B below_target, I intervention, m monitoring, - no_data)")
    if outlooks:
        lines.append("")
        lines.append("year-end forecast (F) or projection (P), and its status, in each Q1-Q3 report")
        lines.append("measure " + " ".join(P.quarter_code(rq)[2:] for rq in P.REPORT_QUARTERS))
        for mid in measures:
            if not any(k[0] == mid for k in outlooks):
                continue
            cells = []
            for rq in P.REPORT_QUARTERS:
                o = outlooks.get((mid, rq))
                cells.append("" if o is None else f"{o.kind[0].upper()}{SHORT[o.status]} {o.value:.{measures[mid].dp}f}")
            lines.append(f"{mid:7} " + " ".join(f"{c:>12}" for c in cells))
    return "\n".join(lines)
