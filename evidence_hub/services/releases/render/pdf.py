"""The learning summary of a release as an A4 PDF, laid out with reportlab's platypus.

What the document says comes from ``blocks.summary_blocks``; this module only lays the blocks out.
Text is set in DejaVu Sans (the TrueType fonts matplotlib bundles, embedded as subsets), so any character
a site typed prints as itself with no system fonts. Every piece of text is escaped before it reaches
reportlab's paragraph markup: learning entries are user-typed, and "<b>&" must print as those characters.

Open-source reportlab cannot write a tagged PDF, so the document is made accessible by other means: the
headings form the PDF outline (the reader's navigation pane), the document title is shown instead of the
file name, the language is set, and every chart has a caption and, just above it, a table of the same
numbers. The output is byte-for-byte repeatable: the PDF's dates are the publication date and its
identifier is derived from the content.
"""

from __future__ import annotations

import functools
import html
import io
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final

import matplotlib
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    PageTemplate,
    Spacer,
)
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable
from reportlab.platypus import TableStyle as PdfTableStyle

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
    footer_text,
    title_page,
)

FONT: Final = "DejaVuSans"
BOLD: Final = "DejaVuSans-Bold"
ITALIC: Final = "DejaVuSans-Oblique"
BOLD_ITALIC: Final = "DejaVuSans-BoldOblique"
_FONT_FILES: Final = {
    FONT: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}
_fonts_lock = threading.Lock()

# Streams are written as binary rather than ASCII85 text: ASCII85 only serves 7-bit mail channels, makes
# the file a quarter larger, and reportlab's pure-Python encoder took a third of the build time.
rl_config.useA85 = 0

TEXT_COLOUR: Final = colors.HexColor("#0b0c0c")
SECONDARY_TEXT: Final = colors.HexColor("#505a5f")
BORDER: Final = colors.HexColor("#b1b4b6")
HEADER_FILL: Final = colors.HexColor("#f3f2f1")

MARGIN: Final = 18 * mm
FOOTER_BASELINE: Final = 10 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
TEXT_WIDTH: Final = PAGE_WIDTH - 2 * MARGIN
# Tables are set at the first size at which every word fits its column.
TABLE_FONT_SIZES: Final = (9, 8, 7, 6.5)
CELL_PADDING: Final = 3.5


def register_fonts() -> None:
    """Register DejaVu Sans with reportlab once per process (the registry is global)."""
    with _fonts_lock:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        for name, file_name in _FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(folder / file_name)))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)


def _style(name: str, **overrides: Any) -> ParagraphStyle:
    settings: dict[str, Any] = {
        "fontName": FONT,
        "fontSize": 10,
        "leading": 14,
        "textColor": TEXT_COLOUR,
        "spaceAfter": 6,
    }
    settings.update(overrides)
    return ParagraphStyle(name, **settings)


STYLES: Final = {
    "title": _style("SummaryTitle", fontName=BOLD, fontSize=24, leading=30, spaceAfter=12),
    "kind": _style("SummaryKind", fontSize=14, leading=18, textColor=SECONDARY_TEXT, spaceAfter=24),
    "fact_label": _style("FactLabel", fontName=BOLD, spaceAfter=0),
    "fact": _style("Fact", spaceAfter=0),
    "fingerprint": _style("Fingerprint", fontSize=8, leading=11, spaceAfter=0),
    "status": _style("Status", fontName=BOLD, borderColor=TEXT_COLOUR, borderWidth=1, borderPadding=8),
    "heading1": _style("Heading1", fontName=BOLD, fontSize=18, leading=23, spaceBefore=14, spaceAfter=8),
    "heading2": _style("Heading2", fontName=BOLD, fontSize=14, leading=18, spaceBefore=10, spaceAfter=6),
    "heading3": _style("Heading3", fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4),
    "body": _style("Body"),
    "bullet": _style("Bullet", spaceAfter=3),
    "caption": _style("Caption", fontName=BOLD, fontSize=9, leading=12, spaceBefore=4, spaceAfter=3),
    "figure_caption": _style("FigureCaption", fontName=ITALIC, fontSize=8.5, leading=11, spaceAfter=10),
    "entry_title": _style("EntryTitle", fontName=BOLD, spaceBefore=6, spaceAfter=2),
    "entry_source": _style("EntrySource", fontSize=8.5, leading=11, textColor=SECONDARY_TEXT, spaceAfter=3),
}


def markup(text: str) -> str:
    """Text as reportlab paragraph markup: <, > and & escaped, line breaks kept."""
    return html.escape(text, quote=False).replace("\n", "<br/>")


class _OutlinedHeading(PdfParagraph):
    """A heading that becomes an entry in the PDF outline (the reader's navigation pane)."""

    def __init__(self, text: str, level: int) -> None:
        super().__init__(markup(text), STYLES[f"heading{level}"])
        self.outline_text = text
        self.outline_level = level - 1
        self.keepWithNext = True


