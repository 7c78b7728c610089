"""The roll-out projection: what rolling the pilot out to a list of areas would cost and return, scaled by
the size of each area (such as its working-age population or claimant count), with its assumptions.

The scaling rule, from the pilots' appraisal (real, base-year prices, before optimism bias):
- set-up cost per unit of size = pilots' set-up cost ÷ the pilots' total size;
- running cost and benefits per unit of size per year = pilots' amount ÷ Σ (each pilot's size × years of
  approved returns), benefits by kind (fiscal, economic, social);
- for each area: set-up cost = rate × size × (1 + optimism bias on set-up), in year 0; in each of the years
  0 to n − 1, running cost = rate × size × (1 + optimism bias on running) and benefits = rate × size; every
  flow discounted with the Green Book rates from year 0, the year the roll-out starts.
Costs and benefits are assumed proportional to size (no economies of scale) and to begin at once.

Low, central and high come from the low, central and high appraisals (the stated parameter ranges and the
impact estimate's prediction interval) with the matching optimism bias, never from the spread of sites.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from evidence_hub.services.appraisal import years as financial_years
from evidence_hub.services.appraisal.appraisal import Appraisal
from evidence_hub.services.appraisal.assumptions import Level
from evidence_hub.services.appraisal.definitions import MethodKey, definition
from evidence_hub.services.appraisal.discounting import discount_divisor
from evidence_hub.services.appraisal.display import count, exact_arithmetic, factor, money, plain, ratio
from evidence_hub.services.appraisal.evidence import BenefitKind, CostType
from evidence_hub.services.appraisal.sensitivity import AppraisalRange
from evidence_hub.services.appraisal.workings import WorkingLine, Workings

PER = Decimal(1000)
# Up to this many pilot sites are named in the assumptions table; beyond it, their totals are.
LISTED_PILOTS = 5


class ProjectionProblems(ValueError):
    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


@dataclass(frozen=True)
class SizeMeasure:
    """What measures an area's size, such as "working-age population (16 to 64)", and where the figures
    come from, such as "ONS mid-year population estimates, mid-2023"."""

    name: str
    source: str


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    size: Decimal


@dataclass(frozen=True)
class ProjectionRequest:
    """The areas to project to, the size of each pilot site (by site code) on the same measure, and the
    years of running to project (set-up falls in year 0, running and benefits in years 0 to years − 1)."""

    measure: SizeMeasure
    pilot_sizes: Mapping[str, Decimal]
    areas: tuple[Area, ...]
    years: int


@dataclass(frozen=True)
class PilotScale:
    """A pilot site the rates come from: its size and the months of approved returns it has."""

    code: str
    name: str
    size: Decimal
    months_observed: int


@dataclass(frozen=True)
class ScaledRates:
    """Per unit of size, at base-year prices, before optimism bias, under one scenario."""

    set_up_per_unit: Decimal
    running_per_unit_year: Decimal
    benefits_per_unit_year: Mapping[BenefitKind, Decimal]
    optimism_bias: Mapping[CostType, Decimal]

    @property
    def all_benefits_per_unit_year(self) -> Decimal:
        return sum(self.benefits_per_unit_year.values(), Decimal(0))


@dataclass(frozen=True)
class ProjectedFigures:
    """One area (or all of them) under one scenario. Costs include optimism bias."""

    set_up_cost: Decimal
    running_cost_per_year: Decimal
    benefits_per_year: Decimal
    present_value_costs: Decimal
    present_value_benefits: Decimal

    @property
    def net_present_value(self) -> Decimal:
        return self.present_value_benefits - self.present_value_costs

    @property
    def benefit_cost_ratio(self) -> Decimal | None:
        return self.present_value_benefits / self.present_value_costs if self.present_value_costs else None


@dataclass(frozen=True)
class AreaProjection:
    area: Area
    low: ProjectedFigures
    central: ProjectedFigures
    high: ProjectedFigures

    def at(self, level: Level) -> ProjectedFigures:
        return {Level.LOW: self.low, Level.CENTRAL: self.central, Level.HIGH: self.high}[level]


@dataclass(frozen=True)
class AssumptionRow:
    """A row of the assumptions table shown beside the figures: the value each estimate used."""

    assumption: str
    low: str
    central: str
    high: str
    basis: str


@dataclass(frozen=True)
class Projection:
    measure: SizeMeasure
    years: int
    pilots: tuple[PilotScale, ...]
    areas: tuple[AreaProjection, ...]
    total: AreaProjection
    rates: Mapping[Level, ScaledRates]
    assumptions: tuple[AssumptionRow, ...]
    workings: tuple[Workings, ...]
    notes: tuple[str, ...]


def areas_from_rows(rows: Iterable[Sequence[Any]]) -> tuple[Area, ...]:
    """Areas from an uploaded list of rows (area code, area name, size). A first row whose size is not a
    number is taken as headings. Raises ProjectionProblems listing every problem by row."""
    problems = []
    areas: list[Area] = []
    codes: set[str] = set()
    for number, row in enumerate(rows, start=1):
        cells = [str(cell).strip() if cell is not None else "" for cell in row]
        if not any(cells):
            continue
        cells += [""] * (3 - len(cells))
        code, name, size_text = cells[:3]
        size = _size(size_text)
        if number == 1 and size is None:
            continue
        if not code:
            problems.append(f"Row {number}: give the area's code.")
        elif code in codes:
            problems.append(f"Row {number}: the area {code} is listed more than once.")
        if not name:
            problems.append(f"Row {number}: give the area's name.")
        if size is None or size <= 0:
            problems.append(f"Row {number}: the size must be a number above 0.")
        if code and name and size is not None and size > 0 and code not in codes:
            areas.append(Area(code, name, size))
        codes.add(code)
    if not areas and not problems:
        problems.append("The list has no areas.")
    if problems:
        raise ProjectionProblems(problems)
    return tuple(areas)


def _size(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@exact_arithmetic
def project(request: ProjectionRequest, appraisals: AppraisalRange) -> Projection:
    """The projection of the pilots' low, central and high appraisals to the requested areas."""
    problems = []
    if request.years < 1:
        problems.append("Project at least one year of running.")
    if not request.areas:
        problems.append("Give at least one area to project to.")
    problems += [f"{area.name}: the size must be above 0." for area in request.areas if area.size <= 0]
    central = appraisals.central
    used = [
        site
        for site in central.sites
        if site.returns
        and request.pilot_sizes.get(site.code) is not None
        and request.pilot_sizes[site.code] > 0
    ]
    if not used:
        problems.append(
            f"No pilot site has both approved returns and a {request.measure.name}, so nothing can be scaled."
        )
    if problems:
        raise ProjectionProblems(problems)
    codes = [site.code for site in used]
    notes = [
        f"{site.name} is left out of the rates: it has no {request.measure.name} given."
        for site in central.sites
        if site.returns and site.code not in codes
    ]
    by_level = {Level.LOW: appraisals.low, Level.CENTRAL: central, Level.HIGH: appraisals.high}
    rates = {level: _rates(appraisal, codes, request.pilot_sizes) for level, appraisal in by_level.items()}
    schedule = central.assumptions.parameters.discounting
    annuity = sum((1 / discount_divisor(schedule, year) for year in range(request.years)), Decimal(0))

    def figures(size: Decimal, level: Level) -> ProjectedFigures:
        rate = rates[level]
        set_up = rate.set_up_per_unit * size * (1 + rate.optimism_bias[CostType.SET_UP] / 100)
        running = rate.running_per_unit_year * size * (1 + rate.optimism_bias[CostType.RUNNING] / 100)
        benefits = rate.all_benefits_per_unit_year * size
        return ProjectedFigures(
            set_up_cost=set_up,
            running_cost_per_year=running,
            benefits_per_year=benefits,
            present_value_costs=set_up + running * annuity,
            present_value_benefits=benefits * annuity,
        )

    def projected(area: Area) -> AreaProjection:
        return AreaProjection(
            area,
            low=figures(area.size, Level.LOW),
            central=figures(area.size, Level.CENTRAL),
            high=figures(area.size, Level.HIGH),
        )

    total_size = sum((area.size for area in request.areas), Decimal(0))
    total = projected(Area("all", "All areas", total_size))
    pilots = tuple(
        PilotScale(site.code, site.name, request.pilot_sizes[site.code], site.months_observed)
        for site in used
    )
    return Projection(
        measure=request.measure,
        years=request.years,
        pilots=pilots,
        areas=tuple(projected(area) for area in request.areas),
        total=total,
        rates=rates,
        assumptions=_assumption_rows(request, rates, pilots, central),
        workings=tuple(_workings(request, rates, total, level, annuity, notes) for level in Level),
        notes=tuple(notes),
    )


