"""``real-data``: the Department for Education's LAIT figures through the whole path: map, write, load, judge, check.

Real national data (``shared/realdata/dfe-lait-childrens-services`` beside
this repository; see ``benchmarks/_lait.py`` for how it is mapped to the
contract and what is dropped): about 72,000 measures (434 LAIT measures x
about 170 areas), annual, one figure a year since 2015/16, England's figure
as the target. The data is written as a real data folder and read back with
``pmlib.load_data``, so the loader's checks run on real quirks too. Then
``judge`` is timed over every quarter (median of ``--repeat``) against the
goal, and a seeded sample is judged by the per-row reference under both
status methods and compared with ``judge`` row by row. Memory is the
process's lifetime peak RSS (``ru_maxrss``), which includes reading the
parquet file and loading: an upper bound on what judging needs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time

import pmlib
from benchmarks._common import (
    GIB,
    GOAL_MEMORY,
    check_against_reference,
    line,
    max_rss,
    report_check,
    sample_ids,
    time_judge,
    timed,
    verdict,
)
from benchmarks._lait import LaitMissing, load_lait


def main(argv: list[str]) -> int:
    """Map, load, judge and check the LAIT data; print one line per figure; exit 1 on a disagreement, 2 without the data."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks real-data", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed judge runs; the median is reported (default 5)")
    parser.add_argument("--sample", type=int, default=3000, help="measures checked against the per-row reference (default 3000; 0: all)")
    parser.add_argument("--method", choices=("intervention", "tolerance"), default="tolerance", help="status_method (default tolerance)")
    parser.add_argument("--areas", default="", help="DfE authority numbers to keep, comma-separated (default: every area)")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    areas = [int(a) for a in args.areas.split(",") if a.strip()] or None

    try:
        start = time.perf_counter()
        lait = load_lait(areas=areas, method=args.method)
    except LaitMissing as exc:
        print(f"real-data: {exc}", file=sys.stderr)
        return 2
    mapped = time.perf_counter() - start
    quarters = lait.quarters
    print(
        f"real-data: DfE LAIT, {lait.n_measures:,} measures (LAIT measure x area), {lait.n_figures:,} figures, "
        f"{len(lait.tables['targets.csv']):,} target rows; {len(quarters)} quarters ({quarters[0]} to {quarters[-1]}); "
        f"method {args.method}; read and mapped in {mapped:.1f} s"
    )
    for reason, rows in lait.dropped.itertuples(index=False):
        print(f"  dropped {rows:>8,} rows: {reason}")
    for note in lait.notes:
        print(f"  note: {note}")

    with tempfile.TemporaryDirectory(prefix="pm-lait-") as tmp:
        lait.write_folder(tmp)
        seconds, (data, problems) = timed(lambda: pmlib.check_data(tmp), 1)
        errors = [p for p in problems if p.severity == "error"]
        line("load_data (CSV files, 1 run)", f"{seconds[0]:.1f} s", f"{len(problems):,} problems, {len(errors):,} errors")
        if data is None:
            print("\n".join(p.format() for p in errors[:20]), file=sys.stderr)
            return 1

    ids = sample_ids(data, args.sample, args.seed)
    rate, full_rows = time_judge(data, quarters, args.repeat, ids)
    peak = max_rss()
    line("process peak RSS so far", f"{peak / GIB:.2f} GiB", f"goal < {GOAL_MEMORY / GIB:.0f} GiB", verdict(peak < GOAL_MEMORY))
    ok = report_check(check_against_reference(data, quarters, ids, full_rows, args.repeat), rate)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
