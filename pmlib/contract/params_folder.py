"""The params folder: one ``params/<slug>.yml`` per report quarter.

Reading it is part of the contract stage (which quarters exist, what each
report's params are, which figures were already published), so running,
building, the manifest, data quality and the views all ask here rather than
each other.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pmlib.contract.config import ReportParams, check_report_params, read_report_params
from pmlib.contract.periods import Period, parse_quarter
from pmlib.errors import ConfigError, DataContractError, Problem

_YAML_SUFFIXES = (".yml", ".yaml")


def params_files(params_dir: str | os.PathLike) -> dict[Period, Path]:
    """Every ``params/<slug>.yml`` by quarter, oldest first; other files are ignored."""
    out = {}
    for path in sorted(Path(params_dir).glob("*.yml")):
        try:
            out[parse_quarter(path.stem)] = path
        except ValueError:
            continue
    return dict(sorted(out.items()))


def unread_files(params_dir: str | os.PathLike) -> list[Path]:
    """Files in the params folder that ``params_files`` leaves out but that look meant as params: YAML, or named like a quarter."""
    folder = Path(params_dir)
    read = set(params_files(folder).values())
    out = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        if path in read or not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix.lower() in _YAML_SUFFIXES or _meant_quarter(path) is not None:
            out.append(path)
    return out


def _meant_quarter(path: Path) -> Period | None:
    """The quarter a file's name means, whatever its case (``2020-21-q2.yaml``); None when it names none."""
    try:
        return parse_quarter(path.stem.upper())
    except ValueError:
        return None


def _unread_problem(path: Path, display: str) -> Problem:
    meant = _meant_quarter(path)
    named = "after its quarter, such as 2020-21-Q2.yml" if meant is None else f"{meant.slug}.yml"
    return Problem(
        display, None, None, f"not read: a report's params file is named {named}; rename it, or move it out of the folder", "warning"
    )


def check_params_folder(
    params_dir: str | os.PathLike, display: Callable[[Path], str] = str, *, before: Period | None = None
) -> tuple[dict[Period, ReportParams], list[Problem]]:
    """Every params file read, each one's problems, and a warning for each file left unread; ``before`` reads only earlier quarters.

    The params of a file with an error are left out, so a caller that needs
    every file checks for errors among the problems rather than counting.
    """
    params: dict[Period, ReportParams] = {}
    problems: list[Problem] = []
    for q, path in params_files(params_dir).items():
        if before is None or q < before:
            found, found_problems = check_report_params(path, display(path))
            problems += found_problems
            if found is not None:
                params[q] = found
    if before is None:
        problems += [_unread_problem(path, display(path)) for path in unread_files(params_dir)]
    return params, problems


def _no_params(params_dir: str | os.PathLike) -> ConfigError:
    unread = [p.name for p in unread_files(params_dir)]
    if unread:
        return ConfigError(f"no params file is read here: {', '.join(unread)} not named as a quarter, e.g. 2020-21-Q2.yml", file=params_dir)
    return ConfigError(f"no params files here; add one per quarter, e.g. {Path(params_dir) / '2020-21-Q2.yml'}", file=params_dir)


def missing_params(params_dir: str | os.PathLike, period: Period) -> str:
    """Why there is no report for ``period``, naming a file beside it meant for it but not read (``2020-21-q2.yml``, ``.yaml``)."""
    meant = [p.name for p in unread_files(params_dir) if _meant_quarter(p) == period]
    if meant:
        return f"file not found; {meant[0]} is not read: rename it {period.slug}.yml"
    return f"file not found; create it to report {period.code} (see the data contract)"


def report_params(params_dir: str | os.PathLike, quarter: str | Period | None = None) -> ReportParams:
    """The params for ``quarter`` (a code or slug), or for the latest quarter when None or ``"latest"``."""
    files = params_files(params_dir)
    if quarter == "latest":
        quarter = None
    if not files:
        raise _no_params(params_dir)
    if quarter is None:
        return read_report_params(files[max(files)])
    period = quarter if isinstance(quarter, Period) else parse_quarter(quarter)
    if period not in files:
        missing = Path(params_dir) / f"{period.slug}.yml"
        raise ConfigError(missing_params(params_dir, period), file=missing)
    return read_report_params(files[period])


def published_dates(params_dir: str | os.PathLike, before: Period) -> list:
    """``data_as_at`` of every report for a quarter before ``before``: the already-published figures.

    Raises ``DataContractError`` with every earlier file's problems, not the first file's alone.
    """
    params, problems = check_params_folder(params_dir, before=before)
    if any(p.severity == "error" for p in problems):
        raise DataContractError(problems)
    return [p.data_as_at for p in params.values()]


def select_quarters(params_dir: str | os.PathLike, quarter: str | None = None, *, every: bool = False) -> list[Period]:
    """The quarters a command asks for: one by code or slug, every quarter with a params file, or the latest."""
    if quarter is not None:
        return [parse_quarter(quarter)]
    files = params_files(params_dir)
    if not files:
        raise _no_params(params_dir)
    return list(files) if every else [max(files)]
