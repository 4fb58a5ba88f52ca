"""The one settings module. Every value a deployment may change comes from the environment
(see .env.example); the defaults suit a developer's laptop: SQLite in the project, DEBUG off
unless asked for."""

import base64
import hashlib
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_HASHES, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """An unset or empty variable means the default (so `.env.example`'s blanks are harmless)."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def _load_env_file(path: Path) -> None:
    """KEY=VALUE lines of a git-ignored `.env` (made from `.env.example` by `make run` or
    `make test`), so `manage.py` works in a set-up checkout; the real environment wins."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            os.environ.setdefault(key.strip(), value.strip())


_load_env_file(BASE_DIR / ".env")


def _local_secret_key(path: Path) -> str:
    """A development key kept in a git-ignored file, so sessions survive restarts."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (see .env.example); "
            "for local development set DEBUG=1 and a key is kept in .secret_key."
        )
    SECRET_KEY = _local_secret_key(BASE_DIR / ".secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "review.apps.SelfevalAdminConfig",  # Django's admin with the start pages (review/site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below); its checks catch old settings
    "import_export",
    "evaluations.apps.LoginThrottlingConfig",  # django-axes, login throttling: AXES_* below
    "simple_history",
    "evaluations",  # core data: departments, evaluations, their lists and figures
    "indicators",  # the indicator framework, indicator rows and scoring
    "review",  # submission, the workflow, approval, documents; the evaluation page
    "rounds",  # the finance bureau's yearly round: deadline, departments, overview, 汇总表
    "bundles",  # all reports in one ZIP, built by background tasks (TASKS below)
    "django_tasks",  # Django's tasks framework, backported (django-tasks)
    "django_tasks_db",  # its database backend: the queue in our database, `manage.py db_worker`
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files (CSS of the admin and the report) under gunicorn.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header on every page (static files above need none).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # With DEBUG on, only a superuser sees Django's technical error pages (URL patterns,
    # settings, code); everyone else the Chinese pages of templates/. Needs request.user.
    "config.middleware.PlainErrorPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records the logged-in user on every history row (who changed what).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The busiest widget, label and error-list templates written out in Python (config/form_renderer.py):
# the same HTML, the evaluation page in a fraction of the time.
FORM_RENDERER = "config.form_renderer.FastWidgetRenderer"

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        # A kept connection may have died while idle (the database restarted): Django pings it
        # before the first query of a request and reconnects, instead of failing that request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. A transaction that reads and then writes (every save and
    # approval does) cannot wait for the lock in SQLite's default DEFERRED mode: when another
    # writer holds it, it fails at once with "database is locked" (the busy timeout cannot help
    # there). IMMEDIATE takes the write lock at BEGIN, where SQLite can wait for it: concurrent
    # writers queue for up to `timeout` seconds (under gunicorn's 30 s worker timeout) instead
    # of failing (Django's SQLite notes, "Transactions behavior"). WAL lets reads go on while
    # someone writes. PostgreSQL (DATABASE_URL) locks rows and needs none of this.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The site speaks Chinese whatever the browser asks for (no LocaleMiddleware).
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Our corrections to a few of Django's Chinese field messages (see the .po file there).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# The site's own scripts and styles (the Content-Security-Policy allows no inline ones).
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed but not hashed: the PDF renderer's URL fetcher maps
    # /static/evaluations/report.css onto evaluations/static/ by its plain name.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Development and tests serve static files straight from the apps, without collectstatic.
# Fixed here because pytest-django turns settings.DEBUG off while tests run.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Importing changes data: only roles that may change the model (填报人员, 系统管理员) import;
# anyone who may see it (审核人员 too) exports. Every import runs in one transaction.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True

# History is for reading: who changed what. Reverting from the history page would bypass the
# services' rules (and could change a submitted or approved evaluation), so it is off.
SIMPLE_HISTORY_REVERT_DISABLED = True


def cache_from_url(url: str) -> dict[str, object]:
    """locmem:// (default, one process), db://TABLE (shared through the database; run
    `manage.py createcachetable`), redis://HOST:PORT/DB (shared; needs the redis package)."""
    scheme, _, rest = url.partition("://")
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    if scheme == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest}
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(f"CACHE_URL={url!r}: use locmem://, db://TABLE or redis://HOST")


CACHES = {"default": cache_from_url(env_str("CACHE_URL", "locmem://"))}

# Font families of the official report, by role (GB/T 9704-2012 §7: 仿宋 body, 黑体 "一、"
# headings, 楷体 "（一）" headings, 小标宋 title). Unset roles use the open fonts from Debian
# packages (evaluations/reports/typesetting.py DEFAULT_FONTS); a site holding licensed fonts
# names them, e.g. REPORT_FONT_BODY=FangSong_GB2312.
REPORT_FONT_ROLES = ("body", "title", "heading1", "heading2", "label", "latin", "page_number")
REPORT_FONTS = {
    role: families
    for role in REPORT_FONT_ROLES
    if (families := env_list(f"REPORT_FONT_{role.upper()}", []))
}
# Seconds a document may take to render in a request before the Chinese error page answers
# instead: under gunicorn's 30 s worker timeout, which would kill the worker without a page.
REPORT_RENDER_TIMEOUT = env_int("REPORT_RENDER_TIMEOUT", 25)

