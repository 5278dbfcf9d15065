"""Plain-English sentences about a quarter's results, built from the judged table alone.

Notebooks and pages quote these rather than composing their own, so the
website, the pack and the open data never tell different stories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.views.disclosure import value_text
from pmlib.views.formats import format_value
from pmlib.views.wording import count_words, join_words
from pmlib.vocabulary import STATUSES, Status

JUDGED = (Status.ON_TARGET.word, Status.BELOW_TARGET.word, Status.INTERVENTION.word)
_RANK = {"intervention": 0, "below_target": 1, "on_target": 2}


def _measures(n: int) -> str:
    return "measure" if n == 1 else "measures"


def status_counts(judged: pd.DataFrame) -> dict[str, int]:
    """How many measures have each status, every status present (zero if none)."""
    counts = judged["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def headline(judged: pd.DataFrame, names: pd.Series) -> str:
    """The headline: how many measures with a target are on target, and which need intervention."""
    c = status_counts(judged)
    with_target = c["on_target"] + c["below_target"] + c["intervention"]
    if with_target == 0:
        text = "No measure with a target has a figure for this quarter."
    else:
        hit = judged.loc[judged["status"] == "intervention", "measure_id"]
        if with_target == 1 and c["on_target"] == 0:
            text = (
                f"The only measure with a target needs intervention: {names[hit.iloc[0]]}."
                if len(hit)
                else "The only measure with a target is below target and none needs intervention."
            )
            return _with_extra(text, c, judged, names)
        if c["on_target"] == 0:
            text = f"None of the {with_target} measures with a target is on target"
        else:
            on = count_words(c["on_target"]).capitalize()
            text = f"{on} of {with_target} {_measures(with_target)} with a target {'is' if c['on_target'] == 1 else 'are'} on target"
        below = c["below_target"]
        if below:
            text += f", {count_words(below)} {'is' if below == 1 else 'are'} below target"
        if len(hit):
            needs = "needs" if len(hit) == 1 else "need"
            text += f" and {count_words(len(hit))} {needs} intervention: {join_words([names[m] for m in hit])}."
        else:
            text += " and none needs intervention."
    return _with_extra(text, c, judged, names)


def _with_extra(text: str, c, judged: pd.DataFrame, names: pd.Series) -> str:
    """The headline's second sentence: measures monitored without a target, and those with no figure yet."""
    extra = []
    if c["monitoring"]:
        verb = "is" if c["monitoring"] == 1 else "are"
        extra.append(f"{count_words(c['monitoring'])} {_measures(c['monitoring'])} {verb} monitored without a target")
    if c["no_data"]:
        missing = judged.loc[judged["status"] == "no_data", "measure_id"]
        has = "has" if len(missing) == 1 else "have"
        extra.append(f"{count_words(len(missing))} {has} no figure yet ({join_words([names[m] for m in missing])})")
    if extra:
        sentence = join_words(extra)
        text += f" {sentence[0].upper()}{sentence[1:]}."
    return text


def short_headline(judged: pd.DataFrame) -> str:
    """The headline in one short clause, for a chart subtitle: on target out of judged, and how many need intervention."""
    c = status_counts(judged)
    with_target = c["on_target"] + c["below_target"] + c["intervention"]
    if with_target == 0:
        return "No measure with a target has a figure for this quarter."
    n, on = c["intervention"], c["on_target"]
    tail = "none needs intervention" if n == 0 else f"{count_words(n)} {'needs' if n == 1 else 'need'} intervention"
    if with_target == 1 and on == 0:
        return f"The only measure with a target is not on target; {tail}."
    share = f"None of the {with_target}" if on == 0 else f"{count_words(on).capitalize()} of {with_target}"
    return f"{share} {_measures(with_target)} with a target {'are' if on > 1 else 'is'} on target; {tail}."


