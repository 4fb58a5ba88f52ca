# Two commands for a newcomer on Debian 12: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

# Local development: debug pages on, SECRET_KEY kept in .secret_key (git-ignored).
export DEBUG ?= 1

.PHONY: run test setup system-deps lint migrate serve-dev clean

run: setup migrate
	$(BIN)/python manage.py loaddata liwan_2023
	$(BIN)/python manage.py create_local_admin
	@echo "打开 http://127.0.0.1:8000/ （按 Ctrl+C 停止）"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: setup lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

setup: system-deps $(STAMP)

system-deps:
	@scripts/system-deps.sh

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
