"""Releases an intruder cannot unpick: adversarial worlds published through the services, every file an
official can download read back (XLSX, CSV zip, PDF and DOCX, the API's JSON), and an intruder's integer
programme written in the tests (tests/intruder_programme.py, tests/exported_files.py, sharing nothing with
the code under test) solved over all of them together. No [c] may come out EXACT, NARROW or EXISTENCE.

The world (four quarters, threshold 10), one site for each way of giving a [c] away:
- "alone": one small count of people alone in its row (3 in Q1);
- "pair" and "column": two small counts sharing a row ("pair" Q1 and Q2) and two sharing a column (Q1);
- "nine": a row total of 10 with one cell of 9 (9, 1, 0, 0);
- "alone" again: a job entry rate and a cost per client over a suppressed count of clients engaged
  (6 clients, 2 job entries, the rate and unit cost the site reported printed beside them before);
- "big": large counts everywhere.
The activities are targeted outreach, whose people reached the appraisal counts as people, so the value
for money's cost per person reached divides by the people-reached counts, and its cost per outcome by job
entries: a unit cost over a suppressed count, and a cost per outcome over a suppressed outcome.
Releases: Q1–Q3, then Q1–Q4 (overlapping); and, in a world of its own, counts rounded to 5 with rates.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import tests.exported_files as exported_files
from evidence_hub.cli.releases import release_cli
from evidence_hub.db import transaction
from evidence_hub.demo_evidence import ensure_demo_releases
from evidence_hub.models import Framework, Release, ReleaseRow, Role, Site, User
from evidence_hub.models.framework import ActivityType, FrameworkVersion, Indicator
from evidence_hub.models.returns import Activity, MeasureValue, ReturnStatus
from evidence_hub.services.accounts import api_tokens
from evidence_hub.services.releases import publishing
from evidence_hub.services.releases.intruder import Fact, Linear
from evidence_hub.services.releases.protected_tables import KNOWLEDGE_TABLE, ReleaseRefused, stored_knowledge
from tests.exported_files import GREEN_BOOK, ExportedRelease, Formula, downloaded
from tests.factories import make_return, make_site, make_user, periods_of, the_framework
from tests.intruder_programme import IntruderProgramme, PublishedRate, key
from tests.pages import heading, page
from tests.release_helpers import demo_world, publish_through_the_form, run_publication
from tests.returns_helpers import add_cost

THRESHOLD = 10
PEOPLE = {
    "alone": [3, 40, 50, 60],
    "pair": [4, 6, 45, 55],
    "column": [5, 70, 35, 25],
    "nine": [9, 1, 0, 0],
    "big": [80, 90, 100, 110],
}
CLIENTS = {"alone": [6, 30, 40, 50], "pair": [20, 25, 30, 35], "column": [12, 15, 18, 21]}
JOBS = {"alone": [2, 5, 12, 20], "pair": [3, 11, 4, 12], "column": [1, 2, 3, 4]}
PEOPLE_INDICATORS = {"WL-CLIENTS-ENGAGED", "WL-JOB-ENTRIES"}
FORMULAS = {
    "WL-JOB-ENTRY-RATE": Formula("WL-JOB-ENTRIES", "WL-CLIENTS-ENGAGED", Fraction(100), 1),
    "WL-COST-PER-CLIENT": Formula("cost", "WL-CLIENTS-ENGAGED", Fraction(1, 100), 2),
}


def build_world(db: Session) -> Framework:
    """The sites' approved returns, each with its people reached, measures and a cost."""
    framework = the_framework(db)
    indicators = {
        indicator.code: indicator
        for indicator in db.scalars(
            select(Indicator).where(Indicator.framework_version_id == framework.published_version.id)  # type: ignore[union-attr]
        )
    }
    periods = periods_of(db, framework)
    for code, people in PEOPLE.items():
        site = make_site(db, code, name=code.title())
        for quarter, reached in enumerate(people):
            site_return = make_return(db, site, period=quarter, status=ReturnStatus.APPROVED)
            add_cost(db, site_return, amount="1000.00")
            with transaction(db):
                version = site_return.framework_version
                db.add(
                    Activity(
                        site_return_id=site_return.id,
                        site_id=site.id,
                        activity_type_id=outreach_of(version).id,
                        title="Outreach",
                        starts_on=periods[quarter].starts_on,
                        ends_on=periods[quarter].starts_on,
                        people_reached=reached,
                        import_reference=f"A-{code}-{quarter}",
                    )
                )
                if code in CLIENTS:
                    clients, jobs = CLIENTS[code][quarter], JOBS[code][quarter]
                    reported = {
                        "WL-CLIENTS-ENGAGED": Decimal(clients),
                        "WL-JOB-ENTRIES": Decimal(jobs),
                        "WL-JOB-ENTRY-RATE": (Decimal(100 * jobs) / clients).quantize(Decimal("0.1")),
                        "WL-COST-PER-CLIENT": (Decimal(1000) / clients).quantize(Decimal("0.01")),
                        "WL-REFERRALS": Decimal(3),
                    }
                    for indicator_code, value in reported.items():
                        db.add(
                            MeasureValue(
                                site_return_id=site_return.id,
                                site_id=site.id,
                                indicator_id=indicators[indicator_code].id,
                                value=value,
                            )
                        )
    db.commit()
    return framework


