"""The release page's view of a learning summary: what a national official reads first, bounded whatever
the size of the release, and the release's learning entries fifty at a time.

The summary's blocks (render/blocks.py) are the ones the PDF and the Word document print. At national
scale they quote tens of thousands of learning entries and hold tables of a row per site and period:
printed whole, the page took longer than thirty seconds to make. The page keeps every block but:

- each run of learning entries (a theme's cleared learning, a dimension's barriers and enablers, the
  recommendations) becomes one line saying how many entries there are, linking to them on the learning
  pages (`learning_page`), which show ENTRIES_PER_PAGE at a time;
- a table of more than MOST_TABLE_ROWS rows shows its first rows and says how many more rows the PDF, the
  Word document and the data pack hold;
- a list of more items than that shows its first items likewise;
- a chart is a link to its picture (`ReleasePage.charts`) rather than the picture itself, and its
  alternative text, which names every site's figure, is cut to its first sentence when long;
- the page's heading names the sites up to MOST_SITES_NAMED, then counts them (the key figures count
  them beyond render/blocks.SITES_LISTED, as every document does).

Nothing is lost: every entry is on a learning page, every row in the documents and the data pack, which
are unchanged. A release never changes, so its page is worked out once per release and process
(`RecentPages`), never per request.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evidence_hub.services.common.paging import page_count, page_within
from evidence_hub.services.releases.render.blocks import (
    BARRIERS_AND_ENABLERS,
    FINDINGS_BY_THEME,
    RECOMMENDATIONS,
    Block,
    Bullets,
    Entry,
    Picture,
    Table,
    summary_blocks,
)
from evidence_hub.services.releases.render.charts import Chart, SummaryCharts
from evidence_hub.services.releases.render.words import clean_text

ENTRIES_PER_PAGE = 50
# How long a page worked out before its charts were drawn is kept before it is worked out again.
CHARTLESS_PAGE_SECONDS = 30.0
NO_CHARTS = SummaryCharts(costs=None, people=None, findings={}, barriers_enablers=None)
MOST_TABLE_ROWS = 10
MOST_SITES_NAMED = 12
MOST_ALT_TEXT = 400


@dataclass(frozen=True)
class LearningGroup:
    """A run of learning entries the summary quotes together: a theme's, a dimension's, the
    recommendations'. `start` is the index of its first entry among all the release's entries."""

    key: str
    section: str
    name: str
    start: int
    count: int

    @property
    def label(self) -> str:
        return f"{self.section}: {self.name}"


@dataclass(frozen=True)
class LearningLink:
    """Where the page had a run of entries: their count and a link to them."""

    group: LearningGroup


@dataclass(frozen=True)
class ShortTable:
    """A table of more than MOST_TABLE_ROWS rows: its first rows (and its total row), and how many rows
    it has in full."""

    table: Table
    total_rows: int

    @property
    def rows_left_out(self) -> int:
        return self.total_rows - len(self.table.rows)


@dataclass(frozen=True)
class ChartLink:
    """A chart, shown from its own address: `number` is its index in `ReleasePage.charts`. Its alternative
    text names every site's figure; past MOST_ALT_TEXT characters the page gives its first sentence and
    says where the figures are (the documents keep the whole text)."""

    number: int
    chart: Chart

    @property
    def alt_text(self) -> str:
        text = self.chart.alt_text
        if len(text) <= MOST_ALT_TEXT:
            return text
        first, _, _ = text.partition(". ")
        return f"{first}. Each site's figure is in the table under the chart, and in the data pack."


@dataclass(frozen=True)
class ShortBullets:
    """A list of more than MOST_TABLE_ROWS items: its first items, and how many it has in full."""

    bullets: Bullets
    total_items: int


PageBlock = Block | LearningLink | ShortTable | ShortBullets | ChartLink


@dataclass(frozen=True)
class ReleasePage:
    """Everything the release page and its learning pages show, worked out once per release."""

    blocks: list[PageBlock]
    groups: list[LearningGroup]
    entries: list[Entry]
    charts: list[Chart]
    site_names: list[str]
    site_count: int
    status_line: str
    framework_label: str
    table_definitions: list[Any]
    audit: Mapping[str, Any] | None
    # False when the release's charts were not drawn yet: the page then shows none.
    charts_drawn: bool = True
    # Parts of the page as the web layer renders them, kept with the page: the same for every reader.
    rendered: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def sites_label(self) -> str:
        named = ", ".join(self.site_names)
        if self.site_count > len(self.site_names):
            return f"{self.site_count:,} sites, among them {named}"
        return named

    def group(self, key: str | None) -> LearningGroup | None:
        return next((group for group in self.groups if group.key == key), None)


@dataclass(frozen=True)
class LearningPage:
    """One page of the release's learning entries: all of them, or one group's."""

    group: LearningGroup | None
    number: int
    pages: int
    total: int
    # (number of the entry among those listed, counted from 1; its group; the entry)
    entries: list[tuple[int, LearningGroup, Entry]] = field(default_factory=list)

    @property
    def first(self) -> int:
        return self.entries[0][0] if self.entries else 0

    @property
    def last(self) -> int:
        return self.entries[-1][0] if self.entries else 0


def _learning_groups(summary: Mapping[str, Any]) -> list[tuple[str, str, str, int]]:
    """(key, section, name, count) for each run of entries, in the order summary_blocks prints them."""
    groups = [
        (f"theme-{theme.get('code')}", FINDINGS_BY_THEME, clean_text(theme.get("name")), len(entries))
        for theme in summary.get("themes") or []
        if (entries := theme.get("entries") or [])
    ]
    groups += [
        (
            f"dimension-{dimension.get('dimension_code')}",
            BARRIERS_AND_ENABLERS,
            clean_text(dimension.get("dimension")),
            len(entries),
        )
        for dimension in summary.get("barriers_enablers") or []
        if (entries := dimension.get("entries") or [])
    ]
    recommendations = summary.get("recommendations") or []
    if recommendations:
        groups.append(
            (
                "recommendations",
                RECOMMENDATIONS,
                "recommendations and lessons with a national implication",
                len(recommendations),
            )
        )
    return groups


def _shortened(table: Table) -> Table | ShortTable:
    if len(table.rows) <= MOST_TABLE_ROWS:
        return table
    rows = table.rows[:MOST_TABLE_ROWS]
    if table.has_total_row:
        rows = (*table.rows[: MOST_TABLE_ROWS - 1], table.rows[-1])
    return ShortTable(
        table=Table(
            caption=table.caption,
            headings=table.headings,
            rows=rows,
            numeric=table.numeric,
            has_total_row=table.has_total_row,
        ),
        total_rows=len(table.rows),
    )


def release_page(
    summary: Mapping[str, Any],
    charts: SummaryCharts,
    table_definitions: list[Any],
    audit: Mapping[str, Any] | None = None,
    *,
    charts_drawn: bool = True,
) -> ReleasePage:
    """The page of a release whose learning summary is `summary`, drawn with `charts`."""
    executive = summary.get("executive") or {}
    sites = executive.get("sites") or []
    described = _learning_groups(summary)
    groups: list[LearningGroup] = []
    entries: list[Entry] = []
    page_charts: list[Chart] = []
    blocks: list[PageBlock] = []
    previous: Block | None = None
    for block in summary_blocks(summary, charts):
        if isinstance(block, Entry):
            if not isinstance(previous, Entry):
                key, section, name, _count = described[len(groups)]
                groups.append(LearningGroup(key, section, name, start=len(entries), count=0))
                blocks.append(LearningLink(groups[-1]))
            entries.append(block)
        elif isinstance(block, Table):
            blocks.append(_shortened(block))
        elif isinstance(block, Bullets) and len(block.items) > MOST_TABLE_ROWS:
            blocks.append(ShortBullets(Bullets(block.items[:MOST_TABLE_ROWS]), len(block.items)))
        elif isinstance(block, Picture):
            blocks.append(ChartLink(len(page_charts), block.chart))
            page_charts.append(block.chart)
        else:
            blocks.append(block)
        previous = block
    # Each group's count, now that its entries are in.
    ends = [group.start for group in groups[1:]] + ([len(entries)] if groups else [])
    groups = [
        LearningGroup(group.key, group.section, group.name, group.start, end - group.start)
        for group, end in zip(groups, ends, strict=True)
    ]
    links = iter(groups)
    blocks = [LearningLink(next(links)) if isinstance(block, LearningLink) else block for block in blocks]
    return ReleasePage(
        blocks=blocks,
        groups=groups,
        entries=entries,
        charts=page_charts,
        site_names=[clean_text(site.get("name")) for site in sites[:MOST_SITES_NAMED]],
        site_count=len(sites),
        status_line=clean_text(summary.get("status_line")),
        framework_label=(
            f"{clean_text((summary.get('framework') or {}).get('name'))} "
            f"({clean_text((summary.get('framework') or {}).get('version_label'))})"
        ),
        table_definitions=table_definitions,
        audit=audit,
        charts_drawn=charts_drawn,
    )


def learning_page(page: ReleasePage, group_key: str | None, number: int) -> LearningPage:
    """Page `number` (from 1; beyond the last, the last) of the release's entries, or of one group's."""
    group = page.group(group_key)
    start, total = (group.start, group.count) if group else (0, len(page.entries))
    pages = page_count(total, ENTRIES_PER_PAGE)
    number = page_within(number, total, ENTRIES_PER_PAGE)
    first = (number - 1) * ENTRIES_PER_PAGE
    listed = range(first, min(first + ENTRIES_PER_PAGE, total))
    groups = [group] if group else page.groups
    return LearningPage(
        group=group,
        number=number,
        pages=pages,
        total=total,
        entries=[
            (index + 1, _group_of(groups, start + index), page.entries[start + index]) for index in listed
        ],
    )


def _group_of(groups: Sequence[LearningGroup], index: int) -> LearningGroup:
    for group in groups:
        if group.start <= index < group.start + group.count:
            return group
    raise IndexError(index)


class RecentPages:
    """The pages of the last few releases read, by release and fingerprint, kept by the process; a page
    worked out before its release's charts were drawn only for CHARTLESS_PAGE_SECONDS."""

    kept = 4

    def __init__(self) -> None:
        self._pages: OrderedDict[tuple[int, str], tuple[ReleasePage, float]] = OrderedDict()
        self._lock = threading.Lock()

    def page(self, release_id: int, fingerprint: str, build: Callable[[], ReleasePage]) -> ReleasePage:
        key = (release_id, fingerprint)
        with self._lock:
            kept = self._pages.get(key)
            if kept is not None and (kept[0].charts_drawn or time.monotonic() < kept[1]):
                self._pages.move_to_end(key)
                return kept[0]
        page = build()
        with self._lock:
            self._pages[key] = (page, time.monotonic() + CHARTLESS_PAGE_SECONDS)
            self._pages.move_to_end(key)
            while len(self._pages) > self.kept:
                self._pages.popitem(last=False)
        return page
