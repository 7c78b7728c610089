"""Filling a section of a return from a spreadsheet: download the template, upload it back."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.return_pages import editable_return, return_context
from evidence_hub.returns.upload_forms import UploadSpreadsheetForm
from evidence_hub.returns.views import returns
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.common.spreadsheet_reading import MAX_UPLOAD_BYTES
from evidence_hub.services.returns.imports import templates
from evidence_hub.services.returns.imports.sections import section_named
from evidence_hub.services.returns.imports.uploads import ImportRejected, RowProblem, import_upload
from evidence_hub.web import acting_user, db_session

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Where each upload section's items are listed after a successful upload.
SECTION_PAGES = {
    "costs": "costs",
    "savings": "costs",
    "activities": "activities",
    "measures": "measures",
    "learning": "learning",
}


def _attachment(body: bytes | str, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@returns.route("/<int:return_id>/upload/<section_code>", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def upload(return_id: int, section_code: str) -> str | WerkzeugResponse | tuple[str, int]:
    """Upload a filled-in template; every row is checked and nothing is saved unless all are valid."""
    site_return = editable_return(return_id)
    section = section_named(section_code)
    form = UploadSpreadsheetForm()
    problems: list[RowProblem] = []
    if form.validate_on_submit():
        upload_file = form.spreadsheet.data
        content = upload_file.read(MAX_UPLOAD_BYTES + 1)
        try:
            with transaction(db_session()):
                outcome = import_upload(
                    db_session(), acting_user(), site_return, section, content, upload_file.filename or ""
                )
        except ImportRejected as rejection:
            problems = rejection.problems
        else:
            flash(
                f"{section.title}: {outcome.added} added, {outcome.updated} updated, "
                f"{outcome.unchanged} unchanged.",
                "success",
            )
            return redirect(url_for(f"returns.{SECTION_PAGES[section.code]}", return_id=return_id))
    page = render_template(
        "returns/upload.html",
        **return_context(site_return, section=section, form=form, problems=problems),
        title=f"Upload {section.title.lower()} from a spreadsheet",
    )
    return (page, 400) if problems else page


@returns.route("/<int:return_id>/upload/<section_code>/template.<extension>")
@roles(Role.SITE_LEAD)
def upload_template(return_id: int, section_code: str, extension: str) -> Response:
    """The section's template, pre-filled with the site, period, codes, guidance and current items."""
    site_return = editable_return(return_id)
    section = section_named(section_code)
    filename = templates.template_filename(site_return, section, extension)
    if extension == "xlsx":
        return _attachment(templates.template_xlsx(db_session(), site_return, section), filename, XLSX_TYPE)
    if extension == "csv":
        return _attachment(
            templates.template_csv(db_session(), site_return, section), filename, "text/csv; charset=utf-8"
        )
    raise NotVisible(f"No template in the format {extension!r}")
