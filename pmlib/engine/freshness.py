"""When each measure's next figure is due: the status rules' expected period (rule 1) one step on.

A resident reading a figure wants to know how old it is and when it will
next change. The contract already says which period a report expects for a
measure (``expected_period_end``, from frequency and lag); the next figure is
the one the first later report expects for a later period, so the answer
follows from the same rule and cannot disagree with the reports themselves.
"""

from __future__ import annotations

import numpy as np

from pmlib.engine.status import expected_period_end
from pmlib.vocabulary import Frequency


def next_report_quarter(frequency, report_quarter) -> np.ndarray:
    """Quarter index of the first report after ``report_quarter`` that expects a later period than it does.

    Monthly and quarterly measures step a quarter at every report whatever
    their lag; an annual measure's expected year changes only at a Q4 report
    (rule 1: the latest year ending by the quarter's end), so its next figure
    waits for the next Q4. Arrays broadcast.
    """
    r = np.asarray(report_quarter, dtype="int64")
    annual = Frequency.codes(np.asarray(frequency, dtype=object)) == Frequency.ANNUAL
    return np.where(annual, r + 1 + (2 - r % 4) % 4, r + 1)


def next_period_end(frequency, lag, report_quarter) -> tuple[np.ndarray, np.ndarray]:
    """For each measure: the quarter index at which its next figure's period ends, and of the report that first expects it."""
    following = next_report_quarter(frequency, report_quarter)
    return expected_period_end(frequency, lag, following), following
