"""核验报告 in the browser, at 1366 × 768: an auditor uploads the approved PDF and is told whose
it is; a copy changed by one byte is told apart; a typed code finds the approved report."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from evaluations import services
from evaluations.access import Role
from evaluations.models import ApprovedReport, Evaluation
from indicators.factories import CompleteEvaluationFactory
from review.services import evaluation_transition
from tests.e2e.conftest import PASSWORD, log_in

VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture
def approved(transactional_db, tmp_path) -> tuple[Evaluation, ApprovedReport]:
    services.roles_setup()
    evaluation = CompleteEvaluationFactory()
    filler = services.department_user_create(
        username="a-filler", department=evaluation.department, role=Role.FILLER, password=PASSWORD
    )
    auditor = services.department_user_create(
        username="district-auditor",
        department=evaluation.department,
        role=Role.AUDITOR,
        password=PASSWORD,
    )
    evaluation_transition(evaluation_id=evaluation.pk, user=filler, action="submit")
    evaluation_transition(evaluation_id=evaluation.pk, user=auditor, action="approve")
    return evaluation, ApprovedReport.objects.get(evaluation=evaluation, appendix=2, fmt="pdf")


def test_an_auditor_verifies_an_approved_pdf_a_tampered_copy_and_a_printed_code(
    approved, new_page, steps, tmp_path
):
    evaluation, stored = approved
    original = tmp_path / "附件2.pdf"
    original.write_bytes(bytes(stored.content))
    tampered = tmp_path / "附件2-改.pdf"
    changed = bytearray(stored.content)
    changed[len(changed) // 3] ^= 0x20
    tampered.write_bytes(bytes(changed))

    page = new_page("auditor")
    page.set_viewport_size(VIEWPORT)
    log_in(page, "district-auditor")
    page.goto("/admin/")
    page.locator("#verify-module").get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("核验报告")

    page.get_by_label("上传文件").set_input_files(str(original))
    page.get_by_role("button", name="核验").click()
    verdict = page.locator("#verdict")
    expect(verdict.locator("h2")).to_have_text("是系统保存的审定报告。")
    expect(verdict).to_contain_text(evaluation.department.full_name)
    expect(verdict).to_contain_text("district-auditor")
    steps.record("approved", page)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    page.get_by_label("上传文件").set_input_files(str(tampered))
    page.get_by_role("button", name="核验").click()
    expect(verdict.locator("h2")).to_contain_text("不是系统中的文件：它自称是")
    steps.record("tampered", page)

    code = stored.verification_code
    page.get_by_label("或输入校验码 / SHA-256").fill(f"{code[:4]}-{code[4:8]}-{code[8:]}")
    page.get_by_role("button", name="核验").click()
    expect(verdict.locator("h2")).to_have_text("是系统保存的审定报告。")
    expect(verdict).to_contain_text("纸质件请与下面的审定文件逐页核对")
    with page.expect_download() as started:
        verdict.get_by_role("link", name="下载系统保存的审定文件（PDF）").click()
    assert Path(started.value.path()).read_bytes() == bytes(stored.content)
    steps.record("code", page)
