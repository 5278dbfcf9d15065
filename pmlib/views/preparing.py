"""What the warm kernel server works out before it forks notebook kernels, so that each kernel need not.

Every kernel of one quarter would otherwise pay again for work whose result
does not depend on its notebook: checking the data, judging the quarter and
comparing it with the comparator groups. ``pmlib.run.warm_server`` calls
this by name; a kernel forked afterwards inherits the results, and the same
calls in the kernel return them (see ``pmlib.contract.memo``). Nothing here
changes what a notebook shows: a kernel that finds nothing prepared does the
same work itself.
"""

from __future__ import annotations

import os

from pmlib.views.report import QuarterReport, quarter_report


def prepared_report(quarter: str | None, data_dir: str | os.PathLike, params_dir: str | os.PathLike, audience: str | None) -> QuarterReport:
    """``quarter_report`` as a notebook calls it, with what every notebook of the quarter reads from it worked out."""
    report = quarter_report(quarter, data_dir, params_dir, audience)
    for shared in ("comparisons", "provenance", "freshness"):
        getattr(report, shared)
    return report
