"""The evaluation framework: browsing and searching its guidance, downloads, and (for administrators)
uploading a new version, checking what changed, publishing it or deleting a draft."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.formatting import date_uk
from evidence_hub.framework.forms import (
    ConfirmationForm,
    CrossSiteSharingForm,
    SearchForm,
    UploadFrameworkForm,
)
from evidence_hub.guards import roles, signed_in
from evidence_hub.models import FrameworkVersion, Role
from evidence_hub.services.common.access import administered_programmes, may_see_programme, programme_in_view
from evidence_hub.services.framework import finding, lifecycle
from evidence_hub.services.framework.data_dictionary import data_dictionary_xlsx
from evidence_hub.services.framework.errors import FrameworkError, FrameworkFileInvalid, Problem
from evidence_hub.services.framework.reading.framework_file import decode_file
from evidence_hub.services.framework.search import SearchHit, search_version
from evidence_hub.services.framework.sharing import set_cross_site_sharing
from evidence_hub.services.framework.shipped_files import schema_text
from evidence_hub.services.framework.wording import format_value, plain_number, range_text
from evidence_hub.web import acting_user, chosen_programme_id, db_session

framework = Blueprint("framework", __name__, url_prefix="/framework")

UK_TIME = ZoneInfo("Europe/London")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def uk_date(value: datetime | None) -> str:
    """A timestamp's date as people in the UK read it, like '19 June 2009'."""
    return date_uk(value) if value is not None else ""


@framework.context_processor
def _framework_helpers() -> dict[str, Any]:
    return {
        "format_value": format_value,
        "range_text": range_text,
        "plain_number": plain_number,
        "readable_date": date_uk,
        "uk_date": uk_date,
        # Error pages are rendered here too, sometimes for someone not signed in.
        "may_manage": current_user.is_authenticated and current_user.role_enum is Role.ADMINISTRATOR,
    }


def _version_or_404(code: str, number: int) -> FrameworkVersion:
    """The version with its content, if it exists and the user may see it (drafts are not for everyone)."""
    version = finding.version_for_browsing(db_session(), code, number, acting_user())
    if version is None:
        abort(404)
    return version


def _download(content: bytes | str, mimetype: str, filename: str, *, attachment: bool = True) -> Response:
    response = Response(content, mimetype=mimetype)
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@framework.route("/")
@signed_in
def index() -> str:
    """Every framework with its live version, and every version the user may see."""
    user = acting_user()
    listed = [
        (item, finding.current_version_for(user, item), finding.visible_versions(user, item))
        for item in finding.list_frameworks(db_session(), user)
    ]
    listed = [entry for entry in listed if entry[2]]
    return render_template("framework/index.html", listed=listed, title="Evaluation framework")


@framework.route("/<code>")
@signed_in
def current(code: str) -> Response:
    """A framework's address without a version: go to the live version."""
    found = finding.find_framework(db_session(), code)
    if found is not None and not may_see_programme(acting_user(), found.programme_id):
        found = None
    version = finding.current_version_for(acting_user(), found) if found is not None else None
    if found is None or version is None:
        abort(404)
    return redirect(url_for("framework.version", code=found.code, number=version.version))


@framework.route("/<code>/<int:number>")
@signed_in
def version(code: str, number: int) -> str:
    """A version's overview: themes with their questions and indicators, periods and downloads."""
    shown = _version_or_404(code, number)
    return render_template(
        "framework/version.html",
        version=shown,
        search_form=SearchForm(),
        title=shown.framework.name,
    )


@framework.route("/<code>/<int:number>/indicators/<indicator_code>")
@signed_in
def indicator(code: str, number: int, indicator_code: str) -> str:
    """One indicator with all its guidance: what to include and exclude, range, evidence expected."""
    shown = _version_or_404(code, number)
    found = finding.indicator_by_code(shown, indicator_code)
    if found is None:
        abort(404)
    position = shown.indicators.index(found)
    previous = shown.indicators[position - 1] if position > 0 else None
    following = shown.indicators[position + 1] if position + 1 < len(shown.indicators) else None
    weight = finding.indicator_by_code(shown, found.weighted_by_code) if found.weighted_by_code else None
    return render_template(
        "framework/indicator.html",
        version=shown,
        indicator=found,
        weight=weight,
        previous=previous,
        following=following,
        title=found.name,
    )


