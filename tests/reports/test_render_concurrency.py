"""Rendering is safe under threads and deterministic: runserver's threads (two approvals at once)
cannot crash a process or mix up two PDFs, and the same content gives the same bytes in any
process — emoji, CJK Extension B and bidi marks included — so ETags, the cache and a restored
backup agree."""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from evaluations.reports import pdf, report
from evaluations.reports.blocks import Block
from evaluations.selectors import evaluation_for_report
from tests.helpers import hard_text_evaluation

ROOT = Path(__file__).resolve().parents[2]
CREATED = datetime(2024, 1, 1, tzinfo=UTC)
MIXED = (
    "组织开展“文化进万家”活动🎉共计326场👍🏽，生僻字𠀀𪚥𠮷，RTL\u200f标记与\u202bعربي\u202c混排。"
)


def mixed_html(marker: str = "") -> str:
    blocks = [Block("label", "附件 2"), Block("title", f"2023 年度测试局{marker}")]
    blocks += [Block("body", MIXED * 3)] * 6
    return report._html(blocks, report.ReportMeta(title="t", author="a", created=CREATED))


def render(html: str) -> bytes:
    return pdf.render_pdf(html, title="t", author="a", created=CREATED)


def test_four_threads_rendering_at_once_give_byte_identical_pdfs():
    htmls = [mixed_html(str(k % 2)) for k in range(8)]
    alone = [render(html) for html in htmls]

    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(render, htmls))

    assert together == alone
    assert alone[0] != alone[1]  # two different documents stay two different PDFs


def test_the_same_content_gives_the_same_bytes_in_another_process():
    html = mixed_html()
    here = render(html)
    script = (
        "import sys, django; django.setup();"
        "from datetime import UTC, datetime;"
        "from evaluations.reports import pdf;"
        "sys.stdout.buffer.write(pdf.render_pdf(sys.stdin.read(), title='t', author='a',"
        " created=datetime(2024, 1, 1, tzinfo=UTC)))"
    )
    elsewhere = subprocess.run(
        [sys.executable, "-c", script],
        input=html.encode(),
        capture_output=True,
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", "PATH": "/usr/bin:/bin"},
        check=True,
    ).stdout

    assert render(html) == here
    assert elsewhere == here


@pytest.mark.django_db
def test_a_department_s_report_with_emoji_and_rare_characters_renders_to_the_same_bytes_twice():
    evaluation = hard_text_evaluation()
    loaded = evaluation_for_report(department_code=evaluation.department.code, year=2023)

    assert report.report_pdf(loaded) == report.report_pdf(loaded)


def test_a_refused_url_is_a_render_error_not_an_escaping_base_exception():
    html = render_to_string("500.html").replace("</body>", '<img src="http://example.org/x.png">')

    with pytest.raises(pdf.RenderError):
        render(html)


@pytest.mark.django_db
def test_a_render_past_its_deadline_answers_with_the_chinese_error_page(
    staff_client, liwan, settings
):
    settings.REPORT_RENDER_TIMEOUT = 0.001
    url = reverse("reports:report_pdf", args=["liwan-kgxj", 2023])

    late = staff_client.get(url)

    assert late.status_code == 500
    assert "生成失败" in late.content.decode()
    settings.REPORT_RENDER_TIMEOUT = 25
    assert staff_client.get(url).status_code == 200  # the worker renders again afterwards
