"""The password validators (settings.AUTH_PASSWORD_VALIDATORS) speak Chinese: their errors and
help texts come from locale/zh_Hans (Django 5.2's own catalog left the short-password error in
English), in the create_department_user command and on the admin's password pages."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

pytestmark = pytest.mark.django_db

HELP_TEXTS = [
    "密码不能与您的用户名等个人信息太相似。",
    "密码至少要有 8 个字符。",
    "密码不能是常见密码。",
    "密码不能全是数字。",
]
TOO_SHORT = "密码太短，至少要有 8 个字符。"
TOO_COMMON = "这个密码太常见，容易被猜中。"
NUMERIC = "密码只包含数字。"
TOO_SIMILAR = "密码与用户名太相似。"
CURRENT_PASSWORD = "correct-horse-battery-9"  # tests/conftest.py make_user


def test_the_validators_help_texts_are_chinese():
    with translation.override("zh-hans"):
        assert password_validators_help_texts() == HELP_TEXTS


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("Ab3$xy", [TOO_SHORT]),
        ("password", [TOO_COMMON]),
        ("73914628", [NUMERIC]),
        ("1234", [TOO_SHORT, TOO_COMMON, NUMERIC]),
        ("zhangsan1", [TOO_SIMILAR]),
    ],
    ids=["short", "common", "numeric", "all-three", "like-the-username"],
)
def test_create_department_user_refuses_a_weak_password_in_chinese(
    department, roles, tmp_path, password, messages
):
    password_file = tmp_path / "password.txt"
    password_file.write_text(password + "\n", encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command(
            "create_department_user",
            "zhangsan",
            department=department.code,
            role="filler",
            password_file=password_file,
            stdout=StringIO(),
        )

    # evaluations/services.py department_user_create words the refusal.
    assert str(refused.value) == "密码不符合要求：" + " ".join(messages)
    assert re.search("[A-Za-z]", str(refused.value)) is None
    assert not get_user_model().objects.filter(username="zhangsan").exists()


def test_the_password_change_page_shows_the_validators_help_texts_in_chinese(make_user, department):
    filler = make_user("tianbao", role="filler", department=department)

    page = filler.get("/admin/password_change/").content.decode()

    assert [text for text in HELP_TEXTS if text not in page] == []
    assert "Your password" not in page


def test_a_too_short_new_password_is_refused_in_chinese_and_the_password_stays(
    make_user, department
):
    filler = make_user("tianbao", role="filler", department=department)

    response = filler.post(
        "/admin/password_change/",
        {"old_password": CURRENT_PASSWORD, "new_password1": "Ab3$xy", "new_password2": "Ab3$xy"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert TOO_SHORT in page
    assert "<title>出错：" in page
    assert "too short" not in page
    filler.user.refresh_from_db()
    assert filler.user.check_password(CURRENT_PASSWORD)


def test_an_administrator_resetting_a_password_sees_the_chinese_errors(make_user, department):
    administrator = make_user("guanli", role="administrator", department=department)
    filler = make_user("tianbao", role="filler", department=department)

    response = administrator.post(
        f"/admin/auth/user/{filler.user.pk}/password/",
        {"usable_password": "true", "password1": "12345", "password2": "12345"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert all(message in page for message in (TOO_SHORT, TOO_COMMON, NUMERIC))
    assert "This password" not in page
    filler.user.refresh_from_db()
    assert filler.user.check_password(CURRENT_PASSWORD)
