"""A lead's sites come from their memberships alone; a closed programme is read-only and an archived one
is put away; a framework is imported into a programme its importer administers."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.cli import main
from evidence_hub.db import transaction
from evidence_hub.models import Framework, MembershipRole, Programme, ProgrammeStatus, ReturnStatus, Role
from evidence_hub.services.common.access import (
    NotVisible,
    administered_programmes,
    led_site_ids,
    visible_programmes,
    why_programme_takes_nothing,
)
from evidence_hub.services.framework.errors import FrameworkFileInvalid
from evidence_hub.services.framework.lifecycle import import_framework
from evidence_hub.services.framework.shipped_files import DEFAULT_FRAMEWORK_PATH, shipped_framework_files
from evidence_hub.services.returns import workflow
from evidence_hub.services.returns.editing import lead_may_edit, require_lead_can_edit, why_read_only
from evidence_hub.services.returns.errors import ReturnError
from evidence_hub.services.returns.finding import get_return, returns_needing_attention
from tests.conftest import TEST_CONFIG
from tests.factories import (
    give_membership,
    make_framework,
    make_member_of,
    make_programme,
    make_return,
    make_site,
    make_user,
    periods_of,
    the_programme,
)
from tests.unit.test_programmes import returns_seen, two_programmes


def set_status(db: Session, programme: Programme, status: ProgrammeStatus) -> None:
    with transaction(db):
        programme.status = status.value


def test_a_lead_of_kent_in_one_programme_and_york_in_another_works_on_each_only_in_its_programme(
    db: Session,
) -> None:
    programme_a, programme_b, kent_in_a, kent_in_b = two_programmes(db)
    lead = make_member_of(db, programme_a, Role.SITE_LEAD, MembershipRole.SITE_LEAD, site="kent")
    give_membership(db, lead, programme_b, MembershipRole.SITE_LEAD, site="york")
    kent, york = make_site(db, "kent"), make_site(db, "york")

    assert led_site_ids(lead, programme_a.id) == [kent.id]
    assert led_site_ids(lead, programme_b.id) == [york.id]
    assert returns_seen(db, lead) == {kent_in_a.id}
    with pytest.raises(NotVisible):
        get_return(db, lead, kent_in_b.id)
    require_lead_can_edit(lead, kent_in_a)
    assert not lead_may_edit(lead, kent_in_b)

    first_of_b = periods_of(db, programme_b_framework(programme_b))[0]
    with pytest.raises(NotVisible), transaction(db):
        workflow.start_return(db, lead, first_of_b, kent.id)
    with transaction(db):
        started = workflow.start_return(db, lead, first_of_b)
    assert started.site_id == york.id

    in_b = returns_needing_attention(db, lead, programme_b.id)
    assert {site.code for _, site in in_b["to_start"]} <= {"york"}
    assert [site_return.id for site_return in in_b["to_complete"]] == [started.id]
    in_a = returns_needing_attention(db, lead, programme_a.id)
    assert {site.code for _, site in in_a["to_start"]} == {"kent"}
    assert started.id not in [site_return.id for site_return in in_a["to_complete"]]


def programme_b_framework(programme: Programme) -> Framework:
    session = Session.object_session(programme)
    assert session is not None
    return session.scalars(select(Framework).where(Framework.programme_id == programme.id)).one()


def test_a_closed_programme_takes_no_new_evidence_or_returns_but_can_still_be_read(db: Session) -> None:
    _, programme_b, _, kent_in_b = two_programmes(db)
    lead = make_member_of(db, programme_b, Role.SITE_LEAD, MembershipRole.SITE_LEAD, site="kent")
    evaluator = make_member_of(db, programme_b, Role.EVALUATOR, MembershipRole.EVALUATOR)
    require_lead_can_edit(lead, kent_in_b)

    set_status(db, programme_b, ProgrammeStatus.CLOSED)

    with pytest.raises(ReturnError, match="is closed: it takes no new evidence or returns"):
        require_lead_can_edit(lead, kent_in_b)
    assert "is closed" in why_read_only(kent_in_b)
    later = periods_of(db, programme_b_framework(programme_b))[1]
    with pytest.raises(ReturnError, match="is closed"), transaction(db):
        workflow.start_return(db, lead, later)
    assert returns_needing_attention(db, lead, programme_b.id)["to_start"] == []
    assert returns_seen(db, lead) == {kent_in_b.id}
    assert returns_seen(db, evaluator) == {kent_in_b.id}
    assert [programme.id for programme in visible_programmes(evaluator)] == [programme_b.id]


def test_an_archived_programme_is_hidden_from_its_members_but_not_from_service_administrators(
    db: Session,
) -> None:
    _, programme_b, _, kent_in_b = two_programmes(db)
    evaluator = make_member_of(db, programme_b, Role.EVALUATOR, MembershipRole.EVALUATOR)
    service_administrator = make_user(db, Role.ADMINISTRATOR)

    set_status(db, programme_b, ProgrammeStatus.ARCHIVED)

    assert visible_programmes(evaluator) == []
    assert returns_seen(db, evaluator) == set()
    with pytest.raises(NotVisible):
        get_return(db, evaluator, kent_in_b.id)
    assert programme_b.id in {programme.id for programme in visible_programmes(service_administrator)}
    assert programme_b.id not in {
        programme.id for programme in administered_programmes(service_administrator)
    }


def test_a_programme_administrator_imports_frameworks_into_their_own_programme_only(db: Session) -> None:
    programme_a, programme_b, _, _ = two_programmes(db)
    administrator_of_b = make_member_of(
        db, programme_b, Role.ADMINISTRATOR, MembershipRole.PROGRAMME_ADMINISTRATOR
    )
    source = DEFAULT_FRAMEWORK_PATH.read_text(encoding="utf-8")

    assert [programme.id for programme in administered_programmes(administrator_of_b)] == [programme_b.id]
    with pytest.raises(NotVisible), transaction(db):
        import_framework(db, source, actor=administrator_of_b, programme=programme_a)
    # The default framework already belongs to programme A: B's administrator cannot add a version to it.
    with pytest.raises(FrameworkFileInvalid) as refused, transaction(db):
        import_framework(db, source, actor=administrator_of_b, programme=programme_b)
    assert "belongs to another programme" in str(refused.value.problems[0])


def test_the_import_command_takes_the_programme_by_its_code(
    db: Session, database_url: str, tmp_path: Path
) -> None:
    the_programme(db)
    libraries = make_programme(db, "libraries", sites=("york",))
    source = next(path for path in shipped_framework_files() if path != DEFAULT_FRAMEWORK_PATH)
    environment = {
        "EVIDENCE_HUB_DATABASE_URL": database_url,
        "EVIDENCE_HUB_DOCUMENTS_FOLDER": str(tmp_path),
        "EVIDENCE_HUB_SECRET_KEY": str(TEST_CONFIG["SECRET_KEY"]),
        "EVIDENCE_HUB_LOG_LEVEL": "WARNING",
    }

    refused = CliRunner().invoke(main, ["framework", "import", str(source)], env=environment)
    assert "choose the programme it belongs to" in refused.output
    unknown = CliRunner().invoke(
        main, ["framework", "import", str(source), "--programme", "nowhere"], env=environment
    )
    assert unknown.exit_code != 0 and "no programme with the code nowhere" in unknown.output
    imported = CliRunner().invoke(
        main, ["framework", "import", str(source), "--programme", "libraries"], env=environment
    )

    assert imported.exit_code == 0, imported.output
    db.rollback()
    assert [framework.programme_id for framework in db.scalars(select(Framework))] == [libraries.id]


def test_in_a_closed_programme_an_evaluator_approves_what_was_sent_but_sends_nothing_back(
    db: Session,
) -> None:
    sent = make_return(db, "kent", status=ReturnStatus.SUBMITTED)
    also_sent = make_return(db, "kent", period=1, status=ReturnStatus.SUBMITTED)
    evaluator = make_user(db, Role.EVALUATOR)
    set_status(db, the_programme(db), ProgrammeStatus.CLOSED)

    with pytest.raises(ReturnError, match="is closed"), transaction(db):
        workflow.return_to_site(db, evaluator, sent, "Please add the April costs.")
    with pytest.raises(ReturnError, match="is closed"), transaction(db):
        workflow.reopen(db, evaluator, sent, "A figure is wrong.")
    with transaction(db):
        workflow.approve(db, evaluator, also_sent)
    assert also_sent.status_enum is ReturnStatus.APPROVED


def test_the_framework_commands_change_nothing_in_a_closed_programme_and_say_why(
    db: Session, database_url: str, tmp_path: Path
) -> None:
    framework = make_framework(db)
    next_version = tmp_path / "framework.yaml"
    next_version.write_text(
        DEFAULT_FRAMEWORK_PATH.read_text(encoding="utf-8").replace("\nversion: 1\n", "\nversion: 2\n", 1)
    )
    with transaction(db):
        import_framework(db, next_version.read_text(encoding="utf-8"), actor=None)
    set_status(db, the_programme(db), ProgrammeStatus.CLOSED)
    reason = why_programme_takes_nothing(the_programme(db))
    environment = {
        "EVIDENCE_HUB_DATABASE_URL": database_url,
        "EVIDENCE_HUB_DOCUMENTS_FOLDER": str(tmp_path),
        "EVIDENCE_HUB_SECRET_KEY": str(TEST_CONFIG["SECRET_KEY"]),
        "EVIDENCE_HUB_LOG_LEVEL": "WARNING",
    }
    code = framework.code
    before = [(period.code, period.status) for period in periods_of(db, framework)]

    for command in (
        ["framework", "add-periods", code, "--kind", "quarter", "--first", "2010-04-01", "--count", "2"],
        ["framework", "import", str(next_version)],
        ["framework", "publish", code, "2"],
        ["framework", "delete-draft", code, "2"],
    ):
        refused = CliRunner().invoke(main, command, env=environment)
        assert refused.exit_code != 0, command
        assert reason in " ".join(refused.output.split()), command

    db.rollback()
    db.expire_all()
    assert [(period.code, period.status) for period in periods_of(db, framework)] == before
    assert [(version.version, version.status) for version in framework.versions] == [
        (1, "published"),
        (2, "draft"),
    ]
