"""A published release on the demo world (three sites, eight quarters, mixed states), for tests of
everything national officials receive."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub import demo, job_running
from evidence_hub.demo_evidence import EVALUATOR_EMAIL, ensure_demo_evidence, ensure_demo_releases
from evidence_hub.models import Framework, Release, User
from evidence_hub.services.accounts.users import AccountSettings
from evidence_hub.services.framework.demo import ensure_demo_framework
from evidence_hub.services.releases import publishing
from tests.factories import WORKLESSNESS
from tests.pages import page
from tests.snapshots import build_once

# The demo accounts' passwords file the first build wrote, by engine: loading the rows does not write it.
_passwords_files: dict[str, str] = {}


def demo_world(session: Session, instance: Path) -> Framework:
    """The demo's sites, accounts, framework and evidence, committed."""
    engine_name = session.get_bind().dialect.name
    passwords_file = instance / demo.DEMO_ACCOUNTS_FILE

    def build() -> Framework:
        sites = demo.ensure_demo_sites(session)
        framework = ensure_demo_framework(session)
        demo.ensure_demo_accounts(session, sites, str(instance), AccountSettings())
        ensure_demo_evidence(session, framework)
        session.commit()
        _passwords_files.setdefault(engine_name, passwords_file.read_text(encoding="utf-8"))
        return framework

    def reload() -> Framework:
        instance.mkdir(parents=True, exist_ok=True)
        passwords_file.write_text(_passwords_files[engine_name], encoding="utf-8")
        return session.scalars(select(Framework).where(Framework.code == WORKLESSNESS)).one()

    return build_once(session, "demo world", build, reload)


def evaluator(session: Session) -> User:
    return session.scalars(select(User).where(User.email == EVALUATOR_EMAIL)).one()


def publish(
    session: Session,
    framework: Framework,
    *,
    title: str = "Worklessness data-sharing pilots: learning to date",
    threshold: int = 10,
    round_to: int | None = None,
    site_codes: tuple[str, ...] | None = None,
) -> Release:
    periods = list(framework.reporting_periods)
    # The sites taking part in the framework's programme (the demo has a second programme's too).
    sites = list(framework.programme.sites)
    if site_codes is not None:
        sites = [site for site in sites if site.code in site_codes]
    release = publishing.publish_release(
        session,
        publishing.ReleaseRequest(
            actor=evaluator(session),
            framework=framework,
            version=None,
            period_from=periods[0],
            period_to=periods[-1],
            sites=sites,
            title=title,
            threshold=threshold,
            round_to=round_to,
        ),
    )
    session.commit()
    return release


def published_release(session: Session, instance: Path | None = None) -> Release:
    """The demo world with one release of all its sites and periods, committed. The demo accounts'
    passwords file goes to `instance`, or to a new temporary folder."""
    return publish(session, demo_world(session, instance or Path(tempfile.mkdtemp())))


def demo_releases(session: Session, instance: Path) -> list[str]:
    """The demo world with the demo's own releases, as `evidence-hub demo` publishes them."""
    framework = demo_world(session, instance)
    references = ensure_demo_releases(session, framework)
    session.commit()
    return references


def publish_through_the_form(evaluator: FlaskClient, **choices: object) -> str:
    """Publish every period and site the form offers (or `choices`) as an evaluator: the address of the
    publication's progress page the form redirects to."""
    form = page(evaluator.get("/releases/new"))
    periods = [option["value"] for option in form.select("#period_from option")]
    data: dict[str, object] = {
        "title": "Pilots to date",
        "version": "all",
        "period_from": periods[0],
        "period_to": periods[-1],
        "sites": [box["value"] for box in form.select("input[name=sites]")],
        "threshold": "10",
        "rounding": "none",
        **choices,
    }
    response = evaluator.post("/releases/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert "/releases/publishing/" in location
    return location


def run_publication(app: Flask, progress_address: str) -> list[int]:
    """Run the publication job the progress page follows, as a worker would (not the files job it queues,
    whose ids are returned)."""
    queued_next = job_running.run_with_app(app, int(progress_address.rstrip("/").rsplit("/", 1)[-1]))
    assert queued_next is not None, "the publication had already run"
    return queued_next
