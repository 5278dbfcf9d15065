"""What the tests that need a real Quarto share: a marker, and Quarto itself run as a council runs it.

CI has no Quarto (its binaries cannot be installed there), so these tests are
skipped with a message saying so; a developer with ``quarto`` on PATH runs
them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

QUARTO = shutil.which("quarto")

MARKS = (
    pytest.mark.quarto,
    pytest.mark.e2e,
    pytest.mark.skipif(QUARTO is None, reason="needs a real Quarto: `quarto` is not on PATH, so this Quarto test is skipped"),
)


def needs_quarto(test):
    """Marks a test (or a whole module, as ``pytestmark = MARKS``) as one that runs only with Quarto on PATH."""
    for mark in MARKS:
        test = mark(test)
    return test


def quarto(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    """``quarto ARGS`` in ``cwd``; fails the test with Quarto's own output if it does."""
    done = subprocess.run([QUARTO or "quarto", *map(str, args)], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done
