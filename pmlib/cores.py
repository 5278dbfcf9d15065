"""How many cores this process may use, for the notebook pool, the engine's threads and the build's worker; and numpy's threads.

A container or ``taskset`` can allow fewer than the machine has, and
starting more workers than that only makes them wait for each other. So can
``PMLIB_CORES``: a machine shared with other work, or a test run that
already keeps every core busy with its own workers, gives pm fewer.
"""

from __future__ import annotations

import os

LIMIT = "PMLIB_CORES"
BLAS_THREADS = "OPENBLAS_NUM_THREADS"


def usable_cores() -> int:
    """The cores this process may run on (at least 1), and no more than ``PMLIB_CORES`` when that is a whole number."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    limit = os.environ.get(LIMIT, "").strip()
    if limit.isdigit() and int(limit) >= 1:
        return min(cores, int(limit))
    return cores


def one_blas_thread() -> None:
    """Give numpy's OpenBLAS one thread in this process and every process it starts, unless the environment names a number.

    pmlib does no linear algebra, but importing numpy starts an OpenBLAS
    thread per core, and each spins for a moment before it sleeps: 0.12
    CPU-seconds a process on two cores, paid by a build, its warm kernel
    server and its fork server while every core is busy with the build's
    own work. pm's processes already run side by side, one per core, so
    more BLAS threads could only crowd them (loky and dask keep their
    workers to one for the same reason). Called before numpy is imported;
    afterwards OpenBLAS has started its threads and the setting is only
    passed on.
    """
    os.environ.setdefault(BLAS_THREADS, "1")
