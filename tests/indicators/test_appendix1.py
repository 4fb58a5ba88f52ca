"""The 附件1 自评表: PDF (text, pages, fonts), the XLSX with merged cells, the URLs and the
render_report command."""

import re
from decimal import Decimal
from io import BytesIO, StringIO
from urllib.parse import unquote

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from indicators import selectors
from indicators.models import IndicatorFramework
from indicators.reports import appendix1
from tests.reports import pdftools

pytestmark = pytest.mark.django_db

PDF_NAME = "2023年度广州市荔湾区科技工业和信息化局部门整体支出绩效自评表.pdf"


@pytest.fixture(scope="module")
def liwan_table(django_db_setup, django_db_blocker) -> appendix1.Appendix1:
    """Loads Liwan 2023 for this module only and renders the PDF once (a render takes ~0.5 s)."""
    with django_db_blocker.unblock():
        call_command("loaddata", "liwan_2023", verbosity=0)
        evaluation = selectors.evaluation_for_appendix(department_code="liwan-kgxj", year=2023)
        table = appendix1.appendix1_for(evaluation)
        evaluation.department.evaluations.all().delete()
        evaluation.department.delete()
        IndicatorFramework.objects.filter(year=2023).delete()
        # The history rows too: left behind they point at the deleted department, which breaks
        # a later `dumpdata --natural-foreign` (tests/test_backup_restore.py) on PostgreSQL.
        for label in ("evaluations", "indicators"):
            for model in apps.get_app_config(label).get_models():
                if hasattr(model, "history"):
                    model.history.all().delete()
    return table


@pytest.fixture(scope="module")
def liwan_pdf(liwan_table) -> bytes:
    return appendix1.appendix1_pdf(liwan_table)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_shows_header_budget_goals_rows_total_and_grade(liwan_pdf):
    text = pdftools.squashed_text(liwan_pdf)

    for expected in (
        "附件1",
        "2023年度部门整体支出绩效自评表",
        "部门名称",
        "广州市荔湾区科技工业和信息化局",
        "预算执行情况（万元）",
        "全年预算数全年执行数分值执行率得分",
        "8727.197627.19",
        "87.4%8.74",
        "年度总体目标",
        "预期目标",
        "实际完成情况",
        "1.壮大科技创新型企业规模。",
        "偏差原因分析及改进措施",
        "总分",
        "得分8.74，按适用分值10.00折算为百分制87.40。",
        "等级",
        "良好",
    ):
        assert expected in text
    assert text.count("未设定目标") == 8


def test_each_indicator_row_prints_on_one_line_with_its_values(liwan_pdf):
    layout = pdftools._run("pdftotext", liwan_pdf, "-layout", "-enc", "UTF-8")
    lines = [squash(line) for line in layout.splitlines()]

    for name, values in (
        ("高新技术企业数量", "≥家3057.410"),
        ("年度R&D核定数", "≥亿元14.18910"),
        ("规上工业增加值", "≥亿元241.165.610"),
    ):
        assert any(name + values in line for line in lines), name


def test_the_pdf_groups_rows_under_merged_primary_and_secondary_cells(liwan_pdf):
    text = pdftools.squashed_text(liwan_pdf)

    assert text.count("产出指标") == 1
    assert text.count("数量指标") == 1
    assert text.count("经济效益指标") == 1


def test_the_pdf_has_two_landscape_pages_numbered_like_appendix_2(liwan_pdf):
    info = pdftools.info(liwan_pdf)
    raw = pdftools._run("pdftotext", liwan_pdf, "-enc", "UTF-8")

    assert info["Pages"] == "2"
    assert info["Page size"].startswith("841.89 x 595.276")
    assert info["Title"] == "2023年度广州市荔湾区科技工业和信息化局部门整体支出绩效自评表"
    assert re.findall(r"—\s*(\d+)\s*—", raw) == ["1", "2"]


def test_the_pdf_embeds_subset_fonts(liwan_pdf):
    fonts = pdftools.fonts(liwan_pdf)

    assert fonts
    assert all(font["emb"] == "yes" and font["sub"] == "yes" for font in fonts)


