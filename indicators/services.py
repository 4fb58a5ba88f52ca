"""Every write to the indicator framework and to indicator rows: the admin, the importer and
the management command share these."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from indicators.models import (
    IndicatorFramework,
    IndicatorRow,
    PrimaryIndicator,
    SecondaryIndicator,
    framework_weight_error,
)

# 财预〔2020〕10号 附件: 一级指标, 分值, 二级指标; the last one is scored from the budget.
DEFAULT_FRAMEWORK: tuple[tuple[str, Decimal, bool, tuple[str, ...]], ...] = (
    ("产出指标", Decimal("50"), False, ("数量指标", "质量指标", "时效指标", "成本指标")),
    (
        "效益指标",
        Decimal("30"),
        False,
        ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    ),
    ("满意度指标", Decimal("10"), False, ("服务对象满意度指标",)),
    ("预算执行率", Decimal("10"), True, ()),
)


def framework_save(*, framework: IndicatorFramework) -> IndicatorFramework:
    framework.full_clean()
    framework.save()
    return framework


def framework_check_weights(*, framework: IndicatorFramework) -> None:
    """Raises when the saved 一级指标 weights do not add up to 100."""
    error = framework_weight_error([(p.name, p.weight) for p in framework.primaries.all()])
    if error:
        raise ValidationError(error)


@transaction.atomic
def framework_create_default(*, year: int) -> IndicatorFramework:
    """The 财预〔2020〕10号 framework for one year (refused if that year has one)."""
    framework = framework_save(framework=IndicatorFramework(year=year))
    return framework_fill_default(framework=framework)


@transaction.atomic
def framework_fill_default(*, framework: IndicatorFramework) -> IndicatorFramework:
    """Gives a saved framework without 一级指标 the 财预〔2020〕10号 ones."""
    if framework.primaries.exists():
        raise ValidationError(f"{framework} 已有一级指标，不能再套用默认指标体系。")
    for primary_order, (name, weight, budget, secondaries) in enumerate(DEFAULT_FRAMEWORK, 1):
        primary = primary_indicator_save(
            primary=PrimaryIndicator(
                framework=framework,
                name=name,
                weight=weight,
                scores_budget_execution=budget,
                order=primary_order,
            )
        )
        for order, secondary in enumerate(secondaries, 1):
            secondary_indicator_save(
                secondary=SecondaryIndicator(primary=primary, name=secondary, order=order)
            )
    framework_check_weights(framework=framework)
    return framework


def primary_indicator_save(*, primary: PrimaryIndicator) -> PrimaryIndicator:
    primary.full_clean()
    primary.save()
    return primary


def primary_indicator_delete(*, primary: PrimaryIndicator) -> None:
    primary.delete()


def secondary_indicator_save(*, secondary: SecondaryIndicator) -> SecondaryIndicator:
    secondary.full_clean()
    secondary.save()
    return secondary


def secondary_indicator_delete(*, secondary: SecondaryIndicator) -> None:
    secondary.delete()


def indicator_row_save(*, row: IndicatorRow) -> IndicatorRow:
    """Validate (framework year, 定性 tier and share, deviation reason when 得分 < 分值) and save."""
    row.full_clean()
    row.save()
    return row


def indicator_row_delete(*, row: IndicatorRow) -> None:
    row.delete()
