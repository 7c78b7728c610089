"""A site's returns across every period, with each return's totals as the items add them up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Role
from evidence_hub.services.returns.activities import ACTIVITIES, ActivityInput
from evidence_hub.services.returns.costs import COSTS, CostInput
from evidence_hub.services.returns.learning import LEARNING, LearningInput
from tests.factories import make_return, make_user
from tests.pages import page


def test_the_overview_shows_each_returns_totals_added_up_from_its_items(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = make_return(db, "kent")
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    version, period = site_return.framework_version, site_return.reporting_period
    with transaction(db):
        for amount, percent in (("1000.00", "100"), ("333.33", "50"), ("0.01", "33.33")):
            COSTS.add(
                db,
                lead,
                site_return,
                CostInput(
                    category_id=version.cost_categories[0].id,
                    description="Staff",
                    amount=Decimal(amount),
                    cost_type="running",
                    funding="cash",
                    attributable_percent=Decimal(percent),
                    attribution_reason="Shared" if percent != "100" else "",
                ),
            )
        for people in (12, None, 30):
            ACTIVITIES.add(
                db,
                lead,
                site_return,
                ActivityInput(
                    activity_type_id=version.activity_types[0].id,
                    title="Workshop",
                    starts_on=period.starts_on + timedelta(days=3),
                    people_reached=people,
                ),
            )
        LEARNING.add(
            db,
            lead,
            site_return,
            LearningInput(
                learning_type="barrier",
                dimensions=[dimension.code for dimension in version.learning_dimensions[:2]],
                title="Slow approvals",
                what_happened="Six months.",
            ),
        )

    soup = page(client_as(Role.EVALUATOR).get(f"/returns/sites/{site_return.site_id}"))

    row = next(
        row for row in soup.select("tbody tr") if period.name in row.find("th").get_text(" ", strip=True)
    )
    cells = [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
    # £1,000.00 + £333.33 + £0.01 recorded; £1,000.00 + £166.665 + £0.003333 attributable, to the penny.
    assert cells[1:] == ["£1,333.34", "£1,166.67", "3", "42", "1"]
