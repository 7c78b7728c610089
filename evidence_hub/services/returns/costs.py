"""Costs and savings of a return: adding, changing and deleting them under the framework's rules.

The web forms and the spreadsheet upload both pass plain data (`CostInput`, `SavingInput`). Every rule
lives here, including those a form cannot check (the category belongs to the return's framework
version, staff time matches the amount), so both routes refuse the same things with the same words:
`InvalidCost` maps each field's name to a message saying what to do, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from evidence_hub.formatting import money
from evidence_hub.models import User
from evidence_hub.models.framework import CostCategory, EvidenceLevel
from evidence_hub.models.returns import CostItem, CostType, Funding, SavingClaim, SiteReturn, TimeUnit
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.returns.items import (
    check_version,
    evidence_key,
    evidence_level_named,
    record_created,
    record_deleted,
    record_updated,
    snapshot,
    visible_item,
)
from evidence_hub.services.returns.workflow import InvalidEvidence, require_lead_can_edit

PENNY = Decimal("0.01")
HUNDRED = Decimal(100)
# Free text is stored as Text; this keeps a pasted document (or an attack) out of a single field.
MAX_TEXT = 5000
# Column sizes (models/returns.py).
MAX_FUNDER = 200
MAX_IMPORT_REFERENCE = 60
# No single cost or saving of a local pilot comes near £100 million: a larger figure is a typing slip.
MAX_AMOUNT = Decimal("100000000")
MAX_STAFF_TIME = Decimal("100000")


class InvalidCost(InvalidEvidence):
    """The cost or saving cannot be saved: `problems` maps each field's name to its message."""


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
class SavingInput:
    """A saving (a cost avoided) as entered. The evidence level is chosen by id (forms) or by a code
    such as "maryland:3" (the scale's code and the level, for spreadsheets); both are optional."""

    description: str = ""
    amount: Decimal | None = None
    evidence: str = ""
    evidence_level_id: int | None = None
    evidence_level_code: str | None = None


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


@dataclass(frozen=True)
class CleanSaving:
    description: str
    amount: Decimal
    evidence: str
    evidence_level: EvidenceLevel | None

    @classmethod
    def of(cls, item: SavingClaim) -> CleanSaving:
        return cls(item.description, item.amount, item.evidence, item.evidence_level)


# Rules shared by every field


def clean_text(value: str | None) -> str:
    """Text as stored: trimmed, without NUL characters (which PostgreSQL refuses in text)."""
    return (value or "").replace("\x00", "").strip()


def _text_problem(value: str, label: str, limit: int = MAX_TEXT) -> str | None:
    if len(value) > limit:
        return f"{label} must be {limit:,} characters or fewer"
    return None


def money_problem(value: Decimal | None, label: str, *, more_than_zero: bool = False) -> str | None:
    """What is wrong with an amount of money in pounds, or None when it is acceptable."""
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        return f"{label} must be a number, like 1250.50"
    if value < 0:
        return f"{label} must be £0 or more"
    if more_than_zero and value == 0:
        return f"{label} must be more than £0"
    if value > MAX_AMOUNT:
        return f"{label} must be {money(MAX_AMOUNT)} or less"
    if value != value.quantize(PENNY):
        return f"{label} must be in pounds and pence, with no more than 2 decimal places"
    return None


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


def plain_number(value: Decimal | None) -> str:
    """7.5 rather than 7.50, 10 rather than 10.00; thousands separated."""
    if value is None:
        return ""
    normal = value.normalize()
    return f"{normal:,.0f}" if normal == normal.to_integral() else f"{normal:,f}"


def staff_time_text(quantity: Decimal | None, unit: str | None, rate: Decimal | None) -> str:
    """'10 hours at £25.00 an hour', or '' when there is no staff time."""
    if quantity is None or unit is None or rate is None:
        return ""
    per = "an hour" if unit == TimeUnit.HOURS.value else "a day"
    unit_word = unit if quantity != 1 else unit.removesuffix("s")
    return f"{plain_number(quantity)} {unit_word} at {money(rate)} {per}"


def _choice_problem(value: str, choices: type[CostType] | type[Funding], missing: str) -> str | None:
    if not value:
        return missing
    if value not in {member.value for member in choices}:
        options = ", ".join(f"{member.value} ({member.label})" for member in choices)
        return f"'{value}' is not a choice here: use one of {options}"
    return None


# Costs


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


