"""Who reaches the round: a 填报人员 sees neither the overview nor the 汇总表, not even of their
own department; a 审核人员 sees every department and changes nothing; a 系统管理员 creates and
changes rounds."""

import pytest

from tests.rounds.conftest import overview_url

DOWNLOADS = ("summary.xlsx", "summary.csv", "summary-gbk.csv")


def test_a_filler_gets_no_overview_and_no_summary_not_even_of_their_own_department(
    district, filler
):
    url = overview_url(district.round)
    # The filler's own department takes part in the round.
    assert filler.user.membership.department in district.round.departments.all()

    assert filler.get(url).status_code == 403
    for name in DOWNLOADS:
        assert filler.get(url + name).status_code == 403, name
    assert filler.get("/admin/rounds/round/latest/overview/").status_code == 403
    assert filler.get("/admin/rounds/round/").status_code == 403
    assert filler.get(f"/admin/rounds/round/{district.round.pk}/change/").status_code == 403
    start = filler.get("/admin/").content.decode()
    assert "年度总览" not in start
    assert "/admin/rounds/" not in start


def test_an_auditor_sees_the_round_and_every_department_but_changes_nothing(district, auditor):
    change = f"/admin/rounds/round/{district.round.pk}/change/"

    page = auditor.get(change)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()
    assert "查看总览" in page.content.decode()
    assert auditor.get("/admin/rounds/round/add/").status_code == 403
    assert auditor.post(change, {"deadline": "2030-01-01"}).status_code == 403
    overview = auditor.get(overview_url(district.round))
    assert overview.status_code == 200
    assert overview.context["shown"] == 5
    for name in DOWNLOADS:
        assert auditor.get(overview_url(district.round) + name).status_code == 200, name


def test_the_start_page_of_an_auditor_links_to_the_latest_round(district, auditor):
    start = auditor.get("/admin/").content.decode()
    assert 'href="/admin/rounds/round/latest/overview/"' in start

    response = auditor.get("/admin/rounds/round/latest/overview/")

    assert response.status_code == 302
    assert response.url == overview_url(district.round)


def test_without_any_round_the_start_page_link_says_so(db, auditor):
    response = auditor.get("/admin/rounds/round/latest/overview/", follow=True)

    assert response.redirect_chain[-1][0] == "/admin/rounds/round/"
    assert "还没有建立任何年度：年度由系统管理员建立。" in response.content.decode()


@pytest.mark.parametrize("path", ["999999/overview/", "nonsense/overview/summary.xlsx"])
def test_a_round_that_does_not_exist_is_not_found(db, auditor, path):
    assert auditor.get(f"/admin/rounds/round/{path}").status_code == 404


def test_an_administrator_opens_the_form_to_create_a_round(db, administrator):
    assert administrator.get("/admin/rounds/round/add/").status_code == 200
