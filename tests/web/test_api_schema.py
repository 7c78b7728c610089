"""The served OpenAPI document, checked against the API itself with schemathesis.

Schemathesis loads /api/v1/openapi.json from the app, generates requests for every operation (an
evaluator's token on a world with a published release) and checks that no answer is a server error and
every answer matches the schema documented for its status. Known-good requests for the release and its
tables, which random references would never reach, are checked the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from sqlalchemy.orm import Session

from evidence_hub.api.openapi import OPERATIONS
from evidence_hub.db import transaction
from evidence_hub.models import Release, Role
from evidence_hub.services.accounts import api_tokens
from evidence_hub.services.releases import reading
from tests.factories import make_user
from tests.release_helpers import published_release

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture
def release(db: Session, tmp_path: Path) -> Release:
    return published_release(db, tmp_path)


@pytest.fixture
def evaluator_token(db: Session, release: Release) -> str:
    user = make_user(db, Role.EVALUATOR)
    with transaction(db):
        return api_tokens.create_token(db, user=user, name="Schema checks", days=1).secret


@pytest.fixture
def api_schema(app: Flask, release: Release) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


# Hypothesis is driven directly (operation.as_strategy) rather than through schemathesis' pytest plugin,
# whose fixture-based loader does not run under pytest 9; each operation gets its own examples.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_documented(
    api_schema: schemathesis.BaseSchema, evaluator_token: str, mode: GenerationMode
) -> None:
    headers = {"Authorization": f"Bearer {evaluator_token}"}
    checked = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if mode is GenerationMode.NEGATIVE and not operation.path_parameters and not operation.query:
            continue  # Nothing in the request to get wrong.

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def answers_as_documented(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        answers_as_documented()
        checked.append(operation.path)

    # Schemathesis leaves out the address it loaded the document from.
    documented = {operation.path for operation in OPERATIONS if operation.path != "/openapi.json"}
    with_parameters = {
        operation.path for operation in OPERATIONS if operation.parameters and operation.path in documented
    }
    assert set(checked) == (documented if mode is GenerationMode.POSITIVE else with_parameters)


def test_a_release_and_every_page_of_its_tables_answer_as_documented(
    api_schema: schemathesis.BaseSchema, release: Release, evaluator_token: str
) -> None:
    headers = {"Authorization": f"Bearer {evaluator_token}"}
    cases = [
        api_schema["/releases"]["GET"].Case(query={"per_page": 1}),
        api_schema["/releases/{reference}"]["GET"].Case(path_parameters={"reference": release.reference}),
        api_schema["/frameworks/{code}"]["GET"].Case(path_parameters={"code": release.framework.code}),
    ]
    table_rows = api_schema["/releases/{reference}/tables/{table_code}"]["GET"]
    for table in reading.table_definitions(release):
        path = {"reference": release.reference, "table_code": table.code}
        cases.append(table_rows.Case(path_parameters=path, query={"per_page": 1000}))
        cases.append(table_rows.Case(path_parameters=path, query={"page": 2, "per_page": 5}))

    statuses = [case.call_and_validate(headers=headers, checks=CHECKS).status_code for case in cases]

    assert statuses[:3] == [200, 200, 200]
    assert all(status in (200, 400) for status in statuses[3:])
    assert statuses.count(200) > len(statuses) // 2


def test_requests_without_a_token_are_refused_as_documented(
    api_schema: schemathesis.BaseSchema, release: Release
) -> None:
    operation = api_schema["/releases/{reference}"]["GET"]

    response = operation.Case(path_parameters={"reference": release.reference}).call_and_validate(
        checks=CHECKS
    )

    assert response.status_code == 401
