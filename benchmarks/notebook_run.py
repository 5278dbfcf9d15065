"""``notebook-run``: ``pm run`` (a pool of ipc kernels) against plain sequential papermill, on the same notebooks.

Both sides execute the same templates with the same parameters for one
quarter, into temporary folders at the depth of ``reports/<slug>/`` so the
relative data paths work. Each repeat alternates which side goes first, so
neither always gets the warm file cache; the medians are reported.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import papermill

from benchmarks._common import line, verdict
from pmlib.contract.params_folder import select_quarters
from pmlib.cores import usable_cores
from pmlib.project import Project
from pmlib.run.planner import plan_run

GOAL_RATIO = 3.0  # issue 20: pm run at least 3x faster than sequential papermill on the same notebooks


def _pm() -> list[str]:
    """The ``pm`` command of this environment."""
    script = Path(sys.executable).with_name("pm")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pmlib.cli"]


def _project(args: argparse.Namespace, root: Path) -> Project:
    """The project of the command line's folders, with its reports in the temporary ``root``."""
    return Project.from_options(data=args.data, params=args.params, notebooks=args.notebooks, reports=root / "reports")


def _pm_run(args: argparse.Namespace, root: Path, quarter) -> float:
    """``pm run`` as a user starts it: a process of its own, so nothing is kept from an earlier repeat."""
    command = [*_pm(), "run", quarter.slug, "--data", args.data, "--params", args.params, "--notebooks", args.notebooks]
    command += ["--reports", str(root / "reports"), "--jobs", str(args.jobs), "--no-progress"]
    start = time.perf_counter()  # checks included: they are part of what pm run costs
    # No stored charts: papermill's side draws every chart, so pm run draws them too.
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ | {"PMLIB_CHART_STORE": "off"})
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"pm run failed:\n{done.stdout}{done.stderr}")
    return seconds


def _papermill(args: argparse.Namespace, root: Path, quarter) -> float:
    plan = plan_run([quarter], _project(args, root))
    folder = root / "reports" / f".sequential-{quarter.slug}"  # the depth of reports/<slug>/
    folder.mkdir(parents=True)
    start = time.perf_counter()
    with _quiet_stderr():  # each TCP kernel warns that it is unencrypted, which would bury the timings
        for run in plan.quarters[0].runs:
            papermill.execute_notebook(
                str(run.template.path),
                str(folder / run.name),
                parameters=run.parameters,
                kernel_name="python3",
                cwd=str(folder),
                progress_bar=False,
            )
    return time.perf_counter() - start


@contextlib.contextmanager
def _quiet_stderr():
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def main(argv: list[str]) -> int:
    """Time both sides ``--repeat`` times and print the medians and their ratio."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks notebook-run", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the median is reported (default 3)")
    parser.add_argument("--quarter", default=None, help="quarter code or slug (default: the latest in --params)")
    parser.add_argument("--data", default="data")
    parser.add_argument("--params", default="params")
    parser.add_argument("--notebooks", default="notebooks")
    parser.add_argument("--jobs", type=int, default=usable_cores(), help="pm run's worker processes (default: usable cores)")
    args = parser.parse_args(argv)
    quarter = select_quarters(args.params, args.quarter)[0]
    n = len(plan_run([quarter], Project.from_options(data=args.data, params=args.params, notebooks=args.notebooks)).quarters[0].runs)
    print(f"notebook-run: {quarter.code}, {n} notebook(s) from {args.notebooks}, jobs={args.jobs}, median of {args.repeat}")
    sides = {"pm run": _pm_run, "papermill, sequential": _papermill}
    times: dict[str, list[float]] = {name: [] for name in sides}
    for i in range(args.repeat):
        order = list(sides) if i % 2 == 0 else list(reversed(sides))
        for name in order:
            root = Path(tempfile.mkdtemp(prefix="pm-bench-"))
            try:
                times[name].append(sides[name](args, root, quarter))
            finally:
                shutil.rmtree(root, ignore_errors=True)
        print(f"  repeat {i + 1}: " + ", ".join(f"{name} {times[name][-1]:.1f} s" for name in sides), flush=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, seconds in medians.items():
        print(f"  {name:<24}{seconds:8.1f} s")
    pm, plain = medians.values()
    line("speed-up (papermill / pm run)", f"{plain / pm:.2f}x", f"goal >= {GOAL_RATIO:g}x", verdict(plain / pm >= GOAL_RATIO))
    return 0 if plain / pm >= GOAL_RATIO else 1
