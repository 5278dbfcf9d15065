"""The built-in website: the demo site every end-to-end module reads, and a tiny council run end to end.

Each built site is parsed as HTML and checked the way a reader, a screen
reader and a file:// browser would meet it: every page there, every link and
asset resolving to a file (and every fragment to an id), one ``<h1>``, the
language set, landmarks, nothing loaded from elsewhere, no restricted measure
or withheld figure, and officers' text shown as text.
"""

from __future__ import annotations

import gzip
import json
import posixpath
import re
import shutil
import tempfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import vl_convert
from builders import make_data, write_csv
from conftest import LATEST

import pmlib
from pmlib.contract.params_folder import params_files
from pmlib.project import Project
from pmlib.rendering.documents import render_markdown
from pmlib.rendering.pages import write_pages
from pmlib.rendering.site import SiteError, render_site
from pmlib.rendering.site_files import publish_site_files
from pmlib.rendering.sources import UnsupportedSyntaxError
from pmlib.run.execution import run_quarters
from pmlib.views.open_data import OPEN_DATA_FILES
from pmlib.views.prose import user_markdown
from pmlib.views.sdgs import measures_by_goal

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[1]
ALLOWED_URLS = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
VEGA_LITE_SCHEMA = re.compile(r"^https://vega\.github\.io/schema/vega-lite/v[\d.]+\.json$")
OUTSIDE_LINKS = ("https", "mailto")
LANDMARKS = ("header", "nav", "main", "footer")
NAVBAR = ("index.html", *(f"pages/{name}.html" for name in ("measures", "goals", "open-data", "methodology", "archive", "search")))
GENERATED = ("archive", "measures", "goals", "open-data", "methodology", "accessibility", "search")
GENERATED_PAGES = {"index.html"} | {f"pages/{name}.html" for name in GENERATED}


class Page(HTMLParser):
    """What the checks need from one page: links, ids, tag counts, and whether each table sits in a scrolling region."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self.ids: Counter[str] = Counter()
        self.tags: Counter[str] = Counter()
        self.attrs: list[tuple[str, dict]] = []
        self.lang = None
        self.divs: list[bool] = []
        self.bare_tables = 0
        self.h1_text: list[str] = []
        self._in_h1 = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags[tag] += 1
        self.attrs.append((tag, a))
        if tag == "html":
            self.lang = a.get("lang")
        if "id" in a:
            self.ids[a["id"]] += 1
        for key in ("href", "src", "xlink:href"):
            if key in a:
                self.links.append((tag, key, a[key]))
        if tag == "div":
            self.divs.append("pm-table-wrap" in a.get("class", "").split())
        if tag == "table" and not any(self.divs):
            self.bare_tables += 1
        if tag == "h1":
            self._in_h1 = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "div":
            self.divs.pop()

    def handle_endtag(self, tag):
        if tag == "div" and self.divs:
            self.divs.pop()
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1_text.append(data)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build(project: Path, quarters, *, data=ROOT / "data", params=ROOT / "params", reports=ROOT / "reports") -> tuple[Path, list[Path]]:
    """Lay out a project folder with the committed Quarto files, write its pages, and render the site."""
    project.mkdir(parents=True, exist_ok=True)
    for name in ("_quarto.yml", "_quarto-website.yml"):
        shutil.copy(ROOT / name, project / name)
    folders = Project(root=project, data=data, params=params, reports=reports)
    write_pages(quarters, folders)
    out = project / "site"
    written = render_site(folders, quarters, out_dir=out)
    return out, written + publish_site_files(folders, quarters, out)


@pytest.fixture(scope="module")
def demo(built_site):
    """The demo site every end-to-end module reads (built once per run, tests/conftest.py), parsed."""
    project, out, _ = built_site
    report = pmlib.quarter_report(LATEST, project / "data", project / "params")
    quarters = [q.slug for q in params_files(project / "params")]
    pages = {p.relative_to(out).as_posix(): Page(p.read_text(encoding="utf-8")) for p in sorted(out.rglob("*.html"))}
    return {"project": project, "out": out, "quarters": quarters, "report": report, "pages": pages}


def project_copy(demo, target: Path) -> Path:
    """The built project's pages and configuration, without its site, reports or data, to render again with a change."""
    return shutil.copytree(demo["project"], target, ignore=shutil.ignore_patterns("_site", "reports", "notebooks"))


