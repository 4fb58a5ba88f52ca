"""Reads of the yearly round: each taking-part department's state, computed score and grade,
budget execution and dates, for the overview page and the 汇总表.

Built for a district of a thousand departments: a fixed number of queries whatever their number
(departments, evaluations, indicator rows, the framework's budget line, review steps), the
scores computed by the indicators' own pure functions (`indicators.scoring`), as
`indicators.selectors.evaluation_scorecard` does for one evaluation."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from evaluations import access, figures
from evaluations.models import Department, Evaluation, ReviewEvent
from indicators import scoring
from indicators.models import IndicatorRow, PrimaryIndicator
from rounds.models import Round


class State(models.TextChoices):
    """Where a taking-part department stands: no evaluation yet, or its evaluation's status."""

    MISSING = "missing", "未新建"
    DRAFT = Evaluation.Status.DRAFT.value, Evaluation.Status.DRAFT.label
    RETURNED = Evaluation.Status.RETURNED.value, Evaluation.Status.RETURNED.label
    SUBMITTED = Evaluation.Status.SUBMITTED.value, Evaluation.Status.SUBMITTED.label
    APPROVED = Evaluation.Status.APPROVED.value, Evaluation.Status.APPROVED.label


class GradeBucket(models.TextChoices):
    """The computed grade, and 未评 where none can be computed (no evaluation, nothing scored)."""

    EXCELLENT = Evaluation.Grade.EXCELLENT.value, Evaluation.Grade.EXCELLENT.label
    GOOD = Evaluation.Grade.GOOD.value, Evaluation.Grade.GOOD.label
    FAIR = Evaluation.Grade.FAIR.value, Evaluation.Grade.FAIR.label
    POOR = Evaluation.Grade.POOR.value, Evaluation.Grade.POOR.label
    NONE = "none", "未评"


class Lateness(models.TextChoices):
    """How a department stands against the deadline (see `days_overdue`)."""

    OVERDUE = "overdue", "逾期未提交"
    LATE = "late", "逾期提交"
    ON_TIME = "on_time", "未逾期"


# The workflow's order, for sorting by state and listing the counts.
STATE_ORDER = tuple(State)
SUBMITTED_ONCE = (State.SUBMITTED, State.RETURNED, State.APPROVED)
# The auditor's comments: those of 退回修改 and 审核通过.
REVIEW_STEPS = (Evaluation.Status.RETURNED, Evaluation.Status.APPROVED)


def days_overdue(
    *, deadline: date, state: str, submitted_on: date | None, today: date
) -> int | None:
    """Whole days past the deadline; 0 when on time; None when it cannot be known.

    The deadline day itself is on time. A department that has submitted (even if its evaluation
    was returned since) is judged by its first 提交送审: the days it was late then, which stop
    growing. One that has not submitted yet (no evaluation, a draft) is late by today's date
    while today is past the deadline. An evaluation loaded as submitted without a recorded
    提交送审 cannot be judged (None)."""
    if submitted_on is not None:
        return max(0, (submitted_on - deadline).days)
    if state in SUBMITTED_ONCE:
        return None
    return max(0, (today - deadline).days)


@dataclass(frozen=True)
class DepartmentResult:
    """One taking-part department of a year, as the overview and the 汇总表 show it."""

    department_id: int
    code: str
    name: str
    full_name: str
    evaluation_id: int | None
    state: State
    budget_total: Decimal | None  # 万元
    expenditure_total: Decimal | None  # 万元
    completion_rate: Decimal | None  # percent with one place, as figures.completion_rate
    score: Decimal | None  # computed from the indicator rows, as on the evaluation page
    grade: GradeBucket  # computed; NONE when it cannot be
    typed_grade: str  # the 自评等级 the department chose ("" when none)
    submitted_at: datetime | None  # the first 提交送审
    approved_at: datetime | None  # the last 审核通过
    last_comment: str  # the 审核意见 of the last 退回修改 or 审核通过 that had one
    days_overdue: int | None  # see days_overdue()

    @property
    def lateness(self) -> Lateness | None:
        if self.days_overdue is None:
            return None
        if self.days_overdue == 0:
            return Lateness.ON_TIME
        return Lateness.LATE if self.submitted_at is not None else Lateness.OVERDUE

    @property
    def typed_grade_differs(self) -> bool:
        return bool(self.typed_grade) and self.typed_grade != self.grade

    @property
    def typed_grade_label(self) -> str:
        return Evaluation.Grade(self.typed_grade).label if self.typed_grade else ""


@dataclass
class _Row:
    """An indicator row's scored fields (scoring.ScoredRow), without a model instance."""

    nature: str
    target: Decimal | None
    actual: Decimal | None
    weight: Decimal
    qualitative_tier: str
    qualitative_share: Decimal | None


