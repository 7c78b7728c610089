"""Each section of a framework file read into its definitions, and checked as a whole: codes used twice,
indicators that name a theme, evidence scale or weight the file does not have, a journey that does not
climb to 100.

Each `read_...` function takes the file's top-level mapping and gives the section's definitions in file
order; every problem goes to the reader.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from evidence_hub.models.framework import (
    CollectionFrequency,
    CombineRule,
    Direction,
    IndicatorUnit,
    LearningType,
)
from evidence_hub.models.sites import PartnerType
from evidence_hub.services.framework.definitions import (
    ActivityTypeDefinition,
    CostCategoryDefinition,
    EvidenceLevelDefinition,
    EvidenceScaleDefinition,
    IndicatorDefinition,
    LearningDimensionDefinition,
    LearningTypeDefinition,
    MilestoneDefinition,
    PartnerRoleDefinition,
    QuestionDefinition,
    ReleaseDeclaration,
    ThemeDefinition,
)
from evidence_hub.services.framework.file_format import (
    ACTIVITY_TYPE_FIELDS,
    ATTRIBUTABLE_COST,
    COST_CATEGORY_FIELDS,
    EVIDENCE_LEVEL_FIELDS,
    EVIDENCE_SCALE_FIELDS,
    INDICATOR_FIELDS,
    LEARNING_DIMENSION_FIELDS,
    LEARNING_TYPE_FIELDS,
    MAX_DECIMAL_PLACES,
    MILESTONE_FIELDS,
    MINIMUM_EVIDENCE_FIELDS,
    NAME_LENGTH,
    PARTNER_ROLE_FIELDS,
    QUESTION_FIELDS,
    RELEASE_COUNTS,
    RELEASE_FIELDS,
    THEME_FIELDS,
)
from evidence_hub.services.framework.reading.entries import (
    EntryReader,
    check_unique,
    decimal_places_of,
    did_you_mean,
    list_words,
    quoted,
)
from evidence_hub.services.framework.wording import plain_number

ItemT = TypeVar("ItemT")
NamedT = TypeVar("NamedT", ActivityTypeDefinition, LearningDimensionDefinition)

# Units whose figures cannot be added up across sites: a sum of percentages or scores means nothing.
UNITS_THAT_CANNOT_BE_SUMMED = frozenset({IndicatorUnit.PERCENTAGE, IndicatorUnit.SCORE, IndicatorUnit.RATIO})
NON_NEGATIVE_UNITS = frozenset(
    {IndicatorUnit.COUNT, IndicatorUnit.PERCENTAGE, IndicatorUnit.HOURS, IndicatorUnit.DAYS}
)
WHOLE_NUMBER_UNITS = frozenset({IndicatorUnit.COUNT, IndicatorUnit.YES_NO})


def _section(
    reader: EntryReader,
    top: Mapping[str, Any],
    key: str,
    subject: str,
    read_item: Callable[[EntryReader, Any, str], ItemT | None],
    repeated: str,
    *,
    unique_by: str = "code",
) -> list[tuple[int, ItemT]]:
    """A section's readable items, each with its index in the file; a problem for each code used twice."""
    items = reader.items(top, key, "", subject, lambda value, at: read_item(reader, value, at))
    check_unique(reader, items, key, repeated, key=unique_by)
    return items


def read_evidence_scales(reader: EntryReader, top: Mapping[str, Any]) -> tuple[EvidenceScaleDefinition, ...]:
    scales = _section(
        reader, top, "evidence_scales", "The evidence scales", _read_scale, "evidence scale code"
    )
    return tuple(scale for _, scale in scales)


def _read_scale(reader: EntryReader, value: Any, at: str) -> EvidenceScaleDefinition | None:
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


def _read_level(reader: EntryReader, value: Any, at: str) -> EvidenceLevelDefinition | None:
    entry = reader.entry(value, at, EVIDENCE_LEVEL_FIELDS, "An evidence level")
    if entry is None:
        return None
    return EvidenceLevelDefinition(
        level=reader.whole_number(entry, "level", at, minimum=1, maximum=10) or 0,
        title=reader.text(entry, "title", at, max_length=NAME_LENGTH),
        description=reader.text(entry, "description", at),
        prompt=reader.text(entry, "prompt", at),
    )


