"""``engine``: ``pmlib.judge`` on national-scale synthetic data, against the issue's goals and a per-row reference.

The data is built in memory (``benchmarks/_synthetic.py``: the typed tables
``load_data`` would return, without parsing millions of CSV rows), by default
317 councils x 150 measures x 10 years, mostly monthly. Reported, each with
its goal:

* throughput: measure-quarters judged per second, every quarter of the ten
  years in one call, median of ``--repeat`` runs (goal 2,000,000/s);
* peak memory: measured in a fresh child process that builds the same data
  and judges once; the kernel's peak-RSS mark (``VmHWM``) is reset after the
  build (``/proc/self/clear_refs``), so the peak is the data in memory plus
  everything ``judge`` allocates, not the build's own peak (goal < 4 GiB);
* the per-row reference (``benchmarks/_reference.py``) against ``judge`` on
  a seeded sample of measures, side by side in this process: both speeds,
  their ratio, and every compared column of every sampled row under both
  status methods (the rows of the timed full-scale table too).

``--profile`` adds one more judge run under cProfile and prints where the
time goes. The exit status is 1 if the reference and ``judge`` disagree.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pmlib
from benchmarks._common import (
    GIB,
    GOAL_MEMORY,
    check_against_reference,
    line,
    max_rss,
    proc_status,
    report_check,
    reset_peak,
    sample_ids,
    time_judge,
    timed,
    verdict,
)
from benchmarks._synthetic import Shape, generate
from benchmarks._synthetic_tables import council_data, write_folder


def _shape(args: argparse.Namespace) -> Shape:
    return Shape(councils=args.councils, measures=args.measures, years=args.years, seed=args.seed, method=args.method)


def _memory_child(args: argparse.Namespace) -> int:
    """In a fresh process: build, reset the peak mark, judge once, print the readings as JSON."""
    shape = _shape(args)
    data = council_data(generate(shape))
    gc.collect()
    reading = {"build_peak": max_rss(), "before_judge": proc_status("VmRSS")}
    reading["how"] = "VmHWM after clear_refs" if reset_peak() else "ru_maxrss (includes the build)"
    table = pmlib.judge(data, shape.report_quarters)
    reading["peak"] = proc_status("VmHWM") if reading["how"].startswith("VmHWM") else max_rss()
    reading["table"] = int(table.memory_usage(deep=True).sum())
    reading["data"] = int(sum(getattr(data, t).memory_usage(deep=True).sum() for t in ("measures", "targets", "observations")))
    print(json.dumps(reading))
    return 0


def _memory(args: argparse.Namespace) -> dict:
    command = [sys.executable, "-m", "benchmarks.engine", "--memory-child", *_shape_argv(args)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parents[1])
    if done.returncode != 0:
        raise SystemExit(f"memory child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _shape_argv(args: argparse.Namespace) -> list[str]:
    return [
        f"--councils={args.councils}",
        f"--measures={args.measures}",
        f"--years={args.years}",
        f"--seed={args.seed}",
        f"--method={args.method}",
    ]


def _profile(data, quarters, top: int) -> None:
    profile = cProfile.Profile()
    profile.enable()
    pmlib.judge(data, quarters)
    profile.disable()
    for key in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(key).print_stats(top)
        text = out.getvalue()
        print(f"  cProfile of one judge run, by {key}:")
        print("    " + text[text.index("ncalls") :].rstrip().replace("\n", "\n    "))


def main(argv: list[str]) -> int:
    """Build the synthetic data, time ``judge``, measure memory, check against the reference; print one line per figure."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks engine", description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=317, help="synthetic councils (default 317)")
    parser.add_argument("--measures", type=int, default=150, help="measures per council (default 150)")
    parser.add_argument("--years", type=int, default=10, help="financial years of figures, all judged (default 10)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--method", choices=("intervention", "tolerance"), default="intervention", help="the council's status_method")
    parser.add_argument("--repeat", type=int, default=5, help="timed judge runs; the median is reported (default 5)")
    parser.add_argument("--sample", type=int, default=400, help="measures checked against the per-row reference (default 400; 0: all)")
    parser.add_argument("--no-memory", action="store_true", help="skip the child process that measures peak memory")
    parser.add_argument("--load", action="store_true", help="also write the data as CSV files and time pmlib.load_data on them")
    parser.add_argument("--profile", action="store_true", help="profile one more judge run with cProfile")
    parser.add_argument("--top", type=int, default=15, help="cProfile entries to show (default 15)")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        return _memory_child(args)

    shape = _shape(args)
    quarters = shape.report_quarters
    start = time.perf_counter()
    syn = generate(shape)
    data = council_data(syn)
    built = time.perf_counter() - start
    n_measures, n_rows = syn.n_measures, syn.n_measures * len(quarters)
    print(
        f"engine: {shape.councils} councils x {shape.measures} measures x {shape.years} years = {n_measures:,} measures, "
        f"{syn.n_figures:,} figures, {len(syn.targets['mi']):,} target rows; {len(quarters)} quarters "
        f"({quarters[0]} to {quarters[-1]}) = {n_rows:,} measure-quarters; method {shape.method}; built in memory in {built:.1f} s"
    )
    if args.load:
        with tempfile.TemporaryDirectory(prefix="pm-engine-") as tmp:
            write_folder(syn, tmp)
            seconds, _ = timed(lambda: pmlib.load_data(tmp), 1)
        line("load_data (CSV files, 1 run)", f"{seconds[0]:.1f} s", f"{syn.n_figures / seconds[0]:,.0f} figures/s")
    del syn

    ids = sample_ids(data, args.sample, args.seed)
    rate, full_rows = time_judge(data, quarters, args.repeat, ids)
    gc.collect()

    if not args.no_memory:
        reading = _memory(args)
        peak = reading["peak"]
        line("peak memory while judging", f"{peak / GIB:.2f} GiB", f"goal < {GOAL_MEMORY / GIB:.0f} GiB", verdict(peak < GOAL_MEMORY))
        line("  of which RSS before judge", f"{reading['before_judge'] / GIB:.2f} GiB", f"(data frames {reading['data'] / GIB:.2f} GiB)")
        line("  judged table returned", f"{reading['table'] / GIB:.2f} GiB")
        line("  build's own peak (not counted)", f"{reading['build_peak'] / GIB:.2f} GiB", f"measured by {reading['how']}")

    ok = report_check(check_against_reference(data, quarters, ids, full_rows, args.repeat), rate)
    if args.profile:
        _profile(data, quarters, args.top)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
