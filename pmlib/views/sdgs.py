"""The UN Sustainable Development Goals that delivery plans and measures align to.

Councils tag plans and measures with goal numbers so residents can read the
council's contribution goal by goal. A measure counts towards a goal when it
names the goal itself; a measure with no goals of its own counts towards its
plan's goals, as the plan speaks for it.
"""

from __future__ import annotations

import pandas as pd

GOALS: dict[int, str] = {
    1: "No poverty",
    2: "Zero hunger",
    3: "Good health and well-being",
    4: "Quality education",
    5: "Gender equality",
    6: "Clean water and sanitation",
    7: "Affordable and clean energy",
    8: "Decent work and economic growth",
    9: "Industry, innovation and infrastructure",
    10: "Reduced inequalities",
    11: "Sustainable cities and communities",
    12: "Responsible consumption and production",
    13: "Climate action",
    14: "Life below water",
    15: "Life on land",
    16: "Peace, justice and strong institutions",
    17: "Partnerships for the goals",
}


def goal_title(goal: int) -> str:
    """The goal as residents see it named: 'Goal 11: Sustainable cities and communities'."""
    return f"Goal {goal}: {GOALS[goal]}"


def measure_goals(measures: pd.DataFrame, plans: pd.DataFrame) -> pd.Series:
    """Each measure's goals: its own, or its plan's when it names none."""
    own = measures["sdgs"]
    inherited = plans["sdgs"].reindex(measures["plan_id"]).to_numpy()
    return pd.Series([tuple(o) if len(o) else tuple(p) for o, p in zip(own, inherited, strict=True)], index=measures.index)


def measures_by_goal(measures: pd.DataFrame, plans: pd.DataFrame) -> dict[int, list[str]]:
    """For every goal with at least one measure, its measure ids in the measures' own order."""
    goals = measure_goals(measures, plans)
    found: dict[int, list[str]] = {}
    for measure_id, numbers in goals.items():
        for goal in numbers:
            found.setdefault(int(goal), []).append(measure_id)
    return dict(sorted(found.items()))
