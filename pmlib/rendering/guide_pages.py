"""The methodology page and the accessibility statement, written from the rules and vocabulary the reports use.

Both are generated rather than hand-written so they cannot drift from what
the site does: the status rules read the council's own method and tolerance,
and the symbols tables come from the same labels every table and chart uses.
"""

from __future__ import annotations

import datetime as dt

from pmlib.contract.config import Council
from pmlib.rendering.qmd import long_date, page, raw_html
from pmlib.views.labels import ACTION_LABELS, STATUS_LABELS, TREND_LABELS
from pmlib.views.method import gss_table, labels_table, status_rules
from pmlib.views.prose import literal_markdown
from pmlib.views.tables import Table


def _table(table: Table) -> str:
    return raw_html(table.html)


COMPARISONS = (
    "## How we compare with other areas",
    "Where other areas' figures for a measure are published (by the Office for National Statistics, the Department for "
    "Education or the Office for Local Government), the council's figure is set beside them, one period against one period, "
    "as published: the latest period for which the council and at least one area of the group have a figure by the date the "
    "report's figures were frozen.\n\n"
    "- **Rank.** Among a group of areas (such as statistical neighbours), 1st is best: highest for a measure where higher is "
    "better, lowest where lower is better. Areas with the same figure share the better place, written `=3rd`. Only areas with "
    "a figure count.\n"
    "- **Quartile.** The best quartile of the group is the top 25% of places: the quartile is 4 x rank / number of areas, "
    "rounded up.\n"
    "- **Median.** The middle figure of the other areas in the group (the council not included); the council is better, worse "
    "or the same as it.\n"
    "- **England** (and any other single area) is a reference: the council is better or worse than it, with no rank.\n"
    "- A measure that is context only has no rank; its figure is above or below the others'. A withheld figure `[c]` has no "
    "rank or quartile.",
)


def methodology_page(council: Council, comparisons: bool = False) -> str:
    """How the council manages performance, how each status is decided, and what every symbol means.

    ``comparisons``: the site compares measures with other areas, so the page says how ranks and quarters are found.
    """
    return page(
        "Methodology",
        f"How {literal_markdown(council.name)} monitors its Corporate Strategy, and how the statuses on this site are decided.",
        "## Plan, Measure, Review, Revise",
        "- **Plan.** Each delivery plan of the Corporate Strategy sets out actions and measures of success. Every measure has a "
        "definition, a baseline, a target and an intervention level for each year, a reporting frequency, a source system and an "
        "accountable service unit.\n"
        "- **Measure.** Each quarter, service units supply their figures from their source systems, marked validated, provisional "
        "or estimated. The performance team checks them against the data quality rules before anything is published.\n"
        "- **Review.** Each figure is judged against its target by the rules below. Officers write commentary, and every measure "
        "needing intervention gets an exception report with a corrective action, an owner and a date. Cabinet receives the "
        "quarterly report; the half-year (Q2) and end-of-year (Q4) reports add the year's view and progress on every action.\n"
        "- **Revise.** Targets, measures and actions are revised each year in the light of the results.",
        "## How a status is decided",
        status_rules(council),
        _table(labels_table(STATUS_LABELS, "table-method-statuses", "Statuses")),
        _table(labels_table(TREND_LABELS, "table-method-trends", "Directions of travel")),
        *(COMPARISONS if comparisons else ()),
        "## Actions",
        _table(labels_table(ACTION_LABELS, "table-method-actions", "Progress of delivery plan actions")),
        "## Symbols beside figures",
        _table(gss_table("table-method-symbols", "Government Statistical Service symbols")),
        "## Small numbers, restricted measures and revisions",
        "- A count small enough to identify someone is withheld as `[c]`, and so is every figure worked out from it. Its status "
        "and trends are still shown, because they do not reveal the number.\n"
        "- Some measures are reported to councillors only; they do not appear anywhere on this site or in its open data.\n"
        "- Each report shows its figures as they stood on the date its figures were frozen, so an old report always reads as it "
        "was published. A figure corrected after an earlier report used it is marked `[r]` revised, and each measure's page lists "
        "its revisions.",
        "Every status is shown by a word and a symbol, never by colour alone, so it reads the same in greyscale and to screen readers.",
    )


