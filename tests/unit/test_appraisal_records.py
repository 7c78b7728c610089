"""The appraisal's records (`record`) behave as frozen dataclasses: equal and hashed by their fields, copied
with `replace`, and refused by the type checker when a field is assigned."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from mypy import api

from evidence_hub.services.appraisal.evidence import CostLine, CostType, Funding
from evidence_hub.services.appraisal.flows import OutcomeCount


def test_records_are_equal_and_hashed_by_their_fields() -> None:
    line = CostLine(Decimal("12.50"), CostType.SET_UP, Funding.CASH)
    same = CostLine(Decimal("12.50"), CostType.SET_UP, Funding.CASH)
    assert line == same
    assert hash(line) == hash(same)
    assert line != replace(line, amount=Decimal("12.51"))
    assert len({line, same}) == 1


def test_replace_makes_a_new_record_and_leaves_the_old_one() -> None:
    counts = OutcomeCount(gross=Decimal(4), reported=1)
    more = replace(counts, additional=Decimal(3))
    assert (counts.additional, more.additional) == (Decimal(0), Decimal(3))


def test_the_type_checker_refuses_an_assignment_to_a_field(tmp_path: Path) -> None:
    changed = tmp_path / "changed.py"
    changed.write_text(
        "from decimal import Decimal\n"
        "from evidence_hub.services.appraisal.flows import OutcomeCount\n"
        "counts = OutcomeCount()\n"
        "counts.gross = Decimal(1)\n"
    )
    # With the project's own settings and cache: after `mypy` has checked the package (as CI does first),
    # only this file is checked, in seconds rather than the half minute of checking everything it imports.
    report, _errors, status = api.run([str(changed)])
    assert status == 1
    assert 'Property "gross" defined in "OutcomeCount" is read-only' in report
