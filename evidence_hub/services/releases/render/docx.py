"""The learning summary of a release as a Word document, built with python-docx.

What the document says comes from ``blocks.summary_blocks``; this module only lays the blocks out,
with Word's own structure so the document works with assistive technology and the navigation pane:
built-in Heading 1 to 3 styles, tables whose first row is marked as a header row (repeated on every
page), charts as pictures with alternative text, the list style for bullets, the title, subject and
language in the document properties, and a footer with the release and a page number field.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Final

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph

from evidence_hub.services.releases.render.blocks import (
    Block,
    Bullets,
    Entry,
    Heading,
    Paragraph,
    Picture,
    Table,
    summary_blocks,
)
from evidence_hub.services.releases.render.charts import SummaryCharts, summary_charts
from evidence_hub.services.releases.render.words import (
    AUTHOR,
    document_subject,
    document_title,
    footer_lead,
    title_page,
)

MARGIN: Final = Mm(20)
PICTURE_WIDTH: Final = Mm(165)
SECONDARY_TEXT: Final = RGBColor(0x50, 0x5A, 0x5F)
HEADER_FILL: Final = "F3F2F1"
LANGUAGE: Final = "en-GB"


def _a4_portrait(document: WordDocument) -> None:
    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = MARGIN
        section.top_margin = section.bottom_margin = MARGIN


def _set_language(document: WordDocument) -> None:
    """UK English for spelling and for screen readers, on the default run style."""
    normal = document.styles["Normal"]
    run_properties = normal.element.get_or_add_rPr()
    language = run_properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_properties.append(language)
    language.set(qn("w:val"), LANGUAGE)
    normal.font.size = Pt(10.5)


def _published(summary: Mapping[str, Any]) -> datetime | None:
    try:
        return datetime.combine(
            date.fromisoformat(str(summary.get("published_on"))), datetime.min.time(), UTC
        )
    except ValueError:
        return None


def _properties(document: WordDocument, summary: Mapping[str, Any]) -> None:
    properties = document.core_properties
    properties.title = document_title(summary)
    properties.subject = document_subject(summary)
    properties.author = AUTHOR
    properties.last_modified_by = AUTHOR
    properties.keywords = f"{summary.get('reference') or ''}, learning summary"
    properties.comments = str(summary.get("status_line") or "")
    properties.language = LANGUAGE
    properties.revision = 1
    published = _published(summary)
    if published is not None:
        properties.created = properties.modified = published


def _page_number_field(paragraph: WordParagraph) -> None:
    """A PAGE field, which Word fills in with each page's number."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _footer(document: WordDocument, summary: Mapping[str, Any]) -> None:
    # Set on the style, so the page number Word fills in looks like the words before it.
    footer_style = document.styles["Footer"]
    footer_style.font.size = Pt(8)
    footer_style.font.color.rgb = SECONDARY_TEXT
    for section in document.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.style = footer_style
        paragraph.text = footer_lead(summary)
        _page_number_field(paragraph)


def _title_page(document: WordDocument, summary: Mapping[str, Any]) -> None:
    page = title_page(summary)
    document.add_paragraph(page.title, style="Title")
    kind = document.add_paragraph(page.kind, style="Subtitle")
    kind.paragraph_format.space_after = Pt(18)
    for label, value in (*page.facts, page.fingerprint):
        fact = document.add_paragraph()
        fact.add_run(f"{label}: ").bold = True
        fact.add_run(value)
    status = document.add_paragraph()
    status.paragraph_format.space_before = Pt(18)
    status.add_run(page.status_line).bold = True
    status.runs[-1].add_break(WD_BREAK.PAGE)


def _mark_header_row(table: WordTable) -> None:
    """The first row is the table's header: assistive technology reads it so, and Word repeats it."""
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row_properties.append(header)
    for cell in table.rows[0].cells:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), HEADER_FILL)
        cell._tc.get_or_add_tcPr().append(shading)


def _table(document: WordDocument, table: Table) -> None:
    document.add_paragraph(table.caption, style="Caption").paragraph_format.keep_with_next = True
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.headings))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    rows = grid.rows
    for cell, heading in zip(rows[0].cells, table.headings, strict=True):
        cell.paragraphs[0].add_run(heading).bold = True
    for index, (row, values) in enumerate(zip(rows[1:], table.rows, strict=True)):
        is_total = table.has_total_row and index == len(table.rows) - 1
        for cell, text, numeric in zip(row.cells, values, table.numeric, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.add_run(text).bold = is_total
            if numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _mark_header_row(grid)
    for row in rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.space_after = Pt(0)
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    document.add_paragraph()


def _picture(document: WordDocument, picture: Picture) -> None:
    chart = picture.chart
    document.add_picture(io.BytesIO(chart.png), width=PICTURE_WIDTH)
    shape = document.inline_shapes[-1]
    properties = shape._inline.docPr
    properties.set("descr", chart.alt_text)
    properties.set("title", chart.caption)
    document.paragraphs[-1].paragraph_format.keep_with_next = True
    document.add_paragraph(chart.caption, style="Caption")


def _labelled(document: WordDocument, label: str, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(text)


def _entry(document: WordDocument, entry: Entry) -> None:
    title = document.add_paragraph()
    title.paragraph_format.keep_with_next = True
    title.paragraph_format.space_before = Pt(8)
    title.add_run(entry.title).bold = True
    source = document.add_paragraph()
    source.paragraph_format.keep_with_next = True
    source_run = source.add_run(entry.source)
    source_run.font.size = Pt(9)
    source_run.font.color.rgb = SECONDARY_TEXT
    for label, text in entry.parts:
        _labelled(document, label, text)


def _add(document: WordDocument, block: Block) -> None:
    match block:
        case Heading(text=text, level=level):
            document.add_heading(text, level=level)
        case Paragraph(text=text, label=None):
            document.add_paragraph(text)
        case Paragraph(text=text, label=label):
            _labelled(document, label or "", text)
        case Bullets(items=items):
            for item in items:
                document.add_paragraph(item, style="List Bullet")
        case Table():
            _table(document, block)
        case Picture():
            _picture(document, block)
        case Entry():
            _entry(document, block)
        case _:
            raise TypeError(f"No Word layout for {type(block).__name__}")


def summary_docx(summary: dict[str, Any], *, charts: SummaryCharts | None = None) -> bytes:
    """The release's learning summary as Word.

    ``charts`` are the summary's charts when the caller has them already (they depend only on the summary).
    """
    blocks = summary_blocks(summary, charts if charts is not None else summary_charts(summary))
    document = Document()
    _a4_portrait(document)
    _set_language(document)
    _properties(document, summary)
    _footer(document, summary)
    _title_page(document, summary)
    for block in blocks:
        _add(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
