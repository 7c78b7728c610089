"""Shares and quotients of figures that may be nothing: None then, never a division by zero."""

from __future__ import annotations

from decimal import Decimal


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """Part as a percentage of whole; None when whole is nothing (a share of nothing means nothing)."""
    if not whole:
        return None
    return Decimal(part) * 100 / Decimal(whole)


def divide(numerator: Decimal | int, denominator: Decimal | int | None) -> Decimal | None:
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)
