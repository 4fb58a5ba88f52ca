"""Valid indicator data (factory_boy), the counterpart of `evaluations.factories`: a year's
indicator framework, indicator rows, and an evaluation complete enough to be submitted.

As there, `create()` goes through the services and every value is fixed unless the `invented`
trait draws it from factory_boy's random generator.
"""

from decimal import Decimal
from typing import Any

import factory
import factory.random
from factory.django import DjangoModelFactory

from evaluations.factories import EvaluationFactory, cents, invented_paragraph
from indicators import scoring, services
from indicators.models import IndicatorFramework, IndicatorRow, SecondaryIndicator


class IndicatorFrameworkFactory(DjangoModelFactory[IndicatorFramework]):
    """The framework of a year: the existing one, or the 财预〔2020〕10号 default (产出 50,
    效益 30, 满意度 10, 预算执行率 10) made as the admin makes it."""

    class Meta:
        model = IndicatorFramework

    year = 2023

    @classmethod
    def _create(
        cls, model_class: type[IndicatorFramework], *args: Any, **kwargs: Any
    ) -> IndicatorFramework:
        existing = model_class.objects.filter(year=kwargs["year"]).first()
        return existing or services.framework_create_default(year=kwargs["year"])


def secondary_indicator(year: int, primary: str, name: str) -> SecondaryIndicator:
    """A 二级指标 of the year's framework, made by IndicatorFrameworkFactory when missing."""
    IndicatorFrameworkFactory.create(year=year)
    return SecondaryIndicator.objects.get_by_natural_key(year, primary, name)


def _invented_tier(row: Any) -> str:
    if row.nature != IndicatorRow.Nature.QUALITATIVE:
        return ""
    return factory.random.randgen.choice(("achieved", "achieved", "achieved", "partial"))


def _invented_share(row: Any) -> Decimal | None:
    if not row.qualitative_tier:
        return None
    low, high = scoring.TIER_RANGES[row.qualitative_tier]
    return Decimal(factory.random.randgen.randint(int(low), int(high)))


# Percent of the target reached, by 指标性质: mostly on target, some short, some beyond.
INVENTED_RESULTS = {
    IndicatorRow.Nature.GTE: (85, 95, 100, 100, 102, 110, 120),
    IndicatorRow.Nature.EQ: (98, 100, 100, 100),
    IndicatorRow.Nature.LTE: (90, 96, 100, 103),
}


def _invented_actual(row: Any) -> Decimal | None:
    if row.nature == IndicatorRow.Nature.QUALITATIVE or row.target is None:
        return None
    percent = factory.random.randgen.choice(INVENTED_RESULTS[row.nature])
    return cents(row.target * Decimal(percent) / 100)


def _invented_previous(row: Any) -> Decimal | None:
    if row.nature == IndicatorRow.Nature.QUALITATIVE or row.target is None:
        return None
    return cents(row.target * Decimal(factory.random.randgen.randint(80, 105)) / 100)


def _reason_when_short(row: Any) -> str:
    """A deviation reason exactly where the row's rules ask for one (得分 < 分值)."""
    result = scoring.row_result(row)
    if result.score is not None and result.score < row.weight:
        return invented_paragraph(1)
    return ""


class IndicatorRowFactory(DjangoModelFactory[IndicatorRow]):
    """A 三级指标 under 产出指标 / 数量指标 of the evaluation's year (the framework made when
    missing), 12 of a target of 10: full marks. `invented=True` draws the result (实际完成值,
    or a 定性 tier and share) and the 上年实际值, with a deviation reason where it falls short."""

    class Meta:
        model = IndicatorRow

    class Params:
        invented = factory.Trait(
            qualitative_tier=factory.LazyAttribute(_invented_tier),
            qualitative_share=factory.LazyAttribute(_invented_share),
            actual=factory.LazyAttribute(_invented_actual),
            previous_value=factory.LazyAttribute(_invented_previous),
            deviation_reason=factory.LazyAttribute(_reason_when_short),
        )

    evaluation = factory.SubFactory(EvaluationFactory)
    secondary = factory.LazyAttribute(
        lambda o: secondary_indicator(o.evaluation.year, "产出指标", "数量指标")
    )
    name = "服务企业数量"
    unit = "家"
    nature = IndicatorRow.Nature.GTE
    target = Decimal("10")
    actual = Decimal("12")
    weight = Decimal("10")
    order = 1

    @classmethod
    def _create(cls, model_class: type[IndicatorRow], *args: Any, **kwargs: Any) -> IndicatorRow:
        return services.indicator_row_save(row=model_class(*args, **kwargs))


class CompleteEvaluationFactory(EvaluationFactory):
    """An evaluation that passes every check for submission (`review.selectors.
    evaluation_problems`): its own data filled in and one indicator row scoring 10 of 10;
    with 8.74 of 10 for budget execution (87.4 %) that is 93.70, 优秀, the grade it types."""

    filled_in = True

    indicator_row = factory.RelatedFactory(IndicatorRowFactory, factory_related_name="evaluation")
