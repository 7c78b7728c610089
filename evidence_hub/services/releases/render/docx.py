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
from copy import deepcopy
from datetime import UTC, date, datetime
from typing import Any, Final

from docx import Document
from docx.blkcntnr import BlockItemContainer
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tc
from docx.oxml.text.run import CT_R
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as WordParagraph
from docx.text.run import Run

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


class _Body:
    """Where the blocks are written: a small scratch body, moved into the document after each block.

    python-docx adds every paragraph and table to the document's body just before its section properties,
    which it finds by scanning the body's children, so adding n blocks straight to a body of n children
    takes time in n squared (a 150-site summary has some 100,000 paragraphs: over half an hour). The scratch
    body holds one block at a time, and moving its elements to the end of the document is one step each.
    The document's XML is the same either way.
    """

    def __init__(self, document: WordDocument) -> None:
        self.document = document
        # Made in the document itself: moving its elements into the body is then no move between documents.
        self._scratch_element = document.element.body.makeelement(qn("w:body"))
        self._scratch = BlockItemContainer(self._scratch_element, document)
        self._end = document.element.body.sectPr
        # Read once: python-docx finds it by searching the whole document.
        self._block_width = document._block_width

    def add_paragraph(self, text: str = "", style: str | None = None) -> WordParagraph:
        paragraph = self._scratch.add_paragraph(style=style)
        if text:
            _add_run(paragraph, text)
        return paragraph

    def add_heading(self, text: str, level: int) -> WordParagraph:
        return self.add_paragraph(text, f"Heading {level}")

    def add_table(self, rows: int, cols: int) -> WordTable:
        table = self._scratch.add_table(rows, cols, self._block_width)
        # Into the document while its cells are blank: moving a filled table between lxml documents
        # costs more than filling it.
        self.move_to_document()
        return table

    def move_to_document(self) -> None:
        body = self.document.element.body
        for element in list(self._scratch_element):
            if self._end is None:
                body.append(element)
            else:
                self._end.addprevious(element)


def _add_text(run: CT_R, text: str) -> None:
    """What python-docx's ``run.text = text`` does to a run with no text yet, without first clearing the run
    (an XPath compiled on every call: a third of the document's time)."""
    if not text:
        return
    if any(special in text for special in "\t\n\r"):
        run.text = text  # Tabs and line breaks become elements of their own.
    else:
        run.add_t(text)


def _add_run(paragraph: WordParagraph, text: str) -> Run:
    run = paragraph.add_run()
    _add_text(run._r, text)
    return run


def _title_page(body: _Body, summary: Mapping[str, Any]) -> None:
    page = title_page(summary)
    body.add_paragraph(page.title, style="Title")
    kind = body.add_paragraph(page.kind, style="Subtitle")
    kind.paragraph_format.space_after = Pt(18)
    for label, value in (*page.facts, page.fingerprint):
        fact = body.add_paragraph()
        _add_run(fact, f"{label}: ").bold = True
        _add_run(fact, value)
    status = body.add_paragraph()
    status.paragraph_format.space_before = Pt(18)
    _add_run(status, page.status_line).bold = True
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


def _small_and_tight(cell: _Cell) -> None:
    for paragraph in cell.paragraphs:
        paragraph.paragraph_format.space_after = Pt(0)
        for run in paragraph.runs:
            run.font.size = Pt(9)


def _body_cell(blank: CT_Tc, grid: WordTable, *, numeric: bool, bold: bool) -> CT_Tc:
    """A cell of the table's body laid out with no text yet, to be copied for every cell of its kind.

    Laying out each of a large table's cells through python-docx costs far more than copying one."""
    cell = _Cell(deepcopy(blank), grid)
    paragraph = cell.paragraphs[0]
    paragraph.add_run().bold = bold
    if numeric:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _small_and_tight(cell)
    return cell._tc


def _table(body: _Body, table: Table) -> None:
    body.add_paragraph(table.caption, style="Caption").paragraph_format.keep_with_next = True
    grid = body.add_table(rows=1 + len(table.rows), cols=len(table.headings))
    grid.style = body.document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    rows = grid._tbl.tr_lst[1:]
    for cell, heading in zip(grid.rows[0].cells, table.headings, strict=True):
        _add_run(cell.paragraphs[0], heading).bold = True
    _mark_header_row(grid)
    for cell in grid.rows[0].cells:
        _small_and_tight(cell)
    blank = rows[0].tc_lst[0] if rows else None
    kinds = {
        (numeric, bold): _body_cell(blank, grid, numeric=numeric, bold=bold)
        for numeric in set(table.numeric)
        for bold in {False, table.has_total_row}
        if blank is not None
    }
    for index, (row, values) in enumerate(zip(rows, table.rows, strict=True)):
        is_total = table.has_total_row and index == len(table.rows) - 1
        for blank_cell, text, numeric in zip(row.tc_lst, values, table.numeric, strict=True):
            cell = deepcopy(kinds[numeric, is_total])
            if text:
                _add_text(cell.p_lst[0].r_lst[0], text)
            row.replace(blank_cell, cell)
    body.add_paragraph()


def _picture(body: _Body, picture: Picture) -> None:
    chart = picture.chart
    paragraph = body.add_paragraph()
    shape = paragraph.add_run().add_picture(io.BytesIO(chart.png), width=PICTURE_WIDTH)
    properties = shape._inline.docPr
    properties.set("descr", chart.alt_text)
    properties.set("title", chart.caption)
    paragraph.paragraph_format.keep_with_next = True
    body.add_paragraph(chart.caption, style="Caption")


def _labelled(body: _Body, label: str, text: str) -> None:
    paragraph = body.add_paragraph()
    _add_run(paragraph, f"{label}: ").bold = True
    _add_run(paragraph, text)


def _entry(body: _Body, entry: Entry) -> None:
    title = body.add_paragraph()
    title.paragraph_format.keep_with_next = True
    title.paragraph_format.space_before = Pt(8)
    _add_run(title, entry.title).bold = True
    source = body.add_paragraph()
    source.paragraph_format.keep_with_next = True
    source_run = _add_run(source, entry.source)
    source_run.font.size = Pt(9)
    source_run.font.color.rgb = SECONDARY_TEXT
    for label, text in entry.parts:
        _labelled(body, label, text)


def _add(body: _Body, block: Block) -> None:
    match block:
        case Heading(text=text, level=level):
            body.add_heading(text, level=level)
        case Paragraph(text=text, label=None):
            body.add_paragraph(text)
        case Paragraph(text=text, label=label):
            _labelled(body, label or "", text)
        case Bullets(items=items):
            for item in items:
                body.add_paragraph(item, style="List Bullet")
        case Table():
            _table(body, block)
        case Picture():
            _picture(body, block)
        case Entry():
            _entry(body, block)
        case _:
            raise TypeError(f"No Word layout for {type(block).__name__}")
    body.move_to_document()


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
    body = _Body(document)
    _title_page(body, summary)
    body.move_to_document()
    for block in blocks:
        _add(body, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
