"""The ``pm`` commands that take figures in: returns (workbooks to fill in), ingest (them, filled in), comparators (areas' figures)."""

from __future__ import annotations

from pathlib import Path

import click

from pmlib.cli.common import folder_option, if_it_fails, main, print_problems, quarter_argument
from pmlib.cli.shared import councils_file, councils_option
from pmlib.errors import ConfigError


def shared_services(given: Path | None):
    """The project's councils from ``--councils`` (None for one council); ``DataContractError`` naming each fault in the file."""
    path = councils_file(given)
    if path is None:
        return None
    from pmlib.contract.councils import load_councils

    return load_councils(path)


@main.command()
@quarter_argument()
@click.option("--latest", is_flag=True, help="The latest quarter in the params folder (with --councils, in any council's).")
@folder_option("data", "data", "The council's data folder.")
@folder_option("params", "params", "The folder of report params (for the quarter's returns_due).")
@click.option(
    "--due",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date the returns are due back, before the quarter has a params file.  [default: the params file's returns_due]",
)
@click.option("--out", "out_dir", default="_returns", show_default=True, type=click.Path(path_type=Path), help="Where the workbooks go.")
@councils_option
def returns(quarter: str | None, latest: bool, data_dir: Path, params_dir: Path, due, out_dir: Path, councils: Path | None) -> None:
    """Write the returns for a report QUARTER (or --latest): one Excel workbook per owner (service unit) to fill in.

    Each lists the owner's measures and the periods the quarter's report
    needs, with definitions, the figures already held and targets locked,
    cells to fill for value (or numerator and denominator), quality and note,
    and a Commentary sheet for each measure's commentary and corrective
    action. The deadline is the quarter's returns_due, when its params file
    gives one. Read them back with pm ingest.

    With --councils: each council's returns for its own measures go to
    OUT/<council id>/, and one return per shared service, with every
    council's rows, to OUT/shared/, due by the earliest of the councils'
    returns_due.
    """
    from pmlib.contract.loading import load_data
    from pmlib.contract.params_folder import params_files, report_params, select_quarters
    from pmlib.contract.periods import parse_quarter
    from pmlib.intake.return_rows import return_rows, target_warnings
    from pmlib.intake.returns import due_words, write_owner_returns

    if (quarter is not None) + latest != 1:
        raise click.UsageError("give one of QUARTER or --latest")
    if_it_fails("no return was written")
    services = shared_services(councils)
    if quarter is not None:
        q = parse_quarter(quarter)
    else:
        folders = [params_dir] if services is None else [c.params for c in services.councils]
        held = [found for folder in folders for found in params_files(folder)]
        q = max(held) if held else select_quarters(folders[0])[0]  # no params file anywhere: its usual error
    if services is not None:
        _shared_returns(q, services, due.date() if due is not None else None, out_dir)
        return
    given = report_params(params_dir, q).returns_due if q in params_files(params_dir) else None
    if due is not None and given is not None and due.date() != given:
        raise ConfigError(f"--due {due:%Y-%m-%d} differs from returns_due {given}; give one deadline", file=params_dir / f"{q.slug}.yml")
    due = due.date() if due is not None else given
    data = load_data(data_dir)
    rows = return_rows(data, q)
    written = write_owner_returns(data, q, rows, out_dir / q.slug, None, due)
    for path in written:
        click.echo(f"Return: {path}")
    print_problems(target_warnings(data, rows))
    hint = "" if due else f" (give --due, or returns_due in {params_dir / (q.slug + '.yml')})"
    click.echo(f"{len(written)} return(s) written; send each to its service unit. {due_words(due)}{hint}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@folder_option("data", "data", "The council's data folder.")
@folder_option("params", "params", "The folder of report params (each report's data_as_at, to warn of figures dated after it).")
@click.option(
    "--reported-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date figures were supplied, for files that don't say.  [default: today]",
)
@click.option("--dry-run", is_flag=True, help="Check and report, but write nothing.")
@councils_option
def ingest(files: tuple[Path, ...], data_dir: Path, params_dir: Path, reported_on, dry_run: bool, councils: Path | None) -> None:
    """Read returned workbooks (.xlsx) and CSV files of figures into DATA/observations/, and their commentary into DATA/commentary.csv.

    New figures and commentary are appended with the date they were supplied; existing rows
    are never edited or removed, and a figure that changes one already held
    becomes a revision. If any file has a problem, every problem is printed
    as FILE:ROW: SHEET!CELL: message and nothing is written. Figures a file
    gives no date for (Supplied on blank, no reported_on) are dated today or
    --reported-on; if that is after the data_as_at of the report they are
    for (PARAMS/<quarter>.yml), a warning says that report will not show them.

    With --councils: each council's return goes to that council's data
    folder, and a shared service's return is split by council, each part
    read in by the same rules; if any file or any council's part has a
    problem, nothing is written to any council.
    """
    from pmlib.intake.ingest import ingest as read_in

    services = shared_services(councils)
    if services is not None:
        if_it_fails("every council's data folder is unchanged")
        _shared_ingest(list(files), services, reported_on.date() if reported_on else None, dry_run)
        return
    if_it_fails(f"{data_dir} is unchanged")
    result = read_in(list(files), data_dir, reported_on.date() if reported_on else None, dry_run=dry_run, params_dir=params_dir)
    print_problems(list(result.warnings))
    for f in result.files:
        click.echo(_file_line(f, data_dir))
    if dry_run:
        click.echo(f"Dry run: {data_dir} is unchanged.")
    elif not result.written:
        click.echo(f"Nothing new: {data_dir} is unchanged.")


def _file_line(f, data_dir: Path) -> str:
    """What one file added to one data folder, and where."""
    where = (" -> " + ", ".join(str(data_dir / w) for w in f.written_to.split())) if f.written_to else ""
    said = f"; {f.commentary} commentary row(s) added" if f.commentary else ""
    said += f"; {f.forecasts} forecast(s) added" if f.forecasts else ""
    return f"{f.file}: {f.added} new figure(s), {f.revisions} of them revisions; {f.unchanged} already held{said}{where}"


def _shared_returns(q, services, due, out_dir: Path) -> None:
    """``pm returns --councils``: every council's own returns and one per shared service."""
    from pmlib.intake.returns import due_words
    from pmlib.intake.shared_returns import council_dues, write_shared_returns

    dues = council_dues(services, q, due)
    written, warnings = write_shared_returns(q, services, out_dir, due=due)
    for path in written:
        click.echo(f"Return: {path}")
    print_problems(warnings)
    click.echo(f"{len(written)} return(s) written; send each to its service unit or shared service.")
    for council_id, given in dues.items():
        hint = "" if given else f" (give --due, or returns_due in {services.council(council_id).params / (q.slug + '.yml')})"
        click.echo(f"{council_id}: {due_words(given)}{hint}")
    if any(dues.values()):
        click.echo(f"Shared services' returns: due by the earliest, {min(d for d in dues.values() if d):%Y-%m-%d}.")


def _shared_ingest(files: list[Path], services, reported_on, dry_run: bool) -> None:
    """``pm ingest --councils``: each file to its council, a shared service's split by council; all or nothing."""
    from pmlib.intake.shared_ingest import ingest_shared

    result = ingest_shared(files, services, reported_on, dry_run=dry_run)
    print_problems([w for r in result.councils.values() for w in r.warnings])
    for council_id, outcome in result.councils.items():
        for f in outcome.files:
            click.echo(f"{council_id}: {_file_line(f, services.council(council_id).data)}")
    if dry_run:
        click.echo("Dry run: every council's data folder is unchanged.")
    elif not result.written:
        click.echo("Nothing new: every council's data folder is unchanged.")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--measure", "measure_id", required=True, help="The measure_id the figures are for.")
@folder_option("data", "data", "The council's data folder.")
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

    if_it_fails(f"{data_dir} is unchanged")
    day = reported_on.date() if reported_on else None
    result = import_comparators(file, measure_id, data_dir, reported_on=day, dry_run=dry_run, **options)
    print_problems(list(result.warnings))
    click.echo(result.summary(data_dir, dry_run=dry_run))
