"""The cross-site dashboards in a real browser, with the demo's three sites and eight quarters of evidence:
every view draws its charts and lists the sites, the tables lead to the returns behind them and download
as the CSV they show, filters live in the address, the strict CSP holds, and a site lead sees their own
site only."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from evidence_hub.models import Role, User
from tests.browser.conftest import assert_accessible, sign_in_through_the_browser

DEMO_SITES = ("Kent", "Leeds", "Liverpool City Region")
VIEWS = ("Costs", "Outcomes", "Value for money", "Completeness", "Learning", "Data-sharing journey")
# Every <div data-chart> is drawn: Plotly marks it and puts its SVG inside.
CHARTS_DRAWN = """() => {
    const charts = [...document.querySelectorAll('[data-chart]')];
    return charts.length > 0
        && charts.every((chart) => chart.classList.contains('js-plotly-plot') && chart.querySelector('svg'));
}"""
# A figure as the page shows it: "£1,234.50", "-£20.00", "96.2%", "1,204".
SHOWN_FIGURE = re.compile(r"-?£?[\d,]+(\.\d+)?%?")


@pytest.fixture
def evaluator(demo_evidence: None, browser_user: Callable[..., User]) -> User:
    return browser_user(Role.EVALUATOR)


def signed_in_page(new_page: Callable[[], Any], user: User) -> Any:
    page = new_page()
    sign_in_through_the_browser(page, user.email)
    return page


def wait_for_charts(page: Any) -> int:
    """Waits until Plotly has drawn every chart on the page; returns how many there are."""
    page.wait_for_function(CHARTS_DRAWN)
    charts = page.locator("[data-chart]")
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert "js-plotly-plot" in (chart.get_attribute("class") or "")
        assert chart.locator("svg").count() > 0
    return charts.count()


def row_headings(page: Any) -> set[str]:
    """The first cell of every row of every table in the page's main content, and the column headings
    (a table with a column per period is shown turned, with a column per site)."""
    headings = page.locator("main tbody th[scope=row], main thead th[scope=col]").all_inner_texts()
    return {text.strip() for text in headings}


def table_captioned(page: Any, caption: str) -> Any:
    return page.locator("main table", has=page.locator("caption", has_text=caption))


def shown_rows(table: Any) -> list[list[str]]:
    return [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]


def as_in_csv(shown: str) -> str:
    """A cell as the CSV holds it: no pound sign, thousands separator or percent sign, and a dash is empty."""
    if shown == "–":
        return ""
    if SHOWN_FIGURE.fullmatch(shown):
        return shown.replace("£", "").replace(",", "").replace("%", "")
    return shown


def checked_values(page: Any, name: str) -> list[str]:
    return page.locator(f"input[name={name}]").evaluate_all(
        "inputs => inputs.filter((input) => input.checked).map((input) => input.value)"
    )


def dashboard_view_link(page: Any, title: str) -> Any:
    return page.get_by_role("navigation", name="Dashboard views").get_by_role("link", name=title, exact=True)


def test_an_evaluator_opens_every_dashboard_view_and_a_site_profile(
    new_page: Callable[[], Any], evaluator: User
) -> None:
    page = signed_in_page(new_page, evaluator)
    page.locator(".govuk-service-navigation").get_by_role("link", name="Dashboards").click()
    expect(page.locator("h1")).to_have_text("Dashboards")
    assert_accessible(page)

    for title in VIEWS:
        dashboard_view_link(page, title).click()
        expect(page.locator("h1")).to_have_text(title)
        assert wait_for_charts(page) >= 1, title
        shown = row_headings(page)
        assert set(DEMO_SITES) <= shown, f"{title}: {sorted(shown)}"
        assert_accessible(page)

    dashboard_view_link(page, "Overview").click()
    page.locator("main").get_by_role("link", name="Leeds", exact=True).click()
    expect(page.locator("h1")).to_have_text("Leeds")
    assert wait_for_charts(page) >= 1
    shown = row_headings(page)
    assert "Leeds" in shown and not shown & {"Kent", "Liverpool City Region"}, sorted(shown)
    assert_accessible(page)


def test_a_completeness_cell_leads_to_the_review_of_its_return(
    new_page: Callable[[], Any], evaluator: User
) -> None:
    page = signed_in_page(new_page, evaluator)
    page.goto("/dashboard/completeness")
    grid = table_captioned(page, "Return status and share of required items reported")
    headings = [heading.strip() for heading in grid.locator("thead th").all_inner_texts()]
    # Shown turned: a row per period, then the share reported; a column per site. Kent's latest return
    # awaits review.
    periods = grid.locator("tbody th[scope=row]").all_inner_texts()
    latest_period = periods[-2].strip()
    latest = grid.locator("tbody tr").nth(len(periods) - 2)
    cell = latest.locator("td").nth(headings.index("Kent") - 1)
    assert cell.inner_text().startswith("Submitted")
    cell.get_by_role("link").click()

    expect(page.locator("h1")).to_have_text(f"Review Kent: {latest_period}")
    assert urlsplit(page.url).path.startswith("/review/returns/")
    assert_accessible(page)


def test_the_csv_under_a_chart_holds_the_table_the_page_shows(
    new_page: Callable[[], Any], evaluator: User
) -> None:
    page = signed_in_page(new_page, evaluator)
    page.goto("/dashboard/costs")
    panel = page.locator("section.app-panel").first
    table = panel.locator("table")
    headings = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    rows = shown_rows(table)
    assert [row[0] for row in rows[:3]] == list(DEMO_SITES)

    with page.expect_download() as download_info:
        panel.get_by_role("link", name=re.compile("Download this table as CSV")).click()
    download = download_info.value
    assert download.suggested_filename.startswith("evidence-hub-costs-")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), newline="", encoding="utf-8") as downloaded:
        csv_rows = list(csv.reader(downloaded))

    assert csv_rows[0] == headings
    first = csv_rows[1]
    assert first[0] == "Kent"
    assert first == [as_in_csv(cell) for cell in rows[0]]
    assert re.fullmatch(r"\d+\.\d\d", first[1]), first  # A plain number a spreadsheet reads, e.g. 111130.00.
    assert csv_rows[1:] == [[as_in_csv(cell) for cell in row] for row in rows]


def test_filters_live_in_the_address_and_a_reversed_period_range_is_an_error(
    new_page: Callable[[], Any], evaluator: User
) -> None:
    page = signed_in_page(new_page, evaluator)
    page.goto("/dashboard/costs")
    assert "Liverpool City Region" in row_headings(page)
    page.locator(".app-filters summary").click()
    # Every box clear means every site; ticking two leaves the third out.
    page.get_by_role("checkbox", name="Kent", exact=True).check()
    page.get_by_role("checkbox", name="Leeds", exact=True).check()
    page.get_by_role("radio", name="Approved and submitted returns").check()
    period_from = page.get_by_label("From", exact=True)
    period_to = page.get_by_label("To", exact=True)
    codes = [code for code in period_from.locator("option").evaluate_all("o => o.map(e => e.value)") if code]
    period_from.select_option(codes[1])
    period_to.select_option(codes[-2])
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()

    query = parse_qs(urlsplit(page.url).query)
    assert query["site"] == ["kent", "leeds"]
    assert query["state"] == ["submitted"]
    assert query["period_from"] == [codes[1]] and query["period_to"] == [codes[-2]]
    shown = row_headings(page)
    assert {"Kent", "Leeds"} <= shown and "Liverpool City Region" not in shown
    expect(page.locator(".app-scope")).to_contain_text("Approved and submitted returns")
    wait_for_charts(page)
    tables = page.locator("main table").all_inner_texts()

    # The address is the whole view: opened afresh in another browser session, it shows the same.
    bookmarked = signed_in_page(new_page, evaluator)
    bookmarked.goto(page.url)
    assert bookmarked.locator("main table").all_inner_texts() == tables
    assert "Liverpool City Region" not in row_headings(bookmarked)
    # The filter form (folded away in its details) shows the choices made.
    assert checked_values(bookmarked, "site") == ["kent", "leeds"]
    assert checked_values(bookmarked, "state") == ["submitted"]
    assert bookmarked.locator("#period_from").input_value() == codes[1]
    wait_for_charts(bookmarked)

    # Another view keeps the same filters.
    dashboard_view_link(bookmarked, "Completeness").click()
    assert parse_qs(urlsplit(bookmarked.url).query) == query
    assert "Liverpool City Region" not in row_headings(bookmarked)

    page.locator(".app-filters summary").click()
    page.get_by_label("From", exact=True).select_option(codes[-1])
    page.get_by_label("To", exact=True).select_option(codes[0])
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert parse_qs(urlsplit(page.url).query)["period_from"] == [codes[-1]]
    summary = page.locator(".govuk-error-summary")
    message = "The last period must be the same as or after the first period"
    assert message in summary.inner_text()
    assert page.locator("main table").count() == 0
    summary.get_by_role("link", name=message).click()
    assert page.evaluate("document.activeElement.id") == "period_to"
    assert_accessible(page)


def test_the_costs_dashboard_draws_its_charts_under_the_services_own_csp(
    browser: Any, live_server: str, evaluator: User
) -> None:
    # No bypass_csp here: the browser enforces the service's own policy.
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(10_000)
    strict_page = context.new_page()
    outside: list[str] = []
    problems: list[str] = []
    strict_page.on(
        "request",
        lambda request: None if request.url.startswith(live_server) else outside.append(request.url),
    )
    strict_page.on(
        "console", lambda message: problems.append(message.text) if message.type == "error" else None
    )
    strict_page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        sign_in_through_the_browser(strict_page, evaluator.email)
        response = strict_page.goto("/dashboard/costs")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self' 'nonce-" in policy and "style-src 'self';" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert wait_for_charts(strict_page) == 4
        strict_page.wait_for_load_state("networkidle")
        assert any("/static/vendor/plotly-" in url for url in _loaded_scripts(strict_page))
        assert outside == []
        assert problems == []
    finally:
        context.close()


def _loaded_scripts(page: Any) -> list[str]:
    return page.evaluate("() => [...document.scripts].map((script) => script.src)")


def test_a_site_lead_sees_only_their_own_site_without_cross_site_sharing(
    new_page: Callable[[], Any], demo_evidence: None, browser_user: Callable[..., User]
) -> None:
    lead = browser_user(Role.SITE_LEAD, site="kent")
    page = signed_in_page(new_page, lead)
    page.locator(".govuk-service-navigation").get_by_role("link", name="Dashboards").click()
    note = "Other sites' figures appear here only if an administrator turns on cross-site sharing"
    expect(page.locator("main")).to_contain_text(note)

    for title in VIEWS:
        dashboard_view_link(page, title).click()
        expect(page.locator("h1")).to_have_text(title)
        wait_for_charts(page)
        main = page.locator("main").inner_text()
        assert note in main, title
        assert "Kent" in row_headings(page), title
        for other in ("Leeds", "Liverpool"):
            assert other not in main, f"{title} shows {other}"
        if title == "Costs":
            assert_accessible(page)
