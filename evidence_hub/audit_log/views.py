"""The audit log: every record for evaluators and administrators, filtered, paged and downloadable, and
the history of one item for anyone who may see that item's site."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from evidence_hub.audit_log.forms import AuditFilterForm
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.services.common import audit as audit_service
from evidence_hub.services.common.audit import AuditFilters
from evidence_hub.web import acting_user, db_session, pagination

audit_log = Blueprint("audit_log", __name__, url_prefix="/audit")

LOG_READERS = (Role.EVALUATOR, Role.ADMINISTRATOR)
RECORDS_PER_PAGE = 50
FILTER_ARGUMENTS = ("site", "action", "user", "date_from", "date_to")


@audit_log.app_template_global()
def audit_field_changes(record: Any) -> list[audit_service.FieldChange]:
    return audit_service.field_changes(record)


def _filter_form() -> tuple[AuditFilterForm, AuditFilters]:
    """The filter form read from the address, and the filters it gives (none where it has errors)."""
    session = db_session()
    form = AuditFilterForm(formdata=request.args)
    form.set_choices(
        sorted(audit_service.site_names(session, acting_user()).items(), key=lambda item: item[1]),
        audit_service.recorded_actions(session, acting_user()),
        [
            (user.id, f"{user.full_name} ({user.email})")
            for user in audit_service.recorded_actors(session, acting_user())
        ],
    )
    if not request.args or not form.validate():
        return form, AuditFilters()
    return form, AuditFilters(
        site_id=form.chosen_id(form.site),
        action=form.action.data or None,
        actor_id=form.chosen_id(form.user),
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


def _filter_arguments() -> dict[str, Any]:
    return {
        name: values for name, values in request.args.to_dict(flat=False).items() if name in FILTER_ARGUMENTS
    }


@audit_log.route("/")
@roles(*LOG_READERS)
def index() -> str:
    """The whole audit log, newest first, filtered by site, action, who and dates."""
    session = db_session()
    form, filters = _filter_form()
    found = audit_service.list_events(
        session, acting_user(), filters, page=request.args.get("page", 1, type=int), per_page=RECORDS_PER_PAGE
    )
    arguments = _filter_arguments()
    return render_template(
        "audit_log/index.html",
        form=form,
        found=found,
        site_names=audit_service.site_names(session),
        download_url=url_for("audit_log.download", **arguments),
        pagination=pagination(
            found.page, found.pages, lambda number: url_for("audit_log.index", **arguments, page=number)
        ),
        title="Audit log",
    )


@audit_log.route("/download.csv")
@roles(*LOG_READERS)
def download() -> Response:
    """The audit log (with the same filters) as a CSV file."""
    _form, filters = _filter_form()
    # Built whole (read from the database in batches): the session closes when the request ends.
    content = "".join(audit_service.events_csv(db_session(), acting_user(), filters))
    response = Response(content, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    response.headers["Content-Disposition"] = f'attachment; filename="evidence-hub-audit-log-{stamp}.csv"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@audit_log.route("/history/<object_type>/<int:object_id>")
@roles(Role.SITE_LEAD, Role.EVALUATOR, Role.ADMINISTRATOR)
def history(object_type: str, object_id: int) -> str:
    """Every record about one item, oldest first (a site lead sees only their own site's items)."""
    session = db_session()
    records = audit_service.history(session, acting_user(), object_type, object_id)
    return render_template(
        "audit_log/history.html",
        records=records,
        object_type=object_type,
        object_id=object_id,
        site_names=audit_service.site_names(session),
        item_name=audit_service.item_name(records),
        title=f"History of {audit_service.object_type_name(object_type)} {object_id}",
    )
