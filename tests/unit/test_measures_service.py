"""Impact measures: figures checked against their unit and plausible range, "not yet available" as an
answer of its own, one answer per indicator per return, baselines set once and changed with a reason,
and an audit record for every change."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import AuditEvent, Baseline, MeasureValue, ReturnStatus, Role, SiteReturn, User
from evidence_hub.services.common.access import NotVisible
from evidence_hub.services.returns import measures
from evidence_hub.services.returns.errors import InvalidEvidence, ReturnError, StaleEdit
from evidence_hub.services.returns.measure_checks import BaselineInput, MeasureInput
from tests.factories import make_return, make_user

ENGAGED = "WL-CLIENTS-ENGAGED"  # count, 0 to 5,000, target required
REFERRALS = "WL-REFERRALS"  # count, 0 to 10,000, no target
RATE = "WL-JOB-ENTRY-RATE"  # percentage, 1 decimal place, 0 to 60
COST = "WL-COST-PER-CLIENT"  # money, 2 decimal places, 0 to 5,000
LEGAL_BASIS = "WL-LEGAL-BASIS-CONFIRMED"  # yes or no
SCORE = "WL-PARTNERSHIP-SCORE"  # score, 1 decimal place, 1 to 5

GOOD = MeasureInput(
    value="120",
    target="150",
    data_source="The pilot's client tracking spreadsheet",
    quality_rating="good",
    quality_reason="Checked against the attendance registers",
    evidence_level="nesta:2",
    commentary="A mailing to 2,000 households in March.",
)


@pytest.fixture
def kent_return(db: Session) -> SiteReturn:
    return make_return(db, "kent")


@pytest.fixture
def lead(db: Session) -> User:
    return make_user(db, Role.SITE_LEAD, site="kent")


def save(
    db: Session, user: User, site_return: SiteReturn, code: str, data: MeasureInput, **kwargs: Any
) -> MeasureValue:
    with transaction(db):
        return measures.save_measure(db, user, site_return, code, data, **kwargs)


def refused(
    db: Session, user: User, site_return: SiteReturn, code: str, data: MeasureInput
) -> dict[str, str]:
    with pytest.raises(InvalidEvidence) as caught:
        save(db, user, site_return, code, data)
    return caught.value.problems


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def audit_of(db: Session, object_type: str) -> list[AuditEvent]:
    return list(
        db.scalars(select(AuditEvent).where(AuditEvent.object_type == object_type).order_by(AuditEvent.id))
    )


def test_a_figure_is_saved_with_who_saved_it_in_the_audit_log(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    measure = save(db, lead, kent_return, ENGAGED, GOOD)

    assert measure.value == Decimal("120")
    assert measure.target == Decimal("150")
    assert measure.evidence_level is not None and measure.evidence_level.level == 2
    assert measure.site_id == kent_return.site_id
    [record] = audit_of(db, "measure")
    assert record.action == "measure.created"
    assert record.actor_id == lead.id
    assert (
        record.after is not None and record.after["value"] == "120" and record.after["indicator"] == ENGAGED
    )


def test_saving_the_same_indicator_again_updates_its_one_answer(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    first = save(db, lead, kent_return, ENGAGED, GOOD)
    second = save(db, lead, kent_return, ENGAGED, replace(GOOD, value="135"), submitted_version=first.version)

    assert second.id == first.id
    assert count(db, MeasureValue) == 1
    assert second.value == Decimal("135")
    assert second.version == 2
    update = audit_of(db, "measure")[-1]
    assert update.action == "measure.updated"
    assert update.before == {"value": "120"}
    assert update.after == {"value": "135"}


def test_saving_an_unchanged_answer_writes_no_audit_record(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    save(db, lead, kent_return, ENGAGED, GOOD)
    save(db, lead, kent_return, ENGAGED, GOOD)

    assert len(audit_of(db, "measure")) == 1


def test_not_yet_available_is_an_answer_with_a_reason_and_is_not_zero(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    measure = save(
        db,
        lead,
        kent_return,
        ENGAGED,
        MeasureInput(
            not_available=True, not_available_reason="Jobcentre Plus has not sent the March figures yet"
        ),
    )

    assert measure.value is None
    assert not measure.is_available
    assert measure.not_available_reason == "Jobcentre Plus has not sent the March figures yet"


def test_zero_is_a_figure_not_a_missing_one(db: Session, kent_return: SiteReturn, lead: User) -> None:
    measure = save(db, lead, kent_return, REFERRALS, replace(GOOD, value="0", target=None))

    assert measure.value == 0
    assert measure.is_available


def test_not_yet_available_needs_a_reason(db: Session, kent_return: SiteReturn, lead: User) -> None:
    errors = refused(
        db, lead, kent_return, ENGAGED, MeasureInput(not_available=True, not_available_reason="  ")
    )

    assert errors == {
        "not_available_reason": "Say why the figure for Clients engaged through data-led targeting is not "
        "yet available"
    }
    assert count(db, MeasureValue) == 0


def test_a_figure_and_not_yet_available_together_are_refused(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    errors = refused(
        db,
        lead,
        kent_return,
        ENGAGED,
        MeasureInput(value="12", not_available=True, not_available_reason="Late"),
    )

    assert errors["value"] == "Leave the figure empty when you say it is not yet available"


def test_a_figure_is_needed_unless_it_is_not_yet_available(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    errors = refused(db, lead, kent_return, ENGAGED, replace(GOOD, value=""))

    assert errors["value"] == (
        "Enter the figure for Clients engaged through data-led targeting, or say it is not yet available"
    )


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        (ENGAGED, "-1", "cannot be negative"),
        (ENGAGED, "12.5", "must be a whole number"),
        (ENGAGED, "twelve", "must be a number, like 120"),
        (ENGAGED, "NaN", "must be a number"),
        (ENGAGED, "Infinity", "must be a number"),
        (ENGAGED, "-inf", "must be a number"),
        (ENGAGED, float("nan"), "must be a number"),
        (ENGAGED, float("inf"), "must be a number"),
        (ENGAGED, "1e400", "is too large"),
        (ENGAGED, "99999999999999999", "is too large"),
        (RATE, "101", "must be a percentage between 0 and 100"),
        (RATE, "-0.5", "cannot be negative"),
        (RATE, "45.55", "must have no more than 1 decimal place"),
        (COST, "12.345", "must be in pounds and pence, with no more than 2 decimal places"),
        (COST, "-5.00", "cannot be negative"),
        (SCORE, "3.25", "must have no more than 1 decimal place"),
        (LEGAL_BASIS, "2", "select yes or no"),
        (LEGAL_BASIS, "maybe", "select yes or no"),
    ],
)
def test_figures_outside_their_unit_are_refused_and_nothing_is_saved(
    db: Session, kent_return: SiteReturn, lead: User, code: str, value: Any, message: str
) -> None:
    errors = refused(db, lead, kent_return, code, replace(GOOD, value=value, target=None))

    assert message in errors["value"]
    assert count(db, MeasureValue) == 0
    assert audit_of(db, "measure") == []


@pytest.mark.parametrize(
    ("code", "value", "stored"),
    [
        (ENGAGED, "1,200", Decimal("1200")),
        (RATE, "45.5%", Decimal("45.5")),
        (RATE, 45.5, Decimal("45.5")),
        (COST, "£1,250.50", Decimal("1250.50")),
        (COST, "12.10", Decimal("12.1")),
        (LEGAL_BASIS, "yes", Decimal(1)),
        (LEGAL_BASIS, "No", Decimal(0)),
        (LEGAL_BASIS, True, Decimal(1)),
    ],
)
def test_figures_are_read_as_people_type_them(
    db: Session, kent_return: SiteReturn, lead: User, code: str, value: Any, stored: Decimal
) -> None:
    measure = save(db, lead, kent_return, code, replace(GOOD, value=value, target="1"))

    assert measure.value == stored


def test_a_figure_outside_the_plausible_range_needs_a_justification(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    errors = refused(db, lead, kent_return, ENGAGED, replace(GOOD, value="6000"))

    assert errors == {
        "range_justification": "6,000 is outside the plausible range of 0 to 5,000: check the figure, or "
        "explain why it is right"
    }
    measure = save(
        db,
        lead,
        kent_return,
        ENGAGED,
        replace(GOOD, value="6000", range_justification="A county-wide mailing"),
    )
    assert measure.value == 6000
    assert measure.range_justification == "A county-wide mailing"


def test_a_score_below_its_range_needs_a_justification(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    errors = refused(db, lead, kent_return, SCORE, replace(GOOD, value="0.5", target=None))

    assert errors["range_justification"].startswith("0.5 is outside the plausible range of 1.0 to 5.0")


def test_the_target_is_required_where_the_framework_asks_for_one(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    errors = refused(db, lead, kent_return, ENGAGED, replace(GOOD, target=None))
    assert errors == {"target": "Enter your target for Clients engaged through data-led targeting"}

    assert save(db, lead, kent_return, REFERRALS, replace(GOOD, target=None)).target is None


def test_a_target_is_checked_against_the_unit_too(db: Session, kent_return: SiteReturn, lead: User) -> None:
    errors = refused(db, lead, kent_return, ENGAGED, replace(GOOD, target="-3"))

    assert errors == {"target": "Your target cannot be negative"}


def test_a_figure_needs_its_source_quality_and_evidence_strength(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    errors = refused(
        db,
        lead,
        kent_return,
        ENGAGED,
        replace(GOOD, data_source="", quality_rating="", quality_reason="", evidence_level=None),
    )

    assert errors == {
        "data_source": "Say where the figure comes from",
        "quality_rating": "Select how good the data behind the figure is",
        "evidence_level": "Select how strong the evidence behind the figure is",
    }


def test_a_quality_rating_needs_its_reason(db: Session, kent_return: SiteReturn, lead: User) -> None:
    errors = refused(db, lead, kent_return, ENGAGED, replace(GOOD, quality_rating="poor", quality_reason=""))

    assert errors == {"quality_reason": "Say why you rated the data as poor"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quality_rating", "excellent", "Select a quality rating from the list"),
        ("evidence_level", "nesta:9", "Select a level of evidence from the framework's scales"),
        ("evidence_level", "999999", "Select a level of evidence from the framework's scales"),
        ("evidence_level", "magic:1", "Select a level of evidence from the framework's scales"),
    ],
)
def test_unknown_codes_are_refused(
    db: Session, kent_return: SiteReturn, lead: User, field: str, value: str, message: str
) -> None:
    errors = refused(db, lead, kent_return, ENGAGED, replace(GOOD, **{field: value}))

    assert errors == {field: message}


def test_an_evidence_level_can_be_named_by_its_id(db: Session, kent_return: SiteReturn, lead: User) -> None:
    level = next(
        level for level in kent_return.framework_version.evidence_levels if level.scale.code == "maryland"
    )

    measure = save(db, lead, kent_return, ENGAGED, replace(GOOD, evidence_level=level.id))

    assert measure.evidence_level_id == level.id


def test_an_unknown_indicator_is_named(db: Session, kent_return: SiteReturn, lead: User) -> None:
    errors = refused(db, lead, kent_return, "WL-NO-SUCH-THING", GOOD)

    assert list(errors) == ["indicator_code"]
    assert "WL-NO-SUCH-THING" in errors["indicator_code"]


@pytest.mark.parametrize(
    "field", ["data_source", "quality_reason", "commentary", "range_justification", "not_available_reason"]
)
def test_over_long_text_is_refused(db: Session, kent_return: SiteReturn, lead: User, field: str) -> None:
    data = replace(GOOD, **{field: "x" * 5001})
    if field == "not_available_reason":
        data = replace(data, value=None, not_available=True)

    errors = refused(db, lead, kent_return, ENGAGED, data)

    assert errors[field].endswith("must be 5,000 characters or fewer")


def test_saving_over_a_newer_version_is_refused_and_shows_both(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    first = save(db, lead, kent_return, ENGAGED, GOOD)
    save(db, lead, kent_return, ENGAGED, replace(GOOD, value="130"), submitted_version=first.version)

    with pytest.raises(StaleEdit) as caught:
        save(db, lead, kent_return, ENGAGED, replace(GOOD, value="140"), submitted_version=1)

    assert caught.value.theirs["value"] == "130"
    assert caught.value.yours["value"] == "140"
    db.expire_all()
    assert db.scalars(select(MeasureValue)).one().value == Decimal("130")


def test_a_form_opened_before_anyone_answered_cannot_overwrite_a_new_answer(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    save(db, lead, kent_return, ENGAGED, GOOD)

    with pytest.raises(StaleEdit):
        save(db, lead, kent_return, ENGAGED, replace(GOOD, value="99"), submitted_version=0)


@pytest.mark.parametrize("status", [ReturnStatus.SUBMITTED, ReturnStatus.APPROVED, ReturnStatus.LOCKED])
def test_a_return_that_is_not_a_draft_cannot_be_changed(
    db: Session, lead: User, status: ReturnStatus
) -> None:
    site_return = make_return(db, "kent", period=1, status=status)

    with pytest.raises(ReturnError):
        save(db, lead, site_return, ENGAGED, GOOD)
    assert count(db, MeasureValue) == 0


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.ADMINISTRATOR, Role.NATIONAL_OFFICIAL])
def test_only_the_sites_own_lead_records_figures(db: Session, kent_return: SiteReturn, role: Role) -> None:
    for user in (make_user(db, role), make_user(db, Role.SITE_LEAD, site="leeds")):
        with pytest.raises(ReturnError):
            save(db, user, kent_return, ENGAGED, GOOD)


def test_removing_an_answer_is_audited(db: Session, kent_return: SiteReturn, lead: User) -> None:
    save(db, lead, kent_return, ENGAGED, GOOD)

    with transaction(db):
        measures.delete_measure(db, lead, kent_return, ENGAGED)

    assert count(db, MeasureValue) == 0
    assert audit_of(db, "measure")[-1].action == "measure.deleted"
    with pytest.raises(NotVisible), transaction(db):
        measures.delete_measure(db, lead, kent_return, ENGAGED)


def test_the_measures_list_groups_indicators_by_theme_with_answers_and_baselines(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    save(db, lead, kent_return, ENGAGED, GOOD)
    set_baseline(
        db, lead, kent_return, ENGAGED, BaselineInput("80", "2008-09", "Client tracking spreadsheet")
    )

    groups = measures.measures_by_theme(db, lead, kent_return)

    assert [group.theme.code for group in groups] == ["VFM", "DATA", "CONTEXT", "SYSTEMS", "NEXT"]
    engaged = next(row for row in groups[0].rows if row.indicator.code == ENGAGED)
    assert engaged.status == "Entered"
    assert engaged.baseline is not None and engaged.baseline.value == 80
    referrals = next(row for row in groups[0].rows if row.indicator.code == REFERRALS)
    assert referrals.status == "Not started"
    assert referrals.needs_baseline


def test_evidence_weaker_than_the_framework_expects_is_flagged(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    measure = save(db, lead, kent_return, ENGAGED, replace(GOOD, evidence_level="nesta:1"))
    indicator = measures.indicator_in(kent_return, ENGAGED)

    assert measures.below_minimum_evidence(indicator, measure)


# Baselines


def set_baseline(
    db: Session,
    user: User,
    site_return: SiteReturn,
    code: str,
    data: BaselineInput,
    reason: str = "",
    **kwargs: Any,
) -> Baseline:
    with transaction(db):
        return measures.set_baseline(
            db,
            user,
            site_return.site_id,
            code,
            data,
            reason,
            framework_version=site_return.framework_version,
            **kwargs,
        )


BASELINE = BaselineInput(value="80", period_description="April 2008 to March 2009", source="Client tracking")


def test_a_baseline_is_set_once_for_the_site_and_indicator(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    baseline = set_baseline(db, lead, kent_return, ENGAGED, BASELINE)

    assert (baseline.site_id, baseline.indicator_code, baseline.value) == (kent_return.site_id, ENGAGED, 80)
    assert audit_of(db, "baseline")[0].action == "baseline.created"
    # Another period's return of the same site sees the same baseline.
    later = make_return(db, "kent", period=2)
    assert measures.baseline_of(db, lead, later.site_id, ENGAGED) is not None


def test_changing_a_baseline_needs_a_reason_which_is_audited(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    set_baseline(db, lead, kent_return, ENGAGED, BASELINE)

    with pytest.raises(InvalidEvidence) as caught:
        set_baseline(db, lead, kent_return, ENGAGED, replace(BASELINE, value="95"))
    assert caught.value.problems == {
        "reason": "Give the reason for changing your site's baseline for Clients engaged through data-led "
        "targeting"
    }
    db.expire_all()
    assert db.scalars(select(Baseline)).one().value == 80

    set_baseline(
        db,
        lead,
        kent_return,
        ENGAGED,
        replace(BASELINE, value="95"),
        "The first count included repeat visits",
    )

    change = audit_of(db, "baseline")[-1]
    assert change.action == "baseline.updated"
    assert change.before == {"value": "80"} and change.after == {"value": "95"}
    assert change.reason == "The first count included repeat visits"


def test_saving_an_unchanged_baseline_needs_no_reason(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    set_baseline(db, lead, kent_return, ENGAGED, BASELINE)
    set_baseline(db, lead, kent_return, ENGAGED, BASELINE)

    assert len(audit_of(db, "baseline")) == 1


def test_a_baseline_is_found_in_the_live_framework_when_no_version_is_given(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    with transaction(db):
        baseline = measures.set_baseline(db, lead, kent_return.site_id, RATE, replace(BASELINE, value="12.5"))

    assert baseline.value == Decimal("12.5")
    with pytest.raises(InvalidEvidence) as caught, transaction(db):
        measures.set_baseline(db, lead, kent_return.site_id, "WL-UNKNOWN", BASELINE)
    assert list(caught.value.problems) == ["indicator_code"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (replace(BASELINE, value=""), "value", "Enter your site's baseline figure for"),
        (replace(BASELINE, value="-4"), "value", "The baseline cannot be negative"),
        (replace(BASELINE, value="4.5"), "value", "The baseline must be a whole number"),
        (replace(BASELINE, value="nan"), "value", "The baseline must be a number"),
        (
            replace(BASELINE, period_description=""),
            "period_description",
            "Enter the period the baseline describes",
        ),
        (replace(BASELINE, period_description="x" * 201), "period_description", "200 characters or fewer"),
        (replace(BASELINE, source=""), "source", "Say where the baseline figure comes from"),
        (replace(BASELINE, source="x" * 5001), "source", "5,000 characters or fewer"),
    ],
)
def test_bad_baselines_are_refused(
    db: Session, kent_return: SiteReturn, lead: User, data: BaselineInput, field: str, message: str
) -> None:
    with pytest.raises(InvalidEvidence) as caught:
        set_baseline(db, lead, kent_return, ENGAGED, data)

    assert message in caught.value.problems[field]
    assert count(db, Baseline) == 0


def test_a_stale_baseline_form_is_refused(db: Session, kent_return: SiteReturn, lead: User) -> None:
    set_baseline(db, lead, kent_return, ENGAGED, BASELINE)

    with pytest.raises(StaleEdit):
        set_baseline(
            db, lead, kent_return, ENGAGED, replace(BASELINE, value="81"), "Recount", submitted_version=0
        )


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.ADMINISTRATOR, Role.NATIONAL_OFFICIAL])
def test_only_the_sites_own_lead_sets_its_baselines(db: Session, kent_return: SiteReturn, role: Role) -> None:
    for user in (make_user(db, role), make_user(db, Role.SITE_LEAD, site="leeds")):
        with pytest.raises(ReturnError):
            set_baseline(db, user, kent_return, ENGAGED, BASELINE)
    assert count(db, Baseline) == 0


def test_another_sites_lead_cannot_see_the_baselines(
    db: Session, kent_return: SiteReturn, lead: User
) -> None:
    set_baseline(db, lead, kent_return, ENGAGED, BASELINE)
    leeds_lead = make_user(db, Role.SITE_LEAD, site="leeds")

    assert measures.baselines_of_site(db, leeds_lead, kent_return.site_id) == {}
    assert measures.baseline_of(db, make_user(db, Role.EVALUATOR), kent_return.site_id, ENGAGED) is not None
