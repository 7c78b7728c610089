"""The dashboards as people use them: filters in the address, errors beside the field, the CSV under each
chart, what a site lead sees with and without cross-site sharing, and the assets the charts need.

Exact figures are pinned in tests/unit/test_dashboard_figures.py; these tests read the pages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.chart_assets import stylesheet
from evidence_hub.chart_assets import views as chart_assets
from evidence_hub.dashboard import views as dashboard_views
from evidence_hub.db import transaction
from evidence_hub.models import AuditEvent, Framework, LearningEntry, LearningType, ReturnStatus, Role
from tests.factories import make_return, make_site, periods_of, the_framework, unique_reference
from tests.pages import error_summary, field_error, page, text_of
from tests.returns_helpers import add_cost


@pytest.fixture
def three_sites(db: Session) -> Framework:
    """Kent and Leeds approved in the first two quarters, Liverpool's first quarter still a draft."""
    framework = the_framework(db)
    for code in ("kent", "leeds"):
        for period in (0, 1):
            add_cost(db, make_return(db, code, period=period, status=ReturnStatus.APPROVED), amount="1000.00")
    add_cost(db, make_return(db, "liverpool", period=0, status=ReturnStatus.DRAFT), amount="777.00")
    return framework


def table_rows(soup: BeautifulSoup, caption: str) -> list[list[str]]:
    for table in soup.select("table"):
        found = table.select_one("caption")
        if found is not None and found.get_text(" ", strip=True) == caption:
            return [
                [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
                for row in table.select("tbody tr")
            ]
    raise AssertionError(f"no table captioned {caption!r}")


def csv_link(panel: BeautifulSoup) -> str | None:
    for link in panel.select("a"):
        if link.get_text(" ", strip=True).startswith("Download this table as CSV"):
            return str(link["href"])
    return None


def first_column(rows: list[list[str]]) -> list[str]:
    return [row[0] for row in rows]


def test_an_evaluator_compares_the_approved_figures_of_every_site_by_default(
    client_as: Callable[..., FlaskClient], three_sites: Framework
) -> None:
    soup = page(client_as(Role.EVALUATOR).get("/dashboard/costs"))
    rows = table_rows(soup, "Costs by site")
    assert first_column(rows) == ["Kent", "Leeds", "Liverpool City Region", "All sites shown"]
    assert rows[0][1:3] == ["£2,000.00", "£2,000.00"]
    # Liverpool's only return is a draft: not counted unless drafts are asked for.
    assert rows[2][1] == "£0.00"
    assert rows[3][1] == "£4,000.00"
    assert "Approved returns only" in text_of(soup)
    # Each chart's figure is data for static/charts.js, not a script.
    assert soup.select_one("script#chart-by-site")["type"] == "application/json"


def test_including_drafts_is_a_choice_that_is_labelled_on_every_chart(
    client_as: Callable[..., FlaskClient], three_sites: Framework
) -> None:
    soup = page(client_as(Role.EVALUATOR).get("/dashboard/costs?state=all"))
    assert table_rows(soup, "Costs by site")[2][1] == "£777.00"
    panels = soup.select("section.app-panel")
    assert panels
    for panel in panels:
        assert "All returns, including drafts" in panel.get_text(" ")
        assert "figures may change" in panel.get_text(" ")


def test_filters_live_in_the_address_so_a_view_can_be_bookmarked(
    client_as: Callable[..., FlaskClient], db: Session, three_sites: Framework
) -> None:
    periods = periods_of(db, three_sites)
    address = (
        f"/dashboard/costs?framework={three_sites.code}&period_from={periods[1].code}"
        f"&period_to={periods[1].code}&site=kent&site=leeds&state=approved"
    )
    soup = page(client_as(Role.EVALUATOR).get(address))
    rows = table_rows(soup, "Costs by site")
    assert first_column(rows) == ["Kent", "Leeds", "All sites shown"]
    assert rows[0][1] == "£1,000.00"
    assert soup.select_one("#period_from option[selected]")["value"] == periods[1].code
    assert {box["value"] for box in soup.select("input[name=site][checked]")} == {"kent", "leeds"}
    # Moving to another view keeps the filters.
    outcomes = soup.select_one("nav.app-dashboard-nav a[href^='/dashboard/outcomes']")["href"]
    assert f"period_from={periods[1].code}" in outcomes and "site=kent" in outcomes


def test_a_last_period_before_the_first_is_explained_beside_the_field(
    client_as: Callable[..., FlaskClient], db: Session, three_sites: Framework
) -> None:
    periods = periods_of(db, three_sites)
    response = client_as(Role.EVALUATOR).get(
        f"/dashboard/costs?period_from={periods[2].code}&period_to={periods[0].code}"
    )
    soup = page(response)
    message = "The last period must be the same as or after the first period"
    assert error_summary(soup) == [message]
    assert field_error(soup, "period_to") == message
    assert soup.title.get_text().startswith("Error: ")
    assert soup.select("section.app-panel") == []
    assert "Correct the filters to see the figures." in text_of(soup)


def test_a_site_that_is_not_on_the_list_is_refused(
    client_as: Callable[..., FlaskClient], three_sites: Framework
) -> None:
    soup = page(client_as(Role.EVALUATOR).get("/dashboard/costs?site=atlantis"))
    assert error_summary(soup) == ["Select sites from the list"]


def test_the_csv_under_a_chart_holds_exactly_the_table_shown(
    client_as: Callable[..., FlaskClient], three_sites: Framework
) -> None:
    client = client_as(Role.EVALUATOR)
    soup = page(client.get("/dashboard/costs"))
    link = csv_link(soup.select_one("#panel-by-site").find_parent("section"))
    assert link is not None
    response = client.get(link)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="evidence-hub-costs-by-site-'
    )
    text = response.get_data(as_text=True)
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    shown = table_rows(soup, "Costs by site")
    assert rows[0][0] == "Site"
    assert [row[0] for row in rows[1:]] == first_column(shown)
    for csv_row, page_row in zip(rows[1:], shown, strict=True):
        assert csv_row[1:] == [
            cell.replace("£", "").replace(",", "").replace("%", "").replace("–", "") for cell in page_row[1:]
        ]


