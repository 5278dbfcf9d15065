"""How many cores this process may use, for the notebook pool, the engine's threads and the build's worker.

A container or ``taskset`` can allow fewer than the machine has, and
starting more workers than that only makes them wait for each other.
"""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may run on (at least 1)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
