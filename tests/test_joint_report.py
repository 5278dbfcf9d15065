"""The joint report on a two-council fixture, worked by hand: side-by-side tables, narrative, exceptions, restriction, open data.

tests/fixtures/joint has Chorley (intervention method) and South Ribble
(tolerance method, 5%) sharing ICT and Revenues and Benefits. Each council's
figures stand at its own 31 October; the joint report is dated 15 November,
and South Ribble's revision of RB01 on 10 November is in neither.
"""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pmlib.contract.config import Council, read_report_params
from pmlib.contract.councils import load_councils
from pmlib.contract.harmonisation import agreed_method, load_shared
from pmlib.views.joint_report import joint_council, joint_report
from pmlib.views.narrative import joint_headline
from pmlib.views.open_data import COLUMNS, JOINT_COLUMNS
from pmlib.views.plan_report import COMMENTARY_MISSING
from pmlib.views.prose import user_markdown
from pmlib.views.report import quarter_report
from pmlib.views.tables import Table

ROOT = Path(__file__).parent / "fixtures" / "joint"
PARAMS = ROOT / "joint" / "params" / "2020-21-Q2.yml"


@pytest.fixture(scope="module")
def shared():
    return load_shared(load_councils(ROOT / "councils.yml"))


@pytest.fixture(scope="module")
def public(shared):
    return joint_report(read_report_params(PARAMS), shared)


@pytest.fixture(scope="module")
def internal(shared):
    return joint_report(read_report_params(PARAMS).model_copy(update={"audience": "internal"}), shared)


def cell(report, measure, figure, column):
    rows = report.rows[(report.rows["measure_id"] == measure) & (report.rows["figure"] == figure)]
    assert len(rows) == 1
    return rows.iloc[0][column]


def test_services_and_measures_in_order(public, internal):
    assert public.services == ("ICT", "Revenues and Benefits")
    assert public.measures.index.tolist() == ["ICT01", "ICT02", "RB01", "RB02", "RB03"]
    assert internal.measures.index.tolist() == ["ICT01", "ICT02", "RB01", "RB02", "RB03", "RB04"]
    assert public.figures == ("chorley", "south-ribble", "combined")


def test_each_council_is_its_own_report(public, shared):
    folders = shared.services.council("south-ribble")
    own = quarter_report("2020/21 Q2", folders.data, folders.params, "public", data=shared.councils["south-ribble"]).judged
    mine = public.rows[public.rows["figure"] == "south-ribble"]
    expected = own[own["measure_id"].isin(public.measures.index)]
    columns = ["measure_id", "value", "target", "intervention", "status", "short_trend"]
    pd.testing.assert_frame_equal(mine[columns].reset_index(drop=True), expected[columns].reset_index(drop=True))
    # 80 as South Ribble's report of 31 October saw it, not the 95 supplied on 10 November.
    assert cell(public, "RB01", "south-ribble", "value") == 80


@pytest.mark.parametrize(
    ("measure", "figure", "value", "target", "intervention", "status"),
    [
        ("ICT01", "chorley", 90.0, 85, 75, "on_target"),  # 45/50
        ("ICT01", "south-ribble", 10.0, 85, 80.8, "intervention"),  # 10/100; level 85 - 5% = 80.75, shown and judged as 80.8
        ("ICT01", "combined", 36.7, 80, 60, "intervention"),  # 55/150, not the mean 50.0; the joint target 80, level 60
        ("ICT02", "south-ribble", 98.0, 99, 94.1, "below_target"),  # 99 - 5% = 94.05 -> 94.1
        ("RB01", "combined", 200, 190, 150, "on_target"),  # 120 + 80
        ("RB02", "south-ribble", 27.0, 20, 21, "intervention"),  # lower is better: 20 + 5% = 21
    ],
)
def test_figures_and_statuses_worked_by_hand(public, measure, figure, value, target, intervention, status):
    assert cell(public, measure, figure, "value") == value
    assert cell(public, measure, figure, "target") == target
    assert cell(public, measure, figure, "intervention") == intervention
    assert cell(public, measure, figure, "status") == status


def test_mean_and_last_measures_have_no_combined_row(public):
    combined = public.rows.loc[public.rows["figure"] == "combined", "measure_id"].tolist()
    assert combined == ["ICT01", "RB01", "RB03"]


def test_combined_trends_need_the_previous_quarter_from_every_council(public):
    # ICT01 was 60/150 = 40.0% in Q1; RB01 has no Q1 figure from South Ribble, so no combined Q1.
    assert (cell(public, "ICT01", "combined", "previous_value"), cell(public, "ICT01", "combined", "short_trend")) == (40.0, "worsening")
    assert pd.isna(cell(public, "RB01", "combined", "short_trend"))
    assert cell(public, "RB01", "combined", "provisional")  # Chorley's 120 is provisional


