"""``usable_cores``: the cores the process may run on, capped by ``PMLIB_CORES`` when that is a whole number of at least 1."""

from __future__ import annotations

import os

import pytest

from pmlib.cores import LIMIT, usable_cores

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
