"""The open data file says exactly what the report says, for tools as well as readers."""

import csv
import json
from pathlib import Path

from pmlib import quarter_report
from pmlib.views.disclosure import SUPPRESSED
from pmlib.views.open_data import CHANGE_COLUMNS, COLUMNS, COMPARISON_COLUMNS, OPEN_DATA_FILES, write_open_data

ROOT = Path(__file__).parents[1]


def key(trend) -> str:
    return trend if isinstance(trend, str) else ""


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_open_data_matches_the_judged_quarter(tmp_path):
    report = quarter_report("2021-22-Q2", ROOT / "data", ROOT / "params")
    written = write_open_data(report, tmp_path)
    assert [p.name for p in written] == list(OPEN_DATA_FILES)  # the demo compares BCP with other areas: comparisons.csv too
    csv_path, changes_path, comparisons_path, package_path = written
    rows, changes = (_rows(path) for path in (csv_path, changes_path))
    judged = report.judged.set_index("measure_id")
    assert [r["measure_id"] for r in rows] == list(report.judged["measure_id"])
    assert "MC09" not in {r["measure_id"] for r in rows}  # public: false
    for r in rows:
        j = judged.loc[r["measure_id"]]
        assert (r["status"], r["period"]) == (j["status"], j["period"])
        assert r["short_trend"] == key(j["short_trend"]) and r["long_trend"] == key(j["long_trend"])
        if j["suppressed"]:
            assert r["value"] == "[c]"
        elif j["status"] == "no_data":
            assert r["value"] == "[x]"
        else:
            assert abs(float(r["value"]) - j["value"]) < 1e-9
        kind = key(j["forecast_kind"])
        assert (r["forecast_kind"], r["forecast_status"]) == (kind, key(j["forecast_status"]) if kind else "")
        if not kind:
            assert r["forecast"] == ""
        elif j["forecast_suppressed"]:
            assert r["forecast"] == SUPPRESSED
        else:
            assert abs(float(r["forecast"]) - j["forecast"]) < 1e-9
    assert next(r for r in rows if r["measure_id"] == "BF07")["value"] == "[c]"
    package = json.loads(package_path.read_text(encoding="utf-8"))
    fields = package["resources"][0]["schema"]["fields"]
    assert [f["name"] for f in fields] == [c for c, _, _ in COLUMNS] == list(rows[0])
    assert package["resources"][0]["path"] == "measures.csv" and package["licenses"][0]["name"] == "OGL-UK-3.0"
    assert package["resources"][1]["path"] == "changes.csv"
    assert [f["name"] for f in package["resources"][1]["schema"]["fields"]] == [c for c, _, _ in CHANGE_COLUMNS]
    # The same changes as the overview lists, none of a restricted measure.
    listed = report.changes
    assert [(c["measure_id"], c["kind"]) for c in changes] == list(zip(listed["measure_id"], listed["kind"], strict=True))
    assert "MC09" not in {c["measure_id"] for c in changes}
    # One row per public measure and group, as the engine compared them.
    compared = _rows(comparisons_path)
    table = report.comparisons.table
    assert [(c["measure_id"], c["group_id"], c["period"]) for c in compared] == list(
        zip(table["measure_id"], table["group_id"], table["period"], strict=True)
    )
    assert [r["name"] for r in package["resources"]] == ["measures", "changes", "comparisons"]
    assert [f["name"] for f in package["resources"][2]["schema"]["fields"]] == [c for c, _, _ in COMPARISON_COLUMNS] == list(compared[0])


def test_open_data_is_byte_identical_when_written_twice(tmp_path):
    report = quarter_report("2020-21-Q4", ROOT / "data", ROOT / "params")
    first = [p.read_bytes() for p in write_open_data(report, tmp_path / "a")]
    second = [p.read_bytes() for p in write_open_data(report, tmp_path / "b")]
    assert first == second
