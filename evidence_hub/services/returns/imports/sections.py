"""How each section of a return is written to and read from a spreadsheet: its columns, the rows already
recorded, how a row is read into the section's input, and how it is saved through the section's service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import User
from evidence_hub.models.framework import IndicatorUnit
from evidence_hub.models.returns import (
    Activity,
    CostItem,
    CostType,
    Funding,
    LearningEntry,
    MeasureValue,
    QualityRating,
    SavingClaim,
    SiteReturn,
    TimeUnit,
)
from evidence_hub.models.sites import PartnerType
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.common.values import plain
from evidence_hub.services.returns import measures
from evidence_hub.services.returns.activities import ACTIVITIES, ActivityInput
from evidence_hub.services.returns.costs import COSTS, CostInput
from evidence_hub.services.returns.errors import InvalidEvidence
from evidence_hub.services.returns.evidence_strength import evidence_key
from evidence_hub.services.returns.imports.cells import (
    LIST_SEPARATOR,
    Column,
    cell_date,
    cell_decimal,
    cell_list,
    cell_text,
    cell_whole_number,
    cell_yes,
    listed_codes,
)
from evidence_hub.services.returns.items import EvidenceItems
from evidence_hub.services.returns.learning import LEARNING, LearningInput
from evidence_hub.services.returns.measure_checks import validate_measure
from evidence_hub.services.returns.savings import SAVINGS, SavingInput

COMMON_COLUMNS = (
    Column("site_code", "Site code", "The site this return belongs to. Leave as it is.", True),
    Column("period_code", "Period code", "The reporting period. Leave as it is.", True),
)
REFERENCE_COLUMN = Column(
    "reference",
    "Reference",
    "Your own short name for the row, such as C-001. Uploading a row with the same reference again "
    "updates that item instead of adding another.",
    True,
)


# Saves one row (reference or key, the row read into the input, the item it updates or None).
RowWriter = Callable[[Session, User, SiteReturn, str, Any, Any], bool]


@dataclass(frozen=True)
class Section:
    """How one section of a return is written to and read from a spreadsheet."""

    code: str
    title: str
    sheet: str
    columns: tuple[Column, ...]
    # The rows already recorded, as cell values by column key (for pre-filling the template).
    existing_rows: Callable[[Session, SiteReturn], list[dict[str, Any]]]
    # Reads one row into the service's input; problems found while reading go into the dict.
    read_row: Callable[[dict[str, str], dict[str, str]], Any]
    # Finds the item a row updates, by its key (reference or indicator code), or None for a new one.
    find_existing: Callable[[Session, SiteReturn, str], Any]
    # Writes one row through the section's service; returns True when it added or changed something.
    write_row: RowWriter
    # Every problem the section's service finds with a row (key and input), by the service's field names,
    # so that a row's rule problems are listed with its format problems in one pass.
    check_row: Callable[[SiteReturn, str, Any], dict[str, str]]
    key_column: str = "reference"
    guidance_lists: Callable[[SiteReturn], list[tuple[str, str, str]]] = lambda _return: []
    # The service's field names that differ from the column that holds them (a category chosen by code).
    field_columns: dict[str, str] = field(default_factory=dict)
    # Where the template lists a row for everything that could be answered (every indicator), the columns
    # that hold an answer: a row with all of them empty is not answered yet and is passed over.
    answer_columns: tuple[str, ...] = ()

    def is_unanswered(self, row: dict[str, str]) -> bool:
        return bool(self.answer_columns) and not any(cell_text(row, key) for key in self.answer_columns)

    def column_of(self, field_name: str) -> str:
        """The template's header of the column a problem is about."""
        return self.field_columns.get(field_name, field_name)


def _by_reference(model: Any) -> Callable[[Session, SiteReturn, str], Any]:
    def find(session: Session, site_return: SiteReturn, reference: str) -> Any:
        return session.scalar(
            select(model).where(model.site_return_id == site_return.id, model.import_reference == reference)
        )

    return find


def _through(items: EvidenceItems[Any, Any, Any]) -> RowWriter:
    """Write a row through the item service: add it under its reference, or change the item it names."""

    def write(
        session: Session, user: User, site_return: SiteReturn, reference: str, data: Any, item: Any
    ) -> bool:
        if item is None:
            items.add(session, user, site_return, data, reference=reference)
            return True
        return items.update(session, user, site_return, item, data, None)

    return write


