"""Prose that contradicts the figures, in the browser at 1366 × 768: the filler's checklist shows
the contradiction and its link selects the sentence in its text box; 提交送审 asks for a reason
to keep it; the auditor reads the reason in the review record."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from evaluations import services
from evaluations.access import Role
from evaluations.models import Department, Evaluation, ReviewEvent
from tests.e2e.conftest import PASSWORD, log_in

VIEWPORT = {"width": 1366, "height": 768}
PLANTED = "全年预算执行率为百分之九十。"


@pytest.fixture
def liwan(transactional_db) -> Evaluation:
    services.roles_setup()
    call_command("loaddata", "liwan_2023", verbosity=0)
    department = Department.objects.get(code="liwan-kgxj")
    for username, role in (("liwan-filler", Role.FILLER), ("district-auditor", Role.AUDITOR)):
        services.department_user_create(
            username=username, department=department, role=role, password=PASSWORD
        )
    evaluation = Evaluation.objects.get(department=department, year=2023)
    evaluation.conclusion_summary = f"{evaluation.conclusion_summary}{PLANTED}"
    services.evaluation_save(evaluation=evaluation)
    return evaluation


def test_the_checklist_links_to_the_contradicting_sentence_and_submission_asks_why(
    liwan, new_page, steps
):
    filler = new_page("filler")
    filler.set_viewport_size(VIEWPORT)
    log_in(filler, "liwan-filler")
    filler.goto("/admin/")
    found = filler.locator("#inconsistencies-2023")
    expect(found).to_contain_text("文字与数据不一致 1 处")
    expect(found).to_contain_text("写的预算执行率为 百分之九十，按收支数据计算为 87.4%")
    steps.record("start-page", filler)

    found.get_by_role("link").click()
    box = filler.locator("#id_conclusion_summary")
    expect(box).to_be_focused()
    selected = filler.evaluate(
        "(() => { const b = document.activeElement;"
        " return b.value.slice(b.selectionStart, b.selectionEnd); })()"
    )
    assert selected == PLANTED.removesuffix("。")
    expect(filler.locator("#consistency-box")).to_contain_text("1 处不一致")
    steps.record("sentence-selected", filler)

    filler.locator("#review-workflow").get_by_role("button", name="保存并提交送审…").click()
    expect(filler.locator("#consistency-findings")).to_contain_text("文字与数据不一致（1 处）")
    filler.get_by_role("button", name="确认提交送审").click()
    expect(filler.locator("#consistency-findings .errorlist")).to_have_text(
        "请改正这处不一致，或说明保留的理由。"
    )
    assert Evaluation.objects.get(pk=liwan.pk).status == Evaluation.Status.DRAFT
    filler.get_by_label("保留的理由：").fill("按年中调整后的预算口径计算。")
    steps.record("reason-typed", filler)
    filler.get_by_role("button", name="确认提交送审").click()
    expect(filler.locator(".messagelist .success")).to_have_text("已提交送审。")
    (event,) = ReviewEvent.objects.filter(evaluation=liwan, to_status="submitted")
    assert [kept["reason"] for kept in event.explanations] == ["按年中调整后的预算口径计算。"]

    auditor = new_page("auditor")
    auditor.set_viewport_size(VIEWPORT)
    log_in(auditor, "district-auditor")
    auditor.goto(f"/admin/evaluations/evaluation/{liwan.pk}/change/")
    expect(auditor.locator("#review-events")).to_contain_text(
        "保留的不一致：自评结论综述“全年预算执行率为百分之九十”（写 百分之九十，计算为 87.4%）。"
        "理由：按年中调整后的预算口径计算。"
    )
    steps.record("auditor-reads-the-reason", auditor)
