"""Browser tests: the real service on a local port, driven in Debian's Chromium by Playwright.

Never a downloaded browser: the tests use /usr/bin/chromium (Debian packages chromium and
chromium-driver) and skip with instructions when it is missing.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from evidence_hub import demo
from evidence_hub.demo_evidence import ensure_demo_evidence, ensure_demo_impact
from evidence_hub.models import Role, User
from evidence_hub.services.accounts.users import AccountSettings
from evidence_hub.services.framework.demo import ensure_demo_framework
from tests.factories import DEFAULT_PASSWORD, factory_totp_secret, make_user, second_factor_codes

CHROMIUM = os.environ.get("EVIDENCE_HUB_CHROMIUM", "/usr/bin/chromium")
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.0, 2.1 and 2.2 at levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(
            f"Chromium not found at {CHROMIUM}. Install Debian's browser with "
            "`sudo apt-get install chromium chromium-driver` to run the browser tests."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app on a free local port, with CSRF on as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Callable[[], Any]]:
    contexts: list[Any] = []

    def build() -> Any:
        # bypass_csp lets the test inject axe-core; the service's own pages never need it.
        context = browser.new_context(base_url=live_server, bypass_csp=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield build
    for context in contexts:
        context.close()


@pytest.fixture
def page_for(new_page: Callable[[], Any]) -> Any:
    return new_page()


def assert_accessible(browser_page: Any) -> None:
    """axe-core finds no serious or critical WCAG 2.2 AA violation on the page as it is now."""
    # A page whose navigation has committed but not parsed its <head> cannot take the axe script yet.
    browser_page.wait_for_load_state("load")
    browser_page.add_script_tag(path=str(AXE_SCRIPT))
    # Only violations are read, so axe need not work out selectors for every element that passes.
    results = browser_page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"Accessibility problems on {browser_page.url}: " + "; ".join(serious)


# The authenticator secrets set up through the browser in this run, by email address.
SECRETS_SET_UP: dict[str, str] = {}


def path_of(browser_page: Any) -> str:
    return urlsplit(browser_page.url).path


def set_up_two_factor_in_the_browser(browser_page: Any, email: str) -> str:
    """On the set-up page: read the key shown for manual entry, enter the app's code, keep the recovery
    codes. Returns the secret, as an authenticator app would hold it."""
    secret = (browser_page.locator("#setup-key").text_content() or "").replace(" ", "").strip()
    SECRETS_SET_UP[email] = secret
    browser_page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    browser_page.get_by_role("button", name="Turn on two-factor sign-in").click()
    browser_page.wait_for_load_state()
    browser_page.get_by_role("button", name="I have kept my recovery codes").click()
    browser_page.wait_for_load_state()
    return secret


def sign_in_through_the_browser(browser_page: Any, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the form, taking the second step as the person would: setting up the app when
    asked, or entering its code (a factory user's app, or one set up earlier in this run)."""
    browser_page.goto("/sign-in")
    browser_page.get_by_label("Email address").fill(email)
    browser_page.get_by_label("Password", exact=True).fill(password)
    browser_page.get_by_role("button", name="Sign in").click()
    browser_page.wait_for_load_state()
    if path_of(browser_page) == "/sign-in/two-factor/set-up":
        set_up_two_factor_in_the_browser(browser_page, email)
    elif path_of(browser_page) == "/sign-in/two-factor":
        for code in second_factor_codes(SECRETS_SET_UP.get(email) or factory_totp_secret(email)):
            browser_page.get_by_label("Code", exact=True).fill(code)
            browser_page.get_by_role("button", name="Continue").click()
            browser_page.wait_for_load_state()
            if path_of(browser_page) != "/sign-in/two-factor":
                return


@pytest.fixture
def browser_user(db: Session) -> Callable[..., User]:
    def build(role: Role, **fields: Any) -> User:
        return make_user(db, role, **fields)

    return build


@pytest.fixture
def demo_evidence(db: Session, tmp_path: Path) -> None:
    """The demo's sites, framework, accounts, eight quarters of returns in every state, and its comparison
    areas and series (so that the Impact view draws its charts)."""
    sites = demo.ensure_demo_sites(db)
    framework = ensure_demo_framework(db)
    demo.ensure_demo_accounts(db, sites, str(tmp_path), AccountSettings())
    ensure_demo_evidence(db, framework)
    ensure_demo_impact(db, framework)
