"""The Word files as someone without Word sees them: LibreOffice converts them to PDF (one run for
all of them), and the text, the pages and the lines are compared with the report and with the
filed original. LibreOffice is not Word, so the line figure has no threshold: it is written to
test-artifacts/word-libreoffice.json for the record."""

import io
import json
import re
import subprocess
import tempfile
from pathlib import Path

import pdfplumber
import pytest
from django.core.management import call_command
from django.db import transaction

from evaluations.reports import report
from evaluations.reports.document import report_blocks
from evaluations.selectors import evaluation_for_report
from indicators import selectors as indicator_selectors
from indicators.reports import appendix1
from tests.helpers import hard_text_evaluation
from tests.reports import libreoffice, pdftools

pytestmark = pytest.mark.django_db

OFFICIAL = Path(__file__).resolve().parents[1] / "data" / "liwan_2023_official.txt"
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "word-libreoffice.json"


PAGE_NUMBER = re.compile(r"^\s*— ?\d+ ?—\s*$")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def printed_lines(pdf: bytes) -> list[list[str]]:
    """The lines of each page as pdftotext lays them out (LibreOffice spreads a justified line
    at its spaces, which the plain reading order splits), page numbers left out."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", handle.name, "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    pages = [
        [line for line in page.splitlines() if line.strip() and not PAGE_NUMBER.match(line)]
        for page in text.split("\f")
    ]
    return [page for page in pages if page]


def printed_text(pdf: bytes) -> str:
    return squash("".join("".join(page) for page in printed_lines(pdf)))


@pytest.fixture(scope="module")
def converted(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, dict]:
    """The Liwan report and table and an invented department's report, as Word files and as
    LibreOffice's PDFs of them; the data is rolled back afterwards."""
    sources: dict[str, dict] = {}
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "liwan_2023", verbosity=0)
        hard = hard_text_evaluation()
        for name, code in (("liwan", "liwan-kgxj"), ("hard", hard.department.code)):
            evaluation = evaluation_for_report(department_code=code, year=2023)
            sources[name] = {
                "docx": report.report_docx(evaluation),
                "text": "".join(block.text for block in report_blocks(evaluation)),
            }
        table = appendix1.appendix1_for(
            indicator_selectors.evaluation_for_appendix(department_code="liwan-kgxj", year=2023)
        )
        sources["liwan-appendix1"] = {"docx": appendix1.appendix1_docx(table), "table": table}
        transaction.set_rollback(True)
    pdfs = libreoffice.to_pdf(
        {name: source["docx"] for name, source in sources.items()},
        tmp_path_factory.mktemp("libreoffice"),
    )
    for name, pdf in pdfs.items():
        sources[name]["pdf"] = pdf
    return sources


def test_libreoffice_shows_every_character_of_the_liwan_report(converted):
    liwan = converted["liwan"]

    assert printed_text(liwan["pdf"]) == squash(liwan["text"])


def test_libreoffice_lays_the_liwan_report_on_11_pages_give_or_take_one(converted):
    result = pdftools.shared_tool(converted["liwan"]["pdf"], "report_fidelity.py", str(OFFICIAL))
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(
        json.dumps({key: result[key] for key in ("text", "lines", "pages", "pagecount")}, indent=2),
        encoding="utf-8",
    )
    print(f"LibreOffice round trip of the Liwan Word report: {ARTIFACT.read_text()}")

    official_pages, pages = result["pagecount"]
    assert official_pages == 11
    assert abs(pages - 11) <= 1, result
    assert result["text"] >= 0.999, result["diffs"]


def test_libreoffice_keeps_the_lines_on_the_grid_of_22(converted):
    pages = printed_lines(converted["liwan"]["pdf"])

    assert len(pages) == 11
    assert all(len(page) <= 22 for page in pages)
    assert sum(len(page) == 22 for page in pages) >= 9  # full pages but the first and last


def test_libreoffice_shows_every_character_of_an_invented_department_s_hard_texts(converted):
    hard = converted["hard"]

    assert printed_text(hard["pdf"]) == squash(hard["text"])


def test_libreoffice_draws_the_word_table_landscape_with_every_row_and_merged_cell(converted):
    source = converted["liwan-appendix1"]
    table: appendix1.Appendix1 = source["table"]

    assert pdftools.info(source["pdf"])["Page size"].startswith("841.89 x 595.")
    with pdfplumber.open(io.BytesIO(source["pdf"])) as pdf:
        rows = [
            [None if cell is None else squash(cell) for cell in row]
            for page in pdf.pages
            for drawn in page.extract_tables()
            for row in drawn
        ]
    heading = rows.index([squash(column) for column in appendix1.COLUMNS])
    drawn_lines = rows[heading + 1 : heading + 1 + len(table.lines)]
    # A merged 一级/二级 cell is drawn once, at the top of the rows it covers (None below).
    assert drawn_lines == [
        [
            squash(line.primary) if line.primary_span else None,
            squash(line.secondary) if line.secondary_span else None,
            *(squash(text) for text in line.texts[2:]),
        ]
        for line in table.lines
    ]
    assert rows[heading + 1 + len(table.lines)][0] == "总分"
    assert rows[-1][:1] + rows[-1][8:9] == ["等级", table.grade]
