"""What reading in writes to a data folder, worked out before anything is written and then written in one step.

A data folder is only appended to: new figures go to the end of their file
in ``observations/`` (its own header order kept), commentary and forecasts
to theirs, and each file read in gets a line in ``intake-log.csv``. Every
file is replaced whole, never left half-written. What would be written is
an ``IntakePlan`` first, so ``pm ingest`` writes nothing on an error and a
shared service's councils go in together or not at all
(``pmlib.intake.shared_ingest``); ``pm comparators`` appends and logs the
same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.errors import Problem
from pmlib.intake.return_commentary import append_commentary
from pmlib.intake.return_forecasts import append_forecasts

OBSERVATION_COLUMNS = ("measure_id", "period", "value", "numerator", "denominator", "quality", "note", "reported_on")
LOG_FILE = "intake-log.csv"
LOG_COLUMNS = ("ingested_on", "file", "sha256", "figures_added", "revisions", "unchanged", "written_to")


@dataclass(frozen=True)
class FileIntake:
    """What one returned file adds: new figures (revisions among them), figures already held, new commentary and forecasts, and where."""

    file: str
    sha256: str
    added: int
    revisions: int
    unchanged: int
    written_to: str
    commentary: int = 0
    forecasts: int = 0


@dataclass(frozen=True)
class IntakeResult:
    """The outcome of one ``ingest`` call: per file, plus warnings worth reading."""

    files: tuple[FileIntake, ...]
    warnings: tuple[Problem, ...]
    written: bool


def records_in(path: Path) -> int:
    """How many records a CSV already holds after its header (blank lines count, as ``read_table`` numbers rows)."""
    return sum(1 for _ in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))) - 1 if path.is_file() else 0


def number_text(value: float) -> str:
    """A figure as the CSV files write it: shortest exact form, no trailing zeros, blank for none."""
    return "" if np.isnan(value) else np.format_float_positional(value, trim="-")


def _csv_lines(rows: pd.DataFrame, columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for _, r in rows.iterrows():
        cells = {
            "measure_id": r["measure_id"],
            "period": r["period"],
            "value": number_text(r["value"]),
            "numerator": number_text(r["numerator"]),
            "denominator": number_text(r["denominator"]),
            "quality": r["quality"] if isinstance(r["quality"], str) else "",
            "note": r["note"] if isinstance(r["note"], str) else "",
            "reported_on": f"{r['reported_on']:%Y-%m-%d}",
        }
        writer.writerow([cells.get(c, "") for c in columns])
    return out.getvalue()


def append_rows(path: Path, rows: pd.DataFrame, new: bool = False) -> None:
    """Append rows to an observations file (its own header order kept), replacing the file in one step."""
    old = b"" if new or not path.is_file() else path.read_bytes()
    if old:
        columns = next(csv.reader(io.StringIO(old.decode("utf-8-sig"))))
        if not old.endswith(b"\n"):
            old += b"\n"
    else:
        columns = list(OBSERVATION_COLUMNS)
        old = (",".join(columns) + "\n").encode("utf-8")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(old + _csv_lines(rows, columns).encode("utf-8"))
    os.replace(tmp, path)


def log_intake(data_dir: Path, entries: list[FileIntake], today: dt.date) -> None:
    """A line per file read in, in ``intake-log.csv``: what an auditor traces a published figure back to."""
    path = data_dir / LOG_FILE
    text = path.read_text(encoding="utf-8") if path.is_file() else ",".join(LOG_COLUMNS) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for e in entries:
        writer.writerow([f"{today:%Y-%m-%d}", e.file, e.sha256, e.added, e.revisions, e.unchanged, e.written_to])
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text + out.getvalue(), encoding="utf-8")
    os.replace(tmp, path)


@dataclass(frozen=True)
class IntakePlan:
    """What reading files into one data folder would write, found before anything is written, so several folders can go in together."""

    data_dir: Path
    today: dt.date
    new: pd.DataFrame
    said: pd.DataFrame
    forecasts: pd.DataFrame
    entries: tuple[FileIntake, ...]
    warnings: tuple[Problem, ...]

    @property
    def anything(self) -> bool:
        """Whether there is anything to write."""
        return bool(len(self.new) or len(self.said) or len(self.forecasts))

    def write(self) -> None:
        """Append the new rows to the data folder and log each file (nothing when there is nothing new)."""
        if not self.anything:
            return
        for target, group in self.new.groupby("_target", sort=True):
            append_rows(self.data_dir / "observations" / target, group)
        if len(self.said):
            append_commentary(self.data_dir / "commentary.csv", self.said)
        if len(self.forecasts):
            append_forecasts(self.data_dir / "forecasts.csv", self.forecasts)
        log_intake(self.data_dir, list(self.entries), self.today)

    def result(self, written: bool) -> IntakeResult:
        """The outcome as ``ingest`` reports it."""
        return IntakeResult(self.entries, self.warnings, written and self.anything)
