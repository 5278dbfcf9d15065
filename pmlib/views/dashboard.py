"""The measures dashboard: every published measure of a quarter in one table that a reader can filter and sort.

Councillors filter Power BI dashboards; residents want "how is my bin
collection doing" without knowing which delivery plan holds it. The table is
complete HTML, so without scripts it is the whole answer; ``dashboard.js``
adds filters (real ``<select>`` controls) and sort buttons. Each row carries
the keys it is filtered by as ``data-*`` attributes: the status key exactly
as the open data's ``measures.csv`` has it, so the dashboard filtered to
"intervention" shows the measures the open data says need intervention.
Rows come from the report after ``public_view``, in its order, with the
freshness the measure pages show (``report.freshness``). Text from the
council is escaped, ``{`` too, so a name cannot become a Quarto shortcode.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmlib.views.labels import NO_TREND, STATUS_LABELS, TREND_LABELS
from pmlib.views.tables import display_rows

DASHBOARD_CLASS = "pm-dashboard"
"""The class of the dashboard's controls: the marker both renderers load ``dashboard.js`` for."""

FILTERS = (("plan", "Delivery plan", "All delivery plans"), ("status", "Status", "All statuses"))
FILTERS += (("trend", "Direction of travel", "All directions"), ("owner", "Owner", "All owners"))
"""Each filter: the row's ``data-*`` key (and URL query name), its label, and the option that shows every row."""

COLUMNS = (
    ("Measure", True),
    ("Delivery plan", True),
    ("Owner", True),
    ("Status", True),
    ("Direction of travel", True),
    ("Figure", False),
    ("Target", False),
    ("Period covered", True),
    ("Supplied", True),
    ("Next figure expected", True),
)
"""Each column's heading and whether it sorts: figures in different units have no order between them."""
NOT_YET = "None yet"


_DATE = "%-d %B %Y"  # as the site writes dates: 10 November 2021


def _iso(dates: pd.Series) -> np.ndarray:
    """Dates as sortable text; blank where there is none, which the script sorts last."""
    return np.where(dates.isna(), "", dates.dt.strftime("%Y-%m-%d").fillna(""))


def dashboard_rows(report) -> pd.DataFrame:
    """One row per published measure, in the report's order: what the table shows and the keys it is filtered and sorted by.

    ``status`` and ``trend`` are the open data's keys (``trend`` is
    ``short_trend``, ``none`` where there is none); the ``*_text`` columns are
    the words and symbols readers see, the ``*_rank`` columns their order in
    the site's legends, and the ``*_sort`` columns dates as ISO text.
    """
    j = report.judged.reset_index(drop=True)
    measures = report.data.measures
    shown = display_rows(j, measures)
    fresh = report.freshness.reset_index(drop=True)
    m = measures.loc[j["measure_id"]].reset_index(drop=True)
    trend = j["short_trend"].fillna(NO_TREND.key).astype(object)
    has_figure = j["value"].notna() | j["suppressed"].astype(bool)
    period = fresh["period"].astype(object)
    reported = fresh["reported_on"]
    supplied = np.where(reported.notna(), reported.dt.strftime(_DATE), np.where(has_figure, "Not recorded", "No figure"))
    return pd.DataFrame(
        {
            "measure_id": j["measure_id"].astype(object),
            "measure": m["name"].astype(object),
            "plan_id": j["plan_id"].astype(object),
            "plan": report.plans["name"].reindex(j["plan_id"]).to_numpy(object),
            "owner": m["owner"].fillna("").astype(object),
            "status": j["status"].astype(object),
            "status_text": j["status"].map({k: label.text for k, label in STATUS_LABELS.items()}),
            "status_tint": j["status"].map({k: label.tint for k, label in STATUS_LABELS.items()}),
            "status_rank": j["status"].map({k: i for i, k in enumerate(STATUS_LABELS)}).astype(int),
            "trend": trend,
            "trend_text": trend.map({k: label.text for k, label in TREND_LABELS.items()}).fillna(NO_TREND.text),
            "trend_rank": trend.map({k: i for i, k in enumerate(TREND_LABELS)}).fillna(len(TREND_LABELS)).astype(int),
            "value": shown["value"].astype(object),
            "target": shown["target"].astype(object),
            "period": period.where(period.notna() & (period != ""), NOT_YET),
            "supplied": supplied.astype(object),
            "supplied_sort": _iso(fresh["reported_on"]),
            "next": (fresh["next_period"] + ", by " + fresh["next_expected"].dt.strftime(_DATE)).astype(object),
            "next_sort": _iso(fresh["next_expected"]),
        }
    )


