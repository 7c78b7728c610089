"""The value-for-money figures keep their one definition each: cost per outcome leaves out periods whose
outcome is not yet available, payback is read from the running total and never averaged, a period with no
return is "no return" and never 0, people reached counts people rather than attendances or staff, and
every figure shows its workings."""

from __future__ import annotations

import json
from decimal import ROUND_FLOOR, Decimal, localcontext

import pytest

from evidence_hub.services.appraisal.appraisal import AppraisalError, appraise
from evidence_hub.services.appraisal.definitions import FIGURES, GLOSSARY, FigureKey, definition
from evidence_hub.services.appraisal.evidence import (
    NOT_YET_AVAILABLE,
    CostLine,
    CostType,
    Funding,
    ImpactEstimate,
    PeriodEvidence,
    PilotEvidence,
    Reach,
    ReachCounting,
    SavingLine,
    SiteEvidence,
)
from evidence_hub.services.appraisal.export import (
    appraisal_data,
    glossary_data,
    projection_data,
    range_data,
    switching_data,
)
from evidence_hub.services.appraisal.figures import NOT_WITHIN_PERIODS
from evidence_hub.services.appraisal.flows import PeriodFlows, PeriodWithoutReturn
from evidence_hub.services.appraisal.parameter_file import default_parameters
from evidence_hub.services.appraisal.projection import Area, ProjectionRequest, SizeMeasure, project
from evidence_hub.services.appraisal.sensitivity import appraisal_range, switching_values
from tests.appraisal_helpers import JOBS, fixed, parameters, quarter

D = Decimal
# April 2009 to March 2010: one financial year, so nothing is discounted and prices are flat.
QUARTERS = (quarter(2009, 2), quarter(2009, 3), quarter(2009, 4), quarter(2010, 1))


def running(amount: str) -> CostLine:
    return CostLine(D(amount), CostType.RUNNING, Funding.CASH)


def set_up(amount: str) -> CostLine:
    return CostLine(D(amount), CostType.SET_UP, Funding.CASH)


def saving(amount: str) -> SavingLine:
    return SavingLine(D(amount), cashable=True)


def one_site(*returns: PeriodEvidence | None) -> PilotEvidence:
    """One site with a return (or None: no return) for each quarter in turn."""
    return PilotEvidence(
        periods=QUARTERS,
        sites=(
            SiteEvidence(
                code="kent",
                name="Kent",
                returns={
                    period.code: evidence
                    for period, evidence in zip(QUARTERS, returns, strict=False)
                    if evidence is not None
                },
            ),
        ),
    )


# --- cost per outcome ---


def test_cost_per_outcome_leaves_out_a_quarter_whose_outcome_is_not_yet_available() -> None:
    # Counting the last quarter's £9,000 against outcomes it did not report made the old figure £590,
    # 18% too high.
    evidence = one_site(
        PeriodEvidence(costs=(running("20000"),), outcomes={JOBS: D(40)}),
        PeriodEvidence(costs=(running("15000"),), outcomes={JOBS: D(30)}),
        PeriodEvidence(costs=(running("15000"),), outcomes={JOBS: D(30)}),
        PeriodEvidence(costs=(running("9000"),), outcomes={JOBS: NOT_YET_AVAILABLE}),
    )

    kent = appraise(evidence, parameters()).scope("kent")

    assert kent.cost_per_outcome.value == D(500)
    assert kent.cost_per_outcome.display == "£500.00"
    assert D(59000) / 100 / kent.cost_per_outcome.value == D("1.18")
    assert kent.cost_per_outcome.workings.calculation == "£50,000.00 ÷ 100 = £500.00"
    assert "2010 Q1: Job entries not yet available, so the cost of this period is left out." in (
        kent.cost_per_outcome.workings.notes
    )
    # Every cost still counts in the present value of costs.
    assert kent.present_value_costs.display == "£59,000.00"


def test_cost_per_outcome_divides_by_the_final_outcome_the_framework_names() -> None:
    evidence = one_site(PeriodEvidence(costs=(running("1000"),), outcomes={"CLIENTS": D(100), JOBS: D(4)}))

    kent = appraise(evidence, parameters()).scope("kent")

    assert kent.cost_per_outcome.display == "£250.00"
    assert ("Final outcome", "Job entries") in [
        (line.label, line.value) for line in kent.cost_per_outcome.workings.inputs
    ]


def test_cost_per_additional_outcome_uses_the_framework_assumption_and_says_so() -> None:
    evidence = one_site(PeriodEvidence(costs=(running("1200"),), outcomes={JOBS: D(10)}))

    kent = appraise(evidence, parameters(deadweight=fixed(60))).scope("kent")

    assert kent.cost_per_additional_outcome.display == "£300.00"
    assert (
        "Additional outcomes from the framework's deadweight assumption (no impact estimate)."
        in kent.cost_per_additional_outcome.workings.notes
    )


