from pathlib import Path

import pandas as pd
import pytest
from builders import make_data, write_csv
from click.testing import CliRunner

from pmlib import ConfigError, quarter_report, report_params
from pmlib.cli import main
from pmlib.rendering.measure_pages import measure_page
from pmlib.views.plan_report import COMMENTARY_MISSING

PARAMS = "quarter: {q}\ntitle: Corporate Performance Report\nmeeting: Cabinet\nmeeting_date: {meet}\ndata_as_at: {asat}\naudience: {aud}\n"


def _params(folder: Path, audience: str = "public") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for slug, q, meet, asat in (
        ("2020-21-Q1", "2020/21 Q1", "2020-09-09", "2020-07-31"),
        ("2020-21-Q2", "2020/21 Q2", "2020-11-11", "2020-10-31"),
    ):
        (folder / f"{slug}.yml").write_text(PARAMS.format(q=q, meet=meet, asat=asat, aud=audience), encoding="utf-8")
    return folder


@pytest.fixture
def council(tmp_path):
    data = make_data(
        tmp_path / "data",
        [
            {"measure_id": "GOOD", "name": "Good measure"},
            {"measure_id": "BAD", "name": "Bad measure"},
            {"measure_id": "SECRET", "name": "Restricted measure", "public": "false"},
        ],
        [
            {"measure_id": "GOOD", "period": "2020/21 Q1", "value": "81", "reported_on": "2020-07-10"},
            {"measure_id": "GOOD", "period": "2020/21 Q2", "value": "82", "reported_on": "2020-10-10"},
            {"measure_id": "BAD", "period": "2020/21 Q1", "value": "79", "reported_on": "2020-07-10"},
            # Revised after the Q1 report was published: Q2's report flags it.
            {"measure_id": "BAD", "period": "2020/21 Q1", "value": "77", "reported_on": "2020-08-15"},
            {"measure_id": "BAD", "period": "2020/21 Q2", "value": "70", "reported_on": "2020-10-10"},
            {"measure_id": "SECRET", "period": "2020/21 Q2", "value": "50", "reported_on": "2020-10-10"},
        ],
        [{"measure_id": m, "year": "2020/21", "target": "80", "intervention": "75"} for m in ("GOOD", "BAD", "SECRET")],
    )
    return data, _params(tmp_path / "params")


def test_quarter_report_public(council):
    data, params = council
    report = quarter_report("2020-21-Q2", data, params)
    assert list(report.judged["measure_id"]) == ["GOOD", "BAD"]
    assert report.narrative().startswith("One of 2 measures with a target is on target and one needs intervention: Bad measure.")
    assert report.narrative().endswith("Since 2020/21 Q1, one measure moved to a worse status.")
    assert list(report.exceptions["measure_id"]) == ["BAD"]


def test_revision_flag_uses_published_reports(council):
    data, params = council
    q1 = quarter_report("2020/21 Q1", data, params)
    assert q1.judged.set_index("measure_id").at["BAD", "value"] == 79  # as first published
    assert not q1.judged["revised"].any()
    q2 = quarter_report("2020/21 Q2", data, params).judged.set_index("measure_id")
    assert q2.at["BAD", "previous_value"] == 77  # the revised Q1 figure
    assert not q2.at["BAD", "revised"]  # its own Q2 figure is not revised


