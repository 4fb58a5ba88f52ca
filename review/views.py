"""The documents' URLs: one preview and one download view for every document and format."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from evaluations.models import Evaluation
from evaluations.reports.pdf import RenderError, render_deadline
from review import documents, verification
from review.forms import VerifyForm

logger = logging.getLogger(__name__)


def disposition(filename: str, *, attachment: bool) -> str:
    """The Content-Disposition of a file under its Chinese name (RFC 6266/5987)."""
    value = content_disposition_header(as_attachment=attachment, filename=filename)
    return value or ("attachment" if attachment else "inline")  # None only without a name


def file_download(
    request: HttpRequest,
    *,
    filename: str,
    content: Callable[[], bytes],
    content_type: str,
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
    # django-stubs types the header as optional; it is None only inline without a file name.
    response["Content-Disposition"] = disposition(filename, attachment=True)
    # Logged-in content: browsers may keep it but must ask again (and get 304) each time.
    patch_cache_control(response, private=True, no_cache=True)
    return response


def render_failed(request: HttpRequest, evaluation: Evaluation, document: str) -> HttpResponse:
    """Call inside `except RenderError`: logs the error with its traceback, naming the
    evaluation, and answers 500 with a Chinese explanation. The worker stays usable."""
    logger.exception(
        "%s render failed for %s (department %s, year %s)",
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
def document_preview(
    request: HttpRequest, department_code: str, year: int, document: str
) -> HttpResponse:
    """The document as HTML, laid out as it prints; for an approved evaluation, the PDF stored
    at approval, shown in the browser (what was approved, whatever changed since)."""
    kind = documents.DOCUMENTS[document]
    evaluation = documents.document_evaluation_for_user(
        request.user, department_code=department_code, year=year
    )
    stored = documents.stored(kind, evaluation, "pdf")
    if stored is not None:
        response = HttpResponse(stored.content(), content_type=stored.content_type)
        response["Content-Disposition"] = disposition(stored.filename, attachment=False)
        return response
    return HttpResponse(kind.html(kind.source(evaluation)))


@require_GET
@login_required
def document_download(
    request: HttpRequest, department_code: str, year: int, document: str, fmt: str
) -> HttpResponse:
    """An approved evaluation's stored PDF, byte for byte; otherwise the file from the cache
    keyed by its content, rendered on a miss. ETag and 304 either way."""
    kind = documents.DOCUMENTS[document]
    evaluation = documents.document_evaluation_for_user(
        request.user, department_code=department_code, year=year
    )
    rendition = documents.rendition(kind, evaluation, fmt)
    try:
        with render_deadline(settings.REPORT_RENDER_TIMEOUT):
            return file_download(
                request,
                filename=rendition.filename,
                content=rendition.content,
                content_type=rendition.content_type,
                etag=rendition.etag,
            )
    except documents.DocumentTooLarge as error:
        return render(request, "500.html", {"message": str(error)}, status=422)
    except RenderError:
        return render_failed(request, evaluation, kind.title)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """核验报告: anyone logged in uploads a copy (or types its code or SHA-256) and learns
    whether it is an approved report the system holds, a draft, or nothing it made."""
    verdict = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload is not None:
                verdict = verification.verify_file(upload.read(), request.user)
            else:
                verdict = verification.verify_text(form.cleaned_data["code"], request.user)
    else:
        form = VerifyForm(initial={"code": request.GET.get("code", "")})
    context = {
        **admin.site.each_context(request),
        "title": "核验报告",
        "form": form,
        "verdict": verdict,
    }
    return render(request, "reports/verify.html", context)
