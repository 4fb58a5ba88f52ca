"""Every spreadsheet the app writes neutralises text a spreadsheet would run as a formula, as
`evaluations.tabular.neutralise` does for the exports (tests/indicators/test_export.py): the
附件1 XLSX too, whose department name, 三级指标, units and reasons are typed by users."""

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from evaluations.factories import DepartmentFactory, EvaluationFactory
from tests.helpers import make_row

pytestmark = pytest.mark.django_db

FORMULAE = [
    '=HYPERLINK("http://127.0.0.1:9/?"&C3,"点击")',
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
]
DEPARTMENT = '=HYPERLINK("http://127.0.0.1:9/","部门")'


def test_text_typed_as_a_formula_comes_out_of_the_appendix1_xlsx_as_text(
    staff_client, framework_2023
):
    department = DepartmentFactory.create(code="formula-dept", name="公式局", full_name=DEPARTMENT)
    evaluation = EvaluationFactory.create(department=department, year=2023)
    for number, name in enumerate(FORMULAE):
        make_row(evaluation, name=name, order=number + 1, unit="@", deviation_reason=f"-{number}+1")

    response = staff_client.get(reverse("reports:appendix1_xlsx", args=["formula-dept", 2023]))

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    texts = {
        cell.coordinate: cell
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.lstrip("'").startswith(("=", "+", "-", "@"))
    }
    assert texts["C3"].value == "'" + DEPARTMENT
    names = [sheet.cell(row=row, column=3).value for row in range(9, 9 + len(FORMULAE))]
    assert sorted(names) == sorted("'" + name for name in FORMULAE)
    assert len(texts) == 1 + 3 * len(FORMULAE)  # the name; each row's 三级指标, unit, reason
    for cell in texts.values():
        assert cell.data_type == "s", cell.coordinate
        assert cell.value.startswith("'"), cell.coordinate
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
