from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from evaluations.models import Evaluation
from indicators import selectors
from indicators.reports import appendix1

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _evaluation_for(request: HttpRequest, department_code: str, year: int) -> Evaluation:
    """The evaluation behind a 附件1 URL: 403 for a department the user may not see, 404 when
    there is none."""
    codes = selectors.visible_department_codes(request.user)
    if codes is not None and department_code not in codes:
        raise PermissionDenied
    return selectors.evaluation_for_appendix(department_code=department_code, year=year)


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
    table = appendix1.appendix1_for(_evaluation_for(request, department_code, year))
    return _download(
        appendix1.appendix1_pdf(table),
        content_type="application/pdf",
        filename=appendix1.appendix1_filename(table, "pdf"),
    )


@require_GET
@login_required
def appendix1_xlsx(request: HttpRequest, department_code: str, year: int) -> HttpResponse:
    table = appendix1.appendix1_for(_evaluation_for(request, department_code, year))
    return _download(
        appendix1.appendix1_xlsx(table),
        content_type=XLSX_TYPE,
        filename=appendix1.appendix1_filename(table, "xlsx"),
    )
