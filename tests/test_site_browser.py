"""The built website in Debian's Chromium on a local server: one pass over every page, and a close look at a few.

The pass starts at the home page and follows every link, then visits any
page no link reached, so each page is loaded once. On each it records the
HTTP status, console errors, any request leaving the machine, whether Vega
drew every chart, audits it with axe-core (WCAG 2.2 A and AA) at a desktop
width, and narrows it to a phone's width to look for anything wider than the
screen. Each kind of page, and every page of the latest quarter, gets a
closer audit: axe's best-practice rules too, and axe again at the phone width
(``closer_audit``).
The tests below read that one record. Full-page screenshots of a home, plan
and measure page go to test-artifacts/screenshots/ for a person to look over.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from browser import (
    AXE,
    AXE_MISSING,
    AXE_TAGS,
    CHART_STATES,
    DESKTOP,
    FIND_OVERFLOW,
    HEIGHT,
    PHONE,
    ROOT,
    RUN_AXE,
    SCREENSHOTS,
    WCAG_TAGS,
    WIDTHS,
    audited_context,
    chromium,
    describe_violations,
    open_page,
    site_pages,
    unexplained_colours,
)
from conftest import LATEST

from pmlib import load_data
from pmlib.contract.params_folder import params_files

pytestmark = pytest.mark.e2e

# Pages kept as screenshots; the plan and measure pages must show charts and
# statuses, so the checks on them cannot pass by finding nothing to check.
KEY_PAGES = {"home": "index.html", "plan": "reports/2021-22-Q2/plan-brighter-futures.html", "measure": "pages/measures/BF01.html"}
SHOW_CHARTS_AND_STATUSES = {"plan", "measure"}


@pytest.fixture(scope="module")
def page():
    """One browser and one tab, reused for every page the module visits, so the ~100-page pass costs the pages alone."""
    with chromium() as browser:
        yield audited_context(browser).new_page()


class Visit:
    """What one page did while it loaded: filled by the tab's event handlers, which stay attached for the whole pass."""

    def __init__(self):
        self.errors: list[str] = []
        self.outside: list[str] = []


def visit_site(tab, base: str, site: Path) -> dict[str, dict]:
    """Every page, once: by links from the home page, then any page no link reached; per page what it did and the audit.

    Each page is loaded at the desktop width and then narrowed to the phone
    width, which re-lays it out as a phone would (no script on the site reads
    the width), for half the cost of loading every page twice.
    """
    origin = urlparse(base).netloc
    current = Visit()
    tab.on("console", lambda m: current.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: current.errors.append(str(e)))
    tab.on("request", lambda r: current.outside.append(r.url) if urlparse(r.url).netloc not in (origin, "") else None)
    queue, records, audited_kinds = ["index.html"], {}, set()
    files = site_pages(site)
    while queue or len(records) < len(files):
        linked = bool(queue)
        rel = queue.pop(0) if linked else next(f for f in files if f not in records)
        if rel in records:
            continue
        current = Visit()
        problem = open_page(tab, base + rel, WIDTHS[0])
        record = {"problem": problem, "linked": linked, "charts": 0, "drawn": 0, "widths": {}, "closer": False}
        if problem is None:
            record["charts"] = tab.locator("figure.pm-chart").count()
            record["drawn"] = tab.locator("figure.pm-chart .vega-embed").count()
            for href in tab.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
                target = urlparse(urljoin(base + rel, href).split("#")[0])
                if target.netloc == origin and target.path.endswith(".html"):
                    queue.append(target.path.lstrip("/"))
            each_kind = closer_audit(rel, audited_kinds)
            record["closer"] = each_kind
            for width in WIDTHS:
                tab.set_viewport_size({"width": width, "height": HEIGHT})
                tags = AXE_TAGS if each_kind else WCAG_TAGS if width == DESKTOP else None
                violations = tab.evaluate(RUN_AXE, tags) if tags and AXE.is_file() else None
                record["widths"][width] = {"problem": None, "violations": violations, "overflow": tab.evaluate(FIND_OVERFLOW)}
        else:
            record["widths"] = {width: {"problem": problem, "violations": [], "overflow": []} for width in WIDTHS}
        record["errors"], record["outside"] = current.errors, current.outside
        records[rel] = record
    return records


