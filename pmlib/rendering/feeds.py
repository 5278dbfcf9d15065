"""The Atom feeds that tell residents when a report is out: one feed of every report, and one per delivery plan.

A feed reader polls a feed and shows what is new, so a resident need not keep
checking the site. The feeds are Atom (RFC 4287), made with feedgen, written
after either renderer has made the pages (``publish_site_files``), and linked
from every page's head (``page_feeds``) and from the home page
(``follow_section``). Each entry is a quarter as its public report shows it:
the headline comes from ``quarter_report``, which went through
``public_view``, so a restricted measure is in no feed.

An entry's date is its report's ``meeting_date``: the report is made public
for that meeting, while ``data_as_at`` is when its figures stood, not when a
resident could read them; a rebuild never moves it. The site's address is
known only when the project gives ``website.site-url``: the links are then
absolute, and otherwise relative to the feed file, as Atom allows. Ids never
depend on the address: they are ``tag:`` URIs (RFC 4151) minted from the
council's own domain (``contact_url``, else ``contact_email``), so publishing
the site elsewhere, or adding ``site-url`` later, does not make a reader show
every report again.
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit
from zoneinfo import ZoneInfo

from feedgen.feed import FeedGenerator

from pmlib.contract.config import Council, ReportParams, read_report_params
from pmlib.contract.loading import load_data
from pmlib.contract.params_folder import params_files, report_params
from pmlib.contract.periods import Period
from pmlib.project import Project
from pmlib.rendering.documents import OVERVIEW, REPORTS_PATH, Document, notebook_output
from pmlib.rendering.project import read_project
from pmlib.rendering.qmd import link
from pmlib.views.narrative import plan_sentence
from pmlib.views.prose import literal_markdown
from pmlib.views.report import QuarterReport, quarter_report

FEEDS_DIR = "feeds"
REPORTS_FEED = f"{FEEDS_DIR}/reports.xml"
ATOM_TYPE = "application/atom+xml"
REPORTS_LINK_TITLE = "Every quarterly report (Atom feed)"
PLAN_PREFIX = "plan-"
UK_TIME = ZoneInfo("Europe/London")  # meetings are on UK dates; tzdata ships with pandas, so every machine gives the same offset
_PLAN_PAGE = re.compile(rf"^{REPORTS_PATH}/[^/]+/{PLAN_PREFIX}(.+)\.html$")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 forbids, as text pasted from Word can hold


@dataclass(frozen=True)
class FeedLink:
    """A feed a page names in its head: the title a feed reader offers and the feed's site path."""

    title: str
    path: str


def plan_feed(plan_id: str) -> str:
    """The site path of a delivery plan's feed."""
    return f"{FEEDS_DIR}/{PLAN_PREFIX}{plan_id}.xml"


def plan_link_title(plan_name: str) -> str:
    """How a plan page's head names the plan's feed (``feed-links.lua`` says the same for Quarto's pages)."""
    return f"{plan_name} delivery plan (Atom feed)"


def page_feeds(page: str, label: str) -> list[FeedLink]:
    """The feeds the page at site path ``page`` names in its head: every report's, and on a plan's page that plan's.

    ``label`` is the page's name in its quarter's menu (the plan's name on a plan page).
    """
    feeds = [FeedLink(REPORTS_LINK_TITLE, REPORTS_FEED)]
    plan = _PLAN_PAGE.match(page)
    if plan:
        feeds.append(FeedLink(plan_link_title(label), plan_feed(plan.group(1))))
    return feeds


def published_feeds(pages: Iterable[str]) -> list[str]:
    """The site paths of the feeds ``write_feeds`` writes for a site of these pages: one of every report, one per plan with a page."""
    plans = {m.group(1) for m in map(_PLAN_PAGE.match, pages) if m}
    return [REPORTS_FEED, *(plan_feed(p) for p in sorted(plans))]


