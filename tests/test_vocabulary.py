"""One vocabulary: every word list of the data contract is defined once, in ``pmlib.vocabulary``, and says what the contract says.

A second copy of a word list (a tuple of polarities in one module, a list of
statuses in another, an enum of frequencies as a period's kind) is how a new
word gets accepted by validation but judged as something else by the engine;
the scans below find every copy in the library and the benchmarks (and, for
classes, the tests), so the next one fails here, naming its line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from pmlib import STATUSES as EXPORTED_STATUSES
from pmlib.contract.tables import TABLES
from pmlib.engine.rollup import ratio_value
from pmlib.engine.status import DIRECTIONS, STATUSES
from pmlib.views.labels import ACTION_LABELS, STATUS_LABELS, TREND_LABELS
from pmlib.vocabulary import (
    MULTIPLIERS,
    NON_NEGATIVE_UNITS,
    ActionStatus,
    Aggregation,
    Change,
    Direction,
    ForecastKind,
    Frequency,
    Polarity,
    Quality,
    Status,
    Unit,
    Vocabulary,
)

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "pmlib" / "vocabulary.py"
SCANNED = (ROOT / "pmlib", ROOT / "benchmarks")
# Tests spell out words as data, so only their classes are scanned: a test's own enum of words is a copy too.
CLASSES_SCANNED = (*SCANNED, ROOT / "tests")
VOCABULARIES = (Polarity, Frequency, Aggregation, Unit, Quality, ActionStatus, Status, Direction, Change, ForecastKind)
# Also the names of judged-table columns and quality flags: a list of those alone is a list of columns, not of words.
COLUMN_NAMES = {Status.INTERVENTION.word, Quality.PROVISIONAL.word, Quality.ESTIMATED.word}
CONTRACT = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")


def _strings(node: ast.AST) -> set[str]:
    """The words a list literal spells out: its string items, and the strings its items compare with (``x == "higher"``)."""
    out = set()
    for item in getattr(node, "elts", ()):
        parts = [item, *item.comparators] if isinstance(item, ast.Compare) else [item]
        out |= {p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)}
    return out


def word_lists(source: str) -> list[tuple[int, str, list[str]]]:
    """Line, vocabulary and words of every tuple, list or set literal in ``source`` naming two or more words of one vocabulary."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Tuple | ast.List | ast.Set):
            continue
        strings = _strings(node)
        for vocabulary in VOCABULARIES:
            words = strings & set(vocabulary.words())
            if len(words) >= 2 and words - COLUMN_NAMES:
                found.append((node.lineno, vocabulary.__name__, sorted(words)))
    return found


def scanned_files(roots: tuple[Path, ...] = SCANNED) -> list[Path]:
    return [path for root in roots for path in sorted(root.rglob("*.py")) if path != HOME]


def _is_enum(node: ast.ClassDef) -> bool:
    """Whether a class derives, by name, from an ``enum`` class or from ``Vocabulary``."""
    names = {base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "") for base in node.bases}
    return any(name.endswith(("Enum", "Flag")) or name == "Vocabulary" for name in names)


