from django.urls import path

from review import views

app_name = "reports"

urlpatterns = [
    path(
        "<slug:department_code>/<year:year>/",
        views.document_preview,
        {"document": "report"},
        name="report_preview",
    ),
    path(
        "<slug:department_code>/<year:year>.pdf",
        views.document_download,
        {"document": "report", "fmt": "pdf"},
        name="report_pdf",
    ),
    path(
        "<slug:department_code>/<year:year>/appendix1.pdf",
        views.document_download,
        {"document": "appendix1", "fmt": "pdf"},
        name="appendix1_pdf",
    ),
    path(
        "<slug:department_code>/<year:year>/appendix1.xlsx",
        views.document_download,
        {"document": "appendix1", "fmt": "xlsx"},
        name="appendix1_xlsx",
    ),
]
