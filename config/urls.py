from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.generic import RedirectView


class YearConverter:
    """Four digits: a year that fits the database (an overlong number is a 404, not an
    integer overflow in the query)."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:04d}"


# Registered before the includes below import the apps' URL modules, which use it.
register_converter(YearConverter, "year")

admin.site.site_header = "部门整体支出绩效自评"
admin.site.site_title = "绩效自评"
admin.site.index_title = "填报与审核"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="root"),
    path("admin/", admin.site.urls),
    path("reports/", include("review.urls")),
]
