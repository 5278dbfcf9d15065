"""``earlier-code``: this checkout's cold build side by side with an earlier commit's, in the same pinned environment, as a ratio.

Issue 20 measured a cold demo build at 19.5 s and asked for 8 s: 2.44
times as fast. Its absolute goal depends on the machine, and a shared
container can drift by half over a few days. A ratio measured in one run
does not: both builds see the same machine at the same moment.

The earlier commit (default ``173d74e``, the last before issue 20's work)
is taken from this repository's history with ``git archive`` into a
temporary folder, so the checkout is not touched. Both codes run with this
environment's Python and packages, each through ``PYTHONPATH`` (checked:
the child must import ``pmlib`` from its own tree), each on a cold copy of
its own demo project (``build.copy_cold``: no ``_site``, no latest-quarter
reports), each as a one-shot process (``PMLIB_BUILD_SERVER=off``; the
earlier code has no build server). Both trees' ``pmlib`` is compiled to
bytecode first, as the checkout's already is, so the first pair does not
time the new tree's compiling. The builds alternate, earlier first in
each pair, and the medians are compared. If the earlier commit pinned other
packages (``constraints.txt`` differs), the ratio compares environments as
well as code, and the run says so. The exit status is 1 if the ratio is
under the goal's, 2 if the earlier commit cannot be read.
"""

from __future__ import annotations

import argparse
import compileall
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from benchmarks._common import line, verdict
from benchmarks.build import copy_cold, machine_cpu
from pmlib.cli.build_server import SERVER

BEFORE_ISSUE_20 = "173d74e"
ISSUE_SECONDS, GOAL_SECONDS = 19.5, 8.0  # issue 20: the cold build as measured, and its goal
PM = "from pmlib.cli import main; main(prog_name='pm')"


def tree_at(repository: Path, commit: str, target: Path) -> Path:
    """Write ``commit``'s tracked files into ``target`` (``git archive``), leaving the repository as it is; return ``target``."""
    archive = subprocess.run(["git", "-C", str(repository), "archive", "--format=tar", commit], capture_output=True, check=True).stdout
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def code_env(tree: Path) -> dict[str, str]:
    """The environment that makes a child Python import ``pmlib`` from ``tree``, for a one-shot build."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPATH": str(tree.resolve()), SERVER: "off", "PYTHONUNBUFFERED": "1"}


def compiled(tree: Path) -> Path:
    """Compile ``tree``'s ``pmlib`` to bytecode for this Python, as the builds' children would on first import; return ``tree``."""
    if not compileall.compile_dir(tree / "pmlib", quiet=1):
        raise SystemExit(f"{tree / 'pmlib'} does not compile")
    return tree


def imported_from(tree: Path, workspace: Path) -> Path:
    """Where a child with ``code_env(tree)``, started in ``workspace`` as the builds are, imports ``pmlib`` from."""
    done = subprocess.run(
        [sys.executable, "-c", "import pmlib; print(pmlib.__file__)"],
        cwd=workspace,
        env=code_env(tree),
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip()).resolve().parent


def cold_build(tree: Path, workspace: Path) -> tuple[float, float | None]:
    """One cold ``pm build --latest --renderer builtin`` of ``tree``'s own demo with ``tree``'s code: wall seconds and machine CPU-s.

    Not ``build.timed_build``: it runs this environment's ``pm`` script,
    whose entry point (``pmlib.cli.build_server``) earlier code may lack.
    """
    with tempfile.TemporaryDirectory(dir=workspace) as folder:
        project = Path(folder) / "project"
        copy_cold(tree, project)
        before, start = machine_cpu(), time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PM, "build", "--latest", "--renderer", "builtin"],
            cwd=project,
            env=code_env(tree),
            capture_output=True,
            text=True,
        )
        wall, after = time.perf_counter() - start, machine_cpu()
        if done.returncode:
            raise SystemExit(f"the cold build of {tree} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return wall, None if before is None or after is None else after - before


def _median(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{statistics.median(known):.1f} CPU-s" if known else "not measured"


def main(argv: list[str]) -> int:
    """Alternate cold builds of an earlier commit and this checkout; print both medians and the ratio against issue 20's."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks earlier-code", description=__doc__.splitlines()[0])
    parser.add_argument("--commit", default=BEFORE_ISSUE_20, help=f"the earlier code (default {BEFORE_ISSUE_20}, before issue 20)")
    parser.add_argument("--pairs", type=int, default=3, help="alternated pairs of cold builds; medians are compared (default 3)")
    parser.add_argument("--project", default=".", help="this checkout: its code and its demo project (default: the current directory)")
    args = parser.parse_args(argv)
    ours = Path(args.project).resolve()
    with tempfile.TemporaryDirectory(prefix="pm-earlier-") as folder:
        workspace = Path(folder)
        try:
            earlier = tree_at(ours, args.commit, workspace / "earlier")
        except subprocess.CalledProcessError as exc:
            print(f"cannot read commit {args.commit} in {ours}: {exc.stderr.decode(errors='replace').strip()}", file=sys.stderr)
            print("a shallow clone lacks it: git fetch --unshallow, or name another commit with --commit", file=sys.stderr)
            return 2
        for tree in (earlier, ours):
            found = imported_from(tree, workspace)
            if found != (tree / "pmlib").resolve():
                raise SystemExit(f"a child given PYTHONPATH={tree} imports pmlib from {found}: the comparison would be void")
            compiled(tree)
        pins = (earlier / "constraints.txt").read_bytes() == (ours / "constraints.txt").read_bytes()
        goal = ISSUE_SECONDS / GOAL_SECONDS
        print(
            f"earlier-code: cold pm build --latest --renderer builtin, {args.commit} against this checkout, {args.pairs} alternated pairs"
        )
        if not pins:
            print(f"  note: {args.commit} pinned other packages; both run with this environment's, so the ratio compares environments too")
        results: dict[str, list[tuple[float, float | None]]] = {"earlier": [], "ours": []}
        for pair in range(1, args.pairs + 1):
            for name, tree in (("earlier", earlier), ("ours", ours)):
                results[name].append(cold_build(tree, workspace))
            print(
                f"  pair {pair}: {args.commit} {results['earlier'][-1][0]:.1f} s, this checkout {results['ours'][-1][0]:.1f} s", flush=True
            )
        walls = {name: statistics.median(w for w, _ in runs) for name, runs in results.items()}
        line(f"{args.commit}, median", f"{walls['earlier']:.1f} s", _median([c for _, c in results["earlier"]]))
        line("this checkout, median", f"{walls['ours']:.1f} s", _median([c for _, c in results["ours"]]))
        ratio = walls["earlier"] / walls["ours"]
        line("speed-up over the earlier code", f"{ratio:.2f}x", f"goal >= {goal:.2f}x", verdict(ratio >= goal))
        print(f"  (the goal is issue 20's {ISSUE_SECONDS:g} s to {GOAL_SECONDS:g} s; it holds only against the code the issue measured)")
        return 0 if ratio >= goal else 1
