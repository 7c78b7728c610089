"""A framework definition as a version's database rows, and a stored version read back as a definition."""

from __future__ import annotations

import hashlib

from evidence_hub.models import (
    ActivityType,
    CollectionFrequency,
    CombineRule,
    CostCategory,
    Direction,
    EvaluationQuestion,
    EvidenceLevel,
    EvidenceScale,
    Framework,
    FrameworkStatus,
    FrameworkVersion,
    Indicator,
    IndicatorUnit,
    JourneyMilestone,
    LearningDimension,
    LearningType,
    LearningTypeGuidance,
    PartnerRole,
    PartnerType,
    Theme,
    User,
)
from evidence_hub.services.framework.definitions import (
    ActivityTypeDefinition,
    CostCategoryDefinition,
    EvidenceLevelDefinition,
    EvidenceScaleDefinition,
    FrameworkDefinition,
    IndicatorDefinition,
    LearningDimensionDefinition,
    LearningTypeDefinition,
    MilestoneDefinition,
    PartnerRoleDefinition,
    QuestionDefinition,
    ReleaseDeclaration,
    ThemeDefinition,
)


def build_version(
    framework: Framework,
    definition: FrameworkDefinition,
    source_text: str,
    *,
    filename: str,
    actor: User | None,
) -> FrameworkVersion:
    """A draft version with every definition of the file as its rows, ready to be added to the session."""
    version = FrameworkVersion(
        framework=framework,
        version=definition.version,
        status=FrameworkStatus.DRAFT.value,
        description=definition.description,
        effective_from=definition.effective_from,
        source_yaml=source_text,
        source_sha256=hashlib.sha256(source_text.encode("utf-8")).hexdigest(),
        source_filename=filename[:255],
        imported_by_id=actor.id if actor is not None else None,
    )
    levels: dict[tuple[str, int], EvidenceLevel] = {}
    for position, scale_definition in enumerate(definition.evidence_scales):
        scale = EvidenceScale(
            framework_version=version,
            code=scale_definition.code,
            name=scale_definition.name,
            description=scale_definition.description,
            source=scale_definition.source,
            position=position,
        )
        for level_definition in scale_definition.levels:
            levels[(scale.code, level_definition.level)] = EvidenceLevel(
                framework_version=version,
                scale=scale,
                level=level_definition.level,
                title=level_definition.title,
                description=level_definition.description,
                prompt=level_definition.prompt,
            )
    themes: dict[str, Theme] = {}
    question_position = 0
    for position, theme_definition in enumerate(definition.themes):
        theme = Theme(
            framework_version=version,
            code=theme_definition.code,
            title=theme_definition.title,
            description=theme_definition.description,
            position=position,
        )
        themes[theme.code] = theme
        for question_definition in theme_definition.questions:
            EvaluationQuestion(
                framework_version=version,
                theme=theme,
                code=question_definition.code,
                text=question_definition.text,
                guidance=question_definition.guidance,
                position=question_position,
            )
            question_position += 1
    for position, item in enumerate(definition.indicators):
        Indicator(
            framework_version=version,
            theme=themes[item.theme],
            code=item.code,
            name=item.name,
            definition=item.definition,
            unit=item.unit.value,
            decimal_places=item.decimal_places,
            direction=item.direction.value,
            combine_rule=item.combine.value,
            weighted_by_code=item.weighted_by,
            frequency=item.frequency.value,
            baseline_required=item.baseline_required,
            target_required=item.target_required,
            plausible_min=item.plausible_min,
            plausible_max=item.plausible_max,
            include_guidance=item.include,
            exclude_guidance=item.exclude,
            data_sources=list(item.data_sources),
            release_rules=item.release.as_json(),
            minimum_evidence_level=levels[(item.minimum_evidence_scale, item.minimum_evidence_level)],
            position=position,
        )
    for position, category in enumerate(definition.cost_categories):
        CostCategory(
            framework_version=version,
            code=category.code,
            name=category.name,
            description=category.description,
            include_guidance=category.include,
            exclude_guidance=category.exclude,
            examples=list(category.examples),
            in_kind=category.in_kind,
            position=position,
        )
    for position, activity in enumerate(definition.activity_types):
        ActivityType(
            framework_version=version,
            code=activity.code,
            name=activity.name,
            description=activity.description,
            position=position,
        )
    for position, learning_type in enumerate(definition.learning_types):
        LearningTypeGuidance(
            framework_version=version,
            code=learning_type.code.value,
            description=learning_type.description,
            examples=list(learning_type.examples),
            position=position,
        )
    for position, dimension in enumerate(definition.learning_dimensions):
        LearningDimension(
            framework_version=version,
            code=dimension.code,
            name=dimension.name,
            description=dimension.description,
            position=position,
        )
    for position, partner_role in enumerate(definition.partner_roles):
        PartnerRole(
            framework_version=version,
            partner_type=partner_role.partner_type.value,
            role=partner_role.role,
            position=position,
        )
    for position, milestone in enumerate(definition.journey):
        JourneyMilestone(
            framework_version=version,
            code=milestone.code,
            percentage=milestone.percentage,
            title=milestone.title,
            definition=milestone.definition,
            evidence=milestone.evidence,
            position=position,
        )
    return version


