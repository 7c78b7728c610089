"""Spreadsheet templates and uploads for the sections of a return: all rows are saved, or none.

A template (XLSX or CSV) is pre-filled with the site, the period, the framework's codes and guidance and
the items already recorded, each with its reference. Uploading it back validates every row through the
same services as the web forms, reports every problem by row and column, and writes nothing unless
every row is valid. Rows are matched by their reference (or, for impact measures, by indicator code), so
uploading the same file twice updates what is there instead of duplicating it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import Role, User
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
from evidence_hub.services.common.spreadsheet_reading import SheetRows, SpreadsheetRefused, read_spreadsheet
from evidence_hub.services.common.spreadsheet_safety import FORMULA_TRIGGERS, csv_safe, write_cell
from evidence_hub.services.returns import activities, costs, learning, measures
from evidence_hub.services.returns.items import evidence_key, plain
from evidence_hub.services.returns.workflow import InvalidEvidence, ReturnError, require_lead_can_edit

LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    guidance: str
    required: bool = False


@dataclass(frozen=True)
class RowProblem:
    """One problem in an upload: row 0 means the file as a whole."""

    row: int
    column: str
    message: str


class ImportRejected(ReturnError):
    """Nothing was saved; `problems` lists every row and column that needs correcting."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problems in the upload")
        self.problems = problems


@dataclass
class ImportOutcome:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


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


def _codes(values: Sequence[Any]) -> str:
    return ", ".join(str(value) for value in values)


# ---------------------------------------------------------------------------------------------------------
# Reading cells


def _text(row: dict[str, str], key: str) -> str:
    value = row.get(key, "")
    # A template we wrote may carry an apostrophe that keeps a formula-like text as text; remove it.
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def _decimal(row: dict[str, str], key: str, label: str, problems: dict[str, str]) -> Decimal | None:
    raw = _text(row, key).replace(",", "").replace("£", "").strip()
    if not raw:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        problems[key] = f"{label} must be a number, like 1250.50"
        return None
    if not number.is_finite():
        problems[key] = f"{label} must be a number, like 1250.50"
        return None
    return number


def _whole_number(row: dict[str, str], key: str, label: str, problems: dict[str, str]) -> int | None:
    number = _decimal(row, key, label, problems)
    if number is None:
        return None
    if number != number.to_integral_value():
        problems[key] = f"{label} must be a whole number"
        return None
    return int(number)


def _date(row: dict[str, str], key: str, label: str, problems: dict[str, str]) -> date | None:
    raw = _text(row, key)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10]) if len(raw) in (10, 19) else date.fromisoformat(raw)
    except ValueError:
        problems[key] = f"{label} must be a date written as year-month-day, like 2009-04-27"
        return None


def _list(row: dict[str, str], key: str) -> list[str]:
    return [part.strip() for part in _text(row, key).split(LIST_SEPARATOR) if part.strip()]


def _yes(row: dict[str, str], key: str, label: str, problems: dict[str, str]) -> bool:
    raw = _text(row, key).lower()
    if raw in ("", "no", "n", "false", "0"):
        return False
    if raw in ("yes", "y", "true", "1"):
        return True
    problems[key] = f"{label} must be yes or no"
    return False


# ---------------------------------------------------------------------------------------------------------
# The sections


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
    write_row: Callable[[Session, User, SiteReturn, str, Any, Any], bool]
    key_column: str = "reference"
    guidance_lists: Callable[[SiteReturn], list[tuple[str, str, str]]] = lambda _return: []


def _by_reference(model: Any) -> Callable[[Session, SiteReturn, str], Any]:
    def find(session: Session, site_return: SiteReturn, reference: str) -> Any:
        return session.scalar(
            select(model).where(model.site_return_id == site_return.id, model.import_reference == reference)
        )

    return find


# Costs


