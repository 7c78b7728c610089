"""The comparison pages: evaluators and administrators name each site's own area and its comparison
areas, upload the series for them (all or nothing) and rate each site's evidence of impact."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from evidence_hub.comparisons.forms import AreaForm, RatingForm, SeriesUploadForm
from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import AreaRole, Framework, FrameworkVersion, ImpactArea, Role
from evidence_hub.services.common.access import NotVisible, led_sites, why_programme_takes_nothing
from evidence_hub.services.common.spreadsheet_reading import MAX_UPLOAD_BYTES
from evidence_hub.services.impact import comparisons as service
from evidence_hub.services.impact.series_file import SERIES_COLUMNS, RowProblem, SeriesFileRejected
from evidence_hub.web import acting_user, db_session

comparisons = Blueprint("comparisons", __name__, url_prefix="/comparisons")

EVALUATORS = (Role.EVALUATOR, Role.ADMINISTRATOR)


def _framework_and_version(code: str) -> tuple[Framework, FrameworkVersion]:
    framework = service.framework_named(db_session(), acting_user(), code)
    version = service.impact_version(framework)
    if version is None:
        raise NotVisible(f"{framework.name} has no published version to set comparisons up against")
    return framework, version


def _read_only_reason(framework: Framework) -> str:
    """Why a page of a closed programme shows no form: only a change it could refuse. Opened, the page gives
    the reason and the way back instead; posted anyway (from a page opened while it was active), the
    service refuses the change and the reason is shown beside the field, as for any refusal."""
    if request.method == "POST":
        return ""
    return why_programme_takes_nothing(framework.programme)


@comparisons.route("/<code>")
@roles(*EVALUATORS)
def index(code: str) -> str:
    """Each site's own area and comparison areas, the figures held for them, and the ratings."""
    framework, version = _framework_and_version(code)
    session = db_session()
    sites = service.pilot_sites(framework)
    areas = service.areas_of(session, version, sites)
    ratings = service.ratings_of(session, version, sites)
    return render_template(
        "comparisons/index.html",
        title="Comparison areas and series",
        framework=framework,
        version=version,
        sites=sites,
        areas=areas,
        counts=service.series_counts(session, version),
        no_figures=service.FigureCounts(),
        awaiting=service.awaiting_acceptance(session, version, sites),
        ratings=ratings,
        indicator_names=dict(service.comparison_indicators(version)),
        first_quarter=service.first_pilot_quarter(framework),
        quarters=service.series_quarters(framework),
        # A closed programme's comparisons are read, not changed: the reason instead of the buttons.
        read_only_reason=why_programme_takes_nothing(framework.programme),
    )


@comparisons.route("/<code>/sites/<site_code>/accept", methods=["POST"])
@roles(*EVALUATORS)
def accept_figures(code: str, site_code: str) -> Response:
    """Accept a site's uploaded figures exactly as shown: from then on they count in the estimates."""
    framework, version = _framework_and_version(code)
    session = db_session()
    site = next((each for each in service.pilot_sites(framework) if each.code == site_code), None)
    if site is None:
        raise NotVisible(f"There is no site {site_code} in {framework.name}")
    try:
        with transaction(session):
            accepted = service.accept_figures(
                session, acting_user(), version, site, request.form.get("seen", "")
            )
    except service.ComparisonRefused as refusal:
        flash(refusal.field_errors["figures"], "error")
    else:
        flash(
            f"{accepted} {'figure' if accepted == 1 else 'figures'} from {site.name} accepted: "
            "they now count in the estimates.",
            "success",
        )
    return redirect(url_for("comparisons.index", code=framework.code, _anchor=f"waiting-{site.code}"))


@comparisons.route("/<code>/areas/new", methods=["GET", "POST"])
@roles(*EVALUATORS)
def new_area(code: str) -> tuple[str, int] | Response:
    """Name a site's own area or a comparison area, and the indicators observed there."""
    framework, version = _framework_and_version(code)
    session = db_session()
    status = 200
    sites = service.pilot_sites(framework)
    form = AreaForm()
    form.site.choices = [("", "Choose a site")] + [(site.code, site.name) for site in sites]
    form.indicators.choices = service.comparison_indicators(version)
    if form.validate_on_submit():
        site = next((each for each in sites if each.code == form.site.data), None)
        if site is None:
            form.site.errors = ["Choose the pilot site"]
        else:
            try:
                with transaction(session):
                    area = service.add_area(
                        session,
                        acting_user(),
                        version,
                        site,
                        role=AreaRole(form.role.data),
                        area_code=form.area_code.data or "",
                        area_name=form.area_name.data or "",
                        observed=dict.fromkeys(form.indicators.data or [], form.how_observed.data or ""),
                    )
            except service.ComparisonRefused as refusal:
                for name, message in refusal.field_errors.items():
                    getattr(form, name).errors = [message]
                status = 403 if refusal.forbidden else 200
            else:
                flash(f"{area.area_name} ({area.area_code}) added for {site.name}.", "success")
                return redirect(url_for("comparisons.index", code=framework.code))
    page = render_template(
        "comparisons/area.html",
        title="Add an area",
        framework=framework,
        form=form,
        read_only_reason=_read_only_reason(framework),
    )
    return page, status


