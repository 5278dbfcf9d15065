"""Measure pages already written, kept by exactly what they are made from, so an edit rewrites only the pages it reaches.

The measure pages are most of the time ``pm build`` spends writing pages
(about 50 ms each, 46 in the demo), and an analyst's edit reaches few of
them. A measure page reads what its delivery plan's notebook reads, but of the
commentary only its own measure's rows: the data folder's shared files
whole, its own plan's rows of every other plan table, the earliest figure
held, and the params files up to its quarter (``pmlib.run.reuse.plan_inputs``
and ``pmlib.run.planner.plan_run``). A page is kept in
``.pmlib-cache/pages/`` under the sha256 of those, of its measure's
commentary rows, of the code digest (pmlib's files and every runtime
package), the measure and where the page and its plan's report are, so a
kept page is the page a new writing would give: one commentary row changed
rewrites that measure's page only, one figure its plan's pages, and a change
to any shared file, params file or line of code rewrites them all. ``tests/test_page_store.py`` holds kept pages to freshly
written ones after edits of every kind.

Each quarter's open data is kept the same way (``OpenDataStore``), under
what it reads: every data file, with ``commentary.csv`` as whether each row
was given (it shows no commentary: ``pmlib.run.reuse.quarter_inputs``) and
of the figures only those supplied by the quarter's date, the params files
up to its quarter and the code. An officer's words edited then rewrite no
open data, and a figure supplied for the latest quarter only that quarter's.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pmlib.cache_folder import CACHE, kept_path, read_kept, write_kept
from pmlib.contract.config import read_report_params
from pmlib.contract.loading import CouncilData
from pmlib.contract.params_folder import params_files
from pmlib.contract.periods import Period
from pmlib.engine.figures import seen_digests
from pmlib.run import reuse

PAGES = f"{CACHE}/pages"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PageStore:
    """Where a build keeps its measure pages, and one key per delivery plan for the quarter the pages are written for."""

    folder: Path
    plan_keys: Mapping[str, str]
    commentary: Mapping[str, str]

    @classmethod
    def for_quarter(cls, folder: str | os.PathLike, data: CouncilData, params_dir: Path, quarter: Period) -> PageStore:
        """The store in ``folder`` for pages of ``quarter`` made from ``data`` and the params files up to that quarter."""
        files = params_files(params_dir)
        params = {Path(p).name: hashlib.sha256(Path(p).read_bytes()).hexdigest() for q, p in files.items() if q <= quarter}
        shared = json.dumps({"code": reuse.code_digest(), "quarter": quarter.code, "params": params}, sort_keys=True)
        inputs = reuse.plan_inputs(data, "data")
        notes = f"data/{reuse.COMMENTARY} (plan "  # a page shows its own measure's commentary alone: keyed below
        keys = {
            plan: _sha256(shared + "\n" + json.dumps({k: v for k, v in reads.items() if not k.startswith(notes)}, sort_keys=True))
            for plan, reads in inputs.items()
        }
        return cls(Path(folder), keys, reuse.measure_commentary(data))

    def _path(self, plan_id: str, measure_id: str, page: Path, plan_source: Path | None) -> Path:
        where = [self._from_store(page), self._from_store(plan_source) if plan_source else ""]
        key = [self.plan_keys[plan_id], measure_id, self.commentary.get(measure_id, ""), *where]
        return kept_path(self.folder, _sha256(json.dumps(key)), ".qmd")

    def _from_store(self, path: Path) -> str:
        """Where ``path`` is as seen from the store: what a page's links depend on, the same when the project is moved or copied whole."""
        try:
            return os.path.relpath(path, self.folder)
        except ValueError:  # another drive, on Windows
            return os.path.abspath(path)

    def kept(self, plan_id: str, measure_id: str, page: Path, plan_source: Path | None) -> str | None:
        """The page kept for this measure from the same inputs and code, or None."""
        return read_kept(self._path(plan_id, measure_id, page, plan_source))

    def keep(self, plan_id: str, measure_id: str, page: Path, plan_source: Path | None, text: str) -> None:
        """Keep the page just written for this measure."""
        write_kept(self.folder, self._path(plan_id, measure_id, page, plan_source), text)


@dataclass(frozen=True)
class OpenDataStore:
    """Where a build keeps each quarter's open data files, by everything that quarter's open data is made from."""

    folder: Path
    keys: Mapping[Period, str]

    @classmethod
    def for_data(cls, folder: str | os.PathLike, data: CouncilData, params_dir: Path, quarters: Iterable[Period]) -> OpenDataStore:
        """The store in ``folder`` for the open data of ``quarters`` made from ``data`` and the params files in ``params_dir``.

        A quarter's open data is its report (``quarter_report``), which reads
        the params files up to it, every data file but the commentary (it
        shows none) and of the figures only those supplied by the latest
        ``data_as_at`` of those params files (``pmlib.engine.figures.seen_digests``),
        so a figure supplied for the latest quarter leaves every earlier
        quarter's open data kept.
        """
        files = params_files(params_dir)
        quarters = sorted(q for q in set(quarters) if q in files)
        params = {q: (Path(p).name, hashlib.sha256(Path(p).read_bytes()).hexdigest()) for q, p in files.items()}
        as_at = {q: read_report_params(p).data_as_at for q, p in files.items() if quarters and q <= quarters[-1]}
        latest = [max(d for q2, d in as_at.items() if q2 <= q) for q in quarters]
        figures = seen_digests(data, latest)
        reads = reuse.quarter_inputs(data, "data", commentary_text=False)
        others = {name: digest for name, digest in reads.items() if not name.startswith("data/observations/")}
        shared = json.dumps({"code": reuse.code_digest(), "data": others}, sort_keys=True)
        keys = {}
        for q, seen in zip(quarters, figures, strict=True):
            mine = sorted(digest for q2, digest in params.items() if q2 <= q)
            keys[q] = _sha256(json.dumps(["open data", shared, q.code, mine, seen]))
        return cls(Path(folder), keys)

    def _path(self, quarter: Period) -> Path | None:
        key = self.keys.get(quarter)
        return None if key is None else kept_path(self.folder, key, ".json")

    def has(self, quarter: Period) -> bool:
        """Whether this quarter's open data is kept, without marking it used."""
        path = self._path(quarter)
        return path is not None and path.is_file()

    def kept(self, quarter: Period) -> list[tuple[str, str]] | None:
        """The quarter's open data files kept from the same inputs and code, as (file name, text) in the order written; or None."""
        path = self._path(quarter)
        text = None if path is None else read_kept(path)
        return None if text is None else [(name, body) for name, body in json.loads(text)]

    def keep(self, quarter: Period, files: list[Path]) -> None:
        """Keep the quarter's open data files just written, in that order."""
        path = self._path(quarter)
        if path is not None:
            kept = [[p.name, p.read_bytes().decode("utf-8")] for p in files]
            write_kept(self.folder, path, json.dumps(kept, ensure_ascii=False))
