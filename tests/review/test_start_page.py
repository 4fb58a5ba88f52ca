"""The start page (the admin index, review/site.py): a 填报人员 sees their department's
evaluations with their state, last change, the 审核意见 when returned, what 提交送审 still needs
(links to the very fields) and the next step; a 审核人员 sees what waits for review, the
longest-waiting first. The business comes first in the list of models. The page reads the
database a fixed number of times, whatever the number of evaluations and the lengths of lists."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations import services
from evaluations.factories import (
    ITEM_FACTORIES,
    DepartmentFactory,
    EvaluationFactory,
)
from evaluations.lists import ORDERED_LISTS
from evaluations.models import Evaluation, ReviewEvent
from indicators.factories import CompleteEvaluationFactory, IndicatorRowFactory
from indicators.models import IndicatorRow
from review import selectors
from review.services import evaluation_transition

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


def change_url(evaluation: Evaluation) -> str:
    return reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])


def own(response) -> list[selectors.OwnEvaluation]:
    return list(response.context["filler_start"].evaluations)


def checklist_links(page: str, evaluation: Evaluation) -> list[tuple[str, str]]:
    """(anchor, text) of each link of the evaluation's checklist on the start page."""
    url = re.escape(change_url(evaluation))
    return re.findall(rf'<li><a href="{url}#([^"]+)">([^<]+)</a></li>', page)


def set_submitted_at(evaluation: Evaluation, when) -> None:
    ReviewEvent.objects.filter(evaluation=evaluation, to_status=Evaluation.Status.SUBMITTED).update(
        created_at=when
    )


@pytest.fixture
def filler(make_user, department):
    return make_user("tianbao", role="filler", department=department)


@pytest.fixture
def auditor(make_user, department):
    return make_user("shenhe", role="auditor", department=department)


@pytest.fixture
def administrator(db):
    return get_user_model().objects.create_superuser(username="guanli", password="x-pass-9876")


# --- a 填报人员's start page ---------------------------------------------------------------------


def test_a_filler_sees_their_departments_evaluations_newest_first_and_no_other_department(
    filler, department
):
    EvaluationFactory(department=department, year=2022)
    EvaluationFactory(department=department, year=2023)
    other = EvaluationFactory(
        department=DepartmentFactory(name="别的区另一局", code="other"), year=2023
    )

    response = filler.get(INDEX)
    page = response.content.decode()

    assert response.status_code == 200
    assert [item.evaluation.year for item in own(response)] == [2023, 2022]
    assert "本部门的绩效自评 · 测试区示例局" in page
    assert "别的区另一局" not in page
    assert change_url(other) not in page


def test_a_returned_evaluation_shows_its_state_who_changed_it_last_and_the_review_comment(
    filler, auditor, department
):
    evaluation = CompleteEvaluationFactory(department=department)
    evaluation_transition(evaluation_id=evaluation.pk, user=filler.user, action="submit")
    evaluation_transition(
        evaluation_id=evaluation.pk,
        user=auditor.user,
        action="return",
        comment="主要工作成效未写技术合同登记情况。\n请补充。",
    )

    response = filler.get(INDEX)
    page = response.content.decode()

    [item] = own(response)
    assert item.evaluation.get_status_display() == "已退回"
    assert item.last_change is not None and item.last_change.who == "shenhe"
    assert item.return_comment == "主要工作成效未写技术合同登记情况。\n请补充。"
    assert item.next_step == selectors.NextStep.RESUBMIT
    assert '<span class="status-badge status-returned">已退回</span>' in page
    assert '<span class="change-who user-name" title="shenhe">shenhe</span>' in page
    assert "<h3>审核意见</h3>" in page
    assert "主要工作成效未写技术合同登记情况。<br>请补充。" in page
    assert (
        f'<a class="start-action" href="{change_url(evaluation)}#review-workflow">重新提交送审</a>'
        in page
    )


def test_the_last_change_is_a_later_edit_rather_than_the_last_review_step(
    filler, auditor, department
):
    evaluation = CompleteEvaluationFactory(department=department)
    evaluation_transition(evaluation_id=evaluation.pk, user=filler.user, action="submit")
    evaluation_transition(
        evaluation_id=evaluation.pk, user=auditor.user, action="return", comment="请补充。"
    )
    evaluation.refresh_from_db()
    evaluation.achievements = "补充后的成效。"
    evaluation._history_user = filler.user  # as the admin's request records it
    services.evaluation_save(evaluation=evaluation)

    [item] = own(filler.get(INDEX))

    assert item.last_change is not None and item.last_change.who == "tianbao"
    assert item.return_comment == "请补充。"  # still returned: the comment stays in view


