"""The status rules of the data contract, for every measure and report quarter at once.

``judge`` builds the judged table: one row per measure x quarter with its
expected period, value, target, intervention level, status, directions of
travel and flags. ``classify`` and ``direction`` are the rules themselves,
as pure functions of arrays, so they can be tested one boundary at a time.

A national table has millions of rows, so the work is done on integer codes
and on (quarter x measure) arrays, values are rounded once per roll-up cell
rather than per row, and text columns are made only at the end, from the few
distinct strings each holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa

from pmlib.contract.config import Council
from pmlib.contract.loading import CouncilData
from pmlib.contract.periods import Period, parse_quarter
from pmlib.cores import usable_cores
from pmlib.engine.forecasts import forecast_values
from pmlib.engine.measure_arrays import ForecastArrays, MeasureArrays, TargetArrays, blocks
from pmlib.engine.rollup import FLAG_BITS, FigureArrays, figure_arrays, roll_up
from pmlib.engine.rounding import round_half_away
from pmlib.engine.targets import resolve_targets
from pmlib.vocabulary import DIRECTIONS, FORECAST_KINDS, STATUSES, Direction, Frequency, Polarity, Status

_STRING = pd.StringDtype("pyarrow", na_value=np.nan)


def status_codes(value, target, intervention, polarity_code, method: str = "intervention") -> np.ndarray:
    """``Status`` code for each (already rounded) value: the contract's rule 5, in order."""
    v, t, i = (np.asarray(x, dtype="float64") for x in (value, target, intervention))
    higher, lower = polarity_code == Polarity.HIGHER, polarity_code == Polarity.LOWER
    with np.errstate(invalid="ignore"):
        meets = (higher & (v >= t)) | (lower & (v <= t))
        if method == "tolerance":
            beyond = (higher & (v < i)) | (lower & (v > i))
        else:
            beyond = (higher & (v <= i)) | (lower & (v >= i))
    beyond &= ~np.isnan(i)
    code = np.where(meets, Status.ON_TARGET, np.where(beyond, Status.INTERVENTION, Status.BELOW_TARGET))
    code = np.where((polarity_code == Polarity.NONE) | np.isnan(t), Status.MONITORING, code)
    return np.where(np.isnan(v), Status.NO_DATA, code).astype("int8")


def direction_codes(current, previous, polarity_code) -> np.ndarray:
    """``Direction`` code between two rounded values; -1 if either is missing."""
    c, p = np.asarray(current, dtype="float64"), np.asarray(previous, dtype="float64")
    lower, none = polarity_code == Polarity.LOWER, polarity_code == Polarity.NONE
    up = np.select([lower, none], [Direction.WORSENING, Direction.INCREASING], Direction.IMPROVING)
    down = np.select([lower, none], [Direction.IMPROVING, Direction.DECREASING], Direction.WORSENING)
    with np.errstate(invalid="ignore"):
        out = np.where(c > p, up, np.where(c < p, down, Direction.NO_CHANGE))
    return np.where(np.isnan(c) | np.isnan(p), -1, out).astype("int8")


def _named(names: Sequence[str], codes: np.ndarray) -> np.ndarray:
    """Object array of ``names[code]``, None for -1."""
    out = np.array([*names, None], dtype=object)[np.where(codes < 0, len(names), codes)]
    return out.reshape(np.shape(codes))


def classify(value, target, intervention, polarity, method: str = "intervention") -> np.ndarray:
    """Status for each (already rounded) value: the contract's rule 5, in order."""
    v = np.asarray(value, dtype="float64")
    polarity = np.broadcast_to(np.asarray(polarity, dtype=object), v.shape)
    return _named(STATUSES, status_codes(v, target, intervention, Polarity.codes(polarity), method))


def direction(current, previous, polarity) -> np.ndarray:
    """Direction of travel between two values already rounded to the measure's decimals; None if either is missing."""
    c = np.asarray(current, dtype="float64")
    polarity = np.broadcast_to(np.asarray(polarity, dtype=object), c.shape)
    return _named(DIRECTIONS, direction_codes(c, previous, Polarity.codes(polarity)))


