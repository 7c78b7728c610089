"""Emails: queued in the same transaction as the event that causes them, to the people the event concerns
(by current membership, respecting each person's choices), sent by a background job through the database
backend or GOV.UK Notify (a stand-in for Notify's API on a local port, reached by the real client), and a
Notify failure leaves the email queued with its reason. Reminders are never sent twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from evidence_hub.db import transaction, utc_now
from evidence_hub.formatting import money
from evidence_hub.models import (
    BackgroundJob,
    Email,
    EmailStatus,
    MembershipRole,
    ReminderSent,
    ReminderStage,
    ReturnStatus,
    Role,
    SiteReturn,
    User,
)
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.accounts.users import AccountSettings
from evidence_hub.services.jobs import running
from evidence_hub.services.notifications import preferences
from evidence_hub.services.notifications.backends import DatabaseBackend, EmailNotSent, NotifyBackend
from evidence_hub.services.notifications.sending import check_deliveries, send_one
from evidence_hub.services.notifications.templates import TEMPLATES, render
from evidence_hub.services.returns import comments, workflow
from evidence_hub.services.returns.completeness import IncompleteReturn
from evidence_hub.services.returns.emails import send_reminders
from tests.factories import (
    make_member_of,
    make_programme,
    make_return,
    make_site,
    make_user,
    periods_of,
    the_framework,
)
from tests.notify_server import API_KEY, TEMPLATE_ID, FakeNotify, fake_notify
from tests.returns_helpers import add_cost, fill_return


def emails_to(db: Session, user: User) -> list[Email]:
    db.rollback()  # A fresh snapshot: sending jobs commit on sessions of their own.
    db.expire_all()
    return list(db.scalars(select(Email).where(Email.user_id == user.id).order_by(Email.id)))


def all_emails(db: Session) -> list[Email]:
    db.rollback()
    db.expire_all()
    return list(db.scalars(select(Email).order_by(Email.id)))


def submitted_return(db: Session, lead: User) -> SiteReturn:
    site_return = fill_return(db, make_return(db, "kent"))
    add_cost(db, site_return, amount="1200.00")
    with transaction(db):
        workflow.submit(db, lead, db.get_one(SiteReturn, site_return.id))
    return db.get_one(SiteReturn, site_return.id)


def test_a_submission_emails_the_programmes_evaluators_and_nobody_outside_it(db: Session) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent", full_name="Amina Lead")
    evaluator = make_user(db, Role.EVALUATOR, full_name="Esther Evaluator")
    elsewhere = make_member_of(db, make_programme(db, "other"), Role.EVALUATOR, MembershipRole.EVALUATOR)

    site_return = submitted_return(db, lead)

    [email] = emails_to(db, evaluator)
    assert email.template == "return_submitted"
    assert email.status_enum is EmailStatus.QUEUED
    assert email.subject == f"Kent has submitted its {site_return.reporting_period.name} return"
    assert "Dear Esther Evaluator" in email.body
    assert "Amina Lead submitted Kent's return" in email.body
    assert f"/review/returns/{site_return.id}" in email.body
    assert emails_to(db, elsewhere) == []
    # Its sending job was queued with it.
    job = db.scalars(select(BackgroundJob).where(BackgroundJob.key == f"send_email:{email.id}")).one()
    assert job.arguments == {"email_id": email.id}


def test_a_step_that_fails_leaves_no_email(db: Session) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    make_user(db, Role.EVALUATOR)
    site_return = make_return(db, "kent")

    with pytest.raises(IncompleteReturn), transaction(db):
        workflow.submit(db, lead, site_return)

    assert all_emails(db) == []
    assert db.scalar(select(func.count()).select_from(BackgroundJob)) == 0


def test_a_return_sent_back_tells_the_lead_what_to_change_and_which_items_carry_comments(db: Session) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    evaluator = make_user(db, Role.EVALUATOR, full_name="Esther Evaluator")
    site_return = submitted_return(db, lead)
    cost = site_return.costs[0]

    with transaction(db):
        comments.add_comment(db, evaluator, site_return, "Is this the whole cost?", "cost", cost.id)
        comments.add_comment(db, evaluator, site_return, "Check the dates throughout.", "return", None)
        workflow.return_to_site(db, evaluator, site_return, "Please split the staff costs by partner.")

    [email] = emails_to(db, lead)
    assert email.template == "return_returned"
    assert "has been returned with comments" in email.subject
    assert "Esther Evaluator has returned Kent's return" in email.body
    assert "Please split the staff costs by partner." in email.body
    assert f"* Cost: {cost.description}" in email.body
    # Only the item commented on is listed; the comment on the return as a whole names no item.
    assert [line for line in email.body.splitlines() if line.startswith("* ")] == [
        f"* Cost: {cost.description} ({money(cost.amount)})"
    ]
    assert f"/returns/{site_return.id}" in email.body


def test_approval_and_the_close_of_the_period_tell_the_lead(db: Session) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    evaluator = make_user(db, Role.EVALUATOR)
    administrator = make_user(db, Role.ADMINISTRATOR)
    site_return = submitted_return(db, lead)

    with transaction(db):
        workflow.approve(db, evaluator, site_return)
    with transaction(db):
        workflow.close_period(db, administrator, site_return.reporting_period)

    assert [email.template for email in emails_to(db, lead)] == ["return_approved", "period_closed"]
    closed = emails_to(db, lead)[1]
    assert "is now locked (approved)" in closed.body


def test_a_person_who_turned_an_email_off_does_not_get_it_but_account_emails_always_come(db: Session) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    evaluator = make_user(db, Role.EVALUATOR)
    with transaction(db):
        preferences.set_choices(db, user=evaluator, wanted=set())
    submitted_return(db, lead)
    assert emails_to(db, evaluator) == []

    with transaction(db):
        accounts.request_password_reset(
            db, email=evaluator.email, ip_address="192.0.2.1", settings=AccountSettings()
        )
    [reset] = emails_to(db, evaluator)
    assert reset.template == "password_reset"
    assert "/reset-password/" in reset.body


def test_the_choices_offered_are_those_of_the_persons_role_with_release_emails_off_until_chosen(
    db: Session,
) -> None:
    official = make_user(db, Role.NATIONAL_OFFICIAL)
    lead = make_user(db, Role.SITE_LEAD, site="kent")

    assert [(choice.template.name, choice.wanted) for choice in preferences.choices_of(db, official)] == [
        ("release_published", False)
    ]
    assert {choice.template.name for choice in preferences.choices_of(db, lead)} == {
        "return_due",
        "return_overdue",
        "return_returned",
        "return_approved",
        "period_closed",
    }


def test_a_reset_request_for_an_unknown_address_sends_nothing_and_requests_are_limited(db: Session) -> None:
    user = make_user(db, Role.EVALUATOR)
    settings = AccountSettings(reset_requests_per_account=2)

    with transaction(db):
        accounts.request_password_reset(
            db, email="nobody@example.gov.uk", ip_address="192.0.2.1", settings=settings
        )
    assert all_emails(db) == []

    for _ in range(4):
        with transaction(db):
            accounts.request_password_reset(
                db, email=user.email.upper(), ip_address="192.0.2.1", settings=settings
            )
    assert len(emails_to(db, user)) == 2


def test_every_template_renders_a_subject_and_plain_words_with_a_link() -> None:
    content = {
        "name": "Sam",
        "service_url": "https://evidence.example.gov.uk",
        "site": "Kent",
        "period": "2009-10 Q1",
        "programme": "Worklessness pilots",
        "due_on": "15 July 2009",
        "days_left": 3,
        "missing": ["Impact measures: Enter a value for Claimant count"],
        "submitted_by": "Amina",
        "submitted_on": "1 July 2009",
        "reviewer": "Esther",
        "comment": "Split the costs.",
        "commented_items": ["Cost: Staff"],
        "state": "approved",
        "title": "Learning to date",
        "reference": "WDS-2010-01",
        "periods": "2009-10 Q1 to 2009-10 Q4",
        "invited_by": "Alex",
        "role": "evaluator",
        "expires": "8 July 2009 at 3:00pm",
        "link": "https://evidence.example.gov.uk/somewhere",
        "preferences_link": "https://evidence.example.gov.uk/account/emails",
    }
    for name in TEMPLATES:
        rendered = render(name, content)
        assert rendered.subject and len(rendered.subject) < 120, name
        assert rendered.body.startswith("Dear Sam,"), name
        assert "https://evidence.example.gov.uk/somewhere" in rendered.body, name
        assert "{" not in rendered.body, name
    assert "due in 3 days" in render("return_due", content).subject
    assert "* Impact measures: Enter a value for Claimant count" in render("return_due", content).body


# Reminders


def due_on(db: Session) -> tuple[int, object]:
    period = periods_of(db, the_framework(db))[0]
    return period.id, period.returns_due_on


def test_reminders_go_to_the_sites_leads_at_each_stage_once_saying_what_is_missing(db: Session) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    period_id, due = due_on(db)

    with transaction(db):
        first = send_reminders(db, due - timedelta(days=14))  # type: ignore[operator]
    with transaction(db):
        again = send_reminders(db, due - timedelta(days=10))  # type: ignore[operator]
    with transaction(db):
        second = send_reminders(db, due - timedelta(days=3))  # type: ignore[operator]
    with transaction(db):
        late = send_reminders(db, due + timedelta(days=1))  # type: ignore[operator]
    with transaction(db):
        late_again = send_reminders(db, due + timedelta(days=2))  # type: ignore[operator]

    assert (first.emails, again.emails, second.emails, late.emails, late_again.emails) == (1, 0, 1, 1, 0)
    sent = emails_to(db, lead)
    assert [email.template for email in sent] == ["return_due", "return_due", "return_overdue"]
    assert "due in 14 days" in sent[0].subject and "due in 3 days" in sent[1].subject
    assert "Everything: the return has not been started" in sent[0].body
    stages = set(db.scalars(select(ReminderSent.stage).where(ReminderSent.reporting_period_id == period_id)))
    assert stages >= {stage.value for stage in ReminderStage}


def test_a_site_first_reminded_late_gets_only_the_latest_stage_and_a_submitted_return_none(
    db: Session,
) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    other_lead = make_user(db, Role.SITE_LEAD, site="leeds")
    make_return(db, "leeds", status=ReturnStatus.SUBMITTED)
    _period_id, due = due_on(db)

    with transaction(db):
        send_reminders(db, due - timedelta(days=2))  # type: ignore[operator]

    assert [email.subject for email in emails_to(db, lead)] == [
        f"Kent: your {periods_of(db, the_framework(db))[0].name} return is due in 2 days"
    ]
    assert emails_to(db, other_lead) == []


def test_the_database_refuses_a_second_reminder_for_the_same_return_and_stage(db: Session) -> None:
    kent = make_site(db, "kent")
    period_id, _due = due_on(db)
    with transaction(db):
        db.add(ReminderSent(site_id=kent.id, reporting_period_id=period_id, stage="due_14"))
    with pytest.raises(IntegrityError), transaction(db):
        db.add(ReminderSent(site_id=kent.id, reporting_period_id=period_id, stage="due_14"))


def test_no_reminder_for_a_period_long_past(db: Session) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    _period_id, due = due_on(db)
    with transaction(db):
        send_reminders(db, due + timedelta(days=400))  # type: ignore[operator]
    assert emails_to(db, lead) == []


# Sending


def factory(app: Flask) -> sessionmaker[Session]:
    return app.extensions["evidence_hub.session_factory"]  # type: ignore[no-any-return]


def queued_reset(db: Session) -> Email:
    user = make_user(db, Role.EVALUATOR)
    with transaction(db):
        accounts.request_password_reset(
            db, email=user.email, ip_address="192.0.2.9", settings=AccountSettings()
        )
    [email] = emails_to(db, user)
    return email


def notify_backend(notify: FakeNotify) -> NotifyBackend:
    return NotifyBackend(api_key=API_KEY, template_id=TEMPLATE_ID, base_url=notify.base_url)


def test_the_database_backend_records_the_email_and_sends_nothing(app: Flask, db: Session) -> None:
    email = queued_reset(db)
    job_id = db.scalars(select(BackgroundJob.id).where(BackgroundJob.key == f"send_email:{email.id}")).one()

    assert running.run_job(factory(app), job_id, {"email_backend": DatabaseBackend()}) is not None

    [sent] = all_emails(db)
    assert sent.status_enum is EmailStatus.RECORDED
    assert sent.sent_at is not None and sent.attempts == 1


def test_notify_gets_the_subject_and_body_and_later_says_it_was_delivered(db: Session) -> None:
    email = queued_reset(db)
    queued = {"subject": email.subject, "body": email.body}
    with fake_notify() as notify:
        backend = notify_backend(notify)
        assert send_one(db, email.id, backend) is EmailStatus.SENDING
        [request] = notify.sent
        assert request["email_address"] == email.to_address
        assert request["template_id"] == TEMPLATE_ID
        assert request["personalisation"] == queued

        [sent] = all_emails(db)
        assert sent.status_enum is EmailStatus.SENDING and sent.provider_id in notify.statuses
        # Notify has the reset link; the copy kept for administrators no longer holds it.
        assert "/reset-password/" in request["personalisation"]["body"]
        assert "/reset-password/[link removed once sent]" in sent.body
        assert request["personalisation"]["body"].split("/reset-password/")[1][:20] not in sent.body
        # Sent again (a retried job), it is not sent twice.
        assert send_one(db, email.id, backend) is EmailStatus.SENDING
        assert len(notify.sent) == 1

        notify.statuses[sent.provider_id] = "delivered"
        assert check_deliveries(db, backend) == 1
    assert all_emails(db)[0].status_enum is EmailStatus.DELIVERED


def test_an_address_notify_could_not_deliver_to_says_why(db: Session) -> None:
    email = queued_reset(db)
    with fake_notify() as notify:
        backend = notify_backend(notify)
        send_one(db, email.id, backend)
        [sent] = all_emails(db)
        notify.statuses[sent.provider_id] = "permanent-failure"
        check_deliveries(db, backend)
    [failed] = all_emails(db)
    assert failed.status_enum is EmailStatus.NOT_DELIVERED
    assert "permanent failure" in failed.last_error


def test_a_notify_error_leaves_the_email_queued_with_its_reason_for_the_next_try(
    app: Flask, db: Session
) -> None:
    email = queued_reset(db)
    job_id = db.scalars(select(BackgroundJob.id).where(BackgroundJob.key == f"send_email:{email.id}")).one()
    refusal = {
        "status_code": 400,
        "errors": [
            {"error": "BadRequestError", "message": "Can't send to this recipient using a team-only API key"}
        ],
    }
    with fake_notify() as notify:
        notify.refuse_with = (400, refusal)
        with pytest.raises(running.JobFailed):
            running.run_job(factory(app), job_id, {"email_backend": notify_backend(notify)})

        [queued] = all_emails(db)
        assert queued.status_enum is EmailStatus.QUEUED
        assert queued.attempts == 1
        assert "team-only API key" in queued.last_error
        # The event that caused it (the reset link) is still there, and the next try succeeds.
        notify.refuse_with = None
        assert running.run_job(factory(app), job_id, {"email_backend": notify_backend(notify)}) is not None
    [sent] = all_emails(db)
    assert sent.status_enum is EmailStatus.SENDING and sent.attempts == 2


def test_notify_out_of_reach_is_a_reason_too(db: Session) -> None:
    email = queued_reset(db)
    with fake_notify() as notify:
        base_url = notify.base_url
    unreachable = NotifyBackend(api_key=API_KEY, template_id=TEMPLATE_ID, base_url=base_url)
    with pytest.raises(EmailNotSent):
        send_one(db, email.id, unreachable)
    [queued] = all_emails(db)
    assert queued.status_enum is EmailStatus.QUEUED
    assert queued.last_error.startswith("GOV.UK Notify did not accept the email")


def test_a_published_release_emails_the_officials_who_opted_in(db: Session, tmp_path: Path) -> None:
    from tests.release_helpers import demo_world, publish

    framework = demo_world(db, tmp_path)
    release = publish(db, framework)

    release_emails = [email for email in all_emails(db) if email.template == "release_published"]
    assert release_emails, "the demo's national official opted in"
    for email in release_emails:
        assert email.subject == f"New release: {release.title}"
        assert f"/releases/{release.reference}" in email.body
        official = db.get_one(User, email.user_id)
        assert official.role_enum is Role.NATIONAL_OFFICIAL


def test_the_send_reminders_command_sends_each_reminder_once(
    db: Session, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from evidence_hub.cli import main

    lead = make_user(db, Role.SITE_LEAD, site="kent")
    _period_id, due = due_on(db)
    monkeypatch.setenv("EVIDENCE_HUB_DATABASE_URL", database_url)
    monkeypatch.setenv("EVIDENCE_HUB_SECRET_KEY", "a-secret-key-long-enough-for-the-configuration-checks")
    monkeypatch.setenv("EVIDENCE_HUB_JOBS_RUN_BY", "now")
    day = (due - timedelta(days=3)).isoformat()  # type: ignore[operator]

    first = CliRunner().invoke(main, ["send-reminders", "--today", day])
    second = CliRunner().invoke(main, ["send-reminders", "--today", day])

    assert first.exit_code == 0, first.output
    assert "Reminders: 1 queued (1 emails)." in first.output
    assert "Reminders: 0 queued (0 emails)." in second.output
    [reminder] = emails_to(db, lead)
    assert reminder.template == "return_due"
    assert reminder.status_enum is EmailStatus.RECORDED


def test_the_worker_queues_reminders_on_a_schedule(app: Flask) -> None:
    from evidence_hub.cli.worker import REMINDERS_CRON, REMINDERS_TASK, queue_for

    scheduled = queue_for(app).periodic_registry.periodic_tasks.values()
    assert [(each.task.name, each.cron) for each in scheduled] == [(REMINDERS_TASK, REMINDERS_CRON)]


def test_the_notify_backend_will_not_start_without_its_key_and_template(tmp_path: Path) -> None:
    from evidence_hub import create_app
    from evidence_hub.config import ConfigurationError
    from tests.conftest import TEST_CONFIG

    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    with pytest.raises(ConfigurationError, match="EVIDENCE_HUB_NOTIFY_API_KEY"):
        create_app({**TEST_CONFIG, **database, "EMAIL_BACKEND": "notify"})
    with pytest.raises(ConfigurationError, match="EVIDENCE_HUB_EMAIL_BACKEND must be one of"):
        create_app({**TEST_CONFIG, **database, "EMAIL_BACKEND": "smtp"})


def test_an_email_whose_tries_were_all_spent_is_queued_again_an_hour_later(app: Flask, db: Session) -> None:
    from evidence_hub.models import JobStatus
    from evidence_hub.services.notifications.sending import queue_given_up_again

    email = queued_reset(db)
    with transaction(db):
        job = db.scalars(select(BackgroundJob).where(BackgroundJob.key == f"send_email:{email.id}")).one()
        job.status, job.attempts = JobStatus.FAILED.value, running.MAX_ATTEMPTS
        job.finished_at = utc_now() - timedelta(minutes=30)
    with transaction(db):
        assert queue_given_up_again(db) == 0  # Not yet: it gave up half an hour ago.
    with transaction(db):
        job.finished_at = utc_now() - timedelta(hours=2)
    with transaction(db):
        assert queue_given_up_again(db) == 1

    assert running.run_job(factory(app), job.id, {"email_backend": DatabaseBackend()}) is not None
    assert all_emails(db)[0].status_enum is EmailStatus.RECORDED
