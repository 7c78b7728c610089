"""What goes wrong with the framework: the problems found in a file, and requests that break its rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where it is, and what to do about it."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class FrameworkFileInvalid(ValueError):
    """A framework file that cannot be used; `problems` lists every mistake found in it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        super().__init__(f"The framework file has {count} problem{'' if count == 1 else 's'}")


class FrameworkError(Exception):
    """A request that breaks a framework rule; the message says why and what to do instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FrameworkNotFound(FrameworkError):
    """No framework or version matches what was asked for."""