def movement(current: pd.DataFrame, previous: pd.DataFrame, previous_quarter: str) -> str:
    """How statuses moved since the previous quarter, among measures judged both times, and how many were judged only once.

    A quarter whose measures gain their first targets moves many measures
    from monitoring to a status: "no measure changed status" alone would
    read as nothing having moved, so those are counted too.
    """
    both = current[["measure_id", "status"]].merge(
        previous[["measure_id", "status"]], on="measure_id", how="left", suffixes=("", "_before")
    )
    now, then = both["status"].isin(JUDGED), both["status_before"].isin(JUDGED)
    pair = both[now & then]
    change = pair["status"].map(_RANK).astype("float64") - pair["status_before"].map(_RANK).astype("float64")  # empty maps give text
    better, worse = int((change > 0).sum()), int((change < 0).sum())
    newly, dropped = int((now & ~then).sum()), int((then & ~now).sum())
    if better == worse == 0:
        text = (
            f"Since {previous_quarter}, no measure judged against a target both times changed status"
            if newly + dropped
            else f"No measure changed status since {previous_quarter}"
        )
    else:
        parts = []
        if better:
            parts.append(f"{count_words(better)} {_measures(better)} moved to a better status")
        if worse:
            who = "" if better else f" {_measures(worse)} moved"
            parts.append(f"{count_words(worse)}{who} to a worse {'one' if better else 'status'}")
        text = f"Since {previous_quarter}, " + join_words(parts)
    others = []
    if newly:
        others.append(f"{count_words(newly)} {_measures(newly)} not judged against a target then {'is' if newly == 1 else 'are'} now")
    if dropped:
        others.append(f"{count_words(dropped)} judged against a target then {'is' if dropped == 1 else 'are'} not now")
    return text + (f"; {join_words(others)}." if others else ".")


def plan_sentence(plan_name: str, judged: pd.DataFrame) -> str:
    """One line per delivery plan: its status counts."""
    c = status_counts(judged)
    parts = [
        f"{c[s]} {w}" for s, w in (("on_target", "on target"), ("below_target", "below target"), ("intervention", "intervention")) if c[s]
    ]
    if c["monitoring"]:
        parts.append(f"{c['monitoring']} monitoring")
    if c["no_data"]:
        parts.append(f"{c['no_data']} no data")
    return f"{plan_name}: {len(judged)} {_measures(len(judged))}: {', '.join(parts) if parts else 'none judged'}."


def measure_finding(row: pd.Series, unit: str, decimals: int) -> str:
    """One sentence on where a measure stands, for a chart's subtitle and its text description.

    ``row`` is a judged row after ``public_view``, so a suppressed figure is
    named as withheld rather than shown.
    """

    def show(v: float) -> str:
        return format_value(v, unit, decimals)

    period = row["period"]
    if row["status"] == "no_data":
        if isinstance(row.get("context_period"), str) and pd.notna(row.get("context_value")):
            return f"No figure for {period} yet; the latest was {show(row['context_value'])} in {row['context_period']}."
        return f"No figure for {period} yet."
    target = show(row["target"]) if row["status"] != "monitoring" else ""
    level = f"intervention level {show(row['intervention'])}" if pd.notna(row["intervention"]) else "no intervention level"
    # Where the measure stands, said after "it" (a withheld figure) and after the figure itself.
    verb, clause = {
        "monitoring": ("is monitored without a target", ", monitored without a target"),
        "on_target": (f"meets the target of {target}", f", meeting the target of {target}"),
        "intervention": (f"needs intervention (target {target}, {level})", f": needs intervention (target {target}, {level})"),
    }.get(row["status"], (f"is below the target of {target} ({level})", f", below the target of {target} ({level})"))
    if row["suppressed"]:
        return f"The figure for {period} is withheld to protect small numbers [c]; it {verb}."
    shown = value_text(row["value"], unit, decimals, provisional=row["provisional"], estimated=row["estimated"], revised=row["revised"])
    return f"{shown[0].upper()}{shown[1:]} in {period}{clause}."


