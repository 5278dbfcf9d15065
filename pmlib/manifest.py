"""The build manifest: every input a published quarter was made from, and every file it made, each with its hash.

With it anyone can tell whether the site in front of them was built from a
given ``data/`` folder, and which figures file changed between two builds:
the last step of the performance data journey. It holds no dates or machine
paths, so an unchanged build writes the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from pmlib.periods import Period
from pmlib.report import report_params

MANIFEST = "manifest.json"


def _hashes(folder: Path, label: str, pattern: str = "**/*") -> list[dict]:
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.glob(pattern) if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    return [
        {
            "path": f"{label}/{p.relative_to(folder).as_posix()}",
            "bytes": p.stat().st_size,
            "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
        }
        for p in files
    ]


def manifest(
    quarters: Iterable[Period], *, data_dir: Path, params_dir: Path, notebooks_dir: Path, reports_dir: Path, site_dir: Path
) -> dict:
    """The manifest of a site built in ``site_dir`` from the given folders."""
    import pmlib

    quarters = list(quarters)
    inputs = _hashes(data_dir, "data") + _hashes(params_dir, "params", "*.yml") + _hashes(notebooks_dir, "notebooks", "*.ipynb")
    for q in quarters:
        inputs += _hashes(reports_dir / q.slug, f"reports/{q.slug}", "*.ipynb")
    outputs = [f for f in _hashes(site_dir, ".") if f["path"] != f"./{MANIFEST}"]
    for f in outputs:
        f["path"] = f["path"][2:]
    return {
        "generator": f"pmlib {pmlib.__version__}",
        "quarters": [
            {"quarter": q.code, "data_as_at": report_params(params_dir, q).data_as_at.isoformat(), "params": f"params/{q.slug}.yml"}
            for q in quarters
        ],
        "inputs": inputs,
        "outputs": outputs,
    }


def write_manifest(site_dir: Path, quarters: Iterable[Period], **folders: Path) -> Path:
    """Write ``manifest.json`` at the top of the site."""
    path = site_dir / MANIFEST
    path.write_text(json.dumps(manifest(quarters, site_dir=site_dir, **folders), indent=1) + "\n", encoding="utf-8")
    return path
