"""A site's returns across every period, with each return's totals as the items add them up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Role
from evidence_hub.models.periods import PeriodKind
from evidence_hub.models.returns import ReturnStatus
from evidence_hub.services.framework.periods import add_reporting_periods
from evidence_hub.services.returns.activities import ACTIVITIES, ActivityInput
from evidence_hub.services.returns.costs import COSTS, CostInput
from evidence_hub.services.returns.learning import LEARNING, LearningInput
from tests.factories import make_return, make_site, make_user, periods_of, the_framework
from tests.pages import page, text_of


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


def _periods_from_2009_to_2015(db: Session) -> list[str]:
    """The framework's four quarters from 2009 Q2 and 21 more after them: 25 periods, newest first."""
    framework = the_framework(db)
    with transaction(db):
        add_reporting_periods(
            db, framework, kind=PeriodKind.QUARTER, first_starts_on=date(2010, 4, 1), count=21, actor=None
        )
    return [period.name for period in reversed(periods_of(db, framework))]


def _position(soup: BeautifulSoup) -> str:
    return text_of(soup.select_one(".app-list-position"))


def _listed_periods(soup: BeautifulSoup) -> list[str]:
    return [row.find("th").get_text(" ", strip=True) for row in soup.select("tbody tr")]


def test_a_site_with_many_periods_lists_them_newest_first_twenty_a_page(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    oldest_return = make_return(db, "kent", period=0, status=ReturnStatus.APPROVED)
    newest_first = _periods_from_2009_to_2015(db)
    evaluator = client_as(Role.EVALUATOR)
    address = f"/returns/sites/{oldest_return.site_id}"

    first = page(evaluator.get(address))
    assert _listed_periods(first) == newest_first[:20]
    assert _position(first) == "Periods 1 to 20 of 25, newest first, page 1 of 2."
    assert first.select_one(".govuk-pagination__next a")["href"] == f"{address}?page=2"
    assert first.find("title").get_text(strip=True).startswith("Kent")

    second = page(evaluator.get(f"{address}?page=2"))
    assert _listed_periods(second) == newest_first[20:]
    assert _position(second) == "Periods 21 to 25 of 25, newest first, page 2 of 2."
    assert "page 2 of 2" in second.find("title").get_text(strip=True)
    # The oldest period's return is on the last page, linked to its task list, with its status.
    oldest_row = second.select("tbody tr")[-1]
    assert oldest_row.find("a")["href"] == f"/returns/{oldest_return.id}"
    assert "Approved" in oldest_row.get_text(" ", strip=True)

    # A page past the last shows the last; nonsense shows the first.
    assert _listed_periods(page(evaluator.get(f"{address}?page=99"))) == newest_first[20:]
    assert _listed_periods(page(evaluator.get(f"{address}?page=nonsense"))) == newest_first[:20]


def test_the_lead_starts_the_newest_period_from_the_first_page(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    site = make_site(db, "kent")
    newest_first = _periods_from_2009_to_2015(db)
    soup = page(client_as(Role.SITE_LEAD, site="kent").get(f"/returns/sites/{site.id}"))

    first_row = soup.select("tbody tr")[0]
    assert first_row.find("th").get_text(" ", strip=True) == newest_first[0]
    assert first_row.find("button").get_text(" ", strip=True) == f"Start return for {newest_first[0]}"


def test_a_site_with_a_page_of_periods_or_fewer_shows_no_pages(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = make_return(db, "kent")

    soup = page(client_as(Role.EVALUATOR).get(f"/returns/sites/{site_return.site_id}"))

    assert len(_listed_periods(soup)) == 4
    assert soup.select_one(".app-list-position") is None
    assert soup.select_one(".govuk-pagination") is None