def _is_are(n: int, one: str = "is", many: str = "are") -> str:
    return f"{count_words(n)} {one if n == 1 else many}"


def joint_headline(rows: pd.DataFrame, names: pd.Series, councils: dict[str, str]) -> str:
    """The joint report's headline, from its rows (``JointReport.rows``: judged rows with ``figure``, a council id or ``combined``).

    Each shared measure is counted once, by its worst status among the
    councils: needing intervention in any council, else below target in any,
    else without a figure in any, else on target in every council that has
    it; the rest are monitored without a target somewhere. Then the combined
    figures by status. ``councils`` maps council ids to the short names the
    sentences use.
    """
    own = rows[rows["figure"].isin(list(councils))]
    if own.empty:
        return "There are no shared measures in this report."
    counts = pd.crosstab(own["measure_id"], own["status"]).reindex(columns=STATUSES, fill_value=0)
    counts = counts.reindex(list(dict.fromkeys(own["measure_id"])))
    worst = pd.Series(
        np.select(
            [counts[s.word] > 0 for s in (Status.INTERVENTION, Status.BELOW_TARGET, Status.NO_DATA)]
            + [counts[Status.ON_TARGET.word] == counts.sum(axis=1)],
            [s.word for s in (Status.INTERVENTION, Status.BELOW_TARGET, Status.NO_DATA, Status.ON_TARGET)],
            Status.MONITORING.word,
        ),
        index=counts.index,
    )
    k = worst.value_counts().reindex(STATUSES, fill_value=0)
    in_all = (counts.sum(axis=1) == len(councils)).all()
    every = (
        ("both councils" if len(councils) == 2 else f"all {count_words(len(councils))} councils") if in_all else "every council having it"
    )
    parts = [f"{_is_are(k['on_target']) if k['on_target'] else 'none is'} on target in {every}"]
    if k["below_target"]:
        parts.append(f"{_is_are(k['below_target'])} below target in at least one council")
    if k["no_data"]:
        parts.append(f"{_is_are(k['no_data'], 'has', 'have')} no figure yet in at least one council")
    if k["monitoring"]:
        parts.append(f"{_is_are(k['monitoring'])} monitored without a target")
    text = f"Of {count_words(len(worst))} shared {_measures(len(worst))}, {join_words(parts)}."
    if k["intervention"]:
        where = own[own["status"] == "intervention"].groupby("measure_id", sort=False)["figure"].agg(list)
        named = [f"{names[m]} ({join_words([councils[c] for c in where[m]])})" for m in worst.index[worst == "intervention"]]
        text += f" {_is_are(k['intervention'], 'needs', 'need').capitalize()} intervention: {join_words(named)}."
    else:
        text += f" None needs intervention in {'either council' if len(councils) == 2 else 'any council'}."
    return text + _combined_sentence(rows[~rows["figure"].isin(list(councils))], names)


def _combined_sentence(combined: pd.DataFrame, names: pd.Series) -> str:
    """The combined figures by status, naming those needing intervention; nothing when no shared measure has one."""
    if combined.empty:
        return ""
    c = status_counts(combined)
    parts = [f"{_is_are(c[s])} {w}" for s, w in (("on_target", "on target"), ("below_target", "below target")) if c[s]]
    if c["intervention"]:
        hit = join_words([names[m] for m in combined.loc[combined["status"] == "intervention", "measure_id"]])
        parts.append(f"{_is_are(c['intervention'], 'needs', 'need')} intervention ({hit})")
    if c["monitoring"]:
        parts.append(f"{_is_are(c['monitoring'])} monitored without a joint target")
    if c["no_data"]:
        parts.append(f"{_is_are(c['no_data'], 'has', 'have')} no figure from every council yet")
    return f" Of the {count_words(len(combined))} with a combined figure, {join_words(parts)}."
