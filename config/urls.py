from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "部门整体支出绩效自评"
admin.site.site_title = "绩效自评"
admin.site.index_title = "填报与审核"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="root"),
    path("admin/", admin.site.urls),
    path("reports/", include("indicators.urls")),
    path("reports/", include("evaluations.urls")),
]
