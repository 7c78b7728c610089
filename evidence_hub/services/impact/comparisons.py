"""The comparison an evaluator sets up for each pilot site: the site's own area and its comparison areas
(by GSS code) per framework version, the series uploaded for them (all or nothing), and the evaluator's
own rating of each site's evidence of impact.

Only evaluators and administrators change these (the pages check the role; `_require_evaluator` checks
it again here, so no other caller can: NotPermitted, answered with a 403 page giving the reason). A
programme that is not active takes no change to any of them: `_require_active` refuses each write with
`why_programme_takes_nothing`'s reason, beside the form's field.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, exists, func, or_, select, tuple_, update
from sqlalchemy.orm import Session, selectinload

from evidence_hub.db import utc_now
from evidence_hub.models import (
    AreaRole,
    ComparisonObservation,
    ComparisonSeriesValue,
    EvidenceLevel,
    Framework,
    FrameworkStatus,
    FrameworkVersion,
    ImpactArea,
    ImpactRating,
    PeriodKind,
    Role,
    Site,
    SiteReturn,
    User,
)
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import (
    NotPermitted,
    NotVisible,
    require_programme_active,
    scope_frameworks,
    scope_to_user,
    why_programme_takes_nothing,
)
from evidence_hub.services.framework.impact_settings import impact_settings
from evidence_hub.services.framework.periods import period_dates
from evidence_hub.services.impact.quarters import quarters_before
from evidence_hub.services.impact.series_file import GSS_CODE, SeriesRow, read_series_file

# Quarters before the pilot's first reporting period that an upload may hold: the method needs 4 to 8.
PRE_PILOT_QUARTERS_ALLOWED = 8


class ComparisonRefused(ValueError):
    """The change cannot be made; `field_errors` says why, by form field. `forbidden` when it is refused
    whatever is entered (the programme is not active), answered 403 rather than as a correction to make."""

    def __init__(self, field_errors: Mapping[str, str], *, forbidden: bool = False) -> None:
        super().__init__("; ".join(field_errors.values()))
        self.field_errors = dict(field_errors)
        self.forbidden = forbidden


def _require_evaluator(user: User) -> None:
    """Refuse (NotPermitted, a 403 on a page) anyone but an evaluator or administrator."""
    if user.role_enum not in (Role.EVALUATOR, Role.ADMINISTRATOR):
        raise NotPermitted(
            "Only evaluators and administrators change comparison areas, ratings and accepted figures."
        )


def _require_active(version: FrameworkVersion, field: str) -> None:
    """The one check of every comparison write: a programme that is not active takes none (the reason is
    given for `field`, the form field it is shown beside)."""
    closed = why_programme_takes_nothing(version.framework.programme)
    if closed:
        raise ComparisonRefused({field: closed}, forbidden=True)


def impact_version(framework: Framework, in_hand: FrameworkVersion | None = None) -> FrameworkVersion | None:
    """The version comparisons are set up against: the published one, else the newest that was published.

    `in_hand` is a version of the framework already read (a return's): when it is the published one it is
    the answer, since a framework has one published version at most, and the versions need not be read."""
    if in_hand is not None and in_hand.status == FrameworkStatus.PUBLISHED.value:
        return in_hand
    if framework.published_version is not None:
        return framework.published_version
    published = [version for version in framework.versions if version.published_at is not None]
    return published[-1] if published else None


def pilot_quarters(framework: Framework) -> list[str]:
    """The framework's quarterly reporting periods, oldest first, as calendar quarter codes (2009-Q2), the
    form public series use, whether the framework names its periods by calendar or by financial year."""
    starts = sorted(
        period.starts_on for period in framework.reporting_periods if period.kind == PeriodKind.QUARTER
    )
    return [period_dates(PeriodKind.QUARTER, start)[0] for start in starts]


def first_pilot_quarter(framework: Framework) -> str | None:
    """The quarter the pilot began: the framework's first quarterly reporting period."""
    quarters = pilot_quarters(framework)
    return quarters[0] if quarters else None


def series_quarters(framework: Framework) -> list[str]:
    """Every quarter a series figure may be for: up to eight before the pilot, then the pilot's own."""
    quarters = pilot_quarters(framework)
    if not quarters:
        return []
    return [*quarters_before(quarters[0], PRE_PILOT_QUARTERS_ALLOWED), *quarters]


def comparison_indicators(version: FrameworkVersion) -> list[tuple[str, str]]:
    """The indicators compared with comparison areas (code, name): those the framework names, else all."""
    named = impact_settings(version).comparison_indicators
    return [
        (indicator.code, indicator.name)
        for indicator in version.indicators
        if not named or indicator.code in named
    ]


def areas_of(session: Session, version: FrameworkVersion, sites: Sequence[Site]) -> list[ImpactArea]:
    """The sites' own areas and comparison areas for the version, by site then role then name."""
    if not sites:
        return []
    return list(
        session.scalars(
            select(ImpactArea)
            .where(
                ImpactArea.framework_version_id == version.id,
                ImpactArea.site_id.in_([site.id for site in sites]),
            )
            .options(selectinload(ImpactArea.observations), selectinload(ImpactArea.site))
            .order_by(ImpactArea.site_id, ImpactArea.role.desc(), ImpactArea.area_name)
        )
    )


def add_area(
    session: Session,
    actor: User,
    version: FrameworkVersion,
    site: Site,
    *,
    role: AreaRole,
    area_code: str,
    area_name: str,
    observed: Mapping[str, str],
) -> ImpactArea:
    """Name the site's own area or a comparison area; `observed` gives, per indicator code, how the
    indicator is observed there. ComparisonRefused says what to correct."""
    _require_evaluator(actor)
    _require_active(version, "site")
    code = area_code.strip().upper()
    errors: dict[str, str] = {}
    if not GSS_CODE.match(code):
        errors["area_code"] = "Enter a GSS code: a letter E, W, S or N followed by 8 digits, like E06000035"
    existing = areas_of(session, version, [site])
    if any(area.area_code == code for area in existing):
        errors["area_code"] = f"{code} is already one of {site.name}'s areas"
    if role is AreaRole.PILOT_SITE and any(area.role_enum is AreaRole.PILOT_SITE for area in existing):
        errors["role"] = f"{site.name} already has its own area: remove it first to name another"
    if not area_name.strip():
        errors["area_name"] = "Enter the area's name, like Medway"
    if errors:
        raise ComparisonRefused(errors)
    area = ImpactArea(
        framework_version_id=version.id,
        site=site,
        role=role.value,
        area_code=code,
        area_name=area_name.strip(),
        created_by_id=actor.id,
        observations=[
            ComparisonObservation(indicator_code=indicator, how_observed=how.strip())
            for indicator, how in observed.items()
        ],
    )
    session.add(area)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="impact.area_added",
        object_type="impact_area",
        object_id=area.id,
        site_id=site.id,
        after={
            "area_code": code,
            "area_name": area.area_name,
            "role": role.value,
            "observed": dict(observed),
        },
    )
    return area


