"""Files kept between runs, each named by the sha256 of what made them (in ``.pmlib-cache/``; the Vega bundle in the user's cache).

A kept file is only ever a result that the same inputs and code would make
again, so it can be deleted at any time: the next run makes it again. Files
are written whole (written aside, then renamed), so a run killed half way,
or two runs at once, never leave half a file to be read. Reading one marks
it used; the first time a process writes to a folder, it deletes what was
not used for ``UNUSED_DAYS`` days.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

CACHE = ".pmlib-cache"  # under the project's root
UNUSED_DAYS = 60
_pruned: set[Path] = set()


def kept_path(folder: Path, key: str, suffix: str) -> Path:
    """Where the file for ``key`` (a sha256 in hex) is kept: in a subfolder per first two digits, as git keeps objects."""
    return folder / key[:2] / f"{key}{suffix}"


def read_kept(path: Path) -> str | None:
    """The kept text, marked used so it is not pruned; None when nothing is kept there."""
    try:
        text = path.read_text(encoding="utf-8")
        os.utime(path)
    except OSError:
        return None
    return text


def write_kept(folder: Path, path: Path, text: str) -> None:
    """Keep ``text`` at ``path`` inside ``folder``; a folder that cannot be written to is left as it is."""
    if folder not in _pruned:
        _pruned.add(folder)
        prune(folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".part", delete=False) as f:
            f.write(text)
        os.replace(f.name, path)
    except OSError:
        pass  # a half-written file is pruned an hour on


def prune(folder: Path, now: float | None = None) -> None:
    """Delete what was not used for ``UNUSED_DAYS`` days, and what was left half written an hour ago or more."""
    now = time.time() if now is None else now
    for path in folder.glob("*/*"):
        try:
            age = now - path.stat().st_mtime
            if age > UNUSED_DAYS * 86400 or (path.suffix == ".part" and age > 3600):  # a newer .part may be being written
                path.unlink()
        except OSError:
            pass
