"""Every department's report is a correct 公文: checked glyph by glyph with ../shared/tools.

grid_check.py reads the PDF's own glyph boxes: at most 22 lines a page on the 22-row grid,
nothing outside the 版心, no overlapping glyphs beyond 标点挤压, no forbidden line start or end,
—— and …… whole. report_fidelity.py compares the Liwan PDF with the filed original.
"""

import re

import pytest
from django.urls import reverse

from evaluations.reports import report
from evaluations.selectors import evaluation_for_report
from tests.helpers import hard_text_evaluation
from tests.reports import pdftools

pytestmark = pytest.mark.django_db

OFFICIAL = pdftools.Path(__file__).resolve().parents[1] / "data" / "liwan_2023_official.txt"


def test_the_liwan_pdf_keeps_to_the_grid(liwan_pdf):
    result = pdftools.shared_tool(liwan_pdf, "grid_check.py")

    assert result["summary"]["problems"] == 0, [p for p in result["pages"] if p["problems"]]
    assert result["summary"]["pages"] == 11


def test_the_liwan_pdf_keeps_the_filed_text_lines_and_pages(liwan_pdf):
    result = pdftools.shared_tool(liwan_pdf, "report_fidelity.py", str(OFFICIAL))

    assert result["text"] == 1.0, result["diffs"]
    assert result["lines"] >= 0.99, result
    assert result["pages"] == 1.0, result
    assert result["pagecount"] == [11, 11]


@pytest.fixture
def hard_pdf(staff_client) -> tuple[bytes, str]:
    """The report of an invented department with every kind of hard text, downloaded."""
    evaluation = hard_text_evaluation()
    response = staff_client.get(
        reverse("reports:report_pdf", args=[evaluation.department.code, evaluation.year])
    )
    assert response.status_code == 200
    blocks = report.report_blocks(
        evaluation_for_report(department_code=evaluation.department.code, year=evaluation.year)
    )
    return response.content, "".join(block.text for block in blocks)


def test_an_invented_department_with_hard_texts_keeps_to_the_grid(hard_pdf):
    pdf_bytes, _ = hard_pdf

    result = pdftools.shared_tool(pdf_bytes, "grid_check.py")

    assert result["summary"]["pages"] > 5
    assert result["summary"]["problems"] == 0, [p for p in result["pages"] if p["problems"]]


def test_no_character_of_the_hard_texts_is_lost(hard_pdf):
    pdf_bytes, text = hard_pdf

    assert pdftools.squashed_text(pdf_bytes) == re.sub(r"\s+", "", text)


def test_every_face_is_embedded_and_subset_and_the_body_is_fangsong(hard_pdf, liwan_pdf):
    for pdf_bytes in (hard_pdf[0], liwan_pdf):
        fonts = pdftools.fonts(pdf_bytes)
        names = {font["name"].split("+", 1)[-1] for font in fonts}

        assert all(font["emb"] == "yes" and font["sub"] == "yes" for font in fonts), fonts
        # 仿宋 body, 黑体 and 楷体 headings, 小标宋 (bold Song) title: the Fandol faces.
        assert {"FandolFang", "FandolHei", "FandolKai", "FandolSong-Bold"} <= names, names


def test_the_body_text_is_set_in_the_fangsong_face(liwan_pdf):
    import io
    from collections import Counter

    import pdfplumber

    with pdfplumber.open(io.BytesIO(liwan_pdf)) as pdf:
        faces = Counter(
            c["fontname"].split("+", 1)[-1]
            for page in pdf.pages
            for c in page.chars
            if "\u4e00" <= c["text"] <= "\u9fff"
        )
    body, count = faces.most_common(1)[0]

    assert body == "FandolFang"
    assert count / sum(faces.values()) > 0.9, faces
