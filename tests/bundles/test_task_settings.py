"""The task backend comes from the environment: the database by default, RQ when asked, and
nothing else."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PROJECT = Path(__file__).resolve().parents[2]


def settings_with(**env: str) -> subprocess.CompletedProcess:
    script = (
        "import json, config.settings as s; print(json.dumps({'tasks': s.TASKS, "
        "'apps': s.INSTALLED_APPS, 'rq': getattr(s, 'RQ_QUEUES', None)}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
    )


def test_the_default_backend_is_the_database():
    assert settings.TASKS == {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    assert {"django_tasks", "django_tasks_db", "bundles"} <= set(settings.INSTALLED_APPS)


def test_the_rq_backend_is_chosen_by_the_environment():
    result = settings_with(TASKS_BACKEND="rq", TASKS_REDIS_URL="redis://10.0.0.5:6379/2")

    loaded = json.loads(result.stdout)
    assert loaded["tasks"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert loaded["apps"][-2:] == ["django_rq", "django_tasks_rq"]
    assert loaded["rq"]["default"]["URL"] == "redis://10.0.0.5:6379/2"


@pytest.mark.parametrize("value", ["celery", "django_tasks_db.DatabaseBackend"])
def test_an_unknown_backend_stops_the_settings(value):
    result = settings_with(TASKS_BACKEND=value)

    assert result.returncode != 0
    assert f"TASKS_BACKEND={value!r}: use database or rq." in result.stderr
