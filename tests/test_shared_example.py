"""The committed shared-services example is exactly what ``scripts/make_shared_example.py`` writes.

The script reads real figures from ``../shared/realdata`` beside the
repository, so the test is skipped where that folder is absent.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"
SCRIPT = REPO / "scripts" / "make_shared_example.py"
EXAMPLE = REPO / "examples" / "chorley-south-ribble"

pytestmark = pytest.mark.skipif(
    not REALDATA.is_dir(), reason="../shared/realdata (the real public figures the example reads) is not beside the repository"
)


# What pm run and pm build make in the example (its executed reports, its councils' generated pages and
# copies of the Quarto project, its site), which the script does not write.
BUILT = {"_site", "reports", "pages", "_extensions", ".pmlib-cache"}


def _files(root: Path) -> list[Path]:
    found = (p.relative_to(root) for p in root.rglob("*") if p.is_file())
    return sorted(p for p in found if not BUILT & set(p.parts) and not p.name.startswith("_quarto") and p.name != "index.qmd")


def test_shared_example_is_byte_identical_to_the_script_output(tmp_path):
    out = tmp_path / "example"
    run = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), "--quiet"], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr

    written = _files(out)
    assert written, "the script wrote nothing"
    committed = _files(EXAMPLE)
    missing = [str(p) for p in written if p not in committed]
    different = [str(p) for p in written if p in committed and (EXAMPLE / p).read_bytes() != (out / p).read_bytes()]
    stale = [str(p) for p in committed if p not in written]  # every observations/ and params/ file is read
    hint = "re-run: .venv/bin/python scripts/make_shared_example.py"
    assert not missing, f"examples/chorley-south-ribble lacks files the script writes: {missing}; {hint}"
    assert not different, f"examples/chorley-south-ribble differs from the script's output in: {different}; {hint}"
    assert not stale, f"examples/chorley-south-ribble has files the script does not write: {stale}; {hint}"


def test_shared_measures_have_one_definition_in_both_councils():
    """One framework, one definition: the contract's columns that must agree do agree, and each plan_id exists."""
    import csv

    fixed = ["definition", "unit", "polarity", "frequency", "aggregation", "ytd", "lag", "decimals"]
    councils = {}
    for folder in sorted((EXAMPLE / "councils").iterdir()):
        with (folder / "data" / "measures.csv").open(encoding="utf-8") as f:
            councils[folder.name] = {r["measure_id"]: r for r in csv.DictReader(f)}
        with (folder / "data" / "plans.csv").open(encoding="utf-8") as f:
            plans = {r["plan_id"] for r in csv.DictReader(f)}
        assert {r["plan_id"] for r in councils[folder.name].values()} <= plans
    chorley, south_ribble = councils["chorley"], councils["south-ribble"]
    shared = {m for m, r in chorley.items() if r["shared_service"]}
    assert shared == {m for m, r in south_ribble.items() if r["shared_service"]}
    assert 10 <= len(shared) <= 14
    for m in shared:
        assert [chorley[m][c] for c in [*fixed, "shared_service"]] == [south_ribble[m][c] for c in [*fixed, "shared_service"]], m
