"""Read BCP Council's real published figures from ``shared/realdata`` (Open Government Licence v3.0).

Each reader returns ``{key: RealSeries}``: a name and direction as the source
states them and the figures by financial year. Only years 2019/20 and 2020/21
are kept: BCP Council was created in April 2019, and 2021/22 figures were not
published until after the demo's last report.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from demo_data.periods import FIRST_FY, LAST_YEAR
from pmlib.intake.comparator_files import lait_year

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
BCP_ONS, BCP_DFE = "E06000058", 839


@dataclass
class RealSeries:
    """A real measure: its published name, direction and figures by financial year (``{2019: 88.7}``)."""

    name: str
    polarity: str | None
    values: dict[int, float]
    source: str
    table: str


def _keep(fy: int) -> bool:
    return FIRST_FY <= fy <= LAST_YEAR


def read_ons(root: Path = REALDATA) -> dict[str, RealSeries]:
    """Net additional dwellings per 1,000 stock; periods are ISO intervals like ``2020-04-01/P1Y`` (= 2020/21)."""
    path = root / "ons-els-net-additional-dwellings" / "net-additions-to-the-housing-stock.csv"
    values, name = {}, ""
    with path.open(encoding="utf-8-sig", newline="") as f:  # the file starts with a byte-order mark
        for row in csv.DictReader(f):
            if row["areacd"] != BCP_ONS:
                continue
            name = row["measure"]
            match = re.fullmatch(r"(\d{4})-04-01/P1Y", row["period"])
            if match and _keep(int(match[1])) and row["observation"]:
                values[int(match[1])] = float(row["observation"])
    return {
        BCP_ONS: RealSeries(
            name, None, values, "ONS Explore Local Statistics (MHCLG Live Table 122)", "net-additions-to-the-housing-stock.csv"
        )
    }


_RANK = {"desc": "higher", "asc": "lower", "none": "none"}


def read_oflog(codes: list[str], root: Path = REALDATA) -> dict[str, RealSeries]:
    """Oflog adult social care metrics; name from ``Measure`` less its ``Outcome, `` prefix, direction from ``rank_order``."""
    frame = pd.read_csv(root / "oflog-adult-social-care" / "ASC_data.csv", dtype=str, keep_default_na=False)
    frame = frame[(frame["Local authority code"] == BCP_ONS) & frame["Code"].isin(codes) & (frame["Value"] != "")]
    out = {}
    for code in codes:
        rows = frame[frame["Code"] == code]
        values = {int(y[:4]): float(v) for y, v in zip(rows["Financial year"], rows["Value"], strict=True) if _keep(int(y[:4]))}
        name = rows["Measure"].iloc[0].removeprefix("Outcome, ")
        polarity = _RANK[rows["rank_order"].iloc[0].strip().lower()]
        out[code] = RealSeries(name, polarity, values, "Oflog Local Authority Data Explorer", f"ASC_data.csv, {code}")
    return out


_LAIT_POLARITY = {"High": "higher", "Low": "lower", "-": "none"}


def read_lait(shorts: list[str], root: Path = REALDATA) -> dict[str, RealSeries]:
    """DfE LAIT: ``Data item`` is only on each measure's first row (forward-filled); ``-`` means missing.

    Period labels are read by ``pmlib``'s own ``lait_year`` (``pm comparators``
    reads LAIT extracts with it too); see data/README.md for the mapping.
    """
    folder = root / "dfe-lait-childrens-services"
    frame = pd.read_parquet(folder / "bds_long_0.parquet")
    frame["Data item"] = frame["Data item"].ffill()
    frame = frame[(frame["LA Number"] == BCP_DFE) & frame["Short Desc"].isin(shorts) & (frame["Values"].str.strip() != "-")]
    dictionary = pd.read_csv(folder / "lait_data_dictionary.csv", dtype=str, keep_default_na=False).set_index("Measure_short")
    out = {}
    for short in shorts:
        info = dictionary.loc[short]
        values = {}
        for label, value in zip(
            frame.loc[frame["Short Desc"] == short, "Years"], frame.loc[frame["Short Desc"] == short, "Values"], strict=True
        ):
            fy = lait_year(label, calendar_years=info["Year_Type"] == "Calendar Year")
            if fy is not None and _keep(fy):
                values[fy] = round(float(value), 3)
        out[short] = RealSeries(
            info["Measure"].strip(),
            _LAIT_POLARITY.get(info["Polarity"].strip()),
            values,
            "DfE Local Authority Interactive Tool",
            f"bds_long_0.parquet, {short}",
        )
    return out


def read_all(root: Path = REALDATA) -> dict[tuple[str, str], RealSeries]:
    """Every real series the measure table refers to, keyed like ``Measure.real``."""
    out = {("ons", k): v for k, v in read_ons(root).items()}
    out |= {("oflog", k): v for k, v in read_oflog(["ASC5", "ASC6", "ASC7"], root).items()}
    out |= {("lait", k): v for k, v in read_lait(["CIN", "CP_conf_15days", "SEN_EHC_All_20wks", "PrevRegCPR"], root).items()}
    return out
