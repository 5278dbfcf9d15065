"""Take it away (issue 19, point 5): each chart's figures as CSV, every page printed cleanly on A4, and each measure's page
linked to its place in the quarter's Cabinet pack.

The fast tests read hand-made charts, the stylesheets, a pack typeset by the
built-in renderer and the pack filter run by pandoc; the end-to-end ones
download a chart's CSV and print a measure's page in Chromium from the built
demo site, and (with Quarto) do the same on Quarto's site.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pypandoc
import pytest
import yaml
from browser import DESKTOP, chromium
from bs4 import BeautifulSoup
from conftest import LATEST
from quarto import MARKS

from pmlib import quarter_report
from pmlib.project import Project
from pmlib.rendering.measure_pages import measure_page
from pmlib.rendering.pack import pack_subject, render_pack, write_quarto_source
from pmlib.rendering.pack_links import METADATA_KEY, label_headings, measure_headings, pack_link
from pmlib.rendering.site import outputs_stylesheet
from pmlib.views.chart_csv import LINK_TEXT, guarded
from pmlib.views.charts import measure_chart
from pmlib.views.comparison_chart import comparison_chart
from pmlib.views.prose import literal_markdown
from pmlib.views.status_chart import status_chart

ROOT = Path(__file__).resolve().parents[1]
PROJECT = Project(root=ROOT, data=ROOT / "data", params=ROOT / "params", reports=ROOT / "reports")
PERCENT = pd.Series({"unit": "percent", "decimals": 1, "polarity": "higher"})
PACK_FILTER = ROOT / "_extensions" / "pmlib-pack" / "pack-outputs.lua"


def poppler(tool: str, *args) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: run bash scripts/install-system-packages test (Debian package poppler-utils)")
    return subprocess.run([tool, *map(str, args)], check=True, capture_output=True, text=True).stdout


def download(html: str) -> list[tuple[str, str, bytes]]:
    """Each chart download link in ``html``: the chart's id, the file's name, and the file's bytes as the browser would save them."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for link in soup.select("p.pm-chart-download a[download]"):
        kind, _, data = link["href"].partition(",")
        assert kind == "data:text/csv;charset=utf-8"
        figure = link.find_parent("p").find_previous_sibling("figure")
        found.append((figure["id"], link["download"], unquote(data).encode("utf-8")))
    return found


def rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- a chart's figures as CSV ---------------------------------------------------------------------------------


def test_a_measure_charts_csv_holds_its_figures_as_the_reader_sees_them():
    history = pd.DataFrame(
        {
            "period": ["2020/21 Q1", "2020/21 Q2", "2020/21 Q3", "2020/21 Q4"],
            "value": [1.25, np.nan, np.nan, 2.0],
            "target": [2.0, 2.0, np.nan, 2.05],
            "intervention": [1.0, 1.0, np.nan, 1.0],
            "status": ["below_target", "no_data", "no_data", "on_target"],
            "suppressed": [False, True, False, False],
            "provisional": [False, False, False, True],
            "estimated": [False, False, False, False],
            "revised": [False, False, False, True],
        }
    )
    chart = measure_chart("chart-q-m-history", history, PERCENT, "Title", "Finding.")
    ((element, name, data),) = download(chart.html())
    assert (element, name) == ("chart-q-m-history", "chart-q-m-history.csv")
    assert rows(data) == [
        ["Period", "Value", "Target", "Intervention level"],
        ["2020/21 Q1", "1.3%", "2.0%", "1.0%"],  # rounded half away from zero at the measure's one decimal
        ["2020/21 Q2", "[c]", "2.0%", "1.0%"],  # withheld
        ["2020/21 Q3", "[x]", "[x]", "[x]"],  # no figure
        ["2020/21 Q4", "2.0% [p] [r]", "2.1%", "1.0%"],
    ]


def test_a_chart_with_nothing_to_plot_still_offers_its_periods():
    history = pd.DataFrame(
        {"period": ["2020/21 Q1"], "value": [np.nan], "target": [np.nan], "intervention": [np.nan], "status": ["no_data"]}
    )
    ((_, _, data),) = download(measure_chart("c", history, PERCENT, "Title", "Finding.").html())
    assert rows(data) == [["Period", "Value", "Target", "Intervention level"], ["2020/21 Q1", "[x]", "[x]", "[x]"]]


