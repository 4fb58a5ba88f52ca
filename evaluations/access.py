"""Who may see and do what. Every view, admin page, import and export asks here.

Roles are Django groups (created by `manage.py setup_roles`):
- 填报人员 (filler): sees and edits their own department's evaluations while 草稿 or 已退回.
- 审核人员 (auditor): sees every department, submits nothing, edits nothing, reviews.
- 系统管理员 (administrator, or a superuser): everything but changing an approved evaluation.

Objects of departments a user may not see are reported as missing (404), never as forbidden, so
their existence is not revealed.
"""

from enum import StrEnum
from typing import TypeAlias

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from evaluations.models import Department, Evaluation, Membership

# What `request.user` holds: a signed-in user or the anonymous one.
AnyUser: TypeAlias = AbstractUser | AnonymousUser


class Role(StrEnum):
    FILLER = "filler"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"


GROUP_NAMES = {
    Role.FILLER: "填报人员",
    Role.AUDITOR: "审核人员",
    Role.ADMINISTRATOR: "系统管理员",
}

# The roles of a department account: what a 系统管理员 may give. Making an administrator (or a
# superuser) is a superuser's decision.
DEPARTMENT_ROLES = (Role.FILLER, Role.AUDITOR)

EDITABLE_STATUSES = (Evaluation.Status.DRAFT, Evaluation.Status.RETURNED)


# The attribute of the user object that caches its role for the request.
_ROLE_CACHE = "_selfeval_role"


def role_of(user: AnyUser) -> Role | None:
    """The user's strongest role; cached on the user object for the request."""
    if not (user.is_authenticated and user.is_active):
        return None
    if hasattr(user, _ROLE_CACHE):
        cached: Role | None = getattr(user, _ROLE_CACHE)
        return cached
    role: Role | None
    if user.is_superuser:
        role = Role.ADMINISTRATOR
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = next(
            (r for r in (Role.ADMINISTRATOR, Role.AUDITOR, Role.FILLER) if GROUP_NAMES[r] in names),
            None,
        )
    setattr(user, _ROLE_CACHE, role)
    return role


def is_department_account(account: AbstractUser) -> bool:
    """A 填报人员's or 审核人员's account (or one with no role yet): not a superuser, no
    permissions of its own, no group but those two roles'. Everything else (a superuser, a
    系统管理员, any account a superuser gave other powers) only a superuser may change."""
    if account.is_superuser or account.user_permissions.exists():
        return False
    department_groups = [GROUP_NAMES[role] for role in DEPARTMENT_ROLES]
    return not account.groups.exclude(name__in=department_groups).exists()


def can_manage_account(user: AnyUser, account: AbstractUser) -> bool:
    """Whether `user` may change `account` (its name, department, role, active flag, password),
    given the permission to change accounts at all. A superuser changes any account; anyone else
    only department accounts, and never their own: no one raises their own powers or takes
    over an account stronger than a department's (and then acts in its name)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.pk != account.pk and is_department_account(account)


def department_of(user: AnyUser) -> Department | None:
    # getattr: a user without a department has no `membership` row.
    membership: Membership | None = (
        getattr(user, "membership", None) if user.is_authenticated else None
    )
    return membership.department if membership is not None else None


def sees_every_department(user: AnyUser) -> bool:
    return role_of(user) in (Role.AUDITOR, Role.ADMINISTRATOR)


def department_codes_visible_to(user: AnyUser) -> frozenset[str] | None:
    """The department codes a user may read, import and export; None means every department."""
    if sees_every_department(user):
        return None
    department = department_of(user) if role_of(user) == Role.FILLER else None
    return frozenset({department.code}) if department else frozenset()


def departments_visible_to(
    user: AnyUser, queryset: QuerySet[Department] | None = None
) -> QuerySet[Department]:
    queryset = Department.objects.all() if queryset is None else queryset
    codes = department_codes_visible_to(user)
    return queryset if codes is None else queryset.filter(code__in=codes)


def evaluations_visible_to(
    user: AnyUser, queryset: QuerySet[Evaluation] | None = None
) -> QuerySet[Evaluation]:
    queryset = Evaluation.objects.all() if queryset is None else queryset
    codes = department_codes_visible_to(user)
    return queryset if codes is None else queryset.filter(department__code__in=codes)


def evaluation_for_user(
    user: AnyUser, *, department_code: str, year: int, queryset: QuerySet[Evaluation] | None = None
) -> Evaluation:
    """The evaluation if the user may see it, else 404 (whether or not it exists)."""
    try:
        return evaluations_visible_to(user, queryset).get(
            department__code=department_code, year=year
        )
    except Evaluation.DoesNotExist:
        raise Http404("没有找到这份自评。") from None


def can_see(user: AnyUser, evaluation: Evaluation) -> bool:
    codes = department_codes_visible_to(user)
    return codes is None or evaluation.department.code in codes


def can_edit(user: AnyUser, evaluation: Evaluation) -> bool:
    """Fillers edit their own department's drafts and returned evaluations; administrators any
    evaluation not yet submitted for review. Nobody edits a submitted or approved one."""
    if evaluation.status not in EDITABLE_STATUSES:
        return False
    role = role_of(user)
    if role == Role.ADMINISTRATOR:
        return True
    return role == Role.FILLER and can_see(user, evaluation)


def can_create(user: AnyUser) -> bool:
    role = role_of(user)
    return role == Role.ADMINISTRATOR or (role == Role.FILLER and department_of(user) is not None)


def can_submit(user: AnyUser, evaluation: Evaluation) -> bool:
    return can_edit(user, evaluation)


def can_review(user: AnyUser, evaluation: Evaluation) -> bool:
    return evaluation.status == Evaluation.Status.SUBMITTED and role_of(user) in (
        Role.AUDITOR,
        Role.ADMINISTRATOR,
    )


def people_notified(*, evaluation: Evaluation, role: Role) -> list[str]:
    """Who sees a workflow step of this evaluation in their work: the department's 填报人员, or
    the 审核人员 (who review every department). Names as the admin shows users."""
    users = get_user_model().objects.filter(is_active=True, groups__name=GROUP_NAMES[role])
    if role == Role.FILLER:
        users = users.filter(membership__department_id=evaluation.department_id)
    return [display_name(user) for user in users.order_by("username")]


def display_name(user: AbstractUser) -> str:
    """A user as the pages name them: the full name, else the username."""
    return user.get_full_name() or user.get_username()
