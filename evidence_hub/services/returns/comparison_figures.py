"""Comparison figures a site lead enters in a quarterly return, where the framework asks for them: the
quarter's figure of each comparison indicator for the site's own area and each comparison area the
evaluator named for it.

They are stored as comparison series figures, the same rows an evaluator's series upload writes, with
their source and extraction date, so every estimate reads one set of figures whichever way they came in.
Each carries its return: it counts towards the estimates only while the return is approved
(`services/impact/comparisons.counts_towards_estimates`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from evidence_hub.models import (
    AreaRole,
    ComparisonSeriesValue,
    ImpactArea,
    PeriodKind,
    SiteReturn,
    User,
)
from evidence_hub.services.common import audit
from evidence_hub.services.framework.impact_settings import impact_settings
from evidence_hub.services.framework.periods import period_dates
from evidence_hub.services.impact.comparisons import areas_of, comparison_indicators, impact_version
from evidence_hub.services.impact.series_file import (
    MOST_DECIMAL_PLACES,
    FigureFault,
    FigureRefused,
    parse_figure,
)
from evidence_hub.services.returns.editing import require_lead_can_edit
from evidence_hub.services.returns.errors import InvalidEvidence, StaleEdit
from evidence_hub.services.returns.evidence_rows import read_for_writing

SOURCE_FIELD = "source"
EXTRACTED_FIELD = "extracted_on"


@dataclass(frozen=True)
class FigureRow:
    """One figure the return asks for: an area's value of a comparison indicator in the return's quarter."""

    area_code: str
    area_name: str
    is_site_area: bool
    indicator_code: str
    indicator_name: str
    how_observed: str
    held: ComparisonSeriesValue | None

    @property
    def field_name(self) -> str:
        return f"figure-{self.area_code}-{self.indicator_code}"

    @property
    def held_text(self) -> str:
        """The figure as saved, as the lead would type it again."""
        return "" if self.held is None else format(self.held.value.normalize(), "f")


@dataclass(frozen=True)
class ReturnComparisons:
    """What a return asks for: the quarter (as public series name it, 2009-Q2) and each figure."""

    quarter: str
    rows: tuple[FigureRow, ...]

    @property
    def fingerprint(self) -> str:
        """A digest of the figures as they stand, carried by the form so that a save made after somebody
        else's is refused rather than written over theirs."""
        held = "|".join(
            f"{row.field_name}={row.held.value if row.held else ''}:{row.held.source if row.held else ''}"
            for row in self.rows
        )
        return hashlib.sha256(held.encode()).hexdigest()[:16]

    @property
    def entered(self) -> int:
        return sum(1 for row in self.rows if row.held is not None)


def return_quarter(site_return: SiteReturn) -> str | None:
    """The return's quarter as a calendar quarter code; None for a period that is not a quarter."""
    period = site_return.reporting_period
    if period.kind != PeriodKind.QUARTER:
        return None
    return period_dates(PeriodKind.QUARTER, period.starts_on)[0]


def comparison_figures(session: Session, site_return: SiteReturn) -> ReturnComparisons | None:
    """The figures the return asks for, with those held; None when the framework does not ask leads for
    them, the period is not a quarter, or the evaluator has named no area for the site yet.

    The caller has already found the return through the access rule (services/returns/finding.py)."""
    version = impact_version(site_return.framework_version.framework, site_return.framework_version)
    quarter = return_quarter(site_return)
    if version is None or quarter is None or not impact_settings(version).comparison_figures_in_returns:
        return None
    indicators = comparison_indicators(version)
    areas = areas_of(session, version, [site_return.site])
    if not areas or not indicators:
        return None
    held = {
        (figure.area_code, figure.indicator_code): figure
        for figure in session.scalars(
            select(ComparisonSeriesValue).where(
                ComparisonSeriesValue.framework_version_id == version.id,
                ComparisonSeriesValue.period_code == quarter,
                ComparisonSeriesValue.area_code.in_([area.area_code for area in areas]),
            )
        )
    }
    rows = []
    for code, name in indicators:
        for area in areas:
            how = _how_observed(area, code)
            is_site_area = area.role_enum is AreaRole.PILOT_SITE
            if how is None and not is_site_area:
                continue
            rows.append(
                FigureRow(
                    area.area_code,
                    area.area_name,
                    is_site_area,
                    code,
                    name,
                    how or "",
                    held.get((area.area_code, code)),
                )
            )
    return ReturnComparisons(quarter, tuple(rows)) if rows else None


