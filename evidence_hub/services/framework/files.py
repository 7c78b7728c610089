"""Framework files: a YAML file read into plain definitions, every problem found at once; differences.

An evaluator writes and edits the framework as a YAML file (docs/framework-format.md describes it; the
JSON Schema in evidence_hub/data/frameworks/framework.schema.json is the published contract). Reading a file
never stops at the first mistake: every problem is collected with its location, such as
`indicators[3].plausible_min` (items are counted from 0), and a plain-English message, so that one
round of corrections fixes the whole file. Nothing here touches the database.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from evidence_hub.models.framework import (
    CollectionFrequency,
    CombineRule,
    Direction,
    IndicatorUnit,
    LearningType,
)
from evidence_hub.models.sites import PartnerType

FRAMEWORKS_FOLDER = Path(__file__).resolve().parents[2] / "data" / "frameworks"
SCHEMA_PATH = FRAMEWORKS_FOLDER / "framework.schema.json"
DEFAULT_FRAMEWORK_PATH = FRAMEWORKS_FOLDER / "worklessness-data-sharing.yaml"

MAX_FILE_BYTES = 1024 * 1024
FORMAT_VERSION = 1
MAX_DECIMAL_PLACES = 4
# Numeric(18, 4) holds 14 digits before the point.
MAX_ABSOLUTE_VALUE = Decimal(10) ** 14
NAME_LENGTH = 200
TEXT_LENGTH = 10_000
ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
FRAMEWORK_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRAMEWORK_CODE_LENGTH = 60
# Words the framework pages use in their own addresses (/framework/upload), so no framework can have them.
RESERVED_FRAMEWORK_CODES = frozenset({"upload", "schema"})
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Units whose figures cannot be added up across sites: a sum of percentages or scores means nothing.
UNITS_THAT_CANNOT_BE_SUMMED = frozenset({IndicatorUnit.PERCENTAGE, IndicatorUnit.SCORE, IndicatorUnit.RATIO})
NON_NEGATIVE_UNITS = frozenset(
    {IndicatorUnit.COUNT, IndicatorUnit.PERCENTAGE, IndicatorUnit.HOURS, IndicatorUnit.DAYS}
)
WHOLE_NUMBER_UNITS = frozenset({IndicatorUnit.COUNT, IndicatorUnit.YES_NO})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where it is, and what to do about it."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class FrameworkFileInvalid(ValueError):
    """A framework file that cannot be used; `problems` lists every mistake found in it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        super().__init__(f"The framework file has {count} problem{'' if count == 1 else 's'}")


# ---------------------------------------------------------------------------------------------------------
# Definitions: what a valid file says, as plain values.


@dataclass(frozen=True)
class QuestionDefinition:
    code: str
    text: str
    guidance: str = ""


@dataclass(frozen=True)
class ThemeDefinition:
    code: str
    title: str
    description: str
    questions: tuple[QuestionDefinition, ...]


@dataclass(frozen=True)
class EvidenceLevelDefinition:
    level: int
    title: str
    description: str
    prompt: str


@dataclass(frozen=True)
class EvidenceScaleDefinition:
    code: str
    name: str
    description: str
    source: str
    levels: tuple[EvidenceLevelDefinition, ...]


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    name: str
    theme: str
    definition: str
    unit: IndicatorUnit
    decimal_places: int
    direction: Direction
    combine: CombineRule
    weighted_by: str | None
    frequency: CollectionFrequency
    baseline_required: bool
    target_required: bool
    plausible_min: Decimal | None
    plausible_max: Decimal | None
    include: str
    exclude: str
    data_sources: tuple[str, ...]
    minimum_evidence_scale: str
    minimum_evidence_level: int


@dataclass(frozen=True)
class CostCategoryDefinition:
    code: str
    name: str
    description: str
    include: str
    exclude: str
    examples: tuple[str, ...]
    in_kind: bool


@dataclass(frozen=True)
class ActivityTypeDefinition:
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class LearningTypeDefinition:
    code: LearningType
    description: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class LearningDimensionDefinition:
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class PartnerRoleDefinition:
    partner_type: PartnerType
    role: str


@dataclass(frozen=True)
class MilestoneDefinition:
    code: str
    percentage: int
    title: str
    definition: str
    evidence: str


@dataclass(frozen=True)
class FrameworkDefinition:
    code: str
    name: str
    version: int
    effective_from: date
    description: str
    themes: tuple[ThemeDefinition, ...]
    indicators: tuple[IndicatorDefinition, ...]
    cost_categories: tuple[CostCategoryDefinition, ...]
    activity_types: tuple[ActivityTypeDefinition, ...]
    learning_types: tuple[LearningTypeDefinition, ...]
    learning_dimensions: tuple[LearningDimensionDefinition, ...]
    partner_roles: tuple[PartnerRoleDefinition, ...]
    journey: tuple[MilestoneDefinition, ...]
    evidence_scales: tuple[EvidenceScaleDefinition, ...]

    @property
    def questions(self) -> tuple[QuestionDefinition, ...]:
        return tuple(question for theme in self.themes for question in theme.questions)

    def describe_contents(self) -> str:
        """For example "5 themes, 16 evaluation questions, 1 evidence scale"."""
        return ", ".join(count_phrase(count, kind) for kind, count in self.counts().items() if count)

    def counts(self) -> dict[str, int]:
        """How many of each kind of definition the file holds, for summaries."""
        return {
            "themes": len(self.themes),
            "evaluation questions": len(self.questions),
            "indicators": len(self.indicators),
            "cost categories": len(self.cost_categories),
            "activity types": len(self.activity_types),
            "learning types": len(self.learning_types),
            "learning dimensions": len(self.learning_dimensions),
            "partner roles": len(self.partner_roles),
            "journey milestones": len(self.journey),
            "evidence scales": len(self.evidence_scales),
        }


def count_phrase(count: int, plural: str) -> str:
    """ "1 theme", "2 themes", "1 cost category" from the plural noun."""
    if count == 1:
        words = plural.split(" ")
        last = words[-1]
        words[-1] = last[:-3] + "y" if last.endswith("ies") else last[:-1]
        return f"1 {' '.join(words)}"
    return f"{count} {plural}"


