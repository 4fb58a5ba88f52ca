from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("create_local_admin", stdout=out)
    return out.getvalue()


def test_creates_a_superuser_whose_generated_password_is_printed_once_and_works():
    output = run()

    password = output.split("密码：")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser
    assert user.check_password(password)


def test_running_it_again_keeps_the_password_and_prints_no_password():
    first = run()
    password = first.split("密码：")[1].split()[0]

    second = run()

    assert "已存在" in second
    assert password not in second
    assert get_user_model().objects.get(username="admin").check_password(password)
