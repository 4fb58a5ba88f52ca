import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from evaluations.reports import report
from evaluations.selectors import evaluation_for_report
from tests.helpers import invented_evaluation
from tests.reports import pdftools

pytestmark = pytest.mark.django_db

OFFICIAL = Path(__file__).resolve().parents[1] / "data" / "liwan_2023_official.txt"
MM = 72 / 25.4
LEFT_MARGIN = 28 * MM  # GB/T 9704-2012 §5.2.1 订口
TEXT_WIDTH = 156 * MM
CELL = TEXT_WIDTH / 28


def official_pages() -> list[list[str]]:
    raw = OFFICIAL.read_text(encoding="utf-8").strip("\n")
    return [
        [line.strip() for line in page.splitlines() if line.strip()]
        for page in re.split(r"\n[ \t]*\n[ \t]*\n[ \t]*\n", raw)
    ]


def test_the_liwan_pdf_has_exactly_the_official_text(liwan_pdf):
    official = re.sub(r"\s+", "", "".join("".join(page) for page in official_pages()))

    assert pdftools.squashed_text(liwan_pdf) == official


def test_the_liwan_pdf_has_the_official_eleven_pages(liwan_pdf):
    assert len(pdftools.pages(liwan_pdf)) == len(official_pages()) == 11


def test_the_liwan_pdf_breaks_at_least_nine_in_ten_official_lines_where_the_original_does(
    liwan_pdf,
):
    official = [line for page in official_pages() for line in page]
    rendered = {re.sub(r"\s+", "", line) for page in pdftools.pages(liwan_pdf) for line in page}

    same = sum(1 for line in official if re.sub(r"\s+", "", line) in rendered)

    assert same / len(official) >= 0.9


def test_every_font_is_embedded_and_subset(liwan_pdf):
    fonts = pdftools.fonts(liwan_pdf)

    assert fonts
    assert all(font["emb"] == "yes" and font["sub"] == "yes" for font in fonts), fonts


def test_the_pdf_carries_title_author_and_creation_date(liwan_pdf):
    info = pdftools.info(liwan_pdf)

    assert info["Title"] == "2023年度广州市荔湾区科技工业和信息化局部门整体支出绩效自评报告"
    assert info["Author"] == "广州市荔湾区科技工业和信息化局"
    assert info["CreationDate"]
    assert info["Page size"].startswith("595.2")  # A4: 210 mm = 595.28 pt
    assert b"/Lang (zh-CN)" in pdftools.decompressed(liwan_pdf)


def test_render_report_writes_the_same_bytes_as_the_download(staff_client, liwan, tmp_path):
    output = tmp_path / "report.pdf"
    html = tmp_path / "report.html"

    call_command(
        "render_report",
        "liwan-kgxj",
        "2023",
        "-o",
        str(output),
        "--html",
        str(html),
        stdout=StringIO(),
    )

    downloaded = staff_client.get(reverse("reports:report_pdf", args=["liwan-kgxj", 2023]))
    assert output.read_bytes() == downloaded.content
    assert "部门整体支出绩效自评报告" in html.read_text(encoding="utf-8")


def test_render_report_names_a_missing_evaluation(liwan, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有找到部门编码为 liwan-kgxj 的 2019 年度自评"):
        call_command("render_report", "liwan-kgxj", "2019", "-o", str(tmp_path / "x.pdf"))


def test_the_report_reads_the_database_a_fixed_number_of_times(django_assert_num_queries):
    small = invented_evaluation(code="small", functions=1, goals=1, tasks=1, problems=1, measures=1)
    large = invented_evaluation(
        code="large", functions=30, goals=12, tasks=15, problems=9, measures=11
    )

    for evaluation in (small, large):
        with django_assert_num_queries(6):
            loaded = evaluation_for_report(department_code=evaluation.department.code, year=2024)
            report.report_key(loaded)
            report.report_html(loaded)


def test_an_invented_report_keeps_to_the_grid(db):
    evaluation = invented_evaluation(
        functions=17, goals=2, tasks=9, problems=3, measures=5, paragraphs=6
    )
    pdf_bytes = report.report_pdf(
        evaluation_for_report(department_code=evaluation.department.code, year=2024)
    )

    pages = pdftools.pages(pdf_bytes)
    boxes = [
        box for box in pdftools.line_boxes(pdf_bytes) if not pdftools.PAGE_NUMBER.match(box.text)
    ]
    assert len(pages) > 3
    assert all(len(page) <= 22 for page in pages)
    assert all(len(page) == 22 for page in pages[1:-1]), [len(page) for page in pages]
    # No line is wider than the 版心. pdftotext gives the last glyph its whole advance, although
    # the row's negative spacing (a squeezed mark, the grid's cell narrower than the em) pulls
    # the next position back: half a cell covers that; a character too many would be a cell.
    right_edge = LEFT_MARGIN + TEXT_WIDTH
    too_wide = [box for box in boxes if box.x_max > right_edge + CELL * 0.55]
    assert not too_wide, too_wide[:3]
    assert all(box.x_min >= LEFT_MARGIN - 0.5 for box in boxes)


def test_page_numbers_sit_one_character_in_on_the_outer_side(liwan_pdf):
    numbers = [
        box for box in pdftools.line_boxes(liwan_pdf) if pdftools.PAGE_NUMBER.match(box.text)
    ]
    four_hao = 14  # GB/T 9704-2012 §7.5: 4号 digits, one character in from the 版心 edge

    assert [box.page for box in numbers] == list(range(1, 12))
    for box in numbers:
        assert re.fullmatch(rf"—{box.page}—", box.text), box.text
        if box.page % 2:
            assert abs((LEFT_MARGIN + TEXT_WIDTH - four_hao) - box.x_max) < 3, box
        else:
            assert abs((LEFT_MARGIN + four_hao) - box.x_min) < 3, box
