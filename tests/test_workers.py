"""The kept pool of ``pm run`` workers: handed out again while it can be, replaced when it cannot (other settings, or broken)."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from pmlib.run import workers


@pytest.fixture(autouse=True)
def no_kept_pool():
    """Each test starts without a kept pool and leaves none behind."""
    workers.shutdown()
    yield
    workers.shutdown()


def _variable(name: str) -> str | None:
    return os.environ.get(name)


def _started_with() -> tuple[int, list[str], str]:
    """A worker's parent, which of ``PRELOAD`` it had imported before this ran, and its folder."""
    return os.getppid(), [m for m in workers.PRELOAD if m in sys.modules], os.getcwd()


def _wait_for_ctrl_c(started: str) -> str:
    try:
        open(started, "w").close()
        time.sleep(120)
    except KeyboardInterrupt:
        return "interrupted"
    return "not interrupted"


def test_the_same_workers_and_chart_folder_get_the_same_pool_and_its_workers_stay(tmp_path):
    pool = workers.pool(1, str(tmp_path))
    first = pool.submit(os.getpid).result()

    assert workers.pool(1, str(tmp_path)) is pool
    assert pool.submit(os.getpid).result() == first != os.getpid()


def test_the_workers_keep_their_charts_in_the_folder_given_unless_the_environment_names_one(tmp_path, monkeypatch):
    monkeypatch.delenv("PMLIB_CHART_STORE", raising=False)
    assert workers.pool(1, str(tmp_path)).submit(_variable, "PMLIB_CHART_STORE").result() == str(tmp_path)

    monkeypatch.setenv("PMLIB_CHART_STORE", "off")
    assert workers.pool(1, str(tmp_path)).submit(_variable, "PMLIB_CHART_STORE").result() == "off"


def test_another_worker_count_or_chart_folder_gets_a_new_pool_and_the_old_one_is_shut_down(tmp_path):
    one = workers.pool(1, str(tmp_path))
    two = workers.pool(2, str(tmp_path))
    elsewhere = workers.pool(2, str(tmp_path / "other"))

    assert len({id(one), id(two), id(elsewhere)}) == 3
    for old in (one, two):
        with pytest.raises(RuntimeError, match="after shutdown"):
            old.submit(os.getpid)
    assert elsewhere.submit(os.getpid).result() != os.getpid()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked from a fork server on Linux only")
def test_workers_are_forked_from_a_server_that_imported_their_code_once_and_start_in_this_folder(tmp_path, monkeypatch):
    pool = workers.pool(2, str(tmp_path))
    first = pool.submit(_started_with).result()
    monkeypatch.chdir(tmp_path)
    parent, imported, folder = workers.pool(2, str(tmp_path)).submit(_started_with).result()

    assert first[0] == parent != os.getpid()  # the fork server, not this process
    assert imported == list(workers.PRELOAD)
    assert folder == str(tmp_path)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked from a fork server on Linux only")
def test_shutting_down_ends_the_fork_server_too_and_a_later_pool_starts_another(tmp_path):
    server = workers.pool(1, str(tmp_path)).submit(os.getppid).result()
    workers.shutdown()
    with pytest.raises(ProcessLookupError):  # ended and reaped, not left to free its imports as the build's output waits
        os.kill(server, 0)
    assert workers.pool(1, str(tmp_path)).submit(os.getppid).result() not in (server, os.getpid())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked from a fork server on Linux only")
def test_the_fork_server_started_ahead_is_the_one_a_pool_then_forks_its_workers_from(tmp_path):
    from multiprocessing import forkserver

    workers.start_ahead()
    server = forkserver._forkserver._forkserver_pid
    assert server is not None and server != os.getpid()
    workers.start_ahead()  # already running: left as it is
    assert forkserver._forkserver._forkserver_pid == server
    parent, imported, _ = workers.pool(2, str(tmp_path)).submit(_started_with).result()
    assert parent == server and imported == list(workers.PRELOAD)


FOLDER_EMPTIED = """
import os, shutil, sys, tempfile
from pmlib.run import workers
if __name__ == "__main__":
    first = workers.pool(1, sys.argv[1]).submit(os.getppid).result()
    shutil.rmtree(tempfile.gettempdir())  # a cleaner empties the temporary folder, the fork server's socket with it
    then = workers.pool(1, sys.argv[1] + "-other").submit(os.getppid).result()
    print(first != os.getpid(), then == os.getpid())
"""

LONG_FOLDER = """
import os, sys
from pmlib.run import workers
if __name__ == "__main__":
    print(workers.pool(1, sys.argv[1]).submit(os.getppid).result() == os.getpid())
"""


def _run_alone(script: str, tmp_path, temporary: str) -> str:
    path = tmp_path / "script.py"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(path), str(tmp_path / "charts")], env=os.environ | {"TMPDIR": temporary}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked from a fork server on Linux only")
