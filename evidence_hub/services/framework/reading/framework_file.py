"""A whole framework file: its bytes as text, its text as YAML data, and that data as a definition
(or every problem with it, in the order they appear in the file)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from evidence_hub.models.periods import ReportingYear
from evidence_hub.services.appraisal.settings import section_problems
from evidence_hub.services.framework.definitions import FrameworkDefinition
from evidence_hub.services.framework.errors import FrameworkFileInvalid, Problem
from evidence_hub.services.framework.file_format import (
    FORMAT_VERSION,
    FRAMEWORK_CODE,
    FRAMEWORK_CODE_LENGTH,
    MAX_FILE_BYTES,
    NAME_LENGTH,
    RESERVED_FRAMEWORK_CODES,
    TOP_LEVEL_FIELDS,
)
from evidence_hub.services.framework.reading.entries import EntryReader, quoted
from evidence_hub.services.framework.reading.impact_section import read_impact
from evidence_hub.services.framework.reading.sections import (
    read_activity_types,
    read_cost_categories,
    read_evidence_scales,
    read_indicators,
    read_journey,
    read_learning_dimensions,
    read_learning_types,
    read_partner_roles,
    read_themes,
)

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
    reader = EntryReader()
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
    """The definition in a framework file on disk; raises FrameworkFileInvalid listing every problem."""
    content, problems = decode_file(path.read_bytes())
    if problems:
        raise FrameworkFileInvalid(problems)
    return read_framework_text(content)


def _read_framework(reader: EntryReader, data: Any) -> FrameworkDefinition | None:
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
    reporting_year = reader.choice(top, "reporting_year", "", ReportingYear, "reporting year")
    # Evidence scales and themes first: indicators refer to them.
    evidence_scales = read_evidence_scales(reader, top)
    themes = read_themes(reader, top)
    indicators = read_indicators(reader, top, themes, evidence_scales)
    cost_categories = read_cost_categories(reader, top)
    activity_types = read_activity_types(reader, top)
    learning_types = read_learning_types(reader, top)
    learning_dimensions = read_learning_dimensions(reader, top)
    partner_roles = read_partner_roles(reader, top)
    journey = read_journey(reader, top)
    if top.get("appraisal") is not None:
        for message in section_problems(
            top["appraisal"],
            {indicator.code for indicator in indicators},
            {activity_type.code for activity_type in activity_types},
        ):
            reader.problem("appraisal", message)
    # Checked here so a file with a wrong impact section is refused; read back by impact_settings.py.
    read_impact(reader, top, indicators, evidence_scales)

    if reader.problems or code is None or version is None or effective_from is None:
        return None
    return FrameworkDefinition(
        code=code,
        name=name,
        version=version,
        effective_from=effective_from,
        description=description,
        themes=themes,
        indicators=indicators,
        cost_categories=cost_categories,
        activity_types=activity_types,
        learning_types=learning_types,
        learning_dimensions=learning_dimensions,
        partner_roles=partner_roles,
        journey=journey,
        evidence_scales=evidence_scales,
        reporting_year=reporting_year or ReportingYear.CALENDAR,
    )


def _read_framework_code(reader: EntryReader, top: Mapping[str, Any]) -> str | None:
    value = top.get("code")
    if value is None or value == "":
        return None
    code = str(value).strip()
    if isinstance(value, bool) or not FRAMEWORK_CODE.match(code) or len(code) > FRAMEWORK_CODE_LENGTH:
        reader.problem(
            "code",
            f"The framework code {quoted(value)} is not allowed: use lower-case letters and digits "
            f"joined by hyphens, up to {FRAMEWORK_CODE_LENGTH} characters "
            "(for example worklessness-data-sharing).",
        )
        return None
    if code in RESERVED_FRAMEWORK_CODES:
        reader.problem(
            "code", f"The framework code {quoted(code)} is used by the service itself: choose another."
        )
        return None
    return code
