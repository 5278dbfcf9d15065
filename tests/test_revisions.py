"""Revised figures worked out for every measure at once give, measure by measure, what the one-measure rule gives.

``reference`` is the rule as it was first written, one measure at a time
(it was a third of a second per appendix); the whole-table version must
agree with it on every measure, quarter and audience of both demos.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pmlib.contract.params_folder import select_quarters
from pmlib.engine.rollup import ratio_value, small_count
from pmlib.views.appendices import _one_text, revisions
from pmlib.views.disclosure import value_text
from pmlib.views.report import quarter_report

ROOT = Path(__file__).parents[1]
COUNCILS = ROOT / "examples" / "chorley-south-ribble" / "councils"
FOLDERS = [(ROOT / "data", ROOT / "params")] + [(c / "data", c / "params") for c in sorted(COUNCILS.iterdir()) if (c / "data").is_dir()]


def reference(report, measure_id: str) -> pd.DataFrame:
    m = report.data.measures.loc[measure_id]
    obs = report.data.observations
    obs = obs[(obs["measure_id"] == measure_id) & (obs["reported_on"] <= pd.Timestamp(report.params.data_as_at))]
    obs = obs.sort_values(["period_index", "reported_on"], kind="stable")
    value = obs["value"].to_numpy(float)
    if m["aggregation"] == "ratio":
        value = ratio_value(obs["numerator"], obs["denominator"], m["unit"])
    withheld = small_count(obs, report.data.measures) if report.params.audience == "public" else [False] * len(obs)
    shown = [value_text(v, m["unit"], int(m["decimals"]), suppressed=w) for v, w in zip(value, withheld, strict=True)]
    obs = obs.assign(shown=shown)
    changed = obs.groupby("period", sort=False)["shown"].transform("nunique") > 1
    return obs[changed][["period", "reported_on", "shown"]].reset_index(drop=True)


@pytest.mark.parametrize("folders", FOLDERS, ids=[f"{d.parent.name}" for d, _ in FOLDERS])
def test_every_measures_revisions_are_what_the_one_measure_rule_gives(folders):
    data_dir, params_dir = folders
    found = 0
    for quarter in select_quarters(params_dir):
        for audience in ("public", "internal"):
            report = quarter_report(quarter, data_dir, params_dir, audience)
            for measure_id in report.data.measures.index:
                expected = reference(report, measure_id)
                pd.testing.assert_frame_equal(revisions(report, measure_id), expected, check_dtype=False, check_index_type=False)
                found += len(expected)
    if data_dir == ROOT / "data":
        assert found > 0  # the demo's data has revisions, so the comparison compares something


def test_a_year_to_date_figures_notes_come_from_every_month_it_covers():
    """SE01 is year to date: its 2021/22 Q2 figure is revised through June (Q1) and provisional through September (Q2).

    Appendix C gives the note behind each flag, so the June revision's note is
    there though June is not in the quarter.
    """
    report = quarter_report("2021/22 Q2", ROOT / "data", ROOT / "params")
    table = report.appendices().quality_table()
    row = table.frame.set_index("Measure").loc["Household waste sent for reuse, recycling and composting"]
    assert row["Quality"] == "Provisional, Revised"
    assert row["Note from the service unit"] == (
        "Revised: late returns from the materials recovery facility. "
        "Provisional: September tonnages not yet reconciled with the materials recovery facility."
    )


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ([], ""),
        (["One."], "One."),
        (["One.", "Two"], "One. Two"),
        (["One", "Two?"], "One; Two?"),
        (["One!", " Two ", "Three."], "One! Two; Three."),
    ],
)
def test_notes_run_together_as_one_text(notes, expected):
    assert _one_text(notes) == expected
