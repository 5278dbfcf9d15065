"""The website's pages that are not notebooks, written as ``.qmd`` files that Quarto and the built-in renderer both read.

``write_pages`` makes the home page (the latest quarter's headline and its
pages), the archive (every built quarter), a list of measures, and a page per
public measure (``pmlib.rendering.measure_pages``), with the other pages and
each quarter's open data.
Everything comes from ``quarter_report`` of the latest quarter, which went
through ``public_view``: a restricted measure has no page and a small number
is ``[c]``. Text from the data is HTML-escaped before it becomes Markdown, and
HTML (charts, tables) goes in ```` ```{=html} ```` blocks. Links name source
files (``../reports/<slug>/overview.ipynb``), which each renderer maps to the
page it writes.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from pmlib.contract.loading import load_data
from pmlib.contract.params_folder import report_params
from pmlib.contract.periods import Period, parse_quarter
from pmlib.errors import ConfigError, Problem
from pmlib.project import Project
from pmlib.rendering.dashboard_page import dashboard_page
from pmlib.rendering.data_pages import OPEN_DATA_DIR, SDG_DIR, goal_pages, open_data_page
from pmlib.rendering.documents import MENUS, Document, quarter_menus, read_quarter
from pmlib.rendering.feeds import PLAN_PREFIX, follow_section
from pmlib.rendering.guide_pages import accessibility_page, methodology_page
from pmlib.rendering.measure_pages import MEASURES_DIR, measure_pages
from pmlib.rendering.pack_links import whole_pack_link
from pmlib.rendering.page_store import OpenDataStore, PageStore
from pmlib.rendering.project import read_project
from pmlib.rendering.qmd import link, long_date, page, raw_html
from pmlib.rendering.search import search_page
from pmlib.views.charts import chart_figures
from pmlib.views.freshness import last_updated
from pmlib.views.open_data import write_open_data
from pmlib.views.prose import Prose, literal_markdown
from pmlib.views.report import QuarterReport, quarter_report
from pmlib.views.tables import Table

HOME = "index.qmd"  # at the project root: Quarto makes the root's index the site's index.html
GENERATED = ("archive.qmd", "measures.qmd", "goals.qmd", "open-data.qmd", "methodology.qmd", "accessibility.qmd", "search.qmd")
_link, _raw, _page, _date = link, raw_html, page, long_date


def _quarter_links(documents: list[Document], page: Path) -> str:
    return "\n".join(f"- [{literal_markdown(d.label)}]({_link(d.source, page)})" for d in documents)


def _meeting(report_param) -> str:
    p = report_param
    return f"{literal_markdown(p.meeting)}, {_date(p.meeting_date)}. Figures as at {_date(p.data_as_at)}."


def _shown(output: Table | Prose) -> str:
    """A table as raw HTML, or the sentence that stands in for an empty one."""
    return output.markdown if isinstance(output, Prose) else _raw(output.html)


def _intervention_links(report: QuarterReport, page: Path, pages_dir: Path) -> str:
    ids = list(report.exceptions["measure_id"])
    if not ids:
        return ""
    names = [f"[{literal_markdown(report.measures.loc[m, 'name'])}]({_link(pages_dir / MEASURES_DIR / f'{m}.qmd', page)})" for m in ids]
    return "Each has its own page with its history and what officers are doing about it: " + "; ".join(names) + "."


def _figures(documents: Iterable[Document]) -> dict[str, str]:
    """The charts the quarter's notebooks drew, by element id: the pages show the same charts and need not draw them again."""
    return chart_figures(block.content for doc in documents for block in doc.blocks if block.kind == "html")


def _last_updated(report: QuarterReport) -> str:
    """When the published figures last changed: the newest date any of them was supplied."""
    newest = last_updated(report)
    return f" Figures last updated on {_date(newest)}." if newest else ""


def index_page(report: QuarterReport, documents: list[Document], page: Path, pages_dir: Path) -> str:
    """The home page: the latest quarter's headline, statuses by plan (chart and table), the measures needing intervention.

    It is ``index.qmd`` at the project's root, beside ``_quarto.yml``, so
    that Quarto, like the built-in renderer, makes it the site's
    ``index.html``; the other generated pages are in ``pages_dir``.
    """
    q, p = report.quarter, report.params
    here = pages_dir
    return _page(
        f"{literal_markdown(report.data.council.name)}: corporate performance",
        f"Latest report: **{literal_markdown(p.title)}, {q.code}** ({q.label}). {_meeting(p)}{_last_updated(report)}",
        report.headline().markdown,
        "## Status by delivery plan",
        _raw(report.status_chart().drawn(_figures(documents))),
        _raw(report.status_table().html),
        "## Measures needing intervention",
        _shown(report.exceptions_table()),
        _intervention_links(report, page, pages_dir),
        f"## The {q.code} report",
        _quarter_links(documents, page) + "\n" + whole_pack_link(q, page, pages_dir.parent),
        follow_section(documents, page, page.parent),
        "## More",
        f"- [Every measure]({_link(here / 'measures.qmd', page)}): definitions, targets, history and commentary.\n"
        f"- [Sustainable Development Goals]({_link(here / 'goals.qmd', page)}): the measures aligned to each goal.\n"
        f"- [Open data]({_link(here / 'open-data.qmd', page)}): every quarter's figures as CSV, with a data dictionary.\n"
        f"- [Methodology]({_link(here / 'methodology.qmd', page)}): how statuses are decided and what the symbols mean.\n"
        f"- [All reports]({_link(here / 'archive.qmd', page)}): every quarter published on this site.",
    )


