"""What one version of a framework adds, removes and changes compared with an earlier one, field by field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evidence_hub.formatting import date_uk
from evidence_hub.services.framework.definitions import FrameworkDefinition, IndicatorDefinition
from evidence_hub.services.framework.wording import plain_number, yes_no


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ItemReference:
    code: str
    name: str


@dataclass(frozen=True)
class ItemChanges:
    code: str
    name: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class SectionDifference:
    title: str
    added: tuple[ItemReference, ...] = ()
    removed: tuple[ItemReference, ...] = ()
    changed: tuple[ItemChanges, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class FrameworkDifference:
    """What a version adds, removes and changes compared with an earlier one (None: the first version)."""

    previous_version: int | None
    framework_changes: tuple[FieldChange, ...] = ()
    sections: tuple[SectionDifference, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.framework_changes and all(section.is_empty for section in self.sections)

    @property
    def changed_sections(self) -> tuple[SectionDifference, ...]:
        return tuple(section for section in self.sections if not section.is_empty)

    def summary(self) -> dict[str, int]:
        return {
            "added": sum(len(section.added) for section in self.sections),
            "removed": sum(len(section.removed) for section in self.sections),
            "changed": sum(len(section.changed) for section in self.sections)
            + (1 if self.framework_changes else 0),
        }

    def as_record(self) -> dict[str, Any]:
        """A compact, JSON-ready account of the difference, for the audit log."""
        return {
            "compared_with_version": self.previous_version,
            "framework_fields_changed": [change.label for change in self.framework_changes],
            "sections": {
                section.title: {
                    "added": [item.code for item in section.added],
                    "removed": [item.code for item in section.removed],
                    "changed": [item.code for item in section.changed],
                }
                for section in self.changed_sections
            },
        }


# Each section: its title, how to list its items, and each item's (code, name, {field label: value}).
_Comparable = tuple[str, str, dict[str, str]]


def _comparable_sections(definition: FrameworkDefinition) -> list[tuple[str, list[_Comparable]]]:
    return [
        (
            "Themes",
            [(t.code, t.title, {"Title": t.title, "Description": t.description}) for t in definition.themes],
        ),
        (
            "Evaluation questions",
            [
                (q.code, q.text, {"Theme": theme.code, "Question": q.text, "Guidance": q.guidance})
                for theme in definition.themes
                for q in theme.questions
            ],
        ),
        ("Indicators", [(i.code, i.name, _indicator_fields(i)) for i in definition.indicators]),
        (
            "Cost categories",
            [
                (
                    c.code,
                    c.name,
                    {
                        "Name": c.name,
                        "Description": c.description,
                        "What to include": c.include,
                        "What to exclude": c.exclude,
                        "Examples": "; ".join(c.examples),
                        "Met in kind": yes_no(c.in_kind),
                    },
                )
                for c in definition.cost_categories
            ],
        ),
        (
            "Activity types",
            [
                (a.code, a.name, {"Name": a.name, "Description": a.description})
                for a in definition.activity_types
            ],
        ),
        (
            "Learning types",
            [
                (
                    t.code.value,
                    t.code.label,
                    {"Description": t.description, "Examples": "; ".join(t.examples)},
                )
                for t in definition.learning_types
            ],
        ),
        (
            "Learning dimensions",
            [
                (d.code, d.name, {"Name": d.name, "Description": d.description})
                for d in definition.learning_dimensions
            ],
        ),
        (
            "Partner roles",
            [
                (r.partner_type.value, r.partner_type.label, {"Role": r.role})
                for r in definition.partner_roles
            ],
        ),
        (
            "Data-sharing journey",
            [
                (
                    m.code,
                    m.title,
                    {
                        "Percentage": str(m.percentage),
                        "Title": m.title,
                        "Definition": m.definition,
                        "Evidence": m.evidence,
                    },
                )
                for m in definition.journey
            ],
        ),
        (
            "Evidence scales",
            [
                (s.code, s.name, {"Name": s.name, "Description": s.description, "Source": s.source})
                for s in definition.evidence_scales
            ],
        ),
        (
            "Evidence levels",
            [
                (
                    f"{s.code} {level.level}",
                    f"{s.name}, level {level.level}",
                    {"Title": level.title, "Description": level.description, "Prompt": level.prompt},
                )
                for s in definition.evidence_scales
                for level in s.levels
            ],
        ),
    ]


def _indicator_fields(indicator: IndicatorDefinition) -> dict[str, str]:
    return {
        "Name": indicator.name,
        "Theme": indicator.theme,
        "Definition": indicator.definition,
        "Unit": indicator.unit.label,
        "Decimal places": str(indicator.decimal_places),
        "Direction": indicator.direction.label,
        "Combining sites": indicator.combine.label,
        "Weighted by": indicator.weighted_by or "",
        "Frequency": indicator.frequency.label,
        "Baseline required": yes_no(indicator.baseline_required),
        "Target required": yes_no(indicator.target_required),
        "Plausible minimum": plain_number(indicator.plausible_min),
        "Plausible maximum": plain_number(indicator.plausible_max),
        "What to include": indicator.include,
        "What to exclude": indicator.exclude,
        "Data sources": "; ".join(indicator.data_sources),
        "Minimum evidence": f"{indicator.minimum_evidence_scale} level {indicator.minimum_evidence_level}",
    }


def compare_definitions(
    previous: FrameworkDefinition | None, current: FrameworkDefinition
) -> FrameworkDifference:
    """What `current` adds, removes and changes compared with `previous` (everything is new if None)."""
    if previous is None:
        sections = tuple(
            SectionDifference(title, added=tuple(ItemReference(code, name) for code, name, _ in items))
            for title, items in _comparable_sections(current)
        )
        return FrameworkDifference(previous_version=None, sections=sections)

    framework_changes = tuple(
        FieldChange(label, before, after)
        for label, before, after in (
            ("Name", previous.name, current.name),
            ("Description", previous.description, current.description),
            (
                "Takes effect from",
                date_uk(previous.effective_from),
                date_uk(current.effective_from),
            ),
        )
        if before != after
    )
    before_sections = dict(_comparable_sections(previous))
    differences: list[SectionDifference] = []
    for title, items in _comparable_sections(current):
        old = {code: (name, fields) for code, name, fields in before_sections.get(title, [])}
        new = {code: (name, fields) for code, name, fields in items}
        added = tuple(ItemReference(code, new[code][0]) for code in new if code not in old)
        removed = tuple(ItemReference(code, old[code][0]) for code in old if code not in new)
        changed: list[ItemChanges] = []
        for code, (name, fields) in new.items():
            if code not in old:
                continue
            old_fields = old[code][1]
            field_changes = tuple(
                FieldChange(label, old_fields.get(label, ""), value)
                for label, value in fields.items()
                if old_fields.get(label, "") != value
            )
            if field_changes:
                changed.append(ItemChanges(code, name, field_changes))
        differences.append(SectionDifference(title, added, removed, tuple(changed)))
    return FrameworkDifference(
        previous_version=previous.version, framework_changes=framework_changes, sections=tuple(differences)
    )
