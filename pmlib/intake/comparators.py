"""``pm comparators``: other areas' published figures for one measure, from a downloaded file into ``data/comparators/``.

A performance officer downloads an indicator from ONS Explore Local
Statistics or DfE LAIT (``pmlib.intake.comparator_files`` reads both) and
names the measure it is for. Only areas in ``comparator_groups.csv`` are
kept (the rest are counted), and never the council's own area, whose
figures belong in ``observations/``. The figures are then handled as ``pm
ingest`` handles a council's own: checked with the whole data folder in a
staged copy, appended with the date they were published (``reported_on``)
and never edited, a figure already held is not added again, a changed figure
on a later date is a new version, and a changed figure on the same date is an
error. Every problem is reported at once, by the downloaded file's row and
column, and on any error nothing is written.

Each format's figures go to one file, ``comparators/ons-els.csv`` or
``comparators/dfe-lait.csv``, whatever the measure: a council sees where
each figure came from by its file and its ``source``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.contract.comparators import FOLDER
from pmlib.contract.comparators import GROUPS as GROUPS_FILE
from pmlib.contract.loading import CouncilData, check_data
from pmlib.contract.tables import ROW_COLUMN, TABLES
from pmlib.errors import NO_FILE, IntakeError, Problem, sort_problems
from pmlib.intake.comparator_files import Download, read_download
from pmlib.intake.intake_plan import FileIntake, log_intake, number_text, records_in
from pmlib.intake.versions import append_csv

COLUMNS = tuple(c.name for c in TABLES["comparators"])
_KEY = ["measure_id", "period", "area_code"]
_FIGURE = ["value", "numerator", "denominator"]


@dataclass(frozen=True)
class ComparatorsResult:
    """What one ``pm comparators`` run added (or would add), what it left out, and warnings worth reading."""

    file: str
    measure_id: str
    written_to: str
    reported_on: dt.date
    added: int
    revisions: int
    unchanged: int
    periods: tuple[str, ...]
    not_in_groups: int
    no_code: int
    not_published: int
    own: int
    own_area: str
    warnings: tuple[Problem, ...]
    written: bool

    def summary(self, data_dir: str | os.PathLike, dry_run: bool = False) -> str:
        """One paragraph, in the words the officer used: what was added where, and what was left out and why."""
        where = Path(data_dir) / self.written_to
        span = self.periods[0] if len(self.periods) == 1 else f"{self.periods[0]} to {self.periods[-1]}" if self.periods else ""
        revised = f" ({self.revisions} of them revisions)" if self.revisions else ""
        said = []
        if self.added:
            verb = "would be added" if dry_run else "added"
            said.append(f"{self.added} figure(s) dated {self.reported_on} {verb} to {where} for {self.measure_id}, {span}{revised}")
        if self.unchanged:
            said.append(f"{self.unchanged} already held")
        if self.not_in_groups:
            said.append(f"{self.not_in_groups} area(s) not in any comparator group left out")
        if self.no_code:
            said.append(f"{self.no_code} LAIT area(s) with no ONS code for the year left out (parts of London, former councils)")
        if self.not_published:
            said.append(f"{self.not_published} figure(s) not published (blank or -) left out")
        if self.own:
            said.append(f"the council's own {self.own} figure(s) ({self.own_area}) left out: they belong in observations/ (pm ingest)")
        text = "; ".join(said) + "."
        if dry_run:
            return f"Dry run, nothing written to {Path(data_dir)}: {text}"
        if not self.added:
            return f"Nothing new for {self.measure_id}, {Path(data_dir)} is unchanged: {text}"
        return text[0].upper() + text[1:]


def _refuse(problem: Problem) -> IntakeError:
    return IntakeError([problem])


def _groups(data: CouncilData, data_dir: Path) -> set[str]:
    """Every area code in the comparator groups; without any, there is nothing to keep."""
    if not len(data.comparator_groups):
        raise _refuse(
            Problem(
                str(data_dir / GROUPS_FILE),
                None,
                None,
                "no comparator groups: list the areas to compare with (group_id, name, area_code, area_name; "
                "docs/data-contract.md) before reading in their figures",
            )
        )
    return set(data.comparator_groups["area_code"].dropna())


def _same_figure(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    same = np.ones(len(a), dtype=bool)
    for col in _FIGURE:
        x, y = a[col].to_numpy("float64"), b[col].to_numpy("float64")
        same &= (x == y) | (np.isnan(x) & np.isnan(y))
    return same


def _first_of_each(rows: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """The first row of each group, with how many rows the group has (``_n``), so one message stands for many rows."""
    counted = rows.assign(_n=rows.groupby(by, sort=False)[ROW_COLUMN].transform("size"))
    return counted.drop_duplicates(by)


def _more(n: int, what: str) -> str:
    return f" ({n - 1} more row(s) {what})" if n > 1 else ""


def _row_problems(kept: pd.DataFrame, download: Download, display: str, measure_id: str) -> list[Problem]:
    """Periods that are not the measure's, cells that are not numbers, and the same area and period twice."""
    form = download.format
    problems = []
    for _, r in _first_of_each(kept[kept["period_problem"].notna()], "period_text").iterrows():
        problems.append(Problem(display, int(r[ROW_COLUMN]), form.period, r.period_problem + _more(r["_n"], "with this period")))
    for _, r in kept[kept["value_problem"].notna()].iterrows():
        problems.append(Problem(display, int(r[ROW_COLUMN]), form.value, r.value_problem))
    ok = kept[kept["period"].notna() & kept["published"]]
    repeats = ok[ok.duplicated(["area_code", "period"], keep=False)]
    first = repeats.drop_duplicates(["area_code", "period"]).set_index(["area_code", "period"])[ROW_COLUMN]
    for _, r in repeats[repeats.duplicated(["area_code", "period"])].iterrows():
        message = (
            f"a second figure for {r.area} {r.period} ({measure_id}); the first is row {first[(r.area_code, r.period)]}: "
            "keep one (read each indicator and breakdown separately, with --indicator)"
        )
        problems.append(Problem(display, int(r[ROW_COLUMN]), form.period, message))
    return problems


