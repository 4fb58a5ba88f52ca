from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from evaluations import figures
from evaluations.validators import (
    ITEM_MAX_LENGTH,
    PARAGRAPHS_MAX_LENGTH,
    text_validators,
    validate_printable,
)

MIN_YEAR = 2000
MAX_YEAR = 2100

PARAGRAPHS_HELP = "可填写多段：每段一行，按回车另起一段（空行会被忽略）。"


def field_label(model: type[models.Model], name: str) -> str:
    """The verbose_name of a model's field, as forms, messages and the report show it."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is a relation, not a field")
    return str(field.verbose_name)


class DepartmentManager(models.Manager["Department"]):
    def get_by_natural_key(self, code: str) -> "Department":
        return self.get(code=code)


class Department(models.Model):
    code = models.SlugField(
        "部门编码",
        max_length=50,
        unique=True,
        error_messages={
            "invalid": "部门编码只能由英文字母、数字、连字符和下划线组成，如 liwan-kgxj。",
            "unique": "部门编码已被其他部门使用。",
        },
        help_text="唯一编码，用于报告网址和导入文件，只能包含字母、数字、连字符，如 liwan-kgxj。",
    )
    name = models.CharField(
        "部门简称",
        max_length=100,
        validators=[validate_printable],
        help_text="如：荔湾区科技工业和信息化局。",
    )
    full_name = models.CharField(
        "部门全称",
        max_length=200,
        validators=[validate_printable],
        help_text="含行政区划，用于报告标题，如：广州市荔湾区科技工业和信息化局。",
    )
    active = models.BooleanField(
        "启用",
        default=True,
        help_text="新建年度时默认只有启用的部门参加；停用不影响已有的自评。",
    )

    objects = DepartmentManager()

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class EvaluationManager(models.Manager["Evaluation"]):
    def get_by_natural_key(self, department_code: str, year: int) -> "Evaluation":
        return self.get(department__code=department_code, year=year)


def amount_field(label: str, help_text: str) -> models.DecimalField:
    return models.DecimalField(
        f"{label}（万元）",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=help_text,
    )


AMOUNT_FIELDS = (
    "budget_total",
    "expenditure_total",
    "general_public_budget",
    "government_fund_budget",
    "state_capital_budget",
    "other_funds",
    "basic_expenditure",
    "project_expenditure",
    "carryover_balance",
)


class Evaluation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "已审核"

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        GOOD = "good", "良好"
        FAIR = "fair", "中"
        POOR = "poor", "差"

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="evaluations", verbose_name="部门"
    )
    year = models.PositiveSmallIntegerField(
        "年度",
        validators=[
            MinValueValidator(MIN_YEAR, message="年度不能早于 %(limit_value)s 年。"),
            MaxValueValidator(MAX_YEAR, message="年度不能晚于 %(limit_value)s 年。"),
        ],
        help_text="自评的预算年度，如 2023。",
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )

    # 一、（二）部门整体收支情况
    budget_total = amount_field("全年预算数", "本年度全部预算金额。")
    expenditure_total = amount_field(
        "执行数", "本年度实际支出。完成率 = 执行数 ÷ 全年预算数，由系统计算。"
    )
    general_public_budget = amount_field("一般公共预算财政拨款支出", "按资金来源分。")
    government_fund_budget = amount_field("政府性基金预算财政拨款支出", "按资金来源分。")
    state_capital_budget = amount_field("国有资本经营预算财政拨款支出", "按资金来源分。")
    other_funds = amount_field("其他资金支出", "按资金来源分。四项资金来源之和应等于执行数。")
    basic_expenditure = amount_field("基本支出", "按支出性质分。")
    project_expenditure = amount_field(
        "项目支出", "按支出性质分。基本支出 + 项目支出应等于执行数。"
    )
    carryover_balance = amount_field("年末结转和结余", "年末结转和结余资金。")

    # 二、综合评价分析
    conclusion_summary = models.TextField(
        "自评结论综述",
        validators=text_validators(PARAGRAPHS_MAX_LENGTH),
        blank=True,
        help_text="对本年度整体支出绩效的结论性评价。" + PARAGRAPHS_HELP,
    )
    grade = models.CharField(
        "自评等级",
        max_length=20,
        choices=Grade.choices,
        blank=True,
        help_text="优秀、良好、中、差。",
    )
    grade_override_reason = models.TextField(
        "等级调整说明",
        validators=text_validators(PARAGRAPHS_MAX_LENGTH),
        blank=True,
        help_text="自评等级与按指标得分计算的等级不一致时，必须写明理由。",
    )
    task_analysis = models.TextField(
        "各重点工作任务绩效目标完成情况分析",
        validators=text_validators(PARAGRAPHS_MAX_LENGTH),
        blank=True,
        help_text=PARAGRAPHS_HELP,
    )
    achievements = models.TextField(
        "主要工作成效",
        validators=text_validators(PARAGRAPHS_MAX_LENGTH),
        blank=True,
        help_text=PARAGRAPHS_HELP,
    )

    # Bumped by every save; a form based on an older version is refused instead of saved over
    # newer data (two people editing at once).
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = EvaluationManager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "年度绩效自评"
        verbose_name_plural = "年度绩效自评"
        ordering = ["-year", "department__code"]
        permissions = [
            ("submit_evaluation", "可提交绩效自评送审"),
            ("review_evaluation", "可审核绩效自评（退回或通过）"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year"],
                name="evaluation_unique_department_year",
                violation_error_message="该部门这一年度的绩效自评已经存在：每个部门每年只有一份自评。",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="evaluation_year_in_range",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 0}) | Q(**{f"{name}__isnull": True}),
                    name=f"evaluation_{name}_not_negative",
                )
                for name in AMOUNT_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度 {self.department}"

    def natural_key(self) -> tuple[str, int]:
        return (*self.department.natural_key(), self.year)

    # Django reads natural_key.dependencies; mypy knows no attributes of functions.
    natural_key.dependencies = ["evaluations.department"]  # type: ignore[attr-defined]

    @property
    def completion_rate(self) -> Decimal | None:
        return figures.completion_rate(executed=self.expenditure_total, budget=self.budget_total)

    def clean(self) -> None:
        errors = figures.budget_errors(
            {name: getattr(self, name) for name in AMOUNT_FIELDS},
            labels={name: field_label(Evaluation, name) for name in AMOUNT_FIELDS},
        )
        if errors:
            raise ValidationError(errors)


# A report's size, bounded so that the largest one still renders in a request well inside the
# server's timeout (README, "Limits"): entries per list, and characters of the whole 附件2.
MAX_LIST_ITEMS = 30  # Liwan 2023: 13 职能, the longest list
# Liwan 2023: 5,326 characters (11 pages); 30,000 ≈ 45 pages, rendered in about 4 s
# (bench/report_limits.py), against REPORT_RENDER_TIMEOUT.
REPORT_MAX_CHARACTERS = 30_000


class OrderedItemManager(models.Manager):
    def get_by_natural_key(self, department_code: str, year: int, order: int) -> models.Model:
        return self.get(
            evaluation__department__code=department_code, evaluation__year=year, order=order
        )


class OrderedItem(models.Model):
    """One entry of an ordered list in the report; its printed number comes from `order`."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="%(class)ss", verbose_name="年度绩效自评"
    )
    order = models.PositiveSmallIntegerField(
        "序号", validators=[MinValueValidator(1)], help_text="决定在报告中的先后和编号，从 1 开始。"
    )

    objects = OrderedItemManager()
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["evaluation", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "order"],
                name="%(class)s_unique_order",
                violation_error_message="这个序号已被同一列表中的另一项使用，请换一个序号。",
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="%(class)s_order_positive"),
        ]

    def natural_key(self) -> tuple[str, int, int]:
        return (*self.evaluation.natural_key(), self.order)

    # Django reads natural_key.dependencies; mypy knows no attributes of functions.
    natural_key.dependencies = ["evaluations.evaluation"]  # type: ignore[attr-defined]

    def check_room(self) -> None:
        """A new entry must fit its list (MAX_LIST_ITEMS): checked by the services on every
        write of a new entry (the admin's formset checks a whole page first)."""
        if self.pk is None and self.evaluation_id:
            count = type(self).objects.filter(evaluation_id=self.evaluation_id).count()
            if count >= MAX_LIST_ITEMS:
                raise ValidationError(too_many_items(self._meta.verbose_name, count + 1))


