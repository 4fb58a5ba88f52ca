"""Writes of the review layer: the workflow (提交送审 → 退回修改 / 审核通过), approval with its
stored documents, and 从上年复制. Each step is recorded with who, when and why."""

import hashlib
from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from evaluations import access
from evaluations import services as evaluation_services
from evaluations.lists import ORDERED_LISTS
from evaluations.models import ApprovedReport, Evaluation, ReviewEvent
from indicators import selectors as indicator_selectors
from indicators import services as indicator_services
from review import document_data, documents, selectors
from review.consistency.check import Finding
from review.consistency.selectors import evaluation_inconsistencies

# The review workflow: action → (statuses it starts from, status it leads to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (access.EDITABLE_STATUSES, Evaluation.Status.SUBMITTED),
    "return": ((Evaluation.Status.SUBMITTED,), Evaluation.Status.RETURNED),
    "approve": ((Evaluation.Status.SUBMITTED,), Evaluation.Status.APPROVED),
}
ACTION_LABELS = {"submit": "提交送审", "return": "退回修改", "approve": "审核通过"}
CHANGED_WHILE_RENDERING = "这份自评在生成审定报告期间被他人修改，本次未审核通过，请刷新页面后重试。"


def allowed_actions(*, user: access.AnyUser, evaluation: Evaluation) -> list[str]:
    """The transitions this user may make now, for the buttons on the page."""
    actions = []
    if access.can_submit(user, evaluation):
        actions.append("submit")
    if access.can_review(user, evaluation):
        actions += ["return", "approve"]
    return actions


def check_transition(
    *, evaluation: Evaluation, user: access.AnyUser, action: str, comment: str
) -> None:
    if action not in TRANSITIONS:
        raise ValidationError(f"未知的操作：{action}")
    sources, _ = TRANSITIONS[action]
    if evaluation.status not in sources:
        raise ValidationError(
            f"这份自评当前状态为“{evaluation.get_status_display()}”，不能{ACTION_LABELS[action]}。",
            code="wrong_status",
        )
    if action not in allowed_actions(user=user, evaluation=evaluation):
        raise PermissionDenied(f"您没有权限{ACTION_LABELS[action]}。")
    if action == "return" and not comment:
        raise ValidationError("退回时必须填写审核意见，说明需要修改什么。", code="comment_required")


# A reason for keeping a sentence that contradicts the figures: a sentence or two.
EXPLANATION_MAX_LENGTH = 500


def explanation_problems(
    *, findings: Sequence[Finding], explanations: Mapping[str, str]
) -> dict[str, str]:
    """What is wrong with the reasons given for the findings, by finding key: missing, or too
    long. Empty when every finding is explained."""
    problems = {}
    for finding in findings:
        reason = explanations.get(finding.key, "").strip()
        if not reason:
            problems[finding.key] = "请改正这处不一致，或说明保留的理由。"
        elif len(reason) > EXPLANATION_MAX_LENGTH:
            problems[finding.key] = (
                f"理由有 {len(reason)} 字，超过 {EXPLANATION_MAX_LENGTH} 字的上限，请精简。"
            )
    return problems


def _explained(findings: Sequence[Finding], explanations: Mapping[str, str]) -> list[dict]:
    return [
        {
            "rule": finding.rule_label,
            "place": finding.place,
            "sentence": finding.sentence,
            "written": finding.written,
            "computed": finding.computed,
            "reason": explanations[finding.key].strip(),
        }
        for finding in findings
    ]


