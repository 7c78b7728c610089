"""Home pages and the review list stay the same size however many sites and returns there are: the home
page lists the longest-waiting returns and a page of sites, the review list pages through the rest."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from evidence_hub.models import MembershipRole, ReturnStatus, Role
from evidence_hub.returns import views as returns_views
from evidence_hub.review import views as review_views
from evidence_hub.services.home import overview
from tests.conftest import sign_in
from tests.factories import make_member_of, make_programme, make_return, make_site
from tests.pages import page, text_of


@pytest.fixture
def three_waiting(db: Session) -> None:
    for code in ("kent", "leeds", "liverpool"):
        make_return(db, code, period=0, status=ReturnStatus.SUBMITTED)


def test_the_home_page_lists_the_longest_waiting_returns_and_links_to_the_rest(
    client_as: Callable[..., FlaskClient], three_waiting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overview, "HOME_LIST_LENGTH", 2)
    soup = page(client_as(Role.EVALUATOR).get("/"))
    listed = [link for link in soup.select("main a") if "/review/returns/" in link.get("href", "")]
    assert len(listed) == 2
    assert "The 2 waiting longest of 3" in text_of(soup)
    every = [link["href"] for link in soup.select("main a") if "every return waiting" in link.get_text()]
    assert every == ["/review/"]


def test_the_review_list_pages_through_every_return_waiting(
    client_as: Callable[..., FlaskClient], three_waiting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_views, "RETURNS_PER_PAGE", 2)
    client = client_as(Role.EVALUATOR)
    first = page(client.get("/review/"))
    assert "3 returns to review, page 1 of 2" in text_of(first)
    assert len(first.select("tbody tr")) == 2
    second = page(client.get(first.select_one(".govuk-pagination__next a")["href"]))
    assert len(second.select("tbody tr")) == 1


def test_the_home_page_shows_a_page_of_sites_at_a_time(
    client_as: Callable[..., FlaskClient], db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    for code in ("kent", "leeds", "liverpool"):
        make_site(db, code)
    monkeypatch.setattr(overview, "SITES_PER_PAGE", 2)
    client = client_as(Role.EVALUATOR)
    soup = page(client.get("/"))
    assert "Pilot sites, page 1 of 2 (3 sites)" in text_of(soup)
    second = page(client.get(soup.select_one(".govuk-pagination__next a")["href"]))
    assert "Pilot sites, page 2 of 2 (3 sites)" in text_of(second)


def test_the_list_of_all_returns_pages_through_the_latest_period_first_then_by_site(
    client_as: Callable[..., FlaskClient], db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = [
        make_return(db, code, period=period)
        for period in (0, 1)
        for code in ("liverpool", "kent", "leeds")
        if (code, period) != ("liverpool", 0)
    ]
    expected = [
        (site_return.site.name, site_return.reporting_period.name)
        for site_return in sorted(
            made,
            key=lambda site_return: (
                -site_return.reporting_period.starts_on.toordinal(),
                site_return.site.name,
                site_return.id,
            ),
        )
    ]
    monkeypatch.setattr(review_views, "RETURNS_PER_PAGE", 2)
    client = client_as(Role.EVALUATOR)
    shown = []  # The second page holds the last of the later period's returns and the first of the earlier.
    soup = page(client.get("/review/returns"))
    assert "5 returns, page 1 of 3" in text_of(soup)
    while True:
        shown += [
            (text_of(row.select_one("th")), text_of(row.select("td")[0])) for row in soup.select("tbody tr")
        ]
        following = soup.select_one(".govuk-pagination__next a")
        if following is None:
            break
        soup = page(client.get(following["href"]))
    assert shown == expected
    assert "5 returns, page 3 of 3" in text_of(page(client.get("/review/returns?page=99")))


def test_the_list_of_sites_to_choose_returns_from_shows_a_page_at_a_time(
    client_as: Callable[..., FlaskClient], db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    for code in ("kent", "leeds", "liverpool"):
        make_site(db, code)
    monkeypatch.setattr(returns_views, "SITES_PER_PAGE", 2)
    client = client_as(Role.EVALUATOR)

    first = page(client.get("/returns/"))
    assert [text_of(link) for link in first.select("main ul.govuk-list a")] == ["Kent", "Leeds"]
    assert "3 sites, page 1 of 2" in text_of(first)
    second = page(client.get(first.select_one(".govuk-pagination__next a")["href"]))
    assert [text_of(link) for link in second.select("main ul.govuk-list a")] == ["Liverpool City Region"]
    assert text_of(second.select_one("title")).startswith("Site returns, page 2 of 2")


def test_a_short_list_of_sites_to_choose_from_has_no_pages(
    client_as: Callable[..., FlaskClient], db: Session
) -> None:
    make_site(db, "kent")
    soup = page(client_as(Role.EVALUATOR).get("/returns/"))
    assert [text_of(link) for link in soup.select("main ul.govuk-list a")] == ["Kent"]
    assert soup.select_one(".govuk-pagination") is None


def test_the_filter_of_every_return_offers_only_the_sites_of_the_evaluators_programmes(
    client: FlaskClient, db: Session
) -> None:
    make_site(db, "kent")
    libraries = make_programme(db, "libraries", sites=("york",))
    evaluator = make_member_of(db, libraries, Role.EVALUATOR, MembershipRole.EVALUATOR)
    sign_in(client, evaluator.email)

    soup = page(client.get("/review/returns"))
    assert [text_of(option) for option in soup.select("#site option")] == ["Any site", "York"]
