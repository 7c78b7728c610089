"""Personal API tokens: every signed-in user manages their own, and nobody else's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import User
from evidence_hub.services.accounts import api_tokens
from tests.access_rows import ADMINISTRATOR, ANONYMOUS, EVERY_ROLE, Row, only, signed_in_only


def extend_world(session: Session, world: dict[str, Any]) -> None:
    administrator = session.scalar(select(User).where(User.email == world["emails"][ADMINISTRATOR]))
    nobody_signs_in_as = session.get(User, world["user_id"])
    assert administrator is not None and nobody_signs_in_as is not None
    with transaction(session):
        own = api_tokens.create_token(session, user=administrator, name="Administrator's token", days=30)
        others = api_tokens.create_token(session, user=nobody_signs_in_as, name="Somebody's token", days=30)
    world["administrators_token_id"] = own.token.id
    world["other_users_token_id"] = others.token.id


NEW_TOKEN = {"name": "Briefing script", "days": "30"}

ROWS = [
    Row("tokens.index", "GET", "/account/api-tokens", signed_in_only(200)),
    Row("tokens.new", "GET", "/account/api-tokens/new", signed_in_only(200)),
    # A valid form makes the token and shows it on the page that answers (no redirect: it is shown once).
    Row("tokens.new", "POST", "/account/api-tokens/new", signed_in_only(200), data=NEW_TOKEN),
    Row(
        "tokens.new",
        "POST",
        "/account/api-tokens/new",
        signed_in_only(200),
        data={"name": "", "days": "0"},
        note="invalid form",
    ),
    Row(
        "tokens.revoke",
        "POST",
        "/account/api-tokens/{administrators_token_id}/revoke",
        only({ADMINISTRATOR: 302}, others=404),
        note="the administrator's own token",
    ),
    Row(
        "tokens.revoke",
        "POST",
        "/account/api-tokens/{other_users_token_id}/revoke",
        {**dict.fromkeys(EVERY_ROLE, 404), ANONYMOUS: 302},
        note="another user's token",
    ),
    Row(
        "tokens.revoke",
        "POST",
        "/account/api-tokens/999999/revoke",
        {**dict.fromkeys(EVERY_ROLE, 404), ANONYMOUS: 302},
        note="unknown token",
    ),
]