def test_workers_are_spawned_once_the_fork_servers_folder_is_gone(tmp_path):
    short = tempfile.mkdtemp(prefix="pmw")  # a socket's address is short; tmp_path may be long
    try:
        assert _run_alone(FOLDER_EMPTIED, tmp_path, short) == "True True\n"
    finally:
        shutil.rmtree(short, ignore_errors=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked from a fork server on Linux only")
def test_workers_are_spawned_where_the_temporary_folder_is_too_long_for_a_socket(tmp_path):
    long = tmp_path / ("t" * 100)
    long.mkdir()
    assert _run_alone(LONG_FOLDER, tmp_path, str(long)) == "True\n"


def test_a_changed_environment_gets_a_new_pool_whose_workers_see_it(tmp_path, monkeypatch):
    pool = workers.pool(1, str(tmp_path))
    monkeypatch.setenv("PMLIB_TEST_WORKERS", "changed")
    again = workers.pool(1, str(tmp_path))

    assert again is not pool
    assert again.submit(_variable, "PMLIB_TEST_WORKERS").result() == "changed"
    monkeypatch.delenv("PMLIB_TEST_WORKERS")
    assert workers.pool(1, str(tmp_path)).submit(_variable, "PMLIB_TEST_WORKERS").result() is None  # not the fork server's


def test_a_pool_whose_worker_was_killed_is_replaced_by_one_that_works(tmp_path):
    pool = workers.pool(1, str(tmp_path))
    worker = pool.submit(os.getpid).result()
    os.kill(worker, signal.SIGKILL)
    with pytest.raises(BrokenProcessPool):  # its one worker is gone, so this waits until the pool knows
        pool.submit(os.getpid).result()

    fresh = workers.pool(1, str(tmp_path))
    assert fresh is not pool
    assert fresh.submit(os.getpid).result() not in (worker, os.getpid())


def test_a_discarded_pool_is_shut_down_and_never_handed_out_again(tmp_path):
    pool = workers.pool(1, str(tmp_path))
    workers.discard(pool)

    with pytest.raises(RuntimeError, match="after shutdown"):
        pool.submit(os.getpid)
    assert workers.pool(1, str(tmp_path)) is not pool


def test_an_idle_worker_ignores_ctrl_c_and_stays_in_the_pool(tmp_path):
    pool = workers.pool(1, str(tmp_path))
    worker = workers.submit(pool, os.getpid).result()
    os.kill(worker, signal.SIGINT)

    assert workers.submit(pool, os.getpid).result() == worker
    assert workers.pool(1, str(tmp_path)) is pool


def test_ctrl_c_still_interrupts_the_work_a_worker_is_doing(tmp_path):
    pool = workers.pool(1, str(tmp_path))
    worker = workers.submit(pool, os.getpid).result()
    started = tmp_path / "started"
    work = workers.submit(pool, _wait_for_ctrl_c, str(started))
    while not started.exists():
        time.sleep(0.01)
    os.kill(worker, signal.SIGINT)

    assert work.result() == "interrupted"
    assert workers.submit(pool, os.getpid).result() == worker


def test_work_given_to_a_broken_pool_fails_as_if_its_worker_had_died(tmp_path):
    pool = workers.pool(1, str(tmp_path))
    os.kill(workers.submit(pool, os.getpid).result(), signal.SIGKILL)
    with pytest.raises(BrokenProcessPool):
        workers.submit(pool, os.getpid).result()

    with pytest.raises(BrokenProcessPool):
        workers.submit(pool, os.getpid).result()  # refused at once, returned as a failed future


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_an_interrupt_as_the_pool_starts_leaves_it_shut_down_cleanly(tmp_path, monkeypatch, signum):
    """Ctrl-C (or the build server's SIGTERM) just as the first notebook is handed out: the build ends as interrupted, not in an error."""
    import concurrent.futures.process as futures_process

    class InterruptedAsItStarts(futures_process._ExecutorManagerThread):  # noqa: SLF001 - the thread a pool starts on its first work
        def start(self):
            os.kill(os.getpid(), signum)  # lands before the thread has started, as a real Ctrl-C can
            super().start()

    monkeypatch.setattr(futures_process, "_ExecutorManagerThread", InterruptedAsItStarts)
    previous = {s: signal.signal(s, signal.default_int_handler) for s in (signal.SIGINT, signal.SIGTERM)}  # as the build server has them
    try:
        pool = workers.pool(1, str(tmp_path))
        with pytest.raises(KeyboardInterrupt):
            workers.submit(pool, os.getpid)
        workers.discard(pool)  # would raise "cannot join thread before it is started" had the interrupt landed halfway
        assert signal.getsignal(signal.SIGINT) is signal.getsignal(signal.SIGTERM) is signal.default_int_handler, "handlers put back"
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    with pytest.raises(RuntimeError, match="after shutdown"):
        pool.submit(os.getpid)