def _rates(appraisal: Appraisal, codes: Sequence[str], sizes: Mapping[str, Decimal]) -> ScaledRates:
    # Each site's totals, not its full appraisal: the low and high appraisals build no site's figures.
    sites = [appraisal.site_totals(code) for code in codes]
    total_size = sum((sizes[code] for code in codes), Decimal(0))
    size_years = sum(
        (sizes[code] * site.months_observed / 12 for code, site in zip(codes, sites, strict=True)), Decimal(0)
    )
    return ScaledRates(
        set_up_per_unit=sum((site.costs.real(CostType.SET_UP) for site in sites), Decimal(0)) / total_size,
        running_per_unit_year=sum((site.costs.real(CostType.RUNNING) for site in sites), Decimal(0))
        / size_years,
        benefits_per_unit_year={
            kind: sum((site.benefits.real(kind) for site in sites), Decimal(0)) / size_years
            for kind in BenefitKind
        },
        optimism_bias=dict(appraisal.assumptions.optimism_bias),
    )


def _pilots_text(pilots: Sequence[PilotScale], measure: str) -> str:
    """Each pilot where there are a few; otherwise their totals."""
    if len(pilots) <= LISTED_PILOTS:
        return "; ".join(
            f"{pilot.name} {count(pilot.size)} ({pilot.months_observed} months of approved returns)"
            for pilot in pilots
        )
    size = sum((pilot.size for pilot in pilots), Decimal(0))
    months = sum(pilot.months_observed for pilot in pilots)
    return f"{len(pilots)} sites: {count(size)} {measure} in all, {months} site-months of approved returns"


