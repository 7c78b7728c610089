"""Reporting periods administration: every framework's periods with their returns, and closing a period."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.models.periods import PeriodStatus
from evidence_hub.models.returns import ReturnStatus
from evidence_hub.periods.forms import ClosePeriodForm
from evidence_hub.services.common.access import why_programme_takes_nothing
from evidence_hub.services.returns import finding, workflow
from evidence_hub.services.returns.errors import ReturnError
from evidence_hub.web import acting_user, db_session

periods = Blueprint("periods", __name__, url_prefix="/admin/periods")


@periods.route("/")
@roles(Role.ADMINISTRATOR)
def index() -> str:
    """Each framework's reporting periods, with how many returns are in each state."""
    return render_template(
        "periods/index.html",
        summaries=finding.period_summaries(db_session(), acting_user()),
        statuses=list(ReturnStatus),
        title="Reporting periods",
    )


@periods.route("/<int:period_id>/close", methods=["GET", "POST"])
@roles(Role.ADMINISTRATOR)
def close(period_id: int) -> str | Response:
    """Explain what closing does and ask to confirm; then close the period and lock every return in it."""
    session = db_session()
    period = finding.period_by_id(session, period_id, acting_user())
    if period.status_enum is PeriodStatus.CLOSED:
        flash(f"{period.name} is already closed.", "information")
        return redirect(url_for("periods.index"))
    form = ClosePeriodForm()
    if form.validate_on_submit():
        try:
            with transaction(session):
                locked = workflow.close_period(session, acting_user(), period)
        except ReturnError as error:
            flash(error.message, "information")
        else:
            locked_text = "1 return is" if locked == 1 else f"{locked} returns are"
            flash(f"{period.name} is closed. {locked_text} now locked.", "success")
        return redirect(url_for("periods.index"))
    site_returns = finding.returns_in_period(session, acting_user(), period)
    return render_template(
        "periods/close.html",
        period=period,
        site_returns=site_returns,
        not_approved=[item for item in site_returns if not item.is_approved],
        form=form,
        # A closed programme's periods stay as they were: the reason instead of the button.
        read_only_reason=why_programme_takes_nothing(period.framework.programme),
        title=f"Close {period.name}",
    )
