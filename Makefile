# Two commands for a newcomer on Debian 12: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

# Local development: debug pages on, SECRET_KEY kept in .secret_key (git-ignored).
export DEBUG ?= 1

.PHONY: run test setup system-deps lint migrate serve-dev clean serve require-secret-key collectstatic

# The web server and, beside it, one background-task worker (`db_worker`: builds the ZIPs of
# reports). The worker runs in its own process group (setsid), so that stopping the server
# (Ctrl+C, or the server failing to start) stops it and its autoreloader, and nothing else.
run: setup migrate
	$(BIN)/python manage.py loaddata liwan_2023
	$(BIN)/python manage.py setup_roles
	$(BIN)/python manage.py create_local_admin
	$(BIN)/python manage.py requeue_stale_bundles
	@echo "打开 http://127.0.0.1:8000/ （按 Ctrl+C 停止，后台任务进程随之停止）"
	@trap 'trap - EXIT INT TERM; kill -TERM -$$worker 2>/dev/null; wait' EXIT INT TERM; \
	setsid $(BIN)/python manage.py db_worker & worker=$$!; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The browser tests (tests/e2e) drive Debian's chromium, and LibreOffice converts the Word files
# to PDF in tests/reports/test_word_libreoffice.py; only the tests need them.
test: EXTRA_DEBIAN_PACKAGES := chromium libreoffice-writer-nogui
test: setup lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

setup: system-deps $(STAMP) .env

# Local settings for manage.py (DEBUG=1 and the other defaults); never overwritten.
.env:
	cp -n .env.example .env

system-deps:
	@scripts/system-deps.sh $(EXTRA_DEBIAN_PACKAGES)
	@scripts/install-fonts.sh

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

# Production (README "Production"): gunicorn on the configured DATABASE_URL, static files served
# by whitenoise, DEBUG off whatever the environment says, access log on stdout. Put a TLS proxy
# in front. Address and workers from the environment; 2 x CPUs + 1 workers is gunicorn's advice.
# An empty variable (as in .env.example) means the default, like in config/settings.py.
SERVE_HOST := $(or $(SERVE_HOST),127.0.0.1)
SERVE_PORT := $(or $(SERVE_PORT),8000)
SERVE_WORKERS := $(or $(SERVE_WORKERS),$(shell echo $$((2 * $$(nproc) + 1))))

serve: export DEBUG := 0
serve: require-secret-key setup migrate collectstatic
	$(BIN)/python manage.py requeue_stale_bundles
	@trap 'trap - EXIT INT TERM; for pid in $$workers; do kill -TERM -$$pid 2>/dev/null; done; wait' \
		EXIT INT TERM; \
	workers=; for i in $$(seq $${TASK_WORKERS:-1}); do \
		setsid $(BIN)/python manage.py db_worker & workers="$$workers $$!"; \
	done; \
	$(BIN)/gunicorn config.wsgi:application --bind $(SERVE_HOST):$(SERVE_PORT) \
		--workers $(SERVE_WORKERS) --access-logfile - --error-logfile -

require-secret-key:
	@test -n "$$SECRET_KEY" || { \
		echo "make serve: SECRET_KEY is not set. Generate one with" >&2; \
		echo "  python3 -c 'import secrets; print(secrets.token_urlsafe(50))'" >&2; \
		echo "and export it (see .env.example and README, section Production)." >&2; \
		exit 1; }

collectstatic: $(STAMP)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/mypy

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
