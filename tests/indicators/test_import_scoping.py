"""Import and export respect who may see which department: a filler's file naming another
department is rejected whole, exports hold only visible departments, auditors do not import."""

import pytest
from django.urls import reverse

from evaluations import services as evaluation_services
from evaluations.models import Evaluation
from indicators.models import IndicatorRow
from tests.helpers import make_row
from tests.indicators.test_import import IMPORT_URL, snapshot, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_departments(evaluation, framework_2023):
    other = evaluation_services.department_create(
        code="other", name="另一局", full_name="某市另一局"
    )
    theirs = evaluation_services.evaluation_create(department=other, year=2023)
    make_row(evaluation, actual=None)
    make_row(theirs, name="另一局的指标")
    return evaluation, theirs


def test_a_fillers_file_naming_another_department_is_rejected_and_nothing_written(
    make_user, department, two_departments
):
    filler = make_user("filler", role="filler", department=department)
    before = snapshot()
    content = (
        "部门编码,年度,一级指标,二级指标,三级指标,计量单位,指标性质,年度指标值,实际完成值,分值,偏差原因分析及改进措施\n"
        "test-dept,2023,产出指标,数量指标,国家高新技术企业数量,家,≥,380,392,8,\n"
        "other,2023,产出指标,数量指标,另一局的指标,家,≥,380,1,8,改别人的\n"
    ).encode()

    response = upload(filler, "rows.csv", content)

    page = response.content.decode()
    assert "第 3 行" in page and "other" in page
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert snapshot() == before


def test_a_fillers_export_holds_only_their_department(make_user, department, two_departments):
    filler = make_user("filler", role="filler", department=department)

    response = filler.post(
        reverse("admin:indicators_indicatorrow_export"),
        {"format": "1", "resource": "0", "indicatorrowresource_name": "on"},
    )

    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert "国家高新技术企业数量" in body
    assert "另一局的指标" not in body and "other" not in body


def test_an_auditor_may_export_but_not_import(make_user, department, two_departments):
    auditor = make_user("auditor", role="auditor", department=department)

    assert auditor.get(IMPORT_URL).status_code == 403
    listing = auditor.get(reverse("admin:indicators_indicatorrow_changelist"))
    assert listing.status_code == 200
    assert listing.context["has_import_permission"] is False
    assert listing.context["has_export_permission"] is True


def test_rows_of_a_submitted_evaluation_cannot_be_imported(make_user, department, two_departments):
    ours, _ = two_departments
    Evaluation.objects.filter(pk=ours.pk).update(status=Evaluation.Status.SUBMITTED)
    filler = make_user("filler", role="filler", department=department)
    before = snapshot()

    response = upload(filler, "indicators_good.csv")

    assert "不能再导入修改" in response.content.decode()
    assert snapshot() == before
    assert IndicatorRow.objects.filter(evaluation=ours).count() == 1
