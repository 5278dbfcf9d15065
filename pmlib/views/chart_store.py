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
keeps nothing. The files are kept as ``pmlib.cache_folder`` keeps them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from pmlib.cache_folder import UNUSED_DAYS, kept_path, prune, read_kept, write_kept

__all__ = ["STORE", "UNUSED_DAYS", "keep", "kept", "kept_in", "prune"]

STORE = "PMLIB_CHART_STORE"
_given: list[str] = []  # the folders of the blocks open, in any thread: the newest is used


@functools.cache
def _versions() -> str:
    import vl_convert

    return f"vl-convert {vl_convert.__version__}, Vega {vl_convert.get_vega_version()}, Vega-Lite {vl_convert.get_vegalite_versions()}"


def _folder() -> Path | None:
    folder = os.environ.get(STORE) or (_given[-1] if _given else None)
    return Path(folder) if folder and folder != "off" else None


@contextlib.contextmanager
def kept_in(folder: str | os.PathLike) -> Iterator[None]:
    """Within the block, keep and find this process's charts in ``folder`` unless ``PMLIB_CHART_STORE`` names another (or ``off``).

    ``pm build`` draws the charts of its own pages (the measures' comparison
    charts, which no notebook draws) in the store ``pm run`` uses.
    """
    given = os.fspath(folder)
    _given.append(given)
    try:
        yield
    finally:
        _given.remove(given)


def _path(folder: Path, spec_json: str) -> Path:
    return kept_path(folder, hashlib.sha256(f"{_versions()}\0{spec_json}".encode()).hexdigest(), ".svg")


def kept(spec_json: str) -> str | None:
    """The SVG kept for this spec by the same versions, or None (nothing kept, or no store)."""
    folder = _folder()
    return None if folder is None else read_kept(_path(folder, spec_json))


def keep(spec_json: str, svg: str) -> None:
    """Keep the SVG for this spec; a store that cannot be written to is left as it is."""
    folder = _folder()
    if folder is not None:
        write_kept(folder, _path(folder, spec_json), svg)
