"""Run the benchmarks: ``python -m benchmarks`` runs every one and ends with a summary; ``python -m benchmarks NAME [options]`` runs one.

Every public module in this package with a ``main(argv) -> int`` is a
benchmark, named by its module name with dashes (``notebook_run`` is
``notebook-run``), so adding one needs no change here.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import benchmarks

# The figures, in the order they are reported; the others run only by name.
EVERY = ("engine", "real-data", "scaling", "build", "rebuild", "notebook-run")
VERDICTS = ("PASS", "SHORT", "FAIL")


def available() -> dict[str, str]:
    """Benchmark names and their modules, found rather than listed so a new module cannot be forgotten here."""
    return {m.name.replace("_", "-"): m.name for m in pkgutil.iter_modules(benchmarks.__path__) if not m.name.startswith("_")}


def run_every(names: tuple[str, ...]) -> int:
    """Each benchmark in its own process (so one's memory cannot count against the next), then every figure with its goal."""
    summary, worst = [], 0
    for name in names:
        print(f"\n$ python -m benchmarks {name}", flush=True)
        done = subprocess.run([sys.executable, "-m", "benchmarks", name], stdout=subprocess.PIPE, text=True, check=False)
        print(done.stdout, end="", flush=True)
        summary += [f"{name:<10}{row.strip()}" for row in done.stdout.splitlines() if row.rstrip().endswith(VERDICTS)]
        if done.returncode:
            summary.append(f"{name:<10}exited with status {done.returncode}")
        worst = max(worst, done.returncode)
    print("\nSummary: each figure with its goal")
    print("\n".join(f"  {row}" for row in summary))
    return worst


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark, or dispatch to the named one; exit 2 with the list of names for an unknown one."""
    argv = sys.argv[1:] if argv is None else argv
    names = available()
    if not argv:
        return run_every(tuple(n for n in EVERY if n in names))
    if argv[0] not in names:
        print(f"usage: python -m benchmarks [NAME [options]]\nNAME is one of: {', '.join(sorted(names))}", file=sys.stderr)
        return 2
    return importlib.import_module(f"benchmarks.{names[argv[0]]}").main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
