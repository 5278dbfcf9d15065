"""Work on the same folders done once per process: the data checked once, each quarter judged once.

A build reads the data folder in ``pm run``'s planner, again for the pages,
the feeds and each quarter's open data; every notebook kernel then reads and
judges it once more. Here a result is kept, keyed on where the folder was
named and on the sha256 of every file in it, so a second call with the same
folders as they now stand returns the same object, and a folder changed by a
single byte is read again. The warm kernel server (``pmlib.run.warm_server``)
prepares a quarter's report this way before it forks the quarter's kernels,
so each kernel finds it already judged.

What is kept is only ever read: pmlib never changes a table it was given.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")
_every: list[Memo] = []


def folder_state(folder: str | os.PathLike) -> tuple[str, str, str]:
    """The folder as named, where it really is, and one sha256 of every file under it by relative path ("" if it is not a folder)."""
    named = os.fspath(folder)
    real = os.path.realpath(named)
    if not os.path.isdir(real):
        return named, real, ""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(real):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
            h.update(f"{os.path.relpath(path, real)}\0{digest}\n".encode())
    return named, real, h.hexdigest()


def row_hashes(frame: pd.DataFrame) -> tuple[bytes, np.ndarray]:
    """A table's columns and types, and a 64-bit hash of each row: what a key made of some of its rows is built from."""
    types = ",".join(f"{column}:{dtype}" for column, dtype in frame.dtypes.items()).encode()
    return types, pd.util.hash_pandas_object(frame, index=False).to_numpy().astype("<u8")


class Memo:
    """The last ``size`` results of one kind of work, by key; the oldest is dropped first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        _every.append(self)

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The result kept for ``key``, or ``make()`` kept now (an exception is raised and nothing kept)."""
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]  # type: ignore[return-value]
        value = make()
        self.keep(key, value)
        return value

    def keep(self, key: Hashable, value: object) -> None:
        """Keep ``value`` for ``key`` as the newest, in place of what was kept for it."""
        with self._lock:
            self._kept[key] = value
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)

    def values(self) -> list[object]:
        """What is kept now, oldest first."""
        with self._lock:
            return list(self._kept.values())

    def clear(self) -> None:
        """Forget everything kept."""
        with self._lock:
            self._kept.clear()


def forget() -> None:
    """Forget what every memo keeps, so the next call does the work as a new process would (benchmarks time it so)."""
    for memo in _every:
        memo.clear()
