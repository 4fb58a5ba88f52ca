"""The evaluation page: the report's outline from top to bottom, with the department's data
(evaluations), the indicator rows (indicators), the review workflow and the change log. One save
takes one lock of the evaluation's row, however many parts it changes."""

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from evaluations import access, figures, services
from evaluations.formsets import should_delete
from evaluations.lists import ORDERED_LISTS, OrderedList
from evaluations.models import (
    AMOUNT_FIELDS,
    MAX_LIST_ITEMS,
    Evaluation,
    OrderedItem,
    too_many_items,
)
from evaluations.reports.pdf import RenderError, render_deadline
from evaluations.resources import EvaluationBudgetResource
from evaluations.tabular import ChineseImportExportMixin
from indicators import selectors as indicator_selectors
from indicators.admin import IndicatorRowInline, save_indicator_rows
from indicators.models import IndicatorRow
from review import error_summary, selectors
from review import services as review_services
from review.consistency.check import Finding
from review.consistency.selectors import evaluation_inconsistencies

logger = logging.getLogger(__name__)


class OrderedItemFormSet(forms.BaseInlineFormSet):
    """Rejects two rows with the same 序号 in one save, naming the number (before Django's
    generic duplicate check, whose message names the field's code instead), and more than
    MAX_LIST_ITEMS entries."""

    def clean(self) -> None:
        kept = [
            form
            for form in self.forms
            if (form.has_changed() or form.instance.pk)
            and not (self.can_delete and should_delete(self, form))
        ]
        if len(kept) > MAX_LIST_ITEMS:
            raise ValidationError(too_many_items(self.model._meta.verbose_name, len(kept)))
        seen: set[int] = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and should_delete(self, form):
                continue
            order = form.cleaned_data.get("order")
            if order is None:
                continue
            if order in seen:
                raise ValidationError(f"序号 {order} 重复：同一列表中每项的序号必须不同。")
            seen.add(order)
        super().clean()


class EvaluationPartPermissions:
    """Parts of an evaluation (lists, indicator rows) may be changed exactly when the evaluation
    itself may be; `obj` is the evaluation (None on the add page)."""

    def _may_edit(self, request: HttpRequest, obj: Evaluation | None) -> bool:
        if obj is None:
            return access.can_create(request.user)
        return access.can_edit(request.user, obj)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None or access.can_see(request.user, obj)


class OrderedItemInlineMixin(EvaluationPartPermissions):
    max_num: int | None = MAX_LIST_ITEMS
    formset: type[forms.BaseInlineFormSet] = OrderedItemFormSet
    extra = 0
    formfield_overrides: ClassVar[Mapping[type[models.Field], Mapping[str, Any]]] = {
        # Paragraphs are long: a roomy box instead of the default small textarea.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 90})},
    }


class OrderedListInline(OrderedItemInlineMixin, admin.TabularInline):
    """One list of the evaluation (evaluations/lists.py), under its heading in the report."""

    ordered_list: OrderedList


def list_inline(entry: OrderedList) -> type[admin.options.InlineModelAdmin]:
    """The inline of one registered list: a table row per entry, or one entry below the other
    when it has several fields."""
    bases = (
        (OrderedListInline,) if not entry.stacked else (OrderedItemInlineMixin, admin.StackedInline)
    )
    return type(
        f"{entry.model.__name__}Inline",
        bases,
        {
            "model": entry.model,
            "ordered_list": entry,
            "fields": ("order", *entry.fields),
            "verbose_name_plural": entry.section,
        },
    )


LIST_INLINES = {entry.accessor: list_inline(entry) for entry in ORDERED_LISTS}


class ScopedIndicatorRowInline(EvaluationPartPermissions, IndicatorRowInline):
    pass


class SharedMediaInlineAdminFormSet(helpers.InlineAdminFormSet):
    """The admin collects an inline's scripts and styles from every entry, building each
    entry's admin wrapper a second time only for that (a tenth of the evaluation page's time);
    every entry of a formset has the same fields, whose media the formset already carries
    (Fieldset.media is empty since Django 5.1)."""

    @property
    def media(self) -> forms.Media:
        return self.opts.media + self.formset.media


# The change page always sends the version it was loaded at; a post without it did not come from
# the page (or was tampered with) and could overwrite newer data unchecked, so it is refused.
MISSING_VERSION_MESSAGE = (
    "缺少页面的版本信息，无法确认这份自评在您打开页面后是否已被他人修改，本次没有保存。"
    "请刷新页面后重新填写。"
)