def archive_page(params: dict[Period, object], documents: dict[Period, list[Document]], page: Path) -> str:
    """Every built quarter, newest first, with links to its overview, delivery plans and Cabinet pack."""
    parts = ["Every quarter published on this site, newest first. Each report shows its figures as they stood when it was published."]
    for q in sorted(params, reverse=True):
        parts += [
            f"## {q.code}: {literal_markdown(params[q].title)}",
            f"{q.label}. {_meeting(params[q])}",
            _quarter_links(documents[q], page) + "\n" + whole_pack_link(q, page, page.parent.parent),
        ]
    return _page("All reports", *parts)


def measures_page(report: QuarterReport, page: Path) -> str:
    """Every public measure of the latest quarter in one table to filter and sort (``pmlib.rendering.dashboard_page``)."""
    return dashboard_page(report, page, page.parent / MEASURES_DIR)


def _remove_stale(out_dir: Path) -> None:
    """Delete pages and files an earlier run generated, so a measure made restricted since then leaves no trace."""
    for name in (*GENERATED, HOME):  # the home page was in pages/ before it moved to the root
        (out_dir / name).unlink(missing_ok=True)
    for folder in (MEASURES_DIR, SDG_DIR):
        for path in (out_dir / folder).glob("*.qmd"):
            path.unlink()
    shutil.rmtree(out_dir / OPEN_DATA_DIR, ignore_errors=True)


def _open_data(quarter: Period, folder: Path, store: OpenDataStore | None, judged: Callable[[], QuarterReport]) -> list[Path]:
    """Write the quarter's open data into ``folder``: as kept in ``store`` when made from the same inputs, else from its report."""
    kept = store.kept(quarter) if store else None
    if kept is None:
        files = write_open_data(judged(), folder)
        if store:
            store.keep(quarter, files)
        return files
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in kept:
        (folder / name).write_bytes(text.encode("utf-8"))
    return [folder / name for name, _ in kept]


def write_pages(
    quarters: Iterable[str | Period],
    project: Project,
    *,
    pages_dir: str | os.PathLike | None = None,
    page_store: str | os.PathLike | None = None,
) -> list[Path]:
    """Write the generated pages for the built ``quarters`` into ``pages_dir``, and each quarter's open data beside them.

    Returns the paths written, sorted. ``pages_dir`` is the project's
    ``pages/`` unless given (``pm pages --out``); the project root has the
    ``_quarto.yml`` whose site title the accessibility statement names, and
    the home page, ``index.qmd``. With ``page_store`` (a folder), measure
    pages made from exactly the same inputs and code are taken from it and
    new ones kept there (``pmlib.rendering.page_store``).

    Raises ``ConfigError`` when no quarter is given, a quarter has no executed
    notebooks, or a quarter's params file is for an internal audience (the
    website is public), and the data's own errors as ``quarter_report`` does.
    """
    data_dir, params_dir, reports_dir = project.data, project.params, project.reports
    periods = sorted({q if isinstance(q, Period) else parse_quarter(q) for q in quarters})
    if not periods:
        raise ConfigError("no quarter to publish: run 'pm run' for at least one quarter, then build the site", file=reports_dir)
    params = {q: report_params(params_dir, q) for q in periods}
    internal = [q.code for q, p in params.items() if p.audience != "public"]
    if internal:
        files = [(Path(params_dir) / f"{q.slug}.yml").as_posix() for q in periods if q.code in internal]
        message = "audience is internal, but the website is public; set 'audience: public' or leave the quarter out"
        problems = [Problem(file, None, "audience", message) for file in files]
        raise ConfigError(f"{', '.join(files)}: {message}", problems=problems)
    out_dir = project.pages if pages_dir is None else Path(pages_dir)
    documents = {q: read_quarter(reports_dir, q) for q in periods}
    latest = periods[-1]
    data = load_data(data_dir)  # once for every quarter's report
    report = quarter_report(params[latest], data_dir, params_dir, data=data)
    figures = _figures(documents[latest])
    plans = {d.source.stem.removeprefix(PLAN_PREFIX): d.source for d in documents[latest] if d.source.stem.startswith(PLAN_PREFIX)}
    home = project.root / HOME
    pages = {
        "archive.qmd": archive_page(params, documents, out_dir / "archive.qmd"),
        "measures.qmd": measures_page(report, out_dir / "measures.qmd"),
        "search.qmd": search_page(out_dir / "search.qmd", project.root),
    }
    store = PageStore.for_quarter(page_store, data, Path(params_dir), latest) if page_store is not None else None
    pages.update(measure_pages(report, out_dir, plans, store, figures))
    pages.update(goal_pages(report, out_dir, out_dir / MEASURES_DIR))
    pages["methodology.qmd"] = methodology_page(report.data.council, comparisons=not report.comparisons.empty)
    site_title = read_project(project.root, "website").website.title
    pages["accessibility.qmd"] = accessibility_page(report.data.council, site_title, params[latest].data_as_at)
    _remove_stale(out_dir)
    written = []
    files = {}
    open_data = OpenDataStore.for_data(page_store, data, Path(params_dir), periods) if page_store is not None else None
    for q in periods:
        judged = lambda q=q: report if q == latest else quarter_report(params[q], data_dir, params_dir, data=data)  # noqa: E731
        files[q] = _open_data(q, out_dir / OPEN_DATA_DIR / q.slug, open_data, judged)
        written += files[q]
    pages["open-data.qmd"] = open_data_page(params, files, out_dir / "open-data.qmd", project.root, report.data.council.name)
    for name in sorted(pages):
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pages[name], encoding="utf-8", newline="\n")
        written.append(path)
    home.write_text(index_page(report, documents[latest], home, out_dir), encoding="utf-8", newline="\n")
    menus = out_dir / MENUS
    menus.write_text(json.dumps(quarter_menus(documents), indent=1, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    return sorted([*written, home, menus])
