"""What an uploaded supporting document is: its type decided by what is in it (its first bytes, and for
zip-based office files the parts inside the zip), never by its name; a name that says something else is
refused. And the names a document is shown and downloaded under."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import quote

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
                    return ODF_TYPES[declared]
            if "[Content_Types].xml" in names:
                if any(name.lower().endswith("vbaproject.bin") for name in names):
                    raise DocumentRefused(
                        "The selected file contains macros. Save it without macros (as .docx or .xlsx) "
                        "and upload that"
                    )
                content_types = _read_part(archive, "[Content_Types].xml").decode("utf-8", "replace")
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


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as part:
        return part.read(ZIP_PART_READ_LIMIT)


def _legacy_office_type(content: bytes) -> DocumentType:
    """A Word 97-2003 or Excel 97-2003 file, from the names of the streams in its directory."""
    streams = _ole_stream_names(content)
    if "EncryptedPackage" in streams:
        raise DocumentRefused(
            "The selected file is password-protected. Save it without a password and upload that"
        )
    if "WordDocument" in streams:
        return DOC
    if "Workbook" in streams or "Book" in streams:
        return XLS
    raise DocumentRefused(NOT_ACCEPTED)


OLE_DIRECTORY_ENTRY = 128
OLE_HEADER = 512
OLE_STREAM_NAMES = frozenset({"WordDocument", "Workbook", "Book", "EncryptedPackage"})


def _ole_stream_names(content: bytes) -> set[str]:
    """Names of the streams we look for in a compound file's directory.

    Directory entries are 128 bytes, aligned to 128 bytes after the 512-byte header: a UTF-16 name of up
    to 31 characters, its length in bytes (with the terminator) at offset 64, and the entry type (1
    storage, 2 stream, 5 root) at offset 66.
    """
    found: set[str] = set()
    wanted = {name.encode("utf-16-le") + b"\x00\x00": name for name in OLE_STREAM_NAMES}
    for offset in range(OLE_HEADER, len(content) - OLE_DIRECTORY_ENTRY + 1, OLE_DIRECTORY_ENTRY):
        length = int.from_bytes(content[offset + 64 : offset + 66], "little")
        if length < 4 or length > 64:
            continue
        name = wanted.get(content[offset : offset + length])
        if name is not None and content[offset + 66] == 2:
            found.add(name)
    return found


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