class EvaluationForm(forms.ModelForm):
    """Carries the version the page was loaded at, so a save based on stale data is refused
    instead of overwriting someone else's newer changes. Required on the change page; the add
    page has no version yet."""

    loaded_version = forms.IntegerField(
        label="页面版本",
        widget=forms.HiddenInput,
        required=False,
        error_messages={"required": MISSING_VERSION_MESSAGE, "invalid": MISSING_VERSION_MESSAGE},
    )

    class Meta:
        model = Evaluation
        fields = ("department", "year")  # the admin passes the fields of its fieldsets

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
            self.fields["loaded_version"].required = True

    # The evaluation's row as locked and checked by clean(): every write of this save passes
    # it on, so the save takes one lock.
    locked: Evaluation | None = None

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_sum_groups()

    def _mark_sum_groups(self) -> None:
        """A sum that does not add up is reported under the first field of its group, but any
        of the group (or 执行数) may be the mistyped one: all of them are marked."""
        if not self.errors:
            return
        amounts = [getattr(self.instance, name, None) for name in AMOUNT_FIELDS]
        if any(value is not None and value < 0 for value in amounts):
            return  # negative figures are reported each under its own field
        for group in (figures.FUND_SOURCES, figures.NATURES):
            if group[0] not in self.errors:
                continue
            for name in (*group, "expenditure_total"):
                if name in self.fields:
                    widget = self.fields[name].widget
                    widget.attrs["aria-invalid"] = "true"
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} sum-invalid".strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.instance.pk:
            if self.has_error("loaded_version"):
                # A hidden field's error would show nowhere on the page: stated above the form.
                raise ValidationError(MISSING_VERSION_MESSAGE, code="missing_version")
            # Locks the row for the rest of the admin's transaction: a concurrent save waits,
            # then sees the new version and is refused here.
            self.locked = services.evaluation_check_editable(
                evaluation_id=self.instance.pk, expected_version=cleaned["loaded_version"]
            )
        return cleaned


