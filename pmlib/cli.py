"""The ``pm`` command: the edge where problems become printed lines and exit codes.

Every command prints its errors one way: each ``Problem`` of the
``PmlibError`` it raised as ``FILE:ROW: COLUMN: message`` on stdout
(warnings on stderr), a one-line summary on stderr, and exit 1. Only
click's own usage errors (a bad option) look different.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import click

from pmlib.contract.loading import check_data
from pmlib.errors import NO_FILE, ConfigError, DataContractError, PmlibError, Problem
from pmlib.project import FOLDER_VARIABLES, INTERNAL_OUT, SITE, Project


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


_UNCHANGED = "pmlib.unchanged"


def _if_it_fails(unchanged: str) -> None:
    """Say what a failure of the running command leaves as it was, for the summary line after its errors."""
    click.get_current_context().meta[_UNCHANGED] = unchanged


def _report(error: PmlibError, ctx: click.Context) -> None:
    """Print ``error``'s problems (a fault in no file is put on the command itself) and a summary, and exit 1."""
    command = f"pm {ctx.info_name}"
    problems = [p if p.file != NO_FILE else dataclasses.replace(p, file=command) for p in error.problems]
    if not any(p.severity == "error" for p in problems):  # only warnings: the error is the exception itself
        problems.append(Problem(command, None, None, str(error)))
    errors, _ = _print_problems(problems)
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


@main.command()
@click.option("--data", "data_dir", default="data", show_default=True, type=click.Path(path_type=Path), help="The council's data folder.")
@click.option("--quarter", default=None, help="Also report on the data quality of this report quarter (2020/21 Q2 or 2020-21-Q2).")
@click.option("--params", "params_dir", default="params", show_default=True, type=click.Path(path_type=Path), help="The params folder.")
@click.option(
    "--html",
    "html_path",
    default=None,
    type=click.Path(path_type=Path),
    help="Where the data quality page goes.  [default: _internal/data-quality/<slug>.html]",
)
def check(data_dir: Path, quarter: str | None, params_dir: Path, html_path: Path | None) -> None:
    """Validate the data folder against the data contract; with --quarter, also report on that quarter's data quality.

    Prints every error as FILE:ROW: COLUMN: message (warnings go to stderr)
    and exits 1 if there is any error. The data quality report (returns not
    received, missing, provisional and estimated figures, outliers, likely
    unit mistakes, revisions) is printed and written as an HTML page for the
    performance team; it holds restricted measures, so it is not for publication.
    """
    from pmlib.contract.periods import parse_quarter

    period = None if quarter is None else parse_quarter(quarter)  # a mistyped quarter fails before anything is printed
    if not data_dir.is_dir():
        raise ConfigError("no data folder here; pass --data DIR", file=data_dir)
    data, problems = check_data(data_dir)
    if data is None:
        raise DataContractError(problems)
    _, warnings = _print_problems(problems)
    n_obs = len(data.observations)
    click.echo(
        f"{data_dir}: OK: {len(data.plans)} plans, {len(data.measures)} measures, {len(data.targets)} targets, "
        f"{n_obs} figures from {data.observations['source'].nunique()} files; {warnings} warning(s)."
    )
    if period is not None:
        from pmlib.intake.data_quality import data_quality, write_quality_page

        found = data_quality(data, period, params_dir)
        click.echo(found.text())
        page = write_quality_page(found, html_path or Path("_internal") / "data-quality" / f"{found.quarter.slug}.html")
        click.echo(f"Data quality page (restricted measures included; not for publication): {page}")


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
    from pmlib.contract.params_folder import report_params
    from pmlib.views.report import quarter_report

    params = report_params(params_dir, None if latest else quarter)
    if audience:
        params = params.model_copy(update={"audience": audience})
    report = quarter_report(params, data_dir, params_dir)
    click.echo(report.summary_text())


def _folder_option(name: str, default: str, what: str, *, from_quarto: bool = False):
    """A folder option; ``from_quarto``: a step Quarto runs also reads it from the environment ``pm build`` gives Quarto."""
    envvar = FOLDER_VARIABLES[name] if from_quarto else None
    return click.option(
        f"--{name}", f"{name}_dir", default=default, show_default=True, envvar=envvar, type=click.Path(path_type=Path), help=what
    )


