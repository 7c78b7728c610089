"""The glossary of value for money, as data: every figure's name, formula in words, what it rests on and how
to read it. The dashboard, the release's learning summary, the API and the glossary page all read these,
so a figure is defined once and means the same everywhere. No figure is called a "return" except the
return on investment, which has exactly one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FigureUnit(StrEnum):
    MONEY = "money"
    RATIO = "ratio"
    PERCENT = "percent"
    PERIOD = "period"


class FigureKey(StrEnum):
    PRESENT_VALUE_COSTS = "present_value_costs"
    PRESENT_VALUE_BENEFITS = "present_value_benefits"
    NET_PRESENT_VALUE = "net_present_value"
    BENEFIT_COST_RATIO = "benefit_cost_ratio"
    RETURN_ON_INVESTMENT = "return_on_investment"
    COST_PER_PERSON_REACHED = "cost_per_person_reached"
    COST_PER_OUTCOME = "cost_per_outcome"
    COST_PER_ADDITIONAL_OUTCOME = "cost_per_additional_outcome"
    PAYBACK = "payback"
    SWITCHING_VALUE_BENEFITS = "switching_value_benefits"
    SWITCHING_VALUE_COSTS = "switching_value_costs"


class MethodKey(StrEnum):
    REAL_PRICES = "real_prices"
    APPRAISAL_YEAR = "appraisal_year"
    DISCOUNT_FACTOR = "discount_factor"
    OPTIMISM_BIAS = "optimism_bias"
    ADDITIONAL_OUTCOMES = "additional_outcomes"
    DEADWEIGHT = "deadweight"
    DISPLACEMENT = "displacement"
    LEAKAGE = "leakage"
    SUBSTITUTION = "substitution"
    OUTCOME_VALUE = "outcome_value"
    BENEFIT_KINDS = "benefit_kinds"
    CASHABLE = "cashable"
    IN_KIND = "in_kind"
    PEOPLE_REACHED = "people_reached"
    NO_RETURN = "no_return"
    NOT_YET_AVAILABLE = "not_yet_available"
    SENSITIVITY_RANGE = "sensitivity_range"
    ROLL_OUT_SCALING = "roll_out_scaling"
    ROUNDING = "rounding"


@dataclass(frozen=True)
class Definition:
    key: str
    name: str
    formula: str
    rests_on: str
    meaning: str
    unit: FigureUnit | None = None


_COST_IN_REAL_TERMS = (
    "attributable cost in the price base year's prices, not discounted and without optimism bias (what "
    "was actually spent, in today's money)"
)

FIGURES: tuple[Definition, ...] = (
    Definition(
        key=FigureKey.PRESENT_VALUE_COSTS,
        name="Present value of costs",
        unit=FigureUnit.MONEY,
        formula=(
            "The sum, over every cost in approved returns, of: amount × share attributable to the pilot × "
            "(deflator for the price base year ÷ deflator for the cost's financial year) × (1 + optimism "
            "bias for its type) × discount factor for its appraisal year."
        ),
        rests_on=(
            "Costs in approved returns, cash and in kind; the GDP deflator series; optimism bias for set-up "
            "and running costs; the discount rates."
        ),
        meaning="What the pilot cost, in the price base year's prices, valued as at appraisal year 0.",
    ),
    Definition(
        key=FigureKey.PRESENT_VALUE_BENEFITS,
        name="Present value of benefits",
        unit=FigureUnit.MONEY,
        formula=(
            "The sum of every saving claimed in approved returns × (deflator for the price base year ÷ "
            "deflator for its financial year) × discount factor, plus, for every valued outcome, additional "
            "outcomes × value per outcome at the price base year's prices × discount factor."
        ),
        rests_on=(
            "Savings claimed in approved returns (cashable and non-cashable); outcomes in approved returns; "
            "additionality factors or the impact estimate; the value of each outcome and its source; the "
            "GDP deflator series; the discount rates."
        ),
        meaning=(
            "What the pilot's benefits were worth, fiscal, economic and social, in the price base year's "
            "prices, valued as at appraisal year 0."
        ),
    ),
    Definition(
        key=FigureKey.NET_PRESENT_VALUE,
        name="Net present value",
        unit=FigureUnit.MONEY,
        formula="Present value of benefits − present value of costs.",
        rests_on="The present value of benefits and the present value of costs.",
        meaning="Above zero, the benefits were worth more than the costs; below zero, less.",
    ),
    Definition(
        key=FigureKey.BENEFIT_COST_RATIO,
        name="Benefit–cost ratio",
        unit=FigureUnit.RATIO,
        formula="Present value of benefits ÷ present value of costs.",
        rests_on="The present value of benefits and the present value of costs.",
        meaning="Pounds of benefit for each pound of cost: 1.50 means £1.50 of benefit for every £1 spent.",
    ),
    Definition(
        key=FigureKey.RETURN_ON_INVESTMENT,
        name="Return on investment",
        unit=FigureUnit.PERCENT,
        formula=(
            "(Present value of benefits − present value of costs) ÷ present value of costs × 100. "
            "It always equals (benefit–cost ratio − 1) × 100."
        ),
        rests_on="The present value of benefits and the present value of costs.",
        meaning=(
            "The net gain as a percentage of cost: 50% means benefits exceeded costs by half the cost. "
            "This is the only figure called a return."
        ),
    ),
    Definition(
        key=FigureKey.COST_PER_PERSON_REACHED,
        name="Cost per person reached",
        unit=FigureUnit.MONEY,
        formula=(
            f"The {_COST_IN_REAL_TERMS}, over the periods with an approved return ÷ people reached in those "
            "periods by activities that count each person once."
        ),
        rests_on=(
            "Costs and activities in approved returns; what each activity type counts, as the framework "
            "says. Attendances and staff trained are not people reached and are left out."
        ),
        meaning="What it cost to reach each person.",
    ),
    Definition(
        key=FigureKey.COST_PER_OUTCOME,
        name="Cost per outcome",
        unit=FigureUnit.MONEY,
        formula=(
            f"The {_COST_IN_REAL_TERMS}, over the periods in which both the cost and the final outcome are "
            "reported ÷ the final outcome (gross) in the same periods. A period whose outcome is not yet "
            "available contributes neither its cost nor its outcome."
        ),
        rests_on="Costs and the final outcome the framework names, in approved returns.",
        meaning=(
            "What each recorded outcome cost, before allowing for outcomes that would have happened anyway."
        ),
    ),
    Definition(
        key=FigureKey.COST_PER_ADDITIONAL_OUTCOME,
        name="Cost per additional outcome",
        unit=FigureUnit.MONEY,
        formula=(
            "The same cost as cost per outcome ÷ additional final outcomes in the same periods. Additional "
            "outcomes come from the impact estimate where there is one, otherwise from the framework's "
            "deadweight assumption (see additional outcomes)."
        ),
        rests_on=(
            "Costs and the final outcome in approved returns; the impact estimate or the framework's "
            "additionality factors for the final outcome."
        ),
        meaning="What each outcome the pilot actually caused cost.",
    ),
    Definition(
        key=FigureKey.PAYBACK,
        name="Payback period",
        unit=FigureUnit.PERIOD,
        formula=(
            "The first period at whose end the cumulative net present value (present value of benefits to "
            "date − present value of costs to date) is zero or more, once costs have been incurred; "
            "otherwise “not within the periods observed”. Periods with no return are skipped."
        ),
        rests_on="The present value of costs and benefits in each period.",
        meaning=(
            "When the pilot's discounted benefits caught up with its discounted costs. It is read from the "
            "running total, never from an average."
        ),
    ),
    Definition(
        key=FigureKey.SWITCHING_VALUE_BENEFITS,
        name="Switching value for benefits",
        unit=FigureUnit.PERCENT,
        formula="−net present value ÷ present value of benefits × 100.",
        rests_on="The net present value and the present value of benefits.",
        meaning=(
            "How far all benefits could fall (a negative figure) or would have to rise (a positive figure) "
            "before the net present value reaches zero."
        ),
    ),
    Definition(
        key=FigureKey.SWITCHING_VALUE_COSTS,
        name="Switching value for costs",
        unit=FigureUnit.PERCENT,
        formula="Net present value ÷ present value of costs × 100.",
        rests_on="The net present value and the present value of costs.",
        meaning=(
            "How far all costs could rise (a positive figure) or would have to fall (a negative figure) "
            "before the net present value reaches zero."
        ),
    ),
)

METHODS: tuple[Definition, ...] = (
    Definition(
        key=MethodKey.REAL_PRICES,
        name="Real prices and the price base year",
        formula=(
            "Real amount = amount as recorded × deflator for the price base year ÷ deflator for the "
            "financial year of the amount."
        ),
        rests_on="HM Treasury's GDP deflators at market prices, by financial year, with their date.",
        meaning="Restates every amount in the prices of one year, so amounts from different years add up.",
    ),
    Definition(
        key=MethodKey.APPRAISAL_YEAR,
        name="Appraisal year",
        formula=(
            "Year 0 is the financial year (April to March) in which the first reporting period in view "
            "starts. A reporting period's flows belong to the financial year in which the period starts; "
            "appraisal year = that financial year − year 0."
        ),
        rests_on="The reporting periods in view.",
        meaning="Flows are discounted by whole years, as the Green Book does.",
    ),
    Definition(
        key=MethodKey.DISCOUNT_FACTOR,
        name="Discount factor",
        formula=(
            "1 ÷ ((1 + r₁) × (1 + r₂) × … × (1 + rₜ)) for appraisal year t, where rᵢ is the rate for year "
            "i: 3.5% for years 0 to 30, 3.0% for 31 to 75, 2.5% for 76 to 125, 2.0% for 126 to 200, 1.5% "
            "for 201 to 300 and 1.0% after (the Green Book's social time preference rate)."
        ),
        rests_on="The discount rates in the framework, from the Green Book.",
        meaning="What £1 in a later year is worth now: £1 in year 1 is worth about 97p in year 0.",
    ),
    Definition(
        key=MethodKey.OPTIMISM_BIAS,
        name="Optimism bias",
        formula="Cost with optimism bias = real cost × (1 + uplift for its type, set-up or running).",
        rests_on=(
            "The framework's uplifts for set-up and running costs, from the Green Book's supplementary "
            "guidance on optimism bias."
        ),
        meaning=(
            "Appraisals tend to underestimate costs; the uplift allows for that. The figures in a "
            "framework say whether they are evidenced or illustrative."
        ),
    ),
    Definition(
        key=MethodKey.ADDITIONAL_OUTCOMES,
        name="Additional outcomes",
        formula=(
            "Without an impact estimate: gross outcomes × (1 − deadweight) × (1 − displacement) × "
            "(1 − leakage) × (1 − substitution). With an impact estimate: gross outcomes × the share the "
            "estimate finds additional × (1 − displacement) × (1 − leakage) × (1 − substitution), because "
            "a comparison group nets out deadweight but not effects on people outside it."
        ),
        rests_on=(
            "The framework's additionality factors for each outcome (the multiplicative form of the Homes "
            "and Communities Agency Additionality Guide, 4th edition, 2014, without a multiplier), or the "
            "pooled impact estimate where there is one, labelled as such."
        ),
        meaning="Outcomes the pilot caused, rather than every outcome recorded.",
    ),
    Definition(
        key=MethodKey.DEADWEIGHT,
        name="Deadweight",
        formula="A percentage of gross outcomes.",
        rests_on="The framework's additionality factors.",
        meaning="Outcomes that would have happened without the pilot.",
    ),
    Definition(
        key=MethodKey.DISPLACEMENT,
        name="Displacement",
        formula="A percentage of gross outcomes.",
        rests_on="The framework's additionality factors.",
        meaning="Outcomes taken from others: a job a client fills that someone else would have filled.",
    ),
    Definition(
        key=MethodKey.LEAKAGE,
        name="Leakage",
        formula="A percentage of gross outcomes.",
        rests_on="The framework's additionality factors.",
        meaning="Outcomes that benefit people outside the pilot's target group or area.",
    ),
    Definition(
        key=MethodKey.SUBSTITUTION,
        name="Substitution",
        formula="A percentage of gross outcomes.",
        rests_on="The framework's additionality factors.",
        meaning=(
            "Outcomes achieved by swapping one person or activity for another to take advantage of the "
            "pilot, such as an employer taking on a pilot client instead of another recruit."
        ),
    ),
    Definition(
        key=MethodKey.OUTCOME_VALUE,
        name="Value of an outcome",
        formula=(
            "Value per additional outcome at the price base year's prices = value as published × deflator "
            "for the price base year ÷ deflator for the year of the published prices."
        ),
        rests_on=(
            "The framework's value for each outcome and each kind of benefit, with its source (such as the "
            "Greater Manchester Combined Authority's unit cost database)."
        ),
        meaning=(
            "What one additional outcome is worth. A framework's fiscal, economic and social values for one "
            "outcome must not overlap, or the benefit would be counted twice."
        ),
    ),
    Definition(
        key=MethodKey.BENEFIT_KINDS,
        name="Fiscal, economic and social benefits",
        formula="Each benefit is one kind; the present value of benefits is the sum of the three.",
        rests_on="The kind of each saving claimed and of each outcome value.",
        meaning=(
            "Fiscal: to the public purse (budgets, benefits paid, tax received). Economic: output and "
            "earnings in the economy. Social: wellbeing and other gains that are not money."
        ),
    ),
    Definition(
        key=MethodKey.CASHABLE,
        name="Cashable and non-cashable savings",
        formula="Each saving claimed is one or the other, and they are shown apart.",
        rests_on="Savings claimed in approved returns.",
        meaning=(
            "A cashable saving releases money from a budget that can be spent on something else; a "
            "non-cashable saving frees staff time or capacity but releases no money."
        ),
    ),
    Definition(
        key=MethodKey.IN_KIND,
        name="Cash and in-kind costs",
        formula="Each cost is one or the other, and they are shown apart; both count in every figure.",
        rests_on="Costs in approved returns.",
        meaning="An in-kind cost is given in staff time, premises or equipment rather than paid in cash.",
    ),
    Definition(
        key=MethodKey.PEOPLE_REACHED,
        name="People reached, attendances and staff trained",
        formula=(
            "People reached = the sum of people reached by activities whose type counts each person once. "
            "Activities that count attendances, and staff trained, are shown apart and never added in."
        ),
        rests_on="Activities in approved returns and what the framework says each activity type counts.",
        meaning="People reached counts people, not visits, and only people the pilot set out to reach.",
    ),
    Definition(
        key=MethodKey.NO_RETURN,
        name="No return",
        formula="A period with no approved return is left out of every figure, with a note.",
        rests_on="The returns approved for each site and period.",
        meaning="Shown as “no return”, never as 0: a 0 is always a figure a site reported.",
    ),
    Definition(
        key=MethodKey.NOT_YET_AVAILABLE,
        name="Not yet available",
        formula=(
            "An outcome reported as not yet available contributes neither its period's cost nor an outcome."
        ),
        rests_on="The outcomes in approved returns.",
        meaning="The site could not yet say; it is neither 0 nor left to lower the cost per outcome later.",
    ),
    Definition(
        key=MethodKey.SENSITIVITY_RANGE,
        name="Low, central and high estimates",
        formula=(
            "Central: every parameter at its central value. Low: every ranged parameter at the end that "
            "lowers the net present value (optimism bias and additionality factors high; outcome values "
            "and the impact estimate's prediction interval low). High: the opposite ends."
        ),
        rests_on=(
            "The ranges the framework states for each parameter and the impact pooling's prediction "
            "interval; never the spread between sites."
        ),
        meaning="How much the figures depend on what is assumed.",
    ),
    Definition(
        key=MethodKey.ROLL_OUT_SCALING,
        name="Roll-out scaling",
        formula=(
            "For each area: set-up cost = pilots' real set-up cost ÷ pilots' size × the area's size; "
            "running cost and benefits each year = pilots' real amount ÷ (pilots' size × years observed) × "
            "the area's size. Costs then take optimism bias and all flows are discounted from the year the "
            "roll-out starts."
        ),
        rests_on=(
            "The pilots' appraisal; a measure of each area's size (such as working-age population), given "
            "per area; optimism bias; the discount rates."
        ),
        meaning=(
            "Assumes costs and benefits grow in proportion to an area's size, with no economies of scale."
        ),
    ),
    Definition(
        key=MethodKey.ROUNDING,
        name="Rounding",
        formula=(
            "Figures are carried exactly (to 28 significant digits where they divide) and rounded only when "
            "shown: money to the penny, ratios to 2 decimal places, percentages to 1, half up."
        ),
        rests_on="The exact figures.",
        meaning="Totals of rounded figures can differ from the rounded total by a penny.",
    ),
)

GLOSSARY: tuple[Definition, ...] = FIGURES + METHODS

_BY_KEY = {definition.key: definition for definition in GLOSSARY}


def definition(key: str) -> Definition:
    return _BY_KEY[key]
