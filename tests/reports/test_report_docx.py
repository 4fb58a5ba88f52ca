"""附件2 as a Word document: read back with python-docx, it holds the report's paragraphs in
order, each in the style of its role, on a page set up as a 公文 template in Word is (A4, the
GB/T 9704 margins, a 28 × 22 document grid, page numbers "— 1 —" on the outer side), with the
fonts named as government PCs have them."""

import io
import re
import zipfile

import docx
import pytest
from django.core.management import call_command
from django.urls import reverse
from docx.oxml.ns import qn
from docx.shared import Mm

from evaluations.reports import report
from evaluations.reports.document import report_blocks
from evaluations.selectors import evaluation_for_report
from tests.helpers import hard_text_evaluation

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The Word style of each block role: Word's own Normal and Title are 正文 and 标题 in Chinese
# Word and WPS (word.py says why they are not styles of their own).
STYLE_OF_ROLE = {
    "label": "附件标识",
    "title": "Title",
    "heading1": "一级标题",
    "heading2": "二级标题",
    "body": "Normal",
}


@pytest.fixture
def liwan_docx(liwan) -> tuple[docx.document.Document, bytes, list]:
    evaluation = evaluation_for_report(department_code="liwan-kgxj", year=2023)
    content = report.report_docx(evaluation)
    return docx.Document(io.BytesIO(content)), content, report_blocks(evaluation)


def fonts_of(style) -> dict[str, str]:
    element = style.element.rPr.find(qn("w:rFonts"))
    return {name.split("}")[1]: value for name, value in element.attrib.items()}


def size_of(style) -> float:
    return int(style.element.rPr.find(qn("w:sz")).get(qn("w:val"))) / 2


def test_every_paragraph_is_a_block_of_the_report_in_order_and_in_its_role_s_style(liwan_docx):
    document, _, blocks = liwan_docx

    assert [p.text for p in document.paragraphs] == [block.text for block in blocks]
    assert [p.style.name for p in document.paragraphs] == [
        STYLE_OF_ROLE[block.style] for block in blocks
    ]
    assert document.paragraphs[0].text == "附件 2"
    assert document.paragraphs[1].text == "2023 年度广州市荔湾区科技工业和信息化局"


def test_paragraphs_are_real_paragraphs_without_manual_breaks_or_empty_lines(liwan_docx):
    document, content, _ = liwan_docx

    body = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    assert "<w:br" not in body and "<w:cr" not in body
    assert all(p.text.strip() for p in document.paragraphs)
    # One run a paragraph: the text as the department wrote it, Word breaks the lines.
    assert all(len(p.runs) == 1 for p in document.paragraphs)


def test_the_styles_set_each_role_in_its_face_size_and_indent(liwan_docx):
    document, _, _ = liwan_docx
    styles = document.styles

    expected = {
        "Normal": ("仿宋_GB2312", 16, 200),  # 正文: 3号仿宋, 首行缩进 2 字符
        "Title": ("方正小标宋简体", 22, 0),  # 标题: 2号小标宋
        "一级标题": ("黑体", 16, 200),
        "二级标题": ("楷体_GB2312", 16, 200),
        "附件标识": ("黑体", 16, 0),
    }
    for name, (face, size, indent_chars) in expected.items():
        style = styles[name]
        fonts = fonts_of(style)
        assert fonts["eastAsia"] == face, name
        assert fonts["ascii"] == fonts["hAnsi"] == "Times New Roman", name
        assert not any(key.endswith("Theme") for key in fonts), name  # themes would override
        assert size_of(style) == size, name
        indent = style.element.pPr.find(qn("w:ind"))
        assert int(indent.get(qn("w:firstLineChars"))) == indent_chars, name
    assert styles["Title"].paragraph_format.alignment == 1  # centred
    assert styles["Normal"].paragraph_format.alignment == 3  # justified
    # The headings are levels 1 and 2 of Word's navigation pane.
    assert styles["一级标题"].element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "0"
    assert styles["二级标题"].element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "1"
    # Every run asks for the east-Asian face for marks shared with Latin text (“” — …).
    assert all(
        run.element.rPr.find(qn("w:rFonts")).get(qn("w:hint")) == "eastAsia"
        for paragraph in document.paragraphs
        for run in paragraph.runs
    )


def test_the_fonts_fall_back_to_what_word_and_wps_know_by_another_name(liwan_docx):
    _, content, _ = liwan_docx

    table = zipfile.ZipFile(io.BytesIO(content)).read("word/fontTable.xml").decode()
    for face, alternative in (
        ("仿宋_GB2312", "仿宋"),
        ("楷体_GB2312", "楷体"),
        ("方正小标宋简体", "宋体"),
        ("黑体", "SimHei"),
    ):
        assert re.search(
            rf'<w:font w:name="{face}"><w:altName w:val="{alternative}"/><w:charset w:val="86"/>',
            table,
        ), face


