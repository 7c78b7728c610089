"""A framework file's appraisal section: which parameters it uses, its final outcome, and which activity
types count people; every problem is reported when the file is checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evidence_hub.services.appraisal.evidence import ReachCounting
from evidence_hub.services.appraisal.parameter_file import DEFAULT_PARAMETERS_FILE, default_parameters
from evidence_hub.services.appraisal.parameters import ParameterProblems
from evidence_hub.services.appraisal.settings import settings_from_section
from evidence_hub.services.framework import shipped_files
from evidence_hub.services.framework.reading.framework_file import check_framework_text

WORKLESSNESS = next(path for path in shipped_files.shipped_framework_files() if "worklessness" in path.name)


def test_without_a_section_the_defaults_apply_and_nothing_counts_as_people() -> None:
    settings = settings_from_section(None)

    assert settings.parameters == default_parameters()
    assert not settings.declared
    assert settings.counting("TARGETED-OUTREACH") is ReachCounting.ATTENDANCES


def test_the_shipped_framework_says_which_activities_count_people_and_names_its_final_outcome() -> None:
    section = yaml.safe_load(WORKLESSNESS.read_text())["appraisal"]

    settings = settings_from_section(section)

    assert settings.parameters.final_outcome == "WL-JOB-ENTRIES"
    assert settings.counting("TARGETED-OUTREACH") is ReachCounting.PEOPLE
    assert settings.counting("STAFF-TRAINING") is ReachCounting.STAFF
    assert settings.counting("PARTNERSHIP-MEETING") is ReachCounting.ATTENDANCES


def test_a_parameter_set_can_be_written_out_in_the_framework_file() -> None:
    written = yaml.safe_load(DEFAULT_PARAMETERS_FILE.read_text())
    written["price_base_year"] = "2022-23"

    settings = settings_from_section({"parameters": written})

    assert settings.parameters.price_base_year == 2022
    assert settings.parameters_from == "The framework file's own appraisal parameters"


def test_every_problem_in_the_section_is_listed() -> None:
    with pytest.raises(ParameterProblems) as raised:
        settings_from_section({"parameters": "my-own", "reach_counting": {"X": "visits"}, "colour": "blue"})

    assert raised.value.problems == [
        "Unknown field “colour” in the appraisal section: it can have parameters, final_outcome, "
        "reach_counting.",
        "The appraisal parameters must be green-book-defaults or a parameter set written out in full.",
        "The activity type X counts “visits”: use people, attendances or staff.",
    ]


def test_checking_a_framework_file_reports_codes_its_appraisal_names_but_it_lacks(tmp_path: Path) -> None:
    text = WORKLESSNESS.read_text().replace(
        "STAFF-TRAINING: staff", "STAFF-TRAINING: staff\n    NO-SUCH: people"
    )

    _, problems = check_framework_text(text)

    assert [(problem.location, problem.message) for problem in problems] == [
        ("appraisal", "reach_counting names NO-SUCH, which is not one of the framework's activity types.")
    ]