def word_classes(source: str) -> list[tuple[int, str, str, list[str]]]:
    """Line, class, vocabulary and names or words of every class defining a vocabulary's members again.

    A class copies a vocabulary when it names two or more of its members
    (``MONTHLY``, ``QUARTERLY``, whatever their values), or, being an enum,
    holds any of its words: both are a second definition of the words.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        names, strings = set(), set()
        for item in node.body:
            if isinstance(item, ast.Assign | ast.AnnAssign) and item.value is not None:
                targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
                strings |= {c.value for c in ast.walk(item.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
        for vocabulary in VOCABULARIES:
            members = names & set(vocabulary.__members__)
            words = strings & set(vocabulary.words()) if _is_enum(node) else set()
            if len(members) >= 2 or words - COLUMN_NAMES:
                found.append((node.lineno, node.name, vocabulary.__name__, sorted(members or words)))
    return found


def test_no_word_list_is_defined_outside_the_vocabulary_module():
    copies = [
        f"{path.relative_to(ROOT)}:{line}: a list of {name} words {words}; use pmlib.vocabulary.{name} instead"
        for path in scanned_files()
        for line, name, words in word_lists(path.read_text(encoding="utf-8"))
    ]
    assert not copies, "\n".join(copies)


def test_no_vocabulary_class_is_defined_outside_pmlib_words():
    copies = [
        f"{path.relative_to(ROOT)}:{line}: class {cls} defines {name} again {found}; use pmlib.vocabulary.{name} instead"
        for path in scanned_files(CLASSES_SCANNED)
        for line, cls, name, found in word_classes(path.read_text(encoding="utf-8"))
    ]
    assert not copies, "\n".join(copies)


def test_the_class_scan_finds_every_vocabulary_in_pmlib_words():
    found = {(cls, name) for _, cls, name, _ in word_classes(HOME.read_text(encoding="utf-8"))}
    assert found == {(v.__name__, v.__name__) for v in VOCABULARIES}
    assert "tests/test_periods.py" in {path.relative_to(ROOT).as_posix() for path in scanned_files(CLASSES_SCANNED)}


@pytest.mark.parametrize(
    "source",
    [
        'class Frequency(StrEnum):\n    MONTHLY = "monthly"\n    QUARTERLY = "quarterly"\n    ANNUAL = "annual"',
        "class PeriodKind:\n    MONTHLY = 0\n    ANNUAL = 2",
        'class Kind(enum.Enum):\n    MONTH = "monthly"',
        'class RAG(IntEnum):\n    GREEN = ("on_target", 0)',
        'class Sense(Vocabulary):\n    UP = "higher"',
        "def f():\n    class Trend(Enum):\n        IMPROVING = 1\n        WORSENING = 2",
    ],
)
def test_the_class_scan_finds_a_copied_vocabulary(source):
    assert word_classes(source)


@pytest.mark.parametrize(
    "source",
    [
        'class Measure:\n    frequency: str = "monthly"\n    polarity = "higher"',
        'class Column(StrEnum):\n    VALUE = "value"\n    INTERVENTION = "intervention"',
        "class Scale(IntEnum):\n    HIGH = 1\n    NONE = 0",
        "class Period:\n    frequency: Frequency\n    index: int",
    ],
)
def test_the_class_scan_leaves_other_classes_alone(source):
    assert not word_classes(source)


def test_the_scan_reads_the_engine_the_contract_the_pages_and_the_benchmarks():
    names = {path.relative_to(ROOT).as_posix() for path in scanned_files()}
    assert {"pmlib/engine/status.py", "pmlib/contract/tables.py", "pmlib/views/labels.py", "benchmarks/_synthetic.py"} <= names
    assert any(name.startswith("pmlib/rendering/") for name in names)
    assert "pmlib/vocabulary.py" not in names


@pytest.mark.parametrize(
    "source",
    [
        'POLARITIES = ("higher", "lower", "none")',
        'x = ["monthly", "quarterly"]',
        'ok = unit in {"percent", "gbp"}',
        'code = np.select([p == "higher", p == "lower"], [0, 1], 2)',
        'order = {k: i for i, k in enumerate(["intervention", "below_target", "on_target"])}',
        'f(("sum", "mean", "last"))',
        'QUALITY = ("validated", "provisional")',
        'TRENDS = ("improving", "worsening")',
    ],
)
def test_the_scan_finds_a_copied_word_list(source):
    assert word_lists(source)


@pytest.mark.parametrize(
    "source",
    [
        'FLAGS = ("provisional", "estimated", "revised", "small")',
        'columns = ["value", "target", "intervention"]',
        'x = {"higher": "Higher is better"}["higher"]',
        'one = unit == "percent"',
        "words = Polarity.words()",
    ],
)
def test_the_scan_leaves_columns_and_single_words_alone(source):
    assert not word_lists(source)


def _table_words(column: str) -> tuple[str, ...]:
    """The words the contract's measures.csv table allows in ``column``, in the order it lists them."""
    row = re.search(rf"^\| `{column}` \| (.+?) \|", CONTRACT, re.MULTILINE)
    assert row, column
    return tuple(re.findall(r"`([a-z0-9_]+)`", row.group(1)))


def _listed_words(before: str) -> tuple[str, ...]:
    """The backticked words in the parentheses after ``before`` in the contract (``quality`` and the actions' ``status``)."""
    listed = re.search(re.escape(before) + r"\s*\(([^)]*)\)", CONTRACT)
    assert listed, before
    return tuple(re.findall(r"`([a-z0-9_]+)`", listed.group(1)))


@pytest.mark.parametrize(
    ("vocabulary", "words"),
    [
        (Unit, _table_words("unit")),
        (Polarity, _table_words("polarity")),
        (Frequency, _table_words("frequency")),
        (Aggregation, _table_words("aggregation")),
        (Quality, _listed_words("`quality`\n")),
        (ActionStatus, _listed_words("`status`\n")),
    ],
)
def test_words_are_the_contracts_in_its_order(vocabulary, words):
    assert vocabulary.words() == words


