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
