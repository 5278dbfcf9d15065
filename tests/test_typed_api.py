"""The objects notebooks use are typed end to end, so an editor can follow every call a notebook makes.

Every public method and property of ``QuarterReport``, ``PlanReport``,
``MeasureReport`` and ``Appendices`` names its return type (and every
parameter's), no field is ``object`` or ``Any``, and every annotation
resolves to real types. The calls the notebooks in ``notebooks/`` make are
then made on the demo data, and each result checked against its annotation.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import types
import typing
from functools import cached_property
from pathlib import Path

import pytest

import pmlib
from pmlib.views import appendices, plan_report, prose, report, tables
from pmlib.views.appendices import Appendices
from pmlib.views.plan_report import MeasureReport, PlanReport
from pmlib.views.report import QuarterReport

ROOT = Path(__file__).resolve().parents[1]
CLASSES = (QuarterReport, PlanReport, MeasureReport, Appendices)
# Names the modules import only for type checking, so annotations resolve here as an editor resolves them.
NAMESPACE = {k: v for module in (tables, prose, report, plan_report, appendices) for k, v in vars(module).items()}
VAGUE = (object, typing.Any, tuple, list, dict, set)  # says nothing an editor can follow
NOTEBOOK_NAMES = {"report": QuarterReport, "plan": PlanReport, "measure": MeasureReport, "appendices": Appendices}


def _hints(obj) -> dict:
    return typing.get_type_hints(obj, globalns=NAMESPACE)


def _vague(hint) -> list:
    """The parts of an annotation that say nothing: object, Any, or a bare container."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [v for h in typing.get_args(hint) for v in _vague(h)]
    return [hint] if any(hint is v for v in VAGUE) else []


def _public(cls: type) -> dict[str, object]:
    fields = {f.name for f in dataclasses.fields(cls)}
    return {name: inspect.getattr_static(cls, name) for name in dir(cls) if not name.startswith("_") and name not in fields}


def _members() -> list[tuple[str, object]]:
    found = []
    for cls in CLASSES:
        for name, attr in _public(cls).items():
            found.append((f"{cls.__name__}.{name}", attr))
    return found


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_no_field_is_untyped_object_or_any(cls):
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        assert f.name in hints, f"{cls.__name__}.{f.name} has no annotation"
        assert not _vague(hints[f.name]), f"{cls.__name__}.{f.name}: {hints[f.name]}"


@pytest.mark.parametrize(("name", "attr"), _members(), ids=[n for n, _ in _members()])
def test_every_public_method_and_property_names_its_types(name, attr):
    function = attr.fget if isinstance(attr, property) else attr.func if isinstance(attr, cached_property) else attr
    assert inspect.isfunction(function), f"{name} is neither a method, a property nor a field: {attr!r}"
    hints = _hints(function)  # raises if an annotation names something that does not exist
    assert "return" in hints, f"{name} has no return annotation"
    params = [p for p in inspect.signature(function).parameters if p != "self"]
    assert [p for p in params if p not in hints] == [], f"{name} has unannotated parameters"
    for key, hint in hints.items():
        assert not _vague(hint), f"{name} {key}: {hint} says nothing an editor can follow"


def _notebook_calls() -> set[tuple[type, str]]:
    calls = set()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            code = "".join(cell["source"])
            calls |= {(NOTEBOOK_NAMES[v], a) for v, a in re.findall(r"\b(report|plan|measure|appendices)\.(\w+)", code)}
            calls |= {(QuarterReport, a) for a in re.findall(r"quarter_report\([^)]*\)\.(\w+)", code)}
    return calls


def test_the_notebooks_call_only_what_is_typed_here():
    calls = _notebook_calls()
    assert {(QuarterReport, "plan"), (MeasureReport, "chart"), (Appendices, "revisions_table")} <= calls  # the scan finds them
    typed = {(cls, name) for cls in CLASSES for name in _public(cls)}
    assert calls - typed == set()
    assert _hints(pmlib.quarter_report)["return"] is QuarterReport


def _conforms(value, hint) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, h) for h in args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return isinstance(value, tuple) and all(_conforms(v, args[0]) for v in value)
        return isinstance(value, tuple) and len(value) == len(args) and all(_conforms(v, a) for v, a in zip(value, args, strict=True))
    if origin is list:
        return isinstance(value, list) and all(_conforms(v, args[0]) for v in value)
    if hint is type(None):
        return value is None
    return isinstance(value, origin or hint)


@pytest.fixture(scope="module")
def reports() -> list[QuarterReport]:
    """The demo data at a quarter with the year's view and one without, so both shapes of a year section are seen."""
    data = pmlib.load_data(ROOT / "data")
    return [pmlib.quarter_report(q, ROOT / "data", ROOT / "params", data=data) for q in ("2021-22-Q2", "2021-22-Q1")]


def test_each_notebook_call_returns_what_its_annotation_says(reports):
    calls = _notebook_calls()
    for quarter in reports:
        plan = quarter.plan()
        objects = {QuarterReport: [quarter], PlanReport: [plan], MeasureReport: plan.measures()[:2] + plan.exceptions()[:1]}
        objects[Appendices] = [quarter.appendices()]
        for cls, name in sorted(calls, key=lambda c: (c[0].__name__, c[1])):
            attr = inspect.getattr_static(cls, name)
            hint = _hints(attr.fget if isinstance(attr, property) else attr.func if isinstance(attr, cached_property) else attr)["return"]
            for obj in objects[cls]:
                value = getattr(obj, name)
                value = value if isinstance(attr, (property, cached_property)) else value()
                assert _conforms(value, hint), f"{cls.__name__}.{name}() gave {type(value).__name__}, annotated {hint}"
