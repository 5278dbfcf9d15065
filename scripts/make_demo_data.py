"""Write the demo council's data folder (BCP Council) from the tables in ``scripts/demo_data``.

Usage: ``python scripts/make_demo_data.py [--out DIR] [--quiet]`` (default
``data/`` at the repository root). Deterministic: the same files, byte for
byte, on every run, so ``tests/test_demo_data.py`` can check that the
committed ``data/`` is exactly what this script makes. Real figures are read
from ``../shared/realdata`` beside the repository (Open Government Licence
v3.0); everything else is illustrative. A status summary per report quarter
is printed so the designed mix of statuses can be checked by eye.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_data import text  # noqa: E402
from demo_data.comparators import COMPARATOR_COLUMNS, GROUP_COLUMNS, comparator_files  # noqa: E402
from demo_data.generate import (  # noqa: E402
    FORECAST_COLUMNS,
    TARGET_COLUMNS,
    baseline,
    forecast_rows,
    illustrative,
    observation_rows,
    real,
    target_rows,
)
from demo_data.la_codes import check_or_write  # noqa: E402
from demo_data.measures import LATE_FORECAST, MEASURES, PLANS, Measure  # noqa: E402
from demo_data.readme import readme  # noqa: E402
from demo_data.real import read_all  # noqa: E402
from demo_data.status import Calculator, summary  # noqa: E402

from pmlib.contract.config import read_report_params  # noqa: E402
from pmlib.contract.tables import TABLES  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
OBSERVATION_COLUMNS = [c.name for c in TABLES["observations"]]
MEASURE_COLUMNS = [c.name for c in TABLES["measures.csv"] if c.name != "shared_service"]  # one council: no shared services
COUNCIL_YML = """\
name: Bournemouth, Christchurch and Poole Council
short_name: BCP Council
status_method: intervention
tolerance_pct: 5
contact_url: https://www.bcpcouncil.gov.uk/
area_code: E06000058
"""


def write_csv(path: Path, header: list[str], rows: list[list[str]], written: list[Path]) -> None:
    """UTF-8, ``\\n`` line endings, minimal quoting: the same bytes on every platform."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    written.append(path)


def write_text(path: Path, content: str, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8"))
    written.append(path)


def complete_real_measures(measures: list[Measure], series: dict) -> None:
    """Real measures take their name and, where the source states one, their direction from the published file."""
    for m in measures:
        if m.real:
            s = series[m.real]
            m.name = m.name or s.name
            m.definition = m.definition or f"{s.name}, as published in the {s.source}."
            if s.polarity and s.polarity != m.polarity:
                raise SystemExit(f"{m.id}: source says polarity {s.polarity}, table says {m.polarity}")


def measure_rows(measures: list[Measure], obs: dict[str, list]) -> list[list[str]]:
    """measures.csv: contract columns only; defaults written out so the file reads on its own."""
    rows = []
    for m in measures:
        period, value = baseline(m, obs[m.id])
        rows.append(
            [
                m.id,
                m.plan,
                m.name,
                m.definition,
                m.unit,
                m.polarity,
                m.frequency,
                m.aggregation,
                str(m.ytd).lower(),
                str(m.lag),
                str(m.dp),
                m.source_system,
                m.owner,
                str(m.public).lower(),
                str(m.disclosure_min),
                period,
                value,
                m.sdgs,
            ]
        )
    return rows


def returns_due(params: Path) -> dict[str, dt.date]:
    """Each report quarter's returns_due from the demo's params files: the commentary comes in with the returns."""
    out = {}
    for path in sorted(params.glob("*.yml")):
        p = read_report_params(path)
        if p.returns_due is None:
            raise SystemExit(f"{path}: the demo's params files each give returns_due")
        out[p.quarter.code] = p.returns_due
    return out


def check_forecast_dates(forecasts: list[list[str]], due: dict[str, dt.date]) -> None:
    """Forecasts come in with the quarter's return, by its returns_due; only ``LATE_FORECAST`` comes after it."""
    for mid, period, _forecast, reported_on, _note in forecasts:
        late = dt.date.fromisoformat(reported_on) > due[period]
        if late != ((mid, period) == LATE_FORECAST):
            raise SystemExit(f"forecast {mid} {period} reported_on {reported_on}: returns_due is {due[period]}")


def build(out: Path, quiet: bool = False, write_la_codes: bool = False) -> list[Path]:
    """Write every file of the data folder into ``out``; return the paths written.

    First checks that pmlib's shipped DfE LA number -> ONS code table is what
    the real data gives (``write_la_codes``: write it again instead).
    """
    la_codes = check_or_write(write_la_codes)
    series = read_all()
    complete_real_measures(MEASURES, series)
    by_id = {m.id: m for m in MEASURES}
    obs = {m.id: real(m, series[m.real]) if m.real else illustrative(m) for m in MEASURES}

    written: list[Path] = []
    write_text(out / "council.yml", COUNCIL_YML, written)
    write_csv(
        out / "plans.csv",
        ["plan_id", "name", "description", "portfolio_holder", "lead_officer", "sdgs", "order"],
        [[*p, str(i)] for i, p in enumerate(PLANS, 1)],
        written,
    )
    write_csv(out / "measures.csv", MEASURE_COLUMNS, measure_rows(MEASURES, obs), written)
    targets = [row for m in MEASURES for row in target_rows(m)]
    write_csv(out / "targets.csv", TARGET_COLUMNS, targets, written)
    forecasts = [row for m in MEASURES for row in forecast_rows(m)]
    due = returns_due(REPO / "params")
    check_forecast_dates(forecasts, due)
    write_csv(out / "forecasts.csv", FORECAST_COLUMNS, forecasts, written)

    all_rows = []
    for file in sorted({m.file for m in MEASURES}):
        rows = observation_rows([r for m in MEASURES if m.file == file for r in obs[m.id]], by_id)
        write_csv(out / "observations" / f"{file}.csv", OBSERVATION_COLUMNS, rows, written)
        all_rows += rows

    calculator = Calculator(by_id, all_rows, targets, forecasts)
    judged, outlooks = calculator.all(), calculator.outlooks()
    write_csv(
        out / "commentary.csv",
        ["measure_id", "period", "commentary", "action", "action_owner", "action_due", "reported_on"],
        text.commentary_rows(judged, by_id, due),
        written,
    )
    write_csv(out / "actions.csv", ["action_id", "plan_id", "title", "lead", "due"], text.action_rows(), written)
    write_csv(out / "action_updates.csv", ["action_id", "period", "status", "update"], text.action_update_rows(), written)
    comparators = comparator_files(MEASURES, {m.id: sorted(series[m.real].values) for m in MEASURES if m.real})
    write_csv(out / "comparator_groups.csv", GROUP_COLUMNS, comparators.groups, written)
    for name, rows in comparators.files.items():
        write_csv(out / "comparators" / name, COMPARATOR_COLUMNS, rows, written)
    write_text(out / "README.md", readme(MEASURES, series, judged, outlooks, comparators, la_codes), written)
    if not quiet:
        print(summary(judged, by_id, outlooks))
        print(f"\nwrote {len(written)} files to {out}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "data", help="folder to write (default: data/ at the repository root)")
    parser.add_argument("--quiet", action="store_true", help="do not print the status summary")
    parser.add_argument(
        "--write-la-codes", action="store_true", help="write pmlib/intake/dfe_la_codes.csv again from the real data (default: check it)"
    )
    args = parser.parse_args(argv)
    build(args.out, args.quiet, args.write_la_codes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