def follow_section(documents: Sequence[Document], page: Path, site_root: Path) -> str:
    """The home page's "Follow the reports": what a feed is, and a link to every report's feed and to each plan's.

    ``documents`` are the latest quarter's pages (its plans are listed, by
    name, in menu order); ``site_root`` is the folder whose paths are the
    site's, so the links name the feeds where they are published.
    """
    plans = [(d.label, plan_feed(d.source.stem.removeprefix(PLAN_PREFIX))) for d in documents if d.source.stem.startswith(PLAN_PREFIX)]
    lines = [f"- [Every quarterly report]({link(site_root / REPORTS_FEED, page)}): each report as it is published, with its headline."]
    if plans:
        named = "; ".join(f"[{literal_markdown(name)}]({link(site_root / path, page)})" for name, path in plans)
        lines.append(f"- Each delivery plan, a quarter at a time: {named}.")
    return "\n\n".join(
        [
            "## Follow the reports",
            "A feed lets a feed reader tell you when a new report is published here, so you need not keep checking the site. "
            "Many email programs and news apps have a feed reader: copy the address of one of these links into it. "
            "Opened in a browser, a feed shows as code. The feeds are in the Atom format.",
            "\n".join(lines),
        ]
    )


def _when(params: ReportParams) -> dt.datetime:
    """When a report came out: the start of its meeting's day in the UK."""
    return dt.datetime.combine(params.meeting_date, dt.time(), UK_TIME)


def _tagger(council: Council) -> str:
    """Who mints the ids: the council's web domain, else its email address; both are names RFC 4151 accepts."""
    if council.contact_url:
        host = urlsplit(council.contact_url).hostname or ""
        return host.removeprefix("www.")
    return council.contact_email or ""


def _id(council: Council, day: dt.date, specific: str) -> str:
    """A ``tag:`` URI for ``specific`` as the council named it on ``day``; a name-based UUID for a council with no domain or email."""
    tagger = _tagger(council)
    if not tagger:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"pmlib:{council.name}:{specific}").urn
    return f"tag:{tagger},{day.isoformat()}:{quote(specific, safe='/-._~')}"


@dataclass(frozen=True)
class Entry:
    """One quarter in a feed: its id, title, date, headline and the site path of its page."""

    id: str
    title: str
    when: dt.datetime
    summary: str
    page: str


@dataclass(frozen=True)
class Feed:
    """One feed: its site path, words, id and entries, oldest first."""

    path: str
    title: str
    subtitle: str
    id: str
    entries: tuple[Entry, ...]


def _overview(project: Project, quarter: Period) -> str:
    """The quarter's overview page, or its first page when a council's notebooks have no overview."""
    paths = sorted((Path(project.reports) / quarter.slug).glob("*.ipynb"), key=lambda p: (p.stem != OVERVIEW, p.name))
    return notebook_output(paths[0], quarter)


def _plan_pages(project: Project, quarter: Period) -> dict[str, str]:
    """The quarter's plan pages by plan id, as its notebooks publish them."""
    paths = sorted((Path(project.reports) / quarter.slug).glob(f"{PLAN_PREFIX}*.ipynb"))
    return {p.stem.removeprefix(PLAN_PREFIX): notebook_output(p, quarter) for p in paths}


def _plan_name(report: QuarterReport, plan_id: str) -> str:
    return str(report.plans["name"].get(plan_id, plan_id))


def _report_entry(report: QuarterReport, page: str) -> Entry:
    q, p = report.quarter, report.params
    specific = f"performance/reports/{q.slug}"
    return Entry(_id(report.data.council, p.meeting_date, specific), f"{q.code}: {p.title}", _when(p), report.narrative(), page)


def _plan_entry(report: QuarterReport, plan_id: str, page: str) -> Entry:
    q, p, name = report.quarter, report.params, _plan_name(report, plan_id)
    specific = f"performance/plans/{plan_id}/{q.slug}"
    summary = plan_sentence(name, report.plan_rows(plan_id))
    return Entry(_id(report.data.council, p.meeting_date, specific), f"{q.code}: {name}", _when(p), summary, page)


def _params_reader(project: Project) -> Callable[[Period], ReportParams]:
    """A quarter's params as ``report_params`` gives them, each file read once: the feeds ask for the built quarters' twice."""
    files = params_files(project.params)

    @functools.cache
    def params(quarter: Period) -> ReportParams:
        return read_report_params(files[quarter]) if quarter in files else report_params(project.params, quarter)  # which raises

    return params


