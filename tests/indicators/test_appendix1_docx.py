"""附件1 as a Word document: a real table on an A4 landscape page, its 一级/二级 cells merged as in
the PDF and its column headings repeated on every page, read back with python-docx."""

import io
from urllib.parse import unquote

import docx
import pytest
from django.urls import reverse
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from indicators import selectors
from indicators.reports import appendix1

pytestmark = pytest.mark.django_db


@pytest.fixture
def liwan_table(liwan) -> appendix1.Appendix1:
    return appendix1.appendix1_for(
        selectors.evaluation_for_appendix(department_code="liwan-kgxj", year=2023)
    )


@pytest.fixture
def word(liwan_table) -> docx.document.Document:
    return docx.Document(io.BytesIO(appendix1.appendix1_docx(liwan_table)))


def texts(row) -> list[str]:
    return [cell.text for cell in row.cells]


def test_the_page_is_a4_landscape_with_the_pdf_s_margins(word):
    section = word.sections[0]

    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (297, 210)
    assert round(section.bottom_margin / Mm(1)) == 25
    assert [p.text for p in word.paragraphs[:2]] == ["附件 1", "2023年度部门整体支出绩效自评表"]


def test_the_budget_and_goals_come_first_with_their_merged_headings(word, liwan_table):
    summary = word.tables[0]

    assert (
        texts(summary.rows[0])
        == ["部门名称"] * 2 + [liwan_table.department] * 5 + ["年度"] * 2 + ["2023"] * 2
    )
    assert texts(summary.rows[1])[:2] == ["预算执行情况（万元）"] * 2
    assert texts(summary.rows[2]) == ["预算执行情况（万元）"] * 2 + [
        text
        for text, span in zip(liwan_table.budget_texts, (2, 2, 1, 2, 2), strict=True)
        for _ in range(span)
    ]
    assert texts(summary.rows[2])[2:4] == ["8727.19", "8727.19"]
    goals = summary.rows[4].cells[2]
    assert [p.text for p in goals.paragraphs] == list(liwan_table.goals)
    achievements = summary.rows[4].cells[7]
    assert [p.text for p in achievements.paragraphs] == list(liwan_table.achievements)


def test_every_indicator_row_reads_back_with_its_values(word, liwan_table):
    indicators = word.tables[1]

    assert texts(indicators.rows[0]) == list(appendix1.COLUMNS)
    rows = indicators.rows[1 : 1 + len(liwan_table.lines)]
    assert [texts(row) for row in rows] == [list(line.texts) for line in liwan_table.lines]
    total, grade = indicators.rows[-2], indicators.rows[-1]
    assert texts(total) == ["总分"] * 8 + [liwan_table.total_text] * 2 + [liwan_table.explanation]
    assert texts(grade) == ["等级"] * 8 + [liwan_table.grade] * 3


def test_primary_and_secondary_indicators_are_merged_cells_down_their_rows(word, liwan_table):
    rows = word.tables[1].rows[1 : 1 + len(liwan_table.lines)]

    for column, spans in ((0, [line.primary_span for line in liwan_table.lines]),
                          (1, [line.secondary_span for line in liwan_table.lines])):  # fmt: skip
        # One cell element per group, shared by the rows it covers (w:vMerge), as in the PDF.
        cells = [row.cells[column]._tc for row in rows]
        starts = [index for index, span in enumerate(spans) if span]
        assert len({id(tc) for tc in cells}) == len(starts)
        for start in starts:
            group = cells[start : start + spans[start]]
            assert all(tc is group[0] for tc in group)
    assert [span for line in liwan_table.lines if (span := line.primary_span)] == [5, 3]


def test_the_column_headings_repeat_on_each_page_and_rows_do_not_split(word):
    indicators = word.tables[1]

    heading = indicators.rows[0]._tr.trPr
    assert heading.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in indicators.rows)
    assert indicators._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"


def test_cells_are_set_in_fangsong_and_headings_in_heiti(word):
    indicators = word.tables[1]

    heading_style = indicators.rows[0].cells[0].paragraphs[0].style
    cell_style = indicators.rows[1].cells[2].paragraphs[0].style
    for style, face in ((heading_style, "黑体"), (cell_style, "仿宋_GB2312")):
        fonts = style.element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == face
        assert style.font.size.pt == 10.5


def test_staff_download_the_word_table_under_its_chinese_name(staff_client, liwan):
    response = staff_client.get(reverse("reports:appendix1_docx", args=["liwan-kgxj", 2023]))

    assert response.status_code == 200
    assert unquote(response["Content-Disposition"]).endswith(
        "2023年度广州市荔湾区科技工业和信息化局部门整体支出绩效自评表.docx"
    )
    assert docx.Document(io.BytesIO(response.content)).tables[1].rows[0].cells[0].text == (
        "一级指标"
    )


def test_an_evaluation_without_indicator_rows_says_so_in_the_table(staff_client, evaluation):
    response = staff_client.get(
        reverse("reports:appendix1_docx", args=[evaluation.department.code, evaluation.year])
    )

    indicators = docx.Document(io.BytesIO(response.content)).tables[1]
    assert texts(indicators.rows[1]) == ["（未填写绩效指标）"] * 11
    assert texts(indicators.rows[-1])[0] == "等级"