# The evaluation page at its limits (evaluations/models.py MAX_LIST_ITEMS, indicators/models.py
# MAX_INDICATOR_ROWS) posts about 1,900 fields: 5 lists × 30 entries × 5–6 fields, 60 indicator
# rows × 18 fields, the main form and the management forms. Django's default of 1,000 refused
# a page with more than about 250 entries.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2_500

# Import uploads wait for their confirmation in the app's own folder, under a name the server
# drew and checks (evaluations/tabular.py ImportTempStorage), never in the system temp folder;
# on shared storage when several app servers serve the admin.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "evaluations.tabular.ImportTempStorage"
IMPORT_TMP_DIR = Path(env_str("IMPORT_TMP_DIR", str(BASE_DIR / "media" / "imports")))

# Background tasks (Django's tasks framework through django-tasks): the ZIP of all reports is
# built by `manage.py db_worker` processes (`make run` and `make serve` start one beside the web
# server; more run on other machines against the same PostgreSQL). A site may move the queue
# to Redis without code changes: `pip install django-tasks-rq`, TASKS_BACKEND=rq and
# TASKS_REDIS_URL, and workers started with `manage.py rqworker --job-class django_tasks_rq.Job`.
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
if TASKS_BACKEND not in TASKS_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND={TASKS_BACKEND!r}: use {' or '.join(TASKS_BACKENDS)}."
    )
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        "default": {
            "URL": env_str("TASKS_REDIS_URL", "redis://127.0.0.1:6379/0"),
            # Seconds a job may run: a ZIP of a whole district renders for many minutes.
            "DEFAULT_TIMEOUT": 6 * 60 * 60,
        }
    }

# The ZIPs of reports (bundles app), and the PDFs rendered for them while they are built.
# Never served as static or media files: downloads go through a view that checks who asks.
# On storage shared by every web server and worker when they run on several machines.
BUNDLE_DIR = Path(env_str("BUNDLE_DIR", str(BASE_DIR / "media" / "bundles")))
# A bundle being built whose worker has given no sign of life for this long (it reports after
# every department, a few seconds at most) is put back in the queue: its worker was killed.
BUNDLE_STALE_SECONDS = env_int("BUNDLE_STALE_SECONDS", 120)
# How often a bundle's build may start before it is marked failed instead of requeued.
BUNDLE_MAX_ATTEMPTS = env_int("BUNDLE_MAX_ATTEMPTS", 3)
# Departments to render (not approved) per task: idle workers take such parts of a bundle.
BUNDLE_PART_SIZE = env_int("BUNDLE_PART_SIZE", 5)

LOGIN_URL = "admin:login"
# Where a login without ?next lands (Django's default, /accounts/profile/, does not exist here).
LOGIN_REDIRECT_URL = "admin:index"

# Production serving. With DEBUG off every protection is on by default; each can be turned
# off by the environment for a loopback load test (e.g. SECURE_SSL_REDIRECT=0). With DEBUG on
# (development, tests) they default to off so runserver and the test client work over http.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# One year: the minimum the HSTS preload list accepts.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Trust X-Forwarded-Proto only when a TLS-terminating proxy sets it; otherwise any client
# could claim https.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])


def _style_hash(declarations: str) -> str:
    """A CSP source allowing exactly this style="..." attribute value (with 'unsafe-hashes')."""
    digest = base64.b64encode(hashlib.sha256(declarations.encode()).digest()).decode()
    return f"'sha256-{digest}'"


# Content-Security-Policy on every page (django-csp), so that markup that ever slipped past the
# escaping could still not run or load anything: scripts and styles only from our own static
# files (no inline code: the admin's scripts are files, ours are in static/), nothing from other
# sites, no plugins, no <base> or form posts elsewhere, no framing (as X-Frame-Options: DENY).
# Images may also be data: URLs (an image runs no script). The report preview, whose typeset
# lines carry style attributes, widens style-src for itself only and runs no script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # The one inline style a third-party admin template writes (django-simple-history's
        # history list: style="border-top: 0"), allowed by its exact hash.
        "style-src-attr": [UNSAFE_HASHES, _style_hash("border-top: 0")],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Replaces those directives on the report's HTML preview (review/urls.py). Its lines arrive from
# the typesetter with their spacing in style attributes, and its page geometry and fonts in a
# <style> element; the same HTML goes to the PDF renderer, outside any request, so it carries no
# nonce. Both are numbers and checked font names (evaluations/reports/typesetting.py), user text
# is escaped, and images and fonts still come only from here; the page runs no script at all.
CONTENT_SECURITY_POLICY_REPORT_PREVIEW = {
    "style-src": [SELF, UNSAFE_INLINE],
    "style-src-attr": [UNSAFE_INLINE],  # a hash in the site's list would disable 'unsafe-inline'
    "script-src": [NONE],
}

# A working day, then log in again; closing the browser ends the session too.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Login throttling (django-axes): LOGIN_FAILURE_LIMIT wrong passwords for one username from
# one address lock that pair out for LOGIN_COOLOFF_MINUTES; other users and addresses are
# unaffected. The axes backend needs the request, so authenticate() must be given one.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True


def client_ip_behind_proxy(request: HttpRequest) -> str:
    """Behind the proxy every REMOTE_ADDR is the proxy's, so the client is the address the proxy
    appended to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for); earlier entries come from
    the client and can be forged."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR", "")


if BEHIND_TLS_PROXY:
    AXES_CLIENT_IP_CALLABLE = client_ip_behind_proxy

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools log every rendering step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