def test_statuses_and_directions_are_the_contracts_rules_five_and_six():
    rule_5 = CONTRACT[CONTRACT.index("5. Status:") : CONTRACT.index("6. Direction of travel.")]
    rule_6 = CONTRACT[CONTRACT.index("6. Direction of travel.") : CONTRACT.index("7. A measure")]
    assert set(re.findall(r"^   - `([a-z_]+)`:", rule_5, re.MULTILINE)) == set(Status.words())
    assert set(re.findall(r"`([a-z_]+)`", rule_6)) - {"decimals", "none"} == set(Direction.words())


def test_codes_are_those_the_engine_has_always_used():
    assert [(m.word, int(m)) for m in Polarity] == [("higher", 0), ("lower", 1), ("none", 2)]
    assert [(m.word, int(m)) for m in Frequency] == [("monthly", 0), ("quarterly", 1), ("annual", 2)]
    assert [(m.word, int(m)) for m in Aggregation] == [("sum", 0), ("mean", 1), ("last", 2), ("ratio", 3)]
    assert STATUSES == ("on_target", "below_target", "intervention", "monitoring", "no_data") == EXPORTED_STATUSES
    assert DIRECTIONS == ("improving", "worsening", "increasing", "decreasing", "no_change")
    for vocabulary in VOCABULARIES:
        assert [int(m) for m in vocabulary] == list(range(len(vocabulary)))
        assert all(vocabulary.of(m.word) is m for m in vocabulary)


def test_the_contracts_cell_checks_use_these_words():
    choices = {(table, c.name): c.choices for table, columns in TABLES.items() for c in columns if c.kind == "enum"}
    assert choices == {
        ("measures.csv", "unit"): Unit.words(),
        ("measures.csv", "polarity"): Polarity.words(),
        ("measures.csv", "frequency"): Frequency.words(),
        ("measures.csv", "aggregation"): Aggregation.words(),
        ("observations", "quality"): Quality.words(),
        ("action_updates.csv", "status"): ActionStatus.words(),
    }


def test_labels_are_keyed_by_the_words():
    assert set(STATUS_LABELS) == set(Status.words())
    assert set(TREND_LABELS) == set(Direction.words())
    assert set(ACTION_LABELS) == set(ActionStatus.words())
    assert all(key == label.key for labels in (STATUS_LABELS, TREND_LABELS, ACTION_LABELS) for key, label in labels.items())


def test_codes_of_words_any_shape_with_anything_else_last():
    assert Polarity.codes(["lower", "higher", "none", "Higher", "", None]).tolist() == [1, 0, 2, 2, 2, 2]
    assert Frequency.codes(np.array([["annual"], ["monthly"]], dtype=object)).tolist() == [[2], [0]]
    assert Aggregation.codes("ratio") == Aggregation.RATIO
    assert Status.codes(list(STATUSES)).dtype == np.int8


def test_ratio_scale_is_the_contracts():
    # "numerator / denominator x 100 for percent, x 1,000 for rate_per_1000, x 100,000 for rate_per_100k, x 1 otherwise"
    said = re.search(r"value is numerator / denominator (.+?) otherwise", CONTRACT, re.DOTALL).group(1)
    stated = {word: float(scale.replace(",", "")) for scale, word in re.findall(r"x ([\d,]+) for\s+`([a-z0-9_]+)`", said)}
    assert stated == MULTIPLIERS
    assert {u.word: u.scale for u in Unit} == {u: MULTIPLIERS.get(u, 1.0) for u in Unit.words()}
    units = np.array(["percent", "rate_per_1000", "rate_per_100k", "score", None], dtype=object)
    assert ratio_value(np.full(5, 3.0), np.full(5, 4.0), units).tolist() == [75.0, 750.0, 75_000.0, 0.75, 0.75]
    assert ratio_value([3.0], [4.0], Unit.scales(["percent"])).tolist() == ratio_value([3.0], [4.0], "percent").tolist() == [75.0]


def test_non_negative_units_are_the_contracts():
    said = re.search(r"\*\*Negative values\*\* are errors for (.+?) \(counts", CONTRACT, re.DOTALL).group(1)
    named = set(re.findall(r"`([a-z0-9_]+)`", said))
    rates = {Unit.RATE_PER_1000.word, Unit.RATE_PER_100K.word} if "both rates" in said else set()
    assert named | rates == set(NON_NEGATIVE_UNITS)


def test_every_vocabulary_is_a_vocabulary():
    assert all(issubclass(v, Vocabulary) for v in VOCABULARIES)
    assert {v.__name__ for v in Vocabulary.__subclasses__()} == {v.__name__ for v in VOCABULARIES}
