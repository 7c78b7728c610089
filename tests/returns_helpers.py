"""Helpers for tests of the return workflow: returns in any quarter, and returns filled in completely.

They write model rows directly (no audit records, no forms), so that a test can start from "a complete
draft" or "a submitted return with a document" and check only what it is about.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction, utc_now
from evidence_hub.models import (
    Baseline,
    CostItem,
    CostType,
    Funding,
    MeasureValue,
    PeriodKind,
    ProgrammeMembership,
    ReportingPeriod,
    ReturnSection,
    ReturnStatus,
    Role,
    Site,
    SiteReturn,
    SupportingDocument,
    User,
)
from evidence_hub.services.common.object_store import FolderStore
from evidence_hub.services.framework.periods import add_reporting_periods
from evidence_hub.services.returns.completeness import required_indicators
from evidence_hub.services.returns.document_store import DocumentStore
from evidence_hub.services.returns.document_types import PDF
from tests.factories import make_site, make_user, periods_of, the_framework, unique_reference

FIRST_QUARTER_STARTS_ON = date(2009, 4, 1)


def period_in_quarter(session: Session, quarter: int) -> ReportingPeriod:
    """The framework's n-th quarterly period from 2009 Q2 (0 is 2009 Q2), added if there are not enough.

    tests/access_rows/returns.py uses quarters 0 to 2; other modules use later quarters of their own so
    that their returns never collide with it, whichever order the modules' worlds are built in.
    """
    framework = the_framework(session)
    periods = periods_of(session, framework)
    if quarter >= len(periods):
        session.expire(framework)
        with transaction(session):
            add_reporting_periods(
                session,
                framework,
                kind=PeriodKind.QUARTER,
                first_starts_on=FIRST_QUARTER_STARTS_ON,
                count=quarter + 1,
                actor=None,
            )
        session.expire(framework)
        periods = periods_of(session, framework)
    return periods[quarter]


def return_in_quarter(
    session: Session,
    site: str | Site = "kent",
    *,
    quarter: int,
    status: ReturnStatus = ReturnStatus.DRAFT,
    approved: bool | None = None,
) -> SiteReturn:
    """The site's return for the n-th quarter, made (in the given state) if it does not exist yet; approved
    and locked returns are approved by an evaluator unless `approved` is False (as make_return)."""
    site_row = make_site(session, site) if isinstance(site, str) else site
    period = period_in_quarter(session, quarter)
    existing = session.scalar(
        select(SiteReturn).where(
            SiteReturn.site_id == site_row.id, SiteReturn.reporting_period_id == period.id
        )
    )
    if existing is not None:
        return existing
    framework = the_framework(session)
    if approved is None:
        approved = status in (ReturnStatus.APPROVED, ReturnStatus.LOCKED)
    approver = make_user(session, Role.EVALUATOR) if approved else None
    with transaction(session):
        site_return = SiteReturn(
            site_id=site_row.id,
            reporting_period_id=period.id,
            framework_version_id=framework.published_version.id,  # type: ignore[union-attr]
            status=status.value,
            completed_sections=[],
            approved_at=utc_now() if approver is not None else None,
            approved_by_id=approver.id if approver is not None else None,
        )
        session.add(site_return)
    return site_return


def fill_return(session: Session, site_return: SiteReturn) -> SiteReturn:
    """Make the return complete: a measure (with evidence level and target) for every indicator the
    framework asks for each period, the site's baselines where required, a milestone, every section done."""
    version = site_return.framework_version
    with transaction(session):
        baselines = set(
            session.scalars(select(Baseline.indicator_code).where(Baseline.site_id == site_return.site_id))
        )
        recorded = {measure.indicator_id for measure in site_return.measures}
        for indicator in required_indicators(site_return):
            if indicator.baseline_required and indicator.code not in baselines:
                session.add(
                    Baseline(
                        site_id=site_return.site_id,
                        indicator_code=indicator.code,
                        value=_plausible(indicator.plausible_min, indicator.plausible_max),
                        period_description="2008-09, before the pilot",
                        source="Council management information",
                    )
                )
            if indicator.id in recorded:
                continue
            value = _plausible(indicator.plausible_min, indicator.plausible_max)
            session.add(
                MeasureValue(
                    site_return_id=site_return.id,
                    site_id=site_return.site_id,
                    indicator_id=indicator.id,
                    value=value,
                    target=value if indicator.target_required else None,
                    data_source="Pilot case management system",
                    evidence_level_id=indicator.minimum_evidence_level_id,
                )
            )
        site_return.journey_milestone_id = version.milestones[0].id
        site_return.journey_evidence = "Data-sharing agreement drafted with DWP"
        site_return.completed_sections = sorted(section.value for section in ReturnSection)
    session.expire(site_return)
    return site_return


def _plausible(low: Decimal | None, high: Decimal | None) -> Decimal:
    if low is not None and high is not None:
        return ((low + high) / 2).quantize(Decimal("1"))
    return low if low is not None else Decimal(1)


def add_cost(
    session: Session,
    site_return: SiteReturn,
    description: str = "Project manager, 3 days a week",
    amount: str = "4500.00",
) -> CostItem:
    """A running cash cost in the framework's first cost category."""
    with transaction(session):
        cost = CostItem(
            site_return_id=site_return.id,
            site_id=site_return.site_id,
            import_reference=unique_reference("C"),
            cost_category_id=site_return.framework_version.cost_categories[0].id,
            description=description,
            amount=Decimal(amount),
            cost_type=CostType.RUNNING.value,
            funding=Funding.CASH.value,
        )
        session.add(cost)
    return cost


def lead_of(session: Session, site: Site | int) -> User | None:
    site_id = site if isinstance(site, int) else site.id
    leading = select(ProgrammeMembership.user_id).where(
        ProgrammeMembership.site_id == site_id, ProgrammeMembership.ended_at.is_(None)
    )
    return session.scalar(select(User).where(User.id.in_(leading)).order_by(User.id))


# Small real files, made in code, for upload tests.


def pdf_bytes() -> bytes:
    """A minimal, valid one-page PDF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return body


def png_bytes() -> bytes:
    """A real 1 by 1 pixel PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def add_document(session: Session, return_id: int, folder: Path, name: str = "agreement.pdf") -> int:
    """A PDF in the return, its file kept in `folder` as the documents store keeps files."""
    site_return = session.get(SiteReturn, return_id)
    assert site_return is not None
    content = pdf_bytes()
    with transaction(session):
        document = SupportingDocument(
            site_return_id=site_return.id,
            site_id=site_return.site_id,
            original_filename=name,
            stored_name=DocumentStore(FolderStore(folder)).write(content),
            content_type=PDF.content_type,
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            description="Data-sharing agreement with DWP",
        )
        session.add(document)
    return document.id