def test_the_page_is_a4_with_the_gbt_9704_margins_and_a_28_by_22_grid(liwan_docx):
    document, _, _ = liwan_docx
    section = document.sections[0]

    def mm(length) -> float:
        return round(length / Mm(1), 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210.0, 297.0)
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (37.0, 35.0)  # 天头, 下白边
    assert (mm(section.left_margin), mm(section.right_margin)) == (28.0, 26.0)  # 订口, 翻口
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    line_pitch = int(grid.get(qn("w:linePitch")))
    char_pitch_pt = 16 + int(grid.get(qn("w:charSpace"))) / 4096  # added to 3号 (16 pt)
    text_width_pt = (section.page_width - section.left_margin - section.right_margin) / 12700
    text_height_twips = (section.page_height - section.top_margin - section.bottom_margin) / 635
    assert int(text_width_pt // char_pitch_pt) == 28
    assert text_height_twips // line_pitch == 22
    # Each line is exactly one grid line, whatever the face.
    spacing = document.styles["Normal"].element.pPr.find(qn("w:spacing"))
    assert (spacing.get(qn("w:line")), spacing.get(qn("w:lineRule"))) == (str(line_pitch), "exact")


def test_page_numbers_are_dashed_4hao_and_on_the_outer_side_of_odd_and_even_pages(liwan_docx):
    document, content, _ = liwan_docx
    section = document.sections[0]

    assert document.settings.odd_and_even_pages_header_footer
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        (paragraph,) = footer.paragraphs
        assert paragraph.text == "— 1 —"  # "1" is the PAGE field's last result
        assert paragraph._p.pPr.find(qn("w:jc")).get(qn("w:val")) == side
        # One 4号 character in from the outer edge (GB/T 9704 §7.5: 空一字).
        indent = paragraph._p.pPr.find(qn("w:ind"))
        assert indent.get(qn(f"w:{side}")) == "280"
        for run in paragraph.runs:
            assert run.font.size.pt == 14
    footer_xml = "".join(
        zipfile.ZipFile(io.BytesIO(content)).read(name).decode()
        for name in zipfile.ZipFile(io.BytesIO(content)).namelist()
        if name.startswith("word/footer")
    )
    assert footer_xml.count('<w:instrText xml:space="preserve"> PAGE </w:instrText>') == 2


def test_the_document_properties_name_the_report_and_its_department(liwan_docx):
    document, _, _ = liwan_docx
    core = document.core_properties

    assert core.title == "2023年度广州市荔湾区科技工业和信息化局部门整体支出绩效自评报告"
    assert core.author == "广州市荔湾区科技工业和信息化局"
    assert core.language == "zh-CN"


def test_the_same_content_renders_to_the_same_bytes(liwan):
    def render() -> bytes:
        return report.report_docx(evaluation_for_report(department_code="liwan-kgxj", year=2023))

    assert render() == render()


def test_an_invented_department_s_hard_texts_come_back_character_for_character(staff_client):
    evaluation = hard_text_evaluation()
    code, year = evaluation.department.code, evaluation.year

    response = staff_client.get(reverse("reports:report_docx", args=[code, year]))

    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    blocks = report_blocks(evaluation_for_report(department_code=code, year=year))
    assert [p.text for p in document.paragraphs] == [block.text for block in blocks]


def test_the_download_is_a_word_file_under_its_chinese_name_with_an_etag(staff_client, liwan):
    url = reverse("reports:report_docx", args=["liwan-kgxj", 2023])

    response = staff_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''2023%E5%B9%B4%E5%BA%A6%E5%B9%BF%E5%B7%9E%E5%B8%82"
        "%E8%8D%94%E6%B9%BE%E5%8C%BA%E7%A7%91%E6%8A%80%E5%B7%A5%E4%B8%9A%E5%92%8C%E4%BF%A1"
        "%E6%81%AF%E5%8C%96%E5%B1%80%E9%83%A8%E9%97%A8%E6%95%B4%E4%BD%93%E6%94%AF%E5%87%BA"
        "%E7%BB%A9%E6%95%88%E8%87%AA%E8%AF%84%E6%8A%A5%E5%91%8A.docx"
    )
    again = staff_client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    # The Word file and the PDF are cached apart: they have different ETags.
    pdf = staff_client.get(reverse("reports:report_pdf", args=["liwan-kgxj", 2023]))
    assert pdf["ETag"] != response["ETag"]


def test_render_report_writes_the_same_word_file_as_the_download(staff_client, liwan, tmp_path):
    output = tmp_path / "report.docx"

    call_command("render_report", "liwan-kgxj", "2023", "--format", "docx", "-o", str(output))

    download = staff_client.get(reverse("reports:report_docx", args=["liwan-kgxj", 2023]))
    assert output.read_bytes() == download.content
