"""The Department for Education's LAIT data (real children's services figures) as the data contract's tables.

Source: ``shared/realdata/dfe-lait-childrens-services/`` beside this
repository (``bds_long_0.parquet`` and ``lait_data_dictionary.csv``; see its
SOURCE.txt). Crown copyright, Open Government Licence v3.0. The data is a
national table in long form: 434 measures x about 170 areas (upper-tier local
authorities, regions and England), one figure a year, with mixed period
labels and ``-`` for missing or suppressed figures.

How it is mapped, so a reader can judge the result (``LaitData.notes`` and
``LaitData.dropped`` say the same at run time, with counts):

* one contract measure per LAIT measure and area, ``measure_id``
  ``LA839-<Short Desc>`` (the DfE authority number; characters outside
  ``[A-Za-z0-9_-]`` become ``_``); one plan per LAIT topic; all annual,
  ``aggregation: last`` (one figure per period, so the aggregation does not
  change a value), ``lag`` 0, ``decimals`` from the dictionary's ``dps``
  (blank: the contract's default);
* polarity from the dictionary (``High``/``Low``; ``-`` or blank is ``none``);
* unit from the dictionary's axis title: ``%`` is ``percent``, rates per
  1,000 and 100,000 are the contract's rates, spend and unit costs ``gbp``,
  counts ``number``, anything else (rates per 10,000, scores) ``score``;
  a measure whose figures break its unit's range (a percent above 100, a
  negative count) falls back to ``score``;
* each figure goes to the financial year in which its reference period ends
  (when a council could first report it): ``2016-17``, ``2016/17`` and
  ``2016-17 (OT)`` are 2016/17 for a financial-year measure and 2017/18 for an
  academic-year one (it ends in the summer of 2017); a bare ``2023`` (with or
  without ``(Rev)``, ``(Final)``, ``(prov)``) is 2022/23 for financial-year,
  January-census and plain "Annual" measures (year to 31 March 2023), and
  2023/24 for academic-year, calendar-year and end-of-September measures;
  rolling spans (``2014-16``, ``2013/14-15/16``) go to the year their last
  part ends in. The label as published is kept in ``note``; ``(prov)`` is
  ``quality: provisional``;
* ``-`` (missing or suppressed) is no figure; the label ``0`` maps to no
  period and is dropped;
* LAIT has no targets, so England's figure for the same measure and year is
  the target (councils commonly aim at the national average), for measures
  with a polarity and not counts (a council's count against England's count
  means nothing). Intervention levels are blank: the council file uses the
  tolerance method (5%) so they are derived, or judge it with the
  intervention method to see only on/below target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.vocabulary import NON_NEGATIVE_UNITS

LAIT_DIR = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "dfe-lait-childrens-services"
PARQUET = "bds_long_0.parquet"
DICTIONARY = "lait_data_dictionary.csv"
ENGLAND = 970
BCP = 839
SNAPSHOT = "2026-04-08"  # the source commit's date: every figure had been published by then

_ENDS_BY_MARCH = ("Financial Year", "Annual - January", "Annual")  # a bare year Y is the year to March Y
_ENDS_AFTER_MARCH = ("Academic Year", "Calendar Year", "Annual (end of Sept)")  # a bare year Y ends in FY Y/Y+1
_SUFFIX = re.compile(r"\s*\((OT|Rev|Final|prov)\)$")


class LaitMissing(FileNotFoundError):
    """The real-data folder is not beside this checkout."""


def lait_dir() -> Path:
    """The LAIT folder, or ``LaitMissing`` saying where it was looked for."""
    if not (LAIT_DIR / PARQUET).is_file() or not (LAIT_DIR / DICTIONARY).is_file():
        raise LaitMissing(
            f"the DfE LAIT real data is not at {LAIT_DIR} (expected {PARQUET} and {DICTIONARY}); "
            "it lives in the shared/realdata folder beside this repository's checkout"
        )
    return LAIT_DIR


def financial_year(label: str, year_type: str) -> int | None:
    """The financial year (its starting calendar year) a LAIT period label's reference period ends in; None if it maps to none."""
    text = _SUFFIX.sub("", str(label).strip())
    academic = year_type == "Academic Year"
    if m := re.fullmatch(r"(\d{4})[/-](\d{2})", text):
        start, end = int(m[1]), int(m[2])
        if (start + 1) % 100 == end:  # a two-year form: 2016-17, 2016/17
            return start + 1 if academic else start
        if year_type == "Calendar Year" and (start + 2) % 100 == end:  # rolling calendar years 2014-16: ends December 2016
            return start - start % 100 + end
        return None
    if m := re.fullmatch(r"(\d{4})/(\d{2})-(\d{2})/(\d{2})", text):  # rolling financial years 2013/14-15/16
        start = int(m[1])
        return start - start % 100 + int(m[3])
    if m := re.fullmatch(r"\d{4}", text):
        year = int(text)
        if year_type in _ENDS_BY_MARCH:
            return year - 1
        if year_type in _ENDS_AFTER_MARCH:
            return year
    return None


