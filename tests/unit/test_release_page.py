"""The release page's view of a summary is bounded whatever the release's size, and loses nothing: every
entry the summary quotes is on the learning pages, in the summary's order."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from evidence_hub.models import Release
from evidence_hub.services.releases import reading
from evidence_hub.services.releases.release_page import (
    ENTRIES_PER_PAGE,
    MOST_SITES_NAMED,
    MOST_TABLE_ROWS,
    ChartLink,
    LearningLink,
    ShortTable,
    learning_page,
    release_page,
)
from evidence_hub.services.releases.render.blocks import Bullets, Entry, Table, entry_block, summary_blocks
from evidence_hub.services.releases.render.charts import Chart, SummaryCharts, summary_charts
from tests.release_helpers import demo_world, publish

NO_CHARTS = SummaryCharts(costs=None, people=None, findings={}, barriers_enablers=None)


@pytest.fixture
def release(db: Session, tmp_path: Path) -> Release:
    return publish(db, demo_world(db, tmp_path))


def national_scale(summary: dict[str, Any], times: int) -> dict[str, Any]:
    """The summary as if `times` as many sites had reported: every site row, site and entry repeated."""
    grown = copy.deepcopy(summary)
    grown["executive"]["sites"] = [
        {**site, "name": f"{site['name']} {number}"}
        for number in range(times)
        for site in summary["executive"]["sites"]
    ]
    grown["costs"]["rows"] = summary["costs"]["rows"] * times
    grown["outcomes"]["rows"] = summary["outcomes"]["rows"] * times
    for theme in grown["themes"]:
        theme["entries"] = theme["entries"] * times
        for finding in theme["findings"]:
            finding["sites"] = finding["sites"] * times
    for dimension in grown["barriers_enablers"]:
        dimension["entries"] = dimension["entries"] * times
        dimension["by_site"] = dimension["by_site"] * times
    grown["recommendations"] = summary["recommendations"] * times
    return grown


def quoted(summary: dict[str, Any]) -> list[Entry]:
    return [block for block in summary_blocks(summary, NO_CHARTS) if isinstance(block, Entry)]


def test_a_release_two_hundred_times_as_large_has_a_page_no_longer_and_loses_no_entry(
    release: Release,
) -> None:
    summary = reading.summary_of(release)
    small = release_page(summary, NO_CHARTS, [])
    large_summary = national_scale(summary, 200)
    large = release_page(large_summary, NO_CHARTS, [])

    assert len(large.blocks) == len(small.blocks)
    assert not any(isinstance(block, Entry) for block in large.blocks)
    tables = [block.table if isinstance(block, ShortTable) else block for block in large.blocks]
    assert all(len(table.rows) <= MOST_TABLE_ROWS for table in tables if isinstance(table, Table))
    assert any(isinstance(block, ShortTable) and block.rows_left_out > 0 for block in large.blocks)
    assert all(len(block.items) <= MOST_TABLE_ROWS for block in large.blocks if isinstance(block, Bullets))
    assert len(large.site_names) == MOST_SITES_NAMED
    assert large.sites_label.startswith(f"{len(large_summary['executive']['sites']):,} sites, among them ")

    everything = quoted(large_summary)
    assert large.entries == everything
    assert sum(group.count for group in large.groups) == len(everything)
    links = [block.group for block in large.blocks if isinstance(block, LearningLink)]
    assert links == large.groups
    pages = learning_page(large, None, 1).pages
    assert pages == -(-len(everything) // ENTRIES_PER_PAGE)
    read = [
        entry for number in range(1, pages + 1) for _, _, entry in learning_page(large, None, number).entries
    ]
    assert read == everything


def test_a_group_pages_through_its_own_entries_only(release: Release) -> None:
    summary = national_scale(reading.summary_of(release), 30)
    page = release_page(summary, NO_CHARTS, [])
    recommendations = page.group("recommendations")
    assert recommendations is not None and recommendations.count > ENTRIES_PER_PAGE
    second = learning_page(page, "recommendations", 2)
    assert second.first == ENTRIES_PER_PAGE + 1
    assert [entry for _, _, entry in second.entries] == [
        entry_block(entry) for entry in summary["recommendations"]
    ][ENTRIES_PER_PAGE : 2 * ENTRIES_PER_PAGE]
    assert {group for _, group, _ in second.entries} == {recommendations}


def test_a_release_that_quotes_no_learning_has_no_links_to_it(release: Release) -> None:
    summary = copy.deepcopy(reading.summary_of(release))
    for theme in summary["themes"]:
        theme["entries"] = []
    for dimension in summary["barriers_enablers"]:
        dimension["entries"] = []
    summary["recommendations"] = []
    page = release_page(summary, NO_CHARTS, [])
    assert page.groups == [] and page.entries == []
    assert not any(isinstance(block, LearningLink) for block in page.blocks)
    shown = learning_page(page, None, 3)
    assert (shown.number, shown.pages, shown.total, shown.entries) == (1, 1, 0, [])


def test_the_charts_are_numbered_in_the_order_the_page_shows_them(release: Release) -> None:
    summary = reading.summary_of(release)
    charts = summary_charts(summary)
    page = release_page(summary, charts, [])
    links = [block for block in page.blocks if isinstance(block, ChartLink)]
    assert [link.number for link in links] == list(range(len(page.charts)))
    assert [link.chart for link in links] == page.charts
    assert charts.costs in page.charts


def test_charts_kept_as_json_come_back_the_same(release: Release) -> None:
    charts = summary_charts(reading.summary_of(release))
    assert SummaryCharts.from_json(charts.to_json()) == charts


def test_a_charts_long_alternative_text_is_cut_to_its_first_sentence_on_the_page() -> None:
    every_site = "; ".join(f"Area {number:03}: baseline 1, latest 2" for number in range(350))
    chart = Chart(b"", 10, 10, f"Bar chart of referrals at each site. {every_site}.", "Referrals")
    shown = ChartLink(0, chart).alt_text
    assert shown.startswith("Bar chart of referrals at each site. ") and "Area 001" not in shown
    assert "table under the chart" in shown
    short = Chart(b"", 10, 10, "Bar chart of referrals at each site. Kent: 1; Leeds: 2.", "Referrals")
    assert ChartLink(0, short).alt_text == short.alt_text
