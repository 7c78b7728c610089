"""Administration: users (add, change, deactivate, reset links), pilot sites with their partners, and
programmes with their memberships. Service administrators manage all of these. An administrator limited to
the programmes they administer manages those programmes' frameworks and periods (elsewhere) and, here,
their sites, description and memberships; any other programme is not found, and the rest is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from evidence_hub.admin.forms import (
    EditMembershipForm,
    EditProgrammeForm,
    EditSiteForm,
    EditUserForm,
    EndMembershipForm,
    NewMembershipForm,
    NewProgrammeForm,
    NewSiteForm,
    NewUserForm,
    PartnerForm,
)
from evidence_hub.db import transaction, utc_now
from evidence_hub.formatting import datetime_uk
from evidence_hub.guards import roles
from evidence_hub.models import (
    EmailStatus,
    MembershipRole,
    Programme,
    ProgrammeMembership,
    ProgrammeStatus,
    Role,
    Site,
    User,
)
from evidence_hub.services.accounts import programmes as programme_service
from evidence_hub.services.accounts import sites as site_service
from evidence_hub.services.accounts import two_factor
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.accounts.programmes import ProgrammeError
from evidence_hub.services.accounts.sites import SiteError
from evidence_hub.services.accounts.two_factor import TwoFactorError
from evidence_hub.services.accounts.users import AccountError, AccountSettings
from evidence_hub.services.common.access import (
    is_service_administrator,
    led_site_ids,
    may_administer_programme,
)
from evidence_hub.services.notifications import listing as email_listing
from evidence_hub.services.notifications.templates import TEMPLATES
from evidence_hub.web import acting_user, asked_page, db_session, paged_list

admin = Blueprint("admin", __name__, url_prefix="/admin")


def format_datetime(value: datetime | None, never: str = "Never") -> str:
    """A timestamp as people in the UK read it, like '5 June 2025 at 3:04pm' (formatting.datetime_uk)."""
    return never if value is None else datetime_uk(value)


# The pages a programme administrator may use, for the programmes they administer.
PROGRAMME_PAGES = frozenset(
    {
        "admin.programme",
        "admin.programme_edit",
        "admin.membership_new",
        "admin.membership_edit",
        "admin.membership_end",
    }
)


@admin.before_request
def _service_administrators_only() -> None:
    """The access rule has admitted administrators; of them, only service administrators go further, but
    for a programme's own pages (each checks the programme is one its administrator administers)."""
    if not is_service_administrator(acting_user()) and request.endpoint not in PROGRAMME_PAGES:
        abort(403)


@admin.context_processor
def _admin_helpers() -> dict[str, Any]:
    return {"format_datetime": format_datetime, "time_zone_name": "UK time"}


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


def _show_beside_field(form: FlaskForm, error: AccountError | SiteError | ProgrammeError) -> None:
    """Put a service's message beside the field it names (the summary at the top links to it)."""
    field = getattr(form, error.field, None)
    if field is None:
        raise error
    field.errors = [error.message]


# Users


def _site_question(session: Session, form: NewUserForm | EditUserForm) -> None:
    """The account form asks a site lead's site only while the service has at most one programme;
    otherwise each programme's memberships page gives a lead their site there."""
    if programme_service.runs_several_programmes(session):
        del form.site_id
    else:
        form.set_site_choices(site_service.active_sites(session))


@admin.route("/users")
@roles(Role.ADMINISTRATOR)
def users() -> str:
    """Every user, with their role, site, status and last sign-in, 50 a page."""
    session = db_session()
    listed = accounts.users_page(session, asked_page())
    return render_template(
        "admin/users.html",
        users=listed.items,
        site_names=accounts.led_site_names(session, [person.id for person in listed.items]),
        **paged_list(listed, "Users", "admin.users"),
    )


