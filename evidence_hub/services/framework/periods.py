"""Reporting periods: a framework's quarters or months, each with the date its returns are due.

Periods belong to a framework, not to a version, so they carry on when a new version is published.
"""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy.orm import Session

from evidence_hub.models import Framework, PeriodKind, PeriodStatus, ReportingPeriod, ReportingYear, User
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import why_programme_takes_nothing
from evidence_hub.services.framework.errors import FrameworkError
from evidence_hub.services.framework.reading.framework_file import read_framework_text


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def _last_day_of_month(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def period_dates(
    kind: PeriodKind, starts_on: date, year: ReportingYear = ReportingYear.CALENDAR
) -> tuple[str, str, date, date]:
    """Code, name, last day, and the date returns are due (the end of the following month) of a period.

    Quarters are named by calendar year ("2009 Q2", code 2009-Q2, for April to June 2009) or, for a
    framework that reports by financial year, by the year from April ("2009-10 Q1", code 2009-10-Q1)."""
    if starts_on.day != 1:
        raise FrameworkError("A reporting period starts on the first day of a month.")
    if kind is PeriodKind.QUARTER:
        if starts_on.month not in (1, 4, 7, 10):
            raise FrameworkError("A quarter starts on 1 January, 1 April, 1 July or 1 October.")
        ends_on = _last_day_of_month(_add_months(starts_on, 2))
        quarter = (starts_on.month - 1) // 3 + 1
        first_month = starts_on.strftime("%B")
        last_month = ends_on.strftime("%B %Y")
        code = f"{starts_on.year}-Q{quarter}"
        name = f"{starts_on.year} Q{quarter} ({first_month} to {last_month})"
        if year is ReportingYear.FINANCIAL:
            first_year = starts_on.year if starts_on.month >= 4 else starts_on.year - 1
            label = f"{first_year}-{(first_year + 1) % 100:02d}"
            quarter = (starts_on.month - 4) % 12 // 3 + 1
            code = f"{label}-Q{quarter}"
            name = f"{label} Q{quarter} ({first_month} to {last_month})"
    else:
        ends_on = _last_day_of_month(starts_on)
        code = f"{starts_on.year}-{starts_on.month:02d}"
        name = starts_on.strftime("%B %Y")
    returns_due_on = _last_day_of_month(_add_months(starts_on, 3 if kind is PeriodKind.QUARTER else 1))
    return code, name, ends_on, returns_due_on


def reporting_year_of(framework: Framework) -> ReportingYear:
    """Whether the framework's file (its newest version) names periods by calendar or financial year."""
    if not framework.versions:
        return ReportingYear.CALENDAR
    newest = max(framework.versions, key=lambda version: version.version)
    return read_framework_text(newest.source_yaml).reporting_year


def add_reporting_periods(
    session: Session,
    framework: Framework,
    *,
    kind: PeriodKind,
    first_starts_on: date,
    count: int,
    closed_count: int = 0,
    actor: User | None,
    reason: str = "",
) -> list[ReportingPeriod]:
    """Add `count` consecutive periods from `first_starts_on`; the first `closed_count` are marked closed.

    Periods that already exist (same code) are left exactly as they are, so this can be run again safely.
    Quarter 2009 Q2 covers 1 April to 30 June 2009, and its returns are due by 31 July 2009.
    """
    closed = why_programme_takes_nothing(framework.programme)
    if closed:
        raise FrameworkError(closed)
    if count < 1 or count > 120:
        raise FrameworkError("Add between 1 and 120 reporting periods at a time.")
    existing = {period.code for period in framework.reporting_periods}
    year = reporting_year_of(framework)
    step = 3 if kind is PeriodKind.QUARTER else 1
    added: list[ReportingPeriod] = []
    for number in range(count):
        starts_on = _add_months(first_starts_on, number * step) if number else first_starts_on
        code, name, ends_on, returns_due_on = period_dates(kind, starts_on, year)
        if code in existing:
            continue
        period = ReportingPeriod(
            framework=framework,
            code=code,
            name=name,
            kind=kind.value,
            starts_on=starts_on,
            ends_on=ends_on,
            returns_due_on=returns_due_on,
            status=PeriodStatus.CLOSED.value if number < closed_count else PeriodStatus.OPEN.value,
        )
        session.add(period)
        added.append(period)
    session.flush()
    for period in added:
        audit.record(
            session,
            actor=actor,
            action="reporting_period.created",
            object_type="reporting_period",
            object_id=period.id,
            after={
                "framework": framework.code,
                "code": period.code,
                "starts_on": period.starts_on.isoformat(),
                "ends_on": period.ends_on.isoformat(),
                "returns_due_on": period.returns_due_on.isoformat(),
                "status": period.status,
            },
            reason=reason,
        )
    return added
