"""Releases are frozen and disclosure-controlled: nothing national officials receive shows a count of
people from 1 to 9, or a suppressed value that could be worked out from what is shown."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from evidence_hub.models import CostItem, Framework, Release, ReleaseIsFrozen, ReleaseRow, SiteReturn
from evidence_hub.services.dashboards.scope import StateFilter, chosen_scope
from evidence_hub.services.releases import publishing, reading
from evidence_hub.services.releases import tables as tables_module
from evidence_hub.services.releases.disclosure import SUPPRESSED, recoverable_cells
from evidence_hub.services.releases.linked_tables import counts_people
from evidence_hub.services.releases.render.data_pack.xlsx import write_xlsx
from evidence_hub.services.releases.spooled_rows import SpooledRows
from evidence_hub.services.releases.tables import ALL_CODE, NO_RETURN, build_tables
from tests.release_helpers import demo_releases, demo_world, evaluator, publish


@pytest.fixture
def framework(db: Session, tmp_path: Path) -> Framework:
    return demo_world(db, tmp_path)


def table(db: Session, release: Release, code: str) -> list[dict[str, Any]]:
    keys = [column.key for column in reading.table_definition(release, code).columns]
    return [dict(zip(keys, row, strict=True)) for row in reading.iter_rows(db, release, code)]


def people_codes(release: Release) -> set[str]:
    """The indicators the release's framework declares counts of people (others count records)."""
    return {
        indicator.code
        for version in release.framework.versions
        for indicator in version.indicators
        if counts_people(indicator)
    }


def people_values(db: Session, release: Release) -> list[Any]:
    """Every published count of people in the release: its tables and its learning summary."""
    values: list[Any] = []
    people = people_codes(release)
    for definition in reading.table_definitions(release):
        people_columns = [column.key for column in definition.columns if column.kind == "people"]
        for row in table(db, release, definition.code):
            values.extend(row[key] for key in people_columns)
            if definition.code in ("measures", "baselines") and row["indicator_code"] in people:
                values.append(row["value"])
    summary = release.content["summary"]
    values.append(summary["executive"]["people_reached"])
    values.extend(row["people_reached"] for row in [*summary["costs"]["rows"], summary["costs"]["total"]])
    appraisal = summary["value_for_money"]["appraisal"]
    for scope in [appraisal["programme"], *appraisal["sites"]]:
        assert "reach" not in scope  # the appraisal publishes no count: the tables carry them
        assert not {"people_reached", "attendances", "staff", "final_outcome"} & {
            key for row in scope["periods"] for key in row
        }
    for row in summary["outcomes"]["rows"]:
        if row["indicator_code"] in people:
            values.extend([row["baseline"], row["latest"]])
    return [value for value in values if value is not None]


def assert_no_small_count(values: list[Any], threshold: int) -> None:
    for value in values:
        if value in (SUPPRESSED, NO_RETURN):
            continue
        count = Decimal(value)
        assert count == 0 or count >= threshold, f"{value} is a count of people below {threshold}"


def people_grid(db: Session, release: Release) -> list[list[Any]]:
    """The people-reached table as a grid with its totals, the shape recoverable_cells checks."""
    rows = table(db, release, "people_reached")
    sites = list(dict.fromkeys(row["site_code"] for row in rows if row["site_code"] != ALL_CODE))
    periods = list(dict.fromkeys(row["period_code"] for row in rows if row["period_code"] != ALL_CODE))
    # A cell with no approved return behind it reached nobody: 0 in the grid the audit checks.
    value = {
        (row["site_code"], row["period_code"]): 0
        if row["people_reached"] == NO_RETURN
        else row["people_reached"]
        for row in rows
    }
    return [[value[(site, period)] for period in [*periods, ALL_CODE]] for site in [*sites, ALL_CODE]]


@pytest.mark.parametrize("threshold", [10, 150, 400])
def test_no_count_of_people_below_the_threshold_and_no_suppressed_value_can_be_worked_out(
    db: Session, framework: Framework, threshold: int
) -> None:
    release = publish(db, framework, threshold=threshold)
    values = people_values(db, release)
    assert_no_small_count(values, threshold)
    assert_no_small_count(values, 10)
    grid = people_grid(db, release)
    assert recoverable_cells(grid) == set()
    if threshold > 10:
        assert any(cell == SUPPRESSED for row in grid for cell in row)
    lines = release.content["disclosure"]
    assert f"Counts of people below {threshold} are shown as [c]." in lines
    assert any("the release does not say which" in line for line in lines)
    # Nothing tells officials which [c] are small: no count of those suppressed to protect others.
    assert not any("to protect them" in line or "pilot reached fewer" in line for line in lines)
    assert release.content["audit"]["passed"] is True


