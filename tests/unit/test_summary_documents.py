"""The learning summary as PDF and Word documents: every section in order, every site, [c] printed as [c],
the roll-out projection for the reader's numbers, the release on every page, user-typed text printed as
typed, and charts in each site's dashboard colour. Checked by reading the files back."""

from __future__ import annotations

import copy
import io
import json
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from pypdf import PdfReader
from sqlalchemy.orm import Session

from evidence_hub.models.framework import IndicatorUnit
from evidence_hub.services.releases import reading
from evidence_hub.services.releases.disclosure import SUPPRESSED
from evidence_hub.services.releases.render.blocks import SECTION_TITLES, Heading, summary_blocks
from evidence_hub.services.releases.render.charts import (
    HATCH,
    Chart,
    DrawnFigure,
    barriers_enablers_figure,
    cost_figure,
    finding_figure,
    people_figure,
    render,
    summary_charts,
)
from evidence_hub.services.releases.render.docx import summary_docx
from evidence_hub.services.releases.render.pdf import summary_pdf
from evidence_hub.services.releases.render.units import indicator_unit
from evidence_hub.services.releases.render.words import (
    NOT_AVAILABLE,
    footer_lead,
    measure_change,
    measure_value,
    money,
    people,
    percent,
    unit_label,
)
from tests.release_helpers import published_release

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "release_content.json"
FINGERPRINT = "3f" * 32
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TYPED_TITLE = "Agreements <b>& protocols</b>"
TYPED_TEXT = 'Partners said "<script>alert(1)</script>" & signed.'


@pytest.fixture(scope="module")
def release_summary() -> dict[str, Any]:
    """The realistic summary the lead wrote, as reading.summary_of returns it (with its fingerprint)."""
    content = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {**content["summary"], "fingerprint": FINGERPRINT}


@pytest.fixture
def summary(release_summary: dict[str, Any]) -> dict[str, Any]:
    """A copy each test may change."""
    return copy.deepcopy(release_summary)


@pytest.fixture(scope="module")
def pdf_bytes(release_summary: dict[str, Any]) -> bytes:
    return summary_pdf(release_summary)


@pytest.fixture(scope="module")
def pdf_text(pdf_bytes: bytes) -> str:
    return pdf_to_text(pdf_bytes)


@pytest.fixture(scope="module")
def word(release_summary: dict[str, Any]) -> WordDocument:
    return docx.Document(io.BytesIO(summary_docx(release_summary)))


@pytest.fixture(scope="module")
def typed_and_withheld(release_summary: dict[str, Any]) -> tuple[str, WordDocument]:
    """Both documents of a summary with markup typed into an entry and Leeds's people reached withheld."""
    summary = copy.deepcopy(release_summary)
    entry = summary["themes"][0]["entries"][0]
    entry["title"] = TYPED_TITLE
    entry["what_happened"] = TYPED_TEXT + "\x00\x07"
    leeds = next(row for row in summary["costs"]["rows"] if row["site"] == "Leeds")
    leeds["people_reached"] = SUPPRESSED
    text = pdf_to_text(summary_pdf(summary))
    return text, docx.Document(io.BytesIO(summary_docx(summary)))


def pdf_to_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def lines_in_order(text: str, wanted: list[str]) -> list[int]:
    """Where each wanted line first appears after the one before it (fails if any is missing)."""
    lines = [line.strip() for line in text.splitlines()]
    positions, start = [], 0
    for line in wanted:
        start = lines.index(line, start)
        positions.append(start)
    return positions


def headings(document: WordDocument, style: str) -> list[str]:
    return [
        paragraph.text
        for paragraph in document.paragraphs
        if paragraph.style is not None and paragraph.style.name == style
    ]


def all_cells(document: WordDocument) -> list[str]:
    return [cell.text for table in document.tables for row in table.rows for cell in row.cells]


def site_names(summary: dict[str, Any]) -> list[str]:
    return [site["name"] for site in summary["executive"]["sites"]]


def charted_findings(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        finding
        for theme in summary["themes"]
        for finding in theme["findings"]
        if finding["unit"] in ("Count", "Percentage")
        and any(
            site[key] not in (None, SUPPRESSED) for site in finding["sites"] for key in ("baseline", "latest")
        )
    ]


def png_size(content: bytes) -> tuple[int, int]:
    assert content.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", content[16:24])
    return width, height


def site_bars(figure: Figure) -> Iterator[Rectangle]:
    """The bars drawn for sites: each carries its site's code as its gid."""
    for axes in figure.axes:
        for patch in axes.patches:
            if isinstance(patch, Rectangle) and patch.get_gid():
                yield patch