class _SummaryDocument(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, summary: Mapping[str, Any]) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 6 * mm,
            title=document_title(summary),
            subject=document_subject(summary),
            author=AUTHOR,
            creator=AUTHOR,
            producer=AUTHOR,
            keywords=[str(summary.get("reference") or ""), "learning summary"],
            lang="en-GB",
            displayDocTitle=True,
            invariant=True,
        )
        self.summary = summary
        self._bookmarks = 0
        self._outline_level = -1
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate_page)])

    def _decorate_page(self, canvas: Canvas, document: BaseDocTemplate) -> None:
        if canvas.getPageNumber() == 1:
            published_stamp = _pdf_date(self.summary.get("published_on"))
            if published_stamp is not None:
                canvas.setDateFormatter(lambda *_now: published_stamp)
            canvas.showOutline()
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(SECONDARY_TEXT)
        canvas.drawString(MARGIN, FOOTER_BASELINE, footer_text(self.summary, canvas.getPageNumber()))
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _OutlinedHeading):
            self._bookmarks += 1
            key = f"heading-{self._bookmarks}"
            # An outline cannot skip a level: a heading deeper than the one before it by two is placed one
            # deeper, rather than failing the whole document.
            level = min(flowable.outline_level, self._outline_level + 1)
            self._outline_level = level
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline_text, key, level=level, closed=level > 0)


def _pdf_date(published_on: object) -> str | None:
    """The PDF's creation and modification dates: the day the release was published."""
    try:
        published = date.fromisoformat(str(published_on))
    except ValueError:
        return None
    return f"D:{published:%Y%m%d}000000+00'00'"


def _title_page(summary: Mapping[str, Any]) -> list[Flowable]:
    page = title_page(summary)
    rows = [
        [PdfParagraph(markup(label), STYLES["fact_label"]), PdfParagraph(markup(value), STYLES["fact"])]
        for label, value in page.facts
    ]
    label, fingerprint = page.fingerprint
    rows.append(
        [
            PdfParagraph(markup(label), STYLES["fact_label"]),
            PdfParagraph(markup(fingerprint), STYLES["fingerprint"]),
        ]
    )
    facts = PdfTable(
        rows,
        colWidths=[45 * mm, TEXT_WIDTH - 45 * mm],
        hAlign="LEFT",
    )
    facts.setStyle(
        PdfTableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [
        Spacer(1, 30 * mm),
        PdfParagraph(markup(page.title), STYLES["title"]),
        PdfParagraph(markup(page.kind), STYLES["kind"]),
        facts,
        Spacer(1, 12 * mm),
        PdfParagraph(markup(page.status_line), STYLES["status"]),
        PageBreak(),
    ]


def _text_width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def _column_widths(table: Table, size: float) -> tuple[list[float], bool]:
    """Column widths that fit the page, each at least its longest word, the rest shared by need.

    The second value says whether every word fits its column at this font size.
    """
    columns = len(table.headings)
    longest_word = [0.0] * columns
    whole = [0.0] * columns
    for row_index, row in enumerate([table.headings, *table.rows]):
        font = BOLD if row_index == 0 or (table.has_total_row and row_index == len(table.rows)) else FONT
        for column, text in enumerate(row):
            words = text.split() or [""]
            longest_word[column] = max(
                longest_word[column], *(_text_width(word, font, size) for word in words)
            )
            if row_index > 0:
                lines = text.split("\n")
                whole[column] = max(whole[column], *(_text_width(line, font, size) for line in lines))
    padding = 2 * CELL_PADDING + 1
    least = [width + padding for width in longest_word]
    wanted = [max(w, lw) + padding for w, lw in zip(whole, longest_word, strict=True)]
    if sum(wanted) <= TEXT_WIDTH:
        spare = TEXT_WIDTH - sum(wanted)
        return [width + spare * width / sum(wanted) for width in wanted], True
    if sum(least) <= TEXT_WIDTH:
        spare = TEXT_WIDTH - sum(least)
        extra = [want - low for want, low in zip(wanted, least, strict=True)]
        return [low + spare * more / sum(extra) for low, more in zip(least, extra, strict=True)], True
    # Too many long words: shrink every column alike; paragraphs split the words that remain too long.
    return [width * TEXT_WIDTH / sum(least) for width in least], False


@functools.cache
def _cell_styles(size: float) -> dict[str, ParagraphStyle]:
    leading = size + 2
    return {
        "cell": _style(f"Cell{size}", fontSize=size, leading=leading, spaceAfter=0),
        "number": _style(
            f"CellNumber{size}", fontSize=size, leading=leading, spaceAfter=0, alignment=TA_RIGHT
        ),
        "heading": _style(f"CellHeading{size}", fontName=BOLD, fontSize=size, leading=leading, spaceAfter=0),
    }


def _layout(table: Table) -> tuple[list[float], dict[str, ParagraphStyle]]:
    """The largest table font size at which every word fits its column, down to the smallest readable."""
    for size in TABLE_FONT_SIZES:
        widths, fits = _column_widths(table, size)
        if fits:
            break
    return widths, _cell_styles(size)


# The least height, in points, of each part of a row split between pages: about three lines of a cell.
MINIMUM_ROW_PART = 30


class _CellParagraph(PdfParagraph):
    """A table cell, which keeps the lines it was broken into for the width it was last laid out at.

    reportlab lays out every remaining row of a table again each time it splits the table at a page's
    end, so each cell of a long table was broken into lines once a page (a 150-site release's tables hold
    98,000 cells, broken into lines 380,000 times). A paragraph's lines depend on its width alone.
    """

    _laid_out_at: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._laid_out_at is not None and self._laid_out_at[0] == availWidth:
            return self._laid_out_at[1]
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        self._laid_out_at = (availWidth, size)
        return size


def _table(table: Table) -> list[Flowable]:
    widths, styles = _layout(table)
    cells: list[list[Flowable]] = [
        [_CellParagraph(markup(heading), styles["heading"]) for heading in table.headings]
    ]
    for index, row in enumerate(table.rows):
        is_total = table.has_total_row and index == len(table.rows) - 1
        cells.append(
            [
                _CellParagraph(
                    f"<b>{markup(text)}</b>" if is_total else markup(text),
                    styles["number" if numeric else "cell"],
                )
                for text, numeric in zip(row, table.numeric, strict=True)
            ]
        )
    # A tall row may split between pages, each part at least MINIMUM_ROW_PART high (so an ordinary row of
    # a line or two still moves whole to the next page): a cell of more than a page's text would otherwise
    # stop the build with a LayoutError, and the release would have no PDF.
    grid = PdfTable(cells, colWidths=widths, repeatRows=1, hAlign="LEFT", splitInRow=MINIMUM_ROW_PART)
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.5, BORDER),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if table.has_total_row:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1.2, TEXT_COLOUR))
    grid.setStyle(PdfTableStyle(commands))
    caption = PdfParagraph(markup(table.caption), STYLES["caption"])
    caption.keepWithNext = True
    return [caption, grid, Spacer(1, 8)]