def remove_area(session: Session, actor: User, area: ImpactArea) -> None:
    """Take the area out of its site's comparison; a plain button, so a programme that is not active refuses
    it with ProgrammeNotActive (its 403 page gives the reason)."""
    _require_evaluator(actor)
    version = session.get(FrameworkVersion, area.framework_version_id)
    if version is not None:
        require_programme_active(version.framework.programme)
    audit.record(
        session,
        actor=actor,
        action="impact.area_removed",
        object_type="impact_area",
        object_id=area.id,
        site_id=area.site_id,
        before={"area_code": area.area_code, "area_name": area.area_name, "role": area.role},
    )
    session.delete(area)


@dataclass(frozen=True)
class SeriesUploaded:
    figures: int
    replaced: int
    areas: int


def upload_series(
    session: Session,
    actor: User,
    version: FrameworkVersion,
    content: bytes,
    filename: str,
    *,
    today: date | None = None,
) -> SeriesUploaded:
    """Take every figure of the file, or none: SeriesFileRejected lists every problem by row and column.
    A figure for an area, quarter and indicator already held replaces it.

    Evaluators and administrators upload for every site's areas; a site lead for their own site's areas
    only (its own area and the comparison areas the evaluator named for it), through the access scope.
    An evaluator's figures count at once; a lead's wait for an evaluator to accept them.
    A programme that is not active takes none (ComparisonRefused, with the reason for the file field).
    """
    if actor.role_enum not in (Role.EVALUATOR, Role.ADMINISTRATOR, Role.SITE_LEAD):
        raise NotPermitted("Only evaluators, administrators and site leads upload comparison series.")
    _require_active(version, "spreadsheet")
    known = {
        area.area_code
        for area in session.scalars(
            scope_to_user(
                select(ImpactArea).where(ImpactArea.framework_version_id == version.id),
                actor,
                ImpactArea.site_id,
            )
        )
    }
    rows = read_series_file(
        content,
        filename,
        area_codes=known,
        period_codes=series_quarters(version.framework),
        indicator_codes=[code for code, _name in comparison_indicators(version)],
        today=today,
    )
    keys = [(row.area_code, row.period_code, row.indicator_code) for row in rows]
    replaced = 0
    for start in range(0, len(keys), 500):
        batch = keys[start : start + 500]
        result = session.execute(
            delete(ComparisonSeriesValue).where(
                ComparisonSeriesValue.framework_version_id == version.id,
                tuple_(
                    ComparisonSeriesValue.area_code,
                    ComparisonSeriesValue.period_code,
                    ComparisonSeriesValue.indicator_code,
                ).in_(batch),
            )
        )
        replaced += result.rowcount or 0  # type: ignore[attr-defined]
    vouched = actor.role_enum in (Role.EVALUATOR, Role.ADMINISTRATOR)
    session.add_all(_series_value(version, actor, row, vouched=vouched) for row in rows)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="impact.series_uploaded",
        object_type="framework_version",
        object_id=version.id,
        after={
            "filename": filename,
            "figures": len(rows),
            "replaced": replaced,
            "awaiting_acceptance": not vouched,
        },
    )
    return SeriesUploaded(len(rows), replaced, len({row.area_code for row in rows}))


