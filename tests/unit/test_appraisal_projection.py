"""The roll-out projection scales the pilots' costs and benefits by the size of each area, applies optimism
bias, discounts, and shows its assumptions beside the figures; low, central and high come from the
parameter ranges, not from the sites' spread."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from evidence_hub.services.appraisal.assumptions import Level
from evidence_hub.services.appraisal.evidence import (
    CostLine,
    CostType,
    Funding,
    PeriodEvidence,
    PilotEvidence,
    SavingLine,
    SiteEvidence,
)
from evidence_hub.services.appraisal.projection import (
    Area,
    ProjectionProblems,
    ProjectionRequest,
    SizeMeasure,
    areas_from_rows,
    project,
)
from evidence_hub.services.appraisal.sensitivity import AppraisalRange, appraisal_range
from tests.appraisal_helpers import parameters, pounds, quarter, spread

D = Decimal
# Four quarters of 2009-10: one year of approved returns for each site.
QUARTERS = (quarter(2009, 2), quarter(2009, 3), quarter(2009, 4), quarter(2010, 1))
MEASURE = SizeMeasure("working-age population", "ONS mid-year population estimates, mid-2023")


def site(code: str, name: str, set_up: int, running: int, savings: int) -> SiteEvidence:
    """A set-up cost in the first quarter, and the same running cost and savings every quarter."""
    returns = {}
    for number, period in enumerate(QUARTERS):
        costs = [CostLine(D(running), CostType.RUNNING, Funding.CASH)]
        if number == 0:
            costs.append(CostLine(D(set_up), CostType.SET_UP, Funding.CASH))
        returns[period.code] = PeriodEvidence(
            costs=tuple(costs), savings=(SavingLine(D(savings), cashable=True),)
        )
    return SiteEvidence(code, name, returns)


@pytest.fixture(scope="module")
def pilots() -> AppraisalRange:
    # Leeds is Kent at half the size: the sites do not differ per head at all.
    evidence = PilotEvidence(
        periods=QUARTERS,
        sites=(site("kent", "Kent", 30000, 5000, 6000), site("leeds", "Leeds", 15000, 2500, 3000)),
    )
    return appraisal_range(
        evidence,
        parameters(set_up_bias=spread(10, 20, 40), running_bias=spread(0, 10, 20)),
        one_at_a_time=False,
    )


def request(*areas: Area, years: int = 3) -> ProjectionRequest:
    return ProjectionRequest(
        measure=MEASURE,
        pilot_sizes={"kent": D(100000), "leeds": D(50000)},
        areas=areas,
        years=years,
    )


def test_costs_and_benefits_scale_with_the_size_of_each_area(pilots: AppraisalRange) -> None:
    projection = project(request(Area("E1", "Essex", D(300000)), Area("H1", "Hull", D(150000))), pilots)
    essex, hull = projection.areas
    # By hand: set-up £45,000 ÷ 150,000 people = £0.30 a head; running £30,000 and savings £36,000 a year
    # ÷ 150,000 people × 1 year = £0.20 and £0.24 a head a year. Three years, discounted at 3.5%.
    years_discounted = 1 + 1 / D("1.035") + 1 / (D("1.035") * D("1.035"))
    set_up = D("0.30") * 300000 * D("1.2")
    running = D("0.20") * 300000 * D("1.1")
    benefits = D("0.24") * 300000

    assert essex.central.set_up_cost == D(108000)
    assert essex.central.running_cost_per_year == D(66000)
    assert essex.central.benefits_per_year == D(72000)
    assert pounds(essex.central.present_value_costs) == pounds(set_up + running * years_discounted)
    assert pounds(essex.central.net_present_value) == pounds(
        benefits * years_discounted - set_up - running * years_discounted
    )
    assert hull.central.present_value_costs * 2 == essex.central.present_value_costs
    assert projection.total.central.present_value_costs == (
        essex.central.present_value_costs + hull.central.present_value_costs
    )


def test_low_and_high_come_from_the_optimism_bias_range_although_the_sites_agree(
    pilots: AppraisalRange,
) -> None:
    essex = project(request(Area("E1", "Essex", D(300000))), pilots).areas[0]

    assert (essex.low.set_up_cost, essex.central.set_up_cost, essex.high.set_up_cost) == (
        D(126000),
        D(108000),
        D(99000),
    )
    assert (essex.at(Level.LOW).running_cost_per_year, essex.at(Level.HIGH).running_cost_per_year) == (
        D(72000),
        D(60000),
    )
    assert essex.low.net_present_value < essex.central.net_present_value < essex.high.net_present_value


def test_the_assumptions_are_tabled_beside_the_figures(pilots: AppraisalRange) -> None:
    projection = project(request(Area("E1", "Essex", D(300000))), pilots)
    table = {row.assumption: row for row in projection.assumptions}

    assert table["Size of an area"].central == "working-age population"
    assert table["Size of an area"].basis == "ONS mid-year population estimates, mid-2023"
    assert table["Pilot sites used for the rates"].central == (
        "Kent 100,000 (12 months of approved returns); Leeds 50,000 (12 months of approved returns)"
    )
    per_thousand = table["Set-up cost per 1,000 working-age population, before optimism bias"]
    assert (per_thousand.low, per_thousand.central, per_thousand.high) == ("£300.00", "£300.00", "£300.00")
    bias = table["Optimism bias on set-up costs"]
    assert (bias.low, bias.central, bias.high) == ("40%", "20%", "10%")
    assert table["Years of running"].central == "3"
    central_workings = projection.workings[1]
    assert central_workings.title == "Roll-out projection, central estimate: all areas"
    assert central_workings.calculation.startswith("Costs: £108,000.00 set-up + £66,000.00 a year × 2.8997")


def test_a_pilot_without_a_size_is_left_out_of_the_rates_with_a_note(pilots: AppraisalRange) -> None:
    without_leeds = ProjectionRequest(MEASURE, {"kent": D(100000)}, (Area("E1", "Essex", D(100000)),), 1)

    projection = project(without_leeds, pilots)

    assert projection.notes == ("Leeds is left out of the rates: it has no working-age population given.",)
    assert projection.areas[0].central.set_up_cost == D(30000) * D("1.2")


def test_a_projection_that_cannot_be_made_says_why(pilots: AppraisalRange) -> None:
    with pytest.raises(ProjectionProblems) as refused:
        project(ProjectionRequest(MEASURE, {}, (Area("E1", "Essex", D(0)),), 0), pilots)

    assert refused.value.problems == [
        "Project at least one year of running.",
        "Essex: the size must be above 0.",
        "No pilot site has both approved returns and a working-age population, so nothing can be scaled.",
    ]


def test_areas_are_read_from_an_uploaded_list() -> None:
    rows = [
        ["Area code", "Area", "Working-age population"],
        ["E06000001", "Hartlepool", "57,000"],
        ["E06000002", "Middlesbrough", "87500"],
    ]

    assert areas_from_rows(rows) == (
        Area("E06000001", "Hartlepool", D(57000)),
        Area("E06000002", "Middlesbrough", D(87500)),
    )


def test_an_uploaded_list_of_areas_with_problems_is_refused_row_by_row() -> None:
    rows = [["E1", "Essex", "100"], ["E1", "Essex again", "200"], ["", "Nowhere", "-5"], ["H1", "", "lots"]]

    with pytest.raises(ProjectionProblems) as refused:
        areas_from_rows(rows)

    assert refused.value.problems == [
        "Row 2: the area E1 is listed more than once.",
        "Row 3: give the area's code.",
        "Row 3: the size must be a number above 0.",
        "Row 4: give the area's name.",
        "Row 4: the size must be a number above 0.",
    ]


def test_the_projection_figures_are_exact_until_shown(pilots: AppraisalRange) -> None:
    essex = project(request(Area("E1", "Essex", D(300000))), pilots).areas[0]
    value = essex.central.present_value_costs

    assert value != value.quantize(D("0.01"), ROUND_HALF_UP)