def texts(figure: Figure) -> list[str]:
    return [
        artist.get_text()
        for axes in figure.axes
        for artist in axes.get_children()
        if isinstance(artist, Text)
    ]


# --- Words -----------------------------------------------------------------------------------------------


def test_figures_are_written_as_the_summary_gives_them_and_c_stays_c() -> None:
    assert money("1234.5") == "£1,234.50"
    assert money("-100176.00") == "-£100,176.00"
    assert money(SUPPRESSED) == SUPPRESSED
    assert money(None) == NOT_AVAILABLE
    assert people(1487) == "1,487"
    assert people(SUPPRESSED) == SUPPRESSED
    assert percent("99.1") == "99.1%"
    assert measure_value("1E+3", "Count") == "1,000"
    assert measure_value("36.67", "Money (£, GBP)") == "£36.67"
    assert measure_value("12", "days") == "12 days"
    assert measure_change("12.2", "Percentage") == "+12.2 percentage points"
    assert measure_change("-3", "Count") == "-3"
    assert measure_change(SUPPRESSED, "Count") == SUPPRESSED


def test_the_documents_know_every_framework_unit_by_its_code_and_by_its_label() -> None:
    for unit in IndicatorUnit:
        assert indicator_unit(unit.value) == unit.value
        assert indicator_unit(unit.label) == unit.value
        assert unit_label(unit.value) == unit_label(unit.label) == unit.label


def test_the_blocks_hold_every_section_title_once_in_order(summary: dict[str, Any]) -> None:
    blocks = summary_blocks(summary, summary_charts(summary))
    sections = [block.text for block in blocks if isinstance(block, Heading) and block.level == 1]

    assert sections == list(SECTION_TITLES)


# --- PDF -------------------------------------------------------------------------------------------------


def test_the_pdf_has_every_section_in_order_and_its_outline_lists_them(
    pdf_bytes: bytes, pdf_text: str
) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    top_level = [entry.title for entry in reader.outline if not isinstance(entry, list)]

    assert top_level == list(SECTION_TITLES)
    positions = lines_in_order(pdf_text, list(SECTION_TITLES))
    assert positions == sorted(positions)


def test_the_pdf_names_its_release_on_the_title_page_in_its_metadata_and_on_every_page(
    pdf_bytes: bytes, release_summary: dict[str, Any]
) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    first_page = reader.pages[0].extract_text()

    for fact in ("WDS-2026-01", "21 November 2026", FINGERPRINT, release_summary["period_label"]):
        assert fact in first_page
    assert "Management information, not accredited official statistics." in first_page
    assert reader.metadata is not None
    assert "WDS-2026-01" in (reader.metadata.title or "")
    assert "WDS-2026-01" in (reader.metadata.subject or "")
    for number, page in enumerate(reader.pages, start=1):
        assert f"Release WDS-2026-01 · published 21 November 2026 · page {number}" in page.extract_text()


def test_the_pdf_names_every_site_and_prints_withheld_figures_as_c(
    pdf_text: str, summary: dict[str, Any]
) -> None:
    for name in site_names(summary):
        assert name in pdf_text
    assert SUPPRESSED in pdf_text
    assert "£243,729.20" in pdf_text
    assert "1,487" in pdf_text


def test_a_withheld_count_of_people_is_printed_as_c_not_as_a_number(
    typed_and_withheld: tuple[str, WordDocument],
) -> None:
    text, word = typed_and_withheld
    leeds_rows = [
        [cell.text for cell in row.cells]
        for table in word.tables
        for row in table.rows
        if row.cells[0].text == "Leeds"
    ]

    assert "581" not in text
    assert ["Leeds", "£73,251.20", "£13,035.00", SUPPRESSED] in leeds_rows


def test_a_release_stored_with_the_old_projection_and_cost_per_person_prints_neither(
    pdf_text: str, word: WordDocument
) -> None:
    # The fixture is a release published before the appraisal: its summary still holds the old roll-out
    # projection's unit costs and a cost per person for each site. Neither has the one definition, so
    # neither is printed; the section says why.
    cells = all_cells(word)
    for old in ("£1,896,058.50", "Roll-out cost projection", "Running cost per period"):
        assert old not in pdf_text
        assert old not in cells
    # The frozen key points keep their own words; no table has a column of cost per person.
    assert "Cost per person" not in cells and "£202.54" not in cells
    assert "earlier projection used a different definition" in " ".join(pdf_text.split())


