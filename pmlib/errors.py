"""Every error pmlib raises on purpose, and the problems they carry, in one module.

Modelled on papermill's ``exceptions.py``: one base class, ``PmlibError``,
that callers can catch alone, and subclasses whose fields say where the fault
is. Every error carries one or more ``Problem``s (file, row, column, and a
message saying what to do), so the ``pm`` command prints the errors of every
command the same way, ``FILE:ROW: COLUMN: message``, and exits 1.

Validation collects problems as data and raises them all at once (a
``ProblemsError``); a single fault found on the way raises one, with
whatever place is known::

    raise ConfigError("use 'public' or 'internal'", file="params/2020-21-Q2.yml", row=5, column="audience")
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

Severity = Literal["error", "warning"]

NO_FILE = "-"
"""``Problem.file`` of a fault in no file: in what the caller passed (for ``pm``, the command line) or in the machine."""


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about one cell, column or file, in the words a data officer can act on.

    ``row`` is the row number a spreadsheet shows (the header is row 1, the
    first data row 2; a blank line counts as a row, so later numbers still match
    the file; a cell holding a line break is one row). In a YAML file it is the
    line of the key. ``None`` means the whole file. ``column`` is ``None`` for
    file-level findings; in a workbook it is ``SHEET!CELL``. ``file`` is
    ``NO_FILE`` for a fault in no file, such as a command-line argument.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    severity: Severity = "error"

    def format(self) -> str:
        """Render as ``FILE:ROW: COLUMN: message`` so editors and CI annotate the right cell."""
        row = "-" if self.row is None else str(self.row)
        column = "-" if self.column is None else self.column
        return f"{self.file}:{row}: {column}: {self.message}"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Order by file, then row, so a reader can work down each file once."""
    return sorted(problems, key=lambda p: (p.file, -1 if p.row is None else p.row, p.column or "", p.message))


def _shown(file: str | os.PathLike) -> str:
    return file.as_posix() if isinstance(file, PurePath) else os.fspath(file)


def _restore(kind: type[PmlibError], args: tuple, state: dict) -> PmlibError:
    error = kind.__new__(kind, *args)
    error.__dict__.update(state)
    return error


class PmlibError(Exception):
    """Base of every error pmlib raises on purpose; ``problems`` says what to fix, and where.

    ``PmlibError(message, file=..., row=..., column=...)`` carries one
    problem: ``message`` says what to do, the rest where (leave out what is
    not known; with no ``file``, the fault is in what the caller passed).
    ``problems=`` gives several at once. ``str()`` is the message, after
    ``FILE: `` when a file is named, or the whole ``FILE:ROW: COLUMN: message``
    line when a row or column is too.
    """

    def __init__(
        self,
        message: str = "",
        *,
        file: str | os.PathLike | None = None,
        row: int | None = None,
        column: str | None = None,
        problems: Iterable[Problem] | None = None,
    ):
        if problems is None:
            problem = Problem(NO_FILE if file is None else _shown(file), row, column, message)
            if file is not None:
                message = f"{problem.file}: {message}" if row is None and column is None else problem.format()
            problems = [problem]
        self.problems = list(problems)
        super().__init__(message)

    @property
    def errors(self) -> list[Problem]:
        """The problems that are errors (a ``ProblemsError`` may also carry warnings)."""
        return [p for p in self.problems if p.severity == "error"]

    def __reduce__(self):
        # Rebuilt without calling __init__, whose arguments differ by subclass, so any pmlib error crosses processes whole.
        return _restore, (type(self), self.args, self.__dict__)


class PeriodError(PmlibError, ValueError):
    """A period code that is not one the data contract allows."""


class ConfigError(PmlibError):
    """A params file, folder or option that cannot be used as given."""


class ProblemsError(PmlibError):
    """Input that failed checks; carries every problem found, not just the first, so all can be fixed in one pass."""

    what = "the input"

    def __init__(self, problems: Iterable[Problem]):
        problems = list(problems)
        errors = [p for p in problems if p.severity == "error"]
        lines = "\n".join(p.format() for p in errors)
        super().__init__(f"{len(errors)} error(s) in {self.what}:\n{lines}", problems=problems)


class DataContractError(ProblemsError):
    """Input data broke the data contract."""

    what = "the data"


class NotebookError(ProblemsError):
    """Notebook templates that cannot be run as given, found before any kernel starts."""

    what = "the notebooks or their parameters"


class SiteError(ProblemsError):
    """The sources cannot make a working website: a link to no page, or two sources for one page."""

    what = "the website sources"


class TableConversionError(PmlibError):
    """HTML a notebook showed that the pack cannot draw as a Typst table."""


class PackError(PmlibError):
    """The Cabinet pack cannot be made from the files given."""


class QuartoError(PmlibError):
    """Quarto failed; its own message is included."""


class ProjectConfigError(ProblemsError):
    """The Quarto project files hold a key or value the renderers cannot use as written."""

    what = "the Quarto project files (see pmlib/rendering/quarto_project.schema.json)"


class UnsupportedSyntaxError(ProblemsError):
    """A source uses Quarto syntax the built-in renderer would show as plain text."""

    what = "the sources (Quarto syntax the built-in renderer does not handle)"


class BuildError(PmlibError):
    """A build step failed; the previous output folder is unchanged."""


class IntakeError(ProblemsError):
    """Returned files that cannot be read in as given; nothing was written."""

    what = "the files to read in"
