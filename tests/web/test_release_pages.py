"""Releases through the browser's eyes: officials read and download; evaluators publish and withdraw."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.models import AuditEvent, Release, ReleaseRow, Role, Site
from evidence_hub.services.releases.protected_tables import KNOWLEDGE_TABLE
from tests.pages import error_summary, field_error, heading, page
from tests.release_helpers import demo_world, publish, publish_through_the_form, run_publication


@pytest.fixture
def release(db: Session, tmp_path: Path) -> Release:
    return publish(db, demo_world(db, tmp_path))


def downloads_recorded(db: Session) -> int:
    db.rollback()  # a fresh snapshot: the requests commit on their own sessions
    return db.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "release.download")
    )


def test_an_official_browses_releases_and_reads_the_learning_summary(
    client_as: Callable[..., FlaskClient], release: Release
) -> None:
    official = client_as(Role.NATIONAL_OFFICIAL)
    listing = page(official.get("/releases/"))
    assert release.reference in listing.get_text()
    summary = page(official.get(f"/releases/{release.reference}"))
    text = summary.get_text(" ", strip=True)
    assert heading(summary) == release.title
    for section in (
        "Executive summary",
        "Costs per site",
        "Outcomes against baselines",
        "Value for money",
        "Barriers and enablers",
        "Recommendations for national roll-out",
        "Roll-out projection",
        "Methodology",
        "Glossary",
    ):
        assert section in text, section
    assert "Management information, not accredited official statistics" in text
    assert release.fingerprint in text
    assert summary.select("img[alt]"), "charts are shown with alternative text"


def test_the_learning_summary_has_a_contents_list_and_says_what_completeness_counts(
    client_as: Callable[..., FlaskClient], release: Release
) -> None:
    summary = page(client_as(Role.NATIONAL_OFFICIAL).get(f"/releases/{release.reference}"))
    contents = summary.select_one("nav.app-contents")
    links = {link.get_text(strip=True): link["href"] for link in contents.select("a")}
    assert "Executive summary" in links and "Glossary" in links
    for target in links.values():
        assert summary.select_one(target) is not None, f"{target} leads nowhere"
    text = summary.get_text(" ", strip=True)
    assert re.search(
        r"\d+ of \d+ expected returns approved; [\d.]+% of the figures they must report are present", text
    )
    assert "approved of" not in text


def test_the_release_has_one_roll_out_projection_and_no_choice_of_areas_or_periods(
    client_as: Callable[..., FlaskClient], release: Release
) -> None:
    official = client_as(Role.NATIONAL_OFFICIAL)
    shown = page(official.get(f"/releases/{release.reference}"))
    text = shown.get_text(" ", strip=True)
    assert "Roll-out cost projection" not in text
    # Cost per person reached is the appraisal's figure, in Value for money; the costs table has none.
    assert "Cost per person" not in [cell.get_text(strip=True) for cell in shown.select("th")]
    assert shown.select("input[name=areas], input[name=periods]") == []
    assert "Roll-out over 5 years, scaled by working-age population (16 to 64)" in text
    # Parameters the old projection took change nothing: every reader gets the same page and files.
    asked = page(official.get(f"/releases/{release.reference}?areas=25&periods=8"))
    assert asked.select_one("main").get_text(" ", strip=True) == shown.select_one("main").get_text(
        " ", strip=True
    )
    for link in shown.select("a[href*='summary.']"):
        assert "?" not in link["href"]


def test_every_download_states_its_release_and_is_recorded(
    client_as: Callable[..., FlaskClient], release: Release, db: Session
) -> None:
    official = client_as(Role.NATIONAL_OFFICIAL)
    before = downloads_recorded(db)
    pdf = official.get(f"/releases/{release.reference}/summary.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert release.reference in pdf_text

    docx = official.get(f"/releases/{release.reference}/summary.docx")
    paragraphs = [p.text for p in Document(io.BytesIO(docx.data)).paragraphs]
    assert any(release.reference in paragraph for paragraph in paragraphs)

    workbook = official.get(f"/releases/{release.reference}/data-pack.xlsx")
    assert workbook.headers["Content-Disposition"].endswith(f'{release.reference}-data-pack.xlsx"')
    book = load_workbook(io.BytesIO(workbook.data), read_only=True)
    assert book.sheetnames[0] == "Notes"
    notes = " ".join(str(cell) for row in book["Notes"].iter_rows(values_only=True) for cell in row if cell)
    assert release.reference in notes and "[c]" in notes

    pack = official.get(f"/releases/{release.reference}/data-pack.zip")
    with zipfile.ZipFile(io.BytesIO(pack.data)) as archive:
        assert "costs.csv" in archive.namelist()

    table = official.get(f"/releases/{release.reference}/tables/people_reached.csv")
    rows = list(csv.reader(io.StringIO(table.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Site code", "Site", "Period code", "Period", "People reached"]
    assert rows[-1][:4] == ["ALL", "All sites", "ALL", "All periods"]
    assert downloads_recorded(db) == before + 5


def test_unknown_and_withdrawn_releases_give_a_clear_error_and_write_nothing(
    client_as: Callable[..., FlaskClient], release: Release, db: Session
) -> None:
    official = client_as(Role.NATIONAL_OFFICIAL)
    before = downloads_recorded(db)
    missing = official.get("/releases/WDS-2001-99/summary.pdf")
    assert missing.status_code == 404
    assert "There is no release WDS-2001-99" in missing.get_data(as_text=True)

    evaluator = client_as(Role.EVALUATOR)
    form = page(evaluator.get(f"/releases/{release.reference}/withdraw"))
    assert heading(form) == f"Withdraw release {release.reference}"
    refused = page(evaluator.post(f"/releases/{release.reference}/withdraw", data={"reason": " "}))
    assert error_summary(refused) == ["Enter why the release is being withdrawn"]
    done = evaluator.post(
        f"/releases/{release.reference}/withdraw", data={"reason": "Leeds costs were double counted."}
    )
    assert done.status_code == 302

    gone = official.get(f"/releases/{release.reference}/data-pack.xlsx")
    assert gone.status_code == 410
    assert "Leeds costs were double counted." in gone.get_data(as_text=True)
    assert "withdrawn" in page(official.get(f"/releases/{release.reference}"), 410).get_text()
    assert downloads_recorded(db) == before
    assert release.reference not in official.get("/releases/").get_data(as_text=True)


def test_an_evaluator_publishes_a_release_and_follows_its_steps_to_the_release(
    app: Flask, client_as: Callable[..., FlaskClient], db: Session, tmp_path: Path
) -> None:
    demo_world(db, tmp_path)
    evaluator = client_as(Role.EVALUATOR)

    progress_address = publish_through_the_form(evaluator)

    queued = page(evaluator.get(progress_address))
    assert heading(queued) == "Publishing the release"
    assert [step["data-step-state"] for step in queued.select(".app-publication-step")] == ["waiting"] * 4
    assert queued.select_one("head noscript meta[http-equiv=refresh]") is not None, "refreshes without JS"
    assert queued.select_one("script[src*='publication-progress.js']") is not None
    assert db.scalar(select(func.count()).select_from(Release)) == 0, "nothing is published in the request"

    run_publication(app, progress_address)

    published = page(evaluator.get(progress_address))
    db.rollback()  # a fresh snapshot: the job committed on its own session
    released = db.scalars(select(Release)).one()
    assert heading(published) == f"Release {released.reference} is published"
    steps = [step.get_text(" ", strip=True) for step in published.select(".app-publication-step")]
    assert steps[0].startswith("Done Build the tables from the approved returns:")
    assert re.search(r"\d+ tables, [\d,]+ rows", steps[0])
    assert steps[1].startswith("Done Protect the tables and audit them against an intruder: passed")
    stored = released_rows(db, released)
    assert steps[2] == f"Done Store the release: release {released.reference}: {stored:,} rows stored"
    assert steps[3].startswith("In progress Build the release's files")
    assert published.select_one("[data-publication-progress]")["data-finished"] == "false"
    assert published.select_one(f"a[href='/releases/{released.reference}']") is not None
    assert released.title == "Pilots to date"
    assert "It will not change" in page(evaluator.get(f"/releases/{released.reference}")).get_text()


def released_rows(db: Session, release: Release) -> int:
    """The rows of its tables (not what it told an intruder, kept beside them)."""
    return db.scalar(
        select(func.count())
        .select_from(ReleaseRow)
        .where(ReleaseRow.release_id == release.id, ReleaseRow.table_code != KNOWLEDGE_TABLE)
    )


def test_a_publication_is_followed_only_by_those_who_publish_in_its_programme(
    client_as: Callable[..., FlaskClient], db: Session, tmp_path: Path
) -> None:
    demo_world(db, tmp_path)
    progress_address = publish_through_the_form(client_as(Role.EVALUATOR))

    assert client_as(Role.ADMINISTRATOR).get(progress_address).status_code == 200
    assert client_as(Role.NATIONAL_OFFICIAL).get(progress_address).status_code == 403
    assert client_as(Role.EVALUATOR).get("/releases/publishing/999999").status_code == 404


def test_publishing_periods_with_no_approved_returns_says_so_and_writes_nothing(
    client_as: Callable[..., FlaskClient], db: Session, tmp_path: Path
) -> None:
    demo_world(db, tmp_path)
    evaluator = client_as(Role.EVALUATOR)
    form = page(evaluator.get("/releases/new"))
    periods = [option["value"] for option in form.select("#period_from option")]
    liverpool = db.scalars(select(Site).where(Site.code == "liverpool")).one()
    refused = page(
        evaluator.post(
            "/releases/new",
            data={
                "title": "Liverpool's first quarter",
                "version": "all",
                "period_from": periods[0],
                "period_to": periods[0],
                "sites": [liverpool.code],
                "threshold": "10",
                "rounding": "none",
            },
        )
    )
    assert field_error(refused, "period_from").startswith(
        "There are no approved returns from the sites chosen"
    )
    assert db.scalar(select(func.count()).select_from(Release)) == 0
    worse = page(
        evaluator.post(
            "/releases/new",
            data={
                "title": "",
                "version": "all",
                "period_from": periods[3],
                "period_to": periods[1],
                "threshold": "3",
                "rounding": "none",
            },
        )
    )
    assert error_summary(worse) == [
        "Enter a title for the release",
        "The last period must be the same as or after the first period",
        "Choose at least one site",
        "The smallest count shown must be between 10 and 100",
    ]


def test_a_site_lead_downloads_their_own_sites_data_only(
    client_as: Callable[..., FlaskClient], db: Session, tmp_path: Path
) -> None:
    demo_world(db, tmp_path)
    kent = db.scalars(select(Site).where(Site.code == "kent")).one()
    lead = client_as(Role.SITE_LEAD, site=kent)
    assert heading(page(lead.get("/site-data/kent"))) == "Download Kent's data"
    pack = lead.get("/site-data/kent/data-pack.xlsx")
    book = load_workbook(io.BytesIO(pack.data), read_only=True)
    sites_in_costs = {row[0] for row in book[book.sheetnames[3]].iter_rows(min_row=2, values_only=True)}
    assert sites_in_costs <= {"kent"}
    assert lead.get("/site-data/leeds/data-pack.xlsx").status_code == 404
    assert lead.get("/releases/").status_code == 403
