"""``pmlib.judge`` against the benchmarks' per-row reference, on synthetic data and on real DfE LAIT data.

The reference (``benchmarks/_reference.py``) applies the contract's status
rules one measure and quarter at a time in decimal arithmetic; here it must
agree with the vectorised engine on every period, value, target, level,
status and direction of travel. The synthetic data comes from the
benchmarks' generator, written as a real data folder and read back with
``load_data``; its in-memory twin (what the engine benchmark times) must be
the same tables. Not timed: the benchmarks are ``python -m benchmarks``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from builders import make_data
from hypothesis import given, settings
from hypothesis import strategies as st

from pmlib.contract.loading import check_data, load_data
from pmlib.engine import status
from pmlib.engine.status import judge

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is beside pmlib/, not installed with it
    sys.path.insert(0, str(ROOT))
synthetic = importlib.import_module("benchmarks._synthetic")
tables = importlib.import_module("benchmarks._synthetic_tables")
reference = importlib.import_module("benchmarks._reference")
lait = importlib.import_module("benchmarks._lait")

COVERAGE = synthetic.Shape(coverage=True, years=4)
TABLES = ("plans", "measures", "targets", "observations", "commentary", "actions", "action_updates", "forecasts")


def assert_agree(data, quarters, **kw) -> pd.DataFrame:
    """Judge both ways and fail with the first differences; return the judged table."""
    judged = judge(data, quarters, **kw)
    found = reference.disagreements(judged, reference.reference_judge(data, quarters, **kw))
    assert found.empty, f"{len(found)} differences:\n{found.head(20).to_string()}"
    return judged


@pytest.fixture(scope="module")
def coverage(tmp_path_factory):
    """Every unit x aggregation x frequency x ytd x polarity x lag (0, 1, 4), written and loaded: (generated, loaded)."""
    syn = synthetic.generate(COVERAGE)
    folder = tables.write_folder(syn, tmp_path_factory.mktemp("coverage") / "data")
    return syn, load_data(folder)


# --- the generator writes what load_data accepts, and its in-memory tables are the loader's ---------


def test_coverage_set_spans_every_combination(coverage):
    syn, data = coverage
    m = data.measures
    combos = m.groupby(["unit", "aggregation", "frequency", "ytd", "polarity", "lag"]).size()
    assert len(combos) == 7 * 4 * 3 * 2 * 3 * 3 and (combos == 1).all()
    judged = judge(data, COVERAGE.report_quarters)
    assert set(judged["status"]) == {"on_target", "below_target", "intervention", "monitoring", "no_data"}
    assert set(judged["short_trend"].dropna()) == {"improving", "worsening", "no_change", "increasing", "decreasing"}
    # Every unit x aggregation x frequency x ytd has judged figures, and targets of every kind occur.
    valued = judged.dropna(subset=["value"]).merge(m[["unit", "aggregation", "frequency", "ytd"]], left_on="measure_id", right_index=True)
    assert len(valued.groupby(["unit", "aggregation", "frequency", "ytd"])) == 7 * 4 * 3 * 2
    kinds = data.targets["period"].fillna("").map(lambda p: "year" if p == "" else ("quarter" if p.startswith("Q") else "month"))
    assert set(kinds) == {"year", "quarter", "month"}
    assert data.targets["intervention"].isna().any() and data.targets["intervention"].notna().any()
    assert judged["target_phased"].any()
    assert syn.n_figures > data.observations[["measure_id", "period"]].drop_duplicates().shape[0]  # some figures revised


def test_in_memory_tables_are_what_load_data_returns(coverage, tmp_path):
    syn, data = coverage
    for loaded, built in ((data, tables.council_data(syn, data.data_dir)), _mixed(tmp_path)):
        assert built.council == loaded.council
        for name in TABLES:
            pd.testing.assert_frame_equal(getattr(built, name), getattr(loaded, name), obj=name)


def _mixed(tmp_path):
    """The realistic mix, several councils (so several observation files): (loaded, built in memory)."""
    syn = synthetic.generate(synthetic.Shape(councils=3, measures=25, years=3, seed=3))
    folder = tables.write_folder(syn, tmp_path / "mixed")
    loaded, problems = check_data(folder)
    # The realistic mix raises no warning but one it means to: a measure left without a target in the last years it has figures.
    assert problems and all(p.severity == "warning" and "'s targets end with" in p.message for p in problems)
    return loaded, tables.council_data(syn, folder)


# --- agreement on synthetic data -----------------------------------------------------------------------


@pytest.mark.parametrize(("method", "tolerance"), [("intervention", 5), ("tolerance", 5), ("tolerance", 12.5)])
def test_reference_agrees_on_every_combination(coverage, method, tolerance):
    _, data = coverage
    assert_agree(tables.with_method(data, method, tolerance), COVERAGE.report_quarters)


def test_reference_agrees_as_figures_stood_earlier(coverage):
    # Mid-way, later periods have no figure yet and a revised figure is still its first version.
    _, data = coverage
    as_at = dt.date(COVERAGE.first_year + 2, 10, 31)
    judged = assert_agree(data, COVERAGE.report_quarters, data_as_at=as_at)
    assert (judged["status"] == "no_data").sum() > (judge(data, COVERAGE.report_quarters)["status"] == "no_data").sum()


@pytest.mark.parametrize("method", ["intervention", "tolerance"])
def test_blocks_and_threads_give_the_same_table(coverage, monkeypatch, method):
    # The coverage set fits in one block; split it into blocks of 7 measures on two threads and the table must not change.
    _, data = coverage
    data = tables.with_method(data, method)
    published = [dt.date(COVERAGE.first_year + 1, 8, 1), dt.date(COVERAGE.first_year + 2, 2, 1)]
    whole = judge(data, COVERAGE.report_quarters, published=published)
    assert len(data.measures) > 7 * 10
    monkeypatch.setattr(status, "BLOCK", 7)
    monkeypatch.setattr(status, "usable_cores", lambda: 2)
    split = judge(data, COVERAGE.report_quarters, published=published)
    pd.testing.assert_frame_equal(split, whole)
    assert_agree(data, COVERAGE.report_quarters)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 10_000),
    measures=st.integers(1, 30),
    years=st.integers(2, 4),
    method=st.sampled_from(["intervention", "tolerance"]),
    tolerance=st.sampled_from([0, 5, 12.5]),
)
def test_reference_agrees_on_any_seed(seed, measures, years, method, tolerance):
    shape = synthetic.Shape(councils=2, measures=measures, years=years, seed=seed, method=method, tolerance_pct=tolerance)
    assert_agree(tables.council_data(synthetic.generate(shape)), shape.report_quarters)


def test_rounding_decides_on_the_exact_value(tmp_path):
    # 1 case in a population of 2,000,001 is 0.0499999750... per 100,000: 0.0 at one decimal, not 0.1.
    measure = {"frequency": "quarterly", "aggregation": "ratio", "unit": "rate_per_100k", "decimals": "1", "polarity": "higher"}
    figure = {"measure_id": "M1", "period": "2020/21 Q2", "numerator": "1", "denominator": "2000001"}
    target = {"measure_id": "M1", "year": "2020/21", "period": "", "target": "0.1", "intervention": ""}
    data = load_data(make_data(tmp_path / "data", [measure], [figure], [target]))
    assert_agree(data, ["2020/21 Q2"])


# --- agreement on real data -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lait_data(tmp_path_factory):
    """BCP, the City of London (tiny, much suppressed), Birmingham and the North East region, with England for targets."""
    try:
        mapped = lait.load_lait(areas=[lait.BCP, 201, 330, 980])
    except lait.LaitMissing as exc:
        pytest.skip(f"no real data: {exc}")
    data, problems = check_data(mapped.write_folder(tmp_path_factory.mktemp("lait") / "data"))
    assert data is not None and problems == [], [p.format() for p in problems[:10]]
    return mapped, data


@pytest.mark.parametrize("method", ["tolerance", "intervention"])
def test_reference_agrees_on_lait(lait_data, method):
    mapped, data = lait_data
    judged = assert_agree(tables.with_method(data, method), mapped.quarters)
    assert {"on_target", "monitoring", "no_data"} <= set(judged["status"])


def test_lait_mapping(lait_data):
    mapped, data = lait_data
    assert mapped.dropped["rows"].sum() > 0 and "'-' (missing or suppressed)" in set(mapped.dropped["reason"])
    assert data.measures.index.str.startswith(("LA839-", "LA201-", "LA330-", "LA980-", "LA970-")).all()
    assert (data.measures["frequency"] == "annual").all()
    assert set(data.measures["unit"]) <= {"percent", "number", "gbp", "rate_per_1000", "rate_per_100k", "score"}


@pytest.mark.parametrize(
    ("label", "year_type", "fy"),
    [
        ("2016-17", "Financial Year", 2016),
        ("2016-17 (OT)", "Financial Year", 2016),
        ("2016/17", "Academic Year", 2017),  # the academic year ends in the summer of 2017
        ("2023", "Financial Year", 2022),  # year to 31 March 2023
        ("2023 (Rev)", "Academic Year", 2023),
        ("2025 (prov)", "Calendar Year", 2025),  # ends December 2025, in 2025/26
        ("2023", "Annual - January", 2022),
        ("2023", "Annual (end of Sept)", 2023),
        ("2014-16", "Calendar Year", 2016),
        ("2013/14-15/16", "Financial Year", 2015),
        ("0", "Academic Year", None),
    ],
)
def test_lait_period_labels(label, year_type, fy):
    assert lait.financial_year(label, year_type) == fy


def test_engine_benchmark_runs():
    command = [sys.executable, "-m", "benchmarks", "engine", "--councils=2", "--measures=10", "--years=3", "--repeat=1", "--no-memory"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "throughput" in done.stdout and "agreement with the reference" in done.stdout
