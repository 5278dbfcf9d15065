"""``usable_cores``: the cores the process may run on, capped by ``PMLIB_CORES``; ``one_blas_thread``: numpy's threads in pm's processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pmlib.cores import BLAS_THREADS, LIMIT, one_blas_thread, usable_cores

ALLOWED = len(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(None, ALLOWED), ("1", 1), (str(ALLOWED + 7), ALLOWED), (" 1 ", 1), ("0", ALLOWED), ("-1", ALLOWED), ("two", ALLOWED), ("", ALLOWED)],
)
def test_pmlib_cores_caps_the_cores_and_anything_else_is_ignored(monkeypatch, limit, expected):
    if limit is None:
        monkeypatch.delenv(LIMIT, raising=False)
    else:
        monkeypatch.setenv(LIMIT, limit)
    assert usable_cores() == expected


def test_one_blas_thread_is_a_default_that_a_given_number_overrides(monkeypatch):
    monkeypatch.delenv(BLAS_THREADS, raising=False)
    one_blas_thread()
    assert os.environ[BLAS_THREADS] == "1"
    monkeypatch.setenv(BLAS_THREADS, "4")
    one_blas_thread()
    assert os.environ[BLAS_THREADS] == "4"


@pytest.mark.skipif(not os.path.isdir("/proc/self/task") or ALLOWED < 2, reason="counts threads in Linux's /proc, with 2 cores or more")
def test_numpy_starts_no_thread_of_its_own_after_one_blas_thread_as_the_pm_command_calls_it():
    count = "import numpy, os; print(len(os.listdir('/proc/self/task')))"
    env = {k: v for k, v in os.environ.items() if k != BLAS_THREADS}
    run = lambda script: subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout  # noqa: E731
    assert int(run(count)) > 1  # OpenBLAS's threads, one per core
    assert run(f"from pmlib.cores import one_blas_thread; one_blas_thread(); {count}") == "1\n"
    command = (
        "import os, sys, pmlib.cli\nimport pmlib.cli.build_server as server\n"
        "def main(**_): import numpy; print(len(os.listdir('/proc/self/task'))); sys.exit(0)\n"
        "pmlib.cli.main = main; sys.argv = ['pm', 'check']; server.pm()"
    )
    assert run(command) == "1\n"
