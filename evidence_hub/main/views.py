"""Home pages for each role, the accessibility statement, the privacy notice and the health check."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from evidence_hub.db import check_database
from evidence_hub.guards import public, signed_in
from evidence_hub.models import Role
from evidence_hub.services.common.access import programme_in_view
from evidence_hub.services.home.overview import overview_for
from evidence_hub.web import (
    DATABASE_RETRY_AFTER_SECONDS,
    PROGRAMME_IN_VIEW_KEY,
    acting_user,
    asked_page,
    chosen_programme_id,
    db_session,
    pagination,
)

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
    _, in_view = programme_in_view(user, chosen_programme_id())
    overview = overview_for(db_session(), user, in_view, sites_page=asked_page())
    return render_template(
        HOME_TEMPLATES[user.role_enum],
        overview=overview,
        user=user,
        sites_pagination=pagination(
            overview.sites_page, overview.sites_pages, lambda number: url_for("main.home", page=number)
        ),
        title="Home",
    )


@main.route("/programmes")
@signed_in
def programmes() -> str:
    """The user's programmes, to choose which one to view."""
    listed, _ = programme_in_view(acting_user(), chosen_programme_id())
    return render_template("main/programmes.html", programmes=listed, title="Programmes")


@main.route("/programmes/<int:programme_id>/view", methods=["POST"])
@signed_in
def view_programme(programme_id: int) -> Response:
    """Put one of the user's programmes in view; another programme's id is not found."""
    programmes, _ = programme_in_view(acting_user(), None)
    if programme_id not in {programme.id for programme in programmes}:
        abort(404)  # Another programme's, or none at all (a service administrator may see any that exists).
    session[PROGRAMME_IN_VIEW_KEY] = programme_id
    return redirect(url_for("main.home"))


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
    """200 when a new connection reads the database, 503 when it cannot (for load balancers and
    monitoring)."""
    try:
        check_database(current_app.extensions["evidence_hub.engine"])
    except SQLAlchemyError as error:
        log.error("Health check failed: database unreachable (%s)", type(error).__name__)
        response = jsonify(status="unavailable", database="unreachable")
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response, 503
    return jsonify(status="ok", database="reachable"), 200
