"""Checking a shared-services project: every council's folders, one definition per shared measure, and the joint files.

Each council's ``data/`` and ``params/`` folders are checked exactly as a
single council's are, and their problems name that council's files. Then the
one rule that spans councils: a shared measure (the same ``measure_id`` and
``shared_service`` in every council that has it) is defined the same
everywhere, since the joint report sets the councils' figures side by side and
adds them. Councils may still differ in a shared measure's name, owner,
targets and status method: each council's figures are judged by its own.
Two warnings guard what the contract leaves to good faith: a council's
folders that name another council of the project (swapped in
``councils.yml``), and a joint target that could never find a combined
figure needing intervention.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.contract.collecting import Collector, empty_table
from pmlib.contract.config import Council, _key_lines, check_report_params
from pmlib.contract.councils import SharedServices
from pmlib.contract.figure_checks import check_targets
from pmlib.contract.loading import CouncilData, check_data
from pmlib.contract.params_folder import check_params_folder, params_files
from pmlib.contract.periods import Period
from pmlib.contract.tables import ROW_COLUMN, TABLES, typed_empty
from pmlib.errors import DataContractError, Problem, sort_problems
from pmlib.vocabulary import Aggregation

HARMONISED = ("definition", "unit", "polarity", "frequency", "aggregation", "ytd", "lag", "decimals")
"""The columns of measures.csv a shared measure must have the same in every council (one framework, one definition)."""

COMBINED = (Aggregation.SUM.word, Aggregation.RATIO.word)
"""Aggregations whose councils' figures add up to a combined figure, which joint targets judge."""


@dataclass(frozen=True)
class SharedData:
    """A checked shared-services project: each council's data, the shared measures and the joint targets.

    ``shared`` has one row per shared measure, indexed by ``measure_id``:
    ``measure_id``, ``shared_service``, ``councils`` (a tuple of the ids of
    the councils that have it, in display order), ``name`` (the first such
    council's), the ``HARMONISED`` columns (the same in each), ``public``
    (false when any council restricts it: the public joint report leaves it
    out) and ``disclosure_min`` (the largest of the councils'). Rows are grouped
    by shared service in order of first appearance, then in order of first
    appearance, reading the councils' measures.csv in display order.
    ``joint_targets`` is as a council's checked targets (with ``fy`` and
    ``phased_last_month``), empty when the project has no joint targets.
    """

    services: SharedServices
    councils: dict[str, CouncilData]
    joint_targets: pd.DataFrame
    shared: pd.DataFrame


def check_shared(services: SharedServices) -> tuple[SharedData | None, list[Problem]]:
    """Check every council's folders and the rules between them; the data (None if any error) and every problem, warnings too."""
    problems: list[Problem] = []
    councils: dict[str, CouncilData] = {}
    for folders in services.councils:
        data, found = check_data(folders.data)
        problems += found
        if data is not None:
            councils[folders.id] = data
        problems += check_params_folder(folders.params)[1]

    problems += _folders_of_another_council(services, councils)
    measures = _all_measures(services, councils)
    problems += _mismatched_services(measures)
    problems += _differences(measures)
    shared = _shared_measures(measures)
    # With a council's data unreadable, which measures are shared is not known: its problems come first.
    complete = len(councils) == len(services.councils)
    joint_targets, found = _check_joint_targets(services, shared, measures, complete)
    problems += found
    problems += _joint_levels_unused(services, councils, shared, joint_targets) if complete else []
    problems += _check_joint_params(services)

    problems = sort_problems(problems)
    if not complete or any(p.severity == "error" for p in problems):
        return None, problems
    return SharedData(services, councils, joint_targets, shared), problems


def load_shared(services: SharedServices) -> SharedData:
    """The checked project, or ``DataContractError`` listing every error in every council's files and the joint files."""
    data, problems = check_shared(services)
    if data is None:
        raise DataContractError(problems)
    return data


def joint_quarters(services: SharedServices) -> dict[Period, Path]:
    """Every joint report's params file by quarter, oldest first; none when ``councils.yml`` names no joint params folder."""
    return {} if services.joint_params is None else params_files(services.joint_params)