def _unit(axis: str) -> str:
    text = f"{axis or ''}".strip().lower()
    if text.startswith("%") or text.startswith("percent") or "% " in text:
        return "percent"
    if re.search(r"per 1,?000\b(?!,?0)", text):
        return "rate_per_1000"
    if re.search(r"per 100,?000", text):
        return "rate_per_100k"
    if any(word in text for word in ("spend", "cost", "£")):
        return "gbp"
    if text.startswith("number"):
        return "number"
    return "score"


def _slug(text: str, pattern: str) -> str:
    return re.sub(pattern, "_", str(text).strip())


@dataclass
class LaitData:
    """The contract's tables (text cells, as the CSV files hold them), what was dropped and why, and the mapping notes."""

    council_yml: str
    tables: dict[str, pd.DataFrame]
    quarters: list[str]
    dropped: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def n_measures(self) -> int:
        """Contract measures (LAIT measure x area)."""
        return len(self.tables["measures.csv"])

    @property
    def n_figures(self) -> int:
        """Observation rows."""
        return len(self.tables["observations"])

    def write_folder(self, folder: str | Path) -> Path:
        """A data folder ``pmlib.load_data`` accepts."""
        folder = Path(folder)
        (folder / "observations").mkdir(parents=True, exist_ok=True)
        (folder / "council.yml").write_text(self.council_yml, encoding="utf-8")
        for name in ("plans.csv", "measures.csv", "targets.csv"):
            self.tables[name].to_csv(folder / name, index=False, lineterminator="\n")
        self.tables["observations"].to_csv(folder / "observations" / "lait.csv", index=False, lineterminator="\n")
        return folder


