"""What the engine benchmarks share: timing, memory readings, the result lines, and the check against the reference."""

from __future__ import annotations

import gc
import resource
import statistics
import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

import pmlib
from benchmarks._reference import disagreements, reference_judge
from benchmarks._synthetic_tables import subset, with_method

GOAL_RATE = 2_000_000  # judged measure-quarters per second (issue 8)
GOAL_MEMORY = 4 * 2**30  # bytes
GIB = 2**30


def timed(fn: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    """Wall-clock seconds of ``repeat`` calls (garbage collected before each) and the last result."""
    seconds, result = [], None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def time_judge(data, quarters: Sequence[str], repeat: int, ids: np.ndarray) -> tuple[float, pd.DataFrame]:
    """Time ``judge`` over every quarter and print the runs, median and throughput; return the rate and the sample's rows."""
    seconds, table = timed(lambda: pmlib.judge(data, quarters), repeat)
    median = statistics.median(seconds)
    rate = len(data.measures) * len(quarters) / median
    print(f"  judge runs: {', '.join(f'{s:.2f} s' for s in seconds)}; statuses {table['status'].value_counts().to_dict()}")
    line("judge, median", f"{median:.2f} s", f"({len(table):,} rows)")
    line("throughput", f"{rate:,.0f} /s", f"goal {GOAL_RATE:,}/s", verdict(rate >= GOAL_RATE))
    return rate, table[table["measure_id"].isin(ids)].copy()


def line(name: str, value: str, goal: str = "", verdict: str = "") -> None:
    """One result: the figure, its goal and PASS/SHORT (or FAIL for a correctness check)."""
    print(f"  {name:<42}{value:>18}   {goal:<22}{verdict}".rstrip(), flush=True)


def verdict(ok: bool, fail: str = "SHORT") -> str:
    """PASS, or ``fail``: SHORT for a goal not reached, FAIL for a check that did not hold."""
    return "PASS" if ok else fail


def proc_status(field: str) -> int | None:
    """A ``/proc/self/status`` memory field (``VmRSS``, ``VmHWM``) in bytes; None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for row in f:
                if row.startswith(field + ":"):
                    return int(row.split()[1]) * 1024
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (``VmHWM``) so the next reading is the peak from now on; False if not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def max_rss() -> int:
    """The process's lifetime peak RSS in bytes (``ru_maxrss``, KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def sample_ids(data, size: int, seed: int) -> np.ndarray:
    """A seeded sample of measure ids (all of them when ``size`` is 0 or more than there are)."""
    ids = data.measures.index.to_numpy(object)
    if size <= 0 or size >= len(ids):
        return ids
    return np.sort(np.random.default_rng(seed).choice(ids, size, replace=False))


def check_against_reference(
    data, quarters: Sequence[str], ids: np.ndarray, full_rows: pd.DataFrame | None, repeat: int, full_seconds: float | None = None
) -> dict:
    """Judge the sample both ways under both status methods; time both engines on the council's own method.

    ``full_rows`` are the sample's rows of the full-scale judged table, so
    the rows checked include those of the timed run, not only a re-judge.
    Returns the timings, counts and the disagreements found.
    """
    sample = subset(data, ids)
    method = data.council.status_method
    judge_times, judged = timed(lambda: pmlib.judge(sample, quarters), max(1, min(repeat, 3)))
    ref_times, reference = timed(lambda: reference_judge(sample, quarters), 1)
    found = [disagreements(judged, reference).assign(method=method, against="sample judged alone")]
    if full_rows is not None:
        found.append(disagreements(full_rows, reference).assign(method=method, against="full-scale table"))
    other = "tolerance" if method == "intervention" else "intervention"
    flipped = with_method(sample, other)
    found.append(
        disagreements(pmlib.judge(flipped, quarters), reference_judge(flipped, quarters)).assign(
            method=other, against="sample judged alone"
        )
    )
    rows = len(reference)
    return {
        "rows": rows,
        "measures": len(ids),
        "judge_rate": rows / statistics.median(judge_times),
        "reference_rate": rows / ref_times[0],
        "statuses": judged["status"].value_counts().to_dict(),
        "disagreements": pd.concat(found, ignore_index=True),
    }


def report_check(result: dict, full_rate: float | None) -> bool:
    """Print the reference lines; True if every row agreed."""
    n = result["rows"]
    line("per-row reference, sample", f"{result['reference_rate']:,.0f} /s", f"({result['measures']:,} measures, {n:,} rows)")
    line("vectorised judge, same sample", f"{result['judge_rate']:,.0f} /s")
    line("ratio judge / reference, sample", f"{result['judge_rate'] / result['reference_rate']:,.1f}x")
    if full_rate is not None:
        line("ratio judge full scale / reference", f"{full_rate / result['reference_rate']:,.1f}x")
    found = result["disagreements"]
    ok = found.empty
    line("agreement with the reference", f"{len(found):,} differences", "goal 0, both methods", verdict(ok, "FAIL"))
    if not ok:
        summary = found.groupby(["method", "against", "column"]).size()
        print("    differences by method, table and column:")
        for (method, against, column), count in summary.items():
            print(f"      {method:<13}{against:<22}{column:<16}{count:,}")
        print("    first differences:")
        print("      " + found.head(12).to_string(index=False).replace("\n", "\n      "))
    return ok
