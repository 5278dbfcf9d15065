"""Build small data folders for tests: a few rows each, the rest filled with contract defaults."""

from __future__ import annotations

import csv
from pathlib import Path

PLAN = {"plan_id": "p1", "name": "Plan One", "description": "", "portfolio_holder": "", "lead_officer": "", "sdgs": "", "order": "1"}
MEASURE = {
    "measure_id": "M1",
    "plan_id": "p1",
    "name": "Measure one",
    "definition": "",
    "unit": "percent",
    "polarity": "higher",
    "frequency": "quarterly",
    "aggregation": "mean",
    "ytd": "false",
    "lag": "0",
    "decimals": "",
    "source_system": "",
    "owner": "",
    "public": "true",
    "disclosure_min": "0",
    "baseline_period": "",
    "baseline_value": "",
    "sdgs": "",
}
COUNCIL = "name: Test Council\nshort_name: Test\nstatus_method: {method}\ntolerance_pct: {tolerance}\n"


# A year of quarterly reports (slug, code, meeting, data_as_at) and when each quarter's figures were supplied, by quarter number.
PARAMS = "quarter: {q}\nmeeting_date: {meet}\ndata_as_at: {asat}\n"
QUARTERS = [
    ("2020-21-Q1", "2020/21 Q1", "2020-09-09", "2020-07-31"),
    ("2020-21-Q2", "2020/21 Q2", "2020-11-11", "2020-10-31"),
    ("2020-21-Q3", "2020/21 Q3", "2021-02-10", "2021-01-31"),
    ("2020-21-Q4", "2020/21 Q4", "2021-06-09", "2021-04-30"),
]
REPORTED = {1: "2020-07-10", 2: "2020-10-10", 3: "2021-01-10", 4: "2021-04-10"}


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    """Write rows as a UTF-8 CSV with the given (or the first row's) columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = columns or (list(rows[0]) if rows else [])
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, columns, lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({k: row.get(k, "") for k in columns})
    return path


def make_data(
    folder: Path,
    measures: list[dict],
    observations: list[dict],
    targets: list[dict] = (),
    method: str = "intervention",
    tolerance: float = 5,
) -> Path:
    """A complete data folder; each measure dict overrides ``MEASURE`` defaults."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "council.yml").write_text(COUNCIL.format(method=method, tolerance=tolerance), encoding="utf-8")
    write_csv(folder / "plans.csv", [PLAN])
    write_csv(folder / "measures.csv", [MEASURE | m for m in measures], list(MEASURE))
    write_csv(folder / "targets.csv", list(targets), ["measure_id", "year", "period", "target", "intervention"])
    obs_cols = ["measure_id", "period", "value", "numerator", "denominator", "quality", "note", "reported_on"]
    write_csv(folder / "observations" / "figures.csv", [{"reported_on": "2022-01-01"} | o for o in observations], obs_cols)
    return folder
