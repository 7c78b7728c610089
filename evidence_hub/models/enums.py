"""The fixed lists of the models (roles, statuses, units): stored as their values, shown as their labels."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Self


class LabelledEnum(StrEnum):
    """A string enum whose members carry the words people read: `DRAFT = "draft", "Draft"` is stored and
    compared as "draft" and shown as its `label`, "Draft"."""

    label: str

    if TYPE_CHECKING:
        # How type checkers see the class: a member is looked up by its value alone, `Role("evaluator")`.
        def __new__(cls, value: str, label: str = ...) -> Self: ...

    else:

        def __new__(cls, value: str, label: str) -> Self:
            member = str.__new__(cls, value)
            member._value_ = value
            member.label = label
            return member


def one_of(column: str, values: type[StrEnum]) -> str:
    """A check constraint's condition: the column holds one of the enum's values."""
    return f"{column} IN (" + ", ".join(f"'{member.value}'" for member in values) + ")"
