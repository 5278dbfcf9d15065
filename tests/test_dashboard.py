"""The measures dashboard: its rows agree with the open data, its HTML is whole without scripts, and in a browser it filters and sorts.

The fast tests read the demo's latest report and the HTML made from it. The
end-to-end tests (``e2e``) open the built site's Measures page in Chromium:
filtered to "intervention" it shows exactly the measures the quarter's open
data says need intervention, and says how many; it works from the keyboard
alone, sorts by a column, passes axe-core at both widths, and with scripts
off shows every row. The same tests run on Quarto's site where Quarto is installed.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import LATEST
from quarto import MARKS

from pmlib.contract.params_folder import report_params
from pmlib.rendering.dashboard_page import dashboard_page
from pmlib.rendering.documents import read_page, render_markdown
from pmlib.rendering.site import PAGE_SCRIPTS
from pmlib.views.dashboard import DASHBOARD_CLASS, dashboard_html, dashboard_rows
from pmlib.views.labels import STATUS_LABELS
from pmlib.views.open_data import measures_table
from pmlib.views.report import quarter_report

ROOT = Path(__file__).parents[1]
HOSTILE = "<script>alert(\"x\")</script> & {{< meta title >}} 'quoted'"


@pytest.fixture(scope="module")
def report():
    return quarter_report(report_params(ROOT / "params", "2021/22 Q2"), ROOT / "data", ROOT / "params")


@pytest.fixture(scope="module")
def rows(report):
    return dashboard_rows(report)


def _soup(rows) -> BeautifulSoup:
    shown = dashboard_html(rows, {m: f"measures/{m}.html" for m in rows["measure_id"]}, "Every published measure, 2021/22 Q2")
    return BeautifulSoup(shown.controls + shown.table, "html.parser")


# --- the rows ------------------------------------------------------------------


def test_one_row_per_published_measure_with_the_open_datas_keys(report, rows):
    published = measures_table(report)
    assert list(rows["measure_id"]) == list(published["measure_id"]) == list(report.judged["measure_id"])
    assert "MC09" not in set(rows["measure_id"])  # restricted
    assert list(rows["status"]) == list(published["status"])
    assert list(rows["trend"]) == [t or "none" for t in published["short_trend"]]
    assert list(rows["owner"]) == list(published["owner"])
    assert list(rows["plan_id"]) == list(published["plan_id"])


def test_rows_worked_by_hand(rows):
    by_id = rows.set_index("measure_id")
    # Missed bins: 4,477 in 5,064,514 collections over July to September is 88.4 per 100,000, past the intervention level of 70;
    # its newest month was supplied on 10 October, and Q3's figure is due 31 days after Q3 ends, as Q2's report came 31 days after Q2.
    se05 = by_id.loc["SE05"]
    assert (se05["status"], se05["status_text"], se05["trend"], se05["trend_text"]) == (
        "intervention",
        "✖ Intervention",
        "worsening",
        "↓ Worsening",
    )
    assert (se05["value"], se05["period"], se05["supplied"], se05["supplied_sort"]) == (
        "88.4 per 100,000",
        "2021/22 Q2",
        "10 October 2021",
        "2021-10-10",
    )
    assert (se05["next"], se05["next_sort"]) == ("2021/22 Q3, by 31 January 2022", "2022-01-31")
    # Net additional dwellings: annual, so the figure is 2020/21's, and the next is 2021/22's, due 31 days after that year ends.
    dp01 = by_id.loc["DP01"]
    assert (dp01["trend"], dp01["trend_text"], dp01["period"], dp01["next"]) == (
        "none",
        "[x] Not available",
        "2020/21",
        "2021/22, by 1 May 2022",
    )
    # FOI requests: no figure this quarter, so no supply date to show.
    mc05 = by_id.loc["MC05"]
    assert (mc05["status"], mc05["value"], mc05["supplied"], mc05["supplied_sort"]) == ("no_data", "[x]", "No figure", "")


# --- the HTML --------------------------------------------------------------------


def test_the_table_without_scripts_has_every_row_and_each_rows_filter_keys(report, rows):
    soup = _soup(rows)
    body = soup.select("table.pm-dashboard-table tbody tr")
    assert len(body) == len(report.judged) == 46
    assert not soup.select("tr[hidden]")
    assert soup.select_one("form.pm-dashboard-filters").has_attr("hidden")  # filters need the script; without it the table is all
    assert soup.select_one("[aria-live=polite]").get_text() == "Showing 46 of 46 measures."
    first = body[0]
    keys = {k: first[k] for k in ("data-measure", "data-plan", "data-status", "data-trend", "data-owner")}
    assert keys == {
        "data-measure": "SE01",
        "data-plan": "sustainable-environment",
        "data-status": "on_target",
        "data-trend": "improving",
        "data-owner": "Waste and Cleansing",
    }
    assert first.th["scope"] == "row" and first.th.a["href"] == "measures/SE01.html"
    statuses = [tr["data-status"] for tr in body]
    assert statuses.count("intervention") == 5 and set(statuses) <= set(STATUS_LABELS)
    tinted = {tr["data-status"]: tr.find_all("td")[2] for tr in body}
    for key, cell in tinted.items():  # the word and symbol, with the tint a third cue
        assert cell.get_text() == STATUS_LABELS[key].text and STATUS_LABELS[key].tint in cell["style"]


def test_the_table_has_a_caption_column_headings_and_a_focusable_region(rows):
    soup = _soup(rows)
    region = soup.select_one("div.pm-table-wrap")
    assert (region["role"], region["tabindex"], region["aria-label"]) == ("region", "0", "Every published measure, 2021/22 Q2")
    assert soup.table.caption.get_text() == "Every published measure, 2021/22 Q2"
    headings = soup.select("thead th")
    assert all(th["scope"] == "col" for th in headings)
    assert [th.get_text() for th in headings if th.has_attr("data-pm-sort")] == [
        "Measure",
        "Delivery plan",
        "Owner",
        "Status",
        "Direction of travel",
        "Period covered",
        "Supplied",
        "Next figure expected",
    ]


def test_each_filter_is_a_labelled_select_of_what_the_rows_hold(rows):
    soup = _soup(rows)
    selects = soup.select("select[data-pm-filter]")
    assert [s["data-pm-filter"] for s in selects] == ["plan", "status", "trend", "owner"]
    for select in selects:
        assert soup.select_one(f'label[for="{select["id"]}"]') is not None
        assert select.option["value"] == ""
    status = [(o["value"], o.get_text()) for o in soup.select_one("#pm-filter-status").find_all("option")]
    assert status[1:] == [("on_target", "On target"), ("below_target", "Below target"), ("intervention", "Intervention")] + [
        ("monitoring", "Monitoring"),
        ("no_data", "No data"),
    ]
    owners = [o["value"] for o in soup.select_one("#pm-filter-owner").find_all("option")][1:]
    assert owners == sorted(set(rows["owner"])) and len(owners) == 21
    assert soup.select_one("button.pm-dashboard-clear")["type"] == "button"


def test_council_text_is_escaped_and_read_back_as_typed(rows):
    hostile = rows.copy()
    hostile.loc[0, "measure"] = HOSTILE
    hostile.loc[0, "owner"] = HOSTILE
    shown = dashboard_html(hostile, {m: f"measures/{m}.html" for m in hostile["measure_id"]}, "Every published measure")
    markup = shown.controls + shown.table
    assert "<script>" not in markup and "{{<" not in markup
    soup = BeautifulSoup(markup, "html.parser")
    first = soup.select_one("tbody tr")
    assert first.th.get_text() == HOSTILE and first["data-owner"] == HOSTILE
    assert HOSTILE in [o["value"] for o in soup.select("#pm-filter-owner option")]


def test_the_page_loads_the_script_and_neither_renderer_wraps_the_table_twice(report, tmp_path):
    here = tmp_path / "pages" / "measures.qmd"
    here.parent.mkdir()
    here.write_text(dashboard_page(report, here, here.parent / "measures"), encoding="utf-8")
    doc = read_page(here, "pages/measures.html")  # what the built-in renderer reads; raises on syntax Quarto would read otherwise
    assert doc.title == "Measures"
    body = render_markdown(doc.blocks[0].content, lambda href: href)
    assert body.count('class="pm-table-wrap"') == 1 and body.count("<table") == 1
    assert body.count(f'class="{DASHBOARD_CLASS}"') == 1
    assert [scripts for marker, scripts in PAGE_SCRIPTS if marker in body] == [("dashboard.js",)]
    assert re.search(r'href="open-data\.qmd"', body)


def test_the_script_is_small_and_asks_nothing_of_the_network():
    script = (ROOT / "pmlib" / "rendering" / "assets" / "dashboard.js").read_text(encoding="utf-8")
    assert len(script.encode("utf-8")) < 6_000
    assert not re.search(r"fetch\(|XMLHttpRequest|import\(|https?://|eval\(|innerHTML", script)


# --- in a browser ----------------------------------------------------------------

BROWSER = [pytest.param("builtin", marks=pytest.mark.e2e), pytest.param("quarto", marks=MARKS)]
PAGE = "pages/measures.html"
VISIBLE_IDS = "() => [...document.querySelectorAll('table.pm-dashboard-table tbody tr:not([hidden])')].map(r => r.dataset.measure)"
COUNT = "() => document.querySelector('.pm-dashboard-count').textContent"


@pytest.fixture(scope="module", params=BROWSER)
def site(request, built_site):
    """(site folder, base URL) of the demo built by each renderer, served on 127.0.0.1."""
    import functools
    import http.server
    import threading

    from conftest import QuietHandler

    if request.param == "builtin":
        folder = built_site[1]
    else:
        folder = request.getfixturevalue("quarto_built_site")[1]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from browser import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def tab(browser, site):
    """A fresh tab on the Measures page with its script ready, recording any request that leaves the machine."""
    from browser import audited_context

    page = audited_context(browser).new_page()
    page.outside = []
    page.on("request", lambda r: page.outside.append(r.url) if not r.url.startswith(site[1]) else None)
    page.goto(site[1] + PAGE)
    page.wait_for_selector(".pm-dashboard[data-pm-dashboard=ready]")
    yield page
    page.context.close()


def intervention_in_open_data(site_folder: Path) -> list[str]:
    with (site_folder / "data" / LATEST / "measures.csv").open(encoding="utf-8", newline="") as f:
        return [row["measure_id"] for row in csv.DictReader(f) if row["status"] == "intervention"]


def test_filtering_to_intervention_shows_exactly_the_open_datas_and_says_how_many(site, tab):
    expected = intervention_in_open_data(site[0])
    total = len(tab.evaluate(VISIBLE_IDS))
    assert 0 < len(expected) < total == 46
    tab.select_option("#pm-filter-status", "intervention")
    assert sorted(tab.evaluate(VISIBLE_IDS)) == sorted(expected)
    assert tab.evaluate(COUNT) == f"Showing {len(expected)} of {total} measures."
    assert tab.get_attribute(".pm-dashboard-count", "aria-live") == "polite"
    assert tab.url.endswith(f"{PAGE}?status=intervention")
    tab.select_option("#pm-filter-plan", "sustainable-environment")  # filters combine
    assert tab.evaluate(VISIBLE_IDS) == ["SE05"]
    assert tab.url.endswith("?plan=sustainable-environment&status=intervention")  # in the filters' order
    tab.goto(tab.url)  # the address opens the same view
    tab.wait_for_selector(".pm-dashboard[data-pm-dashboard=ready]")
    assert tab.evaluate(VISIBLE_IDS) == ["SE05"] and tab.evaluate(COUNT) == "Showing 1 of 46 measures."
    assert tab.outside == []


def test_filters_and_sorting_work_from_the_keyboard_alone(tab):
    for _ in range(60):  # skip link, menus, the intro's link, then the filters
        tab.keyboard.press("Tab")
        if tab.evaluate("() => document.activeElement.id") == "pm-filter-status":
            break
    else:
        pytest.fail("Tab never reached the status filter")
    for _ in range(3):  # All statuses -> On target -> Below target -> Intervention
        tab.keyboard.press("ArrowDown")
    assert tab.input_value("#pm-filter-status") == "intervention"
    assert tab.evaluate(COUNT) == "Showing 5 of 46 measures."
    tab.keyboard.press("Tab")
    tab.keyboard.press("Tab")
    tab.keyboard.press("Tab")  # direction, owner, then Clear filters
    assert tab.evaluate("() => document.activeElement.textContent") == "Clear filters"
    tab.keyboard.press("Enter")
    assert tab.evaluate(COUNT) == "Showing 46 of 46 measures." and tab.input_value("#pm-filter-status") == ""
    tab.keyboard.press("Tab")  # the count is not focusable: next is the table's region, then the first sort button
    tab.keyboard.press("Tab")
    assert tab.evaluate("() => document.activeElement.closest('th').textContent") == "Measure"
    tab.keyboard.press("Enter")
    assert tab.get_attribute("thead th:first-child", "aria-sort") == "ascending"


def test_sorting_by_status_and_by_supply_date(tab, rows):
    tab.click("th button:has-text('Status')")
    assert tab.get_attribute("th:has(button:has-text('Status'))", "aria-sort") == "ascending"
    ranks = rows.set_index("measure_id")["status_rank"]
    order = tab.evaluate(VISIBLE_IDS)
    assert [ranks[m] for m in order] == sorted(ranks) and order[0] == "SE01"  # ties keep the page's order
    assert tab.evaluate(COUNT) == "Showing 46 of 46 measures, sorted by Status, ascending."
    tab.click("th button:has-text('Status')")
    assert tab.get_attribute("th:has(button:has-text('Status'))", "aria-sort") == "descending"
    assert tab.evaluate(VISIBLE_IDS)[0] == "MC05"  # the one with no data
    tab.click("th button:has-text('Supplied')")
    assert tab.locator("th[aria-sort]").count() == 1
    supplied = rows.set_index("measure_id")["supplied_sort"]
    dates = [supplied[m] for m in tab.evaluate(VISIBLE_IDS)]
    assert dates == sorted(d for d in dates if d) + [""]  # oldest first, the one without a date last


def test_axe_and_a_phone_width_with_the_filters_shown_and_applied(tab):
    from browser import AXE, AXE_MISSING, AXE_TAGS, FIND_OVERFLOW, PHONE, RUN_AXE, WIDTHS, describe_violations, unexplained_colours

    assert AXE.is_file(), AXE_MISSING
    assert tab.is_visible("form.pm-dashboard-filters")
    for filtered in (False, True):
        if filtered:
            tab.select_option("#pm-filter-trend", "worsening")
            tab.click("th button:has-text('Owner')")
        for width in WIDTHS:
            tab.set_viewport_size({"width": width, "height": 900})
            result = {"problem": None, "violations": tab.evaluate(RUN_AXE, AXE_TAGS), "overflow": []}
            assert result["violations"] == [], describe_violations({PAGE: result}, width)
            if width == PHONE:
                assert tab.evaluate(FIND_OVERFLOW) == []
                assert tab.evaluate("() => { const r = document.querySelector('.pm-table-wrap'); return r.scrollWidth > r.clientWidth; }")
    checked, unexplained = unexplained_colours(tab)
    assert checked > 0 and unexplained == []


def test_without_scripts_every_row_shows_and_no_filter_pretends_to_work(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site[1] + PAGE)
    rows = page.locator("table.pm-dashboard-table tbody tr")
    assert rows.count() == 46 and all(rows.nth(i).is_visible() for i in range(46))
    assert not page.is_visible("form.pm-dashboard-filters")
    assert page.text_content(".pm-dashboard-count") == "Showing 46 of 46 measures."
    context.close()


def test_only_the_measures_page_loads_the_script(site):
    folder = site[0]
    measures = (folder / PAGE).read_text(encoding="utf-8")
    assert re.search(r'<script src="[^"]*dashboard\.js"', measures)
    for other in ("pages/archive.html", f"reports/{LATEST}/overview.html"):
        assert "dashboard.js" not in (folder / other).read_text(encoding="utf-8"), other
    assert (folder / "pages" / "measures" / "SE05.html").is_file()
    links = re.findall(r'<th scope="row"><a href="([^"]+)"', measures)
    assert len(links) == 46 and all((folder / "pages" / html.unescape(h)).is_file() for h in links)