def outreach_of(version: FrameworkVersion) -> ActivityType:
    return next(each for each in version.activity_types if each.code == "TARGETED-OUTREACH")


def publish_range(db: Session, framework: Framework, last: int, *, round_to: int | None = None) -> Release:
    periods = periods_of(db, framework)
    sites = list(db.scalars(select(Site).where(Site.code.in_(list(PEOPLE))).order_by(Site.name)))
    with transaction(db):
        release = publishing.publish_release(
            db,
            publishing.ReleaseRequest(
                actor=evaluator_of(db),
                framework=framework,
                version=None,
                period_from=periods[0],
                period_to=periods[last],
                sites=sites,
                title=f"Fixture release to quarter {last + 1}",
                threshold=THRESHOLD,
                round_to=round_to,
            ),
        )
    return release


def evaluator_of(db: Session) -> User:
    email = "fixture.evaluator@example.gov.uk"
    return db.scalar(select(User).where(User.email == email)) or make_user(db, Role.EVALUATOR, email=email)


def intruder_of(
    app: Flask,
    db: Session,
    client_as: Callable[..., FlaskClient],
    references: list[str],
    *,
    rounding: int | None = None,
    people_indicators: set[str] = PEOPLE_INDICATORS,
) -> tuple[IntruderProgramme, list[ExportedRelease]]:
    """The intruder's programme over every file of the releases, after checking that every figure it does
    not model, worked out from a count shown as [c], is withheld in the files."""
    official = client_as(Role.NATIONAL_OFFICIAL)
    reader = make_user(db, Role.NATIONAL_OFFICIAL, email="api.reader@example.gov.uk")
    with transaction(db):
        secret = api_tokens.create_token(db, user=reader, name="intruder", days=30).secret
    programme = IntruderProgramme(THRESHOLD)
    releases = []
    for reference in references:
        exported = downloaded(official, app.test_client(), secret, reference)
        assert exported_files.check_withheld(exported, rounding=rounding) == []
        exported_files.add_release(
            programme,
            exported,
            people_indicators=people_indicators,
            formulas=FORMULAS,
            rounding=rounding,
        )
        releases.append(exported)
    return programme, releases


def failures_across(
    app: Flask, db: Session, client_as: Callable[..., FlaskClient], references: list[str], **options: Any
) -> tuple[dict[str, tuple[str, int, int | None]], int]:
    programme, _ = intruder_of(app, db, client_as, references, **options)
    return programme.failures(), len(programme.suppressed)


