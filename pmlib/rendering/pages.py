"""The website's pages that are not notebooks, written as ``.qmd`` files that Quarto and the built-in renderer both read.

``write_pages`` makes the home page (the latest quarter's headline and its
pages), the archive (every built quarter), a list of measures, and a page per
public measure (definition, targets, full history, commentary by quarter).
Everything comes from ``quarter_report`` of the latest quarter, which went
through ``public_view``: a restricted measure has no page and a small number
is ``[c]``. Text from the data is HTML-escaped before it becomes Markdown, and
HTML (charts, tables) goes in ```` ```{=html} ```` blocks. Links name source
files (``../reports/<slug>/overview.ipynb``), which each renderer maps to the
page it writes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import yaml

from pmlib.disclosure import value_text, value_texts
from pmlib.errors import ConfigError
from pmlib.formats import UNIT_WORDS, format_value
from pmlib.periods import Period, parse_quarter
from pmlib.prose import escape_html, user_markdown
from pmlib.rendering.documents import RAW_HTML, Document, read_quarter
from pmlib.report import QuarterReport, quarter_report, report_params
from pmlib.rollup import small_count
from pmlib.tables import make_table
from pmlib.vocabulary import status_label

GENERATED = ("index.qmd", "archive.qmd", "measures.qmd")
MEASURES_DIR = "measures"
_POLARITY = {"higher": "Higher is better", "lower": "Lower is better", "none": "Neither: shown for context, without a target"}
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]])")


def md_text(value: object) -> str:
    """Text from the data as literal Markdown: HTML escaped, emphasis and link characters backslash-escaped."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", escape_html(value))


def _link(target: Path, page: Path) -> str:
    """A relative link from the page being written to a source file, percent-encoded for both Markdown readers."""
    return quote(Path(os.path.relpath(os.path.abspath(target), os.path.abspath(page.parent))).as_posix(), safe="/._-~")


def _raw(html: str) -> str:
    """HTML in a raw block whose fence is longer than any run of backticks inside, so text in a table cannot close it."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", html)), default=0))
    return f"{fence}{RAW_HTML}\n{html.strip()}\n{fence}"


def _page(title: str, *parts: str) -> str:
    front = yaml.safe_dump({"title": title}, allow_unicode=True, width=10_000, sort_keys=True)
    return f"---\n{front}---\n\n" + "\n\n".join(p.strip() for p in parts if p and p.strip()) + "\n"


def _given(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _date(value) -> str:
    return f"{value:%-d %B %Y}"


def _quarter_links(documents: list[Document], page: Path) -> str:
    return "\n".join(f"- [{md_text(d.label)}]({_link(d.source, page)})" for d in documents)


def _meeting(report_param) -> str:
    p = report_param
    return f"{md_text(p.meeting)}, {_date(p.meeting_date)}. Figures as at {_date(p.data_as_at)}."


def index_page(report: QuarterReport, documents: list[Document], page: Path) -> str:
    """The home page: the latest quarter's headline, its pages, and where to find the rest."""
    q, p = report.quarter, report.params
    return _page(
        f"{md_text(report.data.council.name)}: corporate performance",
        f"Latest report: **{md_text(p.title)}, {q.code}** ({q.label}). {_meeting(p)}",
        report.headline().markdown,
        f"## The {q.code} report",
        _quarter_links(documents, page),
        "## More",
        f"- [Every measure]({_link(page.parent / 'measures.qmd', page)}): definitions, targets, history and commentary.\n"
        f"- [All reports]({_link(page.parent / 'archive.qmd', page)}): every quarter published on this site.",
    )


def archive_page(params: dict[Period, object], documents: dict[Period, list[Document]], page: Path) -> str:
    """Every built quarter, newest first, with links to its overview and delivery plans."""
    parts = ["Every quarter published on this site, newest first. Each report shows its figures as they stood when it was published."]
    for q in sorted(params, reverse=True):
        parts += [f"## {q.code}: {md_text(params[q].title)}", f"{q.label}. {_meeting(params[q])}", _quarter_links(documents[q], page)]
    return _page("All reports", *parts)