def test_text_that_would_start_a_formula_is_kept_as_text_and_figures_as_they_are():
    plans = ['=HYPERLINK("http://x","y")', "+1", "-Plan", "@SUM(A1)", "\tTabbed", "Ordinary, with a comma"]
    counts = pd.DataFrame({"plan": plans, "on_target": [1, 2, 3, 4, 5, 6], "intervention": [0, 0, 0, 0, 0, 1]})
    ((_, _, data),) = download(status_chart("chart-q-status", counts, "Title", "Finding.").html())
    assert rows(data) == [
        ["Delivery plan", "On target", "Intervention"],
        ['\'=HYPERLINK("http://x","y")', "1", "0"],
        ["'+1", "2", "0"],
        ["'-Plan", "3", "0"],
        ["'@SUM(A1)", "4", "0"],
        ["'\tTabbed", "5", "0"],
        ["Ordinary, with a comma", "6", "1"],
    ]
    assert [guarded(v) for v in ("-2.5%", "-£1.2m", "-3 days", "-4.0 per 1,000", "-1 [p]")] == [
        "-2.5%",
        "-£1.2m",
        "-3 days",
        "-4.0 per 1,000",
        "-1 [p]",
    ]
    assert [guarded(v) for v in ("-1+1", "-2.5%+A1", "=1")] == ["'-1+1", "'-2.5%+A1", "'=1"]


def test_a_comparison_charts_csv_lists_every_area_best_first_with_the_reference_in_its_place():
    figures = pd.DataFrame(
        {
            "area": ["Aylesbury", "Bath", "Us (this council)"],
            "value": [80.0, 70.0, np.nan],
            "role": ["member", "member", "council"],
            "suppressed": [False, False, True],
        }
    )
    references = pd.DataFrame({"area": ["England"], "value": [75.0]})
    chart = comparison_chart("chart-q-m-compare", figures, references, PERCENT, "Title", "Finding.", "Description.")
    ((_, _, data),) = download(chart.html())
    assert rows(data) == [
        ["Area", "Value"],
        ["Us (this council)", "[c]"],  # a withheld council figure first: placing it would tell where it lies
        ["Aylesbury", "80.0%"],
        ["England (for reference)", "75.0%"],
        ["Bath", "70.0%"],
    ]


def test_every_chart_on_a_measure_page_has_its_download_link_with_a_name_of_its_own(tmp_path):
    report = quarter_report(LATEST, PROJECT.data, PROJECT.params)
    measure = "BF01"  # compared with its neighbours: a history chart and a comparison chart
    text = measure_page(report, measure, None, tmp_path / "pages" / "measures" / f"{measure}.qmd")
    soup = BeautifulSoup(text, "html.parser")
    figures = soup.select("figure.pm-chart")
    assert len(figures) == 2
    for figure in figures:
        after = figure.find_next_sibling()
        link = after.select_one("a[download]")
        assert after.name == "p" and "pm-chart-download" in after["class"] and link["download"] == f"{figure['id']}.csv"
        hidden = link.select_one(".pm-visually-hidden").get_text()
        assert link.get_text() == LINK_TEXT + hidden and len(hidden) > 2
    names = [a.get_text() for a in soup.select("p.pm-chart-download a")]
    assert len(set(names)) == len(names) and names[-1] == f"{LINK_TEXT}: {report.measures.loc[measure, 'name']}"  # the history chart
    history = dict((e, rows(d)) for e, _, d in download(text))[f"chart-{LATEST}-{measure}-history".lower()]
    table = soup.find(id=f"table-measure-{measure}-history".lower()).find("table")
    shown = [[td.get_text() for td in tr.find_all("td")][:4] for tr in table.find("tbody").find_all("tr")]
    assert history[1:] == shown and history[0] == [th.get_text() for th in table.find("thead").find_all("th")][:4]


# --- print -----------------------------------------------------------------------------------------------------


