"""Reporting periods named by calendar or financial year, as the framework file chooses."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from evidence_hub.models import PeriodKind, ReportingYear
from evidence_hub.services.framework.demo import ensure_demo_framework
from evidence_hub.services.framework.errors import FrameworkFileInvalid
from evidence_hub.services.framework.periods import period_dates
from evidence_hub.services.framework.reading.framework_file import read_framework_text
from evidence_hub.services.framework.shipped_files import DEFAULT_FRAMEWORK_PATH


@pytest.mark.parametrize(
    ("starts_on", "code", "name"),
    [
        (date(2009, 4, 1), "2009-10-Q1", "2009-10 Q1 (April to June 2009)"),
        (date(2009, 10, 1), "2009-10-Q3", "2009-10 Q3 (October to December 2009)"),
        (date(2010, 1, 1), "2009-10-Q4", "2009-10 Q4 (January to March 2010)"),
        (date(2010, 4, 1), "2010-11-Q1", "2010-11 Q1 (April to June 2010)"),
        (date(1999, 4, 1), "1999-00-Q1", "1999-00 Q1 (April to June 1999)"),
    ],
)
def test_quarters_of_a_financial_year_run_from_april(starts_on: date, code: str, name: str) -> None:
    found_code, found_name, _ends_on, _due = period_dates(
        PeriodKind.QUARTER, starts_on, ReportingYear.FINANCIAL
    )
    assert (found_code, found_name) == (code, name)


def test_calendar_years_stay_the_default() -> None:
    code, name, ends_on, due = period_dates(PeriodKind.QUARTER, date(2009, 4, 1))
    assert (code, name, ends_on, due) == (
        "2009-Q2",
        "2009 Q2 (April to June 2009)",
        date(2009, 6, 30),
        date(2009, 7, 31),
    )


def test_the_shipped_framework_and_so_the_demo_report_by_financial_year(db: Session) -> None:
    assert read_framework_text(DEFAULT_FRAMEWORK_PATH.read_text(encoding="utf-8")).reporting_year is (
        ReportingYear.FINANCIAL
    )
    framework = ensure_demo_framework(db)
    names = [
        period.name for period in sorted(framework.reporting_periods, key=lambda period: period.starts_on)
    ]
    assert names[0] == "2009-10 Q1 (April to June 2009)"
    assert names[-1] == "2010-11 Q4 (January to March 2011)"


def test_an_unknown_reporting_year_is_explained() -> None:
    text = DEFAULT_FRAMEWORK_PATH.read_text(encoding="utf-8").replace(
        "reporting_year: financial", "reporting_year: fiscal"
    )
    with pytest.raises(FrameworkFileInvalid) as raised:
        read_framework_text(text)
    [problem] = raised.value.problems
    assert problem.message == (
        "Unknown reporting year “fiscal”. Did you mean “financial”? Use one of: calendar, financial."
    )
