"""Spreadsheet templates and uploads: all rows or none, reported by row and column, never duplicated."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.db import transaction
from evidence_hub.models import Activity, AuditEvent, CostItem, LearningEntry, MeasureValue, Role, SiteReturn
from evidence_hub.services.returns import measures
from evidence_hub.services.returns.activities import ACTIVITIES, ActivityInput
from evidence_hub.services.returns.costs import COSTS, CostInput
from evidence_hub.services.returns.errors import ReturnError
from evidence_hub.services.returns.imports.sections import section_named
from evidence_hub.services.returns.imports.templates import template_csv, template_xlsx
from evidence_hub.services.returns.imports.uploads import ImportOutcome, ImportRejected, import_upload
from evidence_hub.services.returns.learning import LEARNING, LearningInput
from evidence_hub.services.returns.measure_checks import MeasureInput
from evidence_hub.services.returns.savings import SAVINGS, SavingInput
from tests.factories import make_return, make_user

COST_HEADER = [
    "site_code",
    "period_code",
    "reference",
    "category_code",
    "description",
    "amount",
    "cost_type",
    "funding",
    "attributable_percent",
    "attribution_reason",
    "staff_time_quantity",
    "staff_time_unit",
    "staff_rate",
    "funder",
]


def lead_and_return(db: Session) -> tuple[object, SiteReturn]:
    site_return = make_return(db, "kent")
    return make_user(db, Role.SITE_LEAD, site="kent"), site_return


def category_code(site_return: SiteReturn) -> str:
    return site_return.framework_version.cost_categories[0].code


def cost_csv(site_return: SiteReturn, rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COST_HEADER)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                "site_code": "kent",
                "period_code": site_return.reporting_period.code,
                "category_code": category_code(site_return),
                "cost_type": "set_up",
                "funding": "cash",
                **row,
            }
        )
    return buffer.getvalue().encode()


def upload(
    db: Session,
    user: object,
    site_return: SiteReturn,
    section: str,
    content: bytes,
    filename: str = "upload.csv",
) -> ImportOutcome:
    with transaction(db):
        return import_upload(db, user, site_return, section_named(section), content, filename)  # type: ignore[arg-type]


def count(db: Session, model: type) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_a_valid_csv_of_costs_is_saved_with_audit_records(db: Session) -> None:
    lead, site_return = lead_and_return(db)
    content = cost_csv(
        site_return,
        [
            {"reference": "C-1", "description": "Project officer", "amount": "1,250.50"},
            {
                "reference": "C-2",
                "description": "Analyst time",
                "staff_time_quantity": "10",
                "staff_time_unit": "days",
                "staff_rate": "180.00",
                "attributable_percent": "50",
                "attribution_reason": "Half on the pilot",
            },
        ],
    )
    outcome = upload(db, lead, site_return, "costs", content)
    assert (outcome.added, outcome.updated) == (2, 0)
    amounts = sorted(db.scalars(select(CostItem.amount)))
    assert amounts == [Decimal("1250.50"), Decimal("1800.00")]
    assert (
        db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "cost.created"))
        == 2
    )


def test_uploading_the_same_file_twice_adds_nothing_twice(db: Session) -> None:
    lead, site_return = lead_and_return(db)
    content = cost_csv(site_return, [{"reference": "C-1", "description": "Project officer", "amount": "100"}])
    upload(db, lead, site_return, "costs", content)
    again = upload(db, lead, site_return, "costs", content)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    assert count(db, CostItem) == 1


def test_a_changed_row_updates_the_item_with_the_same_reference(db: Session) -> None:
    lead, site_return = lead_and_return(db)
    upload(
        db,
        lead,
        site_return,
        "costs",
        cost_csv(site_return, [{"reference": "C-1", "description": "Officer", "amount": "100"}]),
    )
    outcome = upload(
        db,
        lead,
        site_return,
        "costs",
        cost_csv(site_return, [{"reference": "C-1", "description": "Officer", "amount": "120"}]),
    )
    assert outcome.updated == 1
    assert db.scalar(select(CostItem.amount)) == Decimal("120.00")


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_saved(db: Session) -> None:
    lead, site_return = lead_and_return(db)
    content = cost_csv(
        site_return,
        [
            {"reference": "C-1", "description": "Fine row", "amount": "10"},
            {"reference": "C-2", "description": "Negative", "amount": "-5"},
            {"reference": "C-3", "description": "Too precise", "amount": "1.234"},
            {"reference": "C-4", "description": "Not a number", "amount": "NaN"},
            {"reference": "C-1", "description": "Duplicate reference", "amount": "3"},
            {"reference": "C-6", "description": "Unknown category", "amount": "3", "category_code": "NOPE"},
        ],
    )
    with pytest.raises(ImportRejected) as rejected:
        upload(db, lead, site_return, "costs", content)
    rows = {(problem.row, problem.column) for problem in rejected.value.problems}
    assert {row for row, _column in rows} == {3, 4, 5, 6, 7}
    assert (6, "reference") in rows
    # Problems name the template's own column headers.
    assert {column for _row, column in rows} <= {"reference", "amount", "category_code"}
    assert (7, "category_code") in rows
    assert count(db, CostItem) == 0
    assert (
        db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("cost.%"))) == 0
    )


@pytest.mark.parametrize("site_code", ["leeds", "nowhere"])
def test_a_row_for_another_or_an_unknown_site_is_a_row_problem(db: Session, site_code: str) -> None:
    lead, site_return = lead_and_return(db)
    content = cost_csv(
        site_return,
        [
            {"reference": "C-1", "description": "Mine", "amount": "1"},
            {"reference": "C-2", "description": "x", "amount": "1", "site_code": site_code},
        ],
    )
    with pytest.raises(ImportRejected) as rejected:
        upload(db, lead, site_return, "costs", content)
    [problem] = rejected.value.problems
    assert (problem.row, problem.column) == (3, "site_code")
    assert f"This row is for site {site_code}, but this return is Kent" in problem.message
    assert count(db, CostItem) == 0


def test_a_submitted_return_cannot_be_filled_from_a_spreadsheet(db: Session) -> None:
    lead, site_return = lead_and_return(db)
    with transaction(db):
        site_return.status = "submitted"
    with pytest.raises(ReturnError, match="waiting for review"):
        upload(
            db,
            lead,
            site_return,
            "costs",
            cost_csv(site_return, [{"reference": "C-1", "description": "x", "amount": "1"}]),
        )


def test_the_xlsx_template_is_prefilled_and_uploads_back_unchanged(db: Session) -> None:
    lead, site_return = lead_and_return(db)
    upload(
        db,
        lead,
        site_return,
        "costs",
        cost_csv(
            site_return,
            [
                {"reference": "C-1", "description": '=HYPERLINK("http://evil")', "amount": "100"},
            ],
        ),
    )
    workbook_bytes = template_xlsx(db, site_return, section_named("costs"))
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    assert workbook.sheetnames == ["Costs", "Guidance", "About"]
    sheet = workbook["Costs"]
    header = [cell.value for cell in sheet[1]]
    assert header == COST_HEADER
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert first["site_code"] == "kent" and first["reference"] == "C-1"
    assert sheet.cell(2, header.index("description") + 1).data_type == "s"
    guidance_text = " ".join(
        str(cell.value) for row in workbook["Guidance"].iter_rows() for cell in row if cell.value
    )
    assert category_code(site_return) in guidance_text and "Include:" in guidance_text

    again = upload(db, lead, site_return, "costs", workbook_bytes, "costs.xlsx")
    assert (again.added, again.unchanged) == (0, 1)
    assert db.scalar(select(CostItem.description)) == '=HYPERLINK("http://evil")'


def test_the_csv_template_never_starts_a_cell_with_a_formula(db: Session) -> None:
    lead, site_return = lead_and_return(db)
    upload(
        db,
        lead,
        site_return,
        "costs",
        cost_csv(site_return, [{"reference": "C-1", "description": "=1+1", "amount": "5"}]),
    )
    text = template_csv(db, site_return, section_named("costs"))
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'=1+1" in cells and "=1+1" not in cells
    again = upload(db, lead, site_return, "costs", text.encode())
    assert again.unchanged == 1
    assert db.scalar(select(CostItem.description)) == "=1+1"


def test_measures_upload_by_indicator_code(db: Session) -> None:
    lead, site_return = lead_and_return(db)
    section = section_named("measures")
    template = template_csv(db, site_return, section)
    rows = list(csv.DictReader(io.StringIO(template)))
    assert len(rows) == len(site_return.framework_version.indicators)
    count_indicator = next(
        indicator for indicator in site_return.framework_version.indicators if indicator.unit == "count"
    )
    for row in rows:
        if row["indicator_code"] == count_indicator.code:
            row["value"] = str(int(count_indicator.plausible_min or 0) + 1)
            row["target"] = row["value"]
            row["data_source"] = "Case management system"
            row["quality_rating"] = "good"
            row["quality_reason"] = "Checked against the case files"
            level = count_indicator.minimum_evidence_level
            row["evidence_level"] = f"{level.scale.code}:{level.level}"
        else:
            row["not_available"] = "yes"
            row["not_available_reason"] = "Data sharing agreement not signed yet"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    outcome = upload(db, lead, site_return, "measures", buffer.getvalue().encode())
    assert outcome.added == len(rows)
    assert count(db, MeasureValue) == len(rows)
    assert upload(db, lead, site_return, "measures", buffer.getvalue().encode()).unchanged == len(rows)


def test_activities_and_learning_upload(db: Session) -> None:
    lead, site_return = lead_and_return(db)
    version = site_return.framework_version
    period = site_return.reporting_period
    activity_csv = (
        "site_code,period_code,reference,activity_type_code,title,starts_on,people_reached,partner_types\r\n"
        f"kent,{period.code},A-1,{version.activity_types[0].code},Data workshop,"
        f"{period.starts_on.isoformat()},12,local_authority;jobcentre_plus\r\n"
    ).encode()
    assert upload(db, lead, site_return, "activities", activity_csv).added == 1
    learning_csv = (
        "site_code,period_code,reference,learning_type,dimension_codes,title,what_happened\r\n"
        f"kent,{period.code},L-1,barrier,{version.learning_dimensions[0].code},Slow approvals,"
        "Six months to approve\r\n"
    ).encode()
    assert upload(db, lead, site_return, "learning", learning_csv).added == 1
    assert count(db, Activity) == 1 and count(db, LearningEntry) == 1


def test_the_same_learning_row_uploaded_again_updates_the_entry_instead_of_duplicating(db: Session) -> None:
    lead, site_return = lead_and_return(db)
    dimension = site_return.framework_version.learning_dimensions[0].code
    header = "site_code,period_code,reference,learning_type,dimension_codes,title,what_happened\r\n"
    period = site_return.reporting_period.code
    row = f"kent,{period},row-3,barrier,{dimension},{{title}},Six months to approve\r\n"

    upload(db, lead, site_return, "learning", (header + row.format(title="Slow approvals")).encode())
    again = upload(db, lead, site_return, "learning", (header + row.format(title="Renamed")).encode())

    assert (again.added, again.updated) == (0, 1)
    assert count(db, LearningEntry) == 1
    assert db.scalars(select(LearningEntry)).one().title == "Renamed"


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            zip_bytes({"xl/worksheets/sheet1.xml": b"<a>" + b"0" * 50_000_000 + b"</a>"}),
            "bomb.xlsx",
            "compressed",
        ),
        (
            zip_bytes(
                {"xl/workbook.xml": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><a>&lol;</a>'}
            ),
            "entities.xlsx",
            "entities",
        ),
        (("a," * 5000 + "b\r\n" + "1," * 5000 + "2\r\n").encode(), "wide.csv", "more than 60 columns"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "picture.csv", "not a CSV"),
        (b"caf\xe9,menu\r\n", "latin1.csv", "UTF-8"),
        (b"", "empty.csv", "empty"),
        (b"PK\x03\x04not really a zip", "broken.xlsx", "not a valid Excel"),
    ],
    ids=["zip bomb", "xml entities", "thousands of columns", "binary", "not utf-8", "empty", "broken zip"],
)
def test_hostile_or_broken_files_are_refused_with_a_reason(
    db: Session, content: bytes, filename: str, message: str
) -> None:
    lead, site_return = lead_and_return(db)
    with pytest.raises(ImportRejected) as rejected:
        upload(db, lead, site_return, "costs", content, filename)
    assert message in rejected.value.problems[0].message
    assert count(db, CostItem) == 0


def test_a_file_without_the_required_columns_says_which_are_missing(db: Session) -> None:
    lead, site_return = lead_and_return(db)
    with pytest.raises(ImportRejected) as rejected:
        upload(db, lead, site_return, "costs", b"reference,description\r\nC-1,Something\r\n")
    messages = " ".join(problem.message for problem in rejected.value.problems)
    assert "site_code" in messages and "category_code" in messages


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_every_sections_prefilled_template_uploaded_unchanged_adds_nothing(
    db: Session, file_format: str
) -> None:
    """Items entered through the forms have references too, so their template rows match them again."""
    lead, site_return = lead_and_return(db)
    version = site_return.framework_version
    period = site_return.reporting_period
    with transaction(db):
        COSTS.add(
            db,
            lead,  # type: ignore[arg-type]
            site_return,
            CostInput(
                category_id=version.cost_categories[0].id,
                description="Analyst, two days a week",
                amount=Decimal("4000"),
                cost_type="running",
                funding="cash",
            ),
        )
        SAVINGS.add(
            db,
            lead,  # type: ignore[arg-type]
            site_return,
            SavingInput(description="Visits avoided", amount=Decimal("250"), evidence="Visit logs"),
        )
        ACTIVITIES.add(
            db,
            lead,  # type: ignore[arg-type]
            site_return,
            ActivityInput(
                activity_type_id=version.activity_types[0].id,
                title="Data workshop",
                starts_on=period.starts_on,
                people_reached=12,
            ),
        )
        LEARNING.add(
            db,
            lead,  # type: ignore[arg-type]
            site_return,
            LearningInput(
                learning_type="barrier",
                dimensions=[version.learning_dimensions[0].code],
                title="Slow approvals",
                what_happened="Six months to approve the agreement.",
            ),
        )
        measures.save_measure(
            db,
            lead,  # type: ignore[arg-type]
            site_return,
            "WL-CLIENTS-ENGAGED",
            MeasureInput(
                value="120",
                target="150",
                data_source="Client tracking spreadsheet",
                quality_rating="good",
                quality_reason="Checked against the registers",
                evidence_level="nesta:2",
            ),
        )
    counts = {model: count(db, model) for model in (CostItem, Activity, LearningEntry, MeasureValue)}

    for code in ("costs", "savings", "activities", "measures", "learning"):
        section = section_named(code)
        template = (
            template_xlsx(db, site_return, section)
            if file_format == "xlsx"
            else template_csv(db, site_return, section).encode()
        )
        try:
            outcome = upload(db, lead, site_return, code, template, f"{code}.{file_format}")
        except ImportRejected as rejected:
            raise AssertionError(f"{code}: {rejected.problems}") from None
        assert (outcome.added, outcome.updated) == (0, 0), code
        assert outcome.unchanged > 0, code

    assert {model: count(db, model) for model in counts} == counts