def print_rules(css: str) -> str:
    """The rules inside every ``@media print`` block, one string."""
    blocks, at = [], 0
    while (start := css.find("@media print", at)) >= 0:
        depth, i = 0, css.index("{", start)
        for j in range(i, len(css)):
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            if depth == 0:
                blocks.append(css[i + 1 : j])
                break
        at = j
    return "\n".join(blocks)


def declarations(css: str, selector: str) -> str:
    """The declarations of every rule whose selector list names ``selector``."""
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)):
        if selector in [s.strip() for s in selectors.split(",")]:
            found.append(body)
    return " ".join(" ".join(found).split())


def test_pages_print_on_a4_without_menus_with_whole_tables_and_static_charts():
    shared = outputs_stylesheet().decode("utf-8")
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", shared)
    printed = print_rules(shared)
    for menu in (".pm-skip-link", ".pm-quarter-nav", "#quarto-header", "#quarto-sidebar", "#quarto-margin-sidebar", ".pm-chart-download"):
        assert "display: none" in declarations(printed, menu), menu
    assert "display: none" in declarations(printed, ".pm-chart-interactive")
    assert "display: block !important" in declarations(printed, ".pm-chart-view[hidden]")
    assert "overflow: visible !important" in declarations(printed, ".pm-table-wrap")
    assert "display: table-header-group" in declarations(printed, ".pm-table-wrap thead")
    assert "break-inside: avoid" in declarations(printed, ".pm-table-wrap tr")
    frame = print_rules((ROOT / "pmlib" / "rendering" / "assets" / "site.css").read_text(encoding="utf-8"))
    for menu in (".pm-header", ".pm-nav", ".pm-quarter-nav", ".pm-skip-link"):
        assert "display: none" in declarations(frame, menu), menu


# --- the measure's place in the pack ---------------------------------------------------------------------------


def test_the_measure_page_links_to_its_named_destination_in_the_quarters_pack(tmp_path):
    report = quarter_report(LATEST, PROJECT.data, PROJECT.params)
    page = tmp_path / "pages" / "measures" / "SE01.qmd"
    line = pack_link(report, "SE01", page)
    assert line == (
        f"In the Cabinet pack: [this measure in the {report.quarter.code} report to Cabinet (PDF)]"
        f"(../../packs/{LATEST}.pdf#nameddest=measure-SE01)."
    )
    assert line in measure_page(report, "SE01", None, page)


def test_headings_are_labelled_once_each_in_pack_order_and_nothing_else_is():
    headings = [("Trees planted", "measure-A"), ("Trees planted", "measure-B"), ("Bins \\*emptied\\*", "measure-C")]
    blocks = [
        "## Measures\n\n### Trees planted\n\nA finding.",
        "### Exception report: Trees planted\n\n#### Trees planted",
        "### Trees planted",
        "### Bins \\*emptied\\*\n\n### Bins \\*emptied\\*",
    ]
    assert label_headings(blocks, headings) == [
        "## Measures\n\n### Trees planted {#measure-A}\n\nA finding.",
        "### Exception report: Trees planted\n\n#### Trees planted",
        "### Trees planted {#measure-B}",
        "### Bins \\*emptied\\* {#measure-C}\n\n### Bins \\*emptied\\*",
    ]


@pytest.fixture(scope="module")
def built_in_pack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pack")
    return render_pack(LATEST, PROJECT, out_pdf=folder / f"{LATEST}.pdf", source_dir=folder / "source")


def destinations(pdf: Path) -> dict[str, int]:
    """The PDF's named destinations and the page each is on, as poppler's pdfinfo reads them."""
    lines = poppler("pdfinfo", "-dests", pdf).splitlines()[1:]
    return {m.group(2): int(m.group(1)) for m in (re.match(r'\s*(\d+) \[.*\] "(.*)"$', line) for line in lines) if m}


def test_the_built_in_pack_has_a_named_destination_at_each_published_measures_section(built_in_pack):
    report = quarter_report(LATEST, PROJECT.data, PROJECT.params)
    found = destinations(built_in_pack)
    assert set(found) == {f"measure-{m}" for m in report.judged["measure_id"]}
    pages = poppler("pdftotext", "-layout", built_in_pack, "-").split("\f")
    for measure_id, name in report.measures["name"].items():
        text = " ".join(pages[found[f"measure-{measure_id}"] - 1].split())
        assert " ".join(name.split()) in text, measure_id


