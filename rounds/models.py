from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from evaluations.models import MAX_YEAR, MIN_YEAR, Department


class Round(models.Model):
    """One year's self-evaluation as the finance bureau runs it: the departments that take part
    and the date by which they submit."""

    year = models.PositiveSmallIntegerField(
        "年度",
        unique=True,
        validators=[
            MinValueValidator(MIN_YEAR, message="年度不能早于 %(limit_value)s 年。"),
            MaxValueValidator(MAX_YEAR, message="年度不能晚于 %(limit_value)s 年。"),
        ],
        error_messages={"unique": "这一年度已经建立，每个年度只建立一次。"},
        help_text="自评的预算年度，如 2024（在 2025 年填报）。",
    )
    deadline = models.DateField(
        "填报截止日期",
        help_text="各部门须在这一天（含当天）之前提交送审；之后提交的按逾期天数统计。",
    )
    departments = models.ManyToManyField(
        Department,
        related_name="rounds",
        verbose_name="参加部门",
        blank=True,
        help_text="新建时默认选中全部启用的部门。",
    )
    created_at = models.DateTimeField("建立时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="建立人",
    )

    class Meta:
        verbose_name = "年度"
        verbose_name_plural = "年度"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="round_year_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度"
