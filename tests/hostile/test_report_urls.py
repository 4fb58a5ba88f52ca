"""Hostile report URLs and hostile report content: 404 for anything malformed, and whatever
was stored prints literally, rare characters included (no boxes)."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from evaluations import services
from evaluations.factories import DepartmentFunctionFactory
from evaluations.reports import report
from evaluations.selectors import evaluation_for_report
from tests.reports import pdftools

pytestmark = pytest.mark.django_db

RARE = "生僻字𠀀𠮷𡈽𪚥𫠝，表情😀👍🏽，符号①℃‰"


@pytest.mark.parametrize(
    "url",
    [
        "/reports/liwan-kgxj/99999999999999999999/",
        "/reports/liwan-kgxj/99999999999999999999.pdf",
        "/reports/liwan-kgxj/-1/",
        "/reports/liwan-kgxj/2023/appendix1.pdf/../../../etc/passwd",
        "/reports/%2e%2e/%2e%2e/etc/passwd",
        "/reports/liwan-kgxj%00/2023/",
        "/reports/" + "a" * 5000 + "/2023/",
        "/reports/荔湾/2023/",
        "/reports/liwan-kgxj/2023.pdf.exe",
        "/reports/liwan-kgxj/2023/appendix1.xlsx?format=<script>",
    ],
)
def test_malformed_report_urls_are_404_never_500(staff_client, liwan, url):
    response = staff_client.get(url)

    assert response.status_code == 404 if "?format" not in url else response.status_code == 200


@pytest.fixture
def rare_evaluation(evaluation):
    DepartmentFunctionFactory(evaluation=evaluation, order=1, text=RARE)
    evaluation.achievements = "长" * 20_000
    services.evaluation_save(evaluation=evaluation)
    return evaluation_for_report(department_code=evaluation.department.code, year=2023)


def glyph_map(pdf_bytes: bytes) -> list[tuple[int, str]]:
    """(glyph id, text) for every glyph of every embedded font, from the fonts' /ToUnicode maps
    (Identity-H: the code is the glyph id). Glyph 0 is .notdef: the empty box of a missing
    character."""
    pairs = []
    for page in PdfReader(io.BytesIO(pdf_bytes)).pages:
        for ref in page["/Resources"]["/Font"].values():
            cmap = ref.get_object()["/ToUnicode"].get_object().get_data().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    pairs.append((int(code, 16), bytes.fromhex(text).decode("utf-16-be")))
            for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
                for low, high, start in re.findall(
                    r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
                ):
                    first = bytes.fromhex(start).decode("utf-16-be")
                    for offset in range(int(high, 16) - int(low, 16) + 1):
                        pairs.append((int(low, 16) + offset, chr(ord(first[-1]) + offset)))
    return pairs


def test_rare_characters_and_emoji_print_with_real_glyphs(rare_evaluation, caplog):
    pdf_bytes = report.report_pdf(rare_evaluation)

    assert not [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]

    assert "".join(RARE.split()) in pdftools.squashed_text(pdf_bytes)
    glyphs = glyph_map(pdf_bytes)
    printed = "".join(text for gid, text in glyphs if gid != 0)
    boxes = "".join(text for gid, text in glyphs if gid == 0)
    assert not boxes, f"drawn as .notdef boxes: {boxes!r}"
    # A character without a glyph has no entry of its own: every one must have been printed.
    assert not [ch for ch in RARE if ch not in printed]
    fonts = {font["name"].split("+", 1)[-1] for font in pdftools.fonts(pdf_bytes)}
    assert any("Emoji" in name for name in fonts), fonts


def test_a_20000_character_paragraph_prints_whole_on_the_grid(rare_evaluation):
    pdf_bytes = report.report_pdf(rare_evaluation)

    pages = pdftools.pages(pdf_bytes)
    assert pdftools.squashed_text(pdf_bytes).count("长") == 20_000
    assert all(len(page) <= 22 for page in pages)
    assert len(pages) > 30


def test_a_hostile_year_in_the_admin_url_is_404(staff_client):
    url = "/admin/evaluations/evaluation/99999999999999999999999/change/"

    assert staff_client.get(url).status_code in (302, 404)
    assert staff_client.get(
        reverse("admin:evaluations_evaluation_changelist") + "?year=99999999999999999999"
    ).status_code in (200, 302)
