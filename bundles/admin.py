"""The ZIP of all reports in the admin: 增加 is the page that selects a year and departments and
starts the build; a bundle's page shows its progress (polled by bundles/progress.js) and the
download link; the list shows the user's own bundles. Anyone with a role may bundle what they
may see: an auditor or administrator any department, a 填报人员 their own."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_GET

from bundles import archive, selectors, services
from bundles.forms import BundleForm
from bundles.models import Bundle
from evaluations import access

RECENT = 5  # bundles listed under the form


def _year(raw: str | None, years: list[int], *, exact: bool = False) -> int | None:
    """The year asked for if the user has evaluations of it; else, to show the page, the
    latest they have, and to start a bundle (`exact`), none."""
    try:
        year = int(raw or "")
    except ValueError:
        year = None
    if year in years:
        return year
    return None if exact or not years else years[0]


def progress_data(bundle: Bundle, download_url: str) -> dict[str, object]:
    progress = selectors.bundle_progress(bundle)
    return {
        "status": progress.status,
        "status_label": progress.status_label,
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
        "remaining_seconds": progress.remaining_seconds,
        "remaining_text": progress.remaining_text,
        "finished": progress.finished,
        "failed": progress.failed,
        "error": progress.error,
        "size_text": progress.size_text,
        "download_url": download_url if progress.finished else None,
    }


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ("created_at", "year", "department_count", "status", "progress", "download")
    list_display_links = ("created_at",)
    list_filter = ("year", "status")
    ordering = ("-created_at", "-pk")
    list_per_page = 50

    # --- who may do what ---------------------------------------------------------------------

    def _may_bundle(self, request: HttpRequest) -> bool:
        return access.role_of(request.user) is not None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_bundle(request)

    def has_view_permission(self, request: HttpRequest, obj: Bundle | None = None) -> bool:
        if obj is None:
            return self._may_bundle(request)
        return selectors.may_see_bundle(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_bundle(request)

    def has_change_permission(self, request: HttpRequest, obj: Bundle | None = None) -> bool:
        return False  # a bundle is built, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Bundle | None = None) -> bool:
        return self.has_view_permission(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Bundle]:
        return selectors.bundles_of(user=request.user)

    def delete_model(self, request: HttpRequest, obj: Bundle) -> None:
        services.bundle_delete(bundle=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Bundle]) -> None:
        for bundle in queryset:
            services.bundle_delete(bundle=bundle)

    # --- the list ----------------------------------------------------------------------------

    @admin.display(description="部门数")
    def department_count(self, bundle: Bundle) -> int:
        return len(bundle.department_codes)

    @admin.display(description="进度")
    def progress(self, bundle: Bundle) -> str:
        progress = selectors.bundle_progress(bundle)
        return f"{progress.done} / {progress.total}"

    @admin.display(description="下载")
    def download(self, bundle: Bundle) -> str:
        if bundle.status != Bundle.Status.DONE:
            return "—"
        return format_html(
            '<a href="{}">下载（{}）</a>',
            reverse("admin:bundles_bundle_download", args=[bundle.pk]),
            selectors.size_text(bundle.size),
        )

    # --- the pages ---------------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="bundles_bundle_progress",
            ),
            path(
                "<path:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="bundles_bundle_download",
            ),
            *super().get_urls(),
        ]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Select a year (GET ?year=) and departments (all by default; ?codes=a,b checks only
        those), then POST: the bundle is queued and the progress page opens at once."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        years = selectors.bundle_years(user=request.user)
        form: BundleForm | None = None
        error = ""
        if request.method == "POST":
            year = _year(request.POST.get("year"), years, exact=True)
            if year is None:
                error = "没有找到您可以打包的这一年度自评，请重新选择年度。"
            else:
                candidates = selectors.bundle_candidates(user=request.user, year=year)
                form = BundleForm(request.POST, candidates=candidates)
                if form.is_valid():
                    try:
                        bundle = services.bundle_create(
                            user=request.user,
                            year=year,
                            department_codes=form.cleaned_data["departments"],
                        )
                    except ValidationError as refused:
                        form.add_error(None, refused)
                    else:
                        return redirect("admin:bundles_bundle_change", bundle.pk)
        if form is None:
            year = _year(request.GET.get("year"), years)
            candidates = (
                selectors.bundle_candidates(user=request.user, year=year)
                if year is not None
                else []
            )
            offered = {candidate.code for candidate in candidates}
            initial = {}
            if request.GET.get("codes"):
                initial["departments"] = [
                    code for code in request.GET["codes"].split(",") if code in offered
                ]
            form = BundleForm(initial=initial, candidates=candidates)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "打包下载报告",
            "error": error,
            "years": years,
            "year": year,
            "form": form,
            "candidates": candidates,
            "approved": sum(candidate.approved for candidate in candidates),
            "recent": selectors.bundles_of(user=request.user)[:RECENT],
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/bundles/bundle/new.html", context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The bundle's progress page: a progress bar, done / total, the time left, and the
        download link once finished (kept current by bundles/progress.js)."""
        bundle = selectors.bundle_for_user(user=request.user, bundle_id=object_id)
        services.bundle_requeue_if_stale(bundle_id=bundle.pk)
        bundle.refresh_from_db()
        codes = bundle.department_codes
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(bundle),
            "original": bundle,
            "progress": selectors.bundle_progress(bundle),
            "progress_url": reverse("admin:bundles_bundle_progress", args=[bundle.pk]),
            "download_url": reverse("admin:bundles_bundle_download", args=[bundle.pk]),
            "codes": codes,
            "again_url": reverse("admin:bundles_bundle_add")
            + f"?year={bundle.year}&codes={','.join(codes)}",
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/bundles/bundle/progress.html", context)

    @method_decorator(require_GET)
    def progress_view(self, request: HttpRequest, object_id: str) -> JsonResponse:
        """The progress as JSON, for the page's script. Polling it also puts a bundle whose
        worker died back in the queue."""
        bundle = selectors.bundle_for_user(user=request.user, bundle_id=object_id)
        if services.bundle_requeue_if_stale(bundle_id=bundle.pk):
            bundle.refresh_from_db()
        download_url = reverse("admin:bundles_bundle_download", args=[bundle.pk])
        response = JsonResponse(progress_data(bundle, download_url))
        patch_cache_control(response, no_store=True)
        return response

    @method_decorator(require_GET)
    def download_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        """The finished ZIP, to the person who asked for it only; anything else is 404."""
        bundle = selectors.bundle_for_user(user=request.user, bundle_id=object_id)
        path = services.bundle_path(bundle.pk)
        if bundle.status != Bundle.Status.DONE or not path.exists():
            raise Http404("这个压缩包还没有生成完毕。")
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=archive.archive_filename(bundle.year, len(bundle.department_codes)),
            content_type="application/zip",
        )
        patch_cache_control(response, private=True, no_cache=True)
        return response
