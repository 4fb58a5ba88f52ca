from csp.decorators import csp_replace
from django.conf import settings
from django.urls import path

from review import views

app_name = "reports"

# The preview's own Content-Security-Policy (settings.CONTENT_SECURITY_POLICY_REPORT_PREVIEW).
# django-csp types a view as taking the request alone, hence the ignore.
report_preview = csp_replace(settings.CONTENT_SECURITY_POLICY_REPORT_PREVIEW)(
    views.document_preview  # type: ignore[arg-type]
)

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path(
        "<slug:department_code>/<year:year>/",
        report_preview,
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
        "<slug:department_code>/<year:year>.docx",
        views.document_download,
        {"document": "report", "fmt": "docx"},
        name="report_docx",
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
    path(
        "<slug:department_code>/<year:year>/appendix1.docx",
        views.document_download,
        {"document": "appendix1", "fmt": "docx"},
        name="appendix1_docx",
    ),
]