def test_a_cost_per_person_over_suppressed_people_is_withheld_too(db: Session, framework: Framework) -> None:
    release = publish(db, framework, threshold=400)
    summary = release.content["summary"]
    withheld = {row["site"] for row in summary["costs"]["rows"] if row["people_reached"] == SUPPRESSED}
    assert withheld
    # Cost per person reached has one definition, the appraisal's; the costs table no longer has its own.
    assert all("cost_per_person" not in row for row in summary["costs"]["rows"])
    for scope in summary["value_for_money"]["appraisal"]["sites"]:
        if scope["name"] in withheld:
            figures = {figure["key"]: figure["display"] for figure in scope["figures"]}
            assert figures["cost_per_person_reached"] == SUPPRESSED


def test_rounding_publishes_multiples_of_five(db: Session, framework: Framework) -> None:
    release = publish(db, framework, round_to=5)
    grid = people_grid(db, release)
    published = [cell for row in grid for cell in row if cell != SUPPRESSED]
    assert published and all(int(cell) % 5 == 0 for cell in published)
    assert "Counts are rounded to the nearest 5." in release.content["disclosure"]


def test_only_cleared_learning_entries_are_quoted(db: Session, framework: Framework) -> None:
    release = publish(db, framework)
    summary = release.content["summary"]
    quoted = {entry["title"] for theme in summary["themes"] for entry in theme["entries"]}
    quoted |= {entry["title"] for entry in summary["recommendations"]}
    cleared = set(
        db.scalars(
            text("SELECT title FROM learning_entries WHERE cleared_for_national = :yes"), {"yes": True}
        )
    )
    assert quoted and quoted <= cleared
    assert any("not cleared for national sharing left out" in line for line in release.content["disclosure"])


def test_an_entry_carried_into_later_returns_word_for_word_is_quoted_once_with_each_period(
    db: Session, framework: Framework
) -> None:
    title = "Uncertainty about the legal gateway"
    periods = list(
        db.scalars(
            text(
                "SELECT p.name FROM learning_entries e JOIN site_returns r ON r.id = e.site_return_id "
                "JOIN reporting_periods p ON p.id = r.reporting_period_id "
                "WHERE e.title = :title AND e.cleared_for_national = :yes "
                "AND r.status IN ('approved', 'locked') "
                "ORDER BY p.starts_on"
            ),
            {"title": title, "yes": True},
        )
    )
    assert len(periods) >= 2, "the demo carries this entry into later returns"

    summary = publish(db, framework).content["summary"]

    for dimension in summary["barriers_enablers"]:
        quoted = [entry for entry in dimension["entries"] if entry["title"] == title]
        assert len(quoted) <= 1
    theme_entries = [
        entry for theme in summary["themes"] for entry in theme["entries"] if entry["title"] == title
    ]
    assert len(theme_entries) == 1
    assert theme_entries[0]["period"] == ", ".join(periods[:-1]) + " and " + periods[-1]
    assert theme_entries[0]["times_recorded"] == len(periods)
    assert any(
        "recur in more than one period and are quoted once" in line
        for line in summary["executive"]["key_points"]
    )


def test_later_edits_to_evidence_appear_only_in_a_later_release(db: Session, framework: Framework) -> None:
    first = publish(db, framework)
    costs_before = table(db, first, "costs")
    fingerprint = first.fingerprint
    approved = db.scalars(select(SiteReturn.id).where(SiteReturn.status.in_(["approved", "locked"]))).first()
    db.execute(update(CostItem).where(CostItem.site_return_id == approved).values(amount=Decimal("99999.99")))
    db.commit()

    second = publish(db, framework)
    db.expire_all()
    assert table(db, first, "costs") == costs_before
    assert first.fingerprint == fingerprint
    assert second.reference != first.reference
    assert second.fingerprint != first.fingerprint
    assert table(db, second, "costs") != costs_before


def test_a_release_cannot_be_changed_or_deleted_through_the_models_or_the_database(
    db: Session, framework: Framework
) -> None:
    release = publish(db, framework)
    release.title = "Something else"
    with pytest.raises(ReleaseIsFrozen):
        db.flush()
    db.rollback()
    row = db.scalars(select(ReleaseRow).where(ReleaseRow.release_id == release.id)).first()
    assert row is not None
    db.delete(row)
    with pytest.raises(ReleaseIsFrozen):
        db.flush()
    db.rollback()
    with pytest.raises(DBAPIError):
        db.execute(update(ReleaseRow).where(ReleaseRow.id == row.id).values(cells=["changed"]))
    db.rollback()
    with pytest.raises(DBAPIError):
        db.execute(update(Release).where(Release.id == release.id).values(title="Changed in SQL"))
    db.rollback()
    assert db.scalar(select(func.count()).select_from(ReleaseRow).where(ReleaseRow.release_id == release.id))


