"""The framework file's optional `impact` section: the one evidence scale its prompts and ratings use,
the indicators observed in comparison areas, and the theory-of-change relations between indicators.

    impact:
      evidence_scale: maryland
      comparison_indicators: [WL-JOB-ENTRY-RATE]
      comparison_figures_in_returns: true
      relations:
        - {kind: at_most, smaller: WL-JOB-ENTRIES, larger: WL-CLIENTS-ENGAGED}
        - {kind: at_most, smaller: WL-CLIENTS-ENGAGED, larger: people_reached}
        - {kind: rate, rate: WL-JOB-ENTRY-RATE, numerator: WL-JOB-ENTRIES, denominator: WL-CLIENTS-ENGAGED}

A file without the section stays valid: its first evidence scale is used and nothing is checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from evidence_hub.services.framework.definitions import EvidenceScaleDefinition, IndicatorDefinition
from evidence_hub.services.framework.file_format import IMPACT_FIELDS, RELATION_FIELDS, RELATION_KINDS
from evidence_hub.services.framework.reading.entries import EntryReader, list_words, quoted

# Not an indicator: the people the return's activities reached, which a relation may name, as in
# "clients engaged ≤ people reached".
PEOPLE_REACHED = "people_reached"
# What a rate is multiplied by when the file does not say (a percentage).
DEFAULT_MULTIPLIER = Decimal(100)


@dataclass(frozen=True)
class RelationDefinition:
    """`at_most`: smaller ≤ larger; `rate`: rate = numerator ÷ denominator × multiplier."""

    kind: str
    smaller: str = ""
    larger: str = ""
    rate: str = ""
    numerator: str = ""
    denominator: str = ""
    multiplier: Decimal = DEFAULT_MULTIPLIER


@dataclass(frozen=True)
class ImpactSettings:
    # The code of the one evidence scale the framework's prompts and ratings use.
    evidence_scale: str
    comparison_indicators: tuple[str, ...] = ()
    relations: tuple[RelationDefinition, ...] = ()
    # Site leads enter their areas' figures of the comparison indicators in each quarterly return (an
    # evaluator's series upload can always add or correct them).
    comparison_figures_in_returns: bool = False


RELATION_INDICATOR_KEYS = {
    "at_most": ("smaller", "larger"),
    "rate": ("rate", "numerator", "denominator"),
}


def read_impact(
    reader: EntryReader,
    top: Mapping[str, Any],
    indicators: Sequence[IndicatorDefinition],
    scales: Sequence[EvidenceScaleDefinition],
) -> ImpactSettings | None:
    """The impact section, checked against the file's indicators and scales; None when there is none."""
    value = top.get("impact")
    if value is None:
        return None
    entry = reader.entry(value, "impact", IMPACT_FIELDS, "The impact section")
    if entry is None:
        return None
    scale_codes = [scale.code for scale in scales]
    indicator_codes = {indicator.code for indicator in indicators}
    scale = str(entry.get("evidence_scale") or "")
    if scale and scale not in scale_codes:
        reader.problem(
            "impact.evidence_scale",
            f"Unknown evidence scale {quoted(scale)}: use one of {list_words(scale_codes)}.",
        )

    comparison: list[str] = []
    raw_comparison = entry.get("comparison_indicators") or []
    if not isinstance(raw_comparison, list):
        reader.problem("impact.comparison_indicators", "This must be a list of indicator codes.")
        raw_comparison = []
    for index, code in enumerate(raw_comparison):
        if str(code) not in indicator_codes:
            reader.problem(
                f"impact.comparison_indicators[{index}]", f"Unknown indicator {quoted(code)} in this file."
            )
        else:
            comparison.append(str(code))

    relations = reader.items(
        entry,
        "relations",
        "impact",
        "The relations",
        lambda item, at: _read_relation(reader, item, at, indicator_codes),
    )
    in_returns = reader.yes_no(entry, "comparison_figures_in_returns", "impact")
    return ImpactSettings(
        scale,
        tuple(comparison),
        tuple(relation for _, relation in relations),
        comparison_figures_in_returns=bool(in_returns),
    )


def _read_relation(
    reader: EntryReader, value: Any, at: str, indicator_codes: set[str]
) -> RelationDefinition | None:
    entry = reader.entry(value, at, RELATION_FIELDS, "A relation")
    if entry is None:
        return None
    kind = entry.get("kind")
    if kind not in RELATION_KINDS:
        if kind not in (None, ""):
            reader.problem(
                f"{at}.kind", f"Unknown kind of relation {quoted(kind)}: use {list_words(RELATION_KINDS)}."
            )
        return None
    codes: dict[str, str] = {}
    for key in RELATION_INDICATOR_KEYS[kind]:
        code = entry.get(key)
        if code in (None, ""):
            reader.problem(f"{at}.{key}", f"A relation of kind {kind} needs `{key}:` (an indicator code).")
        elif str(code) not in indicator_codes and not (kind == "at_most" and code == PEOPLE_REACHED):
            reader.problem(f"{at}.{key}", f"Unknown indicator {quoted(code)} in this file.")
        else:
            codes[key] = str(code)
    multiplier = reader.number(entry, "multiplier", at) if kind == "rate" else None
    if len(codes) != len(RELATION_INDICATOR_KEYS[kind]):
        return None
    return RelationDefinition(kind=kind, multiplier=multiplier or DEFAULT_MULTIPLIER, **codes)
