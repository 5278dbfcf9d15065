"""The Quarto project files: the committed ones are valid, and the JSON Schema and the strict model agree on what is."""

from __future__ import annotations

import copy
import json
import typing
from pathlib import Path

import jsonschema
import pytest
import yaml
from pydantic import BaseModel

from pmlib.rendering.project import SCHEMA_PATH, ProjectConfigError, QuartoProject, merge, read_project

ROOT = Path(__file__).parents[1]
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

GOOD = {
    "profile": {"default": "website", "group": [["website", "pack"]]},
    "project": {"type": "website", "output-dir": "_site", "render": ["pages/**/*.qmd"], "pre-render": "pm pages"},
    "lang": "en-GB",
    "from": "markdown-smart",
    "execute": {"enabled": False, "echo": False},
    "website": {
        "title": "Corporate performance",
        "navbar": {"left": [{"text": "Home", "href": "pages/index.qmd"}]},
        "page-footer": {"left": "Symbols: [c] confidential.", "right": None},
    },
    "format": {"html": {"html-table-processing": "none", "toc": False}},
}


def changed(path: str, value, base=GOOD) -> dict:
    """A copy of ``base`` with the dotted key ``path`` set to ``value`` (or removed when value is ``...``)."""
    config = copy.deepcopy(base)
    *parents, last = path.split(".")
    node = config
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return config


GOOD_EXAMPLES = {
    "complete": GOOD,
    "minimal": {"project": {"type": "website"}, "from": "markdown-smart", "website": {"title": "T"}},
    "pre-render as a list": changed("project.pre-render", ["pm pages", "pm data"]),
    "echo shown": changed("execute.echo", True),
    "welsh": changed("lang", "cy"),
    "no footer text": changed("website.page-footer", {}),
    "no navbar": changed("website.navbar", {"left": []}),
}

BAD_EXAMPLES = {
    "unknown top-level key": changed("bibliography", "refs.bib"),
    "unknown website key": changed("website.sidebar", {"contents": "auto"}),
    "unknown navbar item key": changed("website.navbar.left", [{"text": "Home", "href": "index.qmd", "icon": "house"}]),
    "navbar item without href": changed("website.navbar.left", [{"text": "Home"}]),
    "empty title": changed("website.title", ""),
    "title not text": changed("website.title", 2024),
    "another project type": changed("project.type", "book"),
    "execution enabled": changed("execute.enabled", True),
    "execution enabled as 1": changed("execute.enabled", 1),
    "echo as a word": changed("execute.echo", "yes"),
    "table processing": changed("format.html.html-table-processing", "default"),
    "table of contents": changed("format.html.toc", True),
    "quarto's own search": changed("website.search", True),
    "another format option": changed("format.html.theme", "cosmo"),
    "another format": changed("format.pdf", {}),
    "language not a tag": changed("lang", "English"),
    "smart quotes and dashes": changed("from", "markdown"),
    "another reader": changed("from", "commonmark"),
    "render not a list": changed("project.render", "*.qmd"),
    "pre-render a number": changed("project.pre-render", 3),
    "profile without default": changed("profile", {"group": [["website"]]}),
}


def model_accepts(config: dict) -> bool:
    try:
        QuartoProject.model_validate(config)
    except ValueError:
        return False
    return True


def write_project(folder: Path, base: dict | str, **profiles: dict | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in {"_quarto.yml": base, **{f"_quarto-{p}.yml": c for p, c in profiles.items()}}.items():
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def schema_keys(schema: dict, prefix: str = "") -> set[str]:
    keys = set()
    for name, sub in schema.get("properties", {}).items():
        keys.add(prefix + name)
        keys |= schema_keys(sub, f"{prefix}{name}.")
        keys |= schema_keys(sub.get("items", {}), f"{prefix}{name}[].")
    return keys


def model_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():
        alias = field.alias or name
        keys |= {prefix + alias} | nested_keys(field.annotation, prefix + alias)
    return keys


def nested_keys(annotation, path: str) -> set[str]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_keys(annotation, path + ".")
    inner = "[]" if typing.get_origin(annotation) in (tuple, list) else ""
    return set().union(*(nested_keys(arg, path + inner) for arg in typing.get_args(annotation) if arg is not Ellipsis))


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", ["_quarto.yml", "_quarto-website.yml"])
def test_committed_project_files_follow_the_schema(name):
    errors = list(VALIDATOR.iter_errors(yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))))
    assert errors == []


