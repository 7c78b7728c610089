"""Reading pages as a user would: status, the one heading, the title, error messages."""

from __future__ import annotations

from bs4 import BeautifulSoup
from werkzeug.test import TestResponse


def page(response: TestResponse, status: int = 200) -> BeautifulSoup:
    """Parse a page and check what every page must have: one h1, and a title that starts with it."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}"
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    headings = soup.find_all("h1")
    assert len(headings) == 1, f"expected one <h1>, found {len(headings)}"
    title = soup.title.get_text(strip=True) if soup.title else ""
    heading = headings[0].get_text(" ", strip=True)
    assert title.removeprefix("Error: ").startswith(heading), (
        f"title {title!r} does not start with {heading!r}"
    )
    return soup


def heading(soup: BeautifulSoup) -> str:
    return soup.find("h1").get_text(" ", strip=True)


def error_summary(soup: BeautifulSoup) -> list[str]:
    summary = soup.select_one(".govuk-error-summary")
    return [item.get_text(" ", strip=True) for item in summary.select("li")] if summary else []


def field_error(soup: BeautifulSoup, field_id: str) -> str:
    """The error message shown beside a field, without the visually hidden 'Error:' prefix."""
    field = soup.find(id=field_id)
    assert field is not None, f"no field {field_id}"
    group = field.find_parent(class_="govuk-form-group")
    message = group.select_one(".govuk-error-message") if group else None
    return message.get_text(" ", strip=True).removeprefix("Error:").strip() if message else ""


def text_of(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())