def _checked_by(items: EvidenceItems[Any, Any, Any]) -> Callable[[SiteReturn, str, Any], dict[str, str]]:
    def check(site_return: SiteReturn, _reference: str, data: Any) -> dict[str, str]:
        return items.problems(site_return, data)

    return check


# Costs


def _cost_rows(_session: Session, site_return: SiteReturn) -> list[dict[str, Any]]:
    return [
        {
            "reference": item.import_reference,
            "category_code": item.category.code,
            "description": item.description,
            "amount": item.amount,
            "cost_type": item.cost_type,
            "funding": item.funding,
            "attributable_percent": item.attributable_percent,
            "attribution_reason": item.attribution_reason,
            "staff_time_quantity": item.staff_time_quantity,
            "staff_time_unit": item.staff_time_unit or "",
            "staff_rate": item.staff_rate,
            "funder": item.funder,
        }
        for item in site_return.costs
    ]


def _read_cost(row: dict[str, str], problems: dict[str, str]) -> CostInput:
    percent = cell_decimal(row, "attributable_percent", "Share attributable to the pilot", problems)
    return CostInput(
        category_code=cell_text(row, "category_code"),
        description=cell_text(row, "description"),
        amount=cell_decimal(row, "amount", "Amount", problems),
        cost_type=cell_text(row, "cost_type"),
        funding=cell_text(row, "funding"),
        attributable_percent=Decimal(100)
        if percent is None and "attributable_percent" not in problems
        else percent,
        attribution_reason=cell_text(row, "attribution_reason"),
        staff_time_quantity=cell_decimal(row, "staff_time_quantity", "Staff time", problems),
        staff_time_unit=cell_text(row, "staff_time_unit") or None,
        staff_rate=cell_decimal(row, "staff_rate", "Staff rate", problems),
        funder=cell_text(row, "funder"),
    )


def _cost_guidance(site_return: SiteReturn) -> list[tuple[str, str, str]]:
    return [
        (
            "category_code",
            category.code,
            f"{category.name}. Include: {category.include_guidance} Exclude: {category.exclude_guidance}",
        )
        for category in site_return.framework_version.cost_categories
    ]


COSTS_SECTION = Section(
    code="costs",
    title="Costs",
    sheet="Costs",
    columns=(
        *COMMON_COLUMNS,
        REFERENCE_COLUMN,
        Column("category_code", "Cost category", "A cost category code: see the Guidance sheet.", True),
        Column("description", "Description", "What the money or time was spent on.", True),
        Column(
            "amount",
            "Amount (£)",
            "Pounds and pence, no more than 2 decimal places. Leave empty when you give staff time and rate.",
            False,
        ),
        Column(
            "cost_type",
            "Set-up or running",
            f"One of: {listed_codes([kind.value for kind in CostType])}.",
            True,
        ),
        Column(
            "funding", "Cash or in kind", f"One of: {listed_codes([kind.value for kind in Funding])}.", True
        ),
        Column(
            "attributable_percent", "Share attributable to the pilot (%)", "0 to 100; empty means 100.", False
        ),
        Column("attribution_reason", "Why not all of it", "Required when the share is below 100%.", False),
        Column(
            "staff_time_quantity",
            "Staff time",
            "Number of hours or days, when the cost is staff time.",
            False,
        ),
        Column(
            "staff_time_unit",
            "Staff time unit",
            f"One of: {listed_codes([unit.value for unit in TimeUnit])}.",
            False,
        ),
        Column(
            "staff_rate", "Rate (£ per hour or day)", "The cost of one hour or day of that staff time.", False
        ),
        Column("funder", "Funder", "Who paid, such as the council or DWP.", False),
    ),
    existing_rows=_cost_rows,
    read_row=_read_cost,
    find_existing=_by_reference(CostItem),
    write_row=_through(COSTS),
    check_row=_checked_by(COSTS),
    field_columns={"category": "category_code", "import_reference": "reference"},
    guidance_lists=_cost_guidance,
)


# Savings


def _saving_rows(_session: Session, site_return: SiteReturn) -> list[dict[str, Any]]:
    return [
        {
            "reference": item.import_reference,
            "description": item.description,
            "amount": item.amount,
            "evidence": item.evidence,
            "evidence_level": evidence_key(item.evidence_level) if item.evidence_level else "",
        }
        for item in site_return.savings
    ]


def _read_saving(row: dict[str, str], problems: dict[str, str]) -> SavingInput:
    return SavingInput(
        description=cell_text(row, "description"),
        amount=cell_decimal(row, "amount", "Amount", problems),
        evidence=cell_text(row, "evidence"),
        evidence_level_code=cell_text(row, "evidence_level") or None,
    )


