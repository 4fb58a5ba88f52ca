"""With DEBUG on, Django answers errors with its technical pages: the URL patterns, the settings,
the code around the failing line. Only a superuser (the developer) sees them; everyone else gets
the Chinese pages in templates/, as with DEBUG off."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import get_resolver, get_urlconf

logger = logging.getLogger(__name__)


def _sees_debug_pages(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return not settings.DEBUG or bool(getattr(user, "is_superuser", False))


def _error_page(request: HttpRequest, status: int, exception: Exception) -> HttpResponse:
    """The page Django shows with DEBUG off: the URLconf's handler400/404/500 (by default
    django.views.defaults, which render templates/<status>.html)."""
    # handler400/403/404 take the exception too (django-stubs types them all as the 500 one).
    handler: Callable[..., HttpResponse] = get_resolver(get_urlconf()).resolve_error_handler(status)
    if status == 500:
        return handler(request)
    return handler(request, exception=exception)


class PlainErrorPagesMiddleware:
    """Needs request.user: goes after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A URL that matches no pattern raises Resolver404 before any view or process_exception
        # runs; Django has already turned it into the technical 404 page, listing the URLconf.
        # No view was resolved then (resolver_match is still None). Keep that response, with
        # the headers and cookies the inner middleware gave it, and replace its page.
        if (
            response.status_code == 404
            and request.resolver_match is None
            and not _sees_debug_pages(request)
        ):
            page = _error_page(request, 404, Http404())
            response.content = page.content
            response["Content-Type"] = page["Content-Type"]
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if _sees_debug_pages(request):
            return None  # Django's own handling
        if isinstance(exception, Http404):
            return _error_page(request, 404, exception)
        if isinstance(exception, PermissionDenied | MultiPartParserError):
            return None  # Django shows the 403 or 400 page whether DEBUG is on or not
        if isinstance(exception, BadRequest | SuspiciousOperation):
            logger.warning("Bad request: %s", request.path, exc_info=exception)
            return _error_page(request, 400, exception)
        # As Django does for an uncaught exception (error reporting listens to this signal).
        signals.got_request_exception.send(sender=None, request=request)
        logger.exception("Internal Server Error: %s", request.path, exc_info=exception)
        return _error_page(request, 500, exception)
