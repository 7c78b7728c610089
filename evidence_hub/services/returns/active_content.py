"""What in an uploaded document could run when somebody opens it: macros in Word, Excel and OpenDocument
files, and JavaScript, launch actions and attached files in PDFs. Supporting documents are downloaded and
opened by evaluators, so a document that carries any of these is refused (document_types.py says so
beside the upload field).

Each format is read with a parser that understands it, never by searching the raw bytes (names in a PDF
can be escaped and its objects compressed into object streams; a compound file's directory spans
sectors): olefile for compound files (.doc, .xls and objects embedded in Office files), pypdf for PDFs,
zipfile for Office Open XML and OpenDocument packages.
"""

from __future__ import annotations

import io
import logging
import re
import struct
from collections.abc import Iterable, Iterator
from enum import Enum

import olefile
from pypdf import PasswordType, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

log = logging.getLogger("evidence_hub.documents")


class Finding(Enum):
    """Why a document cannot be kept."""

    MACROS = "macros"
    JAVASCRIPT = "JavaScript"
    LAUNCH_ACTION = "an action that opens another program"
    ATTACHED_FILES = "attached files"
    PASSWORD = "a password"  # noqa: S105  (what the file is protected by, not a secret)
    UNREADABLE = "content that cannot be read"


# --- Compound files (.doc, .xls) ------------------------------------------------------------------------

# Storages and streams that hold VBA: "Macros" in Word, "_VBA_PROJECT_CUR" in Excel, "VBA" inside either.
VBA_ENTRY_NAMES = frozenset({"macros", "_vba_project_cur", "_vba_project", "vba"})
# Excel's BIFF8 records: BOUNDSHEET names each sheet and its kind; FILEPASS means the workbook is encrypted.
BIFF_BOUNDSHEET = 0x0085
BIFF_FILEPASS = 0x002F
# Sheet kinds that are code: an Excel 4.0 (XLM) macro sheet, and an Excel 5 VBA module sheet.
MACRO_SHEET_KINDS = frozenset({0x01, 0x06})
# The Word file information block's flags (offset 10 of the WordDocument stream): fEncrypted.
WORD_ENCRYPTED_FLAG = 0x0100


def compound_file_finding(ole: olefile.OleFileIO) -> Finding | None:
    """Macros or encryption in an opened compound file, or None when it carries neither."""
    try:
        return _compound_file_finding(ole)
    except Exception as error:  # A stream the directory names may be damaged or hostile.
        log.info("A compound file's streams could not be read: %s: %s", type(error).__name__, error)
        return Finding.UNREADABLE


def _compound_file_finding(ole: olefile.OleFileIO) -> Finding | None:
    entries = [[part.lower() for part in path] for path in ole.listdir(streams=True, storages=True)]
    if any(VBA_ENTRY_NAMES.intersection(path) for path in entries):
        return Finding.MACROS
    for workbook in ("Workbook", "Book"):
        if ole.exists(workbook):
            finding = _workbook_finding(ole.openstream(workbook).read())
            if finding is not None:
                return finding
    if ole.exists("WordDocument"):
        header = ole.openstream("WordDocument").read(12)
        if len(header) == 12 and struct.unpack_from("<H", header, 10)[0] & WORD_ENCRYPTED_FLAG:
            return Finding.PASSWORD
    return None


def _workbook_finding(stream: bytes) -> Finding | None:
    """Macro sheets or encryption among an Excel workbook stream's records (type and length, then data)."""
    offset = 0
    while offset + 4 <= len(stream):
        record, length = struct.unpack_from("<HH", stream, offset)
        data = stream[offset + 4 : offset + 4 + length]
        if record == BIFF_FILEPASS:
            return Finding.PASSWORD
        if record == BIFF_BOUNDSHEET and len(data) >= 6 and data[5] in MACRO_SHEET_KINDS:
            return Finding.MACROS
        offset += 4 + length
    return None


# --- Zip packages (Office Open XML, OpenDocument) -------------------------------------------------------

