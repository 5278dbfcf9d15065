"""``councils.yml``: the project file of a shared-services project, naming each council's folders.

Several councils that share services and one performance framework publish
from one project; each keeps its own ``data/`` and ``params/`` folders exactly
as a single council would, and ``councils.yml`` says where they are. Without
the file a project is one council, exactly as before, and nothing here is read.

Unlike ``council.yml``, whose unknown keys are warnings, every unknown key here
is an error: a misspelt ``joint`` or ``params`` would silently drop a council's
reports. Problems name the file, the line and the key; a key inside the list of
councils is written ``councils[N].key``, N counting from 1 in the order the
councils are listed (``councils[2].id`` is the second council's id), and a key
under ``joint`` is written ``joint.key``.

The file is walked as YAML nodes rather than loaded into a model, so every key
at every level keeps its line, and every value is read as text (``id: 2020``
is the id ``2020``, not a number).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pmlib.errors import DataContractError, Problem, sort_problems

COUNCILS_FILE = "councils.yml"

_SLUG = re.compile(r"[a-z0-9-]+")
_TOP_KEYS = ("name", "councils", "joint")
_COUNCIL_KEYS = ("id", "data", "params")
_JOINT_KEYS = ("params", "targets")
_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class CouncilFolders:
    """One council of a shared-services project: its id (a slug, used in URLs) and its two folders.

    The folders are as written in ``councils.yml``, joined onto the folder
    holding it, so they stay relative when that folder was given relative and
    messages show the paths a user typed. ``lines`` gives the line of each of
    its keys, so a later check (``pmlib.contract.harmonisation``) can point
    at the line to edit.
    """

    id: str
    data: Path
    params: Path
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class SharedServices:
    """What ``councils.yml`` says: the project's name, its councils in display order, and the joint reports' folders."""

    file: Path
    name: str
    councils: tuple[CouncilFolders, ...]
    joint_params: Path | None = None
    joint_targets: Path | None = None

    @property
    def root(self) -> Path:
        """The folder holding ``councils.yml``, which every path in it is relative to."""
        return self.file.parent

    @property
    def ids(self) -> tuple[str, ...]:
        """The council ids in display order."""
        return tuple(c.id for c in self.councils)

    def council(self, id: str) -> CouncilFolders:
        """The council with this id; ``KeyError`` naming the ids there are otherwise."""
        for folders in self.councils:
            if folders.id == id:
                return folders
        raise KeyError(f"no council '{id}' in {self.file.as_posix()}; the councils are {', '.join(self.ids)}")


class _Reader:
    """Problems found so far in one ``councils.yml``, each on its line and key."""

    def __init__(self, path: Path):
        self.path = path
        self.display = str(path)
        self.problems: list[Problem] = []

    def add(self, node: yaml.Node | None, key: str | None, message: str) -> None:
        line = None if node is None else node.start_mark.line + 1
        self.problems.append(Problem(self.display, line, key, message))

    def mapping(self, node: yaml.MappingNode, where: str, allowed: tuple[str, ...], within: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The keys of one mapping with their key and value nodes; unknown and repeated keys are problems."""
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key not in allowed:
                self.add(
                    key_node,
                    where + key,
                    f"unknown key; remove it or correct its spelling (the keys {within} are {', '.join(allowed)})",
                )
            elif key in found:
                self.add(key_node, where + key, f"key appears twice (first on line {found[key][0].start_mark.line + 1}); keep one")
            else:
                found[key] = (key_node, value_node)
        return found

    def text(self, found: dict, key: str, shown: str, what: str, parent: yaml.Node | None, under: str = "") -> str | None:
        """The value of a required text key, or None with a problem when it is missing, blank or not text."""
        if key not in found:
            self.add(parent, shown, f"required key is missing; add a line '{key}: ...'{under}")
            return None
        key_node, value = found[key]
        if not isinstance(value, yaml.ScalarNode):
            self.add(key_node, shown, f"must be {what}, written on the same line after '{key}: '")
            return None
        if value.tag == _NULL or not str(value.value).strip():
            self.add(key_node, shown, f"must not be blank; write {what} after '{key}: '")
            return None
        return str(value.value).strip()

    def folder(self, found: dict, key: str, shown: str, root: Path, parent: yaml.Node | None, under: str = "") -> Path | None:
        """A required folder, joined onto ``root``; a problem when it is not there."""
        written = self.text(found, key, shown, "a folder's path", parent, under)
        if written is None:
            return None
        path = root / written
        if not path.is_dir():
            state = "is a file, not a folder" if path.exists() else "not found"
            self.add(
                found[key][0],
                shown,
                f"folder {path.as_posix()} {state}; create it or correct the path (relative to the folder holding {COUNCILS_FILE})",
            )
            return None
        return path