def _contact(council: Council) -> str:
    routes = []
    if council.contact_email:
        routes.append(f"- email [{literal_markdown(council.contact_email)}](mailto:{council.contact_email})")
    if council.contact_url:
        routes.append(f"- use the contact details on [the council's website]({council.contact_url})")
    if not routes:
        return f"Contact {literal_markdown(council.name)} through its usual customer contact routes, and ask for the performance team."
    return "\n".join(routes)


def accessibility_page(council: Council, site_title: str, as_at: dt.date) -> str:
    """The accessibility statement the Public Sector Bodies Accessibility Regulations 2018 require, in the GOV.UK model's order."""
    name = literal_markdown(council.name)
    reviewed = (
        f"This statement was last reviewed by {name} on {long_date(council.accessibility_reviewed)}."
        if council.accessibility_reviewed
        else f"This statement is generated with each edition of the website; this edition publishes figures as at {long_date(as_at)}."
    )
    return page(
        "Accessibility statement",
        f"This accessibility statement applies to the {literal_markdown(site_title)} website of {name}, which publishes the council's "
        "quarterly corporate performance reports.",
        f"{name} wants as many people as possible to be able to use this website. For example, you should be able to:",
        "- zoom in up to 400% without the text spilling off the screen, and read every page on a phone without scrolling sideways\n"
        "- navigate the whole website using just a keyboard, with a visible focus and a link to skip to the main content\n"
        "- navigate most of the website using speech recognition software\n"
        "- listen to the whole website using a screen reader: every chart has a title stating what it shows, a text description "
        "and a table with the same figures\n"
        "- read every status without seeing colour: each has a word and a symbol",
        "## How accessible this website is",
        "We know some parts of this website are not fully accessible:",
        "- the tooltips on interactive charts appear on pointer hover only; every figure they show is also in the table beside the "
        "chart\n"
        "- the Cabinet report packs are PDF documents; they are tagged, with bookmarks and alternative text for charts, but "
        "complex tables in PDF can be hard to navigate with a screen reader. Every figure in a pack is also on these web pages "
        "and in the open data",
        "## Feedback and contact information",
        "If you need information on this website in a different format, such as accessible PDF, large print, easy read, audio "
        "recording or braille, or if you find a problem not listed on this page or think we are not meeting accessibility "
        "requirements:",
        _contact(council),
        "## Enforcement procedure",
        "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies (Websites and Mobile "
        "Applications) (No. 2) Accessibility Regulations 2018 (the 'accessibility regulations'). If you are not happy with how we "
        "respond to your complaint, contact the "
        "[Equality Advisory and Support Service (EASS)](https://www.equalityadvisoryservice.com/).",
        "## Technical information about this website's accessibility",
        f"{name} is committed to making its website accessible, in accordance with the Public Sector Bodies (Websites and Mobile "
        "Applications) (No. 2) Accessibility Regulations 2018.",
        "### Compliance status",
        "This website is designed to meet the [Web Content Accessibility Guidelines version 2.2](https://www.w3.org/TR/WCAG22/) "
        "AA standard. Automated testing finds no failure, but the website has not yet been audited by an accessibility specialist "
        "or tested with disabled users, so we describe it as partially compliant until it has been, because of the limitations "
        "listed above.",
        "### What we're doing to improve accessibility",
        "Every edition of this website is tested before publication. A build that fails any check is not published.",
        "## Preparation of this accessibility statement",
        f"{reviewed} Every page was tested with the axe-core accessibility engine in a Chromium browser at desktop (1280 pixels) "
        "and phone (375 pixels) widths, for the WCAG 2.0, 2.1 and 2.2 A and AA rules, with checks that no page scrolls sideways "
        "on a phone, that every chart is drawn and that every status has a word or symbol beside its colour.",
    )
