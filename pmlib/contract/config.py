"""The two YAML files a council writes: ``data/council.yml`` and ``params/<slug>.yml``.

Both are strict pydantic models, but their errors are rewritten as
``FILE:LINE: KEY: message`` problems, so a performance officer sees the line
to fix rather than a validation traceback.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pmlib.contract.periods import Period, parse_quarter
from pmlib.errors import DataContractError, PeriodError, Problem, sort_problems


def _date(value: Any) -> Any:
    """A date as the CSV files take it, YYYY-MM-DD; pydantic alone would read a number as seconds since 1970."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.datetime.strptime(str(value).strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2020-10-31") from None


def _word(value: Any) -> Any:
    """Words are read whatever their case, as in the CSV files (``Tolerance``, ``Public``)."""
    return value.strip().lower() if isinstance(value, str) else value


class Council(BaseModel):
    """Who publishes, which status method their framework uses, and how residents reach them (for the accessibility statement).

    ``area_code`` (contract v2, optional) is the council's ONS GSS code, which
    comparisons with other areas need; without comparator files it is unused.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    status_method: Literal["intervention", "tolerance"] = "intervention"
    tolerance_pct: float = Field(default=5, ge=0, lt=100)
    contact_email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    contact_url: str | None = Field(default=None, pattern=r"^https://\S+$")
    accessibility_reviewed: dt.date | None = None
    area_code: str | None = None

    _dates = field_validator("accessibility_reviewed", mode="before")(_date)
    _words = field_validator("status_method", mode="before")(_word)

    @field_validator("area_code", mode="before")
    @classmethod
    def _area_code(cls, value: Any) -> str | None:
        """An ONS GSS code: comparisons find the council's own figures, and refuse them in comparators/, by it."""
        if value is None:
            return None
        text = str(value).strip()
        # [0-9], not \d: other scripts' digits are no code.
        if not re.fullmatch(r"[EWSN][0-9]{8}", text):
            raise ValueError(
                f"'{value}' is not an ONS area code; write the council's GSS code, a capital E, W, S or N and eight digits, e.g. E06000058"
            )
        return text


class ReportParams(BaseModel):
    """One published report: its quarter, meeting, and the date its figures are frozen at.

    ``returns_due`` (contract v2, optional) is the date service units' returns
    for the quarter are due. The contract ties it to no other date, so only
    its form is checked: a bad date is a problem on its line, like any other.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", arbitrary_types_allowed=True)

    quarter: Period
    title: str = "Corporate Performance Report"
    meeting: str = "Cabinet"
    meeting_date: dt.date
    data_as_at: dt.date
    returns_due: dt.date | None = None
    audience: Literal["public", "internal"] = "public"
    parameters: dict[str, str | int | float | bool | None] = Field(default_factory=dict)

    _dates = field_validator("meeting_date", "data_as_at", "returns_due", mode="before")(_date)
    _words = field_validator("audience", mode="before")(_word)

    @field_validator("parameters")
    @classmethod
    def _parameter_names(cls, value: dict) -> dict:
        bad = [k for k in value if not str(k).isidentifier()]
        if bad:
            raise ValueError(f"notebook parameter names must be Python names (letters, digits, _): {', '.join(map(str, bad))}")
        return value

    @field_validator("quarter", mode="before")
    @classmethod
    def _quarter(cls, value: Any) -> Period:
        if isinstance(value, Period):
            return value
        try:
            return parse_quarter(str(value))
        except PeriodError as exc:
            raise ValueError(exc.problems[0].message) from None


_HINTS = {
    "literal_error": "use one of the allowed words",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD",
    "date_parsing": "write the date as YYYY-MM-DD",
    "date_type": "write the date as YYYY-MM-DD",
    "float_parsing": "write a plain number",
    "string_type": "write the text after the colon",
}


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date becomes a problem on its line, not a crash."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _keys(text: str) -> list[tuple[str, int]]:
    """Each top-level key with its line (1-based), in the file's order, repeats included."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(str(k.value), k.start_mark.line + 1) for k, _ in node.value]


def _key_lines(text: str) -> dict[str, int]:
    """Line of each top-level key, so problems point at the line to edit; a repeated key's last line, whose value YAML keeps."""
    return dict(_keys(text))


