"""The admin pages of the indicators app open for staff and show what the issue asks for."""

import pytest
from django.urls import reverse

from tests.helpers import make_row

pytestmark = pytest.mark.django_db


def test_the_framework_pages_list_weights_and_secondaries(staff_client, framework_2023):
    changelist = staff_client.get(reverse("admin:indicators_indicatorframework_changelist"))
    change = staff_client.get(
        reverse("admin:indicators_indicatorframework_change", args=[framework_2023.pk])
    )

    assert "产出指标 50；效益指标 30；满意度指标 10；预算执行率 10" in changelist.content.decode()
    assert "数量指标、质量指标、时效指标、成本指标" in change.content.decode()


def test_the_indicator_row_list_filters_searches_and_shows_scores(
    staff_client, evaluation, framework_2023
):
    make_row(evaluation)
    url = reverse("admin:indicators_indicatorrow_changelist")

    page = staff_client.get(url, {"q": "高新"}).content.decode()

    assert "国家高新技术企业数量" in page
    assert "8.00" in page
    assert staff_client.get(url, {"q": "不存在"}).context["cl"].result_count == 0
    assert staff_client.get(url, {"evaluation__year": "2022"}).context["cl"].result_count == 0


def test_the_evaluation_list_offers_budget_import_and_export(staff_client, evaluation):
    page = staff_client.get(reverse("admin:evaluations_evaluation_changelist")).content.decode()

    assert reverse("admin:evaluations_evaluation_import") in page
    assert reverse("admin:evaluations_evaluation_export") in page


def test_the_budget_export_has_chinese_headers_and_the_figures(staff_client, evaluation):
    fields = [
        "department_code",
        "year",
        "budget_total",
        "expenditure_total",
        "general_public_budget",
        "government_fund_budget",
        "state_capital_budget",
        "other_funds",
        "basic_expenditure",
        "project_expenditure",
        "carryover_balance",
    ]
    data = {"format": "1", "resource": "0"}
    data.update({f"evaluationbudgetresource_{name}": "on" for name in fields})

    response = staff_client.post(reverse("admin:evaluations_evaluation_export"), data)

    text = response.content.decode("utf-8-sig")
    header, row = text.splitlines()
    assert header.startswith("部门编码,年度,全年预算数（万元）,执行数（万元）")
    assert row.startswith("test-dept,2023,8727.19,7627.19")
