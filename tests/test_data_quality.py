"""The data quality report: one small council with one of each thing a performance officer looks for before sign-off."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from builders import make_data
from click.testing import CliRunner
from openpyxl import load_workbook

from pmlib import load_data
from pmlib.cli import main
from pmlib.intake.data_quality import data_quality, quality_page
from pmlib.intake.returns import FIRST_ROW, LETTERS, RETURN_SHEET, write_returns

MONTHS = [f"{y}-{m:02d}" for y, m in [(2020, m) for m in range(4, 13)] + [(2021, m) for m in range(1, 10)]]
STEADY = [50, 52, 49, 51, 50, 53, 48, 50, 51, 52, 49, 50, 51, 50, 52]  # 2020-04 .. 2021-06


def figures(measure_id: str, values, **extra) -> list[dict]:
    return [
        {"measure_id": measure_id, "period": p, "value": str(v), "reported_on": "2021-10-05"} | extra
        for p, v in zip(MONTHS, values, strict=False)
    ]


@pytest.fixture
def council(tmp_path):
    monthly = {"frequency": "monthly", "aggregation": "mean"}
    data = make_data(
        tmp_path / "data",
        [
            {"measure_id": "OUT", "name": "Outlier", "owner": "Team A"} | monthly,
            {"measure_id": "UNIT", "name": "Fraction typed", "owner": "Team A"} | monthly,
            {"measure_id": "GONE", "name": "Not sent", "owner": "Team B"} | monthly,
            {
                "measure_id": "RATE",
                "name": "Rate",
                "owner": "Team C",
                "unit": "rate_per_1000",
                "aggregation": "ratio",
                "frequency": "quarterly",
            },
            {"measure_id": "PROV", "name": "Provisional", "owner": "Team C"},
        ],
        figures("OUT", STEADY + [50, 51, 95])
        + figures("UNIT", STEADY + [50, 0.51, 52])
        + figures("GONE", STEADY)
        + [
            {"measure_id": "RATE", "period": "2021/22 Q2", "numerator": "1200", "denominator": "1000", "reported_on": "2021-10-05"},
            {"measure_id": "PROV", "period": "2021/22 Q2", "value": "70", "quality": "provisional", "note": "Not yet audited."}
            | {"reported_on": "2021-10-06"},
            {"measure_id": "PROV", "period": "2021/22 Q1", "value": "60", "reported_on": "2021-07-20"},
            {"measure_id": "PROV", "period": "2021/22 Q1", "value": "64", "reported_on": "2021-09-01"},
            {"measure_id": "PROV", "period": "2021/22 Q3", "value": "1", "reported_on": "2021-11-20"},
        ],
    )
    params = tmp_path / "params"
    params.mkdir()
    (params / "2021-22-Q1.yml").write_text("quarter: 2021/22 Q1\nmeeting_date: 2021-09-08\ndata_as_at: 2021-07-31\n", encoding="utf-8")
    (params / "2021-22-Q2.yml").write_text("quarter: 2021/22 Q2\nmeeting_date: 2021-11-10\ndata_as_at: 2021-10-31\n", encoding="utf-8")
    return data, params


def rows(found, key: str) -> list[dict]:
    return found.section(key).table.to_dict("records")


def test_each_finding_is_reported_once_under_its_own_heading(council):
    data_dir, params = council
    found = data_quality(load_data(data_dir), "2021-22-Q2", params)
    assert [(r["owner"], r["state"]) for r in rows(found, "returns")] == [
        ("Team B", "not received"),
        ("Team A", "complete"),
        ("Team C", "complete"),
    ]
    assert [(r["measure"], r["period"]) for r in rows(found, "missing")] == [("GONE Not sent", f"2021-0{m}") for m in (7, 8, 9)]
    assert [(r["measure"], r["period"]) for r in rows(found, "outliers")] == [("OUT Outlier", "2021-09")]
    assert [(r["measure"], r["period"], r["value"]) for r in rows(found, "units")] == [("UNIT Fraction typed", "2021-08", "0.5%")]
    assert "fraction typed for a percent" in rows(found, "units")[0]["why"]
    assert [(r["measure"], r["numerator"], r["denominator"]) for r in rows(found, "ratios")] == [("RATE Rate", "1200", "1000")]
    assert [(r["measure"], r["quality"], r["note"]) for r in rows(found, "quality")] == [
        ("PROV Provisional", "provisional", "Not yet audited.")
    ]
    assert [(r["measure"], r["was"], r["now"]) for r in rows(found, "revisions")] == [("PROV Provisional", "60.0%", "64.0%")]
    assert rows(found, "late") == []


def test_only_a_percent_or_a_rate_is_listed_for_a_numerator_above_its_denominator(tmp_path):
    """An average given as a ratio (days to decide a claim: total days over claims) has the larger numerator by design."""
    ratio = {"aggregation": "ratio", "frequency": "quarterly", "owner": "Team A"}
    data = make_data(
        tmp_path / "data",
        [
            {"measure_id": "DAYS", "name": "Days per claim", "unit": "days"} | ratio,
            {"measure_id": "RATE", "name": "Rate", "unit": "rate_per_1000"} | ratio,
        ],
        [
            {"measure_id": m, "period": "2021/22 Q2", "numerator": n, "denominator": d, "reported_on": "2021-10-05"}
            for m, n, d in (("DAYS", "600", "30"), ("RATE", "1200", "1000"))
        ],
    )
    found = data_quality(load_data(data), "2021-22-Q2", tmp_path / "params")
    assert [r["measure"] for r in rows(found, "ratios")] == ["RATE Rate"]
    assert found.section("ratios").why.startswith("A percent or a rate per 1,000 or 100,000 counts cases in a population")


def test_figures_supplied_after_the_cut_off_are_listed_not_used(council):
    data_dir, params = council
    (params / "2021-22-Q3.yml").write_text("quarter: 2021/22 Q3\nmeeting_date: 2022-02-09\ndata_as_at: 2021-11-15\n", encoding="utf-8")
    found = data_quality(load_data(data_dir), "2021-22-Q3", params)
    assert [(r["measure"], r["reported_on"]) for r in rows(found, "late")] == [("PROV Provisional", "2021-11-20")]
    assert ("PROV Provisional", "2021/22 Q3") in [(r["measure"], r["period"]) for r in rows(found, "missing")]


def test_pm_check_prints_the_report_and_writes_an_accessible_page(council, tmp_path):
    data_dir, params = council
    page = tmp_path / "dq" / "q2.html"
    result = CliRunner().invoke(
        main, ["check", "--data", str(data_dir), "--params", str(params), "--quarter", "2021/22 Q2", "--html", str(page)]
    )
    assert result.exit_code == 0, result.output
    assert "Figures missing (3)" in result.output and "Possible outliers (1)" in result.output
    assert f"not for publication): {page}" in result.output

    class Outline(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags: list[tuple[str, dict]] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append((tag, dict(attrs)))

    outline = Outline()
    outline.feed(page.read_text(encoding="utf-8"))
    tags = [t for t, _ in outline.tags]
    assert ("html", {"lang": "en-GB"}) in outline.tags
    assert tags.count("h1") == 1 and tags.count("caption") == tags.count("table") > 0
    assert all(a.get("scope") == "col" for t, a in outline.tags if t == "th")
    assert "main" in tags and "nav" in tags


def test_commentary_like_text_in_a_note_is_escaped_on_the_page(council):
    data_dir, params = council
    text = (data_dir / "observations" / "figures.csv").read_text(encoding="utf-8").replace("Not yet audited.", "<script>x()</script>")
    (data_dir / "observations" / "figures.csv").write_text(text, encoding="utf-8")
    page = quality_page(data_quality(load_data(data_dir), "2021-22-Q2", params))
    assert "<script>x()" not in page and "&lt;script&gt;x()" in page


def test_the_return_locks_what_is_held_and_validates_what_is_filled(council, tmp_path):
    data_dir, _ = council
    [path] = [p for p in write_returns("2021-22-Q2", data_dir, tmp_path / "returns") if p.name == "team-c.xlsx"]
    wb = load_workbook(path)
    ws = wb[RETURN_SHEET]
    assert ws.protection.sheet and wb["Definitions"].protection.sheet and wb["About"].protection.sheet
    by_measure = {ws[f"A{r}"].value: r for r in range(FIRST_ROW, ws.max_row + 1)}
    rate, prov = by_measure["RATE"], by_measure["PROV"]
    assert ws[f"{LETTERS['value']}{rate}"].protection.locked and not ws[f"{LETTERS['numerator']}{rate}"].protection.locked
    assert not ws[f"{LETTERS['value']}{prov}"].protection.locked and ws[f"{LETTERS['denominator']}{prov}"].protection.locked
    assert ws[f"{LETTERS['held']}{prov}"].value == 70 and ws[f"{LETTERS['target']}{prov}"].protection.locked
    rules = {(dv.type, dv.formula1, dv.formula2): str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert rules[("decimal", "0", "100")] == f"{LETTERS['value']}{prov}"
    assert rules[("list", '"validated,provisional,estimated"', None)].split() == [f"{LETTERS['quality']}{r}" for r in (rate, prov)]
    assert f"{LETTERS['numerator']}{rate}" in rules[("decimal", "0", None)]


def test_a_measure_whose_targets_end_before_the_reports_year_is_listed_with_its_last_target_row(tmp_path):
    """A new year's targets not yet added: the report would judge the measure as monitoring without a word until its figures arrive."""
    quarterly = {"frequency": "quarterly", "owner": "Team A"}
    data = make_data(
        tmp_path / "data",
        [
            {"measure_id": "ENDED", "name": "Targets end 2020/21"} | quarterly,
            {"measure_id": "ROLLED", "name": "Rolled forward"} | quarterly,
            {"measure_id": "NEVER", "name": "Never had a target"} | quarterly,
            {"measure_id": "CONTEXT", "name": "Context", "polarity": "none"} | quarterly,
        ],
        [{"measure_id": "ROLLED", "period": "2021/22 Q2", "value": "5", "reported_on": "2021-10-05"}],
        [
            {"measure_id": "ENDED", "year": "2020/21", "target": "80"},
            {"measure_id": "ENDED", "year": "2020/21", "period": "Q4", "target": "82"},
            {"measure_id": "ENDED", "year": "2019/20", "target": "75"},
            {"measure_id": "ROLLED", "year": "2020/21", "target": "80"},
            {"measure_id": "ROLLED", "year": "2021/22", "target": "85"},
        ],
    )
    found = data_quality(load_data(data), "2021-22-Q2", tmp_path / "params")
    assert rows(found, "targets") == [
        {
            "measure": "ENDED Targets end 2020/21",
            "owner": "Team A",
            "year": "2021/22",
            "targets_end_with": "2020/21",
            "where": f"{data / 'targets.csv'}:3",
        }
    ]
    assert found.section("targets").title == "Targets not set"
