"""data/README.md, generated from the same tables as the data so the two cannot drift apart."""

from __future__ import annotations

from demo_data import periods as P
from demo_data.comparators import ENGLAND, GROUPS, Comparators
from demo_data.generate import plain, round_half_away
from demo_data.measures import LATE_FORECAST, REAL_SCHEDULE, Measure
from demo_data.real import RealSeries
from demo_data.status import Calculator, Judged, Outlook
from demo_data.text import EARLIER_COMMENTARY, LATE_COMMENTARY, MISSING_COMMENTARY, show

OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
SOURCES = {
    "ons": (
        "ONS Explore Local Statistics, net additions to the housing stock (from MHCLG Live Table 122)",
        "`ons-els-net-additional-dwellings/net-additions-to-the-housing-stock.csv`, area E06000058",
    ),
    "oflog": (
        "Oflog Local Authority Data Explorer, adult social care metrics (NHS England ASCOF / Skills for Care)",
        "`oflog-adult-social-care/ASC_data.csv`, authority E06000058, code {key}",
    ),
    "lait": (
        "DfE Local Authority Interactive Tool (LAIT)",
        "`dfe-lait-childrens-services/bds_long_0.parquet`, LA number 839, Short Desc `{key}`",
    ),
}

HEAD = """\
# Demo data: Bournemouth, Christchurch and Poole Council

This folder is the demo council's data, laid out exactly as the data contract
(`data-contract.md`, v2) describes, with its optional v2 files and columns
(forecasts, dated target revisions, dated commentary). **Do not edit it by hand**: it is written by
`scripts/make_demo_data.py` (tables in `scripts/demo_data/`), and
`tests/test_demo_data.py` checks that the files here are byte-identical to what
the script writes. Change the tables and run

    .venv/bin/python scripts/make_demo_data.py

{ogl}

Real figures are BCP Council's published official statistics, read from
`../shared/realdata` (see each folder's `SOURCE.txt`); every other figure,
every target and all commentary and actions are **illustrative**: invented, with
realistic magnitudes, for demonstration and testing. They are not BCP Council's
performance and must not be quoted as such.

## Files

| file | what |
| --- | --- |
| `council.yml` | BCP Council, `status_method: intervention`, `tolerance_pct: 5`, `contact_url` (accessibility statement), `area_code` |
| `plans.csv` | the six delivery plans of the Corporate Strategy |
| `measures.csv` | {n_measures} measures of success ({n_real} real, {n_ill} illustrative) |
| `targets.csv` | targets and intervention levels for 2020/21, 2021/22 (2019/20 where needed); `agreed_on`, `reason` of in-year revisions |
| `forecasts.csv` | services' year-end forecasts made in 2020/21 Q2-Q3 and 2021/22 Q1-Q2, each dated (`reported_on`), with a note |
| `observations/*.csv` | figures, one file per source or service: {files} |
| `commentary.csv` | officers' commentary and corrective actions, each dated (`reported_on`) as it came in with the quarter's returns |
| `actions.csv`, `action_updates.csv` | delivery plan actions and their quarterly updates |
| `comparator_groups.csv` | the areas BCP is compared with, in {n_groups} groups (see Comparators below) |
| `comparators/*.csv` | other areas' real published figures for the {n_real} real measures, one file per source: {comparator_files} |

Figures cover 2019/20 (the baseline year) to 2021/22 Q2: monthly figures to
2021-09, quarterly to 2021/22 Q2, annual to 2020/21 (the latest year published
by the last report's `data_as_at`); `MC10`, new in 2021/22, from 2021-04. The six reports are 2020/21 Q1 to 2021/22 Q2,
each with `data_as_at` the last day of the month after the quarter ends and
`returns_due` (the deadline for service units' returns) the Friday a week
before it.

## Status mix by report quarter

As computed by the script's own implementation of the contract's status rules
(all {n_measures} measures, including the restricted one):

{mix}
"""