def test_a_site_name_that_looks_like_a_formula_is_written_as_text_in_the_csv(
    client_as: Callable[..., FlaskClient], db: Session, three_sites: Framework
) -> None:
    site = make_site(db, "formula", name='=HYPERLINK("http://example.com")')
    make_return(db, site, period=0, status=ReturnStatus.APPROVED)
    text = client_as(Role.EVALUATOR).get("/dashboard/costs/by-site.csv").get_data(as_text=True)
    names = [row[0] for row in csv.reader(io.StringIO(text))]
    assert '\'=HYPERLINK("http://example.com")' in names


def test_every_view_shows_its_charts_with_a_table_and_a_download(
    client_as: Callable[..., FlaskClient], three_sites: Framework
) -> None:
    client = client_as(Role.EVALUATOR)
    for slug in ("costs", "outcomes", "value-for-money", "completeness", "learning", "journey"):
        soup = page(client.get(f"/dashboard/{slug}"))
        for chart in soup.select("[data-chart]"):
            panel = chart.find_parent("section")
            assert chart["role"] == "img" and "table below" in chart["aria-label"]
            assert panel.select_one("table") is not None, f"{slug}: a chart without its table"
            assert csv_link(panel) is not None


def test_the_completeness_grid_links_each_return(
    client_as: Callable[..., FlaskClient], db: Session, three_sites: Framework
) -> None:
    soup = page(client_as(Role.EVALUATOR).get("/dashboard/completeness"))
    # Shown turned: a row per period, a column per site, so the latest period is on screen.
    rows = table_rows(soup, "Return status and share of required items reported, by site and period")
    assert rows[0][1].startswith("Approved, ")
    assert rows[0][3].startswith("Draft, ")
    assert rows[1][3] == "No return"
    links = [link["href"] for link in soup.select("table a[href^='/review/returns/']")]
    assert len(links) == 5


