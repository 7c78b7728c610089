"""Administration: users (add, change, deactivate, reset links) and pilot sites with their partners."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from evidence_hub.admin.forms import EditSiteForm, EditUserForm, NewSiteForm, NewUserForm, PartnerForm
from evidence_hub.db import transaction, utc_now
from evidence_hub.guards import roles
from evidence_hub.models import Role, Site, User
from evidence_hub.services.accounts import sites as site_service
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.accounts.sites import SiteError
from evidence_hub.services.accounts.users import AccountError, AccountSettings
from evidence_hub.web import acting_user, db_session

admin = Blueprint("admin", __name__, url_prefix="/admin")

try:
    DISPLAY_TIME_ZONE: tzinfo = ZoneInfo("Europe/London")
    DISPLAY_TIME_ZONE_NAME = "UK time"
except ZoneInfoNotFoundError:  # A system without time zone data: show UTC and say so.
    DISPLAY_TIME_ZONE, DISPLAY_TIME_ZONE_NAME = UTC, "UTC"


def format_datetime(value: datetime | None, never: str = "Never") -> str:
    """A timestamp as people in the UK read it, like '5 June 2025 at 3:04pm'."""
    if value is None:
        return never
    local = value.astimezone(DISPLAY_TIME_ZONE)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


@admin.context_processor
def _admin_helpers() -> dict[str, Any]:
    return {"format_datetime": format_datetime, "time_zone_name": DISPLAY_TIME_ZONE_NAME}


def _settings() -> AccountSettings:
    return AccountSettings.from_config(current_app.config)


def _user_or_404(user_id: int) -> User:
    user = accounts.user_by_id(db_session(), user_id)
    if user is None:
        abort(404)
    return user


def _site_or_404(site_id: int) -> Site:
    site = site_service.site_by_id(db_session(), site_id)
    if site is None:
        abort(404)
    return site


def _show_beside_field(form: FlaskForm, error: AccountError | SiteError) -> None:
    """Put a service's message beside the field it names (the summary at the top links to it)."""
    field = getattr(form, error.field, None)
    if field is None:
        raise error
    field.errors = [error.message]


# Users


@admin.route("/users")
@roles(Role.ADMINISTRATOR)
def users() -> str:
    """Every user, with their role, site, status and last sign-in."""
    return render_template("admin/users.html", users=accounts.list_users(db_session()), title="Users")


