"""The tree shows the pipeline: each stage imports only the stages before it, and no module grows past 500 lines.

contract -> engine -> views -> notebooks -> rendering, with intake beside the
views and run beside the notebooks; the modules every stage shares sit at the
top of the package. An import that runs back up this list fails here, named
by file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "pmlib"
SHARED = {"errors", "vocabulary", "cores", "project", "publishing", "cache_folder", "collector"}
FACE = {"__init__", "cli"}

# What each stage may import, besides itself.
ALLOWED = {
    "shared": {"shared"},
    "contract": {"shared"},
    "engine": {"shared", "contract"},
    "views": {"shared", "contract", "engine"},
    "intake": {"shared", "contract", "engine", "views"},
    "run": {"shared", "contract"},
    "rendering": {"shared", "contract", "engine", "views", "run"},
    "face": {"shared", "contract", "engine", "views", "intake", "run", "rendering"},
}


def stage_of(module: str) -> str:
    """The stage of a dotted module name under pmlib (``pmlib.engine.status`` -> ``engine``)."""
    parts = module.split(".")[1:]
    if not parts or parts[0] in FACE:
        return "face"
    if parts[0] in SHARED:
        return "shared"
    return parts[0]


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imports(path: Path) -> list[tuple[int, str]]:
    """Line and dotted name of every pmlib module ``path`` imports at run time, at the top or inside a function.

    Imports for annotations only (under ``if TYPE_CHECKING:``) are left out, and
    so is the package itself asked for its identity (``import pmlib`` for its
    folder, ``from pmlib import __version__``), which every stage may record.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("pmlib.")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "pmlib":
            if node.module != "pmlib" or {a.name for a in node.names} - {"__version__"}:
                found.append((node.lineno, node.module))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_known_stage():
    stages = {stage_of(module_name(path)) for path in MODULES}
    assert stages == set(ALLOWED)


def test_no_import_runs_back_up_the_pipeline():
    upward = []
    for path in MODULES:
        own = stage_of(module_name(path))
        for line, target in imports(path):
            other = stage_of(target)
            if other != own and other not in ALLOWED[own]:
                upward.append(f"{path.relative_to(ROOT)}:{line}: the {own} stage imports {target} ({other})")
    assert upward == []


@pytest.mark.parametrize(
    "source, own",
    [
        ("from pmlib.views.tables import x", "engine"),
        ("def f():\n    import pmlib.rendering.site", "run"),
        ("from pmlib import quarter_report", "contract"),
    ],
)
def test_the_check_finds_an_upward_import(tmp_path, source, own):
    path = tmp_path / "m.py"
    path.write_text(source)
    (line, target), *_ = imports(path)
    assert stage_of(target) not in ALLOWED[own]


def test_the_check_leaves_out_annotations_and_the_package_identity(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("import pmlib\nfrom pmlib import __version__\nif TYPE_CHECKING:\n    from pmlib.views.report import QuarterReport\n")
    assert imports(path) == []


def test_no_module_is_over_500_lines():
    long = {path.relative_to(ROOT).as_posix(): n for path in MODULES if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}


def test_every_exception_class_is_in_the_errors_module():
    elsewhere = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.name}"
        for path in MODULES
        if path != PACKAGE / "errors.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and any(getattr(b, "id", "").endswith(("Error", "Exception")) for b in node.bases)
    ]
    assert elsewhere == []