def definition_of(version: FrameworkVersion) -> FrameworkDefinition:
    """A stored version as the plain definition a file would give, for comparing versions."""
    return FrameworkDefinition(
        code=version.framework.code,
        name=version.framework.name,
        version=version.version,
        effective_from=version.effective_from,
        description=version.description,
        themes=tuple(
            ThemeDefinition(
                code=theme.code,
                title=theme.title,
                description=theme.description,
                questions=tuple(QuestionDefinition(q.code, q.text, q.guidance) for q in theme.questions),
            )
            for theme in version.themes
        ),
        indicators=tuple(
            IndicatorDefinition(
                code=i.code,
                name=i.name,
                theme=i.theme.code,
                definition=i.definition,
                unit=IndicatorUnit(i.unit),
                decimal_places=i.decimal_places,
                direction=Direction(i.direction),
                combine=CombineRule(i.combine_rule),
                weighted_by=i.weighted_by_code,
                frequency=CollectionFrequency(i.frequency),
                baseline_required=i.baseline_required,
                target_required=i.target_required,
                plausible_min=i.plausible_min,
                plausible_max=i.plausible_max,
                include=i.include_guidance,
                exclude=i.exclude_guidance,
                data_sources=tuple(i.data_sources),
                minimum_evidence_scale=i.minimum_evidence_level.scale.code,
                minimum_evidence_level=i.minimum_evidence_level.level,
                release=ReleaseDeclaration.from_json(i.release_rules),
            )
            for i in version.indicators
        ),
        cost_categories=tuple(
            CostCategoryDefinition(
                code=c.code,
                name=c.name,
                description=c.description,
                include=c.include_guidance,
                exclude=c.exclude_guidance,
                examples=tuple(c.examples),
                in_kind=c.in_kind,
            )
            for c in version.cost_categories
        ),
        activity_types=tuple(
            ActivityTypeDefinition(a.code, a.name, a.description) for a in version.activity_types
        ),
        learning_types=tuple(
            LearningTypeDefinition(LearningType(t.code), t.description, tuple(t.examples))
            for t in version.learning_types
        ),
        learning_dimensions=tuple(
            LearningDimensionDefinition(d.code, d.name, d.description) for d in version.learning_dimensions
        ),
        partner_roles=tuple(
            PartnerRoleDefinition(PartnerType(r.partner_type), r.role) for r in version.partner_roles
        ),
        journey=tuple(
            MilestoneDefinition(m.code, m.percentage, m.title, m.definition, m.evidence)
            for m in version.milestones
        ),
        evidence_scales=tuple(
            EvidenceScaleDefinition(
                code=s.code,
                name=s.name,
                description=s.description,
                source=s.source,
                levels=tuple(
                    EvidenceLevelDefinition(level.level, level.title, level.description, level.prompt)
                    for level in s.levels
                ),
            )
            for s in version.evidence_scales
        ),
    )