def agreed_method(councils: Iterable[Council]) -> tuple[str, float | None] | None:
    """The status method (and tolerance) every council judges by, or None when they differ.

    The combined figure is judged as the councils judge their own when they
    agree, and by the intervention method when they differ (the contract), so
    the joint report and ``pm check`` must read "agree" the same way. A
    tolerance means nothing to the intervention method, so councils both using
    it agree whatever their ``tolerance_pct``.
    """
    methods = {(c.status_method, c.tolerance_pct if c.status_method == "tolerance" else None) for c in councils}
    return methods.pop() if len(methods) == 1 else None


def _folders_of_another_council(services: SharedServices, councils: dict[str, CouncilData]) -> list[Problem]:
    """A warning on a council's ``data`` whose council.yml names another council, and on a ``params`` whose path does.

    An id is only a slug for the council's web address, so nothing in the
    contract ties it to a folder, and two councils' folders swapped check
    clean while each council's site carries the other's figures. The signal
    used is the one that cannot be a coincidence: the data's own council.yml
    (or the params folder's path) naming another council of the file,
    spelt as that council's id, and not this one. An id spelt unlike any
    name (``cbc``) gives no signal, so no warning. Both folders naming the
    same other council is one warning, on the id, which is then the likelier
    mistake.
    """
    ids, file = services.ids, str(services.file)
    names = {f.id: (councils[f.id].council.name, councils[f.id].council.short_name) for f in services.councils if f.id in councils}
    named = {
        "data": {i: _ids_named(names[i][0], ids) | _ids_named(names[i][1], ids) if i in names else set() for i in ids},
        "params": {f.id: _ids_named(_relative(f.params, services.root), ids) for f in services.councils},
    }
    problems = []
    for n, f in enumerate(services.councils, start=1):
        foreign = {key: found[f.id] for key, found in named.items() if found[f.id] and f.id not in found[f.id]}
        says = {"params": f"{f.params.as_posix()} is named for"}
        if f.id in names:
            says["data"] = f"{os.path.join(str(f.data), 'council.yml')} names '{names[f.id][0]}',"
        if len(foreign) == 2 and foreign["data"] == foreign["params"]:
            other = _join_ids(foreign["data"])
            message = (
                f"the data and params folders are both {other}'s ({says['data'][:-1]}; {says['params']} it): if this entry is for "
                f"{other}, correct the id (and the other council's), otherwise point its data and params at {f.id}'s own folders"
            )
            problems.append(Problem(file, f.lines.get("id"), f"councils[{n}].id", message, "warning"))
            continue
        for key, other_ids in foreign.items():
            own = [(m, g) for m, g in enumerate(services.councils, start=1) if named[key][g.id] == {f.id}]
            where = f"{getattr(own[0][1], key).as_posix()}, now given as councils[{own[0][0]}].{key}" if own else "its own folder"
            shows = f"{names[f.id][1]}'s figures" if key == "data" else "that folder's quarters, titles, meetings and dates"
            sibling = "params" if key == "data" else "data"
            hint = (
                f"its {sibling} folder is {f.id}'s" if f.id in named[sibling][f.id] else "if the ids are the wrong way round, correct them"
            )
            message = (
                f"{says[key]} {_join_ids(other_ids)} in this file, not {f.id}: {f.id}'s reports would show {shows}; "
                f"point {f.id}'s {key} at {where} ({hint})"
            )
            problems.append(Problem(file, f.lines.get(key), f"councils[{n}].{key}", message, "warning"))
    return problems


def _relative(path: Path, root: Path) -> str:
    """``path`` from ``root``, so the folders above a project (which may be named for one council) are not read as a signal."""
    try:
        return os.path.relpath(path, root)
    except ValueError:  # another drive
        return str(path)


def _ids_named(text: str, ids: Iterable[str]) -> set[str]:
    """The council ids ``text`` spells out as whole words (``South Ribble Borough Council``: ``south-ribble``), the longest only.

    ``ribble`` inside a named ``south-ribble`` is not named again, so a
    council called Ribble beside South Ribble is told apart.
    """
    words = "-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") + "-"
    found = {i for i in ids if f"-{i}-" in words}
    return {i for i in found if not any(i != j and f"-{i}-" in f"-{j}-" for j in found)}


def _join_ids(ids: set[str]) -> str:
    """Council ids as a message names them: ``council south-ribble``, or ``councils a and b``."""
    names = sorted(ids)
    return f"council {names[0]}" if len(names) == 1 else f"councils {', '.join(names[:-1])} and {names[-1]}"


