"""Charts already drawn, kept on disk by their exact spec, so a notebook executed again redraws only the charts that changed.

When one commentary row or one figure changes, ``pm run`` executes the
notebooks that read it again, and each draws every chart it shows: a tenth
of a second or more each in vl-convert, although most are the very charts
the last run drew. ``pm run`` names a folder for the project
(``.pmlib-cache/charts/`` beside its folders) in ``PMLIB_CHART_STORE`` for
the kernels it starts; there each SVG is kept in a file named by the sha256
of the spec's JSON text and of the versions of vl-convert, Vega and
Vega-Lite that drew it. The same library draws the same spec the same way,
so a kept SVG is the one a new drawing would give. ``off`` or no variable
keeps nothing. Files are written whole (written aside, then renamed); the
first process to keep a chart in a store deletes the files there not used for
``UNUSED_DAYS`` days.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

STORE = "PMLIB_CHART_STORE"
UNUSED_DAYS = 60
_pruned: set[Path] = set()
_given: str | None = None


@functools.cache
def _versions() -> str:
    import vl_convert

    return f"vl-convert {vl_convert.__version__}, Vega {vl_convert.get_vega_version()}, Vega-Lite {vl_convert.get_vegalite_versions()}"


def _folder() -> Path | None:
    folder = os.environ.get(STORE) or _given
    return Path(folder) if folder and folder != "off" else None


@contextlib.contextmanager
def kept_in(folder: str | os.PathLike) -> Iterator[None]:
    """Within the block, keep and find this process's charts in ``folder`` unless ``PMLIB_CHART_STORE`` names another (or ``off``).

    ``pm build`` draws the charts of its own pages (the measures' comparison
    charts, which no notebook draws) in the store ``pm run`` uses.
    """
    global _given
    before, _given = _given, os.fspath(folder)
    try:
        yield
    finally:
        _given = before


def _path(folder: Path, spec_json: str) -> Path:
    key = hashlib.sha256(f"{_versions()}\0{spec_json}".encode()).hexdigest()
    return folder / key[:2] / f"{key}.svg"


def kept(spec_json: str) -> str | None:
    """The SVG kept for this spec by the same versions, or None (nothing kept, or no store)."""
    folder = _folder()
    if folder is None:
        return None
    path = _path(folder, spec_json)
    try:
        svg = path.read_text(encoding="utf-8")
        os.utime(path)  # used: not pruned
    except OSError:
        return None
    return svg


def keep(spec_json: str, svg: str) -> None:
    """Keep the SVG for this spec; a store that cannot be written to is left as it is."""
    folder = _folder()
    if folder is None:
        return
    if folder not in _pruned:
        _pruned.add(folder)
        prune(folder)
    path = _path(folder, spec_json)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".part", delete=False) as f:
            f.write(svg)
        os.replace(f.name, path)
    except OSError:
        pass


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
