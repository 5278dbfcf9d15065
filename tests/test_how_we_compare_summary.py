"""How we compare, as the overview, the appendices and the open data show it: worked by hand on one small council.

The council reports seven public measures and a restricted one, quarterly,
for 2020/21 Q1 and Q2; the 2020/21 Q2 report compares its Q2 figures (Q1
where that is the latest a group has) with a region of six areas, its four
nearest neighbours (the smaller group, so the "neighbours") and England.
Every expected figure, place and word below was worked out on paper from the
contract's rules. A copy of the folder without comparator files shows that
nothing about comparisons appears then.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import pytest
from builders import PARAMS, QUARTERS, REPORTED, make_data, write_csv

from pmlib import quarter_report
from pmlib.rendering.data_pages import open_data_files, open_data_page
from pmlib.views.comparison_summary import ordinal, rank_words
from pmlib.views.open_data import COMPARISON_COLUMNS, OPEN_DATA_FILES, write_open_data

ENGLAND = "E92000001"
NEAR = [f"E0600000{i}" for i in range(1, 5)]
REGION = [*NEAR, "E06000005", "E06000006"]
PUBLISHED = "2020-10-20"

# measure: (name, overrides, council's Q1 and Q2 figures, nearest neighbours' Q2 figures, England by period)
MEASURES = {
    "A": ("Alpha", {}, (48, 50), (60, 55, 40, 30), {"2020/21 Q1": 45}),
    "B": ("Beta <b>tied</b>", {}, (50, 50), (60, 50, 40, 30), {"2020/21 Q2": 55}),
    "C": ("Gamma", {"polarity": "lower"}, (20, 20), (30, 40, 50, 60), {"2020/21 Q2": 25}),
    "D": ("Delta", {"unit": "number", "aggregation": "sum", "decimals": "0", "disclosure_min": "5"}, (3, 3), (10, 20, 30, 40), {}),
    "E": ("Epsilon", {}, (50, 50), (), {"2020/21 Q2": 40}),
    "F": ("Zeta", {}, (10, 10), (20, 30, 40, 50), {}),
    "G": ("Context", {"polarity": "none"}, (50, 50), (40, 45, 70, 80), {}),
    "S": ("Secret", {"public": "false"}, (90, 90), (10, 20, 30, 40), {}),
}
ENGLAND_D = {"2020/21 Q2": 100}


def _groups() -> list[dict]:
    names = {"E06000003": ""}  # a member published without a name: shown by its code
    rows = [{"group_id": "region", "name": "South <i>West</i>", "area_code": a, "area_name": names.get(a, f"Area {a[-1]}")} for a in REGION]
    rows += [{"group_id": "nearest", "name": "CIPFA nearest neighbours (2019)", "area_code": a, "area_name": f"Area {a[-1]}"} for a in NEAR]
    return [*rows, {"group_id": "england", "name": "England", "area_code": ENGLAND, "area_name": "England"}]


def _comparators() -> list[dict]:
    rows = []
    for measure_id, (_, _, _, near, england) in MEASURES.items():
        for i, (area, value) in enumerate(zip(NEAR, near, strict=False)):
            reported = "2020-10-25" if (measure_id, i) == ("A", 3) else PUBLISHED
            rows.append({"measure_id": measure_id, "period": "2020/21 Q2", "area_code": area, "value": value, "reported_on": reported})
        for period, value in (england | (ENGLAND_D if measure_id == "D" else {})).items():
            rows.append({"measure_id": measure_id, "period": period, "area_code": ENGLAND, "value": value, "source": "ONS"})
    rows += [{"measure_id": "A", "period": "2020/21 Q2", "area_code": a, "value": v} for a, v in (("E06000005", 70), ("E06000006", 65))]
    defaults = {"source": "LG Inform", "reported_on": PUBLISHED}
    return [defaults | r for r in rows]


def _folder(root: Path, *, comparators: bool) -> tuple[Path, Path]:
    measures = [{"measure_id": m, "name": name, "decimals": "1"} | extra for m, (name, extra, _, _, _) in MEASURES.items()]
    observations = [
        {"measure_id": m, "period": f"2020/21 Q{n}", "value": value, "reported_on": REPORTED[n]}
        for m, (_, _, ours, _, _) in MEASURES.items()
        for n, value in enumerate(ours, 1)
    ]
    data = make_data(root / "data", measures, observations, [{"measure_id": "A", "year": "2020/21", "target": "55"}])
    with (data / "council.yml").open("a", encoding="utf-8") as f:
        f.write("area_code: E06000099\n")
    if comparators:
        write_csv(data / "comparator_groups.csv", _groups())
        columns = ["measure_id", "period", "area_code", "value", "numerator", "denominator", "source", "reported_on"]
        write_csv(data / "comparators" / "published.csv", _comparators(), columns)
    params = root / "params"
    params.mkdir()
    for slug, q, meet, asat in QUARTERS:
        (params / f"{slug}.yml").write_text(PARAMS.format(q=q, meet=meet, asat=asat), encoding="utf-8")
    return data, params


@pytest.fixture
def compared(tmp_path):
    return _folder(tmp_path / "with", comparators=True)


@pytest.fixture
def plain(tmp_path):
    return _folder(tmp_path / "without", comparators=False)


def _plain(prose) -> str:
    """Markdown made by ``literal_markdown`` as a reader sees it."""
    return html.unescape(re.sub(r"\\(.)", r"\1", prose.markdown))


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- words for a place ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"), (112, "112th")]
)
def test_ordinals(n, text):
    assert ordinal(n) == text


@pytest.mark.parametrize(
    ("rank", "tied", "of", "words"),
    [
        (4, False, 11, "4th best of 11"),
        (3, True, 11, "=3rd best of 11"),
        (1, False, 11, "best of 11"),
        (1, True, 11, "joint best of 11"),
        (11, False, 11, "worst of 11"),
        (2, False, 2, "worst of 2"),
    ],
)
def test_rank_words(rank, tied, of, words):
    assert rank_words(rank, tied, of) == words


# --- the overview --------------------------------------------------------------------------

PUBLIC_TABLE = [
    ["Alpha", "2020/21 Q2", "50.0%", "3rd best of 5 (third quartile)", "47.5%", "45.0% (2020/21 Q1)", "Better"],
    ["Beta <b>tied</b>", "2020/21 Q2", "50.0%", "=2nd best of 5 (second quartile)", "45.0%", "55.0%", "Worse"],
    ["Gamma", "2020/21 Q2", "20.0%", "best of 5 (best quartile)", "45.0%", "25.0%", "Better"],
    ["Delta", "2020/21 Q2", "[c]", "[c]", "25", "100", "[c]"],
    ["Epsilon", "2020/21 Q2", "50.0%", "[x]", "[x]", "40.0%", "Better"],
    ["Zeta", "2020/21 Q2", "10.0%", "worst of 5 (worst quartile)", "35.0%", "[x]", "[x]"],
    ["Context", "2020/21 Q2", "50.0%", "Not ranked", "57.5%", "[x]", "[x]"],
]


def test_the_overview_says_how_the_council_compares_in_a_paragraph_and_a_table(compared):
    heading, paragraph, table = quarter_report("2020-21-Q2", *compared).how_we_compare_section()
    assert heading.markdown == "## How we compare"
    assert _plain(paragraph) == (
        "Of the seven measures with published comparisons, one is in the best quartile of their neighbours and one in the worst; "
        "three are better than England. Neighbours are CIPFA nearest neighbours (2019); a place ranks Test among the neighbours "
        "with a figure, best first, and equal figures share a place (=3rd)."
    )
    assert "\\(2019\\)" in paragraph.markdown  # council text is data: literal_markdown
    assert table.title == "Compared with CIPFA nearest neighbours (2019) and England, 2020/21 Q2"
    assert list(table.frame.columns) == [
        "Measure",
        "Period",
        "Value",
        "Place among neighbours",
        "Neighbours' median",
        "England",
        "Compared with England",
    ]
    assert table.frame.to_numpy().tolist() == PUBLIC_TABLE
    assert "Secret" not in table.html and "Beta &lt;b&gt;tied&lt;/b&gt;" in table.html
    assert '<caption class="gt_caption"' in table.html and 'scope="col"' in table.html


def test_the_internal_report_counts_the_restricted_measure(compared):
    _, paragraph, table = quarter_report("2020-21-Q2", *compared, audience="internal").how_we_compare_section()
    assert _plain(paragraph).startswith("Of the eight measures with published comparisons, two are in the best quartile")
    assert table.frame.to_numpy().tolist()[-1] == ["Secret", "2020/21 Q2", "90.0%", "best of 5 (best quartile)", "25.0%", "[x]", "[x]"]


def test_a_measure_compared_only_with_england_has_no_neighbours_columns(tmp_path, compared):
    data, params = compared
    rows = [r for r in _comparators() if r["area_code"] == ENGLAND and r["measure_id"] == "E"]
    write_csv(data / "comparators" / "published.csv", rows, list(_comparators()[0]))
    heading, paragraph, table = quarter_report("2020-21-Q2", data, params).how_we_compare_section()
    assert _plain(paragraph) == "One measure has published comparisons: it is better than England."
    assert table.title == "Compared with England, 2020/21 Q2"
    assert table.frame.to_numpy().tolist() == [["Epsilon", "2020/21 Q2", "50.0%", "40.0%", "Better"]]


def test_several_neighbour_groups_are_named_in_a_column(compared):
    data, params = compared
    rows = [r for r in _comparators() if not (r["measure_id"] == "A" and r["area_code"] in NEAR)]  # A: only the region's two others
    write_csv(data / "comparators" / "published.csv", rows, list(_comparators()[0]))
    _, paragraph, table = quarter_report("2020-21-Q2", data, params).how_we_compare_section()
    assert _plain(paragraph).startswith(
        "Of the seven measures with published comparisons, one is in the best quartile of their neighbours and two in the worst; "
        "three are better than England. A measure's neighbours are the smallest group of areas it is compared with;"
    )
    assert table.title == "Compared with neighbouring areas and England, 2020/21 Q2"
    assert list(table.frame.columns)[3:6] == ["Neighbours", "Place among neighbours", "Neighbours' median"]
    nearest = "CIPFA nearest neighbours (2019)"
    assert table.frame["Neighbours"].tolist() == ["South <i>West</i>", nearest, nearest, nearest, "[x]", nearest, nearest]
    assert table.frame.iloc[0].tolist()[3:6] == ["South <i>West</i>", "worst of 3 (worst quartile)", "67.5%"]
    assert "South &lt;i&gt;West&lt;/i&gt;" in table.html


def test_without_englands_figures_the_summary_sets_measures_against_the_reference_it_has(compared):
    data, params = compared
    write_csv(data / "comparator_groups.csv", [*_groups(), {"group_id": "sw", "name": "South West", "area_code": "E12000009"}])
    rows = [r for r in _comparators() if r["area_code"] != ENGLAND]
    rows.append({"measure_id": "E", "period": "2020/21 Q2", "area_code": "E12000009", "value": 60, "reported_on": PUBLISHED})
    write_csv(data / "comparators" / "published.csv", rows, list(_comparators()[0]))
    _, paragraph, table = quarter_report("2020-21-Q2", data, params).how_we_compare_section()
    assert _plain(paragraph).startswith("Of the seven measures with published comparisons, one is in the best quartile")
    assert "; none is better than South West." in _plain(paragraph)
    assert list(table.frame.columns)[-2:] == ["South West", "Compared with South West"]
    assert table.frame.loc[table.frame["Measure"] == "Epsilon"].to_numpy().tolist() == [
        ["Epsilon", "2020/21 Q2", "50.0%", "[x]", "[x]", "60.0%", "Worse"]
    ]


# --- the appendix --------------------------------------------------------------------------


LG_INFORM = ["LG Inform", "2020/21 Q2", "20 Oct 2020", "South <i>West</i>; CIPFA nearest neighbours (2019)"]
ONS = ["ONS", "2020/21 Q2", "20 Oct 2020", "England"]


def test_the_appendix_lists_each_group_and_each_measures_sources(compared):
    appendices = quarter_report("2020-21-Q2", *compared).appendices()
    assert appendices.heading().markdown.endswith(
        "C: data quality notes and revisions. D: the groups of areas compared with, and where their figures come from."
    )
    heading, groups, sources = appendices.comparators_section()
    assert heading.markdown.startswith("## Appendix D: comparator sources and groups\n\nThe groups of areas Test is compared with")
    assert heading.markdown.endswith("as they stood on 31 October 2020.")
    assert groups.frame.to_numpy().tolist() == [
        [
            "South <i>West</i>",
            6,
            "Area 1 (E06000001), Area 2 (E06000002), E06000003, Area 4 (E06000004), Area 5 (E06000005), Area 6 (E06000006)",
        ],
        ["CIPFA nearest neighbours (2019)", 4, "Area 1 (E06000001), Area 2 (E06000002), Area 3 (E06000003), Area 4 (E06000004)"],
        ["England", 1, "England (E92000001)"],
    ]
    assert "South &lt;i&gt;West&lt;/i&gt;" in groups.html
    rows = sources.frame.to_numpy().tolist()
    both = "South <i>West</i>; CIPFA nearest neighbours (2019)"  # the same source, period and dates: one row
    assert list(sources.frame.columns) == ["Measure", "Source", "Period", "Published or downloaded", "Compared with"]
    assert rows[:2] == [
        ["Alpha", "LG Inform", "2020/21 Q2", "20 Oct 2020 to 25 Oct 2020", both],
        ["Alpha", "ONS", "2020/21 Q1", "20 Oct 2020", "England"],
    ]
    assert rows[2:] == [
        *[[m, *source] for m in ("Beta <b>tied</b>", "Gamma", "Delta") for source in (LG_INFORM, ONS)],
        ["Epsilon", *ONS],
        *[[m, *LG_INFORM] for m in ("Zeta", "Context")],
    ]
    internal = quarter_report("2020-21-Q2", *compared, audience="internal").appendices().comparators_section()[2]
    assert internal.frame["Measure"].iloc[-1] == "Secret"


# --- open data -----------------------------------------------------------------------------

COMPARISONS_CSV = """\
measure_id,group_id,group_name,period,value,rank,of,quartile,group_median,reference_value,comparison
A,region,South <i>West</i>,2020/21 Q2,50.0,5,7,3,57.5,,worse
A,nearest,CIPFA nearest neighbours (2019),2020/21 Q2,50.0,3,5,3,47.5,,better
A,england,England,2020/21 Q1,48.0,,,,,45.0,better
B,region,South <i>West</i>,2020/21 Q2,50.0,2,5,2,45.0,,better
B,nearest,CIPFA nearest neighbours (2019),2020/21 Q2,50.0,2,5,2,45.0,,better
B,england,England,2020/21 Q2,50.0,,,,,55.0,worse
C,region,South <i>West</i>,2020/21 Q2,20.0,1,5,1,45.0,,better
C,nearest,CIPFA nearest neighbours (2019),2020/21 Q2,20.0,1,5,1,45.0,,better
C,england,England,2020/21 Q2,20.0,,,,,25.0,better
D,region,South <i>West</i>,2020/21 Q2,[c],[c],5,[c],25,,[c]
D,nearest,CIPFA nearest neighbours (2019),2020/21 Q2,[c],[c],5,[c],25,,[c]
D,england,England,2020/21 Q2,[c],,,,,100,[c]
E,england,England,2020/21 Q2,50.0,,,,,40.0,better
F,region,South <i>West</i>,2020/21 Q2,10.0,5,5,4,35.0,,worse
F,nearest,CIPFA nearest neighbours (2019),2020/21 Q2,10.0,5,5,4,35.0,,worse
G,region,South <i>West</i>,2020/21 Q2,50.0,,5,,57.5,,below
G,nearest,CIPFA nearest neighbours (2019),2020/21 Q2,50.0,,5,,57.5,,below
"""


def test_comparisons_csv_has_the_contracts_columns_and_the_published_values(compared, tmp_path):
    paths = write_open_data(quarter_report("2020-21-Q2", *compared), tmp_path / "open")
    assert [p.name for p in paths] == list(OPEN_DATA_FILES) == ["measures.csv", "changes.csv", "comparisons.csv", "datapackage.json"]
    assert paths[2].read_text(encoding="utf-8") == COMPARISONS_CSV  # no S: restricted; rank 2 for B's tie
    package = json.loads(paths[3].read_text(encoding="utf-8"))
    resource = package["resources"][2]
    assert (resource["name"], resource["path"]) == ("comparisons", "comparisons.csv")
    assert [f["name"] for f in resource["schema"]["fields"]] == [c for c, _, _ in COMPARISON_COLUMNS] == list(_rows(paths[2])[0])
    assert resource["schema"]["primaryKey"] == ["measure_id", "group_id"] and resource["schema"]["missingValues"] == ["", "[c]"]
    assert {f["name"]: f["type"] for f in resource["schema"]["fields"]}["rank"] == "integer"


def test_the_data_package_with_comparisons_passes_frictionless_validate(compared, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    paths = write_open_data(quarter_report("2020-21-Q2", *compared), tmp_path / "open")
    report = frictionless.validate(paths[-1])
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert [task.name for task in report.tasks] == ["measures", "changes", "comparisons"]


def test_the_open_data_page_lists_comparisons_csv_only_where_there_is_one(compared, plain, tmp_path):
    from pmlib.contract.config import read_report_params
    from pmlib.contract.params_folder import params_files

    files, params = {}, {}
    for name, (data, folder) in (("with", compared), ("without", plain)):
        q, path = list(params_files(folder).items())[1]
        pages = tmp_path / name / "pages"
        written = write_open_data(quarter_report(read_report_params(path), data, folder), pages / "data" / q.slug)
        params[name], files[name] = {q: read_report_params(path)}, {q: written}
        assert list(open_data_files(pages, [q])) == written
    page = {name: open_data_page(params[name], files[name], tmp_path / "page.qmd", tmp_path, "Test") for name in files}
    assert "comparisons.csv" in page["with"] and "(17 comparisons)" in page["with"] and "Columns of comparisons.csv" in page["with"]
    assert "compar" not in page["without"].lower()


# --- nothing without comparator files -------------------------------------------------------------


def test_without_comparator_files_nothing_about_comparisons_appears(compared, plain, tmp_path):
    without = quarter_report("2020-21-Q2", *plain)
    assert without.comparisons.empty and without.how_we_compare_section() == ()
    appendices = without.appendices()
    assert appendices.comparators_section() == ()
    assert appendices.heading().markdown == (
        "# Appendices: 2020/21 Q2\n\nA: the definition, baseline, target and source of every measure in this report. "
        "B: the symbols and the rules that decide each status. C: data quality notes and revisions."
    )
    paths = write_open_data(without, tmp_path / "plain")
    assert [p.name for p in paths] == ["measures.csv", "changes.csv", "datapackage.json"]
    assert sorted(p.name for p in (tmp_path / "plain").iterdir()) == ["changes.csv", "datapackage.json", "measures.csv"]
    package = json.loads(paths[-1].read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == ["measures", "changes"]
    assert all(r["schema"]["missingValues"] == [""] for r in package["resources"])
    # The other files are the same bytes whether or not the council has comparators.
    others = write_open_data(quarter_report("2020-21-Q2", *compared), tmp_path / "compared")
    assert [p.read_bytes() for p in paths[:2]] == [p.read_bytes() for p in others[:2]]
    shutil.rmtree(tmp_path / "compared")


def test_a_quarter_before_any_comparator_was_published_shows_nothing(compared, tmp_path):
    q1 = quarter_report("2020-21-Q1", *compared)  # figures as at 31 July 2020; every comparator is from October
    assert q1.comparisons.empty and q1.how_we_compare_section() == () and q1.appendices().comparators_section() == ()
    assert "comparisons.csv" not in [p.name for p in write_open_data(q1, tmp_path)]
