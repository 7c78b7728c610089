"""What evaluators and administrators upload for a framework's appraisal: a GDP deflator series (replacing
the parameter set's) and the list of area sizes the roll-out projection scales by. Each upload is read
whole and saved only when every row is right (all or nothing); the newest of each kind is in use.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence_hub.formatting import date_uk
from evidence_hub.models import Framework, User
from evidence_hub.models.appraisal import AreaSizeUpload, DeflatorUpload
from evidence_hub.services.appraisal.parameter_file import deflators_from_rows
from evidence_hub.services.appraisal.parameters import (
    AppraisalParameters,
    DeflatorSeries,
    ParameterProblems,
    Source,
    parameter_problems,
)
from evidence_hub.services.appraisal.projection import Area, ProjectionProblems, SizeMeasure, areas_from_rows
from evidence_hub.services.common import audit
from evidence_hub.services.common.access import why_programme_takes_nothing
from evidence_hub.services.common.spreadsheet_reading import SheetRows, SpreadsheetRefused, read_spreadsheet

UploadT = TypeVar("UploadT", DeflatorUpload, AreaSizeUpload)
DEFLATOR_SHEET = "Deflators"
AREA_SHEET = "Areas"


class UploadRefused(ValueError):
    """Nothing was saved: every problem, each naming its row and column where it has one. `forbidden` when
    no file would do (the programme is not active): the one problem is the reason, not a row to fix."""

    def __init__(self, problems: list[str], *, forbidden: bool = False) -> None:
        self.problems = problems
        self.forbidden = forbidden
        super().__init__(" ".join(problems))


def _require_active(framework: Framework) -> None:
    """The one check of both uploads: a programme that is not active keeps the appraisal inputs it has,
    so its value-for-money figures stay those it closed with."""
    closed = why_programme_takes_nothing(framework.programme)
    if closed:
        raise UploadRefused([closed], forbidden=True)


@dataclass(frozen=True)
class AreaSizes:
    measure: SizeMeasure
    areas: tuple[Area, ...]
    filename: str


def _grid(sheet: SheetRows) -> list[list[str]]:
    """The sheet as rows of cells in file order, blank rows where the file has them, so "Row N" in a
    message is row N of the file (the heading row is row 1)."""
    grid: list[list[str]] = [list(sheet.header)]
    for number, row in sheet.rows:
        while len(grid) < number - 1:
            grid.append([])
        grid.append([row.get(heading, "") for heading in sheet.header])
    return grid


def _read(content: bytes, filename: str, sheet: str) -> list[list[str]]:
    try:
        return _grid(read_spreadsheet(content, filename, sheet))
    except SpreadsheetRefused as error:
        raise UploadRefused([str(error)]) from error


def save_deflators(
    session: Session,
    *,
    actor: User,
    framework: Framework,
    content: bytes,
    filename: str,
    source: Source,
) -> DeflatorUpload:
    """Read a deflator series (columns: financial year such as 2009-10, deflator index) and keep it as the
    framework's; raises UploadRefused with every problem. Flushes; the caller commits."""
    _require_active(framework)
    try:
        series = deflators_from_rows(_read(content, filename, DEFLATOR_SHEET), source)
    except ParameterProblems as error:
        raise UploadRefused([_in_column(problem, "deflator") for problem in error.problems]) from error
    upload = DeflatorUpload(
        framework_id=framework.id,
        index_values={str(year): str(value) for year, value in sorted(series.index.items())},
        reference_year=series.reference_year,
        source_title=source.title,
        source_publisher=source.publisher,
        source_published=source.published,
        source_url=source.url,
        filename=filename,
        uploaded_by_id=actor.id,
    )
    session.add(upload)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="appraisal.deflators_uploaded",
        object_type="deflator_upload",
        object_id=upload.id,
        after={"framework": framework.code, "filename": filename, "years": len(series.index)},
    )
    return upload


def _in_column(problem: str, column: str) -> str:
    """ "Row 3: ..." becomes "Row 3, column deflator: ..." so the reader can find the cell."""
    if problem.startswith("Row ") and ":" in problem:
        where, rest = problem.split(":", 1)
        return f"{where}, column {column}:{rest}"
    return problem


def _latest(session: Session, upload: type[UploadT], framework: Framework) -> UploadT | None:
    """The framework's newest upload of one kind: the one in use."""
    return session.scalars(
        select(upload).where(upload.framework_id == framework.id).order_by(upload.id.desc()).limit(1)
    ).first()


def latest_deflators(session: Session, framework: Framework) -> DeflatorSeries | None:
    upload = _latest(session, DeflatorUpload, framework)
    if upload is None:
        return None
    return DeflatorSeries(
        index={int(year): Decimal(value) for year, value in upload.index_values.items()},
        source=Source(
            title=upload.source_title,
            publisher=upload.source_publisher,
            published=upload.source_published,
            url=upload.source_url,
            note=f"Uploaded as {upload.filename} on {date_uk(upload.uploaded_at)}.",
        ),
        reference_year=upload.reference_year,
    )


def with_uploaded_deflators(
    session: Session, framework: Framework, parameters: AppraisalParameters
) -> tuple[AppraisalParameters, list[str]]:
    """The parameters with the framework's uploaded deflator series in place of their own, where one has
    been uploaded and it covers the price base year and every outcome value's price year."""
    series = latest_deflators(session, framework)
    if series is None:
        return parameters, []
    replaced = replace(parameters, deflators=series)
    problems = parameter_problems(replaced)
    if problems:
        return parameters, [
            "The uploaded deflator series is not used: " + " ".join(problems) + " The parameter set's own is."
        ]
    return replaced, []


def save_area_sizes(
    session: Session,
    *,
    actor: User,
    framework: Framework,
    content: bytes,
    filename: str,
    measure: SizeMeasure,
) -> AreaSizeUpload:
    """Read an area sizes list (columns: code, name, size; pilot sites by their site code) and keep it as the
    framework's; raises UploadRefused with every problem. Flushes; the caller commits."""
    _require_active(framework)
    problems = []
    if not measure.name.strip():
        problems.append("Say what the sizes measure, such as working-age population (16 to 64).")
    if not measure.source.strip():
        problems.append("Say where the sizes come from, such as ONS mid-year population estimates, mid-2023.")
    try:
        areas = areas_from_rows(_read(content, filename, AREA_SHEET))
    except ProjectionProblems as error:
        problems += error.problems
        areas = ()
    if problems:
        raise UploadRefused(problems)
    upload = AreaSizeUpload(
        framework_id=framework.id,
        measure_name=measure.name.strip(),
        measure_source=measure.source.strip(),
        areas=[[area.code, area.name, str(area.size)] for area in areas],
        filename=filename,
        uploaded_by_id=actor.id,
    )
    session.add(upload)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="appraisal.area_sizes_uploaded",
        object_type="area_size_upload",
        object_id=upload.id,
        after={"framework": framework.code, "filename": filename, "areas": len(areas)},
    )
    return upload


def latest_area_sizes(session: Session, framework: Framework) -> AreaSizes | None:
    upload = _latest(session, AreaSizeUpload, framework)
    if upload is None:
        return None
    return AreaSizes(
        measure=SizeMeasure(upload.measure_name, upload.measure_source),
        areas=tuple(Area(code, name, Decimal(size)) for code, name, size in upload.areas),
        filename=upload.filename,
    )
