"""The factories build valid core data: created objects go through the services, invented
figures add up, and every ordered list has its factory."""

from decimal import Decimal

import factory.random
import pytest
from django.core.exceptions import ValidationError

from evaluations import selectors
from evaluations.factories import ITEM_FACTORIES, EvaluationFactory
from evaluations.lists import ORDERED_LISTS


def test_every_ordered_list_has_a_factory():
    assert set(ITEM_FACTORIES) == {entry.model for entry in ORDERED_LISTS}


def test_invented_figures_add_up_and_are_repeatable_with_a_seed():
    factory.random.reseed_random(7)
    first = [EvaluationFactory.build(invented=True) for _ in range(200)]
    factory.random.reseed_random(7)
    again = [EvaluationFactory.build(invented=True) for _ in range(200)]

    for evaluation in first:
        evaluation.clean()  # raises when the fund sources or the natures miss 执行数
        assert Decimal("78") <= evaluation.completion_rate <= Decimal("100")
    assert [e.budget_total for e in first] == [e.budget_total for e in again]
    assert [e.achievements for e in first] == [e.achievements for e in again]


@pytest.mark.django_db
def test_created_evaluations_go_through_the_service_and_its_rules(department):
    with pytest.raises(ValidationError, match="基本支出与项目支出之和应等于执行数"):
        EvaluationFactory(department=department, basic_expenditure=Decimal("1"))


@pytest.mark.django_db
def test_a_filled_in_evaluation_lacks_nothing_of_its_own_data(department):
    evaluation = EvaluationFactory(department=department, filled_in=True)

    assert selectors.evaluation_data_problems(evaluation=evaluation) == []
    assert evaluation.history.count() == 1
