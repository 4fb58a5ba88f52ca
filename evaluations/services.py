"""Every write to an evaluation goes through here: the admin, imports and management commands
share one path and one set of rules."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from evaluations import access
from evaluations.models import Department, Evaluation, Membership, OrderedItem
from evaluations.roles import GROUP_NAMES, ROLE_PERMISSIONS

STALE_MESSAGE = (
    "这份自评在您打开页面后已被他人修改（您的页面基于第 {expected} 版，现在是第 {current} 版）。"
    "为免覆盖他人的修改，本次没有保存，请刷新页面后重新填写。"
)
LOCKED_MESSAGE = "这份自评{status}，不能再修改。"


def department_create(*, code: str, name: str, full_name: str) -> Department:
    department = Department(code=code, name=name, full_name=full_name)
    department.full_clean()
    department.save()
    return department


# The columns a lock reads: what the checks need, nothing the caller could mistake for the
# whole evaluation.
LOCK_FIELDS = ("id", "status", "version")


def evaluation_lock(evaluation_id: int) -> Evaluation:
    """The evaluation's row, locked until the caller's transaction ends (PostgreSQL; SQLite
    serialises writers anyway). Only LOCK_FIELDS are loaded."""
    return Evaluation.objects.select_for_update().only(*LOCK_FIELDS).get(pk=evaluation_id)


@transaction.atomic
def evaluation_check_editable(
    *, evaluation_id: int, expected_version: int | None = None
) -> Evaluation:
    """Locks the evaluation's row (for the caller's transaction) and refuses a change to an
    evaluation that moved on since the form was loaded: a newer version (someone else saved) or
    a status that no longer allows editing. Returns the locked row (LOCK_FIELDS only), which
    the caller passes on as `locked` to the writes of the same transaction so that one save
    takes one lock."""
    current = evaluation_lock(evaluation_id)
    if expected_version is not None and current.version != expected_version:
        raise ValidationError(
            STALE_MESSAGE.format(expected=expected_version, current=current.version),
            code="stale",
        )
    if current.status not in access.EDITABLE_STATUSES:
        raise ValidationError(
            LOCKED_MESSAGE.format(status=current.get_status_display()),
            code="locked",
        )
    return current


def _checked(
    evaluation_id: int, locked: Evaluation | None, expected_version: int | None = None
) -> Evaluation:
    """The row `locked` by this transaction's check, or checked and locked now."""
    if locked is not None and locked.pk == evaluation_id:
        return locked
    return evaluation_check_editable(evaluation_id=evaluation_id, expected_version=expected_version)


@transaction.atomic
def evaluation_save(
    *,
    evaluation: Evaluation,
    expected_version: int | None = None,
    locked: Evaluation | None = None,
) -> Evaluation:
    """Validate (figures add up, no negative amounts, one evaluation per department and year)
    and save, refusing stale forms and evaluations under review or approved. `locked`: the row
    `evaluation_check_editable` already locked and checked in this transaction."""
    if evaluation.pk:
        current = _checked(evaluation.pk, locked, expected_version)
        evaluation.version = current.version + 1
        current.version = evaluation.version
    evaluation.full_clean()
    evaluation.save()
    return evaluation


def evaluation_create(*, department: Department, year: int, **fields: object) -> Evaluation:
    """Create an evaluation with its figures and narrative; lists are added with
    `evaluation_item_save`."""
    evaluation = Evaluation(department=department, year=year, **fields)
    return evaluation_save(evaluation=evaluation)


@transaction.atomic
def evaluation_item_save(*, item: OrderedItem, locked: Evaluation | None = None) -> OrderedItem:
    _checked(item.evaluation_id, locked)
    item.check_room()
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def evaluation_item_delete(*, item: OrderedItem, locked: Evaluation | None = None) -> None:
    _checked(item.evaluation_id, locked)
    item.delete()


@transaction.atomic
def roles_setup() -> dict[str, int]:
    """Creates or updates the three role groups with exactly their permissions (idempotent).
    Returns the number of permissions per group name."""
    counts = {}
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
        permissions = []
        for code in sorted(codes):
            app_label, codename = code.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)
        counts[group.name] = len(permissions)
    return counts


ROLES_MISSING_MESSAGE = "角色尚未建立，请先运行 python manage.py setup_roles。"
NOT_A_DEPARTMENT_ACCOUNT = (
    "这不是部门账号（超级用户、系统管理员或另有权限的账号），只有超级用户可以修改。"
)


def role_group(role: access.Role) -> Group:
    """The group of a role, made by `setup_roles`."""
    group = Group.objects.filter(name=access.GROUP_NAMES[role]).first()
    if group is None:
        raise ValidationError(ROLES_MISSING_MESSAGE, code="roles_missing")
    return group


@transaction.atomic
def department_user_create(
    *, username: str, department: Department, role: access.Role, password: str
) -> AbstractUser:
    """A staff account of one department in one role. The admin's form for 系统管理员 and the
    `create_department_user` command offer only 填报人员 and 审核人员 (access.DEPARTMENT_ROLES)."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ValidationError(f"用户名 {username} 已存在。")
    group = role_group(role)
    user = user_model(username=username, is_staff=True)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError(f"密码不符合要求：{' '.join(error.messages)}") from None
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.add(group)
    Membership.objects.create(user=user, department=department)
    return user


@transaction.atomic
def department_user_update(
    *,
    user: AbstractUser,
    username: str,
    department: Department,
    role: access.Role,
    is_active: bool,
) -> AbstractUser:
    """Changes a department account: its name, department, role (填报人员 or 审核人员) and whether
    it may sign in; it stays a staff account, without other groups or permissions. Refuses any
    account that is not a department account (access.is_department_account), as stored: a
    superuser's, a 系统管理员's, one with other powers are a superuser's to change."""
    if role not in access.DEPARTMENT_ROLES:
        raise ValidationError(
            f"部门账号的角色只能是填报人员或审核人员，不能是{access.GROUP_NAMES[role]}。"
        )
    current = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not access.is_department_account(current):
        raise PermissionDenied(NOT_A_DEPARTMENT_ACCOUNT)
    group = role_group(role)
    current.username = username
    current.is_active = is_active
    current.is_staff = True
    current.full_clean()
    current.save()
    current.groups.set([group])
    membership = Membership.objects.filter(user=current).first() or Membership(user=current)
    membership.department = department
    membership.full_clean()
    membership.save()
    return current
