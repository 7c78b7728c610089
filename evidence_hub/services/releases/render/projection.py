"""The roll-out cost projection in words: the sentence that leads it, its estimates and its caveat."""

from __future__ import annotations

from evidence_hub.services.releases.render.words import money, plural
from evidence_hub.services.releases.rollout import RolloutProjection


def projection_sentence(projection: RolloutProjection) -> str:
    """The projection in one sentence, central estimate first."""
    return (
        f"Rolling the pilot out to {plural(projection.areas, 'area')} for "
        f"{plural(projection.periods, 'reporting period')} would cost an estimated "
        f"{money(projection.central)} (central estimate), between {money(projection.low)} (low) and "
        f"{money(projection.high)} (high)."
    )


def projection_estimates(projection: RolloutProjection) -> tuple[tuple[str, str], ...]:
    return (
        ("Low", money(projection.low)),
        ("Central", money(projection.central)),
        ("High", money(projection.high)),
    )


def projection_caveat() -> str:
    return (
        "The projection multiplies the pilot sites' own unit costs; it is a planning range, not a "
        "forecast, and it carries every caveat on those costs."
    )