def _score(
    *, rows: Iterable[_Row], rate: Decimal | None, budget_weight: Decimal | None
) -> scoring.Summary:
    """What indicators.selectors.scorecard_for_rows computes, from the same pure functions."""
    budget = (
        scoring.budget_result(completion_rate=rate, weight=budget_weight)
        if budget_weight is not None
        else None
    )
    return scoring.summarise(rows=[scoring.row_result(row) for row in rows], budget=budget)


def _indicator_rows(evaluations: QuerySet[Evaluation]) -> dict[int, list[_Row]]:
    """The scored fields of every indicator row of these evaluations, by evaluation id."""
    rows: dict[int, list[_Row]] = defaultdict(list)
    for evaluation_id, *fields in IndicatorRow.objects.filter(
        evaluation__in=evaluations
    ).values_list(
        "evaluation_id",
        "nature",
        "target",
        "actual",
        "weight",
        "qualitative_tier",
        "qualitative_share",
    ):
        rows[evaluation_id].append(_Row(*fields))
    return rows


@dataclass(frozen=True)
class _Trail:
    first_submitted: dict[int, datetime]
    last_approved: dict[int, datetime]
    last_comment: dict[int, str]


def _review_trail(evaluations: QuerySet[Evaluation]) -> _Trail:
    """From the review steps of these evaluations, by evaluation id: the first 提交送审, the
    last 审核通过, the last 审核意见."""
    trail = _Trail({}, {}, {})
    for evaluation_id, to_status, created_at, comment in (
        ReviewEvent.objects.filter(evaluation__in=evaluations)
        .order_by("created_at", "pk")
        .values_list("evaluation_id", "to_status", "created_at", "comment")
    ):
        if to_status == Evaluation.Status.SUBMITTED:
            trail.first_submitted.setdefault(evaluation_id, created_at)
        elif to_status == Evaluation.Status.APPROVED:
            trail.last_approved[evaluation_id] = created_at
        if to_status in REVIEW_STEPS and comment.strip():
            trail.last_comment[evaluation_id] = comment.strip()
    return trail


def department_results(
    *,
    year: int,
    departments: QuerySet[Department],
    deadline: date | None,
    today: date | None = None,
) -> list[DepartmentResult]:
    """Every department of `departments` with its evaluation of `year` (or 未新建), ordered by
    department code; without a `deadline` nobody is overdue (days_overdue None). Five queries,
    whatever the number of departments."""
    today = today or timezone.localdate()
    evaluations = Evaluation.objects.filter(year=year, department__in=departments)
    found = {
        values["department_id"]: values
        for values in evaluations.values(
            "id", "department_id", "status", "budget_total", "expenditure_total", "grade"
        )
    }
    rows = _indicator_rows(evaluations)
    budget_weight = (
        PrimaryIndicator.objects.filter(framework__year=year, scores_budget_execution=True)
        .values_list("weight", flat=True)
        .first()
    )
    trail = _review_trail(evaluations)

    results = []
    for department_id, code, name, full_name in departments.order_by("code").values_list(
        "id", "code", "name", "full_name"
    ):
        values = found.get(department_id)
        evaluation_id: int | None = None
        if values is None:
            state, summary, rate = State.MISSING, None, None
            budget = expenditure = None
            typed_grade = ""
        else:
            evaluation_id = values["id"]
            state = State(values["status"])
            budget, expenditure = values["budget_total"], values["expenditure_total"]
            rate = figures.completion_rate(executed=expenditure, budget=budget)
            summary = _score(rows=rows[evaluation_id], rate=rate, budget_weight=budget_weight)
            typed_grade = values["grade"]
        submitted_at = trail.first_submitted.get(evaluation_id) if evaluation_id else None
        results.append(
            DepartmentResult(
                department_id=department_id,
                code=code,
                name=name,
                full_name=full_name,
                evaluation_id=evaluation_id,
                state=state,
                budget_total=budget,
                expenditure_total=expenditure,
                completion_rate=rate,
                score=summary.total if summary else None,
                grade=GradeBucket(summary.grade) if summary and summary.grade else GradeBucket.NONE,
                typed_grade=typed_grade,
                submitted_at=submitted_at,
                approved_at=trail.last_approved.get(evaluation_id) if evaluation_id else None,
                last_comment=trail.last_comment.get(evaluation_id, "") if evaluation_id else "",
                days_overdue=(
                    days_overdue(
                        deadline=deadline,
                        state=state,
                        submitted_on=timezone.localdate(submitted_at) if submitted_at else None,
                        today=today,
                    )
                    if deadline is not None
                    else None
                ),
            )
        )
    return results


