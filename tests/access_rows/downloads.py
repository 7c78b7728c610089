"""Releases and downloads: national officials, evaluators and administrators read releases; evaluators
and administrators publish and withdraw them; site leads download their own site's data only."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.models import ReturnStatus, Site, User
from evidence_hub.services.releases import publication_job, publishing, reading
from tests.access_rows import ADMINISTRATOR, EVALUATOR, NATIONAL_OFFICIAL, SITE_LEAD, Row, only
from tests.factories import make_return, periods_of, the_framework


def extend_world(session: Session, world: dict[str, Any]) -> None:
    framework = the_framework(session)
    period = periods_of(session, framework)[3]
    make_return(session, "leeds", period=3, status=ReturnStatus.APPROVED)
    evaluator = session.scalars(select(User).where(User.email == world["emails"][EVALUATOR])).one()
    sites = list(session.scalars(select(Site).order_by(Site.name)))
    # Every release of the world covers the same period and sites; only their titles differ.
    request = publishing.ReleaseRequest(
        actor=evaluator,
        framework=framework,
        version=None,
        period_from=period,
        period_to=period,
        sites=sites,
        title="",
    )

    def publish(title: str) -> str:
        release = publishing.publish_release(session, replace(request, title=title))
        session.commit()
        return release.reference

    world["release_reference"] = publish("Access world release")
    withdrawn = publish("Withdrawn release")
    publishing.withdraw_release(
        session,
        actor=evaluator,
        release=reading.release_for(session, evaluator, withdrawn),
        reason="Superseded.",
    )
    session.commit()
    world["withdrawn_reference"] = withdrawn
    world["release_period_code"] = period.code
    queued = publication_job.queue_publication(session, replace(request, title="A publication under way"))
    session.commit()
    world["publication_id"] = queued.id


READERS = {NATIONAL_OFFICIAL: 200, EVALUATOR: 200, ADMINISTRATOR: 200}
GONE = {NATIONAL_OFFICIAL: 410, EVALUATOR: 410, ADMINISTRATOR: 410}
MISSING = {NATIONAL_OFFICIAL: 404, EVALUATOR: 404, ADMINISTRATOR: 404}
PUBLISHERS = {EVALUATOR: 200, ADMINISTRATOR: 200}
SITE_DATA = {SITE_LEAD: 200, EVALUATOR: 200, ADMINISTRATOR: 200}
RELEASE = "/releases/{release_reference}"
WITHDRAWN = "/releases/{withdrawn_reference}"
PUBLISH_FORM = {
    "title": "A release",
    "version": "all",
    "period_from": "{release_period_code}",
    "period_to": "{release_period_code}",
    "sites": ["leeds"],
    "threshold": "10",
    "rounding": "none",
}

ROWS = [
    Row("downloads.index", "GET", "/releases/", only(READERS)),
    Row("downloads.release", "GET", RELEASE, only(READERS)),
    Row("downloads.release", "GET", WITHDRAWN, only(GONE), note="withdrawn"),
    Row("downloads.release", "GET", "/releases/WDS-1999-01", only(MISSING), note="unknown"),
    Row("downloads.learning", "GET", RELEASE + "/learning", only(READERS)),
    Row(
        "downloads.learning", "GET", RELEASE + "/learning?page=2", only(READERS), note="beyond the last page"
    ),
    Row(
        "downloads.learning", "GET", RELEASE + "/learning?group=no-such", only(MISSING), note="unknown group"
    ),
    Row("downloads.learning", "GET", WITHDRAWN + "/learning", only(GONE), note="withdrawn"),
    Row("downloads.release_chart", "GET", RELEASE + "/charts/0.png", only(READERS)),
    Row("downloads.release_chart", "GET", RELEASE + "/charts/999.png", only(MISSING), note="unknown"),
    Row("downloads.release_chart", "GET", WITHDRAWN + "/charts/0.png", only(GONE), note="withdrawn"),
    Row("downloads.summary_document", "GET", RELEASE + "/summary.pdf", only(READERS)),
    Row("downloads.summary_document", "GET", RELEASE + "/summary.docx", only(READERS), note="docx"),
    Row("downloads.summary_document", "GET", WITHDRAWN + "/summary.pdf", only(GONE), note="withdrawn"),
    Row("downloads.summary_document", "GET", RELEASE + "/summary.txt", only(MISSING), note="unknown format"),
    Row("downloads.data_pack_download", "GET", RELEASE + "/data-pack.xlsx", only(READERS)),
    Row("downloads.data_pack_download", "GET", RELEASE + "/data-pack.zip", only(READERS), note="zip"),
    Row("downloads.data_pack_download", "GET", WITHDRAWN + "/data-pack.zip", only(GONE), note="withdrawn"),
    Row("downloads.table_csv", "GET", RELEASE + "/tables/costs.csv", only(READERS)),
    Row("downloads.table_csv", "GET", RELEASE + "/tables/no-such-table.csv", only(MISSING), note="unknown"),
    Row("downloads.publish", "GET", "/releases/new", only(PUBLISHERS)),
    Row(
        "downloads.publish",
        "POST",
        "/releases/new",
        only({EVALUATOR: 302, ADMINISTRATOR: 302}),
        data=PUBLISH_FORM,
    ),
    Row("downloads.publication", "GET", "/releases/publishing/{publication_id}", only(PUBLISHERS)),
    Row(
        "downloads.publication",
        "GET",
        "/releases/publishing/999999",
        only({EVALUATOR: 404, ADMINISTRATOR: 404}),
        note="unknown",
    ),
    Row("downloads.withdraw", "GET", RELEASE + "/withdraw", only(PUBLISHERS)),
    Row(
        "downloads.withdraw",
        "POST",
        RELEASE + "/withdraw",
        # Roles take turns on one copy of the world: the administrator withdraws it first, so the
        # evaluator finds it already withdrawn.
        only({ADMINISTRATOR: 302, EVALUATOR: 410}),
        data={"reason": "A mistake in the costs."},
    ),
    Row(
        "downloads.withdraw",
        "GET",
        WITHDRAWN + "/withdraw",
        only({EVALUATOR: 410, ADMINISTRATOR: 410}),
        note="withdrawn",
    ),
    Row("downloads.site_downloads", "GET", "/site-data/kent", only(SITE_DATA)),
    Row(
        "downloads.site_downloads",
        "GET",
        "/site-data/leeds",
        only({**SITE_DATA, SITE_LEAD: 404}),
        note="another site",
    ),
    Row("downloads.site_data_pack", "GET", "/site-data/kent/data-pack.xlsx", only(SITE_DATA)),
    Row("downloads.site_data_pack", "GET", "/site-data/kent/data-pack.zip", only(SITE_DATA), note="zip"),
    Row(
        "downloads.site_data_pack",
        "GET",
        "/site-data/leeds/data-pack.xlsx",
        only({**SITE_DATA, SITE_LEAD: 404}),
        note="another site",
    ),
]
