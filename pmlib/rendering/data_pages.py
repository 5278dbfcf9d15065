"""The open data page (files per quarter and a data dictionary) and the Sustainable Development Goal pages.

The open data files themselves are written next to the generated pages
(``pages/data/<slug>/``) from the judged table, and published at
``data/<slug>/`` in the site, where the data contract puts them (the project's
own ``data/`` is the council's data folder, so they cannot be written there).
The page links to them where they are published.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pmlib.contract.periods import Period
from pmlib.rendering.qmd import link, long_date, page, raw_html
from pmlib.views.labels import status_label
from pmlib.views.method import gss_table
from pmlib.views.open_data import CHANGE_COLUMNS, COLUMNS, COMPARISON_COLUMNS, COMPARISONS_FILE, OPEN_DATA_FILES
from pmlib.views.prose import literal_markdown
from pmlib.views.report import QuarterReport
from pmlib.views.sdgs import GOALS, goal_title, measures_by_goal
from pmlib.views.tables import make_table

OPEN_DATA_DIR = "data"
SDG_DIR = "goals"


def published_at(quarter: Period, name: str) -> str:
    """The site path a quarter's open data file is published at: ``data/<slug>/<name>``, as the data contract says."""
    return f"{OPEN_DATA_DIR}/{quarter.slug}/{name}"


def open_data_files(pages_dir: Path, quarters: Iterable[Period]) -> dict[Path, str]:
    """Each quarter's open data files as written beside the pages, and the site path each is published at (``published_at``).

    Only the files written: ``comparisons.csv`` is there only for a quarter
    with comparisons (``pm pages`` clears the folder before writing it).
    """
    found = ((pages_dir / OPEN_DATA_DIR / q.slug / name, published_at(q, name)) for q in quarters for name in OPEN_DATA_FILES)
    return {path: published for path, published in found if path.name != COMPARISONS_FILE or path.is_file()}


def publish_open_data(pages_dir: Path, quarters: Iterable[Period], site: Path) -> list[Path]:
    """Copy each quarter's open data into the site at ``data/<slug>/``: the built-in renderer's step, and Quarto's post-render one."""
    written = []
    for source, published in open_data_files(pages_dir, quarters).items():
        path = site / published
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)
        written.append(path)
    return written


def open_data_page(params: dict[Period, object], files: dict[Period, list[Path]], here: Path, site_root: Path, council_name: str) -> str:
    """Every quarter's CSV and data package, newest first, and what each column means.

    ``site_root`` is the folder whose paths are the site's (the project root):
    the files are linked where the site publishes them, ``data/<slug>/``.
    ``comparisons.csv`` is listed, and its columns explained, only where a
    quarter has one, so a council without comparisons gets the page it had.
    """
    compared = any(path.name == COMPARISONS_FILE for paths in files.values() for path in paths)
    comparisons = (
        "a CSV file of how the council compares with other areas (its place among each group of areas and against England), "
        if compared
        else ""
    )
    parts = [
        f"{literal_markdown(council_name)} publishes every measure in each quarterly report as open data, "
        "under the [Open Government Licence v3.0](https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/). "
        "Each quarter has a CSV file with one row per published measure, a CSV file of what changed since the previous report "
        f"(new measures, revised targets, status moves and revised figures), {comparisons}and a "
        f"[Frictionless Data](https://specs.frictionlessdata.io/data-package/) package describing {'them' if compared else 'both'}, "
        "so tools can read the files "
        "without guessing. The figures are exactly those in the report: small numbers are withheld as `[c]` and measures that are "
        "not published do not appear.",
        "## Files by quarter",
    ]
    rows = []
    for q in sorted(params, reverse=True):
        by_name = {path.name: path for path in files[q]}
        href = lambda name, q=q: link(site_root / published_at(q, name), here)  # noqa: E731
        lines = {name: sum(1 for _ in path.open(encoding="utf-8")) - 1 for name, path in by_name.items() if name.endswith(".csv")}
        count, changes = lines["measures.csv"], lines["changes.csv"]
        listed = [
            f"[measures.csv]({href('measures.csv')}) ({count} measures, {by_name['measures.csv'].stat().st_size:,} bytes)",
            f"[changes.csv]({href('changes.csv')}) ({changes} {'change' if changes == 1 else 'changes'})",
        ]
        if COMPARISONS_FILE in by_name:
            n = lines[COMPARISONS_FILE]
            listed.append(f"[{COMPARISONS_FILE}]({href(COMPARISONS_FILE)}) ({n} {'comparison' if n == 1 else 'comparisons'})")
        listed.append(f"[datapackage.json]({href('datapackage.json')})")
        rows.append(f"- **{q.code}** ({q.label}), figures as at {long_date(params[q].data_as_at)}: " + "; ".join(listed))
    parts.append("\n".join(rows))
    parts += ["## Data dictionary", "The columns of every `measures.csv`, in order."]
    dictionary = pd.DataFrame(COLUMNS, columns=["Column", "Type", "Meaning"])
    parts.append(raw_html(make_table(dictionary, "table-data-dictionary", "Columns of measures.csv").html))
    parts.append("The columns of every `changes.csv`, in order: one row per change since the previous report.")
    changes = pd.DataFrame(CHANGE_COLUMNS, columns=["Column", "Type", "Meaning"])
    parts.append(raw_html(make_table(changes, "table-changes-dictionary", "Columns of changes.csv").html))
    if compared:
        parts.append(f"The columns of every `{COMPARISONS_FILE}`, in order: one row per published measure and group of areas.")
        columns = pd.DataFrame(COMPARISON_COLUMNS, columns=["Column", "Type", "Meaning"])
        parts.append(raw_html(make_table(columns, "table-comparisons-dictionary", f"Columns of {COMPARISONS_FILE}").html))
    parts += [
        "## Symbols in the value column",
        "The Government Statistical Service shorthand, used in the files and on every page of this site.",
        raw_html(gss_table("table-data-symbols", "Symbols used in place of or beside a figure").html),
    ]
    return page("Open data", *parts)