def _evidence_guidance(site_return: SiteReturn) -> list[tuple[str, str, str]]:
    return [
        (
            "evidence_level",
            evidence_key(level),
            f"{level.scale.name} level {level.level}: {level.title}. {level.prompt}",
        )
        for level in site_return.framework_version.evidence_levels
    ]


SAVINGS_SECTION = Section(
    code="savings",
    title="Savings and costs avoided",
    sheet="Savings",
    columns=(
        *COMMON_COLUMNS,
        REFERENCE_COLUMN,
        Column("description", "Description", "The cost avoided or the saving claimed.", True),
        Column("amount", "Amount (£)", "Pounds and pence.", True),
        Column(
            "evidence",
            "Evidence",
            "What shows the saving is real: the source and how it was worked out.",
            True,
        ),
        Column(
            "evidence_level",
            "Evidence strength",
            "Optional: a level such as nesta:2; see the Guidance sheet.",
            False,
        ),
    ),
    existing_rows=_saving_rows,
    read_row=_read_saving,
    find_existing=_by_reference(SavingClaim),
    write_row=_through(SAVINGS),
    check_row=_checked_by(SAVINGS),
    field_columns={"import_reference": "reference"},
    guidance_lists=_evidence_guidance,
)


# Activities


def _activity_rows(_session: Session, site_return: SiteReturn) -> list[dict[str, Any]]:
    return [
        {
            "reference": item.import_reference,
            "activity_type_code": item.activity_type.code,
            "title": item.title,
            "description": item.description,
            "starts_on": item.starts_on,
            "ends_on": item.ends_on,
            "partner_types": LIST_SEPARATOR.join(item.partner_types),
            "partner_names": LIST_SEPARATOR.join(partner.name for partner in item.partners),
            "people_reached": item.people_reached,
            "outputs": item.outputs,
            "theme_codes": LIST_SEPARATOR.join(theme.code for theme in item.themes),
        }
        for item in site_return.activities
    ]


def _read_activity(row: dict[str, str], problems: dict[str, str]) -> ActivityInput:
    return ActivityInput(
        activity_type_code=cell_text(row, "activity_type_code"),
        title=cell_text(row, "title"),
        description=cell_text(row, "description"),
        starts_on=cell_date(row, "starts_on", "Start date", problems),
        ends_on=cell_date(row, "ends_on", "End date", problems),
        partner_types=cell_list(row, "partner_types"),
        partner_names=cell_list(row, "partner_names"),
        people_reached=cell_whole_number(row, "people_reached", "People reached", problems),
        outputs=cell_text(row, "outputs"),
        theme_codes=cell_list(row, "theme_codes"),
    )


def _activity_guidance(site_return: SiteReturn) -> list[tuple[str, str, str]]:
    version = site_return.framework_version
    return [
        *(("activity_type_code", kind.code, kind.name) for kind in version.activity_types),
        *(("theme_codes", theme.code, theme.title) for theme in version.themes),
        *(("partner_types", kind.value, kind.label) for kind in PartnerType),
        *(
            ("partner_names", partner.name, partner.partner_type_label)
            for partner in site_return.site.partners
        ),
    ]


ACTIVITIES_SECTION = Section(
    code="activities",
    title="Activities",
    sheet="Activities",
    columns=(
        *COMMON_COLUMNS,
        REFERENCE_COLUMN,
        Column("activity_type_code", "Activity type", "An activity type code: see the Guidance sheet.", True),
        Column("title", "Title", "A short name for the activity.", True),
        Column("description", "Description", "What happened.", False),
        Column(
            "starts_on",
            "Start date",
            "Within the reporting period: day/month/year, like 27/04/2009, or year-month-day.",
            True,
        ),
        Column("ends_on", "End date", "Day/month/year or year-month-day; empty for a single day.", False),
        Column("partner_types", "Kinds of partner", "Partner type codes separated by ;", False),
        Column(
            "partner_names", "Partner organisations", "Names of your site's partners separated by ;", False
        ),
        Column("people_reached", "People reached", "A whole number; empty if it does not apply.", False),
        Column("outputs", "Outputs", "What the activity produced.", False),
        Column("theme_codes", "Themes informed", "Theme codes separated by ;", False),
    ),
    existing_rows=_activity_rows,
    read_row=_read_activity,
    find_existing=_by_reference(Activity),
    write_row=_through(ACTIVITIES),
    check_row=_checked_by(ACTIVITIES),
    field_columns={
        "activity_type": "activity_type_code",
        "partners": "partner_names",
        "themes": "theme_codes",
        "import_reference": "reference",
    },
    guidance_lists=_activity_guidance,
)