def test_a_small_combined_count_is_withheld_from_the_public_only(public, internal):
    # 3 + 0 = 3 is below South Ribble's threshold of 5, though Chorley (threshold 0) publishes its 3.
    assert cell(public, "RB03", "chorley", "value") == 3
    assert cell(public, "RB03", "combined", "suppressed")
    assert pd.isna(cell(public, "RB03", "combined", "value"))
    assert cell(internal, "RB03", "combined", "value") == 3


def test_a_measure_restricted_in_either_council_is_left_out_of_the_public_report(public, internal):
    # RB04 is public in Chorley, restricted in South Ribble.
    assert "RB04" not in set(public.rows["measure_id"])
    assert "RB04" not in set(public.open_data()["measure_id"])
    assert "Discretionary payments awarded" not in public.narrative()
    assert "Discretionary payments awarded" not in public.service_table("Revenues and Benefits").html
    assert set(internal.rows.loc[internal.rows["measure_id"] == "RB04", "figure"]) == {"chorley", "south-ribble", "combined"}
    assert "Discretionary payments awarded (South Ribble)" in internal.narrative()


def test_service_table_sets_councils_side_by_side(public):
    table = public.service_table("ICT")
    assert isinstance(table, Table)
    assert table.table_id == "table-joint-2020-21-q2-ict"
    assert table.title == "ICT: shared measures, 2020/21 Q2"
    assert table.frame.to_dict("records") == [
        {
            "Measure": "Calls resolved at first contact",
            "Period": "2020/21 Q2",
            "Chorley": "90.0%",
            "Chorley status": "✓ On target",
            "Chorley short-term trend": "↑ Improving",
            "South Ribble": "10.0%",
            "South Ribble status": "✖ Intervention",
            "South Ribble short-term trend": "↓ Worsening",
            "Combined": "36.7%",
            "Joint target": "80.0%",
            "Combined status": "✖ Intervention",
        },
        {
            "Measure": "System availability",
            "Period": "2020/21 Q2",
            "Chorley": "99.5%",
            "Chorley status": "✓ On target",
            "Chorley short-term trend": "↑ Improving",
            "South Ribble": "98.0%",
            "South Ribble status": "▲ Below target",
            "South Ribble short-term trend": "↓ Worsening",
            "Combined": "[z]",
            "Joint target": "[z]",
            "Combined status": "[z]",
        },
    ]
    assert '<div class="pm-gt" id="table-joint-2020-21-q2-ict"' in table.html
    assert '<caption class="gt_caption"' in table.html and "ICT: shared measures, 2020/21 Q2</caption>" in table.html


def test_service_table_shows_markers_and_suppression(public):
    frame = public.service_table("Revenues and Benefits").frame.set_index("Measure")
    assert frame.loc["New benefit claims processed", ["Chorley", "South Ribble", "Combined", "Joint target"]].tolist() == [
        "120 [p]",
        "80",
        "200 [p]",
        "190",
    ]
    assert frame.loc["Fraud referrals", ["Chorley", "South Ribble", "Combined", "Combined status"]].tolist() == [
        "3",
        "0",
        "[c]",
        "○ Monitoring",
    ]
    assert frame.loc["Days to process new claims", "Combined"] == "[z]"
    assert frame.loc["Fraud referrals", "Joint target"] == "[z]", "monitored for context: no target by design, not one missing ([x])"
    assert [t.table_id for t in public.tables()] == ["table-joint-2020-21-q2-ict", "table-joint-2020-21-q2-revenues-and-benefits"]


def test_narrative_worked_by_hand(public):
    assert public.narrative() == (
        "Of five shared measures, one is on target in both councils, one is below target in at least one council and one is "
        "monitored without a target. Two need intervention: Calls resolved at first contact (South Ribble) and Days to process "
        "new claims (South Ribble). Of the three with a combined figure, one is on target, one needs intervention (Calls resolved "
        "at first contact) and one is monitored without a joint target."
    )


