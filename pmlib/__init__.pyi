"""The public names of pmlib, for type checkers and for lazy_loader, which imports each on first use (see __init__.py)."""

from .contract.config import Council as Council
from .contract.config import ReportParams as ReportParams
from .contract.config import read_report_params as read_report_params
from .contract.loading import CouncilData as CouncilData
from .contract.loading import check_data as check_data
from .contract.loading import load_data as load_data
from .contract.params_folder import report_params as report_params
from .contract.periods import Period as Period
from .contract.periods import parse_period as parse_period
from .contract.periods import parse_quarter as parse_quarter
from .engine.figures import figures_as_at as figures_as_at
from .engine.status import STATUSES as STATUSES
from .engine.status import classify as classify
from .engine.status import direction as direction
from .engine.status import judge as judge
from .errors import ConfigError as ConfigError
from .errors import DataContractError as DataContractError
from .errors import PeriodError as PeriodError
from .errors import PmlibError as PmlibError
from .errors import Problem as Problem
from .views.disclosure import GSS_SYMBOLS as GSS_SYMBOLS
from .views.disclosure import public_view as public_view
from .views.disclosure import value_text as value_text
from .views.formats import format_value as format_value
from .views.joint_report import JointReport as JointReport
from .views.joint_report import joint_report as joint_report
from .views.labels import STATUS_LABELS as STATUS_LABELS
from .views.labels import TREND_LABELS as TREND_LABELS
from .views.labels import status_label as status_label
from .views.labels import trend_label as trend_label
from .views.report import QuarterReport as QuarterReport
from .views.report import quarter_report as quarter_report
from .vocabulary import Frequency as Frequency

__version__: str