def test_each_report_shows_the_commentary_supplied_by_its_data_as_at(council):
    data, params = council
    write_csv(
        data / "commentary.csv",
        [
            {"measure_id": "BAD", "period": "2020/21 Q1", "commentary": "Staff redeployed.", "reported_on": "2020-07-20"},
            # Rewritten after the Q1 report (as at 31 July): Q1's report keeps the text it first showed.
            {"measure_id": "BAD", "period": "2020/21 Q1", "commentary": "Staff redeployed; all back now.", "reported_on": "2020-08-20"},
            {"measure_id": "BAD", "period": "2020/21 Q2", "commentary": "Standing text for the quarter."},
            # Supplied after the Q2 report (as at 31 October): not in it.
            {"measure_id": "BAD", "period": "2020/21 Q2", "commentary": "A second wave of absence.", "reported_on": "2020-11-05"},
        ],
        ["measure_id", "period", "commentary", "action", "action_owner", "action_due", "reported_on"],
    )
    q1 = quarter_report("2020/21 Q1", data, params)
    [bad] = [m for m in q1.plan().measures() if m.measure_id == "BAD"]
    assert "Staff redeployed" in bad.commentary().markdown and "all back now" not in bad.commentary().markdown

    q2 = quarter_report("2020/21 Q2", data, params)
    assert q2.exceptions.set_index("measure_id").at["BAD", "commentary"] == "Standing text for the quarter."
    [bad] = q2.plan().exceptions()
    assert "Standing text for the quarter" in bad.exception_report().markdown
    assert COMMENTARY_MISSING not in bad.exception_report().markdown and "second wave" not in bad.exception_report().markdown
    # The measure page shows every quarter as this report sees it: Q1's rewrite, not Q2's late text.
    page = measure_page(q2, "BAD", None, data.parent / "pages" / "BAD.qmd")
    shown = page[page.index("## Commentary by quarter") : page.index("## Revisions")].split("\n\n")
    assert [shown[1], shown[3]] == ["### 2020/21 Q2", "### 2020/21 Q1"]
    assert "Standing text for the quarter" in shown[2] and "all back now" in shown[4] and "second wave" not in "".join(shown)


def test_internal_audience_includes_restricted(council, tmp_path):
    data, _ = council
    params = _params(tmp_path / "internal", "internal")
    report = quarter_report(report_params(params), data, params)
    assert "SECRET" in set(report.judged["measure_id"])


def test_latest_and_missing_params(council, tmp_path):
    _, params = council
    assert report_params(params).quarter.code == "2020/21 Q2"
    with pytest.raises(ConfigError, match=r"2021-22-Q1\.yml: file not found; create it to report 2021/22 Q1"):
        report_params(params, "2021/22 Q1")


