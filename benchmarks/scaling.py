"""``scaling``: how ``judge`` grows with councils, measures per council and years, one factor at a time.

Each shape is generated in memory (``_synthetic.py``) and judged over every
quarter it covers, median of ``--repeat`` runs, in this one process. Printed
per shape: measure-quarters, figures, seconds, throughput and nanoseconds per
measure-quarter, so a reader can see whether cost is linear (a flat
ns/measure-quarter column) or worse.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys

import pmlib
from benchmarks._common import timed
from benchmarks._synthetic import Shape, generate
from benchmarks._synthetic_tables import council_data

BASE = Shape()
SERIES = {
    "councils": [Shape(councils=c) for c in (20, 40, 80, 160, 317)],
    "measures per council": [Shape(measures=m) for m in (25, 50, 100, 150)],
    "years": [Shape(years=y) for y in (1, 2, 5, 10)],
}


def main(argv: list[str]) -> int:
    """Judge each shape of each series and print one line per shape."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks scaling", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed judge runs per shape; the median is reported (default 3)")
    args = parser.parse_args(argv)
    print(f"scaling: one factor at a time from {BASE.councils} councils x {BASE.measures} measures x {BASE.years} years")
    print(f"  {'series':<22}{'shape':<16}{'measure-quarters':>18}{'figures':>12}{'seconds':>10}{'per second':>14}{'ns each':>10}")
    for series, shapes in SERIES.items():
        for shape in shapes:
            syn = generate(shape)
            figures = syn.n_figures
            data = council_data(syn)
            del syn
            gc.collect()
            quarters = shape.report_quarters
            rows = len(data.measures) * len(quarters)
            seconds = statistics.median(timed(lambda data=data, quarters=quarters: pmlib.judge(data, quarters), args.repeat)[0])
            label = f"{shape.councils}x{shape.measures}x{shape.years}y"
            rate = f"{rows / seconds:>14,.0f}{seconds / rows * 1e9:>10.0f}"
            print(f"  {series:<22}{label:<16}{rows:>18,}{figures:>12,}{seconds:>10.3f}{rate}", flush=True)
            del data
            gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
