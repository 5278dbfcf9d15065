"""Roll a measure's own periods up into quarters, years and years to date, for all measures at once.

Each figure is added into its (measure, quarter) cell with one weighted
``bincount``, so the work is a few passes over the figures however many
measures and years there are. A cell also counts the figures it received: a
quarter short of the periods it needs (three months, one quarter, one year) is
missing, and so is every year to date that covers it, as the contract
requires. Quality flags travel as bits (``FLAG_BITS``), or-ed over the same cells.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pmlib.engine.figures import figure_keys, latest_rows, reported_days
from pmlib.engine.measure_arrays import SPANS, MeasureArrays
from pmlib.engine.positions import measure_positions
from pmlib.vocabulary import Aggregation, Frequency, Quality, Unit

__all__ = ["FLAG_BITS", "FLAGS", "FigureArrays", "Rollup", "figure_arrays", "ratio_value", "roll_up", "small_count"]
_QUALITY_FLAGS = (Quality.PROVISIONAL.word, Quality.ESTIMATED.word)
FLAGS = (*_QUALITY_FLAGS, "revised", "small")
FLAG_BITS = {name: np.uint8(1 << i) for i, name in enumerate(FLAGS)}
_FIGURE = ("value", "numerator", "denominator")


@dataclass(frozen=True)
class FigureArrays:
    """The figures a roll-up uses, one entry per measure and period: integer keys and numbers, no strings."""

    position: np.ndarray
    last_month: np.ndarray
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    flags: np.ndarray

    def take(self, rows: np.ndarray, offset: int = 0) -> FigureArrays:
        """Rows ``rows``, with measure positions counted from ``offset``."""
        parts = {f.name: getattr(self, f.name)[rows] for f in fields(self)}
        return FigureArrays(**parts | {"position": parts["position"] - offset})


@dataclass(frozen=True)
class Rollup:
    """Quarter-grid arrays, shape (measures, quarters): a value for the quarter (or year) ending there.

    ``own`` is the period on its own; ``ytd`` runs from the start of the
    financial year. Annual measures have values only in each year's Q4 column.
    The flags are ``FLAG_BITS`` of every figure rolled in (a ``last`` value:
    of its final period only).
    """

    measure_ids: pd.Index | None
    first_quarter: int
    own: np.ndarray
    ytd: np.ndarray
    own_numerator: np.ndarray
    own_denominator: np.ndarray
    ytd_numerator: np.ndarray
    ytd_denominator: np.ndarray
    own_flags: np.ndarray
    ytd_flags: np.ndarray

    @property
    def n_quarters(self) -> int:
        """Number of quarter columns."""
        return self.own.shape[1]

    def flag(self, name: str, ytd: bool = False) -> np.ndarray:
        """Whether any figure rolled into each cell carries the flag ``name``."""
        return ((self.ytd_flags if ytd else self.own_flags) & FLAG_BITS[name]) > 0


def _to_date(a: np.ndarray, add=np.add) -> np.ndarray:
    """Running totals over each year's four quarters (the last axis): three adds, not a cumulative sum over an axis of four."""
    out = np.array(a, copy=True)
    for q in (1, 2, 3):
        add(out[..., q], out[..., q - 1], out=out[..., q])
    return out


def _mean(tot, num, den, expect, last, mult):
    return tot / expect


def _last(tot, num, den, expect, last, mult):
    return np.where(np.isnan(tot), np.nan, last)


def _ratio(tot, num, den, expect, last, mult):
    return ratio_value(num, den, mult)


def ratio_value(numerator, denominator, unit_or_scale) -> np.ndarray:
    """A ratio measure's value: numerator / denominator x the unit's scale (x 100 for a percent, x 1,000 per 1,000 ...).

    The one place the contract's ratio rule is computed, so the judged
    table, the revisions appendix and the data quality report cannot differ.
    ``unit_or_scale`` is unit words (one, or one per figure) or the scales
    themselves, as ``MeasureArrays.multiplier`` holds them.
    """
    scale = np.asarray(unit_or_scale)
    if scale.dtype.kind in "OUS":
        scale = Unit.scales(scale)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(numerator, dtype="float64") / np.asarray(denominator, dtype="float64") * scale


