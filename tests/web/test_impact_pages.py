"""An evaluator sets up comparison areas, uploads comparison series and sees each site's estimate on the
Impact view; a file with mistakes is refused whole, with every problem by row and column."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from evidence_hub.demo_evidence import ensure_demo_impact
from evidence_hub.guards import public
from evidence_hub.models import (
    ComparisonSeriesValue,
    FrameworkVersion,
    ImpactArea,
    ImpactRating,
    Role,
    Site,
    User,
)
from evidence_hub.services.impact import comparisons
from evidence_hub.services.impact.estimates import CHANGE_FROM_BASELINE_LABEL
from evidence_hub.services.impact.series_file import SeriesRow, series_csv
from evidence_hub.services.impact.synthetic_series import DEMO_SITE_SERIES, synthetic_series
from evidence_hub.services.releases.impact_section import impact_rows
from evidence_hub.web import db_session
from tests.factories import make_site, make_user, the_framework
from tests.pages import heading, page, text_of
from tests.release_helpers import demo_world, publish

FRAMEWORK = "worklessness-data-sharing"


def _add_demo_areas(client: FlaskClient) -> None:
    for series in DEMO_SITE_SERIES:
        for role, area in [
            ("pilot_site", series.area),
            *(("comparison", each) for each in series.comparisons),
        ]:
            response = client.post(
                f"/comparisons/{FRAMEWORK}/areas/new",
                data={
                    "site": series.site_code,
                    "role": role,
                    "area_code": area.code,
                    "area_name": area.name,
                    "indicators": "WL-JOB-ENTRY-RATE",
                    "how_observed": "Synthetic demo series",
                },
            )
            assert response.status_code == 302, text_of(page(response))


def _series_within_the_framework() -> list[SeriesRow]:
    """The synthetic series, cut to the test framework's four quarters and the eight before them."""
    return [row for row in synthetic_series() if row.period_code <= "2010-Q1"]


def _upload(client: FlaskClient, content: bytes) -> TestResponse:
    return client.post(
        f"/comparisons/{FRAMEWORK}/series",
        data={"spreadsheet": (io.BytesIO(content), "series.csv")},
        content_type="multipart/form-data",
    )


def test_an_evaluator_uploads_series_and_sees_each_sites_estimate(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    the_framework(db)
    for series in DEMO_SITE_SERIES:
        make_site(db, series.site_code)
    client = client_as(Role.EVALUATOR)
    _add_demo_areas(client)

    response = _upload(client, series_csv(_series_within_the_framework()))
    assert response.status_code == 302
    soup = page(client.get(response.headers["Location"]))
    text = text_of(soup)
    assert "144 figures for 12 areas saved." in text
    for series in DEMO_SITE_SERIES:
        assert f"{series.comparisons[0].name} ({series.comparisons[0].code})" in text
    assert "95% confidence interval" in text
    assert "Passed" in text
    assert "Prediction interval for a new area" in text
    # Not rated yet: a neutral name, never "effect".
    assert "Difference from comparison areas since the pilot began" in text
    assert "Estimated effect of the pilot" not in text
    assert soup.select("[data-chart=chart-series-kent]")
    assert "Synthetic demo series (not ONS data)" in text

    csv = client.get(f"/dashboard/impact/estimates.csv?framework={FRAMEWORK}")
    assert csv.status_code == 200
    assert "All sites, pooled" in csv.get_data(as_text=True)

    rated = client.post(
        f"/comparisons/{FRAMEWORK}/ratings",
        data={"site": "kent", "indicator": "WL-JOB-ENTRY-RATE", "level": "3", "rationale": "Passed check."},
    )
    assert rated.status_code == 302
    text = text_of(page(client.get(f"/dashboard/impact?framework={FRAMEWORK}")))
    assert "Estimated effect of the pilot" in text


def test_a_series_file_with_mistakes_is_refused_whole_by_row_and_column(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    the_framework(db)
    for series in DEMO_SITE_SERIES:
        make_site(db, series.site_code)
    client = client_as(Role.EVALUATOR)
    _add_demo_areas(client)
    good = "E10000016,Kent,2009-Q2,WL-JOB-ENTRY-RATE,18.2,ONS Nomis,2011-05-03"
    content = "\r\n".join(
        [
            "area_code,area_name,period,indicator_code,value,source,date_extracted",
            good,
            "E09999999,Nowhere,2009-Q2,WL-JOB-ENTRY-RATE,18.2,ONS Nomis,2011-05-03",
            "E10000016,Kent,2019-Q2,WL-JOB-ENTRY-RATE,18.2,ONS Nomis,2011-05-03",
            good,
            "E10000016,Kent,2009-Q3,WL-JOB-ENTRY-RATE,about 18,ONS Nomis,2011-05-03",
        ]
    ).encode()
    response = _upload(client, content)
    assert response.status_code == 400
    soup = page(response, 400)
    assert "Nothing was saved: 4 problems to correct" in text_of(soup)
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in soup.select("#upload-problems tbody tr")
    ]
    assert [row[:2] for row in rows] == [
        ["3", "area_code"],
        ["4", "period"],
        ["5", "area_code"],
        ["6", "value"],
    ]
    assert "E09999999 is not a pilot site or one of their comparison areas" in rows[0][2]
    assert "outside the periods this framework covers" in rows[1][2]
    assert "Row 2 already has a figure" in rows[2][2]
    assert "‘about 18’ is not a number" in rows[3][2]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(ComparisonSeriesValue)) == 0
    assert db.scalar(select(func.count()).select_from(ImpactArea)) == 12