def _public_reports(project: Project, quarters: Iterable[Period], params: Callable[[Period], ReportParams]) -> list[QuarterReport]:
    """Each public quarter's report, oldest first: only a public report is on the site, and its rows went through ``public_view``."""
    public = [p for p in map(params, sorted(set(quarters))) if p.audience == "public"]
    data = load_data(project.data) if public else None
    return [quarter_report(p, project.data, project.params, data=data) for p in public]


def _first_published(project: Project, params: Callable[[Period], ReportParams]) -> dt.date:
    """The first public report's meeting date in the params folder: the date in the feeds' own ids, kept as later quarters are added."""
    return min(p.meeting_date for p in map(params, params_files(project.params)) if p.audience == "public")


def site_feeds(project: Project, quarters: Iterable[Period]) -> tuple[Council | None, list[Feed]]:
    """The council and the feeds of a site of the built ``quarters``: every report's first, then each plan's by plan id.

    Only public quarters have entries (the website refuses the others before
    this runs). A plan has a feed when it has a page in any built quarter, and
    an entry for each quarter it has a page in.
    """
    params = _params_reader(project)
    reports = _public_reports(project, quarters, params)
    if not reports:
        return None, []
    latest, first = reports[-1], _first_published(project, params)
    council = latest.data.council
    plans: dict[str, list[Entry]] = {}
    for report in reports:
        for plan_id, page in _plan_pages(project, report.quarter).items():
            plans.setdefault(plan_id, []).append(_plan_entry(report, plan_id, page))
    feeds = [
        Feed(
            REPORTS_FEED,
            f"{council.name}: corporate performance reports",
            "Each quarter's corporate performance report, as it is published for its meeting.",
            _id(council, first, "performance/reports"),
            tuple(_report_entry(r, _overview(project, r.quarter)) for r in reports),
        )
    ]
    for plan_id, entries in sorted(plans.items()):
        name = _plan_name(latest, plan_id)
        subtitle = f"How the measures of the {name} delivery plan stood in each quarter's report."
        feeds.append(
            Feed(
                plan_feed(plan_id), f"{council.name}: {name}", subtitle, _id(council, first, f"performance/plans/{plan_id}"), tuple(entries)
            )
        )
    return council, feeds


def atom(feed: Feed, council: Council, lang: str, site_url: str | None = None) -> bytes:
    """The feed as an Atom document, newest entry first; ``updated`` is the newest entry's, never the time of the build.

    Links are absolute under ``site_url`` (ending in ``/``) when given, else relative to the feed's own path.
    """

    def href(target: str) -> str:
        return urljoin(site_url, target) if site_url else posixpath.relpath(target, posixpath.dirname(feed.path))

    def text(words: str) -> str:
        return _NOT_XML.sub(" ", words)

    out = FeedGenerator()
    out.id(feed.id)
    out.title(text(feed.title))
    out.subtitle(text(feed.subtitle))
    out.language(lang)
    out.author({"name": text(council.name), **({"uri": council.contact_url} if council.contact_url else {})})
    out.link(href=href("index.html"), rel="alternate", type="text/html")
    out.link(href=href(feed.path), rel="self", type=ATOM_TYPE)
    out.generator("pmlib")  # no version, so the bytes do not change with pmlib's
    ordered = sorted(feed.entries, key=lambda e: (e.when, e.id), reverse=True)
    out.updated(ordered[0].when)
    for e in ordered:
        item = out.add_entry(order="append")
        item.id(e.id)
        item.title(text(e.title))
        item.updated(e.when)
        item.published(e.when)
        item.summary(text(e.summary), type="text")
        # feedgen 1.0 writes an entry's link without its rel and type; a link without rel is alternate (RFC 4287 4.2.7.2).
        item.link(href=href(e.page), rel="alternate", type="text/html")
    return out.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def write_feeds(project: Project, quarters: Iterable[Period], site_dir: Path) -> list[Path]:
    """Write the feeds of ``site_feeds`` into ``site_dir``, at their site paths (``feeds/``); the files written, sorted."""
    council, feeds = site_feeds(project, quarters)
    if council is None:
        return []
    config = read_project(project.root, "website")
    site_url = config.website.site_url.rstrip("/") + "/" if config.website.site_url else None
    written = []
    for feed in feeds:
        target = Path(site_dir) / feed.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(atom(feed, council, config.lang, site_url))
        written.append(target)
    return sorted(written)
