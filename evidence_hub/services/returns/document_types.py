"""What an uploaded supporting document is: its type decided by what is in it (its first bytes, and for
zip-based office files the parts inside the zip), never by its name; a name that says something else is
refused, and so is a document that could run something when opened (active_content.py). And the names a
document is shown and downloaded under."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import quote

import olefile

from evidence_hub.services.returns.active_content import (
    Finding,
    compound_file_finding,
    embedded_compound_files,
    office_package_has_macros,
    opendocument_has_macros,
    pdf_finding,
)

log = logging.getLogger("evidence_hub.documents")

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DESCRIPTION_LENGTH = 5000
MAX_FILENAME_LENGTH = 255
# A zip-based office file with more parts than this is not a document anyone wrote by hand.
MAX_ZIP_MEMBERS = 5000
# How much of a zip part is read to recognise the file (never the whole part: zip bombs stay shut).
ZIP_PART_READ_LIMIT = 512 * 1024

ACCEPTED_TYPES_TEXT = "PDF, Word, Excel, OpenDocument (ODF), CSV, PNG or JPEG"


@dataclass(frozen=True)
class DocumentType:
    label: str
    content_type: str
    # Names the file may end with; the first is the usual one.
    extensions: tuple[str, ...]


PDF = DocumentType("a PDF document", "application/pdf", ("pdf",))
DOCX = DocumentType(
    "a Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
DOC = DocumentType("a Word 97-2003 document", "application/msword", ("doc",))
XLSX = DocumentType(
    "an Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)
)
XLS = DocumentType("an Excel 97-2003 workbook", "application/vnd.ms-excel", ("xls",))
ODT = DocumentType("an OpenDocument text document", "application/vnd.oasis.opendocument.text", ("odt",))
ODS = DocumentType("an OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", ("ods",))
ODP = DocumentType(
    "an OpenDocument presentation", "application/vnd.oasis.opendocument.presentation", ("odp",)
)
CSV = DocumentType("a CSV file", "text/csv", ("csv",))
PNG = DocumentType("a PNG image", "image/png", ("png",))
JPEG = DocumentType("a JPEG image", "image/jpeg", ("jpg", "jpeg"))

DOCUMENT_TYPES = (PDF, DOCX, DOC, XLSX, XLS, ODT, ODS, ODP, CSV, PNG, JPEG)
TYPES_BY_CONTENT_TYPE = {document_type.content_type: document_type for document_type in DOCUMENT_TYPES}
ACCEPTED_EXTENSIONS = tuple(extension for kind in DOCUMENT_TYPES for extension in kind.extensions)

ODF_TYPES = {ODT.content_type: ODT, ODS.content_type: ODS, ODP.content_type: ODP}
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": ("word/", DOCX),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ("xl/", XLSX),
}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"
ZIP_SIGNATURE = b"PK\x03\x04"
# Microsoft's Compound File Binary format, the container of .doc and .xls files.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

NOT_ACCEPTED = (
    f"The selected file must be a {ACCEPTED_TYPES_TEXT} file. We check what is in the file, not its "
    "name, and this file's content is none of these"
)
REFUSALS = {
    Finding.MACROS: (
        "The selected file contains macros, which could run when it is opened. Save a copy without macros "
        "(for example as .docx, .xlsx or .odt) and upload that"
    ),
    Finding.JAVASCRIPT: (
        "The selected PDF contains JavaScript, which could run when it is opened. Print it to a new PDF "
        "and upload that"
    ),
    Finding.LAUNCH_ACTION: (
        "The selected PDF contains an action that opens another program. Print it to a new PDF and "
        "upload that"
    ),
    Finding.ATTACHED_FILES: (
        "The selected PDF has other files attached to it. Upload the PDF without its attachments, and "
        "each attached file on its own"
    ),
    Finding.PASSWORD: "The selected file is password-protected. Save it without a password and upload that",
    Finding.UNREADABLE: (
        "The selected file is damaged or password-protected, so it cannot be checked. Save it again "
        "without a password and upload that"
    ),
}


class DocumentRefused(ValueError):
    """An upload that cannot be kept; the message says why, for showing beside `field`."""

    def __init__(self, message: str, field: str = "document") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def detect_type(content: bytes) -> DocumentType:
    """The type of a file from its content alone; DocumentRefused when it is not one we accept."""
    if not content:
        raise DocumentRefused("The selected file is empty")
    if content.startswith(PDF_SIGNATURE):
        _refuse_if_found(pdf_finding(content))
        return PDF
    if content.startswith(PNG_SIGNATURE):
        return PNG
    if content.startswith(JPEG_SIGNATURE):
        return JPEG
    if content.startswith(ZIP_SIGNATURE):
        return _zip_document_type(content)
    if content.startswith(OLE2_SIGNATURE):
        return _legacy_office_type(content)
    return _text_type(content)


def _refuse_if_found(finding: Finding | None) -> None:
    if finding is not None:
        log.info("Refused an upload with %s", finding.value)
        raise DocumentRefused(REFUSALS[finding])


def _zip_document_type(content: bytes) -> DocumentType:
    """A Word or Excel (Office Open XML) or OpenDocument file, from the parts inside the zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise DocumentRefused(NOT_ACCEPTED)
            names = {member.filename for member in members}
            if "mimetype" in names:
                declared = _read_part(archive, "mimetype").decode("ascii", "replace").strip()
                if declared in ODF_TYPES:
                    _refuse_if_found(Finding.MACROS if opendocument_has_macros(names) else None)
                    return ODF_TYPES[declared]
            if "[Content_Types].xml" in names:
                content_types = _read_part(archive, "[Content_Types].xml").decode("utf-8", "replace")
                _refuse_if_found(Finding.MACROS if office_package_has_macros(names, content_types) else None)
                for part in embedded_compound_files(names):
                    _refuse_if_found(_embedded_finding(archive, part))
                for main_part, (folder, document_type) in OOXML_MAIN_PARTS.items():
                    if main_part in content_types and any(name.startswith(folder) for name in names):
                        return document_type
    # zipfile signals an unsupported compression method with NotImplementedError: a hostile or exotic
    # archive is refused like a damaged one, never allowed to crash the upload.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError) as error:
        log.info("Refused an upload whose zip could not be read: %s", error)
        raise DocumentRefused(
            "The selected file is damaged or password-protected, so it cannot be checked. Save it again "
            "without a password and upload that"
        ) from None
    except RuntimeError as error:  # zipfile raises RuntimeError for encrypted parts
        log.info("Refused an encrypted zip upload: %s", error)
        raise DocumentRefused(
            "The selected file is password-protected. Save it without a password and upload that"
        ) from None
    raise DocumentRefused(NOT_ACCEPTED)


