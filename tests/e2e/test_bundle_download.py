"""An auditor on a 1366×768 screen asks for the ZIP of a year's reports, watches its progress bar
move department by department while a worker builds it, and downloads it. The worker is the
database backend's own worker loop, run in this thread: after each department the test waits
until the page (polling on its own) shows it, so each step of the bar is seen."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bundles.signals import department_written
from evaluations import services
from evaluations.access import Role
from tests.bundles.conftest import approved_evaluation, run_worker, stored_file, stored_pdf
from tests.e2e.conftest import PASSWORD, log_in

AUDITOR = "district-auditor"
SCREEN = {"width": 1366, "height": 768}
ROOT = "2023年度部门整体支出绩效自评"
TIME_LEFT = re.compile(r"^(约 \d+ (秒|分 \d+ 秒)|不到 1 秒)$")
DEPARTMENTS = {
    "dept-a": "广州市甲区财政局",
    "dept-b": "广州市乙区教育局",
    "dept-c": "广州市丙区卫生健康局",
}


@pytest.fixture
def people(transactional_db, settings, tmp_path) -> None:
    settings.BUNDLE_DIR = tmp_path / "bundles"
    services.roles_setup()
    evaluations = [approved_evaluation(code, name) for code, name in DEPARTMENTS.items()]
    services.department_user_create(
        username=AUDITOR, department=evaluations[0].department, role=Role.AUDITOR, password=PASSWORD
    )


def fits_the_screen(page: Page) -> None:
    fits = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert fits, page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_an_auditor_starts_a_zip_watches_its_progress_and_downloads_it(
    people, new_page, steps
) -> None:
    page = new_page("auditor")
    page.set_viewport_size(SCREEN)
    log_in(page, AUDITOR)

    # 1. From the admin index to the bundle page: every department of the year is checked.
    page.get_by_role("link", name="报告压缩包", exact=True).click()
    page.locator(".object-tools").get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("打包下载报告")
    boxes = page.locator("#bundle-departments input[type=checkbox]")
    expect(boxes).to_have_count(3)
    for index in range(3):
        expect(boxes.nth(index)).to_be_checked()
    expect(page.locator("#bundle-select-all")).to_be_checked()
    fits_the_screen(page)
    steps.record("selection", page)

    # 2. 开始打包 answers at once: the progress page, queued, nothing done.
    page.get_by_role("button", name="开始打包").click()
    bar = page.locator("#bundle-progress-bar")
    expect(page.locator("#bundle-status")).to_have_text("排队中")
    expect(bar).to_have_js_property("value", 0)
    expect(bar).to_have_js_property("max", 3)
    expect(page.locator("#bundle-download")).to_be_hidden()
    expect(page.locator("#bundle-error")).to_be_hidden()
    box = bar.bounding_box()
    assert box is not None and box["width"] > 300 and box["x"] + box["width"] <= SCREEN["width"]
    fits_the_screen(page)
    steps.record("queued", page)

    # 3. A worker builds it; the page follows each department by itself.
    def watch(sender, done, total, **kwargs):
        expect(page.locator("#bundle-status")).to_have_text("生成中")
        expect(bar).to_have_js_property("value", done)
        expect(page.locator(".bundle-counts")).to_contain_text(f"已完成 {done} / {total} 个部门")
        expect(page.locator("#bundle-remaining")).to_have_text(TIME_LEFT)
        steps.record(f"built-{done}-of-{total}", page)

    department_written.connect(watch)
    try:
        run_worker()
    finally:
        department_written.disconnect(watch)

    # 4. Finished: the link appears and the ZIP is downloaded under its Chinese name.
    expect(page.locator("#bundle-status")).to_have_text("已完成")
    expect(bar).to_have_js_property("value", 3)
    link = page.locator("#bundle-download-link")
    expect(link).to_be_visible()
    expect(page.locator("#bundle-error")).to_be_hidden()
    expect(page.locator("#bundle-remaining")).to_have_text("无")
    steps.record("finished", page)
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == "2023年度部门整体支出绩效自评（3个部门）.zip"

    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as archive:
        names = archive.namelist()
        assert names[0] == f"{ROOT}/汇总表.xlsx"
        assert len(names) == 13  # the 汇总表 and each department's 附件1, 附件2 as PDF and Word
        for code, name in DEPARTMENTS.items():
            folder = f"{ROOT}/{code} {name}"
            assert archive.read(f"{folder}/附件1 2023年度{name}部门整体支出绩效自评表.pdf") == (
                stored_pdf(code, 1)
            )
            assert archive.read(f"{folder}/附件2 2023年度{name}部门整体支出绩效自评报告.pdf") == (
                stored_pdf(code, 2)
            )
            assert archive.read(f"{folder}/附件2 2023年度{name}部门整体支出绩效自评报告.docx") == (
                stored_file(code, 2, "docx")
            )