def test_pm_status_prints_summary(council):
    data, params = council
    result = CliRunner().invoke(main, ["status", "--latest", "--data", str(data), "--params", str(params)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Test Council: Corporate Performance Report" in out
    assert "✖ Intervention" in out and "Bad measure" in out and "70.0%" in out
    assert "Restricted measure" not in out


def test_pm_status_reports_bad_data(council):
    data, params = council
    (data / "measures.csv").write_text((data / "measures.csv").read_text().replace("percent", "percentage", 1))
    result = CliRunner().invoke(main, ["status", "--latest", "--data", str(data), "--params", str(params)])
    assert result.exit_code == 1
    assert "measures.csv:2: unit: 'percentage'" in result.stdout
    assert result.stderr.splitlines()[-1] == "1 error(s): fix them and run pm status again."


ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("audience", ["public", "internal"])
def test_a_measures_rows_taken_from_the_reports_split_are_the_rows_of_the_whole_tables(audience):
    """Measure pages read commentary and forecasts from tables split once per report: the same rows as each measure worked out alone."""
    from pmlib.engine.commentary import commentary_as_at
    from pmlib.views.year_end import measure_forecasts

    for quarter in ("2020/21 Q1", "2021/22 Q1", "2021/22 Q2"):
        report = quarter_report(quarter, ROOT / "data", ROOT / "params", audience)
        every = report.commentary()
        as_at = pd.Timestamp(report.params.data_as_at)
        for measure_id in [*report.judged["measure_id"], "NO-SUCH-MEASURE"]:
            notes = report.commentary(measure_id=measure_id)
            pd.testing.assert_frame_equal(notes, every[every["measure_id"] == measure_id].reset_index(drop=True))
            notes = report.data.commentary
            alone = commentary_as_at(notes[notes["measure_id"] == measure_id], report.params.data_as_at)
            pd.testing.assert_frame_equal(
                report.commentary(report.quarter, measure_id), alone[alone["period"] == quarter].reset_index(drop=True)
            )

            got = measure_forecasts(report, measure_id)
            f = report.data.forecasts
            f = f[(f["measure_id"] == measure_id) & (f["reported_on"] <= as_at) & f["period_index"].notna()]
            f = f[f["period_index"].astype("float64") <= report.quarter.index]
            f = f.sort_values(["period_index", "reported_on"], kind="stable").drop_duplicates("period", keep="last")
            assert got["period"].tolist() == f["period"].tolist()
            assert got["forecast"].tolist() == f["forecast"].tolist() and got.index.equals(pd.RangeIndex(len(f)))
            judged = report.history[(report.history["measure_id"] == measure_id) & (report.history["forecast_kind"] == "forecast")]
            judged = judged.drop_duplicates("quarter", keep="last").set_index("quarter")
            for row in got.itertuples():
                if row.period in judged.index:
                    assert row.status == judged.at[row.period, "forecast_status"]
                    assert row.suppressed >= bool(judged.at[row.period, "forecast_suppressed"])
                else:
                    assert row.status is None


def test_changing_a_measures_commentary_or_forecasts_leaves_what_the_report_gives_next():
    from pmlib.views.year_end import measure_forecasts

    report = quarter_report("2021/22 Q2", ROOT / "data", ROOT / "params")
    [measure_id, *_] = [
        m for m in report.judged["measure_id"] if len(measure_forecasts(report, m)) and len(report.commentary(measure_id=m))
    ]
    notes = report.commentary(measure_id=measure_id)
    notes["commentary"] = "changed by a notebook"
    assert "changed by a notebook" not in report.commentary(measure_id=measure_id)["commentary"].tolist()
    forecasts = measure_forecasts(report, measure_id)
    forecasts["forecast"] = -1.0
    assert -1.0 not in measure_forecasts(report, measure_id)["forecast"].tolist()


def test_a_quarter_with_no_report_before_it_is_compared_as_the_figures_now_stand(tmp_path):
    """Without 2021/22 Q1's params file, Q2's report shows last quarter as the figures now stand, and no report to list changes since."""
    root = Path(__file__).parents[1]
    params = tmp_path / "params"
    params.mkdir()
    for name in ("2020-21-Q4.yml", "2021-22-Q2.yml"):
        (params / name).write_bytes((root / "params" / name).read_bytes())
    report = quarter_report("2021/22 Q2", root / "data", params)
    full = quarter_report("2021/22 Q2", root / "data", root / "params")
    assert report.previous is not None and set(report.previous["quarter"]) == {"2021/22 Q1"}
    assert report.previous_params is None
    assert r"Since 2021\/22 Q1" in report.headline().markdown and r"Since 2021\/22 Q1" in full.headline().markdown
    assert report.changes_table().markdown == r"There is no 2021\/22 Q1 report to compare this one with\."


def test_a_measures_history_starts_at_its_first_figure():
    """DP01's first figure is for 2020/21, a year after the demo's first: its table, chart and description start there alike."""
    root = Path(__file__).parents[1]
    report = quarter_report("2021/22 Q2", root / "data", root / "params")
    history = report.measure_history("DP01")
    assert history["period"].iloc[0] == "2020/21" and history["value"].notna().iloc[0]
    assert report.chart("DP01").description.startswith(f"Line chart of {report.data.measures.loc['DP01', 'name']} for 2020/21, ")
    assert report.measure_history("SE01")["period"].iloc[0] == "2019/20 Q1"  # a measure with figures from the first quarter keeps them all
    page = measure_page(report, "DP01", None, root / "pages" / "measures" / "DP01.qmd")
    assert "2020/21" in page and "2019/20" not in page
