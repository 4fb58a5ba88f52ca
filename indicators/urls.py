from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path(
        "<slug:department_code>/<year:year>/appendix1.pdf",
        views.appendix1_pdf,
        name="appendix1_pdf",
    ),
    path(
        "<slug:department_code>/<year:year>/appendix1.xlsx",
        views.appendix1_xlsx,
        name="appendix1_xlsx",
    ),
]