def save_comparison_figures(
    session: Session,
    actor: User,
    site_return: SiteReturn,
    typed: Mapping[str, str],
    source: str,
    extracted_on: date | None,
    opened_with: str,
    *,
    today: date | None = None,
) -> int:
    """Save the figures typed (by field name), all or none; a figure left blank removes one held.
    Returns how many figures changed. InvalidEvidence names each field to correct; StaleEdit when the
    figures changed after the page was opened."""
    read_for_writing(session, site_return)
    require_lead_can_edit(actor, site_return)
    asked = comparison_figures(session, site_return)
    if asked is None:
        raise InvalidEvidence({SOURCE_FIELD: "This return does not ask for comparison figures."})
    problems: dict[str, str] = {}
    values: dict[str, Decimal | None] = {}
    for row in asked.rows:
        text = str(typed.get(row.field_name, "")).strip()
        values[row.field_name], problem = _figure(text, row)
        if problem:
            problems[row.field_name] = problem
    changing = [
        row
        for row in asked.rows
        if values.get(row.field_name) != (row.held.value if row.held is not None else None)
    ]
    giving = [row for row in changing if values.get(row.field_name) is not None]
    if giving and not source.strip():
        problems[SOURCE_FIELD] = (
            "Enter where the figures come from, like ONS Nomis claimant count, table CC01, downloaded "
            "for each local authority"
        )
    if giving and extracted_on is None:
        problems[EXTRACTED_FIELD] = "Enter the date the figures were extracted, like 14 7 2009"
    elif extracted_on is not None and extracted_on > (today or date.today()):
        problems[EXTRACTED_FIELD] = "The date the figures were extracted must be today or in the past"
    elif extracted_on is not None and extracted_on < site_return.reporting_period.starts_on:
        problems[EXTRACTED_FIELD] = (
            "The date the figures were extracted must be after the quarter began "
            f"({site_return.reporting_period.starts_on.day} {site_return.reporting_period.starts_on:%B %Y})"
        )
    if problems:
        raise InvalidEvidence(problems)
    if not changing:
        return 0
    if opened_with != asked.fingerprint:
        raise StaleEdit(
            item=site_return,
            theirs={row.field_name: row.held_text for row in asked.rows},
            yours={name: str(typed.get(name, "")) for name in values},
        )
    version = impact_version(site_return.framework_version.framework, site_return.framework_version)
    assert version is not None  # comparison_figures found it
    session.execute(
        delete(ComparisonSeriesValue).where(
            ComparisonSeriesValue.framework_version_id == version.id,
            ComparisonSeriesValue.period_code == asked.quarter,
            ComparisonSeriesValue.id.in_([row.held.id for row in changing if row.held is not None]),
        )
    )
    assert extracted_on is not None or not giving
    session.add_all(
        ComparisonSeriesValue(
            framework_version_id=version.id,
            area_code=row.area_code,
            area_name=row.area_name,
            period_code=asked.quarter,
            indicator_code=row.indicator_code,
            value=values[row.field_name],
            source=source.strip(),
            extracted_on=extracted_on,
            uploaded_by_id=actor.id,
            site_return_id=site_return.id,
        )
        for row in giving
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="impact.return_figures_saved",
        object_type="site_return",
        object_id=site_return.id,
        site_id=site_return.site_id,
        before={
            f"{row.area_name} ({row.area_code}), {row.indicator_name}": row.held_text or None
            for row in changing
        },
        after={
            f"{row.area_name} ({row.area_code}), {row.indicator_name}": (
                format(values[row.field_name].normalize(), "f")  # type: ignore[union-attr]
                if values[row.field_name] is not None
                else None
            )
            for row in changing
        }
        | {"quarter": asked.quarter, "source": source.strip() if giving else None},
    )
    return len(changing)


def _figure(text: str, row: FigureRow) -> tuple[Decimal | None, str | None]:
    """The typed figure, or why it cannot be saved, naming the area and indicator."""
    if not text:
        return None, None
    place = f"{row.area_name}'s {row.indicator_name.lower()}"
    try:
        return parse_figure(text), None
    except FigureRefused as refused:
        return None, {
            FigureFault.NOT_A_NUMBER: f"Enter {place} as a number, like 12.5",
            FigureFault.TOO_MANY_PLACES: f"{place[0].upper()}{place[1:]} can have at most "
            f"{MOST_DECIMAL_PLACES} decimal places",
            FigureFault.TOO_LARGE: f"{place[0].upper()}{place[1:]} is too large to be a figure for one area",
        }[refused.fault]


def _how_observed(area: ImpactArea, indicator_code: str) -> str | None:
    return next(
        (each.how_observed for each in area.observations if each.indicator_code == indicator_code), None
    )
