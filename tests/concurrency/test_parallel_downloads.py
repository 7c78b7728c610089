"""Many national officials downloading at the same moment: nobody gets a server error, a busy service says
when to try again, and one person cannot make it render file after file at once."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import AuditEvent, Release, Role
from tests.concurrency.conftest import REQUEST_TIMEOUT_SECONDS, at_once, signed_in
from tests.factories import make_user
from tests.release_helpers import published_release

PEOPLE = 20
BUSY = (429, 503)


@pytest.fixture
def release(db: Session, tmp_path: Path) -> Release:
    return published_release(db, tmp_path)


@pytest.fixture
def officials(db: Session, live_server: str, release: Release) -> list[requests.Session]:
    emails = [make_user(db, Role.NATIONAL_OFFICIAL).email for _ in range(PEOPLE)]
    return [signed_in(live_server, email) for email in emails]


def downloads_recorded(db: Session, what: str) -> int:
    db.expire_all()
    db.rollback()
    return sum(
        1
        for event in db.scalars(select(AuditEvent).where(AuditEvent.action == "release.download"))
        if (event.after or {}).get("what") == what
    )


@pytest.mark.parametrize(
    ("path", "what"),
    [
        ("summary.pdf", "summary pdf"),
        ("summary.docx", "summary docx"),
        ("data-pack.xlsx", "data pack xlsx"),
        ("data-pack.zip", "data pack zip"),
        ("", "summary page"),
        ("tables/costs.csv", "table csv"),
    ],
    ids=["pdf", "docx", "xlsx", "zip", "page", "csv"],
)
def test_twenty_officials_downloading_at_once_get_no_server_error(
    db: Session, live_server: str, release: Release, officials: list[requests.Session], path: str, what: str
) -> None:
    address = f"{live_server}/releases/{release.reference}/{path}".rstrip("/")

    answers = at_once(PEOPLE, lambda number: officials[number].get(address, timeout=REQUEST_TIMEOUT_SECONDS))

    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {200, *BUSY}, statuses
    assert statuses.count(200) >= 1
    for busy in (answer for answer in answers if answer.status_code in BUSY):
        assert busy.headers["Retry-After"] == "10"
        assert "try again" in busy.text.lower()
    # Whoever was asked to wait gets the file when they try again: it was rendered once and kept.
    for number, status in enumerate(statuses):
        if status in BUSY:
            assert officials[number].get(address, timeout=REQUEST_TIMEOUT_SECONDS).status_code == 200
    assert downloads_recorded(db, what) == PEOPLE
    firsts = {answer.content for answer in answers if answer.status_code == 200 and path != ""}
    assert len(firsts) <= 1, "every official got the same file"


def test_one_person_asking_for_many_files_at_once_is_asked_to_wait(
    app: Flask, db: Session, live_server: str, release: Release
) -> None:
    official = signed_in(live_server, make_user(db, Role.NATIONAL_OFFICIAL).email)

    # Four different files, none kept yet (the release's files are built when first asked for here),
    # each asked for twice.
    files = [("summary.pdf", "summary pdf"), ("summary.docx", "summary docx")]
    files += [("data-pack.xlsx", "data pack xlsx"), ("data-pack.zip", "data pack zip")]
    answers = at_once(
        8,
        lambda number: official.get(
            f"{live_server}/releases/{release.reference}/{files[number % 4][0]}",
            timeout=REQUEST_TIMEOUT_SECONDS,
        ),
    )

    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {200, 429}, statuses
    assert statuses.count(200) >= 1 and statuses.count(429) >= 1
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert refused.headers["Retry-After"] == "10"
    assert "Your other download is still being prepared" in refused.text
    assert sum(downloads_recorded(db, what) for _, what in files) == statuses.count(200)
