"""A 系统管理员 creates the year on the round's admin page: the active departments are offered,
each taking-part department without an evaluation of the year gets a draft — copied from its
previous year where it has one, empty otherwise — existing evaluations stay as they are, and a
failure anywhere leaves nothing behind."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from evaluations.factories import DepartmentFactory, EvaluationFactory
from evaluations.models import Evaluation
from indicators.factories import CompleteEvaluationFactory
from rounds import services
from rounds.models import Round

ADD = "/admin/rounds/round/add/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def departments(db, department):
    """`department` with a 2023 evaluation, one with none, one with a 2024 evaluation already,
    and an inactive one."""
    CompleteEvaluationFactory(department=department, year=2023)
    new = DepartmentFactory(code="new-dept", name="新设局")
    started = DepartmentFactory(code="started", name="已填局")
    EvaluationFactory(department=started, year=2024, conclusion_summary="已经开始填写。")
    closed = DepartmentFactory(code="closed", name="撤并局")
    closed.active = False
    closed.save()
    return {"copied": department, "new": new, "started": started, "closed": closed}


def add_data(*departments, create_drafts: bool = True) -> dict[str, object]:
    data: dict[str, object] = {
        "year": "2024",
        "deadline": "2025-03-31",
        "departments": [d.pk for d in departments],
    }
    if create_drafts:
        data["create_drafts"] = "on"
    return data


def test_the_form_offers_every_active_department_and_the_year_due(departments, administrator):
    response = administrator.get(ADD)

    initial = response.context["adminform"].form.initial
    active = {departments[name].pk for name in ("copied", "new", "started")}
    assert set(initial["departments"]) == active
    assert response.context["adminform"].form.fields["create_drafts"].initial is True


def test_creating_a_round_makes_the_missing_drafts_and_leaves_existing_ones_alone(
    departments, administrator
):
    started = Evaluation.objects.get(department=departments["started"], year=2024)

    response = administrator.post(
        ADD, add_data(departments["copied"], departments["new"], departments["started"])
    )

    assert response.status_code == 302
    round_ = Round.objects.get(year=2024)
    assert set(round_.departments.values_list("code", flat=True)) == {
        "test-dept",
        "new-dept",
        "started",
    }
    assert round_.created_by == administrator.user
    assert (
        "2024 年度：参加部门 3 个，填报截止日期 2025-03-31。新建草稿 2 份（从上年复制 1 份，"
        "空白草稿 1 份）；已有自评的 1 个部门未作改动。"
    ) in messages_of(response)
    copied = Evaluation.objects.get(department=departments["copied"], year=2024)
    assert copied.status == Evaluation.Status.DRAFT
    assert [f.text for f in copied.departmentfunctions.all()] == ["一项内容。"]
    row = copied.indicator_rows.get()
    assert (row.name, row.previous_value, row.actual) == ("服务企业数量", Decimal("12"), None)
    empty = Evaluation.objects.get(department=departments["new"], year=2024)
    assert empty.status == Evaluation.Status.DRAFT
    assert not empty.departmentfunctions.exists() and not empty.indicator_rows.exists()
    untouched = Evaluation.objects.get(pk=started.pk)
    assert (untouched.version, untouched.updated_at) == (started.version, started.updated_at)
    assert untouched.conclusion_summary == "已经开始填写。"
    assert not Evaluation.objects.filter(department=departments["closed"], year=2024).exists()


def test_without_drafts_the_round_only_records_who_takes_part(departments, administrator):
    response = administrator.post(
        ADD, add_data(departments["new"], departments["started"], create_drafts=False)
    )

    assert Round.objects.get(year=2024).departments.count() == 2
    assert not Evaluation.objects.filter(department=departments["new"]).exists()
    assert (
        "2024 年度：参加部门 2 个，填报截止日期 2025-03-31。未新建草稿；已有自评的 1 个部门未作改动；"
        "1 个部门尚未新建自评。"
    ) in messages_of(response)


def test_a_failure_in_any_department_leaves_no_round_and_no_draft(
    departments, administrator, monkeypatch
):
    second = DepartmentFactory(code="zz-second", name="第二局")
    EvaluationFactory(department=second, year=2023)
    copy_forward = services.review_services.evaluation_copy_forward
    calls = []

    def failing_on_the_second(*, source, user):
        calls.append(source.department.code)
        if len(calls) == 2:
            raise ValidationError("复制失败：测试用的错误。")
        return copy_forward(source=source, user=user)

    monkeypatch.setattr(services.review_services, "evaluation_copy_forward", failing_on_the_second)
    before = Evaluation.objects.count()

    response = administrator.post(
        ADD, add_data(departments["copied"], departments["new"], second), follow=True
    )

    assert calls == ["test-dept", "zz-second"]  # the first draft was made, then undone
    assert not Round.objects.exists()
    assert Evaluation.objects.count() == before
    assert response.redirect_chain[-1][0] == ADD
    assert "未能保存年度，没有作任何改动：" in messages_of(response)
    assert "复制失败：测试用的错误。" in messages_of(response)


def test_a_year_is_created_once(departments, administrator):
    administrator.post(ADD, add_data(departments["new"]))

    response = administrator.post(ADD, add_data(departments["new"]))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["year"] == [
        "这一年度已经建立，每个年度只建立一次。"
    ]
    assert Round.objects.count() == 1


def test_a_department_added_later_gets_its_draft_and_the_year_stays(departments, administrator):
    administrator.post(ADD, add_data(departments["started"], create_drafts=False))
    round_ = Round.objects.get()

    response = administrator.post(
        f"/admin/rounds/round/{round_.pk}/change/",
        {
            "year": "2030",  # read-only on the change page: ignored
            "deadline": "2025-04-30",
            "departments": [departments["started"].pk, departments["new"].pk],
            "create_drafts": "on",
        },
    )

    assert response.status_code == 302
    round_.refresh_from_db()
    assert (round_.year, f"{round_.deadline}") == (2024, "2025-04-30")
    assert Evaluation.objects.filter(department=departments["new"], year=2024).exists()
    assert any("空白草稿 1 份" in text for text in messages_of(response))


def test_a_large_district_gets_its_drafts_over_several_saves(
    departments, administrator, monkeypatch
):
    monkeypatch.setattr("rounds.admin.DRAFTS_PER_SAVE", 1)
    chosen = (departments["copied"], departments["new"], departments["started"])

    first = administrator.post(ADD, add_data(*chosen))
    round_ = Round.objects.get()
    second = administrator.post(
        f"/admin/rounds/round/{round_.pk}/change/",
        {"deadline": "2025-03-31", "departments": [d.pk for d in chosen], "create_drafts": "on"},
    )

    assert (
        "2024 年度：参加部门 3 个，填报截止日期 2025-03-31。新建草稿 1 份（从上年复制 0 份，"
        "空白草稿 1 份）；已有自评的 1 个部门未作改动；还有 1 个部门的草稿尚未生成（每次保存最多"
        "生成 1 份）：请打开本年度，勾选“为尚未新建自评的部门生成草稿”后再次保存。"
    ) in messages_of(first)
    assert (
        "2024 年度：参加部门 3 个，填报截止日期 2025-03-31。新建草稿 1 份（从上年复制 1 份，"
        "空白草稿 0 份）；已有自评的 2 个部门未作改动。"
    ) in messages_of(second)
    assert Evaluation.objects.filter(year=2024).count() == 3
