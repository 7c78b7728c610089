"""The API's one description: every operation, its parameters, who may call it and what it answers.

The blueprint registers its routes from OPERATIONS (api/views.py), the access check reads each
operation's roles from here, and `document()` turns the same description into the OpenAPI 3.1 document
served at /api/v1/openapi.json. A route cannot exist without being documented, and a documented route
cannot be missing. The framework content's schema is derived from the same dataclasses that
`framework_content` serialises, so the document and the answers cannot drift apart either.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from evidence_hub import web
from evidence_hub.formatting import listed
from evidence_hub.models import Role
from evidence_hub.services.accounts.api_tokens import TOKEN_PAGE_PATH
from evidence_hub.services.framework.definitions import FrameworkDefinition
from evidence_hub.services.framework.wording import plain_number

API_PREFIX = web.API_PREFIX
API_VERSION = "1.0.0"
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000

EVERY_ROLE = frozenset(Role)
RELEASE_READERS = frozenset({Role.NATIONAL_OFFICIAL, Role.EVALUATOR, Role.ADMINISTRATOR})
ROLE_ORDER = (Role.NATIONAL_OFFICIAL, Role.EVALUATOR, Role.ADMINISTRATOR, Role.SITE_LEAD)


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "path" or "query"
    description: str
    schema: Mapping[str, Any]

    @property
    def required(self) -> bool:
        return self.location == "path"

    def as_openapi(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": self.location,
            "required": self.required,
            "description": self.description,
            "schema": dict(self.schema),
        }


@dataclass(frozen=True)
class Operation:
    """One GET endpoint under /api/v1."""

    # The view's name in api/views.py, the Flask endpoint (api.<name>) and the OpenAPI operationId.
    name: str
    # Below /api/v1, with {parameters} as OpenAPI writes them.
    path: str
    summary: str
    description: str
    tag: str
    # The roles whose tokens may call it; None when it needs no token at all.
    roles: frozenset[Role] | None
    # The component schema of a successful answer.
    response: str
    parameters: tuple[Parameter, ...] = ()
    # Refusals this operation itself gives, besides the token's (401 and 403).
    refusals: Mapping[int, str] = dataclasses.field(default_factory=dict)

    @property
    def needs_token(self) -> bool:
        return self.roles is not None

    @property
    def flask_rule(self) -> str:
        rule = self.path
        for parameter in self.parameters:
            if parameter.location == "path":
                rule = rule.replace("{" + parameter.name + "}", f"<{parameter.name}>")
        return rule

    def role_note(self) -> str:
        if self.roles is None:
            return "Open to everyone: no token is needed."
        if self.roles == EVERY_ROLE:
            return "Tokens of every role may call this."
        return (
            f"Only tokens made by {roles_in_words(self.roles)} may call this; "
            "any other token is refused (403)."
        )


def roles_in_words(roles: frozenset[Role]) -> str:
    """ "national officials, evaluators and administrators" """
    names = [role.label.lower() + "s" for role in ROLE_ORDER if role in roles]
    return listed(names)


PAGE = Parameter(
    "page",
    "query",
    "Which page to return, counting from 1. A page after the last one is refused (400).",
    {"type": "integer", "minimum": 1, "default": 1},
)
PER_PAGE = Parameter(
    "per_page",
    "query",
    f"How many items on each page, from 1 to {MAX_PER_PAGE}.",
    {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
)
FRAMEWORK_CODE = Parameter(
    "code", "path", "The framework's code, like worklessness-data-sharing.", {"type": "string"}
)
RELEASE_REFERENCE = Parameter(
    "reference", "path", "The release's reference, like WDS-2026-01.", {"type": "string"}
)
TABLE_CODE = Parameter(
    "table_code",
    "path",
    "The table's code, as the release lists it, like costs or people_reached.",
    {"type": "string"},
)

BAD_PAGE = "A page or per_page that is not a whole number in range, or a page after the last."
UNKNOWN_RELEASE = "There is no release with this reference."
WITHDRAWN_RELEASE = "The release has been withdrawn; the detail says when and why."

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        name="openapi_document",
        path="/openapi.json",
        summary="This API's OpenAPI document",
        description="The description of every endpoint, its parameters and its answers.",
        tag="About",
        roles=None,
        response="OpenApiDocument",
    ),
    Operation(
        name="frameworks",
        path="/frameworks",
        summary="Published frameworks",
        description="Every evaluation framework that has a published version, with that version's number.",
        tag="Framework",
        roles=EVERY_ROLE,
        response="FrameworkList",
    ),
    Operation(
        name="framework",
        path="/frameworks/{code}",
        summary="A framework's published version",
        description=(
            "The published version of one framework: its themes and evaluation questions, indicators "
            "(code, name, unit, definition, direction and guidance), cost categories, activity types, "
            "learning types and dimensions, partner roles, journey milestones and evidence scales."
        ),
        tag="Framework",
        roles=EVERY_ROLE,
        response="FrameworkVersion",
        parameters=(FRAMEWORK_CODE,),
        refusals={404: "There is no framework with this code, or it has no published version."},
    ),
    Operation(
        name="sites",
        path="/sites",
        summary="Pilot sites",
        description="The pilot sites with their region and local authorities. A site lead's token sees "
        "only the lead's own site.",
        tag="Sites",
        roles=EVERY_ROLE,
        response="SiteList",
    ),
    Operation(
        name="releases",
        path="/releases",
        summary="Releases",
        description=(
            "Releases of disclosure-controlled, aggregated evidence, newest first. National officials see "
            "published releases; evaluators and administrators also see withdrawn ones."
        ),
        tag="Releases",
        roles=RELEASE_READERS,
        response="ReleaseList",
        parameters=(PAGE, PER_PAGE),
        refusals={400: BAD_PAGE},
    ),
    Operation(
        name="release",
        path="/releases/{reference}",
        summary="A release",
        description=(
            "A release's details, its tables and their columns, the disclosure control applied and its "
            "caveats. Each call is recorded in the audit log."
        ),
        tag="Releases",
        roles=RELEASE_READERS,
        response="Release",
        parameters=(RELEASE_REFERENCE,),
        refusals={404: UNKNOWN_RELEASE, 410: WITHDRAWN_RELEASE},
    ),
    Operation(
        name="release_table",
        path="/releases/{reference}/tables/{table_code}",
        summary="Rows of a release's table",
        description=(
            "One page of a release's table, each row an object keyed by column key, with the columns' "
            'definitions. Cells suppressed by disclosure control read "[c]". Each call is recorded in the '
            "audit log."
        ),
        tag="Releases",
        roles=RELEASE_READERS,
        response="TablePage",
        parameters=(RELEASE_REFERENCE, TABLE_CODE, PAGE, PER_PAGE),
        refusals={
            400: BAD_PAGE,
            404: UNKNOWN_RELEASE + " Or the release has no table with this code.",
            410: WITHDRAWN_RELEASE,
        },
    ),
)

OPERATIONS_BY_NAME = {operation.name: operation for operation in OPERATIONS}


# ---------------------------------------------------------------------------------------------------------
# Framework content: the values and their schema both come from services/framework/definitions.py.

# Names in the answer that differ from the dataclass fields, for readers who do not know the file format.
RENAMED_FIELDS = {"journey": "journey_milestones"}


def plain_value(value: Any) -> Any:
    """A framework definition (or any part of one) as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            RENAMED_FIELDS.get(item.name, item.name): plain_value(getattr(value, item.name))
            for item in dataclasses.fields(value)
        }
    if isinstance(value, tuple | list):
        return [plain_value(item) for item in value]
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def schema_of_type(kind: Any) -> dict[str, Any]:
    """The JSON Schema of what `plain_value` makes of a value of this type."""
    if kind is bool:
        return {"type": "boolean"}
    if kind is int:
        return {"type": "integer"}
    if kind is str:
        return {"type": "string"}
    if kind is Decimal:
        return {"type": "string", "description": "A decimal number, like 2.5"}
    if kind is date:
        return {"type": "string", "format": "date"}
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return {"type": "string", "enum": [member.value for member in kind]}
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        properties = {
            RENAMED_FIELDS.get(item.name, item.name): schema_of_type(hints[item.name])
            for item in dataclasses.fields(kind)
        }
        return {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }
    origin = typing.get_origin(kind)
    arguments = typing.get_args(kind)
    if origin is tuple:
        return {"type": "array", "items": schema_of_type(arguments[0])}
    if origin in (typing.Union, types.UnionType):
        present = [argument for argument in arguments if argument is not type(None)]
        if len(present) == 1 and len(arguments) == 2:
            return {"anyOf": [schema_of_type(present[0]), {"type": "null"}]}
    raise TypeError(f"No JSON Schema for {kind!r}: describe it in api/openapi.py")


