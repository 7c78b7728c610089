"""Costs and savings of a return: readers see the section; only the site's lead changes it, and only
while the return is a draft or returned. Another site's return or item is 404 for the lead."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import CostItem, CostType, Funding, SavingClaim, SiteReturn
from tests.access_rows import ADMINISTRATOR, EVALUATOR, SITE_LEAD, Row, only
from tests.factories import unique_reference

READERS = {ADMINISTRATOR: 200, EVALUATOR: 200, SITE_LEAD: 200}


def return_of(session: Session, return_id: int) -> SiteReturn:
    site_return = session.scalar(select(SiteReturn).where(SiteReturn.id == return_id))
    assert site_return is not None
    return site_return


def add_cost(session: Session, return_id: int) -> int:
    site_return = return_of(session, return_id)
    with transaction(session):
        item = CostItem(
            site_return_id=site_return.id,
            site_id=site_return.site_id,
            import_reference=unique_reference("C"),
            cost_category_id=site_return.framework_version.cost_categories[0].id,
            description="Project manager, 3 days a week",
            amount=Decimal("4500.00"),
            cost_type=CostType.RUNNING.value,
            funding=Funding.CASH.value,
        )
        session.add(item)
    return item.id


def add_saving(session: Session, return_id: int) -> int:
    site_return = return_of(session, return_id)
    with transaction(session):
        item = SavingClaim(
            site_return_id=site_return.id,
            site_id=site_return.site_id,
            import_reference=unique_reference("S"),
            description="Fewer failed home visits",
            amount=Decimal("800.00"),
            evidence="Visit logs before and after address checks",
        )
        session.add(item)
    return item.id


def extend_world(session: Session, world: dict[str, Any]) -> None:
    """A cost and a saving in the lead's draft return, in Leeds' return and in the submitted return (the
    returns come from tests/access_rows/returns.py, whose extend_world runs first)."""
    for prefix, return_key in (
        ("", "return_id"),
        ("other_", "other_return_id"),
        ("submitted_", "submitted_return_id"),
    ):
        world[f"{prefix}cost_id"] = add_cost(session, world[return_key])
        world[f"{prefix}saving_id"] = add_saving(session, world[return_key])


def item_rows(endpoint: str, path: str, key: str) -> list[Row]:
    """Change and delete pages of one kind of item, for the lead's own item, another site's item (in the
    lead's own return's address and in its own), and an item of a submitted return."""
    lead = {SITE_LEAD: 200}
    places = [
        ("{return_id}", f"{{{key}_id}}", None, ""),
        ("{return_id}", f"{{other_{key}_id}}", 404, "another site's item in the lead's return"),
        ("{other_return_id}", f"{{other_{key}_id}}", 404, "another site"),
        ("{submitted_return_id}", f"{{submitted_{key}_id}}", 403, "submitted"),
    ]
    rows = []
    for return_part, item_part, refused, note in places:
        base = f"/returns/{return_part}/{path}/{item_part}"
        for action, post_status in (("edit", 200), ("delete", 302)):
            url = f"{base}/{action}"
            get_status = {SITE_LEAD: refused} if refused else lead
            post = {SITE_LEAD: refused} if refused else {SITE_LEAD: post_status}
            rows.append(Row(f"returns.{endpoint}_{action}", "GET", url, only(get_status), note=note))
            # The form carries the version it was opened at; every item starts at version 1.
            rows.append(Row(f"returns.{endpoint}_{action}", "POST", url, only(post), {"version": "1"}, note))
    return rows


def new_rows(endpoint: str, path: str) -> list[Row]:
    """The add page of one kind of item: an empty form posted is shown again with its errors."""
    rows = []
    for return_part, status, note in (
        ("{return_id}", 200, ""),
        ("{other_return_id}", 404, "another site"),
        ("{submitted_return_id}", 403, "submitted"),
    ):
        url = f"/returns/{return_part}/{path}/new"
        rows.append(Row(f"returns.{endpoint}_new", "GET", url, only({SITE_LEAD: status}), note=note))
        rows.append(Row(f"returns.{endpoint}_new", "POST", url, only({SITE_LEAD: status}), note=note))
    return rows


ROWS = [
    Row("returns.costs", "GET", "/returns/{return_id}/costs", only(READERS)),
    Row(
        "returns.costs",
        "GET",
        "/returns/{other_return_id}/costs",
        only({**READERS, SITE_LEAD: 404}),
        note="another site",
    ),
    Row("returns.costs", "GET", "/returns/{submitted_return_id}/costs", only(READERS), note="submitted"),
    *new_rows("cost", "costs"),
    *item_rows("cost", "costs", "cost"),
    *new_rows("saving", "savings"),
    *item_rows("saving", "savings", "saving"),
]
