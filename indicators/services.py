"""Every write to the indicator framework and to indicator rows: the admin, the importer and
the management command share these."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from evaluations import services as evaluation_services
from evaluations.models import Evaluation
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


@transaction.atomic
def indicator_row_save(*, row: IndicatorRow, locked: Evaluation | None = None) -> IndicatorRow:
    """Validate (framework year, 定性 tier and share, deviation reason when 得分 < 分值) and save;
    refused once the evaluation is submitted or approved. `locked`: the evaluation's row as
    locked and checked earlier in this transaction (one lock per save)."""
    if locked is None or locked.pk != row.evaluation_id:
        evaluation_services.evaluation_check_editable(evaluation_id=row.evaluation_id)
    row.check_room()
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def indicator_row_delete(*, row: IndicatorRow, locked: Evaluation | None = None) -> None:
    if locked is None or locked.pk != row.evaluation_id:
        evaluation_services.evaluation_check_editable(evaluation_id=row.evaluation_id)
    row.delete()


@transaction.atomic
def framework_copy(*, source: IndicatorFramework, year: int) -> IndicatorFramework:
    """A new year's framework with the same 一级/二级 indicators and 分值 as `source`."""
    framework = framework_save(framework=IndicatorFramework(year=year))
    for primary in source.primaries.all():
        copy = primary_indicator_save(
            primary=PrimaryIndicator(
                framework=framework,
                name=primary.name,
                weight=primary.weight,
                scores_budget_execution=primary.scores_budget_execution,
                order=primary.order,
            )
        )
        for secondary in primary.secondaries.all():
            secondary_indicator_save(
                secondary=SecondaryIndicator(
                    primary=copy, name=secondary.name, order=secondary.order
                )
            )
    framework_check_weights(framework=framework)
    return framework


@transaction.atomic
def indicator_rows_copy_forward(*, source: Evaluation, target: Evaluation) -> list[str]:
    """Copies the indicator rows of last year's evaluation into this year's: same indicators
    and 分值, last year's 实际完成值 as the new 上年实际值, targets and results left to fill in.
    The target year gets a copy of last year's framework when it has none. Returns the names of
    rows left out because the target year's framework lacks their 二级指标."""
    framework = IndicatorFramework.objects.filter(year=target.year).first()
    if framework is None:
        source_framework = IndicatorFramework.objects.filter(year=source.year).first()
        if source_framework is None:
            return [row.name for row in source.indicator_rows.all()]
        framework = framework_copy(source=source_framework, year=target.year)
    secondaries = {
        (s.primary.name, s.name): s
        for s in SecondaryIndicator.objects.filter(primary__framework=framework).select_related(
            "primary"
        )
    }
    skipped = []
    for row in source.indicator_rows.select_related("secondary__primary"):
        secondary = secondaries.get((row.secondary.primary.name, row.secondary.name))
        if secondary is None:
            skipped.append(row.name)
            continue
        indicator_row_save(
            row=IndicatorRow(
                evaluation=target,
                secondary=secondary,
                name=row.name,
                unit=row.unit,
                nature=row.nature,
                weight=row.weight,
                previous_value=row.actual,
                order=row.order,
            )
        )
    return skipped