# Impact measures: one row per indicator, matched by its code.


def _measure_rows(session: Session, site_return: SiteReturn) -> list[dict[str, Any]]:
    saved = {measure.indicator_id: measure for measure in site_return.measures}
    rows = []
    for indicator in site_return.framework_version.indicators:
        measure = saved.get(indicator.id)
        rows.append(
            {
                "indicator_code": indicator.code,
                "indicator_name": indicator.name,
                "unit": IndicatorUnit(indicator.unit).label,
                "plausible_range": _range(indicator),
                "value": measures.input_value(indicator, measure.value) if measure else "",
                "not_available": "yes" if measure and measure.value is None else "",
                "not_available_reason": (measure.not_available_reason or "") if measure else "",
                "range_justification": measure.range_justification if measure else "",
                "target": measures.input_value(indicator, measure.target) if measure else "",
                "data_source": measure.data_source if measure else "",
                "quality_rating": (measure.quality_rating or "") if measure else "",
                "quality_reason": measure.quality_reason if measure else "",
                "evidence_level": evidence_key(measure.evidence_level)
                if measure and measure.evidence_level
                else "",
                "commentary": measure.commentary if measure else "",
            }
        )
    return rows


def _range(indicator: Any) -> str:
    low, high = indicator.plausible_min, indicator.plausible_max
    if low is None and high is None:
        return ""
    return f"{plain(low) if low is not None else ''} to {plain(high) if high is not None else ''}".strip()


def _read_measure(row: dict[str, str], problems: dict[str, str]) -> measures.MeasureInput:
    return measures.MeasureInput(
        value=cell_text(row, "value") or None,
        not_available=cell_yes(row, "not_available", "Not yet available", problems),
        not_available_reason=cell_text(row, "not_available_reason"),
        range_justification=cell_text(row, "range_justification"),
        target=cell_text(row, "target") or None,
        data_source=cell_text(row, "data_source"),
        quality_rating=cell_text(row, "quality_rating"),
        quality_reason=cell_text(row, "quality_reason"),
        evidence_level=cell_text(row, "evidence_level") or None,
        commentary=cell_text(row, "commentary"),
    )


def _find_measure(session: Session, site_return: SiteReturn, indicator_code: str) -> Any:
    indicator = next(
        (item for item in site_return.framework_version.indicators if item.code == indicator_code), None
    )
    if indicator is None:
        return None
    return session.scalar(
        select(MeasureValue).where(
            MeasureValue.site_return_id == site_return.id, MeasureValue.indicator_id == indicator.id
        )
    )


def _write_measure(
    session: Session, user: User, site_return: SiteReturn, code: str, data: Any, item: Any
) -> bool:
    before = item.version if item is not None else None
    saved = measures.save_measure(session, user, site_return, code, data)
    return item is None or saved.version != before


def _check_measure(site_return: SiteReturn, code: str, data: Any) -> dict[str, str]:
    indicator = next((item for item in site_return.framework_version.indicators if item.code == code), None)
    if indicator is None:
        known = site_return.framework_version.label
        return {"indicator_code": f"There is no indicator '{code}' in {known}"}
    try:
        validate_measure(indicator, data)
    except InvalidEvidence as invalid:
        return invalid.problems
    return {}


def _measure_guidance(site_return: SiteReturn) -> list[tuple[str, str, str]]:
    return [
        *(("quality_rating", rating.value, rating.label) for rating in QualityRating),
        *_evidence_guidance(site_return),
        *(
            (
                "indicator_code",
                indicator.code,
                f"{indicator.name}: {indicator.definition} Include: {indicator.include_guidance} "
                f"Exclude: {indicator.exclude_guidance}",
            )
            for indicator in site_return.framework_version.indicators
        ),
    ]


