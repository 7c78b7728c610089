"""A release page stays short whatever the release's size: its learning entries are counted there and read
fifty at a time on the learning pages; its long tables show their first rows; its charts load on their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.downloads import views
from evidence_hub.downloads.views import RECENT_PAGES_KEY
from evidence_hub.models import AuditEvent, Release, Role
from evidence_hub.services.releases import prebuild, release_page
from evidence_hub.services.releases.render import blocks
from evidence_hub.services.releases.render.blocks import entry_block
from evidence_hub.storage import release_file_store
from tests.pages import heading, page
from tests.release_helpers import demo_world, publish


@pytest.fixture
def release(db: Session, tmp_path: Path) -> Release:
    return publish(db, demo_world(db, tmp_path))


@pytest.fixture
def pages_made_afresh(app: Flask) -> Iterator[None]:
    """Release pages worked out again (a test changes how they are cut), and forgotten after the test."""
    app.extensions.pop(RECENT_PAGES_KEY, None)
    yield
    app.extensions.pop(RECENT_PAGES_KEY, None)


def quoted_entries(release: Release) -> list[str]:
    """The titles of the entries the summary quotes, in the order it quotes them."""
    summary = release.content["summary"]
    entries = [entry for theme in summary["themes"] for entry in theme["entries"]]
    entries += [entry for dimension in summary["barriers_enablers"] for entry in dimension["entries"]]
    entries += summary["recommendations"]
    return [entry_block(entry).title for entry in entries]


def learning_recorded(db: Session) -> int:
    db.rollback()
    return sum(
        1
        for event in db.scalars(select(AuditEvent).where(AuditEvent.action == "release.download"))
        if (event.after or {}).get("what") == "learning page"
    )


def test_the_release_page_counts_its_learning_and_links_to_it_instead_of_quoting_it(
    client_as: Callable[..., FlaskClient], release: Release
) -> None:
    official = client_as(Role.NATIONAL_OFFICIAL)
    shown = page(official.get(f"/releases/{release.reference}"))
    text = shown.get_text(" ", strip=True)
    titles = quoted_entries(release)
    assert titles, "the demo release quotes learning"
    # What an official reads first is still there.
    for wanted in (
        "Executive summary",
        "Key figures",
        "Downloads",
        "Disclosure control",
        release.fingerprint,
    ):
        assert wanted in text, wanted
    assert "What happened:" not in text, "no entry is quoted on the release page"
    table = shown.select_one("#learning ~ table")
    counted = {
        row.select_one("th").get_text(strip=True): int(
            row.select("td")[-1].get_text(strip=True).replace(",", "")
        )
        for row in table.select("tbody tr")
    }
    assert counted.pop("All entries, in the summary's order") == len(titles)
    assert sum(counted.values()) == len(titles)
    # Each place the summary quoted entries now says how many, with a link to them.
    links = [
        link for link in shown.select("main a[href*='/learning?group=']") if "Read the" in link.get_text()
    ]
    assert links and all(link.get_text(" ", strip=True).startswith("Read the ") for link in links)
    followed = page(official.get(links[0]["href"]))
    entries = followed.select("main .govuk-inset-text")
    number = int(links[0].get_text().split()[2].replace(",", ""))
    assert len(entries) == min(number, 50)
    assert heading(followed).startswith(("Findings by theme: ", "Barriers and enablers: ", "Recommendations"))


def test_the_learning_pages_show_every_entry_a_page_at_a_time_in_the_summarys_order(
    client_as: Callable[..., FlaskClient],
    release: Release,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(release_page, "ENTRIES_PER_PAGE", 4)
    official = client_as(Role.NATIONAL_OFFICIAL)
    titles = quoted_entries(release)
    assert len(titles) > 8, "the demo release has entries for three pages"
    before = learning_recorded(db)

    second = page(official.get(f"/releases/{release.reference}/learning?page=2"))

    assert heading(second) == "All learning"
    entries = second.select("main .govuk-inset-text")
    assert [entry.select_one("h2").get_text(strip=True) for entry in entries] == titles[4:8]
    assert (
        entries[0]
        .select_one(".govuk-caption-s")
        .get_text(" ", strip=True)
        .startswith(f"Entry 5 of {len(titles)} · ")
    )
    text = second.get_text(" ", strip=True)
    assert f"Entries 5 to 8 of {len(titles)}, page 2 of {-(-len(titles) // 4)}" in text
    pagination = second.select_one("nav.govuk-pagination")
    assert pagination.select_one("[aria-current=page]").get_text(strip=True) == "2"
    assert pagination.select_one(".govuk-pagination__prev a")["href"].endswith("/learning?page=1")
    # Every entry is on one of the pages, once.
    seen = []
    for number in range(1, -(-len(titles) // 4) + 1):
        listed = page(official.get(f"/releases/{release.reference}/learning?page={number}"))
        seen += [
            entry.select_one("h2").get_text(strip=True) for entry in listed.select("main .govuk-inset-text")
        ]
    assert seen == titles
    # Past the last page, the last page.
    beyond = page(official.get(f"/releases/{release.reference}/learning?page=999"))
    assert beyond.select("main .govuk-inset-text h2")[-1].get_text(strip=True) == titles[-1]
    assert learning_recorded(db) == before + 2 + len(range(1, -(-len(titles) // 4) + 1))


def test_one_sections_learning_is_read_on_its_own(
    client_as: Callable[..., FlaskClient], release: Release
) -> None:
    official = client_as(Role.NATIONAL_OFFICIAL)
    recommendations = release.content["summary"]["recommendations"]
    shown = page(official.get(f"/releases/{release.reference}/learning?group=recommendations"))
    assert (
        heading(shown)
        == "Recommendations for national roll-out: recommendations and lessons with a national implication"
    )
    titles = [entry.select_one("h2").get_text(strip=True) for entry in shown.select("main .govuk-inset-text")]
    assert titles == [entry_block(entry).title for entry in recommendations][:50]
    assert shown.select_one("main .govuk-inset-text .govuk-caption-s").get_text(strip=True) == (
        f"Entry 1 of {len(recommendations)}"
    )
    unknown = official.get(f"/releases/{release.reference}/learning?group=theme-nonsense")
    assert unknown.status_code == 404


def test_a_long_table_shows_its_first_rows_and_says_where_every_row_is(
    client_as: Callable[..., FlaskClient],
    release: Release,
    monkeypatch: pytest.MonkeyPatch,
    pages_made_afresh: None,
) -> None:
    monkeypatch.setattr(release_page, "MOST_TABLE_ROWS", 2)
    monkeypatch.setattr(release_page, "MOST_SITES_NAMED", 1)
    monkeypatch.setattr(blocks, "SITES_LISTED", 1)
    shown = page(client_as(Role.NATIONAL_OFFICIAL).get(f"/releases/{release.reference}"))
    costs = next(
        table
        for table in shown.select("main table")
        if table.caption and table.caption.get_text(strip=True).startswith("Cost per site")
    )
    rows = costs.select("tbody tr")
    assert len(rows) == 2
    assert rows[-1].select_one("th").get_text(strip=True) == "All sites", "the total row is kept"
    sites = len(release.site_codes)
    note = costs.find_parent("div").find_next_sibling("p").get_text(" ", strip=True)
    assert note.startswith(f"The first 2 of {sites + 1} rows, with the total.")
    assert "data pack" in note
    text = shown.get_text(" ", strip=True)
    assert f"{sites} sites in " in text
    assert "each is named in the tables below" in text


def test_the_charts_load_from_their_own_address(
    client_as: Callable[..., FlaskClient], release: Release
) -> None:
    official = client_as(Role.NATIONAL_OFFICIAL)
    shown = page(official.get(f"/releases/{release.reference}"))
    pictures = shown.select("main figure img[alt]")
    assert len(pictures) >= 3
    assert not any(picture["src"].startswith("data:") for picture in pictures)
    picture = official.get(pictures[0]["src"])
    assert picture.status_code == 200 and picture.mimetype == "image/png"
    assert picture.data.startswith(b"\x89PNG")


def test_a_withdrawn_release_has_no_learning_pages_or_charts(
    client_as: Callable[..., FlaskClient], release: Release, db: Session
) -> None:
    official, evaluator = client_as(Role.NATIONAL_OFFICIAL), client_as(Role.EVALUATOR)
    assert official.get(f"/releases/{release.reference}/learning").status_code == 200
    evaluator.post(f"/releases/{release.reference}/withdraw", data={"reason": "Leeds counted twice."})
    for who in (official, evaluator):
        gone = who.get(f"/releases/{release.reference}/learning")
        assert gone.status_code == 410
        assert "Leeds counted twice." in gone.get_data(as_text=True)
        assert who.get(f"/releases/{release.reference}/charts/0.png").status_code == 410
    # As before: the evaluator still sees that it was withdrawn, the official that it is gone.
    assert "withdrawn" in page(evaluator.get(f"/releases/{release.reference}"), 410).get_text()
    assert page(official.get(f"/releases/{release.reference}"), 410)
    assert db.scalar(select(func.count()).select_from(Release)) == 1


def test_a_large_releases_charts_are_drawn_by_its_job_and_never_by_the_page(
    app: Flask,
    client_as: Callable[..., FlaskClient],
    release: Release,
    monkeypatch: pytest.MonkeyPatch,
    pages_made_afresh: None,
) -> None:
    monkeypatch.setattr(prebuild, "SITES_BUILT_IN_A_REQUEST", 0)
    monkeypatch.setattr(release_page, "CHARTLESS_PAGE_SECONDS", 0.0)
    app.extensions.pop(views.RECENT_CHARTS_KEY, None)
    official = client_as(Role.NATIONAL_OFFICIAL)

    waiting = page(official.get(f"/releases/{release.reference}"))
    assert "The charts of this release are still being drawn" in waiting.get_text(" ", strip=True)
    assert waiting.select("main figure img") == []
    assert "Key figures" in waiting.get_text()

    with app.app_context():
        assert prebuild.store_charts(release_file_store(), release), "the job's first step draws them"
        assert not prebuild.store_charts(release_file_store(), release), "once"
    drawn = page(official.get(f"/releases/{release.reference}"))
    assert "still being drawn" not in drawn.get_text()
    pictures = drawn.select("main figure img[alt]")
    assert len(pictures) >= 3
    assert official.get(pictures[-1]["src"]).data.startswith(b"\x89PNG")
