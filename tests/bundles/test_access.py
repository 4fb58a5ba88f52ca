"""Who may bundle and download what: auditors and administrators any department; a 填报人员
only their own department (another department is not even offered, and posting its code is
refused as not found); a bundle only to the person who asked for it, and only while they may
still see every department in it. Everything else is 404."""

import pytest
from django.urls import reverse

from bundles import services
from bundles.models import Bundle
from evaluations.models import Membership
from tests.bundles.conftest import members

ADD = "/admin/bundles/bundle/add/"
ROOT = "2023年度部门整体支出绩效自评"


@pytest.fixture
def filler(make_user, three_approved):
    return make_user("filler-a", role="filler", department=three_approved[0].department)


@pytest.fixture
def auditor(make_user, three_approved):
    return make_user("auditor", role="auditor", department=three_approved[0].department)


def urls(bundle: Bundle) -> list[str]:
    return [
        reverse("admin:bundles_bundle_change", args=[bundle.pk]),
        reverse("admin:bundles_bundle_progress", args=[bundle.pk]),
        reverse("admin:bundles_bundle_download", args=[bundle.pk]),
    ]


def test_a_filler_is_offered_only_their_own_department(filler):
    response = filler.get(ADD)

    html = response.content.decode()
    assert 'value="dept-a"' in html
    assert "dept-b" not in html
    assert "dept-c" not in html
    assert "广州市乙区教育局" not in html


def test_a_filler_posting_another_department_is_refused_and_nothing_is_queued(filler):
    response = filler.post(ADD, {"year": "2023", "departments": ["dept-a", "dept-b"]})

    assert response.status_code == 200
    assert "没有找到部门 dept-b 的这一年度自评。" in response.content.decode()
    assert not Bundle.objects.exists()


def test_the_service_refuses_another_department_as_not_found(filler):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.bundle_create(user=filler.user, year=2023, department_codes=["dept-b"])

    assert refused.value.messages == ["没有找到以下部门 2023 年度的自评：dept-b。"]


def test_a_filler_s_zip_holds_their_department_and_no_summary(filler, build):
    bundle = build(filler.user, ["dept-a"])

    # The 汇总表 is the auditors' and administrators' (like the year's overview).
    assert list(members(services.bundle_path(bundle.pk))) == [
        f"{ROOT}/dept-a 广州市甲区财政局/附件1 2023年度广州市甲区财政局部门整体支出绩效自评表.pdf",
        f"{ROOT}/dept-a 广州市甲区财政局/附件1 2023年度广州市甲区财政局部门整体支出绩效自评表.docx",
        f"{ROOT}/dept-a 广州市甲区财政局/附件2 2023年度广州市甲区财政局部门整体支出绩效自评报告.pdf",
        f"{ROOT}/dept-a 广州市甲区财政局/附件2 2023年度广州市甲区财政局部门整体支出绩效自评报告.docx",
    ]
    assert not bundle.with_summary


def test_nobody_sees_another_person_s_bundle(filler, auditor, make_user, three_approved, build):
    bundle = build(auditor.user, ["dept-a"])
    other_auditor = make_user("auditor-2", role="auditor", department=three_approved[1].department)

    for client in (filler, other_auditor):
        for url in urls(bundle):
            assert client.get(url).status_code == 404, url
        assert client.get("/admin/bundles/bundle/").context["cl"].result_count == 0
    assert auditor.get(urls(bundle)[2]).status_code == 200


def test_a_filler_moved_to_another_department_loses_their_old_bundle(filler, three_approved, build):
    bundle = build(filler.user, ["dept-a"])
    Membership.objects.filter(user=filler.user).update(department=three_approved[1].department)

    for url in urls(bundle):
        assert filler.get(url).status_code == 404, url


def test_an_unfinished_bundle_is_not_downloaded(auditor, three_approved):
    bundle = services.bundle_create(user=auditor.user, year=2023, department_codes=["dept-a"])

    assert auditor.get(urls(bundle)[2]).status_code == 404


def test_a_user_without_a_role_sees_no_bundles(client, db, three_approved):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="x", is_staff=True)
    client.force_login(nobody)

    assert client.get(ADD).status_code == 403
    assert client.get("/admin/bundles/bundle/").status_code == 403


def test_a_filler_may_delete_their_bundle_and_its_file(filler, build):
    bundle = build(filler.user, ["dept-a"])
    path = services.bundle_path(bundle.pk)
    assert path.exists()

    response = filler.post(
        reverse("admin:bundles_bundle_delete", args=[bundle.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Bundle.objects.exists()
    assert not path.exists()


def test_a_year_without_evaluations_the_user_may_see_is_refused(auditor, three_approved):
    response = auditor.post(ADD, {"year": "2019", "departments": ["dept-a"]})

    assert response.status_code == 200
    assert "没有找到您可以打包的这一年度自评，请重新选择年度。" in response.content.decode()
    assert not Bundle.objects.exists()