def _all_measures(services: SharedServices, councils: dict[str, CouncilData]) -> pd.DataFrame:
    """Every council's measures in one frame, in display order then file order, with the council, its file and row."""
    frames = [
        councils[f.id].measures.reset_index(drop=True).assign(council=f.id, file=os.path.join(str(f.data), "measures.csv"), position=n)
        for n, f in enumerate(services.councils)
        if f.id in councils
    ]
    if not frames:
        return empty_table("measures.csv").assign(council=None, file=None, position=None)
    return pd.concat(frames, ignore_index=True)


def _first(measures: pd.DataFrame) -> pd.DataFrame:
    """For each row, the first row (in display order) of a council with the same measure_id."""
    firsts = measures.drop_duplicates("measure_id").set_index("measure_id")
    return firsts.reindex(measures["measure_id"]).set_index(measures.index)


def _shown(value) -> str:
    """A cell as a message quotes it: text in quotes, true/false and numbers as written, a blank cell as 'blank'."""
    if value is None or pd.isna(value):
        return "blank"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    return str(value)


def _mismatched_services(measures: pd.DataFrame) -> list[Problem]:
    """A measure_id given a shared_service in one council and another, or none, in another: one problem per later council's row."""
    first = _first(measures)
    service, first_service = measures["shared_service"].fillna(""), first["shared_service"].fillna("")
    bad = (service != first_service) & (measures["council"] != first["council"])
    return [
        Problem(
            r.file,
            int(r[ROW_COLUMN]),
            "shared_service",
            f"{r.measure_id} has shared_service {_shown(r.shared_service)} here but {_shown(f.shared_service)} in "
            f"{f.council}'s {f.file} row {int(f[ROW_COLUMN])}; if it is the same measure, give it the same shared_service "
            "in every council; if they are different measures, give one of them another measure_id",
        )
        for (_, r), (_, f) in zip(measures[bad].iterrows(), first[bad].iterrows(), strict=True)
    ]


def _differences(measures: pd.DataFrame) -> list[Problem]:
    """A shared measure's harmonised column differing from the first council's: a problem on the later council's row, naming both."""
    first = _first(measures)
    same_service = measures["shared_service"].fillna("") == first["shared_service"].fillna("")
    compared = measures["shared_service"].notna() & same_service & (measures["council"] != first["council"])
    problems = []
    for column in HARMONISED:
        here, there = measures[column], first[column]
        differs = compared & ~((here == there) | (here.isna() & there.isna()))
        for (_, r), (_, f) in zip(measures[differs].iterrows(), first[differs].iterrows(), strict=True):
            message = (
                f"{column} is {_shown(r[column])} here but {_shown(f[column])} in {f.council}'s {f.file} row {int(f[ROW_COLUMN])}; "
                f"{r.measure_id} is a shared measure ({r.shared_service}), so it must have one {column} in every council: "
                "agree one and write it in each council's measures.csv"
            )
            problems.append(Problem(r.file, int(r[ROW_COLUMN]), column, message))
    return problems


def _shared_measures(measures: pd.DataFrame) -> pd.DataFrame:
    """One row per shared measure: its service, the councils that have it, its harmonised columns; see ``SharedData``."""
    rows = measures[measures["shared_service"].notna()]
    by_id = rows.groupby("measure_id", sort=False)
    shared = by_id[["measure_id", "shared_service", "name", *HARMONISED]].first()
    shared["councils"] = by_id["council"].agg(tuple)
    shared["public"] = by_id["public"].all()
    shared["disclosure_min"] = by_id["disclosure_min"].max().astype("int64")
    service_order = {s: n for n, s in enumerate(shared["shared_service"].unique())}
    order = shared["shared_service"].map(service_order)
    shared = shared.assign(_service=order.to_numpy(), _first=range(len(shared))).sort_values(["_service", "_first"])
    columns = ["measure_id", "shared_service", "councils", "name", *HARMONISED, "public", "disclosure_min"]
    return shared[columns].rename_axis("measure_id")


