"""The example's README.md: what it is, how it is built, and where every figure came from."""

from __future__ import annotations

from demo_data import periods as P

from shared_example import figures as G
from shared_example.councils import Council
from shared_example.definitions import SHARED
from shared_example.text import JOINT_TARGETS

INTRO = """\
# Example: Chorley and South Ribble shared services

A second example project for pmlib, with two councils that share services and
one Corporate Performance Framework (Plan, Measure, Review, Revise), laid out
as the data contract's "Shared services: several councils, one framework (v2,
optional)" describes: `councils.yml` names the two councils' folders, each kept
exactly as a single council would keep its `data/` and `params/`, and the
joint reports to the Shared Services Joint Committee.

Build it (website, packs and open data for both councils and the joint reports) with

    make shared-example

which runs `pm build --latest --councils examples/chorley-south-ribble/councils.yml`.
To see each edit to a council's data on the pages as you work, serve it with

    pm preview --councils examples/chorley-south-ribble/councils.yml

Each council also builds on its own, as a single council, for example

    pm build --latest --data examples/chorley-south-ribble/councils/chorley/data \\
        --params examples/chorley-south-ribble/councils/chorley/params

**Do not edit these files by hand**: they are written by
`scripts/make_shared_example.py` (tables in `scripts/shared_example/`), and
`tests/test_shared_example.py` checks that the files here are byte-identical to
what the script writes. Change the tables and run

    .venv/bin/python scripts/make_shared_example.py

## Real and illustrative figures

Contains public sector information licensed under the Open Government Licence v3.0.

The only real figures are each council's **net additional dwellings per 1,000
stock** (`CH01`, `SR01`), from ONS Explore Local Statistics, read from
`../shared/realdata` beside the repository (see below). **Every other figure,
every target and intervention level, all commentary and actions, and the plan
descriptions and portfolio titles are illustrative**: invented, with realistic
magnitudes, for demonstration and testing. They are not the performance of
Chorley Council or South Ribble Borough Council and must not be quoted as such.
The plan names follow the themes of each council's corporate strategy; the
source systems named are what such figures would typically come from.
"""


def _layout(cs: list[Council]) -> str:
    return """\
## Files

| path | what |
| --- | --- |
| `councils.yml` | the project: its name, the two councils in display order, the joint reports' params and targets |
| `councils/<id>/data/council.yml` | the council: names, `status_method: tolerance`, `tolerance_pct: 5`, `contact_url`, `area_code` |
| `councils/<id>/data/plans.csv` | the council's corporate strategy themes, and a `shared-services` plan holding the shared measures |
| `councils/<id>/data/measures.csv` | the council's own measures and the shared ones, with a `shared_service` column (blank for its own) |
| `councils/<id>/data/targets.csv` | targets; intervention levels are blank, so they follow from the 5% tolerance |
| `councils/<id>/data/observations/` | `shared-services.csv`, `council-services.csv` (illustrative), `real-official-statistics.csv` (real) |
| `councils/<id>/data/commentary.csv` | officers' commentary and corrective actions, dated (`reported_on`) as they came in |
| `councils/<id>/params/` | one file per report quarter |
| `joint/params/` | one file per joint report |
| `joint/targets.csv` | targets for combined figures |
"""


def _reports(cs: list[Council]) -> str:
    lines = ["## Reports", "", "Figures cover April 2023 to September 2025 (annual figures 2022/23 to 2024/25).", ""]
    lines += ["| quarter | data_as_at | returns_due | " + " | ".join(f"{c.short_name}: {c.meeting}" for c in cs) + " | joint report |"]
    lines += ["| --- | --- | --- | " + " | ".join("---" for _ in cs) + " | --- |"]
    for q in G.REPORT_QUARTERS:
        meetings = [G.params_text(c, q).split("meeting_date: ")[1].split("\n")[0] for c in cs]
        joint = G.joint_params_text(q).split("meeting_date: ")[1].split("\n")[0] if q in G.JOINT_QUARTERS else ""
        joint = f"Shared Services Joint Committee, {joint}" if joint else ""
        lines.append(f"| {P.quarter_code(q)} | {G.data_as_at(q)} | {G.returns_due(q)} | " + " | ".join(meetings) + f" | {joint} |")
    lines += ["", "Joint targets (`joint/targets.csv`), for the combined figures:", ""]
    lines += ["| measure_id | year | target |", "| --- | --- | ---: |"]
    lines += [f"| `{m}` | {y} | {t} |" for m, y, _, t, _ in JOINT_TARGETS]
    return "\n".join(lines) + "\n"


