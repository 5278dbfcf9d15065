"""Work a build hands to another process while this one writes the website: the Cabinet packs and the Vega bundle.

Writing pages and the website is one process's work, so on a machine with
two or more cores the others sit idle through it. The packs need only the
executed notebooks and the Vega bundle only vl-convert, so neither waits for
the website, and (apart from the bundle, written last) the website does not
wait for them. Threads would not help: the packs' HTML-to-Typst
conversion and vl-convert's bundling both hold the GIL.
Work offered when no worker is idle is done by whichever is free first: a
worker once it has finished what it was given, or the asking process when
it wants the result (``Background.offer``).

A block's own workers are spawned, so they start from this process's
environment and imports rather than a fork of its state. A build gives the
block ``pm run``'s own pool (``pmlib.run.workers``), idle once the
notebooks are done: no process is spawned for the packs, and under ``pm
preview`` the worker that typeset the last packs has Typst, its fonts and
the pack code loaded already. Leaving the ``with`` block waits for work
already started, even on an error, so nothing is still writing into a folder
the caller is about to delete or swap in; a pool given is left running, one
the block started is shut down.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from pmlib.cores import usable_cores
from pmlib.errors import PmlibError
from pmlib.project import Project
from pmlib.run.workers import submit


def spare_cores() -> int:
    """Cores beside this process's own that it may use."""
    return max(0, usable_cores() - 1)


@dataclass(frozen=True)
class _Failure:
    """A pmlib error returned by a worker, not raised, so it comes back as itself (problems and all) without a remote traceback."""

    error: PmlibError

    def exception(self) -> PmlibError:
        return self.error