def test_a_site_lead_sees_only_their_own_site_while_sharing_is_off(
    client_as: Callable[..., FlaskClient], three_sites: Framework
) -> None:
    client = client_as(Role.SITE_LEAD, site="liverpool")
    soup = page(client.get("/dashboard/costs"))
    assert first_column(table_rows(soup, "Costs by site")) == ["Liverpool City Region", "All sites shown"]
    assert "turns on cross-site sharing" in text_of(soup)
    assert client.get("/dashboard/sites/kent").status_code == 404


def test_with_sharing_on_a_site_lead_sees_other_sites_approved_figures_beside_their_own(
    client_as: Callable[..., FlaskClient], db: Session, three_sites: Framework
) -> None:
    with transaction(db):
        three_sites.cross_site_sharing = True
    client = client_as(Role.SITE_LEAD, site="liverpool")
    soup = page(client.get("/dashboard/costs?state=all"))
    rows = table_rows(soup, "Costs by site")
    assert first_column(rows) == ["Kent", "Leeds", "Liverpool City Region", "All sites shown"]
    assert rows[2][1] == "£777.00"  # their own draft, because they asked for drafts
    assert "other sites' figures come from their approved returns only" in text_of(soup)


def test_with_sharing_on_another_sites_drafts_stay_hidden_from_a_site_lead(
    client_as: Callable[..., FlaskClient], db: Session, three_sites: Framework
) -> None:
    with transaction(db):
        three_sites.cross_site_sharing = True
    soup = page(client_as(Role.SITE_LEAD, site="kent").get("/dashboard/costs?state=all"))
    assert table_rows(soup, "Costs by site")[2][1] == "£0.00"


def test_an_administrator_turns_cross_site_sharing_on_and_it_is_audited(
    client_as: Callable[..., FlaskClient], db: Session, three_sites: Framework
) -> None:
    client = client_as(Role.ADMINISTRATOR)
    soup = page(client.get(f"/framework/{three_sites.code}/sharing"))
    assert soup.select_one("input[name=sharing][value=off]").has_attr("checked")
    response = client.post(f"/framework/{three_sites.code}/sharing", data={"sharing": "on"})
    assert response.status_code == 302
    db.rollback()
    assert db.scalar(select(Framework.cross_site_sharing).where(Framework.id == three_sites.id)) is True
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "framework.cross_site_sharing_changed"))
    assert event is not None and event.after == {"cross_site_sharing": True}
    assert "Site leads now see every site's approved figures" in text_of(page(client.get("/framework/")))


def test_saving_sharing_without_a_choice_says_what_to_choose(
    client_as: Callable[..., FlaskClient], three_sites: Framework
) -> None:
    soup = page(client_as(Role.ADMINISTRATOR).post(f"/framework/{three_sites.code}/sharing", data={}))
    assert error_summary(soup) == ["Select whether site leads can see other sites' figures"]


def test_the_dashboards_link_is_in_the_header_for_those_who_use_them(
    client_as: Callable[..., FlaskClient], three_sites: Framework
) -> None:
    def navigation(role: Role, **fields: str) -> list[str]:
        soup = page(client_as(role, **fields).get("/"))
        return [link.get_text(strip=True) for link in soup.select(".govuk-service-navigation__link")]

    assert "Dashboards" in navigation(Role.EVALUATOR)
    assert "Dashboards" in navigation(Role.SITE_LEAD, site="kent")
    assert "Dashboards" not in navigation(Role.NATIONAL_OFFICIAL)


def test_a_dashboard_without_any_reporting_periods_says_there_is_nothing_to_compare(
    client_as: Callable[..., FlaskClient],
) -> None:
    soup = page(client_as(Role.EVALUATOR).get("/dashboard/costs"))
    assert "There are no reporting periods yet, so there is nothing to compare." in text_of(soup)


