"""The year's overview in a browser on a 1366×768 screen: an auditor follows the start page's link
to it, sees both charts and the table of departments, and the page does not scroll sideways (the
long table scrolls inside its own box). A screenshot is written to /tmp."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluations import services
from evaluations.access import Role
from evaluations.factories import DepartmentFactory, EvaluationFactory
from indicators.factories import CompleteEvaluationFactory, IndicatorFrameworkFactory
from review.services import evaluation_transition
from rounds.services import round_create
from tests.e2e.conftest import PASSWORD, log_in

AUDITOR = "district-auditor"
SCREEN = {"width": 1366, "height": 768}
YEAR = 2024


def figures(executed: Decimal) -> dict[str, Decimal]:
    """Figures that add up: a budget of 1,000 万元 of which `executed` was spent."""
    zero = Decimal("0")
    return {
        "budget_total": Decimal("1000.00"),
        "expenditure_total": executed,
        "general_public_budget": executed,
        "government_fund_budget": zero,
        "state_capital_budget": zero,
        "other_funds": zero,
        "basic_expenditure": executed,
        "project_expenditure": zero,
        "carryover_balance": zero,
    }


@pytest.fixture
def district(transactional_db) -> None:
    """Sixty departments of 2024 with rates from 41 % to 100 %, one with the longest name a
    department may have; a few submitted, one returned with a long comment; two without an
    evaluation. The deadline was five days ago."""
    services.roles_setup()
    IndicatorFrameworkFactory(year=YEAR)
    administrator = services.department_user_create(
        username="bureau-admin",
        department=DepartmentFactory(code="czj", name="区财政局"),
        role=Role.ADMINISTRATOR,
        password=PASSWORD,
    )
    auditor = services.department_user_create(
        username=AUDITOR,
        department=DepartmentFactory(code="sjj", name="区审计局"),
        role=Role.AUDITOR,
        password=PASSWORD,
    )
    departments = []
    for number in range(60):
        name = "广州市某某区" + "很长的部门名称" * 13 if number == 7 else f"示例区第{number}局"
        department = DepartmentFactory(code=f"dept-{number:03d}", name=name[:100])
        departments.append(department)
        if number in (3, 4):
            continue
        if number % 10 == 0:
            evaluation = CompleteEvaluationFactory(department=department, year=YEAR)
            evaluation_transition(evaluation_id=evaluation.pk, user=administrator, action="submit")
        else:
            EvaluationFactory(
                department=department, year=YEAR, figures=figures(Decimal(410 + number * 10))
            )
    returned = departments[20].evaluations.get(year=YEAR)
    evaluation_transition(
        evaluation_id=returned.pk,
        user=auditor,
        action="return",
        comment="请补充重点工作任务的完成情况，说明预算执行率偏低的原因，并核对各项资金来源。" * 3,
    )
    round_create(
        year=YEAR,
        deadline=timezone.localdate() - timedelta(days=5),
        departments=departments,
        create_drafts=False,
        user=administrator,
    )


def test_an_auditor_opens_the_overview_from_the_start_page_and_it_fits_the_screen(
    district, new_page, steps
) -> None:
    page = new_page("auditor")
    page.set_viewport_size(SCREEN)
    log_in(page, AUDITOR)

    page.click("#round-overview-link a")

    expect(page.locator("h1")).to_have_text(f"{YEAR} 年度总览")
    grades = page.locator("svg.chart-grades")
    rates = page.locator("svg.chart-rates")
    expect(grades).to_be_visible()
    expect(rates).to_be_visible()
    expect(grades.locator("rect.grade-bar")).to_have_count(5)
    expect(rates.locator("rect.rate-column")).to_have_count(58)
    # A horizontal line has no height, which Playwright calls hidden: counted, not "visible".
    expect(rates.locator("line.target-line")).to_have_count(1)
    for chart in (grades, rates):
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 80, box
    expect(page.locator("#overview-table tbody tr")).to_have_count(60)
    expect(page.locator('tr[data-code="dept-003"] .col-overdue')).to_have_text("逾期 5 天")
    fits = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert fits, page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    # The table scrolls in its own box, not the page.
    box = page.locator("#overview-table-box")
    assert box.evaluate("e => e.scrollHeight > e.clientHeight")
    page.screenshot(path="/tmp/round-overview.png")
    page.screenshot(path="/tmp/round-overview-full.png", full_page=True)
    steps.record("overview", page)

    page.click("#overview-filters a:has-text('逾期未提交')")

    expect(page.locator("#overview-table tbody tr")).to_have_count(54)
    page.click("#overview-table thead a:has-text('预算执行率')")
    expect(page.locator("#overview-table tbody tr").first).to_have_attribute(
        "data-code", "dept-001"
    )
    steps.record("filtered-and-sorted", page)
