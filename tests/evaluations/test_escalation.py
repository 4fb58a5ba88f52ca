"""No escalation (issue 11): a 系统管理员 changes department accounts only. Every way the stock
user admin let one raise their own powers or take over a stronger account, tried through the
admin as a browser would post it, leaves the database as it was."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from evaluations import services
from evaluations.access import Role
from evaluations.factories import DepartmentFactory
from evaluations.models import ReviewEvent
from indicators.factories import CompleteEvaluationFactory
from review import services as review_services

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"  # what make_user gives every account
NEW_PASSWORD = "a-taken-over-passphrase-5"
SUPERUSER_PASSWORD = "the-root-passphrase-3"


@pytest.fixture
def administrator(make_user, department):
    return make_user("admin1", role="administrator", department=department)


@pytest.fixture
def other_administrator(make_user, department):
    return make_user("admin2", role="administrator", department=department).user


@pytest.fixture
def filler(make_user, department):
    return make_user("filler", role="filler", department=department).user


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(username="root", password=SUPERUSER_PASSWORD)


def change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def password_url(user) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def powers_of(user) -> tuple[bool, bool, set[str], set[str]]:
    user = get_user_model().objects.get(pk=user.pk)
    return (
        user.is_superuser,
        user.is_staff,
        set(user.groups.values_list("name", flat=True)),
        set(user.user_permissions.values_list("codename", flat=True)),
    )


def escalating_post(user, department, **overrides) -> dict[str, object]:
    """The narrow form's fields plus everything the stock user form would have taken."""
    return {
        "username": user.username,
        "department": department.pk,
        "role": "filler",
        "is_active": "on",
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [Group.objects.get(name="系统管理员").pk],
        "user_permissions": [Permission.objects.get(codename="change_group").pk],
        **overrides,
    }


def test_an_administrator_cannot_tick_superuser_or_staff_or_add_groups_on_their_own_account(
    administrator, department
):
    me = administrator.user
    before = powers_of(me)

    response = administrator.post(change_url(me), escalating_post(me, department))

    assert response.status_code == 403
    assert powers_of(me) == before == (False, True, {"系统管理员"}, set())


def test_superuser_staff_groups_and_permissions_posted_for_a_department_account_are_ignored(
    administrator, filler, department
):
    response = administrator.post(
        change_url(filler), escalating_post(filler, department, is_staff="")
    )

    assert response.status_code == 302
    assert powers_of(filler) == (False, True, {"填报人员"}, set())


def test_an_administrator_cannot_see_or_change_groups_and_their_permissions(administrator):
    group = Group.objects.get(name="系统管理员")
    before = set(group.permissions.all())
    every_permission = list(Permission.objects.values_list("pk", flat=True))

    assert administrator.get(reverse("admin:auth_group_changelist")).status_code == 403
    change = administrator.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": every_permission},
    )
    add = administrator.post(
        reverse("admin:auth_group_add"), {"name": "全部权限", "permissions": every_permission}
    )

    assert change.status_code == 403 and add.status_code == 403
    assert set(group.permissions.all()) == before
    assert not Group.objects.filter(name="全部权限").exists()


