"""pmlib: reproducible publication of a council's quarterly corporate performance reports.

The public API is small on purpose: load and check a council's data, judge
its measures, and ask for one quarter's report. Everything else is reached
through these.

The public names are listed once, in ``__init__.pyi``, which type checkers
read; lazy_loader reads the same file and imports each name's module on
first use. So ``import pmlib.run.kernels`` in a ``pm run`` worker, or a
notebook that only loads data, does not pay for pandas, great-tables and
vl-convert (about 0.7 s a process) until it uses them.
"""

from importlib.metadata import PackageNotFoundError, version

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)

try:
    __version__ = version("pmlib")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"