# ---------------------------------------------------------------------------------------------------------
# Reading a file.

# The fields each kind of entry may have: key → (what it is called in messages, required).
TOP_LEVEL_FIELDS = {
    "format_version": ("file format version", False),
    "code": ("framework code", True),
    "name": ("framework name", True),
    "version": ("version number", True),
    "effective_from": ("date it takes effect", True),
    "description": ("description", True),
    "themes": ("themes", True),
    "indicators": ("indicators", True),
    "cost_categories": ("cost categories", True),
    "activity_types": ("activity types", False),
    "learning_types": ("learning types", True),
    "learning_dimensions": ("learning dimensions", True),
    "partner_roles": ("partner roles", False),
    "journey": ("data-sharing journey", False),
    "evidence_scales": ("evidence scales", True),
}
THEME_FIELDS = {
    "code": ("code", True),
    "title": ("title", True),
    "description": ("description", True),
    "questions": ("evaluation questions", True),
}
QUESTION_FIELDS = {"code": ("code", True), "text": ("question", True), "guidance": ("guidance", False)}
INDICATOR_FIELDS = {
    "code": ("code", True),
    "name": ("name", True),
    "theme": ("theme", True),
    "definition": ("definition", True),
    "unit": ("unit", True),
    "decimal_places": ("number of decimal places", True),
    "direction": ("direction", True),
    "combine": ("rule for combining sites", True),
    "weighted_by": ("weighting indicator", False),
    "frequency": ("collection frequency", True),
    "baseline_required": ("whether a baseline is required", True),
    "target_required": ("whether a target is required", True),
    "plausible_min": ("plausible minimum", False),
    "plausible_max": ("plausible maximum", False),
    "include": ("guidance on what to include", True),
    "exclude": ("guidance on what to exclude", True),
    "data_sources": ("suggested data sources", True),
    "minimum_evidence": ("minimum evidence strength", True),
}
MINIMUM_EVIDENCE_FIELDS = {"scale": ("evidence scale", True), "level": ("evidence level", True)}
COST_CATEGORY_FIELDS = {
    "code": ("code", True),
    "name": ("name", True),
    "description": ("description", False),
    "include": ("guidance on what to include", True),
    "exclude": ("guidance on what to exclude", True),
    "examples": ("examples", False),
    "in_kind": ("whether the cost is met in kind", False),
}
ACTIVITY_TYPE_FIELDS = {"code": ("code", True), "name": ("name", True), "description": ("description", True)}
LEARNING_TYPE_FIELDS = {
    "code": ("learning type", True),
    "description": ("description", True),
    "examples": ("examples", False),
}
LEARNING_DIMENSION_FIELDS = {
    "code": ("code", True),
    "name": ("name", True),
    "description": ("description", True),
}
PARTNER_ROLE_FIELDS = {"partner_type": ("partner type", True), "role": ("role", True)}
MILESTONE_FIELDS = {
    "code": ("code", True),
    "percentage": ("percentage", True),
    "title": ("title", True),
    "definition": ("definition", True),
    "evidence": ("evidence that it has been reached", False),
}
EVIDENCE_SCALE_FIELDS = {
    "code": ("code", True),
    "name": ("name", True),
    "description": ("description", True),
    "source": ("source", False),
    "levels": ("levels", True),
}
EVIDENCE_LEVEL_FIELDS = {
    "level": ("level number", True),
    "title": ("title", True),
    "description": ("description", True),
    "prompt": ("prompt for pilot leads", True),
}

EnumT = TypeVar("EnumT", bound=StrEnum)
ItemT = TypeVar("ItemT")


def _quoted(value: Any) -> str:
    return f"“{value}”"


def _list_words(values: Iterable[str]) -> str:
    return ", ".join(values)


