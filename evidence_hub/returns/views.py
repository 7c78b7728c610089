"""The returns blueprint, and the return itself: site overview, starting a return, the task list, check
your answers, submitting. Each section's pages are in a module of their own (listed in __init__.py) that
adds its routes to this blueprint."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.models.returns import ReturnSection, ReturnStatus
from evidence_hub.return_pages import (
    READERS,
    editable_return,
    refuse_if_read_only,
    refused,
    return_context,
    visible_return,
)
from evidence_hub.returns.forms import SectionCompletedForm, StartReturnForm, SubmitReturnForm
from evidence_hub.services.common.access import NotVisible, led_sites, programme_in_view
from evidence_hub.services.home.overview import listed_sites
from evidence_hub.services.returns import changes, completeness, finding, workflow
from evidence_hub.services.returns.comments import comments_by_section
from evidence_hub.services.returns.completeness import IncompleteReturn
from evidence_hub.services.returns.editing import why_read_only
from evidence_hub.services.returns.errors import ReturnError
from evidence_hub.services.returns.imports.sections import SECTIONS
from evidence_hub.web import acting_user, asked_page, chosen_programme_id, db_session, paged_list

returns = Blueprint("returns", __name__, url_prefix="/returns")

# The page the summary of a return is on, whether it is served from there or from a refused submission:
# the summary's page links go there.
CHECK_ANSWERS = "returns.check_answers"

# Sites the list to choose from shows at a time (a service of every local authority has hundreds).
SITES_PER_PAGE = 50


@returns.route("/")
@roles(*READERS)
def index() -> str | Response:
    """A lead's own site overview; evaluators and administrators choose a site, 50 a page."""
    user = acting_user()
    if user.role_enum is Role.SITE_LEAD:
        # The sites they lead in the programme in view: one goes straight to its returns.
        _, in_view = programme_in_view(user, chosen_programme_id())
        sites = led_sites(user, in_view.id) if in_view is not None else []
        if len(sites) == 1:
            return redirect(url_for("returns.site_overview", site_id=sites[0].id))
        return render_template("returns/index.html", sites=sites, listed=None, title="Site returns")
    listed = listed_sites(db_session(), user, asked_page(), per_page=SITES_PER_PAGE)
    return render_template(
        "returns/index.html", sites=listed.items, **paged_list(listed, "Site returns", "returns.index")
    )


@returns.route("/sites/<int:site_id>")
@roles(*READERS)
def site_overview(site_id: int) -> str:
    """One site's returns across its reporting periods, newest first, 20 a page, with totals."""
    site, listed = finding.site_overview(db_session(), acting_user(), site_id, asked_page())
    return render_template(
        "returns/site_overview.html",
        site=site,
        rows=listed.items,
        **paged_list(listed, f"{site.name}: returns", "returns.site_overview", site_id=site.id),
    )


@returns.route("/start/<int:period_id>", methods=["POST"])
@roles(Role.SITE_LEAD)
def start(period_id: int) -> Response:
    """Start (or carry on with) the lead's return for a reporting period."""
    session = db_session()
    period = finding.period_by_id(session, period_id, acting_user())
    form = StartReturnForm()
    form.validate()
    site_id = form.site_id.data if not form.site_id.errors else None
    try:
        with transaction(session):
            site_return = workflow.start_return(session, acting_user(), period, site_id)
    except ReturnError as error:
        flash(error.message, "information")
        return redirect(url_for("returns.index"))
    return redirect(url_for("returns.task_list", return_id=site_return.id))


@returns.route("/<int:return_id>")
@roles(*READERS)
def task_list(return_id: int) -> str:
    """The return's sections with their status, and what to do next."""
    site_return = visible_return(return_id)
    statuses = completeness.section_statuses(db_session(), site_return)
    since_review = changes.changes_since_last_review(db_session(), site_return)
    completed = sum(1 for status in statuses.values() if status == "completed")
    return render_template(
        "returns/task_list.html",
        **return_context(
            site_return,
            statuses=statuses,
            sections=list(ReturnSection),
            changes=since_review,
            upload_sections=[(section.code, section.title) for section in SECTIONS.values()],
            completed_count=completed,
            comment_counts=comments_by_section(site_return),
            read_only_reason=why_read_only(site_return),
        ),
        title=f"{site_return.site.name}: {site_return.reporting_period.name}",
    )