def test_the_committed_project_reads_as_a_website_with_its_profile(monkeypatch):
    monkeypatch.delenv("QUARTO_PROFILE", raising=False)
    project = read_project(ROOT)
    merged = merge(yaml.safe_load((ROOT / "_quarto.yml").read_text()), yaml.safe_load((ROOT / "_quarto-website.yml").read_text()))
    assert VALIDATOR.is_valid(merged)
    assert project.profile is not None and project.profile.default == "website"
    assert ("website", "pack") in project.profile.group
    assert project.project.type == "website" and project.execute.enabled is False
    assert project.lang == "en-GB"
    pages = ["measures", "goals", "open-data", "methodology", "archive", "search"]
    assert [item.href for item in project.website.navbar.left] == ["index.qmd", *(f"pages/{p}.qmd" for p in pages)]
    assert project.project.pre_render == ("pm pages",) and project.project.post_render == ("pm quarto-post-render",)


def test_schema_and_model_name_the_same_keys():
    assert schema_keys(SCHEMA) == model_keys(QuartoProject)


@pytest.mark.parametrize("name", GOOD_EXAMPLES)
def test_schema_and_model_both_accept(name):
    config = GOOD_EXAMPLES[name]
    assert VALIDATOR.is_valid(config), list(VALIDATOR.iter_errors(config))
    assert model_accepts(config)


@pytest.mark.parametrize("name", BAD_EXAMPLES)
def test_schema_and_model_both_reject(name):
    config = BAD_EXAMPLES[name]
    assert not VALIDATOR.is_valid(config)
    assert not model_accepts(config)


def test_the_model_also_needs_what_only_the_merged_project_must_have():
    # The schema checks one file, where every key is optional; the merged project needs a type and a title.
    for path in ("project.type", "website.title"):
        assert VALIDATOR.is_valid(changed(path, ...))
        assert not model_accepts(changed(path, ...))


def test_an_unknown_key_names_the_file_line_and_key_path(tmp_path, monkeypatch):
    monkeypatch.delenv("QUARTO_PROFILE", raising=False)
    profile = "website:\n  title: T\n  navbar:\n    left:\n      - text: Home\n        link: pages/index.qmd\n"
    folder = write_project(tmp_path, {"profile": {"default": "website"}, "project": {"type": "website"}}, website=profile)
    with pytest.raises(ProjectConfigError) as caught:
        read_project(folder)
    found = {(p.file, p.row, p.column) for p in caught.value.problems}
    profile_file = (folder / "_quarto-website.yml").as_posix()
    assert (profile_file, 6, "website.navbar.left[0].link") in found
    assert (profile_file, 5, "website.navbar.left[0].href") in found  # missing: reported on the item
    assert "unknown key" in str(caught.value) and "_quarto-website.yml:6: website.navbar.left[0].link" in str(caught.value)


def test_a_bad_value_in_the_base_file_is_reported_there(tmp_path):
    base = "project:\n  type: website\nlang: English\nexecute:\n  enabled: true\nwebsite:\n  title: T\nfrom: markdown-smart\n"
    folder = write_project(tmp_path, base)
    with pytest.raises(ProjectConfigError) as caught:
        read_project(folder)
    base_file = (folder / "_quarto.yml").as_posix()
    assert {(p.file, p.row, p.column) for p in caught.value.problems} == {(base_file, 3, "lang"), (base_file, 5, "execute.enabled")}
    assert "rendering never runs code" in str(caught.value)


def test_a_missing_profile_file_is_an_error_not_ignored(tmp_path, monkeypatch):
    monkeypatch.delenv("QUARTO_PROFILE", raising=False)
    folder = write_project(tmp_path, {"profile": {"default": "website"}, "project": {"type": "website"}, "website": {"title": "T"}})
    with pytest.raises(ProjectConfigError, match="_quarto-website.yml.*file not found.*'website' profile"):
        read_project(folder)


