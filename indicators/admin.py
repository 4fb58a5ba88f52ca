from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from evaluations import access, figures
from evaluations.formsets import should_delete
from evaluations.models import Evaluation
from evaluations.tabular import ChineseImportExportMixin
from evaluations.widgets import FigureInput
from indicators import selectors, services
from indicators.models import (
    MAX_INDICATOR_ROWS,
    IndicatorFramework,
    IndicatorRow,
    PrimaryIndicator,
    SecondaryIndicator,
    framework_weight_error,
    too_many_rows,
)
from indicators.resources import IndicatorRowResource

# --- the indicator framework ---------------------------------------------------------------


class PrimaryIndicatorFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and should_delete(self, form))
        ]
        if not kept:
            return  # a new framework left empty gets the default one
        error = framework_weight_error([(data["name"], data["weight"]) for data in kept])
        if error:
            raise ValidationError(error)
        if sum(1 for data in kept if data.get("scores_budget_execution")) > 1:
            raise ValidationError("只能有一个一级指标按预算执行率计分。")


class PrimaryIndicatorInline(admin.TabularInline):
    model = PrimaryIndicator
    formset = PrimaryIndicatorFormSet
    fields = ("order", "name", "weight", "scores_budget_execution", "secondaries_display")
    readonly_fields = ("secondaries_display",)
    extra = 0
    verbose_name_plural = "一级指标（分值合计 100）"

    @admin.display(description="二级指标")
    def secondaries_display(self, obj: PrimaryIndicator) -> str:
        if not obj.pk:
            return "—"
        names = "、".join(s.name for s in obj.secondaries.all()) or "（无）"
        url = reverse("admin:indicators_primaryindicator_change", args=[obj.pk])
        return format_html('{} <a href="{}">编辑</a>', names, url)


@admin.register(IndicatorFramework)
class IndicatorFrameworkAdmin(admin.ModelAdmin):
    list_display = ("year", "primaries_display")
    search_fields = ("year",)
    search_help_text = "按年度搜索，如 2024"
    inlines = (PrimaryIndicatorInline,)
    fieldsets = (
        (
            None,
            {
                "fields": ("year",),
                "description": "新建时如不填写一级指标，系统按财预〔2020〕10号创建默认指标体系："
                "产出指标 50、效益指标 30、满意度指标 10、预算执行率 10，及其二级指标。",
            },
        ),
    )

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("primaries")

    @admin.display(description="一级指标及分值")
    def primaries_display(self, obj: IndicatorFramework) -> str:
        return "；".join(f"{p.name} {p.weight.normalize():f}" for p in obj.primaries.all())

    def save_model(self, request, obj: IndicatorFramework, form, change: bool) -> None:
        services.framework_save(framework=obj)

    def save_related(self, request, form, formsets, change: bool) -> None:
        framework = form.instance
        typed = any(
            f.cleaned_data and not f.cleaned_data.get("DELETE")
            for formset in formsets
            for f in formset.forms
        )
        super().save_related(request, form, formsets, change)
        if not change and not typed:
            services.framework_fill_default(framework=framework)

    def save_formset(self, request, form, formset, change: bool) -> None:
        saved = formset.save(commit=False)  # also collects deleted_objects
        for primary in formset.deleted_objects:
            services.primary_indicator_delete(primary=primary)
        for primary in saved:
            services.primary_indicator_save(primary=primary)


class SecondaryIndicatorInline(admin.TabularInline):
    model = SecondaryIndicator
    fields = ("order", "name")
    extra = 0


