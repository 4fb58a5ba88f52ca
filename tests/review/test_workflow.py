"""The review workflow: 草稿 → 已提交 → 已审核, or 已提交 → 已退回 → 草稿 editing → 已提交."""

import hashlib

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations import services
from evaluations.factories import EvaluationFactory
from evaluations.models import ApprovedReport, Department, Evaluation, ReviewEvent
from evaluations.reports.pdf import RenderError
from review import documents
from review import services as review_services
from tests.helpers import change_form_data

pytestmark = pytest.mark.django_db


def transition(client, evaluation: Evaluation, action: str, **data):
    """The step as its confirmation page posts it (提交送审 and 审核通过 are confirmed there)."""
    return client.post(
        reverse("admin:evaluations_evaluation_transition", args=[evaluation.pk, action]),
        {"_confirmed": "1", **data},
    )


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_submitting_an_incomplete_evaluation_is_refused_with_every_problem(filler, department):
    empty = EvaluationFactory(department=department, year=2023, blank=True)

    response = transition(filler, empty, "submit")

    texts = message_texts(response)
    assert texts[0] == "未能提交送审："
    assert any(t.startswith("部门整体收支情况尚未填写：全年预算数、执行数") for t in texts)
    assert "“部门职能”至少要填写一项。" in texts
    assert "“自评结论综述”尚未填写。" in texts
    assert "尚未填写任何绩效指标（三级指标）。" in texts
    empty.refresh_from_db()
    assert empty.status == Evaluation.Status.DRAFT
    assert not ReviewEvent.objects.exists()


def test_the_buttons_offered_are_the_transitions_allowed(filler, auditor, evaluation_ready):
    change = reverse("admin:evaluations_evaluation_change", args=[evaluation_ready.pk])

    assert [a for a, _ in filler.get(change).context["workflow_actions"]] == ["submit"]
    assert auditor.get(change).context["workflow_actions"] == []
    transition(filler, evaluation_ready, "submit")
    assert filler.get(change).context["workflow_actions"] == []
    assert [a for a, _ in auditor.get(change).context["workflow_actions"]] == ["return", "approve"]


def test_returning_needs_a_comment(filler, auditor, evaluation_ready):
    transition(filler, evaluation_ready, "submit")

    response = transition(auditor, evaluation_ready, "return", comment="  ")

    assert "退回时必须填写审核意见，说明需要修改什么。" in message_texts(response)
    evaluation_ready.refresh_from_db()
    assert evaluation_ready.status == Evaluation.Status.SUBMITTED


def test_a_returned_evaluation_is_corrected_and_resubmitted_and_each_step_is_recorded(
    filler, auditor, evaluation_ready
):
    transition(filler, evaluation_ready, "submit")
    transition(auditor, evaluation_ready, "return", comment="请补充主要工作成效。")
    evaluation_ready.refresh_from_db()
    assert evaluation_ready.status == Evaluation.Status.RETURNED

    problem = evaluation_ready.problems.get()
    problem.text = "补充后的问题。"
    services.evaluation_item_save(item=problem)
    transition(filler, evaluation_ready, "submit")

    events = list(
        evaluation_ready.review_events.values_list(
            "actor__username", "from_status", "to_status", "comment"
        )
    )
    assert events == [
        ("filler", "draft", "submitted", ""),
        ("auditor", "submitted", "returned", "请补充主要工作成效。"),
        ("filler", "returned", "submitted", ""),
    ]
    page = auditor.get(reverse("admin:evaluations_evaluation_change", args=[evaluation_ready.pk]))
    assert "请补充主要工作成效。" in page.content.decode()