def test_plotly_is_served_by_the_service_and_its_styles_come_from_a_stylesheet(
    client_as: Callable[..., FlaskClient], client: FlaskClient, three_sites: Framework
) -> None:
    soup = page(client_as(Role.EVALUATOR).get("/dashboard/costs"))
    script = soup.select_one("script[src^='/static/vendor/plotly-']")
    assert script is not None and script.has_attr("defer")
    style_link = soup.select_one("link#plotly\\.js-style-global")
    assert "no-inline-styles" in style_link["class"]
    for style_id in chart_assets.injected_style_ids():
        assert soup.find(id=style_id) is not None
    response = client.get(script["src"])
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get("/static/vendor/plotly-0.0.1.min.js").status_code == 404


def test_the_plotly_stylesheet_matches_the_installed_plotly() -> None:
    bundle = chart_assets.PLOTLY_JS.read_text(encoding="utf-8")
    assert stylesheet.PLOTLY_CSS.read_text(encoding="utf-8") == stylesheet.plotly_stylesheet(bundle), (
        "static/plotly.css is out of date: run `python scripts/build_plotly_css.py`"
    )


def test_the_entries_behind_a_count_say_when_there_are_more_than_the_page_lists(
    client_as: Callable[..., FlaskClient],
    db: Session,
    three_sites: Framework,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site_return = make_return(db, "kent", period=2, status=ReturnStatus.APPROVED)
    with transaction(db):
        for title in ("Legal gateway unclear", "Data sharing agreement slow"):
            db.add(
                LearningEntry(
                    site_return_id=site_return.id,
                    site_id=site_return.site_id,
                    import_reference=unique_reference("L"),
                    learning_type=LearningType.BARRIER.value,
                    title=title,
                    what_happened="It took months.",
                )
            )
    client = client_as(Role.EVALUATOR)
    soup = page(client.get("/dashboard/learning/entries?type=barrier"))
    assert len(soup.select(".app-entry")) == 2
    assert "most recent" not in text_of(soup)
    monkeypatch.setattr(dashboard_views, "ENTRIES_SHOWN", 1)
    soup = page(client.get("/dashboard/learning/entries?type=barrier"))
    assert len(soup.select(".app-entry")) == 1
    assert "Narrow the filters" in text_of(soup)


def test_panel_labels_match_the_filters_they_apply(
    client_as: Callable[..., FlaskClient], three_sites: Framework
) -> None:
    client = client_as(Role.EVALUATOR)
    completeness = page(client.get("/dashboard/completeness"))
    labels = [text_of(label) for label in completeness.select(".app-state")]
    assert labels and all(label == "Every return, whatever its state" for label in labels)
    assert "Approved returns only" not in [
        text_of(tag) for tag in completeness.select(".app-state .govuk-tag")
    ]

    costs = page(client.get("/dashboard/costs"))
    assert {text_of(tag) for tag in costs.select(".app-state .govuk-tag")} == {"Approved returns only"}
    everything = page(client.get("/dashboard/costs?state=all"))
    assert {text_of(tag) for tag in everything.select(".app-state .govuk-tag")} == {
        "All returns, including drafts"
    }


def test_a_table_with_a_column_per_period_is_shown_turned_with_the_latest_period_on_screen(
    client_as: Callable[..., FlaskClient], three_sites: Framework
) -> None:
    soup = page(client_as(Role.EVALUATOR).get("/dashboard/costs"))
    table = next(
        table
        for table in soup.select("table")
        if text_of(table.caption) == "Attributable cost by site and period"
    )
    assert text_of(table.select_one("thead th")) == "Site"
    periods = [text_of(th) for th in table.select("tbody th[scope=row]")]
    assert len(periods) >= 2 and all("(£)" in period for period in periods)
    assert len(table.select("thead th")) <= 5
