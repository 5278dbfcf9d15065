"""Run one benchmark by name: ``python -m benchmarks NAME [options]``.

Every public module in this package with a ``main(argv) -> int`` is a
benchmark, named by its module name with dashes (``notebook_run`` is
``notebook-run``), so adding one needs no change here.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks


def available() -> dict[str, str]:
    """Benchmark names and their modules, found rather than listed so a new module cannot be forgotten here."""
    return {m.name.replace("_", "-"): m.name for m in pkgutil.iter_modules(benchmarks.__path__) if not m.name.startswith("_")}


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the named benchmark; exit 2 with the list of names if there is none."""
    argv = sys.argv[1:] if argv is None else argv
    names = available()
    if not argv or argv[0] not in names:
        print(f"usage: python -m benchmarks NAME [options]\nNAME is one of: {', '.join(sorted(names))}", file=sys.stderr)
        return 2
    return importlib.import_module(f"benchmarks.{names[argv[0]]}").main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
