"""Sensitivity: switching values say how far benefits or costs may move before the net present value turns
negative, and the low, central and high range comes from the stated parameter ranges and the impact
estimate's prediction interval, never from the spread between sites."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from evidence_hub.services.appraisal.appraisal import appraise
from evidence_hub.services.appraisal.assumptions import Level, one_moved, ranged_parameters
from evidence_hub.services.appraisal.definitions import FigureKey
from evidence_hub.services.appraisal.evidence import (
    NOT_YET_AVAILABLE,
    BenefitKind,
    CostLine,
    CostType,
    Funding,
    ImpactEstimate,
    PeriodEvidence,
    PilotEvidence,
    SavingLine,
    SiteEvidence,
)
from evidence_hub.services.appraisal.sensitivity import appraisal_range, switching_values
from tests.appraisal_helpers import JOBS, fixed, parameters, quarter, spread, unit_value

D = Decimal
QUARTER = quarter(2009, 2)


def penny(amount: Decimal) -> Decimal:
    return amount.quantize(D("0.01"), ROUND_HALF_UP)


def pilot(costs: str, cashable: str = "0", non_cashable: str = "0", jobs: str | None = None) -> PilotEvidence:
    return PilotEvidence(
        periods=(QUARTER,),
        sites=(
            SiteEvidence(
                "kent",
                "Kent",
                {
                    QUARTER.code: PeriodEvidence(
                        costs=(CostLine(D(costs), CostType.RUNNING, Funding.CASH),),
                        savings=(
                            SavingLine(D(cashable), cashable=True),
                            SavingLine(D(non_cashable), cashable=False),
                        ),
                        outcomes={JOBS: D(jobs)} if jobs is not None else {},
                    )
                },
            ),
        ),
    )


def test_switching_values_say_how_far_benefits_and_costs_may_move() -> None:
    kent = appraise(pilot("300", cashable="300", non_cashable="150"), parameters()).scope("kent")

    values = switching_values(kent)

    assert kent.net_present_value.display == "£150.00"
    assert values.benefits.display == "could fall by 33.3%"
    assert values.benefits.workings.calculation == "−(£150.00) ÷ £450.00 × 100 = -33.3%"
    assert values.costs.display == "could rise by 50.0%"
    assert [(item.label, item.display) for item in values.items] == [
        ("Cashable fiscal savings claimed", "could fall by 50.0%"),
        ("Non-cashable fiscal savings claimed", "could fall by 100.0%"),
        ("Running costs", "could rise by 50.0%"),
    ]


def test_moving_benefits_or_costs_by_the_switching_value_brings_the_net_present_value_to_zero() -> None:
    values = switching_values(appraise(pilot("300", cashable="450"), parameters()).scope("kent"))
    benefits_after = D(450) * (1 + values.benefits.value / 100)
    costs_after = D(300) * (1 + values.costs.value / 100)

    assert (
        appraise(pilot("300", cashable=str(benefits_after)), parameters()).programme.net_present_value.value
        == 0
    )
    assert (
        appraise(pilot(str(costs_after), cashable="450"), parameters()).programme.net_present_value.value == 0
    )


def test_when_the_net_present_value_is_negative_the_switching_values_say_what_would_have_to_change() -> None:
    values = switching_values(appraise(pilot("500", cashable="400"), parameters()).scope("kent"))

    assert values.benefits.display == "would have to rise by 25.0%"
    assert values.costs.display == "would have to fall by 20.0%"


RANGED = parameters(
    set_up_bias=spread(10, 50, 200),
    running_bias=spread(0, 20, 41),
    deadweight=spread(50, 70, 85),
    displacement=spread(10, 25, 50),
    unit_values=(unit_value(BenefitKind.FISCAL, spread(4000, 7000, 10000), price_year=2009),),
)


def two_identical_sites() -> PilotEvidence:
    evidence = PeriodEvidence(
        costs=(CostLine(D(10000), CostType.RUNNING, Funding.CASH),), outcomes={JOBS: D(20)}
    )
    return PilotEvidence(
        periods=(QUARTER,),
        sites=(
            SiteEvidence("kent", "Kent", {QUARTER.code: evidence}),
            SiteEvidence("leeds", "Leeds", {QUARTER.code: evidence}),
        ),
    )


def test_the_range_comes_from_parameter_ranges_even_when_every_site_is_the_same() -> None:
    result = appraisal_range(two_identical_sites(), RANGED)
    low, central, high = result.figures("all", FigureKey.NET_PRESENT_VALUE)

    # Per site, central: 20 × 30% × 75% = 4.5 additional job entries × £7,000 − £10,000 × 1.2.
    assert central.display == "£39,000.00"
    # Low: 20 × 15% × 50% = 1.5 × £4,000 − £10,000 × 1.41; high: 20 × 50% × 90% = 9 × £10,000 − £10,000.
    assert low.display == "-£16,200.00"
    assert high.display == "£160,000.00"
    assert result.low.assumptions.optimism_bias[CostType.RUNNING] == D(41)
    assert result.high.assumptions.outcomes[JOBS].deadweight == D(50)


def test_one_parameter_at_a_time_is_ordered_by_how_much_it_moves_the_net_present_value() -> None:
    result = appraisal_range(two_identical_sites(), RANGED)

    assert [each.parameter.label for each in result.one_at_a_time][:2] == [
        "Deadweight for Job entries",
        "Fiscal value of Job entries (2009-10 prices)",
    ]
    deadweight = result.one_at_a_time[0]
    # Deadweight 50%: 20 × 50% × 75% × £7,000 = £52,500 a site; at 85%: £15,750; less £12,000 costs each.
    assert (penny(deadweight.net_present_value_at_low), penny(deadweight.net_present_value_at_high)) == (
        D("81000.00"),
        D("7500.00"),
    )
    workings = result.workings("all")
    assert ("Deadweight for Job entries", "low estimate 85.0%; central 70.0%; high estimate 50.0%") in [
        (line.label, line.value) for line in workings.parameters
    ]


def test_the_impact_estimates_prediction_interval_takes_the_place_of_the_deadweight_range() -> None:
    impact = ImpactEstimate(
        JOBS,
        additional_percent=D(40),
        description="Pooled estimate across three sites, 95% prediction interval",
        interval_low=D(10),
        interval_high=D(60),
    )

    keys = [parameter.key for parameter in ranged_parameters(RANGED, [impact])]
    result = appraisal_range(two_identical_sites(), RANGED, [impact], one_at_a_time=False)
    low, central, high = result.figures("kent", FigureKey.COST_PER_ADDITIONAL_OUTCOME)

    assert "JOBS:impact" in keys and "JOBS:deadweight" not in keys
    # £10,000 ÷ (20 × 10%, 40% or 60% × (1 − 50%, 25% or 10% displacement)).
    assert (low.display, central.display, high.display) == ("£10,000.00", "£1,666.67", "£925.93")
    assert "Additional outcomes from the impact estimate." in central.workings.notes


def test_a_range_without_ranged_parameters_is_one_value() -> None:
    result = appraisal_range(two_identical_sites(), parameters(deadweight=fixed(50)))

    assert {figure.display for figure in result.figures("all", FigureKey.NET_PRESENT_VALUE)} == {
        "-£20,000.00"
    }
    assert all(each.swing == 0 for each in result.one_at_a_time)


LATER = quarter(2010, 2)
IMPACT = ImpactEstimate(JOBS, D(40), "Pooled estimate", interval_low=D(10), interval_high=D(60))
# Kent: set-up costs and outcomes in one quarter; running costs, a saving and outcomes a year later.
KENT = SiteEvidence(
    "kent",
    "Kent",
    {
        QUARTER.code: PeriodEvidence(
            costs=(CostLine(D(5000), CostType.SET_UP, Funding.IN_KIND),), outcomes={JOBS: D(7)}
        ),
        LATER.code: PeriodEvidence(
            costs=(CostLine(D(3000), CostType.RUNNING, Funding.CASH),),
            savings=(SavingLine(D(900), cashable=True),),
            outcomes={JOBS: D(11)},
        ),
    },
)


def test_each_parameter_moved_alone_gives_what_a_full_appraisal_would() -> None:
    impact = IMPACT
    evidence = PilotEvidence(periods=(QUARTER, LATER), sites=(KENT,))

    result = appraisal_range(evidence, RANGED, [impact])

    for each in result.one_at_a_time:
        for level, value in (
            (Level.LOW, each.net_present_value_at_low),
            (Level.HIGH, each.net_present_value_at_high),
        ):
            full = appraise(evidence, RANGED, [impact], one_moved(each.parameter, level))
            assert penny(value) == penny(full.programme.net_present_value.value or D(0)), each.parameter.label


def test_the_low_and_high_estimates_are_what_appraising_each_scenario_alone_gives() -> None:
    impact = IMPACT
    leeds = SiteEvidence(
        "leeds",
        "Leeds",
        {LATER.code: PeriodEvidence(costs=(CostLine(D(2500), CostType.RUNNING, Funding.CASH),))},
    )
    evidence = PilotEvidence(periods=(QUARTER, LATER), sites=(KENT, leeds))

    result = appraisal_range(evidence, RANGED, [impact])

    for shared in (result.low, result.central, result.high):
        alone = appraise(evidence, RANGED, [impact], shared.scenario)
        for code in ("all", "kent", "leeds"):
            assert [figure.display for figure in shared.scope(code).figures()] == [
                figure.display for figure in alone.scope(code).figures()
            ], (shared.scenario.name, code)
        for site in alone.sites:
            totals = shared.site_totals(site.code)
            assert totals.costs == site.costs
            assert totals.benefits == site.benefits
            assert totals.months_observed == site.months_observed


def test_the_low_and_high_programme_figures_add_up_every_kind_of_return_in_a_period() -> None:
    """The low and high programmes are built from each period's returns added together: returns that
    report the final outcome, say it is not yet available or leave it out, with costs of every type and
    funding and savings of both kinds, give what appraising each return alone gives."""
    leeds = SiteEvidence(
        "leeds",
        "Leeds",
        {
            QUARTER.code: PeriodEvidence(
                costs=(
                    CostLine(D("1234.56"), CostType.SET_UP, Funding.CASH),
                    CostLine(D("99.99"), CostType.RUNNING, Funding.IN_KIND),
                ),
                savings=(SavingLine(D("410.10"), cashable=False),),
                outcomes={JOBS: NOT_YET_AVAILABLE},
            ),
            LATER.code: PeriodEvidence(
                costs=(CostLine(D(2500), CostType.RUNNING, Funding.CASH, attributable_percent=D(40)),),
                outcomes={JOBS: D(3)},
            ),
        },
    )
    liverpool = SiteEvidence(
        "liverpool",
        "Liverpool City Region",
        {LATER.code: PeriodEvidence(costs=(CostLine(D("777.77"), CostType.SET_UP, Funding.IN_KIND),))},
    )
    evidence = PilotEvidence(periods=(QUARTER, LATER), sites=(KENT, leeds, liverpool))

    result = appraisal_range(evidence, RANGED, [IMPACT])

    for shared in (result.low, result.high):
        alone = appraise(evidence, RANGED, [IMPACT], shared.scenario).programme
        programme = shared.programme
        assert [figure.display for figure in programme.figures()] == [
            figure.display for figure in alone.figures()
        ], shared.scenario.name
        assert (
            (programme.returns, programme.months_observed)
            == (alone.returns, alone.months_observed)
            == (5, 15)
        )
        assert programme.final_outcome.reported == alone.final_outcome.reported == 3
        assert programme.final_outcome.not_yet_available == alone.final_outcome.not_yet_available == 1
        assert programme.final_outcome.not_reported == alone.final_outcome.not_reported == 1
        assert penny(programme.final_outcome.additional) == penny(alone.final_outcome.additional)
        assert penny(programme.final_outcome.cost) == penny(alone.final_outcome.cost)
        for ours, theirs in zip(programme.periods, alone.periods, strict=True):
            assert ours.returns == theirs.returns  # type: ignore[union-attr]
            assert penny(ours.costs.present_value()) == penny(theirs.costs.present_value())  # type: ignore[union-attr]
            assert penny(ours.benefits.present_value()) == penny(theirs.benefits.present_value())  # type: ignore[union-attr]
            assert ours.reach == theirs.reach  # type: ignore[union-attr]
