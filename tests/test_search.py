"""Site search: the search page as written, Pagefind's index of a small hand-made site, and searching the demo site in Chromium.

The fast tests read what Pagefind wrote (each page's fragment is gzipped
JSON: its address, title and indexed words). The browser tests serve a site
on 127.0.0.1 and use the search page as a reader would, with the keyboard:
on the small site, that results are links with excerpts shown as text; on
the demo site, that a measure's word leads to the measure's page, that the
page passes axe-core at a desktop and a phone width, that from ``file://``
it says search cannot run and links to the measures, and what it fetches.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import AXE, AXE_MISSING, AXE_TAGS, FIND_OVERFLOW, HEIGHT, RUN_AXE, WIDTHS, audited_context, chromium, describe_violations
from conftest import QuietHandler
from quarto import needs_quarto

from pmlib.rendering.documents import render_markdown
from pmlib.rendering.search import INDEX_DIR, UNUSED, index_site, pages_to_index, search_page

ROOT = Path(__file__).parents[1]
SEARCH_PAGE = "pages/search.html"
STATUS = "#pm-search-status"
RESULT_LINKS = ".pm-search-results a"
RESULTS_SHOWN = f"() => document.querySelector('{STATUS}').textContent.trim() !== ''"

SMALL_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title></head>
<body><header><a href="#main">Skip to main content</a> Headerword</header>
<nav aria-label="Main"><a href="{root}index.html">Navword</a></nav>
<main id="main"><h1>{title}</h1>
{body}
</main>
<footer>Footerword</footer>{script}</body></html>
"""

# Site path: (title, what <main> holds after the title).
SMALL_SITE = {
    "index.html": ("Corporate performance", "<p>The latest report, July to September 2021.</p>"),
    "pages/measures/SE01.html": (
        "Household waste sent for reuse, recycling and composting",
        "<ul><li><strong>Owner:</strong> Waste Services</li><li><strong>Delivery plan:</strong> Sustainable Environment</li></ul>",
    ),
    "pages/measures/MC01.html": ("Council tax collected in year", "<p>Officers said: &lt;img src=x onerror=alert(1)&gt; collected.</p>"),
    "reports/2021-22-Q1/plan-sustainable-environment.html": ("Sustainable Environment: 2021/22 Q1", "<p>Composting rose.</p>"),
    "reports/2021-22-Q2/plan-sustainable-environment.html": ("Sustainable Environment: 2021/22 Q2", "<p>Composting rose again.</p>"),
    "reports/2021-22-Q2/overview.html": ("Overview: 2021/22 Q2", "<p>Every delivery plan.</p>"),
}