def test_exceptions_give_each_councils_figure_and_commentary(public):
    e = public.exceptions
    shown = e[["measure_id", "council", "status", "combined_status"]].astype(object)
    assert shown.where(shown.notna(), None).values.tolist() == [
        ["ICT01", "chorley", "on_target", "intervention"],
        ["ICT01", "south-ribble", "intervention", "intervention"],
        ["RB02", "chorley", "on_target", None],
        ["RB02", "south-ribble", "intervention", None],
    ]
    assert e["commentary"].iloc[0] == "Nine calls in ten were resolved at first contact."
    assert e.loc[3, ["commentary", "action", "action_owner"]].tolist() == [
        "Two assessors were off sick in August.",
        "Agency cover for the backlog",
        "Benefits Manager",
    ]
    assert e.loc[0, "combined_value"] == 36.7
    table = public.exceptions_table()
    assert table.frame[["Council", "Status", "Combined status", "Commentary"]].values.tolist() == [
        ["Chorley", "✓ On target", "✖ Intervention", "Given"],
        ["South Ribble", "✖ Intervention", "✖ Intervention", "Commentary missing"],
        ["Chorley", "✓ On target", "[z]", "Not required"],
        ["South Ribble", "✖ Intervention", "[z]", "Given"],
    ]


def test_exception_reports_give_each_councils_commentary_and_corrective_action(public):
    """What a joint committee needs of a measure needing intervention: each council's figures and words, as its own report has them."""
    ict, rb = (p.markdown for p in public.exception_reports())
    assert ict == "\n\n".join(
        [
            "### Exception report: Calls resolved at first contact",
            "#### Combined",
            "- Value (2020/21 Q2): 36.7%\n- Joint target: 80.0%\n- Intervention level: 60.0%\n- Status: ✖ Intervention",
            "#### Chorley",
            "- Value (2020/21 Q2): 90.0%\n- Target: 85.0%\n- Intervention level: 75.0%\n- Status: ✓ On target\n"
            "- Short-term trend: ↑ Improving",
            "**Commentary:** Nine calls in ten were resolved at first contact\\.",
            # Chorley is on target, but the combined figure needs intervention: its action is asked for too.
            "**Corrective action:** none recorded.",
            "#### South Ribble",
            "- Value (2020/21 Q2): 10.0%\n- Target: 85.0%\n- Intervention level: 80.8%\n- Status: ✖ Intervention\n"
            "- Short-term trend: ↓ Worsening",
            COMMENTARY_MISSING,
            "**Corrective action:** none recorded.",
        ]
    )
    # RB02 is a mean measure: no combined figure, and Chorley, on target, owes no explanation.
    assert "#### Combined" not in rb
    assert "#### Chorley\n\n- Value (2020/21 Q2): 18.5 days" in rb and "No commentary this quarter." in rb
    assert rb.endswith(
        "**Commentary:** Two assessors were off sick in August\\.\n\n**Corrective action:** Agency cover for the backlog\n\n"
        "**Owner:** Benefits Manager. **Due:** 31 December 2020."
    )


def test_exception_reports_read_officers_text_as_the_councils_reports_do(tmp_path: Path):
    """Officers' words reach the joint report only through the one restricted reader: no HTML, no other link scheme."""
    root = tmp_path / "joint"
    shutil.copytree(ROOT, root)
    typed = "<b>Late</b> returns; see [the plan](https://example.org/plan) and [this](javascript:alert(1)). *Improving*"
    notes = root / "councils" / "south-ribble" / "data" / "commentary.csv"
    notes.write_text(
        f'measure_id,period,commentary,action,action_owner,action_due\nRB02,2020/21 Q2,"{typed}",# Hire <i>two</i>,*Boss*,\n',
        encoding="utf-8",
    )
    report = joint_report(read_report_params(PARAMS), load_shared(load_councils(root / "councils.yml")))
    shown = report.exception_reports()[1].markdown
    assert f"**Commentary:** {user_markdown(typed)}" in shown
    assert "&lt;b&gt;" in shown and "<b>" not in shown and "](javascript" not in shown
    assert "[the plan](https://example.org/plan)" in shown and "*Improving*" in shown
    assert "**Corrective action:** \\# Hire &lt;i&gt;two&lt;\\/i&gt;\n\n**Owner:** \\*Boss\\*. **Due:** no date given." in shown


def test_open_data_columns_follow_the_councils_open_data(public):
    data = public.open_data()
    names = [c for c, _, _ in JOINT_COLUMNS]
    assert list(data.columns) == names
    council_names = [c for c, _, _ in COLUMNS]
    shared_names = [c for c in names if c in council_names]
    assert shared_names == [c for c in council_names if c in shared_names]
    assert set(names) - set(council_names) == {"shared_service", "council"}
    assert len(data) == len(public.rows) == 13
    ict = data[data["measure_id"] == "ICT01"]
    assert ict[["council", "value", "target", "intervention", "status", "short_trend", "quality"]].values.tolist() == [
        ["chorley", "90.0", "85.0", "75.0", "on_target", "improving", "validated"],
        ["south-ribble", "10.0", "85.0", "80.8", "intervention", "worsening", "validated"],
        ["combined", "36.7", "80.0", "60.0", "intervention", "worsening", "validated"],
    ]
    rb = data[data["measure_id"].isin(["RB01", "RB03"]) & (data["council"] == "combined")]
    assert rb[["value", "quality", "short_trend"]].values.tolist() == [["200", "provisional", ""], ["[c]", "", ""]]


