"""Every page of the built site within a page-weight budget, checked on the files alone (no browser).

A page must stay quick on a slow mobile connection: what a first visit loads
beyond the files every page shares (and the browser caches) is held to a
budget, and Vega comes from the shared bundle, never written into a page.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

import pytest
from browser import site_pages

pytestmark = pytest.mark.e2e

# What a page may weigh on first visit, beyond the files every page shares and
# the browser caches after the first: the HTML and anything only it loads.
PAGE_WEIGHT_BUDGET = 300_000
SHARED_ASSETS = {"assets/site.css", "assets/charts.js", "assets/vega.js", "assets/favicon.svg"}
SHARED_SCRIPTS = ("assets/vega.js", "assets/charts.js")
SHARED_STYLES = ("assets/site.css",)
# A script only the page with its marker loads (pmlib.rendering.site.PAGE_SCRIPTS), counted in that page's weight.
OWN_SCRIPTS = ("assets/search.js", "assets/dashboard.js")
SEARCH_MARKER = 'class="pm-search"'

RESOURCE_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}
LOADED_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class Resources(HTMLParser):
    """The files a browser loads to show a page (not the pages it links to), and any script written into the page."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []  # (tag or rel, url)
        self.inline_scripts: list[int] = []  # sizes
        self._in_script = False
        self._script: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in RESOURCE_ATTRS.get(tag, ()):
            for value in (a.get(name) or "").split(","):
                if value.strip():
                    self.urls.append((tag, value.strip().split()[0]))
        if tag == "link" and LOADED_LINKS & set((a.get("rel") or "").lower().split()) and a.get("href"):
            self.urls.append(((a.get("rel") or "").lower(), a["href"]))
        if tag == "script" and not a.get("src") and (a.get("type") or "text/javascript").lower() not in DATA_SCRIPT_TYPES:
            self._in_script, self._script = True, []

    def handle_data(self, data):
        if self._in_script:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script:
            self._in_script = False
            self.inline_scripts.append(len("".join(self._script).encode()))


def page_resources(site: Path, rel: str) -> Resources:
    parser = Resources()
    parser.feed((site / rel).read_text(encoding="utf-8"))
    parser.close()
    return parser


def resolve(rel: str, url: str) -> str | None:
    """The site path ``url`` in page ``rel`` points at, with any query kept (it would defeat the cache); None if not a site file."""
    if url.startswith(("data:", "#")):
        return None
    parts = urlsplit(urljoin(f"http://site/{rel}", url))
    if parts.netloc != "site":
        return None
    return str(PurePosixPath(parts.path.lstrip("/"))) + (f"?{parts.query}" if parts.query else "")


def search_fetches(site: Path) -> int:
    """What the search page's script fetches: Pagefind's searcher and the index's metadata on load, then at most a first search's
    largest index chunk and ten largest results (the first page of them); the rest of the index only as a reader searches."""
    bundle = site / "pagefind"
    loaded = [bundle / name for name in ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")]
    loaded += [*bundle.glob("*.pf_meta"), *bundle.glob("wasm.*.pagefind")]
    chunks = sorted((p.stat().st_size for p in bundle.glob("index/*.pf_index")), reverse=True)
    results = sorted((p.stat().st_size for p in bundle.glob("fragment/*.pf_fragment")), reverse=True)
    return sum(p.stat().st_size for p in loaded) + sum(chunks[:1]) + sum(results[:10])


def page_weights(site: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Each page's first-visit weight in bytes, and the resources each page names that are not in the site."""
    weights, missing = {}, {}
    for rel in site_pages(site):
        own = {resolve(rel, url) for _, url in page_resources(site, rel).urls} - {None} - SHARED_ASSETS
        weights[rel] = (site / rel).stat().st_size + sum((site / r).stat().st_size for r in own if (site / r).is_file())
        if SEARCH_MARKER in (site / rel).read_text(encoding="utf-8"):
            weights[rel] += search_fetches(site)
        if absent := sorted(r for r in own if not (site / r).is_file()):
            missing[rel] = absent
    return weights, missing


def test_every_page_is_within_its_weight_budget(built_site):
    _, site, _ = built_site
    weights, missing = page_weights(site)
    assert missing == {}
    ranked = sorted(weights.items(), key=lambda item: -item[1])
    report = "\n".join(f"{size:>9,} B  {rel}" for rel, size in ranked[:15])
    print(f"\nHeaviest pages (HTML plus resources only that page loads; budget {PAGE_WEIGHT_BUDGET:,} B):\n{report}")
    over = {rel: size for rel, size in ranked if size > PAGE_WEIGHT_BUDGET}
    assert over == {}, f"pages over the {PAGE_WEIGHT_BUDGET:,}-byte budget: {over}\nheaviest:\n{report}"


def test_pages_share_the_cached_scripts_and_styles_and_inline_no_bundle(built_site):
    _, site, _ = built_site
    inline, wrong, charts_without_scripts = {}, {}, []
    for rel in site_pages(site):
        found = page_resources(site, rel)
        if found.inline_scripts:
            inline[rel] = found.inline_scripts
        scripts = [resolve(rel, url) for kind, url in found.urls if kind == "script"]
        styles = [resolve(rel, url) for kind, url in found.urls if "stylesheet" in kind.split()]
        if not set(scripts) <= {*SHARED_SCRIPTS, *OWN_SCRIPTS} or tuple(styles) != SHARED_STYLES:
            wrong[rel] = {"scripts": scripts, "styles": styles}
        if 'class="pm-chart"' in (site / rel).read_text(encoding="utf-8") and tuple(scripts) != SHARED_SCRIPTS:
            charts_without_scripts.append(rel)
    assert inline == {}, "scripts written into pages (bytes each); Vega must come from assets/vega.js"
    assert wrong == {}
    assert charts_without_scripts == []
    assert (site / "assets" / "vega.js").stat().st_size > 100_000  # the bundle is where pages expect it