def test_typed_markup_in_a_learning_entry_prints_literally_in_both_documents(
    typed_and_withheld: tuple[str, WordDocument],
) -> None:
    text, word = typed_and_withheld
    paragraphs = [paragraph.text for paragraph in word.paragraphs]

    assert TYPED_TITLE in text
    assert TYPED_TEXT in text
    assert TYPED_TITLE in paragraphs
    assert f"What happened: {TYPED_TEXT}" in paragraphs


def test_the_same_summary_gives_the_same_pdf_bytes(release_summary: dict[str, Any], pdf_bytes: bytes) -> None:
    assert summary_pdf(copy.deepcopy(release_summary)) == pdf_bytes


def test_a_summary_with_nothing_recorded_still_has_every_section_and_draws_no_chart(
    summary: dict[str, Any],
) -> None:
    summary.update(
        themes=[],
        costs={"rows": [], "total": None},
        outcomes={"rows": []},
        value_for_money={"outcome": None, "rows": [], "notes": []},
        barriers_enablers=[],
        recommendations=[],
        methodology=[],
        caveats=[],
        glossary=[],
        disclosure=[],
    )
    summary["executive"]["key_points"] = []

    charts = summary_charts(summary)
    text = pdf_to_text(summary_pdf(summary, charts=charts))
    word = docx.Document(io.BytesIO(summary_docx(summary, charts=charts)))

    assert (charts.costs, charts.people, charts.barriers_enablers, charts.findings) == (None, None, None, {})
    assert lines_in_order(text, list(SECTION_TITLES))
    assert "No recommendation has been cleared for national sharing." in text
    assert headings(word, "Heading 1") == list(SECTION_TITLES)
    assert len(word.inline_shapes) == 0


# --- Word ------------------------------------------------------------------------------------------------


def test_the_word_document_has_real_headings_in_order(word: WordDocument, summary: dict[str, Any]) -> None:
    assert headings(word, "Heading 1") == list(SECTION_TITLES)
    theme_names = [theme["name"] for theme in summary["themes"]]
    assert [name for name in headings(word, "Heading 2") if name in theme_names] == theme_names
    indicators = [finding["indicator"] for theme in summary["themes"] for finding in theme["findings"]]
    assert set(indicators) <= set(headings(word, "Heading 3"))


def test_the_word_tables_have_header_rows_and_the_summarys_figures(word: WordDocument) -> None:
    costs = next(table for table in word.tables if table.rows[0].cells[1].text == "Recorded")
    for table in word.tables:
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None

    assert [cell.text for cell in costs.rows[0].cells] == [
        "Site",
        "Recorded",
        "Attributable",
        "Set-up",
        "Running",
    ]
    assert [cell.text for cell in costs.rows[1].cells] == [
        "Kent",
        "£111,130.00",
        "£106,940.00",
        "£16,355.00",
        "£90,585.00",
    ]
    assert costs.rows[-1].cells[0].text == "All sites"
    cells = all_cells(word)
    assert "Liverpool City Region" in cells
    assert SUPPRESSED in cells


def test_the_word_charts_are_pictures_with_alternative_text(
    word: WordDocument, summary: dict[str, Any]
) -> None:
    expected = 3 + len(charted_findings(summary))

    assert len(word.inline_shapes) == expected
    for shape in word.inline_shapes:
        description = shape._inline.docPr.get("descr")
        assert description and "chart" in description


def test_the_word_document_carries_its_release_in_properties_and_footer(word: WordDocument) -> None:
    properties = word.core_properties
    footer = word.sections[0].footer.paragraphs[0]

    assert "WDS-2026-01" in properties.title
    assert "WDS-2026-01" in properties.subject
    assert properties.language == "en-GB"
    assert properties.created is not None and properties.created.date().isoformat() == "2026-11-21"
    assert footer.text == "Release WDS-2026-01 · published 21 November 2026 · page "
    page_field = footer._p.find(qn("w:fldSimple"))
    assert page_field is not None and page_field.get(qn("w:instr")) == "PAGE"
    assert word.sections[0].page_width is not None and round(word.sections[0].page_width.mm) == 210


# --- Charts ----------------------------------------------------------------------------------------------