def test_the_checklist_links_each_missing_part_to_its_field_or_list_on_the_change_page(
    filler, evaluation, framework_2023
):
    response = filler.get(INDEX)
    page = response.content.decode()
    links = checklist_links(page, evaluation)
    change_page = filler.get(change_url(evaluation)).content.decode()

    expected = {
        **{
            entry.accessor + "-group": f"“{entry.label}”至少要填写一项。" for entry in ORDERED_LISTS
        },
        "id_conclusion_summary": "“自评结论综述”尚未填写。",
        "id_grade": "“自评等级”尚未填写。",
        "id_task_analysis": "“各重点工作任务绩效目标完成情况分析”尚未填写。",
        "id_achievements": "“主要工作成效”尚未填写。",
        "indicator_rows-group": "尚未填写任何绩效指标（三级指标）。",
    }
    assert dict(links) == expected
    assert [text for _, text in links] == selectors.evaluation_problems(evaluation=evaluation)
    for anchor, _ in links:
        assert f'id="{anchor}"' in change_page, anchor
    assert "提交送审前还需完成 10 项" in page
    assert f'<a class="start-action" href="{change_url(evaluation)}">继续填写</a>' in page


def test_problems_of_figures_and_indicator_rows_link_to_the_very_field_and_row(filler, department):
    evaluation = CompleteEvaluationFactory(department=department)  # row 1: 服务企业数量
    IndicatorRowFactory(evaluation=evaluation, order=3, name="新增专利数", actual=None)
    IndicatorRowFactory(evaluation=evaluation, order=2, name="走访企业数")
    # Data stored before today's rules (an old import): figures that do not add up, and a row
    # scoring short of its 分值 with no 偏差原因.
    Evaluation.objects.filter(pk=evaluation.pk).update(basic_expenditure=Decimal("1"))
    IndicatorRow.objects.filter(evaluation=evaluation, name="走访企业数").update(
        actual=Decimal("5")
    )

    links = checklist_links(filler.get(INDEX).content.decode(), evaluation)
    change_page = filler.get(change_url(evaluation))

    anchors = [anchor for anchor, _ in links]
    assert anchors == [
        "id_basic_expenditure",
        "id_indicator_rows-2-actual",
        "id_indicator_rows-1-deviation_reason",
        "id_grade",
    ]
    html = change_page.content.decode()
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor
    # Row i of the page's formset is the row the message names.
    [rows] = [
        f.formset
        for f in change_page.context["inline_admin_formsets"]
        if f.formset.prefix == "indicator_rows"
    ]
    assert [form.instance.name for form in rows.forms] == [
        "服务企业数量",
        "走访企业数",
        "新增专利数",
    ]
    assert "新增专利数" in links[1][1] and "走访企业数" in links[2][1]


def test_an_evaluation_ready_for_submission_says_so_and_offers_to_submit(filler, department):
    evaluation = CompleteEvaluationFactory(department=department)

    page = filler.get(INDEX).content.decode()

    assert "已具备提交条件。" in page
    assert checklist_links(page, evaluation) == []
    assert (
        f'<a class="start-action" href="{change_url(evaluation)}#review-workflow">提交送审</a>'
        in page
    )


def test_a_submitted_evaluation_waits_and_an_approved_one_offers_its_documents(filler, department):
    submitted = CompleteEvaluationFactory(department=department, year=2023)
    evaluation_transition(evaluation_id=submitted.pk, user=filler.user, action="submit")
    approved = EvaluationFactory(department=department, year=2022)
    Evaluation.objects.filter(pk=approved.pk).update(status=Evaluation.Status.APPROVED)

    response = filler.get(INDEX)
    page = response.content.decode()

    assert [(item.evaluation.year, item.next_step) for item in own(response)] == [
        (2023, selectors.NextStep.WAIT),
        (2022, selectors.NextStep.DOWNLOAD),
    ]
    assert [item.checklist for item in own(response)] == [None, None]
    assert '<span class="start-waiting">等待审核</span>' in page
    assert "提交送审前还需完成" not in page and "已具备提交条件" not in page
    assert reverse("reports:report_pdf", args=[department.code, 2022]) in page
    assert reverse("reports:appendix1_pdf", args=[department.code, 2022]) in page