@admin.route("/users/new", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def user_new() -> str | Response:
    """Add a user with a role, a pilot site for site leads, and an initial password; they are emailed an
    invitation to set their own."""
    session = db_session()
    form = NewUserForm()
    _site_question(session, form)
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
                accounts.invite(session, actor=acting_user(), user=created, settings=_settings())
        except AccountError as error:
            _show_beside_field(form, error)
        else:
            flash(
                f"{created.full_name} has been added and emailed an invitation with a link to set their "
                "own password.",
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
        "admin/user.html",
        user=shown,
        is_self=shown.id == acting_user().id,
        site_names=accounts.led_site_names(db_session()),
        title=shown.full_name,
    )


@admin.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def user_edit(user_id: int) -> str | Response:
    """Change a user's name, email address, role and pilot site."""
    session = db_session()
    shown = _user_or_404(user_id)
    only = programme_service.the_only_programme(session)
    led = led_site_ids(shown, only.id) if only is not None else []
    current = {
        "full_name": shown.full_name,
        "email": shown.email,
        "role": shown.role,
        "site_id": led[0] if led else None,
    }
    form = EditUserForm(data=current if request.method == "GET" else None)
    _site_question(session, form)
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
    shown = _user_or_404(user_id)
    return _deactivate(
        "admin/user_deactivate.html",
        shown,
        shown.full_name,
        url_for("admin.user", user_id=shown.id),
        lambda session: accounts.set_active(session, actor=acting_user(), user=shown, active=False),
        done=f"{shown.full_name} has been deactivated and signed out everywhere.",
    )


@admin.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles(Role.ADMINISTRATOR)
def user_reactivate(user_id: int) -> Response:
    """Let a deactivated user sign in again."""
    shown = _user_or_404(user_id)
    return _reactivate(
        url_for("admin.user", user_id=shown.id),
        lambda session: accounts.set_active(session, actor=acting_user(), user=shown, active=True),
        done=f"{shown.full_name} has been reactivated and can sign in again.",
    )


def _deactivate(
    template: str,
    shown: User | Site,
    name: str,
    back: str,
    deactivate: Callable[[Session], object],
    *,
    done: str,
) -> str | Response:
    """Ask to confirm, then deactivate a user or a site; a refusal (such as a site that still has active
    leads) is shown in the error summary. Nothing to confirm for one already deactivated."""
    problem = None
    if request.method == "POST":
        session = db_session()
        try:
            with transaction(session):
                deactivate(session)
        except (AccountError, SiteError) as error:
            problem = error.message
        else:
            flash(done, "success")
            return redirect(back)
    elif not shown.is_active:
        return redirect(back)
    return render_template(
        template, shown=shown, name=name, back=back, problem=problem, title=f"Deactivate {name}"
    )


def _reactivate(back: str, reactivate: Callable[[Session], object], *, done: str) -> Response:
    session = db_session()
    with transaction(session):
        reactivate(session)
    flash(done, "success")
    return redirect(back)


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


@admin.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@roles(Role.ADMINISTRATOR)
def user_two_factor_reset(user_id: int) -> Response:
    """Turn off a user's two-factor sign-in (a lost phone and no recovery codes left); they set it up again
    when they next sign in if their role requires it. Every session of theirs ends."""
    session = db_session()
    shown = _user_or_404(user_id)
    try:
        with transaction(session):
            two_factor.reset_for(session, actor=acting_user(), user=shown)
    except TwoFactorError as error:
        flash(str(error), "information")
    else:
        flash(
            f"Two-factor sign-in has been reset for {shown.full_name}, who has been signed out everywhere.",
            "success",
        )
    return redirect(url_for("admin.user", user_id=shown.id))


# Sites


@admin.route("/sites")
@roles(Role.ADMINISTRATOR)
def sites() -> str:
    """Every pilot site with its region, local authorities, partners and status, 50 a page."""
    listed = site_service.sites_page(db_session(), asked_page())
    return render_template(
        "admin/sites.html", summaries=listed.items, **paged_list(listed, "Sites", "admin.sites")
    )


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
    shown = _site_or_404(site_id)
    return _deactivate(
        "admin/site_deactivate.html",
        shown,
        shown.name,
        url_for("admin.site", site_id=shown.id),
        lambda session: site_service.set_site_active(session, actor=acting_user(), site=shown, active=False),
        done=f"{shown.name} has been deactivated.",
    )


@admin.route("/sites/<int:site_id>/reactivate", methods=["POST"])
@roles(Role.ADMINISTRATOR)
def site_reactivate(site_id: int) -> Response:
    """Make a deactivated site active again."""
    shown = _site_or_404(site_id)
    return _reactivate(
        url_for("admin.site", site_id=shown.id),
        lambda session: site_service.set_site_active(session, actor=acting_user(), site=shown, active=True),
        done=f"{shown.name} has been reactivated.",
    )


# Programmes and memberships


def _programme_or_404(programme_id: int) -> Programme:
    """The programme, if the acting administrator administers it (a service administrator: any)."""
    programme = programme_service.programme_by_id(db_session(), programme_id)
    if programme is None or not may_administer_programme(acting_user(), programme.id):
        abort(404)
    return programme


def _membership_or_404(membership_id: int) -> ProgrammeMembership:
    membership = programme_service.membership_by_id(db_session(), membership_id)
    if membership is None or not may_administer_programme(acting_user(), membership.programme_id):
        abort(404)
    return membership


@admin.route("/programmes")
@roles(Role.ADMINISTRATOR)
def programmes() -> str:
    """Every programme, with its department, sites and members."""
    return render_template(
        "admin/programmes.html", summaries=programme_service.list_programmes(db_session()), title="Programmes"
    )


@admin.route("/programmes/new", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def programme_new() -> str | Response:
    """Add a programme, owned by a department, with the sites taking part."""
    session = db_session()
    form = NewProgrammeForm()
    form.set_choices(programme_service.departments(session), site_service.active_sites(session))
    if form.validate_on_submit():
        try:
            with transaction(session):
                created = programme_service.create_programme(
                    session,
                    actor=acting_user(),
                    code=form.code.data or "",
                    name=form.name.data or "",
                    department_id=form.department_id.data or 0,
                    description=form.description.data or "",
                    site_ids=form.site_ids.data or [],
                )
        except ProgrammeError as error:
            _show_beside_field(form, error)
        else:
            flash(f"{created.name} has been added. Add its members next.", "success")
            return redirect(url_for("admin.programme", programme_id=created.id))
    return render_template("admin/programme_new.html", form=form, title="Add a programme")


@admin.route("/programmes/<int:programme_id>")
@roles(Role.ADMINISTRATOR)
def programme(programme_id: int) -> str:
    """One programme: its details, sites and memberships (current, then ended), 50 memberships a page."""
    shown = _programme_or_404(programme_id)
    listed = programme_service.memberships_of_programme(db_session(), shown, asked_page())
    return render_template(
        "admin/programme.html",
        programme=shown,
        memberships=listed.items,
        **paged_list(listed, shown.name, "admin.programme", programme_id=shown.id),
    )


@admin.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def programme_edit(programme_id: int) -> str | Response:
    """Change a programme's name, department, description, status and sites."""
    session = db_session()
    shown = _programme_or_404(programme_id)
    current = {
        "name": shown.name,
        "department_id": shown.department_id,
        "description": shown.description,
        "status": shown.status,
        "site_ids": [site.id for site in shown.sites],
    }
    form = EditProgrammeForm(data=current if request.method == "GET" else None)
    form.set_choices(programme_service.departments(session), site_service.every_site(session))
    service_administrator = is_service_administrator(acting_user())
    if not service_administrator:
        # Its name, owner and status are the service's to decide; its administrator keeps the rest.
        del form.name, form.department_id, form.status
    if form.validate_on_submit():
        try:
            with transaction(session):
                programme_service.update_programme(
                    session,
                    actor=acting_user(),
                    programme=shown,
                    name=(form.name.data or "") if service_administrator else shown.name,
                    department_id=(
                        (form.department_id.data or 0) if service_administrator else shown.department_id
                    ),
                    description=form.description.data or "",
                    status=ProgrammeStatus(form.status.data if service_administrator else shown.status),
                    site_ids=form.site_ids.data or [],
                )
        except ProgrammeError as error:
            _show_beside_field(form, error)
        else:
            flash(f"Changes to {shown.name} have been saved.", "success")
            return redirect(url_for("admin.programme", programme_id=shown.id))
    return render_template(
        "admin/programme_edit.html", form=form, programme=shown, title=f"Change {shown.name}"
    )


@admin.route("/programmes/<int:programme_id>/memberships/new", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def membership_new(programme_id: int) -> str | Response:
    """Give a person a role in the programme (a site lead: for one of its sites)."""
    session = db_session()
    shown = _programme_or_404(programme_id)
    form = NewMembershipForm()
    form.set_user_choices([user for user in accounts.list_users(session) if user.is_active])
    form.set_site_choices(list(shown.sites))
    if form.validate_on_submit():
        member = accounts.user_by_id(session, form.user_id.data or 0)
        try:
            if member is None:
                raise ProgrammeError("user_id", "Select the person to add")
            with transaction(session):
                programme_service.add_membership(
                    session,
                    actor=acting_user(),
                    user=member,
                    programme=shown,
                    role=form.chosen_role,
                    site_id=form.site_id.data if form.chosen_role is MembershipRole.SITE_LEAD else None,
                )
        except ProgrammeError as error:
            _show_beside_field(form, error)
        else:
            flash(f"{member.full_name} is now a member of {shown.name}.", "success")
            return redirect(url_for("admin.programme", programme_id=shown.id))
    return render_template(
        "admin/membership_new.html", form=form, programme=shown, title=f"Add a member to {shown.name}"
    )


@admin.route("/memberships/<int:membership_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def membership_edit(membership_id: int) -> str | Response:
    """Move a site lead's membership to another site of the programme."""
    session = db_session()
    membership = _membership_or_404(membership_id)
    if membership.role_enum is not MembershipRole.SITE_LEAD or membership.ended_at is not None:
        abort(404)
    form = EditMembershipForm(data={"site_id": membership.site_id} if request.method == "GET" else None)
    form.set_site_choices(list(membership.programme.sites))
    if form.validate_on_submit():
        try:
            with transaction(session):
                programme_service.change_membership(
                    session, actor=acting_user(), membership=membership, site_id=form.site_id.data
                )
        except ProgrammeError as error:
            _show_beside_field(form, error)
        else:
            flash(f"Changes to {membership.user.full_name}'s membership have been saved.", "success")
            return redirect(url_for("admin.programme", programme_id=membership.programme_id))
    return render_template(
        "admin/membership_edit.html",
        form=form,
        membership=membership,
        title=f"Change {membership.user.full_name}'s membership",
    )


@admin.route("/memberships/<int:membership_id>/end", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def membership_end(membership_id: int) -> str | Response:
    """Ask to confirm, then end a membership: from now the person no longer sees the programme through it."""
    session = db_session()
    membership = _membership_or_404(membership_id)
    if membership.ended_at is not None:
        return redirect(url_for("admin.programme", programme_id=membership.programme_id))
    form = EndMembershipForm()
    if form.validate_on_submit():
        with transaction(session):
            programme_service.end_membership(
                session, actor=acting_user(), membership=membership, reason=form.reason.data or ""
            )
        flash(
            f"{membership.user.full_name}'s membership of {membership.programme.name} has ended.", "success"
        )
        return redirect(url_for("admin.programme", programme_id=membership.programme_id))
    return render_template(
        "admin/membership_end.html",
        form=form,
        membership=membership,
        title=f"End {membership.user.full_name}'s membership",
    )


# Sent emails


EMAIL_STATUS_COLOURS = {
    EmailStatus.QUEUED: "govuk-tag--grey",
    EmailStatus.SENDING: "govuk-tag--blue",
    EmailStatus.DELIVERED: "govuk-tag--green",
    EmailStatus.NOT_DELIVERED: "govuk-tag--red",
    EmailStatus.RECORDED: "govuk-tag--turquoise",
}


@admin.route("/emails")
@roles(Role.ADMINISTRATOR)
def emails() -> str:
    """Every email the service has queued or sent (or those of one kind), newest first, a page at a time."""
    number = request.args.get("page", "1")
    template = request.args.get("template") or None
    if template is not None and template not in TEMPLATES:
        abort(404)
    session = db_session()
    shown = email_listing.emails_page(session, int(number), template) if number.isdigit() else None
    if shown is None:
        abort(404)
    return render_template(
        "admin/emails.html",
        shown=shown,
        chosen=template,
        counts=email_listing.counts_by_template(session),
        colours=EMAIL_STATUS_COLOURS,
        backend=current_app.config["EMAIL_BACKEND"],
        templates=TEMPLATES,
        title="Sent emails",
    )


@admin.route("/emails/<int:email_id>")
@roles(Role.ADMINISTRATOR)
def email(email_id: int) -> str:
    """One email as its recipient read it, with what became of it."""
    shown = email_listing.email_by_id(db_session(), email_id)
    if shown is None:
        abort(404)
    return render_template(
        "admin/email.html",
        email=shown,
        colours=EMAIL_STATUS_COLOURS,
        templates=TEMPLATES,
        title=shown.subject,
    )