def read_themes(reader: EntryReader, top: Mapping[str, Any]) -> tuple[ThemeDefinition, ...]:
    themes = _section(reader, top, "themes", "The themes", _read_theme, "theme code")
    _check_question_codes_unique(reader, themes)
    return tuple(theme for _, theme in themes)


def _read_theme(reader: EntryReader, value: Any, at: str) -> ThemeDefinition | None:
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


def _read_question(reader: EntryReader, value: Any, at: str) -> QuestionDefinition | None:
    entry = reader.entry(value, at, QUESTION_FIELDS, "An evaluation question")
    if entry is None:
        return None
    return QuestionDefinition(
        code=reader.code(entry, "code", at),
        text=reader.text(entry, "text", at),
        guidance=reader.text(entry, "guidance", at),
    )


def _check_question_codes_unique(reader: EntryReader, themes: Sequence[tuple[int, ThemeDefinition]]) -> None:
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
                    f"Duplicate question code {quoted(question.code)}: {seen[folded]} already uses it. "
                    "Each evaluation question must have its own code.",
                )
            else:
                seen[folded] = location


def read_indicators(
    reader: EntryReader,
    top: Mapping[str, Any],
    themes: Sequence[ThemeDefinition],
    scales: Sequence[EvidenceScaleDefinition],
) -> tuple[IndicatorDefinition, ...]:
    """The indicators, checked against the file's themes and evidence scales and against each other."""
    indicators = _section(reader, top, "indicators", "The indicators", _read_indicator, "indicator code")
    _check_indicator_references(reader, indicators, themes, scales)
    return tuple(indicator for _, indicator in indicators)


def _read_indicator(reader: EntryReader, value: Any, at: str) -> IndicatorDefinition | None:
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
            f"{subject}: the plausible minimum ({plain_number(plausible_min)}) is above the plausible "
            f"maximum ({plain_number(plausible_max)}). Swap them, or correct the one that is wrong.",
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
        release=_read_release(reader, entry, at, unit),
    )


def _read_release(
    reader: EntryReader, entry: Mapping[str, Any], at: str, unit: IndicatorUnit | None
) -> ReleaseDeclaration:
    value = entry.get("release")
    if value in (None, {}):
        return ReleaseDeclaration()
    location = f"{at}.release"
    release = reader.entry(value, location, RELEASE_FIELDS, "How its figures are released")
    if release is None:
        return ReleaseDeclaration()
    counts = release.get("counts", "people")
    if counts not in RELEASE_COUNTS:
        reader.problem(f"{location}.counts", f"`counts:` is `people` or `records`, not {quoted(counts)}.")
        counts = "people"
    if "counts" in release and unit is not None and unit is not IndicatorUnit.COUNT:
        reader.problem(f"{location}.counts", "Only a count says what it counts: remove `counts:`.")
    numerator = reader.code(release, "numerator", location) if "numerator" in release else ""
    denominator = reader.code(release, "denominator", location) if "denominator" in release else ""
    if numerator and not denominator:
        reader.problem(location, "A formula with a `numerator:` needs a `denominator:`.")
    if numerator and unit is IndicatorUnit.COUNT:
        reader.problem(location, "A count is not worked out from a formula: remove the formula.")
    as_percentage_of = (
        reader.code(release, "as_percentage_of", location) if "as_percentage_of" in release else ""
    )
    if as_percentage_of and (unit is not IndicatorUnit.COUNT or counts != "people"):
        reader.problem(
            f"{location}.as_percentage_of", "Only a count of people can be released as a percentage."
        )
    return ReleaseDeclaration(
        counts=counts,
        numerator=numerator,
        denominator=denominator,
        multiplier=reader.whole_number(release, "multiplier", location, minimum=1, maximum=1000) or 1,
        as_percentage_of=as_percentage_of,
        management_information=reader.yes_no(release, "management_information", location),
    )


