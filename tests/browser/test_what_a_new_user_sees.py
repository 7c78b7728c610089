"""What a new user sees, checked in the browser with a screenshot of each page kept for people to look at
(in EVIDENCE_HUB_SCREENSHOTS when set, else the test's temporary folder)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

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
