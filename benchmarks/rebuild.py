"""``rebuild``: ``pm build`` run again in a copy of the project, with nothing changed and with one plan's figure changed.

Each build is a fresh ``python -m pmlib.cli build`` process timed from the
outside, so imports, the data check and hashing are all counted, as a
council's performance officer would wait for them. The copy is built once
first (executing whatever its reports do not already match), then timed
``--repeat`` times unchanged (goal: under 3 seconds, issue 8) and
``--repeat`` times after a change to one figure of the first delivery plan,
which must execute only that plan's notebook and the quarter-wide ones.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._common import line, verdict
from benchmarks._project import copy_project

GOAL_UNCHANGED = 3.0  # seconds (issue 8)
SUMMARY = re.compile(r"^(?P<quarter>\S+ Q\d): (?P<executed>\d+) notebook\(s\) executed, (?P<reused>\d+) reused", re.MULTILINE)


def _build(root: Path, args: argparse.Namespace) -> tuple[float, str]:
    command = [sys.executable, "-m", "pmlib.cli", "build", args.quarter or "--latest", "--renderer", args.renderer, "--no-progress"]
    command += ["--jobs", str(args.jobs)] if args.jobs else []
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"rebuild: pm build failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def _counts(output: str) -> tuple[int, int]:
    found = SUMMARY.search(output)
    return (int(found["executed"]), int(found["reused"])) if found else (-1, -1)


def _figure_to_change(root: Path) -> tuple[Path, int, str]:
    """An observations file, the line of one figure of the first delivery plan's last measure, and that figure as written."""
    from pmlib.contract.loading import load_data

    data = load_data(root / "data")
    plan = data.plans.index[0]
    measures = set(data.measures.index[data.measures["plan_id"] == plan])
    rows = data.observations[data.observations["measure_id"].isin(measures) & (data.observations["value"] > 1)]
    row = rows.sort_values(["reported_on", "_row"]).iloc[-1]
    path = Path(str(row["source"]))  # as load_data was given the folder: under root
    with path.open(encoding="utf-8", newline="") as f:
        value = list(csv.DictReader(f))[int(row["_row"]) - 2]["value"]
    return path, int(row["_row"]), value


def _set_value(path: Path, row: int, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    rows[row - 2]["value"] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def main(argv: list[str]) -> int:
    """Time unchanged and one-plan-change rebuilds in a temporary copy; exit 1 if the change executed the wrong notebooks."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks rebuild", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed builds of each kind; the median is reported (default 3)")
    parser.add_argument("--quarter", default=None, help="quarter code or slug to build (default: --latest)")
    parser.add_argument("--project", default=".", help="the project to copy (default: the current directory)")
    parser.add_argument("--renderer", default="builtin", choices=("builtin", "quarto"))
    parser.add_argument("--jobs", type=int, default=None, help="pm build's notebook workers (default: usable cores)")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="pm-rebuild-")) / "project"
    try:
        copy_project(Path(args.project), root)
        seconds, output = _build(root, args)
        executed, reused = _counts(output)
        print(f"rebuild: {args.quarter or 'latest quarter'} of a copy of {Path(args.project).resolve()}, median of {args.repeat}")
        line("first build (not timed as a goal)", f"{seconds:.1f} s", f"{executed} executed, {reused} reused")

        times, kept = [], True
        for _ in range(args.repeat):
            seconds, output = _build(root, args)
            times.append(seconds)
            kept &= _counts(output)[0] == 0 and "is up to date" in output
        median = statistics.median(times)
        line("unchanged rebuild", f"{median:.2f} s", f"goal < {GOAL_UNCHANGED:g} s", verdict(median < GOAL_UNCHANGED))
        line("unchanged: nothing executed or rendered", "yes" if kept else "no", "goal yes", verdict(kept, "FAIL"))

        path, row, original = _figure_to_change(root)
        changed = f"{float(original) - 0.1:.2f}"
        times, runs, packs = [], set(), set()
        for i in range(args.repeat):
            _set_value(path, row, changed if i % 2 == 0 else original)
            seconds, output = _build(root, args)
            times.append(seconds)
            runs.add(_counts(output))
            packs.add((output.count("unchanged, kept from"), output.count("\nCabinet pack: ")))
        executed, reused = runs.pop() if len(runs) == 1 else (-1, -1)
        line("one-plan change rebuild", f"{statistics.median(times):.1f} s", f"({path.name}:{row})")
        # The plan's own notebook, the overview and the appendices (which list every plan's quality notes and revisions).
        ok = executed == 3
        line("notebooks executed / reused", f"{executed} / {reused}", "goal 3 executed", verdict(ok, "FAIL"))
        kept_packs, all_packs = packs.pop() if len(packs) == 1 else (-1, 0)
        line("Cabinet packs kept / made", f"{kept_packs} / {all_packs}", f"goal {all_packs - 1} kept", verdict(kept_packs == all_packs - 1))
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)
    return 0 if ok and kept else 1
