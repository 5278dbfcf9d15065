"""The pool of worker processes that execute ``pm run``'s notebooks, kept for as long as this process lives.

``pm preview`` calls ``build()`` again after every edit, and each build runs
its notebooks in worker processes. A new pool for each build would spawn
its workers again every time: a new Python importing papermill, nbclient
and ``pmlib.run.kernels``, about 0.6-0.7 s a worker, paid on every rebuild.
So the pool is kept and handed out again while it can do the same work as a
new one would: the same number of workers, the same chart store, and
workers spawned from the same working folder, ``sys.path`` and environment
(a spawned worker keeps the ones it started with, and its kernels inherit
them). A pool that broke (a worker was killed) is replaced.

A kept worker waits between builds, so Ctrl-C in the terminal reaches it
idle; it ignores Ctrl-C then, and stays quiet and usable, but not while it
executes a notebook, which Ctrl-C interrupts as before. One-shot commands
pay nothing more: the pool is shut down when the process exits, as it was
at the end of the run.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from pmlib.run.kernels import use_chart_store

_kept: tuple[tuple, ProcessPoolExecutor] | None = None
_lock = threading.Lock()


def pool(workers: int, chart_folder: str) -> ProcessPoolExecutor:
    """A pool of up to ``workers`` processes whose kernels keep their charts in ``chart_folder``: the kept one if usable, else a new one.

    Workers are spawned as work arrives, so a pool sized for the machine
    starts no more processes than it is given notebooks at once.
    """
    global _kept
    started_from = (workers, chart_folder, os.getcwd(), tuple(sys.path), tuple(sorted(os.environ.items())))
    with _lock:
        if _kept is not None and (_kept[0] != started_from or _broken(_kept[1])):
            _kept[1].shutdown(wait=True)
            _kept = None
        if _kept is None:
            # spawn, not fork or forkserver: each worker starts from this process's current environment and imports.
            context = multiprocessing.get_context("spawn")
            new = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(chart_folder,))
            _kept = (started_from, new)
        return _kept[1]


def kept() -> ProcessPoolExecutor | None:
    """The pool kept now, if any, whatever it was started for."""
    with _lock:
        return None if _kept is None else _kept[1]


def submit(used: ProcessPoolExecutor, fn: Callable[..., Any], /, *args: Any) -> Future:
    """``fn(*args)`` in a worker of ``used``, interruptible by Ctrl-C; if the pool is already broken, a future failed as a dead worker's."""
    try:
        return used.submit(_interruptible, fn, *args)
    except BrokenProcessPool as exc:
        failed: Future = Future()
        failed.set_exception(exc)
        return failed


def discard(used: ProcessPoolExecutor) -> None:
    """Shut down ``used``, cancelling the work not yet started, and never hand it out again."""
    global _kept
    with _lock:
        if _kept is not None and _kept[1] is used:
            _kept = None
    used.shutdown(wait=True, cancel_futures=True)


def shutdown() -> None:
    """Shut down the kept pool, if there is one (at exit; its workers are idle by then)."""
    global _kept
    with _lock:
        kept, _kept = _kept, None
    if kept is not None:
        kept[1].shutdown(wait=True, cancel_futures=True)


def _start_worker(chart_folder: str) -> None:
    use_chart_store(chart_folder)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interruptible(fn: Callable[..., Any], *args: Any) -> Any:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return fn(*args)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _broken(kept: ProcessPoolExecutor) -> bool:
    """Whether a worker of the pool died, so that it takes no more work (``concurrent.futures`` has no public way to ask)."""
    return bool(kept._broken)


atexit.register(shutdown)