def _esc(text: object) -> str:
    """Council text for HTML text or a quoted attribute: markup escaped, and ``{`` so Quarto reads no shortcode."""
    return html.escape(str(text), quote=True).replace("{", "&#123;")


def _options(rows: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """Each filter's choices, as (key, words), for what the rows hold: plans and statuses in the site's order, owners by name.

    Options are words without symbols, so typing a word's first letter in a select reaches it.
    """
    plans = rows.drop_duplicates("plan_id")
    statuses = [(k, label.word) for k, label in STATUS_LABELS.items() if k in set(rows["status"])]
    trends = [(k, label.word) for k, label in (*TREND_LABELS.items(), (NO_TREND.key, NO_TREND)) if k in set(rows["trend"])]
    owners = sorted(o for o in set(rows["owner"]) if o)
    return {
        "plan": list(zip(plans["plan_id"], plans["plan"], strict=True)),
        "status": statuses,
        "trend": trends,
        "owner": [(o, o) for o in owners],
    }


def _select(key: str, label: str, every: str, options: list[tuple[str, str]]) -> str:
    items = "".join(f'<option value="{_esc(value)}">{_esc(words)}</option>' for value, words in options)
    select = f'<select id="pm-filter-{key}" name="{key}" data-pm-filter="{key}"><option value="">{every}</option>{items}</select>'
    return f'<div class="pm-dashboard-filter"><label for="pm-filter-{key}">{label}</label>\n{select}</div>'


@dataclass(frozen=True)
class Dashboard:
    """The dashboard's HTML in two parts, each a raw block of its own: the controls, then the table in its scrolling region.

    The table's block starts with its region, so neither renderer puts it in a second one.
    """

    controls: str
    table: str


def dashboard_html(rows: pd.DataFrame, hrefs: Mapping[str, str], caption: str) -> Dashboard:
    """The filters (hidden until the script shows them: without it they could do nothing), the count, and the full table.

    ``hrefs`` is each measure's page, by id, relative to the dashboard's page.
    """
    options = _options(rows)
    filters = "\n".join(_select(key, label, every, options[key]) for key, label, every in FILTERS)
    count = f"Showing {len(rows)} of {len(rows)} measures."
    controls = (
        f'<div class="{DASHBOARD_CLASS}">\n<form class="pm-dashboard-filters" hidden>\n<fieldset>\n'
        f"<legend>Filter the measures</legend>\n{filters}\n"
        '<button type="button" class="pm-dashboard-clear">Clear filters</button>\n</fieldset>\n</form>\n'
        f'<p class="pm-dashboard-count" aria-live="polite">{count}</p>\n</div>'
    )
    head = "".join(f'<th scope="col"{" data-pm-sort" if sortable else ""}>{title}</th>' for title, sortable in COLUMNS)
    body = [_row(r, hrefs[r.measure_id]) for r in rows.itertuples(index=False)]
    label = _esc(caption)
    table = (
        f'<div class="pm-table-wrap" role="region" tabindex="0" aria-label="{label}">\n'
        f'<table class="pm-dashboard-table">\n<caption>{label}</caption>\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(body)
        + "\n</tbody>\n</table>\n</div>"
    )
    return Dashboard(controls, table)


def _row(r, href: str) -> str:
    data = f'data-measure="{_esc(r.measure_id)}" data-plan="{_esc(r.plan_id)}" data-status="{_esc(r.status)}"'
    data += f' data-trend="{_esc(r.trend)}" data-owner="{_esc(r.owner)}"'
    cells = [
        f'<th scope="row"><a href="{_esc(href)}">{_esc(r.measure)}</a></th>',
        f"<td>{_esc(r.plan)}</td>",
        f"<td>{_esc(r.owner)}</td>",
        f'<td data-sort="{r.status_rank}" style="background-color: {r.status_tint};">{_esc(r.status_text)}</td>',
        f'<td data-sort="{r.trend_rank}">{_esc(r.trend_text)}</td>',
        f"<td>{_esc(r.value)}</td>",
        f"<td>{_esc(r.target)}</td>",
        f"<td>{_esc(r.period)}</td>",
        f'<td data-sort="{r.supplied_sort}">{_esc(r.supplied)}</td>',
        f'<td data-sort="{r.next_sort}">{_esc(r.next)}</td>',
    ]
    return f"<tr {data}>" + "".join(cells) + "</tr>"