def test_cost_per_additional_outcome_uses_the_impact_estimate_where_there_is_one() -> None:
    evidence = one_site(PeriodEvidence(costs=(running("1200"),), outcomes={JOBS: D(10)}))
    impact = ImpactEstimate(JOBS, additional_percent=D(25), description="Pooled estimate across three sites")

    appraisal = appraise(evidence, parameters(deadweight=fixed(60), displacement=fixed(20)), [impact])
    kent = appraisal.scope("kent")

    # 10 × 25% from the estimate × (1 − 20% displacement) = 2 additional job entries; deadweight unused.
    assert kent.cost_per_additional_outcome.display == "£600.00"
    assert appraisal.final_outcome_basis == "from the impact estimate"
    assert ("Additional share of Job entries (impact estimate)", "25%") in [
        (line.label, line.value) for line in kent.cost_per_additional_outcome.workings.parameters
    ]


def test_an_impact_estimate_can_come_from_a_difference_in_rates() -> None:
    estimate = ImpactEstimate.from_rate_difference(
        JOBS, treated_rate=D(12), difference=D(3), description="Comparison group", interval=(D(1), D(6))
    )

    # 3 more job entries per 100 clients than the comparison group, out of 12: a quarter are additional.
    assert estimate.additional_percent == D(25)
    assert estimate.interval_high == D(50)
    assert estimate.interval_low == D(1) / D(12) * 100


# --- payback ---


def test_payback_is_not_reached_while_the_running_total_is_still_in_deficit() -> None:
    # £711 down after four quarters: an average of savings would have shown a payback period here.
    evidence = one_site(
        PeriodEvidence(costs=(set_up("2000"), running("500"))),
        PeriodEvidence(costs=(running("500"),), savings=(saving("600"),)),
        PeriodEvidence(costs=(running("500"),), savings=(saving("800"),)),
        PeriodEvidence(costs=(running("500"),), savings=(saving("1889"),)),
    )

    kent = appraise(evidence, parameters()).scope("kent")

    assert kent.net_present_value.display == "-£711.00"
    assert kent.payback.value is None
    assert kent.payback.display == NOT_WITHIN_PERIODS == "not within the periods observed"
    assert kent.payback.workings.calculation == "The running total is still -£711.00 at the end of 2010 Q1."


def test_payback_is_the_first_period_the_running_total_reaches_zero() -> None:
    evidence = one_site(
        PeriodEvidence(costs=(set_up("2000"),)),
        PeriodEvidence(costs=(running("500"),), savings=(saving("1500"),)),
        PeriodEvidence(costs=(running("500"),), savings=(saving("1500"),)),
        PeriodEvidence(costs=(running("2000"),)),
    )

    kent = appraise(evidence, parameters()).scope("kent")

    assert (kent.payback.value, kent.payback.display) == (D(3), "2009 Q4")
    assert "The running total fell below zero again in 2010 Q1 (-£2,000.00)." in kent.payback.workings.notes


def test_payback_counts_discounted_flows() -> None:
    # £1,000 in 2009-10 is repaid by £1,000 in 2010-11 in cash terms, but not once it is discounted.
    evidence = PilotEvidence(
        periods=(quarter(2009, 2), quarter(2010, 2)),
        sites=(
            SiteEvidence(
                "kent",
                "Kent",
                {
                    "2009-Q2": PeriodEvidence(costs=(set_up("1000"),)),
                    "2010-Q2": PeriodEvidence(savings=(saving("1000"),)),
                },
            ),
        ),
    )

    kent = appraise(evidence, parameters()).scope("kent")

    assert kent.payback.display == NOT_WITHIN_PERIODS
    assert kent.net_present_value.display == "-£33.82"


# --- no return ---


def test_a_quarter_with_no_approved_return_is_no_return_and_never_zero() -> None:
    evidence = one_site(
        PeriodEvidence(
            costs=(running("1000"),), reach=(Reach("TARGETED-OUTREACH", 0, ReachCounting.PEOPLE),)
        ),
        None,
        PeriodEvidence(
            costs=(running("1000"),), reach=(Reach("TARGETED-OUTREACH", 40, ReachCounting.PEOPLE),)
        ),
        None,
    )

    kent = appraise(evidence, parameters()).scope("kent")
    first, second, _third, fourth = kent.periods

    assert isinstance(first, PeriodFlows) and first.reach.people == 0  # a true zero, reported
    assert isinstance(second, PeriodWithoutReturn) and str(second) == "no return"
    assert isinstance(fourth, PeriodWithoutReturn)
    assert kent.returns == 2
    assert kent.cost_per_person_reached.display == "£50.00"
    assert "No return for 2009 Q3 and 2010 Q1: left out of every figure, never counted as 0." in (
        kent.cost_per_person_reached.workings.notes
    )


