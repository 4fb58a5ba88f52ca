"""Exports are safe to open in Excel and respect who may see which department."""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from evaluations.tabular import CSV, FORMATS, XLSX, neutralise, read_dataset
from indicators.models import IndicatorRow
from indicators.resources import IndicatorRowResource
from tests.helpers import make_row

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("admin:indicators_indicatorrow_export")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+86 20 1234", "'+86 20 1234"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tindent", "'\tindent"),
        ("\rreturn", "'\rreturn"),
        ("家", "家"),
        ("", ""),
        (Decimal("-5"), Decimal("-5")),
        (2023, 2023),
    ],
)
def test_text_that_a_spreadsheet_would_run_is_neutralised_and_numbers_stay_numbers(cell, expected):
    assert neutralise(cell) == expected


@pytest.fixture
def dangerous_row(evaluation, framework_2023) -> IndicatorRow:
    return make_row(
        evaluation,
        name='=HYPERLINK("http://example.com","点击")',
        unit="@",
        target=Decimal("-5"),
        actual=Decimal("-5"),
        deviation_reason="-1+1",
    )


def export_post(file_format) -> dict[str, str]:
    fields = {f"indicatorrowresource_{name}": "on" for name in IndicatorRowResource().fields}
    return {"format": str(FORMATS.index(file_format)), "resource": "0", **fields}


def test_the_xlsx_export_neutralises_formulae_and_keeps_numbers_numeric(
    staff_client, dangerous_row
):
    response = staff_client.post(EXPORT_URL, export_post(XLSX))

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    header, row = (list(r) for r in sheet.iter_rows(values_only=True))
    values = dict(zip(header, row, strict=True))
    assert values["三级指标"] == '\'=HYPERLINK("http://example.com","点击")'
    assert values["计量单位"] == "'@"
    assert values["偏差原因分析及改进措施"] == "'-1+1"
    assert values["年度指标值"] == -5  # a number, not text
    assert sheet["H2"].data_type == "n"
    assert values["部门编码"] == "test-dept"
    assert values["指标性质"] == "≥"


def test_the_csv_export_is_utf8_with_bom_and_imports_back_unchanged(staff_client, dangerous_row):
    response = staff_client.post(EXPORT_URL, export_post(CSV))

    assert response.content.startswith("\ufeff".encode())
    dataset = read_dataset(response.content, kind="csv")
    result = IndicatorRowResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["update"] == 1
    dangerous_row.refresh_from_db()
    assert dangerous_row.name == '=HYPERLINK("http://example.com","点击")'
    assert (dangerous_row.unit, dangerous_row.deviation_reason) == ("@", "-1+1")
    assert IndicatorRow.objects.count() == 1


def test_an_export_holds_only_the_departments_the_user_may_see(dangerous_row):
    assert len(IndicatorRowResource(department_codes=None).export()) == 1
    assert len(IndicatorRowResource(department_codes={"another-dept"}).export()) == 0


def test_the_xlsx_export_imports_back_unchanged(staff_client, dangerous_row):
    response = staff_client.post(EXPORT_URL, export_post(XLSX))

    dataset = read_dataset(response.content, kind="xlsx")
    result = IndicatorRowResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["update"] == 1
    dangerous_row.refresh_from_db()
    assert dangerous_row.name == '=HYPERLINK("http://example.com","点击")'
    assert (dangerous_row.unit, dangerous_row.target) == ("@", Decimal("-5"))
    assert IndicatorRow.objects.count() == 1