def page_kind(rel: str) -> str:
    """Pages made from one template with different figures share a kind: every measure page, every quarter's overview."""
    folder, _, name = rel.rpartition("/")
    if re.fullmatch(r"reports/\d{4}-\d{2}-Q[1-4]", folder):
        return "quarter/" + ("plan" if name.startswith("plan-") else name)
    return f"{folder}/" if folder else rel


def closer_audit(rel: str, audited_kinds: set[str]) -> bool:
    """Whether axe also runs its best-practice rules on ``rel`` and audits it again at the phone width.

    So it does on every page of the latest quarter and the first page of each
    kind. Narrowing a page changes its layout, not its content, so what axe
    could find only on a phone (targets too small, a table region that now
    scrolls, text over a background) comes from the template and its CSS,
    which every page of a kind shares; so do the landmarks, regions and
    heading order the best-practice rules look at. WCAG 2.2 A and AA are
    audited on every page at the desktop width, and the overflow check runs
    on every page at the phone width.
    """
    kind = page_kind(rel)
    if rel.startswith(f"reports/{LATEST}/") or kind not in audited_kinds:
        audited_kinds.add(kind)
        return True
    return False


@pytest.fixture(scope="module")
def visits(built_site, site_url, page):
    """The one pass over the site, run once for the tests that read it."""
    assert AXE.is_file(), AXE_MISSING  # before the pass, so a missing install fails at once
    records = visit_site(page, site_url, built_site[1])
    assert len(records) > 50, sorted(records)
    return records


# --- every page, from the one pass ------------------------------------------------


def test_every_page_loads_cleanly_offline_and_charts_draw(visits):
    assert {rel: r["problem"] for rel, r in visits.items() if r["problem"]} == {}
    assert {rel: r["errors"] for rel, r in visits.items() if r["errors"]} == {}
    assert {rel: r["outside"] for rel, r in visits.items() if r["outside"]} == {}
    assert {rel: (r["charts"], r["drawn"]) for rel, r in visits.items() if r["charts"] != r["drawn"]} == {}
    assert sum(r["charts"] for r in visits.values()) > 0


def test_links_from_the_home_page_reach_every_quarter_plan_and_measure(built_site, visits):
    project, _, _ = built_site
    linked = {rel for rel, r in visits.items() if r["linked"]}
    data = load_data(project / "data")
    expected = {"index.html", "pages/archive.html", "pages/measures.html"}
    for q in params_files(project / "params"):
        expected |= {f"reports/{q.slug}/overview.html", f"reports/{q.slug}/appendices.html"}
        expected |= {f"reports/{q.slug}/plan-{plan_id}.html" for plan_id in data.plans.index}
    public = data.measures.index[data.measures["public"]]
    expected |= {f"pages/measures/{m}.html" for m in public}
    assert expected - linked == set()
    assert "pages/measures/MC09.html" not in visits  # restricted: never published


def test_axe_finds_no_wcag_22_aa_violations_on_any_page(visits):
    results = {rel: r["widths"][DESKTOP] for rel, r in visits.items()}
    assert [rel for rel, r in results.items() if r["violations"] is None and r["problem"] is None] == []
    report = describe_violations(results, DESKTOP)
    assert report == "", f"axe-core found violations:\n{report}"


def test_axe_finds_no_violations_at_a_phone_width_or_of_best_practice_on_each_kind_of_page(visits):
    results = {rel: r["widths"][PHONE] for rel, r in visits.items() if r["widths"][PHONE]["violations"] is not None}
    assert {page_kind(rel) for rel in results} == {page_kind(rel) for rel in visits}
    assert set(results) == {rel for rel, r in visits.items() if r["closer"]}  # best practice ran at the desktop width on these too
    assert {rel for rel in visits if rel.startswith(f"reports/{LATEST}/")} <= set(results)
    report = describe_violations(results, PHONE)
    assert report == "", f"axe-core found violations:\n{report}"


def test_no_page_is_wider_than_a_phone(visits):
    overflow = {rel: r["widths"][PHONE]["overflow"] for rel, r in visits.items() if r["widths"][PHONE]["overflow"]}
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


def test_the_data_quality_page_meets_wcag_22_aa_and_fits_a_phone(page):
    from pmlib import load_data
    from pmlib.intake.data_quality import data_quality, quality_page

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
