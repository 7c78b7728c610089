"""What the evaluator sees as changed on resubmission includes the site's baselines and data flows."""

from __future__ import annotations

from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Role, SiteReturn
from evidence_hub.services.returns import changes as return_changes
from evidence_hub.services.returns import workflow
from evidence_hub.services.returns.data_flows import DATA_FLOWS, DataFlowInput
from tests.factories import make_return, make_user
from tests.returns_helpers import fill_return


def test_a_data_flow_added_while_a_return_was_returned_shows_as_a_change(db: Session) -> None:
    lead = make_user(db, Role.SITE_LEAD, site="kent")
    evaluator = make_user(db, Role.EVALUATOR)
    site_return = fill_return(db, make_return(db, "kent"))
    with transaction(db):
        workflow.submit(db, lead, site_return)
    with transaction(db):
        workflow.return_to_site(db, evaluator, site_return, "Please record the data you have asked DWP for.")
    with transaction(db):
        DATA_FLOWS.add(
            db,
            lead,
            site_return,
            DataFlowInput(dataset="Benefit claimants", holder="DWP", purpose="Target outreach"),
        )
    with transaction(db):
        workflow.submit(db, lead, site_return)
    db.expire_all()
    resubmitted = db.get(SiteReturn, site_return.id)
    assert resubmitted is not None
    changes = return_changes.changes_since_last_review(db, resubmitted)
    assert changes is not None
    added = [(change.section, change.item, change.description) for change in changes.changes]
    assert ("data_flows", "Benefit claimants", "added") in added
