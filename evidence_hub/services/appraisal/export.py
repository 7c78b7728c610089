"""The appraisal as JSON-ready data, for the API and for a release's stored summary.

Exact values are strings at full precision (`value`); what a reader sees is `display`. A period with no
approved return is {"status": "no return"} with no figures, never zeros.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from evidence_hub.services.appraisal import years
from evidence_hub.services.appraisal.appraisal import Appraisal, ScopeAppraisal
from evidence_hub.services.appraisal.definitions import GLOSSARY
from evidence_hub.services.appraisal.display import money, ratio
from evidence_hub.services.appraisal.evidence import BenefitKind, CostType, Funding
from evidence_hub.services.appraisal.flows import PeriodFlows
from evidence_hub.services.appraisal.projection import AreaProjection, ProjectedFigures, Projection
from evidence_hub.services.appraisal.sensitivity import AppraisalRange, SwitchingValues

# A projection with no costs has no benefit–cost ratio (the value-for-money view says the same).
NO_COSTS = "no costs"


def _amount(value: Decimal) -> dict[str, str]:
    return {"value": str(value), "display": money(value)}


def glossary_data() -> list[dict[str, Any]]:
    """Every definition, figures first, for the glossary page and a summary's glossary."""
    return [
        {
            "key": str(each.key),
            "name": each.name,
            "unit": each.unit.value if each.unit else None,
            "formula": each.formula,
            "rests_on": each.rests_on,
            "meaning": each.meaning,
        }
        for each in GLOSSARY
    ]


def scope_data(scope: ScopeAppraisal) -> dict[str, Any]:
    costs, benefits = scope.costs, scope.benefits
    return {
        "code": scope.code,
        "name": scope.name,
        "returns": scope.returns,
        "figures": [figure.as_data() for figure in scope.figures()],
        "costs": {
            "as_recorded": _amount(costs.nominal()),
            "real": _amount(costs.real()),
            "with_optimism_bias": _amount(costs.with_optimism_bias()),
            "present_value": _amount(costs.present_value()),
            "present_value_by_type": {
                kind.value: _amount(costs.present_value(cost_type=kind)) for kind in CostType
            },
            "present_value_by_funding": {
                funding.value: _amount(costs.present_value(funding=funding)) for funding in Funding
            },
        },
        "benefits": {
            "real": _amount(benefits.real()),
            "present_value": _amount(benefits.present_value()),
            "present_value_by_kind": {
                kind.value: _amount(benefits.present_value(kind=kind)) for kind in BenefitKind
            },
            "present_value_cashable": _amount(benefits.present_value(cashable=True)),
            "present_value_non_cashable": _amount(benefits.present_value(cashable=False)),
            "streams": [
                {
                    "key": stream.key,
                    "label": stream.label,
                    "kind": stream.kind.value,
                    "cashable": stream.cashable,
                    "real": _amount(stream.real),
                    "present_value": _amount(stream.present_value),
                }
                for stream in benefits.streams
            ],
        },
        "reach": {
            "people": scope.reach.people,
            "attendances": scope.reach.attendances,
            "staff": scope.reach.staff,
            "activities_without_count": scope.reach.activities_without_count,
        },
        "periods": [
            _period_data(row)
            if isinstance(row, PeriodFlows)
            else {
                "code": row.period.code,
                "name": row.period.name,
                "status": str(row.status),
            }
            for row in scope.periods
        ],
        "notes": list(scope.notes),
    }


def _period_data(row: PeriodFlows) -> dict[str, Any]:
    return {
        "code": row.period.code,
        "name": row.period.name,
        "status": "returned",
        "returns": row.returns,
        "financial_year": years.label(row.financial_year),
        "appraisal_year": row.year_index,
        "price_ratio": str(row.price_ratio),
        "discount_factor": str(row.discount_factor),
        "costs_as_recorded": _amount(row.costs.nominal()),
        "costs_present_value": _amount(row.costs.present_value()),
        "benefits_present_value": _amount(row.benefits.present_value()),
        "net_present_value": _amount(row.net_present_value),
        "cumulative_net_present_value": _amount(row.cumulative_net_present_value),
        "people_reached": row.reach.people,
        "attendances": row.reach.attendances,
        "staff": row.reach.staff,
        "final_outcome": row.final_outcome.display(),
    }


