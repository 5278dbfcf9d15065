"""The ``pm`` command: the edge where problems become printed lines and exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pmlib.errors import PmlibError
from pmlib.loading import check_data
from pmlib.problems import Problem


def _print_problems(problems: list[Problem]) -> tuple[int, int]:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if warnings:
        click.echo(f"{len(warnings)} warning(s):", err=True)
        for p in warnings:
            click.echo(f"  {p.format()}", err=True)
    for p in errors:
        click.echo(p.format())
    return len(errors), len(warnings)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pmlib")
def main() -> None:
    """pmlib: publish a council's quarterly performance reports from its data folder."""


@main.command()
@click.option("--data", "data_dir", default="data", show_default=True, type=click.Path(path_type=Path), help="The council's data folder.")
def check(data_dir: Path) -> None:
    """Validate the data folder against the data contract.

    Prints every error as FILE:ROW: COLUMN: message (warnings go to stderr)
    and exits 1 if there is any error.
    """
    if not data_dir.is_dir():
        raise click.UsageError(f"no data folder at {data_dir}; pass --data DIR")
    data, problems = check_data(data_dir)
    errors, warnings = _print_problems(problems)
    if errors:
        click.echo(f"{errors} error(s), {warnings} warning(s): fix the errors above and run pm check again.", err=True)
        sys.exit(1)
    assert data is not None
    n_obs = len(data.observations)
    click.echo(
        f"{data_dir}: OK: {len(data.plans)} plans, {len(data.measures)} measures, {len(data.targets)} targets, "
        f"{n_obs} figures from {data.observations['source'].nunique()} files; {warnings} warning(s)."
    )


@main.command()
@click.argument("quarter", required=False)
@click.option("--latest", is_flag=True, help="The latest quarter in the params folder.")
@click.option("--data", "data_dir", default="data", show_default=True, type=click.Path(path_type=Path), help="The council's data folder.")
@click.option(
    "--params",
    "params_dir",
    default="params",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The folder of report params files.",
)
@click.option("--audience", type=click.Choice(["public", "internal"]), default=None, help="Override the params file's audience.")
def status(quarter: str | None, latest: bool, data_dir: Path, params_dir: Path, audience: str | None) -> None:
    """Judge every measure for a report QUARTER (2020/21 Q2 or 2020-21-Q2) and print the summary."""
    from pmlib.report import quarter_report, report_params

    try:
        params = report_params(params_dir, None if latest else quarter)
        if audience:
            params = params.model_copy(update={"audience": audience})
        report = quarter_report(params, data_dir, params_dir)
    except PmlibError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(report.summary_text())


if __name__ == "__main__":  # pragma: no cover
    main()
