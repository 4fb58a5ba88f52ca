from urllib.parse import unquote

import pytest
from django.urls import reverse

from evaluations import services
from evaluations.reports import pdf as pdf_module

pytestmark = pytest.mark.django_db

FILENAME = "2023年度广州市荔湾区科技工业和信息化局部门整体支出绩效自评报告.pdf"


@pytest.fixture
def pdf_url(liwan) -> str:
    return reverse("reports:report_pdf", args=["liwan-kgxj", 2023])


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """Counts real renders while still rendering."""
    calls: list[str] = []
    real = pdf_module.render_pdf

    def counting(html: str, **kwargs):
        calls.append(kwargs["title"])
        return real(html, **kwargs)

    monkeypatch.setattr(pdf_module, "render_pdf", counting)
    return calls


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()


def test_the_pdf_downloads_with_its_chinese_file_name(staff_client, pdf_url):
    response = staff_client.get(pdf_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == FILENAME
    assert response.content.startswith(b"%PDF-")


def test_the_preview_is_the_report_as_html(staff_client, liwan):
    response = staff_client.get(reverse("reports:report_preview", args=["liwan-kgxj", 2023]))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-CN"' in page
    assert "部门整体支出绩效自评报告" in page
    assert "抓好机关党建" in page


def test_an_unknown_department_or_year_is_404(staff_client, liwan):
    assert staff_client.get(reverse("reports:report_pdf", args=["nobody", 2023])).status_code == 404
    assert (
        staff_client.get(reverse("reports:report_preview", args=["liwan-kgxj", 2022])).status_code
        == 404
    )


def test_a_repeated_download_comes_from_the_cache(staff_client, pdf_url, renders):
    first = staff_client.get(pdf_url)
    second = staff_client.get(pdf_url)

    assert len(renders) == 1
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]


def test_a_conditional_request_for_an_unchanged_report_gets_304(staff_client, pdf_url, renders):
    etag = staff_client.get(pdf_url)["ETag"]

    response = staff_client.get(pdf_url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert len(renders) == 1


def test_any_edit_to_the_evaluation_changes_the_key_and_renders_again(
    staff_client, pdf_url, liwan, renders
):
    etag = staff_client.get(pdf_url)["ETag"]
    problem = liwan.problems.get(order=2)
    problem.text = problem.text.replace("高校缺乏", "高校较少")
    services.evaluation_item_save(item=problem)

    response = staff_client.get(pdf_url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert len(renders) == 2


def test_the_admin_change_page_links_to_the_preview_and_the_pdf(staff_client, liwan):
    page = staff_client.get(
        reverse("admin:evaluations_evaluation_change", args=[liwan.pk])
    ).content.decode()

    assert reverse("reports:report_preview", args=["liwan-kgxj", 2023]) in page
    assert reverse("reports:report_pdf", args=["liwan-kgxj", 2023]) in page


def test_a_site_can_name_its_own_licensed_fonts(staff_client, liwan, settings):
    settings.REPORT_FONTS = {"body": ["FangSong_GB2312"], "title": ["FZXiaoBiaoSong-B05S"]}

    page = staff_client.get(
        reverse("reports:report_preview", args=["liwan-kgxj", 2023])
    ).content.decode()

    # The site's faces first; the open faces only for characters they lack.
    assert "--font-body: report-latin, FangSong_GB2312, Noto Serif CJK SC," in page
    assert "--font-title: FZXiaoBiaoSong-B05S, Noto Serif CJK SC," in page
