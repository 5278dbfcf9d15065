"""Reading returned figures into ``data/observations/``: returns first, then the contract's checks, then one write.

A returned workbook is untrusted input from a service unit. Every cell is
read for what it really holds (a formula, a date Excel made of a figure, a
percent-formatted fraction, text) and every problem is named by file, sheet
and cell with the fix. The new rows are then checked with the whole data
folder, exactly as ``pm check`` would, in a scratch copy; only when nothing
is wrong are they appended to ``data/observations/`` (existing rows are
never edited or removed: ``pmlib.intake.intake_plan``), so a bad return
leaves ``data/`` byte-identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.contract.loading import CouncilData, check_data
from pmlib.contract.periods import Period
from pmlib.contract.tables import ROW_COLUMN, TABLES, missing_file, read_table
from pmlib.engine.figures import figures_as_at
from pmlib.errors import IntakeError, Problem, sort_problems
from pmlib.intake.intake_plan import OBSERVATION_COLUMNS, FileIntake, IntakePlan, IntakeResult, append_rows, records_in
from pmlib.intake.late import LateCheck, dated, late_warnings, report_dates
from pmlib.intake.return_commentary import (
    COMMENTARY_CSV_COLUMNS,
    append_commentary,
    commentary_given,
    commentary_versions,
    shortfall_warnings,
)
from pmlib.intake.return_forecasts import append_forecasts, forecast_versions, forecasts_given
from pmlib.intake.returns import owner_slug
from pmlib.intake.saved_sheets import saved_return_problem
from pmlib.intake.supplied_on import date_warnings, with_date_warnings
from pmlib.intake.workbooks import WorkbookReader

_SCRATCH = "~intake.csv"
_CSV_COLUMNS = tuple(replace(c, required=False, nonblank=False) if c.name == "reported_on" else c for c in TABLES["observations"])


def _read_csv(path: Path, display: str, default_date: dt.date) -> tuple[pd.DataFrame, list[Problem]]:
    saved = saved_return_problem(path, display)
    if saved is not None:
        return pd.DataFrame(), [saved]
    table, problems = read_table(path, display, _CSV_COLUMNS)
    if table is None:
        return pd.DataFrame(), problems
    undated = table["reported_on"].isna()
    table["reported_on"] = table["reported_on"].fillna(pd.Timestamp(default_date))
    origin = [{c: (display, int(r), c) for c in OBSERVATION_COLUMNS} for r in table[ROW_COLUMN]]
    return table.assign(_origin=origin, _target=f"intake-{owner_slug(path.stem)}.csv", _undated=undated), problems


@dataclass(frozen=True)
class FileRead:
    """What one file gives: figures, commentary, the measures its Commentary sheet asked about, and its problems.

    ``quarter`` is a return's quarter (None for a CSV), and ``undated`` says
    its Supplied on was blank, so all it gives is dated by default (a CSV
    says so row by row, in ``_undated``).
    """

    rows: pd.DataFrame
    commentary: pd.DataFrame
    asked: list[dict]
    problems: list[Problem]
    quarter: Period | None = None
    undated: bool = False


def read_file(path: Path, data: CouncilData, default_date: dt.date) -> FileRead:
    """One returned file read for ``data``'s council, by its type (a return workbook or a CSV of figures); never raises."""
    display = str(path)
    if not path.is_file():
        return FileRead(pd.DataFrame(), pd.DataFrame(), [], [missing_file(path, display)])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows, problems = _read_csv(path, display, default_date)
        return FileRead(rows, pd.DataFrame(), [], problems)
    if suffix in (".xlsx", ".xlsm"):
        reader = WorkbookReader(path, display, data)
        rows = reader.read(default_date)
        if reader.quarter is not None:
            rows = rows.assign(_target=f"returns-{reader.quarter.slug.lower()}-{owner_slug(reader.owner)}.csv")
        return FileRead(rows, reader.commentary, reader.asked, reader.problems, reader.quarter, reader.undated)
    hint = "save it as Excel Workbook (.xlsx)" if suffix in (".xls", ".ods", ".numbers") else "read in a return workbook (.xlsx) or a CSV"
    refused = Problem(display, None, None, f"'{path.suffix or path.name}' files cannot be read in; {hint}")
    return FileRead(pd.DataFrame(), pd.DataFrame(), [], [refused])


