"""Measures by position instead of by id, so national tables are joined with integer arrays, not strings.

Looking up millions of figure rows' measure ids one by one costs more than
judging them. Rows in a council's files come grouped by measure (a file per
service, a block per measure), so each run of equal ids is looked up once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def measure_positions(measures: pd.Index, ids: pd.Series | np.ndarray) -> np.ndarray:
    """Position in ``measures`` of each id (-1 for an id not there), in one lookup per run of equal ids."""
    values = pa.array(ids, from_pandas=True) if not isinstance(ids, pa.Array) else ids
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype="int64")
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    changed = pc.fill_null(pc.not_equal(values.slice(1), values.slice(0, n - 1)), True)
    starts = np.concatenate(([0], np.flatnonzero(changed.to_numpy(zero_copy_only=False)) + 1))
    heads = values.take(pa.array(starts)).to_pandas()
    found = measures.get_indexer(heads)
    return np.repeat(found, np.diff(np.append(starts, n))).astype("int64", copy=False)


def first_of_each(cells: np.ndarray, size: int) -> np.ndarray:
    """Indices of the first row for each distinct cell in ``0..size-1``, ascending: what ``drop_duplicates`` keeps."""
    counts = np.bincount(cells, minlength=size)
    if counts.max(initial=0) <= 1:
        return np.arange(len(cells))
    repeated = np.flatnonzero(counts[cells] > 1)
    order = repeated[np.argsort(cells[repeated], kind="stable")]
    keep_sorted = np.ones(len(order), dtype=bool)
    keep_sorted[1:] = cells[order[1:]] != cells[order[:-1]]
    drop = np.zeros(len(cells), dtype=bool)
    drop[order[~keep_sorted]] = True
    return np.flatnonzero(~drop)