REAL_NOTES = """\
## Real figures: how they were read

- **ONS** (`DP01`): the CSV starts with a UTF-8 byte-order mark; periods are ISO 8601
  intervals, `2020-04-01/P1Y` = 2020/21. BCP (E06000058) has figures from 2020/21
  only; predecessor councils' codes (E06000028, E06000029, E07000048) are not used.
- **Oflog** (`FL01`-`FL03`, codes ASC5, ASC6, ASC7): name from `Measure` less its
  `Outcome, ` prefix; direction from `rank_order` (case-insensitive: `desc` = higher
  is better, `None` = no direction). Values are kept to 3 decimals. ASC1-ASC4 were not
  used because BCP has no 2020/21 figure for them (the user surveys were not run
  during the pandemic).
- **DfE LAIT** (`BF01`-`BF04`): `Data item` is forward-filled; `-` is missing; names
  and direction (`Polarity`: High, Low, `-`) come from `lait_data_dictionary.csv`.
  Period labels are mapped to financial years using the dictionary's `Year_Type`:

  | label | Year_Type | financial year |
  | --- | --- | --- |
  | `2019/20`, `2019-20`, `2019-20 (OT)` | any | 2019/20 |
  | `2020` | Annual, Financial Year (children in need census: year ending 31 March) | 2019/20 |
  | `2020` | Calendar Year (SEN2: plans issued January-December 2020) | 2020/21 (the financial year holding nine of its months) |
  | suffixes `(Rev)`, `(Final)`, `(prov)` | | dropped |
  | spans such as `2018-20` | | not used |

- Years kept: 2019/20 and 2020/21. BCP Council was created on 1 April 2019, and
  2021/22 figures were published after the last report's `data_as_at`.
- `reported_on`: a report must see the year it expects, so each real annual figure
  first arrives as the council's own **provisional** figure from its statutory
  return (before 31 July 2020 for 2019/20, before 30 April 2021 for 2020/21), and
  again, validated, on the (approximate) date of the national publication, with the
  same value. SEN2 2019 was published in June 2020, in time for the first report.
- `DP01` is annual. BCP's series starts in 2020/21, so the reports for 2020/21 Q1 to
  Q4 have no figure for it (`no_data`, with no earlier figure to show). The 2020/21
  figure first arrives as the council's provisional housing monitoring figure in May
  2021 (seen by the 2021/22 Q1 and Q2 reports), and is confirmed by the national
  statistics in November 2021. Its baseline is 2020/21, the first BCP year.
"""

CONVENTIONS = """\
## Conventions where the contract is silent

- A target for a `sum` measure that is not year to date is for one quarter
  (`SE03` fly-tipping: 1,050 incidents a quarter). A target for a year-to-date
  measure is cumulative: phased rows give the total to the end of that quarter
  (`SE07`, `DP05`), and even phasing (`SE02`, `DP07`, `FL04`, `MC07`) phases the
  intervention level the same way, rounded to the measure's decimals.
- A monthly phased row (`YYYY-MM`) applies to the quarter that ends in that month
  (`MC01` council tax, a cumulative `last` measure: the June row is Q1's target).
- 2019/20 targets are given only for annual and lagged measures, whose expected
  period is still in 2019/20 in the early 2020/21 reports.
- `baseline_period` is a 2019/20 period of the measure's own frequency (March 2020
  for monthly measures, 2019/20 Q4 for quarterly ones); `baseline_value` is that
  period's own figure (not year to date), latest revision, at the measure's decimals.
  A measure introduced later (`MC10`) has no baseline yet: both cells are blank.
- A target row without `agreed_on` applies to every report. Where a target was
  revised during the year, the original row carries the date it was agreed (the
  Cabinet meeting of 10 February 2021 for 2021/22) and the revision its own date and
  `reason`, so no report has to choose between an undated and a dated row.
- A forecast is written at the measure's decimals, in its unit (pounds for `gbp`,
  a rate for `rate_per_100k`), and each comes in with its quarter's return, on or
  before `returns_due`, except the one late case below.
- Illustrative figures in units other than `number` and `gbp` are written with one
  more decimal than is displayed, as a system extract would give them.
- Blank `quality` means `validated`.
- Illustrative noise comes from `numpy.random.default_rng` seeded with 2020 and a
  checksum of the measure id, so editing one measure leaves the others unchanged.
"""