@framework.route("/<code>/<int:number>/cost-categories")
@signed_in
def cost_categories(code: str, number: int) -> str:
    """Cost categories, each with what to include and what to exclude."""
    shown = _version_or_404(code, number)
    return render_template("framework/cost_categories.html", version=shown, title="Cost categories")


@framework.route("/<code>/<int:number>/learning-and-activities")
@signed_in
def learning(code: str, number: int) -> str:
    """Learning types and dimensions, activity types and the partners' roles."""
    shown = _version_or_404(code, number)
    return render_template(
        "framework/learning.html", version=shown, title="Learning, activities and partners"
    )


@framework.route("/<code>/<int:number>/data-sharing-journey")
@signed_in
def journey(code: str, number: int) -> str:
    """The milestones of the data-sharing journey, from 0 to 100."""
    shown = _version_or_404(code, number)
    if not shown.milestones:
        abort(404)
    return render_template("framework/journey.html", version=shown, title="Data-sharing journey")


@framework.route("/<code>/<int:number>/evidence-scales")
@signed_in
def evidence_scales(code: str, number: int) -> str:
    """The evidence-strength scales, with what each level means and the question pilot leads answer."""
    shown = _version_or_404(code, number)
    return render_template("framework/evidence_scales.html", version=shown, title="Evidence scales")


@framework.route("/<code>/<int:number>/changes")
@signed_in
def changes(code: str, number: int) -> str:
    """What this version adds, removes and changes compared with the version before it."""
    shown = _version_or_404(code, number)
    return render_template(
        "framework/changes.html",
        version=shown,
        base=finding.comparison_base(shown),
        difference=finding.difference_for(shown),
        title=f"What changed in version {shown.version}",
    )


def _hit_url(version: FrameworkVersion, hit: SearchHit) -> str:
    code, number = version.framework.code, version.version
    if hit.kind == "indicator":
        return url_for("framework.indicator", code=code, number=number, indicator_code=hit.code)
    anchors = {
        "theme": ("framework.version", "theme"),
        "question": ("framework.version", "question"),
        "cost_category": ("framework.cost_categories", "cost-category"),
        "activity_type": ("framework.learning", "activity-type"),
        "learning_type": ("framework.learning", "learning-type"),
        "learning_dimension": ("framework.learning", "learning-dimension"),
        "partner_role": ("framework.learning", "partner-role"),
        "milestone": ("framework.journey", "milestone"),
        "evidence_level": ("framework.evidence_scales", "evidence-level"),
    }
    endpoint, prefix = anchors[hit.kind]
    return url_for(endpoint, code=code, number=number, _anchor=f"{prefix}-{hit.code}")


@framework.route("/<code>/<int:number>/search")
@signed_in
def search(code: str, number: int) -> str:
    """Everything in the version that mentions every word searched for."""
    shown = _version_or_404(code, number)
    form = SearchForm(formdata=request.args)
    query = (form.q.data or "").strip()
    hits: list[tuple[SearchHit, str]] = []
    if query and form.validate():
        hits = [(hit, _hit_url(shown, hit)) for hit in search_version(shown, query)]
    return render_template(
        "framework/search.html",
        version=shown,
        form=form,
        search_form=form,
        query=query,
        hits=hits,
        title=f"Search {shown.framework.name}",
    )


@framework.route("/<code>/<int:number>/framework.yaml")
@signed_in
def download_yaml(code: str, number: int) -> Response:
    """The version's framework file, exactly as it was imported."""
    shown = _version_or_404(code, number)
    return _download(
        shown.source_yaml.encode("utf-8"),
        "application/yaml",
        f"{shown.framework.code}-v{shown.version}.yaml",
    )


@framework.route("/<code>/<int:number>/data-dictionary.xlsx")
@signed_in
def download_xlsx(code: str, number: int) -> Response:
    """The version's definitions as a spreadsheet data dictionary."""
    shown = _version_or_404(code, number)
    return _download(
        data_dictionary_xlsx(shown),
        XLSX_MIMETYPE,
        f"{shown.framework.code}-v{shown.version}-data-dictionary.xlsx",
    )


@framework.route("/schema.json")
@signed_in
def schema() -> Response:
    """The JSON Schema every framework file follows."""
    return _download(schema_text(), "application/schema+json", "framework.schema.json", attachment=False)