def _shared(cs: list[Council]) -> str:
    lines = ["## Shared measures", "", "One definition in both councils; each council's own figures and targets.", ""]
    lines += ["| measure_id | name | shared_service | unit | frequency | aggregation | combined figure | notes |"]
    lines += ["| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for d in SHARED:
        notes = []
        for c in cs:
            f = next(f for dd, f in c.measures if dd.id == d.id)
            if not f.public:
                notes.append(f"restricted (`public: false`) in {c.short_name}")
            if f.disclosure_min:
                notes.append(f"`disclosure_min: {f.disclosure_min}` in {c.short_name}")
        combined = "yes" if d.aggregation in ("sum", "ratio") else "no"
        extra = ", year to date" if d.ytd else ""
        lines.append(
            f"| `{d.id}` | {d.name} | {d.service} | {d.unit} | {d.frequency} | {d.aggregation}{extra} | {combined} | {'; '.join(notes)} |"
        )
    return "\n".join(lines) + "\n"


def _own(cs: list[Council]) -> str:
    lines = ["## Each council's own measures", ""]
    lines += ["| council | measure_id | name | plan | figures | notes |", "| --- | --- | --- | --- | --- | --- |"]
    for c in cs:
        for d, f in c.measures:
            if d.service:
                continue
            figures = "**real** (ONS Explore Local Statistics)" if d.real else f"illustrative (as if from {d.source_system})"
            notes = [n for n in (f"`disclosure_min: {f.disclosure_min}`" if f.disclosure_min else "",
                                 f"lag {d.lag}" if d.lag else "", "year to date" if d.ytd else "") if n]  # fmt: skip
            lines.append(f"| {c.short_name} | `{d.id}` | {d.name} | `{f.plan}` | {figures} | {', '.join(notes)} |")
    return "\n".join(lines) + "\n"


def _real(cs: list[Council], els: dict, source: dict[str, str]) -> str:
    lines = [
        "## Real figures: source and how they were read",
        "",
        "- Source: ONS Explore Local Statistics, *Net additions to the housing stock* (net additional dwellings per "
        "1,000 stock, from MHCLG Live Table 122), file `ons-els-net-additional-dwellings/net-additions-to-the-housing-stock.csv` "
        f"in `../shared/realdata`, copied from {source.get('Repository', '')} at commit {source.get('Commit', '')} "
        "(see that folder's `SOURCE.txt`). Open Government Licence v3.0.",
        "- Rows are chosen by `areacd` (Chorley `E07000118`, South Ribble `E07000126`); periods are ISO 8601 intervals, "
        "`2024-04-01/P1Y` = 2024/25; the file starts with a UTF-8 byte-order mark. Values are used as published.",
        "- The measures are annual with `last` aggregation, lag 0 and 0 decimals, as the BCP demo's `DP01`; "
        "`rate_per_1000` here is a published rate given as a value, never negative for these councils.",
        "- `reported_on` (as in the BCP demo): each year's figure first arrives as the council's own **provisional** "
        "housing monitoring figure in May after the year ends, then again, validated and with the same value, on the "
        "approximate date of the national statistics in late November. So the 2024/25 Q1 to Q3 reports show 2023/24 "
        "(provisional until 28 November 2024), the 2024/25 Q4 reports have no figure yet for 2024/25 (`no_data`, "
        "with 2023/24 shown as context), and the 2025/26 Q1 and Q2 reports show 2024/25 (provisional). "
        "2022/23 is there for the 2023/24 figure's trend.",
        "",
        "| council | measure_id | year | value | provisional (council's own figure) | validated (national publication) |",
        "| --- | --- | --- | ---: | --- | --- |",
    ]
    for c in cs:
        for d, _ in c.measures:
            if d.real:
                for fy, value in sorted(els[d.real].items()):
                    prov, val = c.els_dates[fy]
                    lines.append(f"| {c.short_name} | `{d.id}` | {P.fy_code(fy)} | {value:g} | {prov} | {val} |")
    return "\n".join(lines) + "\n"


def readme(cs: list[Council], els: dict, source: dict[str, str]) -> str:
    parts = [INTRO, _layout(cs), _reports(cs), _shared(cs), _own(cs), _real(cs, els, source)]
    return "\n".join(parts)
