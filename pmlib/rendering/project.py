"""The Quarto project file as both renderers read it: ``_quarto.yml`` plus the active profile's file.

Quarto ignores keys it does not know and profiles it cannot find; a council
editing the file would then see a website that silently differs from what they
wrote. The built-in renderer reads the same files as a strict model of exactly
the keys the project uses, so an unknown key, a misspelt profile or an option
the built-in renderer cannot honour is an error naming the file, line and key.
``quarto_project.schema.json`` describes the same keys for editors and CI.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationError

from pmlib.contract.memo import Memo
from pmlib.errors import Problem, ProjectConfigError, sort_problems

BASE_FILE = "_quarto.yml"
SCHEMA_PATH = Path(__file__).with_name("quarto_project.schema.json")
SCHEMA_NAME = "pmlib/rendering/quarto_project.schema.json"
_read = Memo(8)  # read_project's models, by the project's YAML files as they stand
LANG_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _never_executes(value: bool) -> bool:
    if value:
        raise ValueError("must be false: pm run executes the notebooks, and rendering never runs code")
    return value


def _no_toc(value: bool) -> bool:
    if value:
        raise ValueError("must be false: the built-in renderer makes no table of contents")
    return value


def _no_quarto_search(value: bool) -> bool:
    if value:
        raise ValueError("must be false: the site's search is pmlib's own (pages/search.qmd), on both renderers' sites")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=lambda name: name.replace("_", "-"))


class Profiles(_Strict):
    """Which profile Quarto uses when none is named, and which profiles exclude each other."""

    default: str = Field(min_length=1)
    group: tuple[tuple[str, ...], ...] = ()


class ProjectOptions(_Strict):
    """What Quarto renders, into which folder, after which generator command, and what it runs afterwards."""

    type: Literal["website"]
    output_dir: str = "_site"
    render: tuple[str, ...] = ()
    resources: Annotated[tuple[str, ...], BeforeValidator(_one_or_many)] = ()
    pre_render: Annotated[tuple[str, ...], BeforeValidator(_one_or_many)] = ()
    post_render: Annotated[tuple[str, ...], BeforeValidator(_one_or_many)] = ()


class Execute(_Strict):
    """Rendering never runs code (``pm run`` did); ``echo`` says whether code is shown."""

    enabled: Annotated[StrictBool, AfterValidator(_never_executes)] = False
    echo: StrictBool = False


class NavItem(_Strict):
    """One navigation link; ``href`` names a source file (``pages/measures.qmd``), as Quarto expects."""

    text: str = Field(min_length=1)
    href: str = Field(min_length=1)


def _no_collapse(value: bool) -> bool:
    if value:
        raise ValueError('must be false: Quarto\'s collapse button has role="menu", which is not valid HTML on a button')
    return value


class Navbar(_Strict):
    """The site's main navigation."""

    # Quarto's collapse button, off: its links wrap on a phone instead (_extensions/pmlib-site/navbar.css).
    collapse: Annotated[StrictBool, AfterValidator(_no_collapse)] = False
    left: tuple[NavItem, ...] = ()


class PageFooter(_Strict):
    """Footer text (inline Markdown), as Quarto lays it out in three places."""

    left: str | None = None
    center: str | None = None
    right: str | None = None