def test_the_xlsx_read_back_equals_the_table(liwan_table):
    sheet = openpyxl.load_workbook(BytesIO(appendix1.appendix1_xlsx(liwan_table))).active

    assert sheet["A1"].value == "附件 1"
    assert sheet["A2"].value == "2023年度部门整体支出绩效自评表"
    assert (sheet["C3"].value, sheet["J3"].value) == ("广州市荔湾区科技工业和信息化局", 2023)
    budget = [sheet.cell(row=5, column=c).value for c in (3, 5, 7, 8, 10)]
    assert [Decimal(str(v)) for v in budget] == [
        Decimal("8727.19"),
        Decimal("7627.19"),
        Decimal("10"),
        Decimal("87.4"),
        Decimal("8.74"),
    ]
    assert [c.value for c in sheet[8]] == list(appendix1.COLUMNS)
    rows = []
    for line in liwan_table.lines:
        rows.append(
            (
                line.name,
                line.nature,
                line.unit,
                line.target,
                line.actual,
                line.growth,
                line.weight,
                line.score_text,
                line.deviation or None,
            )
        )
    read = [
        tuple(Decimal(str(v)) if isinstance(v, int | float) else v for v in r[2:])
        for r in sheet.iter_rows(min_row=9, max_row=8 + len(liwan_table.lines), values_only=True)
    ]
    assert read == rows
    assert sheet.cell(row=9 + len(rows), column=9).value == pytest.approx(87.4)
    assert sheet.cell(row=10 + len(rows), column=9).value == "良好"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A9:A13", "B9:B13", "A14:A16", "B14:B16"} <= merged


def test_staff_download_the_pdf_with_its_chinese_name(staff_client, liwan, monkeypatch):
    monkeypatch.setattr(appendix1, "appendix1_pdf", lambda table: b"%PDF-1.7")  # rendered above

    response = staff_client.get(reverse("reports:appendix1_pdf", args=["liwan-kgxj", 2023]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert unquote(response["Content-Disposition"].split("''", 1)[1]) == PDF_NAME


def test_staff_download_the_xlsx(staff_client, liwan):
    response = staff_client.get(reverse("reports:appendix1_xlsx", args=["liwan-kgxj", 2023]))

    assert response.status_code == 200
    assert openpyxl.load_workbook(BytesIO(response.content)).active["A2"].value.endswith("自评表")


def test_an_unknown_evaluation_is_404(staff_client, liwan):
    response = staff_client.get(reverse("reports:appendix1_xlsx", args=["liwan-kgxj", 2019]))

    assert response.status_code == 404


def test_a_user_without_access_to_the_department_gets_404(client, liwan):
    user = get_user_model().objects.create_user(username="reader", password="pw-reader-123")
    client.force_login(user)

    response = client.get(reverse("reports:appendix1_pdf", args=["liwan-kgxj", 2023]))

    assert response.status_code == 404


def test_the_appendix_needs_login(client, liwan):
    response = client.get(reverse("reports:appendix1_pdf", args=["liwan-kgxj", 2023]))

    assert response.status_code == 302


def test_render_report_writes_appendix_1_as_the_download_serves_it(liwan, staff_client, tmp_path):
    out = StringIO()
    target = tmp_path / "a1.pdf"
    sheet = tmp_path / "a1.xlsx"

    call_command(
        "render_report", "liwan-kgxj", "2023", "--appendix", "1", "-o", str(target), stdout=out
    )
    call_command(
        "render_report",
        *("liwan-kgxj", "2023", "--appendix", "1", "--format", "xlsx", "-o", str(sheet)),
        stdout=out,
    )

    pdf = staff_client.get(reverse("reports:appendix1_pdf", args=["liwan-kgxj", 2023]))
    xlsx = staff_client.get(reverse("reports:appendix1_xlsx", args=["liwan-kgxj", 2023]))
    assert target.read_bytes() == pdf.content
    assert sheet.read_bytes() == xlsx.content
    assert "已写出 PDF" in out.getvalue() and "已写出 XLSX" in out.getvalue()


def test_the_table_is_read_in_a_fixed_number_of_queries(liwan, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        evaluation = selectors.evaluation_for_appendix(department_code="liwan-kgxj", year=2023)
        table = appendix1.appendix1_for(evaluation)

    assert len(table.lines) == 8
