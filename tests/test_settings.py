import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

PROJECT = Path(__file__).resolve().parents[1]


def import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.DATABASES['default']['ENGINE'])",
        ],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = import_settings(DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_bad_boolean_fails_loudly():
    result = import_settings(DEBUG="maybe", SECRET_KEY="x" * 50)

    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("", "django.db.backends.sqlite3"),
        ("postgres://u:p@127.0.0.1:5432/selfeval", "django.db.backends.postgresql"),
    ],
)
def test_the_database_comes_from_database_url(url, engine):
    result = import_settings(DEBUG="0", SECRET_KEY="x" * 50, DATABASE_URL=url)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == engine


# SQLite: concurrent writers queue ------------------------------------------------------------


def database_options(**env: str) -> dict[str, object]:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, config.settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))",
        ],
        cwd=PROJECT,
        env={**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sqlite_takes_the_write_lock_at_begin_and_waits_for_it():
    assert database_options(DATABASE_URL="") == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL",
    }


def test_postgresql_keeps_its_own_options():
    assert database_options(DATABASE_URL="postgres://u:p@127.0.0.1:5432/selfeval") == {}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's transaction mode")
def test_the_test_database_connection_uses_immediate_transactions_and_a_busy_timeout():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (busy_timeout,) = cursor.fetchone()

    assert connection.transaction_mode == "IMMEDIATE"
    assert busy_timeout == 20_000


# Two threads, each its own connection to one SQLite file, read a counter and write it back
# inside transaction.atomic(), the first holding its transaction until the second has read (or
# for two seconds, if the second cannot start). Settings as configured, or with SQLite's default
# DEFERRED mode for comparison.
TWO_WRITERS = r"""
import json, sys, threading, time
from django.conf import settings
if sys.argv[1] == "deferred":
    settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] = "DEFERRED"
import django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE counter (value INTEGER NOT NULL)")
    cursor.execute("INSERT INTO counter VALUES (0)")
connection.close()
first_read, second_read = threading.Event(), threading.Event()
outcomes = {}

def increment(name, before, after):
    try:
        before.wait(5)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT value FROM counter")
            (value,) = cursor.fetchone()
            after.set()
            if name == "first":
                second_read.wait(2)
            cursor.execute("UPDATE counter SET value = %s", [value + 1])
        outcomes[name] = "saved"
    except Exception as error:
        outcomes[name] = f"{type(error).__name__}: {error}"
    finally:
        connection.close()

go = threading.Event()
go.set()
threads = [
    threading.Thread(target=increment, args=("first", go, first_read)),
    threading.Thread(target=increment, args=("second", first_read, second_read)),
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT value FROM counter")
    print(json.dumps({"outcomes": outcomes, "counter": cursor.fetchone()[0]}))
"""


def two_writers(tmp_path: Path, mode: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", TWO_WRITERS, mode],
        cwd=PROJECT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": "x" * 50,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_two_writers_on_a_sqlite_file_queue_and_both_save(tmp_path):
    result = two_writers(tmp_path, "configured")

    assert result == {"outcomes": {"first": "saved", "second": "saved"}, "counter": 2}


def test_in_sqlites_default_mode_one_of_two_writers_fails(tmp_path):
    """What the configured mode prevents (and proof that the test above can fail)."""
    result = two_writers(tmp_path, "deferred")

    outcomes = sorted(result["outcomes"].values())
    assert outcomes == ["OperationalError: database is locked", "saved"]
    assert result["counter"] == 1
