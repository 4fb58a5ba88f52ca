"""Text a user typed is printed as text, and rendering fetches nothing but our own files."""

import re

import pytest
from django.urls import reverse

from evaluations.factories import DepartmentFunctionFactory
from evaluations.reports import pdf, report
from evaluations.selectors import evaluation_for_report
from tests.reports import pdftools

pytestmark = pytest.mark.django_db

HOSTILE = {
    "image": '<img src="http://127.0.0.1:9/x">',
    "script": "<script>alert(1)</script>",
    "css": "<style>@import url(http://127.0.0.1:9/y.css);</style>",
    "inline-style": '<p style="background:url(file:///etc/passwd)">背景</p>',
    "file-url": "file:///etc/passwd",
}


@pytest.fixture
def fetched(monkeypatch) -> list[str]:
    """Every URL WeasyPrint asks any of our fetchers for."""
    urls: list[str] = []
    real = pdf._LocalFetcher.fetch

    def recording(self, url, headers=None):
        urls.append(url)
        return real(self, url, headers)

    monkeypatch.setattr(pdf._LocalFetcher, "fetch", recording)
    return urls


@pytest.fixture
def hostile_evaluation(evaluation):
    for order, text in enumerate(HOSTILE.values(), start=1):
        DepartmentFunctionFactory(evaluation=evaluation, order=order, text=f"职能{order}：{text}")
    return evaluation_for_report(department_code=evaluation.department.code, year=2023)


def test_markup_in_user_text_is_escaped_in_the_preview(staff_client, hostile_evaluation):
    page = staff_client.get(
        reverse("reports:report_preview", args=[hostile_evaluation.department.code, 2023])
    ).content.decode()

    assert "<img" not in page and "<script" not in page and "<p style" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<style>") == 1  # the template's own


def test_markup_in_user_text_prints_literally_in_the_pdf_and_fetches_nothing(
    hostile_evaluation, fetched
):
    pdf_bytes = report.report_pdf(hostile_evaluation)

    text = pdftools.squashed_text(pdf_bytes)
    for value in HOSTILE.values():
        assert re.sub(r"\s+", "", value) in text
    assert fetched, "the stylesheet at least is fetched through our fetcher"
    assert all(
        url.startswith("file:///static/") or url.startswith("file:///usr/share/fonts/")
        for url in fetched
    ), fetched


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://example.com/a.css",
        "file:///etc/passwd",
        "file:///static/../../../../etc/passwd",
        "file:///static/evaluations/%2e%2e/%2e%2e/%2e%2e/settings.py",
        "file://otherhost/static/evaluations/report.css",
        "data:text/css,body{}",
        "ftp://127.0.0.1/x",
    ],
)
def test_the_document_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(pdf.ForbiddenResource):
        pdf.StaticURLFetcher().fetch(url)


def test_the_document_fetcher_serves_the_report_stylesheet():
    response = pdf.StaticURLFetcher().fetch("file:///static/evaluations/report.css")

    assert response.status == 200
    assert b".line {" in response.read()