def _read_part(archive: zipfile.ZipFile, name: str, limit: int = ZIP_PART_READ_LIMIT) -> bytes:
    with archive.open(name) as part:
        return part.read(limit)


def _embedded_finding(archive: zipfile.ZipFile, name: str) -> Finding | None:
    """Macros in an object embedded in an Office file (a .doc or .xls inside a .docx, say)."""
    embedded = _read_part(archive, name, MAX_DOCUMENT_BYTES)
    if not embedded.startswith(OLE2_SIGNATURE):
        return None
    ole = _open_compound_file(embedded)
    return Finding.UNREADABLE if ole is None else compound_file_finding(ole)


def _open_compound_file(content: bytes) -> olefile.OleFileIO | None:
    try:
        return olefile.OleFileIO(content)
    except Exception as error:  # olefile fails in many ways on a damaged or hostile file.
        log.info("A compound file could not be read: %s: %s", type(error).__name__, error)
        return None


def _legacy_office_type(content: bytes) -> DocumentType:
    """A Word 97-2003 or Excel 97-2003 file, from the streams in its directory, without macros."""
    ole = _open_compound_file(content)
    if ole is None:
        raise DocumentRefused(REFUSALS[Finding.UNREADABLE])
    with ole:
        if ole.exists("EncryptedPackage"):
            raise DocumentRefused(REFUSALS[Finding.PASSWORD])
        if not (ole.exists("WordDocument") or ole.exists("Workbook") or ole.exists("Book")):
            raise DocumentRefused(NOT_ACCEPTED)
        _refuse_if_found(compound_file_finding(ole))
        return DOC if ole.exists("WordDocument") else XLS


def _text_type(content: bytes) -> DocumentType:
    """CSV: UTF-8 text with no NUL bytes that is not a web page or other markup."""
    if b"\x00" in content:
        raise DocumentRefused(NOT_ACCEPTED)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentRefused(
            "The selected file is neither a document we accept nor a CSV file in UTF-8. If it is a CSV "
            "file, save it as 'CSV UTF-8' and upload it again"
        ) from None
    if text.lstrip().startswith("<"):
        raise DocumentRefused(
            "The selected file is a web page or other markup (HTML or XML), which cannot be uploaded. "
            f"Upload a {ACCEPTED_TYPES_TEXT} file"
        )
    return CSV


def extension_of(filename: str) -> str:
    name = _base_name(filename)
    return name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""


def check_name_matches(filename: str, document_type: DocumentType) -> None:
    """Refuse a file whose name says it is something other than what its content is."""
    extension = extension_of(filename)
    if extension in document_type.extensions:
        return
    expected = " or ".join(f".{item}" for item in document_type.extensions)
    if not extension:
        raise DocumentRefused(
            f"The selected file's content is {document_type.label}, so its name must end in {expected}"
        )
    raise DocumentRefused(
        f"The selected file's name ends in .{extension} but its content is {document_type.label}. "
        f"Check you chose the right file, or rename it to end in {expected}"
    )


def _base_name(filename: str) -> str:
    """The last part of a path, whichever separator the browser used."""
    return re.split(r"[\\/]", filename or "")[-1]


def safe_filename(filename: str, document_type: DocumentType) -> str:
    """A name that is safe to show and to offer as a download name: no path, no control characters."""
    name = unicodedata.normalize("NFC", _base_name(filename))
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip()
    stem, dot, extension = name.rpartition(".")
    if not dot or not extension.strip():
        stem, extension = name, document_type.extensions[0]
    stem = stem[: MAX_FILENAME_LENGTH - len(extension) - 1].strip(" .") or "document"
    return f"{stem}.{extension.lower()}"


def content_disposition(filename: str) -> str:
    """An attachment header (RFC 6266): a plain ASCII name for old browsers and the exact name encoded."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    stem, extension = _ascii(stem).strip(" ._") or "document", _ascii(extension)
    fallback = f"{stem}.{extension}" if extension else stem
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _ascii(text: str) -> str:
    """Accents dropped (É becomes E), anything else outside plain ASCII names replaced by _."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._ ()-]", "_", plain)