def _series_value(
    version: FrameworkVersion, actor: User, row: SeriesRow, *, vouched: bool
) -> ComparisonSeriesValue:
    return ComparisonSeriesValue(
        framework_version_id=version.id,
        area_code=row.area_code,
        area_name=row.area_name,
        period_code=row.period_code,
        indicator_code=row.indicator_code,
        value=row.value,
        source=row.source,
        extracted_on=row.extracted_on,
        uploaded_by_id=actor.id,
        accepted_at=utc_now() if vouched else None,
        accepted_by_id=actor.id if vouched else None,
    )


def counts_towards_estimates() -> ColumnElement[bool]:
    """The one rule for which comparison figures the estimates (and so the Impact view, releases and value
    for money) rest on: those an evaluator vouched for, by uploading or accepting them, or by approving
    the return a site lead entered them in. A draft, submitted or reopened return's figures do not count.
    """
    return or_(
        ComparisonSeriesValue.accepted_at.is_not(None),
        exists().where(
            SiteReturn.id == ComparisonSeriesValue.site_return_id, SiteReturn.approved_at.is_not(None)
        ),
    )


def series_of(
    session: Session, version: FrameworkVersion, area_codes: Sequence[str], indicator_code: str
) -> list[ComparisonSeriesValue]:
    """The figures that count for these areas and this indicator, by area and quarter."""
    if not area_codes:
        return []
    return list(
        session.scalars(
            select(ComparisonSeriesValue)
            .where(
                ComparisonSeriesValue.framework_version_id == version.id,
                ComparisonSeriesValue.indicator_code == indicator_code,
                ComparisonSeriesValue.area_code.in_(list(area_codes)),
                counts_towards_estimates(),
            )
            .order_by(ComparisonSeriesValue.area_code, ComparisonSeriesValue.period_code)
        )
    )


def rating_levels(version: FrameworkVersion) -> list[EvidenceLevel]:
    """The levels of the framework's one evidence scale for prompts and ratings, lowest first."""
    scale_code = impact_settings(version).evidence_scale
    scale = next((scale for scale in version.evidence_scales if scale.code == scale_code), None)
    return list(scale.levels) if scale is not None else []


def ratings_of(session: Session, version: FrameworkVersion, sites: Sequence[Site]) -> list[ImpactRating]:
    if not sites:
        return []
    return list(
        session.scalars(
            select(ImpactRating)
            .where(
                ImpactRating.framework_version_id == version.id,
                ImpactRating.site_id.in_([site.id for site in sites]),
            )
            .options(selectinload(ImpactRating.evidence_level))
        )
    )