def _check_unit_rules(
    reader: EntryReader,
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
            if value is not None and decimal_places_of(value) > decimal_places:
                reader.problem(
                    f"{at}.{key}",
                    f"{subject} is recorded to {decimal_places} decimal places, "
                    f"but {plain_number(value)} has more.",
                )


def _read_minimum_evidence(reader: EntryReader, entry: Mapping[str, Any], at: str) -> tuple[str, int]:
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
    reader: EntryReader,
    indicators: Sequence[tuple[int, IndicatorDefinition]],
    themes: Sequence[ThemeDefinition],
    scales: Sequence[EvidenceScaleDefinition],
) -> None:
    theme_codes = {theme.code for theme in themes if theme.code}
    scales_by_code = {scale.code: scale for scale in scales if scale.code}
    indicators_by_code = {indicator.code: indicator for _, indicator in indicators if indicator.code}
    for index, indicator in indicators:
        at = f"indicators[{index}]"
        subject = f"Indicator {indicator.code}" if indicator.code else "This indicator"
        if indicator.theme and indicator.theme not in theme_codes:
            reader.problem(
                f"{at}.theme",
                f"{subject} belongs to an unknown theme {quoted(indicator.theme)}."
                f"{did_you_mean(indicator.theme, theme_codes)} The themes in this file are: "
                f"{list_words(sorted(theme_codes)) or 'none'}.",
            )
        if indicator.minimum_evidence_scale:
            scale = scales_by_code.get(indicator.minimum_evidence_scale)
            if scale is None:
                reader.problem(
                    f"{at}.minimum_evidence.scale",
                    f"{subject} refers to an unknown evidence scale "
                    f"{quoted(indicator.minimum_evidence_scale)}. "
                    f"The scales in this file are: {list_words(sorted(scales_by_code)) or 'none'}.",
                )
            elif indicator.minimum_evidence_level and indicator.minimum_evidence_level > len(scale.levels):
                reader.problem(
                    f"{at}.minimum_evidence.level",
                    f"{subject} asks for level {indicator.minimum_evidence_level} of {scale.name}, which has "
                    f"levels 1 to {len(scale.levels)}.",
                )
        declared = indicator.release
        for key, code in (
            ("numerator", declared.numerator),
            ("denominator", declared.denominator),
            ("as_percentage_of", declared.as_percentage_of),
        ):
            if not code or (key == "numerator" and code == ATTRIBUTABLE_COST):
                continue
            used = indicators_by_code.get(code)
            if used is None or used.code == indicator.code:
                reader.problem(
                    f"{at}.release.{key}",
                    f"{subject}'s release uses {quoted(code)}, which is not another indicator of this file."
                    f"{did_you_mean(code, indicators_by_code)}",
                )
            elif used.unit is not IndicatorUnit.COUNT and key != "numerator":
                reader.problem(
                    f"{at}.release.{key}", f"{subject}'s release divides by {code}, which is not a count."
                )
        if indicator.weighted_by and indicator.combine is CombineRule.WEIGHTED_MEAN:
            weight = indicators_by_code.get(indicator.weighted_by)
            if weight is None:
                reader.problem(
                    f"{at}.weighted_by",
                    f"{subject} is weighted by an unknown indicator {quoted(indicator.weighted_by)}."
                    f"{did_you_mean(indicator.weighted_by, indicators_by_code)}",
                )
            elif weight.code == indicator.code:
                reader.problem(f"{at}.weighted_by", f"{subject} cannot be weighted by itself.")
            elif weight.unit is not IndicatorUnit.COUNT:
                reader.problem(
                    f"{at}.weighted_by",
                    f"{subject} is weighted by {weight.code}, which is not a count: weights must be counts "
                    "(for example the number of clients engaged).",
                )


def read_cost_categories(reader: EntryReader, top: Mapping[str, Any]) -> tuple[CostCategoryDefinition, ...]:
    categories = _section(
        reader, top, "cost_categories", "The cost categories", _read_cost_category, "cost category code"
    )
    return tuple(category for _, category in categories)


def _read_cost_category(reader: EntryReader, value: Any, at: str) -> CostCategoryDefinition | None:
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


def read_activity_types(reader: EntryReader, top: Mapping[str, Any]) -> tuple[ActivityTypeDefinition, ...]:
    activity_types = _section(
        reader, top, "activity_types", "The activity types", _read_activity_type, "activity type code"
    )
    return tuple(item for _, item in activity_types)


def _read_activity_type(reader: EntryReader, value: Any, at: str) -> ActivityTypeDefinition | None:
    return _read_named(reader, value, at, ACTIVITY_TYPE_FIELDS, "An activity type", ActivityTypeDefinition)