def _check_joint_targets(
    services: SharedServices, shared: pd.DataFrame, measures: pd.DataFrame, complete: bool
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check ``joint/targets.csv`` as a council's targets.csv, and that each row is for a combined figure."""
    path = services.joint_targets
    c = Collector(Path(".") if path is None else path.parent)
    # Its measures are the shared ones, not a measures.csv beside it: unknown ids are flagged here, in those words.
    c.broken.add("measures.csv")
    table = None if path is None else c.read(path.name, "targets.csv")
    table = typed_empty(TABLES["targets.csv"]) if table is None else table
    table.attrs["display"] = "" if path is None else c.display(path.name)
    targets = check_targets(c, table, shared)
    if not complete:
        return targets, c.problems

    councils_of = measures.groupby("measure_id", sort=False)["council"].agg(", ".join)
    unknown = table["measure_id"].notna() & ~table["measure_id"].isin(councils_of.index)
    c.flag(
        table,
        unknown,
        "measure_id",
        lambda r: f"'{r.measure_id}' is not a measure_id in any council's measures.csv; correct the id or remove the target",
    )
    c.flag(
        table,
        table["measure_id"].isin(councils_of.index) & ~table["measure_id"].isin(shared.index),
        "measure_id",
        lambda r: (
            f"{r.measure_id} is not a shared measure (it has no shared_service in {councils_of[r.measure_id]}'s measures.csv); "
            "joint targets are for shared measures' combined figures: remove the row, or give the measure its shared_service"
        ),
    )
    aggregation = shared["aggregation"].reindex(table["measure_id"]).set_axis(table.index)
    c.flag(
        table,
        aggregation.notna() & ~aggregation.isin(COMBINED),
        "measure_id",
        lambda r: (
            f"{r.measure_id} is a {aggregation[r.name]} measure, so the councils' figures are not combined and a joint target "
            "has no figure to judge; remove the row (each council's own targets.csv judges its figure)"
        ),
    )
    return targets, c.problems


def _joint_levels_unused(
    services: SharedServices, councils: dict[str, CouncilData], shared: pd.DataFrame, targets: pd.DataFrame
) -> list[Problem]:
    """A warning on each joint target without an intervention level, when the councils' status methods differ.

    The combined figure is then judged by the intervention method, whose only
    levels are those written in ``joint/targets.csv``: without one, a combined
    figure can miss its target by any margin and never need intervention,
    although each council's own figure, judged by a tolerance, would.
    """
    if targets.empty or agreed_method(d.council for d in councils.values()) is not None:
        return []
    methods = "; ".join(_method_words(f.id, councils[f.id].council, os.path.join(str(f.data), "council.yml")) for f in services.councils)
    c = Collector(Path("."))
    c.flag(
        targets,
        targets["measure_id"].map(shared["polarity"]).ne("none") & targets["target"].notna() & targets["intervention"].isna(),
        "intervention",
        lambda r: (
            f"blank, and the councils judge by different status methods ({methods}), so {r.measure_id}'s combined figure is "
            "judged by the intervention method against this file's levels alone and can never need intervention; write its "
            "intervention level here, or give every council the same status_method and tolerance_pct in its council.yml"
        ),
        "warning",
    )
    return c.problems


def _method_words(council_id: str, council: Council, file: str) -> str:
    """How one council judges its figures, and the line of its council.yml that says so: ``chorley: tolerance 5%, FILE:4``."""
    lines = _key_lines(Path(file).read_text(encoding="utf-8-sig"))
    tolerance = council.status_method == "tolerance"
    method = f"tolerance {council.tolerance_pct:g}%" if tolerance else "the intervention method"
    line = (lines.get("tolerance_pct") if tolerance else None) or lines.get("status_method")
    return f"{council_id}: {method}, {file}:{line}" if line else f"{council_id}: {method} by default, {file} has no status_method"


def _check_joint_params(services: SharedServices) -> list[Problem]:
    """Check each joint report's params file, and that every council has a report for its quarter."""
    problems: list[Problem] = []
    council_quarters = {f.id: params_files(f.params) for f in services.councils}
    for quarter, path in joint_quarters(services).items():
        params, found = check_report_params(path, str(path))
        problems += found
        if params is None:
            continue
        line = _key_lines(path.read_text(encoding="utf-8-sig")).get("quarter")
        for folders in services.councils:
            if quarter not in council_quarters[folders.id]:
                wanted = (folders.params / f"{quarter.slug}.yml").as_posix()
                problems.append(
                    Problem(
                        str(path),
                        line,
                        "quarter",
                        f"{folders.id} has no report for {quarter.code}, which a joint report needs from every council; "
                        f"add {wanted}, or remove this file",
                    )
                )
    return problems