class Website(_Strict):
    """The site's name, navigation and footer."""

    title: str = Field(min_length=1)
    navbar: Navbar = Navbar()
    page_footer: PageFooter = PageFooter()
    # The icon pm pages writes for Quarto; the built-in renderer serves the same file from its assets.
    favicon: Literal["pages/assets/favicon.svg"] | None = None
    # Quarto's own search, off: both renderers' sites search with Pagefind (pmlib.rendering.search).
    search: Annotated[StrictBool, AfterValidator(_no_quarto_search)] = False
    # Where the site is published, if known: the Atom feeds then link to absolute addresses (pmlib.rendering.feeds).
    site_url: str | None = Field(default=None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


class HtmlOptions(_Strict):
    """HTML options; each is pinned to what the built-in renderer does, so both renderers agree."""

    html_table_processing: Literal["none"] = "none"
    # Quarto's navbar laid out without its collapse button (the built-in site has its own CSS).
    css: Literal["_extensions/pmlib-site/navbar.css"] | None = None
    toc: Annotated[StrictBool, AfterValidator(_no_toc)] = False
    # Quarto reads each notebook's HTML outputs as raw HTML blocks, as the built-in renderer does.
    ipynb_filters: tuple[Literal["pm quarto-notebook"], ...] = ()


class Formats(_Strict):
    """Output formats of the active profile."""

    html: HtmlOptions = HtmlOptions()


class QuartoProject(_Strict):
    """``_quarto.yml`` merged with its active profile, as Quarto merges them."""

    profile: Profiles | None = None
    project: ProjectOptions
    lang: str = Field(default="en", pattern=LANG_PATTERN)
    # Text is shown as typed, straight quotes included: pandoc's "smart" quotes and dashes are off, as the built-in renderer has none.
    from_: Literal["markdown-smart"] = Field(alias="from")
    execute: Execute = Execute()
    website: Website
    format: Formats = Formats()
    # The project's own Quarto filter, which gives Quarto's pages the interactive charts the built-in renderer draws itself.
    filters: tuple[Literal["pmlib-site"], ...] = ()


def merge(base: Any, over: Any) -> Any:
    """Quarto's merge of a profile over the base: objects deep-merged, lists concatenated without repeats, scalars replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    if isinstance(base, list) and isinstance(over, list):
        return base + [v for v in over if v not in base]
    return over


def _key_lines(node: yaml.Node | None, path: tuple = ()) -> dict[tuple, int]:
    """Line (1-based) of every key and list item, by its path, so problems point at the line to edit."""
    lines: dict[tuple, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[path + (str(key.value),)] = key.start_mark.line + 1
            lines.update(_key_lines(value, path + (str(key.value),)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            lines.update(_key_lines(item, path + (index,)))
    return lines


def _read_yaml(path: Path, display: str) -> tuple[dict | None, dict[tuple, int], list[Problem]]:
    if not path.is_file():
        return None, {}, [Problem(display, None, None, f"file not found; create it (see {SCHEMA_NAME})")]
    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = yaml.safe_load(text)
        node = yaml.compose(text)
    except UnicodeDecodeError:
        return None, {}, [Problem(display, None, None, "not UTF-8 text; save the file as UTF-8")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        message = f"not valid YAML ({getattr(exc, 'problem', None) or 'unreadable'}); check the indentation and quote text holding ': '"
        return None, {}, [Problem(display, None if mark is None else mark.line + 1, None, message)]
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return None, {}, [Problem(display, None, None, "expected 'key: value' lines at the top level")]
    return raw, _key_lines(node), []


def key_path(loc: tuple) -> str:
    """``("website", "navbar", "left", 0, "href")`` as ``website.navbar.left[0].href``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _depth(raw: Any, loc: tuple) -> int:
    """How many leading parts of ``loc`` a file sets."""
    for depth, part in enumerate(loc):
        if isinstance(part, int) and isinstance(raw, list) and part < len(raw):
            raw = raw[part]
        elif isinstance(part, str) and isinstance(raw, dict) and part in raw:
            raw = raw[part]
        else:
            return depth
    return len(loc)


def _message(err: dict) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown key; the renderers read only the keys in {SCHEMA_NAME}: remove it or correct its spelling"
    if kind == "missing":
        return "required key is missing; add it"
    if kind == "value_error":
        return err["msg"].removeprefix("Value error, ")
    if kind == "literal_error":
        return f"{err['msg']} (found {err['input']!r}); the built-in renderer supports only this value"
    return f"{err['msg']} (found {err['input']!r})"


def _problems(exc: ValidationError, files: list[tuple[str, dict, dict[tuple, int]]]) -> list[Problem]:
    """Each validation error on the file and line that set the key (the profile's file first, as it wins)."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        # The file that sets most of the key's path; on a tie the profile, whose value wins the merge.
        display, _, lines = max(reversed(files), key=lambda f: _depth(f[1], loc))
        line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)
        problems.append(Problem(display, line, key_path(loc) or None, _message(err)))
    return sort_problems(problems)


def active_profile(base: dict) -> str | None:
    """The profile Quarto would use: ``QUARTO_PROFILE`` (its first name), else ``profile.default``."""
    names = [n.strip() for n in os.environ.get("QUARTO_PROFILE", "").split(",") if n.strip()]
    if names:
        return names[0]
    default = (base.get("profile") or {}).get("default") if isinstance(base.get("profile"), dict) else None
    return default if isinstance(default, str) else None


def read_project(project_dir: str | os.PathLike, profile: str | None = None) -> QuartoProject:
    """Read ``_quarto.yml`` and ``_quarto-<profile>.yml`` (``profile``, else the active one) into the strict model.

    Raises ``ProjectConfigError`` with every problem: unreadable files, a
    missing profile file (Quarto would silently ignore it), unknown keys and
    values the renderers cannot honour. A build reads the project five times
    (the pages, feeds, site, manifest and reading ahead), so the model is
    kept by the files' bytes as they stand, and read again only when one changed.
    """
    project_dir = Path(project_dir)
    files = sorted(project_dir.glob("_quarto*.yml"))
    key = (str(project_dir.resolve()), profile, os.environ.get("QUARTO_PROFILE"), tuple((f.name, f.read_bytes()) for f in files))
    return _read.get(key, lambda: _read_project(project_dir, profile))


def _read_project(project_dir: Path, profile: str | None) -> QuartoProject:
    base_path = project_dir / BASE_FILE
    base, lines, problems = _read_yaml(base_path, base_path.as_posix())
    if base is None:
        raise ProjectConfigError(problems)
    files = [(base_path.as_posix(), base, lines)]
    profile = profile or active_profile(base)
    merged = base
    if profile:
        path = project_dir / f"_quarto-{profile}.yml"
        raw, lines, problems = _read_yaml(path, path.as_posix())
        if raw is None:
            raise ProjectConfigError([Problem(p.file, p.row, p.column, f"{p.message} for the {profile!r} profile") for p in problems])
        files.append((path.as_posix(), raw, lines))
        merged = merge(base, raw)
    try:
        return QuartoProject.model_validate(merged)
    except ValidationError as exc:
        raise ProjectConfigError(_problems(exc, files)) from None