def _cost_rows(_session: Session, site_return: SiteReturn) -> list[dict[str, Any]]:
    return [
        {
            "reference": item.import_reference or f"C-{item.id}",
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


def _read_cost(row: dict[str, str], problems: dict[str, str]) -> costs.CostInput:
    percent = _decimal(row, "attributable_percent", "Share attributable to the pilot", problems)
    return costs.CostInput(
        category_code=_text(row, "category_code"),
        description=_text(row, "description"),
        amount=_decimal(row, "amount", "Amount", problems),
        cost_type=_text(row, "cost_type"),
        funding=_text(row, "funding"),
        attributable_percent=Decimal(100)
        if percent is None and "attributable_percent" not in problems
        else percent,
        attribution_reason=_text(row, "attribution_reason"),
        staff_time_quantity=_decimal(row, "staff_time_quantity", "Staff time", problems),
        staff_time_unit=_text(row, "staff_time_unit") or None,
        staff_rate=_decimal(row, "staff_rate", "Staff rate", problems),
        funder=_text(row, "funder"),
    )


def _write_cost(
    session: Session, user: User, site_return: SiteReturn, reference: str, data: Any, item: Any
) -> bool:
    if item is None:
        costs.add_cost(session, user, site_return, data, import_reference=reference)
        return True
    return costs.update_cost(session, user, item, data, None)


def _cost_guidance(site_return: SiteReturn) -> list[tuple[str, str, str]]:
    return [
        (
            "category_code",
            category.code,
            f"{category.name}. Include: {category.include_guidance} Exclude: {category.exclude_guidance}",
        )
        for category in site_return.framework_version.cost_categories
    ]


COSTS = Section(
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
            "cost_type", "Set-up or running", f"One of: {_codes([kind.value for kind in CostType])}.", True
        ),
        Column("funding", "Cash or in kind", f"One of: {_codes([kind.value for kind in Funding])}.", True),
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
            f"One of: {_codes([unit.value for unit in TimeUnit])}.",
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
    write_row=_write_cost,
    guidance_lists=_cost_guidance,
)


# Savings


def _saving_rows(_session: Session, site_return: SiteReturn) -> list[dict[str, Any]]:
    return [
        {
            "reference": item.import_reference or f"S-{item.id}",
            "description": item.description,
            "amount": item.amount,
            "evidence": item.evidence,
            "evidence_level": evidence_key(item.evidence_level) if item.evidence_level else "",
        }
        for item in site_return.savings
    ]


def _read_saving(row: dict[str, str], problems: dict[str, str]) -> costs.SavingInput:
    return costs.SavingInput(
        description=_text(row, "description"),
        amount=_decimal(row, "amount", "Amount", problems),
        evidence=_text(row, "evidence"),
        evidence_level_code=_text(row, "evidence_level") or None,
    )


def _write_saving(
    session: Session, user: User, site_return: SiteReturn, reference: str, data: Any, item: Any
) -> bool:
    if item is None:
        costs.add_saving(session, user, site_return, data, import_reference=reference)
        return True
    return costs.update_saving(session, user, item, data, None)


def _evidence_guidance(site_return: SiteReturn) -> list[tuple[str, str, str]]:
    return [
        (
            "evidence_level",
            evidence_key(level),
            f"{level.scale.name} level {level.level}: {level.title}. {level.prompt}",
        )
        for level in site_return.framework_version.evidence_levels
    ]


SAVINGS = Section(
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
    write_row=_write_saving,
    guidance_lists=_evidence_guidance,
)


# Activities


def _activity_rows(_session: Session, site_return: SiteReturn) -> list[dict[str, Any]]:
    return [
        {
            "reference": item.import_reference or f"A-{item.id}",
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


def _read_activity(row: dict[str, str], problems: dict[str, str]) -> activities.ActivityInput:
    return activities.ActivityInput(
        activity_type_code=_text(row, "activity_type_code"),
        title=_text(row, "title"),
        description=_text(row, "description"),
        starts_on=_date(row, "starts_on", "Start date", problems),
        ends_on=_date(row, "ends_on", "End date", problems),
        partner_types=_list(row, "partner_types"),
        partner_names=_list(row, "partner_names"),
        people_reached=_whole_number(row, "people_reached", "People reached", problems),
        outputs=_text(row, "outputs"),
        theme_codes=_list(row, "theme_codes"),
    )


def _write_activity(
    session: Session, user: User, site_return: SiteReturn, reference: str, data: Any, item: Any
) -> bool:
    if item is None:
        activities.add_activity(session, user, site_return, data, import_reference=reference)
        return True
    return activities.update_activity(session, user, item, data, None)


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


ACTIVITIES = Section(
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
            "starts_on", "Start date", "Year-month-day, within the reporting period, like 2009-04-27.", True
        ),
        Column("ends_on", "End date", "Year-month-day; empty for a single day.", False),
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
    write_row=_write_activity,
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


def _read_measure(row: dict[str, str], problems: dict[str, str]) -> measures.MeasureData:
    return measures.MeasureData(
        value=_text(row, "value") or None,
        not_available=_yes(row, "not_available", "Not yet available", problems),
        not_available_reason=_text(row, "not_available_reason"),
        range_justification=_text(row, "range_justification"),
        target=_text(row, "target") or None,
        data_source=_text(row, "data_source"),
        quality_rating=_text(row, "quality_rating"),
        quality_reason=_text(row, "quality_reason"),
        evidence_level=_text(row, "evidence_level") or None,
        commentary=_text(row, "commentary"),
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


MEASURES = Section(
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
        Column("quality_rating", "Quality", f"One of: {_codes([rating.value for rating in QualityRating])}."),
        Column("quality_reason", "Why that quality", "What makes the figure reliable or not."),
        Column("evidence_level", "Evidence strength", "A level such as nesta:2: see the Guidance sheet."),
        Column("commentary", "Commentary", "Anything that helps an evaluator read the figure."),
    ),
    existing_rows=_measure_rows,
    read_row=_read_measure,
    find_existing=_find_measure,
    write_row=_write_measure,
    guidance_lists=_measure_guidance,
)


# Learning


def _learning_rows(_session: Session, site_return: SiteReturn) -> list[dict[str, Any]]:
    return [
        {
            "reference": entry.import_reference or f"L-{entry.id}",
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


def _read_learning(row: dict[str, str], _problems: dict[str, str]) -> learning.LearningData:
    return learning.LearningData(
        learning_type=_text(row, "learning_type"),
        dimensions=_list(row, "dimension_codes"),
        theme=_text(row, "theme_code"),
        title=_text(row, "title"),
        what_happened=_text(row, "what_happened"),
        why_it_matters=_text(row, "why_it_matters"),
        national_implication=_text(row, "national_implication"),
    )


def _write_learning(
    session: Session, user: User, site_return: SiteReturn, reference: str, data: Any, item: Any
) -> bool:
    if item is None:
        learning.add_learning(session, user, site_return, data, import_reference=reference)
        return True
    before = item.version
    learning.update_learning(session, user, site_return, item, data, None)
    return item.version != before


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


LEARNING = Section(
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
    write_row=_write_learning,
    guidance_lists=_learning_guidance,
)


SECTIONS = {section.code: section for section in (COSTS, SAVINGS, ACTIVITIES, MEASURES, LEARNING)}


def section_named(code: str) -> Section:
    section = SECTIONS.get(code)
    if section is None:
        raise NotVisible(f"No upload section {code}")
    return section


# ---------------------------------------------------------------------------------------------------------
# Templates


def _template_rows(session: Session, site_return: SiteReturn, section: Section) -> list[list[Any]]:
    common = {"site_code": site_return.site.code, "period_code": site_return.reporting_period.code}
    rows = section.existing_rows(session, site_return)
    if not rows and section.key_column == "reference":
        rows = [{}]
    return [[{**common, **row}.get(column.key, "") for column in section.columns] for row in rows]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def template_xlsx(session: Session, site_return: SiteReturn, section: Section) -> bytes:
    """The section's template workbook: the data sheet, a Guidance sheet and an About sheet."""
    workbook = Workbook()
    data = workbook.active
    data.title = section.sheet
    for column_number, column in enumerate(section.columns, start=1):
        write_cell(data, 1, column_number, column.key).font = Font(bold=True)
    for row_number, values in enumerate(_template_rows(session, site_return, section), start=2):
        for column_number, value in enumerate(values, start=1):
            write_cell(data, row_number, column_number, _cell(value))
    data.freeze_panes = "A2"

    guidance = workbook.create_sheet("Guidance")
    for column_number, heading in enumerate(("Column", "Meaning", "Required"), start=1):
        write_cell(guidance, 1, column_number, heading).font = Font(bold=True)
    row_number = 2
    for column in section.columns:
        for column_number, value in enumerate(
            (column.key, f"{column.label}: {column.guidance}", "yes" if column.required else ""), start=1
        ):
            write_cell(guidance, row_number, column_number, value)
        row_number += 1
    row_number += 1
    for column_number, heading in enumerate(("Column", "Allowed value", "What it means"), start=1):
        write_cell(guidance, row_number, column_number, heading).font = Font(bold=True)
    for allowed in section.guidance_lists(site_return):
        row_number += 1
        for column_number, value in enumerate(allowed, start=1):
            write_cell(guidance, row_number, column_number, value)

    about = workbook.create_sheet("About")
    for row_number, (label, value) in enumerate(
        (
            ("Site", site_return.site.name),
            ("Reporting period", site_return.reporting_period.name),
            ("Framework", site_return.framework_version.label),
            ("Section", section.title),
            (
                "How to use",
                "Fill in the first sheet, one row per item, then upload the file on the section's "
                "upload page. Nothing is saved unless every row is valid.",
            ),
        ),
        start=1,
    ):
        write_cell(about, row_number, 1, label).font = Font(bold=True)
        write_cell(about, row_number, 2, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv(session: Session, site_return: SiteReturn, section: Section) -> str:
    """The section's template as RFC 4180 CSV (the guidance is in the XLSX template and on the page)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.key for column in section.columns])
    for values in _template_rows(session, site_return, section):
        writer.writerow([csv_safe(_cell(value)) for value in values])
    return buffer.getvalue()


def template_filename(site_return: SiteReturn, section: Section, extension: str) -> str:
    return f"{site_return.site.code}-{site_return.reporting_period.code}-{section.code}.{extension}"


# ---------------------------------------------------------------------------------------------------------
# Uploads


def _problems_of(error: ReturnError) -> dict[str, str]:
    if isinstance(error, InvalidEvidence):
        return error.problems
    return {error.field or "row": error.message}


def import_upload(
    session: Session, user: User, site_return: SiteReturn, section: Section, content: bytes, filename: str
) -> ImportOutcome:
    """Save every row of an upload, or nothing: ImportRejected lists every problem by row and column.

    Call inside `transaction(session)`: rows are written as they are checked, and the rejection rolls
    the whole upload back. A row naming another site is treated like any request for another site's
    return: NotVisible (404).
    """
    if user.role_enum is not Role.SITE_LEAD:
        raise ReturnError("Only the site's lead can upload evidence")
    require_lead_can_edit(user, site_return)
    try:
        sheet = read_spreadsheet(content, filename, section.sheet)
    except SpreadsheetRefused as refusal:
        raise ImportRejected([RowProblem(0, "file", str(refusal))]) from None
    problems = _header_problems(sheet, section)
    if problems:
        raise ImportRejected(problems)

    labels = {column.key: column.label for column in section.columns}
    outcome = ImportOutcome()
    seen: dict[str, int] = {}
    for number, row in sheet.rows:
        row_problems: dict[str, str] = {}
        if _text(row, "site_code") != site_return.site.code:
            raise NotVisible(f"Upload row {number} names site {_text(row, 'site_code')!r}")
        if _text(row, "period_code") != site_return.reporting_period.code:
            row_problems["period_code"] = (
                f"This row is for period {_text(row, 'period_code') or '(none)'}, but this return is for "
                f"{site_return.reporting_period.code}"
            )
        key = _text(row, section.key_column)
        if not key:
            row_problems[section.key_column] = f"Enter the {labels[section.key_column].lower()}"
        elif key in seen:
            row_problems[section.key_column] = (
                f"The same {labels[section.key_column].lower()} is on row {seen[key]} too"
            )
        else:
            seen[key] = number
        data = section.read_row(row, row_problems)
        if not row_problems:
            try:
                item = section.find_existing(session, site_return, key)
                changed = section.write_row(session, user, site_return, key, data, item)
            except ReturnError as error:
                row_problems.update(_problems_of(error))
            else:
                if item is None:
                    outcome.added += 1
                elif changed:
                    outcome.updated += 1
                else:
                    outcome.unchanged += 1
        problems.extend(
            RowProblem(number, labels.get(name, name), message) for name, message in row_problems.items()
        )
    if not sheet.rows:
        problems.append(RowProblem(0, "file", "The file has no rows to import below the header"))
    if problems:
        raise ImportRejected(problems)
    return outcome


def _header_problems(sheet: SheetRows, section: Section) -> list[RowProblem]:
    missing = [column for column in section.columns if column.required and column.key not in sheet.header]
    return [
        RowProblem(1, column.label, f"The header row has no ‘{column.key}’ column. Start from the template.")
        for column in missing
    ]
