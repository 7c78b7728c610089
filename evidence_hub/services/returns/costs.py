"""Costs of a return: the rules a cost must meet, whether it comes from the web form or a spreadsheet row,
and the return's costs added up.

Every rule lives here, including those a form cannot check (the category belongs to the return's framework
version, staff time matches the amount), so both routes refuse the same things with the same words. The
item service (items.py) adds, changes and deletes costs under the rules every item shares.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from evidence_hub.formatting import money
from evidence_hub.models.framework import CostCategory
from evidence_hub.models.returns import CostItem, CostType, Funding, ReturnSection, SiteReturn, TimeUnit
from evidence_hub.models.summaries import ReturnCostTotal, ReturnSavingTotal
from evidence_hub.services.common.money import pounds_from_attributable_units, pounds_from_pence
from evidence_hub.services.common.values import clean_text, snapshot
from evidence_hub.services.returns.input_rules import (
    MAX_AMOUNT,
    PENNY,
    Problems,
    money_problem,
    plain_number,
    text_problem,
)
from evidence_hub.services.returns.items import EvidenceItems

HUNDRED = Decimal(100)
# The funder column's size (models/returns.py).
MAX_FUNDER = 200
MAX_STAFF_TIME = Decimal("100000")


@dataclass(frozen=True)
class CostInput:
    """A cost as entered. The category is chosen by id (forms) or by code (spreadsheets)."""

    description: str = ""
    amount: Decimal | None = None
    cost_type: str = ""
    funding: str = ""
    category_id: int | None = None
    category_code: str | None = None
    attributable_percent: Decimal | None = HUNDRED
    attribution_reason: str = ""
    staff_time_quantity: Decimal | None = None
    staff_time_unit: str | None = None
    staff_rate: Decimal | None = None
    funder: str = ""


@dataclass(frozen=True)
class CleanCost:
    """A cost that has passed every rule, ready to be written to a CostItem."""

    category: CostCategory
    description: str
    amount: Decimal
    cost_type: str
    funding: str
    attributable_percent: Decimal
    attribution_reason: str
    staff_time_quantity: Decimal | None
    staff_time_unit: str | None
    staff_rate: Decimal | None
    funder: str

    @classmethod
    def of(cls, item: CostItem) -> CleanCost:
        return cls(
            category=item.category,
            description=item.description,
            amount=item.amount,
            cost_type=item.cost_type,
            funding=item.funding,
            attributable_percent=item.attributable_percent,
            attribution_reason=item.attribution_reason,
            staff_time_quantity=item.staff_time_quantity,
            staff_time_unit=item.staff_time_unit,
            staff_rate=item.staff_rate,
            funder=item.funder,
        )


def _number_problem(value: Decimal, label: str, maximum: Decimal) -> str | None:
    if not isinstance(value, Decimal) or not value.is_finite():
        return f"{label} must be a number, like 7.5"
    if value <= 0:
        return f"{label} must be more than 0"
    if value > maximum:
        return f"{label} must be {maximum:,} or less"
    if value != value.quantize(PENNY):
        return f"{label} must have no more than 2 decimal places"
    return None


def staff_time_cost(quantity: Decimal, rate: Decimal) -> Decimal:
    """Time times rate, rounded half up to the penny: the amount of a staff-time cost."""
    return (quantity * rate).quantize(PENNY, rounding=ROUND_HALF_UP)


def staff_time_text(quantity: Decimal | None, unit: str | None, rate: Decimal | None) -> str:
    """'10 hours at £25.00 an hour', or '' when there is no staff time."""
    if quantity is None or unit is None or rate is None:
        return ""
    per = "an hour" if unit == TimeUnit.HOURS.value else "a day"
    unit_word = unit if quantity != 1 else unit.removesuffix("s")
    return f"{plain_number(quantity)} {unit_word} at {money(rate)} {per}"


def choice_problem(value: str, choices: type[CostType] | type[Funding], missing: str) -> str | None:
    """What is wrong with a choice of set-up or running, cash or in kind, or None."""
    if not value:
        return missing
    if value not in {member.value for member in choices}:
        options = ", ".join(f"{member.value} ({member.label})" for member in choices)
        return f"'{value}' is not a choice here: use one of {options}"
    return None


def _category(site_return: SiteReturn, data: CostInput) -> tuple[CostCategory | None, str | None]:
    categories = site_return.framework_version.cost_categories
    if data.category_id is not None:
        found = next((category for category in categories if category.id == data.category_id), None)
        if found is None:
            return None, "Select one of the cost categories listed"
        return found, None
    code = clean_text(data.category_code)
    if code:
        found = next((category for category in categories if category.code.upper() == code.upper()), None)
        if found is None:
            known = ", ".join(category.code for category in categories)
            return None, (
                f"'{code}' is not a cost category in version {site_return.framework_version.version} of "
                f"the framework: use one of {known}"
            )
        return found, None
    return None, "Select a cost category"


def check_cost(site_return: SiteReturn, data: CostInput) -> tuple[dict[str, str], CleanCost | None]:
    """Every problem with a cost, by field, and the checked cost when there are none."""
    problems = Problems()
    note = problems.note
    category, message = _category(site_return, data)
    note("category", message)

    description = clean_text(data.description)
    note("description", "Enter a description of the cost" if not description else None)
    note("description", text_problem(description, "Description"))

    amount = data.amount
    note("amount", money_problem(amount, "Amount"))

    note(
        "cost_type",
        choice_problem(
            data.cost_type,
            CostType,
            "Select whether this is a one-off set-up cost or a recurring running cost",
        ),
    )
    note(
        "funding",
        choice_problem(data.funding, Funding, "Select whether this cost was paid in cash or given in kind"),
    )
    if category is not None and category.in_kind and data.funding == Funding.CASH.value:
        note("funding", f"{category.name} is an in-kind category: select In kind, or choose another category")

    percent = data.attributable_percent
    if percent is None:
        note("attributable_percent", "Enter the share of this cost attributable to the pilot, from 0 to 100")
    elif not isinstance(percent, Decimal) or not percent.is_finite():
        note("attributable_percent", "Share attributable to the pilot must be a number from 0 to 100")
    elif percent < 0 or percent > HUNDRED:
        note("attributable_percent", "Share attributable to the pilot must be between 0 and 100")
    elif percent != percent.quantize(PENNY):
        note(
            "attributable_percent", "Share attributable to the pilot must have no more than 2 decimal places"
        )
    reason = clean_text(data.attribution_reason)
    part_only = percent is not None and "attributable_percent" not in problems and percent < HUNDRED
    if part_only and not reason:
        note(
            "attribution_reason",
            f"Explain why only {plain_number(percent)}% of this cost is attributable to the pilot",
        )
    note("attribution_reason", text_problem(reason, "Reason"))

    quantity, unit, rate = data.staff_time_quantity, data.staff_time_unit or None, data.staff_rate
    computed: Decimal | None = None
    if quantity is not None or unit is not None or rate is not None:
        if quantity is None:
            note("staff_time_quantity", "Enter the staff time, in hours or days")
        else:
            note("staff_time_quantity", _number_problem(quantity, "Staff time", MAX_STAFF_TIME))
        if unit is None:
            note("staff_time_unit", "Select whether the staff time is in hours or days")
        elif unit not in {member.value for member in TimeUnit}:
            note("staff_time_unit", f"'{unit}' is not a unit of time here: use hours or days")
        if rate is None:
            note("staff_rate", "Enter the rate for an hour or a day of staff time")
        else:
            note("staff_rate", money_problem(rate, "Rate", more_than_zero=True))
        staff_fields = {"staff_time_quantity", "staff_time_unit", "staff_rate"}
        if quantity is not None and rate is not None and not staff_fields & problems.keys():
            computed = staff_time_cost(quantity, rate)
            if computed > MAX_AMOUNT:
                note(
                    "staff_time_quantity",
                    f"Staff time at this rate comes to {money(computed)}, more than {money(MAX_AMOUNT)}: "
                    "check the time and the rate",
                )
                computed = None
            elif amount is not None and "amount" not in problems and amount != computed:
                note(
                    "amount",
                    f"The amount you entered, {money(amount)}, does not match the staff time: "
                    f"{staff_time_text(quantity, unit, rate)} comes to {money(computed)}. "
                    f"Clear the amount to use {money(computed)}, or correct the staff time or rate",
                )
    elif amount is None:
        note("amount", "Enter the amount in pounds, or the staff time and rate")

    funder = clean_text(data.funder)
    note("funder", text_problem(funder, "Funder", MAX_FUNDER))

    if problems or category is None or percent is None:
        return problems, None
    staff = computed is not None and quantity is not None and rate is not None
    chosen_amount = computed if computed is not None else amount
    if chosen_amount is None:
        return problems, None
    return problems, CleanCost(
        category=category,
        description=description,
        amount=chosen_amount.quantize(PENNY),
        cost_type=data.cost_type,
        funding=data.funding,
        attributable_percent=percent.quantize(PENNY),
        attribution_reason=reason if part_only else "",
        staff_time_quantity=quantity.quantize(PENNY) if staff and quantity is not None else None,
        staff_time_unit=unit if staff else None,
        staff_rate=rate.quantize(PENNY) if staff and rate is not None else None,
        funder=funder,
    )


class CostItems(EvidenceItems[CostItem, CostInput, CleanCost]):
    model = CostItem
    noun = "cost"
    section = ReturnSection.COSTS
    collection = "costs"
    reference_prefix = "C"
    field_labels: ClassVar[dict[str, str]] = {
        "category": "Cost category",
        "description": "Description",
        "amount": "Amount",
        "cost_type": "Set-up or running",
        "funding": "Cash or in kind",
        "attributable_percent": "Share attributable to the pilot",
        "attribution_reason": "Why only part is attributable",
        "staff_time": "Staff time",
        "funder": "Funder",
    }

    def check(self, site_return: SiteReturn, data: CostInput) -> tuple[dict[str, str], CleanCost | None]:
        return check_cost(site_return, data)

    def checked_of(self, item: CostItem) -> CleanCost:
        return CleanCost.of(item)

    def write(self, item: CostItem, clean: CleanCost) -> None:
        item.category = clean.category
        item.cost_category_id = clean.category.id
        item.description = clean.description
        item.amount = clean.amount
        item.cost_type = clean.cost_type
        item.funding = clean.funding
        item.attributable_percent = clean.attributable_percent
        item.attribution_reason = clean.attribution_reason
        item.staff_time_quantity = clean.staff_time_quantity
        item.staff_time_unit = clean.staff_time_unit
        item.staff_rate = clean.staff_rate
        item.funder = clean.funder

    def describe(self, clean: CleanCost) -> dict[str, str]:
        return {
            "category": clean.category.name,
            "description": clean.description,
            "amount": money(clean.amount),
            "cost_type": CostType(clean.cost_type).label,
            "funding": Funding(clean.funding).label,
            "attributable_percent": f"{plain_number(clean.attributable_percent)}%",
            "attribution_reason": clean.attribution_reason,
            "staff_time": staff_time_text(clean.staff_time_quantity, clean.staff_time_unit, clean.staff_rate),
            "funder": clean.funder,
        }

    def summary(self, item: CostItem) -> str:
        staff = staff_time_text(item.staff_time_quantity, item.staff_time_unit, item.staff_rate)
        worked_out = f", worked out from {staff}" if staff else ""
        return f"{item.category.name}, {money(item.amount)}{worked_out}"

    def audit_values(self, item: CostItem) -> dict[str, Any]:
        return snapshot(item, extra={"category": item.category.code})


COSTS = CostItems()


# The return's costs added up


@dataclass(frozen=True)
class CostLine:
    """One line of the totals table: the full cost and the part attributable to the pilot."""

    label: str
    total: Decimal
    attributable: Decimal


@dataclass(frozen=True)
class CostTotals:
    total: CostLine
    by_type: list[CostLine]
    by_funding: list[CostLine]
    savings: Decimal
    cost_count: int
    saving_count: int


def cost_totals(site_return: SiteReturn) -> CostTotals:
    """The return's costs added up: in all, set-up against running, cash against in kind; and savings.

    Read from the figures kept per return (models/summaries.py): whole pence and pence × hundredths of a
    percent, exact, so the totals are those of adding every item, without loading a thousand of them."""
    session = _session_of(site_return)
    kept = ReturnCostTotal
    sums: dict[tuple[str, str], tuple[int, int, int]] = {
        (cost_type, funding): (int(lines), int(pence), int(units))
        for cost_type, funding, lines, pence, units in session.execute(
            select(
                kept.cost_type,
                kept.funding,
                func.sum(kept.lines),
                func.sum(kept.recorded_pence),
                func.sum(kept.attributable_units),
            )
            .where(kept.site_return_id == site_return.id)
            .group_by(kept.cost_type, kept.funding)
        )
    }
    claims, saved_pence = session.execute(
        select(ReturnSavingTotal.claims, ReturnSavingTotal.amount_pence).where(
            ReturnSavingTotal.site_return_id == site_return.id
        )
    ).first() or (0, 0)

    def line(label: str, chosen: Iterable[tuple[int, int, int]]) -> CostLine:
        parts = list(chosen)
        return CostLine(
            label,
            pounds_from_pence(sum(pence for _lines, pence, _units in parts)).quantize(PENNY),
            pounds_from_attributable_units(sum(units for _lines, _pence, units in parts)).quantize(PENNY),
        )

    return CostTotals(
        total=line("All costs", sums.values()),
        by_type=[
            line(f"{kind.label} costs", (each for key, each in sums.items() if key[0] == kind.value))
            for kind in CostType
        ],
        by_funding=[
            line(f"{kind.label} costs", (each for key, each in sums.items() if key[1] == kind.value))
            for kind in Funding
        ],
        savings=pounds_from_pence(saved_pence).quantize(PENNY),
        cost_count=sum(lines for lines, _pence, _units in sums.values()),
        saving_count=int(claims),
    )


def _session_of(site_return: SiteReturn) -> Session:
    session = object_session(site_return)
    if session is None:
        raise ValueError("The return is not in a database session")
    return session
