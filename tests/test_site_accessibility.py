"""The built website against WCAG 2.2 AA, in Debian's Chromium on a local server.

axe-core (the npm package pinned in package.json) audits every page at a
desktop and a phone width. axe cannot judge layout or meaning, so the tests
also look for what it misses: a page wider than a phone, a chart Vega failed
to draw, a status shown by colour alone, a focus style too faint to see. Full-
page screenshots of a home, plan and measure page go to
test-artifacts/screenshots/ for a person to look over. A page-weight budget,
checked on the files alone, keeps pages quick on a slow mobile connection.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import LATEST
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from test_site_browser import CHROMIUM_FLAGS, chromium_path

from pmlib.vocabulary import ACTION_LABELS, STATUS_LABELS

ROOT = Path(__file__).parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
DESKTOP, PHONE = 1280, 375
WIDTHS = (DESKTOP, PHONE)
HEIGHT = 900
CHART_TIMEOUT_MS = 15_000

# Pages kept as screenshots; the plan and measure pages must show charts and
# statuses, so the checks on them cannot pass by finding nothing to check.
KEY_PAGES = {"home": "index.html", "plan": "2021-22-Q2/plan-brighter-futures.html", "measure": "measures/BF01.html"}
SHOW_CHARTS_AND_STATUSES = {"plan", "measure"}

# What a page may weigh on first visit, beyond the files every page shares and
# the browser caches after the first: the HTML and anything only it loads.
PAGE_WEIGHT_BUDGET = 300_000
SHARED_ASSETS = {"assets/site.css", "assets/charts.js", "assets/vega.js", "assets/favicon.svg"}
SHARED_SCRIPTS = ("assets/vega.js", "assets/charts.js")
SHARED_STYLES = ("assets/site.css",)


def _status_text() -> dict[str, set[str]]:
    """Every colour that means a status, with the words and symbols that say the same; action statuses share the palette."""
    text: dict[str, set[str]] = {}
    for label in (*STATUS_LABELS.values(), *ACTION_LABELS.values()):
        for colour in (label.colour, label.tint):
            text.setdefault(colour.upper(), set()).update({label.word, label.symbol})
    return text


STATUS_TEXT = _status_text()

AXE_MISSING = (
    f"{AXE.relative_to(ROOT)} is missing: axe-core comes from npm. Run `make test` (its install step runs "
    "`npm install --no-package-lock --no-audit --no-fund`), or that npm command in the repository root."
)


# --- the browser -------------------------------------------------------------


@pytest.fixture(scope="module")
def page():
    """One browser and one tab, reused for every page the module visits, so the ~100-page audit costs the pages alone."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        tab = browser.new_page(viewport={"width": DESKTOP, "height": HEIGHT})
        yield tab
        browser.close()


def open_page(tab, url: str, width: int) -> str | None:
    """Load ``url`` at ``width`` and wait until every chart is settled; a problem loading it, or None."""
    tab.set_viewport_size({"width": width, "height": HEIGHT})
    response = tab.goto(url, wait_until="load")
    if response is None or response.status != 200:
        return f"HTTP {response.status if response else 'no response'}"
    try:
        tab.wait_for_function(
            "() => [...document.querySelectorAll('figure.pm-chart')].every(f => f.hasAttribute('data-pm-chart'))",
            timeout=CHART_TIMEOUT_MS,
        )
    except PlaywrightError:
        return f"charts.js did not settle every chart within {CHART_TIMEOUT_MS} ms"
    return None