def _key_problems(text: str, display: str, raw: dict, model: type[BaseModel]) -> list[Problem]:
    """A key written twice, and keys the contract does not know: ignored with a warning, unless one looks like a misspelt key."""
    problems, first = [], {}
    for key, line in _keys(text):
        if key in first:
            problems.append(Problem(display, line, key, f"key appears twice (first on line {first[key]}); keep one"))
        first.setdefault(key, line)
    for key in raw:
        if key in model.model_fields:
            continue
        meant = difflib.get_close_matches(str(key), list(model.model_fields), n=1, cutoff=0.8)
        if meant:
            message = f"unknown key; did you mean '{meant[0]}'? Correct its spelling, or the default is used"
            problems.append(Problem(display, first.get(str(key)), str(key), message))
        else:
            problems.append(Problem(display, first.get(str(key)), str(key), "unknown key, ignored", "warning"))
    return problems


def _read_model(path: Path, display: str, model: type[BaseModel]) -> tuple[BaseModel | None, list[Problem]]:
    if not path.is_file():
        return None, [Problem(display, None, None, "file not found; create it as the data contract describes")]
    found, problems = _parsed(path.read_bytes(), display, model)
    return found, list(problems)


@functools.lru_cache(maxsize=256)
def _parsed(data: bytes, display: str, model: type[BaseModel]) -> tuple[BaseModel | None, tuple[Problem, ...]]:
    """The model a file's bytes give, and its problems; kept by the bytes, as a build reads each params file dozens of times."""
    found, problems = _parse(data, display, model)
    return found, tuple(problems)


def _parse(data: bytes, display: str, model: type[BaseModel]) -> tuple[BaseModel | None, list[Problem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(display, line, None, "not UTF-8 text on this line; save the file as UTF-8")]
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        what = getattr(exc, "problem", None) or "unreadable"
        message = f"not valid YAML ({what}); write one 'key: value' per line and put text containing ': ' or '#' in quotes"
        return None, [Problem(display, None if line is None else line + 1, None, message)]
    if not isinstance(raw, dict):
        return None, [
            Problem(display, None, None, "no 'key: value' lines found; write one 'key: value' per line as the data contract shows")
        ]
    lines = _key_lines(text)
    problems = _key_problems(text, display, raw, model)
    try:
        found = model.model_validate(raw)
        if any(p.severity == "error" for p in problems):
            return None, sort_problems(problems)
        return found, problems
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else None
            hint = _HINTS.get(err["type"], "")
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                message = f"required key is missing; add a line '{key}: ...'"
            elif err["type"] != "value_error":  # our own value errors already quote the input
                message = f"{message} (found {err['input']!r})"
            problems.append(Problem(display, lines.get(key or ""), key, f"{message}; {hint}" if hint else message))
        return None, sort_problems(problems)


def read_council(path: Path, display: str | None = None) -> tuple[Council | None, list[Problem]]:
    """Read ``council.yml``, returning the model (or None) and every problem found."""
    council, problems = _read_model(path, display or str(path), Council)
    return council, problems  # type: ignore[return-value]


def check_report_params(path: Path, display: str | None = None) -> tuple[ReportParams | None, list[Problem]]:
    """Read one ``params/<slug>.yml`` without raising: the params (None if any error) and every problem, warnings too."""
    display = display or str(path)
    params, problems = _read_model(path, display, ReportParams)
    if params is None:
        return None, problems
    assert isinstance(params, ReportParams)
    expected = f"{params.quarter.slug}.yml"
    if path.name != expected:
        line = _key_lines(path.read_text(encoding="utf-8-sig")).get("quarter")
        problems.append(
            Problem(display, line, "quarter", f"the file is for {params.quarter.code}; rename it {expected} or correct the quarter")
        )
        return None, problems
    return params, problems + _unlikely_dates(params, path, display)


def _unlikely_dates(params: ReportParams, path: Path, display: str) -> list[Problem]:
    """Dates that cannot all be right for one report, most often a year or month mistyped: warnings, since none stops a build."""
    q, end, as_at, meeting, due = params.quarter.code, params.quarter.end, params.data_as_at, params.meeting_date, params.returns_due
    found = []
    if as_at < end:
        found.append(("data_as_at", f"{as_at} is before {q} ends ({end}), so the quarter's last figures are left out"))
    if meeting < as_at:
        found.append(("meeting_date", f"{meeting} is before the figures' date, data_as_at {as_at}"))
    if due is not None and not end < due <= meeting:
        found.append(("returns_due", f"{due} is not after {q} ends ({end}) and by the meeting ({meeting})"))
    if not found:
        return []
    lines = _key_lines(path.read_text(encoding="utf-8-sig"))
    return [Problem(display, lines.get(key), key, f"{message}; check the date", "warning") for key, message in found]


def read_report_params(path: Path) -> ReportParams:
    """Read one ``params/<slug>.yml``; raises ``DataContractError`` with every problem."""
    params, problems = check_report_params(path)
    if params is None:
        raise DataContractError(problems)
    return params