def too_many_items(label: object, count: int) -> str:
    return f"“{label}”最多 {MAX_LIST_ITEMS} 项，现在有 {count} 项：请合并或精简。"


def list_text_field(label: str, help_text: str) -> models.TextField:
    """The one text of an entry of a one-text list, under the list's own label."""
    return models.TextField(label, validators=text_validators(ITEM_MAX_LENGTH), help_text=help_text)


class OrderedText(OrderedItem):
    """An entry of a list whose entries are one paragraph each (职能, 目标, 任务, 问题)."""

    text = list_text_field("内容", "一段文字；报告按序号自动编号。")

    class Meta(OrderedItem.Meta):
        abstract = True

    def __str__(self) -> str:
        return f"{self.order}.{self.text[:20]}"


class DepartmentFunction(OrderedText):
    text = list_text_field("职能", "一段文字；报告按序号自动编号为“1.”“2.”……")

    class Meta(OrderedText.Meta):
        verbose_name = "部门职能"
        verbose_name_plural = "部门职能"


class PerformanceGoal(OrderedText):
    text = list_text_field("绩效目标", "一个目标可含多句，写成一段；报告自动编号为“1.”“2.”……")

    class Meta(OrderedText.Meta):
        verbose_name = "部门整体支出绩效目标"
        verbose_name_plural = "部门整体支出绩效目标"