def test_the_profile_merges_over_the_base_as_quarto_does(tmp_path, monkeypatch):
    base = {"project": {"type": "website", "render": ["a.qmd"]}, "lang": "en", "from": "markdown-smart", "website": {"title": "Base"}}
    extra = {"project": {"render": ["a.qmd", "b.qmd"]}, "lang": "cy", "website": {"page-footer": {"left": "Footer"}}}
    folder = write_project(tmp_path, base, other=extra)
    monkeypatch.setenv("QUARTO_PROFILE", "other,unused")
    project = read_project(folder)
    assert project.project.render == ("a.qmd", "b.qmd")  # lists concatenated without repeats
    assert project.lang == "cy"  # scalars replaced
    assert project.website.title == "Base" and project.website.page_footer.left == "Footer"  # objects deep-merged
    assert read_project(folder, "other") == project


def test_invalid_yaml_names_the_line(tmp_path):
    folder = write_project(tmp_path, "project:\n  type: website\nwebsite: [unclosed\n")
    with pytest.raises(ProjectConfigError) as caught:
        read_project(folder)
    (problem,) = caught.value.problems
    assert problem.file.endswith("_quarto.yml") and problem.row is not None and "not valid YAML" in problem.message


# --- against Quarto's own schema ----------------------------------------------------------------

QUARTO_SCHEMA = ROOT.parent / "shared" / "quarto-schema" / "json-schemas.json"  # Quarto 1.11's, MIT; see its SOURCE.txt
# The parts of a project file that Quarto's exported schema describes, by its definitions' names.
QUARTO_SECTIONS = {"project": "ProjectConfig", "profile": "ProjectProfile", "website": "BaseWebsite", "filters": "PandocFormatFilters"}


def standard_schema(node):
    """Quarto's exported schema in standard JSON Schema.

    Quarto writes an object as ``{"object": {"properties": ...}}`` and some
    enums as ``{"values": [...]}``. Read as JSON Schema the first is unknown and checks nothing, so every
    object would pass; here it becomes ``"type": "object"`` with its
    properties, required keys and closedness.
    """
    if isinstance(node, list):
        return [standard_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "object":
            out["type"] = "object"
            for inner, v in (value or {}).items():
                out[inner] = {n: standard_schema(s) for n, s in v.items()} if inner == "properties" else standard_schema(v)
        elif key == "properties":
            out[key] = {n: standard_schema(s) for n, s in value.items()}
        elif key == "enum" and isinstance(value, dict):  # Quarto's ``enum: {values: [...]}``
            out[key] = value["values"]
        else:
            out[key] = standard_schema(value)
    return out


@pytest.fixture(scope="module")
def quarto_validator():
    if not QUARTO_SCHEMA.is_file():
        pytest.skip(f"Quarto's own schema is not here ({QUARTO_SCHEMA}): it is read from ../shared beside the checkout")
    defs = standard_schema(json.loads(QUARTO_SCHEMA.read_text(encoding="utf-8"))["$defs"])
    schema = {"$defs": defs, "type": "object", "properties": {k: {"$ref": f"#/$defs/{d}"} for k, d in QUARTO_SECTIONS.items()}}
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", ["_quarto.yml", "_quarto-website.yml", "_quarto-pack.yml"])
def test_committed_project_files_follow_quartos_own_schema(name, quarto_validator):
    document = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    assert [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in quarto_validator.iter_errors(document)] == []
    assert set(document) & set(QUARTO_SECTIONS), "nothing in this file was checked"


def test_quartos_schema_as_read_here_refuses_what_quarto_refuses(quarto_validator):
    """So the test above cannot pass by checking nothing: wrong types in each section Quarto's schema describes."""
    wrong = {
        "project": {"render": "pages/*.qmd", "output-dir": 5},
        "profile": {"group": "website"},
        "website": {"navbar": {"left": [{"href": 3}]}, "page-footer": {"left": 1}, "favicon": ["x"]},
        "filters": "pmlib-site",
    }
    paths = sorted(".".join(map(str, e.absolute_path)) for e in quarto_validator.iter_errors(wrong))
    assert paths == [
        "filters",
        "profile.group",
        "project.output-dir",
        "project.render",
        "website.favicon",
        "website.navbar",
        "website.page-footer",
    ]