def test_overlapping_releases_of_the_adversarial_world_give_no_c_away(
    app: Flask,
    db: Session,
    client_as: Callable[..., FlaskClient],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    framework = build_world(db)
    first = publish_range(db, framework, 2)
    second = publish_range(db, framework, 3)
    db.commit()
    failures, suppressed = failures_across(app, db, client_as, [first.reference, second.reference])
    assert suppressed >= 6, "the small counts are there to protect"
    assert failures == {}

    # The appraisal's figures over a site's exact counts are withheld where its counts are [c].
    db.refresh(second)
    appraisal = second.content["summary"]["value_for_money"]["appraisal"]
    alone = next(site for site in appraisal["sites"] if site["name"] == "Alone")
    counted = {figure["key"]: figure["display"] for figure in alone["figures"]}
    assert counted["cost_per_person_reached"] == counted["cost_per_outcome"] == "[c]"

    # The evaluator sees the audit; an official a plain sentence that it passed.
    evaluator_page = page(client_as(Role.EVALUATOR).get(f"/releases/{second.reference}")).get_text(" ")
    assert "Disclosure audit" in evaluator_page and "narrowest range an intruder" in evaluator_page
    official_page = page(client_as(Role.NATIONAL_OFFICIAL).get(f"/releases/{second.reference}")).get_text(" ")
    assert "This release passed the disclosure audit" in official_page
    assert "narrowest range" not in official_page

    # The audit on demand, from the command line, over both releases together.
    monkeypatch.setenv("EVIDENCE_HUB_DATABASE_URL", database_url)
    monkeypatch.setenv("EVIDENCE_HUB_SECRET_KEY", "a-test-secret-key-that-is-long-enough-to-pass")
    result = CliRunner().invoke(release_cli, ["audit", first.reference, second.reference])
    assert result.exit_code == 0, result.output
    assert f"[c] in {first.reference}, {second.reference}, audited together" in result.output
    assert "Passed: no [c] can be worked out exactly" in result.output
    missing = CliRunner().invoke(release_cli, ["audit", "WDS-1999-01"])
    assert missing.exit_code == 1 and "There is no release WDS-1999-01" in missing.output


def test_counts_rounded_to_five_with_rates_beside_them_give_no_c_away(
    app: Flask, db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    framework = build_world(db)
    release = publish_range(db, framework, 3, round_to=5)
    db.commit()
    failures, suppressed = failures_across(app, db, client_as, [release.reference], rounding=5)
    assert suppressed >= 6
    assert failures == {}


def test_the_demo_releases_give_no_c_away(
    app: Flask, db: Session, client_as: Callable[..., FlaskClient], tmp_path: Path
) -> None:
    framework = demo_world(db, tmp_path)
    references = ensure_demo_releases(db, framework)
    db.commit()
    assert len(references) == 2
    people = {
        indicator.code
        for version in framework.versions
        for indicator in version.indicators
        if indicator.unit == "count" and (indicator.release_rules or {}).get("counts") != "records"
    }
    failures, _ = failures_across(app, db, client_as, references, people_indicators=people)
    assert failures == {}


def test_publishing_refuses_a_release_whose_c_an_earlier_release_gave_away(db: Session) -> None:
    """An earlier release that printed a small count exactly (as releases did before the audit), since
    withdrawn, is simulated by adding that fact to what it told the intruder: no suppression in the new
    release can hide the count again, so publishing refuses and says which count and why."""
    framework = build_world(db)
    leak_a_small_count_in_an_earlier_release(db, framework)
    with pytest.raises(ReleaseRefused) as refused:
        publish_range(db, framework, 3)
    message = str(refused.value)
    assert message.startswith("This release cannot be published")
    assert "Alone, 2009 Q2 (April to June 2009), people reached: could be worked out as exactly 3" in message
    assert "earlier releases alone" in message
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Release)) == 1, "nothing more was published"


def test_an_evaluator_publishing_through_the_pages_reads_the_audits_refusal_on_the_progress_page(
    app: Flask, client_as: Callable[..., FlaskClient], db: Session
) -> None:
    framework = build_world(db)
    leak_a_small_count_in_an_earlier_release(db, framework)
    periods = periods_of(db, framework)
    evaluator = client_as(Role.EVALUATOR)

    progress_address = publish_through_the_form(
        evaluator,
        title="Quarters one to four",
        period_from=periods[0].code,
        period_to=periods[3].code,
        sites=list(PEOPLE),
        threshold=str(THRESHOLD),
    )
    run_publication(app, progress_address)

    refused = page(evaluator.get(progress_address))
    assert heading(refused) == "The release was not published"
    message = refused.select_one(".app-publication-refusal").get_text()
    assert message.startswith("This release cannot be published")
    assert "Alone, 2009 Q2 (April to June 2009), people reached: could be worked out as exactly 3" in message
    states = [step["data-step-state"] for step in refused.select(".app-publication-step")]
    assert states == ["done", "refused", "waiting", "waiting"]
    assert refused.select_one("[data-publication-progress]")["data-finished"] == "true"
    assert refused.select_one("head noscript") is None, "a refused publication stops refreshing"
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Release)) == 1, "nothing more was published"


