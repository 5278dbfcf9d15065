"""The Measures page: the dashboard of every published measure of the latest quarter (``pmlib.views.dashboard``) as a ``.qmd`` page.

Both renderers read the page; its HTML is in raw blocks, which neither
rewrites, so each row links to the measure's page by the address both
publish it at: its source's path with ``.html`` (``measures/BF01.html``).
"""

from __future__ import annotations

from pathlib import Path

from pmlib.rendering.qmd import link, page, raw_html
from pmlib.views.dashboard import dashboard_html, dashboard_rows


def dashboard_page(report, here: Path, measures_dir: Path) -> str:
    """The page ``here``: a sentence on what it shows, the filters and count, and the table; measure pages are in ``measures_dir``."""
    q = report.quarter
    rows = dashboard_rows(report)
    hrefs = {m: link(measures_dir / f"{m}.html", here) for m in rows["measure_id"]}
    shown = dashboard_html(rows, hrefs, f"Every published measure, {q.code}")
    open_data = link(here.parent / "open-data.qmd", here)
    return page(
        "Measures",
        f"Every published measure with its status in {q.code} ({q.label}): its latest figure, the period it covers, "
        "when it was supplied and when the next figure is expected. Each measure's name leads to its page, "
        f"with its definition, history and commentary. The same figures are in the [open data]({open_data}).",
        raw_html(shown.controls),
        raw_html(shown.table),
    )
