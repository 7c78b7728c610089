"""Pages where an evaluator or administrator uploads what the value-for-money appraisal needs beyond the
framework file: a GDP deflator series and the area sizes list for the roll-out projection. Each file is
read whole; if any row is wrong nothing is saved and every problem is listed, by row and column."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_wtf.file import FileField
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from evidence_hub.dashboard.forms import AreaSizesUploadForm, DeflatorUploadForm
from evidence_hub.dashboard.views import dashboard
from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Framework, Role
from evidence_hub.services.appraisal.parameters import Source
from evidence_hub.services.appraisal.projection import SizeMeasure
from evidence_hub.services.common.access import why_programme_takes_nothing
from evidence_hub.services.dashboards.appraisal_inputs import (
    UploadRefused,
    latest_area_sizes,
    latest_deflators,
    save_area_sizes,
    save_deflators,
)
from evidence_hub.services.dashboards.scope import filter_options
from evidence_hub.web import acting_user, db_session

UPLOADERS = (Role.EVALUATOR, Role.ADMINISTRATOR)


def _framework() -> Framework:
    """The framework named in the address, else the first with reporting periods."""
    return filter_options(db_session(), acting_user(), request.args.get("framework")).framework


def _refusal(refused: UploadRefused) -> str:
    """Every problem in one message: the error summary shows one message per field."""
    if refused.forbidden:
        return " ".join(refused.problems)
    many = len(refused.problems) > 1
    return (
        f"Nothing has been saved. The file has {len(refused.problems)} problem{'s' if many else ''}, "
        "to fix before uploading it again: " + " ".join(refused.problems)
    )


def _read_only_reason(framework: Framework) -> str:
    """Why the page shows no form: a closed programme keeps the appraisal inputs it closed with. Opened, the
    page gives the reason and the way back; posted anyway (from a page opened while it was active), the
    upload is refused with the reason beside the file field."""
    if request.method == "POST":
        return ""
    return why_programme_takes_nothing(framework.programme)


def _back(framework: Framework) -> Response:
    return redirect(url_for("dashboard.view", view_slug="value-for-money", framework=framework.code))


def _saved(field: FileField, save: Callable[[Session, bytes, str], object]) -> bool:
    """Saves the uploaded file in one transaction; on refusal, every problem goes beside the field."""
    uploaded = field.data
    session = db_session()
    try:
        with transaction(session):
            save(session, uploaded.read(), uploaded.filename or "")
    except UploadRefused as refused:
        field.errors = [_refusal(refused)]
        return False
    return True


@dashboard.route("/value-for-money/deflators", methods=["GET", "POST"])
@roles(*UPLOADERS)
def upload_deflators() -> str | Response:
    """Upload a GDP deflator series: it replaces the parameter set's for this framework's appraisal."""
    framework = _framework()
    form = DeflatorUploadForm()
    if form.validate_on_submit():
        source = Source(
            title=form.source_title.data or "",
            publisher=form.source_publisher.data or "",
            published=form.source_published.data or "",
            url=form.source_url.data or "",
        )
        if _saved(
            form.deflator_file,
            lambda session, content, filename: save_deflators(
                session,
                actor=acting_user(),
                framework=framework,
                content=content,
                filename=filename,
                source=source,
            ),
        ):
            flash("The deflator series has been saved: the appraisal now uses it.", "success")
            return _back(framework)
    return render_template(
        "dashboard/upload_deflators.html",
        title="Upload a deflator series",
        form=form,
        framework=framework,
        current=latest_deflators(db_session(), framework),
        read_only_reason=_read_only_reason(framework),
    )


@dashboard.route("/value-for-money/area-sizes", methods=["GET", "POST"])
@roles(*UPLOADERS)
def upload_area_sizes() -> str | Response:
    """Upload the size of each area: the roll-out projection scales the pilots' figures by it."""
    framework = _framework()
    form = AreaSizesUploadForm()
    if form.validate_on_submit():
        measure = SizeMeasure(form.measure_name.data or "", form.measure_source.data or "")
        if _saved(
            form.area_file,
            lambda session, content, filename: save_area_sizes(
                session,
                actor=acting_user(),
                framework=framework,
                content=content,
                filename=filename,
                measure=measure,
            ),
        ):
            flash("The area sizes have been saved: the roll-out projection now uses them.", "success")
            return _back(framework)
    return render_template(
        "dashboard/upload_area_sizes.html",
        title="Upload area sizes",
        form=form,
        framework=framework,
        current=latest_area_sizes(db_session(), framework),
        read_only_reason=_read_only_reason(framework),
    )