class KeyTask(OrderedText):
    text = list_text_field("重点工作任务", "报告自动编号为“1.”“2.”……")

    class Meta(OrderedText.Meta):
        verbose_name = "部门年度重点工作任务"
        verbose_name_plural = "部门年度重点工作任务"


class Problem(OrderedText):
    text = list_text_field("问题", "一段文字，不必写“一是”“二是”，报告按序号自动加上。")

    class Meta(OrderedText.Meta):
        verbose_name = "存在的主要问题"
        verbose_name_plural = "存在的主要问题"


class ImprovementMeasure(OrderedItem):
    title = models.CharField(
        "标题",
        max_length=200,
        validators=[validate_printable],
        help_text="如：抓好“载体赋能”。报告按序号自动加上“（一）”。",
    )
    body = models.TextField(
        "内容", validators=text_validators(PARAGRAPHS_MAX_LENGTH), help_text=PARAGRAPHS_HELP
    )

    class Meta(OrderedItem.Meta):
        verbose_name = "下一步改进措施"
        verbose_name_plural = "下一步改进措施"

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Membership(models.Model):
    """Which department a user works for: 填报人员 edit only that department's evaluations."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name="用户",
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="members", verbose_name="部门"
    )

    class Meta:
        verbose_name = "部门成员"
        verbose_name_plural = "部门成员"
        ordering = ["department__code", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"


class ReviewEvent(models.Model):
    """One step of the review workflow: who moved the evaluation from which status to which."""

    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.CASCADE,
        related_name="review_events",
        verbose_name="年度绩效自评",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    from_status = models.CharField("原状态", max_length=20, choices=Evaluation.Status.choices)
    to_status = models.CharField("新状态", max_length=20, choices=Evaluation.Status.choices)
    comment = models.TextField(
        "审核意见", blank=True, validators=text_validators(PARAGRAPHS_MAX_LENGTH)
    )
    # At 提交送审: each sentence of the free text that contradicts the figures and was kept,
    # with the filler's reason (review/consistency): {"rule", "place", "sentence", "written",
    # "computed", "reason"}.
    explanations = models.JSONField(
        "不一致说明",
        default=list,
        blank=True,
        help_text="提交送审时保留的文字与数据不一致之处，及填报人员说明的理由",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["evaluation", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class ApprovedReport(models.Model):
    """A document file rendered once at approval (附件1 and 附件2 as PDF and DOCX, 附件1 as XLSX too);
    downloads of an approved evaluation return these bytes."""

    class Appendix(models.IntegerChoices):
        SCORE_TABLE = 1, "附件1 自评表"
        REPORT = 2, "附件2 自评报告"

    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.PROTECT,
        related_name="approved_reports",
        verbose_name="年度绩效自评",
    )
    appendix = models.PositiveSmallIntegerField("附件", choices=Appendix.choices)
    fmt = models.CharField("格式", max_length=8, default="pdf", help_text="pdf、xlsx 或 docx")
    content = models.BinaryField("文件")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    verification_code = models.CharField(
        "校验码",
        max_length=16,
        blank=True,
        db_index=True,
        help_text="印在审定 PDF 最后一页页脚和元数据中，供核验纸质或电子副本；其他格式为空",
    )
    created_at = models.DateTimeField("审定时间", auto_now_add=True)

    class Meta:
        verbose_name = "审定报告"
        verbose_name_plural = "审定报告"
        ordering = ["evaluation", "appendix", "fmt"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "appendix", "fmt"], name="approvedreport_unique_file"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.get_appendix_display()}（{self.fmt.upper()}）"

    def content_bytes(self) -> bytes:
        return bytes(self.content)


class RenderedDocument(models.Model):
    """A PDF the system rendered of an evaluation before approval (a download, a preview, a
    ZIP), remembered by its SHA-256 so that a copy handed around can later be recognised as a
    draft, and whether the evaluation has changed since."""

    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.CASCADE,
        related_name="rendered_documents",
        verbose_name="年度绩效自评",
    )
    appendix = models.PositiveSmallIntegerField("附件", choices=ApprovedReport.Appendix.choices)
    version = models.PositiveIntegerField("版本")
    status = models.CharField("状态", max_length=20, choices=Evaluation.Status.choices)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "已生成的报告"
        verbose_name_plural = "已生成的报告"
        ordering = ["evaluation", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.get_appendix_display()} · 第 {self.version} 版"