def test_without_an_evaluation_of_the_year_due_the_filler_is_offered_to_add_one(filler, department):
    year = selectors.evaluation_year_due()
    previous = EvaluationFactory(department=department, year=year - 1)

    page = filler.get(INDEX).content.decode()

    add = reverse("admin:evaluations_evaluation_add")
    assert f"{add}?department={department.pk}&amp;year={year}" in page
    assert f"新建 {year} 年度自评" in page
    assert f'{change_url(previous)}#review-workflow">{year - 1} 年度自评</a>' in page

    add_page = filler.get(add, {"department": department.pk, "year": year})
    assert add_page.context["adminform"].form.initial == {
        "department": str(department.pk),
        "year": str(year),
    }

    EvaluationFactory(department=department, year=year)
    assert f"新建 {year} 年度自评" not in filler.get(INDEX).content.decode()


def test_the_year_due_is_last_year_as_evaluations_are_written_after_the_year_closes():
    assert selectors.evaluation_year_due(date(2024, 3, 15)) == 2023
    assert selectors.evaluation_year_due(date(2024, 12, 31)) == 2023


# --- a 审核人员's start page ---------------------------------------------------------------------


def test_an_auditor_sees_submitted_evaluations_longest_waiting_first_and_no_drafts(
    auditor, administrator
):
    now = timezone.now()
    waiting = {}
    for name, days in (("甲局", 2), ("乙局", 9), ("丙局", 5)):
        evaluation = CompleteEvaluationFactory(department=DepartmentFactory(name=name))
        evaluation_transition(evaluation_id=evaluation.pk, user=administrator, action="submit")
        set_submitted_at(evaluation, now - timedelta(days=days))
        waiting[name] = evaluation
    EvaluationFactory(department=DepartmentFactory(name="丁局"))  # a draft

    response = auditor.get(INDEX)
    page = response.content.decode()

    queue = response.context["review_start"].waiting
    assert [item.evaluation.department.name for item in queue] == ["乙局", "丙局", "甲局"]
    assert [item.days_waiting for item in queue] == [9, 5, 2]
    assert {item.submitted.who for item in queue if item.submitted} == {"guanli"}
    assert "待审核的自评（3 份）" in page
    assert "丁局" not in page.split('id="review-queue"')[1].split("</table>")[0]
    assert page.index("乙局") < page.index("丙局") < page.index("甲局")
    opened = change_url(waiting["乙局"]) + "#review-workflow"
    assert f'<a class="start-action" href="{opened}">打开审核</a>' in page
    assert "filler_start" not in response.context


def test_a_resubmitted_evaluation_waits_from_its_last_submission(auditor, administrator):
    early = CompleteEvaluationFactory(department=DepartmentFactory(name="甲局"))
    late = CompleteEvaluationFactory(department=DepartmentFactory(name="乙局"))
    for evaluation in (early, late):
        evaluation_transition(evaluation_id=evaluation.pk, user=administrator, action="submit")
    set_submitted_at(early, timezone.now() - timedelta(days=20))
    set_submitted_at(late, timezone.now() - timedelta(days=10))
    evaluation_transition(
        evaluation_id=early.pk, user=auditor.user, action="return", comment="请补充。"
    )
    evaluation_transition(evaluation_id=early.pk, user=administrator, action="submit")

    queue = auditor.get(INDEX).context["review_start"].waiting

    assert [item.evaluation.department.name for item in queue] == ["乙局", "甲局"]


def test_the_auditor_sees_where_the_year_due_stands(auditor, department):
    year = selectors.evaluation_year_due()
    EvaluationFactory(department=department, year=year)
    returned = EvaluationFactory(department=DepartmentFactory(), year=year)
    Evaluation.objects.filter(pk=returned.pk).update(status=Evaluation.Status.RETURNED)
    DepartmentFactory()  # no evaluation yet

    response = auditor.get(INDEX)
    page = response.content.decode()

    overview = response.context["review_start"]
    assert {c.label: c.count for c in overview.counts} == {
        "草稿": 1,
        "已提交": 0,
        "已退回": 1,
        "已审核": 0,
    }
    assert overview.departments_without == 1
    changelist = reverse("admin:evaluations_evaluation_changelist")
    assert f"{changelist}?year={year}&amp;status__exact=returned" in page
    assert "目前没有等待审核的自评。" in page
    # The finance bureau's pages: the year's overview and the ZIP of every department's reports.
    assert reverse("admin:rounds_round_latest_overview") in page
    assert reverse("admin:bundles_bundle_add") in page


