"""Period arithmetic for the demo data, kept independent of ``pmlib`` on purpose.

The demo data is a fixture the package is tested against, so it must not be
computed by the code under test. Months, quarters and financial years are
integer indexes, as in the contract's own examples:

- a month is ``year * 12 + month - 1`` (2020-09 -> 24248);
- a quarter is ``fy * 4 + n - 1`` where ``fy`` is the calendar year the
  financial year starts in (2020/21 Q2 -> 8081);
- a financial year is ``fy`` (2020/21 -> 2020).
"""

from __future__ import annotations

import calendar
import datetime as dt

FIRST_FY = 2019  # the baseline year, 2019/20
REPORT_QUARTERS = [2020 * 4 + 0, 2020 * 4 + 1, 2020 * 4 + 2, 2020 * 4 + 3, 2021 * 4 + 0, 2021 * 4 + 1]
FIRST_MONTH = FIRST_FY * 12 + 3  # April 2019
LAST_MONTH = 2021 * 12 + 8  # September 2021
FIRST_QUARTER = FIRST_FY * 4
LAST_QUARTER = 2021 * 4 + 1  # 2021/22 Q2
LAST_YEAR = 2020  # 2020/21, the latest year published by the last report's data_as_at


def fy_code(fy: int) -> str:
    """``2020`` -> ``2020/21``."""
    return f"{fy}/{(fy + 1) % 100:02d}"


def month_code(m: int) -> str:
    """Month index -> ``YYYY-MM``."""
    return f"{m // 12}-{m % 12 + 1:02d}"


def quarter_code(q: int) -> str:
    """Quarter index -> ``YYYY/YY Qn``."""
    return f"{fy_code(q // 4)} Q{q % 4 + 1}"


def quarter_slug(q: int) -> str:
    """Quarter index -> ``YYYY-YY-Qn``, the file-name form."""
    return quarter_code(q).replace("/", "-").replace(" ", "-")


def quarter_index(code: str) -> int:
    """``YYYY/YY Qn`` -> quarter index (the inverse of ``quarter_code``)."""
    return int(code[:4]) * 4 + int(code[-1]) - 1


def code(frequency: str, index: int) -> str:
    """Period code of a measure's own period."""
    return {"monthly": month_code, "quarterly": quarter_code, "annual": fy_code}[frequency](index)


def quarter_months(q: int) -> range:
    """Month indexes of a quarter (Q1 = April to June)."""
    return range(3 * q + 3, 3 * q + 6)


def quarter_of_month(m: int) -> int:
    """The quarter a month falls in."""
    return (m - 3) // 3


def last_month(frequency: str, index: int) -> int:
    """Month index at which a period ends."""
    if frequency == "monthly":
        return index
    if frequency == "quarterly":
        return 3 * index + 5
    return 12 * index + 14


def month_end(m: int) -> dt.date:
    """Last day of a month index."""
    year, month = m // 12, m % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_end(frequency: str, index: int) -> dt.date:
    """Last day of a period."""
    return month_end(last_month(frequency, index))


def data_as_at(q: int) -> dt.date:
    """A report's data_as_at: the last day of the month after its quarter ends."""
    return month_end(3 * q + 6)


def own_periods(frequency: str) -> range:
    """Every period of a frequency that the demo data covers (2019/20 to 2021/22 Q2)."""
    if frequency == "monthly":
        return range(FIRST_MONTH, LAST_MONTH + 1)
    if frequency == "quarterly":
        return range(FIRST_QUARTER, LAST_QUARTER + 1)
    return range(FIRST_FY, LAST_YEAR + 1)
