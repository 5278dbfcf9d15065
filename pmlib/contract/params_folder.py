"""The params folder: one ``params/<slug>.yml`` per report quarter.

Reading it is part of the contract stage (which quarters exist, what each
report's params are, which figures were already published), so running,
building, the manifest, data quality and the views all ask here rather than
each other.
"""

from __future__ import annotations

import os
from pathlib import Path

from pmlib.contract.config import ReportParams, read_report_params
from pmlib.contract.periods import Period, parse_quarter
from pmlib.errors import ConfigError


def params_files(params_dir: str | os.PathLike) -> dict[Period, Path]:
    """Every ``params/<slug>.yml`` by quarter, oldest first; other files are ignored."""
    out = {}
    for path in sorted(Path(params_dir).glob("*.yml")):
        try:
            out[parse_quarter(path.stem)] = path
        except ValueError:
            continue
    return dict(sorted(out.items()))


def report_params(params_dir: str | os.PathLike, quarter: str | Period | None = None) -> ReportParams:
    """The params for ``quarter`` (a code or slug), or for the latest quarter when None or ``"latest"``."""
    files = params_files(params_dir)
    if quarter == "latest":
        quarter = None
    if not files:
        raise ConfigError(f"no params files here; add one per quarter, e.g. {Path(params_dir) / '2020-21-Q2.yml'}", file=params_dir)
    if quarter is None:
        return read_report_params(files[max(files)])
    period = quarter if isinstance(quarter, Period) else parse_quarter(quarter)
    if period not in files:
        missing = Path(params_dir) / f"{period.slug}.yml"
        raise ConfigError(f"file not found; create it to report {period.code} (see the data contract)", file=missing)
    return read_report_params(files[period])


def published_dates(params_dir: str | os.PathLike, before: Period) -> list:
    """``data_as_at`` of every report for a quarter before ``before``: the already-published figures."""
    return [read_report_params(p).data_as_at for q, p in params_files(params_dir).items() if q < before]


def select_quarters(params_dir: str | os.PathLike, quarter: str | None = None, *, every: bool = False) -> list[Period]:
    """The quarters a command asks for: one by code or slug, every quarter with a params file, or the latest."""
    if quarter is not None:
        return [parse_quarter(quarter)]
    files = params_files(params_dir)
    if not files:
        raise ConfigError(f"no params files here; add one per quarter, e.g. {Path(params_dir) / '2020-21-Q2.yml'}", file=params_dir)
    return list(files) if every else [max(files)]