def _picture(picture: Picture) -> list[Flowable]:
    chart = picture.chart
    width = TEXT_WIDTH
    image = Image(io.BytesIO(chart.png), width=width, height=width * chart.aspect)
    return [KeepTogether([image, PdfParagraph(markup(chart.caption), STYLES["figure_caption"])])]


def _entry(entry: Entry) -> list[Flowable]:
    parts: list[Flowable] = [
        PdfParagraph(markup(entry.title), STYLES["entry_title"]),
        PdfParagraph(markup(entry.source), STYLES["entry_source"]),
    ]
    parts += [
        PdfParagraph(f"<b>{markup(label)}:</b> {markup(text)}", STYLES["body"]) for label, text in entry.parts
    ]
    return [KeepTogether(parts)]


def _bullets(items: Sequence[str]) -> list[Flowable]:
    return [
        ListFlowable(
            [ListItem(PdfParagraph(markup(item), STYLES["bullet"])) for item in items],
            bulletType="bullet",
            start="•",
            bulletFontName=FONT,
            bulletFontSize=10,
            leftIndent=14,
            spaceAfter=6,
        )
    ]


def _flowables(block: Block) -> list[Flowable]:
    match block:
        case Heading(text=text, level=level):
            return [_OutlinedHeading(text, level)]
        case Paragraph(text=text, label=None):
            return [PdfParagraph(markup(text), STYLES["body"])]
        case Paragraph(text=text, label=label):
            return [PdfParagraph(f"<b>{markup(label or '')}:</b> {markup(text)}", STYLES["body"])]
        case Bullets(items=items):
            return _bullets(items)
        case Table():
            return _table(block)
        case Picture():
            return _picture(block)
        case Entry():
            return _entry(block)
    raise TypeError(f"No PDF layout for {type(block).__name__}")


def summary_pdf(summary: dict[str, Any], *, charts: SummaryCharts | None = None) -> bytes:
    """The release's learning summary as a PDF.

    ``charts`` are the summary's charts when the caller has them already (they depend only on the summary).
    """
    register_fonts()
    blocks = summary_blocks(summary, charts if charts is not None else summary_charts(summary))
    story = _title_page(summary)
    for block in blocks:
        story += _flowables(block)
    buffer = io.BytesIO()
    _SummaryDocument(buffer, summary).build(story)
    return buffer.getvalue()