def test_summary_text_gives_each_measures_figures_in_a_line(public):
    text = public.summary_text()
    assert text.startswith("Chorley and South Ribble Shared Services: ")
    assert public.narrative() in text
    assert "Chorley ✓ On target 90.0%; South Ribble ✖ Intervention 10.0%; Combined ✖ Intervention 36.7%" in text.splitlines()[7]
    assert [line for line in text.splitlines() if line.endswith(":")] == ["ICT:", "Revenues and Benefits:"]


def test_heading_names_each_councils_date(public, internal):
    assert "Chorley as at 31 October 2020; South Ribble as at 31 October 2020." in public.heading().markdown
    assert "Internal report" in internal.heading().markdown and "Internal report" not in public.heading().markdown


def rows(statuses: dict[str, tuple[str, ...]], combined: dict[str, str] | None = None) -> pd.DataFrame:
    out = [{"measure_id": m, "figure": f, "status": s} for m, ss in statuses.items() for f, s in zip(("a", "b"), ss, strict=False)]
    out += [{"measure_id": m, "figure": "combined", "status": s} for m, s in (combined or {}).items()]
    return pd.DataFrame(out)


NAMES = pd.Series({"M1": "One", "M2": "Two", "M3": "Three"})


@pytest.mark.parametrize(
    ("statuses", "combined", "text"),
    [
        (
            {"M1": ("on_target", "on_target"), "M2": ("on_target", "on_target")},
            {},
            "Of two shared measures, two are on target in both councils. None needs intervention in either council.",
        ),
        (
            {"M1": ("on_target", "no_data"), "M2": ("monitoring", "on_target"), "M3": ("intervention", "intervention")},
            {"M1": "no_data", "M3": "below_target"},
            "Of three shared measures, none is on target in both councils, one has no figure yet in at least one council and one "
            "is monitored without a target. One needs intervention: Three (A and B). Of the two with a combined figure, one is "
            "below target and one has no figure from every council yet.",
        ),
        (
            {"M1": ("on_target",), "M2": ("below_target", "on_target")},
            {},
            "Of two shared measures, one is on target in every council having it and one is below target in at least one "
            "council. None needs intervention in either council.",
        ),
    ],
)
def test_joint_headline_rules(statuses, combined, text):
    assert joint_headline(rows(statuses, combined), NAMES, {"a": "A", "b": "B"}) == text


def test_joint_council_judges_by_the_councils_method_when_they_agree():
    tolerance = Council(name="A", short_name="A", status_method="tolerance", tolerance_pct=10)
    intervention = Council(name="B", short_name="B")
    assert joint_council("J", [tolerance, tolerance]).model_dump(include={"name", "status_method", "tolerance_pct"}) == {
        "name": "J",
        "status_method": "tolerance",
        "tolerance_pct": 10,
    }
    assert joint_council("J", [tolerance, intervention]).status_method == "intervention"
    # A tolerance means nothing to the intervention method: two councils using it agree, as pm check reads it.
    loose = Council(name="C", short_name="C", tolerance_pct=20)
    assert agreed_method([intervention, loose]) == ("intervention", None)
    assert agreed_method([tolerance, Council(name="D", short_name="D", status_method="tolerance")]) is None
    assert joint_council("J", [intervention, loose]).status_method == "intervention"


def test_a_total_of_two_withheld_counts_is_withheld_too_in_the_example():
    """The example's ICT04 (disclosure_min 5): 3 breaches in each council in 2025/26 Q2, each [c], so the total of 6 is [c] too.

    Each council's figures are judged whole, as its own report judges them,
    so the check holds whatever the measure's place in its council's file.
    """
    example = Path(__file__).parents[1] / "examples" / "chorley-south-ribble" / "councils.yml"
    report = joint_report("2025/26 Q2", example)
    rows = report.rows.set_index(["measure_id", "figure"])
    for figure in ("chorley", "south-ribble", "combined"):
        assert rows.loc[("ICT04", figure), "suppressed"], figure
    assert pd.isna(rows.loc[("ICT04", "combined"), "value"])
