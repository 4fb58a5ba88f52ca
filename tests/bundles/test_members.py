"""What the ZIP holds: the folder of the year, a folder per department with 附件1 and 附件2 (PDF
and Word) under their download names, the 汇总表 at the top; stored bytes for approved evaluations, PDFs rendered
now for the others; UTF-8 names flagged as such."""

import io
import zipfile

import docx
import openpyxl
import pytest
from django.utils import timezone

from bundles import services
from bundles.models import Bundle
from indicators.factories import CompleteEvaluationFactory
from tests.bundles.conftest import (
    approved_evaluation,
    department,
    members,
    stored_file,
    stored_pdf,
)
from tests.reports.pdftools import squashed_text

ROOT = "2023年度部门整体支出绩效自评"
UTF8_FLAG = 0x800  # general purpose bit 11: the name is UTF-8 (APPNOTE 6.3.x appendix D)


@pytest.fixture
def auditor(make_user, three_approved):
    return make_user("auditor", role="auditor", department=three_approved[0].department)


def test_the_zip_has_the_year_folder_the_summary_and_both_documents_of_each_department(
    auditor, three_approved, build
):
    bundle = build(auditor.user, ["dept-c", "dept-a", "dept-b"])

    assert bundle.status == Bundle.Status.DONE
    with zipfile.ZipFile(services.bundle_path(bundle.pk)) as archive:
        names = archive.namelist()
    assert names == [
        f"{ROOT}/汇总表.xlsx",
        f"{ROOT}/dept-a 广州市甲区财政局/附件1 2023年度广州市甲区财政局部门整体支出绩效自评表.pdf",
        f"{ROOT}/dept-a 广州市甲区财政局/附件1 2023年度广州市甲区财政局部门整体支出绩效自评表.docx",
        f"{ROOT}/dept-a 广州市甲区财政局/附件2 2023年度广州市甲区财政局部门整体支出绩效自评报告.pdf",
        f"{ROOT}/dept-a 广州市甲区财政局/附件2 2023年度广州市甲区财政局部门整体支出绩效自评报告.docx",
        f"{ROOT}/dept-b 广州市乙区教育局/附件1 2023年度广州市乙区教育局部门整体支出绩效自评表.pdf",
        f"{ROOT}/dept-b 广州市乙区教育局/附件1 2023年度广州市乙区教育局部门整体支出绩效自评表.docx",
        f"{ROOT}/dept-b 广州市乙区教育局/附件2 2023年度广州市乙区教育局部门整体支出绩效自评报告.pdf",
        f"{ROOT}/dept-b 广州市乙区教育局/附件2 2023年度广州市乙区教育局部门整体支出绩效自评报告.docx",
        f"{ROOT}/dept-c 广州市丙区卫生健康局/附件1 2023年度广州市丙区卫生健康局部门整体支出绩效自评表.pdf",
        f"{ROOT}/dept-c 广州市丙区卫生健康局/附件1 2023年度广州市丙区卫生健康局部门整体支出绩效自评表.docx",
        f"{ROOT}/dept-c 广州市丙区卫生健康局/附件2 2023年度广州市丙区卫生健康局部门整体支出绩效自评报告.pdf",
        f"{ROOT}/dept-c 广州市丙区卫生健康局/附件2 2023年度广州市丙区卫生健康局部门整体支出绩效自评报告.docx",
    ]


def test_approved_evaluations_go_in_as_the_bytes_stored_at_approval(auditor, three_approved, build):
    bundle = build(auditor.user, ["dept-a", "dept-b", "dept-c"])

    files = members(services.bundle_path(bundle.pk))
    for code, name in (("dept-a", "广州市甲区财政局"), ("dept-b", "广州市乙区教育局")):
        folder = f"{ROOT}/{code} {name}"
        assert files[f"{folder}/附件1 2023年度{name}部门整体支出绩效自评表.pdf"] == stored_pdf(
            code, 1
        )
        assert files[f"{folder}/附件2 2023年度{name}部门整体支出绩效自评报告.pdf"] == stored_pdf(
            code, 2
        )
        assert files[f"{folder}/附件2 2023年度{name}部门整体支出绩效自评报告.docx"] == (
            stored_file(code, 2, "docx")
        )


