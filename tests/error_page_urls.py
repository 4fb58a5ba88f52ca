"""The site's URLs plus views that fail, for tests/test_error_pages.py (@pytest.mark.urls)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

# Text that must never reach a page: what a real exception could carry.
SECRET = "SECRET-DETAIL /srv/selfeval/settings.py"


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET)


def refuses(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(SECRET)


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(SECRET)


urlpatterns = [
    *site_urlpatterns,
    path("test-errors/fails/", fails),
    path("test-errors/refuses/", refuses),
    path("test-errors/suspicious/", suspicious),
]