def _check_cost(site_return: SiteReturn, data: CostInput) -> tuple[dict[str, str], CleanCost | None]:
    problems: dict[str, str] = {}

    def note(field: str, message: str | None) -> None:
        if message and field not in problems:
            problems[field] = message

    category, message = _category(site_return, data)
    note("category", message)

    description = clean_text(data.description)
    note("description", "Enter a description of the cost" if not description else None)
    note("description", _text_problem(description, "Description"))

    amount = data.amount
    note("amount", money_problem(amount, "Amount"))

    note(
        "cost_type",
        _choice_problem(
            data.cost_type,
            CostType,
            "Select whether this is a one-off set-up cost or a recurring running cost",
        ),
    )
    note(
        "funding",
        _choice_problem(data.funding, Funding, "Select whether this cost was paid in cash or given in kind"),
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
    note("attribution_reason", _text_problem(reason, "Reason"))

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
    note("funder", _text_problem(funder, "Funder", MAX_FUNDER))

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


def cost_problems(site_return: SiteReturn, data: CostInput) -> dict[str, str]:
    """Everything wrong with this cost, field by field (empty when it can be saved)."""
    return _check_cost(site_return, data)[0]


def _clean_cost(site_return: SiteReturn, data: CostInput) -> CleanCost:
    problems, clean = _check_cost(site_return, data)
    if problems or clean is None:
        raise InvalidCost(problems)
    return clean


def _import_reference_problem(reference: str | None) -> None:
    if reference is not None and len(reference) > MAX_IMPORT_REFERENCE:
        raise InvalidCost(
            {"import_reference": f"Reference must be {MAX_IMPORT_REFERENCE} characters or fewer"}
        )


def _write_cost(item: CostItem, clean: CleanCost) -> None:
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


def _audit_cost(item: CostItem) -> dict[str, Any]:
    return snapshot(item, extra={"category": item.category.code})


def describe_cost(clean: CleanCost) -> dict[str, str]:
    """A cost in words, field by field: what the page shows when two people changed it at once."""
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


def add_cost(
    session: Session,
    user: User,
    site_return: SiteReturn,
    data: CostInput,
    import_reference: str | None = None,
) -> CostItem:
    """Add a cost to the return, audited; InvalidCost (nothing saved) when any field is wrong."""
    require_lead_can_edit(user, site_return)
    clean = _clean_cost(site_return, data)
    _import_reference_problem(import_reference)
    item = CostItem(
        site_return_id=site_return.id, site_id=site_return.site_id, import_reference=import_reference
    )
    _write_cost(item, clean)
    item.site_return = site_return
    session.add(item)
    session.flush()
    record_created(session, user, item, after=_audit_cost(item))
    return item


def update_cost(
    session: Session, user: User, item: CostItem, data: CostInput, submitted_version: int | None
) -> bool:
    """Change a cost, audited; True if anything changed. StaleEdit when somebody saved it meanwhile."""
    site_return = item.site_return
    require_lead_can_edit(user, site_return)
    clean = _clean_cost(site_return, data)
    check_version(item, submitted_version, describe_cost(clean), describe_cost(CleanCost.of(item)))
    before = _audit_cost(item)
    _write_cost(item, clean)
    return record_updated(session, user, item, before, _audit_cost(item))


def delete_cost(session: Session, user: User, item: CostItem, submitted_version: int | None = None) -> None:
    """Delete a cost, audited with everything it held. StaleEdit when it changed after the user looked."""
    site_return = item.site_return
    require_lead_can_edit(user, site_return)
    check_version(item, submitted_version, {}, describe_cost(CleanCost.of(item)))
    record_deleted(session, user, item, before=_audit_cost(item))
    session.delete(item)
    session.flush()
    session.expire(site_return, ["costs"])


def cost_in_return(session: Session, user: User, site_return: SiteReturn, cost_id: int) -> CostItem:
    """The return's cost with this id, if the user may see it; NotVisible (404) otherwise."""
    item = visible_item(session, user, CostItem, cost_id)
    if item.site_return_id != site_return.id:
        raise NotVisible(f"No cost {cost_id} in return {site_return.id}")
    return item


# Savings


def _evidence_level(site_return: SiteReturn, data: SavingInput) -> tuple[EvidenceLevel | None, str | None]:
    levels = site_return.framework_version.evidence_levels
    if data.evidence_level_id is not None:
        found = next((level for level in levels if level.id == data.evidence_level_id), None)
        return (found, None) if found else (None, "Select one of the evidence levels listed")
    code = clean_text(data.evidence_level_code)
    if not code:
        return None, None
    found = evidence_level_named(levels, code)
    if found is None:
        known = ", ".join(sorted(evidence_key(level) for level in levels))
        return None, f"'{code}' is not an evidence level in this framework: use one of {known}"
    return found, None


def _check_saving(site_return: SiteReturn, data: SavingInput) -> tuple[dict[str, str], CleanSaving | None]:
    problems: dict[str, str] = {}

    def note(field: str, message: str | None) -> None:
        if message and field not in problems:
            problems[field] = message

    description = clean_text(data.description)
    note("description", "Enter a description of the saving or cost avoided" if not description else None)
    note("description", _text_problem(description, "Description"))
    if data.amount is None:
        note("amount", "Enter the amount saved, in pounds")
    note("amount", money_problem(data.amount, "Amount saved", more_than_zero=True))
    evidence = clean_text(data.evidence)
    note(
        "evidence",
        "Enter the evidence for this saving: how you know it happened and how you valued it"
        if not evidence
        else None,
    )
    note("evidence", _text_problem(evidence, "Evidence"))
    level, message = _evidence_level(site_return, data)
    note("evidence_level", message)
    if problems or data.amount is None:
        return problems, None
    return problems, CleanSaving(description, data.amount.quantize(PENNY), evidence, level)


def saving_problems(site_return: SiteReturn, data: SavingInput) -> dict[str, str]:
    """Everything wrong with this saving, field by field (empty when it can be saved)."""
    return _check_saving(site_return, data)[0]


def _clean_saving(site_return: SiteReturn, data: SavingInput) -> CleanSaving:
    problems, clean = _check_saving(site_return, data)
    if problems or clean is None:
        raise InvalidCost(problems)
    return clean


def _write_saving(item: SavingClaim, clean: CleanSaving) -> None:
    item.description = clean.description
    item.amount = clean.amount
    item.evidence = clean.evidence
    item.evidence_level = clean.evidence_level
    item.evidence_level_id = clean.evidence_level.id if clean.evidence_level else None


def _audit_saving(item: SavingClaim) -> dict[str, Any]:
    level = item.evidence_level
    return snapshot(item, extra={"evidence_level": f"{level.scale.code}-{level.level}" if level else None})


def describe_saving(clean: CleanSaving) -> dict[str, str]:
    return {
        "description": clean.description,
        "amount": money(clean.amount),
        "evidence": clean.evidence,
        "evidence_level": clean.evidence_level.label if clean.evidence_level else "Not assessed",
    }


def add_saving(
    session: Session,
    user: User,
    site_return: SiteReturn,
    data: SavingInput,
    import_reference: str | None = None,
) -> SavingClaim:
    """Record a saving or cost avoided, with its evidence, audited."""
    require_lead_can_edit(user, site_return)
    clean = _clean_saving(site_return, data)
    _import_reference_problem(import_reference)
    item = SavingClaim(
        site_return_id=site_return.id, site_id=site_return.site_id, import_reference=import_reference
    )
    _write_saving(item, clean)
    item.site_return = site_return
    session.add(item)
    session.flush()
    record_created(session, user, item, after=_audit_saving(item))
    return item


def update_saving(
    session: Session, user: User, item: SavingClaim, data: SavingInput, submitted_version: int | None
) -> bool:
    site_return = item.site_return
    require_lead_can_edit(user, site_return)
    clean = _clean_saving(site_return, data)
    check_version(item, submitted_version, describe_saving(clean), describe_saving(CleanSaving.of(item)))
    before = _audit_saving(item)
    _write_saving(item, clean)
    return record_updated(session, user, item, before, _audit_saving(item))


def delete_saving(
    session: Session, user: User, item: SavingClaim, submitted_version: int | None = None
) -> None:
    site_return = item.site_return
    require_lead_can_edit(user, site_return)
    check_version(item, submitted_version, {}, describe_saving(CleanSaving.of(item)))
    record_deleted(session, user, item, before=_audit_saving(item))
    session.delete(item)
    session.flush()
    session.expire(site_return, ["savings"])


def saving_in_return(session: Session, user: User, site_return: SiteReturn, saving_id: int) -> SavingClaim:
    """The return's saving with this id, if the user may see it; NotVisible (404) otherwise."""
    item = visible_item(session, user, SavingClaim, saving_id)
    if item.site_return_id != site_return.id:
        raise NotVisible(f"No saving {saving_id} in return {site_return.id}")
    return item


# Totals


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


def _line(label: str, items: Iterable[CostItem]) -> CostLine:
    chosen = list(items)
    total = sum((item.amount for item in chosen), Decimal(0))
    # Summed before rounding, as the site overview sums in SQL, so the two pages agree to the penny.
    attributable = sum((item.amount * item.attributable_percent / HUNDRED for item in chosen), Decimal(0))
    return CostLine(label, total.quantize(PENNY), attributable.quantize(PENNY))


def cost_totals(site_return: SiteReturn) -> CostTotals:
    """The return's costs added up: in all, set-up against running, cash against in kind; and savings."""
    costs = list(site_return.costs)
    savings = list(site_return.savings)
    return CostTotals(
        total=_line("All costs", costs),
        by_type=[
            _line(f"{kind.label} costs", (item for item in costs if item.cost_type == kind.value))
            for kind in CostType
        ],
        by_funding=[
            _line(f"{kind.label} costs", (item for item in costs if item.funding == kind.value))
            for kind in Funding
        ],
        savings=sum((item.amount for item in savings), Decimal(0)).quantize(PENNY),
        cost_count=len(costs),
        saving_count=len(savings),
    )
