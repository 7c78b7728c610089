"""Uploading a section of a return from a spreadsheet, as a pilot lead does it."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evidence_hub.models import CostItem, Role
from tests.factories import make_return
from tests.pages import page, text_of


def test_a_lead_downloads_the_template_fills_it_and_uploads_it(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = make_return(db, "kent")
    client = client_as(Role.SITE_LEAD, site="kent")
    soup = page(client.get(f"/returns/{site_return.id}/upload/costs"))
    assert "Download the template as an Excel workbook" in text_of(soup)

    download = client.get(f"/returns/{site_return.id}/upload/costs/template.xlsx")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    workbook = openpyxl.load_workbook(io.BytesIO(download.data))
    sheet = workbook["Costs"]
    header = [cell.value for cell in sheet[1]]
    values = {
        "reference": "C-1",
        "category_code": site_return.framework_version.cost_categories[0].code,
        "description": "Data analyst, two days a week",
        "amount": "2400.00",
        "cost_type": "running",
        "funding": "cash",
        "attributable_percent": "100",
    }
    for key, value in values.items():
        sheet.cell(2, header.index(key) + 1).value = value
    filled = io.BytesIO()
    workbook.save(filled)

    response = client.post(
        f"/returns/{site_return.id}/upload/costs",
        data={"spreadsheet": (io.BytesIO(filled.getvalue()), "costs.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "Costs: 1 added, 0 updated, 0 unchanged." in text_of(
        page(client.get(response.headers["Location"]))
    )
    db.rollback()  # end the read snapshot so the request's writes are visible
    assert db.scalar(select(func.count()).select_from(CostItem)) == 1


def test_a_file_with_mistakes_lists_them_by_row_and_saves_nothing(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = make_return(db, "kent")
    client = client_as(Role.SITE_LEAD, site="kent")
    category = site_return.framework_version.cost_categories[0].code
    period = site_return.reporting_period.code
    content = (
        "site_code,period_code,reference,category_code,description,amount,cost_type,funding\r\n"
        f"kent,{period},C-1,{category},Fine,10,set_up,cash\r\n"
        f"kent,{period},C-2,{category},Negative,-10,set_up,cash\r\n"
        f"kent,{period},C-3,{category},No type,10,,cash\r\n"
    ).encode()
    response = client.post(
        f"/returns/{site_return.id}/upload/costs",
        data={"spreadsheet": (io.BytesIO(content), "costs.csv")},
        content_type="multipart/form-data",
    )
    soup = page(response, status=400)
    assert "Nothing was saved: 2 problems to correct" in text_of(soup)
    rows = [
        [cell.get_text(strip=True) for cell in row.find_all("td")]
        for row in soup.select("#upload-problems tbody tr")
    ]
    assert [row[0] for row in rows] == ["3", "4"]
    db.rollback()  # end the read snapshot so the request's writes are visible
    assert db.scalar(select(func.count()).select_from(CostItem)) == 0


def test_no_file_chosen_is_explained_beside_the_field(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = make_return(db, "kent")
    client = client_as(Role.SITE_LEAD, site="kent")
    soup = page(client.post(f"/returns/{site_return.id}/upload/costs", data={}))
    assert "Select the spreadsheet to upload" in text_of(soup)


def test_an_upload_naming_another_site_is_refused_with_the_row_named(
    db: Session, client_as: Callable[..., FlaskClient]
) -> None:
    site_return = make_return(db, "kent")
    client = client_as(Role.SITE_LEAD, site="kent")
    category = site_return.framework_version.cost_categories[0].code
    content = (
        "site_code,period_code,reference,category_code,description,amount,cost_type,funding\r\n"
        f"leeds,{site_return.reporting_period.code},C-1,{category},Sneaky,10,set_up,cash\r\n"
    ).encode()
    response = client.post(
        f"/returns/{site_return.id}/upload/costs",
        data={"spreadsheet": (io.BytesIO(content), "costs.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    problems = text_of(page(response, 400).find(id="upload-problems"))
    assert "site_code" in problems and "This row is for site leeds" in problems