def _notebook_options(reports_help: str):
    """The options every command that executes notebooks shares: which quarters, which folders, how many at once."""
    options = [
        click.argument("quarter", required=False),
        click.option("--all", "every", is_flag=True, help="Every quarter that has a params file."),
        click.option("--latest", is_flag=True, help="The latest quarter in the params folder."),
        _folder_option("data", "data", "The council's data folder."),
        _folder_option("params", "params", "The folder of report params files."),
        _folder_option("notebooks", "notebooks", "The folder of notebook templates."),
        _folder_option("reports", "reports", reports_help),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Notebooks run at once.  [default: usable cores]"),
        click.option("--progress/--no-progress", default=True, show_default=True, help="Progress bar on stderr (only on a terminal)."),
        click.option("--force", is_flag=True, help="Execute every notebook (and render everything) even when its inputs are unchanged."),
    ]

    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _for_quarters(quarter: str | None, every: bool, latest: bool, params_dir: Path, action, unchanged: str):
    """Pick the quarters and call ``action(quarters)``; ``unchanged`` says what an error leaves as it was."""
    from pmlib.contract.params_folder import select_quarters

    if (quarter is not None) + every + latest != 1:
        raise click.UsageError("give one of QUARTER, --latest or --all")
    _if_it_fails(unchanged)
    return action(select_quarters(params_dir, quarter, every=every))


@main.command()
@_notebook_options("Where each quarter's executed notebooks go, one folder per quarter.")
def run(
    quarter: str | None,
    every: bool,
    latest: bool,
    data_dir: Path,
    params_dir: Path,
    notebooks_dir: Path,
    reports_dir: Path,
    jobs: int | None,
    progress: bool,
    force: bool,
) -> None:
    """Execute every notebook template for a report QUARTER (2020/21 Q2 or 2020-21-Q2), --latest or --all.

    Checks the data, params files and notebook parameters first and runs
    nothing if any is wrong. Each quarter's notebooks are written to
    REPORTS/<slug>/ only if all of them succeed; otherwise the previous
    folder is left as it was and the failed notebooks are kept in
    REPORTS/.failed/<slug>/. Exits 1 if anything failed.

    A notebook already in REPORTS/<slug>/ whose recorded parameters, inputs
    and code are exactly this run's is kept, not executed; --force executes it.
    """
    from pmlib.run.execution import run_quarters

    project = Project.from_options(data=data_dir, params=params_dir, notebooks=notebooks_dir, reports=reports_dir)
    result = _for_quarters(
        quarter,
        every,
        latest,
        params_dir,
        lambda quarters: run_quarters(quarters, project, jobs=jobs, progress=progress, echo=click.echo, force=force),
        "no notebook was run",
    )
    _print_problems(list(result.warnings) + result.problems)
    if not result.ok:
        failed = sum(not q.ok for q in result.quarters)
        click.echo(f"{failed} of {len(result.quarters)} quarter(s) failed; their previous reports are unchanged.", err=True)
        sys.exit(1)


