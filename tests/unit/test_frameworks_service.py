"""The framework's rules: import as a draft, publish and retire, immutability of published versions,
deleting drafts, reporting periods, the demo framework, search and the data dictionary."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from evidence_hub.cli.framework import framework_cli
from evidence_hub.db import transaction
from evidence_hub.models import (
    AuditEvent,
    CostCategory,
    Framework,
    FrameworkStatus,
    FrameworkVersion,
    Indicator,
    JourneyMilestone,
    PeriodKind,
    PublishedFrameworkIsImmutable,
    ReportingPeriod,
    Role,
    Theme,
)
from evidence_hub.services.framework import finding, lifecycle, wording
from evidence_hub.services.framework.data_dictionary import data_dictionary_xlsx
from evidence_hub.services.framework.demo import ensure_demo_framework
from evidence_hub.services.framework.errors import FrameworkError, FrameworkFileInvalid
from evidence_hub.services.framework.periods import add_reporting_periods
from evidence_hub.services.framework.search import search_version
from evidence_hub.services.framework.shipped_files import DEFAULT_FRAMEWORK_PATH, shipped_framework_files
from tests.factories import make_user

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks"
MINIMAL_TEXT = (FIXTURES / "minimal.yaml").read_text()


def as_version(number: int, source: str = MINIMAL_TEXT) -> str:
    return source.replace("\nversion: 1\n", f"\nversion: {number}\n", 1)


def import_file(db: Session, source: str = MINIMAL_TEXT) -> FrameworkVersion:
    with transaction(db):
        return lifecycle.import_framework(db, source, actor=None, filename="test.yaml").version


def publish(db: Session, version: FrameworkVersion) -> None:
    with transaction(db):
        lifecycle.publish_version(db, version, actor=None)


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def audit_actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# Importing ------------------------------------------------------------------------------------------------


def test_importing_a_file_creates_a_draft_with_everything_in_it(db: Session) -> None:
    administrator = make_user(db, Role.ADMINISTRATOR)
    with transaction(db):
        outcome = lifecycle.import_framework(db, MINIMAL_TEXT, actor=administrator, filename="minimal.yaml")

    version = outcome.version
    assert version.status == FrameworkStatus.DRAFT.value
    assert (version.framework.code, version.framework.name, version.version) == (
        "test-programme",
        "Test programme",
        1,
    )
    assert version.effective_from == date(2010, 4, 1)
    assert version.source_yaml == MINIMAL_TEXT
    assert version.imported_by_id == administrator.id
    assert [theme.code for theme in version.themes] == ["VALUE"]
    assert [question.code for question in version.themes[0].questions] == ["VALUE.1"]
    rate = finding.indicator_by_code(version, "T-RATE")
    assert rate is not None
    assert (rate.plausible_min, rate.plausible_max) == (Decimal(0), Decimal(60))
    assert rate.weighted_by_code == "T-CLIENTS"
    assert rate.minimum_evidence_level.level == 1
    assert [c.code for c in version.cost_categories if c.in_kind] == ["PARTNER-TIME"]
    assert [m.percentage for m in version.milestones] == [0, 100]
    assert outcome.difference.previous_version is None
    assert not outcome.replaced_draft
    (event,) = db.scalars(select(AuditEvent))
    assert (event.action, event.actor_id, event.object_id) == (
        "framework.imported",
        administrator.id,
        version.id,
    )
    assert event.after is not None and event.after["version"] == 1


def test_numbers_are_stored_as_exact_decimals(db: Session) -> None:
    source = MINIMAL_TEXT.replace("plausible_max: 60\n", "plausible_max: 59.5\n")
    version = import_file(db, source)
    db.expire_all()
    stored = db.scalar(select(Indicator.plausible_max).where(Indicator.code == "T-RATE"))
    assert stored == Decimal("59.5")
    assert isinstance(stored, Decimal)
    rate = finding.indicator_by_code(version, "T-RATE")
    assert rate is not None
    assert wording.range_text(rate) == "0.0% to 59.5%"


def test_an_invalid_file_writes_nothing(db: Session) -> None:
    with pytest.raises(FrameworkFileInvalid) as raised, transaction(db):
        lifecycle.import_framework(db, (FIXTURES / "ten_mistakes.yaml").read_text(), actor=None)
    assert len(raised.value.problems) == 10
    assert (
        count(db, Framework) == count(db, FrameworkVersion) == count(db, Theme) == count(db, AuditEvent) == 0
    )


def test_a_failure_half_way_through_an_import_rolls_everything_back(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(lifecycle.audit, "record", fail)
    with pytest.raises(RuntimeError), transaction(db):
        lifecycle.import_framework(db, MINIMAL_TEXT, actor=None)
    assert count(db, Framework) == count(db, FrameworkVersion) == count(db, Indicator) == 0


def test_reimporting_a_draft_replaces_it(db: Session) -> None:
    import_file(db)
    changed = MINIMAL_TEXT.replace("plausible_max: 1000", "plausible_max: 1200")
    with transaction(db):
        outcome = lifecycle.import_framework(db, changed, actor=None)
    assert outcome.replaced_draft
    assert count(db, FrameworkVersion) == 1
    assert db.scalar(select(Indicator.plausible_max).where(Indicator.code == "T-CLIENTS")) == Decimal(1200)
    assert count(db, Indicator) == 2
    assert audit_actions(db) == ["framework.imported", "framework.draft_replaced"]


def test_a_published_version_number_cannot_be_imported_again(db: Session) -> None:
    publish(db, import_file(db))
    with pytest.raises(FrameworkFileInvalid) as raised, transaction(db):
        lifecycle.import_framework(db, MINIMAL_TEXT, actor=None)
    (problem,) = raised.value.problems
    assert problem.location == "version"
    assert "is published and cannot be changed. Give this file version 2." in problem.message


def test_version_numbers_only_go_up(db: Session) -> None:
    import_file(db, as_version(3))
    with pytest.raises(FrameworkFileInvalid) as raised, transaction(db):
        lifecycle.import_framework(db, as_version(2), actor=None)
    assert "only go up" in raised.value.problems[0].message


def test_a_new_version_keeps_each_indicators_unit(db: Session) -> None:
    publish(db, import_file(db))
    changed_unit = as_version(2).replace("unit: percentage", "unit: ratio", 1)
    with pytest.raises(FrameworkFileInvalid) as raised, transaction(db):
        lifecycle.import_framework(db, changed_unit, actor=None)
    (problem,) = raised.value.problems
    assert problem.location == "indicators[1].unit"
    assert "Indicator T-RATE is measured as percentage in version 1" in problem.message
    assert "give the indicator a new code" in problem.message


def test_a_new_version_keeps_the_framework_name(db: Session) -> None:
    import_file(db)
    with pytest.raises(FrameworkFileInvalid) as raised, transaction(db):
        lifecycle.import_framework(
            db, as_version(2).replace("name: Test programme", "name: Renamed"), actor=None
        )
    assert raised.value.problems[0].location == "name"


def test_a_new_version_is_compared_with_the_live_one(db: Session) -> None:
    publish(db, import_file(db))
    source = as_version(2).replace("plausible_max: 1000", "plausible_max: 1500")
    with transaction(db):
        outcome = lifecycle.import_framework(db, source, actor=None)
    assert outcome.difference.previous_version == 1
    (section,) = outcome.difference.changed_sections
    assert section.title == "Indicators"
    assert section.changed[0].fields[0].label == "Plausible maximum"
    assert finding.difference_for(outcome.version).summary() == {"added": 0, "removed": 0, "changed": 1}


# Publishing and immutability ------------------------------------------------------------------------------


def test_publishing_makes_the_draft_live_and_retires_the_previous_version(db: Session) -> None:
    administrator = make_user(db, Role.ADMINISTRATOR)
    first = import_file(db)
    publish(db, first)
    second = import_file(db, as_version(2))
    with transaction(db):
        lifecycle.publish_version(db, second, actor=administrator)

    db.expire_all()
    assert (first.status, second.status) == ("retired", "published")
    assert first.retired_at is not None and second.published_at is not None
    assert second.published_by_id == administrator.id
    assert second.framework.published_version is second
    assert audit_actions(db)[-2:] == ["framework.retired", "framework.published"]


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        ("published", "is already published"),
        ("retired", "has been retired and cannot be published again"),
        ("older draft", "is older than version 3, which is already published"),
    ],
)
def test_publishing_is_refused_with_a_reason(db: Session, arrange: str, message: str) -> None:
    first = import_file(db)
    if arrange == "older draft":
        older = import_file(db, as_version(2))
        live = import_file(db, as_version(3))
        publish(db, live)
        target = older
    else:
        publish(db, first)
        if arrange == "retired":
            publish(db, import_file(db, as_version(2)))
        target = first
    with pytest.raises(FrameworkError, match=message), transaction(db):
        lifecycle.publish_version(db, target, actor=None)


def test_the_database_allows_only_one_published_version_per_framework(db: Session) -> None:
    first = import_file(db)
    publish(db, first)
    second = import_file(db, as_version(2))
    with pytest.raises(IntegrityError), transaction(db):
        db.execute(
            update(FrameworkVersion)
            .where(FrameworkVersion.id == second.id)
            .values(status="published", published_at=first.published_at)
        )


def test_a_retired_version_is_no_longer_live_and_stays_retired(db: Session) -> None:
    version = import_file(db)
    publish(db, version)
    newer = import_file(db, as_version(2))
    publish(db, newer)
    assert version.status == "retired"
    assert version.framework.published_version is newer
    with (
        pytest.raises(FrameworkError, match="has been retired and cannot be published again"),
        transaction(db),
    ):
        lifecycle.publish_version(db, version, actor=None)
    assert version.status == "retired"


def test_a_published_versions_definitions_cannot_be_changed(db: Session) -> None:
    version = import_file(db)
    publish(db, version)
    with (
        pytest.raises(PublishedFrameworkIsImmutable, match="cannot be added to, changed or removed"),
        transaction(db),
    ):
        version.indicators[0].include_guidance = "Something else."
    db.expire_all()
    assert version.indicators[0].include_guidance == "People who attended a first appointment."


def test_a_published_version_cannot_gain_or_lose_definitions(db: Session) -> None:
    version = import_file(db)
    publish(db, version)
    with pytest.raises(PublishedFrameworkIsImmutable), transaction(db):
        db.delete(version.cost_categories[0])
    with pytest.raises(PublishedFrameworkIsImmutable), transaction(db):
        version.cost_categories.append(
            CostCategory(code="EXTRA", name="Extra", include_guidance="x", exclude_guidance="y", position=9)
        )
    with pytest.raises(PublishedFrameworkIsImmutable), transaction(db):
        version.description = "Rewritten."
    assert count(db, CostCategory) == 2


def test_a_retired_version_cannot_be_changed_either(db: Session) -> None:
    first = import_file(db)
    publish(db, first)
    publish(db, import_file(db, as_version(2)))
    with pytest.raises(PublishedFrameworkIsImmutable), transaction(db):
        first.status = "published"
    with pytest.raises(PublishedFrameworkIsImmutable), transaction(db):
        first.milestones[0].definition = "Changed."


def test_a_draft_can_be_deleted_with_everything_in_it(db: Session) -> None:
    draft = import_file(db)
    with transaction(db):
        lifecycle.delete_draft(db, draft, actor=None)
    assert (
        count(db, FrameworkVersion)
        == count(db, Theme)
        == count(db, Indicator)
        == count(db, JourneyMilestone)
        == 0
    )
    assert audit_actions(db) == ["framework.imported", "framework.draft_deleted"]


def test_a_published_version_is_never_deleted(db: Session) -> None:
    version = import_file(db)
    publish(db, version)
    assert "can never be deleted" in (lifecycle.why_cannot_delete(db, version) or "")
    with pytest.raises(FrameworkError, match="Only a draft can be deleted"), transaction(db):
        lifecycle.delete_draft(db, version, actor=None)
    with pytest.raises(PublishedFrameworkIsImmutable), transaction(db):
        db.delete(version)
    assert count(db, Indicator) == 2


def test_database_constraints_hold_whatever_code_writes(db: Session) -> None:
    version = import_file(db)
    with pytest.raises(IntegrityError), transaction(db):
        db.execute(update(Indicator).where(Indicator.code == "T-CLIENTS").values(plausible_min=Decimal(5000)))
    with pytest.raises(IntegrityError), transaction(db):
        db.execute(update(JourneyMilestone).where(JourneyMilestone.code == "J100").values(percentage=150))
    with pytest.raises(IntegrityError), transaction(db):
        db.execute(update(Indicator).where(Indicator.code == "T-CLIENTS").values(unit="metres"))
    with pytest.raises(IntegrityError), transaction(db):
        db.execute(text("UPDATE indicators SET code = 'T-CLIENTS' WHERE code = 'T-RATE'"))
    assert version.status == "draft"


# Browsing and access --------------------------------------------------------------------------------------


def test_drafts_are_seen_only_by_administrators_and_evaluators(db: Session) -> None:
    publish(db, import_file(db))
    draft = import_file(db, as_version(2))
    for role, sees_draft in [
        (Role.ADMINISTRATOR, True),
        (Role.EVALUATOR, True),
        (Role.SITE_LEAD, False),
        (Role.NATIONAL_OFFICIAL, False),
    ]:
        user = make_user(db, role)
        assert finding.may_see_version(user, draft) is sees_draft
        found = finding.version_for_browsing(db, "test-programme", 2, user)
        assert (found is not None) is sees_draft
        assert [v.version for v in finding.visible_versions(user, draft.framework)] == (
            [1, 2] if sees_draft else [1]
        )
        current = finding.current_version_for(user, draft.framework)
        assert current is not None and current.version == 1


def test_frameworks_are_found_by_code_or_name(db: Session) -> None:
    import_file(db)
    assert finding.find_framework(db, "test-programme") is not None
    assert finding.find_framework(db, "Test Programme") is not None
    assert finding.find_framework(db, "another") is None
    with pytest.raises(FrameworkError, match=r"has no version 7\. Its versions are: 1"):
        finding.find_version(db, "test-programme", 7)


def test_search_finds_every_word_anywhere_in_the_guidance(db: Session) -> None:
    version = import_file(db, DEFAULT_FRAMEWORK_PATH.read_text())
    hits = search_version(version, "in-kind partner")
    assert ("cost_category", "PARTNER-TIME") in [(hit.kind, hit.code) for hit in hits]
    security = search_version(version, "SECURITY parallel")
    assert {hit.code for hit in security} >= {"GOVERNANCE-LEGAL"}
    excerpt = next(hit for hit in security if hit.code == "GOVERNANCE-LEGAL").excerpt
    assert ("security", True) in excerpt and ("parallel", True) in excerpt
    assert "WL-REFERRALS" in [hit.code for hit in search_version(version, "referr")]
    assert search_version(version, "zebra") == []
    assert search_version(version, "  ,. ") == []


# Reporting periods and the demo ---------------------------------------------------------------------------


def test_the_demo_framework_is_published_with_eight_quarters_and_running_it_again_changes_nothing(
    db: Session,
) -> None:
    framework = ensure_demo_framework(db)
    assert framework.name == "Data sharing for delivery: worklessness pilots"
    live = framework.published_version
    assert live is not None and live.version == 1
    periods = framework.reporting_periods
    # The shipped framework reports by financial year, April to March.
    assert [period.code for period in periods] == [
        "2009-10-Q1",
        "2009-10-Q2",
        "2009-10-Q3",
        "2009-10-Q4",
        "2010-11-Q1",
        "2010-11-Q2",
        "2010-11-Q3",
        "2010-11-Q4",
    ]
    first, last = periods[0], periods[-1]
    assert (first.starts_on, first.ends_on, first.returns_due_on) == (
        date(2009, 4, 1),
        date(2009, 6, 30),
        date(2009, 7, 31),
    )
    assert first.name == "2009-10 Q1 (April to June 2009)"
    assert (last.starts_on, last.ends_on) == (date(2011, 1, 1), date(2011, 3, 31))
    assert [period.status for period in periods] == ["open"] * 8

    rows_before = (count(db, FrameworkVersion), count(db, ReportingPeriod), count(db, AuditEvent))
    again = ensure_demo_framework(db)
    assert again.id == framework.id
    assert (count(db, FrameworkVersion), count(db, ReportingPeriod), count(db, AuditEvent)) == rows_before


def test_the_demo_leaves_a_period_someone_has_reopened_alone(db: Session) -> None:
    framework = ensure_demo_framework(db)
    with transaction(db):
        framework.reporting_periods[0].status = "open"
    ensure_demo_framework(db)
    db.expire_all()
    assert framework.reporting_periods[0].status == "open"


def test_monthly_periods_run_from_the_first_of_each_month(db: Session) -> None:
    framework = import_file(db).framework
    with transaction(db):
        added = add_reporting_periods(
            db, framework, kind=PeriodKind.MONTH, first_starts_on=date(2010, 11, 1), count=3, actor=None
        )
    assert [(p.code, p.name, p.ends_on, p.returns_due_on) for p in added] == [
        ("2010-11", "November 2010", date(2010, 11, 30), date(2010, 12, 31)),
        ("2010-12", "December 2010", date(2010, 12, 31), date(2011, 1, 31)),
        ("2011-01", "January 2011", date(2011, 1, 31), date(2011, 2, 28)),
    ]


@pytest.mark.parametrize(
    ("kind", "starts_on", "message"),
    [
        (PeriodKind.MONTH, date(2010, 11, 15), "first day of a month"),
        (PeriodKind.QUARTER, date(2010, 5, 1), "A quarter starts on 1 January, 1 April, 1 July or 1 October"),
    ],
)
def test_periods_never_start_on_a_guessed_date(
    db: Session, kind: PeriodKind, starts_on: date, message: str
) -> None:
    framework = import_file(db).framework
    with pytest.raises(FrameworkError, match=message), transaction(db):
        add_reporting_periods(db, framework, kind=kind, first_starts_on=starts_on, count=1, actor=None)


def test_the_second_framework_imports_and_publishes_without_any_change_to_the_code(db: Session) -> None:
    ensure_demo_framework(db)
    (second_file,) = [path for path in shipped_framework_files() if path != DEFAULT_FRAMEWORK_PATH]
    version = import_file(db, second_file.read_text())
    publish(db, version)
    assert version.framework.code == "digital-inclusion-libraries"
    assert version.milestones == []
    assert {f.code: f.published_version is not None for f in finding.list_frameworks(db)} == {
        "digital-inclusion-libraries": True,
        "worklessness-data-sharing": True,
    }


# The data dictionary --------------------------------------------------------------------------------------


def test_the_data_dictionary_has_every_definition_and_never_a_formula(db: Session) -> None:
    dangerous = MINIMAL_TEXT.replace(
        "include: People who attended a first appointment.",
        'include: \'=HYPERLINK("http://example.com","click")\'',
    )
    version = import_file(db, dangerous)
    workbook = load_workbook(io.BytesIO(data_dictionary_xlsx(version)))
    assert workbook.sheetnames == [
        "About",
        "Themes and questions",
        "Indicators",
        "Cost categories",
        "Activity types",
        "Learning types",
        "Learning dimensions",
        "Data-sharing journey",
        "Evidence scales",
    ]
    indicators = workbook["Indicators"]
    rows = list(indicators.iter_rows(values_only=True))
    assert rows[0][:3] == ("Code", "Name", "Theme")
    assert [row[0] for row in rows[1:]] == ["T-CLIENTS", "T-RATE"]
    include = indicators.cell(row=2, column=15)
    assert include.value == '=HYPERLINK("http://example.com","click")'
    assert include.data_type == "s"
    assert rows[2][12:14] == (0, 60)


# The command line -----------------------------------------------------------------------------------------


@pytest.fixture
def run_command(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run `evidence-hub framework ...` against this test's database."""
    monkeypatch.setenv("EVIDENCE_HUB_DATABASE_URL", database_url)
    monkeypatch.setenv("EVIDENCE_HUB_SECRET_KEY", "a-test-secret-key-that-is-long-enough-to-pass")

    def run(*arguments: str) -> Result:
        return CliRunner().invoke(framework_cli, list(arguments), catch_exceptions=False)

    return run