# Content types that declare code in an Office Open XML package: the VBA project, its data, macro-enabled
# main parts (.docm, .xlsm) and Excel 4.0 macro sheets.
MACRO_CONTENT_TYPE_WORDS = ("vbaproject", "vbadata", "macroenabled", "macrosheet")
MACRO_ENABLED_EXTENSIONS = (".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppsm", ".ppam")
# OpenDocument keeps Basic macros and other scripts in these folders (of the document or an embedded one).
ODF_SCRIPT_FOLDER = re.compile(r"(?:^|/)(?:Basic|Scripts)/", re.IGNORECASE)


def office_package_has_macros(names: Iterable[str], content_types: str) -> bool:
    """Whether an Office Open XML package declares or holds macros (embedded objects are checked apart)."""
    lowered = content_types.lower()
    return any(word in lowered for word in MACRO_CONTENT_TYPE_WORDS) or any(
        name.lower().endswith(("vbaproject.bin", *MACRO_ENABLED_EXTENSIONS)) for name in names
    )


def opendocument_has_macros(names: Iterable[str]) -> bool:
    return any(ODF_SCRIPT_FOLDER.search(name) for name in names)


def embedded_compound_files(names: Iterable[str]) -> list[str]:
    """The parts of an Office package that hold embedded objects, which may be compound files."""
    return [name for name in names if "/embeddings/" in name.lower() and not name.endswith("/")]


# --- PDF ------------------------------------------------------------------------------------------------

# Keys and values that carry active content anywhere in a PDF's objects.
ACTIVE_KEYS = {
    "/JS": Finding.JAVASCRIPT,
    "/JavaScript": Finding.JAVASCRIPT,
    "/Launch": Finding.LAUNCH_ACTION,
    "/EmbeddedFiles": Finding.ATTACHED_FILES,
    "/EF": Finding.ATTACHED_FILES,
}
ACTIVE_ACTIONS = {  # the /S of an action dictionary
    "/JavaScript": Finding.JAVASCRIPT,
    "/Launch": Finding.LAUNCH_ACTION,
    "/GoToE": Finding.ATTACHED_FILES,
}
ACTIVE_TYPES = {"/EmbeddedFile": Finding.ATTACHED_FILES}  # the /Type of a stream
ACTIVE_SUBTYPES = {"/FileAttachment": Finding.ATTACHED_FILES}  # the /Subtype of an annotation
# A PDF of 10 MB has far fewer; more means a file built to make the check take for ever.
MAX_PDF_VALUES = 2_000_000


def pdf_finding(content: bytes) -> Finding | None:
    """JavaScript, a launch action or attached files anywhere in the PDF (every object in its cross-reference
    table, compressed object streams included), or why it cannot be checked; None when it has none."""
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return Finding.PASSWORD
        return _first_active_content(_pdf_values(reader))
    except Exception as error:  # A hostile file can make any parser fail in any way.
        log.info("Refused a PDF that could not be read: %s: %s", type(error).__name__, error)
        return Finding.UNREADABLE


def _pdf_values(reader: PdfReader) -> Iterator[PdfObject]:
    """The trailer and every object the file lists, then every value inside each (indirect references are
    not followed: what they point to is listed itself)."""
    numbers = {(generation, number) for generation, table in reader.xref.items() for number in table}
    numbers |= {(0, number) for number in reader.xref_objStm}
    stack: list[PdfObject | None] = [reader.trailer]
    stack += [reader.get_object(IndirectObject(number, generation, reader)) for generation, number in numbers]
    seen = 0
    while stack:
        value = stack.pop()
        seen += 1
        if seen > MAX_PDF_VALUES:
            raise ValueError("too many values to check")
        if isinstance(value, DictionaryObject):
            yield value
            stack += [member for member in value.values() if not isinstance(member, IndirectObject)]
        elif isinstance(value, ArrayObject):
            stack += [member for member in value if not isinstance(member, IndirectObject)]


def _first_active_content(values: Iterator[PdfObject]) -> Finding | None:
    for value in values:
        assert isinstance(value, DictionaryObject)
        for key in value:
            if key in ACTIVE_KEYS:
                return ACTIVE_KEYS[key]
        for key, kinds in (("/S", ACTIVE_ACTIONS), ("/Type", ACTIVE_TYPES), ("/Subtype", ACTIVE_SUBTYPES)):
            kind = value.get(key)
            if isinstance(kind, IndirectObject):
                kind = kind.get_object()
            if isinstance(kind, str) and kind in kinds:
                return kinds[kind]
    return None