def test_every_chart_is_a_png_of_a_sensible_size_with_alt_text(summary: dict[str, Any]) -> None:
    charts = summary_charts(summary)
    all_charts: list[Chart] = [
        chart for chart in (charts.costs, charts.people, charts.barriers_enablers) if chart is not None
    ]
    all_charts += charts.findings.values()

    assert len(all_charts) == 3 + len(charted_findings(summary))
    for chart in all_charts:
        width, height = png_size(chart.png)
        assert (width, height) == (chart.width_px, chart.height_px)
        assert 800 <= width <= 1200 and 300 <= height <= 900
        assert 5_000 < len(chart.png) < 200_000
        assert chart.alt_text and chart.caption


def test_each_sites_bars_are_in_its_dashboard_colour(summary: dict[str, Any]) -> None:
    colours = summary["site_colours"]
    drawn = [cost_figure(summary), people_figure(summary)]
    drawn += [finding_figure(summary, finding) for finding in charted_findings(summary)]

    for figure in drawn:
        assert figure is not None
        bars = list(site_bars(figure.figure))
        assert {bar.get_gid() for bar in bars} == set(colours)
        for bar in bars:
            assert bar.get_facecolor() == to_rgba(colours[bar.get_gid()])


def test_the_second_measure_of_a_bar_is_hatched_not_recoloured(summary: dict[str, Any]) -> None:
    drawn = cost_figure(summary)
    assert drawn is not None
    bars = list(site_bars(drawn.figure))
    set_up = [bar for bar in bars if bar.get_y() == 0]
    running = [bar for bar in bars if bar.get_y() > 0]

    assert len(set_up) == len(running) == len(summary["costs"]["rows"])
    assert all(not bar.get_hatch() for bar in set_up)
    assert all(bar.get_hatch() == HATCH for bar in running)


def test_a_withheld_count_is_no_bar_and_a_c_label(summary: dict[str, Any]) -> None:
    summary["costs"]["rows"][1]["people_reached"] = SUPPRESSED
    withheld_site = summary["costs"]["rows"][1]["site_code"]

    drawn = people_figure(summary)
    assert drawn is not None

    assert withheld_site not in {bar.get_gid() for bar in site_bars(drawn.figure)}
    assert SUPPRESSED in texts(drawn.figure)
    assert f"{summary['costs']['rows'][1]['site']}: {SUPPRESSED}" in drawn.alt_text


def test_the_barriers_and_enablers_chart_describes_every_dimension(summary: dict[str, Any]) -> None:
    drawn = barriers_enablers_figure(summary)
    assert drawn is not None

    for dimension in summary["barriers_enablers"]:
        assert f"{dimension['dimension']}: {dimension['barriers']} barriers" in drawn.alt_text


def test_the_same_chart_gives_the_same_bytes(summary: dict[str, Any]) -> None:
    def drawn() -> DrawnFigure:
        figure = cost_figure(summary)
        assert figure is not None
        return figure

    assert render(drawn()).png == render(drawn()).png


# --- A release published from the demo world -------------------------------------------------------------


def test_a_published_releases_summary_renders_in_both_formats(db: Session, tmp_path: Path) -> None:
    release = published_release(db, tmp_path)
    summary = reading.summary_of(release)

    text = pdf_to_text(summary_pdf(summary))
    word = docx.Document(io.BytesIO(summary_docx(summary)))

    assert footer_lead(summary) + "1" in text
    assert release.fingerprint in text
    assert headings(word, "Heading 1") == list(SECTION_TITLES)
    for name in site_names(summary):
        assert name in text


def test_a_release_of_every_local_authority_counts_its_sites_and_its_pdf_builds(
    summary: dict[str, Any],
) -> None:
    """At 350 sites the key figures' list of sites filled more than a page, and the PDF could not be built
    at all (reportlab's LayoutError), so the release had no PDF."""
    summary["executive"]["sites"] = [
        {"code": f"S{number:03d}", "name": f"Pilot site {number}", "local_authorities": [f"Council {number}"]}
        for number in range(350)
    ]
    text = pdf_to_text(summary_pdf(summary))
    assert "350 sites in 350 local authorities; each is named in the tables below" in " ".join(text.split())
    word = docx.Document(io.BytesIO(summary_docx(summary)))
    assert "350 sites in 350 local authorities; each is named in the tables below" in all_cells(word)


def test_a_table_cell_longer_than_a_page_splits_across_pages_rather_than_stopping_the_pdf(
    summary: dict[str, Any],
) -> None:
    summary["executive"]["sites"] = [
        {"code": "KNT", "name": "Kent " + "and its very many districts " * 400, "local_authorities": []}
    ]
    text = pdf_to_text(summary_pdf(summary))
    assert text.count("and its very many districts") > 100