def _mix(judged: dict[tuple[str, int], Judged]) -> str:
    names = ["on_target", "below_target", "intervention", "monitoring", "no_data"]
    lines = ["| quarter | data_as_at | " + " | ".join(names) + " |", "| --- | --- |" + " ---: |" * len(names)]
    for rq in P.REPORT_QUARTERS:
        counts = [sum(1 for (_, q), j in judged.items() if q == rq and j.status == n) for n in names]
        lines.append(f"| {P.quarter_code(rq)} | {P.data_as_at(rq)} | " + " | ".join(map(str, counts)) + " |")
    return "\n".join(lines)


def _measure_table(measures: list[Measure], series: dict[tuple[str, str], RealSeries]) -> str:
    lines = ["## Measures: real or illustrative", "", "| measure_id | name | plan | figures | source |", "| --- | --- | --- | --- | --- |"]
    for m in measures:
        if m.real:
            source, table = SOURCES[m.real[0]]
            where = f"{source}; {table.format(key=m.real[1])}; Open Government Licence v3.0"
            kind = "real"
        else:
            where, kind = f"illustrative (as if from {m.source_system})", "illustrative"
        lines.append(f"| `{m.id}` | {m.name} | {m.plan} | {kind} | {where} |")
    lines.append("")
    lines.append("Targets, intervention levels and commentary are illustrative for every measure, real or not.")
    return "\n".join(lines)


def _real_figures(measures: list[Measure], series: dict[tuple[str, str], RealSeries]) -> str:
    lines = [
        "The real figures and when each reaches the data (`reported_on`):",
        "",
        "| measure_id | year | value | provisional (council's own figure) | validated (national publication) |",
        "| --- | --- | ---: | --- | --- |",
    ]
    for m in measures:
        if not m.real:
            continue
        for fy, value in sorted(series[m.real].values.items()):
            steps = {quality: date for date, quality, _note in REAL_SCHEDULE[m.real][fy]}
            lines.append(f"| `{m.id}` | {P.fy_code(fy)} | {plain(value)} | {steps.get('provisional', '')} | {steps.get('validated', '')} |")
    return "\n".join(lines)


COMPARATOR_SOURCES = {
    "dfe-lait.csv": (
        "DfE Local Authority Interactive Tool (LAIT)",
        "github.com/dfe-analytical-services/local-authority-interactive-tool",
        "`01_data/02_prod/bds_long_0.parquet` (`dfe-lait-childrens-services/bds_long_0.parquet`)",
    ),
    "oflog-adult-social-care.csv": (
        "Oflog Local Authority Data Explorer, adult social care metrics (NHS England ASCOF / Skills for Care)",
        "github.com/communitiesuk/oflog-automated-text",
        "`src/lib/ASC_data.csv` (`oflog-adult-social-care/ASC_data.csv`)",
    ),
    "ons-els.csv": (
        "ONS Explore Local Statistics, net additions to the housing stock (MHCLG Live Table 122)",
        "github.com/ONSdigital/explore-local-statistics-data",
        "`net-additions-to-the-housing-stock/net-additions-to-the-housing-stock.csv` "
        "(`ons-els-net-additional-dwellings/net-additions-to-the-housing-stock.csv`)",
    ),
}
GROUP_MADE = {
    "dfe-statistical-neighbours": "DfE's children's services statistical neighbours of LA 839 (`sn_may_2025.xlsx`, SN1 to SN10, "
    "closest first): {members}. DfE LA numbers become ONS codes by `pmlib/intake/dfe_la_codes.csv`; every one maps",
    "cipfa-nearest-neighbours": "The nearest neighbours Oflog uses for E06000058 (`NN.json`), less BCP itself, closest first: {members}",
    "england": "A reference (one area, not ranked): England, E92000001 (LAIT's LA number 970; ELS `areacd` E92000001). "
    "Oflog's file has no England figure, so `FL01`-`FL03` compare with the groups only",
    "english-upper-tier": "Every county, unitary, metropolitan district and London borough (with the City of London and the "
    "Isles of Scilly) in `dfe_la_codes.csv` with a code in use in 2019/20 or 2020/21, less BCP; Buckinghamshire has both of its "
    "codes (E10000002 to 2019/20, E06000060 from 2020/21), as the sources give them. Regions are not a group",
}