def framework_content_schema() -> dict[str, Any]:
    return schema_of_type(FrameworkDefinition)


# ---------------------------------------------------------------------------------------------------------
# Answers.


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: Mapping[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": dict(properties),
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
TIMESTAMP = {"type": "string", "format": "date-time"}
LINK = {"type": "string", "description": "A root-relative address on this service."}
NULLABLE_LINK = {"type": ["string", "null"], "description": "A root-relative address, or null."}
SELF_LINK = _object({"self": LINK})


def _list_of(item: str) -> dict[str, Any]:
    return _object({"data": {"type": "array", "items": _ref(item)}})


def _page_of(item: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    return _object(
        {
            **extra,
            "data": {"type": "array", "items": dict(item)},
            "meta": _ref("PageMeta"),
            "links": _ref("PageLinks"),
        }
    )


def _framework_summary_properties() -> dict[str, Any]:
    return {
        "code": STRING,
        "name": STRING,
        "version": {"type": "integer", "minimum": 1},
        "effective_from": {"type": "string", "format": "date"},
        "published_at": TIMESTAMP,
        "description": STRING,
    }


def _framework_version_schema() -> dict[str, Any]:
    content = framework_content_schema()
    properties = {
        **_framework_summary_properties(),
        **{
            name: schema
            for name, schema in content["properties"].items()
            if name not in ("code", "name", "version", "effective_from", "description")
        },
        "links": SELF_LINK,
    }
    return _object(properties)


CELL = {
    "type": ["string", "integer", "number", "boolean", "null"],
    "description": 'Text, money and decimal figures are strings; counts are integers; "[c]" is a '
    "figure suppressed by disclosure control; null is a figure not reported.",
}


def component_schemas() -> dict[str, Any]:
    return {
        "Error": _object(
            {
                "error": _object(
                    {
                        "status": {"type": "integer"},
                        "title": STRING,
                        "detail": STRING,
                        "parameter": {
                            "type": "string",
                            "description": "The query parameter that was refused, for a 400.",
                        },
                    },
                    optional=("parameter",),
                )
            }
        ),
        "PageMeta": _object(
            {
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "total": {"type": "integer", "minimum": 0},
                "pages": {"type": "integer", "minimum": 1},
            }
        ),
        "PageLinks": _object(
            {
                "self": LINK,
                "first": LINK,
                "last": LINK,
                "prev": NULLABLE_LINK,
                "next": NULLABLE_LINK,
            }
        ),
        "OpenApiDocument": {"type": "object", "description": "An OpenAPI 3.1 document: this one."},
        "FrameworkSummary": _object({**_framework_summary_properties(), "links": SELF_LINK}),
        "FrameworkList": _list_of("FrameworkSummary"),
        "FrameworkVersion": _framework_version_schema(),
        "Site": _object(
            {
                "code": STRING,
                "name": STRING,
                "region": STRING,
                "local_authorities": {"type": "array", "items": STRING},
                "active": {"type": "boolean"},
            }
        ),
        "SiteList": _list_of("Site"),
        "ReleaseFramework": _object(
            {
                "code": STRING,
                "name": STRING,
                "version": {
                    "type": ["integer", "null"],
                    "description": "The framework version the release covers; null for every version.",
                },
            }
        ),
        "Period": _object({"code": STRING, "name": STRING}),
        "ReleaseSummary": _object(
            {
                "reference": STRING,
                "title": STRING,
                "framework": _ref("ReleaseFramework"),
                "period_label": STRING,
                "published_at": TIMESTAMP,
                "status": {"type": "string", "enum": ["published", "withdrawn"]},
                "links": _object({"self": LINK}),
            }
        ),
        "ReleaseList": _page_of(_ref("ReleaseSummary")),
        "Column": _object(
            {
                "key": STRING,
                "heading": STRING,
                "kind": {
                    "type": "string",
                    "description": "text, money (decimal string in pounds), count (integer), people "
                    '(integer or "[c]"), number or percent (decimal string, "[c]" or null), date (ISO '
                    "8601) or flag (boolean).",
                },
                "description": STRING,
            }
        ),
        "TableDefinition": _object(
            {
                "code": STRING,
                "title": STRING,
                "description": STRING,
                "row_count": {"type": "integer", "minimum": 0},
                "columns": {"type": "array", "items": _ref("Column")},
                "links": _object({"rows": LINK}),
            }
        ),
        "Release": _object(
            {
                "reference": STRING,
                "title": STRING,
                "framework": _ref("ReleaseFramework"),
                "period_label": STRING,
                "period_from": _ref("Period"),
                "period_to": _ref("Period"),
                "site_codes": {"type": "array", "items": STRING},
                "published_at": TIMESTAMP,
                "status": {"type": "string", "enum": ["published"]},
                "fingerprint": {
                    "type": "string",
                    "description": "SHA-256 of the release's content and rows.",
                },
                "threshold": {
                    "type": "integer",
                    "description": "Counts of people below this are suppressed.",
                },
                "round_to": {
                    "type": ["integer", "null"],
                    "description": "Counts of people are rounded to a multiple of this, when set.",
                },
                "tables": {"type": "array", "items": _ref("TableDefinition")},
                "disclosure": {"type": "array", "items": STRING},
                "caveats": {"type": "array", "items": STRING},
                "value_for_money": {
                    "type": ["object", "null"],
                    "description": "The Green Book appraisal the release froze (method green_book): net "
                    "present value, benefit–cost ratio, return on investment, unit costs and payback for all "
                    "sites and each site, each with its exact value (a decimal string), what a reader sees "
                    "(display) and its workings; the low, central and high range; switching values; the "
                    "parameters with their sources; and the glossary. The same figures as the dashboard and "
                    "the summary. Null for a release published before the appraisal.",
                },
                "impact": {
                    "type": ["object", "null"],
                    "description": "Each site's difference-in-differences estimate against comparison "
                    "areas (figures as decimal strings, with 95% confidence intervals, the pre-trend check, "
                    "comparison areas, the evaluator's rating and sources), the pooled estimate with its "
                    "prediction interval, methodology and caveats; null for a release without estimates. "
                    "`label` says what a figure may be called: causal words only where `causal` is true.",
                },
                "links": _object({"self": LINK, "releases": LINK}),
            }
        ),
        "TablePage": _page_of(
            {"type": "object", "additionalProperties": CELL},
            release=STRING,
            table=_object({"code": STRING, "title": STRING, "description": STRING}),
            columns={"type": "array", "items": _ref("Column")},
        ),
    }


ERROR_RESPONSE_DESCRIPTIONS = {
    400: "A query parameter was refused.",
    401: "No token, or a token that is not recognised, expired or revoked, or whose account is "
    "deactivated. The answer carries WWW-Authenticate: Bearer.",
    403: "A token used beyond its role, or made for a role its owner no longer has.",
    404: "Not found.",
    410: "Gone.",
}


def _error_response(description: str, *, challenge: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }
    if challenge:
        response["headers"] = {
            "WWW-Authenticate": {
                "description": "Bearer, with the error where a token was sent.",
                "schema": STRING,
            }
        }
    return response


def _operation_object(operation: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": "Success.",
            "content": {"application/json": {"schema": _ref(operation.response)}},
        }
    }
    refusals = dict(operation.refusals)
    if operation.needs_token:
        refusals.setdefault(401, ERROR_RESPONSE_DESCRIPTIONS[401])
        refusals.setdefault(403, ERROR_RESPONSE_DESCRIPTIONS[403])
    for status in sorted(refusals):
        responses[str(status)] = _error_response(refusals[status], challenge=status == 401)
    answer: dict[str, Any] = {
        "operationId": operation.name,
        "summary": operation.summary,
        "description": f"{operation.description}\n\n{operation.role_note()}",
        "tags": [operation.tag],
        "parameters": [parameter.as_openapi() for parameter in operation.parameters],
        "responses": responses,
        "x-roles": [role.value for role in ROLE_ORDER if operation.roles and role in operation.roles],
    }
    answer["security"] = [{"bearerToken": []}] if operation.needs_token else []
    return answer


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every operation."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Evidence Hub API",
            "version": API_VERSION,
            "description": (
                "Read-only access to the evaluation framework, the pilot sites and, for national "
                "officials, evaluators and administrators, the published releases of aggregated, "
                "disclosure-controlled evidence. Never record-level evidence.\n\n"
                f"Authenticate with a personal API token (create one at {TOKEN_PAGE_PATH}) sent as "
                "'Authorization: Bearer <token>'. A token works with the role its owner had when it was "
                'made. Errors are JSON: {"error": {"status", "title", "detail"}}. Lists of '
                "releases and table rows are paged with `page` and `per_page`."
            ),
        },
        "servers": [{"url": API_PREFIX}],
        "tags": [
            {"name": "About"},
            {"name": "Framework"},
            {"name": "Sites"},
            {"name": "Releases"},
        ],
        "paths": {operation.path: {"get": _operation_object(operation)} for operation in OPERATIONS},
        "components": {
            "schemas": component_schemas(),
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": f"A personal API token, made at {TOKEN_PAGE_PATH}, starting ehub_.",
                }
            },
        },
    }
