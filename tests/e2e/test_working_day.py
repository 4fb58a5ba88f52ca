"""A filler's and an auditor's day in the browser, at 1366 × 768: nothing typed is lost, the
steps that cannot be undone are confirmed first, errors are listed with links to their fields,
and no page scrolls sideways."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from evaluations import services
from evaluations.access import Role
from evaluations.models import Department, Evaluation
from indicators.factories import CompleteEvaluationFactory
from review import services as review_services
from tests.e2e.conftest import ARTIFACTS, PASSWORD, log_in
from tests.helpers import hard_text_evaluation

FILLER, AUDITOR, HARD_FILLER = "liwan-filler", "district-auditor", "wenguang-filler"
VIEWPORT = {"width": 1366, "height": 768}
# The 2024 draft's own figures: the factory's are Liwan 2023's, which 提交送审 would rightly
# question as copied from last year. The same 87.4 % executed, so the same score and grade.
FIGURES_2024 = {
    "budget_total": Decimal("9000.00"),
    "expenditure_total": Decimal("7866.00"),
    "general_public_budget": Decimal("7866.00"),
    "government_fund_budget": Decimal("0.00"),
    "state_capital_budget": Decimal("0.00"),
    "other_funds": Decimal("0.00"),
    "basic_expenditure": Decimal("2600.00"),
    "project_expenditure": Decimal("5266.00"),
    "carryover_balance": Decimal("0.00"),
}


@pytest.fixture
def people(transactional_db) -> dict[str, Evaluation]:
    """Liwan 2023 (the shipped data), a complete 2024 draft of Liwan ready for submission, and
    an invented department whose every text is long and hard (URLs, serials, English)."""
    services.roles_setup()
    call_command("loaddata", "liwan_2023", verbosity=0)
    liwan = Department.objects.get(code="liwan-kgxj")
    hard = hard_text_evaluation()
    accounts = (
        (FILLER, liwan, Role.FILLER),
        (AUDITOR, liwan, Role.AUDITOR),
        (HARD_FILLER, hard.department, Role.FILLER),
    )
    for username, department, role in accounts:
        services.department_user_create(
            username=username, department=department, role=role, password=PASSWORD
        )
    return {
        "liwan": Evaluation.objects.get(department=liwan, year=2023),
        "ready": CompleteEvaluationFactory(department=liwan, year=2024, figures=FIGURES_2024),
        "hard": hard,
    }


def change_url(evaluation: Evaluation) -> str:
    return f"/admin/evaluations/evaluation/{evaluation.pk}/change/"


def at_1366(new_page, who: str) -> Page:
    page = new_page(who)
    page.set_viewport_size(VIEWPORT)
    return page


def test_typed_text_survives_submission_and_a_refused_save_keeps_it(people, new_page, steps):
    ready = people["ready"]
    filler = at_1366(new_page, "filler")
    log_in(filler, FILLER)
    filler.goto(change_url(ready))

    # Typed, not saved, then 保存并提交送审…: saved first, then the confirmation.
    filler.locator("#id_conclusion_summary").fill("")
    filler.locator("#id_conclusion_summary").press_sequentially("新写的结论，未点保存。")
    expect(filler.locator("#unsaved-notice")).to_be_visible()
    filler.locator("#review-workflow").get_by_role("button", name="保存并提交送审…").click()
    expect(filler.locator("h1")).to_have_text("确认提交送审")
    ready.refresh_from_db()
    assert ready.conclusion_summary == "新写的结论，未点保存。"
    assert ready.status == Evaluation.Status.DRAFT  # nothing happens before the confirmation
    steps.record("confirm-submit", filler)
    filler.get_by_role("button", name="确认提交送审").click()
    expect(filler.locator(".messagelist .success")).to_have_text("已提交送审。")
    ready.refresh_from_db()
    assert ready.status == Evaluation.Status.SUBMITTED
    assert ready.conclusion_summary == "新写的结论，未点保存。"

    # A save that is refused transitions nothing and keeps what was typed, with the errors.
    liwan = people["liwan"]
    filler.goto(change_url(liwan))
    filler.fill("#id_achievements", "另一段新写的成效。")
    filler.fill("#id_other_funds", "-5")
    filler.locator("#review-workflow").get_by_role("button", name="保存并提交送审…").click()
    expect(filler.locator("#error-summary")).to_be_visible()
    expect(filler.locator("#id_achievements")).to_have_value("另一段新写的成效。")
    liwan.refresh_from_db()
    assert liwan.status == Evaluation.Status.DRAFT
    assert liwan.achievements != "另一段新写的成效。"
    steps.record("refused-save-keeps-text", filler)


def test_leaving_with_unsaved_edits_asks_first(people, new_page, steps):
    filler = at_1366(new_page, "filler")
    log_in(filler, FILLER)
    filler.goto(change_url(people["liwan"]))
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    filler.on("dialog", answer)
    filler.locator("#id_task_analysis").press_sequentially("补充一句。")
    filler.locator(".object-tools").get_by_role("link", name="历史").click()

    expect(filler.locator("#id_task_analysis")).to_have_value(re.compile("^补充一句。"))
    assert asked == ["beforeunload"]
    assert filler.url.endswith(change_url(people["liwan"]))


def test_approval_is_confirmed_on_a_page_that_names_what_is_frozen(people, new_page, steps):
    ready = people["ready"]
    filler_user = ready.department.members.get(user__username=FILLER).user
    review_services.evaluation_transition(evaluation_id=ready.pk, user=filler_user, action="submit")
    auditor = at_1366(new_page, "auditor")
    log_in(auditor, AUDITOR)
    auditor.goto(change_url(ready))

    auditor.fill("#id_review_comment", "数据核对无误。")
    auditor.locator("#review-workflow").get_by_role("button", name="审核通过…").click()

    expect(auditor.locator("h1")).to_have_text("确认审核通过")
    content = auditor.locator("#content-main")
    expect(content).to_contain_text(
        "永久保存附件2 自评报告（PDF、Word）和附件1 自评表（PDF、XLSX、Word）"
    )
    expect(content).to_contain_text("将在审核记录和首页中看到这一步")
    expect(content).to_contain_text(FILLER)
    expect(auditor.get_by_role("link", name="预览附件2 自评报告")).to_have_attribute(
        "href", f"/reports/{ready.department.code}/{ready.year}/"
    )
    expect(auditor.locator("#id_confirm_comment")).to_have_value("数据核对无误。")
    steps.record("confirm-approve", auditor)
    ready.refresh_from_db()
    assert ready.status == Evaluation.Status.SUBMITTED

    auditor.get_by_role("link", name="返回，暂不审核通过").click()
    expect(auditor.locator("#review-workflow h2")).to_contain_text("已提交")
    auditor.locator("#review-workflow").get_by_role("button", name="审核通过…").click()
    auditor.fill("#id_confirm_comment", "数据核对无误。")
    auditor.get_by_role("button", name="确认审核通过").click()
    expect(auditor.locator(".messagelist .success")).to_have_text("已审核通过。")
    ready.refresh_from_db()
    assert ready.status == Evaluation.Status.APPROVED
    assert ready.review_events.get(to_status="approved").comment == "数据核对无误。"


def test_the_error_summary_links_to_the_field_that_is_wrong(people, new_page, steps):
    liwan = people["liwan"]
    filler = at_1366(new_page, "filler")
    log_in(filler, FILLER)
    filler.goto(change_url(liwan))

    filler.fill("#id_state_capital_budget", "-1")
    row = "#id_indicator_rows-2-"
    filler.fill(f"{row}weight", "-3")
    filler.click("input[name=_continue]")

    links = filler.locator("#error-summary li a")
    expect(links).to_have_count(2)
    expect(filler.locator("#error-summary")).to_contain_text("本页有 2 处需要更正")
    expect(links.nth(0)).to_have_text("国有资本经营预算财政拨款支出（万元）")
    expect(links.nth(1)).to_have_text(re.compile(r"^附件1 · 绩效指标.* 第 \d+ 项 · 分值$"))
    steps.record("error-summary", filler)

    links.nth(1).click()
    expect(filler.locator(f"{row}weight")).to_be_focused()
    expect(filler.locator(f"{row}weight")).to_have_attribute("aria-invalid", "true")
    expect(filler.locator(f"{row}weight")).to_be_in_viewport()
    links.nth(0).click()
    expect(filler.locator("#id_state_capital_budget")).to_be_focused()
    # Only the mistyped fields are marked, not the first of their line.
    assert filler.locator("[aria-invalid=true]").evaluate_all("nodes => nodes.map(n => n.id)") == [
        "id_state_capital_budget",
        f"{row[1:]}weight",
    ]


def widths(page: Page) -> tuple[int, int]:
    return tuple(
        page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
    )


def test_no_page_a_filler_or_an_auditor_uses_scrolls_sideways_at_1366(people, new_page, steps):
    liwan, ready, hard = people["liwan"], people["ready"], people["hard"]
    pages = {
        FILLER: [
            "/admin/",
            "/admin/evaluations/evaluation/",
            "/admin/evaluations/evaluation/add/",
            change_url(liwan),
            change_url(ready),
            f"/admin/evaluations/evaluation/{liwan.pk}/history/",
            f"/admin/evaluations/evaluation/{ready.pk}/transition/submit/",
            "/admin/evaluations/evaluation/import/",
            "/admin/evaluations/evaluation/export/",
            "/admin/indicators/indicatorrow/",
            "/admin/indicators/indicatorrow/import/",
            "/admin/indicators/indicatorframework/",
            "/admin/password_change/",
            "/admin/no-such-page/",
        ],
        HARD_FILLER: [
            "/admin/",
            "/admin/evaluations/evaluation/",
            change_url(hard),
            f"/admin/evaluations/evaluation/{hard.pk}/history/",
            "/admin/indicators/indicatorrow/",
        ],
    }
    measured: dict[str, dict[str, list[int]]] = {}
    too_wide = []
    for who, urls in pages.items():
        page = at_1366(new_page, who)
        log_in(page, who)
        for url in urls:
            page.goto(url)
            scroll, client = widths(page)
            measured.setdefault(who, {})[url] = [scroll, client]
            if scroll > client:
                too_wide.append((who, url, scroll))
                steps.record(f"too-wide-{who}", page)

    # The auditor: every evaluation read-only, one waiting for approval.
    filler_user = ready.department.members.get(user__username=FILLER).user
    review_services.evaluation_transition(evaluation_id=ready.pk, user=filler_user, action="submit")
    hard.status = Evaluation.Status.SUBMITTED
    hard.save(update_fields=["status"])
    auditor = at_1366(new_page, "auditor")
    log_in(auditor, AUDITOR)
    for url in (
        "/admin/",
        "/admin/evaluations/evaluation/",
        change_url(liwan),
        change_url(ready),
        change_url(hard),
        f"/admin/evaluations/evaluation/{ready.pk}/transition/approve/",
        f"/admin/evaluations/evaluation/{hard.pk}/history/",
        "/admin/indicators/indicatorrow/",
        "/admin/evaluations/department/",
        "/admin/password_change/",
    ):
        auditor.goto(url)
        scroll, client = widths(auditor)
        measured.setdefault(AUDITOR, {})[url] = [scroll, client]
        if scroll > client:
            too_wide.append((AUDITOR, url, scroll))
            steps.record("too-wide-auditor", auditor)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    Path(ARTIFACTS / "page-widths-1366.json").write_text(
        json.dumps(measured, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert too_wide == []
    assert sum(len(urls) for urls in measured.values()) == 29
