"""The performance data journey end to end: returns out, filled in as a service unit would, read back in, published.

A small council publishes 2021/22 Q1; the Q2 returns are written, filled in
with openpyxl, and read in; a Q1 figure is then revised by CSV after Q1 was
published; both quarters are built again. The old quarter must show exactly
what it first showed, the new one the figures entered, with the revision
flagged and traced to the file and row it came from.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from builders import make_data, write_csv
from click.testing import CliRunner
from openpyxl import load_workbook
from site_build import ROOT

from pmlib.cli import main
from pmlib.intake.returns import COMMENTARY_LETTERS, COMMENTARY_SHEET, FIRST_ROW, LETTERS, RETURN_SHEET, SUPPLIED_ON_CELL

pytestmark = pytest.mark.e2e

MEASURES = [
    {"measure_id": "FIN1", "name": "Invoices paid on time", "owner": "Finance", "source_system": "Ledger", "unit": "percent"},
    {
        "measure_id": "HOU1",
        "name": "Homes delivered",
        "owner": "Housing",
        "source_system": "Building Control",
        "unit": "number",
        "frequency": "monthly",
        "aggregation": "sum",
        "ytd": "true",
    },
    {
        "measure_id": "HOU2",
        "name": "Relief cases prevented",
        "owner": "Housing",
        "source_system": "Case system",
        "unit": "percent",
        "frequency": "monthly",
        "aggregation": "ratio",
    },
]
HISTORY = [
    {"measure_id": "FIN1", "period": "2021/22 Q1", "value": "91.5", "reported_on": "2021-07-10"},
    {"measure_id": "FIN1", "period": "2020/21 Q4", "value": "90.1", "reported_on": "2021-04-10"},
    *({"measure_id": "HOU1", "period": p, "value": v, "reported_on": "2021-07-12"} for p, v in (("2021-04", "10"), ("2021-05", "12"))),
    {"measure_id": "HOU1", "period": "2021-06", "value": "9", "reported_on": "2021-07-12"},
    *(
        {"measure_id": "HOU2", "period": p, "numerator": n, "denominator": "50", "reported_on": "2021-07-12"}
        for p, n in (("2021-04", "30"), ("2021-05", "31"), ("2021-06", "33"))
    ),
]
TARGETS = [
    {"measure_id": "FIN1", "year": "2021/22", "target": "95", "intervention": "85"},
    {"measure_id": "HOU1", "year": "2021/22", "target": "120", "intervention": "90"},
    {"measure_id": "HOU2", "year": "2021/22", "target": "60", "intervention": "50"},
]
# What the service units type into the Q2 returns.
ENTERED = {
    ("FIN1", "2021/22 Q2"): {"value": 96.25},
    ("HOU1", "2021-07"): {"value": 11},
    ("HOU1", "2021-08"): {"value": 14},
    ("HOU1", "2021-09"): {"value": 13},
    ("HOU2", "2021-07"): {"numerator": 25, "denominator": 50},
    ("HOU2", "2021-08"): {"numerator": 27, "denominator": 50},
    ("HOU2", "2021-09"): {"numerator": 22, "denominator": 50, "quality": "provisional", "note": "September not yet audited."},
}


# What the service units write on the Q2 returns' Commentary sheets: HOU2 needs intervention, so it gets an action.
SAID = {
    "FIN1": {
        "forecast": 93,
        "forecast_note": "Two suppliers move to the new system in January.",
        "commentary": "Invoices were paid on time after the *new approval workflow* went live.",
    },
    "HOU2": {
        "commentary": "Fewer cases were prevented while two caseworker posts were vacant over the summer.",
        "action": "Fill both posts and bring in agency caseworkers until they start.",
        "action_owner": "Head of Housing Delivery",
        "action_due": dt.date(2022, 3, 31),
    },
}


def pm(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def open_data(site: Path, slug: str) -> dict[str, dict]:
    with (site / "data" / slug / "measures.csv").open(encoding="utf-8", newline="") as f:
        return {r["measure_id"]: r for r in csv.DictReader(f)}


def fill(path: Path, supplied: dt.date) -> None:
    """Fill a return as a service unit would: only the open cells, then save."""
    wb = load_workbook(path)
    ws = wb[RETURN_SHEET]
    ws[SUPPLIED_ON_CELL] = supplied
    for r in range(FIRST_ROW, ws.max_row + 1):
        key = (ws[f"{LETTERS['measure_id']}{r}"].value, ws[f"{LETTERS['period']}{r}"].value)
        for column, value in ENTERED.get(key, {}).items():
            cell = ws[f"{LETTERS[column]}{r}"]
            assert cell.protection.locked is False, f"{cell.coordinate} should be open to fill in"
            cell.value = value
    said = wb[COMMENTARY_SHEET]
    for r in range(FIRST_ROW, said.max_row + 1):
        for column, value in SAID.get(said[f"{COMMENTARY_LETTERS['measure_id']}{r}"].value, {}).items():
            cell = said[f"{COMMENTARY_LETTERS[column]}{r}"]
            assert cell.protection.locked is False, f"Commentary!{cell.coordinate} should be open to fill in"
            cell.value = value
    wb.save(path)


@pytest.fixture(scope="module")
def journey(tmp_path_factory):
    root = tmp_path_factory.mktemp("journey")
    for name in ("notebooks", "_quarto.yml", "_quarto-website.yml", "_quarto-pack.yml", "_extensions"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    make_data(root / "data", MEASURES, HISTORY, TARGETS)
    (root / "params").mkdir()
    for slug, code, meeting, as_at in (("2021-22-Q1", "2021/22 Q1", "2021-09-08", "2021-07-31"),):
        (root / "params" / f"{slug}.yml").write_text(f"quarter: {code}\nmeeting_date: {meeting}\ndata_as_at: {as_at}\n", encoding="utf-8")
    patch = pytest.MonkeyPatch()
    patch.chdir(root)
    try:
        pm("build", "2021-22-Q1", "--renderer", "builtin", "--no-progress")
        first_q1 = (root / "_site" / "data" / "2021-22-Q1" / "measures.csv").read_bytes()
        first_pack = (root / "_site" / "packs" / "2021-22-Q1.pdf").read_bytes()

        (root / "params" / "2021-22-Q2.yml").write_text(
            "quarter: 2021/22 Q2\nmeeting_date: 2021-11-10\ndata_as_at: 2021-10-31\nreturns_due: 2021-10-22\n", encoding="utf-8"
        )
        returns_output = pm("returns", "2021-22-Q2", "--out", "returns")
        workbooks = sorted((root / "returns" / "2021-22-Q2").glob("*.xlsx"))
        for path in workbooks:
            fill(path, dt.date(2021, 10, 20))
        ingest_output = pm("ingest", *(str(p.relative_to(root)) for p in workbooks))
        again_output = pm("ingest", *(str(p.relative_to(root)) for p in workbooks))
        # After Q1 was published, Housing corrects May's homes delivered.
        write_csv(root / "correction.csv", [{"measure_id": "HOU1", "period": "2021-05", "value": "15", "reported_on": "2021-10-15"}])
        pm("ingest", "correction.csv")
        check_output = pm("check", "--quarter", "2021-22-Q2", "--html", "dq.html")
        pm("build", "--all", "--renderer", "builtin", "--no-progress")
    finally:
        patch.undo()
    return {
        "root": root,
        "site": root / "_site",
        "workbooks": workbooks,
        "first_q1": first_q1,
        "first_pack": first_pack,
        "returns_output": returns_output,
        "ingest_output": ingest_output,
        "again_output": again_output,
        "check_output": check_output,
    }


def test_the_returns_say_when_they_are_due_and_ask_for_commentary(journey):
    wb = load_workbook(journey["workbooks"][1])
    assert wb[RETURN_SHEET]["A1"].value.endswith("Due back by Friday 22 October 2021.")
    assert wb[COMMENTARY_SHEET]["A1"].value == "Commentary for 2021/22 Q2: Housing. Due back by Friday 22 October 2021."
    said = wb[COMMENTARY_SHEET]
    assert [said[f"A{r}"].value for r in range(FIRST_ROW, said.max_row + 1)] == ["HOU1", "HOU2"]
    assert "Due back by Friday 22 October 2021." in journey["returns_output"]


def test_commentary_and_action_reach_the_exception_report_in_site_and_pack(journey):
    site = journey["site"]
    q2 = open_data(site, "2021-22-Q2")
    assert q2["HOU2"]["status"] == "intervention"
    assert "housing.xlsx: 6 new figure(s), 0 of them revisions; 0 already held; 1 commentary row(s) added" in journey["ingest_output"]
    with (journey["root"] / "data" / "commentary.csv").open(encoding="utf-8", newline="") as f:
        rows = {r["measure_id"]: r for r in csv.DictReader(f)}
    assert rows["HOU2"]["action_owner"] == "Head of Housing Delivery"
    assert (rows["HOU2"]["action_due"], rows["HOU2"]["reported_on"]) == ("2022-03-31", "2021-10-20")
    pages = " ".join(p.read_text(encoding="utf-8") for p in (site / "reports" / "2021-22-Q2").glob("*.html"))
    assert SAID["HOU2"]["action"] in pages and "Head of Housing Delivery" in pages
    assert "<em>new approval workflow</em>" in pages
    text = subprocess.run(["pdftotext", str(site / "packs" / "2021-22-Q2.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    pack = " ".join(text.split())
    assert SAID["HOU2"]["commentary"] in pack and SAID["HOU2"]["action"] in pack


def test_the_services_year_end_forecast_reaches_the_open_data(journey):
    q2 = open_data(journey["site"], "2021-22-Q2")
    assert (q2["FIN1"]["forecast"], q2["FIN1"]["forecast_kind"], q2["FIN1"]["forecast_status"]) == ("93.0", "forecast", "below_target")
    assert q2["HOU1"]["forecast_kind"] == "projection"  # a year-to-date count with no forecast: at the current rate
    lines = (journey["root"] / "data" / "forecasts.csv").read_text(encoding="utf-8").splitlines()
    assert lines == [
        "measure_id,period,forecast,reported_on,note",
        "FIN1,2021/22 Q2,93,2021-10-20,Two suppliers move to the new system in January.",
    ]


def test_the_data_quality_report_checks_the_deadline(journey):
    out = journey["check_output"]
    assert "Returns not complete by 22 October 2021 (0)" in out
    assert "Intervention without commentary by 22 October 2021" in out


def test_one_return_per_owner_lists_the_periods_the_quarter_needs(journey):
    assert [p.name for p in journey["workbooks"]] == ["finance.xlsx", "housing.xlsx"]
    ws = load_workbook(journey["workbooks"][1])[RETURN_SHEET]
    rows = [(ws[f"A{r}"].value, ws[f"C{r}"].value) for r in range(FIRST_ROW, ws.max_row + 1)]
    assert rows == [("HOU1", f"2021-0{m}") for m in (7, 8, 9)] + [("HOU2", f"2021-0{m}") for m in (7, 8, 9)]
    assert "2 return(s) written" in journey["returns_output"]


def test_published_figures_match_what_was_entered(journey):
    q2 = open_data(journey["site"], "2021-22-Q2")
    assert q2["FIN1"]["value"] == "96.3"  # 96.25 rounded half away from zero to one decimal
    assert q2["FIN1"]["status"] == "on_target"
    assert q2["HOU1"]["value"] == str(10 + 15 + 9 + 11 + 14 + 13)  # year to date, with May's revision
    assert q2["HOU2"]["value"] == f"{(25 + 27 + 22) / 150 * 100:.1f}"
    assert q2["HOU2"]["quality"] == "provisional"
    assert q2["FIN1"]["reported_on"] == "2021-10-20"
    assert q2["FIN1"]["source_system"] == "Ledger"


def test_reading_the_same_returns_again_adds_nothing(journey):
    assert "7 new figure(s)" not in journey["again_output"]
    assert "Nothing new: data is unchanged." in journey["again_output"]
    assert (
        "finance.xlsx: 1 new figure(s), 0 of them revisions; 0 already held; 1 commentary row(s) added; 1 forecast(s) added"
        in (journey["ingest_output"])
    )
    assert "housing.xlsx: 6 new figure(s), 0 of them revisions" in journey["ingest_output"]


def test_the_published_quarter_is_unchanged_by_a_later_revision(journey):
    site = journey["site"]
    assert (site / "data" / "2021-22-Q1" / "measures.csv").read_bytes() == journey["first_q1"]
    assert (site / "packs" / "2021-22-Q1.pdf").read_bytes() == journey["first_pack"]
    assert open_data(site, "2021-22-Q1")["HOU1"]["value"] == "31"


def test_the_current_quarter_flags_the_revision_and_traces_it(journey):
    q2 = open_data(journey["site"], "2021-22-Q2")
    assert q2["HOU1"]["revised"] == "true"
    assert q2["FIN1"]["revised"] == "false"
    rows = q2["HOU1"]["source_rows"].split()
    assert "observations/intake-correction.csv:2" in rows
    assert len(rows) == 6 and all(r.startswith("observations/") for r in rows)
    assert q2["HOU1"]["reported_on"] == "2021-10-20"
    assert "Revisions since the last report (2021/22 Q1, figures as at 31 July 2021) (1)" in journey["check_output"]
    assert "was: 12; now: 15" in journey["check_output"]


def test_every_ingested_row_is_kept_and_logged(journey):
    root = journey["root"]
    with (root / "data" / "intake-log.csv").open(encoding="utf-8", newline="") as f:
        log = list(csv.DictReader(f))
    assert [(r["file"], r["figures_added"], r["written_to"]) for r in log] == [
        ("finance.xlsx", "1", "observations/returns-2021-22-q2-finance.csv commentary.csv forecasts.csv"),
        ("housing.xlsx", "6", "observations/returns-2021-22-q2-housing.csv commentary.csv"),
        ("correction.csv", "1", "observations/intake-correction.csv"),
    ]
    original = (root / "data" / "observations" / "figures.csv").read_text(encoding="utf-8").splitlines()
    assert len(original) == len(HISTORY) + 1


def test_the_manifest_hashes_every_input_and_output(journey):
    site, root = journey["site"], journey["root"]
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    inputs = {f["path"]: f["sha256"] for f in manifest["inputs"]}
    assert "data/observations/returns-2021-22-q2-housing.csv" in inputs
    assert "data/intake-log.csv" in inputs and "params/2021-22-Q2.yml" in inputs and "notebooks/plan.ipynb" in inputs
    import hashlib

    for path, digest in inputs.items():
        assert hashlib.sha256((root / path).read_bytes()).hexdigest() == digest, path
    outputs = {f["path"] for f in manifest["outputs"]}
    assert {"packs/2021-22-Q2.pdf", "data/2021-22-Q2/measures.csv", "index.html"} <= outputs
    assert [q["quarter"] for q in manifest["quarters"]] == ["2021/22 Q1", "2021/22 Q2"]
    assert str(root) not in (site / "manifest.json").read_text(encoding="utf-8")
