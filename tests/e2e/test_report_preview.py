"""The HTML preview of the official report, as a browser renders it."""

import pytest
from django.core.management import call_command
from playwright.sync_api import ConsoleMessage, Error, Request, expect

from evaluations import services
from evaluations.access import Role
from evaluations.models import Department
from tests.e2e.conftest import PASSWORD, log_in


@pytest.fixture
def filler(transactional_db) -> str:
    services.roles_setup()
    call_command("loaddata", "liwan_2023", verbosity=0)
    services.department_user_create(
        username="liwan-filler",
        department=Department.objects.get(code="liwan-kgxj"),
        role=Role.FILLER,
        password=PASSWORD,
    )
    return "liwan-filler"


def test_the_report_preview_renders_without_console_errors(filler, new_page, steps) -> None:
    page = new_page("reader")
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text} ({message.location.get('url')})")

    def on_page_error(error: Error) -> None:
        problems.append(f"page error: {error.message}")

    def on_request_failed(request: Request) -> None:
        problems.append(f"request failed: {request.url} ({request.failure})")

    log_in(page, filler)
    # Let the admin page finish loading first: its requests cut off by leaving it are not the
    # preview's.
    page.wait_for_load_state("networkidle")
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("requestfailed", on_request_failed)
    response = page.goto("/reports/liwan-kgxj/2023/")
    page.wait_for_load_state("networkidle")
    steps.record("preview", page)

    assert response is not None and response.status == 200
    body = page.locator("body")
    expect(body).to_contain_text("广州市荔湾区科技工业和信息化局")
    expect(body).to_contain_text("部门整体支出绩效自评报告")
    expect(body).to_contain_text("一、基本情况")
    assert problems == []
