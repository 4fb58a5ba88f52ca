"""Starting a bundle answers at once; its page and JSON report done / total and the time left
while it builds, and the download link when finished."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from bundles.models import Bundle
from bundles.signals import department_written
from tests.bundles.conftest import drain

ADD = "/admin/bundles/bundle/add/"


@pytest.fixture
def auditor(make_user, three_approved):
    return make_user("auditor", role="auditor", department=three_approved[0].department)


def progress_url(bundle: Bundle) -> str:
    return reverse("admin:bundles_bundle_progress", args=[bundle.pk])


def test_starting_a_bundle_queues_a_task_and_opens_its_progress_page_without_building(
    auditor, three_approved, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = auditor.post(ADD, {"year": "2023", "departments": ["dept-a", "dept-b"]})

    bundle = Bundle.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:bundles_bundle_change", args=[bundle.pk])
    assert bundle.status == Bundle.Status.QUEUED
    assert bundle.department_codes == ["dept-a", "dept-b"]
    assert bundle.requested_by == auditor.user
    task = DBTaskResult.objects.get()
    assert task.task_path == "bundles.tasks.build_bundle"
    assert task.args_kwargs == {"args": [bundle.pk], "kwargs": {}}
    page = auditor.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<progress id="bundle-progress-bar" max="2" value="0">' in html
    assert "排队中" in html
    assert "等待后台任务开始" in html


def test_the_page_offers_every_department_of_the_year_checked(auditor, three_approved):
    response = auditor.get(ADD)

    html = response.content.decode()
    assert response.status_code == 200
    for code in ("dept-a", "dept-b", "dept-c"):
        assert f'value="{code}" id=' in html
    assert html.count("checked") >= 3
    assert "共 3 个，其中已审核 3 个" in html


def test_a_link_with_a_year_and_codes_checks_only_those(auditor, three_approved):
    response = auditor.get(ADD, {"year": "2023", "codes": "dept-b,dept-c,no-such-dept"})

    form = response.context["form"]
    assert form.initial["departments"] == ["dept-b", "dept-c"]


def test_the_json_reports_each_department_as_it_is_written(
    auditor, three_approved, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        auditor.post(ADD, {"year": "2023", "departments": ["dept-a", "dept-b", "dept-c"]})
    bundle = Bundle.objects.get()
    seen = []

    def poll(sender, **kwargs):
        seen.append(auditor.get(progress_url(bundle)).json())

    department_written.connect(poll)
    try:
        drain(django_capture_on_commit_callbacks)
    finally:
        department_written.disconnect(poll)

    assert [(s["status"], s["done"], s["total"]) for s in seen] == [
        ("building", 1, 3),
        ("building", 2, 3),
        ("building", 3, 3),
    ]
    assert [s["percent"] for s in seen] == [33, 66, 100]
    assert all(s["download_url"] is None for s in seen)
    assert seen[0]["remaining_text"].startswith(("约", "不到"))
    finished = auditor.get(progress_url(bundle)).json()
    assert finished["status"] == "done"
    assert finished["status_label"] == "已完成"
    assert (finished["done"], finished["total"], finished["percent"]) == (3, 3, 100)
    assert finished["download_url"] == reverse("admin:bundles_bundle_download", args=[bundle.pk])
    assert finished["size_text"] == "不到 0.1 MB"
    assert finished["remaining_text"] == "无"


def test_the_finished_page_shows_the_download_link(auditor, three_approved, build):
    bundle = build(auditor.user, ["dept-a"])

    html = auditor.get(reverse("admin:bundles_bundle_change", args=[bundle.pk])).content.decode()
    download = reverse("admin:bundles_bundle_download", args=[bundle.pk])
    assert '<p id="bundle-download">' in html
    assert f'href="{download}"' in html
    assert '已完成 <span id="bundle-done">1</span> / <span id="bundle-total">1</span>' in html


def test_the_download_is_the_zip_under_its_chinese_name(auditor, three_approved, build):
    bundle = build(auditor.user, ["dept-a", "dept-b"])

    response = auditor.get(reverse("admin:bundles_bundle_download", args=[bundle.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "filename*=utf-8''2023%E5%B9%B4%E5%BA%A6" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content[:4] == b"PK\x03\x04"
    assert len(content) == bundle.size


def test_the_list_shows_the_user_s_bundles_with_progress_and_link(auditor, three_approved, build):
    bundle = build(auditor.user, ["dept-a"])

    response = auditor.get("/admin/bundles/bundle/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "1 / 1" in html
    assert reverse("admin:bundles_bundle_download", args=[bundle.pk]) in html


def test_an_empty_selection_is_refused_with_a_message(auditor, three_approved):
    response = auditor.post(ADD, {"year": "2023"})

    assert response.status_code == 200
    assert "请至少选择一个部门。" in response.content.decode()
    assert not Bundle.objects.exists()
