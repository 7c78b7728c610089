"""Fifty people signing in to one account at the same moment (a shared demo account, a script, a crowd
after an outage): every one is signed in, and every attempt is counted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.config import DEFAULTS
from evidence_hub.models import Role, SignInAttempt
from evidence_hub.services.accounts.passwords import configure_hashing
from tests.concurrency.conftest import REQUEST_TIMEOUT_SECONDS, at_once
from tests.conftest import TEST_CONFIG
from tests.factories import DEFAULT_PASSWORD, make_user

PEOPLE = 50


@pytest.fixture
def production_password_hashing() -> Iterator[None]:
    """The memory-hard argon2id cost production uses: each check takes a tenth of a second or more, which
    is what made sign-ins queue behind each other."""
    configure_hashing(
        time_cost=DEFAULTS["ARGON2_TIME_COST"],
        memory_kib=DEFAULTS["ARGON2_MEMORY_KIB"],
        parallelism=DEFAULTS["ARGON2_PARALLELISM"],
    )
    yield
    configure_hashing(
        time_cost=TEST_CONFIG["ARGON2_TIME_COST"],
        memory_kib=TEST_CONFIG["ARGON2_MEMORY_KIB"],
        parallelism=TEST_CONFIG["ARGON2_PARALLELISM"],
    )


def test_fifty_simultaneous_sign_ins_of_one_account_all_succeed(
    db: Session, live_server: str, production_password_hashing: None
) -> None:
    user = make_user(db, Role.EVALUATOR)

    def sign_in(_number: int) -> int:
        response = requests.post(
            f"{live_server}/sign-in",
            data={"email": user.email, "password": DEFAULT_PASSWORD},
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        return response.status_code

    statuses = at_once(PEOPLE, sign_in)

    assert statuses == [302] * PEOPLE
    db.expire_all()
    db.rollback()
    counted = db.scalar(select(func.count()).select_from(SignInAttempt).where(SignInAttempt.succeeded))
    assert counted == PEOPLE


def test_simultaneous_wrong_passwords_are_all_counted_and_throttle_the_account(
    db: Session, live_server: str
) -> None:
    user = make_user(db, Role.EVALUATOR)

    def wrong_guess(number: int) -> int:
        return requests.post(
            f"{live_server}/sign-in",
            data={"email": user.email, "password": f"wrong guess number {number}"},
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT_SECONDS,
        ).status_code

    statuses = at_once(20, wrong_guess)

    assert set(statuses) <= {200, 429}, statuses
    right_password = requests.post(
        f"{live_server}/sign-in",
        data={"email": user.email, "password": DEFAULT_PASSWORD},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    assert right_password.status_code == 429, "five failures in the window lock the account for a while"
    db.expire_all()
    db.rollback()
    failures = db.scalar(
        select(func.count()).select_from(SignInAttempt).where(SignInAttempt.succeeded.is_(False))
    )
    assert failures is not None and 5 <= failures <= 20
