"""Every write to an evaluation goes through here: the admin, imports and management commands
share one path and one set of rules."""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from evaluations import access, selectors
from evaluations.models import ApprovedReport, Department, Evaluation, OrderedItem, ReviewEvent

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


def _lock(evaluation_id: int) -> Evaluation:
    """The evaluation's row, locked until the transaction ends (PostgreSQL; SQLite serialises
    writers anyway)."""
    return Evaluation.objects.select_for_update().get(pk=evaluation_id)


@transaction.atomic
def evaluation_check_editable(
    *, evaluation_id: int, expected_version: int | None = None
) -> Evaluation:
    """Locks the evaluation's row (for the caller's transaction) and refuses a change to an
    evaluation that moved on since the form was loaded: a newer version (someone else saved) or
    a status that no longer allows editing."""
    current = _lock(evaluation_id)
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


@transaction.atomic
def evaluation_save(*, evaluation: Evaluation, expected_version: int | None = None) -> Evaluation:
    """Validate (figures add up, no negative amounts, one evaluation per department and year)
    and save, refusing stale forms and evaluations under review or approved."""
    if evaluation.pk:
        current = evaluation_check_editable(
            evaluation_id=evaluation.pk, expected_version=expected_version
        )
        evaluation.version = current.version + 1
    evaluation.full_clean()
    evaluation.save()
    return evaluation


def evaluation_create(*, department: Department, year: int, **fields: object) -> Evaluation:
    """Create an evaluation with its figures and narrative; lists are added with
    `evaluation_item_save`."""
    evaluation = Evaluation(department=department, year=year, **fields)
    return evaluation_save(evaluation=evaluation)


@transaction.atomic
def evaluation_item_save(*, item: OrderedItem) -> OrderedItem:
    evaluation_check_editable(evaluation_id=item.evaluation_id)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def evaluation_item_delete(*, item: OrderedItem) -> None:
    evaluation_check_editable(evaluation_id=item.evaluation_id)
    item.delete()


# The review workflow: action → (statuses it starts from, status it leads to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (access.EDITABLE_STATUSES, Evaluation.Status.SUBMITTED),
    "return": ((Evaluation.Status.SUBMITTED,), Evaluation.Status.RETURNED),
    "approve": ((Evaluation.Status.SUBMITTED,), Evaluation.Status.APPROVED),
}
ACTION_LABELS = {"submit": "提交送审", "return": "退回修改", "approve": "审核通过"}


def allowed_actions(*, user, evaluation: Evaluation) -> list[str]:
    """The transitions this user may make now, for the buttons on the page."""
    actions = []
    if access.can_submit(user, evaluation):
        actions.append("submit")
    if access.can_review(user, evaluation):
        actions += ["return", "approve"]
    return actions


@transaction.atomic
def evaluation_transition(
    *, evaluation_id: int, user, action: str, comment: str = ""
) -> Evaluation:
    """Move an evaluation through the review workflow and record who did it, when and why.

    Submitting runs every check of the evaluation and refuses with the whole list of problems;
    returning needs a comment; approving renders 附件1 and 附件2 once and stores them.
    The row is locked, so two reviewers acting at once cannot both succeed.
    """
    evaluation = _lock(evaluation_id)
    if action not in TRANSITIONS:
        raise ValidationError(f"未知的操作：{action}")
    sources, target = TRANSITIONS[action]
    if evaluation.status not in sources:
        raise ValidationError(
            f"这份自评当前状态为“{evaluation.get_status_display()}”，不能{ACTION_LABELS[action]}。",
            code="wrong_status",
        )
    if action not in allowed_actions(user=user, evaluation=evaluation):
        raise PermissionDenied(f"您没有权限{ACTION_LABELS[action]}。")
    comment = comment.strip()
    if action == "return" and not comment:
        raise ValidationError("退回时必须填写审核意见，说明需要修改什么。", code="comment_required")
    if action == "submit":
        problems = selectors.evaluation_problems(evaluation=evaluation)
        if problems:
            raise ValidationError(problems, code="incomplete")
    if action == "approve":
        _store_approved_reports(evaluation)

    event = ReviewEvent(
        evaluation=evaluation,
        actor=user,
        from_status=evaluation.status,
        to_status=target,
        comment=comment,
    )
    event.full_clean()
    event.save()
    evaluation.status = target
    evaluation.version += 1
    evaluation._history_user = user
    evaluation.save(update_fields=["status", "version", "updated_at"])
    return evaluation


def _store_approved_reports(evaluation: Evaluation) -> None:
    from evaluations.reports import report
    from indicators import selectors as indicator_selectors
    from indicators.reports import appendix1

    code, year = evaluation.department.code, evaluation.year
    rendered = {
        ApprovedReport.Appendix.REPORT: report.report_pdf(
            selectors.evaluation_for_report(department_code=code, year=year)
        ),
        ApprovedReport.Appendix.SCORE_TABLE: appendix1.appendix1_pdf(
            appendix1.appendix1_for(
                indicator_selectors.evaluation_for_appendix(department_code=code, year=year)
            )
        ),
    }
    for appendix, pdf_bytes in rendered.items():
        ApprovedReport.objects.create(
            evaluation=evaluation,
            appendix=appendix,
            pdf=pdf_bytes,
            sha256=hashlib.sha256(pdf_bytes).hexdigest(),
        )


@transaction.atomic
def evaluation_copy_forward(*, source: Evaluation, user) -> tuple[Evaluation, list[str]]:
    """Next year's draft from this year's evaluation ("从上年复制"): the functions, goals, key
    tasks and indicator rows (with this year's results as next year's 上年实际值); figures and
    narrative are left empty, to be written for the new year.

    Returns the new evaluation and the names of indicator rows that could not be carried over.
    """
    from indicators import services as indicator_services

    if not (access.can_create(user) and access.can_see(user, source)):
        raise PermissionDenied("您没有权限为该部门新建自评。")
    year = source.year + 1
    if Evaluation.objects.filter(department=source.department, year=year).exists():
        raise ValidationError(
            f"{source.department} 的 {year} 年度自评已经存在，不能再从 {source.year} 年度复制。"
        )
    target = evaluation_save(evaluation=Evaluation(department=source.department, year=year))
    for accessor in ("departmentfunctions", "performancegoals", "keytasks"):
        for item in getattr(source, accessor).all():
            evaluation_item_save(
                item=type(item)(evaluation=target, order=item.order, text=item.text)
            )
    skipped = indicator_services.indicator_rows_copy_forward(source=source, target=target)
    return target, skipped


@transaction.atomic
def roles_setup() -> dict[str, int]:
    """Creates or updates the three role groups with exactly their permissions (idempotent).
    Returns the number of permissions per group name."""
    from django.contrib.auth.models import Group, Permission

    from evaluations.roles import GROUP_NAMES, ROLE_PERMISSIONS

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


@transaction.atomic
def department_user_create(
    *, username: str, department: Department, role: access.Role, password: str
):
    """A staff account of one department in one role (填报人员 or 审核人员)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.auth.password_validation import validate_password

    from evaluations.models import Membership

    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ValidationError(f"用户名 {username} 已存在。")
    group = Group.objects.filter(name=access.GROUP_NAMES[role]).first()
    if group is None:
        raise ValidationError("角色尚未建立，请先运行 python manage.py setup_roles。")
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
