"""The demo: three sites, one account per role, eight quarters of evidence, safe to run again."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub import demo
from evidence_hub.demo_evidence import ensure_demo_evidence
from evidence_hub.models import AuditEvent, ReturnStatus, Site, SiteReturn, User
from evidence_hub.services.accounts.passwords import verify_password
from evidence_hub.services.accounts.users import AccountSettings
from evidence_hub.services.framework.demo import ensure_demo_framework


def run_demo(db: Session, instance: Path) -> list[tuple[demo.DemoAccount, str]]:
    sites = demo.ensure_demo_sites(db)
    framework = ensure_demo_framework(db)
    accounts = demo.ensure_demo_accounts(db, sites, str(instance), AccountSettings())
    ensure_demo_evidence(db, framework)
    return accounts


def statuses(db: Session) -> dict[tuple[str, str], str]:
    rows = db.execute(
        select(Site.code, SiteReturn.status, SiteReturn.reporting_period_id)
        .join(Site, Site.id == SiteReturn.site_id)
        .order_by(SiteReturn.reporting_period_id)
    )
    return {(code, str(period)): status for code, status, period in rows}


def test_the_demo_fills_every_site_in_mixed_states_and_running_it_again_changes_nothing(
    db: Session, tmp_path: Path
) -> None:
    accounts = run_demo(db, tmp_path)
    assert {site.name for site in db.scalars(select(Site))} == {
        "Kent",
        "Leeds",
        "Liverpool City Region",
        "Bristol",
        "Cornwall",
    }
    by_site: dict[str, list[str]] = {}
    for (code, _period), status in statuses(db).items():
        by_site.setdefault(code, []).append(status)
    assert by_site["kent"] == [ReturnStatus.LOCKED.value] * 7 + [ReturnStatus.SUBMITTED.value]
    assert by_site["leeds"] == [ReturnStatus.LOCKED.value] * 7 + [ReturnStatus.RETURNED.value]
    # Liverpool City Region started two quarters late and its newest return is still a draft.
    assert by_site["liverpool"] == [ReturnStatus.LOCKED.value] * 5 + [ReturnStatus.DRAFT.value]
    for account, password in accounts:
        user = db.scalar(select(User).where(User.email == account.email))
        assert user is not None and verify_password(user.password_hash, password)

    audit_records = db.scalar(select(func.count()).select_from(AuditEvent))
    again = run_demo(db, tmp_path)
    assert again == accounts
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == audit_records


def test_every_demo_account_signs_in_through_the_sign_in_page(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    sites = demo.ensure_demo_sites(db)
    accounts = demo.ensure_demo_accounts(db, sites, str(tmp_path), AccountSettings())
    for account, password in accounts:
        response = app.test_client().post("/sign-in", data={"email": account.email, "password": password})
        assert response.status_code == 302, f"{account.email} could not sign in"