@pytest.mark.parametrize("whose", ["superuser", "other_administrator", "own"])
def test_an_administrator_cannot_set_the_password_of_an_administrator_or_a_superuser(
    request, administrator, whose
):
    if whose == "own":
        account, old_password = administrator.user, PASSWORD
    else:
        account = request.getfixturevalue(whose)
        old_password = SUPERUSER_PASSWORD if whose == "superuser" else PASSWORD

    page = administrator.get(password_url(account))
    response = administrator.post(
        password_url(account),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert page.status_code == 403 and response.status_code == 403
    account.refresh_from_db()
    assert account.check_password(old_password)
    assert not account.check_password(NEW_PASSWORD)


def test_an_administrator_cannot_change_another_administrators_account(
    administrator, other_administrator, department
):
    response = administrator.post(
        change_url(other_administrator),
        {
            "username": "admin2",
            "department": department.pk,
            "role": "filler",
            # unticked: deactivated
        },
    )

    assert response.status_code == 403
    other_administrator.refresh_from_db()
    assert other_administrator.is_active
    assert powers_of(other_administrator) == (False, True, {"系统管理员"}, set())


def test_an_administrator_cannot_change_an_account_a_superuser_gave_other_powers(
    administrator, filler, department
):
    filler.user_permissions.add(Permission.objects.get(codename="change_group"))

    response = administrator.post(
        change_url(filler), {"username": "filler", "department": department.pk, "role": "filler"}
    )
    password = administrator.post(
        password_url(filler),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 403 and password.status_code == 403
    filler.refresh_from_db()
    assert filler.is_active and filler.check_password(PASSWORD)


def test_an_administrator_cannot_create_a_superuser_or_an_administrator(administrator, department):
    response = administrator.post(
        reverse("admin:auth_user_add"),
        {
            "username": "boss",
            "department": department.pk,
            "role": "administrator",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "is_superuser": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["role"] == [
        "选择一个有效的选项。 administrator 不在可用的选项中。"
    ]
    assert not get_user_model().objects.filter(username="boss").exists()


def test_an_account_created_with_superuser_ticked_is_only_a_department_account(
    administrator, department
):
    response = administrator.post(
        reverse("admin:auth_user_add"),
        escalating_post(
            get_user_model()(username="boss"),
            department,
            password1=NEW_PASSWORD,
            password2=NEW_PASSWORD,
        ),
    )

    assert response.status_code == 302
    assert powers_of(get_user_model().objects.get(username="boss")) == (
        False,
        True,
        {"填报人员"},
        set(),
    )


def test_the_account_service_refuses_any_account_but_a_department_account(
    superuser, other_administrator, department
):
    for account in (superuser, other_administrator):
        with pytest.raises(PermissionDenied, match="只有超级用户可以修改"):
            services.department_user_update(
                user=account,
                username=account.username,
                department=department,
                role=Role.FILLER,
                is_active=False,
            )
        account.refresh_from_db()
        assert account.is_active


def test_the_review_record_names_the_administrator_who_acted_whatever_is_posted(
    administrator, filler, superuser, department
):
    evaluation = CompleteEvaluationFactory(department=department)
    review_services.evaluation_transition(evaluation_id=evaluation.pk, user=filler, action="submit")
    # The take-over that used to precede faking the actor is refused…
    administrator.post(
        password_url(superuser),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    # …and the actor of a review step is the signed-in user, not anything in the post.
    administrator.post(
        reverse("admin:evaluations_evaluation_transition", args=[evaluation.pk, "return"]),
        {"comment": "请补充主要工作成效。", "actor": superuser.pk, "user": superuser.pk},
    )

    event = ReviewEvent.objects.get(to_status="returned")
    assert event.actor == administrator.user
    superuser.refresh_from_db()
    assert superuser.check_password(SUPERUSER_PASSWORD)


def test_moving_an_account_to_another_department_keeps_it_a_department_account(
    administrator, filler
):
    other = DepartmentFactory.create()

    administrator.post(
        change_url(filler),
        escalating_post(filler, other, role="auditor", is_active=""),
    )

    filler.refresh_from_db()
    assert filler.membership.department == other
    assert not filler.is_active
    assert powers_of(filler) == (False, True, {"审核人员"}, set())


def test_an_administrator_changes_departments_only_through_the_account_form(
    administrator, superuser, department
):
    other = DepartmentFactory.create()

    response = administrator.post(
        reverse("admin:evaluations_membership_add"),
        {"user": superuser.pk, "department": other.pk},
    )
    moved = administrator.post(
        reverse("admin:evaluations_membership_change", args=[administrator.user.membership.pk]),
        {"user": administrator.user.pk, "department": other.pk},
    )

    assert response.status_code == 403 and moved.status_code == 403
    assert not hasattr(get_user_model().objects.get(pk=superuser.pk), "membership")
    administrator.user.membership.refresh_from_db()
    assert administrator.user.membership.department == department