def test_withdrawing_is_the_one_change_allowed_and_it_is_audited(db: Session, framework: Framework) -> None:
    release = publish(db, framework)
    publishing.withdraw_release(
        db, actor=evaluator(db), release=release, reason="Superseded by a correction."
    )
    db.commit()
    with pytest.raises(reading.ReleaseUnavailable) as withdrawn:
        reading.release_for(db, evaluator(db), release.reference)
    assert withdrawn.value.status_code == 410
    assert "Superseded by a correction." in str(withdrawn.value)
    with pytest.raises(reading.ReleaseUnavailable):
        publishing.withdraw_release(db, actor=evaluator(db), release=release, reason="Again")


def test_publishing_with_no_approved_returns_writes_nothing(db: Session, framework: Framework) -> None:
    periods = list(framework.reporting_periods)
    with pytest.raises(publishing.NoApprovedData, match="no approved returns"):
        publishing.publish_release(
            db,
            publishing.ReleaseRequest(
                actor=evaluator(db),
                framework=framework,
                version=None,
                period_from=periods[0],
                period_to=periods[0],
                sites=[],
                title="Nothing",
            ),
        )
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Release)) == 0


def test_the_summary_holds_only_the_appraisals_roll_out_projection(db: Session, framework: Framework) -> None:
    summary = publish(db, framework).content["summary"]
    assert "projection" not in summary
    value = summary["value_for_money"]
    assert value["method"] == "green_book"
    assert value["projection"] is not None or value["projection_problems"]


def test_the_demo_publishes_its_releases_once(db: Session, tmp_path: Path) -> None:
    first, latest = demo_releases(db, tmp_path)
    assert first != latest
    assert reading.latest_release(db, evaluator(db)).reference == latest  # type: ignore[union-attr]
    assert demo_releases(db, tmp_path) == []


def test_the_data_pack_officials_download_shows_no_small_count_of_people(
    db: Session, framework: Framework
) -> None:
    release = publish(db, framework, threshold=150)
    buffer = io.BytesIO()
    write_xlsx(reading.release_pack_source(db, release), buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    published: list[Any] = []
    for definition, sheet_name in zip(
        reading.table_definitions(release), workbook.sheetnames[2:], strict=False
    ):
        rows = list(workbook[sheet_name].iter_rows(values_only=True))
        headings = list(rows[0])
        for column in definition.columns:
            if column.kind == "people":
                published.extend(row[headings.index(column.heading)] for row in rows[1:])
        if definition.code == "measures":
            code, value = headings.index("Indicator code"), headings.index("Value")
            published.extend(row[value] for row in rows[1:] if row[code] in people_codes(release))
    assert published and SUPPRESSED in published
    assert_no_small_count([value for value in published if value is not None], 150)


def test_a_period_with_no_approved_return_reads_no_return_never_0(db: Session, framework: Framework) -> None:
    release = publish(db, framework)
    returns = table(db, release, "returns")
    missing = {(row["site_code"], row["period_code"]) for row in returns if row["status"] != "Approved"}
    assert missing, "the demo has quarters with no approved return"
    for row in returns:
        if row["status"] == "No return":
            assert (row["items_reported"], row["items_required"]) == (None, None)
    people = {
        (row["site_code"], row["period_code"]): row["people_reached"]
        for row in table(db, release, "people_reached")
    }
    for place in missing:
        assert people[place] == NO_RETURN, place
    assert all(
        value != NO_RETURN
        for place, value in people.items()
        if place not in missing and ALL_CODE not in place
    )

    buffer = io.BytesIO()
    write_xlsx(reading.release_pack_source(db, release), buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    cells = [
        cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
    ]
    assert NO_RETURN in cells


def test_tables_read_a_few_sites_at_a_time_are_the_tables_read_all_at_once(
    db: Session, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publishing reads each table a batch of sites at a time and spools it to disk, never holding every
    table in memory; the rows, and their order, are the same however small the batches."""
    sites = sorted(framework.programme.sites, key=lambda site: site.name)
    scope = chosen_scope(
        db, evaluator(db), framework, None, list(framework.reporting_periods), sites, StateFilter.APPROVED
    )
    at_once = {code: list(table.rows) for code, table in build_tables(db, scope).tables.items()}
    monkeypatch.setattr(tables_module, "RETURNS_PER_READ", 1)
    built = build_tables(db, scope).tables
    assert all(isinstance(table.rows, SpooledRows) for table in built.values())
    assert {code: list(table.rows) for code, table in built.items()} == at_once
    assert sum(len(rows) for rows in at_once.values()) > 100
    assert len({row[0] for row in at_once["measures"]}) == len(sites)
