"""Reports that prove themselves: every PDF carries the evaluation's data (a JSON and the 附件1
workbook, as attachments) and says in its XMP metadata what it is; an approved PDF prints its
verification code at the foot of its last page; the 核验报告 page tells an approved copy from a
tampered one, a draft, and a file the system never made."""

import io
import json
import re

import pypdf
import pytest
from django.urls import reverse

from evaluations import services as evaluation_services
from evaluations.factories import DepartmentFactory
from evaluations.models import ApprovedReport, Evaluation, RenderedDocument
from evaluations.reports.carried import XMP_NAMESPACE
from indicators.reports import appendix1
from indicators.selectors import evaluations_for_documents
from review import document_data
from tests.reports import pdftools

pytestmark = pytest.mark.django_db

VERIFY = "/reports/verify/"


def approve(filler, auditor, evaluation: Evaluation) -> None:
    for client, action in ((filler, "submit"), (auditor, "approve")):
        response = client.post(
            reverse("admin:evaluations_evaluation_transition", args=[evaluation.pk, action]),
            {"_confirmed": "1"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]


def attachments(pdf: bytes) -> dict[str, bytes]:
    return {
        name: contents[0] for name, contents in pypdf.PdfReader(io.BytesIO(pdf)).attachments.items()
    }


def xmp(pdf: bytes) -> dict[str, str]:
    """The selfeval properties of the PDF's XMP packet, as pypdf reads it."""
    packet = pypdf.PdfReader(io.BytesIO(pdf)).xmp_metadata
    assert packet is not None
    description = packet.rdf_root.getElementsByTagNameNS(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "Description"
    )[0]
    return {
        node.localName: node.firstChild.data if node.firstChild else ""
        for node in description.childNodes
        if node.namespaceURI == XMP_NAMESPACE
    }


def loaded(evaluation: Evaluation) -> Evaluation:
    return evaluations_for_documents().get(pk=evaluation.pk)


def download(client, name: str, evaluation: Evaluation) -> bytes:
    response = client.get(
        reverse(f"reports:{name}", args=[evaluation.department.code, evaluation.year])
    )
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("document", ["report_pdf", "appendix1_pdf"])
def test_every_pdf_carries_the_evaluation_s_data_and_the_appendix_1_workbook(
    staff_client, liwan, document
):
    pdf = download(staff_client, document, liwan)

    files = attachments(pdf)
    stem = "2023年度广州市荔湾区科技工业和信息化局"
    data = json.loads(files[f"{stem}自评数据.json"])
    evaluation = loaded(liwan)
    table = appendix1.appendix1_for(evaluation)
    assert data == json.loads(
        document_data.data_json(document_data.evaluation_data(evaluation, table))
    )
    # …which is the data as entered, not a copy of the report's wording:
    assert data["budget"]["budget_total"] == "8727.19"
    assert data["budget"]["expenditure_total"] == "7627.19"
    assert data["completion_rate"] == "87.4"
    assert [task["text"] for task in data["keytasks"]] == [t.text for t in liwan.keytasks.all()]
    assert len(data["indicators"]) == liwan.indicator_rows.count() == 8
    assert data["indicators"][0]["actual"] == "305"
    assert data["score"] == {
        "budget_weight": "10",
        "budget_score": "8.74",
        "total": "87.40",
        "grade": "良好",
        "explanation": "得分 8.74，按适用分值 10.00 折算为百分制 87.40。",
    }
    workbook = files[f"{stem}部门整体支出绩效自评表.xlsx"]
    assert workbook == appendix1.appendix1_xlsx(table)


def test_the_xmp_metadata_names_department_year_state_and_version(staff_client, liwan):
    pdf = download(staff_client, "report_pdf", liwan)

    assert xmp(pdf) == {
        "departmentCode": "liwan-kgxj",
        "department": "广州市荔湾区科技工业和信息化局",
        "year": "2023",
        "document": "附件2 自评报告",
        "state": "草稿",
        "version": str(liwan.version),
    }
    packet = pypdf.PdfReader(io.BytesIO(pdf)).xmp_metadata
    assert packet.dc_title == {
        "x-default": "2023年度广州市荔湾区科技工业和信息化局部门整体支出绩效自评报告"
    }


def test_a_save_changes_the_carried_data_and_so_the_pdf(staff_client, liwan):
    before = download(staff_client, "report_pdf", liwan)
    evaluation_services.evaluation_save(evaluation=liwan)  # a save bumps the version

    after = download(staff_client, "report_pdf", liwan)

    assert after != before
    assert xmp(after)["version"] == str(int(xmp(before)["version"]) + 1)


def test_an_approved_pdf_states_its_approval_and_prints_its_code_on_the_last_page_only(
    filler, auditor, evaluation_ready
):
    approve(filler, auditor, evaluation_ready)

    for appendix in (1, 2):
        stored = ApprovedReport.objects.get(
            evaluation=evaluation_ready, appendix=appendix, fmt="pdf"
        )
        code = stored.verification_code
        assert re.fullmatch(r"[0-9A-F]{12}", code)
        pdf = bytes(stored.content)
        properties = xmp(pdf)
        assert properties["state"] == "已审核"
        assert properties["version"] == str(Evaluation.objects.get(pk=evaluation_ready.pk).version)
        assert properties["verificationCode"] == code
        assert properties["approvedBy"] == "auditor"
        printed = f"校验码 {code[:4]}-{code[4:8]}-{code[8:]}"
        pages = pdftools.pages(pdf)
        assert printed in pages[-1]
        assert all(printed not in page for page in pages[:-1])
        assert (
            json.loads(next(v for k, v in attachments(pdf).items() if k.endswith("自评数据.json")))[
                "state"
            ]
            == "approved"
        )
    codes = ApprovedReport.objects.filter(evaluation=evaluation_ready).exclude(verification_code="")
    assert codes.count() == 2  # the two PDFs; the workbook and the Word files carry none


def test_the_code_stays_outside_the_type_area_and_the_report_keeps_to_the_grid(
    filler, auditor, evaluation_ready
):
    approve(filler, auditor, evaluation_ready)
    pdf = bytes(
        ApprovedReport.objects.get(evaluation=evaluation_ready, appendix=2, fmt="pdf").content
    )

    result = pdftools.shared_tool(pdf, "grid_check.py")

    assert result["summary"]["problems"] == 0, [p for p in result["pages"] if p["problems"]]


def verdict(response) -> str:
    """The verdict section of the page, its whitespace squeezed."""
    assert response.status_code == 200
    found = re.search(r'<section id="verdict".*?</section>', response.content.decode(), re.S)
    assert found, response.content.decode()[:3000]
    return re.sub(r"\s+", " ", found.group(0))


def verify_upload(client, content: bytes) -> str:
    return verdict(client.post(VERIFY, {"file": io.BytesIO(content)}))


def verify_code(client, code: str) -> str:
    return verdict(client.post(VERIFY, {"code": code}))


def test_an_approved_pdf_is_recognised_with_its_department_year_version_and_approver(
    filler, auditor, evaluation_ready, make_user
):
    approve(filler, auditor, evaluation_ready)
    stored = ApprovedReport.objects.get(evaluation=evaluation_ready, appendix=2, fmt="pdf")
    evaluation = Evaluation.objects.get(pk=evaluation_ready.pk)
    # Anyone logged in may verify, here a filler of another department.
    other = make_user("other-filler", role="filler", department=DepartmentFactory(code="other"))

    page = verify_upload(other, bytes(stored.content))

    assert "是系统保存的审定报告。" in page
    assert evaluation.department.full_name in page
    assert "2023 年度" in page
    assert f"第 {evaluation.version} 版（审定版）" in page
    assert '<th scope="row">审核人</th><td>auditor</td>' in page
    assert stored.sha256 in page


def test_a_copy_with_one_byte_changed_is_not_the_approved_report(filler, auditor, evaluation_ready):
    approve(filler, auditor, evaluation_ready)
    content = bytearray(
        ApprovedReport.objects.get(evaluation=evaluation_ready, appendix=2, fmt="pdf").content
    )
    content[len(content) // 2] ^= 0x01

    page = verify_upload(auditor, bytes(content))

    assert "是系统保存的审定报告" not in page
    assert "不是系统中的文件：它自称是2023 年度" in page
    assert "审定版，校验码" in page
    assert "被改动过" in page


def test_a_draft_is_recognised_and_then_known_to_have_changed(filler, staff_client, liwan):
    pdf = download(staff_client, "report_pdf", liwan)
    assert RenderedDocument.objects.filter(evaluation=liwan, appendix=2).count() == 1

    assert "是系统生成的草稿，不是审定报告" in verify_upload(staff_client, pdf)

    evaluation_services.evaluation_save(evaluation=liwan)
    page = verify_upload(staff_client, pdf)
    assert "是系统生成过的草稿，但自评此后已被修改：这不是现在的内容。" in page
    assert f"第 {liwan.version} 版（草稿）" in page


def test_a_typed_code_finds_the_approved_report_in_any_case_and_grouping(
    filler, auditor, evaluation_ready
):
    approve(filler, auditor, evaluation_ready)
    code = ApprovedReport.objects.get(
        evaluation=evaluation_ready, appendix=1, fmt="pdf"
    ).verification_code

    page = verify_code(auditor, f" {code[:4].lower()} {code[4:8]}-{code[8:].lower()} ")

    assert "是系统保存的审定报告。" in page
    assert "附件1 自评表（PDF）" in page
    assert "下载系统保存的审定文件（PDF）" in page  # the auditor may see it: compare the print


def test_a_pasted_sha256_finds_the_file(filler, auditor, evaluation_ready):
    approve(filler, auditor, evaluation_ready)
    stored = ApprovedReport.objects.get(evaluation=evaluation_ready, appendix=2, fmt="docx")

    assert "附件2 自评报告（Word）" in verify_code(auditor, stored.sha256.upper())


def test_unknown_files_codes_and_nonsense_are_told_apart(staff_client, db):
    assert "未找到：这份文件与系统保存或生成过的任何报告都不一致。" in verify_upload(
        staff_client, b"%PDF-1.7\nnot a report\n%%EOF\n"
    )
    assert "未找到：没有哪份审定报告的校验码是 0000-0000-0000。" in verify_code(
        staff_client, "000000000000"
    )
    assert "无法核验：请粘贴 64 位的 SHA-256" in verify_code(staff_client, "hello")
    response = staff_client.post(VERIFY, {})
    assert "请上传一份文件，或输入校验码或 SHA-256。" in response.content.decode()


def test_the_verification_page_needs_login(client, db):
    response = client.get(VERIFY)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
