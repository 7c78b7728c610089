"""A framework version's impact settings: the evidence scale its prompts use, the indicators observed in
comparison areas and its theory-of-change relations, read from the file the version was imported from."""

from __future__ import annotations

from functools import lru_cache

from evidence_hub.models import FrameworkVersion
from evidence_hub.services.framework.reading.entries import EntryReader
from evidence_hub.services.framework.reading.framework_file import parse_yaml
from evidence_hub.services.framework.reading.impact_section import (
    ImpactSettings,
    RelationDefinition,
    read_impact,
)
from evidence_hub.services.framework.reading.sections import (
    read_evidence_scales,
    read_indicators,
    read_themes,
)

__all__ = ["ImpactSettings", "RelationDefinition", "impact_settings"]


def impact_settings(version: FrameworkVersion) -> ImpactSettings:
    """The version's impact settings; a version without the section uses its first evidence scale and
    declares no comparison indicators or relations."""
    settings = _settings_of_text(version.source_sha256, version.source_yaml)
    if settings is not None and settings.evidence_scale:
        return settings
    first_scale = version.evidence_scales[0].code if version.evidence_scales else ""
    return ImpactSettings(evidence_scale=first_scale)


@lru_cache(maxsize=16)
def _settings_of_text(_sha256: str, text: str) -> ImpactSettings | None:
    """Parsed once per file (keyed by its checksum): the file was checked in full when it was imported."""
    data, problems = parse_yaml(text)
    if problems or not isinstance(data, dict) or "impact" not in data:
        return None
    reader = EntryReader()
    scales = read_evidence_scales(reader, data)
    themes = read_themes(reader, data)
    indicators = read_indicators(reader, data, themes, scales)
    return read_impact(reader, data, indicators, scales)
