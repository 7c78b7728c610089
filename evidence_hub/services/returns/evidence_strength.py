"""Evidence strength as sites choose it: a level of one of the framework's scales, by id or by a key such
as "nesta:2" (the scale's code and the level) in spreadsheets and the audit log."""

from __future__ import annotations

from collections.abc import Iterable

from evidence_hub.models import EvidenceLevel
from evidence_hub.services.common.values import clean_text


def evidence_key(level: EvidenceLevel) -> str:
    """How spreadsheets and the audit log name an evidence level, such as "nesta:2"."""
    return f"{level.scale.code}:{level.level}"


def evidence_level_named(levels: Iterable[EvidenceLevel], key: str) -> EvidenceLevel | None:
    """The level a key such as "nesta:2" names ("nesta-2" and any capitals are read the same way)."""
    text = key.strip().lower().replace(" ", "")
    if ":" not in text:
        scale, separator, number = text.rpartition("-")
        text = f"{scale}:{number}" if separator else text
    return next((level for level in levels if evidence_key(level).lower() == text), None)


def chosen_evidence_level(
    levels: list[EvidenceLevel], level_id: int | None, key: str | None
) -> tuple[EvidenceLevel | None, str | None]:
    """The level chosen by id (a form) or by key (a spreadsheet), or the problem with the choice; neither
    given is no level."""
    if level_id is not None:
        found = next((level for level in levels if level.id == level_id), None)
        return (found, None) if found else (None, "Select one of the evidence levels listed")
    text = clean_text(key)
    if not text:
        return None, None
    found = evidence_level_named(levels, text)
    if found is None:
        known = ", ".join(sorted(evidence_key(level) for level in levels))
        return None, f"'{text}' is not an evidence level in this framework: use one of {known}"
    return found, None