def _same_figure(rows: pd.DataFrame, held: pd.DataFrame) -> np.ndarray:
    same = np.ones(len(rows), dtype=bool)
    for col in ("value", "numerator", "denominator"):
        x, y = rows[col].to_numpy("float64"), held[col].to_numpy("float64")
        same &= (x == y) | (np.isnan(x) & np.isnan(y))
    quality = lambda s: s.fillna("validated").replace("", "validated").to_numpy(object)  # noqa: E731
    return same & (quality(rows["quality"]) == quality(held["quality"]))


def _same_day(rows: pd.DataFrame, observations: pd.DataFrame, undated: set[str]) -> tuple[list[Problem], np.ndarray]:
    """Rows whose measure, period and date are already held: the same figure is skipped; a different one cannot be kept.

    The contract keeps one figure per measure, period and day, so a
    correction needs a later date; the message says which date to give, and
    where: a return's Supplied on, or ``--reported-on`` only for a return in
    ``undated`` (Supplied on blank), since a date in Supplied on wins. A
    return's problem is on the figure that changed, so it is found beside
    any other problem on that row.
    """
    keys = ["measure_id", "period", "reported_on"]
    held = observations[keys + ["value", "numerator", "denominator", "quality", "source", ROW_COLUMN]]
    held = held.rename(columns={c: f"held_{c}" for c in held.columns if c not in keys})
    both = rows.assign(_i=np.arange(len(rows))).merge(held, on=keys)
    exact = np.zeros(len(rows), dtype=bool)
    problems = []
    if both.empty:
        return problems, exact
    figure = ["value", "numerator", "denominator", "quality"]
    same = _same_figure(both[figure], both[[f"held_{c}" for c in figure]].set_axis(figure, axis=1))
    exact[both.loc[same, "_i"].to_numpy()] = True
    for _, r in both[~same].iterrows():
        file, row, column = r["_origin"]["reported_on"]
        day = r["reported_on"].date()
        later, held_at = day + dt.timedelta(days=1), f"{r.held_source} row {r[f'held_{ROW_COLUMN}']}"
        fix = f"give reported_on {later} or later"
        if column != "reported_on":
            fix = (
                f"give a date of {later} or later in Supplied on ({column}, blank now) or with --reported-on"
                if r["_file"] in undated
                else f"set Supplied on ({column}) to {later} or later"
            )
            file, row, column = r["_origin"][_changed(r)]
        problems.append(
            Problem(
                file,
                row,
                column,
                f"{r.measure_id} {r.period} already has a figure reported on {day} that differs from this one ({held_at}); "
                f"one figure per day is kept, so date the correction later: {fix}",
            )
        )
    return problems, exact


def _changed(r: pd.Series) -> str:
    """The first figure cell of a row that differs from the held one's (its ``held_`` columns); else its quality changed."""
    for c in ("value", "numerator", "denominator"):
        given, held = r[c], r[f"held_{c}"]
        if given != held and not (pd.isna(given) and pd.isna(held)):
            return c
    return "quality"


def _repeats(rows: pd.DataFrame) -> list[Problem]:
    """The same measure, period and date twice among the files read in, named by the files and rows the user sees."""
    keys = ["measure_id", "period", "reported_on"]
    first = rows.groupby(keys, sort=False).cumcount() > 0
    if not first.any():
        return []
    firsts = rows[~first].set_index(keys)["_origin"]
    problems = []
    for _, r in rows[first].iterrows():
        file, row, column = r["_origin"]["reported_on"]
        f_file, f_row, _ = firsts.loc[(r.measure_id, r.period, r.reported_on)]["measure_id"]
        where = f"row {f_row}" if f_file == file else f"{f_file} row {f_row}"
        problems.append(
            Problem(
                file,
                row,
                column,
                f"a figure for this measure, period and reported_on date repeats {where}; "
                "keep one, or give a revised figure a later reported_on date",
            )
        )
    return problems


def _touches(frame: pd.DataFrame, refused: set[tuple[str, int | None]]) -> np.ndarray:
    """Which rows read in came from a row already refused, by any cell but their date.

    They are left out of the check against the data folder: it would only
    report them again, in other words (a missing numerator as a ratio
    without one). A workbook's Supplied on is every row's, so a problem
    there (a date that is not one, a text changed on the same day) would
    otherwise hide every other problem in the return; a repeated date is
    the one thing the check would say again, and ``_scratch_check`` leaves
    that out.
    """
    places = frame["_origin"] if len(frame) else []
    touched = (any((file, row) in refused for key, (file, row, _) in origin.items() if key != "reported_on") for origin in places)
    return np.fromiter(touched, dtype=bool, count=len(frame))


