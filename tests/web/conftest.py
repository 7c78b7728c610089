"""Fixtures shared by the tests of a return's pages: Kent's site lead, signed in, and a return of theirs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from evidence_hub.models import Role, SiteReturn
from tests.factories import make_return


@pytest.fixture
def lead(client_as: Callable[..., FlaskClient]) -> FlaskClient:
    return client_as(Role.SITE_LEAD, site="kent", full_name="Kim Lead")


@pytest.fixture
def site_return(db: Session, lead: FlaskClient) -> SiteReturn:
    return make_return(db, "kent")
