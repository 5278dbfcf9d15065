"""The ``pm`` commands that check, run and publish the reports: check, status, run, build, preview, pages, and the steps Quarto runs."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from pmlib.cli.common import (
    data_contents,
    folder_option,
    for_quarters,
    if_it_fails,
    main,
    notebook_options,
    one_selection,
    print_problems,
    problems_of,
    quarter_argument,
    quarter_option_words,
)
from pmlib.cli.shared import council_option, councils_file, councils_option
from pmlib.errors import ConfigError, DataContractError
from pmlib.project import INTERNAL_OUT, SITE, Project
from pmlib.views.wording import counted, join_words


@main.command(context_settings={"allow_extra_args": True})
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
@councils_option
@click.pass_context
def check(ctx: click.Context, data_dir: Path, quarter: str | None, params_dir: Path, html_path: Path | None, councils: Path | None) -> None:
    """Validate the data folder and every params file against the data contract; with --quarter, also report on that quarter's data quality.

    Prints every error as FILE:ROW: COLUMN: message (warnings go to stderr)
    and exits 1 if there is any error. The data quality report (returns not
    received, missing, provisional and estimated figures, outliers, likely
    unit mistakes, revisions) is printed and written as an HTML page for the
    performance team; it holds restricted measures, so it is not for publication.
    """
    from pmlib.contract.periods import parse_quarter

    quarter = quarter_option_words(ctx, quarter)
    period = None if quarter is None else parse_quarter(quarter)  # a mistyped quarter fails before anything is printed
    shared = councils_file(councils)
    if shared is not None:
        from pmlib.cli.shared import check_shared_project

        check_shared_project(shared, period, html_path.parent if html_path is not None else None)
        return
    if not data_dir.is_dir():
        raise ConfigError("no data folder here; pass --data DIR", file=data_dir)
    from pmlib.contract.loading import check_data
    from pmlib.contract.params_folder import check_params_folder

    data, problems = check_data(data_dir)
    params, found = check_params_folder(params_dir) if params_dir.is_dir() else ({}, [])
    problems += found
    if data is None or any(p.severity == "error" for p in found):
        raise DataContractError(problems)
    _, warnings = print_problems(problems)
    files = counted(data.observations["source"].nunique(), "file")
    click.echo(f"{data_dir}: OK: {data_contents(data)} from {files}; {warnings} warning(s).")
    if params:
        span = min(params).code if len(params) == 1 else f"{min(params).code} to {max(params).code}"
        click.echo(f"{params_dir}: OK: {counted(len(params), 'report')}, {span}.")
    if period is not None:
        from pmlib.intake.data_quality import data_quality, write_quality_page

        found = data_quality(data, period, params_dir)
        click.echo(found.text())
        page = write_quality_page(found, html_path or Path("_internal") / "data-quality" / f"{found.quarter.slug}.html")
        click.echo(f"Data quality page (restricted measures included; not for publication): {page}")


@main.command()
@quarter_argument()
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
@councils_option
@council_option
def status(
    quarter: str | None, latest: bool, data_dir: Path, params_dir: Path, audience: str | None, councils: Path | None, only: str | None
) -> None:
    """Judge every measure for a report QUARTER (2020/21 Q2 or 2020-21-Q2) and print the summary.

    With --councils, each council's summary and then the joint report's, for
    QUARTER or, without one, each one's latest.
    """
    shared = councils_file(councils)
    if shared is not None:
        from pmlib.cli.shared import status_shared_project

        status_shared_project(shared, None if latest else quarter, only, audience)
        return
    from pmlib.contract.params_folder import report_params
    from pmlib.views.report import quarter_report

    params = report_params(params_dir, None if latest else quarter)
    if audience:
        params = params.model_copy(update={"audience": audience})
    report = quarter_report(params, data_dir, params_dir)
    click.echo(report.summary_text())


@main.command()
@notebook_options("Where each quarter's executed notebooks go, one folder per quarter.")
@councils_option
@council_option
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
    councils: Path | None,
    only: str | None,
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
    shared = councils_file(councils)
    if shared is not None:
        from pmlib.cli.shared import run_shared_project

        one_selection(quarter, every, latest)
        if_it_fails("no notebook was run")
        options = {"jobs": jobs, "progress": progress, "echo": click.echo, "force": force}
        if not run_shared_project(shared, quarter, every, only, notebooks_dir, **options):
            click.echo("Some reports failed; their previous reports are unchanged.", err=True)
            sys.exit(1)
        return
    project = Project.from_options(data=data_dir, params=params_dir, notebooks=notebooks_dir, reports=reports_dir)
    _start_ahead(project, quarter, every, latest)
    from pmlib.run.execution import run_quarters

    result = for_quarters(
        quarter,
        every,
        latest,
        params_dir,
        lambda quarters: run_quarters(quarters, project, jobs=jobs, progress=progress, echo=click.echo, force=force),
        "no notebook was run",
    )
    print_problems(list(result.warnings) + result.problems)
    if not result.ok:
        failed = sum(not q.ok for q in result.quarters)
        click.echo(f"{failed} of {len(result.quarters)} quarter(s) failed; their previous reports are unchanged.", err=True)
        sys.exit(1)


@main.command()
@notebook_options("Where each quarter's executed notebooks go.")
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
@councils_option
@council_option
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
    councils: Path | None,
    only: str | None,
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
    shared = councils_file(councils)
    if shared is not None:
        from pmlib.cli.shared import build_shared_project

        if audience == "internal":
            raise click.UsageError("--audience internal works on one council: give its --data and --params instead of councils.yml")
        one_selection(quarter, every, latest)
        if_it_fails("every site not yet built is unchanged")
        options = {"renderer": renderer, "jobs": jobs, "progress": progress, "force": force}
        build_shared_project(shared, quarter, every, only, notebooks_dir, **options)
        return
    project = Project.from_options(data=data_dir, params=params_dir, notebooks=notebooks_dir, reports=reports_dir)
    if audience != "internal":  # the internal run's reports are elsewhere (``Project.internal``); pm run starts the server then
        _start_ahead(project, quarter, every, latest)
    from pmlib.rendering.building import build as build_site
    from pmlib.rendering.building import build_internal_packs

    if audience == "internal":
        out_dir = out_dir or Path(INTERNAL_OUT)
        result = for_quarters(
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
    result = for_quarters(
        quarter,
        every,
        latest,
        params_dir,
        lambda quarters: build_site(
            quarters, project.with_out(out_dir), renderer=renderer, jobs=jobs, progress=progress, echo=click.echo, force=force
        ),
        f"{out_dir} is unchanged",
    )
    click.echo(f"Website ({result.renderer} renderer): {out_dir / 'index.html'} ({counted(len(result.pages), 'page')})")
    for pack in result.packs:
        click.echo(f"Cabinet pack: {pack}")
    from pmlib.views.open_data import OPEN_DATA_FILES

    written = [name for name in OPEN_DATA_FILES if any(p.name == name for p in result.open_data)]
    names = join_words(written)
    quarters = sum(p.name == "datapackage.json" for p in result.open_data)
    click.echo(f"Open data: {out_dir / 'data'}/<quarter>/{names} ({counted(quarters, 'quarter')})")


@main.command()
@folder_option("data", "data", "The council's data folder.")
@folder_option("params", "params", "The folder of report params files.")
@folder_option("notebooks", "notebooks", "The folder of notebook templates.")
@folder_option("reports", "reports", "Where each quarter's executed notebooks go.")
@click.option("--out", "out_dir", default=SITE, show_default=True, type=click.Path(path_type=Path), help="The website folder served.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=4848, show_default=True, help="The port (0: any free one).")
@click.option(
    "--renderer", type=click.Choice(["auto", "builtin", "quarto"]), default="builtin", show_default=True, help="auto: Quarto if on PATH."
)
@councils_option
def preview(
    data_dir: Path, params_dir: Path, notebooks_dir: Path, reports_dir: Path, out_dir: Path, port: int, renderer: str, councils: Path | None
) -> None:
    """Serve the latest quarter's site on 127.0.0.1, rebuild it when data, params, notebooks or Quarto files change, reload the page.

    The address is printed on the first line. A data error is shown on the
    page and here, as FILE:ROW: COLUMN: message, and the last good site is
    still served. Ctrl-C stops it.

    With --councils: the shared service's whole site (each council's, the
    joint committee's pages and the landing page), served from _site/
    beside councils.yml and rebuilt when councils.yml, a council's data or
    params, or the joint folders change; --data, --params, --reports and
    --out are not read.
    """
    from pmlib.contract.params_folder import select_quarters
    from pmlib.rendering.background import keep_warm
    from pmlib.rendering.building import build as build_site
    from pmlib.rendering.preview import serve

    quarto_files = [Path(name) for name in ("_quarto.yml", "_quarto-website.yml", "_quarto-pack.yml", "_extensions")]
    template = [notebooks_dir, *(f for f in quarto_files if f.exists())]
    shared = councils_file(councils)
    if shared is not None:
        from pmlib.cli.shared import preview_shared_project

        site, watched, rebuild = preview_shared_project(shared, notebooks_dir, renderer)
    else:
        project = Project.from_options(data=data_dir, params=params_dir, notebooks=notebooks_dir, reports=reports_dir)

        def build_and_keep_warm() -> None:
            build_site(select_quarters(params_dir), project.with_out(out_dir), renderer=renderer, progress=False, echo=click.echo)
            keep_warm(project)  # for the next edit, even when this build executed nothing

        site, watched, rebuild = out_dir, [data_dir, params_dir], lambda: problems_of(build_and_keep_warm)
    # Ctrl-C (SIGINT) stops it even when started by a shell that makes its background commands ignore SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    serve(site, port, [*watched, *template], rebuild, click.echo)


@main.command()
def stop() -> None:
    """Stop this project folder's build servers, so the next pm build starts afresh in a new one.

    pm build keeps one per project folder and environment, and each stops
    by itself after 20 minutes without a build. A build one is running is
    stopped as by Ctrl-C.
    """
    from pmlib.cli.build_server import stop_servers

    stopped = stop_servers(os.getcwd())
    if not stopped:
        click.echo("No build server runs for this folder.")
    for pid in stopped:
        click.echo(f"Stopped the build server {pid} kept for this folder.")


@main.command()
@folder_option("data", "data", "The council's data folder.", from_quarto=True)
@folder_option("params", "params", "The folder of report params files.", from_quarto=True)
@folder_option("reports", "reports", "The executed notebooks.", from_quarto=True)
@click.option("--out", "pages_dir", default="pages", show_default=True, type=click.Path(path_type=Path), help="Where the pages go.")
def pages(data_dir: Path, params_dir: Path, reports_dir: Path, pages_dir: Path) -> None:
    """Write the generated pages, the charts' scripts and each quarter's pack as a Quarto document.

    The pages: home, archive, measures, goals, open data, methodology and
    accessibility. Quarto users get this as the project's pre-render step; pm build runs it itself.
    """
    from pmlib.rendering.building import built_quarters
    from pmlib.rendering.page_store import PAGES
    from pmlib.rendering.pages import write_pages
    from pmlib.rendering.quarto import write_pack_sources, write_quarto_assets

    project = Project.from_options(root=pages_dir.parent, data=data_dir, params=params_dir, reports=reports_dir)
    quarters = built_quarters(project)
    written = write_pages(quarters, project, pages_dir=pages_dir, page_store=project.root / PAGES) + write_quarto_assets(pages_dir)
    written += write_pack_sources(quarters, project)
    click.echo(f"{pages_dir}: {len(written)} file(s) written")


@main.command("quarto-post-render", hidden=True)
@folder_option("data", "data", "The council's data folder (for the feeds' headlines).", from_quarto=True)
@folder_option("params", "params", "The folder of report params files.", from_quarto=True)
@folder_option("reports", "reports", "The executed notebooks.", from_quarto=True)
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


def _start_ahead(project: Project, quarter: str | None, every: bool, latest: bool) -> None:
    """Start the warm kernel server before this command imports pandas, if it will probably execute notebooks (``pmlib.run.warm_start``)."""
    if (quarter is not None) + every + latest != 1:
        return  # the command stops at its usage error
    from pmlib.run.warm_start import start_ahead

    start_ahead(project, quarter, every)