def test_the_year_overview_links_open_the_filtered_evaluation_list(auditor, department):
    year = selectors.evaluation_year_due()
    EvaluationFactory(department=department, year=year)

    response = auditor.get(
        reverse("admin:evaluations_evaluation_changelist"),
        {"year": year, "status__exact": "draft"},
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list.values_list("year", flat=True)) == [year]


# --- the list of models ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["filler", "administrator"])
def test_the_business_comes_first_in_the_list_of_models(who, filler, administrator, client):
    if who == "administrator":
        client.force_login(administrator)
        filler = client

    response = filler.get(INDEX)
    apps = response.context["app_list"]

    # The finance bureau's rounds are for administrators and auditors only.
    business = (
        ["evaluations", "rounds", "indicators"]
        if who == "administrator"
        else [
            "evaluations",
            "indicators",
        ]
    )
    assert [app["app_label"] for app in apps][: len(business)] == business
    assert apps[0]["models"][0]["object_name"] == "Evaluation"
    assert [m["object_name"] for m in apps[len(business) - 1]["models"]] == [
        "IndicatorFramework",
        "PrimaryIndicator",
        "IndicatorRow",
    ]
    # Every page's navigation lists them in the same order.
    nav = filler.get(reverse("admin:evaluations_evaluation_changelist")).context["available_apps"]
    assert [app["app_label"] for app in nav][: len(business)] == business


def test_the_start_page_is_written_in_chinese(filler, auditor, department):
    EvaluationFactory(department=department)
    names = {"tianbao", "shenhe"}
    for client in (filler, auditor):
        page = client.get(INDEX).content.decode()
        main = page.split('<div id="content"')[1].split(">", 1)[1].split('<footer id="footer"')[0]
        text = re.sub(r"<[^>]+>", " ", main)
        english = set(re.findall(r"[A-Za-z]{2,}", text)) - names
        assert english == set(), english


# --- how often the database is read -------------------------------------------------------------


def count_queries(client) -> int:
    client.get(INDEX)  # caches of the first request (content types, permissions) warmed
    with CaptureQueriesContext(connection) as captured:
        response = client.get(INDEX)
    assert response.status_code == 200
    return len(captured)


def lengthen(evaluation: Evaluation, entries: int) -> None:
    for entry in ORDERED_LISTS:
        for order in range(2, entries + 1):
            ITEM_FACTORIES[entry.model](evaluation=evaluation, order=order)
    for order in range(2, entries + 1):
        IndicatorRowFactory(evaluation=evaluation, order=order, name=f"指标{order}", actual=None)


def test_the_fillers_start_page_reads_the_database_a_fixed_number_of_times(
    filler, department, django_assert_max_num_queries
):
    current = CompleteEvaluationFactory(department=department, year=2023)
    short = count_queries(filler)

    lengthen(current, entries=12)
    for year in range(2015, 2023):
        EvaluationFactory(department=department, year=year)
        Evaluation.objects.filter(department=department, year=year).update(
            status=Evaluation.Status.APPROVED
        )
    long = count_queries(filler)

    assert long == short
    with django_assert_max_num_queries(20):
        filler.get(INDEX)


def test_the_auditors_start_page_reads_the_database_a_fixed_number_of_times(
    auditor, administrator, django_assert_max_num_queries
):
    def submitted_evaluations(count: int) -> None:
        for _ in range(count):
            evaluation = CompleteEvaluationFactory(department=DepartmentFactory())
            evaluation_transition(evaluation_id=evaluation.pk, user=administrator, action="submit")

    submitted_evaluations(1)
    one = count_queries(auditor)
    submitted_evaluations(4)
    five = count_queries(auditor)

    assert len(auditor.get(INDEX).context["review_start"].waiting) == 5
    assert five == one
    with django_assert_max_num_queries(12):
        auditor.get(INDEX)
