import pytest
from django.urls import reverse

from evaluations.models import Evaluation
from tests.helpers import add_inline_rows, evaluation_form_data

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:evaluations_evaluation_add")


def full_evaluation_data(department) -> dict[str, object]:
    data = evaluation_form_data(
        department,
        conclusion_summary="2023 年度各重点工作任务完成较好，部门整体支出绩效自评优秀。",
        grade="excellent",
        task_analysis="第一段分析。\n\n第二段分析。",
        achievements="主要成效一段。",
    )
    add_inline_rows(
        data,
        "departmentfunctions",
        [
            {"order": 1, "text": "负责贯彻执行有关法律法规。"},
            {"order": 2, "text": "拟订发展规划。"},
        ],
    )
    add_inline_rows(data, "performancegoals", [{"order": 1, "text": "壮大企业规模。鼓励申报。"}])
    add_inline_rows(data, "keytasks", [{"order": 1, "text": "营造企业创新发展氛围；"}])
    add_inline_rows(data, "problems", [{"order": 1, "text": "工业载体仍然缺乏。"}])
    add_inline_rows(
        data,
        "improvementmeasures",
        [{"order": 1, "title": "抓好“载体赋能”", "body": "持续落实工作机制。\n分类施策。"}],
    )
    return data


def test_staff_creates_a_complete_evaluation_with_every_list_in_one_post(staff_client, department):
    response = staff_client.post(ADD_URL, full_evaluation_data(department))

    assert response.status_code == 302, response.context["adminform"].form.errors
    evaluation = Evaluation.objects.get(department=department, year=2023)
    assert evaluation.status == Evaluation.Status.DRAFT
    assert evaluation.grade == Evaluation.Grade.EXCELLENT
    assert [f.text for f in evaluation.departmentfunctions.all()] == [
        "负责贯彻执行有关法律法规。",
        "拟订发展规划。",
    ]
    assert evaluation.performancegoals.get().text == "壮大企业规模。鼓励申报。"
    assert evaluation.keytasks.count() == 1
    assert evaluation.problems.get().text == "工业载体仍然缺乏。"
    measure = evaluation.improvementmeasures.get()
    assert (measure.title, measure.body) == ("抓好“载体赋能”", "持续落实工作机制。\n分类施策。")


def test_an_invalid_inline_row_shows_its_error_and_saves_nothing(staff_client, department):
    data = full_evaluation_data(department)
    data["problems-0-text"] = ""

    response = staff_client.post(ADD_URL, data)

    assert response.status_code == 200
    problem_formset = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "problems"
    )
    assert problem_formset.formset.errors[0] == {"text": ["这个字段是必填项。"]}
    assert not Evaluation.objects.exists()


def test_two_rows_with_the_same_number_are_refused_with_the_number_named(staff_client, department):
    data = full_evaluation_data(department)
    data["departmentfunctions-1-order"] = 1

    response = staff_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "序号 1 重复：同一列表中每项的序号必须不同。" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_the_change_page_follows_the_outline_of_the_report(staff_client, department):
    staff_client.post(ADD_URL, full_evaluation_data(department))
    evaluation = Evaluation.objects.get()

    page = staff_client.get(
        reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    ).content.decode()

    headings = [
        "（一）部门职能",
        "（二）部门整体收支情况",
        "（三）部门整体支出绩效目标",
        "（四）部门年度重点工作任务",
        "二、综合评价分析",
        "三、存在的主要问题",
        "四、下一步改进措施",
    ]
    positions = [page.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "87.4%" in page


def test_the_list_page_filters_by_year_and_searches_by_department(staff_client, evaluation):
    url = reverse("admin:evaluations_evaluation_changelist")

    assert "测试区示例局" in staff_client.get(url, {"q": "示例局"}).content.decode()
    assert staff_client.get(url, {"q": "不存在"}).context["cl"].result_count == 0
    assert staff_client.get(url, {"year": "2023"}).context["cl"].result_count == 1
    assert staff_client.get(url, {"year": "2022"}).context["cl"].result_count == 0
    assert staff_client.get(url, {"status__exact": "draft"}).context["cl"].result_count == 1


def test_the_admin_speaks_chinese_even_to_an_english_browser(staff_client):
    page = staff_client.get(
        reverse("admin:evaluations_evaluation_changelist"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    ).content.decode()

    assert "选择 年度绩效自评 来修改" in page
    assert "Select" not in page


def test_every_section_of_the_admin_index_is_named_in_chinese(staff_client):
    page = staff_client.get(reverse("admin:index")).content.decode()

    for name in ("部门整体支出绩效自评", "绩效指标与自评表", "登录保护", "登录尝试", "认证和授权"):
        assert name in page, name
    assert "Axes" not in page and "Access attempts" not in page
