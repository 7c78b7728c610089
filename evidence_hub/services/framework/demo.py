"""The demo framework: the shipped worklessness framework, published, with the demo's reporting periods."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Framework, PeriodKind
from evidence_hub.services.framework.lifecycle import import_framework, publish_version
from evidence_hub.services.framework.periods import add_reporting_periods
from evidence_hub.services.framework.reading.framework_file import read_framework_text
from evidence_hub.services.framework.shipped_files import DEFAULT_FRAMEWORK_PATH

DEMO_FIRST_QUARTER_STARTS_ON = date(2009, 4, 1)
DEMO_QUARTERS = 8


def ensure_demo_framework(session: Session) -> Framework:
    """The default framework, published, with quarterly periods 2009-10 Q1 to 2010-11 Q4 (its file reports
    by financial year).

    Running it again changes nothing. The periods are created open: the demo's returns are entered and
    reviewed in them first, then every quarter but the latest is closed (evidence_hub/demo_evidence.py).
    Unlike the other framework services it commits, in one transaction: the demo command calls it alone.
    """
    source_text = DEFAULT_FRAMEWORK_PATH.read_text(encoding="utf-8")
    with transaction(session):
        definition = read_framework_text(source_text)
        framework = session.scalar(select(Framework).where(Framework.code == definition.code))
        existing = (
            next((v for v in framework.versions if v.version == definition.version), None)
            if framework
            else None
        )
        reason = "Demo data: the default framework shipped with the service"
        if existing is None:
            higher = framework is not None and any(v.version > definition.version for v in framework.versions)
            if not higher:
                outcome = import_framework(
                    session, source_text, actor=None, filename=DEFAULT_FRAMEWORK_PATH.name, reason=reason
                )
                publish_version(session, outcome.version, actor=None, reason=reason)
                framework = outcome.version.framework
        elif existing.is_draft:
            publish_version(session, existing, actor=None, reason=reason)
        assert framework is not None
        add_reporting_periods(
            session,
            framework,
            kind=PeriodKind.QUARTER,
            first_starts_on=DEMO_FIRST_QUARTER_STARTS_ON,
            count=DEMO_QUARTERS,
            actor=None,
            reason=reason,
        )
    return framework