def measures_page(report: QuarterReport, page: Path) -> str:
    """Every public measure by delivery plan, with its status in the latest quarter."""
    judged = report.judged.set_index("measure_id")
    parts = [f"Every published measure, by delivery plan, with its status in {report.quarter.code}."]
    for plan_id, plan in report.plans.iterrows():
        ids = [m for m in report.measures.index if report.measures.loc[m, "plan_id"] == plan_id]
        if not ids:
            continue
        parts.append(f"## {md_text(plan['name'])}")
        lines = []
        for m in ids:
            link = _link(page.parent / MEASURES_DIR / f"{m}.qmd", page)
            lines.append(f"- [{md_text(report.measures.loc[m, 'name'])}]({link}): {status_label(judged.loc[m, 'status']).text}")
        parts.append("\n".join(lines))
    return _page("Measures", *parts)


def _baseline_withheld(report: QuarterReport, measure_id: str) -> bool:
    """Whether the baseline must show as ``[c]``: as its period was published, or by the small-number rule when it never was.

    A ratio's baseline is one rate with no counts behind it, so when the
    measure has a threshold and the period was never judged, it is withheld.
    """
    m = report.data.measures.loc[measure_id]
    history = report.history
    rows = history[(history["measure_id"] == measure_id) & (history["period"] == m["baseline_period"])]
    if not rows.empty:
        return bool(rows["suppressed"].iloc[-1])
    if m["disclosure_min"] > 0 and m["aggregation"] == "ratio":
        return True
    probe = pd.DataFrame({"measure_id": [measure_id], "value": [m["baseline_value"]], "numerator": [None], "denominator": [None]})
    return bool(small_count(probe, report.data.measures)[0])


def _about(report: QuarterReport, measure_id: str, plan_link: str | None) -> str:
    m = report.data.measures.loc[measure_id]
    plan = md_text(report.plans.loc[m["plan_id"], "name"])
    rows = [("Definition", md_text(m["definition"]) if isinstance(m["definition"], str) else "")]
    rows.append(("Delivery plan", f"[{plan}]({plan_link})" if plan_link else plan))
    rows += [("Owner", md_text(m["owner"])), ("Source system", md_text(m["source_system"]))]
    rows += [("Frequency", str(m["frequency"]).capitalize()), ("Unit", UNIT_WORDS.get(m["unit"], str(m["unit"])))]
    rows.append(("Which way is better", _POLARITY[m["polarity"]]))
    if isinstance(m["baseline_period"], str) and pd.notna(m["baseline_value"]):
        value = value_text(m["baseline_value"], m["unit"], int(m["decimals"]), suppressed=_baseline_withheld(report, measure_id))
        rows.append(("Baseline", f"{value} ({md_text(m['baseline_period'])})"))
    return "\n".join(f"- **{label}:** {text}" for label, text in rows if text)


def _targets(report: QuarterReport, measure_id: str) -> str:
    m = report.data.measures.loc[measure_id]
    if m["polarity"] == "none":
        return "This measure is monitored for context and has no target."
    t = report.data.targets[report.data.targets["measure_id"] == measure_id]
    if t.empty:
        return "No target has been set for this measure."
    t = t.assign(_whole=t["period"].isna()).sort_values(["fy", "_whole", "period"], ascending=[True, False, True], kind="stable")
    fmt = lambda v: format_value(v, m["unit"], int(m["decimals"]))  # noqa: E731
    frame = pd.DataFrame(
        {
            "Year": t["year"].to_numpy(),
            "Applies to": ["Whole year" if pd.isna(p) else str(p) for p in t["period"]],
            "Target": [fmt(v) for v in t["target"]],
            "Intervention level": [fmt(v) for v in t["intervention"]],
        }
    )
    return _raw(make_table(frame, f"table-measure-{measure_id}-targets".lower(), f"{m['name']}: targets by year").html)


def _history(report: QuarterReport, measure_id: str) -> str:
    m = report.data.measures.loc[measure_id]
    rows = report.history[report.history["measure_id"] == measure_id].drop_duplicates("period", keep="last")
    fmt = lambda v: format_value(v, m["unit"], int(m["decimals"]))  # noqa: E731
    frame = pd.DataFrame(
        {
            "Period": rows["period"].to_numpy(),
            "Value": value_texts(rows, report.data.measures).to_numpy(),
            "Target": [fmt(v) for v in rows["target"]],
            "Intervention level": [fmt(v) for v in rows["intervention"]],
            "Status": [status_label(s).text for s in rows["status"]],
        }
    )
    tints = {"Status": [status_label(s).tint for s in rows["status"]]}
    table = make_table(frame, f"table-measure-{measure_id}-history".lower(), f"{m['name']}: figures by period", tints)
    return "\n\n".join([_raw(report.chart(measure_id).html()), _raw(table.html)])


