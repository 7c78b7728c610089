"""Reading framework files: every problem found at once with its location, the published schema, and
the differences between versions. Nothing here needs a database."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from evidence_hub.models import (
    CollectionFrequency,
    CombineRule,
    Direction,
    IndicatorUnit,
    LearningType,
    PartnerType,
)
from evidence_hub.services.common.spreadsheet_safety import (
    append_row,
    csv_safe,
    looks_like_formula,
    write_cell,
)
from evidence_hub.services.framework import file_format, shipped_files
from evidence_hub.services.framework.differences import compare_definitions
from evidence_hub.services.framework.errors import FrameworkFileInvalid, Problem
from evidence_hub.services.framework.reading.framework_file import (
    check_framework_text,
    decode_file,
    read_framework_file,
    read_framework_text,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks"
MINIMAL = FIXTURES / "minimal.yaml"
TEN_MISTAKES = FIXTURES / "ten_mistakes.yaml"


def minimal_data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MINIMAL.read_text())
    return loaded


def problems_in(data: Any) -> list[Problem]:
    definition, problems = check_framework_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    assert definition is None or not problems
    return problems


def only_problem(data: Any) -> Problem:
    problems = problems_in(data)
    assert len(problems) == 1, [str(problem) for problem in problems]
    return problems[0]


# The shipped frameworks and the fixtures ------------------------------------------------------------------


@pytest.mark.parametrize("path", shipped_files.shipped_framework_files(), ids=lambda path: path.name)
def test_every_shipped_framework_file_is_valid(path: Path) -> None:
    definition = read_framework_file(path)
    assert definition.version == 1
    assert definition.indicators


def test_the_default_framework_gives_guidance_for_every_indicator_and_cost_category() -> None:
    definition = read_framework_file(shipped_files.DEFAULT_FRAMEWORK_PATH)
    assert definition.name == "Data sharing for delivery: worklessness pilots"
    assert len(definition.indicators) >= 8
    for indicator in definition.indicators:
        assert len(indicator.definition) > 40, indicator.code
        assert len(indicator.include) > 40 and len(indicator.exclude) > 30, indicator.code
        assert indicator.data_sources, indicator.code
        assert indicator.unit is IndicatorUnit.YES_NO or indicator.plausible_max is not None, indicator.code
    for category in definition.cost_categories:
        assert len(category.include) > 40 and len(category.exclude) > 40, category.code
    in_kind = [category for category in definition.cost_categories if category.in_kind]
    assert [category.code for category in in_kind] == ["PARTNER-TIME"]


def test_the_default_framework_answers_how_to_separate_pilot_costs_from_other_costs() -> None:
    definition = read_framework_file(shipped_files.DEFAULT_FRAMEWORK_PATH)
    exclusions = " ".join(category.exclude for category in definition.cost_categories)
    assert "running in parallel that the pilot did not cause" in exclusions
    assert "would have taken place anyway" in exclusions
    assert {theme.code for theme in definition.themes} == {"VFM", "DATA", "CONTEXT", "SYSTEMS", "NEXT"}
    percentages = [milestone.percentage for milestone in definition.journey]
    assert (percentages[0], percentages[-1]) == (0, 100)
    assert {scale.code for scale in definition.evidence_scales} == {"maryland", "nesta"}
    assert all(len(scale.levels) == 5 for scale in definition.evidence_scales)


def test_a_valid_file_reads_into_plain_definitions() -> None:
    definition = read_framework_file(MINIMAL)
    assert (definition.code, definition.name, definition.version) == ("test-programme", "Test programme", 1)
    assert definition.effective_from.isoformat() == "2010-04-01"
    rate = definition.indicators[1]
    assert rate.unit is IndicatorUnit.PERCENTAGE
    assert rate.combine is CombineRule.WEIGHTED_MEAN
    assert rate.weighted_by == "T-CLIENTS"
    assert rate.plausible_max == Decimal(60)
    assert (rate.minimum_evidence_scale, rate.minimum_evidence_level) == ("nesta", 1)
    assert definition.cost_categories[1].in_kind is True
    assert definition.cost_categories[0].in_kind is False
    assert definition.describe_contents().startswith("1 theme, 1 evaluation question, 2 indicators")


def test_a_file_with_ten_different_mistakes_reports_all_ten_with_their_locations() -> None:
    with pytest.raises(FrameworkFileInvalid) as raised:
        read_framework_file(TEN_MISTAKES)
    assert [problem.location for problem in raised.value.problems] == [
        "effective_from",
        "themes[0].questions[0].guidence",
        "indicators[0].theme",
        "indicators[1].code",
        "indicators[1].minimum_evidence.level",
        "indicators[2].unit",
        "indicators[3].plausible_min",
        "cost_categories[0].exclude",
        "learning_types[0].code",
        "journey[2].percentage",
    ]
    messages = [problem.message for problem in raised.value.problems]
    assert "YYYY-MM-DD" in messages[0]
    assert "Did you mean “guidance”?" in messages[1]
    assert "unknown theme “VFM”" in messages[2]
    assert "Duplicate indicator code “T-CLIENTS”" in messages[3]
    assert "level 7" in messages[4]
    assert "Unknown unit “minutes”" in messages[5]
    assert "plausible minimum (50) is above the plausible maximum (5)" in messages[6]
    assert "Cost category STAFF has no guidance on what to exclude" in messages[7]
    assert "Unknown learning type “obstacle”" in messages[8]
    assert "must increase along the journey: 40 comes after 60" in messages[9]


# One mistake at a time ------------------------------------------------------------------------------------


def _indicator(data: dict[str, Any], index: int = 0) -> dict[str, Any]:
    indicator: dict[str, Any] = data["indicators"][index]
    return indicator


MISTAKES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "percentage above 100",
        lambda d: _indicator(d, 1).update(plausible_max=120),
        "indicators[1].plausible_max",
        "percentage: this must be from 0 to 100",
    ),
    (
        "percentages added up across sites",
        lambda d: (_indicator(d, 1).update(combine="sum"), _indicator(d, 1).pop("weighted_by")),
        "indicators[1].combine",
        "adding it up across sites gives a meaningless figure",
    ),
    (
        "weighted mean with no weight",
        lambda d: _indicator(d, 1).pop("weighted_by"),
        "indicators[1].weighted_by",
        "add `weighted_by:`",
    ),
    (
        "weight that is not an indicator",
        lambda d: _indicator(d, 1).update(weighted_by="T-CLIENT"),
        "indicators[1].weighted_by",
        "Did you mean “T-CLIENTS”?",
    ),
    (
        "weight that is not a count",
        lambda d: (_indicator(d, 0).update(unit="hours"), _indicator(d, 1)),
        "indicators[1].weighted_by",
        "which is not a count",
    ),
    (
        "weight given to an indicator that is summed",
        lambda d: _indicator(d, 0).update(weighted_by="T-RATE"),
        "indicators[0].weighted_by",
        "not combined as a weighted mean",
    ),
    (
        "yes/no indicator with a range",
        lambda d: (
            _indicator(d, 1).update(unit="yes_no", decimal_places=0, combine="mean"),
            _indicator(d, 1).pop("weighted_by"),
        ),
        "indicators[1].plausible_min",
        "remove `plausible_min:` and `plausible_max:`",
    ),
    (
        "count with decimal places",
        lambda d: _indicator(d, 0).update(decimal_places=2),
        "indicators[0].decimal_places",
        "always a whole number",
    ),
    (
        "money with three decimal places",
        lambda d: _indicator(d, 1).update(unit="money_gbp", decimal_places=3),
        "indicators[1].decimal_places",
        "at most 2 decimal places",
    ),
    (
        "range more precise than the indicator",
        lambda d: _indicator(d, 1).update(plausible_max=59.95),
        "indicators[1].plausible_max",
        "recorded to 1 decimal places, but 59.95 has more",
    ),
    (
        "missing plausible maximum",
        lambda d: _indicator(d, 0).pop("plausible_max"),
        "indicators[0].plausible_max",
        "has no plausible maximum",
    ),
    (
        "negative count",
        lambda d: _indicator(d, 0).update(plausible_min=-1),
        "indicators[0].plausible_min",
        "cannot be below 0",
    ),
    (
        "a number that is not a number",
        lambda d: _indicator(d, 0).update(plausible_max="lots"),
        "indicators[0].plausible_max",
        "is not a number",
    ),
    (
        "missing include guidance",
        lambda d: _indicator(d, 0).update(include=""),
        "indicators[0].include",
        "Indicator T-CLIENTS has no guidance on what to include",
    ),
    (
        "data sources written as one line",
        lambda d: _indicator(d, 0).update(data_sources="A spreadsheet"),
        "indicators[0].data_sources",
        "must be a list",
    ),
    (
        "unknown direction",
        lambda d: _indicator(d, 0).update(direction="up"),
        "indicators[0].direction",
        "Unknown direction “up”",
    ),
    (
        "unknown evidence scale",
        lambda d: _indicator(d, 0).update(minimum_evidence={"scale": "maryland", "level": 2}),
        "indicators[0].minimum_evidence.scale",
        "unknown evidence scale “maryland”",
    ),
    (
        "yes written in quotes",
        lambda d: _indicator(d, 0).update(baseline_required="yes"),
        "indicators[0].baseline_required",
        "true or false (without quotes)",
    ),
    (
        "code that YAML reads as no",
        lambda d: d["cost_categories"][0].update(code=False),
        "cost_categories[0].code",
        "put it in quotes",
    ),
    (
        "code with a space",
        lambda d: d["cost_categories"][0].update(code="STAFF TIME"),
        "cost_categories[0].code",
        "is not allowed",
    ),
    (
        "codes that differ only in case",
        lambda d: d["cost_categories"][1].update(code="staff"),
        "cost_categories[1].code",
        "Duplicate cost category code “staff”",
    ),
    (
        "question code used by two themes",
        lambda d: d["themes"].append(
            {
                "code": "OTHER",
                "title": "Other",
                "description": "More.",
                "questions": [{"code": "VALUE.1", "text": "?"}],
            }
        ),
        "themes[1].questions[0].code",
        "Duplicate question code “VALUE.1”",
    ),
    (
        "theme without questions",
        lambda d: d["themes"][0].update(questions=[]),
        "themes[0].questions",
        "has no evaluation questions",
    ),
    (
        "a kind of learning left out",
        lambda d: d["learning_types"].pop(),
        "learning_types",
        "Missing: recommendation",
    ),
    (
        "unknown partner type",
        lambda d: d.update(partner_roles=[{"partner_type": "charity", "role": "Refers clients."}]),
        "partner_roles[0].partner_type",
        "Unknown partner type “charity”",
    ),
    (
        "journey that stops short of 100",
        lambda d: d["journey"][1].update(percentage=90),
        "journey[1].percentage",
        "must end at 100",
    ),
    (
        "milestone above 100",
        lambda d: d["journey"][1].update(percentage=150),
        "journey[1].percentage",
        "from 0 to 100",
    ),
    (
        "evidence levels out of order",
        lambda d: d["evidence_scales"][0]["levels"][1].update(level=3),
        "evidence_scales[0].levels[1].level",
        "expected 2 here, found 3",
    ),
    (
        "version with a decimal point",
        lambda d: d.update(version=1.5),
        "version",
        "whole number",
    ),
    (
        "framework code in capitals",
        lambda d: d.update(code="Test Programme"),
        "code",
        "lower-case letters and digits",
    ),
    (
        "framework code the service uses itself",
        lambda d: d.update(code="upload"),
        "code",
        "used by the service itself",
    ),
    (
        "later file format",
        lambda d: d.update(format_version=2),
        "format_version",
        "reads format version 1 files, not 2",
    ),
    (
        "list where an entry belongs",
        lambda d: d["cost_categories"].__setitem__(0, ["STAFF"]),
        "cost_categories[0]",
        "must be a set of `key: value` lines",
    ),
    (
        "section that is not a list",
        lambda d: d.update(activity_types={"code": "X"}),
        "activity_types",
        "must be a list",
    ),
    (
        "unknown top-level field",
        lambda d: d.update(indicator=[]),
        "indicator",
        "Did you mean “indicators”?",
    ),
]


@pytest.mark.parametrize(("mistake", "change", "location", "message"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_reported_where_it_is(
    mistake: str, change: Callable[[dict[str, Any]], None], location: str, message: str
) -> None:
    data = minimal_data()
    change(data)
    problem = only_problem(data)
    assert problem.location == location
    assert message in problem.message


def test_a_date_with_a_time_is_refused() -> None:
    text = MINIMAL.read_text().replace("effective_from: 2010-04-01", "effective_from: 2010-04-01 09:00:00")
    _, problems = check_framework_text(text)
    assert [(problem.location, "without a time" in problem.message) for problem in problems] == [
        ("effective_from", True)
    ]


def test_a_yaml_syntax_error_is_reported_with_its_line_and_column() -> None:
    _, problems = check_framework_text("code: test\nname: [unclosed\nversion: 1\n")
    assert len(problems) == 1
    assert re.fullmatch(r"line \d+, column \d+", problems[0].location)
    assert "not valid YAML" in problems[0].message


def test_yaml_tags_never_build_python_objects() -> None:
    _, problems = check_framework_text("code: !!python/object/apply:os.system ['echo unsafe']\n")
    assert len(problems) == 1
    assert "not valid YAML" in problems[0].message


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "The file is empty"), ("- just\n- a list\n", "must be a set of `key: value` lines, not a list")],
)
def test_a_file_that_is_not_a_framework_says_so(text: str, message: str) -> None:
    _, problems = check_framework_text(text)
    assert [problem.location for problem in problems] == ["file"]
    assert message in problems[0].message


def test_an_empty_mapping_lists_every_required_field() -> None:
    problems = problems_in({})
    required = [key for key, (_, is_required) in file_format.TOP_LEVEL_FIELDS.items() if is_required]
    assert [problem.location for problem in problems] == required


def test_files_that_are_not_utf8_text_or_too_large_are_refused_before_reading() -> None:
    assert decode_file(b"code: \xff\xfe")[1][0].message.startswith("The file is not text saved as UTF-8")
    assert "larger than 1 MB" in decode_file(b"#" * (file_format.MAX_FILE_BYTES + 1))[1][0].message
    assert decode_file("name: café".encode("utf-8-sig")) == ("name: café", [])


def test_reading_raises_with_every_problem() -> None:
    with pytest.raises(FrameworkFileInvalid, match="2 problems") as raised:
        read_framework_text(yaml.safe_dump({**minimal_data(), "version": 0, "code": "X Y"}))
    assert {problem.location for problem in raised.value.problems} == {"version", "code"}


# The published schema -------------------------------------------------------------------------------------


def test_the_schema_is_json_and_its_enumerations_match_the_service() -> None:
    schema = shipped_files.schema()
    indicator = schema["$defs"]["indicator"]["properties"]
    assert indicator["unit"]["enum"] == [member.value for member in IndicatorUnit]
    assert indicator["direction"]["enum"] == [member.value for member in Direction]
    assert indicator["combine"]["enum"] == [member.value for member in CombineRule]
    assert indicator["frequency"]["enum"] == [member.value for member in CollectionFrequency]
    assert schema["$defs"]["learning_type"]["properties"]["code"]["enum"] == [
        member.value for member in LearningType
    ]
    assert schema["$defs"]["partner_role"]["properties"]["partner_type"]["enum"] == [
        member.value for member in PartnerType
    ]


SCHEMA_FIELDS = [
    ("", file_format.TOP_LEVEL_FIELDS),
    ("theme", file_format.THEME_FIELDS),
    ("question", file_format.QUESTION_FIELDS),
    ("indicator", file_format.INDICATOR_FIELDS),
    ("cost_category", file_format.COST_CATEGORY_FIELDS),
    ("named_entry", file_format.ACTIVITY_TYPE_FIELDS),
    ("named_entry", file_format.LEARNING_DIMENSION_FIELDS),
    ("learning_type", file_format.LEARNING_TYPE_FIELDS),
    ("partner_role", file_format.PARTNER_ROLE_FIELDS),
    ("milestone", file_format.MILESTONE_FIELDS),
    ("evidence_scale", file_format.EVIDENCE_SCALE_FIELDS),
    ("evidence_level", file_format.EVIDENCE_LEVEL_FIELDS),
]


@pytest.mark.parametrize(
    ("definition", "fields"), SCHEMA_FIELDS, ids=[name or "file" for name, _ in SCHEMA_FIELDS]
)
def test_the_schema_names_exactly_the_fields_the_reader_accepts(
    definition: str, fields: dict[str, tuple[str, bool]]
) -> None:
    schema = shipped_files.schema()
    part = schema["$defs"][definition] if definition else schema
    assert list(part["properties"]) == list(fields)
    assert set(part["required"]) == {key for key, (_, required) in fields.items() if required} - (
        {"plausible_min", "plausible_max"} if definition == "indicator" else set()
    )
    assert part["additionalProperties"] is False


def _schema_errors(value: Any, rule: dict[str, Any], root: dict[str, Any], at: str = "") -> list[str]:
    """A small validator for the JSON Schema keywords the framework schema uses (it has no dependencies)."""
    if "$ref" in rule:
        target = root
        for part in rule["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _schema_errors(value, {**target, **{k: v for k, v in rule.items() if k != "$ref"}}, root, at)
    errors: list[str] = []
    kind = rule.get("type")
    types = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
    }
    if kind == "string" and rule.get("format") == "date" and hasattr(value, "isoformat"):
        value = value.isoformat()  # YAML reads an unquoted date as a date; JSON would carry it as text.
    if kind and (
        not isinstance(value, types[kind]) or (kind in ("integer", "number") and isinstance(value, bool))
    ):
        return [f"{at}: expected {kind}"]
    if "enum" in rule and value not in rule["enum"]:
        errors.append(f"{at}: not one of the allowed values")
    if "const" in rule and value != rule["const"]:
        errors.append(f"{at}: must be {rule['const']}")
    if isinstance(value, str):
        if "pattern" in rule and not re.search(rule["pattern"], value):
            errors.append(f"{at}: does not match the pattern")
        if len(value) < rule.get("minLength", 0) or len(value) > rule.get("maxLength", len(value)):
            errors.append(f"{at}: wrong length")
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and not rule.get("minimum", value) <= value <= rule.get("maximum", value):
        errors.append(f"{at}: out of range")
    if isinstance(value, list):
        if len(value) < rule.get("minItems", 0):
            errors.append(f"{at}: too few items")
        for index, item in enumerate(value):
            errors += _schema_errors(item, rule.get("items", {}), root, f"{at}[{index}]")
    if isinstance(value, dict):
        errors += [f"{at}.{key}: missing" for key in rule.get("required", []) if key not in value]
        properties = rule.get("properties", {})
        for key, item in value.items():
            if key not in properties:
                if rule.get("additionalProperties") is False:
                    errors.append(f"{at}.{key}: not allowed")
                continue
            errors += _schema_errors(item, properties[key], root, f"{at}.{key}" if at else key)
    return errors


@pytest.mark.parametrize(
    "path", [*shipped_files.shipped_framework_files(), MINIMAL], ids=lambda path: path.name
)
def test_every_valid_file_follows_the_published_schema(path: Path) -> None:
    schema = shipped_files.schema()
    assert _schema_errors(yaml.safe_load(path.read_text()), schema, schema) == []


def test_the_schema_rejects_what_the_reader_rejects() -> None:
    schema = shipped_files.schema()
    data = minimal_data()
    data["indicators"][0]["unit"] = "minutes"
    data["cost_categories"][0]["inlcude"] = "x"
    errors = _schema_errors(data, schema, schema)
    assert "indicators[0].unit: not one of the allowed values" in errors
    assert "cost_categories[0].inlcude: not allowed" in errors


# Differences between versions -----------------------------------------------------------------------------


def test_the_first_version_is_all_additions() -> None:
    difference = compare_definitions(None, read_framework_file(MINIMAL))
    assert difference.previous_version is None
    indicators = next(section for section in difference.sections if section.title == "Indicators")
    assert [item.code for item in indicators.added] == ["T-CLIENTS", "T-RATE"]
    assert difference.summary()["removed"] == 0


def test_differences_list_what_was_added_removed_and_changed() -> None:
    before = read_framework_file(MINIMAL)
    data = minimal_data()
    data["version"] = 2
    data["description"] = "A changed description."
    data["indicators"][0]["plausible_max"] = 1500
    data["indicators"][0]["exclude"] = "People only contacted, and people engaged in an earlier quarter."
    data["cost_categories"].pop(1)
    data["activity_types"] = [{"code": "OUTREACH", "name": "Outreach", "description": "Contacting clients."}]
    after = read_framework_text(yaml.safe_dump(data, sort_keys=False))

    difference = compare_definitions(before, after)

    assert difference.previous_version == 1
    assert [change.label for change in difference.framework_changes] == ["Description"]
    sections = {section.title: section for section in difference.changed_sections}
    assert set(sections) == {"Indicators", "Cost categories", "Activity types"}
    (changed,) = sections["Indicators"].changed
    assert changed.code == "T-CLIENTS"
    assert [(field.label, field.before, field.after) for field in changed.fields] == [
        ("Plausible maximum", "1000", "1500"),
        ("What to exclude", "People who were only contacted.", data["indicators"][0]["exclude"]),
    ]
    assert [item.code for item in sections["Cost categories"].removed] == ["PARTNER-TIME"]
    assert [item.code for item in sections["Activity types"].added] == ["OUTREACH"]
    assert difference.summary() == {"added": 1, "removed": 1, "changed": 2}
    assert difference.as_record()["sections"]["Indicators"]["changed"] == ["T-CLIENTS"]


def test_identical_versions_have_no_differences() -> None:
    definition = read_framework_file(MINIMAL)
    assert compare_definitions(definition, dataclasses.replace(definition, version=2)).is_empty


# Spreadsheet safety ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+44 20", "-5 days", "@SUM(A1)", "\tindented", "\rreturn"])
def test_text_that_looks_like_a_formula_is_written_as_text(text: str) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    cell = write_cell(sheet, 1, 1, text)
    assert looks_like_formula(text)
    assert cell.data_type == "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    reloaded = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert reloaded is not None
    # The standard library's XML parser turns a carriage return into a line feed when the file is read
    # back; lxml (installed with python-docx) keeps it. Either way the text is otherwise intact.
    assert reloaded["A1"].value in (text, text.replace("\r", "\n"))
    assert reloaded["A1"].data_type == "s"
    assert csv_safe(text) == "'" + text


def test_ordinary_values_are_written_as_they_are() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    first = append_row(sheet, ["Kent", 12, Decimal("2.50"), None])
    second = append_row(sheet, ["Leeds"])
    assert (first, second) == (1, 2)
    assert [cell.value for cell in sheet[1]] == ["Kent", 12, Decimal("2.50"), None]
    assert sheet["A1"].quotePrefix is False
    assert csv_safe("Kent") == "Kent" and csv_safe(12) == 12
    assert json.dumps(shipped_files.schema())  # the schema file is plain JSON


def test_the_documented_example_is_a_valid_file() -> None:
    documentation = (Path(__file__).resolve().parents[2] / "docs" / "framework-format.md").read_text()
    (example,) = re.findall(r"```yaml\n(.*?)```", documentation, flags=re.DOTALL)
    definition = read_framework_text(example)
    assert (definition.code, definition.version) == ("worklessness-data-sharing", 2)
    schema = shipped_files.schema()
    assert _schema_errors(yaml.safe_load(example), schema, schema) == []
