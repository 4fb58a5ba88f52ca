"""The indicator factories: the default framework once per year, invented rows that keep their
own rules, and a complete evaluation that may be submitted."""

from decimal import Decimal

import pytest

from indicators.factories import (
    CompleteEvaluationFactory,
    IndicatorFrameworkFactory,
    IndicatorRowFactory,
)
from indicators.models import IndicatorRow
from review import selectors

pytestmark = pytest.mark.django_db


def test_the_framework_of_a_year_is_the_default_one_made_once():
    framework = IndicatorFrameworkFactory(year=2024)

    assert IndicatorFrameworkFactory(year=2024).pk == framework.pk
    assert [(p.name, p.weight) for p in framework.primaries.all()] == [
        ("产出指标", Decimal("50")),
        ("效益指标", Decimal("30")),
        ("满意度指标", Decimal("10")),
        ("预算执行率", Decimal("10")),
    ]


def test_a_complete_evaluation_passes_every_check_for_submission(department):
    evaluation = CompleteEvaluationFactory(department=department)

    assert selectors.evaluation_problems(evaluation=evaluation) == []


@pytest.mark.parametrize(
    ("nature", "target"),
    [
        (IndicatorRow.Nature.GTE, Decimal("120")),
        (IndicatorRow.Nature.LTE, Decimal("100")),
        (IndicatorRow.Nature.EQ, Decimal("100")),
        (IndicatorRow.Nature.QUALITATIVE, None),
    ],
)
def test_invented_rows_keep_their_rules_and_give_a_reason_exactly_when_short(
    evaluation, framework_2023, nature, target
):
    for order in range(1, 41):
        row = IndicatorRowFactory.build(
            evaluation=evaluation,
            name=f"指标{order}",
            nature=nature,
            target=target,
            order=order,
            invented=True,
        )
        row.full_clean()
        score = row.result.score
        assert score is not None
        assert bool(row.deviation_reason) == (score < row.weight)