MEASURES_SECTION = Section(
    code="measures",
    title="Impact measures",
    sheet="Measures",
    key_column="indicator_code",
    columns=(
        *COMMON_COLUMNS,
        Column("indicator_code", "Indicator", "The framework's indicator code. Leave as it is.", True),
        Column("indicator_name", "Indicator name", "For reference only: not read back."),
        Column("unit", "Unit", "For reference only: not read back."),
        Column(
            "plausible_range",
            "Plausible range",
            "For reference only: a value outside it needs a justification.",
        ),
        Column(
            "value",
            "Value this period",
            "The figure, in the indicator's unit. Leave empty with 'not yet available'.",
        ),
        Column(
            "not_available",
            "Not yet available",
            "yes when the figure is not available yet (then give the reason).",
        ),
        Column("not_available_reason", "Why not available", "Required with 'not yet available'."),
        Column(
            "range_justification",
            "Why outside the range",
            "Required when the value is outside the plausible range.",
        ),
        Column("target", "Target", "Required where the framework asks for a target."),
        Column("data_source", "Data source", "Where the figure comes from."),
        Column(
            "quality_rating",
            "Quality",
            f"One of: {listed_codes([rating.value for rating in QualityRating])}.",
        ),
        Column("quality_reason", "Why that quality", "What makes the figure reliable or not."),
        Column("evidence_level", "Evidence strength", "A level such as nesta:2: see the Guidance sheet."),
        Column("commentary", "Commentary", "Anything that helps an evaluator read the figure."),
    ),
    existing_rows=_measure_rows,
    read_row=_read_measure,
    find_existing=_find_measure,
    write_row=_write_measure,
    check_row=_check_measure,
    answer_columns=(
        "value",
        "not_available",
        "not_available_reason",
        "range_justification",
        "target",
        "data_source",
        "quality_rating",
        "quality_reason",
        "evidence_level",
        "commentary",
    ),
    guidance_lists=_measure_guidance,
)


# Learning


def _learning_rows(_session: Session, site_return: SiteReturn) -> list[dict[str, Any]]:
    return [
        {
            "reference": entry.import_reference,
            "learning_type": entry.learning_type,
            "dimension_codes": LIST_SEPARATOR.join(dimension.code for dimension in entry.dimensions),
            "theme_code": entry.theme.code if entry.theme else "",
            "title": entry.title,
            "what_happened": entry.what_happened,
            "why_it_matters": entry.why_it_matters,
            "national_implication": entry.national_implication,
        }
        for entry in site_return.learning
    ]


def _read_learning(row: dict[str, str], _problems: dict[str, str]) -> LearningInput:
    return LearningInput(
        learning_type=cell_text(row, "learning_type"),
        dimensions=cell_list(row, "dimension_codes"),
        theme=cell_text(row, "theme_code"),
        title=cell_text(row, "title"),
        what_happened=cell_text(row, "what_happened"),
        why_it_matters=cell_text(row, "why_it_matters"),
        national_implication=cell_text(row, "national_implication"),
    )


def _learning_guidance(site_return: SiteReturn) -> list[tuple[str, str, str]]:
    version = site_return.framework_version
    return [
        *(
            ("learning_type", guidance.code, f"{guidance.name}: {guidance.description}")
            for guidance in version.learning_types
        ),
        *(
            ("dimension_codes", dimension.code, f"{dimension.name}: {dimension.description}")
            for dimension in version.learning_dimensions
        ),
        *(("theme_code", theme.code, theme.title) for theme in version.themes),
    ]


LEARNING_SECTION = Section(
    code="learning",
    title="Learning",
    sheet="Learning",
    columns=(
        *COMMON_COLUMNS,
        REFERENCE_COLUMN,
        Column("learning_type", "Type", "barrier, enabler, lesson, good_practice or recommendation.", True),
        Column("dimension_codes", "Dimensions", "One or more dimension codes separated by ;", True),
        Column("theme_code", "Theme", "Optional theme code.", False),
        Column("title", "Title", "A short summary.", True),
        Column("what_happened", "What happened", "What you found.", True),
        Column("why_it_matters", "Why it matters", "", False),
        Column("national_implication", "Implication for national roll-out", "", False),
    ),
    existing_rows=_learning_rows,
    read_row=_read_learning,
    find_existing=_by_reference(LearningEntry),
    write_row=_through(LEARNING),
    check_row=_checked_by(LEARNING),
    field_columns={"dimensions": "dimension_codes", "theme": "theme_code", "import_reference": "reference"},
    guidance_lists=_learning_guidance,
)


SECTIONS = {
    section.code: section
    for section in (COSTS_SECTION, SAVINGS_SECTION, ACTIVITIES_SECTION, MEASURES_SECTION, LEARNING_SECTION)
}


def section_named(code: str) -> Section:
    section = SECTIONS.get(code)
    if section is None:
        raise NotVisible(f"No upload section {code}")
    return section
