"""Supporting documents: the section page, uploading, downloading and deleting a document."""

from __future__ import annotations

from flask import flash, redirect, render_template, send_file, url_for
from werkzeug.wrappers import Response

from evidence_hub.db import transaction
from evidence_hub.guards import roles
from evidence_hub.models import Role
from evidence_hub.return_pages import READERS, editable_return, refused, return_context, visible_return
from evidence_hub.returns.document_forms import DeleteDocumentForm, UploadDocumentForm
from evidence_hub.returns.views import returns
from evidence_hub.services.returns import document_types
from evidence_hub.services.returns import documents as documents_service
from evidence_hub.services.returns.document_types import DocumentRefused
from evidence_hub.services.returns.errors import ReturnError
from evidence_hub.storage import document_store
from evidence_hub.web import acting_user, db_session


@returns.app_template_global()
def document_size(size_bytes: int) -> str:
    return documents_service.size_text(size_bytes)


@returns.app_template_global()
def document_type_label(content_type: str) -> str:
    return documents_service.type_label(content_type)


@returns.route("/<int:return_id>/documents")
@roles(*READERS)
def documents(return_id: int) -> str:
    """The return's supporting documents, with upload and delete for the lead while it can change."""
    site_return = visible_return(return_id)
    return render_template(
        "returns/documents/index.html", **return_context(site_return), title="Supporting documents"
    )


@returns.route("/<int:return_id>/documents/new", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def document_new(return_id: int) -> str | Response:
    """Upload a document with its description; its type is checked from its content."""
    site_return = editable_return(return_id)
    session = db_session()
    form = UploadDocumentForm()
    if form.validate_on_submit():
        upload = form.document.data
        try:
            with transaction(session):
                document = documents_service.upload_document(
                    session,
                    acting_user(),
                    site_return,
                    filename=upload.filename or "",
                    stream=upload.stream,
                    description=form.description.data or "",
                    store=document_store(),
                )
        except DocumentRefused as refusal:
            getattr(form, refusal.field).errors = [refusal.message]
        except ReturnError as error:
            return refused(error, site_return)
        else:
            flash(f"{document.original_filename} has been uploaded.", "success")
            return redirect(url_for("returns.documents", return_id=return_id))
    return render_template(
        "returns/documents/new.html", **return_context(site_return, form=form), title="Upload a document"
    )


@returns.route("/<int:return_id>/documents/<int:document_id>/download")
@roles(*READERS)
def document_download(return_id: int, document_id: int) -> Response:
    """The document's file, as an attachment with the type found in its content."""
    document = documents_service.visible_document(db_session(), acting_user(), return_id, document_id)
    stored = documents_service.stored_file(document_store(), document)
    response = send_file(
        stored,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.original_filename,
        max_age=0,
        conditional=False,
    )
    response.content_length = document.size_bytes
    response.headers["Content-Disposition"] = document_types.content_disposition(document.original_filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@returns.route("/<int:return_id>/documents/<int:document_id>/delete", methods=["GET", "POST"])
@roles(Role.SITE_LEAD)
def document_delete(return_id: int, document_id: int) -> str | Response:
    """Ask to confirm, then delete a document from the return."""
    site_return = editable_return(return_id)
    session = db_session()
    document = documents_service.visible_document(session, acting_user(), return_id, document_id)
    form = DeleteDocumentForm()
    if form.validate_on_submit():
        name = document.original_filename
        try:
            with transaction(session):
                documents_service.delete_document(session, acting_user(), document, document_store())
        except ReturnError as error:
            return refused(error, site_return)
        flash(f"{name} has been deleted.", "success")
        return redirect(url_for("returns.documents", return_id=return_id))
    return render_template(
        "returns/documents/delete.html",
        **return_context(site_return, document=document, form=form),
        title=f"Delete {document.original_filename}",
    )
