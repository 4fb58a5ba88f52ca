"""The admin and the report preview work under the Content-Security-Policy: Chromium, which
enforces it, reports no violation on any page an administrator uses, including while the page's
scripts run (inline rows, autocomplete, the export page's select-all box, an import preview)."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from evaluations.models import Evaluation
from tests.e2e.conftest import PASSWORD, log_in

ADMIN = "site-admin"

# Records every violation the page reports, from before its first script runs. Init scripts come
# from the browser's DevTools protocol, so the policy does not block this one.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || location.pathname}:${event.lineNumber}) ${event.sample}`
  );
});
"""


@pytest.fixture
def liwan_admin(transactional_db) -> Evaluation:
    call_command("loaddata", "liwan_2023", verbosity=0)
    get_user_model().objects.create_superuser(username=ADMIN, password=PASSWORD)
    return Evaluation.objects.get(department__code="liwan-kgxj", year=2023)


class Violations:
    """What the page reported (securitypolicyviolation events) and what Chromium logged to the
    console about the policy, page by page."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        context.add_init_script(RECORD_VIOLATIONS)
        self.page = page
        self.console: list[str] = []
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def on_this_page(self) -> list[str]:
        self.page.wait_for_load_state("networkidle")
        reported = self.page.evaluate("window.__cspViolations")
        return [f"{self.page.url}: {text}" for text in reported] + self.console


def visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert "default-src 'self'" in response.headers["content-security-policy"], path


def budget_csv(evaluation: Evaluation) -> bytes:
    """The evaluation's own figures with 年末结转和结余 changed: an import with one updated row."""
    figures = [
        evaluation.budget_total,
        evaluation.expenditure_total,
        evaluation.general_public_budget,
        evaluation.government_fund_budget,
        evaluation.state_capital_budget,
        evaluation.other_funds,
        evaluation.basic_expenditure,
        evaluation.project_expenditure,
        Decimal("123.45"),
    ]
    header = (
        "部门编码,年度,全年预算数（万元）,执行数（万元）,一般公共预算财政拨款支出（万元）,"
        "政府性基金预算财政拨款支出（万元）,国有资本经营预算财政拨款支出（万元）,"
        "其他资金支出（万元）,基本支出（万元）,项目支出（万元）,年末结转和结余（万元）"
    )
    row = ",".join(["liwan-kgxj", "2023", *(str(value or 0) for value in figures)])
    return f"{header}\n{row}\n".encode()


def test_the_detector_sees_a_violation(liwan_admin, browser, live_server) -> None:
    """The check below is not vacuous: an inline style set on a page is reported."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    violations = Violations(context, page)

    visit(page, "/admin/login/")
    page.evaluate("document.body.setAttribute('style', 'color: red')")

    assert any("style-src-attr" in text for text in violations.on_this_page())
    context.close()


def test_no_page_of_the_admin_or_the_preview_violates_the_policy(
    liwan_admin, browser, live_server, steps
) -> None:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    steps.pages["admin"] = page
    violations = Violations(context, page)
    found: list[str] = []
    evaluation = f"/admin/evaluations/evaluation/{liwan_admin.pk}"

    visit(page, "/admin/login/")
    found += violations.on_this_page()
    log_in(page, ADMIN)
    found += violations.on_this_page()

    # The changelist, with the select-all box of the actions (actions.js).
    visit(page, "/admin/evaluations/evaluation/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("1")
    found += violations.on_this_page()
    steps.record("changelist", page)

    # The evaluation page: a new inline row (cloned by inlines.js) and the department
    # autocomplete (select2 positions its dropdown with inline styles set from script).
    visit(page, f"{evaluation}/change/")
    page.locator("#problems-group").get_by_role("button", name=re.compile("添加另一个")).click()
    expect(page.locator("#id_problems-TOTAL_FORMS")).not_to_have_value("0")
    page.locator(".field-department .select2-selection").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")
    found += violations.on_this_page()
    steps.record("change-page", page)
    visit(page, f"{evaluation}/history/")
    found += violations.on_this_page()

    # The report preview, as the change page links it.
    visit(page, "/reports/liwan-kgxj/2023/")
    expect(page.locator("body")).to_contain_text("部门整体支出绩效自评报告")
    found += violations.on_this_page()
    steps.record("preview", page)

    # Import: the upload page, then the preview of a file with one changed row.
    visit(page, "/admin/evaluations/evaluation/import/")
    found += violations.on_this_page()
    page.set_input_files(
        "#id_import_file",
        {"name": "budget.csv", "mimeType": "text/csv", "buffer": budget_csv(liwan_admin)},
    )
    page.select_option("#id_format", label="csv")
    page.locator("input[type=submit]").click()
    expect(page.locator("input[name=confirm]")).to_be_visible()
    found += violations.on_this_page()
    steps.record("import-preview", page)

    # Export: the fields list, whose select-all box is wired by our script, not an inline handler.
    visit(page, "/admin/evaluations/evaluation/export/")
    fields = page.locator(".selectable-field-export-row input[type=checkbox]")
    expect(fields.first).to_be_checked()
    page.locator("input.select-toggle").uncheck()
    for index in range(fields.count()):
        expect(fields.nth(index)).not_to_be_checked()
    found += violations.on_this_page()
    steps.record("export", page)

    # Other admin pages a site administrator opens.
    for path in (
        "/admin/",
        "/admin/evaluations/department/",
        "/admin/evaluations/department/add/",
        "/admin/indicators/indicatorrow/",
        "/admin/auth/user/",
    ):
        visit(page, path)
        found += violations.on_this_page()

    assert found == []
    context.close()
