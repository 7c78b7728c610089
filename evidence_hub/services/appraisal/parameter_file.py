"""The file format of a parameter set (a framework file's appraisal section, or the shipped default
`evidence_hub/data/appraisal/green-book-defaults.yaml`), and the upload of a deflator series.

Every rate, uplift and factor is a percentage (3.5 means 3.5%); money is in pounds at the prices of the
`price_year` beside it; years are financial years written "2009-10". Every group of parameters names its
`source` (`title`, and optionally `publisher`, `published`, `url` and `note`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from evidence_hub.services.appraisal import years
from evidence_hub.services.appraisal.display import plain
from evidence_hub.services.appraisal.evidence import BenefitKind
from evidence_hub.services.appraisal.parameters import (
    ADDITIONALITY_FACTORS,
    Additionality,
    AppraisalParameters,
    DeflatorSeries,
    DiscountBand,
    DiscountSchedule,
    OptimismBias,
    OutcomeParameters,
    ParameterProblems,
    Range,
    Source,
    UnitValue,
    parameter_problems,
)

DEFAULT_PARAMETERS_FILE = (
    Path(__file__).resolve().parents[2] / "data" / "appraisal" / "green-book-defaults.yaml"
)


def parameters_from_data(data: Any) -> AppraisalParameters:
    """A parameter set from the mapping a framework file (YAML or JSON) holds; raises ParameterProblems
    listing every problem, both in the format and in the values."""
    reader = _Reader()
    parameters = reader.parameters(data)
    if parameters is None or reader.problems:
        raise ParameterProblems(reader.problems or ["The appraisal parameters could not be read."])
    problems = parameter_problems(parameters)
    if problems:
        raise ParameterProblems(problems)
    return parameters


def parameters_to_data(parameters: AppraisalParameters) -> dict[str, Any]:
    """The file format of a parameter set (numbers as strings, so nothing passes through a float)."""

    def source(value: Source) -> dict[str, str]:
        data = {"title": value.title}
        for key in ("publisher", "published", "url", "note"):
            if getattr(value, key):
                data[key] = getattr(value, key)
        return data

    def span(value: Range) -> dict[str, str]:
        return {"low": plain(value.low), "central": plain(value.central), "high": plain(value.high)}

    deflators: dict[str, Any] = {"source": source(parameters.deflators.source)}
    if parameters.deflators.reference_year is not None:
        deflators["reference_year"] = years.label(parameters.deflators.reference_year)
    deflators["index"] = {
        years.label(year): plain(value) for year, value in sorted(parameters.deflators.index.items())
    }
    return {
        "price_base_year": years.label(parameters.price_base_year),
        "final_outcome": parameters.final_outcome,
        "deflators": deflators,
        "discount_rates": {
            "source": source(parameters.discounting.source),
            "bands": [
                {"from_year": band.from_year, "percent": plain(band.percent)}
                | ({"to_year": band.to_year} if band.to_year is not None else {})
                for band in parameters.discounting.bands
            ],
        },
        "optimism_bias": {
            "source": source(parameters.optimism_bias.source),
            "set_up": span(parameters.optimism_bias.set_up),
            "running": span(parameters.optimism_bias.running),
        },
        "outcomes": [
            {
                "code": outcome.code,
                "name": outcome.name,
                "additionality": {"source": source(outcome.additionality.source)}
                | {factor: span(getattr(outcome.additionality, factor)) for factor in ADDITIONALITY_FACTORS},
                "unit_values": [
                    {
                        "kind": value.kind.value,
                        "description": value.description,
                        "cashable": value.cashable,
                        "price_year": years.label(value.price_year),
                        "amount": span(value.amount),
                        "source": source(value.source),
                    }
                    for value in outcome.unit_values
                ],
            }
            for outcome in parameters.outcomes
        ],
    }


@functools.cache
def default_parameters() -> AppraisalParameters:
    """The shipped default parameter set (Green Book 2022 rates; illustrative values where it says so)."""
    with DEFAULT_PARAMETERS_FILE.open(encoding="utf-8") as file:
        return parameters_from_data(yaml.safe_load(file))


def deflators_from_rows(
    rows: Iterable[Sequence[Any]], source: Source, reference_year: int | None = None
) -> DeflatorSeries:
    """A deflator series from uploaded rows of (financial year, index), such as HM Treasury's CSV.

    Rows whose first cell is not a financial year (titles, headings, notes, calendar years) are skipped;
    a row with a financial year and no usable index is a problem. Raises ParameterProblems."""
    problems: list[str] = []
    index: dict[int, Decimal] = {}
    for number, row in enumerate(rows, start=1):
        cells = list(row)
        year = years.parse(str(cells[0])) if cells else None
        if year is None:
            continue
        value = _decimal(cells[1] if len(cells) > 1 else None)
        if value is None or value <= 0:
            problems.append(f"Row {number}: the deflator for {years.label(year)} must be a number above 0.")
        elif year in index:
            problems.append(f"Row {number}: {years.label(year)} appears more than once.")
        else:
            index[year] = value
    if not index and not problems:
        problems.append("The file has no rows of a financial year (such as 2009-10) and a deflator.")
    if problems:
        raise ParameterProblems(problems)
    if reference_year is None:
        reference_year = next((year for year, value in index.items() if value == 100), None)
    return DeflatorSeries(index=index, source=source, reference_year=reference_year)


def _decimal(value: Any) -> Decimal | None:
    """A number written in the file. YAML reads 3.5 as a float: its shortest text form is taken, which is
    what was written."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if isinstance(value, Mapping):
            return value
        self.problem(f"{where} must be a set of named values.")
        return {}

    def text(self, data: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None or str(value).strip() == "":
            if required:
                self.problem(f"{where} needs a {key.replace('_', ' ')}.")
            return ""
        return str(value).strip()

    def number(self, data: Mapping[str, Any], key: str, where: str) -> Decimal:
        value = _decimal(data.get(key))
        if value is None:
            self.problem(f"{where} needs a {key.replace('_', ' ')} that is a number.")
            return Decimal(0)
        return value

    def year(self, data: Mapping[str, Any], key: str, where: str) -> int:
        value = years.parse(str(data.get(key, "")))
        if value is None:
            self.problem(
                f"{where} needs a {key.replace('_', ' ')} written as a financial year, such as 2009-10."
            )
            return 0
        return value

    def whole_number(self, data: Mapping[str, Any], key: str, where: str) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(f"{where} needs a {key.replace('_', ' ')} that is a whole number of years.")
            return 0
        return value

    def source(self, data: Mapping[str, Any], where: str) -> Source:
        found = self.mapping(data.get("source"), f"The source of {where}")
        return Source(
            title=self.text(found, "title", f"The source of {where}"),
            publisher=self.text(found, "publisher", where, required=False),
            published=self.text(found, "published", where, required=False),
            url=self.text(found, "url", where, required=False),
            note=self.text(found, "note", where, required=False),
        )

    def range(self, data: Mapping[str, Any], key: str, where: str) -> Range:
        found = self.mapping(data.get(key), where)
        return Range(
            low=self.number(found, "low", where),
            central=self.number(found, "central", where),
            high=self.number(found, "high", where),
        )

    def parameters(self, data: Any) -> AppraisalParameters | None:
        top = self.mapping(data, "The appraisal parameters")
        if not top:
            return None
        return AppraisalParameters(
            price_base_year=self.year(top, "price_base_year", "The appraisal parameters"),
            deflators=self.deflators(self.mapping(top.get("deflators"), "The deflators")),
            discounting=self.discounting(self.mapping(top.get("discount_rates"), "The discount rates")),
            optimism_bias=self.optimism_bias(self.mapping(top.get("optimism_bias"), "Optimism bias")),
            final_outcome=self.text(top, "final_outcome", "The appraisal parameters"),
            outcomes=tuple(self.outcome(item) for item in self.sequence(top.get("outcomes"), "The outcomes")),
        )

    def sequence(self, value: Any, where: str) -> list[Any]:
        if isinstance(value, list):
            return value
        self.problem(f"{where} must be a list.")
        return []

    def deflators(self, data: Mapping[str, Any]) -> DeflatorSeries:
        index: dict[int, Decimal] = {}
        for key, value in self.mapping(data.get("index"), "The deflator index").items():
            year = years.parse(str(key))
            number = _decimal(value)
            if year is None:
                self.problem(
                    f"The deflator index has “{key}”, which is not a financial year such as 2009-10."
                )
            elif number is None:
                self.problem(f"The deflator for {key} must be a number.")
            else:
                index[year] = number
        reference = data.get("reference_year")
        return DeflatorSeries(
            index=index,
            source=self.source(data, "the deflators"),
            reference_year=self.year(data, "reference_year", "The deflators")
            if reference is not None
            else None,
        )

    def discounting(self, data: Mapping[str, Any]) -> DiscountSchedule:
        bands = []
        for number, item in enumerate(self.sequence(data.get("bands"), "The discount rate bands"), start=1):
            band = self.mapping(item, f"Discount rate band {number}")
            where = f"Discount rate band {number}"
            bands.append(
                DiscountBand(
                    from_year=self.whole_number(band, "from_year", where),
                    to_year=self.whole_number(band, "to_year", where)
                    if band.get("to_year") is not None
                    else None,
                    percent=self.number(band, "percent", where),
                )
            )
        return DiscountSchedule(bands=tuple(bands), source=self.source(data, "the discount rates"))

    def optimism_bias(self, data: Mapping[str, Any]) -> OptimismBias:
        return OptimismBias(
            set_up=self.range(data, "set_up", "Optimism bias on set-up costs"),
            running=self.range(data, "running", "Optimism bias on running costs"),
            source=self.source(data, "optimism bias"),
        )

    def outcome(self, item: Any) -> OutcomeParameters:
        data = self.mapping(item, "Each outcome")
        code = self.text(data, "code", "Each outcome")
        where = f"The outcome {code}"
        additionality = self.mapping(data.get("additionality"), f"The additionality of {code}")

        def factor(name: str) -> Range:
            return self.range(additionality, name, f"{name.capitalize()} for {code}")

        return OutcomeParameters(
            code=code,
            name=self.text(data, "name", where),
            additionality=Additionality(
                deadweight=factor("deadweight"),
                displacement=factor("displacement"),
                leakage=factor("leakage"),
                substitution=factor("substitution"),
                source=self.source(additionality, f"the additionality of {code}"),
            ),
            unit_values=tuple(
                self.unit_value(value, code)
                for value in (
                    self.sequence(data["unit_values"], where) if data.get("unit_values") is not None else []
                )
            ),
        )

    def unit_value(self, item: Any, code: str) -> UnitValue:
        data = self.mapping(item, f"A value of {code}")
        kind_text = self.text(data, "kind", f"A value of {code}")
        kinds = {kind.value: kind for kind in BenefitKind}
        if kind_text and kind_text not in kinds:
            self.problem(f"A value of {code} has kind “{kind_text}”: use fiscal, economic or social.")
        kind = kinds.get(kind_text, BenefitKind.FISCAL)
        where = f"The {kind.value} value of {code}"
        cashable = data.get("cashable", False)
        if not isinstance(cashable, bool):
            self.problem(f"{where}: cashable must be true or false.")
            cashable = False
        return UnitValue(
            kind=kind,
            description=self.text(data, "description", where),
            amount=self.range(data, "amount", where),
            price_year=self.year(data, "price_year", where),
            cashable=cashable,
            source=self.source(data, f"the {kind.value} value of {code}"),
        )