def check_links(out: Path, pages: dict[str, Page]) -> list[str]:
    """Every relative href and src, from every page, that does not lead to a file (or to an id in it)."""
    broken = []
    for name, page in pages.items():
        for tag, key, value in page.links:
            parts = urlsplit(value)
            if tag == "a" and parts.scheme in OUTSIDE_LINKS:
                continue  # a link a reader may follow; nothing is loaded from it
            if tag == "a" and parts.scheme == "data":
                continue  # a chart's figures as CSV, carried in the link itself (tests/test_take_away.py)
            assert not parts.scheme and not parts.netloc, f"{name}: <{tag} {key}={value!r}> leaves the site"
            assert not parts.path.startswith("/"), f"{name}: {value!r} is absolute, which breaks in another folder or file://"
            target = (out / name).parent / unquote(parts.path) if parts.path else out / name
            if not target.resolve().is_file() or not target.resolve().is_relative_to(out.resolve()):
                broken.append(f"{name}: {value}")
            elif parts.fragment and target.suffix == ".html":  # a pack's fragment names a PDF destination (tests/test_take_away.py)
                ids = pages[target.resolve().relative_to(out.resolve()).as_posix()].ids
                if parts.fragment not in ids:
                    broken.append(f"{name}: {value} (no such id)")
    return broken


# --- the demo council, two quarters ------------------------------------------


def test_every_page_is_written(demo):
    out, report, quarters = demo["out"], demo["report"], demo["quarters"]
    notebooks = {f"reports/{q}/{p.stem}.html" for q in quarters for p in (ROOT / "reports" / q).glob("*.ipynb")}
    measures = {f"pages/measures/{m}.html" for m in report.judged["measure_id"]}
    goals = {f"pages/goals/{g}.html" for g in measures_by_goal(report.measures, report.plans)}
    data = {f"data/{q}/{name}" for q in quarters for name in OPEN_DATA_FILES}
    packs = {f"packs/{q}.pdf" for q in quarters}
    expected = notebooks | measures | goals | data | GENERATED_PAGES
    assets = {f"assets/{name}" for name in ("site.css", "charts.js", "dashboard.js", "search.js", "vega.js", "favicon.svg")}
    feeds = {"feeds/reports.xml"} | {f"feeds/plan-{plan}.xml" for plan in report.plans.index}
    assert len(notebooks) == 8 * len(quarters) and len(measures) > 40 and len(goals) > 5  # overview, six plans, appendices per quarter
    written = set(snapshot(out))
    search_index = {name for name in written if name.startswith("pagefind/")}
    assert {"pagefind/pagefind.js", "pagefind/pagefind-entry.json"} <= search_index
    assert written - search_index == expected | assets | feeds | packs | {"manifest.json"}


def test_every_link_and_asset_resolves(demo):
    assert check_links(demo["out"], demo["pages"]) == []


def test_each_page_has_one_h1_a_language_landmarks_and_a_skip_link(demo):
    for name, page in demo["pages"].items():
        assert page.tags["h1"] == 1, name
        assert "".join(page.h1_text).strip(), name
        assert page.lang == "en-GB", name
        assert all(page.tags[tag] >= 1 for tag in LANDMARKS), name
        assert page.tags["main"] == 1 and page.ids["main"] == 1, name
        first_link = next(a for tag, a in page.attrs if tag == "a")
        assert first_link.get("class") == "pm-skip-link" and first_link.get("href") == "#main", name
        assert [i for i, n in page.ids.items() if n > 1] == [], name
        assert page.bare_tables == 0, f"{name}: a table outside a scrolling region"


def test_nothing_is_loaded_from_elsewhere(demo):
    for name, page in demo["pages"].items():
        loads = [v for tag, _, v in page.links if tag != "a" and re.match(r"(?i)^[a-z]+:|//", v)]
        assert loads == [], name
        links = [v for tag, _, v in page.links if tag == "a" and re.match(r"(?i)^[a-z]+:|//", v)]
        assert [v for v in links if urlsplit(v).scheme not in (*OUTSIDE_LINKS, "data")] == [], name
    for path in demo["out"].rglob("*"):
        if path.suffix in (".html", ".css") or path.name == "charts.js":
            text = re.sub(r'<a href="(https|mailto)[^"]*"', "<a", path.read_text(encoding="utf-8"))
            urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
            assert {u for u in urls - ALLOWED_URLS if not VEGA_LITE_SCHEMA.match(u)} == set(), path
    css = (demo["out"] / "assets" / "site.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css and "@font-face" not in css


def test_the_restricted_measure_appears_nowhere(demo):
    name = pmlib.load_data(ROOT / "data").measures.loc["MC09", "name"]
    assert "MC09" not in set(demo["report"].judged["measure_id"])
    for folder in (demo["out"], demo["project"] / "pages"):
        for path in folder.rglob("*"):
            if path.is_file() and path.name != "vega.js" and path.suffix != ".pdf":  # the packs are read in test_pack.py
                data = path.read_bytes()
                data = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data  # the search index's files are gzipped
                text = data.decode("utf-8", errors="replace")
                assert "mc09" not in text.lower() and name not in text, path


def test_withheld_figures_stay_withheld_on_measure_pages(demo):
    report, out = demo["report"], demo["out"]
    history = report.history.drop_duplicates(["measure_id", "period"], keep="last")
    withheld = history[history["suppressed"]]
    assert set(withheld["measure_id"]) >= {"BF07"}
    for measure_id, rows in withheld.groupby("measure_id"):
        text = (out / "pages" / "measures" / f"{measure_id}.html").read_text(encoding="utf-8")
        table = text[text.index(f'id="table-measure-{measure_id.lower()}-history"') :]
        cells = {}
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL):
            values = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            if values:
                cells.setdefault(values[0], values)
        spec = json.loads(re.search(r'class="pm-chart-spec">(.*?)</script>', text, re.DOTALL).group(1).replace("<\\/", "</"))
        rows_drawn = [d for data in spec["datasets"].values() for d in data]
        points = {(d["series"], d["period"]) for d in rows_drawn if d["amount"] is not None}  # a gap is kept as a null, to break the line
        assert all(d["shown"] == "not available" for d in rows_drawn if d["amount"] is None), measure_id
        for period in rows["period"]:
            assert cells[period][1] == "[c]", (measure_id, period)
            assert ("Value", period) not in points, (measure_id, period)
    # BF07's baseline period was itself withheld, so its baseline is too.
    assert "<strong>Baseline:</strong> [c] (2019/20 Q4)" in (out / "pages" / "measures" / "BF07.html").read_text(encoding="utf-8")


def test_navigation_comes_from_the_project_and_each_quarter(demo):
    out = demo["out"]
    for name, page in demo["pages"].items():
        names = tuple(posixpath.basename(target) for target in NAVBAR)
        nav = [a["href"] for tag, a in page.attrs if tag == "a" and a.get("href", "").endswith(names)]
        assert [posixpath.relpath(target, posixpath.dirname(name) or ".") for target in NAVBAR] == nav[1 : 1 + len(NAVBAR)], name
        current = [a["href"] for tag, a in page.attrs if tag == "a" and a.get("aria-current") == "page"]
        if name.startswith(tuple(f"reports/{q}/" for q in demo["quarters"])):
            assert current == [name.split("/")[2]], name  # its own entry in its quarter's menu
    title = '<p class="pm-quarter-nav-title" id="quarter-nav-title">{} report</p>'
    assert title.format("2021/22 Q1") in (out / "reports" / "2021-22-Q1" / "overview.html").read_text(encoding="utf-8")
    assert title.format("2021/22 Q2") in (out / "index.html").read_text(encoding="utf-8")


def test_charts_are_static_svg_with_an_offline_script_to_redraw_them(demo):
    out = demo["out"]
    assert (out / "assets" / "vega.js").read_text(encoding="utf-8") == vl_convert.javascript_bundle()
    plan = (out / "reports" / "2021-22-Q2" / "plan-brighter-futures.html").read_text(encoding="utf-8")
    figures = re.findall(r'<figure id="([^"]+)" class="pm-chart">(.*?)</figure>', plan, re.DOTALL)
    assert len(figures) >= 8
    for _, body in figures:
        assert "<svg" in body and 'class="pm-chart-description"' in body
        json.loads(re.search(r'class="pm-chart-spec">(.*?)</script>', body, re.DOTALL).group(1))
    assert plan.index('<script src="../../assets/vega.js"></script>') < plan.index('<script src="../../assets/charts.js"></script>')
    assert "<script src=" not in (out / "pages" / "archive.html").read_text(encoding="utf-8")  # pages without charts load no script


def test_unsupported_quarto_syntax_in_a_page_fails_the_render(demo, tmp_path):
    project = tmp_path / "project"
    project_copy(demo, project)
    (project / "pages" / "extra.qmd").write_text("---\ntitle: Extra\n---\n\nText.\n\n::: {.callout-note}\nA note.\n:::\n", encoding="utf-8")
    (project / "pages" / "raw.qmd").write_text("---\ntitle: Raw\n---\n\n<div>Raw HTML</div>\n", encoding="utf-8")
    # Not a website page: the project's render patterns leave pages/packs/ to the pack, so its shortcodes are no error here.
    (project / "pages" / "packs").mkdir()
    (project / "pages" / "packs" / "2021-22-Q2.qmd").write_text("---\ntitle: P\n---\n\n{{< embed x.ipynb#a >}}\n", encoding="utf-8")
    with pytest.raises(UnsupportedSyntaxError) as caught:
        render_site(Project(root=project, reports=ROOT / "reports"), demo["quarters"], out_dir=tmp_path / "out")
    found = {(Path(p.file).name, p.row, p.column) for p in caught.value.problems}
    assert found == {("extra.qmd", 7, "div or callout"), ("extra.qmd", 9, "div or callout"), ("raw.qmd", 5, "raw HTML")}
    assert not (tmp_path / "out").exists()


def test_a_link_to_no_page_fails_the_render(demo, tmp_path):
    project = tmp_path / "project"
    project_copy(demo, project)
    (project / "pages" / "extra.qmd").write_text("---\ntitle: Extra\n---\n\nSee [the plan](plan.qmd).\n", encoding="utf-8")
    with pytest.raises(SiteError, match=r"extra\.qmd:-: link: 'plan\.qmd' is not a page of the site"):
        render_site(Project(root=project, reports=ROOT / "reports"), demo["quarters"], out_dir=tmp_path / "out")


# --- a tiny council whose officer typed HTML into the commentary ---------------

SMALL_COUNTS = ("7.319", "8.647")
SMALL_DENOMINATOR = "98765"
ATTACK = '<script>alert("x")</script> Figures are *really* up.\n<img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, request):
    root = tmp_path_factory.mktemp("tiny")
    small = {"unit": "number", "decimals": "3", "disclosure_min": "10", "sdgs": "3"}
    ratio = {"unit": "percent", "aggregation": "ratio", "disclosure_min": "5", "sdgs": "3"}
    data = make_data(
        root / "data",
        [
            {"measure_id": "M1", "name": "Measure <b>one</b>", "sdgs": "3"},
            {"measure_id": "M2", "name": "Hidden measure", "public": "false", "sdgs": "3"},
            {"measure_id": "M3", "name": "Small count measure"} | small,
            {"measure_id": "M4", "name": "Small numerator measure"} | ratio,
        ],
        [{"measure_id": m, "period": p, "value": v} for m in ("M1", "M2") for p, v in (("2021/22 Q2", "70"), ("2021/22 Q3", "75"))]
        + [{"measure_id": "M3", "period": p, "value": v} for p, v in (("2021/22 Q2", SMALL_COUNTS[0]), ("2021/22 Q3", SMALL_COUNTS[1]))]
        + [
            {"measure_id": "M4", "period": p, "numerator": n, "denominator": SMALL_DENOMINATOR}
            for p, n in (("2021/22 Q2", "3"), ("2021/22 Q3", "4"))
        ],
        [{"measure_id": m, "year": "2021/22", "target": "80", "intervention": "60"} for m in ("M1", "M3")],
    )
    write_csv(
        data / "commentary.csv",
        [{"measure_id": "M1", "period": "2021/22 Q3", "commentary": ATTACK, "action": "<script>steal()</script>", "action_owner": "Me"}],
        ["measure_id", "period", "commentary", "action", "action_owner", "action_due"],
    )
    (root / "params").mkdir()
    (root / "params" / "2021-22-Q3.yml").write_text(
        "quarter: 2021/22 Q3\nmeeting_date: 2022-02-09\ndata_as_at: 2022-01-31\naudience: public\n", encoding="utf-8"
    )
    kernels = tempfile.mkdtemp(prefix="pmt-")
    patch = pytest.MonkeyPatch()
    patch.setenv("TMPDIR", kernels)
    patch.setattr(tempfile, "tempdir", None)
    patch.chdir(root)
    try:
        result = run_quarters(["2021-22-Q3"], Project(notebooks=ROOT / "notebooks"), jobs=2)
        assert result.ok, result.problems
        out, _ = build(root / "project", ["2021-22-Q3"], data=root / "data", params=root / "params", reports=root / "reports")
    finally:
        patch.undo()
        shutil.rmtree(kernels, ignore_errors=True)
    return out


def test_commentary_is_shown_as_text_on_every_page(tiny):
    pages = {p.relative_to(tiny).as_posix(): p.read_text(encoding="utf-8") for p in sorted(tiny.rglob("*.html"))}
    notebooks = {f"reports/2021-22-Q3/{name}.html" for name in ("overview", "plan-p1", "appendices")}
    measures = {"pages/measures/M1.html", "pages/measures/M3.html", "pages/measures/M4.html"}
    assert set(pages) == notebooks | measures | GENERATED_PAGES | {"pages/goals/3.html"}
    for name, text in pages.items():
        specs = re.findall(r'<script type="application/json" class="pm-chart-spec">(.*?)</script>', text, re.DOTALL)
        assert all("</" not in spec for spec in specs), name  # inert JSON: nothing in it can close the script element
        markup = re.sub(r'(<script type="application/json" class="pm-chart-spec">).*?(</script>)', r"\1\2", text, flags=re.DOTALL)
        assert "<script>alert" not in markup and "<script>steal" not in markup and "<img" not in markup and "<b>one" not in markup, name
        assert "Hidden measure" not in text and "M2.html" not in text, name
        assert Page(text).tags["h1"] == 1, name
    for name in ("reports/2021-22-Q3/plan-p1.html", "pages/measures/M1.html"):
        text = pages[name]
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text or '&lt;script&gt;alert("x")&lt;/script&gt;' in text, name
        assert "<em>really</em>" in text, name
    measure = pages["pages/measures/M1.html"]
    assert "<h1>Measure &lt;b&gt;one&lt;/b&gt;</h1>" in measure
    assert "&lt;script&gt;steal()&lt;/script&gt;" in measure and "&lt;img src=x onerror=alert(1)&gt;" in measure
    broken = check_links(tiny, {n: Page(t) for n, t in pages.items()})
    assert [b for b in broken if "packs/" not in b] == []  # render_site alone typesets no pack (pm build does)


def test_restricted_measures_and_small_counts_are_in_no_file_of_the_site(tiny):
    files = {p.relative_to(tiny).as_posix(): p for p in sorted(tiny.rglob("*")) if p.is_file() and p.name != "vega.js"}
    assert {"data/2021-22-Q3/measures.csv", "data/2021-22-Q3/datapackage.json"} <= set(files)
    rows = (tiny / "data" / "2021-22-Q3" / "measures.csv").read_text(encoding="utf-8").splitlines()
    assert [r.split(",")[0] for r in rows] == ["measure_id", "M1", "M3", "M4"]
    assert all(",[c]," in r for r in rows if r.startswith(("M3,", "M4,")))
    secrets = [*SMALL_COUNTS, SMALL_DENOMINATOR, "98,765", "Hidden measure", "M2.html", '"M2"', "\nM2,"]
    assert any(name.endswith(".pf_fragment") for name in files)  # the search index is read too
    for name, path in files.items():
        content = path.read_bytes()
        text = (gzip.decompress(content) if content[:2] == b"\x1f\x8b" else content).decode("utf-8", errors="replace")
        assert [s for s in secrets if s in text] == [], name


def test_commentary_cannot_make_headings_or_code_on_a_measure_page():
    text = user_markdown("Line one\n# Not a title\n  ## nor a section\nUnderlined\n===\n```\ncode\n```\n- a *list* item")
    rendered = render_markdown(text)
    assert "<h1" not in rendered and "<h2" not in rendered and "<pre" not in rendered
    assert "# Not a title" in rendered and "## nor a section" in rendered and "<li>a <em>list</em> item</li>" in rendered


def test_markdown_from_any_source_never_becomes_markup():
    # The notebooks and pages escape officers' text already; the converter refuses raw HTML as well.
    rendered = render_markdown('<script>alert(1)</script>\n\nA <b onclick="x()">bold</b> [link](javascript:alert(1)) claim.')
    assert rendered == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        "<p>A &lt;b onclick=&quot;x()&quot;&gt;bold&lt;/b&gt; [link](javascript:alert(1)) claim.</p>\n"
    )


def test_backticks_in_data_cannot_close_a_raw_html_block():
    from pmlib.rendering.pages import _raw

    html = "<table><tr><td>name with\n```\nfences</td></tr></table>"
    assert render_markdown(_raw(html)).count("<table>") == 1 and "<pre" not in render_markdown(_raw(html))


# --- the pages that explain the site -------------------------------------------


def test_the_open_data_page_links_every_quarters_files_and_lists_every_column(demo):
    page = demo["pages"]["pages/open-data.html"]
    hrefs = {a["href"] for tag, a in page.attrs if tag == "a"}
    assert {f"../data/{q}/{name}" for q in demo["quarters"] for name in OPEN_DATA_FILES} <= hrefs
    text = (demo["out"] / "pages" / "open-data.html").read_text(encoding="utf-8")
    package = json.loads((demo["out"] / "data" / LATEST / "datapackage.json").read_text(encoding="utf-8"))
    for field in package["resources"][0]["schema"]["fields"]:
        assert f">{field['name']}</td>" in text, field["name"]


def test_every_quarters_cabinet_pack_is_linked_from_the_archive_and_the_latest_from_the_home_page(demo):
    links = lambda page: {a["href"]: a for tag, a in demo["pages"][page].attrs if tag == "a"}  # noqa: E731
    assert {f"../packs/{q}.pdf" for q in demo["quarters"]} <= set(links("pages/archive.html"))
    assert f"packs/{LATEST}.pdf" in links("index.html")
    assert all((demo["out"] / "packs" / f"{q}.pdf").is_file() for q in demo["quarters"])


def test_a_measure_with_no_figure_for_the_quarter_says_so_where_the_figure_shown_is_named(demo):
    text = (demo["out"] / "pages" / "measures" / "MC05.html").read_text(encoding="utf-8")
    assert demo["report"].judged_by_measure.at["MC05", "status"] == "no_data"
    assert "None supplied for 2021/22 Q2" in text and "date supplied not recorded" not in text


def test_each_goal_page_lists_exactly_the_measures_aligned_to_it(demo):
    report = demo["report"]
    for goal, ids in measures_by_goal(report.measures, report.plans).items():
        page = demo["pages"][f"pages/goals/{goal}.html"]
        linked = sorted(
            a["href"].removeprefix("../measures/").removesuffix(".html") for tag, a in page.attrs if "/measures/" in a.get("href", "")
        )
        assert linked == sorted(ids), goal
    assert "Goal 11: Sustainable cities and communities" in (demo["out"] / "pages" / "goals.html").read_text(encoding="utf-8")


def test_the_methodology_and_accessibility_statement_follow_the_council_and_the_regulations(demo):
    method = (demo["out"] / "pages" / "methodology.html").read_text(encoding="utf-8")
    for label in pmlib.STATUS_LABELS.values():
        assert f">{label.symbol}</td>" in method and f">{label.word}</td>" in method
    assert "Plan, Measure, Review, Revise" in method and "<strong>intervention level</strong>" in method
    statement = (demo["out"] / "pages" / "accessibility.html").read_text(encoding="utf-8")
    for heading in ("How accessible this website is", "Feedback and contact information", "Enforcement procedure", "Compliance status"):
        assert f">{heading}</h" in statement
    assert 'href="https://www.bcpcouncil.gov.uk/"' in statement  # contact_url from data/council.yml
    footer_links = [a["href"] for tag, a in demo["pages"]["pages/measures/BF01.html"].attrs if tag == "a"]
    assert "../accessibility.html" in footer_links


def test_a_revised_figure_is_listed_on_its_measure_page(demo):
    report = demo["report"]
    revised = report.judged[report.judged["revised"]]["measure_id"]
    assert len(revised)
    text = (demo["out"] / "pages" / "measures" / f"{revised.iloc[0]}.html").read_text(encoding="utf-8")
    assert "-revisions" in text and "First supplied" in text and ">Revised</td>" in text
    untouched = (demo["out"] / "pages" / "measures" / "BF07.html").read_text(encoding="utf-8")
    assert "No figure for this measure has been revised." in untouched or "-revisions" in untouched