def test_without_comparison_areas_the_figure_is_change_from_baseline(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    the_framework(db)
    make_site(db, "kent")
    client = client_as(Role.EVALUATOR)
    client.post(
        f"/comparisons/{FRAMEWORK}/areas/new",
        data={"site": "kent", "role": "pilot_site", "area_code": "E10000016", "area_name": "Kent"},
    )
    kent_rows = [row for row in _series_within_the_framework() if row.area_code == "E10000016"]
    assert _upload(client, series_csv(kent_rows)).status_code == 302
    text = text_of(page(client.get(f"/dashboard/impact?framework={FRAMEWORK}")))
    assert CHANGE_FROM_BASELINE_LABEL in text
    assert "There is no comparison area for Kent" in text
    assert "at least 3 are needed to pool" in text


def test_the_period_filters_narrow_the_pilot_quarters_the_estimates_rest_on(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    framework = the_framework(db)
    for series in DEMO_SITE_SERIES:
        make_site(db, series.site_code)
    client = client_as(Role.EVALUATOR)
    _add_demo_areas(client)
    assert _upload(client, series_csv(_series_within_the_framework())).status_code == 302
    periods = sorted(framework.reporting_periods, key=lambda period: period.starts_on)

    whole = text_of(page(client.get(f"/dashboard/impact?framework={FRAMEWORK}")))
    assert "with the pilot quarters 2009-Q2 to 2010-Q1." in whole
    narrowed = text_of(
        page(client.get(f"/dashboard/impact?framework={FRAMEWORK}&period_from={periods[2].code}"))
    )
    assert "with the pilot quarters 2009-Q4 to 2010-Q1 (the periods chosen in the filters" in narrowed


def test_a_refused_area_says_what_to_correct(db: Session, client_as: Callable[..., FlaskClient]) -> None:
    the_framework(db)
    make_site(db, "kent")
    client = client_as(Role.EVALUATOR)
    response = client.post(
        f"/comparisons/{FRAMEWORK}/areas/new",
        data={"site": "kent", "role": "comparison", "area_code": "Medway", "area_name": "Medway"},
    )
    assert response.status_code == 200
    soup = page(response)
    assert "Enter a GSS code" in text_of(soup.select_one(".govuk-error-summary"))


def test_the_learning_summary_page_says_impact_only_where_estimates_support_it(
    db: Session, client_as: Callable[..., FlaskClient], tmp_path: Path
) -> None:
    framework = demo_world(db, tmp_path)
    assert ensure_demo_impact(db, framework)
    release = publish(db, framework)
    official = client_as(Role.NATIONAL_OFFICIAL)
    text = text_of(page(official.get(f"/releases/{release.reference}")))
    impact_part = text.split("Impact against comparison areas")[-1].split("Value for money")[0]
    assert "estimated effect of the pilot" in impact_part
    assert "prediction interval" in impact_part
    outcomes_part = text.split("Outcomes against baselines")[-1].split("Impact against comparison areas")[0]
    assert "not an estimate of impact" in outcomes_part
    assert "estimated effect" not in outcomes_part
    # People read the extraction date the GOV.UK way; the data pack's CSV keeps it ISO for machines.
    assert "extracted 3 May 2011" in impact_part
    assert "2011-05-03" not in impact_part
    data_pack_rows = impact_rows(release.content["summary"]["impact"])
    assert any("extracted 2011-05-03" in str(cell) for row in data_pack_rows for cell in row)


def test_a_site_lead_uploads_figures_for_their_own_sites_areas_only(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    the_framework(db)
    for series in DEMO_SITE_SERIES:
        make_site(db, series.site_code)
    _add_demo_areas(client_as(Role.EVALUATOR))
    lead = client_as(Role.SITE_LEAD, site="kent")
    soup = page(lead.get(f"/comparisons/{FRAMEWORK}/series"))
    assert "Medway (E06000035)" in text_of(soup)

    leeds = "E08000035,Leeds,2009-Q2,WL-JOB-ENTRY-RATE,16.1,ONS Nomis,2011-05-03"
    kent = "E10000016,Kent,2009-Q2,WL-JOB-ENTRY-RATE,18.2,ONS Nomis,2011-05-03"
    header = "area_code,area_name,period,indicator_code,value,source,date_extracted"
    refused = _upload(lead, "\r\n".join([header, kent, leeds]).encode())
    assert refused.status_code == 400
    assert "E08000035 is not a pilot site or one of their comparison areas" in text_of(page(refused, 400))
    db.rollback()
    assert db.scalar(select(func.count()).select_from(ComparisonSeriesValue)) == 0

    assert _upload(lead, "\r\n".join([header, kent]).encode()).status_code == 302
    db.rollback()
    assert db.scalar(select(func.count()).select_from(ComparisonSeriesValue)) == 1


def test_a_site_leads_uploaded_figures_count_only_once_an_evaluator_accepts_them_as_seen(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    the_framework(db)
    for series in DEMO_SITE_SERIES:
        make_site(db, series.site_code)
    evaluator = client_as(Role.EVALUATOR)
    _add_demo_areas(evaluator)
    lead = client_as(Role.SITE_LEAD, site="kent")
    header = "area_code,area_name,period,indicator_code,value,source,date_extracted"
    uploaded = _upload(
        lead, f"{header}\r\nE10000016,Kent,2009-Q2,WL-JOB-ENTRY-RATE,18.2,ONS Nomis,2011-05-03".encode()
    )
    assert "They count in the estimates once an evaluator has accepted them." in text_of(
        page(lead.get(uploaded.headers["Location"]))
    )
    impact = text_of(page(evaluator.get(f"/dashboard/impact?framework={FRAMEWORK}")))
    assert "1 figure from Kent is not counted yet" in impact

    # The evaluator opens the page; the lead then corrects the figure: accepting what was seen is refused.
    soup = page(evaluator.get(f"/comparisons/{FRAMEWORK}"))
    waiting = text_of(soup.select_one("#waiting-kent").find_next("table"))
    assert "Kent (E10000016)" in waiting and "2009-Q2" in waiting and "18.2" in waiting
    assert "3 May 2011" in waiting
    seen = soup.select_one("form[action$='/sites/kent/accept'] input[name=seen]")["value"]
    _upload(lead, f"{header}\r\nE10000016,Kent,2009-Q2,WL-JOB-ENTRY-RATE,81.2,ONS Nomis,2011-05-03".encode())
    refused = evaluator.post(f"/comparisons/{FRAMEWORK}/sites/kent/accept", data={"seen": seen})
    assert "changed after you opened this page" in text_of(page(evaluator.get(refused.headers["Location"])))
    db.rollback()
    assert db.scalars(select(ComparisonSeriesValue.accepted_at)).all() == [None]

    soup = page(evaluator.get(f"/comparisons/{FRAMEWORK}"))
    assert "81.2" in text_of(soup.select_one("#waiting-kent").find_next("table"))
    seen = soup.select_one("form[action$='/sites/kent/accept'] input[name=seen]")["value"]
    accepted = evaluator.post(f"/comparisons/{FRAMEWORK}/sites/kent/accept", data={"seen": seen})
    after = page(evaluator.get(accepted.headers["Location"]))
    assert "1 figure from Kent accepted: they now count in the estimates." in text_of(after)
    assert after.select_one("#waiting-kent") is None
    impact = text_of(page(evaluator.get(f"/dashboard/impact?framework={FRAMEWORK}")))
    assert "not counted yet" not in impact
    assert "Kent (E10000016): ONS Nomis" in impact


def test_a_comparison_change_by_a_role_that_may_not_make_it_is_a_403_saying_why_and_saves_nothing(
    make_app: Callable[..., Flask], db: Session
) -> None:
    """No page offers it (their guards refuse the role first), but the service refuses it again for any other
    caller: a 403 page, or a JSON 403 under the API, with the reason, never a 500."""
    version_id = the_framework(db).published_version.id  # type: ignore[union-attr]
    site_id = make_site(db, "kent").id
    lead_id = make_user(db, Role.SITE_LEAD, site="kent").id
    app = make_app()

    def rate_as_the_lead() -> str:
        session = db_session()
        version, site = session.get(FrameworkVersion, version_id), session.get(Site, site_id)
        lead = session.get(User, lead_id)
        assert version is not None and site is not None and lead is not None
        comparisons.record_rating(session, lead, version, site, "WL-JOB-ENTRY-RATE", 3, "Our own view.")
        session.commit()
        return "Saved"

    public(rate_as_the_lead)
    app.add_url_rule("/a-lead-rates", "a_lead_rates", rate_as_the_lead)
    app.add_url_rule("/api/v1/a-lead-rates", "api_a_lead_rates", rate_as_the_lead)
    client = app.test_client()
    reason = "Only evaluators and administrators change comparison areas, ratings and accepted figures."

    soup = page(client.get("/a-lead-rates"), 403)
    answer = client.get("/api/v1/a-lead-rates")

    assert heading(soup) == "You cannot do this"
    assert reason in text_of(soup)
    assert answer.status_code == 403
    assert answer.get_json()["error"]["detail"] == reason
    assert db.scalar(select(func.count()).select_from(ImpactRating)) == 0
