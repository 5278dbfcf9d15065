"""Collecting problems while checking a data folder: one place that reads files, flags rows and finds repeats.

The checks in ``pmlib.contract.loading`` and ``pmlib.contract.figure_checks`` share this, so
every message has the same ``FILE:ROW: COLUMN`` shape and one broken file
does not flood the others with follow-on errors.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd

from pmlib.contract.memo import Memo
from pmlib.contract.tables import ROW_COLUMN, TABLES, read_table
from pmlib.errors import Problem

_read = Memo(256)
"""Each file's last reading, by how it is named and which table it is, with its sha256: after an edit only the edited file
is read again, and a file edited again and again is kept once."""


class Collector:
    """Problems, file hashes and broken files found so far while checking one data folder."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.problems: list[Problem] = []
        self.files: dict[str, str] = {}
        # Files that are missing (when required) or unreadable: rows elsewhere that refer to
        # them are not checked against them, so one broken file does not flood every other.
        self.broken: set[str] = set()

    def display(self, name: str) -> str:
        """The path as the user wrote it, for messages."""
        return os.path.join(str(self.data_dir), name)

    def read(self, name: str, columns_key: str | None = None, required: bool = True) -> pd.DataFrame | None:
        """Read and type one file, recording its hash and problems; None if it is missing or unreadable."""
        path = self.data_dir / name
        if not path.is_file():
            if required:
                self.problems.append(Problem(self.display(name), None, None, "file not found; create it as the data contract describes"))
                self.broken.add(name)
            return None
        data = path.read_bytes()
        self.files[name] = digest = hashlib.sha256(data).hexdigest()
        key = display, kind = self.display(name), columns_key or name
        read = lambda: (digest, read_table(path, display, TABLES[kind], data))  # noqa: E731
        kept, (table, problems) = _read.get(key, read)
        if kept != digest:
            _read.keep(key, fresh := read())
            table, problems = fresh[1]
        self.problems += problems
        if table is None:
            self.broken.add(name)
        return table

    def invalid(self, table: pd.DataFrame, column: str, file_column: str | None = None) -> pd.Series:
        """Rows whose ``column`` cell already has an error, so a follow-on check does not repeat it."""
        cells = {(p.file, p.row) for p in self.problems if p.column == column and p.severity == "error" and p.row is not None}
        files = table[file_column] if file_column else pd.Series(table.attrs.get("display", ""), index=table.index)
        if not cells or table.empty:
            return pd.Series(False, index=table.index)
        keys = pd.MultiIndex.from_arrays([files.astype(str), table[ROW_COLUMN].astype("int64")])
        return pd.Series(keys.isin(list(cells)), index=table.index)

    def flag(self, table: pd.DataFrame, mask, column: str, message, severity: str = "error", file_column: str | None = None) -> None:
        """Add a problem for each row where ``mask`` holds; ``message`` gets the row."""
        mask = pd.Series(mask, index=table.index).fillna(False).astype(bool)
        for _, row in table[mask].iterrows():
            file = row[file_column] if file_column else table.attrs["display"]
            self.problems.append(Problem(file, int(row[ROW_COLUMN]), column, message(row), severity))  # type: ignore[arg-type]


def empty_table(key: str) -> pd.DataFrame:
    """A typed table with no rows, standing in for an absent optional file."""
    return pd.DataFrame({c.name: pd.Series(dtype=object) for c in TABLES[key]} | {ROW_COLUMN: pd.Series(dtype="int64")})


def flag_duplicates(
    c: Collector,
    table: pd.DataFrame,
    keys: list[str],
    column: str,
    what: str,
    file_column: str | None = None,
    required: list[str] | None = None,
    hint: str = "keep one",
) -> None:
    """Flag every repeat of a key after its first appearance (in file order), saying where the first one is.

    Only keys with every ``required`` part given (default: all parts) are compared;
    other blank parts count as equal, so two whole-year targets clash.
    """
    keyed = table[required or keys].notna().all(axis=1)
    sub = table[keyed]
    if sub.empty or not sub.duplicated(keys).any():
        return
    first = sub.index.to_series().groupby([sub[k] for k in keys], sort=False, dropna=False).transform("first")
    later = first[first != first.index]
    first_row = dict(zip(later.index, table.loc[later.to_numpy(), ROW_COLUMN], strict=True))
    first_file = dict(zip(later.index, table.loc[later.to_numpy(), file_column], strict=True)) if file_column else {}

    def message(r: pd.Series) -> str:
        where = f"row {first_row[r.name]}"
        if file_column and first_file[r.name] != r[file_column]:
            where = f"{first_file[r.name]} row {first_row[r.name]}"
        return f"{what} repeats {where}; {hint}"

    c.flag(table, table.index.isin(later.index), column, message, file_column=file_column)


def a_or_an(word: str) -> str:
    """``a monthly``, ``an annual``: messages read as sentences."""
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"
