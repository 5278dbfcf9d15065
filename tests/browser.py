"""What the browser tests share: Debian's Chromium, the axe-core audit, and the scripts they run in each page.

Playwright drives Debian's Chromium (its own browser download cannot work
offline); axe-core comes from npm (package.json). The scripts here find what
axe cannot: a page wider than a phone, a chart Vega failed to draw, a status
shown by colour alone.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

from pmlib.views.labels import ACTION_LABELS, STATUS_LABELS

ROOT = Path(__file__).parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# WCAG 2.2 A and AA, the legal duty; axe's best-practice rules (landmarks, heading order, regions) come from
# the page templates, so the site pass runs them on each kind of page rather than on every page.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_TAGS = [*WCAG_TAGS, "best-practice"]
DESKTOP, PHONE = 1280, 375
WIDTHS = (DESKTOP, PHONE)
HEIGHT = 900
CHART_TIMEOUT_MS = 15_000

AXE_MISSING = (
    f"{AXE.relative_to(ROOT)} is missing: axe-core comes from npm. Run `make test` (its install step runs "
    "`npm install --no-package-lock --no-audit --no-fund`), or that npm command in the repository root."
)


@contextlib.contextmanager
def chromium():
    """Debian's Chromium, launched by Playwright with the flags every test uses, closed on leaving."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def audited_context(browser, width: int = DESKTOP):
    """A browser context ``width`` pixels wide with axe-core as an init script: each page has it from the start,
    without sending its half a megabyte again (a third of a second a page)."""
    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    if AXE.is_file():
        context.add_init_script(path=str(AXE))
    return context


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is not installed: run bash scripts/install-system-packages test"
    return path


def site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def _status_text() -> dict[str, set[str]]:
    """Every colour that means a status, with the words and symbols that say the same; action statuses share the palette."""
    text: dict[str, set[str]] = {}
    for label in (*STATUS_LABELS.values(), *ACTION_LABELS.values()):
        for colour in (label.colour, label.tint):
            text.setdefault(colour.upper(), set()).update({label.word, label.symbol})
    return text


STATUS_TEXT = _status_text()


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


def describe_violations(results: dict[str, dict], width: int) -> str:
    lines = []
    for rel, result in results.items():
        for v in result["violations"]:
            first = v["nodes"][0]
            summary = " ".join((first["summary"] or "").split())
            lines.append(f"{rel} @{width}px: {v['id']} ({v['impact']}, {len(v['nodes'])} elements): {first['target']}: {summary}")
    return "\n".join(lines)