@admin.route("/users/new", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def user_new() -> str | Response:
    """Add a user with a role, a pilot site for site leads, and an initial password."""
    session = db_session()
    form = NewUserForm()
    form.set_site_choices(site_service.active_sites(session))
    if form.validate_on_submit():
        try:
            with transaction(session):
                created = accounts.create_user(
                    session,
                    actor=acting_user(),
                    email=form.email.data or "",
                    full_name=form.full_name.data or "",
                    role=form.chosen_role,
                    password=form.password.data or "",
                    settings=_settings(),
                    site_id=form.chosen_site_id,
                )
        except AccountError as error:
            _show_beside_field(form, error)
        else:
            flash(
                f"{created.full_name} has been added. "
                "Give them their initial password in person or by phone.",
                "success",
            )
            return redirect(url_for("admin.user", user_id=created.id))
    return render_template("admin/user_new.html", form=form, title="Add a user")


@admin.route("/users/<int:user_id>")
@roles(Role.ADMINISTRATOR)
def user(user_id: int) -> str:
    """One user's details, with the actions an administrator can take."""
    shown = _user_or_404(user_id)
    return render_template(
        "admin/user.html", user=shown, is_self=shown.id == acting_user().id, title=shown.full_name
    )


@admin.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def user_edit(user_id: int) -> str | Response:
    """Change a user's name, email address, role and pilot site."""
    session = db_session()
    shown = _user_or_404(user_id)
    current = {
        "full_name": shown.full_name,
        "email": shown.email,
        "role": shown.role,
        "site_id": shown.site_id,
    }
    form = EditUserForm(data=current if request.method == "GET" else None)
    form.set_site_choices(site_service.active_sites(session))
    if form.validate_on_submit():
        try:
            with transaction(session):
                accounts.update_user(
                    session,
                    actor=acting_user(),
                    user=shown,
                    email=form.email.data or "",
                    full_name=form.full_name.data or "",
                    role=form.chosen_role,
                    site_id=form.chosen_site_id,
                )
        except AccountError as error:
            _show_beside_field(form, error)
        else:
            flash(f"Changes to {shown.full_name} have been saved.", "success")
            return redirect(url_for("admin.user", user_id=shown.id))
    return render_template(
        "admin/user_edit.html", form=form, user=shown, title=f"Change details for {shown.full_name}"
    )


@admin.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def user_deactivate(user_id: int) -> str | Response:
    """Ask to confirm, then deactivate a user: they can no longer sign in and every session ends."""
    session = db_session()
    shown = _user_or_404(user_id)
    problem = None
    if request.method == "POST":
        try:
            with transaction(session):
                accounts.set_active(session, actor=acting_user(), user=shown, active=False)
        except AccountError as error:
            problem = error.message
        else:
            flash(f"{shown.full_name} has been deactivated and signed out everywhere.", "success")
            return redirect(url_for("admin.user", user_id=shown.id))
    elif not shown.is_active:
        return redirect(url_for("admin.user", user_id=shown.id))
    return render_template(
        "admin/user_deactivate.html", user=shown, problem=problem, title=f"Deactivate {shown.full_name}"
    )


@admin.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles(Role.ADMINISTRATOR)
def user_reactivate(user_id: int) -> Response:
    """Let a deactivated user sign in again."""
    session = db_session()
    shown = _user_or_404(user_id)
    with transaction(session):
        accounts.set_active(session, actor=acting_user(), user=shown, active=True)
    flash(f"{shown.full_name} has been reactivated and can sign in again.", "success")
    return redirect(url_for("admin.user", user_id=shown.id))


@admin.route("/users/<int:user_id>/reset-link", methods=["POST"])
@roles(Role.ADMINISTRATOR)
def user_reset_link(user_id: int) -> str:
    """Create a one-time password reset link and show it once, with when it expires."""
    session = db_session()
    shown = _user_or_404(user_id)
    settings = _settings()
    # Taken before the link is made, so the expiry shown is never later than the real one.
    issued_at = utc_now()
    with transaction(session):
        token = accounts.issue_password_reset(session, actor=acting_user(), user=shown, settings=settings)
    return render_template(
        "admin/user_reset_link.html",
        user=shown,
        link=url_for("auth.reset_password", token=token, _external=True),
        expires_at=issued_at + settings.password_reset_lifetime,
        hours=current_app.config["PASSWORD_RESET_HOURS"],
        title=f"Password reset link for {shown.full_name}",
    )


# Sites


@admin.route("/sites")
@roles(Role.ADMINISTRATOR)
def sites() -> str:
    """Every pilot site with its region, local authorities, partners and status."""
    return render_template("admin/sites.html", summaries=site_service.list_sites(db_session()), title="Sites")


@admin.route("/sites/new", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def site_new() -> str | Response:
    """Add a pilot site."""
    session = db_session()
    form = NewSiteForm()
    if form.validate_on_submit():
        try:
            with transaction(session):
                created_site = site_service.create_site(
                    session,
                    actor=acting_user(),
                    name=form.name.data or "",
                    code=form.code.data or "",
                    region=form.region.data or "",
                    local_authorities=form.local_authority_names,
                )
        except SiteError as error:
            _show_beside_field(form, error)
        else:
            flash(f"{created_site.name} has been added.", "success")
            return redirect(url_for("admin.site", site_id=created_site.id))
    return render_template("admin/site_new.html", form=form, title="Add a site")


@admin.route("/sites/<int:site_id>")
@roles(Role.ADMINISTRATOR)
def site(site_id: int) -> str:
    """One site: its details, local authorities, partner organisations and users."""
    shown = _site_or_404(site_id)
    return render_template(
        "admin/site.html", site=shown, users=site_service.users_of_site(db_session(), shown), title=shown.name
    )


@admin.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def site_edit(site_id: int) -> str | Response:
    """Change a site's name, code, region and local authorities."""
    session = db_session()
    shown = _site_or_404(site_id)
    current = {
        "name": shown.name,
        "code": shown.code,
        "region": shown.region,
        "local_authorities": "\n".join(shown.local_authorities),
    }
    form = EditSiteForm(data=current if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            with transaction(session):
                site_service.update_site(
                    session,
                    actor=acting_user(),
                    site=shown,
                    name=form.name.data or "",
                    code=form.code.data or "",
                    region=form.region.data or "",
                    local_authorities=form.local_authority_names,
                )
        except SiteError as error:
            _show_beside_field(form, error)
        else:
            flash(f"Changes to {shown.name} have been saved.", "success")
            return redirect(url_for("admin.site", site_id=shown.id))
    return render_template(
        "admin/site_edit.html", form=form, site=shown, title=f"Change details for {shown.name}"
    )


@admin.route("/sites/<int:site_id>/partners/new", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def site_partner_new(site_id: int) -> str | Response:
    """Add a partner organisation to a site."""
    session = db_session()
    shown = _site_or_404(site_id)
    form = PartnerForm()
    if form.validate_on_submit():
        try:
            with transaction(session):
                partner = site_service.add_partner(
                    session,
                    actor=acting_user(),
                    site=shown,
                    name=form.name.data or "",
                    partner_type=form.chosen_partner_type,
                )
        except SiteError as error:
            _show_beside_field(form, error)
        else:
            flash(f"{partner.name} has been added as a partner organisation.", "success")
            return redirect(url_for("admin.site", site_id=shown.id))
    return render_template(
        "admin/site_partner_new.html", form=form, site=shown, title="Add a partner organisation"
    )


@admin.route("/sites/<int:site_id>/partners/<int:partner_id>/remove", methods=["POST"])
@roles(Role.ADMINISTRATOR)
def site_partner_remove(site_id: int, partner_id: int) -> Response:
    """Remove a partner organisation from a site."""
    session = db_session()
    shown = _site_or_404(site_id)
    partner = site_service.partner_of_site(session, shown, partner_id)
    if partner is None:
        abort(404)
    name = partner.name
    with transaction(session):
        site_service.remove_partner(session, actor=acting_user(), site=shown, partner=partner)
    flash(f"{name} is no longer a partner organisation of {shown.name}.", "success")
    return redirect(url_for("admin.site", site_id=shown.id))


@admin.route("/sites/<int:site_id>/deactivate", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def site_deactivate(site_id: int) -> str | Response:
    """Ask to confirm, then deactivate a site; refused while it has active site leads."""
    session = db_session()
    shown = _site_or_404(site_id)
    problem = None
    if request.method == "POST":
        try:
            with transaction(session):
                site_service.set_site_active(session, actor=acting_user(), site=shown, active=False)
        except SiteError as error:
            problem = error.message
        else:
            flash(f"{shown.name} has been deactivated.", "success")
            return redirect(url_for("admin.site", site_id=shown.id))
    elif not shown.is_active:
        return redirect(url_for("admin.site", site_id=shown.id))
    return render_template(
        "admin/site_deactivate.html", site=shown, problem=problem, title=f"Deactivate {shown.name}"
    )


@admin.route("/sites/<int:site_id>/reactivate", methods=["POST"])
@roles(Role.ADMINISTRATOR)
def site_reactivate(site_id: int) -> Response:
    """Make a deactivated site active again."""
    session = db_session()
    shown = _site_or_404(site_id)
    with transaction(session):
        site_service.set_site_active(session, actor=acting_user(), site=shown, active=True)
    flash(f"{shown.name} has been reactivated.", "success")
    return redirect(url_for("admin.site", site_id=shown.id))
