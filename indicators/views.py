from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from evaluations import access
from evaluations import selectors as evaluation_selectors
from evaluations.models import ApprovedReport, Evaluation
from evaluations.reports.pdf import RenderError
from evaluations.views import pdf_download, render_failed
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


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@login_required
def appendix1_pdf(request: HttpRequest, department_code: str, year: int) -> HttpResponse:
    """An approved evaluation's stored 自评表, byte for byte; otherwise rendered now."""
    evaluation = _evaluation_for(request, department_code, year)
    table = appendix1.appendix1_for(evaluation)
    filename = appendix1.appendix1_filename(table, "pdf")
    stored = evaluation_selectors.approved_report(
        evaluation=evaluation, appendix=ApprovedReport.Appendix.SCORE_TABLE
    )
    if stored is not None:
        return pdf_download(
            request, etag=stored.sha256, filename=filename, content=lambda: bytes(stored.pdf)
        )
    try:
        content = appendix1.appendix1_pdf(table)
    except RenderError:
        return render_failed(request, evaluation, "附件1 自评表")
    return _download(content, content_type="application/pdf", filename=filename)


@require_GET
@login_required
def appendix1_xlsx(request: HttpRequest, department_code: str, year: int) -> HttpResponse:
    table = appendix1.appendix1_for(_evaluation_for(request, department_code, year))
    return _download(
        appendix1.appendix1_xlsx(table),
        content_type=XLSX_TYPE,
        filename=appendix1.appendix1_filename(table, "xlsx"),
    )