COMPARATOR_NOTES = """How the figures were read:

- Values are as published (no rounding); a figure that is not published (LAIT `-`, a blank
  Oflog or ELS value) has no row. Only areas in a group are kept, and never BCP itself
  (its figures are in `observations/`) nor its predecessors (Bournemouth E06000028, Poole
  E06000029, Dorset County Council E10000009), whose codes were out of use by 2019/20.
- Years: those BCP has a figure for ({years}). `reported_on` is the date the national
  figures were published, the date BCP's validated figure of the year carries (table
  above), so a report made before it compares the year before, or nothing.
- LAIT (`dfe-lait.csv`) and ELS (`ons-els.csv`) are read with `pm comparators`'s own
  readers (`pmlib/intake/comparator_files.py`), so a council reading the same downloads
  with `pm comparators --reported-on DATE` gets the same rows. LAIT period labels use
  the mapping above (`SEN_EHC_All_20wks` is a calendar-year measure: `--calendar-years`).
  LA numbers become ONS codes by financial year through `pmlib/intake/dfe_la_codes.csv`
  ({n_codes} rows), derived by `scripts/demo_data/la_codes.py`: each name in DfE's
  `la_code_list.xlsx` is matched, ignoring case, punctuation and `&`, with the names ELS
  and Oflog give their codes; two names differ ({renamed}); a "(Pre LG)" number takes the
  replaced code and its successor of the same name the new one; the year a replaced code
  went out of use comes from the ELS `notes` ("Obsolete code since 2020 (replaced by
  E06000060 Buckinghamshire)"). London (Inner) and London (Outer) have no ONS code.
  `make_demo_data.py` checks the shipped file against the real data on every run.
- ELS: `2020-04-01/P1Y` is 2020/21. Its `notes` flag codes replaced since (North
  Yorkshire E10000023, Somerset E10000027, Cumbria E10000006, Northamptonshire
  E10000021 and others): their 2020/21 figures are kept under the code they give, which
  was the authority's code then.
- Oflog: `Financial year` `2019-20` is 2019/20; codes as given (Buckinghamshire is
  E10000002 in 2019-20 and E06000060 in 2020-21).
"""

STATUS_WORDS = {
    "on_target": "on target",
    "below_target": "below target",
    "intervention": "intervention",
    "monitoring": "monitoring",
    "no_data": "no data",
}

# Forecast cases the README states in words: (measure, report quarter, the quarter's status, what the report
# shows, its status at year end, why it is there). Checked against the calculator, so the text cannot drift.
FORECAST_CASES = [
    ("MC07", "2021/22 Q2", "on_target", "forecast", "below_target", "on target now, heading for a miss"),
    ("MC01", "2021/22 Q2", "on_target", "forecast", "below_target", "on target now, heading for a miss (a percent measure)"),
    (
        "MC08",
        "2021/22 Q2",
        "on_target",
        "forecast",
        "below_target",
        "on target now (2020/21 survey), heading for a miss in 2021/22 (an annual measure)",
    ),
    ("MC07", "2020/21 Q2", "below_target", "forecast", "on_target", "below target now, forecast to meet it"),
    ("DP07", "2020/21 Q3", "below_target", "forecast", "on_target", "below target now, forecast to meet it"),
    ("SE02", "2020/21 Q3", "intervention", "forecast", "below_target", "intervention now, forecast back inside the intervention level"),
    (
        "DP05",
        "2020/21 Q2",
        "intervention",
        "forecast",
        "intervention",
        "the forecast revised within the quarter: the later `reported_on` wins",
    ),
    (
        "FL04",
        "2021/22 Q2",
        "below_target",
        "projection",
        "below_target",
        "the service's forecast came after `data_as_at`, so the report shows the projection instead",
    ),
    ("MC02", "2021/22 Q1", "on_target", "forecast", "on_target", "judged against the target as agreed at `data_as_at` (19 days)"),
    (
        "MC02",
        "2021/22 Q2",
        "below_target",
        "forecast",
        "below_target",
        "the same forecast, now judged against the revised target (18 days)",
    ),
    (
        "DP05",
        "2021/22 Q2",
        "on_target",
        "forecast",
        "on_target",
        "seasonal income: the forecast differs from a projection at the current rate",
    ),
    (
        "SE07",
        "2020/21 Q1",
        "on_target",
        "projection",
        "intervention",
        "no forecast yet: the projection of a seasonal measure misleads, which is why a service gives its own",
    ),
]


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise SystemExit(f"data/README.md would be wrong: {message}; change the tables or the README text")