def test_an_evaluation_approved_before_word_files_were_stored_gets_them_rendered(auditor, build):
    approved_evaluation("dept-old", "广州市戊区司法局", formats=("pdf",))

    bundle = build(auditor.user, ["dept-old"])

    files = members(services.bundle_path(bundle.pk))
    folder = f"{ROOT}/dept-old 广州市戊区司法局"
    assert files[f"{folder}/附件2 2023年度广州市戊区司法局部门整体支出绩效自评报告.pdf"] == (
        stored_pdf("dept-old", 2)
    )
    word = docx.Document(
        io.BytesIO(files[f"{folder}/附件2 2023年度广州市戊区司法局部门整体支出绩效自评报告.docx"])
    )
    assert word.paragraphs[0].text == "附件 2"
    assert "广州市戊区司法局" in word.paragraphs[1].text


def test_every_name_is_utf8_flagged_and_every_member_stored_uncompressed(
    auditor, three_approved, build
):
    bundle = build(auditor.user, ["dept-a"])

    with zipfile.ZipFile(services.bundle_path(bundle.pk)) as archive:
        infos = archive.infolist()
        assert archive.testzip() is None
    assert infos
    for info in infos:
        assert info.flag_bits & UTF8_FLAG, info.filename
        assert info.compress_type == zipfile.ZIP_STORED
    # The raw central directory holds the names as UTF-8 bytes, as 7-Zip and Explorer read them.
    raw = services.bundle_path(bundle.pk).read_bytes()
    assert "广州市甲区财政局".encode() in raw
    assert bundle.size == len(raw)


def test_members_carry_the_evaluation_s_last_change_as_their_date(auditor, three_approved, build):
    bundle = build(auditor.user, ["dept-a"])

    with zipfile.ZipFile(services.bundle_path(bundle.pk)) as archive:
        report = archive.infolist()[2]
    local = timezone.localtime(three_approved[0].updated_at)  # Asia/Shanghai
    assert report.date_time == (
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second // 2 * 2,  # ZIP dates count seconds in twos
    )


def test_the_summary_lists_exactly_the_bundled_departments(auditor, three_approved, build):
    bundle = build(auditor.user, ["dept-a", "dept-c"])

    summary = members(services.bundle_path(bundle.pk))[f"{ROOT}/汇总表.xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(summary)).active
    codes = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert {"dept-a", "dept-c"} <= codes
    assert "dept-b" not in codes


def test_evaluations_not_approved_are_rendered_now(make_user, build, framework_2023):
    waiting = CompleteEvaluationFactory.create(
        department__code="dept-draft",
        department__full_name="广州市丁区发展和改革局",
        department__name="丁区发展和改革局",
        year=2023,
    )
    approved_evaluation("dept-a", "广州市甲区财政局")
    auditor = make_user("auditor", role="auditor", department=waiting.department)

    bundle = build(auditor.user, ["dept-a", "dept-draft"])

    files = members(services.bundle_path(bundle.pk))
    folder = f"{ROOT}/dept-draft 广州市丁区发展和改革局"
    table = files[f"{folder}/附件1 2023年度广州市丁区发展和改革局部门整体支出绩效自评表.pdf"]
    report = files[f"{folder}/附件2 2023年度广州市丁区发展和改革局部门整体支出绩效自评报告.pdf"]
    for pdf in (table, report):
        assert pdf.startswith(b"%PDF")
        assert "广州市丁区发展和改革局" in squashed_text(pdf)
    assert files[
        f"{ROOT}/dept-a 广州市甲区财政局/附件1 2023年度广州市甲区财政局部门整体支出绩效自评表.pdf"
    ] == stored_pdf("dept-a", 1)
    # The rendered files were the builder's work files: removed once the ZIP is complete.
    assert not services.work_folder(bundle.pk).exists()


def test_names_windows_refuses_are_written_in_their_full_width_forms(make_user, build):
    approved_evaluation("dept-odd", "某市/某区:数据局*")
    auditor = make_user("auditor", role="auditor", department=department("dept-odd"))

    bundle = build(auditor.user, ["dept-odd"])

    names = list(members(services.bundle_path(bundle.pk)))
    assert (
        f"{ROOT}/dept-odd 某市／某区：数据局＊/附件1 2023年度某市／某区：数据局＊部门整体支出绩效自评表.pdf"
        in names
    )
