from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError

from evaluations.access import Role, department_of, role_of

pytestmark = pytest.mark.django_db


def permissions_by_group() -> dict[str, set[str]]:
    return {
        group.name: set(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.all()
    }


def test_setup_roles_creates_the_three_groups_and_running_it_again_changes_nothing():
    call_command("setup_roles", stdout=StringIO())
    first = permissions_by_group()

    call_command("setup_roles", stdout=StringIO())

    assert set(first) == {"填报人员", "审核人员", "系统管理员"}
    assert permissions_by_group() == first
    assert "review_evaluation" in first["审核人员"] and "change_evaluation" not in first["审核人员"]
    assert "submit_evaluation" in first["填报人员"] and "review_evaluation" not in first["填报人员"]


def test_an_administrator_manages_accounts_but_no_groups_or_permissions_even_after_an_upgrade():
    call_command("setup_roles", stdout=StringIO())
    # What earlier versions gave the 系统管理员: the right to change groups.
    Group.objects.get(name="系统管理员").permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", codename__endswith="_group")
    )

    call_command("setup_roles", stdout=StringIO())

    administrator = permissions_by_group()["系统管理员"]
    assert {"view_user", "add_user", "change_user"} <= administrator
    assert "delete_user" not in administrator
    assert {p for p in administrator if p.endswith("_membership")} == {"view_membership"}
    assert not {p for p in administrator if p.endswith(("_group", "_permission"))}


def test_create_department_user_reads_the_password_from_a_file(department, tmp_path):
    call_command("setup_roles", stdout=StringIO())
    password_file = tmp_path / "pw"
    password_file.write_text("a-long-enough-passphrase-7\n", encoding="utf-8")

    call_command(
        "create_department_user",
        "zhang",
        "--department",
        department.code,
        "--role",
        "filler",
        "--password-file",
        str(password_file),
        stdout=StringIO(),
    )

    user = get_user_model().objects.get(username="zhang")
    assert user.check_password("a-long-enough-passphrase-7")
    assert user.is_staff and not user.is_superuser
    assert role_of(user) == Role.FILLER
    assert department_of(user) == department


def test_create_department_user_prompts_twice_for_the_password(department, monkeypatch):
    call_command("setup_roles", stdout=StringIO())
    answers = iter(["another-long-passphrase-8", "another-long-passphrase-8"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    call_command(
        "create_department_user",
        "li",
        "--department",
        department.code,
        "--role",
        "auditor",
        stdout=StringIO(),
    )

    assert role_of(get_user_model().objects.get(username="li")) == Role.AUDITOR


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--department", "nowhere", "--role", "filler"], "没有部门编码为 nowhere 的部门。"),
        (["--department", "test-dept", "--role", "filler"], "密码不符合要求："),
    ],
)
def test_create_department_user_explains_what_is_wrong(department, tmp_path, arguments, message):
    call_command("setup_roles", stdout=StringIO())
    password_file = tmp_path / "pw"
    password_file.write_text("short\n", encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        call_command(
            "create_department_user", "wang", *arguments, "--password-file", str(password_file)
        )
    assert not get_user_model().objects.filter(username="wang").exists()
