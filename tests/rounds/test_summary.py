"""The 汇总表, downloaded from the overview and read back: a row per department with the
overview's figures, a 合计 row, numbers as numbers with their formats, text that a spreadsheet
would run as a formula neutralised, the print set-up; CSV in UTF-8 with BOM and in GBK."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from evaluations.factories import DepartmentFactory, EvaluationFactory
from evaluations.models import ReviewEvent
from rounds.summary import summary_csv, summary_xlsx
from tests.rounds.conftest import YEAR, overview_url

HEADERS = [
    "部门编码",
    "部门名称",
    "全年预算数（万元）",
    "执行数（万元）",
    "完成率（%）",
    "自评得分",
    "自评等级",
    "状态",
    "提交时间",
    "审核时间",
]


def local(evaluation, to_status):
    event = ReviewEvent.objects.filter(evaluation=evaluation, to_status=to_status).latest(
        "created_at"
    )
    return timezone.localtime(event.created_at).replace(tzinfo=None)


def minute(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


@pytest.fixture
def expected(district):
    """The rows of the district's 汇总表 as text, by department code."""
    submitted_a = minute(local(district.approved, "submitted"))
    return [
        ["b-fgj", "广州市乙区发展和改革局", "8727.19", "7627.19", "87.4", "68.70", "中", "已提交",
         minute(local(district.submitted, "submitted")), ""],
        ["c-jyj", "广州市丙区教育局", "1000.00", "500.00", "50.0", "75.00", "中", "已退回",
         minute(local(district.returned, "submitted")), ""],
        ["d-mzj", "广州市丁区民政局", "", "", "", "", "未评", "草稿", "", ""],
        ["e-czj", "广州市戊区财政局", "", "", "", "", "未评", "未新建", "", ""],
        ["test-dept", "广州市测试区示例局", "8727.19", "7627.19", "87.4", "93.70", "优秀",
         "已审核", submitted_a, minute(local(district.approved, "approved"))],
        ["合计", "5 个部门", "18454.38", "15754.38", "85.4", "", "", "", "", ""],
    ]  # fmt: skip


def test_the_csv_in_utf8_with_bom_holds_every_department_and_the_totals(
    district, auditor, expected
):
    response = auditor.get(overview_url(district.round) + "summary.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1:] == expected


def test_the_csv_in_gbk_reads_back_the_same(district, auditor, expected):
    response = auditor.get(overview_url(district.round) + "summary-gbk.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("gbk"))))
    assert rows[0] == HEADERS
    assert rows[1:] == expected


def test_the_xlsx_holds_numbers_with_formats_and_the_totals(district, auditor, expected):
    response = auditor.get(overview_url(district.round) + "summary.xlsx")

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "2024 年度部门整体支出绩效自评汇总表"
    assert [cell.value for cell in sheet[3]] == HEADERS
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 6
    approved = rows[4]
    assert approved[:2] == ("test-dept", "广州市测试区示例局")
    assert [Decimal(str(v)) for v in approved[2:6]] == [
        Decimal("8727.19"),
        Decimal("7627.19"),
        Decimal("87.4"),
        Decimal("93.70"),
    ]
    assert approved[6:8] == ("优秀", "已审核")
    submitted_at = local(district.approved, "submitted")
    assert abs(approved[8] - submitted_at) < timedelta(seconds=1)
    assert rows[2][2:6] == (None, None, None, None)  # the draft has no figures
    totals = rows[5]
    assert totals[:2] == ("合计", "5 个部门")
    assert [Decimal(str(v)) for v in totals[2:5]] == [
        Decimal("18454.38"),
        Decimal("15754.38"),
        Decimal("85.4"),
    ]
    assert [sheet.cell(row=8, column=c).number_format for c in (3, 4, 5, 6, 9)] == [
        "#,##0.00",
        "#,##0.00",
        "0.0",
        "0.00",
        "yyyy-mm-dd hh:mm",
    ]
    assert [str(text) for text in (row[0] for row in expected)] == [r[0] for r in rows]


def test_the_xlsx_prints_on_a4_landscape_one_page_wide_with_headings_and_page_numbers(
    district,
):
    sheet = load_workbook(io.BytesIO(summary_xlsx(year=YEAR))).active

    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert round(sheet.page_margins.left * 25.4) == 20


FORMULA_SHOWN = "'" + '=HYPERLINK("http://x")'


def test_a_department_name_that_looks_like_a_formula_is_kept_as_text(db, administrator):
    formula = DepartmentFactory(code="formula", full_name='=HYPERLINK("http://x")')
    EvaluationFactory(department=formula, year=YEAR)

    sheet = load_workbook(io.BytesIO(summary_xlsx(year=YEAR, department_codes=["formula"]))).active
    text = summary_csv(year=YEAR, department_codes=["formula"]).decode("utf-8-sig")

    cell = sheet["B4"]
    assert cell.value == FORMULA_SHOWN
    assert cell.data_type == "s"
    assert list(csv.reader(io.StringIO(text)))[1][1] == FORMULA_SHOWN


def test_the_summary_follows_the_overview_filters_and_names_departments_for_the_zip(
    district, auditor
):
    filtered = auditor.get(overview_url(district.round) + "summary.csv?state=submitted")
    rows = list(csv.reader(io.StringIO(filtered.content.decode("utf-8-sig"))))
    named = summary_csv(year=YEAR, department_codes=["test-dept", "c-jyj", "no-such"])
    named_rows = list(csv.reader(io.StringIO(named.decode("utf-8-sig"))))

    assert [row[0] for row in rows[1:]] == ["b-fgj", "合计"]
    assert [row[0] for row in named_rows[1:]] == ["c-jyj", "test-dept", "合计"]
    assert named_rows[-1][2:5] == ["9727.19", "8127.19", "83.6"]


def test_an_unknown_csv_encoding_is_refused(db):
    with pytest.raises(ValueError, match="utf-8-sig or gbk"):
        summary_csv(year=YEAR, encoding="latin-1")  # type: ignore[arg-type]
