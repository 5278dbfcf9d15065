"""The one exception family pmlib raises, so callers can catch ``PmlibError`` alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmlib.problems import Problem


class PmlibError(Exception):
    """Base of every error pmlib raises on purpose."""


class PeriodError(PmlibError, ValueError):
    """A period code that is not one the data contract allows."""


class ProblemsError(PmlibError):
    """Input that failed checks; carries every problem found, not just the first, so all can be fixed in one pass."""

    what = "the input"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = "\n".join(p.format() for p in errors)
        super().__init__(f"{len(errors)} error(s) in {self.what}:\n{lines}")


class DataContractError(ProblemsError):
    """Input data broke the data contract."""

    what = "the data"


class ConfigError(PmlibError):
    """A params file or option that cannot be used as given."""


class NotebookError(ProblemsError):
    """Notebook templates that cannot be run as given, found before any kernel starts."""

    what = "the notebooks or their parameters"
