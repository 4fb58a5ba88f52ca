"""The indicator framework (一级/二级指标 with 分值, per year) and each evaluation's indicator rows.

Scores are computed by `indicators.scoring` from what is stored here; no score is ever stored.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from evaluations.models import MAX_YEAR, MIN_YEAR, Evaluation, field_label
from evaluations.validators import ITEM_MAX_LENGTH, text_validators, validate_printable
from indicators import scoring

FULL_MARKS = Decimal("100")


def weight_field(help_text: str) -> models.DecimalField:
    return models.DecimalField(
        "分值",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(FULL_MARKS)],
        help_text=help_text,
    )


def value_field(label: str, help_text: str) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=18, decimal_places=4, null=True, blank=True, help_text=help_text
    )


def framework_weight_error(weights: list[tuple[str, Decimal]]) -> str | None:
    """The 一级指标 weights must add up to 100; the message spells out the sum."""
    total = sum((weight for _, weight in weights), Decimal("0"))
    if total == FULL_MARKS:
        return None
    terms = " + ".join(f"{name} {weight.normalize():f}" for name, weight in weights) or "（无）"
    return f"一级指标分值合计应为 100，现为 {terms} = {total.normalize():f}。"


class IndicatorFrameworkManager(models.Manager["IndicatorFramework"]):
    def get_by_natural_key(self, year: int) -> "IndicatorFramework":
        return self.get(year=year)


class IndicatorFramework(models.Model):
    year = models.PositiveSmallIntegerField(
        "年度",
        unique=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
        help_text="这套一级、二级指标及分值适用的预算年度。",
    )

    objects = IndicatorFrameworkManager()

    class Meta:
        verbose_name = "指标体系"
        verbose_name_plural = "指标体系"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年度指标体系"

    def natural_key(self) -> tuple[int]:
        return (self.year,)


class PrimaryIndicatorManager(models.Manager["PrimaryIndicator"]):
    def get_by_natural_key(self, year: int, name: str) -> "PrimaryIndicator":
        return self.get(framework__year=year, name=name)


class PrimaryIndicator(models.Model):
    framework = models.ForeignKey(
        IndicatorFramework,
        on_delete=models.CASCADE,
        related_name="primaries",
        verbose_name="指标体系",
    )
    name = models.CharField(
        "一级指标",
        max_length=50,
        validators=[validate_printable],
        help_text="如：产出指标、效益指标。",
    )
    weight = weight_field("该一级指标的满分；同一年度各一级指标分值合计为 100。")
    scores_budget_execution = models.BooleanField(
        "按预算执行率计分",
        default=False,
        help_text="勾选后，该指标不设二级指标，得分 = 执行率 × 分值（最多得满分），执行率取自部门整体收支情况。",
    )
    order = models.PositiveSmallIntegerField(
        "序号", validators=[MinValueValidator(1)], help_text="在自评表中的先后，从 1 开始。"
    )

    objects = PrimaryIndicatorManager()

    class Meta:
        verbose_name = "一级指标"
        verbose_name_plural = "一级指标"
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "name"],
                name="primaryindicator_unique_name",
                violation_error_message="同一指标体系中一级指标名称不能重复。",
            ),
            models.UniqueConstraint(
                fields=["framework", "order"],
                name="primaryindicator_unique_order",
                violation_error_message="同一指标体系中一级指标的序号不能重复。",
            ),
            models.UniqueConstraint(
                fields=["framework"],
                condition=Q(scores_budget_execution=True),
                name="primaryindicator_one_budget_execution",
                violation_error_message="同一指标体系只能有一个按预算执行率计分的一级指标。",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=100), name="primaryindicator_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[int, str]:
        return (*self.framework.natural_key(), self.name)

    # Django reads natural_key.dependencies; mypy knows no attributes of functions.
    natural_key.dependencies = ["indicators.indicatorframework"]  # type: ignore[attr-defined]


class SecondaryIndicatorManager(models.Manager["SecondaryIndicator"]):
    def get_by_natural_key(self, year: int, primary: str, name: str) -> "SecondaryIndicator":
        return self.get(primary__framework__year=year, primary__name=primary, name=name)


class SecondaryIndicator(models.Model):
    primary = models.ForeignKey(
        PrimaryIndicator,
        on_delete=models.CASCADE,
        related_name="secondaries",
        verbose_name="一级指标",
    )
    name = models.CharField(
        "二级指标",
        max_length=50,
        validators=[validate_printable],
        help_text="如：数量指标、经济效益指标。",
    )
    order = models.PositiveSmallIntegerField(
        "序号", validators=[MinValueValidator(1)], help_text="在所属一级指标中的先后，从 1 开始。"
    )

    objects = SecondaryIndicatorManager()

    class Meta:
        verbose_name = "二级指标"
        verbose_name_plural = "二级指标"
        ordering = ["primary__framework", "primary__order", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["primary", "name"],
                name="secondaryindicator_unique_name",
                violation_error_message="同一一级指标下二级指标名称不能重复。",
            ),
            models.UniqueConstraint(
                fields=["primary", "order"],
                name="secondaryindicator_unique_order",
                violation_error_message="同一一级指标下二级指标的序号不能重复。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.primary.name} / {self.name}"

    def natural_key(self) -> tuple[int, str, str]:
        return (*self.primary.natural_key(), self.name)

    # Django reads natural_key.dependencies; mypy knows no attributes of functions.
    natural_key.dependencies = ["indicators.primaryindicator"]  # type: ignore[attr-defined]

    def clean(self) -> None:
        if self.primary_id and self.primary.scores_budget_execution:
            raise ValidationError(
                {"primary": f"一级指标“{self.primary.name}”按预算执行率计分，不能设二级指标。"}
            )


class IndicatorRowManager(models.Manager["IndicatorRow"]):
    def get_by_natural_key(self, department_code: str, year: int, name: str) -> "IndicatorRow":
        return self.get(
            evaluation__department__code=department_code, evaluation__year=year, name=name
        )


# Rows of one evaluation's 附件1: Liwan 2023 has 8, a large department a few dozen.
MAX_INDICATOR_ROWS = 60


def too_many_rows(count: int) -> str:
    return f"每份自评最多 {MAX_INDICATOR_ROWS} 个三级指标，现在有 {count} 个：请合并或精简。"


class IndicatorRow(models.Model):
    """One 三级指标 of an evaluation, as it appears in the 附件1 自评表."""

    Nature = scoring.Nature
    Tier = scoring.Tier

    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.CASCADE,
        related_name="indicator_rows",
        verbose_name="年度绩效自评",
    )
    secondary = models.ForeignKey(
        SecondaryIndicator,
        on_delete=models.PROTECT,
        related_name="rows",
        verbose_name="二级指标",
        help_text="一级指标随二级指标确定；只能选自评年度的指标体系中的二级指标。",
    )
    name = models.CharField(
        "三级指标",
        max_length=200,
        validators=[validate_printable],
        help_text="同一自评中不能重复；导入时按部门编码、年度和三级指标匹配。",
    )
    unit = models.CharField(
        "计量单位",
        max_length=20,
        blank=True,
        validators=[validate_printable],
        help_text="如：家、亿元、%。",
    )
    nature = models.CharField(
        "指标性质",
        max_length=20,
        choices=Nature.choices,
        default=Nature.GTE,
        help_text="≥：完成值不低于指标值得满分；≤：不高于指标值得满分；=：等于指标值得满分；定性：按评价档次计分。",
    )
    target = value_field(
        "年度指标值", "留空表示未设定目标：该行不计分，总分按其余适用分值折算为百分制。"
    )
    actual = value_field("实际完成值", "与年度指标值使用同一计量单位。")
    qualitative_tier = models.CharField(
        "定性评价档次",
        max_length=20,
        choices=Tier.choices,
        blank=True,
        help_text="仅定性指标填写。留空表示尚未评价，该行不计分。",
    )
    qualitative_share = models.DecimalField(
        "得分比例（%）",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="定性指标得分占分值的百分比，须在所选档次范围内："
        "达成年度指标 80–100；部分达成并具有一定效果 60–80；未达成且效果较差 0–60。",
    )
    weight = weight_field("该三级指标的满分。")
    deviation_reason = models.TextField(
        "偏差原因分析及改进措施",
        blank=True,
        validators=text_validators(ITEM_MAX_LENGTH),
        help_text="得分低于分值时必须填写。",
    )
    previous_value = value_field("上年实际值", "可选，与实际完成值使用同一计量单位。")
    reported_growth = models.DecimalField(
        "同比增长率（%）",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="可选，文件中所述的同比增长，如增长 9% 填 9。",
    )
    order = models.PositiveSmallIntegerField(
        "序号", validators=[MinValueValidator(1)], help_text="在自评表中的先后，从 1 开始。"
    )

    objects = IndicatorRowManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "三级指标"
        verbose_name_plural = "三级指标"
        ordering = ["evaluation", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "name"],
                name="indicatorrow_unique_name",
                violation_error_message="同一自评中三级指标不能重复。",
            ),
            models.UniqueConstraint(
                fields=["evaluation", "order"],
                name="indicatorrow_unique_order",
                violation_error_message="这个序号已被同一自评的另一个三级指标使用，请换一个序号。",
            ),
            # One constraint, not three: Django checks each in its own query on every
            # full_clean(), which a 5,000-row import pays per row (the field validators give
            # the user-facing messages).
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=100, order__gte=1)
                & (
                    Q(qualitative_share__isnull=True)
                    | Q(qualitative_share__gte=0, qualitative_share__lte=100)
                ),
                name="indicatorrow_values_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str, int, str]:
        return (*self.evaluation.natural_key(), self.name)

    # Django reads natural_key.dependencies; mypy knows no attributes of functions.
    natural_key.dependencies = ["evaluations.evaluation", "indicators.secondaryindicator"]  # type: ignore[attr-defined]

    @property
    def result(self) -> scoring.RowResult:
        return scoring.row_result(self)

    def check_room(self) -> None:
        """A new row must fit its evaluation (MAX_INDICATOR_ROWS): checked by the services on
        every write of a new row, the import's included."""
        if self.pk is None and self.evaluation_id:
            count = IndicatorRow.objects.filter(evaluation_id=self.evaluation_id).count()
            if count >= MAX_INDICATOR_ROWS:
                raise ValidationError(too_many_rows(count + 1))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.secondary_id and self.evaluation_id:
            framework_year = self.secondary.primary.framework.year
            if framework_year != self.evaluation.year:
                errors["secondary"] = (
                    f"二级指标“{self.secondary}”属于 {framework_year} 年度指标体系，"
                    f"与自评年度 {self.evaluation.year} 不一致。"
                )
        if self.nature == self.Nature.QUALITATIVE:
            for field in ("target", "actual"):
                if getattr(self, field) is not None:
                    errors[field] = f"“{self.name}”是定性指标，{self._label(field)}不填数值。"
            if self.qualitative_tier and self.qualitative_share is None:
                errors["qualitative_share"] = f"“{self.name}”已选评价档次，请填写得分比例。"
            share_error = scoring.share_error(self.qualitative_tier, self.qualitative_share)
            if share_error:
                errors["qualitative_share"] = f"“{self.name}”：{share_error}"
        else:
            for field in ("qualitative_tier", "qualitative_share"):
                if getattr(self, field) not in (None, ""):
                    errors[field] = f"“{self.name}”不是定性指标，{self._label(field)}不填。"
        if errors:
            raise ValidationError(errors)
        result = self.result
        if (
            result.score is not None
            and result.score < self.weight
            and not self.deviation_reason.strip()
        ):
            raise ValidationError(
                {
                    "deviation_reason": f"“{self.name}”得分 {result.score} 低于分值 "
                    f"{scoring.rounded(self.weight)}，请填写偏差原因分析及改进措施。"
                }
            )

    def _label(self, field: str) -> str:
        return field_label(type(self), field)