@main.command()
@_notebook_options("Where each quarter's executed notebooks go.")
@click.option(
    "--out", "out_dir", default=None, type=click.Path(path_type=Path), help="The website folder.  [default: _site; internal: _internal]"
)
@click.option(
    "--renderer", type=click.Choice(["auto", "builtin", "quarto"]), default="auto", show_default=True, help="auto: Quarto if on PATH."
)
@click.option(
    "--audience",
    type=click.Choice(["public", "internal"]),
    default="public",
    show_default=True,
    help="internal: only the Cabinet pack with restricted measures, into OUT/packs/ (never the website).",
)
def build(
    quarter: str | None,
    every: bool,
    latest: bool,
    data_dir: Path,
    params_dir: Path,
    notebooks_dir: Path,
    reports_dir: Path,
    jobs: int | None,
    progress: bool,
    force: bool,
    out_dir: Path | None,
    renderer: str,
    audience: str,
) -> None:
    """Check, run and render a report QUARTER (or --latest, --all): the website, the Cabinet pack and the open data.

    With --audience internal, only the internal Cabinet pack (restricted
    measures and small numbers included) is made, into OUT/packs/.

    The site holds every quarter with executed reports. It is built in a
    temporary folder and swapped in whole: a failed build leaves OUT as it was.
    Unchanged notebooks are kept, an unchanged site is left as it is, and an
    unchanged quarter's pack is copied from the previous site; --force
    executes and renders everything.
    """
    from pmlib.rendering.building import build as build_site
    from pmlib.rendering.building import build_internal_packs

    project = Project.from_options(data=data_dir, params=params_dir, notebooks=notebooks_dir, reports=reports_dir)
    if audience == "internal":
        out_dir = out_dir or Path(INTERNAL_OUT)
        result = _for_quarters(
            quarter,
            every,
            latest,
            params_dir,
            lambda quarters: build_internal_packs(
                quarters, project.with_out(out_dir), jobs=jobs, progress=progress, echo=click.echo, force=force
            ),
            f"{out_dir} is unchanged",
        )
        for pack in result.packs:
            click.echo(f"Internal Cabinet pack (restricted measures included; not for publication): {pack}")
        return
    out_dir = out_dir or Path(SITE)
    result = _for_quarters(
        quarter,
        every,
        latest,
        params_dir,
        lambda quarters: build_site(
            quarters, project.with_out(out_dir), renderer=renderer, jobs=jobs, progress=progress, echo=click.echo, force=force
        ),
        f"{out_dir} is unchanged",
    )
    click.echo(f"Website ({result.renderer} renderer): {out_dir / 'index.html'} ({len(result.pages)} pages)")
    for pack in result.packs:
        click.echo(f"Cabinet pack: {pack}")
    from pmlib.views.open_data import OPEN_DATA_FILES

    written = [name for name in OPEN_DATA_FILES if any(p.name == name for p in result.open_data)]
    names = ", ".join(written[:-1]) + f" and {written[-1]}" if len(written) > 1 else "".join(written)
    quarters = sum(p.name == "datapackage.json" for p in result.open_data)
    click.echo(f"Open data: {out_dir / 'data'}/<quarter>/{names} ({quarters} quarters)")