@returns.route("/<int:return_id>/sections/<section>/completed", methods=["POST"])
@roles(Role.SITE_LEAD)
def mark_section(return_id: int, section: str) -> Response:
    """Record whether the lead has finished a section (the question at the foot of each section)."""
    site_return = editable_return(return_id)
    try:
        chosen = ReturnSection(section)
    except ValueError:
        raise NotVisible(f"No section {section}") from None
    form = SectionCompletedForm()
    if not form.validate_on_submit():
        flash("Select whether you have completed this section", "information")
        return redirect(url_for(f"returns.{chosen.value}", return_id=return_id))
    refusal = refuse_if_read_only(site_return)
    if refusal:
        return refusal
    try:
        with transaction(db_session()):
            workflow.set_section_completed(
                db_session(), acting_user(), site_return, chosen, form.completed.data == "yes"
            )
    except ReturnError as error:
        flash(error.message, "information")
        return redirect(url_for(f"returns.{chosen.value}", return_id=return_id))
    return redirect(url_for("returns.task_list", return_id=return_id))


@returns.route("/<int:return_id>/check", methods=["GET"])
@roles(*READERS)
def check_answers(return_id: int) -> str:
    """Everything in the return on one page, with what is still missing, before submitting."""
    site_return = visible_return(return_id)
    problems = completeness.completeness_problems(db_session(), site_return)
    return render_template(
        "returns/check_answers.html",
        **return_context(
            site_return, problems=problems, form=SubmitReturnForm(), summary_endpoint=CHECK_ANSWERS
        ),
        title="Check your return before submitting it",
    )


@returns.route("/<int:return_id>/submit", methods=["POST"])
@roles(Role.SITE_LEAD)
def submit(return_id: int) -> str | Response:
    """Submit the return for review, if nothing the framework requires is missing."""
    site_return = editable_return(return_id)
    form = SubmitReturnForm()
    if form.validate_on_submit():
        try:
            with transaction(db_session()):
                workflow.submit(db_session(), acting_user(), site_return)
        except IncompleteReturn as incomplete:
            return render_template(
                "returns/check_answers.html",
                **return_context(
                    site_return,
                    problems=incomplete.problems,
                    form=form,
                    submit_refused=True,
                    summary_endpoint=CHECK_ANSWERS,
                ),
                title="Check your return before submitting it",
            )
        except ReturnError as error:
            return refused(error, site_return)
        return redirect(url_for("returns.submitted", return_id=return_id))
    problems = completeness.completeness_problems(db_session(), site_return)
    return render_template(
        "returns/check_answers.html",
        **return_context(site_return, problems=problems, form=form, summary_endpoint=CHECK_ANSWERS),
        title="Check your return before submitting it",
    )


@returns.route("/<int:return_id>/submitted")
@roles(Role.SITE_LEAD)
def submitted(return_id: int) -> str | Response:
    """The confirmation that a return was submitted, and what happens next."""
    site_return = visible_return(return_id)
    if site_return.status_enum is not ReturnStatus.SUBMITTED:
        return redirect(url_for("returns.task_list", return_id=return_id))
    return render_template("returns/submitted.html", **return_context(site_return), title="Return submitted")


@returns.app_template_global()
def with_change_links(rows: list[dict[str, Any]], edit_url: str) -> list[dict[str, Any]]:
    """Summary-list rows, each with a Change link to its own answer on the edit page (rows name their
    form field as "field"; a row without one, such as a reference, gets none)."""
    return [
        {
            **row,
            "actions": {
                "items": [
                    {
                        "href": f"{edit_url}#{row['field']}",
                        "text": "Change",
                        "visuallyHiddenText": str(row["key"]["text"]).lower(),
                    }
                ]
            },
        }
        if row.get("field")
        else row
        for row in rows
    ]
