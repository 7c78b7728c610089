"""The framework pages as people use them: a pilot lead reading guidance, an administrator uploading,
checking and publishing a new version, and everyone downloading the framework."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import AuditEvent, Framework, FrameworkVersion, Role
from evidence_hub.services.framework.demo import ensure_demo_framework
from evidence_hub.services.framework.lifecycle import import_framework
from evidence_hub.services.framework.shipped_files import DEFAULT_FRAMEWORK_PATH, shipped_framework_files
from tests.pages import error_summary, field_error, heading, page, text_of

ClientAs = Callable[..., FlaskClient]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks"
DEFAULT = "/framework/worklessness-data-sharing/1"


@pytest.fixture
def demo(db: Session) -> Framework:
    return ensure_demo_framework(db)


@pytest.fixture
def admin(client_as: ClientAs) -> FlaskClient:
    return client_as(Role.ADMINISTRATOR)


def upload(client: FlaskClient, content: bytes, filename: str = "framework.yaml") -> BeautifulSoup | str:
    """Upload a file; the page shown when it is refused, or where the browser is sent when it is accepted."""
    response = client.post(
        "/framework/upload",
        data={"framework_file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    if response.status_code == 302:
        return response.headers["Location"]
    return page(response)


def table_rows(soup: BeautifulSoup) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")] for row in soup.select("tbody tr")
    ]


def summary(soup: BeautifulSoup) -> dict[str, str]:
    return {
        row.select_one(".govuk-summary-list__key").get_text(" ", strip=True): row.select_one(
            ".govuk-summary-list__value"
        ).get_text(" ", strip=True)
        for row in soup.select(".govuk-summary-list__row")
    }


def test_every_signed_in_user_finds_the_framework_in_the_navigation(
    client_as: ClientAs, demo: Framework
) -> None:
    for role in Role:
        soup = page(client_as(role).get("/"))
        assert "Framework" in [
            link.get_text(strip=True) for link in soup.select(".govuk-service-navigation__link")
        ]


def test_the_framework_list_shows_the_live_version(client_as: ClientAs, demo: Framework) -> None:
    soup = page(client_as(Role.SITE_LEAD).get("/framework/"))
    assert heading(soup) == "Evaluation framework"
    assert "Data sharing for delivery: worklessness pilots" in text_of(soup)
    (row,) = table_rows(soup)
    assert row[:3] == [
        "Version 1 of Data sharing for delivery: worklessness pilots",
        "Published",
        "1 April 2009",
    ]
    assert row[4] == ""
    assert "Upload a framework file" not in text_of(soup)


def test_the_overview_shows_lines_of_enquiry_questions_indicators_and_periods(
    client_as: ClientAs, demo: Framework
) -> None:
    soup = page(client_as(Role.SITE_LEAD).get(DEFAULT))
    assert heading(soup) == "Data sharing for delivery: worklessness pilots"
    text = text_of(soup)
    for theme in (
        "Value for money: costs and benefits",
        "Data and capacity factors",
        "Wider context and partnership working",
        "Systems learning",
        "Next steps",
    ):
        assert theme in text
    assert "What did the pilot cost each partner, in cash and in kind" in text
    assert soup.find("a", string="Referrals between partners") is not None
    # The shipped framework names quarters by financial year.
    assert "2009-10 Q1 (April to June 2009) 1 April 2009 to 30 June 2009 31 July 2009 Open" in text
    assert "2010-11 Q4 (January to March 2011) 1 January 2011 to 31 March 2011 30 April 2011 Open" in text
    assert "Publish version" not in text


def test_an_evaluator_can_read_the_guidance_for_every_indicator(client_as: ClientAs, demo: Framework) -> None:
    evaluator = client_as(Role.EVALUATOR)
    live = demo.published_version
    assert live is not None
    for indicator in live.indicators:
        soup = page(evaluator.get(f"{DEFAULT}/indicators/{indicator.code}"))
        text = text_of(soup)
        assert heading(soup) == indicator.name
        assert " ".join(indicator.include_guidance.split()) in text
        assert " ".join(indicator.exclude_guidance.split()) in text
        rows = summary(soup)
        assert rows["Unit"] == indicator.unit_enum.label
        assert rows["Direction"] == indicator.direction_enum.label
        assert rows["Collected"] == indicator.frequency_enum.label
        assert set(rows) >= {"Decimal places", "Combining sites", "Baseline required", "Target required"}
        assert indicator.minimum_evidence_level.description in text
        for source in indicator.data_sources:
            assert source in text


def test_an_indicator_page_shows_its_range_weight_and_evidence_level(
    client_as: ClientAs, demo: Framework
) -> None:
    soup = page(client_as(Role.SITE_LEAD).get(f"{DEFAULT}/indicators/WL-JOB-ENTRY-RATE"))
    rows = summary(soup)
    assert rows["Plausible range"].startswith("0.0% to 60.0%")
    assert "justification" in rows["Plausible range"]
    assert rows["Combining sites"].endswith("Clients engaged through data-led targeting")
    assert rows["Baseline required"] == "Yes"
    text = text_of(soup)
    assert "at least level 2 of the Maryland Scientific Methods Scale" in text
    assert "Ask yourself: Have you compared outcomes before and after the pilot" in text
    assert soup.select_one(".govuk-pagination__prev") is not None


def test_an_evaluator_can_read_what_to_include_and_exclude_for_every_cost_category(
    client_as: ClientAs, demo: Framework
) -> None:
    soup = page(client_as(Role.EVALUATOR).get(f"{DEFAULT}/cost-categories"))
    text = text_of(soup)
    live = demo.published_version
    assert live is not None
    for category in live.cost_categories:
        assert category.name in text
        assert " ".join(category.include_guidance.split()) in text
        assert " ".join(category.exclude_guidance.split()) in text
    in_kind = soup.find(id="cost-category-PARTNER-TIME")
    assert in_kind is not None and "In kind" in in_kind.get_text()


def test_learning_journey_and_evidence_scales_have_their_own_pages(
    client_as: ClientAs, demo: Framework
) -> None:
    reader = client_as(Role.NATIONAL_OFFICIAL)
    learning = text_of(page(reader.get(f"{DEFAULT}/learning-and-activities")))
    for words in (
        "Barrier",
        "Good practice",
        "Legal and information governance",
        "National processes",
        "Business case development",
        "Jobcentre Plus",
        "Improvement adviser",
    ):
        assert words in learning
    journey = page(reader.get(f"{DEFAULT}/data-sharing-journey"))
    milestones = journey.select("li[id^=milestone-]")
    assert milestones[0]["id"] == "milestone-J0"
    assert "100 out of 100 Sharing established and sustained" in text_of(journey)
    scales = text_of(page(reader.get(f"{DEFAULT}/evidence-scales")))
    assert "Maryland Scientific Methods Scale" in scales and "Nesta Standards of Evidence" in scales
    assert "Were people or areas chosen at random to take part or not, and then compared?" in scales


def test_searching_by_word_links_to_the_guidance(client_as: ClientAs, demo: Framework) -> None:
    soup = page(client_as(Role.SITE_LEAD).get(f"{DEFAULT}/search?q=in+kind"))
    results = soup.select("main ol li a")
    assert "Partner staff time (in kind)" in [link.get_text(strip=True) for link in results]
    target = next(
        link["href"] for link in results if link.get_text(strip=True) == "Partner staff time (in kind)"
    )
    assert target.endswith("/cost-categories#cost-category-PARTNER-TIME")
    assert soup.select_one("main ol li strong") is not None
    nothing = page(client_as(Role.SITE_LEAD).get(f"{DEFAULT}/search?q=zebra"))
    assert "No results for \u2018zebra\u2019" in text_of(nothing)


def test_a_search_that_is_too_long_is_explained(client_as: ClientAs, demo: Framework) -> None:
    soup = page(client_as(Role.SITE_LEAD).get(f"{DEFAULT}/search?q=" + "a" * 201))
    assert error_summary(soup) == ["Enter 200 characters or fewer"]


def test_downloads_give_the_file_the_data_dictionary_and_the_schema(
    client_as: ClientAs, demo: Framework
) -> None:
    reader = client_as(Role.SITE_LEAD)
    response = reader.get(f"{DEFAULT}/framework.yaml")
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="worklessness-data-sharing-v1.yaml"'
    )
    assert response.get_data(as_text=True) == DEFAULT_FRAMEWORK_PATH.read_text()

    response = reader.get(f"{DEFAULT}/data-dictionary.xlsx")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.data))
    indicator_codes = [row[0] for row in workbook["Indicators"].iter_rows(min_row=2, values_only=True)]
    assert "WL-DAYS-TO-APPROVAL" in indicator_codes

    response = reader.get("/framework/schema.json")
    assert response.mimetype == "application/schema+json"
    assert json.loads(response.data)["title"].startswith("Evidence Hub evaluation framework file")


def test_drafts_are_hidden_from_site_leads_and_national_officials(
    client_as: ClientAs, db: Session, demo: Framework
) -> None:
    with transaction(db):
        source = DEFAULT_FRAMEWORK_PATH.read_text().replace("\nversion: 1\n", "\nversion: 2\n")
        import_framework(db, source, actor=None)
    for role, status in [(Role.SITE_LEAD, 404), (Role.NATIONAL_OFFICIAL, 404), (Role.EVALUATOR, 200)]:
        reader = client_as(role)
        assert reader.get("/framework/worklessness-data-sharing/2").status_code == status
        listed = text_of(page(reader.get("/framework/")))
        assert ("Version 2" in listed) is (status == 200)
    draft_page = page(client_as(Role.EVALUATOR).get("/framework/worklessness-data-sharing/2"))
    assert "This is a draft. Sites do not report against it" in text_of(draft_page)


# Uploading, checking and publishing -----------------------------------------------------------------------


def test_an_upload_with_ten_mistakes_shows_all_ten_and_saves_nothing(admin: FlaskClient, db: Session) -> None:
    soup = upload(admin, (FIXTURES / "ten_mistakes.yaml").read_bytes(), "ten_mistakes.yaml")
    assert isinstance(soup, BeautifulSoup)
    assert soup.title is not None and soup.title.get_text().startswith("Error: ")
    assert error_summary(soup) == [
        "The file has 10 problems. Nothing has been saved: "
        "fix every problem listed below, then upload the file again."
    ]
    assert soup.select_one(".govuk-error-summary a")["href"] == "#framework_file"
    rows = table_rows(soup)
    assert len(rows) == 10
    assert [row[1] for row in rows] == [
        "effective_from",
        "themes[0].questions[0].guidence",
        "indicators[0].theme",
        "indicators[1].code",
        "indicators[1].minimum_evidence.level",
        "indicators[2].unit",
        "indicators[3].plausible_min",
        "cost_categories[0].exclude",
        "learning_types[0].code",
        "journey[2].percentage",
    ]
    assert "Unknown unit “minutes”" in rows[5][2]
    assert db.scalar(select(func.count()).select_from(FrameworkVersion)) == 0


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"code: x", "framework.txt", "The selected file must be a YAML file ending in .yaml or .yml"),
        (b"#" * (1024 * 1024 + 1), "framework.yaml", "The selected file must be smaller than 1 MB"),
    ],
)
def test_a_file_that_is_not_yaml_or_is_too_large_is_refused(
    admin: FlaskClient, content: bytes, filename: str, message: str
) -> None:
    soup = upload(admin, content, filename)
    assert isinstance(soup, BeautifulSoup)
    assert field_error(soup, "framework_file") == message


def test_an_upload_without_a_file_asks_for_one(admin: FlaskClient) -> None:
    soup = page(admin.post("/framework/upload", data={}, content_type="multipart/form-data"))
    assert error_summary(soup) == ["Select a framework file"]


def test_a_file_that_is_not_utf8_text_is_explained(admin: FlaskClient) -> None:
    soup = upload(admin, b"code: \xff\xfe\x00")
    assert isinstance(soup, BeautifulSoup)
    assert "not text saved as UTF-8" in text_of(soup)


def test_an_administrator_uploads_checks_the_changes_and_publishes_a_new_version(
    admin: FlaskClient, db: Session, demo: Framework
) -> None:
    source = DEFAULT_FRAMEWORK_PATH.read_text().replace("\nversion: 1\n", "\nversion: 2\n")
    source = source.replace("plausible_max: 5000\n", "plausible_max: 6000\n", 1)
    location = upload(admin, source.encode(), "worklessness-v2.yaml")
    assert location == "/framework/worklessness-data-sharing/2/changes"

    changes = page(admin.get(location))
    text = text_of(changes)
    assert "Version 2 of Data sharing for delivery: worklessness pilots has been imported as a draft" in text
    assert "Compared with version 1 , the live version" in text
    assert "0 added, 0 removed and 1 changed" in text
    assert ["Plausible maximum", "5000", "6000"] in table_rows(changes)

    confirmation = page(admin.get("/framework/worklessness-data-sharing/2/publish"))
    assert "Version 1, live since" in text_of(confirmation)
    assert "will be retired" in text_of(confirmation)
    response = admin.post("/framework/worklessness-data-sharing/2/publish")
    assert response.status_code == 302
    assert response.headers["Location"] == "/framework/worklessness-data-sharing/2"

    live = page(admin.get("/framework/worklessness-data-sharing/2"))
    assert "Version 2 of Data sharing for delivery: worklessness pilots is now live." in text_of(live)
    retired = page(admin.get(DEFAULT))
    assert "This version was retired on" in text_of(retired)
    assert admin.get("/framework/worklessness-data-sharing").headers["Location"].endswith("/2")
    actions = list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-3:] == ["framework.imported", "framework.retired", "framework.published"]


def test_publishing_a_published_version_is_refused_with_an_explanation(
    admin: FlaskClient, demo: Framework
) -> None:
    soup = page(admin.get(f"{DEFAULT}/publish"))
    assert error_summary(soup) == [f"Version 1 of {demo.name} is already published."]
    assert soup.select("main form") == []
    refused = page(admin.post(f"{DEFAULT}/publish"))
    assert refused.title is not None and refused.title.get_text().startswith("Error: ")


def test_a_draft_can_be_deleted_but_a_published_version_cannot(
    admin: FlaskClient, db: Session, demo: Framework
) -> None:
    upload(admin, DEFAULT_FRAMEWORK_PATH.read_text().replace("\nversion: 1\n", "\nversion: 2\n").encode())
    confirmation = page(admin.get("/framework/worklessness-data-sharing/2/delete"))
    assert heading(confirmation) == "Delete draft version 2"
    response = admin.post("/framework/worklessness-data-sharing/2/delete")
    assert response.headers["Location"] == "/framework/"
    assert "The draft version 2 of" in text_of(page(admin.get("/framework/")))
    assert db.scalar(select(func.count()).select_from(FrameworkVersion)) == 1

    refused = page(admin.post(f"{DEFAULT}/delete"))
    assert "can never be deleted" in error_summary(refused)[0]
    assert db.scalar(select(func.count()).select_from(FrameworkVersion)) == 1


def test_the_second_framework_uploads_publishes_and_browses_with_no_code_change(admin: FlaskClient) -> None:
    (second,) = [path for path in shipped_framework_files() if path != DEFAULT_FRAMEWORK_PATH]
    code = yaml.safe_load(second.read_text())["code"]
    assert upload(admin, second.read_bytes(), second.name) == f"/framework/{code}/1/changes"
    assert admin.post(f"/framework/{code}/1/publish").status_code == 302

    overview = page(admin.get(f"/framework/{code}/1"))
    assert heading(overview) == "Digital inclusion through public libraries"
    assert "Data-sharing journey" not in text_of(overview)
    assert admin.get(f"/framework/{code}/1/data-sharing-journey").status_code == 404
    indicator = page(admin.get(f"/framework/{code}/1/indicators/DI-NEW-USERS-SHARE"))
    assert summary(indicator)["Collected"] == "Every month"
    for section in (
        "cost-categories",
        "learning-and-activities",
        "evidence-scales",
        "changes",
        "search?q=volunteer",
    ):
        page(admin.get(f"/framework/{code}/1/{section}"))