def test_quartos_pack_filter_labels_the_same_headings(tmp_path):
    """Quarto's pack is made by the extension's filter from the metadata write_quarto_source writes: pandoc runs it here."""
    qmd = write_quarto_source(LATEST, PROJECT, out_qmd=tmp_path / "pack.qmd")
    front = yaml.safe_load(qmd.read_text(encoding="utf-8").split("---")[1])
    assert front[METADATA_KEY] == [{"heading": h, "label": d} for h, d in measure_headings(pack_subject(LATEST, PROJECT))]
    report = quarter_report(LATEST, PROJECT.data, PROJECT.params)
    names = report.measures["name"]
    body = "\n\n".join(
        f"::: {{.cell}}\n### {literal_markdown(n)}\n\nFigures.\n\n### Exception report: {literal_markdown(n)}\n:::" for n in names
    )
    document = "---\n" + yaml.safe_dump({METADATA_KEY: front[METADATA_KEY]}, allow_unicode=True) + "---\n\n" + body
    typst = pypandoc.convert_text(document, "typst", format="markdown-smart", filters=[str(PACK_FILTER)])
    labelled = re.findall(r"^=== (.*)\n<(measure-[\w-]+)>", typst, re.MULTILINE)
    assert [label for _, label in labelled] == [f"measure-{m}" for m in names.index]
    assert not [heading for heading, _ in labelled if heading.startswith("Exception report")]


# --- in Chromium, on the built sites ----------------------------------------------------------------------------

MEASURES = ("BF01", "SE05")  # a history and a comparison chart, the widest tables (two annual figures); a long history, an intervention
SETTLED = "() => [...document.querySelectorAll('figure.pm-chart')].every(f => f.hasAttribute('data-pm-chart'))"
TABLE_ROWS = "rows => rows.map(tr => [...tr.children].map(c => c.textContent.trim()))"
# Under print media: each chart's static view shown and its interactive one not, and whether any download link shows.
PRINTED_CHARTS = """() => ({
  charts: [...document.querySelectorAll("figure.pm-chart")].map(f => ({
    id: f.id,
    state: f.getAttribute("data-pm-chart"),
    drawing: getComputedStyle(f.querySelector(".pm-chart-view")).display,
    interactive: [...f.querySelectorAll(".pm-chart-interactive")].map(v => getComputedStyle(v).display),
  })),
  links: [...document.querySelectorAll(".pm-chart-download")].filter(p => getComputedStyle(p).display !== "none").length,
})"""
# Text in the page's menus and frame that the main content does not also say.
MENU_TEXT = """() => {
  const main = document.querySelector("main").innerText;
  const said = (text) => new RegExp("(^|\\\\W)" + text.replace(/[.*+?^${}()|[\\]\\\\]/g, "\\\\$&") + "(\\\\W|$)").test(main);
  const menus = [...document.querySelectorAll("nav a, nav p, .pm-skip-link, #quarto-header a, .pm-site-title")];
  return [...new Set(menus.map(e => e.textContent.trim()).filter(t => t && !said(t)))];
}"""


@pytest.fixture(params=["builtin", pytest.param("quarto", marks=MARKS)])
def site(request):
    """Each renderer's built demo site."""
    if request.param == "quarto":
        return request.getfixturevalue("quarto_built_site")[1]
    return request.getfixturevalue("built_site")[1]


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def open_measure(browser, site: Path, measure: str, downloads: bool = False):
    """A tab showing the measure's page from file://, with every chart settled, and the http(s) requests it made."""
    tab = browser.new_context(accept_downloads=downloads, viewport={"width": DESKTOP, "height": 900}).new_page()
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url) if r.url.startswith(("http:", "https:")) else None)
    tab.goto((site / "pages" / "measures" / f"{measure}.html").as_uri(), wait_until="load")
    tab.wait_for_function(SETTLED, timeout=15_000)
    return tab, requests


