"""Bad and hostile input typed into the admin: each gets a clear Chinese error next to its field
and nothing is saved, or it is stored and shown as literal text."""

import pytest
from django.urls import reverse

from evaluations.models import Department, Evaluation
from tests.helpers import add_inline_rows, change_form_data, evaluation_form_data

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:evaluations_evaluation_add")


def post_evaluation(client, department, **overrides):
    return client.post(ADD_URL, evaluation_form_data(department, **overrides))


def errors_of(response) -> dict[str, list[str]]:
    return response.context["adminform"].form.errors


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("budget_total", "123456789012345.67", "数字总位数不能超过 14 位。"),
        ("budget_total", "1e30", "数字总位数不能超过 14 位。"),
        ("budget_total", "8727.195", "小数不能超过 2 位。"),
        ("budget_total", "八千", "请输入数字。"),
        ("budget_total", "NaN", "请输入数字。"),
        ("budget_total", "Infinity", "请输入数字。"),
        ("budget_total", "-0.01", "全年预算数不能为负数（填写的是 -0.01 万元）。"),
        ("year", "1999", "年度不能早于 2000 年。"),
        ("year", "2101", "年度不能晚于 2100 年。"),
        ("year", "二〇二三", "请输入整数。"),
        ("year", "99999999999999999999", "年度不能晚于 2100 年。"),
        ("conclusion_summary", "好\x00坏", "含有空字符（U+0000），请删去后再保存。"),
        (
            "conclusion_summary",
            "响铃\x07与退格\x08",
            "含有不能打印的控制字符（U+0007、U+0008，共 2 个），请删去后再保存。",
        ),
        (
            "achievements",
            "非字符\ufffe",
            "含有不能打印的控制字符（U+FFFE，共 1 个），请删去后再保存。",
        ),
        ("task_analysis", "很长" * 10_001, "内容过长：最多 20000 个字，现在有 20002 个字。"),
    ],
    ids=lambda value: value if len(str(value)) < 30 else str(value)[:12],
)
def test_bad_evaluation_fields_are_refused_with_a_chinese_message(
    staff_client, department, field, value, message
):
    response = post_evaluation(staff_client, department, **{field: value})

    assert response.status_code == 200
    assert message in errors_of(response)[field]
    assert not Evaluation.objects.exists()


def test_a_zero_budget_is_stored_and_the_rate_shown_as_not_computable(staff_client, department):
    response = post_evaluation(
        staff_client,
        department,
        budget_total="0",
        expenditure_total="0",
        general_public_budget="0",
        basic_expenditure="0",
        project_expenditure="0",
    )

    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.completion_rate is None
    page = staff_client.get(reverse("admin:evaluations_evaluation_change", args=[evaluation.pk]))
    assert "无法计算（全年预算数为空或为 0）" in page.content.decode()


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "</textarea><b>粗体</b>",
        "{{ request.user }}{% debug %}",
        '=HYPERLINK("http://127.0.0.1:9","点我")',
        "emoji 😀👍🏽👨‍👩‍👧 与生僻字 𠀀𠮷𡈽𪚥",
    ],
    ids=[
        "script",
        "img-onerror",
        "textarea-breakout",
        "template-syntax",
        "formula",
        "emoji-ext-b",
    ],
)
def test_markup_and_rare_characters_are_stored_exactly_and_shown_as_text(
    staff_client, department, text
):
    data = evaluation_form_data(department)
    add_inline_rows(data, "problems", [{"order": 1, "text": text}])

    response = staff_client.post(ADD_URL, data)

    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.problems.get().text == text
    page = staff_client.get(reverse("admin:evaluations_evaluation_change", args=[evaluation.pk]))
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<b>粗体</b>" not in html
    assert 'onerror="alert(1)"' not in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "局" * 101, "最多 100 个字符（现在有 101 个）。"),
        ("code", "有中文", "部门编码只能由英文字母、数字、连字符和下划线组成，如 liwan-kgxj。"),
        ("code", "a" * 51, "最多 50 个字符（现在有 51 个）。"),
        (
            "full_name",
            "全称\x1b[31m",
            "含有不能打印的控制字符（U+001B，共 1 个），请删去后再保存。",
        ),
    ],
)
def test_bad_department_fields_are_refused(staff_client, field, value, message):
    data = {"code": "new-dept", "name": "新局", "full_name": "某市新局", field: value}

    response = staff_client.post(reverse("admin:evaluations_department_add"), data)

    assert response.status_code == 200
    assert any(message in error for error in response.context["adminform"].form.errors[field])
    assert not Department.objects.filter(name="新局").exists()


