from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from evaluations.models import Evaluation
from indicators.factories import CompleteEvaluationFactory
from indicators.models import IndicatorRow
from tests.helpers import change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def filler(make_user, department):
    return make_user("filler", role="filler", department=department)


def test_the_history_page_shows_who_changed_which_field_from_what_to_what(filler, department):
    evaluation = CompleteEvaluationFactory(department=department)
    change = reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    history = reverse("admin:evaluations_evaluation_history", args=[evaluation.pk])
    data = change_form_data(filler.get(change).context["adminform"].form, budget_total="9000.00")
    data["problems-0-text"] = "改写后的问题。"

    assert filler.post(change, data).status_code == 302

    assert history in filler.get(change).content.decode()  # the change page links to it
    history_page = filler.get(history)
    log = history_page.context["change_log"]
    budget = next(e for e in log if e.what == "自评" and e.action == "修改")
    problem = next(e for e in log if e.what.startswith("存在的主要问题") and e.action == "修改")
    assert budget.who == "filler"
    assert [(c.field, c.old, c.new) for c in budget.changes] == [
        ("全年预算数（万元）", "8727.19", "9000.00")
    ]
    assert [(c.field, c.old, c.new) for c in problem.changes] == [
        ("问题", "一项内容。", "改写后的问题。")
    ]
    html = history_page.content.decode()
    assert "全年预算数（万元）</span>：8727.19 → 9000.00" in html
    for raw in ("CHANGES", "None", "chars]"):
        assert raw not in html


def test_copy_forward_makes_next_years_draft_with_lists_and_last_years_results(filler, department):
    source = CompleteEvaluationFactory(department=department)

    response = filler.post(reverse("admin:evaluations_evaluation_copy_forward", args=[source.pk]))

    target = Evaluation.objects.get(department=department, year=2024)
    assert response.status_code == 302
    assert response.url == reverse("admin:evaluations_evaluation_change", args=[target.pk])
    assert target.status == Evaluation.Status.DRAFT
    assert [f.text for f in target.departmentfunctions.all()] == ["一项内容。"]
    assert target.performancegoals.count() == target.keytasks.count() == 1
    assert not target.problems.exists() and not target.improvementmeasures.exists()
    assert target.budget_total is None and target.expenditure_total is None
    assert target.conclusion_summary == target.task_analysis == target.achievements == ""
    row = target.indicator_rows.get()
    assert (row.name, row.weight, row.previous_value) == (
        "服务企业数量",
        Decimal("10"),
        Decimal("12"),
    )
    assert row.target is None and row.actual is None
    assert row.secondary.primary.framework.year == 2024


def test_copy_forward_refuses_when_next_year_exists(filler, department):
    source = CompleteEvaluationFactory(department=department)
    copy_url = reverse("admin:evaluations_evaluation_copy_forward", args=[source.pk])
    filler.post(copy_url)

    response = filler.post(copy_url)

    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert "测试区示例局 的 2024 年度自评已经存在，不能再从 2023 年度复制。" in texts
    assert Evaluation.objects.filter(department=department).count() == 2
    assert IndicatorRow.objects.filter(evaluation__year=2024).count() == 1
