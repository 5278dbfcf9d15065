"""pmlib: reproducible publication of a council's quarterly corporate performance reports.

The public API is small on purpose: load and check a council's data, judge
its measures, and ask for one quarter's report. Everything else is reached
through these.
"""

from importlib.metadata import PackageNotFoundError, version

from pmlib.contract.config import Council, ReportParams, read_report_params
from pmlib.contract.loading import CouncilData, check_data, load_data
from pmlib.contract.params_folder import report_params
from pmlib.contract.periods import Period, parse_period, parse_quarter
from pmlib.engine.figures import figures_as_at
from pmlib.engine.status import STATUSES, classify, direction, judge
from pmlib.errors import ConfigError, DataContractError, PeriodError, PmlibError, Problem
from pmlib.views.disclosure import GSS_SYMBOLS, public_view, value_text
from pmlib.views.formats import format_value
from pmlib.views.labels import STATUS_LABELS, TREND_LABELS, status_label, trend_label
from pmlib.views.report import QuarterReport, quarter_report
from pmlib.vocabulary import Frequency

try:
    __version__ = version("pmlib")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "GSS_SYMBOLS",
    "STATUSES",
    "STATUS_LABELS",
    "TREND_LABELS",
    "ConfigError",
    "Council",
    "CouncilData",
    "DataContractError",
    "Frequency",
    "Period",
    "PeriodError",
    "PmlibError",
    "Problem",
    "QuarterReport",
    "ReportParams",
    "check_data",
    "classify",
    "direction",
    "figures_as_at",
    "format_value",
    "judge",
    "load_data",
    "parse_period",
    "parse_quarter",
    "public_view",
    "quarter_report",
    "read_report_params",
    "report_params",
    "status_label",
    "trend_label",
    "value_text",
]
