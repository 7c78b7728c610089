"""The audit log: every record for evaluators and administrators, filtered, paged and downloadable, and
the history of one item for anyone who may see that item's site."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from evidence_hub.audit_log.forms import AuditFilterForm
from evidence_hub.audit_log.wording import AuditWording, ShownRecord, action_label
from evidence_hub.guards import roles
from evidence_hub.models import AuditEvent, Role
from evidence_hub.services.common import audit as audit_service
from evidence_hub.services.common.audit import AuditFilters
from evidence_hub.services.returns.comments import MILESTONE
from evidence_hub.web import acting_user, asked_page, db_session, pagination

audit_log = Blueprint("audit_log", __name__, url_prefix="/audit")

LOG_READERS = (Role.EVALUATOR, Role.ADMINISTRATOR)
RECORDS_PER_PAGE = 50
FILTER_ARGUMENTS = ("site", "action", "user", "date_from", "date_to")


# Where each kind of item is listed: the section page and the anchor of the item on it.
ITEM_SECTIONS = {
    "cost": ("returns.costs", "cost"),
    "saving": ("returns.costs", "saving"),
    "activity": ("returns.activities", "activity"),
    "learning": ("returns.learning", "learning"),
    "document": ("returns.documents", "document"),
}


@audit_log.app_template_global()
def audit_item_url(shown: ShownRecord) -> str | None:
    """The page that shows the item a record is about, where there is one."""
    if shown.return_id is None:
        return None
    if shown.item_type == "return":
        return url_for("returns.task_list", return_id=shown.return_id)
    if shown.item_type == MILESTONE:
        return url_for("returns.journey", return_id=shown.return_id, _anchor="journey-milestone")
    if shown.item_type == "measure" and shown.indicator_code:
        return url_for("returns.measure", return_id=shown.return_id, indicator_code=shown.indicator_code)
    if shown.item_type in ITEM_SECTIONS:
        endpoint, anchor = ITEM_SECTIONS[shown.item_type]
        return url_for(endpoint, return_id=shown.return_id, _anchor=f"{anchor}-{shown.item_id}")
    return None


@audit_log.app_template_global()
def audit_kind(object_type: str) -> str:
    """What a kind of audited object is called: "impact measure", "review comment"."""
    return audit_service.object_type_name(object_type)


def _shown(records: list[AuditEvent]) -> list[ShownRecord]:
    """The records in plain English, with the names of the returns, measures and codes they mention."""
    session = db_session()
    comment_ids = [record.object_id for record in records if record.object_type == "comment"]
    subjects = audit_service.comment_subjects(session, [id_ for id_ in comment_ids if id_ is not None])
    return_ids = {subject[2] for subject in subjects.values()}
    for record in records:
        values = {**(record.before or {}), **(record.after or {})}
        if record.object_type == "return" and record.object_id is not None:
            return_ids.add(record.object_id)
        elif isinstance(values.get("site_return_id"), int):
            return_ids.add(values["site_return_id"])
    items = {(record.object_type, record.object_id) for record in records if record.object_id is not None}
    items |= {(kind, item_id) for kind, item_id, _return in subjects.values() if item_id is not None}
    facts = audit_service.item_facts(session, items)
    return_ids |= {fact.return_id for fact in facts.values()}
    wording = AuditWording(
        audit_service.framework_names(session),
        audit_service.return_names(session, return_ids),
        subjects,
        facts,
        audit_service.object_names(session, items),
    )
    return [wording.shown(record) for record in records]


def _filter_form() -> tuple[AuditFilterForm, AuditFilters]:
    """The filter form read from the address, and the filters it gives (none where it has errors)."""
    session = db_session()
    form = AuditFilterForm(formdata=request.args)
    form.set_choices(
        sorted(audit_service.site_names(session, acting_user()).items(), key=lambda item: item[1]),
        sorted(
            (
                (action, action_label(action))
                for action in audit_service.recorded_actions(session, acting_user())
            ),
            key=lambda c: c[1],
        ),
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
        session, acting_user(), filters, page=asked_page(), per_page=RECORDS_PER_PAGE
    )
    arguments = _filter_arguments()
    return render_template(
        "audit_log/index.html",
        form=form,
        found=found,
        shown_records=_shown(found.items),
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
    shown = _shown(records)
    about_item = [entry for entry in shown if entry.record.object_type == object_type]
    item_name = next((entry.item_name for entry in reversed(about_item) if entry.item_name), "")
    return render_template(
        "audit_log/history.html",
        shown_records=shown,
        object_type=object_type,
        item_url=audit_item_url(about_item[-1]) if about_item else None,
        site_names=audit_service.site_names(session),
        item_name=item_name,
        title=f"History of the {audit_service.object_type_name(object_type)}",
    )
