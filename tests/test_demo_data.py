"""The committed demo data folder is exactly what ``scripts/make_demo_data.py`` writes.

The script reads real figures from ``../shared/realdata`` beside the
repository, so the test is skipped where that folder is absent.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"
SCRIPT = REPO / "scripts" / "make_demo_data.py"
DATA = REPO / "data"

pytestmark = pytest.mark.skipif(
    not REALDATA.is_dir(), reason="../shared/realdata (the real public figures the demo data reads) is not beside the repository"
)


def _files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def test_demo_data_is_byte_identical_to_the_script_output(tmp_path):
    pytest.importorskip("pyarrow", reason="the script reads DfE LAIT parquet; install the 'demo' extra")
    out = tmp_path / "data"
    run = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), "--quiet"], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr

    written = _files(out)
    assert written, "the script wrote nothing"
    missing = [str(p) for p in written if not (DATA / p).is_file()]
    different = [str(p) for p in written if (DATA / p).is_file() and (DATA / p).read_bytes() != (out / p).read_bytes()]
    read_whole = ("observations", "comparators")  # every file in these folders is read
    stale = [f"{folder}/{p}" for folder in read_whole for p in _files(DATA / folder) if Path(folder) / p not in written]
    hint = "re-run: .venv/bin/python scripts/make_demo_data.py"
    assert not missing, f"data/ lacks files the script writes: {missing}; {hint}"
    assert not different, f"data/ differs from the script's output in: {different}; {hint}"
    assert not stale, f"data/observations/ or data/comparators/ has files the script does not write (every file there is read): {stale}"


def _rows(path: Path, columns: list[str]) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8") as f:
        return [[row[c] for c in columns] for row in csv.DictReader(f)]


def test_independent_calculator_agrees_with_pmlib_on_every_demo_status():
    """The demo script judges its data with its own code, written from the contract; pmlib must agree."""
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from demo_data.measures import MEASURES
        from demo_data.periods import quarter_code
        from demo_data.status import Calculator
    finally:
        sys.path.remove(str(SCRIPT.parent))
    import pmlib

    obs_columns = ["measure_id", "period", "value", "numerator", "denominator", "quality", "note", "reported_on"]
    observations = [r for p in sorted((DATA / "observations").glob("*.csv")) for r in _rows(p, obs_columns)]
    targets = _rows(DATA / "targets.csv", ["measure_id", "year", "period", "target", "intervention", "agreed_on", "reason"])
    forecasts = _rows(DATA / "forecasts.csv", ["measure_id", "period", "forecast", "reported_on", "note"])
    calculator = Calculator({m.id: m for m in MEASURES}, observations, targets, forecasts)
    expected, outlooks = calculator.all(), calculator.outlooks()

    data = pmlib.load_data(DATA)
    mismatches = []
    for params_file in sorted((REPO / "params").glob("*.yml")):
        params = pmlib.read_report_params(params_file)
        judged = pmlib.judge(data, [params.quarter], params.data_as_at).set_index("measure_id")
        for (measure_id, rq), case in expected.items():
            if quarter_code(rq) != params.quarter.code:
                continue
            row = judged.loc[measure_id]
            script_target = row["target"] if case.target is None else case.target
            if (row["status"], row["period"], row["target"]) != (case.status, case.period, script_target):
                got = f"pmlib {row['status']} {row['period']} target {row['target']}"
                mismatches.append(f"{measure_id} {params.quarter.code}: {got}, script {case.status} {case.period} target {case.target}")
            outlook = outlooks.get((measure_id, rq))
            kind = row["forecast_kind"] if isinstance(row["forecast_kind"], str) else None
            script = (outlook.kind, outlook.status, outlook.value) if outlook else (None, None, None)
            if kind != script[0] or (outlook and (row["forecast_status"], row["forecast"]) != script[1:]):
                got = f"pmlib year end {kind} {row['forecast']} {row['forecast_status']}"
                mismatches.append(f"{measure_id} {params.quarter.code}: {got}, script {script}")
    assert sum(1 for _ in expected) == len(MEASURES) * 6
    assert not mismatches, "\n".join(mismatches)