def load_lait(areas: list[int] | None = None, measures: list[str] | None = None, method: str = "tolerance") -> LaitData:
    """Read and map the LAIT data; ``areas`` (DfE authority numbers) and ``measures`` (``Short Desc``) narrow it for tests."""
    folder = lait_dir()
    raw = pd.read_parquet(folder / PARQUET)
    raw["Data item"] = raw.groupby("Short Desc", sort=False)["Data item"].transform("first")  # filled only on a measure's first row
    dictionary = pd.read_csv(folder / DICTIONARY).groupby("Measure_short", sort=False).first()  # a few measures appear twice
    drops: list[tuple[str, int]] = []
    notes: list[str] = []

    if areas is not None:
        raw = raw[raw["LA Number"].isin(list(areas) + [ENGLAND])]  # England stays: its figures are the targets
    if measures is not None:
        raw = raw[raw["Short Desc"].isin(measures)]
    unknown = ~raw["Short Desc"].isin(dictionary.index)
    drops.append(("measure not in the data dictionary", int(unknown.sum())))
    raw = raw[~unknown]

    year_type = raw["Short Desc"].map(dictionary["Year_Type"]).fillna("").to_numpy(object)
    labels = raw["Years"].to_numpy(object)
    label_types = list(zip(labels, year_type, strict=True))
    fy_of = {pair: financial_year(*pair) for pair in set(label_types)}
    fy = np.array([fy_of[pair] for pair in label_types], dtype=object)
    unmapped = pd.isna(fy)
    bad_labels = sorted(set(labels[unmapped]))
    drops.append((f"period label maps to no financial year ({', '.join(map(repr, bad_labels))})", int(unmapped.sum())))
    value_text = raw["Values"].fillna("-").str.strip()
    missing = value_text.eq("-").to_numpy()
    value = pd.to_numeric(value_text.where(~value_text.eq("-")), errors="coerce").to_numpy(float)
    nonnumeric = ~missing & np.isnan(value)
    drops.append(("'-' (missing or suppressed)", int((missing & ~unmapped).sum())))
    drops.append(("value not a number", int((nonnumeric & ~unmapped).sum())))
    keep = ~unmapped & ~missing & ~nonnumeric
    figures = pd.DataFrame(
        {
            "short": raw["Short Desc"].to_numpy(object)[keep],
            "area": raw["LA Number"].to_numpy(float)[keep].astype(int),
            "area_name": raw["LA and Regions"].to_numpy(object)[keep],
            "fy": fy[keep].astype(int),
            "label": labels[keep],
            "text": value_text.to_numpy(object)[keep],
            "value": value[keep],
        }
    )
    # Two labels landing on one financial year for the same measure and area: keep the last label (a revision or final figure).
    figures = figures.sort_values(["short", "area", "fy", "label"], kind="stable")
    twice = figures.duplicated(["short", "area", "fy"], keep="last")
    drops.append(("a second label for the same financial year (the later label kept)", int(twice.sum())))
    figures = figures[~twice].reset_index(drop=True)

    # Units: from the axis title, then checked against every area's figures.
    shorts = pd.Index(figures["short"].unique())
    unit = pd.Series([_unit(dictionary.at[s, "y_axis_name"]) for s in shorts], index=shorts)
    lo = figures.groupby("short")["value"].min().reindex(shorts)
    hi = figures.groupby("short")["value"].max().reindex(shorts)
    out_of_range = ((unit == "percent") & ((lo < 0) | (hi > 100))) | (unit.isin(NON_NEGATIVE_UNITS) & (lo < 0))
    if out_of_range.any():
        notes.append(
            f"{int(out_of_range.sum())} measure(s) read as score: figures outside their unit's range ({', '.join(shorts[out_of_range])})"
        )
    unit[out_of_range] = "score"
    per_10k = [s for s in shorts if "10,000" in str(dictionary.at[s, "y_axis_name"]) or "10000" in str(dictionary.at[s, "y_axis_name"])]
    notes.append(f"{len(per_10k)} measure(s) are rates per 10,000, which the contract has no unit for: read as score (values as given)")

    ids = {}
    for s in shorts:
        slug = _slug(str(s).replace("%", "pct").replace("&", "and"), r"[^A-Za-z0-9_-]")
        while slug in ids.values():
            slug += "_"
        ids[s] = slug
    areas_seen = figures[["area", "area_name"]].drop_duplicates("area").set_index("area")["area_name"]
    pairs = figures[["short", "area"]].drop_duplicates().reset_index(drop=True)
    pairs["measure_id"] = [f"LA{a:03d}-{ids[s]}" for s, a in zip(pairs["short"], pairs["area"], strict=True)]
    topic = dictionary["Topic"].fillna("Other")
    plan_of = {s: _slug(str(topic.get(s, "Other")).lower(), r"[^a-z0-9]+").strip("_").replace("_", "-") or "other" for s in shorts}
    polarity = dictionary["Polarity"].map({"High": "higher", "Low": "lower"}).fillna("none")
    dps = dictionary["dps"]

    p_short = pairs["short"]
    measures_csv = pd.DataFrame(
        {
            "measure_id": pairs["measure_id"],
            "plan_id": p_short.map(plan_of),
            "name": [f"{dictionary.at[s, 'Measure']} ({areas_seen[a]})" for s, a in zip(p_short, pairs["area"], strict=True)],
            "definition": p_short.map(dictionary["y_axis_name"]).fillna(""),
            "unit": p_short.map(unit),
            "polarity": p_short.map(polarity),
            "frequency": "annual",
            "aggregation": "last",
            "ytd": "false",
            "lag": 0,
            "decimals": p_short.map(lambda s: "" if pd.isna(dps.get(s)) else str(int(dps[s]))),
            "source_system": "DfE LAIT",
            "owner": pairs["area"].map(areas_seen),
            "public": "true",
            "disclosure_min": 0,
            "baseline_period": "",
            "baseline_value": "",
            "sdgs": "",
        }
    )
    plans = sorted(set(plan_of.values()))
    names = {plan_of[s]: str(topic.get(s, "Other")) for s in shorts}
    plans_csv = pd.DataFrame(
        {
            "plan_id": plans,
            "name": [names[p] for p in plans],
            "description": "",
            "portfolio_holder": "",
            "lead_officer": "",
            "sdgs": "",
            "order": range(1, len(plans) + 1),
        }
    )

    key = dict(zip(zip(pairs["short"], pairs["area"], strict=True), pairs["measure_id"], strict=True))
    mid = [key[(s, a)] for s, a in zip(figures["short"], figures["area"], strict=True)]
    observations = pd.DataFrame(
        {
            "measure_id": mid,
            "period": [f"{y}/{(y + 1) % 100:02d}" for y in figures["fy"]],
            "value": figures["text"],
            "numerator": "",
            "denominator": "",
            "quality": np.where(figures["label"].str.contains(r"\(prov\)"), "provisional", ""),
            "note": "LAIT period " + figures["label"].astype(str),
            "reported_on": SNAPSHOT,
        }
    )

    # Targets: England's figure for the same measure and year, where a target means something.
    england = figures.loc[figures["area"] == ENGLAND, ["short", "fy", "text"]].rename(columns={"text": "target"})
    judged = figures[figures["short"].map(polarity).ne("none") & figures["short"].map(unit).ne("number")]
    target_rows = judged[["short", "area", "fy"]].merge(england, on=["short", "fy"], how="inner")
    targets_csv = pd.DataFrame(
        {
            "measure_id": [key[(s, a)] for s, a in zip(target_rows["short"], target_rows["area"], strict=True)],
            "year": [f"{y}/{(y + 1) % 100:02d}" for y in target_rows["fy"]],
            "period": "",
            "target": target_rows["target"].to_numpy(object),
            "intervention": "",
        }
    )
    notes.append(
        f"targets: England's figure for {len(targets_csv):,} measure-years; none for polarity-none or count measures, "
        "nor where England has no figure"
    )

    years = range(int(figures["fy"].min()), int(figures["fy"].max()) + 1) if len(figures) else range(0)
    quarters = [f"{y}/{(y + 1) % 100:02d} Q{n}" for y in years for n in range(1, 5)]
    council_yml = (
        "name: Department for Education LAIT - children's services, every area (real data)\n"
        "short_name: DfE LAIT\n"
        f"status_method: {method}\n"
        "tolerance_pct: 5\n"
    )
    dropped = pd.DataFrame(drops, columns=["reason", "rows"])
    return LaitData(
        council_yml=council_yml,
        tables={"plans.csv": plans_csv, "measures.csv": measures_csv, "targets.csv": targets_csv, "observations": observations},
        quarters=quarters,
        dropped=dropped[dropped["rows"] > 0].reset_index(drop=True),
        notes=notes,
    )