def test_an_over_long_measure_title_and_an_unprintable_inline_row_save_nothing(
    staff_client, department
):
    data = evaluation_form_data(department)
    add_inline_rows(
        data, "improvementmeasures", [{"order": 1, "title": "标" * 201, "body": "正文"}]
    )
    add_inline_rows(data, "departmentfunctions", [{"order": 1, "text": "职能\x0c分页符"}])

    response = staff_client.post(ADD_URL, data)

    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    assert (
        "最多 200 个字符（现在有 201 个）。" in formsets["improvementmeasures"].errors[0]["title"]
    )
    assert formsets["departmentfunctions"].errors[0]["text"] == [
        "含有不能打印的控制字符（U+000C，共 1 个），请删去后再保存。"
    ]
    assert not Evaluation.objects.exists()


# Bidirectional controls ------------------------------------------------------------------------

BIDI_MESSAGE = "不能包含不可见的文字方向控制字符（U+202E，共 1 个），请删去后再保存。"


def test_a_right_to_left_override_in_a_field_is_refused_and_nothing_saved(staff_client, department):
    response = post_evaluation(staff_client, department, conclusion_summary="RTL\u202eevil")

    assert response.status_code == 200
    assert errors_of(response)["conclusion_summary"] == [BIDI_MESSAGE]
    assert not Evaluation.objects.exists()


def test_a_bidi_isolate_in_an_inline_row_is_refused_and_nothing_saved(staff_client, department):
    data = evaluation_form_data(department)
    add_inline_rows(data, "problems", [{"order": 1, "text": "问题\u2067عربي\u2069说明"}])

    response = staff_client.post(ADD_URL, data)

    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    assert formsets["problems"].errors[0]["text"] == [
        "不能包含不可见的文字方向控制字符（U+2067、U+2069，共 2 个），请删去后再保存。"
    ]
    assert not Evaluation.objects.exists()


def test_a_bidi_control_in_a_change_is_refused_and_the_stored_text_kept(staff_client, evaluation):
    change = reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    form = staff_client.get(change).context["adminform"].form

    response = staff_client.post(
        change, change_form_data(form, achievements="完成\u202eevil\u202c情况")
    )

    assert response.status_code == 200
    assert errors_of(response)["achievements"] == [
        "不能包含不可见的文字方向控制字符（U+202E、U+202C，共 2 个），请删去后再保存。"
    ]
    stored = Evaluation.objects.get()
    assert (stored.achievements, stored.version) == (evaluation.achievements, evaluation.version)


# The version the change page was loaded at -----------------------------------------------------

MISSING_VERSION = (
    "缺少页面的版本信息，无法确认这份自评在您打开页面后是否已被他人修改，本次没有保存。"
    "请刷新页面后重新填写。"
)


@pytest.mark.parametrize("tampered", [None, "", "最新"], ids=["absent", "empty", "not-a-number"])
def test_a_change_posted_without_the_loaded_version_is_refused_and_nothing_written(
    staff_client, evaluation, tampered
):
    change = reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    data = change_form_data(
        staff_client.get(change).context["adminform"].form, conclusion_summary="覆盖的修改"
    )
    if tampered is None:
        del data["loaded_version"]
    else:
        data["loaded_version"] = tampered

    response = staff_client.post(change, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [MISSING_VERSION]
    assert MISSING_VERSION in response.content.decode()
    stored = Evaluation.objects.get()
    assert (stored.conclusion_summary, stored.version) == (
        evaluation.conclusion_summary,
        evaluation.version,
    )


def test_a_change_with_the_loaded_version_is_saved(staff_client, evaluation):
    change = reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    form = staff_client.get(change).context["adminform"].form
    data = change_form_data(form, conclusion_summary="正常的修改")

    response = staff_client.post(change, data)

    assert data["loaded_version"] == evaluation.version
    assert response.status_code == 302
    stored = Evaluation.objects.get()
    assert (stored.conclusion_summary, stored.version) == ("正常的修改", evaluation.version + 1)


def test_the_add_page_needs_no_version(staff_client, department):
    response = post_evaluation(staff_client, department)

    assert response.status_code == 302
    assert Evaluation.objects.get().department == department
