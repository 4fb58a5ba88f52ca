"""The start page in a browser on a 1366×768 screen: a filler sees their evaluation, what 提交送审
still needs and follows an item to the very field; an auditor sees what waits for review and
opens it. Neither page scrolls sideways. Screenshots of both are written to /tmp."""

import re

import pytest
from playwright.sync_api import Page, expect

from evaluations import services
from evaluations.access import Role
from evaluations.factories import DepartmentFactory, EvaluationFactory
from indicators.factories import CompleteEvaluationFactory
from review import selectors
from review.services import evaluation_transition
from tests.e2e.conftest import PASSWORD, log_in

FILLER, AUDITOR = "liwan-filler", "district-auditor"
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture
def people(transactional_db) -> int:
    """A filler whose department has a draft of the year due with only its figures, and an
    auditor with two other departments' evaluations waiting. Returns the year due."""
    services.roles_setup()
    year = selectors.evaluation_year_due()
    liwan = DepartmentFactory(code="liwan-kgxj", name="荔湾区科技工业和信息化局")
    EvaluationFactory(department=liwan, year=year)
    services.department_user_create(
        username=FILLER, department=liwan, role=Role.FILLER, password=PASSWORD
    )
    auditor = services.department_user_create(
        username=AUDITOR, department=liwan, role=Role.AUDITOR, password=PASSWORD
    )
    other = DepartmentFactory(code="haizhu-fgj", name="海珠区发展和改革局")
    waiting = CompleteEvaluationFactory(department=other, year=year)
    submitter = services.department_user_create(
        username="haizhu-filler", department=other, role=Role.FILLER, password=PASSWORD
    )
    evaluation_transition(evaluation_id=waiting.pk, user=submitter, action="submit")
    # Submitted later, with the longest names a department and an account may have.
    long = DepartmentFactory(code="long-name", name="广州市某某区" + "很长的部门名称" * 13)
    later = CompleteEvaluationFactory(department=long, year=year)
    long_submitter = services.department_user_create(
        username="a" * 150, department=long, role=Role.FILLER, password=PASSWORD
    )
    evaluation_transition(evaluation_id=later.pk, user=long_submitter, action="submit")
    assert auditor.pk
    return year


def no_sideways_scrolling(page: Page) -> None:
    fits = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert fits, page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_a_filler_starts_from_their_evaluation_and_follows_the_checklist_to_a_field(
    people, new_page, steps
) -> None:
    year = people
    page = new_page("filler")
    page.set_viewport_size(SCREEN)

    log_in(page, FILLER)

    section = page.locator("#own-evaluations")
    expect(section.locator("h2")).to_have_text("本部门的绩效自评 · 荔湾区科技工业和信息化局")
    expect(section.locator("th.col-year")).to_have_text(["年度", f"{year} 年度"])
    expect(section.locator(".status-badge")).to_have_text("草稿")
    expect(section.locator(".checklist h3")).to_have_text("提交送审前还需完成 10 项")
    expect(section.locator(".checklist li")).to_have_count(10)
    expect(section.locator(".next-step a.start-action")).to_have_text("继续填写")
    # The business first: the evaluations' models lead the list below.
    expect(page.locator(".start-apps > .module").first).to_have_class("app-evaluations module")
    no_sideways_scrolling(page)
    page.screenshot(path="/tmp/start-page-filler.png", full_page=True)
    steps.record("start-page", page)

    section.get_by_role("link", name="“自评结论综述”尚未填写。").click()
    expect(page).to_have_url(f"{page.url.split('#')[0]}#id_conclusion_summary")
    expect(page.locator("#id_conclusion_summary")).to_be_in_viewport()
    steps.record("followed-to-field", page)

    page.go_back()
    section.get_by_role("link", name="“部门职能”至少要填写一项。").click()
    expect(page.locator("#departmentfunctions-group")).to_be_in_viewport()
    steps.record("followed-to-list", page)


def test_an_auditor_starts_from_the_evaluations_waiting_for_review(people, new_page, steps) -> None:
    year = people
    page = new_page("auditor")
    page.set_viewport_size(SCREEN)

    log_in(page, AUDITOR)

    queue = page.locator("#review-queue")
    expect(queue.locator("h2")).to_have_text("待审核的自评（2 份）")
    rows = queue.locator("tbody tr")
    expect(rows.locator("th")).to_have_text(["海珠区发展和改革局", re.compile("^广州市某某区很长")])
    expect(rows.first.locator("td").nth(0)).to_have_text(f"{year} 年度")
    expect(rows.first.locator("td").nth(2)).to_have_text("haizhu-filler")
    expect(page.locator("#year-overview h2")).to_have_text(f"{year} 年度进度")
    expect(page.locator("#own-evaluations")).to_have_count(0)
    no_sideways_scrolling(page)
    page.screenshot(path="/tmp/start-page-auditor.png", full_page=True)
    steps.record("start-page", page)

    rows.first.get_by_role("link", name="打开审核").click()
    expect(page.locator("#review-workflow")).to_be_in_viewport()
    expect(page.locator("#review-workflow h2")).to_contain_text("已提交")
    steps.record("opened", page)