def evaluation_transition(
    *,
    evaluation_id: int,
    user,
    action: str,
    comment: str = "",
    explanations: Mapping[str, str] | None = None,
) -> Evaluation:
    """Move an evaluation through the review workflow and record who did it, when and why.

    Submitting runs every check of the evaluation and refuses with the whole list of problems,
    and refuses while a sentence of the free text contradicts the figures without a reason in
    `explanations` (by finding key; the reasons are recorded with the step); returning needs a
    comment; approving stores 附件1 and 附件2 as rendered now. The documents
    are rendered before the row is locked (a second or so); under the lock the status and
    version are checked again, so two reviewers acting at once cannot both succeed and an
    approval never stores documents of data that changed meanwhile.
    """
    comment = comment.strip()
    rendered: dict[tuple[int, str], documents.ApprovedFile] = {}
    if action == "approve":
        before = Evaluation.objects.select_related("department").get(pk=evaluation_id)
        check_transition(evaluation=before, user=user, action=action, comment=comment)
        rendered = documents.render_for_approval(
            department_code=before.department.code,
            year=before.year,
            approval=document_data.Approval(approver=access.display_name(user), at=timezone.now()),
        )
    with transaction.atomic():
        # The whole row, locked: it is saved below with its history record.
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation_id)
        check_transition(evaluation=evaluation, user=user, action=action, comment=comment)
        if action == "approve" and evaluation.version != before.version:
            raise ValidationError(CHANGED_WHILE_RENDERING, code="changed")
        recorded: list[dict] = []
        if action == "submit":
            scorecard = indicator_selectors.evaluation_scorecard(evaluation=evaluation)
            problems = selectors.evaluation_problems(evaluation=evaluation, scorecard=scorecard)
            if problems:
                raise ValidationError(problems, code="incomplete")
            # Sentences that contradict the figures are corrected, or kept with a reason.
            findings = evaluation_inconsistencies(evaluation=evaluation, scorecard=scorecard)
            given = explanations or {}
            unexplained = explanation_problems(findings=findings, explanations=given)
            if unexplained:
                raise ValidationError(
                    [
                        f"{finding.message}{unexplained[finding.key]}"
                        for finding in findings
                        if finding.key in unexplained
                    ],
                    code="unexplained",
                )
            recorded = _explained(findings, given)
        for (appendix, fmt), file in rendered.items():
            ApprovedReport.objects.create(
                evaluation=evaluation,
                appendix=appendix,
                fmt=fmt,
                content=file.content,
                sha256=hashlib.sha256(file.content).hexdigest(),
                verification_code=file.verification_code,
            )
        _, target = TRANSITIONS[action]
        event = ReviewEvent(
            evaluation=evaluation,
            actor=user,
            from_status=evaluation.status,
            to_status=target,
            comment=comment,
            explanations=recorded,
        )
        event.full_clean()
        event.save()
        evaluation.status = target
        evaluation.version += 1
        # simple_history records this user as the author of the change; it ships no types.
        evaluation._history_user = user  # type: ignore[attr-defined]
        evaluation.save(update_fields=["status", "version", "updated_at"])
    return Evaluation.objects.select_related("department").get(pk=evaluation_id)


@transaction.atomic
def evaluation_copy_forward(
    *, source: Evaluation, user: access.AnyUser
) -> tuple[Evaluation, list[str]]:
    """Next year's draft from this year's evaluation ("从上年复制"): the lists marked
    `copied_forward` in evaluations/lists.py and the indicator rows (with this year's results as
    next year's 上年实际值); figures and narrative are left empty, to be written for the new year.

    Returns the new evaluation and the names of indicator rows that could not be carried over.
    """
    if not (access.can_create(user) and access.can_see(user, source)):
        raise PermissionDenied("您没有权限为该部门新建自评。")
    year = source.year + 1
    if Evaluation.objects.filter(department=source.department, year=year).exists():
        raise ValidationError(
            f"{source.department} 的 {year} 年度自评已经存在，不能再从 {source.year} 年度复制。"
        )
    target = evaluation_services.evaluation_save(
        evaluation=Evaluation(department=source.department, year=year)
    )
    for entry in ORDERED_LISTS:
        if not entry.copied_forward:
            continue
        for item in getattr(source, entry.accessor).all():
            copy = entry.model(evaluation=target, order=item.order)
            for name in entry.fields:
                setattr(copy, name, getattr(item, name))
            evaluation_services.evaluation_item_save(item=copy)
    skipped = indicator_services.indicator_rows_copy_forward(source=source, target=target)
    return target, skipped