def test_validate_lists_all_ten_mistakes_with_their_locations(run_command: Callable[..., Result]) -> None:
    result = run_command("validate", str(FIXTURES / "ten_mistakes.yaml"))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].endswith("ten_mistakes.yaml: 10 problems. Nothing has been saved.")
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "effective_from",
        "themes[0].questions[0].guidence",
        "indicators[0].theme",
        "indicators[1].code",
        "indicators[1].minimum_evidence.level",
        "indicators[2].unit",
        "indicators[3].plausible_min",
        "cost_categories[0].exclude",
        "learning_types[0].code",
        "journey[2].percentage",
    ]


def test_import_publish_and_list_from_the_command_line(
    run_command: Callable[..., Result], db: Session, tmp_path: Path
) -> None:
    result = run_command("validate", str(FIXTURES / "minimal.yaml"))
    assert result.exit_code == 0
    assert "is a valid framework file: Test programme, version 1." in result.output

    result = run_command("import", str(FIXTURES / "minimal.yaml"))
    assert result.exit_code == 0
    assert "Imported version 1 of Test programme as a draft." in result.output
    assert "everything in it is new (1 theme, 1 evaluation question, 2 indicators" in result.output

    assert (
        run_command("publish", "Test programme", "1").output == "Version 1 of Test programme is now live.\n"
    )

    second = tmp_path / "second.yaml"
    second.write_text(as_version(2).replace("plausible_max: 1000", "plausible_max: 1500"))
    result = run_command("import", str(second))
    assert "Compared with version 1: 0 added, 0 removed, 1 changed." in result.output
    assert "~ T-CLIENTS  Clients engaged (plausible maximum)" in result.output

    result = run_command("publish", "test-programme", "1")
    assert result.exit_code == 1
    assert "Version 1 of Test programme is already published." in result.output

    result = run_command(
        "add-periods", "test-programme", "--kind", "quarter", "--first", "2010-04-01", "--count", "2"
    )
    assert "2010 Q2 (April to June 2010): returns due by 31 July 2010 (open)" in result.output

    result = run_command("list")
    assert "version 1: published, takes effect from 1 April 2010" in result.output
    assert "version 2: draft" in result.output
    assert (
        "2 reporting periods, 2010 Q2 (April to June 2010) to 2010 Q3 (July to September 2010) (2 open)"
        in (result.output.replace("\n    ", " "))
    )

    assert run_command("delete-draft", "test-programme", "2").exit_code == 0
    assert db.scalar(select(func.count()).select_from(FrameworkVersion)) == 1


def test_the_command_line_refuses_an_invalid_file_without_saving_anything(
    run_command: Callable[..., Result], db: Session
) -> None:
    result = run_command("import", str(FIXTURES / "ten_mistakes.yaml"))
    assert result.exit_code == 1
    assert "10 problems" in result.output
    assert db.scalar(select(func.count()).select_from(Framework)) == 0