def small_site(folder: Path) -> Path:
    """The hand-made site: a page per ``SMALL_SITE`` entry, and the search page as ``search_page`` writes it, with search.js."""
    for rel, (title, body) in SMALL_SITE.items():
        root = "../" * rel.count("/")
        write(folder / rel, SMALL_PAGE.format(title=title, body=body, root=root, script=""))
    text = search_page(ROOT / "pages" / "search.qmd", ROOT)
    body = render_markdown(text.split("---\n", 2)[2])
    script = '\n<script src="../assets/search.js"></script>'
    write(folder / SEARCH_PAGE, SMALL_PAGE.format(title="Search", body=body, root="../", script=script))
    write(folder / "assets" / "search.js", (ROOT / "pmlib" / "rendering" / "assets" / "search.js").read_text(encoding="utf-8"))
    return folder


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def fragments(site: Path) -> dict[str, dict]:
    """Each indexed page's fragment, by its address: gzip holding ``pagefind_dcd`` then JSON."""
    found = {}
    for path in sorted((site / INDEX_DIR / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data[:12] == b"pagefind_dcd"
        fragment = json.loads(data[12:])
        found[fragment["url"]] = fragment
    return found


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the search page as written -----------------------------------------------------


def test_the_search_page_has_a_labelled_form_a_live_count_and_says_where_search_cannot_run():
    text = search_page(ROOT / "pages" / "search.qmd", ROOT)
    assert text.startswith("---\ntitle: Search\n---\n")
    assert '<div class="pm-search" data-pm-search-bundle="../pagefind/pagefind.js">' in text
    assert '<form class="pm-search-form" role="search" aria-label="Site" hidden>' in text
    assert '<label class="pm-search-label" for="pm-search-input">Search for</label>' in text
    assert '<input class="pm-search-input" type="search" id="pm-search-input" name="q"' in text
    assert '<button class="pm-search-button" type="submit">Search</button>' in text
    assert '<div class="pm-search-status" id="pm-search-status" role="status" aria-live="polite"></div>' in text
    html = render_markdown(text.split("---\n", 2)[2])
    note = re.search(r'<div class="pm-search-unavailable" id="pm-search-unavailable">\n(.*?)</div>', html, re.S)
    assert note, html
    assert note.group(1).strip().startswith("<p><strong>Search cannot run here.</strong> It runs in your web browser")
    assert '<a href="measures.qmd">list of every measure</a>' in note.group(1)
    assert '<a href="archive.qmd">all reports</a>' in note.group(1)


def test_the_bundle_is_named_relative_to_the_page_wherever_the_pages_folder_is():
    text = search_page(Path("/council/site-pages/search/search.qmd"), Path("/council"))
    assert 'data-pm-search-bundle="../../pagefind/pagefind.js"' in text


# --- Pagefind's index of a small site ----------------------------------------------


def test_only_the_latest_quarters_reports_and_never_the_search_page_are_chosen(tmp_path):
    site = small_site(tmp_path / "site")
    assert pages_to_index(site) == [
        "index.html",
        "pages/measures/MC01.html",
        "pages/measures/SE01.html",
        "reports/2021-22-Q2/overview.html",
        "reports/2021-22-Q2/plan-sustainable-environment.html",
    ]


def test_pagefind_indexes_each_chosen_page_by_its_title_and_main_content_alone(tmp_path):
    site = small_site(tmp_path / "site")
    written = index_site(site)
    found = fragments(site)
    assert sorted(found) == [f"/{rel}" for rel in pages_to_index(site)]  # site paths, index.html kept
    se01 = found["/pages/measures/SE01.html"]
    assert se01["meta"]["title"] == "Household waste sent for reuse, recycling and composting"
    assert se01["content"] == (
        "Household waste sent for reuse, recycling and composting. Owner: Waste Services. Delivery plan: Sustainable Environment."
    )
    assert found["/reports/2021-22-Q2/plan-sustainable-environment.html"]["content"].endswith("Composting rose again.")
    assert not [url for url, f in found.items() if re.search(r"Headerword|Navword|Footerword|Skip to", f["content"])]
    bundle = site / INDEX_DIR
    assert written == sorted(p for p in bundle.rglob("*") if p.is_file())
    names = {p.name for p in bundle.iterdir() if p.is_file()}
    assert {"pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.en-gb.pagefind"} <= names
    assert names & set(UNUSED) == set() and "wasm.unknown.pagefind" not in names
    assert json.loads((bundle / "pagefind-entry.json").read_text())["languages"]["en-gb"]["page_count"] == 5


def test_the_index_is_the_same_bytes_built_twice_anywhere_and_replaces_an_old_one(tmp_path):
    one, other = small_site(tmp_path / "one"), small_site(tmp_path / "elsewhere" / "other")
    (other / INDEX_DIR / "stale.txt").parent.mkdir(parents=True)
    (other / INDEX_DIR / "stale.txt").write_text("from an earlier build", encoding="utf-8")
    index_site(one)
    index_site(other)
    assert snapshot(one / INDEX_DIR) == snapshot(other / INDEX_DIR)
    assert len(snapshot(one / INDEX_DIR)) > 8


# --- in the browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def tab():
    with chromium() as browser:
        yield audited_context(browser, WIDTHS[0]).new_page()


def serve(folder: Path):
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def search_for(tab, url: str, words: str) -> str:
    """Open the search page, type ``words`` into its box and wait for the count; what the live region says."""
    tab.goto(url, wait_until="load")
    box = tab.get_by_label("Search for")
    box.click()
    box.press_sequentially(words)
    said = f"\u201c{words}\u201d"
    tab.wait_for_function(f"(said) => document.querySelector('{STATUS}').textContent.includes(said)", arg=said, timeout=10_000)
    return tab.locator(STATUS).inner_text()


@pytest.mark.e2e
def test_on_a_small_site_results_are_links_with_excerpts_shown_as_text(tmp_path, tab):
    site = small_site(tmp_path / "site")
    index_site(site)
    httpd, base = serve(site)
    dialogs = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        said = search_for(tab, base + SEARCH_PAGE, "composting")
        links = tab.eval_on_selector_all(RESULT_LINKS, "els => els.map(a => [a.textContent, new URL(a.href).pathname])")
        assert said == "2 results for \u201ccomposting\u201d."
        assert sorted(links) == [
            ["Household waste sent for reuse, recycling and composting", "/pages/measures/SE01.html"],
            ["Sustainable Environment: 2021/22 Q2", "/reports/2021-22-Q2/plan-sustainable-environment.html"],
        ]
        assert tab.locator(".pm-search-result-excerpt mark").first.inner_text().lower().rstrip(".") == "composting"
        assert tab.is_hidden("#pm-search-unavailable") and tab.is_visible("form.pm-search-form")
        assert urlsplit(tab.url).query == "q=composting"

        tab.goto(base + SEARCH_PAGE + "?q=onerror", wait_until="load")  # a search in the address runs on arrival
        tab.wait_for_function(RESULTS_SHOWN, timeout=10_000)
        assert tab.input_value("#pm-search-input") == "onerror"
        assert "<img src=x onerror=alert(1)>" in tab.inner_text(".pm-search-result-excerpt")
        assert tab.locator(".pm-search-results img").count() == 0 and dialogs == []

        said = search_for(tab, base + SEARCH_PAGE, "zzzqqq")
        assert said == "No results for \u201czzzqqq\u201d. Try other words, or fewer."
        assert tab.locator(RESULT_LINKS).count() == 0
    finally:
        httpd.shutdown()


def measure_word(project: Path) -> tuple[str, str]:
    """A word of one measure's name that no other public measure's name has, and that measure's id: the demo's recycling measure."""
    from pmlib import load_data

    measures = load_data(project / "data").measures
    public = measures[measures["public"]]
    named = public.index[public["name"].str.contains(r"\brecycling\b", case=False)]
    assert len(named) == 1, list(named)
    return "recycling", named[0]


def keyboard_search_reaches_the_measure(tab, base: str, project: Path) -> None:
    word, measure_id = measure_word(project)
    said = search_for(tab, base + SEARCH_PAGE, word)
    assert re.fullmatch(rf"\d+ results? for \u201c{word}\u201d(, showing the first 10)?\.", said), said
    tab.keyboard.press("Tab")  # the Search button
    tab.keyboard.press("Tab")  # the first result
    assert tab.evaluate("document.activeElement.closest('.pm-search-result') !== null")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.url == base + f"pages/measures/{measure_id}.html"


@pytest.mark.e2e
def test_typing_a_measures_word_and_following_the_first_result_reaches_its_page(built_site, site_url, tab):
    keyboard_search_reaches_the_measure(tab, site_url, built_site[0])


@pytest.mark.e2e
def test_the_search_page_with_results_passes_axe_at_a_desktop_and_a_phone_width(site_url, tab):
    assert AXE.is_file(), AXE_MISSING
    search_for(tab, site_url + SEARCH_PAGE, "council")
    assert tab.locator(RESULT_LINKS).count() == 10 and tab.is_visible(".pm-search-more-button")
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": HEIGHT})
        violations = tab.evaluate(RUN_AXE, AXE_TAGS)
        assert violations == [], describe_violations({SEARCH_PAGE: {"violations": violations}}, width)
        assert tab.evaluate(FIND_OVERFLOW) == []
    tab.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    tab.focus(".pm-search-more-button")
    tab.keyboard.press("Enter")  # more results, and focus on the first of them
    tab.wait_for_function("() => document.querySelectorAll('.pm-search-results a').length > 10")
    assert tab.evaluate("[...document.querySelectorAll('.pm-search-results a')].indexOf(document.activeElement)") == 10


@pytest.mark.e2e
def test_from_the_file_system_the_search_page_says_it_cannot_search_and_links_to_the_measures(built_site, tab):
    _, site, _ = built_site
    page = tab.context.new_page()  # a tab of its own: a file:// page's late requests (its icon) must not reach the next test's tab
    try:
        page.goto((site / SEARCH_PAGE).as_uri(), wait_until="load")
        assert page.is_hidden("form.pm-search-form")
        note = page.locator("#pm-search-unavailable")
        assert note.is_visible() and note.inner_text().startswith("Search cannot run here.")
        with page.expect_navigation():
            note.get_by_role("link", name="list of every measure").click()
        assert page.url == (site / "pages" / "measures.html").as_uri()
    finally:
        page.close()


@pytest.mark.e2e
def test_what_the_search_page_fetches_stays_on_the_site_and_within_the_page_budget(built_site, site_url, tab):
    """Loading the page and one search: every request to the site itself; the bytes, reported, within a page's budget."""
    from test_site_weight import PAGE_WEIGHT_BUDGET

    _, site, _ = built_site
    requested = []

    def note(request):
        requested.append(request.url)

    tab.on("request", note)
    try:
        search_for(tab, site_url + SEARCH_PAGE, "recycling")
    finally:
        tab.remove_listener("request", note)
    outside = [url for url in requested if not url.startswith(site_url)]
    assert outside == []
    files = sorted({urlsplit(url).path.lstrip("/") for url in requested})
    sizes = {rel: (site / rel).stat().st_size for rel in files if (site / rel).is_file()}
    pagefind = sum(size for rel, size in sizes.items() if rel.startswith(f"{INDEX_DIR}/"))
    bundle = sum(p.stat().st_size for p in (site / INDEX_DIR).rglob("*") if p.is_file())
    print(f"\nSearch page and one search fetch {sum(sizes.values()):,} B, {pagefind:,} B of it Pagefind's; the bundle is {bundle:,} B")
    assert "pagefind/pagefind.js" in sizes and any(rel.endswith(".pf_fragment") for rel in sizes)
    assert sum(sizes.values()) < PAGE_WEIGHT_BUDGET


@needs_quarto
def test_on_quartos_site_a_measures_word_reaches_its_page(quarto_built_site, tab):
    project = quarto_built_site[0]
    httpd, base = serve(project / "_site")
    try:
        keyboard_search_reaches_the_measure(tab, base, project)
    finally:
        httpd.shutdown()


def test_pagefind_runs_as_its_binary_unless_pagefind_would_look_elsewhere(monkeypatch):
    import sys

    from pagefind_bin import get_executable

    from pmlib.rendering.search import _pagefind

    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    assert _pagefind() == [str(get_executable().resolve())]
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/elsewhere/pagefind")
    assert _pagefind() == [sys.executable, "-m", "pagefind"]
