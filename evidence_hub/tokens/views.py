"""Your personal API tokens: the list, creating one (shown once) and revoking one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from evidence_hub.db import transaction, utc_now
from evidence_hub.guards import signed_in
from evidence_hub.services.accounts import api_tokens
from evidence_hub.services.accounts.api_tokens import TokenError
from evidence_hub.tokens.forms import NewTokenForm
from evidence_hub.web import acting_user, db_session

tokens = Blueprint("tokens", __name__, url_prefix="/account/api-tokens")


@tokens.route("")
@signed_in
def index() -> str:
    """Your API tokens with their state, and how to create one."""
    user = acting_user()
    now = utc_now()
    listed = [(token, api_tokens.state_of(token, now)) for token in api_tokens.tokens_of(db_session(), user)]
    return render_template("tokens/index.html", listed=listed, user=user, title="API tokens")


@tokens.route("/new", methods=["GET", "POST"])
@signed_in
def new() -> str:
    """Create a token; the page that answers shows it once, and it is never stored or shown again."""
    user = acting_user()
    form = NewTokenForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            with transaction(session):
                issued = api_tokens.create_token(
                    session, user=user, name=form.name.data or "", days=form.chosen_days
                )
        except TokenError as error:
            getattr(form, error.field).errors = [error.message]
        else:
            return render_template(
                "tokens/created.html",
                token=issued.token,
                secret=issued.secret,
                user=user,
                title="Your new API token",
            )
    return render_template("tokens/new.html", form=form, user=user, title="Create an API token")


@tokens.route("/<int:token_id>/revoke", methods=["POST"])
@signed_in
def revoke(token_id: int) -> Response:
    """Revoke one of your tokens: it stops working at once."""
    user = acting_user()
    session = db_session()
    token = api_tokens.token_of(session, user, token_id)
    with transaction(session):
        revoked = api_tokens.revoke_token(session, user=user, token=token)
    if revoked:
        flash(f"The token ‘{token.name}’ ({token.prefix}…) has been revoked. It no longer works.", "success")
    else:
        flash(f"The token ‘{token.name}’ ({token.prefix}…) was already revoked.", "information")
    return redirect(url_for("tokens.index"))
