"""`record`: how the appraisal declares the small values it makes for every approved return (cost lines,
streams, counts, a period's flows).

They are frozen dataclasses to the type checker, which refuses any assignment to a field (`mypy` runs over
the whole package), so nothing can change a figure's parts once made. At run time they are made as plain
dataclasses, with the same equality and hash: a frozen dataclass sets each field through
`object.__setattr__`, and at 350 sites × 40 quarters that was a fifth of the value-for-money view's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from typing_extensions import dataclass_transform

Record = TypeVar("Record")


@dataclass_transform(frozen_default=True)
def record(cls: type[Record]) -> type[Record]:
    return dataclass(unsafe_hash=True)(cls)
