"""The account pages: a 系统管理员 creates and looks after department accounts through a narrow
form (what they may not do is tests/evaluations/test_escalation.py); a superuser keeps Django's
full user pages."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.access import Role, department_of, role_of
from evaluations.factories import DepartmentFactory
from evaluations.services import department_user_create

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-passphrase-42"


@pytest.fixture
def administrator(make_user, department):
    return make_user("admin1", role="administrator", department=department)


@pytest.fixture
def filler(make_user, department):
    return make_user("filler", role="filler", department=department).user


def add(client, department, **overrides):
    data = {
        "username": "zhang",
        "department": department.pk,
        "role": "filler",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }
    return client.post(reverse("admin:auth_user_add"), data)


def form_fields(response) -> set[str]:
    return set(response.context["adminform"].form.fields)


def test_an_administrator_creates_a_filler_of_a_department_with_a_password(
    administrator, department
):
    response = add(administrator, department)

    user = get_user_model().objects.get(username="zhang")
    assert response.status_code == 302
    assert response.url == reverse("admin:auth_user_change", args=[user.pk])
    assert user.check_password(NEW_PASSWORD)
    assert user.is_staff and user.is_active and not user.is_superuser
    assert role_of(user) == Role.FILLER
    assert department_of(user) == department


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "another-passphrase-42"}, "password2", "两次输入的密码不一致。"),
        ({"username": "filler"}, "username", "已存在一位使用该名字的用户。"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password2", "密码只包含数字。"),
    ],
)
def test_the_add_form_says_what_is_wrong(
    administrator, filler, department, overrides, field, message
):
    response = add(administrator, department, **overrides)

    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    assert not get_user_model().objects.filter(username="zhang").exists()


def test_the_add_form_asks_for_setup_roles_when_the_roles_are_missing(administrator, department):
    Group.objects.filter(name="填报人员").delete()

    response = add(administrator, department)

    assert response.context["adminform"].form.errors["role"] == [
        "角色尚未建立，请先运行 python manage.py setup_roles。"
    ]


def test_an_administrator_resets_a_fillers_password(administrator, filler):
    response = administrator.post(
        reverse("admin:auth_user_password_change", args=[filler.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["密码修改成功。"]
    filler.refresh_from_db()
    assert filler.check_password(NEW_PASSWORD)


def test_an_administrator_deactivates_a_filler(administrator, filler, department):
    response = administrator.post(
        reverse("admin:auth_user_change", args=[filler.pk]),
        {"username": "filler", "department": department.pk, "role": "filler"},
    )

    assert response.status_code == 302
    filler.refresh_from_db()
    assert not filler.is_active
    assert department_of(filler) == department
    assert set(filler.groups.values_list("name", flat=True)) == {"填报人员"}


def test_an_administrator_sees_only_the_narrow_forms(administrator, filler):
    add_page = administrator.get(reverse("admin:auth_user_add"))
    change_page = administrator.get(reverse("admin:auth_user_change", args=[filler.pk]))

    assert form_fields(add_page) == {"username", "department", "role", "password1", "password2"}
    assert form_fields(change_page) == {"username", "department", "role", "is_active"}
    assert change_page.context["adminform"].form.initial["role"] == Role.FILLER
    assert reverse("admin:auth_user_password_change", args=[filler.pk]) in (
        change_page.content.decode()
    )


def test_an_administrator_sees_a_superusers_account_read_only_and_no_groups(administrator):
    root = get_user_model().objects.create_superuser(username="root", password="x-pass-9876")

    page = administrator.get(reverse("admin:auth_user_change", args=[root.pk]))
    index = administrator.get(reverse("admin:index"))

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert "超级用户" in page.content.decode()
    assert 'name="is_superuser"' not in page.content.decode()
    app_models = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
    assert "User" in app_models and "Group" not in app_models


def test_the_account_list_shows_department_and_role(administrator, filler):
    page = administrator.get(reverse("admin:auth_user_changelist")).content.decode()

    assert "测试区示例局" in page
    assert "填报人员" in page and "系统管理员" in page


def test_the_account_list_reads_the_database_a_fixed_number_of_times(administrator, roles):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert administrator.get(reverse("admin:auth_user_changelist")).status_code == 200
        return len(captured)

    def accounts(count: int, start: int) -> None:
        for number in range(start, start + count):
            department_user_create(
                username=f"user{number}",
                department=DepartmentFactory.create(),
                role=Role.AUDITOR if number % 2 else Role.FILLER,
                password="correct-horse-battery-9",
            )

    accounts(2, 0)
    few = queries()
    accounts(10, 2)

    assert queries() == few


def test_a_superuser_keeps_the_full_user_pages(staff_client, make_user, filler, department):
    other_administrator = make_user("admin2", role="administrator", department=department).user
    administrators = Group.objects.get(name="系统管理员")

    add_page = staff_client.get(reverse("admin:auth_user_add"))
    response = staff_client.post(
        reverse("admin:auth_user_change", args=[filler.pk]),
        {
            "username": "filler",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [administrators.pk],
            "date_joined_0": "2024-01-02",
            "date_joined_1": "09:00:00",
        },
    )
    password = staff_client.post(
        reverse("admin:auth_user_password_change", args=[other_administrator.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    groups = staff_client.get(reverse("admin:auth_group_change", args=[administrators.pk]))

    assert "usable_password" in form_fields(add_page)
    assert response.status_code == 302 and password.status_code == 302
    filler.refresh_from_db()
    other_administrator.refresh_from_db()
    assert filler.is_superuser
    assert list(filler.groups.all()) == [administrators]
    assert other_administrator.check_password(NEW_PASSWORD)
    assert groups.status_code == 200
