"""Screenshots of the pages issue 20 ("What a new user trips on") changed, for people to look at.

Starts `evidence-hub demo` on a free port with a database of its own (a temporary SQLite file), signs in
as each demo account in Debian's Chromium (/usr/bin/chromium, through Playwright), and saves a PNG of each
page into docs/screenshots/, 1,280 px wide and reduced to a palette so that the files stay small. Pages
longer than MAX_HEIGHT are cut there (the fix each shows is near the top, or scrolled to).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

docs/screenshots/README.md says what each picture shows; keep it in step with PAGES below.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from PIL import Image
from playwright.sync_api import sync_playwright

from evidence_hub.demo import DEMO_ACCOUNTS_FILE

CHROMIUM = os.environ.get("EVIDENCE_HUB_CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 1280, 900
MAX_HEIGHT = 2400
ROOT = Path(__file__).resolve().parent.parent
ACCOUNT_LINE = re.compile(r"^\s+(\S+@demo\.evidence-hub\.example)\s+(\S+)\s", re.MULTILINE)
# Drawn once every chart on the page has its SVG.
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-chart]')].every(
    (chart) => chart.classList.contains('js-plotly-plot') && chart.querySelector('svg'))"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_demo(folder: Path) -> tuple[subprocess.Popen[str], str, dict[str, str]]:
    port = free_port()
    environment = {
        **os.environ,
        "EVIDENCE_HUB_DATABASE_URL": f"sqlite:///{folder / 'screenshots.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    command = [str(Path(sys.executable).parent / "evidence-hub"), "demo", "--port", str(port)]
    server = subprocess.Popen(  # noqa: S603  (our own command, no shell)
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    printed = ""
    assert server.stdout is not None
    while "is running at" not in printed:
        line = server.stdout.readline()
        if not line:
            raise SystemExit(f"The demo stopped before it served:\n{printed}")
        printed += line
    base = f"http://127.0.0.1:{port}"
    for _ in range(50):
        try:
            with urlopen(f"{base}/sign-in", timeout=5):  # noqa: S310  (a local address)
                break
        except OSError:
            time.sleep(0.2)
    return server, base, dict(ACCOUNT_LINE.findall(printed))


def sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def first_link(page: Any, address: str, pattern: str) -> str:
    """The first link on a page whose address matches the pattern."""
    page.goto(address)
    for href in page.eval_on_selector_all(
        "main a[href]", "(links) => links.map((a) => a.getAttribute('href'))"
    ):
        if re.search(pattern, href):
            return str(href)
    raise SystemExit(f"No link like {pattern} on {address}")


def return_links(page: Any) -> list[str]:
    """The addresses of the returns listed on the signed-in lead's list of returns, oldest first."""
    page.goto("/returns/")
    links = page.eval_on_selector_all("main a[href]", "(links) => links.map((a) => a.getAttribute('href'))")
    return [href for href in links if re.fullmatch(r"/returns/\d+", href)]


