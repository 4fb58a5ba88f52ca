"""The evaluation page as its users meet it: 保存并提交送审 saves first and then asks, the steps
that cannot be undone have a confirmation page, every error is listed with a link to its field,
figures show two places, and the page's queries do not grow with its lists."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Evaluation
from indicators.factories import CompleteEvaluationFactory
from review import services as review_services
from tests.helpers import change_form_data, evaluation_form_data, invented_evaluation, make_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def filler(make_user, department):
    return make_user("filler", role="filler", department=department)


@pytest.fixture
def auditor(make_user, department):
    return make_user("auditor", role="auditor", department=department)


def change_url(evaluation: Evaluation) -> str:
    return reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])


def transition_url(evaluation: Evaluation, action: str) -> str:
    return reverse("admin:evaluations_evaluation_transition", args=[evaluation.pk, action])


def page_data(client, evaluation: Evaluation, **overrides) -> dict[str, object]:
    return change_form_data(
        client.get(change_url(evaluation)).context["adminform"].form, **overrides
    )


def test_save_and_submit_saves_the_typed_text_then_asks_to_confirm(filler, department):
    evaluation = CompleteEvaluationFactory(department=department)
    data = page_data(filler, evaluation, conclusion_summary="刚刚写下的结论。")
    data["_save_and_submit"] = "保存并提交送审…"

    response = filler.post(change_url(evaluation), data)

    assert response.status_code == 302
    assert response.url == transition_url(evaluation, "submit")
    evaluation.refresh_from_db()
    assert evaluation.conclusion_summary == "刚刚写下的结论。"
    assert evaluation.status == Evaluation.Status.DRAFT


def test_save_and_submit_with_an_error_keeps_the_text_and_transitions_nothing(filler, department):
    evaluation = CompleteEvaluationFactory(department=department)
    data = page_data(filler, evaluation, conclusion_summary="刚刚写下的结论。", other_funds="-1.00")
    data["_save_and_submit"] = "保存并提交送审…"

    response = filler.post(change_url(evaluation), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "刚刚写下的结论。</textarea>" in html
    assert 'id="error-summary"' in html
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.DRAFT
    assert evaluation.conclusion_summary != "刚刚写下的结论。"


def test_the_submit_confirmation_changes_nothing_until_confirmed(filler, auditor, department):
    evaluation = CompleteEvaluationFactory(department=department)

    page = filler.get(transition_url(evaluation, "submit"))
    unconfirmed = filler.post(transition_url(evaluation, "submit"))

    html = page.content.decode()
    assert "确认提交送审" in html and "只读" in html
    assert f'href="/reports/{department.code}/2023/"' in html  # the preview
    assert "审核人员（auditor）将在审核记录和首页中看到这一步" in html
    assert unconfirmed.status_code == 200 and "确认提交送审" in unconfirmed.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.DRAFT

    confirmed = filler.post(transition_url(evaluation, "submit"), {"_confirmed": "1"})

    assert confirmed.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SUBMITTED


def test_the_submit_confirmation_lists_what_is_missing_and_offers_no_button(filler, evaluation):
    html = filler.get(transition_url(evaluation, "submit")).content.decode()

    assert "还不能提交送审" in html
    assert "“绩效目标”至少要填写一项" in html or "绩效目标" in html
    assert 'value="确认提交送审"' not in html


def test_the_approval_confirmation_names_the_frozen_documents_and_the_fillers(
    filler, auditor, department
):
    evaluation = CompleteEvaluationFactory(department=department)
    review_services.evaluation_transition(
        evaluation_id=evaluation.pk, user=filler.user, action="submit"
    )

    response = auditor.post(transition_url(evaluation, "approve"), {"comment": "同意。"})

    html = response.content.decode()
    assert "确认审核通过" in html
    assert "永久保存</strong>附件2 自评报告（PDF、Word）和附件1 自评表（PDF、XLSX、Word）" in html
    assert "填报人员（filler）" in html
    assert ">同意。</textarea>" in html  # the comment typed on the page comes along
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SUBMITTED
    assert not evaluation.approved_reports.exists()


def test_a_filler_gets_no_approval_confirmation(filler, department):
    evaluation = CompleteEvaluationFactory(department=department)
    review_services.evaluation_transition(
        evaluation_id=evaluation.pk, user=filler.user, action="submit"
    )

    assert filler.get(transition_url(evaluation, "approve")).status_code == 403


def test_every_error_is_listed_with_a_link_to_its_field(filler, department):
    evaluation = CompleteEvaluationFactory(department=department)
    data = page_data(filler, evaluation, state_capital_budget="-2.00")
    data["indicator_rows-0-weight"] = "-3"

    html = filler.post(change_url(evaluation), data).content.decode()

    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>：([^<]+)</li>', html)
    assert [(anchor, where) for anchor, where, _ in links] == [
        ("id_state_capital_budget", "国有资本经营预算财政拨款支出（万元）"),
        ("id_indicator_rows-0-weight", "附件1 · 绩效指标（得分由系统计算） 第 1 项 · 分值"),
    ]
    assert "不能为负数（填写的是 -2.00 万元）" in links[0][2]
    for anchor, _, _ in links:
        assert f'id="{anchor}"' in html
    assert "请更正下面的错误" not in html  # the admin's bare note is replaced


def test_a_sum_that_does_not_add_up_marks_every_field_of_it(filler, department):
    evaluation = CompleteEvaluationFactory(department=department)
    data = page_data(filler, evaluation, other_funds="1.00")

    html = filler.post(change_url(evaluation), data).content.decode()

    marked = set(re.findall(r'<input[^>]*class="[^"]*sum-invalid[^"]*"[^>]*id="id_(\w+)"', html))
    assert marked == {
        "general_public_budget",
        "government_fund_budget",
        "state_capital_budget",
        "other_funds",
        "expenditure_total",
    }


def test_the_add_page_says_indicators_come_after_the_first_save_and_stays_open(
    filler, department, framework_2023
):
    add = reverse("admin:evaluations_evaluation_add")
    assert "下方出现“附件1 · 绩效指标”一节" in filler.get(add).content.decode()
    data = evaluation_form_data(department)

    response = filler.post(add, data)

    created = Evaluation.objects.get(department=department, year=2023)
    assert response.status_code == 302
    assert response.url == change_url(created)
    assert "indicator_rows-group" in filler.get(response.url).content.decode()


def test_indicator_figures_show_two_places(filler, evaluation):
    make_row(
        evaluation,
        target="1356",
        actual="14.18",
        previous_value="0.125",
        deviation_reason="受宏观环境影响。",
    )

    html = filler.get(change_url(evaluation)).content.decode()

    assert 'value="1356.00"' in html
    assert 'value="14.18"' in html
    assert 'value="0.125"' in html
    assert "1356.0000" not in html and "14.1800" not in html


def test_the_history_page_is_chinese_and_links_back(filler, evaluation):
    html = filler.get(
        reverse("admin:evaluations_evaluation_history", args=[evaluation.pk])
    ).content.decode()

    assert "变更记录" in html and "审核记录" in html
    assert change_url(evaluation) in html
    old_version = reverse("admin:evaluations_evaluation_simple_history", args=[evaluation.pk, 1])
    assert filler.get(old_version).status_code == 302


def queries_of(client, url: str) -> int:
    client.get(url)  # caches warmed (content types, the user's role)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["filler", "auditor"])
def test_the_evaluation_page_queries_do_not_grow_with_its_lists(make_user, framework_2023, who):
    short = invented_evaluation(code="short", year=2023, functions=1, goals=1, tasks=1)
    long = invented_evaluation(code="long", year=2023, functions=25, goals=25, tasks=20)
    for evaluation, rows in ((short, 1), (long, 30)):
        for order in range(1, rows + 1):
            make_row(evaluation, order=order, name=f"指标{order}")
    clients = {
        evaluation: make_user(f"{who}-{evaluation.department.code}", role=who, department=d)
        for evaluation, d in ((short, short.department), (long, long.department))
    }

    counts = [queries_of(clients[e], change_url(e)) for e in (short, long)]

    assert counts[0] == counts[1], counts
    # 21 for the page itself, 5 for the check of its text against its figures (the four lists
    # it reads and last year's figures).
    assert counts[1] <= 26, counts


def test_messages_name_what_was_saved(filler, department):
    evaluation = CompleteEvaluationFactory(department=department)
    data = page_data(filler, evaluation)
    data["_save_and_submit"] = "1"

    response = filler.post(change_url(evaluation), data)

    assert "已保存您的修改。请确认是否提交送审。" in [
        str(m) for m in get_messages(response.wsgi_request)
    ]