@main.command()
@_folder_option("data", "data", "The council's data folder.")
@_folder_option("params", "params", "The folder of report params files.")
@_folder_option("notebooks", "notebooks", "The folder of notebook templates.")
@_folder_option("reports", "reports", "Where each quarter's executed notebooks go.")
@click.option("--out", "out_dir", default=SITE, show_default=True, type=click.Path(path_type=Path), help="The website folder served.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=4848, show_default=True, help="The port (0: any free one).")
@click.option(
    "--renderer", type=click.Choice(["auto", "builtin", "quarto"]), default="builtin", show_default=True, help="auto: Quarto if on PATH."
)
def preview(data_dir: Path, params_dir: Path, notebooks_dir: Path, reports_dir: Path, out_dir: Path, port: int, renderer: str) -> None:
    """Serve the latest quarter's site on 127.0.0.1, rebuild it when data, params, notebooks or Quarto files change, reload the page.

    The address is printed on the first line. A data error is shown on the
    page and here, as FILE:ROW: COLUMN: message, and the last good site is
    still served. Ctrl-C stops it.
    """
    from pmlib.contract.params_folder import select_quarters
    from pmlib.rendering.building import build as build_site
    from pmlib.rendering.preview import serve

    project = Project.from_options(data=data_dir, params=params_dir, notebooks=notebooks_dir, reports=reports_dir)

    def rebuild() -> list[Problem]:
        try:
            quarters = select_quarters(params_dir)
            build_site(quarters, project.with_out(out_dir), renderer=renderer, progress=False, echo=click.echo)
        except PmlibError as error:
            problems = list(error.problems) or [Problem("pm preview", None, None, str(error))]
            _print_problems(problems)
            return problems
        return []

    quarto_files = [Path(name) for name in ("_quarto.yml", "_quarto-website.yml", "_quarto-pack.yml", "_extensions")]
    serve(out_dir, port, [data_dir, params_dir, notebooks_dir, *(f for f in quarto_files if f.exists())], rebuild, click.echo)


@main.command()
@_folder_option("data", "data", "The council's data folder.", from_quarto=True)
@_folder_option("params", "params", "The folder of report params files.", from_quarto=True)
@_folder_option("reports", "reports", "The executed notebooks.", from_quarto=True)
@click.option("--out", "pages_dir", default="pages", show_default=True, type=click.Path(path_type=Path), help="Where the pages go.")
def pages(data_dir: Path, params_dir: Path, reports_dir: Path, pages_dir: Path) -> None:
    """Write the generated pages, the charts' scripts and each quarter's pack as a Quarto document.

    The pages: home, archive, measures, goals, open data, methodology and
    accessibility. Quarto users get this as the project's pre-render step; pm build runs it itself.
    """
    from pmlib.rendering.building import built_quarters
    from pmlib.rendering.pages import write_pages
    from pmlib.rendering.quarto import write_pack_sources, write_quarto_assets

    project = Project.from_options(root=pages_dir.parent, data=data_dir, params=params_dir, reports=reports_dir)
    quarters = built_quarters(project)
    written = write_pages(quarters, project, pages_dir=pages_dir) + write_quarto_assets(pages_dir)
    written += write_pack_sources(quarters, project)
    click.echo(f"{pages_dir}: {len(written)} file(s) written")


@main.command("quarto-post-render", hidden=True)
@_folder_option("data", "data", "The council's data folder (for the feeds' headlines).", from_quarto=True)
@_folder_option("params", "params", "The folder of report params files.", from_quarto=True)
@_folder_option("reports", "reports", "The executed notebooks.", from_quarto=True)
def quarto_post_render(data_dir: Path, params_dir: Path, reports_dir: Path) -> None:
    """Publish open data at data/<slug>/, then the feeds and search index, in Quarto's output folder (the post-render step)."""
    from pmlib.rendering.building import built_quarters
    from pmlib.rendering.data_pages import publish_open_data
    from pmlib.rendering.site_files import publish_site_files

    project = Project.from_options(data=data_dir, params=params_dir, reports=reports_dir)
    site = Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR", SITE))
    quarters = built_quarters(project)
    published = publish_open_data(project.pages, quarters, site)
    click.echo(f"{site / 'data'}: {len(published)} open data file(s)")
    extras = publish_site_files(project, quarters, site)
    click.echo(f"{site}: {len(extras)} feed and search index file(s)")


@main.command("quarto-notebook", hidden=True)
def quarto_notebook() -> None:
    """Read an executed notebook on stdin and write it as Quarto's website reads it (the project's ipynb-filters step)."""
    from pmlib.rendering.quarto import notebook_for_quarto

    click.echo(notebook_for_quarto(sys.stdin.read()), nl=False)


@main.command()
@click.argument("quarter")
@_folder_option("data", "data", "The council's data folder.")
@_folder_option("params", "params", "The folder of report params (for the quarter's returns_due).")
@click.option(
    "--due",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date the returns are due back, before the quarter has a params file.  [default: the params file's returns_due]",
)
@click.option("--out", "out_dir", default="_returns", show_default=True, type=click.Path(path_type=Path), help="Where the workbooks go.")
def returns(quarter: str, data_dir: Path, params_dir: Path, due, out_dir: Path) -> None:
    """Write the returns for a report QUARTER: one Excel workbook per owner (service unit) to fill in.

    Each lists the owner's measures and the periods the quarter's report
    needs, with definitions, the figures already held and targets locked,
    cells to fill for value (or numerator and denominator), quality and note,
    and a Commentary sheet for each measure's commentary and corrective
    action. The deadline is the quarter's returns_due, when its params file
    gives one. Read them back with pm ingest.
    """
    from pmlib.contract.params_folder import params_files, report_params
    from pmlib.contract.periods import parse_quarter
    from pmlib.intake.returns import due_words, write_returns

    _if_it_fails("no return was written")
    q = parse_quarter(quarter)
    given = report_params(params_dir, q).returns_due if q in params_files(params_dir) else None
    if due is not None and given is not None and due.date() != given:
        raise ConfigError(f"--due {due:%Y-%m-%d} differs from returns_due {given}; give one deadline", file=params_dir / f"{q.slug}.yml")
    due = due.date() if due is not None else given
    written = write_returns(q, data_dir, out_dir, due=due)
    for path in written:
        click.echo(f"Return: {path}")
    hint = "" if due else f" (give --due, or returns_due in {params_dir / (q.slug + '.yml')})"
    click.echo(f"{len(written)} return(s) written; send each to its service unit. {due_words(due)}{hint}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_folder_option("data", "data", "The council's data folder.")
@click.option(
    "--reported-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date figures were supplied, for files that don't say.  [default: today]",
)
@click.option("--dry-run", is_flag=True, help="Check and report, but write nothing.")
def ingest(files: tuple[Path, ...], data_dir: Path, reported_on, dry_run: bool) -> None:
    """Read returned workbooks (.xlsx) and CSV files of figures into DATA/observations/, and their commentary into DATA/commentary.csv.

    New figures and commentary are appended with the date they were supplied; existing rows
    are never edited or removed, and a figure that changes one already held
    becomes a revision. If any file has a problem, every problem is printed
    as FILE:ROW: SHEET!CELL: message and nothing is written.
    """
    from pmlib.intake.ingest import ingest as read_in

    _if_it_fails(f"{data_dir} is unchanged")
    result = read_in(list(files), data_dir, reported_on.date() if reported_on else None, dry_run=dry_run)
    _print_problems(list(result.warnings))
    for f in result.files:
        where = (" -> " + ", ".join(str(data_dir / w) for w in f.written_to.split())) if f.written_to else ""
        said = f"; {f.commentary} commentary row(s) added" if f.commentary else ""
        said += f"; {f.forecasts} forecast(s) added" if f.forecasts else ""
        click.echo(f"{f.file}: {f.added} new figure(s), {f.revisions} of them revisions; {f.unchanged} already held{said}{where}")
    if dry_run:
        click.echo(f"Dry run: {data_dir} is unchanged.")
    elif not result.written:
        click.echo(f"Nothing new: {data_dir} is unchanged.")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--measure", "measure_id", required=True, help="The measure_id the figures are for.")
@_folder_option("data", "data", "The council's data folder.")
@click.option("--source", help="The publication, for the source column.  [default: the file's publisher and indicator]")
@click.option("--reported-on", type=click.DateTime(["%Y-%m-%d"]), help="The date the figures were published.  [default: today]")
@click.option("--indicator", help="The indicator to read from a file of several (LAIT's Short Desc, ELS's indicator).")
@click.option("--calendar-years", is_flag=True, help="LAIT's bare years are calendar years: 2020 is 2020/21 (not 2019/20).")
@click.option("--dry-run", is_flag=True, help="Check and report, but write nothing.")
def comparators(file: Path, measure_id: str, data_dir: Path, reported_on, dry_run: bool, **options) -> None:
    """Read other areas' published figures for one measure from FILE (ONS Explore Local Statistics CSV, DfE LAIT CSV or parquet).

    Only areas in DATA/comparator_groups.csv are kept, never the council's
    own. New figures are appended to DATA/comparators/ dated by --reported-on;
    one already held is not added again. If anything is wrong, every problem
    is printed as FILE:ROW: COLUMN: message and nothing is written.
    """
    from pmlib.intake.comparators import import_comparators

    _if_it_fails(f"{data_dir} is unchanged")
    day = reported_on.date() if reported_on else None
    result = import_comparators(file, measure_id, data_dir, reported_on=day, dry_run=dry_run, **options)
    _print_problems(list(result.warnings))
    click.echo(result.summary(data_dir, dry_run=dry_run))


if __name__ == "__main__":  # pragma: no cover
    main()
