"""The return's items as check your answers, the evaluator's review and the section pages draw them
(returns/cards.py, written in Python): everything a person typed is shown as text, never as markup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import (
    Activity,
    Baseline,
    LearningEntry,
    ReviewComment,
    Role,
    SavingClaim,
    SiteReturn,
    User,
)
from evidence_hub.models.sites import SitePartner
from evidence_hub.services.returns import workflow
from tests.factories import make_return, make_user
from tests.pages import page
from tests.returns_helpers import add_cost, fill_return

ClientAs = Callable[..., FlaskClient]


def hostile(where: str) -> str:
    """Text that would be markup if a page wrote it as it is, marked with where it was typed."""
    return f'<b class="typed">{where}</b> & "quoted" \'{where}\''


def hostile_return(db: Session, lead: User, evaluator: User) -> SiteReturn:
    """A submitted return whose every piece of text shown on its cards, its measures' rows and the
    comments beside them is hostile."""
    site_return = make_return(db, "kent")
    cost = add_cost(db, site_return, description=hostile("cost description"))
    fill_return(db, site_return)
    version = site_return.framework_version
    with transaction(db):
        cost.funder = hostile("funder")
        cost.attributable_percent = Decimal(50)
        cost.attribution_reason = hostile("attribution reason")
        partner = SitePartner(
            site_id=site_return.site_id, name=hostile("partner"), partner_type="voluntary_sector"
        )
        db.add(partner)
        saving = SavingClaim(
            site_return_id=site_return.id,
            site_id=site_return.site_id,
            description=hostile("saving description"),
            amount=Decimal("100.00"),
            evidence=hostile("saving evidence"),
            import_reference="S-HOSTILE",
        )
        activity = Activity(
            site_return_id=site_return.id,
            site_id=site_return.site_id,
            activity_type_id=version.activity_types[0].id,
            title=hostile("activity title"),
            description=hostile("activity description"),
            outputs=hostile("activity outputs"),
            starts_on=date(2009, 5, 1),
            ends_on=date(2009, 5, 2),
            import_reference="A-HOSTILE",
        )
        activity.partners.append(partner)
        entry = LearningEntry(
            site_return_id=site_return.id,
            site_id=site_return.site_id,
            learning_type="barrier",
            title=hostile("learning title"),
            what_happened=hostile("what happened"),
            why_it_matters=hostile("why it matters"),
            national_implication=hostile("national implication"),
            import_reference="L-HOSTILE",
        )
        db.add_all([saving, activity, entry])
        measures = sorted(site_return.measures, key=lambda each: each.id)
        first, second = measures[0], measures[1]
        first.value = None
        first.not_available_reason = hostile("not available reason")
        for baseline in db.query(Baseline).filter(Baseline.site_id == site_return.site_id):
            baseline.period_description = hostile("baseline period")
    with transaction(db):
        workflow.submit(db, lead, site_return)
    with transaction(db):
        for kind, item_id in [
            ("cost", cost.id),
            ("saving", saving.id),
            ("activity", activity.id),
            ("learning", entry.id),
            ("measure", second.id),
        ]:
            db.add(
                ReviewComment(
                    site_return_id=site_return.id,
                    site_id=site_return.site_id,
                    item_type=kind,
                    item_id=item_id,
                    body=hostile(f"comment on the {kind}"),
                    author_id=evaluator.id,
                )
            )
    return site_return


@pytest.mark.parametrize("who", ["lead", "evaluator"])
def test_text_typed_into_a_return_is_shown_as_text_on_its_summary(
    db: Session, client_as: ClientAs, who: str
) -> None:
    evaluator_client = client_as(Role.EVALUATOR, full_name=hostile("evaluator name"))
    lead_client = client_as(Role.SITE_LEAD, site="kent")
    site_return = hostile_return(db, lead_client.user, evaluator_client.user)  # type: ignore[attr-defined]
    if who == "lead":
        response = lead_client.get(f"/returns/{site_return.id}/check")
    else:
        response = evaluator_client.get(f"/review/returns/{site_return.id}")
    soup = page(response)
    html = response.get_data(as_text=True)
    assert not soup.select("b.typed"), "typed text became markup"
    shown = soup.get_text(" ")
    typed = [
        "cost description",
        "funder",
        "attribution reason",
        "partner",
        "saving description",
        "saving evidence",
        "activity title",
        "activity description",
        "activity outputs",
        "learning title",
        "what happened",
        "why it matters",
        "national implication",
        "not available reason",
        "baseline period",
        "evaluator name",
        *(f"comment on the {kind}" for kind in ("cost", "saving", "activity", "learning", "measure")),
    ]
    for where in typed:
        assert f'<b class="typed">{where}</b> & "quoted" \'{where}\'' in shown, where
        assert f"&lt;b class=&#34;typed&#34;&gt;{where}&lt;/b&gt; &amp;" in html, where


def test_the_evaluator_comments_on_each_item_from_the_item_itself(db: Session, client_as: ClientAs) -> None:
    evaluator_client = client_as(Role.EVALUATOR)
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    site_return = hostile_return(db, lead, evaluator_client.user)  # type: ignore[attr-defined]
    soup = page(evaluator_client.get(f"/review/returns/{site_return.id}"))
    links = soup.select(".app-comment-on-item a")
    kinds = {link["href"].rpartition("item=")[2].replace("%3A", ":").partition(":")[0] for link in links}
    assert {"cost", "saving", "activity", "learning", "measure"} <= kinds
    # Each link names its item, as text.
    assert not soup.select(".app-comment-on-item b")
    labels = " ".join(link.select_one(".govuk-visually-hidden").get_text() for link in links)
    assert '<b class="typed">activity title</b>' in labels
