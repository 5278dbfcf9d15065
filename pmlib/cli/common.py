"""What every ``pm`` command shares: the group, the options, and the edge where problems become printed lines and exit codes.

Every command prints its errors one way: each ``Problem`` of the
``PmlibError`` it raised as ``FILE:ROW: COLUMN: message`` on stdout
(warnings on stderr), a one-line summary on stderr, and exit 1. Only
click's own usage errors (a bad option) look different.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import click

from pmlib.errors import NO_FILE, PmlibError, Problem
from pmlib.project import FOLDER_VARIABLES
from pmlib.views.wording import counted

JOBS_HELP = "Notebooks run at once.  [default: one per usable core, or all of them when they are one more]"


def data_contents(data) -> str:
    """What a checked data folder holds, in the words ``pm check`` prints after OK."""
    plans, measures, targets, figures = (len(t) for t in (data.plans, data.measures, data.targets, data.observations))
    return f"{counted(plans, 'plan')}, {counted(measures, 'measure')}, {counted(targets, 'target')}, {counted(figures, 'figure')}"


def print_problems(problems: list[Problem]) -> tuple[int, int]:
    """Print warnings on stderr and errors on stdout, as every command does; the counts of each."""
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if warnings:
        click.echo(f"{len(warnings)} warning(s):", err=True)
        for p in warnings:
            click.echo(f"  {p.format()}", err=True)
    for p in errors:
        click.echo(p.format())
    return len(errors), len(warnings)


_UNCHANGED = "pmlib.unchanged"


def problems_of(work) -> list[Problem]:
    """Run ``work()``; a pmlib error's problems, printed as the terminal shows them, or none if it succeeded (``pm preview``'s builds)."""
    try:
        work()
    except PmlibError as error:
        problems = list(error.problems) or [Problem("pm preview", None, None, str(error))]
        print_problems(problems)
        return problems
    return []


def if_it_fails(unchanged: str) -> None:
    """Say what a failure of the running command leaves as it was, for the summary line after its errors."""
    click.get_current_context().meta[_UNCHANGED] = unchanged


def _report(error: PmlibError, ctx: click.Context) -> None:
    """Print ``error``'s problems (a fault in no file is put on the command itself) and a summary, and exit 1."""
    command = f"pm {ctx.info_name}"
    problems = [p if p.file != NO_FILE else dataclasses.replace(p, file=command) for p in error.problems]
    if not any(p.severity == "error" for p in problems):  # only warnings: the error is the exception itself
        problems.append(Problem(command, None, None, str(error)))
    errors, _ = print_problems(problems)
    unchanged = ctx.meta.get(_UNCHANGED)
    click.echo(f"{errors} error(s): fix them and run {command} again{f'; {unchanged}' if unchanged else ''}.", err=True)
    ctx.exit(1)


class _Command(click.Command):
    """A ``pm`` command: a ``PmlibError`` it raises is printed by ``_report``, never as a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PmlibError as error:
            _report(error, ctx)


class _Group(click.Group):
    command_class = _Command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pmlib")
def main() -> None:
    """pmlib: publish a council's quarterly performance reports from its data folder."""


def folder_option(name: str, default: str, what: str, *, from_quarto: bool = False):
    """A folder option; ``from_quarto``: a step Quarto runs also reads it from the environment ``pm build`` gives Quarto."""
    envvar = FOLDER_VARIABLES[name] if from_quarto else None
    return click.option(
        f"--{name}", f"{name}_dir", default=default, show_default=True, envvar=envvar, type=click.Path(path_type=Path), help=what
    )


def _words_joined(ctx: click.Context, param: click.Parameter, words: tuple[str, ...]) -> str | None:
    return " ".join(words) if words else None


def quarter_option_words(ctx: click.Context, quarter: str | None) -> str | None:
    """``--quarter 2020/21 Q2`` without quotes: the shell hands ``Q2`` over as a word of its own, joined again here.

    The command takes extra words (``allow_extra_args``) for this alone; any
    other is refused as click refuses it.
    """
    extra = list(ctx.args)
    if quarter is not None and len(extra) == 1 and re.fullmatch(r"[Qq]\d+", extra[0]) and "/" in quarter:
        return f"{quarter} {extra[0]}"
    if extra:
        ctx.fail(f"Got unexpected extra argument{'s' if len(extra) > 1 else ''} ({' '.join(extra)})")
    return quarter


def quarter_argument(*, required: bool = False):
    """QUARTER, which may be written as the README writes it, ``2020/21 Q2``, without quotes: its words are joined again."""
    return click.argument("quarter", nargs=-1, required=required, metavar="QUARTER" if required else "[QUARTER]", callback=_words_joined)


def notebook_options(reports_help: str):
    """The options every command that executes notebooks shares: which quarters, which folders, how many at once."""
    options = [
        quarter_argument(),
        click.option("--all", "every", is_flag=True, help="Every quarter that has a params file."),
        click.option("--latest", is_flag=True, help="The latest quarter in the params folder."),
        folder_option("data", "data", "The council's data folder."),
        folder_option("params", "params", "The folder of report params files."),
        folder_option("notebooks", "notebooks", "The folder of notebook templates."),
        folder_option("reports", "reports", reports_help),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help=JOBS_HELP),
        click.option("--progress/--no-progress", default=True, show_default=True, help="Progress bar on stderr (only on a terminal)."),
        click.option("--force", is_flag=True, help="Execute every notebook (and render everything) even when its inputs are unchanged."),
    ]

    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def one_selection(quarter: str | None, every: bool, latest: bool) -> None:
    """Exactly one of QUARTER, --latest or --all, or a usage error."""
    if (quarter is not None) + every + latest != 1:
        raise click.UsageError("give one of QUARTER, --latest or --all")


def for_quarters(quarter: str | None, every: bool, latest: bool, params_dir: Path, action, unchanged: str):
    """Pick the quarters and call ``action(quarters)``; ``unchanged`` says what an error leaves as it was."""
    from pmlib.contract.params_folder import select_quarters

    one_selection(quarter, every, latest)
    if_it_fails(unchanged)
    return action(select_quarters(params_dir, quarter, every=every))