def leak_a_small_count_in_an_earlier_release(db: Session, framework: Framework) -> None:
    """A first release (quarters 1 to 3) that, as releases did before the audit, printed a small count
    exactly, and was withdrawn since."""
    first = publish_range(db, framework, 2)
    db.commit()
    told = stored_knowledge(db, [first])
    small = next(
        key for key, quantity in told.quantities.items() if quantity.label.startswith("Alone, 2009 Q2")
    )
    leak = Fact.exact(Linear.of(small), 3, "an old table of people reached (3)")
    with transaction(db):
        db.add(
            ReleaseRow(
                release_id=first.id, table_code=KNOWLEDGE_TABLE, position=10**6, cells=[["f", leak.as_json()]]
            )
        )
    # Withdrawn, it still counts: what was downloaded before the withdrawal stays downloaded.
    with transaction(db):
        publishing.withdraw_release(db, actor=evaluator_of(db), release=first, reason="Superseded.")


def test_value_for_money_over_suppressed_counts_is_withheld_in_the_files(
    app: Flask, db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    """A unit cost over a suppressed count, and a cost per outcome over a suppressed outcome, in the value
    for money: "Alone" has 3 people reached and 2 job entries in Q1. Read from the PDF and the DOCX, its
    figures built on those counts are [c] (and so are all sites' together), while a site whose counts are
    all shown keeps its cost per person reached, which the intruder's programme takes in. Printed as the
    appraisal works them out, Alone's cost per outcome would give its job entries away: the programme
    catches that."""
    framework = build_world(db)
    release = publish_range(db, framework, 3)
    db.commit()
    programme, (exported,) = intruder_of(app, db, client_as, [release.reference])
    assert programme.failures() == {}

    figures = exported_files.value_for_money_tables(exported)[GREEN_BOOK]
    by_site = {row[0]: dict(zip(figures[0], row, strict=True)) for row in figures[1:]}
    for name in ("Alone", "All sites"):
        assert by_site[name]["Cost per person reached"] == by_site[name]["Cost per outcome"] == "[c]"
        assert by_site[name]["Net present value"] == by_site[name]["Benefit–cost ratio"] == "[c]"
    assert by_site["Big"]["Cost per person reached"].startswith("£"), "counts all shown: the figure stays"
    assert "Alone" in exported.text and "[c]" in exported.text

    # What the old design printed: Alone's cost per outcome over its exact job entries (2 + 5 + 12 + 20).
    # Its real cost is Big's (the same £1,000 a quarter), which Big's cost per person reached gives away:
    # 380 people (80 + 90 + 100 + 110) × what it prints, to within half a penny a person.
    big = Decimal(by_site["Big"]["Cost per person reached"].replace("£", "").replace(",", ""))
    alone = exported_files.real_cost_key(exported.reference, "alone")
    people = sum(PEOPLE["big"])
    programme.fact(
        {alone: 1},
        Fraction((big - Decimal("0.005")) * people * 100),
        Fraction((big + Decimal("0.005")) * people * 100),
    )
    real_cost = big * people
    periods = sorted(
        {row["period_code"] for row in exported.tables["measures"] if row["site_code"] == "alone"}
    )
    PublishedRate(
        "Alone, cost per outcome",
        {alone: 1},
        {key("measure:WL-JOB-ENTRIES", "alone", period): 1 for period in periods},
        (real_cost / sum(JOBS["alone"])).quantize(Decimal("0.01")),
        2,
        Fraction(1, 100),
        from_shown=False,
    ).add_to(programme, {})
    assert programme.failures(), "a cost per outcome over the exact job entries would give a [c] away"


def test_a_percentage_with_no_formula_declared_is_withheld(
    app: Flask, db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    """A framework that says nothing of how a percentage is made (here the job entry rate, its declaration
    taken away): its base is unknown, so it is withheld everywhere, and the release passes the intruder."""
    framework = build_world(db)
    db.execute(update(Indicator).where(Indicator.code == "WL-JOB-ENTRY-RATE").values(release_rules=None))
    db.commit()
    release = publish_range(db, framework, 3)
    db.commit()
    programme, (exported,) = intruder_of(app, db, client_as, [release.reference])
    rates = [
        row["value"] for row in exported.tables["measures"] if row["indicator_code"] == "WL-JOB-ENTRY-RATE"
    ]
    assert rates and set(rates) == {"[c]"}
    assert programme.failures() == {}
    assert "A percentage the framework gives no formula or denominator for is withheld" in " ".join(
        exported.text.split()
    )
