"""Releases in a real browser: a national official opens the latest demo release, reads its learning
summary and downloads the PDF, the Word document and the data pack, which open and say which release they
are; an evaluator publishes a release; a site lead downloads their own site's data."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from flask import Flask
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import Release, Role, Site, User
from tests.browser.conftest import assert_accessible, sign_in_through_the_browser
from tests.release_helpers import demo_releases, demo_world


def signed_in_page(new_page: Callable[[], Any], user: User) -> Any:
    page = new_page()
    sign_in_through_the_browser(page, user.email)
    return page


def download(page: Any, link_name: str | re.Pattern[str]) -> io.BytesIO:
    """The file a link downloads, as the browser saved it."""
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link_name, exact=isinstance(link_name, str)).click()
    return io.BytesIO(Path(download_info.value.path()).read_bytes())


@pytest.fixture
def latest_release(db: Session, tmp_path: Path) -> Release:
    references = demo_releases(db, tmp_path)
    return db.scalars(select(Release).where(Release.reference == references[-1])).one()


def test_a_national_official_opens_the_latest_release_and_downloads_every_format(
    new_page: Callable[[], Any], browser_user: Callable[..., User], latest_release: Release
) -> None:
    page = signed_in_page(new_page, browser_user(Role.NATIONAL_OFFICIAL))
    page.get_by_role("link", name="Releases").first.click()
    expect(page.locator("h1")).to_have_text("Releases")
    assert_accessible(page)
    page.get_by_role("link", name=latest_release.reference).click()
    expect(page.locator("h1")).to_have_text(latest_release.title)
    assert page.locator("main img[alt]").count() >= 3
    assert_accessible(page)

    # One roll-out projection, the appraisal's, scaled by the demo's area sizes: nothing to choose.
    expect(page.locator("main")).to_contain_text("Assumptions of the roll-out projection")
    assert page.get_by_label("Number of areas").count() == 0

    # The release's learning is counted on its page and read on pages of its own.
    page.get_by_role("link", name="All entries, in the summary's order").click()
    expect(page.locator("h1")).to_have_text("All learning")
    expect(page.locator("main .govuk-inset-text").first).to_contain_text("Entry 1 of")
    assert_accessible(page)
    page.get_by_role("link", name=f"Back to release {latest_release.reference}").click()
    expect(page.locator("h1")).to_have_text(latest_release.title)

    pdf = PdfReader(download(page, "Learning summary (PDF)"))
    pdf_text = "\n".join(each.extract_text() for each in pdf.pages)
    assert latest_release.reference in pdf_text
    assert "Executive summary" in pdf_text and "Kent" in pdf_text
    assert "Roll-out over 5 years, scaled by" in pdf_text

    word = Document(download(page, "Learning summary, editable (Word, DOCX)"))
    paragraphs = [paragraph.text for paragraph in word.paragraphs]
    assert any(latest_release.reference in paragraph for paragraph in paragraphs)
    assert "Barriers and enablers" in paragraphs

    workbook = load_workbook(download(page, "Data pack (spreadsheet, XLSX)"), read_only=True)
    assert workbook.sheetnames[:2] == ["Notes", "Dictionary"]
    notes = " ".join(
        str(cell) for row in workbook["Notes"].iter_rows(values_only=True) for cell in row if cell
    )
    assert latest_release.reference in notes

    with zipfile.ZipFile(download(page, "Data pack (CSV files, ZIP)")) as archive:
        assert "people_reached.csv" in archive.namelist()
        assert latest_release.reference in io.TextIOWrapper(archive.open("notes.csv"), "utf-8-sig").read()


def test_an_evaluator_publishes_a_release_from_the_approved_returns(
    app: Flask, new_page: Callable[[], Any], browser_user: Callable[..., User], db: Session, tmp_path: Path
) -> None:
    app.config["JOBS_RUN_BY"] = "thread"  # as the embedded default runs it: in the web process
    demo_world(db, tmp_path)
    page = signed_in_page(new_page, browser_user(Role.EVALUATOR))
    page.goto("/releases/")
    page.get_by_role("link", name="Publish a release").click()
    page.wait_for_url("**/releases/new")
    assert_accessible(page)
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Publish the release").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a title for the release")
    assert_accessible(page)
    page.get_by_label("Title").fill("Kent and Leeds, first year")
    page.get_by_label("Last period").select_option(index=3)
    page.get_by_label("Liverpool City Region").uncheck()
    page.get_by_role("button", name="Publish the release").click()
    page.wait_for_url("**/releases/publishing/*")
    expect(page.locator(".app-publication-step")).to_have_count(4)
    assert_accessible(page)
    # The page follows the steps by itself, then opens the release once its files are built.
    expect(page.locator("h1")).to_have_text("Kent and Leeds, first year", timeout=120_000)
    expect(page.locator("main")).to_contain_text("It will not change")


def test_a_site_lead_downloads_their_own_sites_data(
    new_page: Callable[[], Any], browser_user: Callable[..., User], db: Session, tmp_path: Path
) -> None:
    demo_world(db, tmp_path)
    kent = db.scalars(select(Site).where(Site.code == "kent")).one()
    page = signed_in_page(new_page, browser_user(Role.SITE_LEAD, site=kent))
    page.get_by_role("link", name="Download your site's data").click()
    expect(page.locator("h1")).to_have_text("Download Kent's data")
    assert_accessible(page)
    workbook = load_workbook(download(page, re.compile(r"^Data pack as a spreadsheet")), read_only=True)
    costs = workbook[workbook.sheetnames[3]]
    assert {row[0] for row in costs.iter_rows(min_row=2, values_only=True)} == {"kent"}


def test_a_national_official_creates_an_api_token_and_reads_the_release_with_it(
    new_page: Callable[[], Any], browser_user: Callable[..., User], latest_release: Release
) -> None:
    page = signed_in_page(new_page, browser_user(Role.NATIONAL_OFFICIAL))
    page.get_by_role("link", name="API tokens").first.click()
    page.wait_for_url("**/account/api-tokens")
    assert_accessible(page)
    page.goto("/account/api-tokens/new")
    page.get_by_label("Name").fill("Quarterly briefing")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("h1")).to_have_text("Your new API token")
    assert_accessible(page)
    token = page.locator("#token-secret").inner_text().strip()

    answer = page.request.get(
        f"/api/v1/releases/{latest_release.reference}/tables/people_reached?per_page=5",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status == 200
    body = answer.json()
    assert body["meta"]["per_page"] == 5 and len(body["data"]) == 5
    refused = page.request.get(f"/api/v1/releases/{latest_release.reference}")
    assert refused.status == 401
