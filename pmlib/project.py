"""The folders of a pmlib project, as one value passed from the command line down to every stage.

A build reads the data, the params files, the notebook templates and the
executed reports, and writes the site; the project root holds
``_quarto.yml``, ``_extensions/`` and the generated ``pages/``. Each used to
travel as its own argument, and every caller rebuilt the same dictionary of
them; one frozen value makes it impossible for two stages of a build to
disagree about where a folder is.

Paths are kept as given (relative ones stay relative) because executed
notebooks record their data and params folders relative to their own
folder, and a report must read the same on every machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmlib.contract.periods import Period


SITE = "_site"
INTERNAL_OUT = "_internal"
INTERNAL_REPORTS = ".internal"
FAILED = ".failed"
# The folders a build hands, as absolute paths, to the steps Quarto runs for it (pm pages, pm
# quarto-post-render), so they read the folders the build was given, not the defaults.
FOLDER_VARIABLES = {"data": "PMLIB_DATA", "params": "PMLIB_PARAMS", "reports": "PMLIB_REPORTS"}


@dataclass(frozen=True)
class Project:
    """Where a project's folders are; the defaults are the layout of a checkout, run from its top."""

    root: Path = Path(".")
    data: Path = Path("data")
    params: Path = Path("params")
    notebooks: Path = Path("notebooks")
    reports: Path = Path("reports")
    out: Path = Path(SITE)
    family: tuple[tuple[str, str], ...] = ()
    """The sites of a shared service this site is one of: (name, path from this site's root), shown on every page.

    Empty for a council publishing alone. ``pmlib.rendering.shared_site`` sets
    it for each council of a ``councils.yml`` project, so a reader can move
    between the councils' sites and the joint committee's.
    """

    def __post_init__(self) -> None:
        for f in fields(self):  # a str given by a caller becomes a Path, so every stage can join onto it
            if f.name != "family":
                object.__setattr__(self, f.name, Path(getattr(self, f.name)))
        object.__setattr__(self, "family", tuple((str(name), str(path)) for name, path in self.family))

    @classmethod
    def from_options(
        cls,
        *,
        root: str | os.PathLike | None = None,
        data: str | os.PathLike | None = None,
        params: str | os.PathLike | None = None,
        notebooks: str | os.PathLike | None = None,
        reports: str | os.PathLike | None = None,
        out: str | os.PathLike | None = None,
    ) -> Project:
        """A project from command-line options or keyword arguments; a folder not given (None) keeps its default."""
        given = {"root": root, "data": data, "params": params, "notebooks": notebooks, "reports": reports, "out": out}
        return cls(**{name: Path(value) for name, value in given.items() if value is not None})

    def folder_variables(self) -> dict[str, str]:
        """This project's folders as the environment variables in ``FOLDER_VARIABLES``."""
        return {variable: os.path.abspath(getattr(self, name)) for name, variable in FOLDER_VARIABLES.items()}

    @property
    def pages(self) -> Path:
        """The generated pages, where Quarto's project expects them."""
        return self.root / "pages"

    @property
    def failed(self) -> Path:
        """Where failed notebooks are kept to open in JupyterLab, one folder per quarter."""
        return self.reports / FAILED

    def report_folder(self, quarter: Period) -> Path:
        """The executed notebooks of one quarter."""
        return self.reports / quarter.slug

    def failed_folder(self, quarter: Period) -> Path:
        """The failed notebooks of one quarter."""
        return self.failed / quarter.slug

    def internal(self) -> Project:
        """The same project with its reports in the hidden ``REPORTS/.internal/``, which is never published or committed."""
        return replace(self, reports=self.reports / INTERNAL_REPORTS)

    def with_out(self, out: str | os.PathLike) -> Project:
        """The same project writing to another output folder."""
        return replace(self, out=Path(out))
