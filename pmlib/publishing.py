"""Publishing a folder whole: the one way ``pm run`` and ``pm build`` replace a quarter's reports or the site.

A folder is made in a hidden sibling, ``.<name>.partial-<pid>``, and only
when it is complete is it swapped in: the old folder is renamed aside to
``.<name>.old-<pid>``, the new one renamed to the target, and the old one
deleted. Each rename is atomic, so a reader sees the old folder or the new
one, never half of either; if a step of the swap fails the old folder is put
back before the error is raised, so a failed publish never leaves no folder
at all.

The hidden siblings are named after the process that made them, so the next
run can tell the leftovers of a process that died (``kill -9``, a power cut)
from the work of one still running, and ``sweep`` removes only the former.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL = "partial"
ASIDE = "old"
_LEFTOVER = re.compile(rf"^\.(?P<name>.+)\.(?P<kind>{PARTIAL}|{ASIDE})-(?P<pid>\d+)$")


def partial_folder(target: Path, pid: int | None = None) -> Path:
    """The hidden folder beside ``target`` where this process (or ``pid``) makes its new content."""
    return target.with_name(f".{target.name}.{PARTIAL}-{os.getpid() if pid is None else pid}")


def aside_folder(target: Path, pid: int | None = None) -> Path:
    """Where the old ``target`` waits during a swap, until the new one is in place."""
    return target.with_name(f".{target.name}.{ASIDE}-{os.getpid() if pid is None else pid}")


def fresh_partial(target: Path) -> Path:
    """An empty partial folder for ``target``; anything this process left there before is removed."""
    partial = partial_folder(target)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    return partial


def swap_in(partial: Path, target: Path) -> None:
    """Replace ``target`` with ``partial``; if any step fails, put the old ``target`` back and raise."""
    aside = aside_folder(target)
    shutil.rmtree(aside, ignore_errors=True)
    moved = False
    try:
        if target.exists():
            target.rename(aside)
            moved = True
        partial.rename(target)
    except BaseException:
        if moved and not target.exists():
            aside.rename(target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


@contextmanager
def publishing(target: Path) -> Iterator[Path]:
    """A fresh partial folder to build ``target`` in, swapped in when the block succeeds and removed whatever happens."""
    partial = fresh_partial(target)
    try:
        yield partial
        swap_in(partial, target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return True  # not a process id this module writes; leave it alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: a live process of another user
        return True
    return True


def sweep(folder: Path) -> list[Path]:
    """Remove the partial and aside folders in ``folder`` left by processes that no longer exist; the paths removed.

    An aside folder whose target is missing is the previous published
    folder of a process killed in the middle of its swap, so it is put back
    rather than deleted.
    """
    if not folder.is_dir():
        return []
    removed = []
    for path in sorted(folder.iterdir()):
        found = _LEFTOVER.match(path.name)
        if found is None or not path.is_dir() or _alive(int(found["pid"])):
            continue
        target = folder / found["name"]
        if found["kind"] == ASIDE and not target.exists():
            path.rename(target)
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed
