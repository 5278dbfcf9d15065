"""The Atom feeds: one entry per built quarter, valid Atom by RFC 4287's own schema and prose, named by every page.

Each feed is checked with RFC 4287's RELAX NG schema (tests/fixtures/atom,
converted by rnc2rng, run by lxml), the Schematron rules written into that
schema, and the rules the RFC states only in prose: ids that are absolute
IRIs and unique, RFC 3339 dates with a time zone, one alternate link per
entry, an author for every entry. The fast tests write the demo's feeds from
its committed notebooks; the end-to-end ones read the built site, where every
page's head must name a feed that validates, and a browser follows the home
page's feed link as a resident subscribing would.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import jsonschema
import pytest
import rnc2rng
import yaml
from builders import make_data
from conftest import LATEST
from lxml import etree
from lxml.isoschematron import Schematron
from quarto import needs_quarto

from pmlib import load_data, quarter_report
from pmlib.contract.config import Council
from pmlib.contract.params_folder import params_files
from pmlib.project import Project
from pmlib.rendering.documents import read_quarter, render_markdown
from pmlib.rendering.feeds import (
    REPORTS_FEED,
    REPORTS_LINK_TITLE,
    Entry,
    Feed,
    FeedLink,
    atom,
    follow_section,
    page_feeds,
    plan_feed,
    plan_link_title,
    published_feeds,
    write_feeds,
)
from pmlib.rendering.project import SCHEMA_PATH, ProjectConfigError, read_project

ROOT = Path(__file__).parents[1]
DEMO = Project(root=ROOT, data=ROOT / "data", params=ROOT / "params", reports=ROOT / "reports")
RNC = Path(__file__).parent / "fixtures" / "atom" / "atom.rnc"
LUA = ROOT / "_extensions" / "pmlib-site" / "feed-links.lua"
ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM}
SCHEMATRON = "http://www.ascc.net/xml/schematron"
ISO_SCHEMATRON = "http://purl.oclc.org/dsdl/schematron"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# RFC 4151: tag:authorityName,date:specific, the authority a domain name or an email address.
TAG = re.compile(r"^tag:([a-z0-9.-]+\.[a-z]+|[^@\s,]+@[a-z0-9.-]+),\d{4}(-\d{2}(-\d{2})?)?:[A-Za-z0-9/._~%!$&'()*+,;=:@?-]*$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")

# The demo's params files, worked out by hand: each report's title and its meeting's date, as a UK
# midnight (BST, +01:00, from the last Sunday of March to the last Sunday of October).
DEMO_REPORTS = [
    ("2021-22-Q2", "2021/22 Q2: Half-Year Corporate Performance Report", "2021-11-10T00:00:00+00:00"),
    ("2021-22-Q1", "2021/22 Q1: Quarterly Corporate Performance Report", "2021-09-08T00:00:00+01:00"),
    ("2020-21-Q4", "2020/21 Q4: End-of-Year Corporate Performance Report", "2021-06-09T00:00:00+01:00"),
    ("2020-21-Q3", "2020/21 Q3: Quarterly Corporate Performance Report", "2021-02-10T00:00:00+00:00"),
    ("2020-21-Q2", "2020/21 Q2: Half-Year Corporate Performance Report", "2020-11-11T00:00:00+00:00"),
    ("2020-21-Q1", "2020/21 Q1: Quarterly Corporate Performance Report", "2020-09-09T00:00:00+01:00"),
]
DEMO_PLANS = [
    "brighter-futures",
    "connected-communities",
    "dynamic-places",
    "fulfilled-lives",
    "modern-accessible-and-accountable-council",
    "sustainable-environment",
]


# --- the validator -----------------------------------------------------------------------------


@functools.cache
def _schemas() -> tuple[etree.RelaxNG, list[Schematron]]:
    """RFC 4287's RELAX NG schema, and its Schematron rules as ISO Schematron, one pattern per rule (a rule fires once per pattern)."""
    # rnc2rng declares the empty "local" prefix, which XML namespaces forbid; nothing refers to it (local:* becomes nsName ns="").
    text = re.sub(r'\s+xmlns:local=""', "", rnc2rng.dumps(rnc2rng.load(str(RNC))))
    grammar = etree.fromstring(text.encode("utf-8"))
    rules = grammar.findall(f".//{{{SCHEMATRON}}}rule")
    assert len(rules) == 3, "RFC 4287's schema has three Schematron rules"
    checks = []
    for rule in rules:
        schema = etree.Element(f"{{{ISO_SCHEMATRON}}}schema", nsmap={"sch": ISO_SCHEMATRON})
        etree.SubElement(schema, f"{{{ISO_SCHEMATRON}}}ns", prefix="atom", uri=ATOM)
        pattern = etree.SubElement(schema, f"{{{ISO_SCHEMATRON}}}pattern")
        iso_rule = etree.SubElement(pattern, f"{{{ISO_SCHEMATRON}}}rule", context=rule.get("context"))
        for check in rule.findall(f"{{{SCHEMATRON}}}assert"):
            etree.SubElement(iso_rule, f"{{{ISO_SCHEMATRON}}}assert", test=check.get("test")).text = check.text
        checks.append(Schematron(schema))
    return etree.RelaxNG(grammar), checks


def _date_problems(where: str, element: etree._Element | None) -> list[str]:
    if element is None:
        return []
    text = element.text or ""
    if not RFC3339.match(text):
        return [f"{where}: {text!r} is not an RFC 3339 date-time with a time zone"]
    return []


def _stamp(element: etree._Element) -> dt.datetime:
    return dt.datetime.fromisoformat(element.text)


def atom_problems(data: bytes) -> list[str]:
    """Everything wrong with an Atom feed document: the RFC's schema, its Schematron rules, and its prose rules."""
    root = etree.fromstring(data)
    if root.tag != f"{{{ATOM}}}feed":
        return [f"the root is {root.tag}, not an atom:feed"]
    grammar, rules = _schemas()
    problems = [] if grammar.validate(root) else [f"RELAX NG: {e.message} (line {e.line})" for e in grammar.error_log]
    for rule in rules:
        if not rule.validate(root):
            problems += [f"Schematron: {e.message}" for e in rule.error_log]
    lang = root.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang or not LANGUAGE_TAG.match(lang):
        problems.append(f"xml:lang {lang!r}: the feed should say its language")
    ids = [root.findtext("a:id", namespaces=NS)] + [e.findtext("a:id", namespaces=NS) for e in root.findall("a:entry", NS)]
    for value in ids:
        if not value or not SCHEME.match(value):
            problems.append(f"id {value!r} is not an absolute IRI (RFC 4287 4.2.6)")
        elif value.startswith("tag:") and not TAG.match(value):
            problems.append(f"id {value!r} is not a tag: URI as RFC 4151 writes one")
    if len(set(ids)) != len(ids):
        problems.append("two ids are the same: a reader would take two entries for one")
    self_links = root.findall("a:link[@rel='self']", NS)
    if len(self_links) != 1:
        problems.append(f"{len(self_links)} rel=self links: a feed should give its own address once (RFC 4287 4.2.7.2)")
    updated = root.find("a:updated", NS)
    problems += _date_problems("feed updated", updated)
    newest = None
    for n, entry in enumerate(root.findall("a:entry", NS), 1):
        where = f"entry {n}"
        for name in ("updated", "published"):
            problems += _date_problems(f"{where} {name}", entry.find(f"a:{name}", NS))
        alternates = [link for link in entry.findall("a:link", NS) if link.get("rel", "alternate") == "alternate"]
        if len(alternates) != 1:
            problems.append(f"{where}: {len(alternates)} alternate links; a reader needs exactly one page to open")
        if not (entry.findtext("a:title", namespaces=NS) or "").strip() or not (entry.findtext("a:summary", namespaces=NS) or "").strip():
            problems.append(f"{where}: an empty title or summary")
        if not problems:
            stamp = _stamp(entry.find("a:updated", NS))
            newest = stamp if newest is None else max(newest, stamp)
            published = entry.find("a:published", NS)
            if published is not None and _stamp(published) > stamp:
                problems.append(f"{where}: published after it was last updated")
    if not problems and newest is not None and _stamp(updated) != newest:
        problems.append(f"feed updated {updated.text} is not its newest entry's {newest.isoformat()}")
    return problems


def entries(data: bytes) -> list[dict[str, str]]:
    """Each entry's id, title, dates, summary and link, in document order."""
    root = etree.fromstring(data)
    found = []
    for e in root.findall("a:entry", NS):
        fields = {name: e.findtext(f"a:{name}", namespaces=NS) for name in ("id", "title", "updated", "published", "summary")}
        found.append(fields | {"link": e.find("a:link", NS).get("href")})
    return found


def test_the_validator_finds_what_rfc_4287_forbids():
    good = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB"><id>tag:example.org,2021:f</id><title>F</title>'
        b"<updated>2021-01-01T00:00:00Z</updated><author><name>A</name></author><link rel='self' href='f.xml'/>"
        b"<entry><id>tag:example.org,2021:e</id><title>E</title><updated>2021-01-01T00:00:00Z</updated>"
        b"<summary>S</summary><link href='e.html'/></entry></feed>"
    )
    assert atom_problems(good) == []
    broken = {
        "RELAX NG": good.replace(b"<title>F</title>", b""),
        "author": good.replace(b"<author><name>A</name></author>", b""),
        "alternate": good.replace(b"<link href='e.html'/>", b""),
        "RFC 3339": good.replace(b"<updated>2021-01-01T00:00:00Z</updated><summary>", b"<updated>2021-01-01T00:00:00</updated><summary>"),
        "same": good.replace(b"2021:e<", b"2021:f<"),
        "absolute IRI": good.replace(b"tag:example.org,2021:e", b"e1"),
        "newest": good.replace(b"<updated>2021-01-01T00:00:00Z</updated><author>", b"<updated>2022-01-01T00:00:00Z</updated><author>"),
    }
    for word, data in broken.items():
        assert any(word in p for p in atom_problems(data)), word


# --- the demo's feeds, from its committed notebooks --------------------------------------------


@pytest.fixture(scope="module")
def demo_feeds(tmp_path_factory):
    """The demo's feeds for every quarter it has notebooks for, written twice into two folders."""
    quarters = list(params_files(DEMO.params))
    first, second = tmp_path_factory.mktemp("feeds-1"), tmp_path_factory.mktemp("feeds-2")
    written = write_feeds(DEMO, quarters, first)
    again = write_feeds(DEMO, quarters, second)
    return {"site": first, "written": written, "again": again, "second": second}


def test_one_feed_of_reports_and_one_per_delivery_plan(demo_feeds):
    site = demo_feeds["site"]
    expected = [site / REPORTS_FEED, *(site / plan_feed(p) for p in DEMO_PLANS)]
    assert demo_feeds["written"] == sorted(expected)
    assert plan_feed("dynamic-places") == "feeds/plan-dynamic-places.xml" and REPORTS_FEED == "feeds/reports.xml"


def test_every_feed_is_valid_atom(demo_feeds):
    for path in demo_feeds["written"]:
        assert atom_problems(path.read_bytes()) == [], path.name


def test_the_reports_feed_has_each_built_quarter_newest_first_dated_by_its_meeting(demo_feeds):
    data = (demo_feeds["site"] / REPORTS_FEED).read_bytes()
    found = entries(data)
    assert [(e["title"], e["updated"], e["published"]) for e in found] == [(t, d, d) for _, t, d in DEMO_REPORTS]
    assert [e["link"] for e in found] == [f"../reports/{slug}/overview.html" for slug, _, _ in DEMO_REPORTS]
    assert [e["id"] for e in found][:2] == [
        "tag:bcpcouncil.gov.uk,2021-11-10:performance/reports/2021-22-Q2",
        "tag:bcpcouncil.gov.uk,2021-09-08:performance/reports/2021-22-Q1",
    ]
    root = etree.fromstring(data)
    assert root.findtext("a:id", namespaces=NS) == "tag:bcpcouncil.gov.uk,2020-09-09:performance/reports"
    assert root.findtext("a:updated", namespaces=NS) == "2021-11-10T00:00:00+00:00"
    assert root.findtext("a:author/a:name", namespaces=NS) == "Bournemouth, Christchurch and Poole Council"
    assert root.findtext("a:title", namespaces=NS) == "Bournemouth, Christchurch and Poole Council: corporate performance reports"
    links = {link.get("rel"): link.get("href") for link in root.findall("a:link", NS)}
    assert links == {"alternate": "../index.html", "self": "reports.xml"}


def test_each_entrys_summary_is_its_reports_headline(demo_feeds):
    found = {e["id"].rsplit("/", 1)[1]: e["summary"] for e in entries((demo_feeds["site"] / REPORTS_FEED).read_bytes())}
    for slug in (LATEST, "2020-21-Q1"):
        assert found[slug] == quarter_report(slug, DEMO.data, DEMO.params).narrative()
    # From the demo's open data for 2021/22 Q2 (38 measures with a target: 24 on target, 9 below, 5 intervention).
    assert found[LATEST].startswith("24 of 38 measures with a target are on target, nine are below target and five need intervention: ")


def test_each_plans_feed_has_its_headline_each_quarter_linking_to_its_page(demo_feeds):
    data = (demo_feeds["site"] / plan_feed("sustainable-environment")).read_bytes()
    found = entries(data)
    assert [e["title"] for e in found] == [f"{t.split(':')[0]}: Sustainable Environment" for _, t, _ in DEMO_REPORTS]
    assert [e["link"] for e in found] == [f"../reports/{slug}/plan-sustainable-environment.html" for slug, _, _ in DEMO_REPORTS]
    # The plan's seven measures in pages/data/2021-22-Q2/measures.csv: five on target, one below target, one intervention.
    assert found[0]["summary"] == "Sustainable Environment: 7 measures: 5 on target, 1 below target, 1 intervention."
    assert found[0]["id"] == "tag:bcpcouncil.gov.uk,2021-11-10:performance/plans/sustainable-environment/2021-22-Q2"
    assert (
        etree.fromstring(data).findtext("a:id", namespaces=NS)
        == "tag:bcpcouncil.gov.uk,2020-09-09:performance/plans/sustainable-environment"
    )


def test_every_entry_links_to_a_page_the_site_publishes(demo_feeds):
    pages = {f"reports/{p.parent.name}/{p.stem}.html" for p in (ROOT / "reports").glob("*/*.ipynb")}
    for path in demo_feeds["written"]:
        for e in entries(path.read_bytes()):
            target = urljoin(path.relative_to(demo_feeds["site"]).as_posix(), e["link"])
            assert target in pages, (path.name, e["link"])


def test_the_restricted_measure_is_in_no_feed(demo_feeds):
    name = load_data(DEMO.data).measures.loc["MC09", "name"]
    for path in demo_feeds["written"]:
        text = path.read_text(encoding="utf-8")
        assert name not in text and "MC09" not in text, path.name


def test_the_feeds_are_the_same_bytes_every_time_and_never_dated_by_the_build(demo_feeds):
    for one, other in zip(demo_feeds["written"], demo_feeds["again"], strict=True):
        assert one.read_bytes() == other.read_bytes(), one.name
    meetings = {d for _, _, d in DEMO_REPORTS}
    for path in demo_feeds["written"]:
        text = path.read_text(encoding="utf-8")
        assert set(re.findall(r"\d{4}-\d{2}-\d{2}T[\d:+-]+", text)) <= meetings, path.name
        assert "feedgen" not in text and "<generator>pmlib</generator>" in text


# --- a small council: restricted measures, internal quarters, ids without a web address ---------


def _tiny(root: Path, council_extra: str = "", audience: dict[str, str] | None = None) -> Project:
    """One plan, a public and a restricted measure both needing intervention, two quarters; empty notebooks (only names are read)."""
    data = make_data(
        root / "data",
        [{"measure_id": "M1", "name": "Open measure"}, {"measure_id": "M2", "name": "Hidden measure", "public": "false"}],
        [
            {"measure_id": m, "period": p, "value": "50", "reported_on": on}
            for m in ("M1", "M2")
            for p, on in (("2021/22 Q2", "2021-10-10"), ("2021/22 Q3", "2022-01-10"))
        ],
        [{"measure_id": m, "year": "2021/22", "target": "80", "intervention": "60"} for m in ("M1", "M2")],
    )
    (data / "council.yml").write_text((data / "council.yml").read_text(encoding="utf-8") + council_extra, encoding="utf-8")
    dates = {"2021-22-Q2": ("2021/22 Q2", "2021-11-10", "2021-10-31"), "2021-22-Q3": ("2021/22 Q3", "2022-02-09", "2022-01-31")}
    for slug, (code, meeting, as_at) in dates.items():
        who = (audience or {}).get(slug, "public")
        params = f"quarter: {code}\nmeeting_date: {meeting}\ndata_as_at: {as_at}\naudience: {who}\n"
        (root / "params").mkdir(exist_ok=True)
        (root / "params" / f"{slug}.yml").write_text(params, encoding="utf-8")
        for name in ("overview", "plan-p1", "appendices"):
            (root / "reports" / slug).mkdir(parents=True, exist_ok=True)
            (root / "reports" / slug / f"{name}.ipynb").write_text("{}", encoding="utf-8")
    for name in ("_quarto.yml", "_quarto-website.yml"):
        shutil.copy(ROOT / name, root / name)
    return Project(root=root, data=data, params=root / "params", reports=root / "reports")


def test_a_restricted_measure_named_in_the_internal_headline_is_in_no_feed(tmp_path):
    project = _tiny(tmp_path / "p")
    internal = quarter_report("2021-22-Q3", project.data, project.params, "internal").narrative()
    assert "Hidden measure" in internal  # so the check below could fail
    written = write_feeds(project, [q for q in params_files(project.params)], tmp_path / "site")
    assert [p.name for p in written] == ["plan-p1.xml", "reports.xml"]
    for path in written:
        assert "Hidden measure" not in path.read_text(encoding="utf-8"), path.name
        assert atom_problems(path.read_bytes()) == [], path.name
    assert (
        "The only measure with a target needs intervention: Open measure."
        in entries((tmp_path / "site" / REPORTS_FEED).read_bytes())[0]["summary"]
    )
    plan = entries((tmp_path / "site" / plan_feed("p1")).read_bytes())
    assert plan[0]["summary"] == "Plan One: 1 measure: 1 intervention."


def test_an_internal_quarter_has_no_entry(tmp_path):
    project = _tiny(tmp_path / "p", audience={"2021-22-Q3": "internal"})
    write_feeds(project, list(params_files(project.params)), tmp_path / "site")
    for name in (REPORTS_FEED, plan_feed("p1")):
        assert [e["title"].split(":")[0] for e in entries((tmp_path / "site" / name).read_bytes())] == ["2021/22 Q2"], name


def test_ids_come_from_the_councils_domain_else_its_email_else_a_name_based_uuid(tmp_path):
    cases = {
        "contact_url: https://www.council.example/contact\n": "tag:council.example,2021-11-10:performance/reports/2021-22-Q2",
        "contact_email: performance@council.example\n": "tag:performance@council.example,2021-11-10:performance/reports/2021-22-Q2",
    }
    for n, (extra, expected) in enumerate(cases.items()):
        project = _tiny(tmp_path / f"p{n}", extra)
        write_feeds(project, list(params_files(project.params)), tmp_path / f"site{n}")
        data = (tmp_path / f"site{n}" / REPORTS_FEED).read_bytes()
        assert entries(data)[-1]["id"] == expected
        assert atom_problems(data) == []
    project = _tiny(tmp_path / "none")
    write_feeds(project, list(params_files(project.params)), tmp_path / "site-none")
    ids = [e["id"] for e in entries((tmp_path / "site-none" / REPORTS_FEED).read_bytes())]
    assert (
        all(re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", i) for i in ids)
        and len(set(ids)) == 2
    )


def test_with_a_site_url_links_are_absolute_and_ids_do_not_change(tmp_path):
    plain = _tiny(tmp_path / "plain", "contact_url: https://www.council.example/\n")
    write_feeds(plain, list(params_files(plain.params)), tmp_path / "site-plain")
    project = _tiny(tmp_path / "p", "contact_url: https://www.council.example/\n")
    website = yaml.safe_load((project.root / "_quarto-website.yml").read_text(encoding="utf-8"))
    website["website"]["site-url"] = "https://www.council.example/performance"
    (project.root / "_quarto-website.yml").write_text(yaml.safe_dump(website, sort_keys=False), encoding="utf-8")
    assert read_project(project.root, "website").website.site_url == "https://www.council.example/performance"
    write_feeds(project, list(params_files(project.params)), tmp_path / "site")
    data = (tmp_path / "site" / REPORTS_FEED).read_bytes()
    assert atom_problems(data) == []
    root = etree.fromstring(data)
    links = {link.get("rel"): link.get("href") for link in root.findall("a:link", NS)}
    assert links == {
        "alternate": "https://www.council.example/performance/index.html",
        "self": "https://www.council.example/performance/feeds/reports.xml",
    }
    assert [e["link"] for e in entries(data)] == [
        f"https://www.council.example/performance/reports/{s}/overview.html" for s in ("2021-22-Q3", "2021-22-Q2")
    ]
    assert [e["id"] for e in entries(data)] == [e["id"] for e in entries((tmp_path / "site-plain" / REPORTS_FEED).read_bytes())]


@pytest.mark.parametrize(
    "url", ["www.council.example", "ftp://council.example/", "https://council.example/a b", "https://council.example/?q=1"]
)
def test_the_project_refuses_a_site_url_that_is_not_a_web_address(tmp_path, url):
    for name in ("_quarto.yml", "_quarto-website.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    website = yaml.safe_load((tmp_path / "_quarto-website.yml").read_text(encoding="utf-8"))
    website["website"]["site-url"] = url
    (tmp_path / "_quarto-website.yml").write_text(yaml.safe_dump(website, sort_keys=False), encoding="utf-8")
    with pytest.raises(ProjectConfigError, match="site-url"):
        read_project(tmp_path, "website")
    schema = jsonschema.Draft202012Validator(yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert not schema.is_valid(website) and schema.is_valid({"website": {"site-url": "https://council.example/performance/"}})


# --- links to the feeds from the pages ---------------------------------------------------------


def test_every_page_names_the_reports_feed_and_a_plans_page_its_plans_too():
    reports = FeedLink("Every quarterly report (Atom feed)", "feeds/reports.xml")
    assert page_feeds("index.html", "Home") == [reports]
    assert page_feeds("reports/2021-22-Q2/overview.html", "Overview") == [reports]
    assert page_feeds("pages/measures/BF01.html", "x") == [reports]
    plan = FeedLink("Dynamic Places delivery plan (Atom feed)", "feeds/plan-dynamic-places.xml")
    assert page_feeds("reports/2021-22-Q2/plan-dynamic-places.html", "Dynamic Places") == [reports, plan]
    pages = ["index.html", "reports/2020-21-Q1/plan-b.html", "reports/2021-22-Q2/plan-a.html", "reports/2021-22-Q2/plan-b.html"]
    assert published_feeds(pages) == ["feeds/reports.xml", "feeds/plan-a.xml", "feeds/plan-b.xml"]


def test_quartos_filter_names_the_same_feeds_with_the_same_titles():
    lua = LUA.read_text(encoding="utf-8")
    assert f'REPORTS_TITLE = "{REPORTS_LINK_TITLE}"' in lua and f'REPORTS_FEED = "{REPORTS_FEED}"' in lua
    assert plan_link_title("X") == "X delivery plan (Atom feed)" and '" delivery plan (Atom feed)"' in lua
    assert '"feeds/plan-" .. plan .. ".xml"' in lua and plan_feed("x") == "feeds/plan-x.xml"
    extension = yaml.safe_load((LUA.parent / "_extension.yml").read_text(encoding="utf-8"))
    assert "feed-links.lua" in extension["contributes"]["filters"]


def test_the_home_pages_follow_section_links_each_feed_and_says_what_a_feed_is():
    documents = read_quarter(ROOT / "reports", next(q for q in params_files(DEMO.params) if q.slug == LATEST))
    text = follow_section(documents, ROOT / "index.qmd", ROOT)
    assert text.startswith("## Follow the reports\n\nA feed lets a feed reader tell you when a new report is published here")
    page = render_markdown(text, lambda href: href)
    assert "<h2>Follow the reports</h2>" in page
    links = [(href, html.unescape(words)) for href, words in re.findall(r'<a href="([^"]+)">([^<]+)</a>', page)]
    names = load_data(DEMO.data).plans["name"]
    plans = [(plan_feed(p), names[p]) for p in DEMO_PLANS]  # the quarter's menu order, which is by name
    assert links == [(REPORTS_FEED, "Every quarterly report"), *plans]
    assert ("feeds/plan-modern-accessible-and-accountable-council.xml", "Modern, Accessible and Accountable Council") in links


# --- the built site ----------------------------------------------------------------------------


class _Head(HTMLParser):
    """The feed links in a page's head, and every link's href in its body."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.feeds: list[tuple[str, str]] = []
        self.anchors: list[tuple[str, str]] = []
        self._in_head, self._anchor = False, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "head":
            self._in_head = True
        if tag == "link" and a.get("rel") == "alternate" and a.get("type") == "application/atom+xml":
            assert self._in_head, "a feed link outside <head>"
            self.feeds.append((a.get("title", ""), a["href"]))
        if tag == "a" and "href" in a:
            self._anchor = [a["href"], ""]

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        if tag == "a" and self._anchor:
            self.anchors.append((self._anchor[0], self._anchor[1].strip()))
            self._anchor = None

    def handle_data(self, data):
        if self._anchor:
            self._anchor[1] += data


def site_feed_links(site: Path) -> dict[str, list[tuple[str, str]]]:
    """Every page's feed links, each href resolved to a site path."""
    found = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith("site_libs/"):
            continue
        head = _Head(path.read_text(encoding="utf-8"))
        found[rel] = [(title, urljoin(rel, unquote(href))) for title, href in head.feeds]
    return found


def check_site_feeds(site: Path) -> None:
    """Every page's head names the reports' feed (a plan's page its plan's too), each a file of the site that is valid Atom."""
    links = site_feed_links(site)
    assert len(links) > 100
    for rel, feeds in links.items():
        plan = re.fullmatch(r"reports/[^/]+/plan-(.+)\.html", rel)
        expected = [REPORTS_FEED] + ([plan_feed(plan.group(1))] if plan else [])
        assert [path for _, path in feeds] == expected, rel
        assert feeds[0][0] == REPORTS_LINK_TITLE and all(title.endswith("(Atom feed)") for title, _ in feeds), rel
    files = {path for feeds in links.values() for _, path in feeds}
    assert len(files) == 1 + len(DEMO_PLANS)
    for path in sorted(files):
        assert (site / path).is_file(), path
        assert atom_problems((site / path).read_bytes()) == [], path
        for e in entries((site / path).read_bytes()):
            assert (site / urljoin(path, e["link"])).is_file(), (path, e["link"])
    home = _Head((site / "index.html").read_text(encoding="utf-8"))
    followed = {urljoin("index.html", href) for href, _ in home.anchors if "feeds/" in href}
    assert followed == files


@pytest.mark.e2e
def test_every_page_of_the_built_site_names_feeds_that_validate(built_site):
    check_site_feeds(built_site[1])


@pytest.mark.e2e
def test_a_browser_subscribes_from_the_home_page(site_url):
    """As a resident does: open the home page, find the feed in "Follow the reports" and in the head, and fetch it."""
    from browser import CHROMIUM_FLAGS, chromium_path
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            tab = browser.new_page()
            assert tab.goto(site_url + "index.html").status == 200
            section = tab.locator("h2", has_text="Follow the reports")
            assert section.count() == 1
            link = tab.get_by_role("link", name="Every quarterly report", exact=True)
            href = link.get_attribute("href")
            discovered = tab.eval_on_selector('link[rel="alternate"][type="application/atom+xml"]', "e => e.href")
            assert urljoin(site_url + "index.html", href) == discovered == site_url + REPORTS_FEED
            response = tab.request.get(discovered)
            assert response.status == 200
            data = response.body()
        finally:
            browser.close()
    assert atom_problems(data) == []
    found = entries(data)
    assert found[0]["title"] == DEMO_REPORTS[0][1]
    first_page = urljoin(discovered, found[0]["link"])
    assert urlsplit(first_page).path == f"/reports/{LATEST}/overview.html"


@needs_quarto
def test_quartos_pages_name_the_same_feeds_and_publish_the_same_files(quarto_built_site, built_site):
    """feed-links.lua gives each of Quarto's pages the head links the built-in renderer writes, and the post-render step the same feeds."""
    quarto_site = quarto_built_site
    check_site_feeds(quarto_site[1])
    assert site_feed_links(quarto_site[1]) == site_feed_links(built_site[1])
    feeds = sorted(p.relative_to(built_site[1]).as_posix() for p in (built_site[1] / "feeds").glob("*.xml"))
    assert feeds and all((quarto_site[1] / f).read_bytes() == (built_site[1] / f).read_bytes() for f in feeds)


def test_characters_xml_cannot_hold_become_spaces_rather_than_stop_the_build():
    council = Council(name="Test\x0bCouncil", short_name="Test", contact_url="https://council.example/")
    when = dt.datetime(2021, 11, 10, tzinfo=dt.UTC)
    entry = Entry(
        "tag:council.example,2021-11-10:e", "2021/22 Q2: Plan\x0cOne", when, "Figures \x01up.", "reports/2021-22-Q2/overview.html"
    )
    data = atom(Feed(REPORTS_FEED, "Reports", "Sub", "tag:council.example,2021-11-10:f", (entry,)), council, "en-GB")
    assert atom_problems(data) == []
    assert entries(data)[0]["title"] == "2021/22 Q2: Plan One" and entries(data)[0]["summary"] == "Figures  up."
    assert b"<name>Test Council</name>" in data