def _forecasts(measures: list[Measure], judged: dict[tuple[str, int], Judged], outlooks: dict[tuple[str, int], Outlook]) -> list[str]:
    by_id = {m.id: m for m in measures}
    lines = [
        "- **Forecasts** (`forecasts.csv`): the services' own forecasts of the figure the year's Q4 report will judge, "
        "shown in Q1-Q3 reports (the latest forecast of the year up to the report quarter, newest `reported_on`, "
        "supplied by `data_as_at`) and judged against the year-end target as agreed at `data_as_at`. Every row, "
        "and the reports that show it:",
        "",
        "  | measure_id | made in | reported_on | forecast | shown in (forecast's status; the quarter's own status) |",
        "  | --- | --- | --- | ---: | --- |",
    ]
    for m in measures:
        for period, reported_on, value, _note in sorted(m.forecasts, key=lambda f: (P.quarter_index(f[0]), f[1])):
            shown = [
                f"{P.quarter_code(rq)} ({STATUS_WORDS[o.status]}; {STATUS_WORDS[judged[mid, rq].status]})"
                for (mid, rq), o in outlooks.items()
                if mid == m.id and o.kind == "forecast" and (o.made_in, o.reported_on) == (period, reported_on)
            ]
            if not shown:
                as_at = P.data_as_at(P.quarter_index(period))
                later = [f[1] for f in m.forecasts if f[0] == period and f[1] > reported_on]
                if reported_on > as_at.isoformat():
                    shown = [f"none: supplied after that report's `data_as_at` ({as_at})"]
                else:
                    shown = [f"none: replaced by the same quarter's forecast of {min(later)}"]
            lines.append(f"  | `{m.id}` | {period} | {reported_on} | {show(m, value)} | {', '.join(shown)} |")
    lines += ["", "  Designed cases among them:"]
    for mid, quarter, now, kind, year_end, why in FORECAST_CASES:
        m, rq = by_id[mid], P.quarter_index(quarter)
        j, o = judged[mid, rq], outlooks.get((mid, rq))
        _check(j.status == now, f"{mid} {quarter} is {j.status}, not {now}")
        _check(o is not None and (o.kind, o.status) == (kind, year_end), f"{mid} {quarter} shows {o}, not a {kind} {year_end}")
        projection = ""
        if kind == "forecast" and m.ytd and m.aggregation == "sum":
            eq = Calculator.expected(m, rq)
            pv = round_half_away(j.value * 12 / ((eq % 4 + 1) * 3), m.dp)
            ps = Calculator.status(m, pv, o.target, o.intervention)
            projection = f"; a projection at the current rate would give {show(m, pv)} ({STATUS_WORDS[ps]})"
        lines.append(
            f"  - `{mid}` {quarter}: {why}. Now {show(m, j.value)} ({STATUS_WORDS[now]}); {kind} {show(m, o.value)} "
            f"against a year-end target of {show(m, o.target)} ({STATUS_WORDS[year_end]}){projection}."
        )
    late = next(f for f in by_id[LATE_FORECAST[0]].forecasts if f[0] == LATE_FORECAST[1])
    lines.append(
        f"  - The late forecast, `{LATE_FORECAST[0]}` {LATE_FORECAST[1]} ({show(by_id[LATE_FORECAST[0]], late[2])}, "
        f"supplied {late[1]}), would be an intervention at year end; a report using it would be wrong."
    )
    projected = sorted({mid for (mid, _rq), o in outlooks.items() if o.kind == "projection"}, key=list(by_id).index)
    lines.append(
        "  - Projections at the current rate (year to date x 12 / months elapsed, labelled as projections) stand in "
        "where a `ytd` `sum` measure has no forecast: " + ", ".join(f"`{x}`" for x in projected) + "."
    )
    return lines