def appraisal_data(appraisal: Appraisal) -> dict[str, Any]:
    parameters = appraisal.assumptions.parameters
    return {
        "scenario": appraisal.scenario.name,
        "price_base_year": years.label(parameters.price_base_year),
        "year_zero": years.label(appraisal.year_zero),
        "final_outcome": {
            "code": parameters.final_outcome,
            "name": appraisal.final_outcome_name,
            "additional_outcomes": appraisal.final_outcome_basis,
        },
        "assumptions": [line.as_data() for line in appraisal.assumptions.lines()],
        "programme": scope_data(appraisal.programme),
        "sites": [scope_data(site) for site in appraisal.sites],
        "notes": list(appraisal.notes),
    }


def switching_data(values: SwitchingValues) -> dict[str, Any]:
    return {
        "scope": values.scope,
        "benefits": values.benefits.as_data(),
        "costs": values.costs.as_data(),
        "items": [
            {
                "label": item.label,
                "present_value": _amount(item.present_value),
                "change_percent": None if item.change_percent is None else str(item.change_percent),
                "display": item.display,
            }
            for item in values.items
        ],
    }


def range_data(result: AppraisalRange, scope_code: str) -> dict[str, Any]:
    """Low, central and high for every figure of one scope, with the range's workings."""
    scopes = [result.low.scope(scope_code), result.central.scope(scope_code), result.high.scope(scope_code)]
    return {
        "figures": [
            {
                "key": str(central.key),
                "name": central.name,
                "low": low.as_data(),
                "central": central.as_data(),
                "high": high.as_data(),
            }
            for low, central, high in zip(*(scope.figures() for scope in scopes), strict=True)
        ],
        "one_at_a_time": [
            {
                "parameter": each.parameter.label,
                "range": each.parameter.text(),
                "net_present_value_at_low": _amount(each.net_present_value_at_low),
                "net_present_value_at_high": _amount(each.net_present_value_at_high),
            }
            for each in result.one_at_a_time
        ],
        "workings": result.workings(scope_code).as_data(),
    }


def _projected(figures: ProjectedFigures) -> dict[str, Any]:
    value = figures.benefit_cost_ratio
    return {
        "set_up_cost": _amount(figures.set_up_cost),
        "running_cost_per_year": _amount(figures.running_cost_per_year),
        "benefits_per_year": _amount(figures.benefits_per_year),
        "present_value_costs": _amount(figures.present_value_costs),
        "present_value_benefits": _amount(figures.present_value_benefits),
        "net_present_value": _amount(figures.net_present_value),
        "benefit_cost_ratio": None if value is None else str(value),
        "benefit_cost_ratio_display": NO_COSTS if value is None else ratio(value),
    }


def _area(projection: AreaProjection) -> dict[str, Any]:
    return {
        "code": projection.area.code,
        "name": projection.area.name,
        "size": str(projection.area.size),
        "low": _projected(projection.low),
        "central": _projected(projection.central),
        "high": _projected(projection.high),
    }


def projection_data(projection: Projection) -> dict[str, Any]:
    return {
        "size_measure": {"name": projection.measure.name, "source": projection.measure.source},
        "years": projection.years,
        "pilots": [
            {
                "code": pilot.code,
                "name": pilot.name,
                "size": str(pilot.size),
                "months_observed": pilot.months_observed,
            }
            for pilot in projection.pilots
        ],
        "areas": [_area(area) for area in projection.areas],
        "total": _area(projection.total),
        "assumptions": [
            {
                "assumption": row.assumption,
                "low": row.low,
                "central": row.central,
                "high": row.high,
                "basis": row.basis,
            }
            for row in projection.assumptions
        ],
        "workings": [workings.as_data() for workings in projection.workings],
        "notes": list(projection.notes),
    }