def _suggestion(value: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
    return f" Did you mean {_quoted(close[0])}?" if close else ""


class _Reader:
    """Reads one file, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    # Structure --------------------------------------------------------------------------------------------

    def entry(
        self, value: Any, location: str, fields: Mapping[str, tuple[str, bool]], subject: str
    ) -> dict[str, Any] | None:
        """An entry (a YAML mapping) with only known keys; None, and a problem, when it is not a mapping."""
        if not isinstance(value, dict):
            self.problem(
                location or "file", f"{subject} must be a set of `key: value` lines, not {_kind_of(value)}."
            )
            return None
        subject = _named(subject, value)
        for key in value:
            if not isinstance(key, str) or key not in fields:
                where = f"{subject[0].lower()}{subject[1:]}"
                self.problem(
                    f"{location}.{key}" if location else str(key),
                    f"Unknown field {_quoted(key)} in {where}.{_suggestion(str(key), fields)} "
                    f"The fields it can have are: {_list_words(fields)}.",
                )
        for key, (label, required) in fields.items():
            if required and value.get(key) in (None, "", [], {}):
                self.problem(_at(location, key), f"{subject} has no {label}: add `{key}:`.")
        return value

    def items(
        self,
        entry: Mapping[str, Any],
        key: str,
        location: str,
        subject: str,
        read_item: Callable[[Any, str], ItemT | None],
    ) -> list[tuple[int, ItemT]]:
        """The readable items of a list field, each with its index in the file."""
        value = entry.get(key)
        if value in (None, "", []):
            return []
        if not isinstance(value, list):
            self.problem(_at(location, key), f"{subject} must be a list (each item starting with `- `).")
            return []
        result: list[tuple[int, ItemT]] = []
        for index, item in enumerate(value):
            read = read_item(item, f"{_at(location, key)}[{index}]")
            if read is not None:
                result.append((index, read))
        return result

    # Values -----------------------------------------------------------------------------------------------

    def text(
        self, entry: Mapping[str, Any], key: str, location: str, *, max_length: int = TEXT_LENGTH
    ) -> str:
        value = entry.get(key)
        if value is None:
            return ""  # Missing required fields are reported by `entry`.
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            self.problem(_at(location, key), f"This must be text, not {_kind_of(value)}.")
            return ""
        text = str(value).strip()
        if len(text) > max_length:
            self.problem(_at(location, key), f"This is {len(text)} characters long: keep it to {max_length}.")
        return text

    def code(self, entry: Mapping[str, Any], key: str, location: str) -> str:
        value = entry.get(key)
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            self.problem(
                _at(location, key),
                f"YAML reads this code as {'true' if value else 'false'} (a yes/no value): put it in quotes.",
            )
            return ""
        code = str(value).strip()
        if not ITEM_CODE.match(code):
            self.problem(
                _at(location, key),
                f"The code {_quoted(code)} is not allowed: use up to 40 letters, digits, full stops, hyphens "
                "or underscores, starting with a letter or digit (for example WL-JOBS).",
            )
        return code

    def choice(
        self, entry: Mapping[str, Any], key: str, location: str, enum: type[EnumT], what: str
    ) -> EnumT | None:
        value = entry.get(key)
        if value is None or value == "":
            return None
        allowed = [member.value for member in enum]
        if not isinstance(value, str) or value not in allowed:
            self.problem(
                _at(location, key),
                f"Unknown {what} {_quoted(value)}.{_suggestion(str(value), allowed)} "
                f"Use one of: {_list_words(allowed)}.",
            )
            return None
        return enum(value)

    def whole_number(
        self, entry: Mapping[str, Any], key: str, location: str, *, minimum: int, maximum: int | None = None
    ) -> int | None:
        value = entry.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(_at(location, key), f"This must be a whole number, not {_kind_of(value)}.")
            return None
        if value < minimum or (maximum is not None and value > maximum):
            limit = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
            self.problem(_at(location, key), f"This must be a whole number {limit}, not {value}.")
            return None
        return value

    def number(self, entry: Mapping[str, Any], key: str, location: str) -> Decimal | None:
        value = entry.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.problem(_at(location, key), f"This must be a number, not {_kind_of(value)}.")
            return None
        try:
            # repr of a float is its shortest exact decimal spelling, so 0.1 stays 0.1.
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip().replace(",", ""))
        except InvalidOperation:
            self.problem(_at(location, key), f"{_quoted(value)} is not a number.")
            return None
        if not number.is_finite():
            self.problem(_at(location, key), "This must be an ordinary number.")
            return None
        if abs(number) >= MAX_ABSOLUTE_VALUE:
            self.problem(_at(location, key), "This number is too large: keep it below 100 million million.")
            return None
        if _decimal_places(number) > MAX_DECIMAL_PLACES:
            self.problem(
                _at(location, key), f"This number has more than {MAX_DECIMAL_PLACES} decimal places."
            )
            return None
        return number

    def yes_no(
        self, entry: Mapping[str, Any], key: str, location: str, *, default: bool | None = None
    ) -> bool:
        value = entry.get(key)
        if value is None:
            return bool(default)
        if not isinstance(value, bool):
            self.problem(
                _at(location, key), f"This must be true or false (without quotes), not {_quoted(value)}."
            )
            return bool(default)
        return value

    def date(self, entry: Mapping[str, Any], key: str, location: str) -> date | None:
        value = entry.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            self.problem(
                _at(location, key), "Give a date without a time, as YYYY-MM-DD (for example 2009-04-01)."
            )
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str) and ISO_DATE.match(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                self.problem(_at(location, key), f"{_quoted(value)} is not a real date.")
                return None
        # Only YYYY-MM-DD: 01/04/2009 is 1 April in the UK and 4 January in the US, so never guess.
        self.problem(
            _at(location, key),
            f"Write the date as YYYY-MM-DD (for example 2009-04-01), not {_quoted(value)}.",
        )
        return None

    def text_list(self, entry: Mapping[str, Any], key: str, location: str) -> tuple[str, ...]:
        value = entry.get(key)
        if value is None or value == "":
            return ()
        if isinstance(value, str):
            self.problem(
                _at(location, key), "This must be a list, each item on its own line starting with `- `."
            )
            return ()
        if not isinstance(value, list):
            self.problem(_at(location, key), f"This must be a list of text, not {_kind_of(value)}.")
            return ()
        texts: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, str | int | float) or not str(item).strip():
                self.problem(f"{_at(location, key)}[{index}]", "Each item in this list must be some text.")
                continue
            texts.append(str(item).strip())
        return tuple(texts)


def _named(subject: str, entry: Mapping[str, Any]) -> str:
    """ "A cost category" becomes "Cost category STAFF" when the entry has a code, so a reader can find it."""
    code = entry.get("code")
    if isinstance(code, str) and code.strip() and subject.startswith(("A ", "An ")):
        noun = subject.split(" ", 1)[1]
        return f"{noun[0].upper()}{noun[1:]} {code.strip()}"
    return subject


def _at(location: str, key: str) -> str:
    return f"{location}.{key}" if location else key


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {_quoted(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of `key: value` lines"
    return "a value of an unexpected kind"


def _decimal_places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _check_unique(
    reader: _Reader, items: Sequence[tuple[int, Any]], list_location: str, subject: str, key: str = "code"
) -> None:
    seen: dict[str, int] = {}
    for index, item in items:
        value = str(getattr(item, key))
        if not value:
            continue
        folded = value.casefold()
        if folded in seen:
            reader.problem(
                f"{list_location}[{index}].{key}",
                f"Duplicate {subject} {_quoted(value)}: {list_location}[{seen[folded]}] already uses it. "
                f"Each {subject} must be different.",
            )
        else:
            seen[folded] = index


# libyaml's safe loader is many times faster; the pure-Python one gives the same result where it is missing.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> tuple[Any, list[Problem]]:
    """The file's data, or why it cannot be read. safe_load only: a YAML tag can never build an object."""
    try:
        return yaml.load(text, Loader=SAFE_LOADER), []  # noqa: S506  (a safe loader, C or pure Python)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        location = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "file"
        reason = error.problem or "it does not follow YAML rules"
        return None, [
            Problem(location, f"The file is not valid YAML ({reason}). Check the indentation and the colons.")
        ]
    except yaml.YAMLError:
        return None, [Problem("file", "The file is not valid YAML. Check the indentation and the colons.")]


def decode_file(content: bytes) -> tuple[str, list[Problem]]:
    """The file's text, or why it cannot be read as a framework file."""
    if len(content) > MAX_FILE_BYTES:
        return "", [
            Problem("file", "The file is larger than 1 MB: a framework file is much smaller than that.")
        ]
    try:
        return content.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return "", [
            Problem(
                "file",
                "The file is not text saved as UTF-8. Save it as a YAML text file (.yaml) and try again.",
            )
        ]


def check_framework_text(text: str) -> tuple[FrameworkDefinition | None, list[Problem]]:
    """The definition in a framework file, and every problem with it (the definition is None if any)."""
    data, problems = parse_yaml(text)
    if problems:
        return None, problems
    reader = _Reader()
    definition = _read_framework(reader, data)
    if reader.problems:
        order = list(data) if isinstance(data, dict) else []
        return None, sorted(reader.problems, key=lambda problem: _file_order(problem.location, order))
    return definition, []


def _file_order(location: str, top_level_keys: list[Any]) -> tuple[int, list[int]]:
    """Problems sorted as they appear in the file: by top-level section, then by item number."""
    section = location.split(".")[0].split("[")[0]
    position = top_level_keys.index(section) if section in top_level_keys else len(top_level_keys)
    return position, [int(number) for number in re.findall(r"\[(\d+)\]", location)]


def read_framework_text(text: str) -> FrameworkDefinition:
    """The definition in a framework file; raises FrameworkFileInvalid listing every problem."""
    definition, problems = check_framework_text(text)
    if definition is None:
        raise FrameworkFileInvalid(problems)
    return definition


def read_framework_file(path: Path) -> FrameworkDefinition:
    content, problems = decode_file(path.read_bytes())
    if problems:
        raise FrameworkFileInvalid(problems)
    return read_framework_text(content)


def _read_framework(reader: _Reader, data: Any) -> FrameworkDefinition | None:
    if data is None:
        reader.problem("file", "The file is empty. Start from the example in docs/framework-format.md.")
        return None
    top = reader.entry(data, "", TOP_LEVEL_FIELDS, "The framework file")
    if top is None:
        return None

    format_version = reader.whole_number(top, "format_version", "", minimum=1)
    if format_version is not None and format_version != FORMAT_VERSION:
        reader.problem(
            "format_version",
            f"This service reads format version {FORMAT_VERSION} files, not {format_version}.",
        )
    code = _read_framework_code(reader, top)
    name = reader.text(top, "name", "", max_length=NAME_LENGTH)
    version = reader.whole_number(top, "version", "", minimum=1)
    effective_from = reader.date(top, "effective_from", "")
    description = reader.text(top, "description", "")

    scales = reader.items(
        top, "evidence_scales", "", "The evidence scales", lambda v, at: _read_scale(reader, v, at)
    )
    _check_unique(reader, scales, "evidence_scales", "evidence scale code")

    themes = reader.items(top, "themes", "", "The themes", lambda v, at: _read_theme(reader, v, at))
    _check_unique(reader, themes, "themes", "theme code")
    _check_question_codes_unique(reader, themes)

    indicators = reader.items(
        top, "indicators", "", "The indicators", lambda v, at: _read_indicator(reader, v, at)
    )
    _check_unique(reader, indicators, "indicators", "indicator code")
    _check_indicator_references(reader, indicators, themes, scales)

    cost_categories = reader.items(
        top, "cost_categories", "", "The cost categories", lambda v, at: _read_cost_category(reader, v, at)
    )
    _check_unique(reader, cost_categories, "cost_categories", "cost category code")

    activity_types = reader.items(
        top, "activity_types", "", "The activity types", lambda v, at: _read_named(reader, v, at, "activity")
    )
    _check_unique(reader, activity_types, "activity_types", "activity type code")

    learning_types = reader.items(
        top, "learning_types", "", "The learning types", lambda v, at: _read_learning_type(reader, v, at)
    )
    _check_learning_types(reader, learning_types, top)

    dimensions = reader.items(
        top,
        "learning_dimensions",
        "",
        "The learning dimensions",
        lambda v, at: _read_named(reader, v, at, "dimension"),
    )
    _check_unique(reader, dimensions, "learning_dimensions", "learning dimension code")

    partner_roles = reader.items(
        top, "partner_roles", "", "The partner roles", lambda v, at: _read_partner_role(reader, v, at)
    )
    _check_unique(reader, partner_roles, "partner_roles", "partner type", key="partner_type")

    journey = reader.items(top, "journey", "", "The journey", lambda v, at: _read_milestone(reader, v, at))
    _check_unique(reader, journey, "journey", "milestone code")
    _check_journey(reader, journey)

    if reader.problems or code is None or version is None or effective_from is None:
        return None
    return FrameworkDefinition(
        code=code,
        name=name,
        version=version,
        effective_from=effective_from,
        description=description,
        themes=tuple(theme for _, theme in themes),
        indicators=tuple(indicator for _, indicator in indicators),
        cost_categories=tuple(category for _, category in cost_categories),
        activity_types=tuple(
            ActivityTypeDefinition(item.code, item.name, item.description) for _, item in activity_types
        ),
        learning_types=tuple(item for _, item in learning_types),
        learning_dimensions=tuple(
            LearningDimensionDefinition(item.code, item.name, item.description) for _, item in dimensions
        ),
        partner_roles=tuple(item for _, item in partner_roles),
        journey=tuple(item for _, item in journey),
        evidence_scales=tuple(scale for _, scale in scales),
    )


def _read_framework_code(reader: _Reader, top: Mapping[str, Any]) -> str | None:
    value = top.get("code")
    if value is None or value == "":
        return None
    code = str(value).strip()
    if isinstance(value, bool) or not FRAMEWORK_CODE.match(code) or len(code) > FRAMEWORK_CODE_LENGTH:
        reader.problem(
            "code",
            f"The framework code {_quoted(value)} is not allowed: use lower-case letters and digits "
            f"joined by hyphens, up to {FRAMEWORK_CODE_LENGTH} characters "
            "(for example worklessness-data-sharing).",
        )
        return None
    if code in RESERVED_FRAMEWORK_CODES:
        reader.problem(
            "code", f"The framework code {_quoted(code)} is used by the service itself: choose another."
        )
        return None
    return code


def _read_theme(reader: _Reader, value: Any, at: str) -> ThemeDefinition | None:
    entry = reader.entry(value, at, THEME_FIELDS, "A theme")
    if entry is None:
        return None
    code = reader.code(entry, "code", at)
    questions = reader.items(
        entry, "questions", at, "The questions", lambda v, q_at: _read_question(reader, v, q_at)
    )
    return ThemeDefinition(
        code=code,
        title=reader.text(entry, "title", at, max_length=NAME_LENGTH),
        description=reader.text(entry, "description", at),
        questions=tuple(question for _, question in questions),
    )


def _read_question(reader: _Reader, value: Any, at: str) -> QuestionDefinition | None:
    entry = reader.entry(value, at, QUESTION_FIELDS, "An evaluation question")
    if entry is None:
        return None
    return QuestionDefinition(
        code=reader.code(entry, "code", at),
        text=reader.text(entry, "text", at),
        guidance=reader.text(entry, "guidance", at),
    )


def _check_question_codes_unique(reader: _Reader, themes: Sequence[tuple[int, ThemeDefinition]]) -> None:
    seen: dict[str, str] = {}
    for theme_index, theme in themes:
        for question_index, question in enumerate(theme.questions):
            location = f"themes[{theme_index}].questions[{question_index}]"
            folded = question.code.casefold()
            if not folded:
                continue
            if folded in seen:
                reader.problem(
                    f"{location}.code",
                    f"Duplicate question code {_quoted(question.code)}: {seen[folded]} already uses it. "
                    "Each evaluation question must have its own code.",
                )
            else:
                seen[folded] = location


def _read_scale(reader: _Reader, value: Any, at: str) -> EvidenceScaleDefinition | None:
    entry = reader.entry(value, at, EVIDENCE_SCALE_FIELDS, "An evidence scale")
    if entry is None:
        return None
    levels = reader.items(entry, "levels", at, "The levels", lambda v, l_at: _read_level(reader, v, l_at))
    for position, (index, level) in enumerate(levels):
        if level.level and level.level != position + 1:
            reader.problem(
                f"{at}.levels[{index}].level",
                f"Levels must be numbered 1, 2, 3 and so on, in order: expected {position + 1} here, "
                f"found {level.level}.",
            )
    return EvidenceScaleDefinition(
        code=reader.code(entry, "code", at),
        name=reader.text(entry, "name", at, max_length=NAME_LENGTH),
        description=reader.text(entry, "description", at),
        source=reader.text(entry, "source", at),
        levels=tuple(level for _, level in levels),
    )


def _read_level(reader: _Reader, value: Any, at: str) -> EvidenceLevelDefinition | None:
    entry = reader.entry(value, at, EVIDENCE_LEVEL_FIELDS, "An evidence level")
    if entry is None:
        return None
    return EvidenceLevelDefinition(
        level=reader.whole_number(entry, "level", at, minimum=1, maximum=10) or 0,
        title=reader.text(entry, "title", at, max_length=NAME_LENGTH),
        description=reader.text(entry, "description", at),
        prompt=reader.text(entry, "prompt", at),
    )


def _read_indicator(reader: _Reader, value: Any, at: str) -> IndicatorDefinition | None:
    entry = reader.entry(value, at, INDICATOR_FIELDS, "An indicator")
    if entry is None:
        return None
    code = reader.code(entry, "code", at)
    subject = f"Indicator {code}" if code else "This indicator"
    unit = reader.choice(entry, "unit", at, IndicatorUnit, "unit")
    decimal_places = reader.whole_number(entry, "decimal_places", at, minimum=0, maximum=MAX_DECIMAL_PLACES)
    direction = reader.choice(entry, "direction", at, Direction, "direction")
    combine = reader.choice(entry, "combine", at, CombineRule, "rule for combining sites")
    frequency = reader.choice(entry, "frequency", at, CollectionFrequency, "collection frequency")
    plausible_min = reader.number(entry, "plausible_min", at)
    plausible_max = reader.number(entry, "plausible_max", at)
    weighted_by = reader.code(entry, "weighted_by", at) or None
    evidence_scale, evidence_level = _read_minimum_evidence(reader, entry, at)

    if unit is not None:
        _check_unit_rules(
            reader,
            at,
            subject,
            unit,
            decimal_places,
            combine,
            plausible_min,
            plausible_max,
            given=set(entry),
        )
    if plausible_min is not None and plausible_max is not None and plausible_min > plausible_max:
        reader.problem(
            f"{at}.plausible_min",
            f"{subject}: the plausible minimum ({_plain(plausible_min)}) is above the plausible maximum "
            f"({_plain(plausible_max)}). Swap them, or correct the one that is wrong.",
        )
    if combine is CombineRule.WEIGHTED_MEAN and weighted_by is None and "weighted_by" not in entry:
        reader.problem(
            f"{at}.weighted_by",
            f"{subject} is combined as a weighted mean: add `weighted_by:` with the code of the indicator "
            "whose figures give each site its weight (for example the number of clients engaged).",
        )
    if combine is not None and combine is not CombineRule.WEIGHTED_MEAN and weighted_by is not None:
        reader.problem(
            f"{at}.weighted_by",
            f"{subject} is not combined as a weighted mean, so it cannot have a weighting indicator: remove "
            "`weighted_by:` or set `combine: weighted_mean`.",
        )
    return IndicatorDefinition(
        code=code,
        name=reader.text(entry, "name", at, max_length=NAME_LENGTH),
        theme=reader.code(entry, "theme", at),
        definition=reader.text(entry, "definition", at),
        unit=unit or IndicatorUnit.COUNT,
        decimal_places=decimal_places or 0,
        direction=direction or Direction.NO_DIRECTION,
        combine=combine or CombineRule.NOT_COMBINABLE,
        weighted_by=weighted_by,
        frequency=frequency or CollectionFrequency.QUARTERLY,
        baseline_required=reader.yes_no(entry, "baseline_required", at),
        target_required=reader.yes_no(entry, "target_required", at),
        plausible_min=plausible_min,
        plausible_max=plausible_max,
        include=reader.text(entry, "include", at),
        exclude=reader.text(entry, "exclude", at),
        data_sources=reader.text_list(entry, "data_sources", at),
        minimum_evidence_scale=evidence_scale,
        minimum_evidence_level=evidence_level,
    )


def _check_unit_rules(
    reader: _Reader,
    at: str,
    subject: str,
    unit: IndicatorUnit,
    decimal_places: int | None,
    combine: CombineRule | None,
    plausible_min: Decimal | None,
    plausible_max: Decimal | None,
    *,
    given: set[str],
) -> None:
    """Rules that follow from the unit; `given` names the fields present (a bad value is reported once)."""
    if unit is IndicatorUnit.YES_NO:
        if "plausible_min" in given or "plausible_max" in given:
            location = f"{at}.plausible_min" if "plausible_min" in given else f"{at}.plausible_max"
            reader.problem(
                location,
                f"{subject} is a yes/no indicator: its answers are always yes or no, so remove "
                "`plausible_min:` and `plausible_max:`.",
            )
    else:
        for key, label, value in (
            ("plausible_min", "plausible minimum", plausible_min),
            ("plausible_max", "plausible maximum", plausible_max),
        ):
            if value is None and key not in given:
                reader.problem(
                    f"{at}.{key}",
                    f"{subject} has no {label}: add `{key}:` so that unlikely figures are questioned "
                    "before they are accepted.",
                )
    if unit in WHOLE_NUMBER_UNITS and decimal_places:
        reader.problem(
            f"{at}.decimal_places",
            f"{subject} is measured as {unit.label.lower()}, which is always a whole number: "
            "set `decimal_places: 0`.",
        )
    if unit is IndicatorUnit.MONEY_GBP and decimal_places is not None and decimal_places > 2:
        reader.problem(
            f"{at}.decimal_places", f"{subject} is an amount of money: use at most 2 decimal places."
        )
    if unit in UNITS_THAT_CANNOT_BE_SUMMED and combine is CombineRule.SUM:
        reader.problem(
            f"{at}.combine",
            f"{subject} is a {unit.label.lower()}: adding it up across sites gives a meaningless figure. "
            "Use mean, weighted_mean or not_combinable.",
        )
    if unit is IndicatorUnit.PERCENTAGE:
        for key, value in (("plausible_min", plausible_min), ("plausible_max", plausible_max)):
            if value is not None and not Decimal(0) <= value <= Decimal(100):
                reader.problem(f"{at}.{key}", f"{subject} is a percentage: this must be from 0 to 100.")
    elif unit in NON_NEGATIVE_UNITS and plausible_min is not None and plausible_min < 0:
        reader.problem(
            f"{at}.plausible_min", f"{subject} is measured in {unit.label.lower()}, which cannot be below 0."
        )
    if decimal_places is not None:
        for key, value in (("plausible_min", plausible_min), ("plausible_max", plausible_max)):
            if value is not None and _decimal_places(value) > decimal_places:
                reader.problem(
                    f"{at}.{key}",
                    f"{subject} is recorded to {decimal_places} decimal places, "
                    f"but {_plain(value)} has more.",
                )


def _read_minimum_evidence(reader: _Reader, entry: Mapping[str, Any], at: str) -> tuple[str, int]:
    value = entry.get("minimum_evidence")
    if value in (None, "", {}):
        return "", 0
    location = f"{at}.minimum_evidence"
    evidence = reader.entry(value, location, MINIMUM_EVIDENCE_FIELDS, "The minimum evidence strength")
    if evidence is None:
        return "", 0
    return (
        reader.code(evidence, "scale", location),
        reader.whole_number(evidence, "level", location, minimum=1, maximum=10) or 0,
    )


def _check_indicator_references(
    reader: _Reader,
    indicators: Sequence[tuple[int, IndicatorDefinition]],
    themes: Sequence[tuple[int, ThemeDefinition]],
    scales: Sequence[tuple[int, EvidenceScaleDefinition]],
) -> None:
    theme_codes = {theme.code for _, theme in themes if theme.code}
    scales_by_code = {scale.code: scale for _, scale in scales if scale.code}
    indicators_by_code = {indicator.code: indicator for _, indicator in indicators if indicator.code}
    for index, indicator in indicators:
        at = f"indicators[{index}]"
        subject = f"Indicator {indicator.code}" if indicator.code else "This indicator"
        if indicator.theme and indicator.theme not in theme_codes:
            reader.problem(
                f"{at}.theme",
                f"{subject} belongs to an unknown theme {_quoted(indicator.theme)}."
                f"{_suggestion(indicator.theme, theme_codes)} The themes in this file are: "
                f"{_list_words(sorted(theme_codes)) or 'none'}.",
            )
        if indicator.minimum_evidence_scale:
            scale = scales_by_code.get(indicator.minimum_evidence_scale)
            if scale is None:
                reader.problem(
                    f"{at}.minimum_evidence.scale",
                    f"{subject} refers to an unknown evidence scale "
                    f"{_quoted(indicator.minimum_evidence_scale)}. "
                    f"The scales in this file are: {_list_words(sorted(scales_by_code)) or 'none'}.",
                )
            elif indicator.minimum_evidence_level and indicator.minimum_evidence_level > len(scale.levels):
                reader.problem(
                    f"{at}.minimum_evidence.level",
                    f"{subject} asks for level {indicator.minimum_evidence_level} of {scale.name}, which has "
                    f"levels 1 to {len(scale.levels)}.",
                )
        if indicator.weighted_by and indicator.combine is CombineRule.WEIGHTED_MEAN:
            weight = indicators_by_code.get(indicator.weighted_by)
            if weight is None:
                reader.problem(
                    f"{at}.weighted_by",
                    f"{subject} is weighted by an unknown indicator {_quoted(indicator.weighted_by)}."
                    f"{_suggestion(indicator.weighted_by, indicators_by_code)}",
                )
            elif weight.code == indicator.code:
                reader.problem(f"{at}.weighted_by", f"{subject} cannot be weighted by itself.")
            elif weight.unit is not IndicatorUnit.COUNT:
                reader.problem(
                    f"{at}.weighted_by",
                    f"{subject} is weighted by {weight.code}, which is not a count: weights must be counts "
                    "(for example the number of clients engaged).",
                )


def _read_cost_category(reader: _Reader, value: Any, at: str) -> CostCategoryDefinition | None:
    entry = reader.entry(value, at, COST_CATEGORY_FIELDS, "A cost category")
    if entry is None:
        return None
    return CostCategoryDefinition(
        code=reader.code(entry, "code", at),
        name=reader.text(entry, "name", at, max_length=NAME_LENGTH),
        description=reader.text(entry, "description", at),
        include=reader.text(entry, "include", at),
        exclude=reader.text(entry, "exclude", at),
        examples=reader.text_list(entry, "examples", at),
        in_kind=reader.yes_no(entry, "in_kind", at, default=False),
    )


def _read_named(reader: _Reader, value: Any, at: str, kind: str) -> ActivityTypeDefinition | None:
    fields = ACTIVITY_TYPE_FIELDS if kind == "activity" else LEARNING_DIMENSION_FIELDS
    subject = "An activity type" if kind == "activity" else "A learning dimension"
    entry = reader.entry(value, at, fields, subject)
    if entry is None:
        return None
    return ActivityTypeDefinition(
        code=reader.code(entry, "code", at),
        name=reader.text(entry, "name", at, max_length=NAME_LENGTH),
        description=reader.text(entry, "description", at),
    )


def _read_learning_type(reader: _Reader, value: Any, at: str) -> LearningTypeDefinition | None:
    entry = reader.entry(value, at, LEARNING_TYPE_FIELDS, "A learning type")
    if entry is None:
        return None
    learning_type = reader.choice(entry, "code", at, LearningType, "learning type")
    description = reader.text(entry, "description", at)
    examples = reader.text_list(entry, "examples", at)
    if learning_type is None:
        return None
    return LearningTypeDefinition(code=learning_type, description=description, examples=examples)


def _check_learning_types(
    reader: _Reader, learning_types: Sequence[tuple[int, LearningTypeDefinition]], top: Mapping[str, Any]
) -> None:
    _check_unique(reader, learning_types, "learning_types", "learning type")
    if top.get("learning_types") in (None, "", []) or not isinstance(top.get("learning_types"), list):
        return
    described = {item.code for _, item in learning_types}
    missing = [member.value for member in LearningType if member not in described]
    if missing and len(learning_types) == len(top["learning_types"]):
        reader.problem(
            "learning_types",
            "Describe every kind of learning, so sites know which to choose. Missing: "
            f"{_list_words(missing)}.",
        )


def _read_partner_role(reader: _Reader, value: Any, at: str) -> PartnerRoleDefinition | None:
    entry = reader.entry(value, at, PARTNER_ROLE_FIELDS, "A partner role")
    if entry is None:
        return None
    partner_type = reader.choice(entry, "partner_type", at, PartnerType, "partner type")
    role = reader.text(entry, "role", at)
    if partner_type is None:
        return None
    return PartnerRoleDefinition(partner_type=partner_type, role=role)


def _read_milestone(reader: _Reader, value: Any, at: str) -> MilestoneDefinition | None:
    entry = reader.entry(value, at, MILESTONE_FIELDS, "A milestone")
    if entry is None:
        return None
    return MilestoneDefinition(
        code=reader.code(entry, "code", at),
        percentage=_milestone_percentage(reader, entry, at),
        title=reader.text(entry, "title", at, max_length=NAME_LENGTH),
        definition=reader.text(entry, "definition", at),
        evidence=reader.text(entry, "evidence", at),
    )


def _milestone_percentage(reader: _Reader, entry: Mapping[str, Any], at: str) -> int:
    value = entry.get("percentage")
    if value is None:
        return -1
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        reader.problem(
            f"{at}.percentage",
            f"A milestone's percentage must be a whole number from 0 to 100, not {_quoted(value)}.",
        )
        return -1
    return value


def _check_journey(reader: _Reader, journey: Sequence[tuple[int, MilestoneDefinition]]) -> None:
    known = [(index, milestone) for index, milestone in journey if milestone.percentage >= 0]
    for (_, earlier), (index, later) in itertools.pairwise(known):
        if later.percentage <= earlier.percentage:
            reader.problem(
                f"journey[{index}].percentage",
                f"Milestone percentages must increase along the journey: {later.percentage} comes after "
                f"{earlier.percentage}. List the milestones from 0 towards 100.",
            )
    if known and len(known) == len(journey) and known[-1][1].percentage != 100:
        index, last = known[-1]
        reader.problem(
            f"journey[{index}].percentage",
            f"The journey must end at 100 (data sharing fully in place), but the last milestone is at "
            f"{last.percentage}.",
        )


# ---------------------------------------------------------------------------------------------------------
# Differences between two versions.


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ItemReference:
    code: str
    name: str


@dataclass(frozen=True)
class ItemChanges:
    code: str
    name: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class SectionDifference:
    title: str
    added: tuple[ItemReference, ...] = ()
    removed: tuple[ItemReference, ...] = ()
    changed: tuple[ItemChanges, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class FrameworkDifference:
    """What a version adds, removes and changes compared with an earlier one (None: the first version)."""

    previous_version: int | None
    framework_changes: tuple[FieldChange, ...] = ()
    sections: tuple[SectionDifference, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.framework_changes and all(section.is_empty for section in self.sections)

    @property
    def changed_sections(self) -> tuple[SectionDifference, ...]:
        return tuple(section for section in self.sections if not section.is_empty)

    def summary(self) -> dict[str, int]:
        return {
            "added": sum(len(section.added) for section in self.sections),
            "removed": sum(len(section.removed) for section in self.sections),
            "changed": sum(len(section.changed) for section in self.sections)
            + (1 if self.framework_changes else 0),
        }

    def as_record(self) -> dict[str, Any]:
        """A compact, JSON-ready account of the difference, for the audit log."""
        return {
            "compared_with_version": self.previous_version,
            "framework_fields_changed": [change.label for change in self.framework_changes],
            "sections": {
                section.title: {
                    "added": [item.code for item in section.added],
                    "removed": [item.code for item in section.removed],
                    "changed": [item.code for item in section.changed],
                }
                for section in self.changed_sections
            },
        }


def plain_number(value: Decimal | None) -> str:
    """A number as a person writes it: 100 not 100.0000, 2.5 not 2.5000."""
    return "" if value is None else _plain(value)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def readable_date(value: date) -> str:
    return f"{value.day} {value.strftime('%B %Y')}"


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


# Each section: its title, how to list its items, and each item's (code, name, {field label: value}).
_Comparable = tuple[str, str, dict[str, str]]


def _comparable_sections(definition: FrameworkDefinition) -> list[tuple[str, list[_Comparable]]]:
    return [
        (
            "Themes",
            [(t.code, t.title, {"Title": t.title, "Description": t.description}) for t in definition.themes],
        ),
        (
            "Evaluation questions",
            [
                (q.code, q.text, {"Theme": theme.code, "Question": q.text, "Guidance": q.guidance})
                for theme in definition.themes
                for q in theme.questions
            ],
        ),
        ("Indicators", [(i.code, i.name, _indicator_fields(i)) for i in definition.indicators]),
        (
            "Cost categories",
            [
                (
                    c.code,
                    c.name,
                    {
                        "Name": c.name,
                        "Description": c.description,
                        "What to include": c.include,
                        "What to exclude": c.exclude,
                        "Examples": "; ".join(c.examples),
                        "Met in kind": _yes_no(c.in_kind),
                    },
                )
                for c in definition.cost_categories
            ],
        ),
        (
            "Activity types",
            [
                (a.code, a.name, {"Name": a.name, "Description": a.description})
                for a in definition.activity_types
            ],
        ),
        (
            "Learning types",
            [
                (
                    t.code.value,
                    t.code.label,
                    {"Description": t.description, "Examples": "; ".join(t.examples)},
                )
                for t in definition.learning_types
            ],
        ),
        (
            "Learning dimensions",
            [
                (d.code, d.name, {"Name": d.name, "Description": d.description})
                for d in definition.learning_dimensions
            ],
        ),
        (
            "Partner roles",
            [
                (r.partner_type.value, r.partner_type.label, {"Role": r.role})
                for r in definition.partner_roles
            ],
        ),
        (
            "Data-sharing journey",
            [
                (
                    m.code,
                    m.title,
                    {
                        "Percentage": str(m.percentage),
                        "Title": m.title,
                        "Definition": m.definition,
                        "Evidence": m.evidence,
                    },
                )
                for m in definition.journey
            ],
        ),
        (
            "Evidence scales",
            [
                (s.code, s.name, {"Name": s.name, "Description": s.description, "Source": s.source})
                for s in definition.evidence_scales
            ],
        ),
        (
            "Evidence levels",
            [
                (
                    f"{s.code} {level.level}",
                    f"{s.name}, level {level.level}",
                    {"Title": level.title, "Description": level.description, "Prompt": level.prompt},
                )
                for s in definition.evidence_scales
                for level in s.levels
            ],
        ),
    ]


def _indicator_fields(indicator: IndicatorDefinition) -> dict[str, str]:
    return {
        "Name": indicator.name,
        "Theme": indicator.theme,
        "Definition": indicator.definition,
        "Unit": indicator.unit.label,
        "Decimal places": str(indicator.decimal_places),
        "Direction": indicator.direction.label,
        "Combining sites": indicator.combine.label,
        "Weighted by": indicator.weighted_by or "",
        "Frequency": indicator.frequency.label,
        "Baseline required": _yes_no(indicator.baseline_required),
        "Target required": _yes_no(indicator.target_required),
        "Plausible minimum": plain_number(indicator.plausible_min),
        "Plausible maximum": plain_number(indicator.plausible_max),
        "What to include": indicator.include,
        "What to exclude": indicator.exclude,
        "Data sources": "; ".join(indicator.data_sources),
        "Minimum evidence": f"{indicator.minimum_evidence_scale} level {indicator.minimum_evidence_level}",
    }


def compare_definitions(
    previous: FrameworkDefinition | None, current: FrameworkDefinition
) -> FrameworkDifference:
    """What `current` adds, removes and changes compared with `previous` (everything is new if None)."""
    if previous is None:
        sections = tuple(
            SectionDifference(title, added=tuple(ItemReference(code, name) for code, name, _ in items))
            for title, items in _comparable_sections(current)
        )
        return FrameworkDifference(previous_version=None, sections=sections)

    framework_changes = tuple(
        FieldChange(label, before, after)
        for label, before, after in (
            ("Name", previous.name, current.name),
            ("Description", previous.description, current.description),
            (
                "Takes effect from",
                readable_date(previous.effective_from),
                readable_date(current.effective_from),
            ),
        )
        if before != after
    )
    before_sections = dict(_comparable_sections(previous))
    differences: list[SectionDifference] = []
    for title, items in _comparable_sections(current):
        old = {code: (name, fields) for code, name, fields in before_sections.get(title, [])}
        new = {code: (name, fields) for code, name, fields in items}
        added = tuple(ItemReference(code, new[code][0]) for code in new if code not in old)
        removed = tuple(ItemReference(code, old[code][0]) for code in old if code not in new)
        changed: list[ItemChanges] = []
        for code, (name, fields) in new.items():
            if code not in old:
                continue
            old_fields = old[code][1]
            field_changes = tuple(
                FieldChange(label, old_fields.get(label, ""), value)
                for label, value in fields.items()
                if old_fields.get(label, "") != value
            )
            if field_changes:
                changed.append(ItemChanges(code, name, field_changes))
        differences.append(SectionDifference(title, added, removed, tuple(changed)))
    return FrameworkDifference(
        previous_version=previous.version, framework_changes=framework_changes, sections=tuple(differences)
    )


# ---------------------------------------------------------------------------------------------------------
# The published schema and the framework files shipped with the service.


def schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


def shipped_framework_files() -> list[Path]:
    """The framework files that come with the service, default first."""
    others = sorted(path for path in FRAMEWORKS_FOLDER.glob("*.yaml") if path != DEFAULT_FRAMEWORK_PATH)
    return [DEFAULT_FRAMEWORK_PATH, *others]