def _note_warnings(kept: pd.DataFrame, download: Download, display: str, groups: set[str]) -> list[Problem]:
    """An ELS note (a replaced area code) once per area, at its first row; the figures are kept under the code they give."""
    noted = kept[kept["note"].astype(str).str.strip() != ""]
    out = []
    for _, r in _first_of_each(noted, ["area_code", "note"]).iterrows():
        later = [code for code in re.findall(r"E\d{8}", r.note) if code not in groups]
        hint = f"; to compare later years add {' and '.join(later)} to {GROUPS_FILE}" if later else ""
        more = _more(r["_n"], "for this area")
        message = f"{r.area}: '{r.note}'{more}; its figures are kept under {r.area_code}{hint}"
        out.append(Problem(display, int(r[ROW_COLUMN]), "notes", message, "warning"))
    return out


def _versions(new: pd.DataFrame, held: pd.DataFrame, display: str, value_column: str) -> tuple[list[Problem], np.ndarray, np.ndarray]:
    """Same-day clashes (errors), and which new rows are already held (unchanged) or revise a held figure."""
    problems = []
    unchanged = np.zeros(len(new), dtype=bool)
    if not len(held) or not len(new):
        return problems, unchanged, np.zeros(len(new), dtype=bool)
    same_day = new.reset_index(drop=True).reset_index().merge(held, on=[*_KEY, "reported_on"], suffixes=("", "_held"))
    if len(same_day):
        same = _same_figure(same_day[_FIGURE], same_day[[f"{c}_held" for c in _FIGURE]].set_axis(_FIGURE, axis=1))
        unchanged[same_day.loc[same, "index"].to_numpy()] = True
        for _, r in same_day[~same].iterrows():
            day = r.reported_on.date()
            message = (
                f"{r.measure_id} {r.period} {r.area_code} already has a figure published on {day} that differs from this one "
                f"({r['_file_held']} row {r[ROW_COLUMN + '_held']}: {number_text(r.value_held)}); one figure a day is kept, "
                f"so date the new one by when it was published: give --reported-on {day + dt.timedelta(days=1)} or later"
            )
            problems.append(Problem(display, int(r[ROW_COLUMN]), value_column, message))
    newest = held.sort_values("reported_on", kind="stable").drop_duplicates(_KEY, keep="last")
    matched = new[_KEY].merge(newest[[*_KEY, *_FIGURE]], on=_KEY, how="left", indicator=True)
    known = (matched["_merge"] == "both").to_numpy()
    unchanged |= known & _same_figure(new.reset_index(drop=True), matched)
    return problems, unchanged, known & ~unchanged


def _cells(rows: pd.DataFrame) -> list[dict[str, str]]:
    return [
        {
            "measure_id": r.measure_id,
            "period": r.period,
            "area_code": r.area_code,
            "value": number_text(r.value),
            "numerator": "",
            "denominator": "",
            "source": r.source,
            "reported_on": f"{r.reported_on:%Y-%m-%d}",
        }
        for r in rows.itertuples()
    ]