def _measure_lines(report: QuarterReport, ids: list[str], here: Path, measures_dir: Path) -> str:
    judged = report.judged.set_index("measure_id")
    measures = report.measures  # a selection made afresh on each access, so made once here
    lines = []
    for m in ids:
        name = literal_markdown(measures.loc[m, "name"])
        plan = literal_markdown(report.plans.loc[measures.loc[m, "plan_id"], "name"])
        status = status_label(judged.loc[m, "status"]).text
        lines.append(f"- [{name}]({link(measures_dir / f'{m}.qmd', here)}) ({plan}): {status} in {report.quarter.code}")
    return "\n".join(lines)


def goals_page(report: QuarterReport, here: Path, goals_dir: Path) -> str:
    """The index of goals: each goal with the number of published measures aligned to it."""
    by_goal = measures_by_goal(report.measures, report.plans)
    lines = []
    for goal in GOALS:
        count = len(by_goal.get(goal, []))
        if count:
            lines.append(f"- [{goal_title(goal)}]({link(goals_dir / f'{goal}.qmd', here)}): {count} measure{'s' if count != 1 else ''}")
        else:
            lines.append(f"- {goal_title(goal)}: no measure aligned")
    return page(
        "Sustainable Development Goals",
        f"The United Nations' 17 Sustainable Development Goals, and the measures in {literal_markdown(report.data.council.short_name)}'s "
        f"corporate performance reports that contribute to each, with their status in {report.quarter.code}. A measure counts "
        "towards the goals it names, or, if it names none, those of its delivery plan.",
        "\n".join(lines),
    )


def goal_page(report: QuarterReport, goal: int, ids: list[str], here: Path, measures_dir: Path) -> str:
    """One goal: the delivery plans and published measures aligned to it."""
    plans = [literal_markdown(p["name"]) for _, p in report.plans.iterrows() if goal in p["sdgs"]]
    parts = [
        f"Measures aligned to UN Sustainable Development Goal {goal}, {GOALS[goal].lower()}, and their status in {report.quarter.code}."
    ]
    if plans:
        parts.append("Delivery plans that name this goal: " + ", ".join(plans) + ".")
    parts += ["## Measures", _measure_lines(report, ids, here, measures_dir)]
    return page(goal_title(goal), *parts)


def goal_pages(report: QuarterReport, out_dir: Path, measures_dir: Path) -> dict[str, str]:
    """The goals index and a page per goal with aligned measures, by path relative to ``out_dir``."""
    goals_dir = out_dir / SDG_DIR
    pages = {"goals.qmd": goals_page(report, out_dir / "goals.qmd", goals_dir)}
    for goal, ids in measures_by_goal(report.measures, report.plans).items():
        here = goals_dir / f"{goal}.qmd"
        pages[f"{SDG_DIR}/{goal}.qmd"] = goal_page(report, goal, ids, here, measures_dir)
    return pages
