import logging
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from evaluations import access, selectors
from evaluations.models import ApprovedReport, Evaluation
from evaluations.reports import report
from evaluations.reports.pdf import RenderError

logger = logging.getLogger(__name__)


def _evaluation(request: HttpRequest, department_code: str, year: int) -> Evaluation:
    return access.evaluation_for_user(
        request.user,
        department_code=department_code,
        year=year,
        queryset=selectors.evaluations_for_report(),
    )


def file_download(
    request: HttpRequest,
    *,
    filename: str,
    content: Callable[[], bytes],
    content_type: str = "application/pdf",
    etag: str | None = None,
) -> HttpResponse:
    """A download under its Chinese file name (RFC 6266/5987). With an ETag, a conditional
    request for the same content gets 304 and `content` is not even called."""
    if etag is not None:
        etag = f'"{etag}"'
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return not_modified
    response = HttpResponse(content(), content_type=content_type)
    if etag is not None:
        response["ETag"] = etag
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    # Logged-in content: browsers may keep it but must ask again (and get 304) each time.
    patch_cache_control(response, private=True, no_cache=True)
    return response


def render_failed(request: HttpRequest, evaluation: Evaluation, document: str) -> HttpResponse:
    """Call inside `except RenderError`: logs the error with its traceback, naming the
    evaluation, and answers 500 with a Chinese explanation. The worker stays usable."""
    logger.exception(
        "%s PDF render failed for %s (department %s, year %s)",
        document,
        evaluation,
        evaluation.department.code,
        evaluation.year,
    )
    message = (
        f"“{evaluation}”的{document}生成失败（服务器排版出错，例如缺少字体），错误已记录。"
        "请稍后重试；如果仍然失败，请联系系统管理员。"
    )
    return render(request, "500.html", {"message": message}, status=500)


@require_GET
@login_required
def report_preview(request: HttpRequest, department_code: str, year: int) -> HttpResponse:
    return HttpResponse(report.report_html(_evaluation(request, department_code, year)))


@require_GET
@login_required
def report_pdf(request: HttpRequest, department_code: str, year: int) -> HttpResponse:
    """An approved report's stored PDF, byte for byte; otherwise the PDF from a cache keyed by
    the report's content."""
    evaluation = _evaluation(request, department_code, year)
    filename = report.report_filename(evaluation)
    stored = selectors.approved_report(
        evaluation=evaluation, appendix=ApprovedReport.Appendix.REPORT
    )
    if stored is not None:
        return file_download(
            request, etag=stored.sha256, filename=filename, content=lambda: bytes(stored.pdf)
        )
    key = report.report_key(evaluation)
    try:
        return file_download(
            request,
            etag=key,
            filename=filename,
            content=lambda: report.cached_report_pdf(evaluation, key=key),
        )
    except RenderError:
        return render_failed(request, evaluation, "附件2 自评报告")