def _staged_check(data_dir: Path, target: str, new: pd.DataFrame, before: list[Problem], download: Download) -> list[Problem]:
    """Check the folder as it would be after the append, in a copy; point each new finding at the downloaded row it came from."""
    columns = {"period": download.format.period, "area_code": download.format.area, "value": download.format.value}
    columns |= {"reported_on": "--reported-on", "source": "--source", "measure_id": "--measure"}
    seen = {(p.file, p.row, p.column, p.message) for p in before}
    with tempfile.TemporaryDirectory(prefix="pm-comparators-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data_dir, copy)
        staged = copy / FOLDER / target
        staged.parent.mkdir(exist_ok=True)
        skip = records_in(staged)
        append_csv(staged, COLUMNS, _cells(new))
        _, after = check_data(copy)
    found = []
    for p in after:
        p = replace(p, file=p.file.replace(str(copy), str(data_dir)), message=p.message.replace(str(copy), str(data_dir)))
        i = None if p.row is None else p.row - 2 - skip
        if Path(p.file) == data_dir / FOLDER / target and i is not None and 0 <= i < len(new):
            origin = new.iloc[i]
            found.append(Problem(origin["_file"], int(origin[ROW_COLUMN]), columns.get(p.column, p.column), p.message, p.severity))
        elif (p.file, p.row, p.column, p.message) not in seen:
            found.append(p)
    return found


def import_comparators(
    file: str | os.PathLike,
    measure_id: str,
    data_dir: str | os.PathLike = "data",
    *,
    source: str | None = None,
    reported_on: dt.date | None = None,
    indicator: str | None = None,
    calendar_years: bool = False,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> ComparatorsResult:
    """Read one downloaded file's figures for ``measure_id`` into ``data_dir/comparators/``, or raise ``IntakeError`` and write nothing.

    ``reported_on`` is the date the figures were published (default today):
    a report uses them only if its ``data_as_at`` is on or after it.
    """
    path, data_dir, today = Path(file), Path(data_dir), today or dt.date.today()
    display, day = str(file), reported_on or today
    data, before = check_data(data_dir)
    if data is None:
        errors = [p for p in before if p.severity == "error"]
        raise IntakeError([Problem(str(data_dir), None, None, "the data folder has errors already; fix them (pm check) first"), *errors])
    if measure_id not in data.measures.index:
        known = ", ".join(data.measures.index[:12]) + (", ..." if len(data.measures) > 12 else "")
        raise _refuse(Problem(NO_FILE, None, "--measure", f"'{measure_id}' is not a measure_id in measures.csv (it has {known})"))
    own = data.council.area_code
    if not own:
        message = "area_code is not set; add the council's ONS GSS code (area_code: E06000058) so its own figures can be told apart"
        raise _refuse(Problem(str(data_dir / "council.yml"), None, "area_code", message))
    groups = _groups(data, data_dir)
    download, problems = read_download(path, display, measure_id, data.measures.at[measure_id, "frequency"], indicator, calendar_years)
    if download is None:
        raise IntakeError(sort_problems(problems))

    problems += download.problems
    rows = download.rows
    is_own = (rows["area_code"] == own).to_numpy()
    in_groups = rows["area_code"].isin(groups).to_numpy()
    kept = rows[in_groups & ~is_own]
    if kept.empty:
        message = (
            f"none of its {rows['area'].nunique()} areas is in {GROUPS_FILE}; add the areas to compare with there first "
            "(by ONS code), or check this is the file you meant"
        )
        raise IntakeError(sort_problems([*problems, Problem(display, None, download.format.area, message)]))
    problems += _row_problems(kept, download, display, measure_id)
    warnings = _note_warnings(kept, download, display, groups)
    figures = kept[kept["period"].notna() & kept["published"]]
    new = pd.DataFrame(
        {
            "measure_id": measure_id,
            "period": figures["period"].to_numpy(),
            "area_code": figures["area_code"].to_numpy(),
            "value": figures["value"].to_numpy("float64"),
            "numerator": np.nan,
            "denominator": np.nan,
            "source": source or download.source,
            "reported_on": pd.Timestamp(day),
            ROW_COLUMN: figures[ROW_COLUMN].to_numpy(),
            "_file": display,
        }
    ).sort_values(["period", "area_code"], kind="stable")
    new["reported_on"] = new["reported_on"].astype("datetime64[us]")
    held = data.comparators.assign(_file=data.comparators["file"])
    clashes, unchanged, revisions = _versions(new, held, display, download.format.value)
    problems += clashes
    if any(p.severity == "error" for p in problems):
        raise IntakeError(sort_problems(problems + warnings))
    added = new[~unchanged].reset_index(drop=True)
    target = download.format.target
    if len(added):
        problems += _staged_check(data_dir, target, added, before, download)
    if any(p.severity == "error" for p in problems):
        raise IntakeError(sort_problems(problems + warnings))

    written = bool(len(added)) and not dry_run
    if written:
        (data_dir / FOLDER).mkdir(exist_ok=True)
        append_csv(data_dir / FOLDER / target, COLUMNS, _cells(added))
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entry = FileIntake(path.name, digest, len(added), int(revisions.sum()), int(unchanged.sum()), f"{FOLDER}/{target}")
        log_intake(data_dir, [entry], today)
    left = rows[~in_groups & ~is_own]
    coded = left["area_code"].notna()
    return ComparatorsResult(
        file=display,
        measure_id=measure_id,
        written_to=f"{FOLDER}/{target}",
        reported_on=day,
        added=len(added),
        revisions=int(revisions.sum()),
        unchanged=int(unchanged.sum()),
        periods=tuple(sorted(added["period"].unique())),
        not_in_groups=int(left.loc[coded, "area_code"].nunique()),
        no_code=int(left.loc[~coded, "area"].nunique()),
        not_published=int((kept["period"].notna() & ~kept["published"] & kept["value_problem"].isna()).sum()),
        own=int(is_own.sum()),
        own_area=own,
        warnings=tuple(sort_problems([p for p in problems if p.severity == "warning"] + warnings)),
        written=written,
    )
