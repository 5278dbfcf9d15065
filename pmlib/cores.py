"""How many cores this process may use, for the notebook pool, the engine's threads and the build's worker.

A container or ``taskset`` can allow fewer than the machine has, and
starting more workers than that only makes them wait for each other. So can
``PMLIB_CORES``: a machine shared with other work, or a test run that
already keeps every core busy with its own workers, gives pm fewer.
"""

from __future__ import annotations

import os

LIMIT = "PMLIB_CORES"


def usable_cores() -> int:
    """The cores this process may run on (at least 1), and no more than ``PMLIB_CORES`` when that is a whole number."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    limit = os.environ.get(LIMIT, "").strip()
    if limit.isdigit() and int(limit) >= 1:
        return min(cores, int(limit))
    return cores