def _expected_end(frequency: np.ndarray, lag: np.ndarray, report_quarter: np.ndarray) -> np.ndarray:
    """``expected_period_end`` on ``Frequency`` codes."""
    r = np.asarray(report_quarter, dtype="int64")
    annual_year = (r + 1) // 4 - 1 - lag
    monthly, quarterly = frequency == Frequency.MONTHLY, frequency == Frequency.QUARTERLY
    return np.select([monthly, quarterly], [r - (-(-lag // 3)), r - lag], default=4 * annual_year + 3)


def expected_period_end(frequency, lag, report_quarter) -> np.ndarray:
    """Quarter index at which each measure's expected period ends (rule 1).

    Monthly: the latest quarter ending at least ``lag`` months before the
    report quarter ends; quarterly: ``lag`` quarters back; annual: the latest
    financial year ending by the quarter's end, ``lag`` years back (its Q4).
    Arrays broadcast, so measures by quarters is one call.
    """
    return _expected_end(Frequency.codes(frequency), np.asarray(lag, dtype="int64"), report_quarter)


def _text(names: Sequence[str | None], codes: np.ndarray) -> pd.arrays.ArrowStringArray:
    """A text column from codes into ``names`` (-1: missing), made by Arrow from the distinct strings alone."""
    codes = np.ravel(codes)
    indices = pa.array(codes.astype("int32"), mask=codes < 0)
    return pd.array(pa.array(list(names), type=pa.large_string()).take(indices), dtype=_STRING)


def _period_text(index: np.ndarray, annual: np.ndarray) -> pd.arrays.ArrowStringArray:
    """Period codes for quarter indexes (missing: the int64 minimum): a year code for annual measures, else a quarter code."""
    none = np.iinfo("int64").min
    known = index != none
    if not known.any():
        return _text([], np.full(index.size, -1))
    key = np.where(known, index * 2 + annual, 0)
    lo, hi = int(key[known].min()), int(key[known].max())
    names = [Period.year((k // 2) // 4).code if k % 2 else Period(Frequency.QUARTERLY, k // 2).code for k in range(lo, hi + 1)]
    return _text(names, np.where(known, key - lo, -1))


BLOCK = 512
_FLOATS = (
    "value",
    "numerator",
    "denominator",
    "target",
    "intervention",
    "period_value",
    "previous_value",
    "year_ago_value",
    "context_value",
    "forecast",
)
SUPPRESSED = (
    "suppressed",
    "period_value_suppressed",
    "previous_value_suppressed",
    "year_ago_value_suppressed",
    "context_value_suppressed",
)
SUPPRESSED_VALUES = dict(zip(SUPPRESSED, ("value", "period_value", "previous_value", "year_ago_value", "context_value"), strict=True))
"""Each judged table's flag saying a value is withheld, and the column of the value it withholds."""
_BOOLS = ("target_phased", "year_phased", "provisional", "estimated", "revised", *SUPPRESSED, "forecast_suppressed")
_CODES = ("status", "short_trend", "long_trend", "forecast_status", "forecast_kind")


def judge_figures(
    measures: pd.DataFrame,
    m: MeasureArrays,
    t: TargetArrays,
    figures: FigureArrays,
    quarters: Sequence[Period],
    council: Council,
    forecasts: ForecastArrays | None = None,
) -> pd.DataFrame:
    """The judged table for ``quarters`` from the measures, their arrays, the targets, the as-at figures and forecasts.

    Measures are judged in blocks of ``BLOCK``, on as many threads as there
    are cores (NumPy lets go of the interpreter lock while it works); each
    block writes its own columns of the (quarter x measure) results.
    """
    report = np.array(sorted({parse_quarter(q.code if isinstance(q, Period) else q).index for q in quarters}), dtype="int64")
    n, nq = len(m), len(report)
    eq = _expected_end(m.frequency[None, :], m.lag[None, :], report[:, None])
    eq4 = _expected_end(m.frequency[None, :], m.lag[None, :], (report // 4 * 4 + 3)[:, None])
    earliest = min([int(a.min()) for a in (eq, (figures.last_month - 3) // 3) if a.size], default=0)
    # The grid starts two years before the earliest period needed, so every look-back stays on it;
    # it runs to the figures the year's Q4 reports will judge, which forecasts are judged as.
    grid = (4 * ((earliest - 8) // 4), max(int(eq.max(initial=earliest)), int(eq4.max(initial=earliest))))
    out = {name: np.empty((nq, n)) for name in _FLOATS} | {name: np.empty((nq, n), dtype=bool) for name in _BOOLS}
    out |= {name: np.empty((nq, n), dtype="int8") for name in _CODES}
    out["context_quarter"] = np.empty((nq, n), dtype="int64")
    f = ForecastArrays.of(measures, measures.iloc[:0]) if forecasts is None else forecasts
    figure_blocks, target_blocks, forecast_blocks = (blocks(a.position, n, BLOCK) for a in (figures, t, f))

    def judge_block(i: int) -> None:
        lo, hi, rows = figure_blocks[i]
        part = {name: array[:, lo:hi] for name, array in out.items()}
        arrays = (m.block(lo, hi), figures.take(rows, lo), t.take(target_blocks[i][2], lo), f.take(forecast_blocks[i][2], lo))
        _judge_block(*arrays, report, eq[:, lo:hi], eq4[:, lo:hi], grid, council, part)

    annual = np.broadcast_to(m.annual[None, :], eq.shape).ravel()
    measure_codes = np.broadcast_to(np.arange(n)[None, :], eq.shape).ravel()
    step = np.where(m.annual, 4, 1)[None, :]
    # Text columns that need no judging are made while the blocks are judged; the rest after.
    before = {
        "quarter": (_text, [Period(Frequency.QUARTERLY, int(q)).code for q in report], np.repeat(np.arange(nq), n)),
        "measure_id": (_text, measures.index.tolist(), measure_codes),
        "plan_id": (_text, measures["plan_id"].tolist(), measure_codes),
        "period": (_period_text, eq.ravel(), annual),
        "previous_period": (_period_text, (eq - step).ravel(), annual),
    }
    names = {
        "status": STATUSES,
        "short_trend": DIRECTIONS,
        "long_trend": DIRECTIONS,
        "forecast_status": STATUSES,
        "forecast_kind": FORECAST_KINDS,
    }
    after = {name: (_text, names[name], out[name]) for name in _CODES}
    after["context_period"] = (_period_text, out["context_quarter"].ravel(), annual)
    with ThreadPoolExecutor(usable_cores()) as pool:
        texts = {name: pool.submit(*task) for name, task in before.items()}
        list(pool.map(judge_block, range(len(figure_blocks))))
        texts |= {name: pool.submit(*task) for name, task in after.items()}
        text = {name: future.result() for name, future in texts.items()}

    columns = {name: text[name] for name in ("quarter", "measure_id", "plan_id", "period")}
    columns |= {name: out[name].ravel() for name in _FLOATS[:5]} | {name: out[name].ravel() for name in _BOOLS[:2]}
    columns |= {name: text[name] for name in ("status", "short_trend", "long_trend")}
    columns |= {
        "period_value": out["period_value"].ravel(),
        "previous_period": text["previous_period"],
        "previous_value": out["previous_value"].ravel(),
        "year_ago_value": out["year_ago_value"].ravel(),
        "context_period": text["context_period"],
        "context_value": out["context_value"].ravel(),
    }
    columns |= {name: out[name].ravel() for name in _BOOLS[2:-1]}
    columns["needs_exception"] = out["status"].ravel() == Status.INTERVENTION
    columns["public"] = np.broadcast_to(m.public[None, :], eq.shape).ravel()
    columns |= {"forecast": out["forecast"].ravel(), "forecast_status": text["forecast_status"], "forecast_kind": text["forecast_kind"]}
    columns["forecast_suppressed"] = out["forecast_suppressed"].ravel()
    return pd.DataFrame(columns, copy=False)


def _judge_block(
    m: MeasureArrays,
    figures: FigureArrays,
    t: TargetArrays,
    f: ForecastArrays,
    report: np.ndarray,
    eq: np.ndarray,
    eq4: np.ndarray,
    grid: tuple[int, int],
    council: Council,
    out,
) -> None:
    """Judge one block of measures into ``out``, its slices of the result arrays."""
    n = len(m)
    roll = roll_up(m, figures, *grid)
    width = roll.n_quarters
    col = eq - roll.first_quarter
    step = np.where(m.annual, 4, 1)[None, :]
    base = (np.arange(n) * width)[None, :]

    def at(values: np.ndarray, c: np.ndarray) -> np.ndarray:
        return values.ravel().take(base + c)

    ytd = m.judged_ytd
    judged_series = np.where(ytd[:, None], roll.ytd, roll.own)
    own_rounded = round_half_away(roll.own, m.decimals[:, None])
    judged_rounded = round_half_away(judged_series, m.decimals[:, None])
    value = out["value"][...] = at(judged_rounded, col)
    own = out["period_value"][...] = at(own_rounded, col)
    previous = out["previous_value"][...] = at(own_rounded, col - step)
    year_ago = out["year_ago_value"][...] = at(judged_rounded, col - 4)

    last_valid = np.maximum.accumulate(np.where(np.isnan(judged_series), -1, np.arange(width)[None, :]), axis=1)
    context_col = at(last_valid, col - 1)
    has_context = np.isnan(value) & (context_col >= 0)
    context_col = np.maximum(context_col, 0)
    out["context_value"][...] = np.where(has_context, at(judged_rounded, context_col), np.nan)
    out["context_quarter"][...] = np.where(has_context, context_col + roll.first_quarter, np.iinfo("int64").min)

    levels = resolve_targets(m, t, council, roll.first_quarter, width)
    for name, level in levels.items():
        out[name][...] = at(level, col)
    polarity = m.polarity[None, :]
    out["status"][...] = status_codes(value, out["target"], out["intervention"], polarity, council.status_method)
    out["short_trend"][...] = direction_codes(own, previous, polarity)
    out["long_trend"][...] = direction_codes(value, year_ago, polarity)

    ytd_on = np.broadcast_to(ytd[None, :], eq.shape)
    flags = np.where(ytd_on, at(roll.ytd_flags, col), at(roll.own_flags, col))
    for name in ("provisional", "estimated", "revised"):
        out[name][...] = (flags & FLAG_BITS[name]) > 0
    ratio = m.is_ratio[None, :]
    out["numerator"][...] = np.where(ratio, np.where(ytd_on, at(roll.ytd_numerator, col), at(roll.own_numerator, col)), np.nan)
    out["denominator"][...] = np.where(ratio, np.where(ytd_on, at(roll.ytd_denominator, col), at(roll.own_denominator, col)), np.nan)
    some = np.flatnonzero(m.disclosure_min > 1)
    # The column each value shown comes from, and whether it is the year to date for a ytd measure.
    where = {"suppressed": (col, True), "period_value_suppressed": (col, False), "previous_value_suppressed": (col - step, False)}
    where |= {"year_ago_value_suppressed": (col - 4, True), "context_value_suppressed": (context_col, True)}
    shown = SUPPRESSED_VALUES
    for name, (c, judged) in where.items():
        out[name][...] = False
        if len(some):
            c = np.broadcast_to(c, eq.shape)[:, some]
            out[name][:, some] = _suppressed(m, some, roll, out[shown[name]][:, some], c, ytd[some] & judged)

    for name, array in forecast_values(m, f, value, out["suppressed"], eq, eq4, report).items():
        out[name][...] = array
    out["forecast_status"][...] = -1
    has = np.flatnonzero((out["forecast_kind"] >= 0).any(axis=0))
    if len(has):
        cells = (np.arange(len(has)) * width)[None, :] + eq4[:, has] - roll.first_quarter
        target4, intervention4 = (levels[name][has].ravel().take(cells) for name in ("target", "intervention"))
        judged = status_codes(out["forecast"][:, has], target4, intervention4, polarity[:, has], council.status_method)
        out["forecast_status"][:, has] = np.where(out["forecast_kind"][:, has] >= 0, judged, -1)


def _suppressed(m: MeasureArrays, some: np.ndarray, roll, value: np.ndarray, c: np.ndarray, use_ytd) -> np.ndarray:
    """Whether each value shown, of the measures ``some`` that have a ``disclosure_min``, comes from a small count."""
    k = m.disclosure_min[some][None, :]
    cells = (some * roll.n_quarters)[None, :] + c
    use_ytd = np.broadcast_to(np.asarray(use_ytd), value.shape[1:])[None, :]

    def pick(own_grid, ytd_grid):
        return np.where(use_ytd, ytd_grid.ravel().take(cells), own_grid.ravel().take(cells))

    def small(x):
        with np.errstate(invalid="ignore"):
            return (x >= 1) & (x < k)

    flagged = (pick(roll.own_flags, roll.ytd_flags) & FLAG_BITS["small"]) > 0
    ratio = small(pick(roll.own_numerator, roll.ytd_numerator)) | small(pick(roll.own_denominator, roll.ytd_denominator))
    derived = np.where(m.is_ratio[some][None, :], ratio, m.is_count[some][None, :] & small(value))
    return (flagged | derived) & ~np.isnan(value)


def judge(
    data: CouncilData,
    quarters: Iterable[Period | str],
    data_as_at: dt.date | None = None,
    published: Iterable[dt.date] = (),
) -> pd.DataFrame:
    """The judged table for ``quarters`` as the figures, targets and forecasts stood at ``data_as_at`` (None: the newest).

    Each row also says where the year is heading: ``forecast`` (rounded like
    values), ``forecast_status`` (judged as the year's Q4 figure),
    ``forecast_kind`` (``forecast``, ``projection`` or missing) and
    ``forecast_suppressed`` (see ``pmlib.engine.forecasts``). ``year_phased``
    says the council phased the measure's targets for the expected period's
    year (``resolve_targets``), which a projection at the current rate takes
    no account of, so a report can say so.

    ``published`` are the ``data_as_at`` dates of reports already published,
    which decide which figures are flagged revised.
    """
    quarters = [q if isinstance(q, Period) else parse_quarter(q) for q in quarters]
    m = MeasureArrays.of(data.measures)
    with ThreadPoolExecutor(1) as pool:
        targets = pool.submit(TargetArrays.of, data.measures, data.targets, data_as_at)
        figures = figure_arrays(data.measures, data.observations, data_as_at, published, m)
        forecasts = ForecastArrays.of(data.measures, data.forecasts, data_as_at)
        return judge_figures(data.measures, m, targets.result(), figures, quarters, data.council, forecasts)
