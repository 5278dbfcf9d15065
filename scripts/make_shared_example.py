"""Write the Chorley and South Ribble shared-services example project from the tables in ``scripts/shared_example``.

Usage: ``python scripts/make_shared_example.py [--out DIR] [--realdata DIR] [--quiet]``
(default ``examples/chorley-south-ribble/`` at the repository root).
Deterministic: the same files, byte for byte, on every run, so
``tests/test_shared_example.py`` can check that the committed example is
exactly what this script makes. The net additional dwellings are real (ONS
Explore Local Statistics, read from ``../shared/realdata`` beside the
repository; Open Government Licence v3.0); everything else is illustrative.
Unless ``--quiet``, each council's statuses per report quarter are printed
(judged by pmlib) so the designed mix can be checked by eye.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import zlib
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_data import periods as P  # noqa: E402
from shared_example import figures as G  # noqa: E402
from shared_example.councils import Council, councils  # noqa: E402
from shared_example.readme import readme  # noqa: E402
from shared_example.text import JOINT_TARGETS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "examples" / "chorley-south-ribble"
REALDATA = REPO.parent / "shared" / "realdata"
# Fixed here, not taken from pmlib, so the files do not change when pmlib's own column list does.
MEASURE_COLUMNS = [
    "measure_id", "plan_id", "name", "definition", "unit", "polarity", "frequency", "aggregation", "ytd", "lag", "decimals",
    "source_system", "owner", "public", "disclosure_min", "baseline_period", "baseline_value", "sdgs", "shared_service",
]  # fmt: skip
OBSERVATION_COLUMNS = ["measure_id", "period", "value", "numerator", "denominator", "quality", "note", "reported_on"]
TARGET_COLUMNS = ["measure_id", "year", "period", "target", "intervention"]
COMMENTARY_COLUMNS = ["measure_id", "period", "commentary", "action", "action_owner", "action_due", "reported_on"]
COUNCILS_YML = """\
name: Chorley and South Ribble Shared Services
councils:
  - id: chorley
    data: councils/chorley/data
    params: councils/chorley/params
  - id: south-ribble
    data: councils/south-ribble/data
    params: councils/south-ribble/params
joint:
  params: joint/params
  targets: joint/targets.csv
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


def council_yml(c: Council) -> str:
    return (
        f"name: {c.name}\nshort_name: {c.short_name}\nstatus_method: tolerance\ntolerance_pct: 5\n"
        f"contact_url: {c.contact_url}\narea_code: {c.area_code}\n"
    )


def commentary_rows(c: Council) -> list[list[str]]:
    """Commentary comes in with the quarter's returns, a day or two before returns_due."""
    rows = []
    for mid, quarter, text, action, owner, due in c.commentary:
        q = P.quarter_index(quarter)
        reported = G.returns_due(q) - dt.timedelta(days=zlib.crc32(f"{c.id}|{mid}|{quarter}".encode()) % 3)
        rows.append([mid, quarter, text, action, owner, due, reported.isoformat()])
    return rows


def write_council(c: Council, els: dict, folder: Path, written: list[Path]) -> None:
    data = folder / "data"
    write_text(data / "council.yml", council_yml(c), written)
    write_csv(data / "plans.csv", ["plan_id", "name", "description", "portfolio_holder", "lead_officer", "sdgs", "order"],
              [[*p, str(i)] for i, p in enumerate(c.plans, 1)], written)  # fmt: skip
    order = {d.id: d for d, _ in c.measures}
    obs = {d.id: G.real(d, els[d.real], c.els_dates) if d.real else G.illustrative(c.id, d, f) for d, f in c.measures}
    rows = []
    for d, f in c.measures:
        period, value = G.baseline(d, obs[d.id])
        rows.append([d.id, f.plan, d.name, d.definition, d.unit, d.polarity, d.frequency, d.aggregation, str(d.ytd).lower(),
                     str(d.lag), str(d.dp), d.source_system, d.owner, str(f.public).lower(), str(f.disclosure_min), period,
                     value, d.sdgs, d.service])  # fmt: skip
    write_csv(data / "measures.csv", MEASURE_COLUMNS, rows, written)
    write_csv(data / "targets.csv", TARGET_COLUMNS, [r for d, f in c.measures for r in G.target_rows(d, f)], written)
    files = {"shared-services": [d for d, _ in c.measures if d.service],
             "council-services": [d for d, _ in c.measures if not d.service and not d.real],
             "real-official-statistics": [d for d, _ in c.measures if d.real]}  # fmt: skip
    for name, defs in files.items():
        file_rows = G.observation_rows([r for d in defs for r in obs[d.id]], order)
        write_csv(data / "observations" / f"{name}.csv", OBSERVATION_COLUMNS, file_rows, written)
    write_csv(data / "commentary.csv", COMMENTARY_COLUMNS, commentary_rows(c), written)
    for q in G.REPORT_QUARTERS:
        write_text(folder / "params" / f"{P.quarter_slug(q)}.yml", G.params_text(c, q), written)


def build(out: Path, realdata: Path) -> tuple[list[Path], list[Council]]:
    """Write every file of the example into ``out``; return the paths written and the councils."""
    cs = councils()
    els = G.read_els(realdata, {d.real for c in cs for d, _ in c.measures if d.real})
    written: list[Path] = []
    write_text(out / "councils.yml", COUNCILS_YML, written)
    for c in cs:
        write_council(c, els, out / "councils" / c.id, written)
    for q in G.JOINT_QUARTERS:
        write_text(out / "joint" / "params" / f"{P.quarter_slug(q)}.yml", G.joint_params_text(q), written)
    write_csv(out / "joint" / "targets.csv", TARGET_COLUMNS, JOINT_TARGETS, written)
    source = (realdata / G.ELS_FILE.parent / "SOURCE.txt").read_text(encoding="utf-8").splitlines()
    fields = dict(line.split(":", 1) for line in source if line[:1].isalpha() and ":" in line)
    write_text(out / "README.md", readme(cs, els, {k.strip(): v.split("(")[0].strip() for k, v in fields.items()}), written)
    return written, cs


def summary(out: Path, cs: list[Council]) -> str:
    """Each council's statuses per report quarter, judged by pmlib, and any intervention without commentary."""
    import pmlib

    lines = []
    for c in cs:
        data = pmlib.load_data(out / "councils" / c.id / "data")
        said = {(mid, quarter) for mid, quarter, *_ in c.commentary}
        lines.append(f"\n{c.name}")
        for path in sorted((out / "councils" / c.id / "params").glob("*.yml")):
            params = pmlib.read_report_params(path)
            judged = pmlib.judge(data, [params.quarter], params.data_as_at)
            counts = Counter(judged["status"])
            worst = [f"{r.measure_id}:{r.status[:5]}" for r in judged.itertuples() if r.status in ("intervention", "below_target")]
            lines.append(f"  {params.quarter.code}: {dict(sorted(counts.items()))}  {' '.join(worst)}")
            missing = [
                r.measure_id for r in judged.itertuples() if r.status == "intervention" and (r.measure_id, params.quarter.code) not in said
            ]
            if missing:
                lines.append(f"    intervention without commentary: {missing}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write (default: examples/chorley-south-ribble/)")
    parser.add_argument("--realdata", type=Path, default=REALDATA, help="the real public data (default: ../shared/realdata)")
    parser.add_argument("--quiet", action="store_true", help="do not print the status summary")
    args = parser.parse_args(argv)
    written, cs = build(args.out, args.realdata)
    if not args.quiet:
        print(summary(args.out, cs))
        print(f"\nwrote {len(written)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
