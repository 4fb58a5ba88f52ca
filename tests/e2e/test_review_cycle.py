"""The year's work as two people do it in a browser: a filler copies last year's evaluation,
fills it in, submits; an auditor returns it with a comment; the filler corrects and resubmits;
the auditor approves and downloads both official PDFs."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Locator, Page, expect

from evaluations import services
from evaluations.access import Role
from evaluations.models import Department, Evaluation
from tests.e2e.conftest import PASSWORD, log_in
from tests.reports.pdftools import squashed_text

FILLER, AUDITOR = "liwan-filler", "district-auditor"
NEW_INDICATOR = "技术合同登记数"
RETURN_COMMENT = "主要工作成效未写技术合同登记情况，请补充。"
CORRECTION = "全年登记技术合同一百二十项。"


@pytest.fixture
def people(transactional_db) -> None:
    services.roles_setup()
    call_command("loaddata", "liwan_2023", verbosity=0)
    liwan = Department.objects.get(code="liwan-kgxj")
    services.department_user_create(
        username=FILLER, department=liwan, role=Role.FILLER, password=PASSWORD
    )
    services.department_user_create(
        username=AUDITOR, department=liwan, role=Role.AUDITOR, password=PASSWORD
    )


def open_evaluation(page: Page, year: int) -> None:
    """From the admin index, through the list, like a person would."""
    page.goto("/admin/")
    page.get_by_role("link", name="年度绩效自评").first.click()
    page.locator("#result_list").get_by_role("link", name=str(year), exact=True).click()
    expect(page.locator("#review-workflow")).to_be_visible()


def save(page: Page) -> None:
    page.click("input[name=_continue]")


def add_inline_row(page: Page, prefix: str) -> str:
    """Clicks the inline's 添加另一个 link (a button to assistive technology); returns the new
    row's field id prefix."""
    index = page.input_value(f"#id_{prefix}-TOTAL_FORMS")
    page.locator(f"#{prefix}-group").get_by_role("button", name=re.compile("添加另一个")).click()
    return f"#id_{prefix}-{index}-"


def computed(page: Page, field: str) -> Locator:
    """A read-only value the page computes, e.g. 完成率."""
    return page.locator(f".fieldBox.field-{field} .readonly")


def transition(page: Page, label: str) -> None:
    """提交送审 (which saves the page first) and 审核通过 lead to their confirmation page, which
    names what will be frozen; the step is made there. 退回修改 is made at once."""
    buttons = page.locator("#review-workflow input[type=submit]")
    if label == "退回修改":
        buttons.and_(page.locator(f"[value='{label}']")).click()
        return
    buttons.and_(page.locator(f"[value$='{label}…']")).click()
    expect(page.locator("h1")).to_have_text(f"确认{label}")
    expect(page.locator("#content-main")).to_contain_text("永久保存")
    page.get_by_role("button", name=f"确认{label}").click()


def expect_status(page: Page, status: str) -> None:
    expect(page.locator("#review-workflow h2")).to_have_text(f"审核流程 · 当前状态：{status}")


def download(page: Page, link: str) -> tuple[str, bytes]:
    with page.expect_download() as started:
        page.locator(".object-tools").get_by_role("link", name=link).click()
    pdf = started.value
    return pdf.suggested_filename, Path(pdf.path()).read_bytes()