def site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary, html: n.html.slice(0, 200)})),
  }));
}"""

# Everything in <main> that reaches past the viewport's right edge (outermost
# element only), except inside a table region, which is meant to scroll.
FIND_OVERFLOW = """() => {
  const width = window.innerWidth;
  const found = [];
  const flagged = new Set();
  if (document.documentElement.scrollWidth > width) {
    found.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  }
  for (const el of document.querySelectorAll("main *")) {
    if (el.closest(".pm-table-wrap")) continue;
    if (el.parentElement && flagged.has(el.parentElement)) {
      flagged.add(el);
      continue;
    }
    const box = el.getBoundingClientRect();
    if ((box.width || box.height) && box.right > width + 0.5) {
      flagged.add(el);
      const classes = (el.getAttribute("class") || "").trim().split(/\\s+/).filter(Boolean);
      const name = [el.tagName.toLowerCase() + (el.id ? "#" + el.id : ""), ...classes].join(".");
      found.push(`${name} reaches ${Math.round(box.right)}px: ${(el.textContent || "").trim().slice(0, 60)}`);
    }
  }
  return found;
}"""

CHART_STATES = """() => [...document.querySelectorAll("figure.pm-chart")].map(f => {
  const svg = f.querySelector(".vega-embed svg");
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  return {id: f.id, state: f.getAttribute("data-pm-chart"), width: box.width, height: box.height};
})"""

# Every visible element in <main> painted in a status colour or tint, with the
# text that could explain it: its own text; or for a graphic, the graphic's text,
# the labels of legend entries drawn in that colour, and whether every graphic of
# its kind outside a chart (every sparkline, say) is drawn in that one colour.
STATUS_COLOURED = """(colours) => {
  const hex = (value) => {
    const m = value && value.match(/^rgba?\\((\\d+),\\s*(\\d+),\\s*(\\d+)(?:,\\s*([\\d.]+))?\\)$/);
    if (!m || (m[4] !== undefined && Number(m[4]) === 0)) return null;
    return "#" + m.slice(1, 4).map(x => Number(x).toString(16).padStart(2, "0")).join("").toUpperCase();
  };
  const legendLabels = (svg, colour) => [...svg.querySelectorAll(".role-legend-entry .role-scope")]
    .filter(entry => [...entry.querySelectorAll(".role-legend-symbol path")]
      .some(s => hex(getComputedStyle(s).fill) === colour || hex(getComputedStyle(s).stroke) === colour))
    .map(entry => [...entry.querySelectorAll(".role-legend-label text")].map(t => t.textContent).join(" ").trim());
  const items = [];
  const kinds = new Map();
  for (const el of document.querySelectorAll("main *")) {
    if (el.closest("[hidden]") || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    const graphic = el instanceof SVGElement ? el.ownerSVGElement || el : null;
    const painted = (graphic ? [style.fill, style.stroke] : [style.backgroundColor]).map(hex);
    for (const colour of new Set(painted.filter(c => c && colours.includes(c)))) {
      const figure = el.closest("figure.pm-chart");
      const kind = graphic && !figure ? "svg." + (graphic.getAttribute("class") || "").trim().split(/\\s+/).join(".") : null;
      if (kind) kinds.set(kind, (kinds.get(kind) || new Set()).add(colour));
      items.push({el, graphic, figure, kind, colour});
    }
  }
  return items.map(({el, graphic, figure, kind, colour}) => {
    const tag = `<${el.tagName.toLowerCase()}>`;
    const name = graphic && (figure ? `chart #${figure.id}` : `${kind} "${(graphic.getAttribute("aria-label") || "").slice(0, 60)}"`);
    return {
      colour,
      where: graphic ? `${name}: ${tag}` : `${tag} "${el.textContent.trim().slice(0, 60)}"`,
      text: graphic ? [...graphic.querySelectorAll("text")].map(t => t.textContent).join(" | ") : el.textContent,
      legend: graphic ? legendLabels(graphic, colour) : [],
      uniform: kind ? kinds.get(kind).size === 1 : false,
    };
  });
}"""


def unexplained_colours(tab) -> tuple[int, list[str]]:
    """How many status-coloured things a page shows, and those with no word or symbol to say what the colour means.

    The status colours are the Analysis Function palette, which charts also use
    for things that are not statuses, so two more cases count as explained
    (WCAG 1.4.1 asks only that colour is not the sole way to tell things
    apart): a chart series whose legend entry in that colour names it (the
    target line is the on-target colour), and graphics of one kind that all
    share the one colour (every sparkline is dark blue, so the blue tells the
    reader nothing). A status tint on a table cell must always carry its word.
    """
    found = tab.evaluate(STATUS_COLOURED, sorted(STATUS_TEXT))
    bad = []
    for item in found:
        words = STATUS_TEXT[item["colour"]]
        if any(w in item["text"] for w in words) or any(item["legend"]) or item["uniform"]:
            continue
        bad.append(f"{item['where']} is {item['colour']} with none of {sorted(words)} beside it")
    return len(found), sorted(set(bad))


def audit(tab, base: str, pages: list[str]) -> dict[int, dict[str, dict]]:
    """axe and the overflow check on every page at each width: per width and page, its load problem, violations and overflow.

    Each page is loaded once at the desktop width and then narrowed to the phone
    width, which re-lays it out as a phone would (no script on the site reads
    the width), for half the cost of loading every page twice.
    """
    results: dict[int, dict[str, dict]] = {width: {} for width in WIDTHS}
    for rel in pages:
        problem = open_page(tab, base + rel, WIDTHS[0])
        if problem is None and AXE.is_file():
            tab.add_script_tag(path=str(AXE))
        for width in WIDTHS:
            violations, overflow = [], []
            if problem is None:
                tab.set_viewport_size({"width": width, "height": HEIGHT})
                violations = tab.evaluate(RUN_AXE, AXE_TAGS) if AXE.is_file() else []
                overflow = tab.evaluate(FIND_OVERFLOW)
            results[width][rel] = {"problem": problem, "violations": violations, "overflow": overflow}
    return results


@pytest.fixture(scope="module")
def audits(built_site, site_url, page):
    """The audit of every page, run once for the tests that read it."""
    pages = site_pages(built_site[1])
    assert len(pages) > 50, pages
    return audit(page, site_url, pages)


def describe_violations(results: dict[str, dict], width: int) -> str:
    lines = []
    for rel, result in results.items():
        for v in result["violations"]:
            first = v["nodes"][0]
            summary = " ".join((first["summary"] or "").split())
            lines.append(f"{rel} @{width}px: {v['id']} ({v['impact']}, {len(v['nodes'])} elements): {first['target']}: {summary}")
    return "\n".join(lines)


# --- axe on every page ---------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_wcag_22_aa_violations_on_any_page(request, width):
    assert AXE.is_file(), AXE_MISSING  # before the audit, so a missing install fails at once
    results = request.getfixturevalue("audits")[width]
    assert {rel: r["problem"] for rel, r in results.items() if r["problem"]} == {}
    report = describe_violations(results, width)
    assert report == "", f"axe-core found violations:\n{report}"


def test_no_page_is_wider_than_a_phone(audits):
    results = audits[PHONE]
    assert {rel: r["problem"] for rel, r in results.items() if r["problem"]} == {}
    overflow = {rel: r["overflow"] for rel, r in results.items() if r["overflow"]}
    report = "\n".join(f"{rel}: {item}" for rel, items in overflow.items() for item in items)
    assert overflow == {}, f"at {PHONE}px these pages are wider than the screen outside a table region:\n{report}"


# --- key pages, looked at closely ---------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", KEY_PAGES)
def test_key_pages_fit_draw_their_charts_and_never_rely_on_colour(site_url, page, name, width):
    rel = KEY_PAGES[name]
    assert open_page(page, site_url + rel, width) is None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)

    overflow = page.evaluate(FIND_OVERFLOW)
    assert overflow == [], f"{rel} at {width}px is wider than the screen:\n" + "\n".join(overflow)

    charts = page.evaluate(CHART_STATES)
    undrawn = [c for c in charts if c["state"] != "interactive" or not (c["width"] > 0 and c["height"] > 0)]
    assert undrawn == [], f"{rel}: charts Vega did not draw (the static SVG is showing): {undrawn}"

    checked, unexplained = unexplained_colours(page)
    assert unexplained == [], f"{rel}: status shown by colour alone:\n" + "\n".join(unexplained)
    if name in SHOW_CHARTS_AND_STATUSES:
        assert charts and checked, f"{rel}: {len(charts)} charts, {checked} status-coloured elements"


# --- focus ------------------------------------------------------------------------


def _luminance(rgb: tuple[int, ...]) -> float:
    channels = [c / 255 for c in rgb[:3]]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """WCAG contrast ratio of two sRGB colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgb_values(css: str) -> list[tuple[int, ...]]:
    """Every opaque rgb()/rgba() colour in a computed style value."""
    colours = []
    for match in re.finditer(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)", css or ""):
        if match.group(4) is None or float(match.group(4)) > 0:
            colours.append(tuple(int(match.group(i)) for i in (1, 2, 3)))
    return colours


FOCUS_STYLE = """(el) => {
  let behind = el.parentElement;
  while (behind && !/^rgb\\(/.test(getComputedStyle(behind).backgroundColor)) behind = behind.parentElement;
  const s = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    focusVisible: el.matches(":focus-visible"),
    outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 ? s.outlineColor : "",
    shadow: s.boxShadow === "none" ? "" : s.boxShadow,
    background: s.backgroundColor, colour: s.color,
    behind: behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)",
    onScreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0 && box.right <= window.innerWidth,
  };
}"""

FOCUSABLE = {
    "skip link": "a.pm-skip-link",
    "site navigation link": ".pm-nav a",
    "quarter navigation link": ".pm-quarter-nav a",
    "link in the page": "main a[href]",
    "table region": ".pm-table-wrap",
}


def test_keyboard_focus_is_always_visible(site_url, page):
    """WCAG 2.4.7 and 1.4.11: each kind of focusable thing, reached from the keyboard, gains an indicator of 3:1 against
    what surrounds it, and its text stays readable on the focus colour."""
    assert open_page(page, site_url + KEY_PAGES["home"], DESKTOP) is None
    page.keyboard.press("Tab")  # keyboard use is what makes :focus-visible apply to focus() below
    problems = {}
    for kind, selector in FOCUSABLE.items():
        target = page.locator(selector).first
        target.focus()
        style = target.evaluate(FOCUS_STYLE)
        behind = rgb_values(style["behind"])[0]
        indicators = rgb_values(style["outline"]) + rgb_values(style["shadow"]) + rgb_values(style["background"])
        best = max((contrast(c, behind) for c in indicators), default=0)
        text_on = (rgb_values(style["background"]) or [behind])[0]
        text = contrast(rgb_values(style["colour"])[0], text_on) if kind != "table region" else 21
        if not (style["focusVisible"] and style["onScreen"] and best >= 3 and text >= 4.5):
            problems[kind] = {**style, "indicator contrast": round(best, 2), "text contrast": round(text, 2)}
    assert problems == {}


# --- page weight ------------------------------------------------------------------

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


def page_weights(site: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Each page's first-visit weight in bytes, and the resources each page names that are not in the site."""
    weights, missing = {}, {}
    for rel in site_pages(site):
        own = {resolve(rel, url) for _, url in page_resources(site, rel).urls} - {None} - SHARED_ASSETS
        weights[rel] = (site / rel).stat().st_size + sum((site / r).stat().st_size for r in own if (site / r).is_file())
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
        if not set(scripts) <= set(SHARED_SCRIPTS) or tuple(styles) != SHARED_STYLES:
            wrong[rel] = {"scripts": scripts, "styles": styles}
        if 'class="pm-chart"' in (site / rel).read_text(encoding="utf-8") and tuple(scripts) != SHARED_SCRIPTS:
            charts_without_scripts.append(rel)
    assert inline == {}, "scripts written into pages (bytes each); Vega must come from assets/vega.js"
    assert wrong == {}
    assert charts_without_scripts == []
    assert (site / "assets" / "vega.js").stat().st_size > 100_000  # the bundle is where pages expect it


def test_the_data_quality_page_meets_wcag_22_aa_and_fits_a_phone(page):
    from pmlib import load_data
    from pmlib.data_quality import data_quality, quality_page

    assert AXE.is_file(), AXE_MISSING
    found = data_quality(load_data(ROOT / "data"), LATEST, ROOT / "params")
    assert sum(len(s.table) for s in found.sections) > 20, "the demo quarter should give the page real tables to audit"
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    page.set_content(quality_page(found))
    page.add_script_tag(path=str(AXE))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        violations = page.evaluate(RUN_AXE, AXE_TAGS)
        result = {"problem": None, "violations": violations, "overflow": []}
        assert not violations, describe_violations({"data-quality.html": result}, width)
        assert page.evaluate(FIND_OVERFLOW) == []
