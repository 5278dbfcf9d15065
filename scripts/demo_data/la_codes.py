"""Derive ``pmlib/intake/dfe_la_codes.csv``: DfE local authority numbers and the ONS GSS codes of the same areas.

DfE's LAIT names authorities by its own LA numbers (BCP Council is 839);
comparator files name them by ONS GSS codes (E06000058). No table of the two
is in ``../shared/realdata``, so the mapping is made by name: each LA name in
DfE's ``la_code_list.xlsx`` is matched with the names the Oflog data
(``ASC_data.csv``) and ONS Explore Local Statistics (ELS) give their codes,
after normalising case, punctuation and ``&``; ``RENAMED`` lists the few names
that differ. A code that ONS has replaced is valid up to the financial year
before the ELS note's "Obsolete code since YYYY" (its replacement from then
on), so one LA number can have two codes over time (Buckinghamshire
E10000002 to 2019/20, E06000060 from 2020/21). A "(Pre LG)" DfE number
(Bournemouth, Poole, Dorset before April 2019) takes the replaced code, and
the authority of the same name the current one. The ELS file also gives
England and the regions; London (Inner) and (Outer) have no GSS code and
are listed with the code blank, as is DfE's retired England total (1000).

The file is shipped in pmlib (the importer ``pm comparators`` reads LAIT with
it); ``make_demo_data.py`` checks it is what this module derives from the
real data, and ``make_demo_data.py --write-la-codes`` writes it again.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from demo_data.real import REALDATA

LA_CODES_FILE = Path(__file__).resolve().parents[2] / "pmlib" / "intake" / "dfe_la_codes.csv"
COLUMNS = ["la_number", "la_name", "area_code", "area_name", "first_year", "last_year"]

# DfE name -> the name ONS and Oflog give the same area (after normalising).
RENAMED = {
    "Bedford Borough": "Bedford",
    "Durham": "County Durham",
    "England (discontinued)": None,  # DfE's retired England total: no area of its own
}
_UPPER_TIER_OR_WIDER = ("E06", "E08", "E09", "E10", "E12", "E92")
_OBSOLETE = re.compile(r"Obsolete code since (\d{4}) \(replaced by (.+)\)")
_REPLACEMENT = re.compile(r"(E\d{8}) (.+?)(?: and (?=E\d{8})|$)")

HEADER = """\
# DfE local authority numbers (as in LAIT's "LA Number") and the ONS GSS codes of the same areas, by financial year.
# first_year/last_year: the financial years a code applies to (blank: no limit); an LA number may have two codes over time.
# A blank area_code: a DfE number with no ONS area of its own (London (Inner), London (Outer), the retired England total).
# Derived by matching names in DfE's la_code_list.xlsx with Oflog ASC_data.csv and ONS Explore Local Statistics
# (net-additions-to-the-housing-stock.csv, whose notes give the year each replaced code went out of use), all
# Open Government Licence v3.0; written by scripts/make_demo_data.py --write-la-codes (see scripts/demo_data/la_codes.py).
"""


def _normal(name: str) -> str:
    name = name.lower().replace("&", " and ").replace("(pre lg)", "")
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", name).split())


def _fy(start: int | None) -> str:
    return "" if start is None else f"{start}/{(start + 1) % 100:02d}"


def _ons_names(root: Path) -> tuple[pd.DataFrame, dict[str, int], dict[str, int]]:
    """Every upper-tier, regional and national code with its names; the financial years replaced codes went out of and into use."""
    els = pd.read_csv(
        root / "ons-els-net-additional-dwellings" / "net-additions-to-the-housing-stock.csv",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    oflog = pd.read_csv(root / "oflog-adult-social-care" / "ASC_data.csv", dtype=str, keep_default_na=False)
    names = [
        els[["areacd", "areanm"]].set_axis(["code", "name"], axis=1),
        oflog[["Local authority code", "Local authority name"]].set_axis(["code", "name"], axis=1),
    ]
    gone: dict[str, int] = {}
    new: dict[str, int] = {}
    for code, note in els.loc[els["notes"] != "", ["areacd", "notes"]].drop_duplicates().itertuples(index=False):
        m = _OBSOLETE.fullmatch(note)
        if not m:
            raise SystemExit(f"ELS note not understood for {code}: {note!r}; extend demo_data/la_codes.py")
        gone[code] = int(m[1])
        for new_code, new_name in _REPLACEMENT.findall(m[2]):
            names.append(pd.DataFrame({"code": [new_code], "name": [new_name]}))
            new[new_code] = int(m[1])
    frame = pd.concat(names).drop_duplicates()
    frame = frame[frame["code"].str[:3].isin(_UPPER_TIER_OR_WIDER)]
    # Any of a code's names finds it; the first given (ELS before Oflog: ONS's own spelling) is the one written.
    official = frame.drop_duplicates("code").set_index("code")["name"]
    frame = frame.assign(key=frame["name"].map(_normal), name=frame["code"].map(official))
    return frame.drop_duplicates(["code", "key"]), gone, new


def derive(root: Path = REALDATA) -> list[list[str]]:
    """The mapping's rows, in LA number order, then by first year."""
    dfe = pd.read_excel(root / "dfe-lait-childrens-services" / "la_code_list.xlsx", dtype={"LA Number": int})
    ons, gone, new = _ons_names(root)
    by_key = ons.groupby("key")
    rows, unmatched = [], []
    for number, name in dfe[["LA Number", "LA Name"]].itertuples(index=False):
        wanted = RENAMED.get(name, name)
        if wanted is None:
            continue
        key = _normal(wanted)
        if key not in by_key.groups:
            unmatched.append(f"{number} {name}")
            continue
        codes = by_key.get_group(key)
        pre_lg = "(Pre LG)" in name
        twin = (dfe["LA Name"] == f"{name} (Pre LG)").any()
        for code, area_name in codes[["code", "name"]].itertuples(index=False):
            replaced = code in gone
            if (pre_lg and not replaced) or (twin and replaced):
                continue
            first = new.get(code)
            last = gone[code] - 1 if replaced else None
            rows.append([str(number), name, code, area_name, _fy(first), _fy(last)])
    known_gaps = {"987 London (Inner)", "988 London (Outer)"}
    if set(unmatched) != known_gaps:
        raise SystemExit(f"DfE LA names with no ONS code: {sorted(set(unmatched) - known_gaps)}; add them to RENAMED in la_codes.py")
    # DfE numbers with no area of their own stay in the table, code blank, so an importer knows them from a mistyped number.
    for number, name in dfe[["LA Number", "LA Name"]].itertuples(index=False):
        if f"{number} {name}" in known_gaps or (name in RENAMED and RENAMED[name] is None):
            rows.append([str(number), name, "", "", "", ""])
    return sorted(rows, key=lambda r: (int(r[0]), r[4], r[2]))


def render(rows: list[list[str]]) -> str:
    """The file's text: the provenance header, then the CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return HEADER + out.getvalue()


def check_or_write(write: bool, root: Path = REALDATA) -> list[list[str]]:
    """Check the shipped file is what the real data gives (or write it); return the rows."""
    rows = derive(root)
    text = render(rows)
    if write:
        LA_CODES_FILE.write_bytes(text.encode("utf-8"))
    elif not LA_CODES_FILE.is_file() or LA_CODES_FILE.read_bytes() != text.encode("utf-8"):
        raise SystemExit(f"{LA_CODES_FILE.name} differs from what the real data gives; run scripts/make_demo_data.py --write-la-codes")
    return rows
