"""Indicator rows on the evaluation's change page: the row rules and the grade agreement rule."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Evaluation
from indicators import selectors
from indicators.factories import IndicatorFrameworkFactory
from indicators.models import IndicatorRow
from tests.helpers import evaluation_form_data, make_row, secondary

pytestmark = pytest.mark.django_db


def change_data(evaluation: Evaluation, rows: list[dict[str, object]], **overrides):
    """What the change page posts: with the version it was loaded at, as the page sends it."""
    data = evaluation_form_data(
        evaluation.department, loaded_version=evaluation.version, **overrides
    )
    existing = list(evaluation.indicator_rows.all())
    data.update(
        {
            "indicator_rows-TOTAL_FORMS": str(len(rows)),
            "indicator_rows-INITIAL_FORMS": str(len(existing)),
            "indicator_rows-MIN_NUM_FORMS": "0",
            "indicator_rows-MAX_NUM_FORMS": "1000",
        }
    )
    for index, row in enumerate(rows):
        for field, value in row.items():
            data[f"indicator_rows-{index}-{field}"] = "" if value is None else value
    return data


def row_data(evaluation: Evaluation, **fields: object) -> dict[str, object]:
    return {
        "order": 1,
        "secondary": secondary(evaluation.year, "产出指标", "数量指标").pk,
        "name": "国家高新技术企业数量",
        "unit": "家",
        "nature": "gte",
        "target": "380",
        "actual": "392",
        "qualitative_tier": "",
        "qualitative_share": "",
        "weight": "90",
        "deviation_reason": "",
        "previous_value": "",
        "reported_growth": "",
        **fields,
    }


def change_url(evaluation: Evaluation) -> str:
    return reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])


def test_a_row_scoring_below_its_weight_needs_a_deviation_reason_naming_the_row(
    evaluation, framework_2023
):
    with pytest.raises(ValidationError) as raised:
        make_row(evaluation, actual=Decimal("350"))

    assert raised.value.message_dict["deviation_reason"] == [
        "“国家高新技术企业数量”得分 7.37 低于分值 8.00，请填写偏差原因分析及改进措施。"
    ]
    assert not IndicatorRow.objects.exists()


def test_a_row_at_full_marks_needs_no_deviation_reason(evaluation, framework_2023):
    row = make_row(evaluation)

    assert row.result.score == Decimal("8.00")


def test_a_qualitative_share_outside_its_tier_is_refused(evaluation, framework_2023):
    with pytest.raises(ValidationError) as raised:
        make_row(
            evaluation,
            nature=IndicatorRow.Nature.QUALITATIVE,
            target=None,
            actual=None,
            qualitative_tier=IndicatorRow.Tier.ACHIEVED,
            qualitative_share=Decimal("70"),
        )

    assert raised.value.message_dict["qualitative_share"] == [
        "“国家高新技术企业数量”：评价档次“达成年度指标”的得分比例应在 80%–100% 之间，填写的是 70%。"
    ]


def test_a_row_may_only_use_the_framework_of_its_own_year(evaluation, framework_2023):
    IndicatorFrameworkFactory(year=2024)

    with pytest.raises(ValidationError) as raised:
        make_row(evaluation, secondary=secondary(2024, "产出指标", "数量指标"))

    assert raised.value.message_dict["secondary"] == [
        "二级指标“产出指标 / 数量指标”属于 2024 年度指标体系，与自评年度 2023 不一致。"
    ]


def test_the_add_page_has_no_indicator_rows_yet(staff_client, framework_2023):
    page = staff_client.get(reverse("admin:evaluations_evaluation_add")).content.decode()

    assert "indicator_rows-TOTAL_FORMS" not in page


def test_staff_add_indicator_rows_on_the_change_page_and_see_the_computed_score(
    staff_client, evaluation, framework_2023
):
    data = change_data(evaluation, [row_data(evaluation)], grade="excellent")

    response = staff_client.post(change_url(evaluation), data)

    assert response.status_code == 302
    row = evaluation.indicator_rows.get()
    assert (row.name, row.target, row.actual) == (
        "国家高新技术企业数量",
        Decimal("380"),
        Decimal("392"),
    )
    page = staff_client.get(change_url(evaluation)).content.decode()
    # 90 + 预算执行率 8.74 of 10 (87.4 %)
    assert "得分 98.74（满分 100）。" in page
    assert "附件1 · 绩效指标（得分由系统计算）" in page


def test_a_missing_deviation_reason_is_shown_on_the_row_and_nothing_is_saved(
    staff_client, evaluation, framework_2023
):
    data = change_data(evaluation, [row_data(evaluation, actual="190")])

    response = staff_client.post(change_url(evaluation), data)

    assert response.status_code == 200
    assert (
        "“国家高新技术企业数量”得分 45.00 低于分值 90.00，请填写偏差原因分析及改进措施。"
        in response.content.decode()
    )
    assert not IndicatorRow.objects.exists()


def test_a_typed_grade_that_disagrees_with_the_computed_one_is_refused(
    staff_client, evaluation, framework_2023
):
    rows = [row_data(evaluation, actual="300", deviation_reason="申报数量不及预期。")]
    data = change_data(evaluation, rows, grade="excellent")

    response = staff_client.post(change_url(evaluation), data)

    assert response.status_code == 200
    # 300 ÷ 380 × 90 = 71.05, plus 8.74 → 79.79: 中
    assert (
        "自评等级为“优秀”，按指标计算的等级为“中”（得分 79.79（满分 100））："
        "请将自评等级改为“中”，或在“等级调整说明”中写明理由。"
    ) in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.grade == ""
    assert not IndicatorRow.objects.exists()


def test_a_disagreeing_grade_is_saved_when_a_reason_is_written(
    staff_client, evaluation, framework_2023
):
    rows = [row_data(evaluation, actual="300", deviation_reason="申报数量不及预期。")]
    reason = "经审核组复核，按部门整体工作成效评为优秀。"
    data = change_data(evaluation, rows, grade="excellent", grade_override_reason=reason)

    response = staff_client.post(change_url(evaluation), data)

    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (evaluation.grade, evaluation.grade_override_reason) == ("excellent", reason)
    assert selectors.evaluation_scoring_problems(evaluation=evaluation) == []


def test_the_problem_list_names_a_disagreeing_grade_for_reviewers(evaluation, framework_2023):
    make_row(evaluation, weight=Decimal("90"))
    evaluation.grade = Evaluation.Grade.FAIR
    evaluation.save()

    assert selectors.evaluation_scoring_problems(evaluation=evaluation) == [
        "自评等级为“中”，按指标计算的等级为“优秀”（得分 98.74（满分 100））："
        "请将自评等级改为“优秀”，或在“等级调整说明”中写明理由。"
    ]


def test_two_rows_with_the_same_name_are_refused_on_the_change_page(
    staff_client, evaluation, framework_2023
):
    rows = [row_data(evaluation, weight="5"), row_data(evaluation, order=2, weight="5")]

    response = staff_client.post(change_url(evaluation), change_data(evaluation, rows))

    assert response.status_code == 200
    assert "三级指标“国家高新技术企业数量”重复" in response.content.decode()
    assert not IndicatorRow.objects.exists()


def test_the_change_page_reads_rows_and_scores_in_a_fixed_number_of_queries(
    staff_client, evaluation, framework_2023
):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(change_url(evaluation)).status_code == 200
        return len(captured.captured_queries)

    make_row(evaluation, name="指标1", order=1, weight=Decimal("9"))
    one_row = queries_for_page()
    for order in range(2, 11):
        make_row(evaluation, name=f"指标{order}", order=order, weight=Decimal("9"))

    assert queries_for_page() <= one_row