def test_an_evaluation_goes_from_copy_to_approved_pdfs_through_the_browser(
    people, new_page, steps
) -> None:
    filler = new_page("filler")

    # 1. The filler copies 2023 into a 2024 draft.
    log_in(filler, FILLER)
    open_evaluation(filler, 2023)
    filler.get_by_role("button", name="从上年复制：以本年度为基础新建 2024 年度草稿").click()
    expect(filler.locator(".messagelist .success")).to_contain_text("已从 2023 年度复制出 2024")
    expect(filler.locator("#id_year")).to_have_value("2024")
    steps.record("copied", filler)

    # 2. Budget figures whose fund sources do not add up to 执行数, then corrected.
    figures = {
        "budget_total": "9000.00",
        "expenditure_total": "8100.00",
        "general_public_budget": "8000.00",
        "government_fund_budget": "50.00",
        "state_capital_budget": "0.00",
        "other_funds": "0.00",
        "basic_expenditure": "3000.00",
        "project_expenditure": "5100.00",
        "carryover_balance": "900.00",
    }
    for name, value in figures.items():
        filler.fill(f"#id_{name}", value)
    save(filler)
    field_error = filler.locator("div:has(> .field-general_public_budget) > ul.errorlist")
    expect(field_error).to_have_text(re.compile("^按资金来源分的各项支出之和应等于执行数"))
    steps.record("fund-sources-rejected", filler)
    filler.fill("#id_other_funds", "50.00")
    save(filler)
    expect(filler.locator(".messagelist .success")).to_be_visible()
    expect(computed(filler, "completion_rate_display")).to_have_text("90.0%")
    steps.record("figures-saved", filler)

    # 3. What submission requires, then 提交送审.
    filler.fill("#id_conclusion_summary", "本年度部门整体支出绩效目标基本完成。")
    filler.fill("#id_task_analysis", "各项重点工作任务按计划推进。")
    filler.fill("#id_achievements", "科技创新能力持续提升。")
    problem = add_inline_row(filler, "problems")
    filler.fill(f"{problem}order", "1")
    filler.fill(f"{problem}text", "部分项目预算执行进度偏慢。")
    measure = add_inline_row(filler, "improvementmeasures")
    filler.fill(f"{measure}order", "1")
    filler.fill(f"{measure}title", "加快预算执行")
    filler.fill(f"{measure}body", "按月跟踪项目支出进度。")
    row = add_inline_row(filler, "indicator_rows")
    filler.fill(f"{row}order", "9")
    filler.select_option(f"{row}secondary", label="产出指标 / 数量指标")
    filler.fill(f"{row}name", NEW_INDICATOR)
    filler.fill(f"{row}unit", "项")
    filler.fill(f"{row}target", "100")
    filler.fill(f"{row}actual", "120")
    filler.fill(f"{row}weight", "10")
    # Budget execution 90 % earns 9 of 10 and the new row 10 of 10; the copied rows have no
    # target yet and do not count: 19 / 20 = 95.00, 优秀.
    filler.select_option("#id_grade", label="优秀")
    save(filler)
    expect(filler.locator(".messagelist .success")).to_be_visible()
    expect(computed(filler, "computed_grade_display")).to_have_text("优秀")
    transition(filler, "提交送审")
    expect(filler.locator(".messagelist .success")).to_have_text("已提交送审。")
    expect_status(filler, "已提交")
    steps.record("submitted", filler)

    # 4. The auditor returns it: first without a comment (refused), then with one.
    auditor = new_page("auditor")
    log_in(auditor, AUDITOR)
    open_evaluation(auditor, 2024)
    expect_status(auditor, "已提交")
    transition(auditor, "退回修改")
    expect(auditor.locator(".messagelist .error")).to_have_text(
        ["未能退回修改：", "退回时必须填写审核意见，说明需要修改什么。"]
    )
    expect_status(auditor, "已提交")
    steps.record("return-without-comment-refused", auditor)
    auditor.fill("#id_review_comment", RETURN_COMMENT)
    transition(auditor, "退回修改")
    expect(auditor.locator(".messagelist .success")).to_have_text("已退回修改。")
    expect_status(auditor, "已退回")
    steps.record("returned", auditor)

    # 5. The filler reads the comment, corrects the text and resubmits.
    filler.reload()
    expect_status(filler, "已退回")
    expect(filler.locator("#review-events")).to_contain_text(RETURN_COMMENT)
    achievements = filler.input_value("#id_achievements")
    filler.fill("#id_achievements", f"{achievements}{CORRECTION}")
    save(filler)
    expect(filler.locator(".messagelist .success")).to_be_visible()
    transition(filler, "提交送审")
    expect(filler.locator(".messagelist .success")).to_have_text("已提交送审。")
    expect_status(filler, "已提交")
    steps.record("resubmitted", filler)

    # 6. The auditor approves (which renders and stores both PDFs) and downloads them.
    auditor.reload()
    transition(auditor, "审核通过")
    expect(auditor.locator(".messagelist .success")).to_have_text("已审核通过。")
    expect_status(auditor, "已审核")
    steps.record("approved", auditor)
    name, report = download(auditor, "下载附件2 自评报告（PDF）")
    assert name == "2024年度广州市荔湾区科技工业和信息化局部门整体支出绩效自评报告.pdf"
    report_text = squashed_text(report)
    assert "2024年度广州市荔湾区科技工业和信息化局" in report_text
    assert CORRECTION in report_text
    _, table = download(auditor, "下载附件1 自评表（PDF）")
    assert NEW_INDICATOR in squashed_text(table)

    evaluation = Evaluation.objects.get(department__code="liwan-kgxj", year=2024)
    assert evaluation.status == Evaluation.Status.APPROVED
    assert [event.to_status for event in evaluation.review_events.order_by("created_at")] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