def record_rating(
    session: Session,
    actor: User,
    version: FrameworkVersion,
    site: Site,
    indicator_code: str,
    level: int,
    rationale: str,
) -> ImpactRating:
    """The evaluator's own rating of a site's evidence of impact on an indicator, on the framework's scale
    (replacing an earlier one); separate from the site's self-assessment."""
    _require_evaluator(actor)
    _require_active(version, "site")
    chosen = next((each for each in rating_levels(version) if each.level == level), None)
    errors: dict[str, str] = {}
    if chosen is None:
        errors["level"] = "Choose a level on the framework's evidence scale"
    if indicator_code not in {code for code, _name in comparison_indicators(version)}:
        errors["indicator"] = "Choose an indicator the framework compares with comparison areas"
    if not rationale.strip():
        errors["rationale"] = "Say why the evidence is at this level"
    if errors or chosen is None:
        raise ComparisonRefused(errors)
    rating = session.scalar(
        select(ImpactRating).where(
            ImpactRating.framework_version_id == version.id,
            ImpactRating.site_id == site.id,
            ImpactRating.indicator_code == indicator_code,
        )
    )
    before = {"level": rating.evidence_level.level, "rationale": rating.rationale} if rating else None
    if rating is None:
        rating = ImpactRating(framework_version_id=version.id, site_id=site.id, indicator_code=indicator_code)
        session.add(rating)
    rating.evidence_level = chosen
    rating.rationale = rationale.strip()
    rating.rated_by_id = actor.id
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="impact.rating_recorded",
        object_type="impact_rating",
        object_id=rating.id,
        site_id=site.id,
        before=before,
        after={"indicator": indicator_code, "level": level, "rationale": rating.rationale},
    )
    return rating


def framework_named(session: Session, user: User, code: str) -> Framework:
    """The framework with this code in one of the user's programmes; NotVisible (404) otherwise."""
    framework = session.scalar(scope_frameworks(select(Framework).where(Framework.code == code), user))
    if framework is None:
        raise NotVisible(f"There is no framework called {code}")
    return framework


def pilot_sites(framework: Framework) -> list[Site]:
    """The sites taking part in the framework's programme, by name: the evaluator sets up comparisons for
    all of them."""
    return list(framework.programme.sites)


def area_numbered(session: Session, version: FrameworkVersion, area_id: int) -> ImpactArea:
    area = session.get(ImpactArea, area_id)
    if area is None or area.framework_version_id != version.id:
        raise NotVisible("There is no such area")
    return area


@dataclass(frozen=True)
class FigureCounts:
    """How many of an area's figures count, and how many wait for an evaluator: a lead's upload for
    acceptance, a lead's figures in a return for the return's approval."""

    counted: int = 0
    awaiting_acceptance: int = 0
    awaiting_approval: int = 0


def series_counts(session: Session, version: FrameworkVersion) -> dict[str, FigureCounts]:
    """Each area code's figures, counted and waiting."""
    counted = counts_towards_estimates()
    rows = session.execute(
        select(
            ComparisonSeriesValue.area_code,
            func.count().filter(counted),
            func.count().filter(~counted, ComparisonSeriesValue.site_return_id.is_(None)),
            func.count().filter(~counted, ComparisonSeriesValue.site_return_id.is_not(None)),
        )
        .where(ComparisonSeriesValue.framework_version_id == version.id)
        .group_by(ComparisonSeriesValue.area_code)
    )
    return {
        str(code): FigureCounts(int(counted_here), int(acceptance), int(approval))
        for code, counted_here, acceptance, approval in rows
    }


def figures_not_counted(
    session: Session, version: FrameworkVersion, area_codes: Sequence[str], indicator_code: str
) -> dict[str, int]:
    """How many of each area's figures of the indicator wait for an evaluator, so do not count yet."""
    if not area_codes:
        return {}
    rows = session.execute(
        select(ComparisonSeriesValue.area_code, func.count())
        .where(
            ComparisonSeriesValue.framework_version_id == version.id,
            ComparisonSeriesValue.indicator_code == indicator_code,
            ComparisonSeriesValue.area_code.in_(list(area_codes)),
            ~counts_towards_estimates(),
        )
        .group_by(ComparisonSeriesValue.area_code)
    )
    return {str(code): int(count) for code, count in rows}


