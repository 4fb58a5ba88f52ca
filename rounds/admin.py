"""The round's admin pages: administrators create a year (and the departments' drafts) and
change its deadline and departments; auditors look. Both reach the year's overview and its
汇总表 from here."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.i18n import JavaScriptCatalog

from evaluations import access
from evaluations.models import Department
from review.selectors import evaluation_year_due
from rounds import services, views
from rounds.forms import RoundForm
from rounds.models import Round

# Drafts made by one save of the page: a copy forward takes about 90 ms a department
# (bench/overview.py), so 100 stay well inside the server's 30 s; the next save goes on.
DRAFTS_PER_SAVE = 100


class RoundNotSaved(Exception):
    """A service refused the round: raised out of the admin's transaction (which rolls back)
    and reported on the page the user came from."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(*error.messages)
        self.messages = error.messages


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    form = RoundForm
    list_display = (
        "year",
        "deadline",
        "department_count",
        "overview_link",
        "created_at",
        "created_by",
    )
    list_display_links = ("year",)
    list_filter = ("deadline",)
    search_fields = ("year",)
    search_help_text = "按年度搜索，如 2024"
    list_select_related = ("created_by",)
    filter_horizontal = ("departments",)
    readonly_fields = ("overview_link", "department_count", "created_at", "created_by")

    # --- who may do what: auditors and administrators see, administrators change -----------

    @staticmethod
    def _administers(request: HttpRequest) -> bool:
        return access.role_of(request.user) == access.Role.ADMINISTRATOR

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.sees_every_department(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Round | None = None) -> bool:
        return access.sees_every_department(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._administers(request)

    def has_change_permission(self, request: HttpRequest, obj: Round | None = None) -> bool:
        return self._administers(request)

    def has_delete_permission(self, request: HttpRequest, obj: Round | None = None) -> bool:
        # Deleting a round deletes no evaluation: only the year's deadline and departments.
        return self._administers(request)

    # --- the list and the page ----------------------------------------------------------------

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(department_total=Count("departments"))

    @admin.display(description="参加部门数", ordering="department_total")
    def department_count(self, obj: Round) -> int:
        total = getattr(obj, "department_total", None)
        return total if total is not None else obj.departments.count()

    @admin.display(description="年度总览")
    def overview_link(self, obj: Round) -> str:
        if obj.pk is None:
            return "建立后可查看。"
        overview = reverse("admin:rounds_round_overview", args=[obj.pk])
        return format_html(
            '<a href="{}">查看总览</a> · 汇总表 <a href="{}summary.xlsx">XLSX</a> · '
            '<a href="{}summary.csv">CSV</a>',
            overview,
            overview,
            overview,
        )

    def get_fields(self, request: HttpRequest, obj: Round | None = None):
        if obj is None:
            return ("year", "deadline", "departments", "create_drafts")
        if self.has_change_permission(request, obj):
            return (
                "year",
                "overview_link",
                "deadline",
                "departments",
                "create_drafts",
                "created_at",
                "created_by",
            )
        # Looking only: the count, not a thousand names.
        return ("year", "overview_link", "deadline", "department_count", "created_at", "created_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Round | None = None):
        if obj is not None:
            return ("year", *self.readonly_fields)
        return self.readonly_fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {
            "year": evaluation_year_due(),
            "departments": list(
                Department.objects.filter(active=True).values_list("pk", flat=True)
            ),
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request: HttpRequest, obj: Round, form, change: bool) -> None:
        data = form.cleaned_data
        try:
            if change:
                saved, made = services.round_update(
                    round_=obj,
                    deadline=data["deadline"],
                    departments=data["departments"],
                    create_drafts=data["create_drafts"],
                    user=request.user,
                    draft_limit=DRAFTS_PER_SAVE,
                )
            else:
                saved, made = services.round_create(
                    year=data["year"],
                    deadline=data["deadline"],
                    departments=data["departments"],
                    create_drafts=data["create_drafts"],
                    user=request.user,
                    draft_limit=DRAFTS_PER_SAVE,
                )
        except ValidationError as error:
            raise RoundNotSaved(error) from error
        obj.pk, obj.created_at, obj.created_by = saved.pk, saved.created_at, saved.created_by
        messages.success(request, made.message(saved))
        for department, names in made.skipped_rows.items():
            messages.warning(
                request,
                f"{department}：以下指标在 {saved.year} 年度指标体系中没有对应的二级指标，未复制："
                + "、".join(names),
            )

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """The services set the departments."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RoundNotSaved as refused:
            # The admin's transaction is rolled back: no round, no draft.
            messages.error(request, "未能保存年度，没有作任何改动：")
            for message in refused.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())

    # --- the overview and the 汇总表 ------------------------------------------------------------

    def get_urls(self):
        def site_view(view, **kwargs):
            def wrapped(request: HttpRequest, *args: Any, **more: Any):
                return view(request, *args, **kwargs, **more)

            return self.admin_site.admin_view(wrapped)

        def overview(request: HttpRequest, object_id: str):
            return views.overview(
                request, object_id, site_context=self.admin_site.each_context(request)
            )

        return [
            path(
                "jsi18n/",
                # The two-list chooser's strings Django has no Chinese for yet
                # (rounds/locale/); the page's template adds it after the admin's catalogue.
                self.admin_site.admin_view(JavaScriptCatalog.as_view(packages=["rounds"])),
                name="rounds_round_jsi18n",
            ),
            path(
                "latest/overview/",
                self.admin_site.admin_view(views.latest_overview),
                name="rounds_round_latest_overview",
            ),
            path(
                "<path:object_id>/overview/",
                self.admin_site.admin_view(overview),
                name="rounds_round_overview",
            ),
            path(
                "<path:object_id>/overview/summary.xlsx",
                site_view(views.summary_download, fmt="xlsx"),
                name="rounds_round_summary_xlsx",
            ),
            path(
                "<path:object_id>/overview/summary.csv",
                site_view(views.summary_download, fmt="csv"),
                name="rounds_round_summary_csv",
            ),
            path(
                "<path:object_id>/overview/summary-gbk.csv",
                site_view(views.summary_download, fmt="csv-gbk"),
                name="rounds_round_summary_csv_gbk",
            ),
            *super().get_urls(),
        ]