def small_count(figures: pd.DataFrame, measures: pd.DataFrame, positions: np.ndarray | None = None) -> np.ndarray:
    """True where a figure is a count between 1 and the measure's ``disclosure_min`` - 1."""
    pos = measures.index.get_indexer(figures["measure_id"]) if positions is None else positions
    return _small(MeasureArrays.of(measures), pos, *(figures[c].to_numpy("float64") for c in _FIGURE))


def _small(m: MeasureArrays, pos: np.ndarray, value: np.ndarray, numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    k = m.disclosure_min[pos]
    is_ratio = m.is_ratio[pos]
    is_count = m.is_count[pos] & ~is_ratio
    with np.errstate(invalid="ignore"):
        small = lambda x: (x >= 1) & (x < k)  # noqa: E731
        return (is_count & small(value)) | (is_ratio & (small(numerator) | small(denominator)))


def figure_arrays(
    measures: pd.DataFrame, observations: pd.DataFrame, data_as_at=None, published=(), arrays: MeasureArrays | None = None
) -> FigureArrays:
    """The as-at figures of ``observations`` (see ``pmlib.engine.figures``) for the measures in ``measures``, flags included.

    ``arrays`` are the measures' ``MeasureArrays`` when the caller has them already.
    """
    pos = measure_positions(measures.index, observations["measure_id"])
    first_month = observations["first_month"].to_numpy("int64")
    keys, size = figure_keys(np.maximum(pos, 0), first_month)
    numbers = tuple(observations[c].to_numpy("float64") for c in _FIGURE)
    rows, revised = latest_rows(keys, size, reported_days(observations), numbers, data_as_at, published)
    known = pos[rows] >= 0
    rows, revised = rows[known], revised[known]
    flags = quality_bits(observations["quality"])[rows] | np.where(revised, FLAG_BITS["revised"], 0)
    m = MeasureArrays.of(measures) if arrays is None else arrays
    return _arrays(m, pos[rows], first_month[rows], [x[rows] for x in numbers], flags)


def quality_bits(quality: pd.Series) -> np.ndarray:
    """The provisional and estimated ``FLAG_BITS`` of each row, compared in Arrow rather than string by string."""
    values = pa.array(quality, from_pandas=True)
    bits = np.zeros(len(values), dtype="uint8")
    for name in _QUALITY_FLAGS:
        bits[pc.fill_null(pc.equal(values, name), False).to_numpy(zero_copy_only=False)] |= FLAG_BITS[name]
    return bits


def _arrays(m: MeasureArrays, pos: np.ndarray, first_month: np.ndarray, numbers, flags: np.ndarray) -> FigureArrays:
    flags = flags.astype("uint8")
    may_be_small = m.disclosure_min[pos] > 1
    if may_be_small.any():
        sub = np.flatnonzero(may_be_small)
        small = _small(m, pos[sub], *(x[sub] for x in numbers))
        flags[sub[small]] |= FLAG_BITS["small"]
    return FigureArrays(pos, first_month + SPANS[m.frequency[pos]] - 1, *numbers, flags)


def roll_up(measures: pd.DataFrame | MeasureArrays, figures: pd.DataFrame | FigureArrays, first_quarter: int, last_quarter: int) -> Rollup:
    """Roll ``figures`` (``FigureArrays``, or an as-at view from ``figures_as_at``) up onto quarters ``first_quarter``..``last_quarter``.

    The grid is widened to whole financial years so years to date are a
    cumulative sum along each year.
    """
    ids = measures.index if isinstance(measures, pd.DataFrame) else None
    m = MeasureArrays.of(measures) if isinstance(measures, pd.DataFrame) else measures
    if isinstance(figures, pd.DataFrame):
        pos = measure_positions(ids, figures["measure_id"])
        keep = pos >= 0
        numbers = [figures[c].to_numpy("float64")[keep] for c in _FIGURE]
        flags = quality_bits(figures["quality"])[keep] | np.where(figures["revised"].to_numpy(bool)[keep], FLAG_BITS["revised"], 0)
        figures = _arrays(m, pos[keep], figures["first_month"].to_numpy("int64")[keep], numbers, flags)
    first_year, last_year = first_quarter // 4, last_quarter // 4
    years = last_year - first_year + 1
    n, width = len(m), years * 4
    quarter = (figures.last_month - 3) // 3 - 4 * first_year
    inside = (quarter >= 0) & (quarter < width)
    cell = figures.position[inside] * width + quarter[inside]
    size = n * width

    def summed(values: np.ndarray | None) -> np.ndarray:
        w = None if values is None else values[inside]
        # With no figures at all NumPy counts in integers even when weighted, and a missing cell is NaN.
        out = np.bincount(cell, weights=w, minlength=size)
        return (out if w is None else out.astype("float64", copy=False)).reshape(n, years, 4)

    count, total, numer, denom = summed(None), summed(figures.value), summed(figures.numerator), summed(figures.denominator)
    ends = ((figures.last_month[inside] - 3) % 3) == 2
    end_cells = cell[ends]
    last = np.full(size, np.nan)
    last[end_cells] = figures.value[inside][ends]
    last = last.reshape(n, years, 4)
    flag_bits = figures.flags[inside]
    flags = np.zeros(size, dtype="uint8")
    flagged = np.flatnonzero(flag_bits)
    np.bitwise_or.at(flags, cell[flagged], flag_bits[flagged])
    last_flags = np.zeros(size, dtype="uint8")
    last_flags[end_cells] = flag_bits[ends]
    flags, last_flags = flags.reshape(n, years, 4), last_flags.reshape(n, years, 4)

    freq = m.frequency[:, None, None]
    annual = m.annual
    q4 = np.arange(4) == 3
    expected = np.where(freq == Frequency.MONTHLY, 3.0, np.where(freq == Frequency.QUARTERLY, 1.0, np.where(q4, 1.0, 0.0)))
    missing = count < expected
    total[missing] = np.nan
    numer[missing] = np.nan
    denom[missing] = np.nan
    agg = m.aggregation

    def combine(tot: np.ndarray, num: np.ndarray, den: np.ndarray, expect: np.ndarray) -> np.ndarray:
        out = tot.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            for code, rule in ((Aggregation.MEAN, _mean), (Aggregation.LAST, _last), (Aggregation.RATIO, _ratio)):
                rows = np.flatnonzero(agg == code)
                if len(rows):
                    out[rows] = rule(tot[rows], num[rows], den[rows], expect[rows], last[rows], m.multiplier[rows, None, None])
        out[:, :, :3][annual] = np.nan
        out[np.broadcast_to(expect == 0, out.shape)] = np.nan
        return out

    own = combine(total, numer, denom, expected)
    ytd_total, ytd_numer, ytd_denom, ytd_expected = (_to_date(a) for a in (total, numer, denom, expected))
    ytd = combine(ytd_total, ytd_numer, ytd_denom, ytd_expected)
    is_last = (agg == Aggregation.LAST)[:, None, None]
    own_flags = np.where(is_last, last_flags, flags)
    ytd_flags = np.where(is_last, last_flags, _to_date(flags, np.bitwise_or))

    flat = lambda a: a.reshape(n, width)  # noqa: E731
    return Rollup(
        measure_ids=ids,
        first_quarter=4 * first_year,
        own=flat(own),
        ytd=flat(ytd),
        own_numerator=flat(numer),
        own_denominator=flat(denom),
        ytd_numerator=flat(ytd_numer),
        ytd_denominator=flat(ytd_denom),
        own_flags=flat(own_flags),
        ytd_flags=flat(ytd_flags),
    )
