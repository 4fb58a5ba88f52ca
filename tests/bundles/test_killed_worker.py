"""A real `manage.py db_worker` process is SIGKILLed in the middle of a bundle, against a SQLite
file that every process of the test shares. Afterwards the bundle is not served, it stays
生成中 until its heartbeat is stale, polling its progress then puts it back in the queue and
discards the half-written file, and a second real worker builds it completely."""

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
CODES = ["kill-a", "kill-b", "kill-c"]

SETUP = """
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()  # the test client's host, as in tests
"""

SEED = (
    SETUP
    + f"CODES = {CODES!r}\n"
    + """
import hashlib
from django.contrib.auth import get_user_model
from django.core.management import call_command
from bundles import services
from evaluations.factories import DepartmentFactory, EvaluationFactory
from evaluations.models import ApprovedReport, Evaluation

call_command("migrate", verbosity=0)
user = get_user_model().objects.create_superuser("admin", password="pw-admin-123")
for code in CODES:
    evaluation = EvaluationFactory.create(
        department=DepartmentFactory.create(code=code, full_name="示例局" + code),
        year=2023,
        status=Evaluation.Status.APPROVED,
    )
    for appendix in (1, 2):
        for fmt in ("pdf", "docx"):
            content = ("%" + fmt + " stored " + code + " " + str(appendix)).encode()
            ApprovedReport.objects.create(
                evaluation=evaluation, appendix=appendix, fmt=fmt, content=content,
                sha256=hashlib.sha256(content).hexdigest(),
            )
# As the page does: the task is enqueued in the database when the transaction commits.
print(services.bundle_create(user=user, year=2023, department_codes=CODES).pk)
"""
)

# The worker to be killed: a real db_worker whose build is slowed after each department (a
# receiver of the build's own signal), so that the kill lands in the middle of the ZIP.
SLOW_WORKER = (
    SETUP
    + """
import time
from django.core.management import call_command
from bundles.signals import department_written

def slowly(sender, done, **kwargs):
    print("written", done, flush=True)
    time.sleep(60)

department_written.connect(slowly)
call_command("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")
"""
)

INSPECT = (
    SETUP
    + """
import json, sys
from datetime import timedelta
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from bundles import services
from bundles.models import Bundle

bundle = Bundle.objects.get()
client = Client()
client.force_login(bundle.requested_by)
progress = reverse("admin:bundles_bundle_progress", args=[bundle.pk])
download = reverse("admin:bundles_bundle_download", args=[bundle.pk])
folder = services.bundle_folder()

def files():
    return sorted(p.name for p in folder.iterdir() if p.is_file())

report = {
    "status": bundle.status, "done": bundle.done, "attempts": bundle.attempts,
    "files": files(), "download": client.get(download).status_code,
    "polled": client.get(progress).json()["status"],
}
# Time passes: the killed worker's last heartbeat is three minutes old.
Bundle.objects.filter(pk=bundle.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=3))
polled = client.get(progress).json()
report.update(
    polled_stale=[polled["status"], polled["done"]], files_after=files(),
    tasks=sorted(DBTaskResult.objects.values_list("task_path", "status")),
)
print(json.dumps(report))
"""
)

RETRY = (
    SETUP
    + """
import json, zipfile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from bundles import services
from bundles.models import Bundle

call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")
bundle = Bundle.objects.get()
client = Client()
client.force_login(bundle.requested_by)
response = client.get(reverse("admin:bundles_bundle_download", args=[bundle.pk]))
served = b"".join(response.streaming_content)
path = services.bundle_path(bundle.pk)
with zipfile.ZipFile(path) as archive:
    members = {info.filename: archive.read(info).decode("latin-1") for info in archive.infolist()
               if info.filename.endswith((".pdf", ".docx"))}
print(json.dumps({
    "status": bundle.status, "done": bundle.done, "total": bundle.total,
    "attempts": bundle.attempts, "download": response.status_code,
    "served_whole_file": served == path.read_bytes(), "members": members,
    "files": sorted(p.name for p in services.bundle_folder().iterdir() if p.is_file()),
}))
"""
)


@pytest.fixture
def environment(tmp_path) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "BUNDLE_DIR": str(tmp_path / "bundles"),
        "CACHE_URL": "locmem://",
        "TASKS_BACKEND": "database",
        "PYTHONPATH": str(PROJECT),
    }


def run(script: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def wait_for_line(process: subprocess.Popen, expected: str, timeout: float = 60) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            if line.strip() == expected:
                return
            if not line and process.poll() is not None:
                break
    process.kill()
    pytest.fail(f"the worker never printed {expected!r}: {process.stderr.read()[-3000:]}")


def test_a_worker_killed_mid_bundle_leaves_no_zip_and_the_bundle_is_built_again(environment):
    bundle_id = int(run(SEED, environment))

    worker = subprocess.Popen(
        [sys.executable, "-c", SLOW_WORKER],
        cwd=PROJECT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_line(worker, "written 1")
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate()

    after_kill = json.loads(run(INSPECT, environment))
    assert (after_kill["status"], after_kill["done"], after_kill["attempts"]) == ("building", 1, 1)
    # Only the killed worker's temporary file: no ZIP, and nothing to download.
    assert [name.endswith(".tmp") for name in after_kill["files"]] == [True]
    assert after_kill["download"] == 404
    # A fresh heartbeat is not stale: the worker might only be slow.
    assert after_kill["polled"] == "building"
    # Stale: put back in the queue, the half-written file discarded, a new task queued beside
    # the killed one, which the database backend still shows as running.
    assert after_kill["polled_stale"] == ["queued", 0]
    assert after_kill["files_after"] == []
    assert after_kill["tasks"] == [
        ["bundles.tasks.build_bundle", "READY"],
        ["bundles.tasks.build_bundle", "RUNNING"],
    ]

    retried = json.loads(run(RETRY, environment))
    assert (retried["status"], retried["done"], retried["total"]) == ("done", 3, 3)
    assert retried["attempts"] == 2
    assert retried["download"] == 200 and retried["served_whole_file"]
    assert retried["files"] == [f"{bundle_id}.zip"]
    assert sorted(retried["members"].values()) == sorted(
        f"%{fmt} stored {code} {appendix}"
        for code in CODES
        for appendix in (1, 2)
        for fmt in ("pdf", "docx")
    )