def test_a_site_with_no_approved_returns_shows_no_return_rather_than_zeros() -> None:
    evidence = one_site(None, None, None, None)

    kent = appraise(evidence, parameters()).scope("kent")

    assert all(isinstance(row, PeriodWithoutReturn) for row in kent.periods)
    assert kent.cost_per_person_reached.display == "no return"
    assert kent.cost_per_outcome.display == "no return"
    assert kent.payback.display == "no return"
    # Not £0.00, 0% or "no costs": with no approved return there is nothing to appraise.
    assert [figure.display for figure in kent.figures()] == ["no return"] * 9
    assert all(figure.value is None for figure in kent.figures())


# --- honest counts ---


def test_people_reached_counts_people_once_and_leaves_out_attendances_and_staff() -> None:
    evidence = one_site(
        PeriodEvidence(
            costs=(running("3000"),),
            reach=(
                Reach("TARGETED-OUTREACH", 100, ReachCounting.PEOPLE),
                Reach("PARTNER-REFERRAL", 50, ReachCounting.PEOPLE),
                Reach("DROP-IN-SESSION", 400, ReachCounting.ATTENDANCES),
                Reach("STAFF-TRAINING", 25, ReachCounting.STAFF),
                Reach("TARGETED-OUTREACH", None, ReachCounting.PEOPLE),
            ),
        )
    )

    kent = appraise(evidence, parameters()).scope("kent")

    assert (kent.reach.people, kent.reach.attendances, kent.reach.staff) == (150, 400, 25)
    assert kent.cost_per_person_reached.display == "£20.00"
    workings = kent.cost_per_person_reached.workings
    assert [(line.label, line.value) for line in workings.inputs][1:] == [
        ("People reached (each counted once)", "150"),
        ("Attendances (left out: one person may count more than once)", "400"),
        ("Staff (left out: not people reached)", "25"),
    ]
    assert "1 activity does not say how many people they reached." in workings.notes


def test_cost_per_person_reached_uses_real_costs_without_optimism_bias_or_discounting() -> None:
    evidence = PilotEvidence(
        periods=(quarter(2009, 2), quarter(2010, 2)),
        sites=(
            SiteEvidence(
                "kent",
                "Kent",
                {
                    "2009-Q2": PeriodEvidence(costs=(set_up("1000"),)),
                    "2010-Q2": PeriodEvidence(
                        costs=(running("1000"),), reach=(Reach("OUTREACH", 100, ReachCounting.PEOPLE),)
                    ),
                },
            ),
        ),
    )
    prices = parameters(deflators={2009: "80", 2010: "100"}, price_base_year=2010, set_up_bias=fixed(50))

    kent = appraise(evidence, prices).scope("kent")

    # £1,000 × 100 ÷ 80 + £1,000 = £2,250 at 2010-11 prices, for 100 people.
    assert kent.cost_per_person_reached.display == "£22.50"


# --- workings and definitions ---


def test_every_figure_carries_its_formula_and_the_annex_lists_them_all() -> None:
    evidence = one_site(
        PeriodEvidence(costs=(running("1000"),), savings=(saving("1500"),), outcomes={JOBS: D(5)})
    )

    appraisal = appraise(evidence, parameters())
    annex = appraisal.annex()

    assert len(annex) == 2 * len(appraisal.programme.figures())
    assert {workings.title for workings in annex} >= {
        "Net present value: All sites",
        "Net present value: Kent",
        "Benefit–cost ratio: Kent",
    }
    for figure in appraisal.programme.figures():
        assert figure.workings.formula == definition(figure.key).formula
        assert figure.as_data()["workings"]["formula"] == figure.workings.formula


def test_each_figure_has_one_definition_and_only_the_return_on_investment_is_called_a_return() -> None:
    names = [each.name for each in GLOSSARY]

    assert len(names) == len(set(names))
    assert {each.key for each in FIGURES} == set(FigureKey)
    assert [each.name for each in FIGURES if "return" in each.name.lower()] == ["Return on investment"]


def test_evidence_the_deflators_do_not_cover_is_refused_in_plain_english() -> None:
    evidence = one_site(PeriodEvidence(costs=(running("1000"),)))

    with pytest.raises(AppraisalError) as refused:
        appraise(evidence, parameters(deflators={2010: "100"}, price_base_year=2010))

    assert refused.value.problems == [
        "The deflator series (2010-11 to 2010-11) has no value for 2009-10: costs and savings then cannot be "
        "put into 2010-11 prices. Upload a series that covers them."
    ]