# --- access ------------------------------------------------------------------------------------


def round_for_user(*, user: access.AnyUser, round_id: object) -> Round:
    """The round, for an auditor or an administrator: anyone else may not see the departments'
    overview (403), a round that does not exist is a 404."""
    if not access.sees_every_department(user):
        raise PermissionDenied("只有审核人员和系统管理员可以查看年度总览和汇总表。")
    try:
        return Round.objects.get(pk=int(str(round_id)))
    except (Round.DoesNotExist, ValueError):
        raise Http404("没有找到这个年度。") from None


def round_departments(round_: Round) -> QuerySet[Department]:
    return round_.departments.all()


# --- the overview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    value: str
    label: str
    count: int


def _ranked(choices: tuple[Any, ...]) -> Callable[[object], int]:
    order = {choice: index for index, choice in enumerate(choices)}
    return lambda value: order[value]


GRADE_ORDER = (
    GradeBucket.EXCELLENT,
    GradeBucket.GOOD,
    GradeBucket.FAIR,
    GradeBucket.POOR,
    GradeBucket.NONE,
)
_state_rank = _ranked(STATE_ORDER)
_grade_rank = _ranked(GRADE_ORDER)

# The overview's sortable columns: GET ?o=<key> (ascending) or ?o=-<key>.
SORT_KEYS: dict[str, Callable[[DepartmentResult], object]] = {
    "code": lambda r: r.code,
    "name": lambda r: r.name,
    "state": lambda r: _state_rank(r.state),
    "score": lambda r: r.score,
    "grade": lambda r: None if r.grade == GradeBucket.NONE else _grade_rank(r.grade),
    "rate": lambda r: r.completion_rate,
    "submitted": lambda r: r.submitted_at,
    "approved": lambda r: r.approved_at,
    "overdue": lambda r: r.days_overdue,
    "comment": lambda r: r.last_comment or None,
}


def sorted_results(results: list[DepartmentResult], order: str) -> list[DepartmentResult]:
    """By one column, ties by department code; blanks last in either direction."""
    descending = order.startswith("-")
    key = SORT_KEYS.get(order.removeprefix("-"), SORT_KEYS["code"])
    by_code = sorted(results, key=lambda r: r.code)
    known = [r for r in by_code if key(r) is not None]
    blank = [r for r in by_code if key(r) is None]
    return sorted(known, key=key, reverse=descending) + blank  # type: ignore[arg-type]


def filtered_results(
    results: list[DepartmentResult],
    *,
    state: str = "",
    lateness: str = "",
    grade: str = "",
) -> list[DepartmentResult]:
    return [
        r
        for r in results
        if (not state or r.state == state)
        and (not lateness or r.lateness == lateness)
        and (not grade or r.grade == grade)
    ]


@dataclass(frozen=True)
class Totals:
    """The 合计 of departments: each amount summed over those that have it, and the rate of
    the two sums."""

    budget_total: Decimal
    expenditure_total: Decimal
    completion_rate: Decimal | None


def totals_of(results: Iterable[DepartmentResult]) -> Totals:
    results = list(results)
    budget = sum((r.budget_total or Decimal("0") for r in results), Decimal("0"))
    expenditure = sum((r.expenditure_total or Decimal("0") for r in results), Decimal("0"))
    return Totals(
        budget_total=budget,
        expenditure_total=expenditure,
        completion_rate=figures.completion_rate(executed=expenditure, budget=budget),
    )


@dataclass(frozen=True)
class Overview:
    round: Round
    today: date
    results: tuple[DepartmentResult, ...]  # every taking-part department, by code
    state_counts: tuple[Count, ...]
    grade_counts: tuple[Count, ...]
    lateness_counts: tuple[Count, ...]

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def totals(self) -> Totals:
        return totals_of(self.results)


def _counts(choices: Iterable[Any], values: list[object]) -> tuple[Count, ...]:
    return tuple(
        Count(value=str(choice), label=str(choice.label), count=values.count(choice))
        for choice in choices
    )


def round_overview(*, round_: Round, today: date | None = None) -> Overview:
    today = today or timezone.localdate()
    results = department_results(
        year=round_.year,
        departments=round_departments(round_),
        deadline=round_.deadline,
        today=today,
    )
    return Overview(
        round=round_,
        today=today,
        results=tuple(results),
        state_counts=_counts(STATE_ORDER, [r.state for r in results]),
        grade_counts=_counts(GRADE_ORDER, [r.grade for r in results]),
        lateness_counts=_counts(
            (Lateness.OVERDUE, Lateness.LATE, Lateness.ON_TIME), [r.lateness for r in results]
        ),
    )
