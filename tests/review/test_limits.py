"""A report's size is bounded, so that the largest report renders well within a request:
at most MAX_LIST_ITEMS entries a list, MAX_INDICATOR_ROWS indicator rows, and
REPORT_MAX_CHARACTERS of 附件2 text. Each limit is enforced by the model rules (services,
imports) and on the evaluation page, with a Chinese message naming the numbers; a page at the
limits can still be saved (DATA_UPLOAD_MAX_NUMBER_FIELDS holds it)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.factories import ITEM_FACTORIES, DepartmentFunctionFactory
from evaluations.lists import ORDERED_LISTS
from evaluations.models import MAX_LIST_ITEMS, REPORT_MAX_CHARACTERS, DepartmentFunction
from indicators.factories import CompleteEvaluationFactory, IndicatorRowFactory
from indicators.models import MAX_INDICATOR_ROWS, IndicatorRow
from review import selectors
from tests.helpers import change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_the_limits(department):
    """Every list and the indicator rows full."""
    evaluation = CompleteEvaluationFactory(department=department)
    for entry in ORDERED_LISTS:
        for order in range(2, MAX_LIST_ITEMS + 1):
            ITEM_FACTORIES[entry.model](evaluation=evaluation, order=order)
    for order in range(2, MAX_INDICATOR_ROWS + 1):
        IndicatorRowFactory(evaluation=evaluation, order=order, name=f"指标{order}")
    return evaluation


def test_a_full_page_can_be_saved_and_one_more_entry_is_refused_with_the_numbers(
    at_the_limits, make_user, department
):
    filler = make_user("filler", role="filler", department=department)
    url = reverse("admin:evaluations_evaluation_change", args=[at_the_limits.pk])
    form = filler.get(url).context["adminform"].form

    saved = filler.post(url, change_form_data(form, conclusion_summary="满额也能保存"))
    assert saved.status_code == 302, saved.content.decode()[-3000:]

    form = filler.get(url).context["adminform"].form
    data = change_form_data(form)
    data["departmentfunctions-TOTAL_FORMS"] = str(MAX_LIST_ITEMS + 1)
    data[f"departmentfunctions-{MAX_LIST_ITEMS}-order"] = MAX_LIST_ITEMS + 1
    data[f"departmentfunctions-{MAX_LIST_ITEMS}-text"] = "第三十一项"
    refused = filler.post(url, data)

    assert refused.status_code == 200
    assert f"“部门职能”最多 {MAX_LIST_ITEMS} 项，现在有 {MAX_LIST_ITEMS + 1} 项" in (
        refused.content.decode()
    )
    assert DepartmentFunction.objects.filter(evaluation=at_the_limits).count() == MAX_LIST_ITEMS


def test_the_services_and_imports_refuse_an_entry_or_a_row_past_the_limit(at_the_limits):
    with pytest.raises(ValidationError, match=f"最多 {MAX_LIST_ITEMS} 项"):
        DepartmentFunctionFactory(evaluation=at_the_limits, order=MAX_LIST_ITEMS + 1)
    with pytest.raises(ValidationError, match=f"最多 {MAX_INDICATOR_ROWS} 个三级指标"):
        IndicatorRowFactory(evaluation=at_the_limits, order=99, name="多出的一个")

    assert IndicatorRow.objects.filter(evaluation=at_the_limits).count() == MAX_INDICATOR_ROWS


def test_a_report_over_the_character_limit_cannot_be_submitted_nor_rendered(
    department, staff_client
):
    evaluation = CompleteEvaluationFactory(department=department)
    for order in range(2, 12):
        DepartmentFunctionFactory(evaluation=evaluation, order=order, text="长" * 4_000)

    problems = selectors.evaluation_problems(evaluation=evaluation)
    response = staff_client.get(
        reverse("reports:report_pdf", args=[department.code, evaluation.year])
    )

    assert any(f"超过上限 {REPORT_MAX_CHARACTERS:,} 字" in problem for problem in problems)
    assert response.status_code == 422
    assert f"超过上限 {REPORT_MAX_CHARACTERS:,} 字" in response.content.decode()
