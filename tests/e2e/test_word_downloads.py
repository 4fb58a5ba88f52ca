"""The Word files in the browser, at 1366 × 768: a filler downloads them from the evaluation page
beside the PDFs, and after approval the auditor's start page offers the stored Word files."""

import io
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Page, expect

from evaluations import services
from evaluations.access import Role
from evaluations.models import ApprovedReport, Evaluation
from evaluations.reports.document import report_blocks
from evaluations.selectors import evaluation_for_report
from indicators.factories import CompleteEvaluationFactory
from review.services import evaluation_transition
from tests.e2e.conftest import PASSWORD, log_in
from tests.helpers import hard_text_evaluation

VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture
def people(transactional_db) -> dict[str, Evaluation]:
    services.roles_setup()
    hard = hard_text_evaluation()
    services.department_user_create(
        username="hard-filler", department=hard.department, role=Role.FILLER, password=PASSWORD
    )
    approved = CompleteEvaluationFactory(department=hard.department, year=2024)
    filler = services.department_user_create(
        username="hard-filler-2", department=hard.department, role=Role.FILLER, password=PASSWORD
    )
    auditor = services.department_user_create(
        username="district-auditor", department=hard.department, role=Role.AUDITOR,
        password=PASSWORD,
    )  # fmt: skip
    evaluation_transition(evaluation_id=approved.pk, user=filler, action="submit")
    evaluation_transition(evaluation_id=approved.pk, user=auditor, action="approve")
    return {"hard": hard, "approved": approved}


def download(page: Page, link_name: str) -> tuple[str, bytes]:
    with page.expect_download() as started:
        page.get_by_role("link", name=link_name, exact=True).first.click()
    done = started.value
    return done.suggested_filename, Path(done.path()).read_bytes()


def fits_the_width(page: Page) -> None:
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_a_filler_downloads_both_word_files_from_the_evaluation_page(people, new_page, steps):
    hard = people["hard"]
    page = new_page("filler")
    page.set_viewport_size(VIEWPORT)
    log_in(page, "hard-filler")
    page.goto(f"/admin/evaluations/evaluation/{hard.pk}/change/")
    steps.record("change-page", page)
    fits_the_width(page)

    name, content = download(page, "附件2（Word）")
    assert name == "2023年度广州市荔湾区文化广电旅游体育局部门整体支出绩效自评报告.docx"
    blocks = report_blocks(evaluation_for_report(department_code=hard.department.code, year=2023))
    assert [p.text for p in docx.Document(io.BytesIO(content)).paragraphs] == [
        block.text for block in blocks
    ]

    name, content = download(page, "附件1（Word）")
    assert name == "2023年度广州市荔湾区文化广电旅游体育局部门整体支出绩效自评表.docx"
    assert docx.Document(io.BytesIO(content)).tables[1].rows[0].cells[0].text == "一级指标"


def test_after_approval_the_start_page_and_the_auditor_offer_the_stored_word_files(
    people, new_page, steps
):
    approved = people["approved"]
    stored = ApprovedReport.objects.get(evaluation=approved, appendix=2, fmt="docx")
    filler = new_page("filler")
    filler.set_viewport_size(VIEWPORT)
    log_in(filler, "hard-filler")
    filler.goto("/admin/")
    steps.record("filler-start-page", filler)
    fits_the_width(filler)
    word_links = filler.locator(".start-word")
    expect(word_links).to_contain_text("Word 版：附件2 · 附件1")
    with filler.expect_download() as started:
        word_links.get_by_role("link", name="附件2").click()
    assert Path(started.value.path()).read_bytes() == bytes(stored.content)

    auditor = new_page("auditor")
    auditor.set_viewport_size(VIEWPORT)
    log_in(auditor, "district-auditor")
    auditor.goto(f"/admin/evaluations/evaluation/{approved.pk}/change/")
    steps.record("auditor-approved-page", auditor)
    fits_the_width(auditor)
    name, content = download(auditor, "附件2（Word）")
    assert name == "2024年度广州市荔湾区文化广电旅游体育局部门整体支出绩效自评报告.docx"
    assert content == bytes(stored.content)
