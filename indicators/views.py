from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from evaluations import access
from evaluations import selectors as evaluation_selectors
from evaluations.models import ApprovedReport, Evaluation
from evaluations.reports.pdf import RenderError
from evaluations.views import file_download, render_failed
from indicators import selectors
from indicators.reports import appendix1

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _evaluation_for(request: HttpRequest, department_code: str, year: int) -> Evaluation:
    """The evaluation behind a 附件1 URL; 404 when there is none or the user may not see it."""
    return access.evaluation_for_user(
        request.user,
        department_code=department_code,
        year=year,
        queryset=selectors.evaluations_for_appendix(),
    )


@require_GET
@login_required
def appendix1_pdf(request: HttpRequest, department_code: str, year: int) -> HttpResponse:
    """An approved evaluation's stored 自评表, byte for byte; otherwise rendered now."""
    evaluation = _evaluation_for(request, department_code, year)
    filename = appendix1.appendix1_filename(evaluation, "pdf")
    stored = evaluation_selectors.approved_report(
        evaluation=evaluation, appendix=ApprovedReport.Appendix.SCORE_TABLE
    )
    if stored is not None:
        return file_download(
            request, etag=stored.sha256, filename=filename, content=lambda: bytes(stored.pdf)
        )
    try:
        content = appendix1.appendix1_pdf(appendix1.appendix1_for(evaluation))
    except RenderError:
        return render_failed(request, evaluation, "附件1 自评表")
    return file_download(request, filename=filename, content=lambda: content)


@require_GET
@login_required
def appendix1_xlsx(request: HttpRequest, department_code: str, year: int) -> HttpResponse:
    evaluation = _evaluation_for(request, department_code, year)
    return file_download(
        request,
        filename=appendix1.appendix1_filename(evaluation, "xlsx"),
        content=lambda: appendix1.appendix1_xlsx(appendix1.appendix1_for(evaluation)),
        content_type=XLSX_TYPE,
    )
