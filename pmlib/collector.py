"""Python's memory, handled for pmlib's batch processes (a build, its workers, its kernels): rarer collections, and an end without teardown.

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

At the end, the interpreter frees every object one by one before the
process exits: 0.3 s after a cold build's last line, in which the build
still holds the terminal. ``exit_without_teardown`` leaves that to the
operating system, which takes the memory back at once.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import NoReturn

THRESHOLDS = (20_000, 20, 100)
"""New objects before a young collection, and young collections before each older one (CPython's default: 700, 10, 10)."""


def set_for_batch(*, freeze: bool = False) -> None:
    """Make collections rarer in this process; with ``freeze``, leave every object it holds now out of them for good."""
    gc.set_threshold(*THRESHOLDS)
    if freeze:
        gc.collect()
        gc.freeze()


def exit_without_teardown(code: int) -> NoReturn:
    """End the process now with ``code``, its output flushed, leaving its memory to the operating system.

    Only for a process whose work is done: its exit handlers have run (or it
    has none) and its files are closed, since nothing else runs after this.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or broken stream has nothing left to write
            stream.flush()
    os._exit(code)
