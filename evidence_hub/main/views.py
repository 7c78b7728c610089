"""Home pages for each role, the accessibility statement, the privacy notice and the health check."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from evidence_hub.guards import public
from evidence_hub.models import Role
from evidence_hub.services.home.overview import overview_for
from evidence_hub.web import acting_user, db_session

main = Blueprint("main", __name__)
log = logging.getLogger("evidence_hub.health")

HOME_TEMPLATES = {
    Role.ADMINISTRATOR: "main/home_administrator.html",
    Role.EVALUATOR: "main/home_evaluator.html",
    Role.SITE_LEAD: "main/home_site_lead.html",
    Role.NATIONAL_OFFICIAL: "main/home_national_official.html",
}


@main.route("/")
@public
def home() -> str | Response:
    """The signed-in user's home page: what they can do next. Everyone else goes to sign in."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    user = acting_user()
    overview = overview_for(db_session(), user)
    return render_template(HOME_TEMPLATES[user.role_enum], overview=overview, user=user, title="Home")


@main.route("/accessibility")
@public
def accessibility() -> str:
    """Accessibility statement."""
    return render_template("main/accessibility.html", title="Accessibility statement")


@main.route("/privacy")
@public
def privacy() -> str:
    """Privacy notice."""
    return render_template("main/privacy.html", title="Privacy notice")


@main.route("/healthz")
@public
def healthz() -> tuple[Response, int]:
    """200 when the database answers, 503 when it does not (for load balancers and monitoring)."""
    engine = current_app.extensions["evidence_hub.engine"]
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.error("Health check failed: database unreachable (%s)", type(error).__name__)
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="reachable"), 200