@comparisons.route("/<code>/areas/<int:area_id>/remove", methods=["POST"])
@roles(*EVALUATORS)
def remove_area(code: str, area_id: int) -> Response:
    """Remove an area from a site's comparison (its uploaded figures stay, unused)."""
    framework, version = _framework_and_version(code)
    session = db_session()
    with transaction(session):
        area = service.area_numbered(session, version, area_id)
        name = area.area_name
        service.remove_area(session, acting_user(), area)
    flash(f"{name} removed.", "success")
    return redirect(url_for("comparisons.index", code=framework.code))


@comparisons.route("/<code>/series", methods=["GET", "POST"])
@roles(*EVALUATORS, Role.SITE_LEAD)
def upload_series(code: str) -> str | Response | tuple[str, int]:
    """Upload series for the sites and their comparison areas (a site lead: their own site's areas):
    every row is checked, nothing is saved unless all are valid."""
    framework, version = _framework_and_version(code)
    form = SeriesUploadForm()
    problems: list[RowProblem] = []
    status = 200
    if form.validate_on_submit():
        upload = form.spreadsheet.data
        content = upload.read(MAX_UPLOAD_BYTES + 1)
        session = db_session()
        try:
            with transaction(session):
                outcome = service.upload_series(
                    session, acting_user(), version, content, upload.filename or ""
                )
        except SeriesFileRejected as rejection:
            problems = rejection.problems
            status = 400
        except service.ComparisonRefused as refusal:
            # The programme is closed: refused as any change to it is, with the reason by the file field.
            for name, message in refusal.field_errors.items():
                getattr(form, name).errors = [message]
            status = 403 if refusal.forbidden else 400
        else:
            flash(
                f"{outcome.figures} figures for {outcome.areas} areas saved"
                + (
                    f", {outcome.replaced} of them replacing figures held before."
                    if outcome.replaced
                    else "."
                )
                + (
                    " They count in the estimates once an evaluator has accepted them."
                    if acting_user().role_enum is Role.SITE_LEAD
                    else ""
                ),
                "success",
            )
            return redirect(url_for("dashboard.view", view_slug="impact", framework=framework.code))
    page = render_template(
        "comparisons/series.html",
        title="Upload comparison series",
        framework=framework,
        form=form,
        problems=problems,
        columns=SERIES_COLUMNS,
        indicators=service.comparison_indicators(version),
        own_areas=_own_areas(version),
        own_sites=led_sites(acting_user(), framework.programme_id),
        quarters=service.series_quarters(framework),
        first_quarter=service.first_pilot_quarter(framework),
        read_only_reason=_read_only_reason(framework),
    )
    return page, status


def _own_areas(version: FrameworkVersion) -> list[ImpactArea] | None:
    """A site lead's own site's areas (None for evaluators and administrators, who upload for all)."""
    user = acting_user()
    if user.role_enum is not Role.SITE_LEAD:
        return None
    return service.areas_of(db_session(), version, led_sites(user, version.framework.programme_id))


@comparisons.route("/<code>/ratings", methods=["GET", "POST"])
@roles(*EVALUATORS)
def rate(code: str) -> tuple[str, int] | Response:
    """Record your own rating of a site's evidence of impact, on the framework's one evidence scale."""
    framework, version = _framework_and_version(code)
    session = db_session()
    status = 200
    sites = service.pilot_sites(framework)
    levels = service.rating_levels(version)
    form = RatingForm()
    form.site.choices = [("", "Choose a site")] + [(site.code, site.name) for site in sites]
    form.indicator.choices = service.comparison_indicators(version)
    form.level.choices = [(str(level.level), f"Level {level.level}: {level.title}") for level in levels]
    if form.validate_on_submit():
        site = next((each for each in sites if each.code == form.site.data), None)
        if site is None:
            form.site.errors = ["Choose the pilot site"]
        else:
            try:
                with transaction(session):
                    service.record_rating(
                        session,
                        acting_user(),
                        version,
                        site,
                        form.indicator.data or "",
                        int(form.level.data or 0),
                        form.rationale.data or "",
                    )
            except service.ComparisonRefused as refusal:
                for name, message in refusal.field_errors.items():
                    getattr(form, name).errors = [message]
                status = 403 if refusal.forbidden else 200
            else:
                flash(f"Rating saved for {site.name}.", "success")
                return redirect(url_for("comparisons.index", code=framework.code))
    page = render_template(
        "comparisons/rating.html",
        title="Rate the evidence of impact",
        framework=framework,
        form=form,
        levels=levels,
        read_only_reason=_read_only_reason(framework),
    )
    return page, status
