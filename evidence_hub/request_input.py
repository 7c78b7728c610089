"""What a request may bring in: ids the database can hold, and text without control characters.

Two rules, applied where the request is parsed so that no view, form or service has to remember them:

- Addresses. Every `<int:...>` part of a route is a database id, so a number the id columns cannot hold
  (above 2,147,483,647, PostgreSQL's INTEGER) matches no page: 404 on both engines, never a server error.
  No part of an address may contain a control character (NUL included): such an address matches no page.
- Text. Control characters other than tab and line breaks are removed from every form field, query
  parameter and uploaded file's name (services.common.values.without_control_characters, the same rule
  clean_text applies to text read from uploaded spreadsheets). Nobody types them; PostgreSQL refuses
  NUL in text, and the rest would reach pages, files and the audit log unseen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import FileStorage, ImmutableDict, ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, Map, PathConverter, UnicodeConverter

from evidence_hub.services.common.values import without_control_characters

# The largest value of the id columns (INTEGER on PostgreSQL; SQLite's are wider, but the rule is one).
LARGEST_ID = 2**31 - 1

# Any character but the segment separator, a control character or DEL.
_ADDRESS_CHARACTER = "[^/\\x00-\\x1f\\x7f]"


def digits_up_to(limit: int) -> str:
    """A regular expression for the whole numbers from 0 to `limit` written in digits.

    Bounding the pattern, not only the conversion, matters: werkzeug answers 405 rather than 404 when an
    address matches one route's pattern for another method and fails only the other's conversion.
    """
    largest = str(limit)
    shorter = [f"[0-9]{{1,{len(largest) - 1}}}"] if len(largest) > 1 else []
    # As long as the largest, and no greater: the same digits up to some place, a smaller one there.
    same_length = [
        f"{largest[:place]}[0-{int(digit) - 1}][0-9]{{{len(largest) - place - 1}}}"
        for place, digit in enumerate(largest)
        if digit != "0"
    ]
    return "(?:" + "|".join([*shorter, *same_length, largest]) + ")"


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` for ids: plain digits, up to the largest id the database holds."""

    regex = digits_up_to(LARGEST_ID)

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


class PlainTextConverter(UnicodeConverter):
    """`<name>` and `<string:name>`: one segment of the address, without control characters."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", _ADDRESS_CHARACTER, 1)


class PlainPathConverter(PathConverter):
    """`<path:name>`: the rest of the address, without control characters."""

    regex = f"{_ADDRESS_CHARACTER}[^\\x00-\\x1f\\x7f]*?"
    part_isolating = False


class ControlFreeMultiDict(ImmutableMultiDict[str, Any]):
    """Form fields and query parameters with their control characters removed as they are parsed; files
    keep their content, and their names lose control characters too."""

    def __init__(self, mapping: Any = None) -> None:
        pairs: Iterable[tuple[str, Any]] = () if mapping is None else MultiDict(mapping).items(multi=True)
        super().__init__([(without_control_characters(key), _cleaned(value)) for key, value in pairs])


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return without_control_characters(value)
    if isinstance(value, FileStorage) and value.filename:
        value.filename = without_control_characters(value.filename)
    return value


class ControlFreeRequest(Request):
    parameter_storage_class = ControlFreeMultiDict


class AddressRules(Map):
    """The URL map, with converters that hold every route to the address rule."""

    default_converters = ImmutableDict(
        {
            **Map.default_converters,
            "default": PlainTextConverter,
            "string": PlainTextConverter,
            "path": PlainPathConverter,
            "int": DatabaseIdConverter,
        }
    )


class InputCheckingFlask(Flask):
    """Flask with both rules in force from the first route (Flask's own static route included)."""

    request_class = ControlFreeRequest
    url_map_class = AddressRules