def save(page: Any, target: Path, scroll_to: str | None) -> None:
    if page.locator("[data-chart]").count():
        page.wait_for_function(CHARTS_DRAWN)
    if scroll_to:
        top = page.locator(scroll_to).first.evaluate(
            "(element) => element.getBoundingClientRect().top + scrollY"
        )
        page.evaluate("(top) => window.scrollTo(0, top - 20)", top)
        page.screenshot(path=str(target))
    else:
        height = min(MAX_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
        page.screenshot(
            path=str(target), clip={"x": 0, "y": 0, "width": WIDTH, "height": height}, full_page=True
        )
    # A palette of 128 colours: the pages are mostly flat colour, and the file a tenth of the size.
    with Image.open(target) as picture:
        picture.convert("RGB").quantize(colors=128).save(target, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    # The demo keeps its accounts' passwords in the instance folder whatever its database: this run's
    # database gets new accounts, so the file is put back afterwards for the developer's own demo.
    passwords_file = ROOT / "instance" / DEMO_ACCOUNTS_FILE
    kept = passwords_file.read_bytes() if passwords_file.exists() else None
    with tempfile.TemporaryDirectory() as folder:
        server, base, passwords = start_demo(Path(folder))
        try:
            take(base, passwords, arguments.out)
        finally:
            server.terminate()
            server.wait(timeout=20)
            if kept is None:
                passwords_file.unlink(missing_ok=True)
            else:
                passwords_file.write_bytes(kept)


def take(base: str, passwords: dict[str, str], out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"]
        )

        def page_of(account: str) -> Any:
            context = browser.new_context(base_url=base, viewport={"width": WIDTH, "height": HEIGHT})
            context.set_default_timeout(30_000)
            page = context.new_page()
            email = f"{account}@demo.evidence-hub.example"
            sign_in(page, email, passwords[email])
            return page

        def shoot(page: Any, name: str, address: str, scroll_to: str | None = None) -> None:
            page.goto(address)
            save(page, out / f"{name}.png", scroll_to)
            print(f"{name}.png: {address}")

        visitor = browser.new_context(base_url=base, viewport={"width": WIDTH, "height": HEIGHT}).new_page()
        shoot(visitor, "01-sign-in-generic-header", "/sign-in")
        shoot(visitor, "02-accessibility-statement", "/accessibility")

        leeds = page_of("leeds.lead")
        # The returns are listed oldest first: Leeds's first is locked, its latest returned with comments.
        returns = return_links(leeds)
        locked, returned = returns[0], returns[-1]
        shoot(leeds, "03-task-list-progress-and-comment-markers", returned)
        shoot(leeds, "04-locked-return-says-why", locked)
        shoot(leeds, "05-check-answers-change-per-answer", f"{returned}/check")
        shoot(leeds, "06-check-answers-journey-change-per-answer", f"{returned}/check", "#section-journey")
        theme = first_link(leeds, f"{returned}/measures", r"/measures/themes/")
        shoot(leeds, "07-theme-measures-in-one-table", theme)
        measure = first_link(leeds, f"{returned}/measures", r"/measures/[A-Z]")
        shoot(leeds, "08-measure-one-evidence-scale-and-guidance", measure)
        shoot(leeds, "09-returns-by-financial-year", "/returns/")

        kent = page_of("kent.lead")
        # Kent's latest return waits for review: its confirmation page says what happens next.
        kent_returns = return_links(kent)
        shoot(kent, "10-submitted-confirmation-panel", f"{kent_returns[-1]}/submitted")

        evaluator = page_of("evaluator")
        review = first_link(evaluator, "/review/returns", r"^/review/returns/\d+$")
        shoot(evaluator, "11-review-comment-from-each-item", review, ".app-comment-on-item")
        shoot(evaluator, "12-review-comment-on-the-milestone", review, "#section-journey")
        comment = first_link(evaluator, review, r"/comment\?item=milestone")
        shoot(evaluator, "13-comment-on-the-milestone-from-the-item", comment)
        shoot(evaluator, "14-audit-log-plain-english", "/audit/", "main table")
        shoot(evaluator, "15-audit-log-comparison-areas", "/audit/?action=impact.area_added", "main table")
        history = first_link(evaluator, "/audit/?action=measure.created", r"/audit/history/")
        shoot(evaluator, "16-item-history", history)
        for view in ("costs", "outcomes", "value-for-money", "completeness", "learning", "journey", "impact"):
            shoot(evaluator, f"17-dashboard-{view}", f"/dashboard/{view}", ".app-panel")
        shoot(
            evaluator,
            "18-dashboard-costs-table-turned",
            "/dashboard/costs",
            "#panel-by-category ~ .app-table-scroll",
        )
        shoot(evaluator, "19-dashboard-site-profile", "/dashboard/sites/leeds", ".app-panel")

        official = page_of("official")
        release = first_link(official, "/releases/", r"^/releases/[A-Z]+-\d+-\d+$")
        shoot(official, "20-learning-summary-contents", release)
        browser.close()


if __name__ == "__main__":
    main()
