from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations import services
from evaluations.factories import EvaluationFactory
from evaluations.models import Evaluation
from tests.helpers import evaluation_form_data

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:evaluations_evaluation_add")


def form_errors(response) -> dict[str, list[str]]:
    return response.context["adminform"].form.errors


def test_admin_rejects_a_negative_amount_and_saves_nothing(staff_client, department):
    data = evaluation_form_data(department, carryover_balance="-1.50")

    response = staff_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert form_errors(response)["carryover_balance"] == [
        "年末结转和结余不能为负数（填写的是 -1.50 万元）。"
    ]
    assert "年末结转和结余不能为负数" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_admin_rejects_fund_sources_that_do_not_add_up_and_names_the_numbers(
    staff_client, department
):
    data = evaluation_form_data(department, general_public_budget="7000.00", other_funds="27.19")

    response = staff_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert form_errors(response)["general_public_budget"] == [
        "按资金来源分的各项支出之和应等于执行数 7627.19 万元，现为 一般公共预算财政拨款支出 7000.00"
        " + 政府性基金预算财政拨款支出 0.00 + 国有资本经营预算财政拨款支出 0.00 + 其他资金支出 27.19"
        " = 7027.19 万元，相差 600.00 万元。"
    ]
    assert not Evaluation.objects.exists()


def test_admin_rejects_basic_and_project_expenditure_that_do_not_add_up(staff_client, department):
    data = evaluation_form_data(department, project_expenditure="5000.00")

    response = staff_client.post(ADD_URL, data)

    assert form_errors(response)["basic_expenditure"] == [
        "基本支出与项目支出之和应等于执行数 7627.19 万元，现为 基本支出 2555.62 + 项目支出 5000.00"
        " = 7555.62 万元，相差 71.57 万元。"
    ]
    assert not Evaluation.objects.exists()


def test_zero_budget_makes_the_completion_rate_not_computable_without_crashing(
    staff_client, department
):
    evaluation = EvaluationFactory(
        department=department,
        year=2023,
        blank=True,
        budget_total=Decimal("0"),
        expenditure_total=Decimal("0"),
    )

    assert evaluation.completion_rate is None
    response = staff_client.get(
        reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    )
    assert response.status_code == 200
    assert "无法计算（全年预算数为空或为 0）" in response.content.decode()


def test_completion_rate_is_executed_over_budget_rounded_half_up_to_one_decimal(evaluation):
    assert evaluation.completion_rate == Decimal("87.4")
    evaluation.expenditure_total = Decimal("1")
    evaluation.budget_total = Decimal("8")
    assert evaluation.completion_rate == Decimal("12.5")
    evaluation.budget_total = Decimal("16")  # 6.25 % → 6.3 %, half up
    assert evaluation.completion_rate == Decimal("6.3")


def test_service_refuses_figures_that_do_not_add_up_and_leaves_the_database_unchanged(evaluation):
    evaluation.basic_expenditure = Decimal("1.00")

    with pytest.raises(ValidationError) as raised:
        services.evaluation_save(evaluation=evaluation)

    assert "basic_expenditure" in raised.value.message_dict
    evaluation.refresh_from_db()
    assert evaluation.basic_expenditure == Decimal("2555.62")


def test_a_second_evaluation_for_the_same_department_and_year_is_refused(staff_client, evaluation):
    response = staff_client.post(ADD_URL, evaluation_form_data(evaluation.department))

    assert response.status_code == 200
    assert (
        "该部门这一年度的绩效自评已经存在：每个部门每年只有一份自评。" in response.content.decode()
    )
    assert Evaluation.objects.count() == 1