def _scratch_check(
    data_dir: Path, rows: pd.DataFrame, notes: pd.DataFrame, forecasts: pd.DataFrame
) -> tuple[list[Problem], CouncilData | None]:
    """Check the new rows with the whole data folder, in a copy, and point each finding at the cell it came from.

    The copy's data (None if it has errors) is returned too: the measures are
    judged on it, with the figures just supplied.
    """
    with tempfile.TemporaryDirectory(prefix="pm-ingest-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data_dir, copy)
        scratch = copy / "observations" / _SCRATCH
        sources = {str(scratch): (rows, 0), str(copy / "commentary.csv"): (notes, 0), str(copy / "forecasts.csv"): (forecasts, 0)}
        if len(rows):
            append_rows(scratch, rows, new=True)
        for path, frame, append in (
            (copy / "commentary.csv", notes, append_commentary),
            (copy / "forecasts.csv", forecasts, append_forecasts),
        ):
            if len(frame):
                sources[str(path)] = (frame, records_in(path))
                append(path, frame)
        data, problems = check_data(copy)
    mapped = []
    for p in problems:
        if p.file not in sources or (p.column == "reported_on" and p.severity == "error"):
            continue  # the only such error is a date repeated, which _repeats, _same_day and dated_versions have said
        frame, skip = sources[p.file]
        p = replace(p, message=p.message.replace(str(copy), str(data_dir)))
        i = None if p.row is None else p.row - 2 - skip
        if i is None or p.column is None or not 0 <= i < len(frame):
            if p.file == str(scratch):
                mapped.append(Problem(str(data_dir), None, None, p.message, p.severity))
            continue
        origin = frame.iloc[i]["_origin"]
        file, row, column = origin.get(p.column, origin["measure_id"])
        if p.column == "reported_on" and "!" in column:
            continue  # a return's date before its periods end: date_warnings says it once, on Supplied on, not once per figure
        mapped.append(Problem(file, row, column, p.message, p.severity))
    return mapped, data


def checked_folder(data_dir: Path) -> tuple[CouncilData | None, list[Problem]]:
    """The data folder's data, or None and the problems: figures are only read into a folder that passes ``pm check``."""
    data, problems = check_data(data_dir)
    if data is not None:
        return data, []
    before = [p for p in problems if p.severity == "error"]
    return None, [Problem(str(data_dir), None, None, "the data folder has errors already; fix them (pm check) first")] + before


def named_once(files: list[str | os.PathLike]) -> list[Path]:
    """Each file once, as first named: a file named twice (``inbox/a.xlsx inbox/a.xlsx``) would otherwise repeat every one of its rows."""
    first: dict[Path, Path] = {}
    for path in map(Path, files):
        first.setdefault(path.resolve(), path)
    return list(first.values())


def ingest(
    files: list[str | os.PathLike],
    data_dir: str | os.PathLike = "data",
    reported_on: dt.date | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
    params_dir: str | os.PathLike | None = None,
) -> IntakeResult:
    """Read returned workbooks and CSV files into ``data_dir/observations/``, or raise ``IntakeError`` and write nothing.

    ``reported_on`` dates figures whose file gives no date (default: today).
    A figure equal to the one already held for its period is not added
    again; a different one becomes a revision with its own date.
    ``params_dir`` (default: ``params`` beside ``data_dir``, the project's
    layout) gives each report's ``data_as_at``, so figures dated by default
    after the report they are for is as at are warned of.
    """
    data_dir, today = Path(data_dir), today or dt.date.today()
    data, problems = checked_folder(data_dir)
    if data is None:
        raise IntakeError(problems)
    paths = named_once(files)
    reads = [(path, read_file(path, data, reported_on or today)) for path in paths]
    reads = with_date_warnings(reads, date_warnings(reads, today, dated(reported_on)))
    params_dir = data_dir.parent / "params" if params_dir is None else params_dir
    late = LateCheck(report_dates(params_dir), written=not dry_run, dated=dated(reported_on))
    plan = plan_intake(data_dir, data, reads, today, late)
    if not dry_run:
        plan.write()
    return plan.result(not dry_run)


def plan_intake(
    data_dir: Path, data: CouncilData, reads: list[tuple[Path, FileRead]], today: dt.date, late: LateCheck | None = None
) -> IntakePlan:
    """Check what the files read give against the data folder, by every rule of ``ingest``; raise ``IntakeError`` on any error."""
    frames, notes, asked, problems = [], [], [], []
    for path, got in reads:
        problems += got.problems
        asked += got.asked
        if len(got.rows):
            frames.append(got.rows.assign(_file=str(path)))
        if len(got.commentary):
            notes.append(got.commentary.assign(_file=str(path)))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*OBSERVATION_COLUMNS, "_origin", "_file", "_target"])
    sheets = pd.concat(notes, ignore_index=True) if notes else pd.DataFrame()
    said = commentary_given(sheets) if len(sheets) else pd.DataFrame(columns=[*COMMENTARY_CSV_COLUMNS, "_origin", "_file"])
    forecasts = forecasts_given(sheets)
    exact, clashes = np.zeros(len(rows), dtype=bool), []
    if len(rows):
        problems += _repeats(rows)
        clashes, exact = _same_day(rows, data.observations, {str(path) for path, got in reads if got.undated})
    said_problems, said_unchanged = commentary_versions(said, data.commentary)
    forecast_clashes, forecasts_unchanged = forecast_versions(forecasts, data.forecasts)
    problems += said_problems + forecast_clashes
    refused = {(p.file, p.row) for p in problems if p.severity == "error"}
    problems += clashes  # on the changed figure, whose row is still checked: a clash says nothing of its other cells
    if refused:  # what read well is still checked against the data folder, so every error comes out at once
        keep, keep_said, keep_forecasts = (~_touches(frame, refused) for frame in (rows, said, forecasts))
        rows, exact = rows[keep].reset_index(drop=True), exact[keep]
        said, said_unchanged = said[keep_said].reset_index(drop=True), said_unchanged[keep_said]
        forecasts, forecasts_unchanged = forecasts[keep_forecasts].reset_index(drop=True), forecasts_unchanged[keep_forecasts]

    held = figures_as_at(data.observations).set_index(["measure_id", "period"])
    keys = pd.MultiIndex.from_frame(rows[["measure_id", "period"]]) if len(rows) else pd.MultiIndex.from_tuples([], names=["a", "b"])
    known = keys.isin(held.index)
    unchanged = exact.copy()
    if known.any():
        unchanged[known] |= _same_figure(rows[known].reset_index(drop=True), held.loc[keys[known]].reset_index(drop=True))
    new = rows[~unchanged].reset_index(drop=True)
    new_said = said[~said_unchanged].reset_index(drop=True)
    new_forecasts = forecasts[~forecasts_unchanged].reset_index(drop=True)
    judged_data = data
    if len(new) or len(new_said) or len(new_forecasts):
        found, judged_data = _scratch_check(data_dir, new, new_said, new_forecasts)
        problems += found
    if any(p.severity == "error" for p in problems):
        raise IntakeError(sort_problems(problems))
    problems += shortfall_warnings(judged_data or data, pd.DataFrame(asked))
    if late is not None:
        problems += late_warnings(reads, new, new_said, new_forecasts, data.measures, late)

    entries = []
    for path, _ in reads:
        mine = rows["_file"] == str(path)
        mine_said = int((new_said["_file"] == str(path)).sum()) if len(new_said) else 0
        mine_forecasts = int((new_forecasts["_file"] == str(path)).sum()) if len(new_forecasts) else 0
        target = rows.loc[mine, "_target"].iloc[0] if mine.any() else ""
        written = [f"observations/{target}"] if (mine & ~unchanged).any() else []
        entries.append(
            FileIntake(
                file=path.name,
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                added=int((mine & ~unchanged).sum()),
                revisions=int((mine & ~unchanged & known).sum()),
                unchanged=int((mine & unchanged).sum()),
                written_to=" ".join(written + (["commentary.csv"] if mine_said else []) + (["forecasts.csv"] if mine_forecasts else [])),
                commentary=mine_said,
                forecasts=mine_forecasts,
            )
        )
    warnings = tuple(sort_problems([p for p in problems if p.severity == "warning"]))
    return IntakePlan(data_dir, today, new, new_said, new_forecasts, tuple(entries), warnings)
