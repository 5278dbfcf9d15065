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

from pmlib.contract.params_folder import report_params
from pmlib.contract.periods import Period
from pmlib.errors import PmlibError
from pmlib.project import Project

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


def project_inputs(project_dir: Path) -> list[dict]:
    """The Quarto project's own files: ``_quarto*.yml``, ``_extensions/`` and any file its website pages or resources name.

    Files under ``pages/`` (generated from the data) and ``reports/`` (hashed
    quarter by quarter) are left to the other inputs.
    """
    from pmlib.rendering.project import read_project

    paths = {p for p in project_dir.glob("_quarto*.yml") if p.is_file()}
    paths |= {p for p in (project_dir / "_extensions").rglob("*") if p.is_file()}
    config = read_project(project_dir, "website")
    for pattern in (*config.project.render, *config.project.resources):
        paths |= {p for p in project_dir.glob(pattern.removeprefix("!")) if p.is_file()}
    hashes = []
    for path in sorted(paths, key=lambda p: p.relative_to(project_dir).as_posix()):
        parts = path.relative_to(project_dir).parts
        if parts[0] not in ("pages", "reports") and not any(part.startswith(".") for part in parts):
            hashes += [{"path": path.relative_to(project_dir).as_posix(), "bytes": path.stat().st_size, "sha256": _sha256(path)}]
    return hashes


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_inputs(quarters: Iterable[Period], project: Project) -> list[dict]:
    """Every file the site of ``quarters`` is made from, each with its size and hash, in a fixed order."""
    inputs = _hashes(project.data, "data") + _hashes(project.params, "params", "*.yml") + _hashes(project.notebooks, "notebooks", "*.ipynb")
    for q in quarters:
        inputs += _hashes(project.report_folder(q), f"reports/{q.slug}", "*.ipynb")
    return inputs + project_inputs(project.root)


def _quarters(quarters: Iterable[Period], params_dir: Path) -> list[dict]:
    return [
        {"quarter": q.code, "data_as_at": report_params(params_dir, q).data_as_at.isoformat(), "params": f"params/{q.slug}.yml"}
        for q in quarters
    ]


def manifest(
    quarters: Iterable[Period],
    project: Project,
    *,
    site_dir: Path,
    renderer: str | None = None,
    pack_keys: dict[str, str] | None = None,
) -> dict:
    """The manifest of a site built in ``site_dir`` (the project's output folder, or the hidden folder it is built in).

    ``code_digest`` and ``renderer`` say what made the files, and each
    quarter's ``pack_key`` what its pack was made from, so the next build can
    tell whether anything needs making again.
    """
    import pmlib
    from pmlib.run.reuse import code_digest

    quarters = list(quarters)
    outputs = [f for f in _hashes(site_dir, ".") if f["path"] != f"./{MANIFEST}"]
    for f in outputs:
        f["path"] = f["path"][2:]
    listed = _quarters(quarters, project.params)
    for entry, q in zip(listed, quarters, strict=True):
        if pack_keys and q.slug in pack_keys:
            entry["pack_key"] = pack_keys[q.slug]
    found = {
        "generator": f"pmlib {pmlib.__version__}",
        "code_digest": code_digest(),
        "renderer": renderer,
        "quarters": listed,
        "inputs": build_inputs(quarters, project),
        "outputs": outputs,
    }
    if project.family:  # a council of a shared service: the links to the other sites are on every page
        found["family"] = [list(link) for link in project.family]
    return found


def write_manifest(
    site_dir: Path, quarters: Iterable[Period], project: Project, *, renderer: str | None = None, pack_keys: dict[str, str] | None = None
) -> Path:
    """Write ``manifest.json`` at the top of the site in ``site_dir``."""
    path = site_dir / MANIFEST
    found = manifest(quarters, project, site_dir=site_dir, renderer=renderer, pack_keys=pack_keys)
    path.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    return path


def read_manifest(site_dir: Path) -> dict:
    """The manifest of the site in ``site_dir``; empty when there is none or it cannot be read, which matches nothing."""
    try:
        found = json.loads((site_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def site_is_current(project: Project, quarters: Iterable[Period], *, renderer: str) -> bool:
    """Whether the project's site (``project.out``) was built from exactly these inputs, code and renderer and is still as built.

    Every file the manifest lists must be there with its hash and nothing
    else may be, so a site edited or damaged by hand is built again.
    """
    import pmlib
    from pmlib.run.reuse import code_digest

    site_dir = project.out
    old = read_manifest(site_dir)
    quarters = list(quarters)
    try:
        same = (
            old.get("generator") == f"pmlib {pmlib.__version__}"
            and old.get("code_digest") == code_digest()
            and old.get("renderer") == renderer
            and [{k: v for k, v in q.items() if k != "pack_key"} for q in old.get("quarters", [])] == _quarters(quarters, project.params)
            and old.get("inputs") == build_inputs(quarters, project)
            and old.get("family", []) == [list(link) for link in project.family]
        )
    except (PmlibError, OSError, TypeError, AttributeError):  # an unreadable project or params file: build, and let that report it
        return False
    if not same:
        return False
    listed = {f"./{f.get('path')}": (f.get("bytes"), f.get("sha256")) for f in old.get("outputs", []) if isinstance(f, dict)}
    return {f["path"]: (f["bytes"], f["sha256"]) for f in _hashes(site_dir, ".") if f["path"] != f"./{MANIFEST}"} == listed