def _assumption_rows(
    request: ProjectionRequest,
    rates: Mapping[Level, ScaledRates],
    pilots: Sequence[PilotScale],
    central: Appraisal,
) -> tuple[AssumptionRow, ...]:
    parameters = central.assumptions.parameters
    base = financial_years.label(parameters.price_base_year)
    unit = f"per {count(PER)} {request.measure.name}"

    def same(assumption: str, value: str, basis: str) -> AssumptionRow:
        return AssumptionRow(assumption, value, value, value, basis)

    def each(assumption: str, value: Any, basis: str) -> AssumptionRow:
        return AssumptionRow(
            assumption,
            low=value(rates[Level.LOW]),
            central=value(rates[Level.CENTRAL]),
            high=value(rates[Level.HIGH]),
            basis=basis,
        )

    rows = [
        same("Size of an area", request.measure.name, request.measure.source),
        same(
            "Pilot sites used for the rates",
            _pilots_text(pilots, request.measure.name),
            request.measure.source,
        ),
        same("Scaling rule", definition(MethodKey.ROLL_OUT_SCALING).formula, "No economies of scale assumed"),
        each(
            f"Set-up cost {unit}, before optimism bias",
            lambda rate: money(rate.set_up_per_unit * PER),
            f"Pilots' real set-up cost at {base} prices ÷ their total size",
        ),
        each(
            f"Running cost {unit} a year, before optimism bias",
            lambda rate: money(rate.running_per_unit_year * PER),
            f"Pilots' real running cost at {base} prices ÷ Σ (size × years observed)",
        ),
    ]
    rows += [
        each(
            f"{kind.label} benefits {unit} a year",
            lambda rate, kind=kind: money(rate.benefits_per_unit_year[kind] * PER),
            "Pilots' additional benefits at the matching low, central or high assumptions",
        )
        for kind in BenefitKind
    ]
    rows += [
        each(
            f"Optimism bias on {cost_type.label.lower()} costs",
            lambda rate, cost_type=cost_type: f"{plain(rate.optimism_bias[cost_type])}%",
            parameters.optimism_bias.source.citation(),
        )
        for cost_type in CostType
    ]
    rows += [
        same("Years of running", str(request.years), "Set-up in year 0; running and benefits from year 0"),
        same("Price base year", base, parameters.deflators.source.citation()),
        same(
            "Discount rates",
            "; ".join(
                f"{plain(band.percent)}% from year {band.from_year}"
                for band in parameters.discounting.bands[:2]
            )
            + " …",
            parameters.discounting.source.citation(),
        ),
    ]
    return tuple(rows)


def _workings(
    request: ProjectionRequest,
    rates: Mapping[Level, ScaledRates],
    total: AreaProjection,
    level: Level,
    annuity: Decimal,
    notes: Sequence[str],
) -> Workings:
    figures = total.at(level)
    rate = rates[level]
    size = total.area.size
    unit = f"per {count(PER)} {request.measure.name}"
    benefit_cost = figures.benefit_cost_ratio
    return Workings(
        title=f"Roll-out projection, {level.value} estimate: all areas",
        formula=definition(MethodKey.ROLL_OUT_SCALING).formula,
        inputs=(
            WorkingLine(f"Total {request.measure.name} of the areas", count(size), request.measure.source),
            WorkingLine(f"Set-up cost {unit}, before optimism bias", money(rate.set_up_per_unit * PER)),
            WorkingLine(
                f"Running cost {unit} a year, before optimism bias", money(rate.running_per_unit_year * PER)
            ),
            WorkingLine(f"Benefits {unit} a year", money(rate.all_benefits_per_unit_year * PER)),
            WorkingLine(f"Sum of discount factors for years 0 to {request.years - 1}", factor(annuity)),
        ),
        parameters=tuple(
            WorkingLine(f"Optimism bias on {cost_type.label.lower()} costs", f"{plain(uplift)}%")
            for cost_type, uplift in rate.optimism_bias.items()
        ),
        calculation=(
            f"Costs: {money(figures.set_up_cost)} set-up + {money(figures.running_cost_per_year)} a year × "
            f"{factor(annuity)} = {money(figures.present_value_costs)}. Benefits: "
            f"{money(figures.benefits_per_year)} a year × {factor(annuity)} = "
            f"{money(figures.present_value_benefits)}. Net present value {money(figures.net_present_value)}"
            + (f"; benefit–cost ratio {ratio(benefit_cost)}." if benefit_cost is not None else ".")
        ),
        notes=tuple(notes),
    )