def test_evidence_no_appraisal_can_hold_is_refused_naming_the_site_period_and_what_is_wrong() -> None:
    good = PeriodEvidence(costs=(running("1000"), set_up("500")), savings=(saving("100"),))
    wrong_everywhere = PeriodEvidence(
        costs=(running("1000"), running("-5"), CostLine(D(10), CostType.RUNNING, Funding.CASH, D(150))),
        savings=(saving("100"), saving("-1")),
        reach=(
            Reach("BUSINESS-CASE", 4, ReachCounting.PEOPLE),
            Reach("BUSINESS-CASE", -2, ReachCounting.PEOPLE),
        ),
    )
    only_a_share = PeriodEvidence(costs=(CostLine(D(10), CostType.SET_UP, Funding.IN_KIND, D(-1)),))

    with pytest.raises(AppraisalError) as refused:
        appraise(one_site(good, wrong_everywhere, only_a_share), parameters())

    second, third = QUARTERS[1].name, QUARTERS[2].name
    assert refused.value.problems == [
        f"Kent, {second}: a cost is below zero.",
        f"Kent, {second}: a cost's share attributable to the pilot is not between 0% and 100%.",
        f"Kent, {second}: a saving is below zero.",
        f"Kent, {second}: an activity reached fewer than 0 people.",
        f"Kent, {third}: a cost's share attributable to the pilot is not between 0% and 100%.",
    ]


def test_a_whole_cost_is_attributed_as_it_stands_and_a_share_of_it_exactly() -> None:
    assert CostLine(D("1234.5600"), CostType.RUNNING, Funding.CASH).attributable.as_tuple() == (
        D("1234.5600").as_tuple()
    )
    assert CostLine(D("1234.56"), CostType.RUNNING, Funding.CASH, D("100.00")).attributable == D("1234.56")
    assert CostLine(D("1000"), CostType.RUNNING, Funding.CASH, D("37.5")).attributable == D("375")


# --- precision and export ---


def test_a_callers_decimal_context_does_not_change_any_figure() -> None:
    evidence = one_site(PeriodEvidence(costs=(running("1000.01"),), savings=(saving("3333.33"),)))
    expected = appraise(evidence, parameters()).programme.benefit_cost_ratio.value

    with localcontext() as context:
        context.prec = 4
        context.rounding = ROUND_FLOOR
        assert appraise(evidence, parameters()).programme.benefit_cost_ratio.value == expected


def test_the_appraisal_exports_as_json_with_periods_without_a_return_marked() -> None:
    evidence = one_site(PeriodEvidence(costs=(running("1000"),), outcomes={JOBS: D(4)}), None)

    data = json.loads(json.dumps(appraisal_data(appraise(evidence, parameters()))))
    kent = data["sites"][0]

    assert [period["status"] for period in kent["periods"]] == [
        "returned",
        "no return",
        "no return",
        "no return",
    ]
    assert "people_reached" not in kent["periods"][1]
    figures = {figure["key"]: figure for figure in kent["figures"]}
    assert figures["cost_per_outcome"]["display"] == "£250.00"
    assert figures["cost_per_outcome"]["value"] == "250"
    assert figures["payback"]["display"] == "not within the periods observed"
    assert [entry["name"] for entry in glossary_data()][:3] == [
        "Present value of costs",
        "Present value of benefits",
        "Net present value",
    ]


def test_the_shipped_defaults_appraise_project_and_export_a_pilot() -> None:
    defaults = default_parameters()
    periods = (quarter(2009, 2), quarter(2010, 2), quarter(2011, 2))
    returns = {
        period.code: PeriodEvidence(
            costs=(set_up("20000"), running("15000")) if number == 0 else (running("15000"),),
            savings=(SavingLine(D("4000"), cashable=True), SavingLine(D("2500"), cashable=False)),
            reach=(Reach("TARGETED-OUTREACH", 300, ReachCounting.PEOPLE),),
            outcomes={"WL-JOB-ENTRIES": D(30)},
        )
        for number, period in enumerate(periods)
    }
    evidence = PilotEvidence(periods, (SiteEvidence("kent", "Kent", returns),))

    result = appraisal_range(evidence, defaults)
    projection = project(
        ProjectionRequest(
            SizeMeasure("claimant count", "DWP claimant count, March 2026"),
            {"kent": D(30000)},
            (Area("E1", "Essex", D(45000)),),
            years=5,
        ),
        result,
    )

    low, central, high = result.figures("all", FigureKey.NET_PRESENT_VALUE)
    assert low.value < central.value < high.value
    assert central.workings.title == "Net present value: All sites"
    assert projection.areas[0].low.net_present_value < projection.areas[0].high.net_present_value
    json.dumps(range_data(result, "all"))
    json.dumps(switching_data(switching_values(result.central.programme)))
    json.dumps(projection_data(projection))
