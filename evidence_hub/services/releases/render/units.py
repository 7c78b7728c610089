"""The framework's units as a learning summary names them.

A summary names each measure's unit by its label, as publishing wrote it ("Money (£, GBP)"), and the
documents print a figure by its unit (£ for money, % for percentages, hours, days, yes or no). The
documents print stored plain data and import nothing of the models, so this is their own list of the
framework's units, by code and by label; a test holds it to ``models.framework.IndicatorUnit``.
"""

from __future__ import annotations

from enum import StrEnum


class Unit(StrEnum):
    COUNT = "count"
    PERCENTAGE = "percentage"
    MONEY_GBP = "money_gbp"
    HOURS = "hours"
    DAYS = "days"
    SCORE = "score"
    RATIO = "ratio"
    YES_NO = "yes_no"

    @property
    def label(self) -> str:
        return {
            "count": "Count",
            "percentage": "Percentage",
            "money_gbp": "Money (£, GBP)",
            "hours": "Hours",
            "days": "Days",
            "score": "Score",
            "ratio": "Ratio",
            "yes_no": "Yes or no",
        }[self.value]


def indicator_unit(unit: object) -> Unit | None:
    """The framework unit a summary names, by its code ("percentage") or its label ("Percentage")."""
    wanted = str(unit or "").strip().lower()
    for known in Unit:
        if wanted in (known.value, known.label.lower()):
            return known
    return None
