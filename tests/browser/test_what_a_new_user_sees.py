"""What a new user sees, checked in the browser with a screenshot of each page kept for people to look at
(in EVIDENCE_HUB_SCREENSHOTS when set, else the test's temporary folder)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from evidence_hub.dashboard.views import VIEWS
from evidence_hub.db import transaction
from evidence_hub.models import LearningType, Role, User
from evidence_hub.services.common import audit
from tests.browser.conftest import assert_accessible, sign_in_through_the_browser
from tests.factories import make_return

DESKTOP = {"width": 1280, "height": 900}


def screenshot(browser_page: Any, name: str, folder: Path) -> Path:
    """A full-page screenshot, kept; fails when the page is wider than the window (sideways scrolling)."""
    target = Path(os.environ.get("EVIDENCE_HUB_SCREENSHOTS", folder)) / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 0
    page_width = browser_page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= browser_page.viewport_size["width"], f"{name} is {page_width} px wide"
    return target


def test_the_header_is_the_generic_header_with_no_crown(page_for: Any, tmp_path: Path) -> None:
    page_for.set_viewport_size(DESKTOP)
    page_for.goto("/sign-in")
    header = page_for.locator(".govuk-generic-header")
    expect(header).to_have_text("Evidence Hub")
    assert page_for.locator(".govuk-header, .govuk-footer__crown").count() == 0
    assert page_for.title() == "Sign in – Evidence Hub"
    assert header.bounding_box()["height"] < 100
    screenshot(page_for, "header-sign-in", tmp_path)
    assert_accessible(page_for)


def test_the_audit_log_reads_in_plain_english_and_fits_the_window(
    page_for: Any, browser_user: Callable[..., User], db: Session, tmp_path: Path
) -> None:
    lead = browser_user(Role.SITE_LEAD, site="kent", full_name="Kim Lead")
    site_return = make_return(db, "kent")
    with transaction(db):
        audit.record(
            db,
            actor=lead,
            action="document.created",
            object_type="document",
            object_id=41,
            site_id=site_return.site_id,
            after={
                "file": "data-sharing-agreement-signed-by-every-partner-2009.pdf",
                "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" * 2,
                "size_bytes": 48213,
                "site_return_id": site_return.id,
            },
        )
    evaluator = browser_user(Role.EVALUATOR)
    page_for.set_viewport_size(DESKTOP)
    sign_in_through_the_browser(page_for, evaluator.email)
    page_for.goto("/audit/")
    expect(page_for.locator("main table")).to_contain_text("Kim Lead added the supporting document")
    expect(page_for.locator("main table")).to_contain_text("Size: 47.1 KB")
    screenshot(page_for, "audit-log", tmp_path)
    assert_accessible(page_for)


# Every chart on the page is drawn (a view with no chart for the demo's evidence passes at once).
EVERY_CHART_DRAWN = """() => [...document.querySelectorAll('[data-chart]')].every(
    (chart) => chart.classList.contains('js-plotly-plot') && chart.querySelector('svg'))"""
# Every view the dashboard offers, so that a new view is checked too, each kind of learning the Learning
# view draws, and the demo sites' profiles.
DASHBOARD_VIEWS = tuple(VIEWS)
EVERY_DASHBOARD_CHOICE = tuple(f"/dashboard/learning?type={kind.value}" for kind in LearningType)
SITE_PROFILES = tuple(f"/dashboard/sites/{site}" for site in ("kent", "leeds", "liverpool"))


def test_every_dashboard_view_draws_without_console_warnings(
    new_page: Callable[[], Any], demo_evidence: None, browser_user: Callable[..., User], tmp_path: Path
) -> None:
    page = new_page()
    page.set_viewport_size(DESKTOP)
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    encodings: dict[str, str] = {}
    page.on(
        "response",
        lambda response: encodings.setdefault(response.url, response.headers.get("content-encoding", "")),
    )
    sign_in_through_the_browser(page, browser_user(Role.EVALUATOR).email)
    for view in DASHBOARD_VIEWS:
        page.goto(f"/dashboard/{view}")
        page.wait_for_function(EVERY_CHART_DRAWN)
        screenshot(page, f"dashboard-{view}", tmp_path)
    for address in [*EVERY_DASHBOARD_CHOICE, *SITE_PROFILES]:
        page.goto(address)
        page.wait_for_function(EVERY_CHART_DRAWN)
    assert [message for message in messages if message.startswith(("warning", "error"))] == []
    plotly = [url for url in encodings if "/static/vendor/plotly-" in url]
    assert plotly and all(encodings[url] == "gzip" for url in plotly)


# Each word of the element's text (a hyphen may break a line), as a Range: a word drawn on two lines has
# client rectangles on two lines.
WORDS_SPLIT_ACROSS_LINES = """(element) => {
    const split = [];
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        for (const match of node.textContent.matchAll(/[^\\s-]+/g)) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
            if (lines.size > 1) split.push(match[0]);
        }
    }
    return split;
}"""


def test_a_leads_task_list_and_measure_guidance_read_cleanly(
    page_for: Any, browser_user: Callable[..., User], db: Session, tmp_path: Path
) -> None:
    lead = browser_user(Role.SITE_LEAD, site="kent")
    site_return = make_return(db, "kent")
    page_for.set_viewport_size(DESKTOP)
    sign_in_through_the_browser(page_for, lead.email)
    page_for.goto(f"/returns/{site_return.id}")
    expect(page_for.locator("main")).to_contain_text("You have completed 0 of 6 sections.")
    screenshot(page_for, "return-task-list", tmp_path)
    assert_accessible(page_for)

    indicator = site_return.framework_version.indicators[0]
    page_for.goto(f"/returns/{site_return.id}/measures/{indicator.code}")
    guidance = page_for.locator(".app-guidance")
    assert guidance.evaluate(WORDS_SPLIT_ACROSS_LINES) == []
    screenshot(page_for, "measure-with-guidance", tmp_path)
    assert_accessible(page_for)

    page_for.goto(f"/returns/{site_return.id}/measures/themes/{indicator.theme.code}")
    page_for.get_by_label(f"Figure for {indicator.name}").fill("many")
    page_for.get_by_role("button", name="Save these answers").click()
    expect(page_for.locator(".govuk-error-summary")).to_contain_text("nothing has been saved")
    expect(page_for.locator(f"#{indicator.code}-value-error")).to_be_visible()
    screenshot(page_for, "theme-measures-with-errors", tmp_path)
    assert_accessible(page_for)


# Every piece of text Plotly draws in a chart, by kind; two boxes of text that intersect are an overlap.
# Text inside a heatmap's cells belongs to the cells and is left out.
OVERLAPPING_TEXT = """(chart) => {
    const kinds = {
        'title': '.gtitle, .gtitle-subtitle',
        'x-axis title': '.g-xtitle text, .g-x2title text',
        'y-axis title': '.g-ytitle text, .g-y2title text',
        'x tick': '.xtick text',
        'y tick': '.ytick text',
        'legend': '.legend .legendtext',
    };
    const boxes = [];
    for (const [kind, selector] of Object.entries(kinds)) {
        for (const element of chart.querySelectorAll(selector)) {
            const box = element.getBoundingClientRect();
            if (box.width > 0 && box.height > 0 && element.textContent.trim()) {
                boxes.push({kind, text: element.textContent.trim(), box});
            }
        }
    }
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i].box, b = boxes[j].box;
            const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (across > 1 && down > 1) {
                const first = `${boxes[i].kind} "${boxes[i].text}"`;
                overlaps.push(`${first} overlaps ${boxes[j].kind} "${boxes[j].text}"`);
            }
        }
    }
    return overlaps;
}"""


# Each table region (or page) on the page that is wider than the room it has, so would scroll sideways.
TABLES_THAT_SCROLL = """() => [...document.querySelectorAll('main .app-table-scroll, main .govuk-table')]
    .filter((element) => element.scrollWidth > element.clientWidth + 1)
    .map((element) => {
        const table = element.closest('table') || element.querySelector('table');
        const caption = table && table.querySelector('caption');
        return `"${caption ? caption.textContent.trim() : 'a table'}" is ${element.scrollWidth} px `
            + `wide in ${element.clientWidth} px`;
    })"""


def test_every_dashboard_view_fits_the_window_with_no_overlapping_text(
    new_page: Callable[[], Any], demo_evidence: None, browser_user: Callable[..., User], tmp_path: Path
) -> None:
    """Every view (each of its choices too), every site's profile and the learning entries: no chart's
    titles, ticks and legends overlap, and every table shows all its columns (the latest periods
    included) in a 1,280 px window without scrolling sideways."""
    page = new_page()
    page.set_viewport_size(DESKTOP)
    sign_in_through_the_browser(page, browser_user(Role.EVALUATOR).email)
    addresses = [
        *(f"/dashboard/{view}" for view in DASHBOARD_VIEWS),
        *EVERY_DASHBOARD_CHOICE,
        *SITE_PROFILES,
        "/dashboard/learning/entries",
    ]
    overlaps: list[str] = []
    too_wide: list[str] = []
    for address in addresses:
        page.goto(address)
        page.wait_for_function(EVERY_CHART_DRAWN)
        charts = page.locator("[data-chart]")
        for index in range(charts.count()):
            found = charts.nth(index).evaluate(OVERLAPPING_TEXT)
            overlaps += [f"{address} chart {index + 1}: {overlap}" for overlap in found]
        too_wide += [f"{address}: {table}" for table in page.evaluate(TABLES_THAT_SCROLL)]
    assert overlaps == [], "\n".join(overlaps)
    assert too_wide == [], "\n".join(too_wide)