# The button that saves the page and then asks to confirm 提交送审 (response_change).
SUBMIT_AFTER_SAVE = "_save_and_submit"
# Steps that are confirmed on their own page first (GET shows it, POST makes the step).
CONFIRMED_ACTIONS = ("submit", "approve")
CONFIRMED = "_confirmed"
# The confirmation page's reason for keeping a contradiction: "explain-<finding key>".
EXPLANATION_PREFIX = "explain-"


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
class EvaluationAdmin(ChineseImportExportMixin, SimpleHistoryAdmin):
    # Budget figures import from and export to Excel (evaluations/resources.py).
    resource_classes = [EvaluationBudgetResource]
    form = EvaluationForm
    change_form_template = "admin/evaluations/evaluation/change_form.html"
    actions = ("copy_forward",)
    list_display = (
        "department",
        "year",
        "status",
        "completion_rate_display",
        "grade",
        "updated_at",
    )
    list_display_links = ("department", "year")
    # Only departments in the user's own list: a 填报人员 must not see the others' names, and
    # the choices come from one query whatever the number of departments.
    list_filter = ("year", ("department", admin.RelatedOnlyFieldListFilter), "status")
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
        ("基本信息", {"fields": (("department", "year"), "status", "loaded_version")}),
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
    inlines = (*LIST_INLINES.values(), ScopedIndicatorRowInline)
    # The change page follows the report's outline: each inline is shown right after the
    # fieldset named here (by index in `fieldsets`).
    inline_after_fieldset = {
        LIST_INLINES["departmentfunctions"]: 0,
        LIST_INLINES["performancegoals"]: 1,
        LIST_INLINES["keytasks"]: 1,
        LIST_INLINES["problems"]: 2,
        LIST_INLINES["improvementmeasures"]: 2,
        ScopedIndicatorRowInline: 2,
    }

    class Media:
        css = {"all": ["selfeval/evaluation-page.css"]}
        js = ["selfeval/unsaved-changes.js", "selfeval/sentence-link.js"]

    @admin.display(description="完成率")
    def completion_rate_display(self, obj: Evaluation) -> str:
        rate = obj.completion_rate
        if rate is None:
            return "无法计算（全年预算数为空或为 0）"
        return f"{figures.format_rate(rate)}%"

    @staticmethod
    def _scorecard(obj: Evaluation):
        """Computed once per page, for the score and the grade shown beside each other."""
        if not hasattr(obj, "_page_scorecard"):
            obj._page_scorecard = indicator_selectors.evaluation_scorecard(evaluation=obj)  # type: ignore[attr-defined]
        return obj._page_scorecard  # type: ignore[attr-defined]

    @admin.display(description="按指标计算的总分")
    def computed_score_display(self, obj: Evaluation) -> str:
        if obj.pk is None:
            return "保存后按指标计算。"
        summary = self._scorecard(obj).summary
        code, year = obj.department.code, obj.year
        links = format_html(
            ' <a href="{}">下载附件1 自评表（PDF）</a> · <a href="{}">XLSX</a> · <a href="{}">Word</a>',
            reverse("reports:appendix1_pdf", args=[code, year]),
            reverse("reports:appendix1_xlsx", args=[code, year]),
            reverse("reports:appendix1_docx", args=[code, year]),
        )
        return format_html("{}{}", summary.explanation, links)

    @admin.display(description="按指标计算的等级")
    def computed_grade_display(self, obj: Evaluation) -> str:
        if obj.pk is None:
            return "—"
        summary = self._scorecard(obj).summary
        if summary.grade is None:
            return summary.grade_label
        if obj.grade and obj.grade != summary.grade:
            note = "与自评等级不一致，须在“等级调整说明”中写明理由"
            return format_html("{}（{}）", summary.grade_label, note)
        return summary.grade_label

    def get_fieldsets(self, request: HttpRequest, obj: Evaluation | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read-only: no form to carry the page's version.
        (name, options), *rest = fieldsets
        kept = tuple(field for field in options["fields"] if field != "loaded_version")
        return ((name, {**options, "fields": kept}), *rest)

    def get_inline_instances(self, request: HttpRequest, obj: Evaluation | None = None) -> list:
        # Indicator rows need the evaluation's year (its framework): change page only.
        inlines = super().get_inline_instances(request, obj)
        return [i for i in inlines if obj is not None or not isinstance(i, IndicatorRowInline)]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        adminform = context.get("adminform")
        inline_formsets = context.get("inline_admin_formsets", [])
        if adminform is not None:
            context["outline"] = self._outline(list(adminform), inline_formsets)
            if context.get("errors"):
                # Every error, linked to its field, instead of the admin's bare "请更正以下错误"
                # (which the template shows only when `errors` is set).
                context["error_summary"] = self._error_summary(adminform.form, inline_formsets)
                context["errors"] = None
        if obj is not None:
            # Only when the page is shown (not on a save that redirects): the review workflow.
            # Who changed what is on the 历史 page (history_view): reading the whole history
            # on every open of this page cost more than the rest of the page.
            context.update(
                workflow_actions=[
                    (action, review_services.ACTION_LABELS[action])
                    for action in review_services.allowed_actions(user=request.user, evaluation=obj)
                ],
                review_events=obj.review_events.select_related("actor"),
                can_copy_forward=access.can_create(request.user),
                # The free text checked against the figures, as the page was last saved.
                inconsistencies=evaluation_inconsistencies(
                    evaluation=obj, scorecard=self._scorecard(obj)
                ),
                can_edit_text=access.can_edit(request.user, obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            inline_formset.__class__ = SharedMediaInlineAdminFormSet
        return inline_formsets

    def _error_summary(self, form, inline_formsets: list) -> list[error_summary.ErrorLink]:
        links = error_summary.form_errors(form, section="基本信息")
        for inline_formset in inline_formsets:
            section = str(inline_formset.opts.verbose_name_plural)
            links += error_summary.formset_errors(inline_formset.formset, section=section)
        return links

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

    # --- who sees and changes what (evaluations/access.py) -----------------------------

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request).select_related("department")
        return access.evaluations_visible_to(request.user, queryset)

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        # Another department's evaluation is "not found", so its existence is not revealed.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("没有找到这份自评。")
        return obj

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        """The 历史 page: the review steps and who changed which field from what to what, in
        Chinese and in full (django-simple-history's own page lists raw values)."""
        evaluation = self.get_object(request, object_id)  # 404 for another department's
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": evaluation,
            "title": f"变更记录：{evaluation}",
            "review_events": evaluation.review_events.select_related("actor"),
            "change_log": selectors.evaluation_change_log(evaluation=evaluation),
            "change_url": self._change_url(evaluation),
        }
        return TemplateResponse(request, "admin/evaluations/evaluation/history.html", context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id, extra_context=None
    ):
        # One old version as a form (django-simple-history's page, raw values in English
        # labels): the 历史 page above says field by field what changed.
        evaluation = self.get_object(request, object_id)
        return redirect("admin:evaluations_evaluation_history", evaluation.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and access.can_create(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Evaluation | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.can_edit(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Evaluation | None = None) -> bool:
        # Only administrators, and never once the evaluation is under review or approved.
        return (
            super().has_delete_permission(request, obj)
            and access.role_of(request.user) == access.Role.ADMINISTRATOR
            and (obj is None or obj.status in access.EDITABLE_STATUSES)
        )

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = access.departments_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        department = access.department_of(request.user)
        if department is not None and "department" not in initial:
            initial["department"] = department.pk
        return initial

    # --- the page ----------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/transition/<str:action>/",
                self.admin_site.admin_view(self.transition_view),
                name="evaluations_evaluation_transition",
            ),
            path(
                "<path:object_id>/copy-forward/",
                self.admin_site.admin_view(self.copy_forward_view),
                name="evaluations_evaluation_copy_forward",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, evaluation: Evaluation) -> str:
        return reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])

    @staticmethod
    def _report_errors(request: HttpRequest, error: ValidationError, heading: str) -> None:
        messages.error(request, heading)
        for message in error.messages:
            messages.error(request, message)

    def transition_view(self, request: HttpRequest, object_id: str, action: str):
        # 提交送审 and 审核通过 are made from their confirmation page, which posts CONFIRMED;
        # the buttons of the evaluation page (and 保存并提交送审) lead to that page first.
        if action in CONFIRMED_ACTIONS and (
            request.method == "GET" or (request.method == "POST" and CONFIRMED not in request.POST)
        ):
            return self._confirm_transition(request, object_id, action)
        if action == "submit" and request.method == "POST":
            # A contradiction left without a reason: the confirmation page again, with what
            # was typed and what is missing (the service refuses it too).
            evaluation = self.get_object(request, object_id)
            if evaluation is not None and access.can_submit(request.user, evaluation):
                findings = evaluation_inconsistencies(evaluation=evaluation)
                missing = review_services.explanation_problems(
                    findings=findings, explanations=self._explanations(request)
                )
                if missing:
                    return self._confirm_transition(
                        request, object_id, action, findings=findings, explanation_errors=missing
                    )
        return require_POST(self._transition)(request, object_id, action)

    @staticmethod
    def _explanations(request: HttpRequest) -> dict[str, str]:
        """The reasons typed on the confirmation page, by finding key."""
        return {
            name.removeprefix(EXPLANATION_PREFIX): request.POST.get(name) or ""
            for name in request.POST
            if name.startswith(EXPLANATION_PREFIX)
        }

    def _confirm_transition(
        self,
        request: HttpRequest,
        object_id: str,
        action: str,
        findings: list[Finding] | None = None,
        explanation_errors: dict[str, str] | None = None,
    ):
        """提交送审 and 审核通过 cannot be undone by the one who makes them: a page says what
        will be frozen and who will see the step, and the step is made from there. Before a
        submission it lists the sentences that contradict the figures, each to be corrected
        or kept with a reason."""
        evaluation = self.get_object(request, object_id)
        try:  # a wrong status is explained on the evaluation page; no right to it is a 403
            review_services.check_transition(
                evaluation=evaluation, user=request.user, action=action, comment=""
            )
        except ValidationError as error:
            self._report_errors(request, error, f"未能{review_services.ACTION_LABELS[action]}：")
            return HttpResponseRedirect(self._change_url(evaluation))
        notified_role = access.Role.AUDITOR if action == "submit" else access.Role.FILLER
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": evaluation,
            "title": f"确认{review_services.ACTION_LABELS[action]}",
            "action": action,
            "action_label": review_services.ACTION_LABELS[action],
            "problems": (
                selectors.evaluation_problems(evaluation=evaluation) if action == "submit" else []
            ),
            "inconsistencies": (
                [
                    (
                        finding,
                        EXPLANATION_PREFIX + finding.key,
                        request.POST.get(EXPLANATION_PREFIX + finding.key, ""),
                        (explanation_errors or {}).get(finding.key, ""),
                    )
                    for finding in (
                        evaluation_inconsistencies(evaluation=evaluation)
                        if findings is None
                        else findings
                    )
                ]
                if action == "submit"
                else []
            ),
            "explanation_max_length": review_services.EXPLANATION_MAX_LENGTH,
            "notified": access.people_notified(evaluation=evaluation, role=notified_role),
            "notified_role": access.GROUP_NAMES[notified_role],
            # A comment typed on the evaluation page before clicking 审核通过 comes along.
            "comment": request.POST.get("comment", ""),
            "confirmed_field": CONFIRMED,
            "change_url": self._change_url(evaluation),
        }
        return TemplateResponse(
            request, "admin/evaluations/evaluation/transition_confirm.html", context
        )

    def _transition(self, request: HttpRequest, object_id: str, action: str):
        evaluation = self.get_object(request, object_id)
        label = review_services.ACTION_LABELS.get(action, action)
        try:
            # Approval renders the documents in this request: bounded like a download.
            with render_deadline(settings.REPORT_RENDER_TIMEOUT):
                review_services.evaluation_transition(
                    evaluation_id=evaluation.pk,
                    user=request.user,
                    action=action,
                    comment=request.POST.get("comment", ""),
                    explanations=self._explanations(request),
                )
        except ValidationError as error:
            self._report_errors(request, error, f"未能{label}：")
        except RenderError:
            logger.exception("approval render failed for %s", evaluation)
            messages.error(
                request,
                f"未能{label}：生成审定报告失败（服务器排版出错），错误已记录，自评状态未改变。"
                "请稍后重试；如果仍然失败，请联系系统管理员。",
            )
        else:
            messages.success(request, f"已{label}。")
        return HttpResponseRedirect(self._change_url(evaluation))

    def copy_forward_view(self, request: HttpRequest, object_id: str):
        return require_POST(self._copy_forward_one)(request, object_id)

    def _copy_forward_one(self, request: HttpRequest, object_id: str):
        source = self.get_object(request, object_id)
        try:
            target, skipped = review_services.evaluation_copy_forward(
                source=source, user=request.user
            )
        except ValidationError as error:
            self._report_errors(request, error, "未能复制：")
            return HttpResponseRedirect(self._change_url(source))
        self._report_copied(request, source, target, skipped)
        return redirect(self._change_url(target))

    @staticmethod
    def _report_copied(request, source: Evaluation, target: Evaluation, skipped: list[str]):
        messages.success(
            request,
            f"已从 {source.year} 年度复制出 {target.year} 年度草稿：职能、绩效目标、重点工作任务和"
            f"绩效指标（上年实际值已填入）；收支数据和分析请按新年度填写。",
        )
        if skipped:
            messages.warning(
                request,
                f"以下指标在 {target.year} 年度指标体系中没有对应的二级指标，未复制："
                + "、".join(skipped),
            )

    @admin.action(description="从上年复制：以所选自评为基础新建下一年度草稿")
    def copy_forward(self, request: HttpRequest, queryset) -> None:
        if not access.can_create(request.user):
            raise PermissionDenied
        for source in queryset.select_related("department"):
            try:
                target, skipped = review_services.evaluation_copy_forward(
                    source=source, user=request.user
                )
            except ValidationError as error:
                self._report_errors(request, error, f"未能复制 {source}：")
            else:
                self._report_copied(request, source, target, skipped)

    def response_add(self, request: HttpRequest, obj: Evaluation, post_url_continue=None):
        # The indicator rows need the saved evaluation's year: after the first save the page
        # stays open, now with the 绩效指标 section.
        if "_addanother" not in request.POST and IS_POPUP_VAR not in request.POST:
            messages.success(
                request, f"已新建“{obj}”。请继续填写下方各部分，绩效指标（附件1）现在可以填写了。"
            )
            return HttpResponseRedirect(self._change_url(obj))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: Evaluation):
        # 保存并提交送审: what was typed is saved first (this request, validated like 保存);
        # then the confirmation page of the submission.
        if SUBMIT_AFTER_SAVE in request.POST:
            messages.success(request, "已保存您的修改。请确认是否提交送审。")
            return HttpResponseRedirect(
                reverse("admin:evaluations_evaluation_transition", args=[obj.pk, "submit"])
            )
        return super().response_change(request, obj)

    # --- writes go through the services --------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Evaluation, form, change: bool) -> None:
        services.evaluation_save(
            evaluation=obj,
            expected_version=form.cleaned_data.get("loaded_version"),
            locked=form.locked,
        )
        if form.locked is None:
            # Created in this transaction: no one else can see the row before it commits.
            form.locked = obj

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is IndicatorRow:
            save_indicator_rows(formset, locked=form.locked)
            return
        items: list[OrderedItem] = formset.save(commit=False)
        for item in formset.deleted_objects:
            services.evaluation_item_delete(item=item, locked=form.locked)
        for item in items:
            services.evaluation_item_save(item=item, locked=form.locked)
