"""Uploading a section's spreadsheet: every row checked through the section's service, every problem
listed by row and column, and nothing saved unless every row is valid."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from evidence_hub.models import Role, User
from evidence_hub.models.returns import SiteReturn
from evidence_hub.services.common.spreadsheet_reading import SheetRows, SpreadsheetRefused, read_spreadsheet
from evidence_hub.services.returns.editing import require_lead_can_edit
from evidence_hub.services.returns.errors import InvalidEvidence, ReturnError
from evidence_hub.services.returns.imports.cells import cell_text
from evidence_hub.services.returns.imports.sections import Section


@dataclass(frozen=True)
class RowProblem:
    """One problem in an upload: row 0 means the file as a whole."""

    row: int
    column: str
    message: str


class ImportRejected(ReturnError):
    """Nothing was saved; `problems` lists every row and column that needs correcting."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problems in the upload")
        self.problems = problems


@dataclass
class ImportOutcome:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def _problems_of(error: ReturnError) -> dict[str, str]:
    if isinstance(error, InvalidEvidence):
        return error.problems
    return {error.field or "row": error.message}


def import_upload(
    session: Session, user: User, site_return: SiteReturn, section: Section, content: bytes, filename: str
) -> ImportOutcome:
    """Save every row of an upload, or nothing: ImportRejected lists every problem by row and column.

    Call inside `transaction(session)`: rows are written as they are checked, and the rejection rolls the
    whole upload back. Each row is checked in one pass, its form (numbers, dates) and the section's rules
    together, so that one round of corrections fixes the file; columns are named by the template's headers.
    """
    if user.role_enum is not Role.SITE_LEAD:
        raise ReturnError("Only the site's lead can upload evidence")
    require_lead_can_edit(user, site_return)
    try:
        sheet = read_spreadsheet(content, filename, section.sheet)
    except SpreadsheetRefused as refusal:
        raise ImportRejected([RowProblem(0, "file", str(refusal))]) from None
    problems = _header_problems(sheet, section)
    if problems:
        raise ImportRejected(problems)

    outcome = ImportOutcome()
    seen: dict[str, int] = {}
    site, period = site_return.site, site_return.reporting_period
    for number, row in sheet.rows:
        if section.is_unanswered(row):
            continue
        row_problems: dict[str, str] = {}
        site_code = cell_text(row, "site_code")
        if site_code != site.code:
            row_problems["site_code"] = (
                f"This row is for site {site_code or '(none)'}, but this return is {site.name}'s "
                f"({site.code}): upload each site's rows to its own return"
            )
        if cell_text(row, "period_code") != period.code:
            row_problems["period_code"] = (
                f"This row is for period {cell_text(row, 'period_code') or '(none)'}, but this return is for "
                f"{period.code}"
            )
        key = cell_text(row, section.key_column)
        if not key:
            row_problems[section.key_column] = f"Enter the {section.key_column.replace('_', ' ')}"
        elif key in seen:
            row_problems[section.key_column] = (
                f"The same {section.key_column.replace('_', ' ')} is on row {seen[key]} too"
            )
        else:
            seen[key] = number
        data = section.read_row(row, row_problems)
        for name, message in section.check_row(site_return, key, data).items():
            row_problems.setdefault(section.column_of(name), message)
        if not row_problems:
            try:
                item = section.find_existing(session, site_return, key)
                changed = section.write_row(session, user, site_return, key, data, item)
            except ReturnError as error:
                row_problems.update(
                    {section.column_of(name): message for name, message in _problems_of(error).items()}
                )
            else:
                if item is None:
                    outcome.added += 1
                elif changed:
                    outcome.updated += 1
                else:
                    outcome.unchanged += 1
        problems.extend(RowProblem(number, column, message) for column, message in row_problems.items())
    if not sheet.rows:
        problems.append(RowProblem(0, "file", "The file has no rows to import below the header"))
    if problems:
        raise ImportRejected(problems)
    return outcome


def _header_problems(sheet: SheetRows, section: Section) -> list[RowProblem]:
    missing = [column for column in section.columns if column.required and column.key not in sheet.header]
    return [
        RowProblem(1, column.key, f"The header row has no ‘{column.key}’ column. Start from the template.")
        for column in missing
    ]