def _read_named(
    reader: EntryReader,
    value: Any,
    at: str,
    fields: Mapping[str, tuple[str, bool]],
    subject: str,
    definition: Callable[[str, str, str], NamedT],
) -> NamedT | None:
    """An entry with only a code, a name and a description: an activity type or a learning dimension."""
    entry = reader.entry(value, at, fields, subject)
    if entry is None:
        return None
    return definition(
        reader.code(entry, "code", at),
        reader.text(entry, "name", at, max_length=NAME_LENGTH),
        reader.text(entry, "description", at),
    )


def read_learning_types(reader: EntryReader, top: Mapping[str, Any]) -> tuple[LearningTypeDefinition, ...]:
    learning_types = _section(
        reader, top, "learning_types", "The learning types", _read_learning_type, "learning type"
    )
    _check_every_learning_type_described(reader, learning_types, top)
    return tuple(item for _, item in learning_types)


def read_learning_dimensions(
    reader: EntryReader, top: Mapping[str, Any]
) -> tuple[LearningDimensionDefinition, ...]:
    dimensions = _section(
        reader,
        top,
        "learning_dimensions",
        "The learning dimensions",
        _read_learning_dimension,
        "learning dimension code",
    )
    return tuple(item for _, item in dimensions)


def _read_learning_dimension(reader: EntryReader, value: Any, at: str) -> LearningDimensionDefinition | None:
    return _read_named(
        reader, value, at, LEARNING_DIMENSION_FIELDS, "A learning dimension", LearningDimensionDefinition
    )


def _read_learning_type(reader: EntryReader, value: Any, at: str) -> LearningTypeDefinition | None:
    entry = reader.entry(value, at, LEARNING_TYPE_FIELDS, "A learning type")
    if entry is None:
        return None
    learning_type = reader.choice(entry, "code", at, LearningType, "learning type")
    description = reader.text(entry, "description", at)
    examples = reader.text_list(entry, "examples", at)
    if learning_type is None:
        return None
    return LearningTypeDefinition(code=learning_type, description=description, examples=examples)


def _check_every_learning_type_described(
    reader: EntryReader, learning_types: Sequence[tuple[int, LearningTypeDefinition]], top: Mapping[str, Any]
) -> None:
    if top.get("learning_types") in (None, "", []) or not isinstance(top.get("learning_types"), list):
        return
    described = {item.code for _, item in learning_types}
    missing = [member.value for member in LearningType if member not in described]
    if missing and len(learning_types) == len(top["learning_types"]):
        reader.problem(
            "learning_types",
            "Describe every kind of learning, so sites know which to choose. Missing: "
            f"{list_words(missing)}.",
        )


def read_partner_roles(reader: EntryReader, top: Mapping[str, Any]) -> tuple[PartnerRoleDefinition, ...]:
    partner_roles = _section(
        reader,
        top,
        "partner_roles",
        "The partner roles",
        _read_partner_role,
        "partner type",
        unique_by="partner_type",
    )
    return tuple(item for _, item in partner_roles)


def read_journey(reader: EntryReader, top: Mapping[str, Any]) -> tuple[MilestoneDefinition, ...]:
    journey = _section(reader, top, "journey", "The journey", _read_milestone, "milestone code")
    _check_journey(reader, journey)
    return tuple(item for _, item in journey)


def _read_partner_role(reader: EntryReader, value: Any, at: str) -> PartnerRoleDefinition | None:
    entry = reader.entry(value, at, PARTNER_ROLE_FIELDS, "A partner role")
    if entry is None:
        return None
    partner_type = reader.choice(entry, "partner_type", at, PartnerType, "partner type")
    role = reader.text(entry, "role", at)
    if partner_type is None:
        return None
    return PartnerRoleDefinition(partner_type=partner_type, role=role)


def _read_milestone(reader: EntryReader, value: Any, at: str) -> MilestoneDefinition | None:
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


def _milestone_percentage(reader: EntryReader, entry: Mapping[str, Any], at: str) -> int:
    value = entry.get("percentage")
    if value is None:
        return -1
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        reader.problem(
            f"{at}.percentage",
            f"A milestone's percentage must be a whole number from 0 to 100, not {quoted(value)}.",
        )
        return -1
    return value


def _check_journey(reader: EntryReader, journey: Sequence[tuple[int, MilestoneDefinition]]) -> None:
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
