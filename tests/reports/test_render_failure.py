"""A render that fails (a font missing, a WeasyPrint error) is logged naming the evaluation and
shown as a Chinese error page; nothing is cached and the next render in the same process works."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from evaluations.reports import pdf as pdf_module
from review import documents

pytestmark = pytest.mark.django_db

MESSAGE = (
    "“2023 年度 荔湾区科技工业和信息化局”的{document}生成失败（服务器排版出错，例如缺少字体），"
    "错误已记录。请稍后重试；如果仍然失败，请联系系统管理员。"
)


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def font_missing_once(monkeypatch) -> list[int]:
    """WeasyPrint fails on the first render as it does when a font file is gone."""
    real = pdf_module.HTML
    calls: list[int] = []

    def html(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("cannot open font file /usr/share/fonts/opentype/noto/NotoSerifCJK.ttc")
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf_module, "HTML", html)
    return calls


@pytest.mark.parametrize(
    ("url_name", "document"),
    [
        ("reports:report_pdf", "附件2 自评报告"),
        ("reports:appendix1_pdf", "附件1 自评表"),
    ],
)
def test_a_failed_render_is_logged_shown_in_chinese_and_the_next_render_works(
    url_name, document, staff_client, liwan, font_missing_once, caplog
):
    url = reverse(url_name, args=["liwan-kgxj", 2023])
    caplog.set_level(logging.ERROR, logger="review.views")

    failed = staff_client.get(url)

    assert failed.status_code == 500
    assert MESSAGE.format(document=document) in failed.content.decode()
    [record] = [r for r in caplog.records if r.name == "review.views"]
    assert "liwan-kgxj" in record.getMessage()
    assert "NotoSerifCJK.ttc" in "".join(caplog.text)  # the cause's traceback is logged

    again = staff_client.get(url)

    assert again.status_code == 200
    assert again.content.startswith(b"%PDF-")
    assert len(font_missing_once) == 2  # the failure was not cached: the second request rendered


def test_any_server_error_shows_the_chinese_error_page(staff_client, liwan, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(documents, "document_evaluation_for_user", broken)
    client = Client(raise_request_exception=False)
    client.cookies = staff_client.cookies

    response = client.get(reverse("reports:report_preview", args=["liwan-kgxj", 2023]))

    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错（500）" in page
    assert "服务器在处理您的请求时出错，错误已记录。" in page
