from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

from evaluations import figures, services
from evaluations.models import (
    Department,
    DepartmentFunction,
    Evaluation,
    ImprovementMeasure,
    KeyTask,
    PerformanceGoal,
    Problem,
)
from indicators.admin import (
    ChineseImportExportMixin,
    IndicatorRowInline,
    computed_grade_text,
    computed_score_text,
    save_indicator_rows,
)
from indicators.models import IndicatorRow
from indicators.resources import EvaluationBudgetResource


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "full_name")
    search_fields = ("code", "name", "full_name")
    search_help_text = "按部门编码、简称或全称搜索"
    ordering = ("code",)

    def save_model(self, request: HttpRequest, obj: Department, form, change: bool) -> None:
        obj.full_clean()
        obj.save()


class OrderedItemFormSet(forms.BaseInlineFormSet):
    """Rejects two rows with the same 序号 in one save, naming the number (before Django's
    generic duplicate check, whose message names the field's code instead)."""

    def clean(self) -> None:
        seen: set[int] = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            order = form.cleaned_data.get("order")
            if order is None:
                continue
            if order in seen:
                raise ValidationError(f"序号 {order} 重复：同一列表中每项的序号必须不同。")
            seen.add(order)
        super().clean()


class OrderedItemInlineMixin:
    formset = OrderedItemFormSet
    extra = 0
    formfield_overrides = {
        # Paragraphs are long: a roomy box instead of the default small textarea.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 90})},
    }


class OrderedItemInline(OrderedItemInlineMixin, admin.TabularInline):
    pass


class DepartmentFunctionInline(OrderedItemInline):
    model = DepartmentFunction
    fields = ("order", "text")
    verbose_name_plural = "一、基本情况 ·（一）部门职能"


class PerformanceGoalInline(OrderedItemInline):
    model = PerformanceGoal
    fields = ("order", "text")
    verbose_name_plural = "一、基本情况 ·（三）部门整体支出绩效目标"


class KeyTaskInline(OrderedItemInline):
    model = KeyTask
    fields = ("order", "text")
    verbose_name_plural = "一、基本情况 ·（四）部门年度重点工作任务"


class ProblemInline(OrderedItemInline):
    model = Problem
    fields = ("order", "text")
    verbose_name_plural = "三、存在的主要问题"


class ImprovementMeasureInline(OrderedItemInlineMixin, admin.StackedInline):
    model = ImprovementMeasure
    fields = ("order", "title", "body")
    verbose_name_plural = "四、下一步改进措施"


BUDGET_FIELDS = (
    ("budget_total", "expenditure_total", "completion_rate_display"),
    (
        "general_public_budget",
        "government_fund_budget",
        "state_capital_budget",
        "other_funds",
    ),
    ("basic_expenditure", "project_expenditure"),
    "carryover_balance",
)


@admin.register(Evaluation)
class EvaluationAdmin(ChineseImportExportMixin, admin.ModelAdmin):
    # Budget figures import from and export to Excel (indicators/resources.py).
    resource_classes = [EvaluationBudgetResource]
    change_form_template = "admin/evaluations/evaluation/change_form.html"
    list_display = (
        "department",
        "year",
        "status",
        "completion_rate_display",
        "grade",
        "updated_at",
    )
    list_display_links = ("department", "year")
    list_filter = ("year", "department", "status")
    list_select_related = ("department",)
    search_fields = ("department__name", "department__full_name", "department__code")
    search_help_text = "按部门简称、全称或编码搜索"
    autocomplete_fields = ("department",)
    readonly_fields = (
        "status",
        "completion_rate_display",
        "computed_score_display",
        "computed_grade_display",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        ("基本信息", {"fields": (("department", "year"), "status")}),
        (
            "一、基本情况 ·（二）部门整体收支情况",
            {
                "fields": BUDGET_FIELDS,
                "description": "金额单位：万元，保留两位小数。资金来源四项之和、"
                "基本支出与项目支出之和都应等于执行数；完成率由系统计算。",
            },
        ),
        (
            "二、综合评价分析",
            {
                "fields": (
                    ("conclusion_summary", "grade"),
                    ("computed_score_display", "computed_grade_display"),
                    "grade_override_reason",
                    "task_analysis",
                    "achievements",
                )
            },
        ),
        ("记录", {"fields": (("created_at", "updated_at"),), "classes": ("collapse",)}),
    )
    inlines = (
        DepartmentFunctionInline,
        PerformanceGoalInline,
        KeyTaskInline,
        ProblemInline,
        ImprovementMeasureInline,
        IndicatorRowInline,
    )
    # The change page follows the report's outline: each inline is shown right after the
    # fieldset named here (by index in `fieldsets`).
    inline_after_fieldset = {
        DepartmentFunctionInline: 0,
        PerformanceGoalInline: 1,
        KeyTaskInline: 1,
        ProblemInline: 2,
        ImprovementMeasureInline: 2,
        IndicatorRowInline: 2,
    }

    @admin.display(description="完成率")
    def completion_rate_display(self, obj: Evaluation) -> str:
        rate = obj.completion_rate
        if rate is None:
            return "无法计算（全年预算数为空或为 0）"
        return f"{figures.format_rate(rate)}%"

    @admin.display(description="按指标计算的总分")
    def computed_score_display(self, obj: Evaluation) -> str:
        return computed_score_text(obj)

    @admin.display(description="按指标计算的等级")
    def computed_grade_display(self, obj: Evaluation) -> str:
        return computed_grade_text(obj)

    def get_inline_instances(self, request: HttpRequest, obj: Evaluation | None = None) -> list:
        # Indicator rows need the evaluation's year (its framework): change page only.
        inlines = super().get_inline_instances(request, obj)
        return [i for i in inlines if obj is not None or not isinstance(i, IndicatorRowInline)]

    def render_change_form(self, request, context, *args, **kwargs):
        adminform = context.get("adminform")
        if adminform is not None:
            context["outline"] = self._outline(
                list(adminform), context.get("inline_admin_formsets", [])
            )
        return super().render_change_form(request, context, *args, **kwargs)

    def _outline(self, fieldsets: list, inline_formsets: list) -> list[tuple[str, object, int]]:
        after: dict[int, list] = {}
        for inline_formset in inline_formsets:
            index = self.inline_after_fieldset.get(type(inline_formset.opts), len(fieldsets) - 1)
            after.setdefault(index, []).append(inline_formset)
        outline: list[tuple[str, object, int]] = []
        for index, fieldset in enumerate(fieldsets):
            outline.append(("fieldset", fieldset, index))
            outline.extend(("inline", formset, index) for formset in after.get(index, []))
        return outline

    def save_model(self, request: HttpRequest, obj: Evaluation, form, change: bool) -> None:
        services.evaluation_save(evaluation=obj)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is IndicatorRow:
            save_indicator_rows(formset)
            return
        items: list[models.Model] = formset.save(commit=False)
        for item in formset.deleted_objects:
            services.evaluation_item_delete(item=item)
        for item in items:
            services.evaluation_item_save(item=item)
