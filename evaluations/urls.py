from django.urls import path

from evaluations import views

app_name = "evaluations"

urlpatterns = [
    path("<slug:department_code>/<year:year>/", views.report_preview, name="report_preview"),
    path("<slug:department_code>/<year:year>.pdf", views.report_pdf, name="report_pdf"),
]
