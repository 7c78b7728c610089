"""What every page carries (header, title, icons, footer) and the service's own pages: the accessibility
statement and the privacy notice."""

from __future__ import annotations

from collections.abc import Callable

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient


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