def read_councils(path: str | os.PathLike) -> tuple[SharedServices | None, list[Problem]]:
    """Read ``councils.yml``: the shared services (None if any problem) and every problem found, each on its line and key."""
    path = Path(path)
    r = _Reader(path)
    if not path.is_file():
        return None, [Problem(r.display, None, None, "file not found; create it as the data contract describes")]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(r.display, line, None, "not UTF-8 text on this line; save the file as UTF-8")]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = getattr(exc, "problem", None) or "unreadable"
        message = f"not valid YAML ({what}); write one 'key: value' per line, indent each council's keys under its '- id:' line"
        return None, [Problem(r.display, None if mark is None else mark.line + 1, None, message)]
    if not isinstance(node, yaml.MappingNode):
        return None, [
            Problem(r.display, None, None, "no 'key: value' lines found; write name, councils and joint as the data contract shows")
        ]

    top = r.mapping(node, "", _TOP_KEYS, "at the top of the file")
    name = r.text(top, "name", "name", "the shared services' name", None)
    councils = _councils(r, top, path.parent)
    joint_params, joint_targets = _joint(r, top, path.parent)
    if r.problems:
        return None, sort_problems(r.problems)
    assert name is not None and councils is not None
    return SharedServices(path, name, councils, joint_params, joint_targets), []


def _councils(r: _Reader, top: dict, root: Path) -> tuple[CouncilFolders, ...] | None:
    if "councils" not in top:
        r.add(
            None,
            "councils",
            "required key is missing; add 'councils:' with a '- id: ...' entry for each council, as the data contract shows",
        )
        return None
    key_node, items = top["councils"]
    if not isinstance(items, yaml.SequenceNode):
        r.add(key_node, "councils", "must be a list: one entry per council, each starting '- id: ...' on its own line under 'councils:'")
        return None
    out: list[CouncilFolders] = []
    seen_ids: dict[str, str] = {}
    seen_data: dict[Path, str] = {}
    ok = True
    for n, item in enumerate(items.value, start=1):
        where = f"councils[{n}]"
        if not isinstance(item, yaml.MappingNode):
            r.add(item, where, "each council must be 'id:', 'data:' and 'params:' lines, the first starting '- '")
            ok = False
            continue
        found = r.mapping(item, where + ".", _COUNCIL_KEYS, "of a council")
        under = " under this council"
        id_ = r.text(found, "id", f"{where}.id", "the council's id", item, under)
        if id_ is not None and not _SLUG.fullmatch(id_):
            r.add(
                found["id"][0], f"{where}.id", f"'{id_}' is not a council id; use lower-case letters, digits and hyphens, e.g. south-ribble"
            )
            id_ = None
        elif id_ is not None and id_ in seen_ids:
            r.add(found["id"][0], f"{where}.id", f"council id '{id_}' is already used by {seen_ids[id_]}; give each council its own id")
            id_ = None
        elif id_ is not None:
            seen_ids[id_] = where
        data = r.folder(found, "data", f"{where}.data", root, item, under)
        if data is not None and data.resolve() in seen_data:
            message = f"{data.as_posix()} is {seen_data[data.resolve()]}'s data folder too; give each council its own data folder"
            r.add(found["data"][0], f"{where}.data", message)
            data = None
        elif data is not None:
            seen_data[data.resolve()] = where
        params = r.folder(found, "params", f"{where}.params", root, item, under)
        if id_ is None or data is None or params is None:
            ok = False
            continue
        lines = {key: key_node.start_mark.line + 1 for key, (key_node, _) in found.items()}
        out.append(CouncilFolders(id_, data, params, lines))
    if len(items.value) < 2:
        r.add(
            key_node,
            "councils",
            f"lists {len(items.value)} council{'' if len(items.value) == 1 else 's'}; a shared-services project needs at least two "
            "(a single council needs no councils.yml: remove it and use data/ and params/)",
        )
        return None
    return tuple(out) if ok else None


def _joint(r: _Reader, top: dict, root: Path) -> tuple[Path | None, Path | None]:
    """The joint reports' params folder and targets file, each optional."""
    if "joint" not in top:
        return None, None
    key_node, node = top["joint"]
    if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
        return None, None
    if not isinstance(node, yaml.MappingNode):
        r.add(key_node, "joint", "must hold 'params:' and, optionally, 'targets:' lines, indented under 'joint:'")
        return None, None
    found = r.mapping(node, "joint.", _JOINT_KEYS, "under joint")
    params = r.folder(found, "params", "joint.params", root, node) if "params" in found else None
    targets = None
    if "targets" in found:
        written = r.text(found, "targets", "joint.targets", "a file's path", node)
        if written is not None:
            targets = root / written
            if not targets.is_file():
                state = "is a folder, not a file" if targets.exists() else "not found"
                r.add(
                    found["targets"][0],
                    "joint.targets",
                    f"file {targets.as_posix()} {state}; create it (targets.csv format) or correct the path, "
                    f"relative to the folder holding {COUNCILS_FILE}; leave the line out for no joint targets",
                )
                targets = None
    return params, targets


def load_councils(path: str | os.PathLike) -> SharedServices:
    """Read ``councils.yml``; raises ``DataContractError`` with every problem."""
    services, problems = read_councils(path)
    if services is None:
        raise DataContractError(problems)
    return services
