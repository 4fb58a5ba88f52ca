"""A build whose worker died is put back in the queue (when its progress is polled, or by
`requeue_stale_bundles`), its half-written file discarded, and built again; a runner that lost
its bundle stops; running a task twice changes nothing; a bundle interrupted too often fails.
(tests/bundles/test_killed_worker.py kills a real worker process.)"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bundles import archive, services, tasks
from bundles.models import Bundle
from bundles.signals import department_written
from evaluations.models import ApprovedReport, Evaluation
from evaluations.reports.pdf import RenderError
from review import documents
from tests.bundles.conftest import drain, members, stored_pdf

ROOT = "2023年度部门整体支出绩效自评"


@pytest.fixture
def auditor(make_user, three_approved):
    return make_user("auditor", role="auditor", department=three_approved[0].department)


@pytest.fixture
def died(auditor, three_approved) -> Bundle:
    """A bundle whose worker was killed after one department: 生成中, a heartbeat three minutes
    old, and its half-written temporary file."""
    bundle = services.bundle_create(
        user=auditor.user, year=2023, department_codes=["dept-a", "dept-b", "dept-c"]
    )
    long_ago = timezone.now() - timedelta(minutes=3)
    Bundle.objects.filter(pk=bundle.pk).update(
        status=Bundle.Status.BUILDING,
        runner="killed-worker",
        attempts=1,
        done=1,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    half = archive.temp_path(services.bundle_path(bundle.pk), "killed-worker")
    half.parent.mkdir(parents=True)
    half.write_bytes(b"PK\x03\x04 half a zip")
    return bundle


def build_tasks() -> int:
    return DBTaskResult.objects.filter(task_path="bundles.tasks.build_bundle").count()


def test_a_stale_bundle_is_requeued_when_its_progress_is_polled_then_built(
    auditor, died, django_capture_on_commit_callbacks
):
    progress = reverse("admin:bundles_bundle_progress", args=[died.pk])
    download = reverse("admin:bundles_bundle_download", args=[died.pk])
    assert auditor.get(download).status_code == 404  # half a ZIP is never served

    with django_capture_on_commit_callbacks(execute=True):
        data = auditor.get(progress).json()

    assert (data["status"], data["done"], data["total"]) == ("queued", 0, 3)
    assert data["remaining_text"] == "等待后台任务开始"
    died.refresh_from_db()
    assert died.runner == ""
    assert not archive.temp_path(services.bundle_path(died.pk), "killed-worker").exists()
    assert build_tasks() == 1
    drain(django_capture_on_commit_callbacks)
    died.refresh_from_db()
    assert (died.status, died.done, died.attempts) == (Bundle.Status.DONE, 3, 2)
    files = members(services.bundle_path(died.pk))
    assert len(files) == 13  # the 汇总表 and 4 files of each of 3 departments
    assert files[
        f"{ROOT}/dept-b 广州市乙区教育局/附件2 2023年度广州市乙区教育局部门整体支出绩效自评报告.pdf"
    ] == stored_pdf("dept-b", 2)
    assert auditor.get(download).status_code == 200


def test_a_bundle_with_a_recent_heartbeat_is_left_to_its_worker(auditor, died):
    Bundle.objects.filter(pk=died.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=30))

    data = auditor.get(reverse("admin:bundles_bundle_progress", args=[died.pk])).json()

    assert (data["status"], data["done"]) == ("building", 1)
    assert build_tasks() == 0
    assert archive.temp_path(services.bundle_path(died.pk), "killed-worker").exists()


def test_the_command_requeues_every_stale_bundle(died, django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("requeue_stale_bundles")

    assert f"已处理 1 个中断的压缩包：{died.pk}" in capsys.readouterr().out
    died.refresh_from_db()
    assert died.status == Bundle.Status.QUEUED
    assert build_tasks() == 1


def test_a_bundle_interrupted_too_often_fails_with_a_message(auditor, died, settings):
    settings.BUNDLE_MAX_ATTEMPTS = 1

    data = auditor.get(reverse("admin:bundles_bundle_progress", args=[died.pk])).json()

    assert data["status"] == "failed"
    assert data["error"].startswith("生成过程已中断 1 次（后台任务进程停止），不再自动重试。")
    assert build_tasks() == 0
    page = auditor.get(reverse("admin:bundles_bundle_change", args=[died.pk])).content.decode()
    assert "生成失败：" in page


def test_a_builder_that_lost_its_bundle_stops_and_leaves_no_file(
    auditor, three_approved, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bundle = services.bundle_create(
            user=auditor.user, year=2023, department_codes=["dept-a", "dept-b", "dept-c"]
        )

    def taken_over(sender, done, **kwargs):
        if done == 1:  # another worker claimed it meanwhile
            Bundle.objects.filter(pk=bundle.pk).update(runner="another-worker")

    department_written.connect(taken_over)
    try:
        drain(django_capture_on_commit_callbacks)
    finally:
        department_written.disconnect(taken_over)

    bundle.refresh_from_db()
    assert (bundle.status, bundle.runner, bundle.done) == (
        Bundle.Status.BUILDING,
        "another-worker",
        1,
    )
    folder = services.bundle_folder()
    assert list(folder.glob("*.zip")) == []
    assert list(folder.glob("*.tmp")) == []


def test_a_task_for_a_bundle_another_worker_is_building_does_nothing(auditor, three_approved):
    bundle = services.bundle_create(user=auditor.user, year=2023, department_codes=["dept-a"])
    Bundle.objects.filter(pk=bundle.pk).update(
        status=Bundle.Status.BUILDING, runner="another-worker", heartbeat_at=timezone.now()
    )

    tasks.build_bundle.call(bundle.pk)

    bundle.refresh_from_db()
    assert (bundle.status, bundle.runner, bundle.attempts) == (
        Bundle.Status.BUILDING,
        "another-worker",
        0,
    )
    assert not services.bundle_path(bundle.pk).exists()


def test_running_the_task_again_for_a_finished_bundle_changes_nothing(
    auditor, three_approved, build
):
    bundle = build(auditor.user, ["dept-a", "dept-b"])
    path = services.bundle_path(bundle.pk)
    before = (path.read_bytes(), path.stat().st_mtime_ns)

    tasks.build_bundle.call(bundle.pk)

    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    bundle.refresh_from_db()
    assert (bundle.status, bundle.attempts) == (Bundle.Status.DONE, 1)


def test_building_the_same_bundle_again_gives_the_same_documents(auditor, three_approved, build):
    bundle = build(auditor.user, ["dept-a", "dept-c"])
    first = members(services.bundle_path(bundle.pk))
    Bundle.objects.filter(pk=bundle.pk).update(status=Bundle.Status.QUEUED)

    tasks.build_bundle.call(bundle.pk)

    second = members(services.bundle_path(bundle.pk))
    assert list(second) == list(first)
    files = [name for name in first if name.endswith((".pdf", ".docx"))]
    assert len(files) == 8
    assert all(second[name] == first[name] for name in files)


def test_a_document_that_cannot_be_rendered_fails_the_bundle_with_a_message(
    auditor, three_approved, build, monkeypatch
):
    # dept-b is not approved: its documents are rendered now, and the renderer fails.
    ApprovedReport.objects.filter(evaluation=three_approved[1]).delete()
    Evaluation.objects.filter(pk=three_approved[1].pk).update(status=Evaluation.Status.SUBMITTED)

    def failing(document, evaluation, fmt="pdf"):
        def content():
            raise RenderError("font not found")

        return documents.Rendition("x.pdf", documents.PDF, "x", content)

    monkeypatch.setattr(documents, "rendition", failing)

    bundle = build(auditor.user, ["dept-a", "dept-b"])

    assert bundle.status == Bundle.Status.FAILED
    assert bundle.error == (
        "广州市乙区教育局的附件1 自评表生成失败（服务器排版出错，例如缺少字体），错误已记录。"
        "请稍后重新打包；如果仍然失败，请联系系统管理员。"
    )
    assert not services.bundle_path(bundle.pk).exists()
    assert list(services.bundle_folder().glob("*.tmp")) == []


def test_a_bundle_queued_for_over_a_minute_says_to_check_the_workers(auditor, three_approved):
    bundle = services.bundle_create(user=auditor.user, year=2023, department_codes=["dept-a"])
    Bundle.objects.filter(pk=bundle.pk).update(created_at=timezone.now() - timedelta(minutes=2))

    data = auditor.get(reverse("admin:bundles_bundle_progress", args=[bundle.pk])).json()

    assert data["status"] == "queued"
    assert data["remaining_text"] == "排队已超过 1 分钟：请联系系统管理员确认后台任务进程正在运行"
