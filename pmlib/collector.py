"""Python's cyclic garbage collector, set for pmlib's batch processes: a build, its workers and its notebook kernels.

A build allocates millions of small objects that never form cycles (pandas'
indexes and blocks, Markdown tokens, lxml's element proxies, great-tables'
cells), and CPython runs a collection every 700 allocations not yet freed,
scanning an older generation every tenth. That cost a cold build about a
twentieth of its CPU time for almost nothing found. Collections made rarer
(``THRESHOLDS``) free the same cycles a little later; a process that has
finished importing moves what it has (``freeze``) out of the collector's
sight, so no full collection scans the modules again, and a process forked
from it (a kernel, a worker) does not write to those pages and copy them.
Nothing here changes what any page, pack or notebook shows.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 20, 100)
"""New objects before a young collection, and young collections before each older one (CPython's default: 700, 10, 10)."""


def set_for_batch(*, freeze: bool = False) -> None:
    """Make collections rarer in this process; with ``freeze``, leave every object it holds now out of them for good."""
    gc.set_threshold(*THRESHOLDS)
    if freeze:
        gc.collect()
        gc.freeze()
