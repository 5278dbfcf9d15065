"""Every ``pm`` command prints its errors one way: ``FILE:ROW: COLUMN: message`` lines on stdout, a summary on stderr, exit 1.

Each case builds a small project in a temporary folder (``data/`` from
``tests/fixtures/valid``, ``params/`` from one of ``tests/fixtures/params/``,
``notebooks/`` from ``tests/fixtures/notebooks/good.ipynb``), runs one command
from there on one bad input, and checks the exact lines printed. A fault in no
file (a mistyped quarter) is put on the command itself: ``pm status:-: quarter: ...``.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmlib.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
LINE = re.compile(r"^[^:]+:(\d+|-): [^:]+: .+")
SUMMARY = re.compile(r"^(?P<errors>\d+) error\(s\): fix them and run pm (?P<command>\w+) again(; .+)?\.$")

BAD_PARAMS = (  # what pm prints for tests/fixtures/params/bad-file/2020-21-Q2.yml
    "params/2020-21-Q2.yml:5: meeting_date: '09/12/2020' is not a date; write it as YYYY-MM-DD, e.g. 2020-10-31",
    "params/2020-21-Q2.yml:7: audience: Input should be 'public' or 'internal' (found 'everyone'); use one of the allowed words",
)


@dataclass(frozen=True)
class Case:
    """One command on one bad input: what to put in the project, what to run, and the exact stdout lines expected."""

    name: str
    args: tuple[str, ...]
    expected: tuple[str, ...]
    params: str | None = "good"
    data: str | None = None  # a case folder in tests/fixtures/invalid/ laid over the valid data
    files: tuple[tuple[str, str], ...] = ()  # (path, text) written into the project


CASES = [
    Case(
        "check: data that breaks the contract",
        ("check",),
        tuple((FIXTURES / "invalid" / "unknown-unit" / "expected.txt").read_text(encoding="utf-8").split("\n")),
        data="unknown-unit",
    ),
    Case("check: no data folder", ("check", "--data", "nowhere"), ("nowhere:-: -: no data folder here; pass --data DIR",)),
    Case(
        "check: a mistyped quarter",
        ("check", "--quarter", "2020/21 Q5"),
        ("pm check:-: quarter: '2020/21 Q5' is not a quarter: write it as 2020/21 Q2 or 2020-21-Q2",),
    ),
    Case(
        "returns: a mistyped quarter",
        ("returns", "2020-21-Q9"),
        ("pm returns:-: quarter: '2020-21-Q9' is not a quarter: write it as 2020/21 Q2 or 2020-21-Q2",),
    ),
    Case(
        "ingest: a figure for an unknown measure",
        ("ingest", "figures.csv", "--reported-on", "2021-01-20"),
        tuple((FIXTURES / "intake" / "csv-unknown-measure" / "expected.txt").read_text(encoding="utf-8").split("\n")),
        files=(("figures.csv", (FIXTURES / "intake" / "csv-unknown-measure" / "figures.csv").read_text(encoding="utf-8")),),
    ),
    Case(
        "status: a quarter with no params file",
        ("status", "2021-22-Q1"),
        ("params/2021-22-Q1.yml:-: -: file not found; create it to report 2021/22 Q1 (see the data contract)",),
    ),
    Case(
        "status: a bad params file",
        ("status", "--latest"),
        BAD_PARAMS,
        params="bad-file",
    ),
    Case(
        "status: no params files",
        ("status", "--latest"),
        ("params:-: -: no params files here; add one per quarter, e.g. params/2020-21-Q2.yml",),
        params=None,
    ),
    Case(
        "run: a quarter with no params file",
        ("run", "2021-22-Q1", "--no-progress"),
        ("params/2021-22-Q1.yml:-: -: file not found; create it to report 2021/22 Q1 (see the data contract)",),
    ),
    Case(
        "run: a parameter no notebook declares",
        ("run", "--latest", "--no-progress"),
        (
            "params/2020-21-Q2.yml:9: parameters.colour: unknown parameter: notebooks/good.ipynb does not declare 'colour'; "
            "add 'colour = ...' to its cell tagged 'parameters', or remove 'colour' from parameters: here",
        ),
        params="unknown-parameter",
    ),
    Case(
        "build: a bad params file",
        ("build", "--all", "--renderer", "builtin", "--no-progress"),
        BAD_PARAMS,
        params="bad-file",
    ),
    Case(
        "build: internal packs into a website's folder",
        ("build", "--latest", "--audience", "internal", "--out", "site", "--no-progress"),
        ("site:-: --out: the folder holds a website; internal packs must not be published with it: choose another --out",),
        files=(("site/index.html", "<!doctype html>"),),
    ),
    Case(
        "pages: no quarter has executed notebooks",
        ("pages",),
        ("reports:-: -: no quarter to publish: run 'pm run' for at least one quarter, then build the site",),
    ),
]


def make_project(case: Case, root: Path) -> Path:
    """The project the case runs in: data, params and notebooks as ``pm`` finds them by default."""
    shutil.copytree(FIXTURES / "valid", root / "data")
    if case.data is not None:
        overlay = FIXTURES / "invalid" / case.data
        for source in overlay.rglob("*"):
            if source.is_file() and source.name != "expected.txt":
                shutil.copyfile(source, root / "data" / source.relative_to(overlay))
    (root / "params").mkdir()
    if case.params is not None:
        for source in (FIXTURES / "params" / case.params).glob("*.yml"):
            shutil.copyfile(source, root / "params" / source.name)
    (root / "notebooks").mkdir()
    shutil.copyfile(FIXTURES / "notebooks" / "good.ipynb", root / "notebooks" / "good.ipynb")
    for path, text in case.files:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_command_prints_its_errors_as_file_row_column_message(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(make_project(case, tmp_path))
    result = CliRunner().invoke(main, list(case.args))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not an exception escaping the command
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    assert lines and all(LINE.match(line) for line in lines), result.stdout
    assert lines == [line for line in case.expected if line and not line.startswith("#")]
    summary = SUMMARY.match(result.stderr.splitlines()[-1])
    assert summary, result.stderr
    assert int(summary["errors"]) == len(lines) and summary["command"] == case.args[0]


def test_a_usage_error_stays_clicks_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["status", "--audience", "everyone"])
    assert result.exit_code == 2
    assert result.stdout == "" and "Invalid value for '--audience'" in result.stderr


@pytest.mark.parametrize("command", ["status", "run", "build", "returns"])
def test_a_quarter_needs_no_quotes(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The README writes QUARTER as ``2020/21 Q2``: typed so, unquoted, it is one quarter, not a quarter and an extra argument."""
    monkeypatch.chdir(make_project(Case("", (), ()), tmp_path))
    result = CliRunner().invoke(main, [command, "2020/21", "Q5"])
    assert result.exit_code == 1, result.output
    assert result.stdout == f"pm {command}:-: quarter: '2020/21 Q5' is not a quarter: write it as 2020/21 Q2 or 2020-21-Q2\n"


def test_check_quarter_needs_no_quotes_and_other_extra_words_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``pm check --quarter 2020/21 Q2`` typed unquoted hands ``Q2`` over as a word of its own; it is joined again, and nothing else is."""
    monkeypatch.chdir(make_project(Case("", (), ()), tmp_path))
    result = CliRunner().invoke(main, ["check", "--quarter", "2020/21", "Q5"])
    assert result.exit_code == 1, result.output
    assert result.stdout == "pm check:-: quarter: '2020/21 Q5' is not a quarter: write it as 2020/21 Q2 or 2020-21-Q2\n"
    for extra in (["--quarter", "2020/21", "Q2", "more"], ["--quarter", "2020-21-Q2", "Q2"], ["stray"]):
        refused = CliRunner().invoke(main, ["check", *extra])
        assert refused.exit_code == 2 and "Got unexpected extra argument" in refused.stderr, refused.output
