"""Documents that could run something when opened are refused, each with a message that says what to do;
their harmless twins are accepted."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from reportlab.pdfgen import canvas

from evidence_hub.services.returns import document_types
from evidence_hub.services.returns.document_types import DocumentRefused
from tests import hostile_documents as hostile

MACROS = "contains macros, which could run when it is opened"
JAVASCRIPT = "The selected PDF contains JavaScript"
LAUNCH = "contains an action that opens another program"
ATTACHMENTS = "has other files attached to it"
PASSWORD = "password-protected"


def a_report_written_by_reportlab() -> bytes:
    """A PDF as real software writes it: compressed page contents and fonts."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Partnership board minutes, May 2009")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (hostile.word_with_macros, MACROS),
        (hostile.excel_with_vba, MACROS),
        (hostile.excel_with_macro_sheet, MACROS),
        (hostile.word_package_with_renamed_vba_project, MACROS),
        (hostile.word_package_with_embedded_macros, MACROS),
        (lambda: hostile.opendocument(with_basic_macros=True), MACROS),
        (hostile.pdf_with_javascript, JAVASCRIPT),
        (hostile.pdf_with_escaped_javascript_name, JAVASCRIPT),
        (hostile.pdf_with_javascript_in_an_object_stream, JAVASCRIPT),
        (hostile.pdf_with_launch_action, LAUNCH),
        (hostile.pdf_with_attachment, ATTACHMENTS),
        (hostile.word_with_password, PASSWORD),
        (hostile.excel_with_password, PASSWORD),
    ],
    ids=[
        "doc-vba",
        "xls-vba",
        "xls-excel-4-macro-sheet",
        "docx-declaring-a-vba-project",
        "docx-embedding-a-doc-with-macros",
        "odt-basic",
        "pdf-javascript",
        "pdf-javascript-escaped-name",
        "pdf-javascript-in-object-stream",
        "pdf-launch",
        "pdf-attachment",
        "doc-password",
        "xls-password",
    ],
)
def test_a_document_that_could_run_something_is_refused_saying_why(
    make: Callable[[], bytes], message: str
) -> None:
    with pytest.raises(DocumentRefused) as refused:
        document_types.detect_type(make())

    assert message in refused.value.message
    assert refused.value.field == "document"


@pytest.mark.parametrize(
    ("make", "content_type"),
    [
        (hostile.plain_word, "application/msword"),
        (hostile.plain_excel, "application/vnd.ms-excel"),
        (hostile.word_package_with_plain_embedded_document, document_types.DOCX.content_type),
        (hostile.opendocument, "application/vnd.oasis.opendocument.text"),
        (hostile.plain_pdf, "application/pdf"),
        (a_report_written_by_reportlab, "application/pdf"),
    ],
    ids=["doc", "xls", "docx-with-embedded-doc", "odt", "pdf", "pdf-from-reportlab"],
)
def test_the_harmless_twins_are_accepted(make: Callable[[], bytes], content_type: str) -> None:
    assert document_types.detect_type(make()).content_type == content_type


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n" + bytes(200),
        hostile.plain_pdf()[:-200],
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000),
        hostile.word_with_macros()[:1536],
    ],
    ids=["pdf-without-objects", "pdf-cut-short", "compound-file-of-zeros", "compound-file-cut-short"],
)
def test_a_damaged_file_is_refused_as_one_that_cannot_be_checked(content: bytes) -> None:
    with pytest.raises(DocumentRefused, match="damaged or password-protected, so it cannot be checked"):
        document_types.detect_type(content)
