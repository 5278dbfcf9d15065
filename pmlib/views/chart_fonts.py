"""The fonts vl-convert measures chart text with: the system's, less the system's Liberation Sans, which vl-convert carries itself.

vl-convert 1.9 loads the system's fonts before the copy of Liberation Sans it
carries in memory, so every text of a chart is measured in the system's
Liberation Sans file, which its font database opens, maps and closes again
for each measurement: about 1,460 times a chart, a third of a chart's time.
Shown the system's font folders less those holding Liberation Sans, it
measures with its own copy. The SVGs are the same, byte for byte, for every
chart of both demos (``tests/test_chart_fonts.py`` compares one with status
symbols, which fall back to another system font, drawn both ways).

vl-convert reads the font folders, once per process, from the fontconfig
file named by ``FONTCONFIG_FILE`` when it draws its first chart. So
``first_chart`` names a file listing those folders (kept in the user's cache
folder) only while a process draws its first chart, in the C library's
environment alone (``os.putenv``): ``os.environ``, which the processes pm
starts are given and its worker pool is kept by, never holds it, and Typst
finds the system's fonts as before (``as_installed`` waits out the first chart).
Where there is nothing to leave out, no fontconfig (macOS, Windows), a
``FONTCONFIG_FILE`` set already, or a cache folder that cannot be written,
vl-convert reads the system's fonts as it always did.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import platformdirs

from pmlib.cache_folder import kept_path, read_kept, write_kept

VARIABLE = "FONTCONFIG_FILE"
CARRIED = "liberationsans-"  # vl-convert's own: the file names of Liberation Sans's four faces, not Liberation Sans Narrow's
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
_lock = threading.Lock()
_drawn_first = False


def font_roots(environ: os._Environ | dict[str, str] = os.environ) -> list[Path]:
    """The folders where vl-convert's font database looks for system fonts on Linux, in its order."""
    roots = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]
    home = environ.get("HOME")
    if home:
        roots.append(Path(home) / ".fonts")
        roots.append(Path(environ.get("XDG_DATA_HOME") or Path(home) / ".local" / "share") / "fonts")
    return roots


def folders_without_carried(roots: list[Path]) -> tuple[list[Path], bool]:
    """The largest folders under ``roots`` holding no Liberation Sans file, in the order a walk finds them; and whether any was left out.

    vl-convert reads each folder named with all its subfolders, so a folder
    holding Liberation Sans is left out with the other fonts beside it
    (on Debian, Liberation Serif, Mono and Sans Narrow, which the charts do not name).
    """
    kept: list[Path] = []
    left_out = False

    def holds_carried(folder: Path) -> bool:
        for _, _, files in os.walk(folder):
            if any(name.lower().startswith(CARRIED) and name.lower().endswith(FONT_SUFFIXES) for name in files):
                return True
        return False

    def visit(folder: Path) -> None:
        nonlocal left_out
        if not holds_carried(folder):
            kept.append(folder)
            return
        left_out = True
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in list(entries):
                if entry.is_dir():
                    visit(Path(entry.path))

    for root in roots:
        if root.is_dir():
            visit(root)
    return kept, left_out


def fontconfig_text(folders: list[Path]) -> str:
    """A fontconfig file naming ``folders`` and nothing else: all vl-convert's font database reads of it."""
    dirs = "".join(f"  <dir>{escape(str(folder))}</dir>\n" for folder in folders)
    return f'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n{dirs}</fontconfig>\n'


def fontconfig_file(folder: Path | None = None) -> Path | None:
    """The kept fontconfig file listing the system's font folders less Liberation Sans's, or None when it would change nothing."""
    if os.name != "posix" or sys.platform == "darwin":
        return None
    folders, left_out = folders_without_carried(font_roots())
    if not left_out or not folders:  # nothing to gain; and with no folder at all vl-convert would read the system's anyway
        return None
    text = fontconfig_text(folders)
    folder = folder or platformdirs.user_cache_path("pmlib", appauthor=False) / "fonts"
    path = kept_path(folder, hashlib.sha256(text.encode()).hexdigest(), ".conf")
    if read_kept(path) != text:
        write_kept(folder, path, text)
        if read_kept(path) != text:
            return None
    return path


@contextlib.contextmanager
def first_chart() -> Iterator[None]:
    """Around each vl-convert call: for the process's first chart, vl-convert is shown ``fontconfig_file()`` while it loads its fonts."""
    global _drawn_first
    if _drawn_first:
        yield
        return
    with _lock:
        if _drawn_first or VARIABLE in os.environ:
            _drawn_first = True
            yield
            return
        path = fontconfig_file()
        if path is not None:
            os.putenv(VARIABLE, str(path))
        try:
            yield
        finally:
            _drawn_first = True
            if path is not None:
                os.unsetenv(VARIABLE)


@contextlib.contextmanager
def as_installed() -> Iterator[None]:
    """Around reading the system's fonts otherwise (Typst's, for the pack): never while a first chart is shown fewer."""
    with _lock:
        yield