@admin.register(PrimaryIndicator)
class PrimaryIndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "framework", "weight", "scores_budget_execution", "order")
    list_filter = ("framework__year",)
    list_select_related = ("framework",)
    search_fields = ("name",)
    search_help_text = "按一级指标名称搜索"
    fields = ("framework", "order", "name", "weight", "scores_budget_execution")
    readonly_fields = ("framework",)
    inlines = (SecondaryIndicatorInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # 一级指标 are added on their framework's page, where weights are checked

    def save_model(self, request, obj: PrimaryIndicator, form, change: bool) -> None:
        services.primary_indicator_save(primary=obj)

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.framework_check_weights(framework=form.instance.framework)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        framework = obj.framework if obj else None

        class WeightsAddUp(form):
            def clean(self):
                cleaned = super().clean()
                if framework is None or "weight" not in cleaned:
                    return cleaned
                weights = [
                    (p.name, cleaned["weight"] if p.pk == obj.pk else p.weight)
                    for p in framework.primaries.all()
                ]
                error = framework_weight_error(weights)
                if error:
                    self.add_error("weight", error)
                return cleaned

        return WeightsAddUp

    def save_formset(self, request, form, formset, change: bool) -> None:
        saved = formset.save(commit=False)  # also collects deleted_objects
        for secondary in formset.deleted_objects:
            services.secondary_indicator_delete(secondary=secondary)
        for secondary in saved:
            services.secondary_indicator_save(secondary=secondary)


# --- indicator rows ------------------------------------------------------------------------


class IndicatorRowFormSet(forms.BaseInlineFormSet):
    """On the evaluation's change page: 三级指标 unique, and the typed 自评等级 agreeing with the
    grade computed from the submitted rows and budget figures (or a reason written)."""

    def clean(self) -> None:
        # Before Django's generic duplicate check, whose message does not name the row.
        rows: list[IndicatorRow] = []
        names: set[str] = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and should_delete(self, form):
                continue
            name = form.cleaned_data.get("name")
            if name in names:
                raise ValidationError(f"三级指标“{name}”重复：同一自评中每个三级指标只能出现一次。")
            names.add(name)
            rows.append(form.instance)
        if len(rows) > MAX_INDICATOR_ROWS:
            raise ValidationError(too_many_rows(len(rows)))
        super().clean()
        if any(self.errors):
            return
        evaluation: Evaluation = self.instance
        scorecard = selectors.scorecard_for_rows(
            evaluation=evaluation,
            rows=rows,
            framework=selectors.framework_for_year(year=evaluation.year),
        )
        problem = selectors.grade_problem(evaluation=evaluation, summary=scorecard.summary)
        if problem:
            raise ValidationError(problem)


class IndicatorRowInline(admin.StackedInline):
    """The 附件1 rows, on the evaluation's change page only: the 二级指标 offered are those of
    the evaluation's year, which the add page does not know yet. Each row is a block of four
    short lines (a table of fourteen columns did not fit a 1366-pixel screen)."""

    model = IndicatorRow
    formset = IndicatorRowFormSet
    max_num = MAX_INDICATOR_ROWS
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("order", "secondary", "name"),
                    ("unit", "nature", "target", "actual", "previous_value", "reported_growth"),
                    ("qualitative_tier", "qualitative_share", "weight", "score_display"),
                    "deviation_reason",
                )
            },
        ),
    )
    readonly_fields = ("score_display",)
    extra = 0
    verbose_name_plural = "附件1 · 绩效指标（得分由系统计算）"
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})},
        # Narrow figures with two places (indicators/indicator-rows.css: no inline style under
        # the site's Content-Security-Policy).
        models.DecimalField: {"widget": FigureInput(attrs={"class": "indicator-figure"})},
    }

    class Media:
        css = {"all": ["indicators/indicator-rows.css"]}

    @admin.display(description="得分")
    def score_display(self, obj: IndicatorRow) -> str:
        if not obj.pk:
            return "—"
        return obj.result.label

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("secondary")
        if field is None or obj is None:
            return formset
        field.queryset = SecondaryIndicator.objects.filter(
            primary__framework__year=obj.year
        ).select_related("primary")
        # The options are read once, not once per row (a <select> queries when rendered).
        choices = [("", "---------"), *((s.pk, str(s)) for s in field.queryset)]

        class RowForm(formset.form):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                widget = self.fields["secondary"].widget
                getattr(widget, "widget", widget).choices = choices

        formset.form = RowForm
        return formset

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("secondary__primary__framework")


