import hashlib
import io
import zipfile
from collections.abc import Callable
from unittest import mock

import pytest
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker

from bundles import services
from bundles.models import Bundle
from evaluations.factories import DepartmentFactory, EvaluationFactory
from evaluations.models import ApprovedReport, Department, Evaluation

YEAR = 2023


@pytest.fixture(autouse=True)
def bundle_folder(settings, tmp_path):
    """Each test's ZIPs in its own folder, never the project's media/bundles/."""
    settings.BUNDLE_DIR = tmp_path / "bundles"
    return settings.BUNDLE_DIR


def stored_file(code: str, appendix: int, fmt: str = "pdf") -> bytes:
    """Bytes standing for a file stored at approval: unique per department, document and
    format, so a test can tell them apart and compare them exactly."""
    return f"%{fmt.upper()}\n% stored at approval: {code} 附件{appendix}\n%%EOF\n".encode()


def stored_pdf(code: str, appendix: int) -> bytes:
    return stored_file(code, appendix, "pdf")


def approved_evaluation(
    code: str, full_name: str, *, year: int = YEAR, formats: tuple[str, ...] = ("pdf", "docx")
) -> Evaluation:
    """An approved evaluation whose 附件1 and 附件2 files were stored (as approval stores them);
    `formats=("pdf",)` for one approved before the Word files were stored."""
    department = DepartmentFactory.create(code=code, name=full_name[-6:], full_name=full_name)
    evaluation = EvaluationFactory.create(
        department=department, year=year, status=Evaluation.Status.APPROVED
    )
    for appendix in (1, 2):
        for fmt in formats:
            content = stored_file(code, appendix, fmt)
            ApprovedReport.objects.create(
                evaluation=evaluation,
                appendix=appendix,
                fmt=fmt,
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
            )
    return evaluation


@pytest.fixture
def three_approved(db) -> list[Evaluation]:
    return [
        approved_evaluation("dept-a", "广州市甲区财政局"),
        approved_evaluation("dept-b", "广州市乙区教育局"),
        approved_evaluation("dept-c", "广州市丙区卫生健康局"),
    ]


def run_worker() -> None:
    """The database backend's own worker loop (what `manage.py db_worker --batch` runs), in
    this process: every queued task, then return. Its check for stale connections is left out:
    on PostgreSQL it would close the connection holding the test's transaction."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections"):
        worker.run()


@pytest.fixture
def build(django_capture_on_commit_callbacks) -> Callable[..., Bundle]:
    """build(user, codes) → the bundle, created as the page creates it and built by the worker
    loop (the tasks it enqueues after commit included)."""

    def run(user, codes: list[str], *, year: int = YEAR) -> Bundle:
        with django_capture_on_commit_callbacks(execute=True):
            bundle = services.bundle_create(user=user, year=year, department_codes=codes)
        drain(django_capture_on_commit_callbacks)
        bundle.refresh_from_db()
        return bundle

    return run


def drain(capture) -> None:
    """Runs the worker until no task is left, enqueueing what the tasks enqueue on commit (a
    test's transaction never commits)."""
    for _ in range(5):
        with capture(execute=True) as callbacks:
            run_worker()
        if not callbacks:
            return


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zip_members(content: bytes) -> dict[str, bytes]:
    return members(io.BytesIO(content))


def department(code: str) -> Department:
    return Department.objects.get(code=code)
