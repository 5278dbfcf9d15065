"""The pool of worker processes that execute ``pm run``'s notebooks, kept for as long as this process lives.

``pm preview`` calls ``build()`` again after every edit, and each build runs
its notebooks in worker processes. A new pool for each build would start
its workers again every time: a new Python importing papermill, nbclient
and ``pmlib.run.kernels``, about 0.6-0.7 s a worker, paid on every rebuild.
So the pool is kept and handed out again while it can do the same work as a
new one would: the same number of workers, the same chart store, and
workers started from the same working folder, ``sys.path`` and environment
(a worker keeps the ones it started with, and its kernels inherit them). A
pool that broke (a worker was killed) is replaced.

On Linux the workers are forked from a server process (multiprocessing's
``forkserver``) that has imported what they run once: papermill and the
kernels, and pandas, lxml and Typst for the packs. A
cold build's two workers then pay those imports once, not once each (a few
tenths of a second of a cold build). Each worker still starts from this process's working
folder, ``sys.path`` and environment as they are when its pool is made
(``multiprocessing`` passes the first two; the initializer sets the third).
Elsewhere workers are spawned, as macOS cannot fork safely once its system
frameworks are loaded.

A kept worker waits between builds, so Ctrl-C in the terminal reaches it
idle; it ignores Ctrl-C then, and stays quiet and usable, but not while it
executes a notebook, which Ctrl-C interrupts as before. One-shot commands
pay nothing more: the pool is shut down when the process exits, as it was
at the end of the run.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver, util
from typing import Any

from pmlib.collector import set_for_batch
from pmlib.run.kernels import use_chart_store

PRELOAD = ("pmlib.run.workers", "pandas", "lxml.html", "typst", "pypandoc")  # what a worker imports, once for all
_FOLDER_BYTES = 80  # the socket's name in it takes 19 more; Linux allows 107 in all
_kept: tuple[tuple, ProcessPoolExecutor] | None = None
_lock = threading.Lock()


def pool(workers: int, chart_folder: str) -> ProcessPoolExecutor:
    """A pool of up to ``workers`` processes whose kernels keep their charts in ``chart_folder``: the kept one if usable, else a new one.

    Workers are started as work arrives, so a pool sized for the machine
    starts no more processes than it is given notebooks at once.
    """
    global _kept
    started_from = (workers, chart_folder, os.getcwd(), tuple(sys.path), tuple(sorted(os.environ.items())))
    with _lock:
        if _kept is not None and (_kept[0] != started_from or _broken(_kept[1])):
            _kept[1].shutdown(wait=True)
            _kept = None
        if _kept is None:
            new = ProcessPoolExecutor(
                max_workers=workers, mp_context=_context(), initializer=_start_worker, initargs=(chart_folder, dict(os.environ))
            )
            _kept = (started_from, new)
        return _kept[1]


def kept() -> ProcessPoolExecutor | None:
    """The pool kept now, if any, whatever it was started for."""
    with _lock:
        return None if _kept is None else _kept[1]


def submit(used: ProcessPoolExecutor, fn: Callable[..., Any], /, *args: Any) -> Future:
    """``fn(*args)`` in a worker of ``used``, interruptible by Ctrl-C; if the pool is already broken, a future failed as a dead worker's.

    Ctrl-C or SIGTERM while the pool starts a worker or the thread that
    manages them is held until it has: a pool interrupted halfway could not
    be shut down, as it would wait for a thread that never started, and the
    build would end in that error rather than as interrupted.
    """
    try:
        with _signals_held(signal.SIGINT, signal.SIGTERM):
            return used.submit(_interruptible, fn, *args)
    except BrokenProcessPool as exc:
        failed: Future = Future()
        failed.set_exception(exc)
        return failed


@contextlib.contextmanager
def _signals_held(*signums: int) -> Iterator[None]:
    """Within the block, ``signums`` are noted rather than handled; each noted one is raised again as it ends, for the usual handler."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread handles signals
        return
    noted: list[int] = []
    held = {s: signal.signal(s, lambda signum, frame: noted.append(signum)) for s in signums if signal.getsignal(s) is not None}
    try:
        yield
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(noted):
            signal.raise_signal(signum)


def discard(used: ProcessPoolExecutor) -> None:
    """Shut down ``used``, cancelling the work not yet started, and never hand it out again."""
    global _kept
    with _lock:
        if _kept is not None and _kept[1] is used:
            _kept = None
    used.shutdown(wait=True, cancel_futures=True)


def shutdown() -> None:
    """Shut down the kept pool, if there is one (at exit; its workers are idle by then), and the fork server it came from."""
    global _kept
    with _lock:
        kept, _kept = _kept, None
    if kept is not None:
        kept[1].shutdown(wait=True, cancel_futures=True)
    _stop_fork_server()


def _stop_fork_server() -> None:
    """End this process's fork server at once, as it holds nothing to save, rather than as multiprocessing would at exit.

    Left to itself it frees everything it imported, one object at a time
    (0.2 s after the build's last line), holding the build's output open.
    """
    server = forkserver._forkserver  # noqa: SLF001 - as _fork_server_usable
    pid = getattr(server, "_forkserver_pid", None)
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    with contextlib.suppress(OSError):
        server._stop()  # noqa: SLF001 - reaps it and removes its socket


def start_ahead() -> None:
    """Start this process's fork server now, if workers will be forked from one, so its imports overlap the checks before a run.

    A pool starts it when the first notebook is handed out, and the first
    kernels then waited for its imports (a second of CPU time) while the
    warm server stood ready. Started with the warm server instead, before
    ``pm`` imported pandas, the three processes importing at once on two
    cores were slower (the tenth pass in ``docs/performance.md``).
    """
    if _context().get_start_method() == "forkserver":
        forkserver.ensure_running()


def _context() -> multiprocessing.context.BaseContext:
    """Fork from a server that has imported the workers' code, on Linux while it can; spawn elsewhere."""
    if not (sys.platform.startswith("linux") and _fork_server_usable()):
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))  # read when the server starts, the first time a pool of this process needs it
    return context


def _fork_server_usable() -> bool:
    """Whether this process's fork server has, or can make, its socket; if not, workers are spawned rather than failing to start.

    It cannot in a temporary folder whose path is too long for a Unix socket's
    address, nor once that folder was deleted under it (a long-lived ``pm
    preview`` whose temporary folder a cleaner emptied).
    """
    folder = util.get_temp_dir()
    if len(os.fsencode(folder)) > _FOLDER_BYTES or not os.path.isdir(folder):
        return False
    address = getattr(forkserver._forkserver, "_forkserver_address", None)  # noqa: SLF001 - multiprocessing has no public way to ask
    return address is None or os.path.exists(address)


def _start_worker(chart_folder: str, environ: dict[str, str]) -> None:
    if os.environ != environ:  # the fork server keeps the environment it started with
        os.environ.clear()
        os.environ.update(environ)
        tempfile.tempdir = None
    use_chart_store(chart_folder)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_for_batch(freeze=True)  # what the fork server imported


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