def _call(fn: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    try:
        return fn(*args, **kwargs)
    except PmlibError as exc:
        return _Failure(exc)


class Pending:
    """The result of work handed to a worker (or kept for this process): ``result()`` waits for it and raises what it raised."""

    def __init__(self, future: Future | None, work: Callable[[], Any]):
        self._future = future
        self._work = work
        self._lock = threading.Lock()
        self._handed_over = False

    def done(self) -> bool:
        """True once the work has finished, well or not."""
        return self._future is not None and self._future.done()

    def hand_over(self, start: Callable[[], Future]) -> None:
        """Have a worker do kept work after all, unless this process has already taken it (``result()``)."""
        with self._lock:
            if self._future is None:
                self._future, self._handed_over = start(), True

    def result(self) -> Any:
        """The work's return value, waiting for it if need be; a pmlib error in the worker is raised here as itself."""
        with self._lock:
            if self._future is None or (self._handed_over and self._future.cancel()):  # kept here, or handed over but not started
                self._future = Future()
                try:
                    self._future.set_result(self._work())
                except BaseException as exc:
                    self._future.set_exception(exc)
        value = self._future.result()
        if isinstance(value, _Failure):
            raise value.exception()
        return value


class Background:
    """Spawned worker processes, one per spare core, for the duration of a ``with`` block; work starts in the order submitted.

    With no spare core there is no worker, and each piece of work is done
    in this process when its result is asked for, as if run in line.
    """

    def __init__(self, workers: int | None = None, pool: ProcessPoolExecutor | None = None):
        """``workers`` is how many pieces of work run at once (the spare cores unless given); ``pool``, processes to run them in."""
        self.workers = spare_cores() if workers is None else workers
        self._given = pool
        self._pool: ProcessPoolExecutor | None = None
        self._open = False
        self._started: list[Future] = []
        self._lock = threading.Lock()

    def __enter__(self) -> Background:
        if self.workers > 0:
            self._pool = self._given or ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
        self._open = True
        return self

    def _start(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> Future:
        future = submit(self._pool, _call, fn, args, kwargs)
        self._started.append(future)
        return future

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Pending:
        """Start ``fn(*args, **kwargs)`` in a worker (a module-level function, with picklable arguments and result)."""
        if not self._open:
            raise RuntimeError("submit work inside the with block")
        if self._pool is None:
            return Pending(None, functools.partial(fn, *args, **kwargs))
        with self._lock:
            future = self._start(fn, args, kwargs)
        return Pending(future, functools.partial(fn, *args, **kwargs))

    def offer(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Pending:
        """Start ``fn`` in a worker if one is idle; otherwise keep it for whichever is free first, a worker or this process.

        For work this process will want late: on two cores the one worker is
        busy with the packs, and the Vega bundle is made by the worker once
        the packs are typeset, or by the website when it needs the bundle
        before then.
        """
        busy = [f for f in self._started if not f.done()]
        if len(busy) < self.workers:
            return self.submit(fn, *args, **kwargs)
        pending = Pending(None, functools.partial(fn, *args, **kwargs))
        if self._pool is not None:

            def when_free() -> None:
                wait(busy, return_when=FIRST_COMPLETED)
                with self._lock:
                    if self._open:  # once the block has ended, no more work is started
                        pending.hand_over(lambda: self._start(fn, args, kwargs))

            threading.Thread(target=when_free, daemon=True, name="pmlib-offer").start()
        return pending

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            pool, self._pool, self._open = self._pool, None, False
        if pool is None:
            return
        # On an error nothing more is started, but work already running is waited for (see the module docstring).
        if exc_info[0] is not None:
            for future in self._started:
                future.cancel()
        if pool is self._given:
            wait(self._started)
        else:
            pool.shutdown(wait=True)


def keep_warm(project: Project, jobs: int | None = None) -> None:
    """Start, without waiting, what the project's next build would start: the warm kernel server and ``pm run``'s workers, loaded.

    For a process that builds again and again (``pm preview``, the build
    server) while nothing is building: a first build that executed no
    notebook started neither, and the first edit after it would pay for
    them. Each worker is given the code it runs (papermill and the kernels,
    Typst and the pack) to load. Nothing is started twice, and a pool kept
    already (perhaps of another size, asked for by ``--jobs``) is left as it is.
    In this process, a thread judges and reads every quarter meanwhile, as
    the next build would (``pmlib.rendering.building.read_ahead``).
    """
    from pmlib.rendering.building import read_ahead
    from pmlib.run import warm_kernels, workers
    from pmlib.run.execution import worker_count, worker_pool

    global _reading
    warm_kernels.start(wait=False)
    if _reading is None or not _reading.is_alive():
        _reading = threading.Thread(target=_quietly, args=(read_ahead, project), daemon=True, name="pmlib-read-ahead")
        _reading.start()
    if spare_cores() and workers.kept() is None:
        pool = worker_pool(project, jobs)
        for _ in range(worker_count(jobs)):
            submit(pool, _load_worker_code, project)


_reading: threading.Thread | None = None


def read_ahead_done() -> None:
    """Wait until ``keep_warm``'s reading ahead, if any, has ended: for timing this process's own work alone (``benchmarks build``)."""
    reading = _reading
    if reading is not None:
        reading.join()


def _quietly(fn: Callable[..., Any], *args: Any) -> None:
    """``fn(*args)``, its errors left for the next build, which does the same work, to report where the analyst sees them."""
    with contextlib.suppress(Exception):
        fn(*args)


def _load_worker_code(project: Project | None = None) -> None:
    """Load what a worker runs; then, for a site last built without Quarto, typeset the latest pack once, into a folder thrown away.

    An edit's pack is mostly the last one again, and Typst keeps what it
    laid out for the rest of the process: a worker that has typeset the
    pack once typesets the edited one in about half the time. A site Quarto
    built has its packs typeset by Quarto, so nothing is typeset ahead for
    it. Whatever fails is left for the build, which typesets the same pack
    and reports it.
    """
    import tempfile
    from pathlib import Path

    from pmlib.rendering.building import built_quarters
    from pmlib.rendering.manifest import read_manifest
    from pmlib.rendering.pack import font_dirs, render_pack
    from pmlib.run import kernels  # noqa: F401 - papermill and nbclient with it

    font_dirs()
    if project is None or read_manifest(project.out).get("renderer") != "builtin":
        return
    with contextlib.suppress(Exception), tempfile.TemporaryDirectory(prefix="pmlib-warm-pack-") as scratch:
        quarters = built_quarters(project)
        if quarters:
            render_pack(quarters[-1], project, out_pdf=Path(scratch) / "pack.pdf")