@framework.route("/upload", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def upload() -> str | Response:
    """Upload a framework file: it is checked in full, and imported as a draft only if it has no problems."""
    form = UploadFrameworkForm()
    user = acting_user()
    choices = administered_programmes(user)
    form.set_programme_choices(choices, programme_in_view(user, chosen_programme_id())[1])
    problems: list[Problem] = []
    if form.validate_on_submit():
        uploaded = form.framework_file.data
        text, problems = decode_file(uploaded.read())
        if not problems:
            session = db_session()
            try:
                with transaction(session):
                    outcome = lifecycle.import_framework(
                        session,
                        text,
                        actor=user,
                        filename=uploaded.filename or "",
                        programme=form.chosen_programme(choices),
                    )
            except FrameworkFileInvalid as invalid:
                problems = list(invalid.problems)
            else:
                imported = outcome.version
                flash(
                    f"Version {imported.version} of {imported.framework.name} has been "
                    f"{'replaced' if outcome.replaced_draft else 'imported'} as a draft. "
                    "Check what has changed, then publish it.",
                    "success",
                )
                return redirect(
                    url_for("framework.changes", code=imported.framework.code, number=imported.version)
                )
        count = len(problems)
        form.framework_file.errors = [
            f"The file has {count} problem{'' if count == 1 else 's'}. Nothing has been saved: "
            "fix every problem listed below, then upload the file again."
        ]
    return render_template(
        "framework/upload.html", form=form, problems=problems, title="Upload a framework file"
    )


@framework.route("/<code>/<int:number>/publish", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def publish(code: str, number: int) -> str | Response:
    """Confirm, then publish a draft: it becomes the live version and the previous live version retires."""
    shown = _version_or_404(code, number)
    form = ConfirmationForm()
    problem = lifecycle.why_cannot_publish(shown)
    if problem is None and form.validate_on_submit():
        session = db_session()
        try:
            with transaction(session):
                lifecycle.publish_version(session, shown, actor=acting_user())
        except FrameworkError as error:
            problem = error.message
        else:
            flash(f"Version {shown.version} of {shown.framework.name} is now live.", "success")
            return redirect(url_for("framework.version", code=code, number=number))
    return render_template(
        "framework/publish.html",
        version=shown,
        live=shown.framework.published_version,
        problem=problem,
        title=f"Publish version {shown.version}",
    )


@framework.route("/<code>/<int:number>/delete", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def delete(code: str, number: int) -> str | Response:
    """Confirm, then delete a draft version. Published and retired versions can never be deleted."""
    shown = _version_or_404(code, number)
    form = ConfirmationForm()
    session = db_session()
    problem = lifecycle.why_cannot_delete(session, shown)
    if problem is None and form.validate_on_submit():
        name = shown.framework.name
        try:
            with transaction(session):
                lifecycle.delete_draft(session, shown, actor=acting_user())
        except FrameworkError as error:
            problem = error.message
        else:
            flash(f"The draft version {number} of {name} has been deleted.", "success")
            return redirect(url_for("framework.index"))
    return render_template(
        "framework/delete.html", version=shown, problem=problem, title=f"Delete draft version {shown.version}"
    )


@framework.route("/<code>/sharing", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def sharing(code: str) -> str | Response:
    """Whether site leads see other sites' approved figures on this framework's dashboards."""
    session = db_session()
    chosen = finding.find_framework(session, code)
    if chosen is None or chosen.code != code or not may_see_programme(acting_user(), chosen.programme_id):
        abort(404)
    form = CrossSiteSharingForm()
    if request.method == "GET":
        form.sharing.data = "on" if chosen.cross_site_sharing else "off"
    if form.validate_on_submit():
        shared = form.sharing.data == "on"
        with transaction(session):
            changed = set_cross_site_sharing(session, chosen, shared, actor=acting_user())
        if changed:
            flash(
                f"Site leads now see every site's approved figures for {chosen.name}."
                if shared
                else f"Site leads now see only their own site's figures for {chosen.name}.",
                "success",
            )
        return redirect(url_for("framework.index"))
    return render_template(
        "framework/sharing.html", framework=chosen, form=form, title="Cross-site sharing on the dashboards"
    )