@dataclass(frozen=True)
class AwaitingAcceptance:
    """A site's figures from its leads' uploads that wait for an evaluator, with who uploaded them; the
    fingerprint is what the evaluator saw, so that accepting never takes in figures uploaded since."""

    site: Site
    figures: tuple[tuple[ComparisonSeriesValue, str], ...]

    @property
    def fingerprint(self) -> str:
        return figures_fingerprint(figure for figure, _uploader in self.figures)


def figures_fingerprint(figures: Iterable[ComparisonSeriesValue]) -> str:
    described = "|".join(
        f"{figure.id}:{figure.area_code}:{figure.period_code}:{figure.indicator_code}:{figure.value}:"
        f"{figure.source}:{figure.extracted_on}:{figure.uploaded_at.isoformat()}"
        for figure in sorted(figures, key=lambda each: each.id)
    )
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def _awaiting_acceptance_query(version: FrameworkVersion, area_codes: Sequence[str]) -> Select[Any]:
    return (
        select(ComparisonSeriesValue)
        .where(
            ComparisonSeriesValue.framework_version_id == version.id,
            ComparisonSeriesValue.area_code.in_(list(area_codes)),
            ComparisonSeriesValue.site_return_id.is_(None),
            ComparisonSeriesValue.accepted_at.is_(None),
        )
        .order_by(
            ComparisonSeriesValue.area_code,
            ComparisonSeriesValue.indicator_code,
            ComparisonSeriesValue.period_code,
        )
    )


def awaiting_acceptance(
    session: Session, version: FrameworkVersion, sites: Sequence[Site]
) -> list[AwaitingAcceptance]:
    """Each site's uploaded figures waiting for an evaluator to accept them (sites with none left out):
    two queries whatever the number of sites."""
    codes_by_site: dict[int, set[str]] = defaultdict(set)
    for area in areas_of(session, version, sites):
        codes_by_site[area.site_id].add(area.area_code)
    every_code = sorted(set().union(*codes_by_site.values()))
    if not every_code:
        return []
    rows = session.execute(
        _awaiting_acceptance_query(version, every_code)
        .add_columns(User.full_name)
        .outerjoin(User, User.id == ComparisonSeriesValue.uploaded_by_id)
    ).all()
    waiting = []
    for site in sites:
        codes = codes_by_site.get(site.id, set())
        figures = tuple((figure, name or "unknown") for figure, name in rows if figure.area_code in codes)
        if figures:
            waiting.append(AwaitingAcceptance(site, figures))
    return waiting


def accept_figures(session: Session, actor: User, version: FrameworkVersion, site: Site, seen: str) -> int:
    """Accept the site's uploaded figures waiting for an evaluator, exactly as the evaluator saw them
    (`seen`, their fingerprint); how many were accepted. ComparisonRefused when they changed since."""
    _require_evaluator(actor)
    _require_active(version, "figures")
    codes = [area.area_code for area in areas_of(session, version, [site])]
    # Locked where the engine can (SQLite's write transaction already excludes every other writer), so a
    # lead's upload lands wholly before this reads or wholly after it writes.
    waiting = list(session.scalars(_awaiting_acceptance_query(version, codes).with_for_update()))
    if not waiting and not seen:
        raise ComparisonRefused({"figures": f"No figures from {site.name} are waiting to be accepted"})
    # Figures seen but gone (replaced by a new upload, or accepted by somebody else) are a change too.
    if figures_fingerprint(waiting) != seen:
        raise ComparisonRefused(
            {
                "figures": f"{site.name}'s figures waiting for you changed after you opened this page. "
                "Check them again before accepting them"
            }
        )
    session.execute(
        update(ComparisonSeriesValue)
        .where(ComparisonSeriesValue.id.in_([figure.id for figure in waiting]))
        .values(accepted_at=utc_now(), accepted_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    audit.record(
        session,
        actor=actor,
        action="impact.figures_accepted",
        object_type="framework_version",
        object_id=version.id,
        site_id=site.id,
        after={
            "figures": len(waiting),
            "areas": sorted({figure.area_code for figure in waiting}),
            "quarters": sorted({figure.period_code for figure in waiting}),
        },
    )
    return len(waiting)
