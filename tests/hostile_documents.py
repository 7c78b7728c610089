"""Documents that could run something when opened, made here for upload tests: Word and Excel files with
VBA or Excel 4.0 macro sheets, macro-enabled and macro-carrying Office packages, OpenDocument files with
Basic macros, and PDFs with JavaScript, launch actions and attached files (also hidden in a compressed
object stream, or behind an escaped name). And their harmless twins, which must still be accepted."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, PdfObject, TextStringObject

from tests.compound_files import compound_file

# --- Word and Excel 97-2003 --------------------------------------------------------------------------


def word_document_stream(*, encrypted: bool = False) -> bytes:
    """The start of a Word file information block: its identifier, version and flags (fEncrypted)."""
    return struct.pack("<HHHHHH", 0xA5EC, 0x00C1, 0, 0, 0, 0x0100 if encrypted else 0) + bytes(500)


def biff_record(record: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", record, len(data)) + data


def workbook_stream(*sheet_kinds: int, encrypted: bool = False) -> bytes:
    """An Excel workbook stream: BOF, optionally FILEPASS, a BOUNDSHEET per sheet of the given kind, EOF."""
    records = [biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))]
    if encrypted:
        records.append(biff_record(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48)))
    for number, kind in enumerate(sheet_kinds or (0x00,)):
        name = f"Sheet{number + 1}".encode("latin-1")
        records.append(biff_record(0x0085, struct.pack("<IBBBB", 0, 0, kind, len(name), 0) + name))
    records.append(biff_record(0x000A))
    return b"".join(records)


VBA_PROJECT = {
    "VBA/dir": b"\x01" + bytes(64),
    "VBA/_VBA_PROJECT": b"\xcc\x61" + bytes(5),
    "PROJECT": b'ID="{0}"',
}


def plain_word() -> bytes:
    return compound_file({"WordDocument": word_document_stream(), "1Table": bytes(64)})


def word_with_macros() -> bytes:
    return compound_file(
        {
            "WordDocument": word_document_stream(),
            "1Table": bytes(64),
            **{f"Macros/{path}": content for path, content in VBA_PROJECT.items()},
        }
    )


def word_with_password() -> bytes:
    return compound_file({"WordDocument": word_document_stream(encrypted=True), "1Table": bytes(64)})


def plain_excel() -> bytes:
    return compound_file({"Workbook": workbook_stream(0x00, 0x02)})


def excel_with_vba() -> bytes:
    return compound_file(
        {
            "Workbook": workbook_stream(0x00),
            **{f"_VBA_PROJECT_CUR/{path}": content for path, content in VBA_PROJECT.items()},
        }
    )


def excel_with_macro_sheet() -> bytes:
    """An Excel 4.0 (XLM) macro sheet, which holds no VBA at all."""
    return compound_file({"Workbook": workbook_stream(0x00, 0x01)})


def excel_with_password() -> bytes:
    return compound_file({"Workbook": workbook_stream(0x00, encrypted=True)})


# --- Office Open XML and OpenDocument ---------------------------------------------------------------------


def zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def content_types(*overrides: tuple[str, str]) -> bytes:
    entries = "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'content-types">{entries}</Types>'
    ).encode()


WORD_MAIN = (
    "/word/document.xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
)


def word_package(*extra_types: tuple[str, str], **extra_parts: bytes) -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": content_types(WORD_MAIN, *extra_types),
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document><w:body><w:p>Agreement</w:p></w:body></w:document>",
            **{name.replace("__", "/"): content for name, content in extra_parts.items()},
        }
    )


def word_package_with_renamed_vba_project() -> bytes:
    """A .docm's VBA project under another name: only its declared content type gives it away."""
    return word_package(
        ("/word/code.dat", "application/vnd.ms-office.vbaProject"), word__code_dat=b"\xcc\x61" + bytes(64)
    )


def word_package_with_embedded_macros() -> bytes:
    """A .docx with a Word 97-2003 document embedded in it, and macros in that."""
    return word_package(word__embeddings__oleObject1_bin=word_with_macros())


def word_package_with_plain_embedded_document() -> bytes:
    return word_package(word__embeddings__oleObject1_bin=plain_word())


def opendocument(*, with_basic_macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", b"<manifest:manifest/>")
        if with_basic_macros:
            archive.writestr("Basic/Standard/Module1.xml", b'<script:module>Sub Main\nShell("calc")\nEnd Sub')
            archive.writestr("Basic/script-lc.xml", b"<library:libraries/>")
    return buffer.getvalue()


# --- PDF ----------------------------------------------------------------------------------------------


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def plain_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return _written(writer)


def _pdf_opening_with(action: dict[str, PdfObject]) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(
        DictionaryObject({NameObject(key): value for key, value in action.items()})
    )
    return _written(writer)


def pdf_with_javascript() -> bytes:
    return _pdf_opening_with(
        {"/S": NameObject("/JavaScript"), "/JS": TextStringObject("app.alert('Hello');")}
    )


def pdf_with_launch_action() -> bytes:
    return _pdf_opening_with({"/S": NameObject("/Launch"), "/F": TextStringObject("calc.exe")})


def pdf_with_attachment() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("invoice.exe", b"MZ" + bytes(64))
    return _written(writer)


def _pdf_of(objects: list[bytes], *, trailer: bytes) -> bytes:
    body = b"%PDF-1.7\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += b"trailer\n" + trailer + f"\nstartxref\n{xref}\n%%EOF\n".encode()
    return body


def pdf_with_escaped_javascript_name() -> bytes:
    """/J#53 is /JS written with an escaped letter: the same name to every PDF reader."""
    return _pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
            b"<< /S /Java#53cript /J#53 (app.alert\\(1\\)) >>",
        ],
        trailer=b"<< /Size 5 /Root 1 0 R >>",
    )


def pdf_with_javascript_in_an_object_stream() -> bytes:
    """A PDF 1.5 file whose JavaScript action lives in a compressed object stream, listed by a
    cross-reference stream: nothing of it is visible in the file's bytes."""
    action = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"4 0 "
    packed = zlib.compress(header + action)
    regular = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body = b"%PDF-1.7\n"
    offsets: dict[int, int] = {}
    for number, content in enumerate(regular, start=1):
        offsets[number] = len(body)
        body += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    offsets[5] = len(body)
    body += (
        f"5 0 obj\n<< /Type /ObjStm /N 1 /First {len(header)} /Filter /FlateDecode /Length {len(packed)} >>\n"
        "stream\n"
    ).encode()
    body += packed + b"\nendstream\nendobj\n"
    offsets[6] = len(body)
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF)]
    rows += [struct.pack(">BIH", 1, offsets[number], 0) for number in (1, 2, 3)]
    rows.append(struct.pack(">BIH", 2, 5, 0))  # object 4: the first in object stream 5
    rows += [struct.pack(">BIH", 1, offsets[number], 0) for number in (5, 6)]
    table = b"".join(rows)
    body += (
        f"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length {len(table)} >>\nstream\n"
    ).encode()
    body += table + b"\nendstream\nendobj\n"
    body += f"startxref\n{offsets[6]}\n%%EOF\n".encode()
    return body
