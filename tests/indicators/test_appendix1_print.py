"""A 附件1 自评表 long enough to run over several pages prints as a table: the column headings on
every page, no indicator row cut in two, and an XLSX whose page setup prints the same way."""

import re
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from evaluations.models import Evaluation
from indicators import selectors
from indicators.reports import appendix1
from tests.helpers import make_row, secondary
from tests.reports import pdftools

pytestmark = pytest.mark.django_db

# Rows under three 二级指标 of two 一级指标, so merged cells run across page breaks.
SECONDARIES = (("产出指标", "数量指标"),) * 8 + (("产出指标", "质量指标"),) * 6
SECONDARIES += (("效益指标", "社会效益指标"),) * 6

# Headings whose text pdftotext reads back whole; it interleaves the wrapped lines of
# 年度指标/值 and 实际完成/值, which stand side by side.
HEADINGS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "指标性质",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
)


def row_name(number: int) -> str:
    # About 40 characters: five lines in the 三级指标 column.
    return f"第{number:02d}项：推进科技创新体系建设和高新技术企业培育认定工作的服务企业数量"


def row_deviation(number: int) -> str:
    return (
        f"第{number:02d}项偏差原因：受宏观经济形势影响部分企业申报意愿下降，"
        "下一步将加强政策宣传和上门服务，提升申报质量。"
    )


@pytest.fixture
def long_evaluation(evaluation, framework_2023) -> Evaluation:
    for number, (primary, name) in enumerate(SECONDARIES, 1):
        make_row(
            evaluation,
            secondary=secondary(2023, primary, name),
            name=row_name(number),
            deviation_reason=row_deviation(number),
            weight=Decimal("2"),
            order=number,
        )
    return evaluation


@pytest.fixture
def long_pdf(long_evaluation) -> bytes:
    evaluation = selectors.evaluation_for_appendix(department_code="test-dept", year=2023)
    return appendix1.appendix1_pdf(appendix1.appendix1_for(evaluation))


def page_texts(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", "".join(lines)) for lines in pdftools.pages(pdf)]


def test_every_page_of_a_long_table_repeats_the_column_headings(long_pdf):
    pages = page_texts(long_pdf)

    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        missing = [heading for heading in HEADINGS if heading not in text]
        assert not missing, f"page {number} lacks {missing}"


def test_no_indicator_row_is_split_between_pages(long_pdf):
    pages = page_texts(long_pdf)

    assert len(pages) >= 3
    row_pages = []
    for number in range(1, len(SECONDARIES) + 1):
        with_name = [i for i, text in enumerate(pages) if row_name(number) in text]
        with_deviation = [i for i, text in enumerate(pages) if row_deviation(number) in text]
        assert len(with_name) == 1, f"row {number}'s 三级指标 is on pages {with_name}"
        assert with_deviation == with_name, f"row {number}'s 偏差原因 is on {with_deviation}"
        row_pages.append(with_name[0])
    assert row_pages == sorted(row_pages)
    assert len(set(row_pages)) >= 3


def test_the_downloaded_xlsx_prints_on_a4_landscape_one_page_wide_with_headings_repeated(
    staff_client, long_evaluation
):
    response = staff_client.get(reverse("reports:appendix1_xlsx", args=["test-dept", 2023]))

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4 (ECMA-376 paper size codes)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$8:$8"
    assert [cell.value for cell in sheet[8]] == list(appendix1.COLUMNS)
    assert sheet["C9"].value == row_name(1)
    margins_mm = {
        side: round(getattr(sheet.page_margins, side) * 25.4)
        for side in ("left", "right", "top", "bottom")
    }
    assert margins_mm == {"left": 20, "right": 20, "top": 20, "bottom": 25}
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
