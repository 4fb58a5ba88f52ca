"""Writes of the yearly round: creating a year (and the departments' drafts for it), changing
its deadline and departments."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction

from evaluations import access
from evaluations import services as evaluation_services
from evaluations.models import Department, Evaluation
from review import services as review_services
from rounds.models import Round


@dataclass
class DraftsMade:
    """What creating the drafts of a round did, department by department."""

    copied: list[Department] = field(default_factory=list)  # from the previous year
    empty: list[Department] = field(default_factory=list)  # no previous year: a blank draft
    existing: list[Department] = field(default_factory=list)  # had one already: untouched
    missing: list[Department] = field(default_factory=list)  # none yet, and none made now
    # Drafts were asked for but `draft_limit` was reached: `missing` are the ones still to make.
    limit: int | None = None
    # Indicator rows the year's framework had no 二级指标 for, by department name.
    skipped_rows: dict[str, list[str]] = field(default_factory=dict)

    @property
    def created(self) -> int:
        return len(self.copied) + len(self.empty)

    def message(self, round_: Round) -> str:
        """The summary shown after saving, naming the counts."""
        taking_part = self.created + len(self.existing) + len(self.missing)
        text = f"{round_}：参加部门 {taking_part} 个，填报截止日期 {round_.deadline:%Y-%m-%d}。"
        if self.created:
            text += (
                f"新建草稿 {self.created} 份（从上年复制 {len(self.copied)} 份，"
                f"空白草稿 {len(self.empty)} 份）"
            )
        else:
            text += "未新建草稿"
        text += f"；已有自评的 {len(self.existing)} 个部门未作改动"
        if self.missing and self.limit is not None:
            text += (
                f"；还有 {len(self.missing)} 个部门的草稿尚未生成（每次保存最多生成 {self.limit} 份）："
                "请打开本年度，勾选“为尚未新建自评的部门生成草稿”后再次保存"
            )
        elif self.missing:
            text += f"；{len(self.missing)} 个部门尚未新建自评"
        return text + "。"


def _must_administer(user: access.AnyUser) -> None:
    if access.role_of(user) != access.Role.ADMINISTRATOR:
        raise PermissionDenied("只有系统管理员可以建立或修改年度。")


def round_drafts_create(
    *,
    round_: Round,
    departments: Iterable[Department],
    user: access.AnyUser,
    draft_limit: int | None = None,
) -> DraftsMade:
    """For each department without an evaluation of the round's year (by department code, at
    most `draft_limit` of them): a draft copied from its previous year's evaluation
    (`evaluation_copy_forward`) where there is one, else an empty draft. Evaluations that exist
    are left as they are. Runs in the caller's transaction.

    A copy takes the per-row services, about 90 ms a department: a request makes a bounded
    number and the next save goes on where it stopped (rounds/admin.py)."""
    year = round_.year
    departments = sorted(departments, key=lambda department: department.code)
    ids = [department.pk for department in departments]
    have = set(
        Evaluation.objects.filter(year=year, department_id__in=ids).values_list(
            "department_id", flat=True
        )
    )
    sources = {
        source.department_id: source
        for source in Evaluation.objects.filter(year=year - 1, department_id__in=ids)
        .exclude(department_id__in=have)
        .select_related("department")
    }
    made = DraftsMade(limit=draft_limit)
    for department in departments:
        if department.pk in have:
            made.existing.append(department)
        elif draft_limit is not None and made.created >= draft_limit:
            made.missing.append(department)
        elif department.pk in sources:
            _, skipped = review_services.evaluation_copy_forward(
                source=sources[department.pk], user=user
            )
            made.copied.append(department)
            if skipped:
                made.skipped_rows[department.name] = skipped
        else:
            evaluation_services.evaluation_save(
                evaluation=Evaluation(department=department, year=year)
            )
            made.empty.append(department)
    return made


def _without_drafts(*, round_: Round, departments: list[Department]) -> DraftsMade:
    """The summary when no draft is made: the departments with an evaluation count as existing,
    the others appear as 未新建 on the overview."""
    have = set(
        Evaluation.objects.filter(
            year=round_.year, department_id__in=[d.pk for d in departments]
        ).values_list("department_id", flat=True)
    )
    return DraftsMade(
        existing=[d for d in departments if d.pk in have],
        missing=[d for d in departments if d.pk not in have],
    )


def _drafts(
    *,
    round_: Round,
    departments: list[Department],
    create_drafts: bool,
    draft_limit: int | None,
    user: access.AnyUser,
) -> DraftsMade:
    if create_drafts:
        return round_drafts_create(
            round_=round_, departments=departments, user=user, draft_limit=draft_limit
        )
    return _without_drafts(round_=round_, departments=departments)


@transaction.atomic
def round_create(
    *,
    year: int,
    deadline: date,
    departments: Iterable[Department] | None = None,
    create_drafts: bool,
    user: access.AnyUser,
    draft_limit: int | None = None,
) -> tuple[Round, DraftsMade]:
    """A year's round with its departments (default: every active department) and, when
    `create_drafts`, a draft for each of them that has none (at most `draft_limit`). All or
    nothing: an error in any department's draft leaves no round and no draft."""
    _must_administer(user)
    chosen = (
        list(Department.objects.filter(active=True)) if departments is None else list(departments)
    )
    round_ = Round(year=year, deadline=deadline, created_by_id=user.pk)
    return _save(round_, chosen, create_drafts=create_drafts, draft_limit=draft_limit, user=user)


@transaction.atomic
def round_update(
    *,
    round_: Round,
    deadline: date,
    departments: Iterable[Department],
    create_drafts: bool,
    user: access.AnyUser,
    draft_limit: int | None = None,
) -> tuple[Round, DraftsMade]:
    """A new deadline or other departments; with `create_drafts`, drafts for the departments
    that have none yet (a department added late, or those a limited save left). The year
    itself does not change. All or nothing, as `round_create`."""
    _must_administer(user)
    chosen = list(departments)
    round_.deadline = deadline
    return _save(round_, chosen, create_drafts=create_drafts, draft_limit=draft_limit, user=user)


def _save(
    round_: Round,
    departments: list[Department],
    *,
    create_drafts: bool,
    draft_limit: int | None,
    user: access.AnyUser,
) -> tuple[Round, DraftsMade]:
    """The round with its departments and, when asked, their drafts (in the caller's
    transaction)."""
    round_.full_clean()
    round_.save()
    round_.departments.set(departments)
    made = _drafts(
        round_=round_,
        departments=departments,
        create_drafts=create_drafts,
        draft_limit=draft_limit,
        user=user,
    )
    return round_, made
