"""Production serving (issue 5 §4): deploy checks, HTTPS settings, login throttling, sessions and
static files under gunicorn."""

import base64
import hashlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.template import loader
from django.urls import reverse

from config.settings import client_ip_behind_proxy

PROJECT = Path(__file__).resolve().parents[1]

# Variables a developer's shell may hold that would change what the production settings are.
PRODUCTION_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "STATIC_ROOT",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "CSRF_TRUSTED_ORIGINS",
    "SESSION_COOKIE_AGE",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_COOLOFF_MINUTES",
}


def production_env(**overrides: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES}
    return {
        **clean,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.gov.cn",
        **overrides,
    }


SECURITY_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "CSRF_TRUSTED_ORIGINS",
)


def settings_in_a_fresh_process(env: dict[str, str]) -> dict[str, object]:
    script = (
        "import json, config.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {SECURITY_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=PROJECT,
        env=production_env(),
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_with_debug_off_every_https_protection_is_on():
    values = settings_in_a_fresh_process(production_env())

    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": None,
        "CSRF_TRUSTED_ORIGINS": [],
    }


def test_each_protection_can_be_turned_off_for_a_loopback_run():
    values = settings_in_a_fresh_process(
        production_env(
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            SECURE_HSTS_SECONDS="0",
            SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
            SECURE_HSTS_PRELOAD="0",
        )
    )

    assert not any(values[name] for name in SECURITY_SETTINGS)


def test_development_keeps_the_protections_off_so_runserver_works_over_http():
    values = settings_in_a_fresh_process(production_env(DEBUG="1"))

    assert not any(values[name] for name in SECURITY_SETTINGS)


def test_the_forwarded_scheme_is_trusted_only_behind_a_tls_proxy():
    values = settings_in_a_fresh_process(
        production_env(
            BEHIND_TLS_PROXY="1",
            CSRF_TRUSTED_ORIGINS="https://selfeval.example.gov.cn,https://pj.example.gov.cn",
        )
    )

    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "https://selfeval.example.gov.cn",
        "https://pj.example.gov.cn",
    ]


