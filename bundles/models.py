from django.conf import settings
from django.db import models
from django.db.models import F, Q

from evaluations.models import MAX_YEAR, MIN_YEAR


class Bundle(models.Model):
    """One ZIP of a year's reports, asked for by one person and built in the background.

    Whoever builds it holds it by `runner` (a token of its own) and proves it is alive through
    `heartbeat_at`; a bundle whose heartbeat stopped (a worker killed mid-task) is put back in
    the queue (services.bundle_requeue_if_stale). The file exists only once complete."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        BUILDING = "building", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="申请人",
    )
    year = models.PositiveSmallIntegerField("年度")
    department_codes = models.JSONField(
        "部门编码", default=list, help_text="打包的部门，按部门编码排列。"
    )
    with_summary = models.BooleanField(
        "含汇总表",
        default=True,
        help_text="汇总表只给能看到所有部门的审核人员和系统管理员（与年度总览相同）。",
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("部门总数", default=0)
    done = models.PositiveIntegerField(
        "已完成部门数", default=0, help_text="已写入压缩包的部门数（每个部门含附件1和附件2）。"
    )
    attempts = models.PositiveSmallIntegerField(
        "生成次数",
        default=0,
        help_text="后台任务开始生成的次数；生成中断后重新排队，再开始时加一。",
    )
    runner = models.CharField(
        "执行标识",
        max_length=32,
        blank=True,
        editable=False,
        help_text="正在生成的后台任务的标识；为空表示没有任务在生成。",
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        "最近进展时间",
        null=True,
        blank=True,
        help_text="生成中每写入一个部门更新一次；长时间未更新视为生成中断，重新排队。",
    )
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    size = models.PositiveBigIntegerField("文件大小（字节）", null=True, blank=True)
    error = models.TextField("失败原因", blank=True)

    class Meta:
        verbose_name = "报告压缩包"
        verbose_name_plural = "报告压缩包"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="bundle_done_le_total"),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="bundle_year_in_range"
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.year} 年度报告压缩包（{len(self.department_codes)} 个部门）"


class BundlePart(models.Model):
    """A few departments whose documents must be rendered (not yet approved): any worker may
    render a part, so several workers share one bundle. The rendered files wait in the
    bundle's work folder until the bundle's builder writes them into the ZIP."""

    class Status(models.TextChoices):
        PENDING = "pending", "待生成"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"

    bundle = models.ForeignKey(
        Bundle, on_delete=models.CASCADE, related_name="parts", verbose_name="报告压缩包"
    )
    number = models.PositiveIntegerField("序号")
    department_codes = models.JSONField("部门编码", default=list)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    runner = models.CharField("执行标识", max_length=32, blank=True, editable=False)
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)

    class Meta:
        verbose_name = "生成批次"
        verbose_name_plural = "生成批次"
        ordering = ["bundle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "number"], name="bundlepart_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.bundle} · 第 {self.number} 批"