def _commentary(report: QuarterReport, measure_id: str) -> str:
    notes = report.data.commentary[report.data.commentary["measure_id"] == measure_id]
    quarters = {code: parse_quarter(code) for code in notes["period"].dropna().unique()}
    parts = []
    for code in sorted((c for c, q in quarters.items() if q <= report.quarter), key=quarters.get, reverse=True):
        row = notes[notes["period"] == code].iloc[-1]
        text = [user_markdown(row["commentary"]) if _given(row["commentary"]) else "No commentary."]
        if _given(row["action"]):
            due = _date(row["action_due"]) if pd.notna(row["action_due"]) else "no date given"
            owner = md_text(row["action_owner"]) if _given(row["action_owner"]) else "no owner given"
            text.append(f"**Corrective action:** {user_markdown(row['action'])}\n\n**Owner:** {owner}. **Due:** {due}.")
        parts += [f"### {code}", *text]
    return "\n\n".join(parts) or "No commentary has been published for this measure."


def measure_page(report: QuarterReport, measure_id: str, plan_source: Path | None, page: Path) -> str:
    """One public measure: what it is, its targets, its whole published history and what officers said each quarter."""
    m = report.data.measures.loc[measure_id]
    return _page(
        md_text(m["name"]),
        escape_html(report.finding(measure_id)),
        "## About this measure",
        _about(report, measure_id, _link(plan_source, page) if plan_source else None),
        "## Targets by year",
        _targets(report, measure_id),
        f"## History to {report.quarter.code}",
        "Each figure as published at the latest report's date; a withheld or missing figure is a gap in the chart.",
        _history(report, measure_id),
        "## Commentary by quarter",
        _commentary(report, measure_id),
    )


def _remove_stale(out_dir: Path) -> None:
    """Delete pages an earlier run generated, so a measure made restricted since then loses its page."""
    for name in GENERATED:
        (out_dir / name).unlink(missing_ok=True)
    for path in (out_dir / MEASURES_DIR).glob("*.qmd"):
        path.unlink()


def write_pages(
    quarters: Iterable[str | Period],
    data_dir: str | os.PathLike,
    params_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    reports_dir: str | os.PathLike = "reports",
) -> list[Path]:
    """Write the generated pages for the built ``quarters`` into ``out_dir`` (``pages/``); the paths written, sorted.

    Raises ``ConfigError`` when no quarter is given, a quarter has no executed
    notebooks, or a quarter's params file is for an internal audience (the
    website is public), and the data's own errors as ``quarter_report`` does.
    """
    periods = sorted({q if isinstance(q, Period) else parse_quarter(q) for q in quarters})
    if not periods:
        raise ConfigError("no quarter to publish: run 'pm run' for at least one quarter, then build the site")
    params = {q: report_params(params_dir, q) for q in periods}
    internal = [q.code for q, p in params.items() if p.audience != "public"]
    if internal:
        where = ", ".join(f"{Path(params_dir) / (q.slug + '.yml')}" for q in periods if q.code in internal)
        raise ConfigError(f"{where}: audience is internal, but the website is public; set 'audience: public' or leave the quarter out")
    out_dir, reports_dir = Path(out_dir), Path(reports_dir)
    documents = {q: read_quarter(reports_dir, q) for q in periods}
    latest = periods[-1]
    report = quarter_report(params[latest], data_dir, params_dir)
    by_stem = {d.source.stem: d.source for d in documents[latest]}
    pages = {
        "index.qmd": index_page(report, documents[latest], out_dir / "index.qmd"),
        "archive.qmd": archive_page(params, documents, out_dir / "archive.qmd"),
        "measures.qmd": measures_page(report, out_dir / "measures.qmd"),
    }
    for measure_id in report.judged["measure_id"]:
        page = out_dir / MEASURES_DIR / f"{measure_id}.qmd"
        plan = by_stem.get(f"plan-{report.data.measures.loc[measure_id, 'plan_id']}")
        pages[f"{MEASURES_DIR}/{measure_id}.qmd"] = measure_page(report, measure_id, plan, page)
    _remove_stale(out_dir)
    written = []
    for name in sorted(pages):
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pages[name], encoding="utf-8", newline="\n")
        written.append(path)
    return written