def test_behind_the_proxy_the_client_is_the_address_the_proxy_appended(rf):
    request = rf.get(
        "/admin/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )

    assert client_ip_behind_proxy(request) == "203.0.113.7"


# Login throttling -----------------------------------------------------------------------------

LOCKOUT_MESSAGE = "该用户名已连续 5 次输入错误的密码，为保护账户安全，登录已暂停。"


@pytest.fixture
def two_staff_users(db):
    users = get_user_model().objects
    users.create_user(username="zhang", password="right-pw-zhang", is_staff=True)
    users.create_user(username="li", password="right-pw-li", is_staff=True)


def log_in(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_five_wrong_passwords_lock_the_user_out_with_a_chinese_page(client, two_staff_users):
    for _ in range(4):
        assert log_in(client, "zhang", "wrong").status_code == 200

    fifth = log_in(client, "zhang", "wrong")
    sixth = log_in(client, "zhang", "wrong")

    for response in (fifth, sixth):
        assert response.status_code == 429
        assert LOCKOUT_MESSAGE in response.text
        assert "请 60 分钟后再试，或联系系统管理员解除锁定。" in response.text


def test_a_locked_out_user_is_refused_even_with_the_right_password(client, two_staff_users):
    for _ in range(5):
        log_in(client, "zhang", "wrong")

    response = log_in(client, "zhang", "right-pw-zhang")

    assert response.status_code == 429
    assert LOCKOUT_MESSAGE in response.text
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_user_and_address(client, two_staff_users):
    for _ in range(5):
        log_in(client, "zhang", "wrong")

    other_user = log_in(client, "li", "right-pw-li")
    client.logout()
    same_user_elsewhere = log_in(client, "zhang", "right-pw-zhang", address="10.0.0.2")

    assert other_user.status_code == 302
    assert same_user_elsewhere.status_code == 302


# Sessions -------------------------------------------------------------------------------------


def test_a_session_lasts_eight_hours_and_ends_when_the_browser_closes(client, two_staff_users):
    response = log_in(client, "zhang", "right-pw-zhang")

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert response.status_code == 302
    assert client.session.get_expiry_age() == 8 * 60 * 60
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"] is True


def test_logging_in_without_next_lands_on_the_admin_index(client, two_staff_users):
    response = client.post(
        reverse("admin:login"), {"username": "zhang", "password": "right-pw-zhang"}, follow=True
    )

    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    assert response.status_code == 200
    assert "填报与审核" in response.text


# Content-Security-Policy ----------------------------------------------------------------------

SITE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy_of(header: str) -> dict[str, list[str]]:
    """The directives of a Content-Security-Policy header (django-csp writes them in any order)."""
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def test_the_login_page_carries_the_site_policy(client, db):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert policy_of(response["Content-Security-Policy"]) == SITE_POLICY


@pytest.mark.parametrize(
    "page",
    [
        "admin:index",
        "admin:evaluations_evaluation_changelist",
        "admin:evaluations_evaluation_change",
        "admin:evaluations_evaluation_import",
        "admin:evaluations_evaluation_history",
    ],
)
def test_admin_pages_carry_the_site_policy(staff_client, evaluation, page):
    args = [evaluation.pk] if page.endswith(("_change", "_history")) else []

    response = staff_client.get(reverse(page, args=args))

    assert response.status_code == 200
    assert policy_of(response["Content-Security-Policy"]) == SITE_POLICY


def test_the_report_preview_allows_its_inline_styles_and_no_script(staff_client, evaluation):
    response = staff_client.get(
        reverse("reports:report_preview", args=[evaluation.department.code, evaluation.year])
    )

    assert response.status_code == 200
    assert policy_of(response["Content-Security-Policy"]) == {
        **SITE_POLICY,
        "style-src": ["'self'", "'unsafe-inline'"],
        "style-src-attr": ["'unsafe-inline'"],
        "script-src": ["'none'"],
    }


def test_the_one_hashed_inline_style_is_the_one_the_history_page_writes():
    """django-simple-history's history list writes one style attribute; the site policy allows
    exactly it by its hash. An upgrade that changes it fails here, not silently in browsers."""
    template = loader.get_template("simple_history/object_history_list.html")
    styles = set(re.findall(r'style="([^"]*)"', Path(template.origin.name).read_text()))
    allowed = SITE_POLICY["style-src-attr"][1:]

    assert styles == {"border-top: 0"}
    assert allowed == [
        "'sha256-{}'".format(base64.b64encode(hashlib.sha256(b"border-top: 0").digest()).decode())
    ]


# The site policy allows no inline script or style, so our templates hold none. The documents'
# templates are exempt: WeasyPrint reads them, and the report's is also the preview, which has
# its own policy (above).
PDF_TEMPLATES = {"reports/evaluation_report.html", "indicators/appendix1.html"}
INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+\s*=|\sstyle\s*=", re.I)


def test_no_template_of_ours_has_an_inline_script_style_or_event_handler():
    templates = PROJECT / "templates"
    found = {
        str(path.relative_to(templates)): INLINE_CODE.findall(path.read_text())
        for path in templates.rglob("*.html")
        if str(path.relative_to(templates)) not in PDF_TEMPLATES
    }

    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_error_page_takes_its_style_from_a_static_file():
    page = loader.render_to_string("500.html")

    assert "<style" not in page
    assert '<link rel="stylesheet" href="/static/selfeval/error-page.css">' in page
    assert finders.find("selfeval/error-page.css") is not None


# Static files under gunicorn -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Fetched(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


def get(url: str, **headers: str) -> Fetched:
    """Read and close the response: an open connection would hold gunicorn's only worker for its
    keep-alive time."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return Fetched(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, dict(error.headers), error.read())


def test_gunicorn_serves_the_collected_static_files_and_the_login_page(tmp_path):
    env = production_env(
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
    )
    base = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
            *("--bind", base.removeprefix("http://"), "--workers", "1"),
            *("--access-logfile", "-", "--no-control-socket"),
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), 0.2).close()
                break
            except OSError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)

        css = get(f"{base}/static/evaluations/report.css")
        gzipped = get(f"{base}/static/evaluations/report.css", **{"Accept-Encoding": "gzip"})
        login = get(f"{base}/admin/login/")
    finally:
        server.terminate()
        access_log, _ = server.communicate(timeout=10)

    source = PROJECT / "evaluations" / "static" / "evaluations" / "report.css"
    assert css.status == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert css.body == source.read_bytes()
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert login.status == 200
    assert "部门整体支出绩效自评" in login.body.decode()
    assert policy_of(login.headers["Content-Security-Policy"]) == SITE_POLICY
    assert "GET /static/evaluations/report.css" in access_log
