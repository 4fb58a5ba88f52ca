from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from evaluations import selectors
from evaluations.reports import report


@require_GET
@login_required
def report_preview(request: HttpRequest, department_code: str, year: int) -> HttpResponse:
    evaluation = selectors.evaluation_for_report(department_code=department_code, year=year)
    return HttpResponse(report.report_html(evaluation))


@require_GET
@login_required
def report_pdf(request: HttpRequest, department_code: str, year: int) -> HttpResponse:
    """The PDF, served from a cache keyed by the report's content; a conditional request for an
    unchanged report gets 304 without rendering."""
    evaluation = selectors.evaluation_for_report(department_code=department_code, year=year)
    key = report.report_key(evaluation)
    etag = f'"{key}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    response = HttpResponse(
        report.cached_report_pdf(evaluation, key=key), content_type="application/pdf"
    )
    response["ETag"] = etag
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=report.report_filename(evaluation)
    )
    # Logged-in content: browsers may keep it but must ask again (and get 304) each time.
    patch_cache_control(response, private=True, no_cache=True)
    return response
