"""The error pages are Chinese and tell nothing about the site (config/middleware.py,
templates/400.html, 403.html, 403_csrf.html, 404.html, 500.html): not its URL patterns, paths or
exception texts, whether DEBUG is on or not. Only a superuser with DEBUG on sees Django's
technical pages."""

import logging

import pytest
from django.test import Client
from django.views.defaults import bad_request, page_not_found, permission_denied, server_error

from tests.error_page_urls import SECRET

# What Django's technical pages show (and the exception text of an evaluation that is not
# found, review/admin.py): none of it may reach a department user.
LEAKS = (
    "Using the URLconf",
    "Django tried these URL patterns",
    "Raised by",
    "Traceback",
    "reports/",
    "department_code",
    "没有找到这份自评",
    SECRET,
)
UNKNOWN_URL = "/no-such-page/"
# A view that raises Http404: the evaluation is another department's, or does not exist.
MISSING_EVALUATION_URL = "/admin/evaluations/evaluation/999999/change/"


def page_text(response) -> str:
    return response.content.decode()


def template_names(response) -> list[str | None]:
    return [template.name for template in response.templates]


def assert_plain_chinese_page(response, *, status: int, heading: str, template: str) -> None:
    text = page_text(response)
    assert response.status_code == status
    assert heading in text
    assert template in template_names(response)
    assert [leak for leak in LEAKS if leak in text] == []


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
@pytest.mark.parametrize("url", [UNKNOWN_URL, MISSING_EVALUATION_URL], ids=["no-pattern", "view"])
def test_a_department_user_gets_the_chinese_404_page_without_the_url_patterns(
    make_user, department, settings, debug, url
):
    settings.DEBUG = debug
    filler = make_user("tianbao", role="filler", department=department)

    response = filler.get(url)

    assert_plain_chinese_page(
        response, status=404, heading="页面不存在（404）", template="404.html"
    )
    assert '<a href="/admin/">返回首页</a>' in page_text(response)


@pytest.mark.django_db
def test_an_anonymous_visitor_with_debug_on_gets_the_chinese_404_page(client, settings):
    settings.DEBUG = True

    response = client.get(UNKNOWN_URL)

    assert_plain_chinese_page(
        response, status=404, heading="页面不存在（404）", template="404.html"
    )


def test_the_replaced_404_page_keeps_the_headers_the_other_middleware_set(
    make_user, department, settings
):
    settings.DEBUG = True
    filler = make_user("tianbao", role="filler", department=department)

    response = filler.get(UNKNOWN_URL)

    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_a_superuser_with_debug_on_still_gets_djangos_technical_404_page(staff_client, settings):
    settings.DEBUG = True

    unknown = page_text(staff_client.get(UNKNOWN_URL))
    raised = staff_client.get("/admin/evaluations/evaluation/999999/change/")

    assert "Using the URLconf" in unknown and "reports/" in unknown
    assert raised.status_code == 404
    assert "Raised by" in page_text(raised)
    assert "404.html" not in template_names(raised)


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_a_post_without_the_csrf_token_gets_the_chinese_csrf_page_and_changes_nothing(
    make_user, department, settings, debug
):
    settings.DEBUG = debug
    filler = make_user("tianbao", role="filler", department=department)
    client = Client(enforce_csrf_checks=True)
    client.force_login(filler.user)

    response = client.post(
        "/admin/password_change/",
        {
            "old_password": "correct-horse-battery-9",
            "new_password1": "another-horse-battery-7",
            "new_password2": "another-horse-battery-7",
        },
    )

    assert_plain_chinese_page(
        response, status=403, heading="安全校验未通过（403）", template="403_csrf.html"
    )
    assert "CSRF verification failed" not in page_text(response)
    filler.user.refresh_from_db()
    assert filler.user.check_password("correct-horse-battery-9")


@pytest.mark.urls("tests.error_page_urls")
@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_a_refused_request_gets_the_chinese_403_page_without_the_reason(
    make_user, department, settings, debug
):
    settings.DEBUG = debug
    filler = make_user("tianbao", role="filler", department=department)

    response = filler.get("/test-errors/refuses/")

    assert_plain_chinese_page(response, status=403, heading="没有权限（403）", template="403.html")


@pytest.mark.urls("tests.error_page_urls")
@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_a_suspicious_request_gets_the_chinese_400_page(make_user, department, settings, debug):
    settings.DEBUG = debug
    filler = make_user("tianbao", role="filler", department=department)

    response = filler.get("/test-errors/suspicious/")

    assert_plain_chinese_page(response, status=400, heading="请求有误（400）", template="400.html")


@pytest.mark.urls("tests.error_page_urls")
@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_a_failing_view_gives_a_department_user_the_chinese_500_page(
    make_user, department, settings, debug
):
    settings.DEBUG = debug
    filler = make_user("tianbao", role="filler", department=department)
    filler.raise_request_exception = False

    response = filler.get("/test-errors/fails/")

    assert_plain_chinese_page(
        response, status=500, heading="服务器出错（500）", template="500.html"
    )


@pytest.mark.urls("tests.error_page_urls")
def test_with_debug_on_the_hidden_exception_is_logged_with_its_traceback(
    make_user, department, settings, caplog
):
    settings.DEBUG = True
    filler = make_user("tianbao", role="filler", department=department)
    filler.raise_request_exception = False

    with caplog.at_level(logging.ERROR, logger="config.middleware"):
        filler.get("/test-errors/fails/")

    [record] = [r for r in caplog.records if r.name == "config.middleware"]
    assert record.getMessage() == "Internal Server Error: /test-errors/fails/"
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == SECRET


@pytest.mark.urls("tests.error_page_urls")
def test_a_superuser_with_debug_on_still_gets_djangos_technical_500_page(staff_client, settings):
    settings.DEBUG = True
    staff_client.raise_request_exception = False

    response = staff_client.get("/test-errors/fails/")

    assert response.status_code == 500
    assert "Traceback" in page_text(response) and SECRET in page_text(response)


@pytest.mark.parametrize(
    ("handler", "status", "heading", "template"),
    [
        (bad_request, 400, "请求有误（400）", "400.html"),
        (permission_denied, 403, "没有权限（403）", "403.html"),
        (page_not_found, 404, "页面不存在（404）", "404.html"),
    ],
)
def test_djangos_error_handlers_render_the_chinese_pages(rf, handler, status, heading, template):
    request = rf.get("/private-path/")

    response = handler(request, exception=Exception(SECRET))

    text = page_text(response)
    assert response.status_code == status
    assert heading in text
    assert '<a href="/admin/">返回首页</a>' in text
    assert SECRET not in text and "/private-path/" not in text
    assert '<link rel="stylesheet" href="/static/selfeval/error-page.css">' in text


def test_djangos_500_handler_renders_the_chinese_page(rf):
    response = server_error(rf.get("/private-path/"))

    assert response.status_code == 500
    assert "服务器出错（500）" in page_text(response)
    assert "/private-path/" not in page_text(response)
