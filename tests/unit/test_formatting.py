"""Dates as people read them on pages and in documents: the GOV.UK way, on the day it was in the UK."""

from __future__ import annotations

from datetime import UTC, date, datetime

from evidence_hub.formatting import date_uk


def test_a_date_reads_the_govuk_way() -> None:
    assert date_uk(date(2009, 7, 4)) == "4 July 2009"
    assert date_uk(None) == ""


def test_a_moment_reads_as_the_day_it_was_in_the_uk() -> None:
    # 11:30pm UTC on 13 July is 12:30am on 14 July in British Summer Time.
    assert date_uk(datetime(2009, 7, 13, 23, 30, tzinfo=UTC)) == "14 July 2009"
    assert date_uk(datetime(2009, 12, 13, 23, 30, tzinfo=UTC)) == "13 December 2009"