@pytest.mark.e2e
@pytest.mark.parametrize("measure", MEASURES)
def test_chromium_downloads_each_charts_csv_from_file_and_the_history_matches_the_pages_table(site, browser, measure):
    tab, requests = open_measure(browser, site, measure, downloads=True)
    saved = {}
    for figure in tab.eval_on_selector_all("figure.pm-chart", "figures => figures.map(f => f.id)"):
        with tab.expect_download() as event:
            tab.click(f"#{figure} + p.pm-chart-download a")
        download = event.value
        assert download.suggested_filename == f"{figure}.csv"
        saved[figure] = rows(Path(download.path()).read_bytes())
    compared = tab.locator(f"#table-{LATEST}-{measure}-compare".lower()).count()
    assert len(saved) == 1 + compared and requests == []
    history = saved[f"chart-{LATEST}-{measure}-history".lower()]
    table = f"#table-measure-{measure}-history".lower()
    header = tab.eval_on_selector_all(f"{table} thead th", "cells => cells.map(c => c.textContent.trim())")
    shown = tab.eval_on_selector_all(f"{table} tbody tr", TABLE_ROWS)
    assert history[0] == header[:4] and history[1:] == [row[:4] for row in shown] and len(shown) >= 2
    if compared:
        table = f"#table-{LATEST}-{measure}-compare".lower()
        assert saved[f"chart-{LATEST}-{measure}-compare".lower()][1:] == tab.eval_on_selector_all(f"{table} tbody tr", TABLE_ROWS)


@pytest.mark.e2e
@pytest.mark.parametrize("measure", MEASURES)
def test_chromium_prints_a_measure_page_on_a4_with_nothing_cut_off_and_no_menus(site, browser, measure, tmp_path):
    tab, _ = open_measure(browser, site, measure)
    menus = tab.evaluate(MENU_TEXT)
    tables = tab.eval_on_selector_all("main table", "ts => ts.map(t => t.id || t.closest('[id]').id)")
    headers = tab.eval_on_selector_all("main table thead th", "cells => cells.map(c => c.textContent.trim())")
    history = tab.eval_on_selector_all(f"#table-measure-{measure}-history tbody tr".lower(), TABLE_ROWS)
    tab.emulate_media(media="print")
    printed = tab.evaluate(PRINTED_CHARTS)
    assert printed["charts"] and {(c["drawing"], tuple(c["interactive"])) for c in printed["charts"]} == {("block", ("none",))}, printed
    assert printed["links"] == 0
    tab.pdf(path=tmp_path / "measure.pdf", format="A4")
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", poppler("pdfinfo", tmp_path / "measure.pdf"))
    page_width, page_height = float(size.group(1)), float(size.group(2))
    assert abs(page_width - 595.3) < 1.5 and abs(page_height - 841.9) < 1.5  # A4, 210 x 297 mm
    text = poppler("pdftotext", "-layout", tmp_path / "measure.pdf", "-")
    words = " ".join(text.split())
    assert len(tables) >= 2 and len(history) >= 2
    for row in history:  # each row whole, on one line
        assert re.search(r"[ \t]+".join(re.escape(cell) for cell in row), text), row
    for header in headers:
        assert " ".join(header.split()) in words or all(word in words for word in header.split()), header
    assert menus and [m for m in menus if re.search(rf"(^|\W){re.escape(m)}(\W|$)", words)] == []
    assert LINK_TEXT not in words
    boxes = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', poppler("pdftotext", "-bbox", tmp_path / "measure.pdf", "-"))
    assert boxes and all(0 <= float(left) and float(right) <= page_width for left, right in boxes)


@pytest.mark.e2e
@pytest.mark.parametrize("measure", MEASURES)
def test_the_measure_pages_pack_link_opens_the_sites_pack_at_the_measure(site, measure):
    page = site / "pages" / "measures" / f"{measure}.html"
    links = [a["href"] for a in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select("main a[href*='.pdf']")]
    assert links == [f"../../packs/{LATEST}.pdf#nameddest=measure-{measure}"]
    pdf = (page.parent / links[0].split("#")[0]).resolve()
    found = destinations(pdf)
    name = quarter_report(LATEST, PROJECT.data, PROJECT.params).measures.loc[measure, "name"]
    at = found[f"measure-{measure}"]
    assert name in " ".join(poppler("pdftotext", "-layout", "-f", at, "-l", at, pdf, "-").split())