def save_indicator_rows(formset, *, locked: Evaluation | None = None) -> None:
    """`locked`: the evaluation's row as locked and checked earlier in the same save."""
    saved = formset.save(commit=False)  # also collects deleted_objects
    for row in formset.deleted_objects:
        services.indicator_row_delete(row=row, locked=locked)
    for row in saved:
        services.indicator_row_save(row=row, locked=locked)


@admin.register(IndicatorRow)
class IndicatorRowAdmin(ChineseImportExportMixin, admin.ModelAdmin):
    """All indicator rows across evaluations: where tables are imported from and exported to
    Excel. Rows are edited on their evaluation's page."""

    resource_classes = [IndicatorRowResource]
    list_display = (
        "name",
        "evaluation",
        "primary_display",
        "secondary_name_display",
        "nature",
        "target_display",
        "actual_display",
        "weight",
        "score_display",
    )
    formfield_overrides = {models.DecimalField: {"widget": FigureInput}}
    list_filter = (
        "evaluation__year",
        # Only the departments of the rows the user may see (not every department's name).
        ("evaluation__department", admin.RelatedOnlyFieldListFilter),
        "secondary__primary__name",
    )
    list_select_related = ("evaluation__department", "secondary__primary")
    search_fields = ("name", "evaluation__department__name", "evaluation__department__code")
    search_help_text = "按三级指标名称、部门简称或部门编码搜索"
    autocomplete_fields = ("evaluation",)
    readonly_fields = ("score_display",)
    fieldsets = (
        (None, {"fields": (("evaluation", "order"), "secondary", "name", "unit", "nature")}),
        ("目标与完成", {"fields": (("target", "actual"), ("previous_value", "reported_growth"))}),
        ("定性指标", {"fields": (("qualitative_tier", "qualitative_share"),)}),
        ("计分", {"fields": (("weight", "score_display"), "deviation_reason")}),
    )

    @admin.display(description="一级指标", ordering="secondary__primary__order")
    def primary_display(self, obj: IndicatorRow) -> str:
        return obj.secondary.primary.name

    @admin.display(description="二级指标", ordering="secondary__order")
    def secondary_name_display(self, obj: IndicatorRow) -> str:
        return obj.secondary.name

    @admin.display(description="年度指标值", ordering="target")
    def target_display(self, obj: IndicatorRow) -> str:
        return figures.format_figure(obj.target) or "—"

    @admin.display(description="实际完成值", ordering="actual")
    def actual_display(self, obj: IndicatorRow) -> str:
        return figures.format_figure(obj.actual) or "—"

    @admin.display(description="得分")
    def score_display(self, obj: IndicatorRow) -> str:
        return obj.result.label if obj.pk else "—"

    def save_model(self, request, obj: IndicatorRow, form, change: bool) -> None:
        services.indicator_row_save(row=obj)

    def delete_model(self, request, obj: IndicatorRow) -> None:
        services.indicator_row_delete(row=obj)

    # --- scoped like the evaluations they belong to (evaluations/access.py) -------------

    def get_queryset(self, request: HttpRequest):
        codes = access.department_codes_visible_to(request.user)
        queryset = super().get_queryset(request)
        return (
            queryset if codes is None else queryset.filter(evaluation__department__code__in=codes)
        )

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("没有找到这条指标。")
        return obj

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "evaluation":
            kwargs["queryset"] = access.evaluations_visible_to(request.user).filter(
                status__in=access.EDITABLE_STATUSES
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: IndicatorRow | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.can_edit(request.user, obj.evaluation))

    def has_delete_permission(self, request: HttpRequest, obj: IndicatorRow | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or access.can_edit(request.user, obj.evaluation))
