"""What every page carries (header, title, icons, footer) and the service's own pages: the accessibility
statement and the privacy notice."""

from __future__ import annotations

import gzip
from collections.abc import Callable

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from evidence_hub.chart_assets.views import PLOTLY_JS, plotly_js_version


def test_a_service_not_on_govuk_carries_the_generic_header_and_its_own_icon(client: FlaskClient) -> None:
    text = client.get("/sign-in").get_data(as_text=True)
    soup = BeautifulSoup(text, "html.parser")

    assert soup.title.get_text() == "Sign in – Evidence Hub"
    assert soup.select_one(".govuk-generic-header__homepage-link").get_text(strip=True) == "Evidence Hub"
    assert not soup.select(".govuk-header"), "no GOV.UK header, crown or logo"
    assert not soup.select(".govuk-footer__crown, .govuk-footer__copyright-logo")
    assert "Crown copyright" not in text
    icons = [link["href"] for link in soup.select("link[rel~=icon]")]
    assert icons and all("govuk-frontend" not in href for href in icons)
    assert all(client.get(href).status_code == 200 for href in icons)
    footer_links = [link.get_text() for link in soup.select("footer a")]
    assert footer_links == ["Accessibility statement", "Privacy notice"]


def test_a_deployment_on_govuk_carries_the_govuk_brand(make_app: Callable[..., Flask]) -> None:
    page = make_app(GOVUK_BRAND=True).test_client().get("/sign-in")
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")

    assert soup.title.get_text() == "Sign in – Evidence Hub – GOV.UK"
    assert soup.select(".govuk-header .govuk-logo, .govuk-header svg")
    assert not soup.select(".govuk-generic-header")
    assert soup.select(".govuk-footer__copyright-logo")
    assert "govuk-icon-180.png" in soup.select_one("link[rel=apple-touch-icon]")["href"]


def test_static_files_are_gzipped_when_accepted_and_cacheable_under_a_fingerprinted_address(
    client: FlaskClient,
) -> None:
    soup = BeautifulSoup(client.get("/sign-in").get_data(as_text=True), "html.parser")
    stylesheet = soup.select_one("link[rel=stylesheet][href*=govuk-frontend]")["href"]
    assert "?v=" in stylesheet

    plain = client.get(stylesheet)
    zipped = client.get(stylesheet, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert len(zipped.get_data()) < len(plain.get_data()) / 3
    assert zipped.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Encoding" not in plain.headers

    unversioned = client.get(stylesheet.split("?")[0], headers={"Accept-Encoding": "gzip"})
    assert unversioned.headers["Cache-Control"] == "no-cache"
    again = client.get(
        stylesheet.split("?")[0],
        headers={"Accept-Encoding": "gzip", "If-None-Match": unversioned.headers["ETag"]},
    )
    assert again.status_code == 304


def test_plotly_js_is_served_gzipped_and_kept_for_a_year(client: FlaskClient) -> None:
    version = plotly_js_version()
    response = client.get(f"/static/vendor/plotly-{version}.min.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.get_data()) < 2_000_000 < PLOTLY_JS.stat().st_size
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_accessibility_statement_has_the_model_statements_sections_and_is_true(
    client: FlaskClient,
) -> None:
    soup = BeautifulSoup(client.get("/accessibility").get_data(as_text=True), "html.parser")
    headings = [heading.get_text(strip=True) for heading in soup.select("main h2, main h3, main h4")]
    for section in (
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Non-compliance with the accessibility regulations",
        "Disproportionate burden",
        "What we’re doing to improve accessibility",
        "Preparation of this accessibility statement",
    ):
        assert section in headings, section
    text = soup.select_one("main").get_text(" ", strip=True)
    assert "partially compliant" in text and "fully compliant" not in text
    assert "PDF of a release is not tagged" in text and "Word document (DOCX)" in text and "web page" in text
    assert "large print, easy read, audio recording or braille" in text
    assert "This statement was prepared on 6 December 2026. It was last reviewed on 6 December 2026." in text
    assert "contact the administrator of your programme" in text


def test_the_accessibility_statement_names_the_support_address_when_one_is_set(
    make_app: Callable[..., Flask],
) -> None:
    page = make_app(SUPPORT_EMAIL="evidence-hub@example.gov.uk").test_client().get("/accessibility")
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    assert soup.select_one("a[href='mailto:evidence-hub@example.gov.uk']") is not None


def test_the_privacy_notice_says_sign_in_attempts_are_deleted_after_the_window(client: FlaskClient) -> None:
    text = BeautifulSoup(client.get("/privacy").get_data(as_text=True), "html.parser").get_text(
        " ", strip=True
    )
    assert "are used for 15 minutes to limit password guessing, then deleted" in text