def test_approval_stores_every_file_and_later_downloads_return_exactly_those_bytes(
    filler, auditor, evaluation_ready
):
    code = evaluation_ready.department.code
    transition(filler, evaluation_ready, "submit")
    transition(auditor, evaluation_ready, "approve")

    stored = {
        (r.appendix, r.fmt): bytes(r.content)
        for r in ApprovedReport.objects.filter(evaluation=evaluation_ready)
    }
    assert set(stored) == {(1, "pdf"), (1, "xlsx"), (1, "docx"), (2, "pdf"), (2, "docx")}
    for report in ApprovedReport.objects.filter(evaluation=evaluation_ready):
        assert report.sha256 == hashlib.sha256(bytes(report.content)).hexdigest()

    # Whatever happens afterwards (here a change behind the application's back, and a renamed
    # department) the downloads stay the approved bytes.
    Evaluation.objects.filter(pk=evaluation_ready.pk).update(conclusion_summary="事后改动")
    evaluation_ready.departmentfunctions.update(text="事后改动的职能")
    Department.objects.filter(pk=evaluation_ready.department_id).update(full_name="改名后的部门")
    report = auditor.get(reverse("reports:report_pdf", args=[code, 2023]))
    table = auditor.get(reverse("reports:appendix1_pdf", args=[code, 2023]))
    sheet = auditor.get(reverse("reports:appendix1_xlsx", args=[code, 2023]))
    report_word = auditor.get(reverse("reports:report_docx", args=[code, 2023]))
    table_word = auditor.get(reverse("reports:appendix1_docx", args=[code, 2023]))
    preview = auditor.get(reverse("reports:report_preview", args=[code, 2023]))

    assert report.content == stored[2, "pdf"]
    assert table.content == stored[1, "pdf"]
    assert sheet.content == stored[1, "xlsx"]
    assert report_word.content == stored[2, "docx"]
    assert table_word.content == stored[1, "docx"]
    assert report_word["ETag"] == f'"{hashlib.sha256(stored[2, "docx"]).hexdigest()}"'
    assert preview.content == stored[2, "pdf"]  # the preview shows what was approved
    assert preview["Content-Disposition"].startswith("inline")
    assert report["ETag"] == f'"{hashlib.sha256(stored[2, "pdf"]).hexdigest()}"'


def test_an_approved_evaluation_cannot_be_edited_by_anyone(
    filler, auditor, staff_client, evaluation_ready
):
    transition(filler, evaluation_ready, "submit")
    transition(auditor, evaluation_ready, "approve")
    change = reverse("admin:evaluations_evaluation_change", args=[evaluation_ready.pk])

    for client in (filler, staff_client):
        assert client.post(change, {"conclusion_summary": "改"}).status_code == 403
    with pytest.raises(ValidationError, match="已审核，不能再修改"):
        services.evaluation_save(evaluation=evaluation_ready)


def test_a_second_approval_of_the_same_evaluation_is_refused(filler, auditor, evaluation_ready):
    transition(filler, evaluation_ready, "submit")
    transition(auditor, evaluation_ready, "approve")

    with pytest.raises(ValidationError, match="当前状态为“已审核”，不能审核通过"):
        review_services.evaluation_transition(
            evaluation_id=evaluation_ready.pk, user=auditor.user, action="approve"
        )
    assert (
        ApprovedReport.objects.filter(evaluation=evaluation_ready).count() == 5
    )  # once: 附件1 PDF, XLSX, Word; 附件2 PDF, Word


def test_a_stale_form_is_refused_and_the_newer_data_kept(filler, evaluation_ready):
    change = reverse("admin:evaluations_evaluation_change", args=[evaluation_ready.pk])
    first = filler.get(change).context["adminform"].form
    second = filler.get(change).context["adminform"].form
    data_first = change_form_data(first, conclusion_summary="甲的修改")
    data_second = change_form_data(second, conclusion_summary="乙的修改")

    assert filler.post(change, data_first).status_code == 302
    refused = filler.post(change, data_second)

    assert refused.status_code == 200
    assert "这份自评在您打开页面后已被他人修改（您的页面基于第" in refused.content.decode()
    evaluation_ready.refresh_from_db()
    assert evaluation_ready.conclusion_summary == "甲的修改"


def test_an_approval_whose_documents_fail_to_render_changes_nothing_and_says_so(
    filler, auditor, evaluation_ready, monkeypatch, caplog
):
    transition(filler, evaluation_ready, "submit")

    def broken(**kwargs):
        raise RenderError("a font is missing")

    monkeypatch.setattr(documents, "render_for_approval", broken)
    response = transition(auditor, evaluation_ready, "approve")

    assert response.status_code == 302
    assert any("生成审定报告失败" in text for text in message_texts(response))
    evaluation_ready.refresh_from_db()
    assert evaluation_ready.status == Evaluation.Status.SUBMITTED
    assert not ApprovedReport.objects.filter(evaluation=evaluation_ready).exists()
    assert "approval render failed" in caplog.text