def _revisions_and_new(measures: list[Measure], judged: dict[tuple[str, int], Judged]) -> list[str]:
    lines = []
    for m in measures:
        for year, agreed_on, t, i, reason in m.target_revisions:
            old_t, old_i = m.targets[year]
            fy = int(year[:4])
            before = [rq for rq in P.REPORT_QUARTERS if rq // 4 == fy and P.data_as_at(rq).isoformat() < agreed_on]
            after = [rq for rq in P.REPORT_QUARTERS if rq // 4 == fy and P.data_as_at(rq).isoformat() >= agreed_on]
            shown = "; ".join(
                f"the {P.quarter_code(rq)} report (`data_as_at` {P.data_as_at(rq)}) "
                f"{'keeps' if rq in before else 'shows'} the target of {show(m, judged[m.id, rq].target)} "
                f"(figure {show(m, judged[m.id, rq].value)}, {STATUS_WORDS[judged[m.id, rq].status]})"
                for rq in before + after
            )
            for rq in before:
                _check(judged[m.id, rq].target == old_t, f"{m.id} {P.quarter_code(rq)} should keep the old target")
            for rq in after:
                _check(judged[m.id, rq].target == t, f"{m.id} {P.quarter_code(rq)} should show the revised target")
            lines.append(
                f"- **Target revised during the year**: `{m.id}` {year}, target {show(m, old_t)} and intervention level "
                f"{show(m, old_i)} (agreed {m.targets_agreed.get(year, 'at the start of the year')}), revised to "
                f'{show(m, t)} and {show(m, i)}, `agreed_on` {agreed_on}, with the `reason` "{reason}" Both rows '
                f"are in `targets.csv`. {shown[0].upper()}{shown[1:]}. The revision, not the figure, moves the status; "
                "the Q2 report's 'what changed' list gives the old and new target and the reason."
            )
    for m in measures:
        if not m.start:
            continue
        first = next(rq for rq in P.REPORT_QUARTERS if judged[m.id, rq].status != "no_data")
        _check(all(judged[m.id, rq].status == "no_data" for rq in P.REPORT_QUARTERS if rq < first), f"{m.id} before {first}")
        seen = ", ".join(
            f"{P.quarter_code(rq)} {show(m, judged[m.id, rq].value)} ({STATUS_WORDS[judged[m.id, rq].status]})"
            for rq in P.REPORT_QUARTERS
            if rq >= first
        )
        years = ", ".join(sorted(m.targets))
        lines.append(
            f"- **New measure**: `{m.id}` ({m.name}, owner {m.owner}) is introduced in {P.fy_code(first // 4)}: "
            f"its figures start in {m.start}, it has targets for {years} only and no baseline yet. The "
            f"{P.quarter_code(first)} report is the first to report it (the 'what changed' list shows it as reported "
            f"for the first time): {seen}. Earlier reports have no figure for it (`no_data` in the counts above)."
        )
    return lines


def _designed(measures: list[Measure], judged: dict[tuple[str, int], Judged], outlooks: dict[tuple[str, int], Outlook]) -> str:
    by_status: dict[str, list[str]] = {}
    for (mid, rq), j in judged.items():
        by_status.setdefault(j.status, []).append(f"`{mid}` {P.quarter_code(rq)}")
    interventions = ", ".join(by_status.get("intervention", []))
    polarity = {m.id: m.polarity for m in measures}
    lower = sorted({k.split("`")[1] for k in by_status.get("intervention", []) if polarity[k.split("`")[1]] == "lower"})
    higher = sorted({k.split("`")[1] for k in by_status.get("intervention", []) if polarity[k.split("`")[1]] == "higher"})
    lines = [
        "## Designed cases (for tests and demonstrations)",
        "",
        f"- **Interventions**: {interventions}. Lower is better for {', '.join(f'`{x}`' for x in lower)}; "
        f"higher is better for {', '.join(f'`{x}`' for x in higher)}.",
        "- **Exactly at target**: `DP07` 2021/22 Q2 (130 homes year to date against an evenly phased 130); "
        "`DP04` 2020/21 Q3 (1,759 / 1,852 = 94.978%, shown and judged as 95.0%, the target).",
        "- **Exactly at the intervention level**: `CC03` 2021/22 Q1 (5 families; intervention level 5).",
        "- **Revisions** (a later `reported_on` for the same period):",
    ]
    for m in measures:
        for period, reported_on, note, _delta in m.revisions:
            lines.append(f"  - `{m.id}` {period}, re-supplied {reported_on}: {note}")
    lines.append("  `CC06` 2019/20 was 71.3% in the 2020/21 Q1 report (below target) and 72.1% from 2020/21 Q2 (on target).")
    lines.append("- **Gaps**:")
    for m in measures:
        for period in m.omit:
            lines.append(f"  - `{m.id}` has no figure for {period}.")
    lines.append(
        "  So `FL08` is `no_data` in 2020/21 Q3 (a quarter needs all three months) and `MC05` is `no_data` in 2021/22 Q2, "
        "with 2021/22 Q1 as the latest earlier figure; `DP01` is `no_data` until its first year arrives (above)."
    )
    lines.append("- **Provisional and estimated figures** (illustrative ones; the real ones are listed above):")
    for m in measures:
        for period, (quality, note) in m.quality.items():
            lines.append(f"  - `{m.id}` {period}: {quality}. {note}")
    lines += [
        "- **Small numbers**: `CC03` (families in bed and breakfast, `disclosure_min: 5`) is sometimes 0, sometimes 1-4 "
        "(shown as `[c]`) and sometimes 5 or more; `BF07` (permanent exclusions per 1,000 pupils, a ratio with "
        "`disclosure_min: 5`) has numerators of 0 to 8, so its rate is suppressed when 1-4 exclusions lie behind it.",
        "- **Restricted**: `MC09` (critical ICT vulnerabilities outstanding) is `public: false`; it must appear in internal "
        "reports only. It is an intervention in 2021/22 Q2.",
        f"- **Commentary missing**: `{MISSING_COMMENTARY[0]}` {MISSING_COMMENTARY[1]} is an intervention with no commentary "
        "row: deliberately missing, to show the 'commentary missing' notice. Every other intervention has commentary, "
        "a corrective action, an owner and a due date.",
        f"- **Commentary dates**: commentary is supplied on its quarter's `returns_due`, except `{LATE_COMMENTARY[0]}` "
        f"{LATE_COMMENTARY[1]}, supplied {LATE_COMMENTARY[2]} days late (the data quality report lists it), and "
        + ", ".join(f"`{k[0]}` {k[1]}" for k in EARLIER_COMMENTARY)
        + ", whose first text, sent with the return, was replaced by a fuller one a week later (a later `reported_on`: "
        "the report shows the newest on or before its `data_as_at`). Some figures also arrive after `returns_due` "
        "but before `data_as_at`: late returns, in the report but listed by the data quality report.",
        "- **Lags**: `CC02` (quarterly, lag 1) and `BF08` (monthly, lag 1) arrive after the "
        "report for their period; `reported_on` is later by design, in time for the next report.",
        "- **Action updates** use all six statuses; complete actions stay complete and cancelled ones (`DP-A4`, `MC-A5`) "
        "have no later updates.",
    ]
    lines += _revisions_and_new(measures, judged)
    lines += _forecasts(measures, judged, outlooks)
    return "\n".join(lines)


def readme(
    measures: list[Measure],
    series: dict[tuple[str, str], RealSeries],
    judged: dict[tuple[str, int], Judged],
    outlooks: dict[tuple[str, int], Outlook],
    comparators: Comparators,
    la_codes: list[list[str]],
) -> str:
    """The whole README."""
    n_real = sum(1 for m in measures if m.real)
    files = ", ".join(f"`{f}.csv`" for f in sorted({m.file for m in measures}))
    head = HEAD.format(
        ogl=OGL,
        n_measures=len(measures),
        n_real=n_real,
        n_ill=len(measures) - n_real,
        files=files,
        mix=_mix(judged),
        n_groups=len(GROUPS),
        comparator_files=", ".join(f"`{name}`" for name in comparators.files),
    )
    return "\n".join(
        [
            head,
            _measure_table(measures, series),
            "",
            REAL_NOTES,
            _real_figures(measures, series),
            "",
            _comparators(measures, comparators, la_codes),
            "",
            CONVENTIONS,
            _designed(measures, judged, outlooks),
            "",
        ]
    )


def _comparators(measures: list[Measure], comparators: Comparators, la_codes: list[list[str]]) -> str:
    from demo_data.la_codes import RENAMED

    groups: dict[str, list[list[str]]] = {}
    for row in comparators.groups:
        groups.setdefault(row[0], []).append(row)
    lines = [
        "## Comparators",
        "",
        "How BCP Council compares with other areas (contract v2, optional): `area_code: E06000058` in `council.yml`, "
        "the groups in `comparator_groups.csv`, and other areas' figures in `comparators/`. Every comparator figure is "
        f"real, as published by the source named in its `source` column. {OGL}",
        "",
        "| group_id | name | areas | how it was made |",
        "| --- | --- | ---: | --- |",
    ]
    for gid, rows in groups.items():
        members = ", ".join(r[3] for r in rows) if len(rows) <= 16 else ""
        lines.append(f"| `{gid}` | {GROUPS[gid]} | {len(rows)} | {GROUP_MADE[gid].format(members=members)}. |")
    lines += [
        "",
        "| file | rows | source | repository (`SOURCE.txt`) | file there (in `../shared/realdata`) |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for name, rows in comparators.files.items():
        source, repo, path = COMPARATOR_SOURCES[name]
        lines.append(f"| `comparators/{name}` | {len(rows)} | {source} | {repo} | {path} |")
    total = sum(len(rows) for rows in comparators.files.values())
    lines += [
        "",
        f"{total} rows in all. By measure and year, with the first demo report whose `data_as_at` is on or after `reported_on`:",
        "",
        "| measure_id | period | reported_on | areas with a figure | England | first report that can compare |",
        "| --- | --- | --- | ---: | --- | --- |",
    ]
    rows = [r for file in comparators.files.values() for r in file]
    order = {m.id: i for i, m in enumerate(measures)}
    keys = sorted({(r[0], r[1], r[7]) for r in rows}, key=lambda k: (order[k[0]], k[1]))
    for mid, period, day in keys:
        areas = [r for r in rows if (r[0], r[1]) == (mid, period)]
        england = next((r[3] for r in areas if r[2] == ENGLAND), "none published")
        first = next((P.quarter_code(q) for q in P.REPORT_QUARTERS if P.data_as_at(q).isoformat() >= day), None)
        when = first or f"none (after the last report's `data_as_at`, {P.data_as_at(P.REPORT_QUARTERS[-1])})"
        lines.append(f"| `{mid}` | {period} | {day} | {len(areas)} | {england} | {when} |")
    for mid, period, code, name, value in comparators.refused:
        lines.append("")
        lines.append(
            f"Left out: `{mid}` {period} {name} ({code}), {value}, as published. Net additions to the housing stock fall below "
            "zero where more homes are demolished or change use than are built, but the contract holds a rate to be zero or "
            "more (`pm check` refuses it), so the figure waits for the contract to allow negative rates."
        )
    years = ", ".join(sorted({k[1] for k in keys}))
    renamed = "; ".join(f"{a} is {b}" for a, b in RENAMED.items() if b)
    lines += ["", COMPARATOR_NOTES.format(years=years, n_codes=len(la_codes), renamed=renamed).rstrip()]
    return "\n".join(lines)
