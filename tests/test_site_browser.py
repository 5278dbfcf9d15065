"""The built website in a real browser: Debian's Chromium driven by Playwright, on a local server only.

Every page must load with no console error and no request leaving the
machine; following links from the home page must reach every quarter, plan
and measure page; and every chart must be drawn by the site's own Vega.
"""

import shutil
from urllib.parse import urljoin, urlparse

import pytest
from playwright.sync_api import sync_playwright

from pmlib import load_data
from pmlib.report import params_files

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is not installed: run bash scripts/install-system-packages"
    return path


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield b
        b.close()


def crawl(browser, start: str):
    """Visit every page reachable by links from ``start``; return per page its console errors, outside requests and charts."""
    origin = urlparse(start).netloc
    seen, queue, report = set(), [start], {}
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        errors, outside = [], []
        page = browser.new_page()
        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.on("request", lambda r, outside=outside: outside.append(r.url) if urlparse(r.url).netloc not in (origin, "") else None)
        response = page.goto(url, wait_until="networkidle")
        charts = page.locator("figure.pm-chart").count()
        drawn = page.locator("figure.pm-chart .vega-embed").count()
        report[url] = {"status": response.status, "errors": errors, "outside": outside, "charts": charts, "drawn": drawn}
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urljoin(url, href).split("#")[0]
            if urlparse(target).netloc == origin and target.endswith(".html") and target not in seen:
                queue.append(target)
        page.close()
    return report


def test_every_page_loads_cleanly_offline_and_charts_draw(built_site, site_url, browser):
    project, _, _ = built_site
    report = crawl(browser, site_url + "index.html")
    assert {u: r["status"] for u, r in report.items() if r["status"] != 200} == {}
    assert {u: r["errors"] for u, r in report.items() if r["errors"]} == {}
    assert {u: r["outside"] for u, r in report.items() if r["outside"]} == {}
    assert {u: (r["charts"], r["drawn"]) for u, r in report.items() if r["charts"] != r["drawn"]} == {}
    assert sum(r["charts"] for r in report.values()) > 0
    paths = {urlparse(u).path.lstrip("/") for u in report}
    data = load_data(project / "data")
    for q in params_files(project / "params"):
        assert f"{q.slug}/overview.html" in paths
        for plan_id in data.plans.index:
            assert f"{q.slug}/plan-{plan_id}.html" in paths
    public = data.measures.index[data.measures["public"]]
    assert {f"measures/{m}.html" for m in public} <= paths
    assert "measures/MC09.html" not in paths
