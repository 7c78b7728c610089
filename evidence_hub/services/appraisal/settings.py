"""A framework's appraisal section: which parameter set it uses and what each activity type's count means.

A framework file may hold, at its top level:

    appraisal:
      parameters: green-book-defaults      # the shipped default set, or a parameter set written out in
                                           # full (the format of parameter_file)
      final_outcome: WL-JOB-ENTRIES        # optional: overrides the parameter set's final outcome
      reach_counting:                      # what each activity type's "people reached" counts
        TARGETED-OUTREACH: people          # each person once
        PARTNERSHIP-MEETING: attendances   # one person may count more than once
        STAFF-TRAINING: staff              # partner staff: not people reached

A framework without the section is appraised with the shipped defaults, and every activity type counts
attendances (so no one is counted as a person reached until the framework says which types count people).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from evidence_hub.services.appraisal.evidence import ReachCounting
from evidence_hub.services.appraisal.parameter_file import default_parameters, parameters_from_data
from evidence_hub.services.appraisal.parameters import AppraisalParameters, ParameterProblems

DEFAULT_PARAMETER_SET = "green-book-defaults"
SECTION_FIELDS = ("parameters", "final_outcome", "reach_counting")


@dataclass(frozen=True)
class AppraisalSettings:
    """The parameters a framework's appraisal uses, where they come from, and how activities count."""

    parameters: AppraisalParameters
    parameters_from: str
    reach_counting: Mapping[str, ReachCounting] = field(default_factory=dict)
    declared: bool = True

    def counting(self, activity_type: str) -> ReachCounting:
        """What an activity type's count means; attendances where the framework does not say."""
        return self.reach_counting.get(activity_type, ReachCounting.ATTENDANCES)


def default_settings() -> AppraisalSettings:
    return AppraisalSettings(
        parameters=default_parameters(),
        parameters_from="The service's default Green Book parameters (the framework names none)",
        declared=False,
    )


def settings_from_section(section: Any) -> AppraisalSettings:
    """The settings in a framework file's `appraisal` section (None: the defaults); raises
    ParameterProblems listing every problem in plain English."""
    if section is None:
        return default_settings()
    if not isinstance(section, Mapping):
        raise ParameterProblems(["The appraisal section must be a set of named values."])
    problems = [
        f"Unknown field “{key}” in the appraisal section: it can have {', '.join(SECTION_FIELDS)}."
        for key in section
        if key not in SECTION_FIELDS
    ]
    named = section.get("parameters", DEFAULT_PARAMETER_SET)
    parameters: AppraisalParameters | None = None
    parameters_from = ""
    if named == DEFAULT_PARAMETER_SET:
        parameters = default_parameters()
        parameters_from = "The service's default Green Book parameters (green-book-defaults)"
    elif isinstance(named, Mapping):
        try:
            parameters = parameters_from_data(named)
            parameters_from = "The framework file's own appraisal parameters"
        except ParameterProblems as error:
            problems += error.problems
    else:
        problems.append(
            f"The appraisal parameters must be {DEFAULT_PARAMETER_SET} or a parameter set written out "
            "in full."
        )
    final = section.get("final_outcome")
    if parameters is not None and final is not None:
        if parameters.outcome(str(final)) is None:
            problems.append(
                f"The final outcome {final} has no additionality factors or values in the parameter set."
            )
        else:
            parameters = replace(parameters, final_outcome=str(final))
    counting: dict[str, ReachCounting] = {}
    raw = section.get("reach_counting") or {}
    if not isinstance(raw, Mapping):
        problems.append("reach_counting must map each activity type code to people, attendances or staff.")
        raw = {}
    choices = {each.value: each for each in ReachCounting}
    for code, value in raw.items():
        if value not in choices:
            problems.append(f"The activity type {code} counts “{value}”: use people, attendances or staff.")
        else:
            counting[str(code)] = choices[value]
    if problems or parameters is None:
        raise ParameterProblems(problems or ["The appraisal parameters could not be read."])
    return AppraisalSettings(parameters=parameters, parameters_from=parameters_from, reach_counting=counting)


def section_problems(section: Any, indicator_codes: set[str], activity_type_codes: set[str]) -> list[str]:
    """Everything wrong with a framework file's appraisal section, including codes the framework lacks."""
    try:
        settings = settings_from_section(section)
    except ParameterProblems as error:
        return error.problems
    problems = []
    if settings.parameters.final_outcome not in indicator_codes:
        problems.append(
            f"The appraisal's final outcome {settings.parameters.final_outcome} is not one of the "
            "framework's indicators."
        )
    problems += [
        f"reach_counting names {code}, which is not one of the framework's activity types."
        for code in sorted(settings.reach_counting)
        if code not in activity_type_codes
    ]
    return problems
