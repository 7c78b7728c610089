"""In a real browser: a person who forgot their password asks for a link on the sign-in page and sets a new
one with it; an administrator reads, on Sent emails, the emails the demo's submissions, returns with
comments, approvals and release caused."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub import job_running
from evidence_hub.models import BackgroundJob, Email, Role, User
from tests.browser.conftest import assert_accessible, sign_in_through_the_browser
from tests.release_helpers import published_release

NEW_PASSWORD = "harbour lights violet 83"


def test_a_user_resets_their_own_password_from_the_sign_in_page(
    db: Session, live_server: str, new_page: Callable[[], Any], browser_user: Callable[..., User]
) -> None:
    user = browser_user(Role.SITE_LEAD, site="kent")
    page = new_page()
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.locator("h1")).to_have_text("Reset your password")
    assert_accessible(page)

    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    assert_accessible(page)

    page.get_by_label("Email address").fill(user.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    assert_accessible(page)

    # What arrives in their inbox: the link in the email.
    db.rollback()
    body = db.scalars(select(Email.body).where(Email.to_address == user.email)).one()
    link = urlsplit(re.findall(r"https?://\S+/reset-password/\S+", body)[0]).path
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Set a new password")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password has been set.")).to_be_visible()

    sign_in_through_the_browser(page, user.email, NEW_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(link)
    expect(page.get_by_text("This password reset link has already been used.")).to_be_visible()


def test_an_administrator_reads_the_emails_the_demo_caused(
    app: Flask,
    db: Session,
    tmp_path: Path,
    live_server: str,
    new_page: Callable[[], Any],
    browser_user: Callable[..., User],
) -> None:
    release = published_release(db, tmp_path)
    # The web process sends what the demo queued (the database backend: recorded, not sent).
    jobs = db.scalars(select(BackgroundJob.id).where(BackgroundJob.kind == "send_email")).all()
    job_running.run_with_retries(app, list(jobs))

    page = new_page()
    sign_in_through_the_browser(page, browser_user(Role.ADMINISTRATOR).email)
    page.goto("/admin/users")
    page.get_by_role("link", name="Sent emails").click()
    expect(page.locator("h1")).to_have_text("Sent emails")
    assert_accessible(page)

    for kind, subject in (
        ("A site has submitted a return for you to review", "has submitted its"),
        ("A return you lead has been returned with comments", "has been returned with comments"),
        ("A return you lead has been approved", "has been approved"),
        ("A new release has been published", f"New release: {release.title}"),
    ):
        page.get_by_role("link", name=re.compile(f"^{re.escape(kind)}: ")).click()
        expect(page.locator("caption")).to_contain_text(kind)
        expect(page.locator("tbody tr").first).to_contain_text(subject)
        expect(page.locator("tbody tr").first).to_contain_text("Recorded, not sent")
        page.goto("/admin/emails")

    page.get_by_role("link", name=re.compile("^A return you lead has been returned with comments: ")).click()
    page.locator("tbody tr a").first.click()
    expect(page.locator("h1")).to_contain_text("has been returned with comments")
    expect(page.locator(".app-email-body")).to_contain_text("What to change:")
    assert_accessible(page)
