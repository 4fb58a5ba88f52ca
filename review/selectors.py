"""Reads of the review layer: what stands between an evaluation and submission, who changed
what, and each role's start page. They see the whole evaluation: its own data and its indicator
rows."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from evaluations import access
from evaluations import selectors as evaluation_selectors
from evaluations.lists import ORDERED_LISTS
from evaluations.models import REPORT_MAX_CHARACTERS, Department, Evaluation, ReviewEvent
from evaluations.reports import document
from evaluations.selectors import SubmissionProblem
from indicators import selectors as indicator_selectors
from indicators.models import IndicatorRow
from review.consistency.check import Finding
from review.consistency.selectors import evaluation_inconsistencies


def evaluation_problem_list(
    *, evaluation: Evaluation, scorecard: indicator_selectors.Scorecard | None = None
) -> list[SubmissionProblem]:
    """Everything that stands between an evaluation and submission for review, in the order of
    the report, each with where on the evaluation's change page it is fixed; empty when it may
    be submitted. An evaluation from `evaluations_for_report` (lists loaded) is not read again:
    then a fixed few queries (the indicator rows and the year's framework), whatever its size."""
    if evaluation_selectors.lists_loaded(evaluation):
        loaded = evaluation
    else:
        loaded = evaluation_selectors.evaluations_for_report().get(pk=evaluation.pk)
    problems = [
        *evaluation_selectors.evaluation_data_problem_list(evaluation=evaluation),
        *indicator_selectors.evaluation_completeness_problem_list(
            evaluation=evaluation, scorecard=scorecard
        ),
    ]
    characters = document.report_characters(document.report_blocks(loaded))
    if characters > REPORT_MAX_CHARACTERS:
        problems.append(SubmissionProblem(document.too_long(characters), ""))
    return problems


def evaluation_problems(
    *, evaluation: Evaluation, scorecard: indicator_selectors.Scorecard | None = None
) -> list[str]:
    """Everything that stands between an evaluation and submission for review, in the order of
    the report; empty when it may be submitted."""
    return [
        problem.message
        for problem in evaluation_problem_list(evaluation=evaluation, scorecard=scorecard)
    ]


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class ChangeEntry:
    when: datetime
    who: str
    what: str
    action: str  # 新建 / 修改 / 删除
    changes: tuple[FieldChange, ...]


HISTORY_ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}


def _shown(value: object) -> str:
    if value is None or value == "":
        return "（空）"
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def evaluation_change_log(*, evaluation: Evaluation, limit: int = 200) -> list[ChangeEntry]:
    """Who changed what, when, field by field: the evaluation and every part of it (lists and
    indicator rows), newest first. One query per kind of part."""
    parts = [entry.model for entry in ORDERED_LISTS] + [IndicatorRow]
    sources = [(Evaluation.history.filter(id=evaluation.pk), "自评")]
    sources += [
        (model.history.filter(evaluation_id=evaluation.pk), str(model._meta.verbose_name))
        for model in parts
    ]
    entries: list[ChangeEntry] = []
    for records, label in sources:
        previous: dict[int, object] = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(record.id)
            previous[record.id] = record
            changes: tuple[FieldChange, ...] = ()
            if before is not None and record.history_type == "~":
                delta = record.diff_against(before)
                changes = tuple(
                    FieldChange(
                        field=str(record.instance_type._meta.get_field(change.field).verbose_name),
                        old=_shown(change.old),
                        new=_shown(change.new),
                    )
                    for change in delta.changes
                )
                if not changes:
                    continue
            name = getattr(record, "name", None) or getattr(record, "title", None)
            order = getattr(record, "order", None)
            what = label if order is None else f"{label} 第 {order} 项"
            if name:
                what += f"（{name}）"
            entries.append(
                ChangeEntry(
                    when=record.history_date,
                    who=str(record.history_user or "系统"),
                    what=what,
                    action=HISTORY_ACTIONS[record.history_type],
                    changes=changes,
                )
            )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


# --- the start page (the admin index) of each role ---------------------------------------------


def evaluation_year_due(today: date | None = None) -> int:
    """The budget year whose self-evaluation is being written now: a year's evaluation is
    written after the year has closed (2023's in 2024), so last year."""
    return (today or timezone.localdate()).year - 1


@dataclass(frozen=True)
class Activity:
    when: datetime
    who: str  # as the admin names users: full name, else username; "系统" when nobody


class NextStep(models.TextChoices):
    """What the department does next with an evaluation (the start page's one link)."""

    FILL_IN = "fill_in", "继续填写"
    SUBMIT = "submit", "提交送审"
    CORRECT = "correct", "修改后重新提交"
    RESUBMIT = "resubmit", "重新提交送审"
    WAIT = "wait", "等待审核"
    DOWNLOAD = "download", "已审核通过：下载报告"


def next_step(*, status: str, ready: bool) -> NextStep:
    """`ready`: nothing stands between the evaluation and submission."""
    if status == Evaluation.Status.DRAFT:
        return NextStep.SUBMIT if ready else NextStep.FILL_IN
    if status == Evaluation.Status.RETURNED:
        return NextStep.RESUBMIT if ready else NextStep.CORRECT
    if status == Evaluation.Status.SUBMITTED:
        return NextStep.WAIT
    return NextStep.DOWNLOAD


@dataclass(frozen=True)
class OwnEvaluation:
    """One of the department's evaluations on a 填报人员's start page."""

    evaluation: Evaluation
    last_change: Activity | None
    return_comment: str  # the 审核意见 of the last 退回修改, while the evaluation is returned
    # What 提交送审 still needs, for an evaluation the user may edit; None otherwise.
    checklist: tuple[SubmissionProblem, ...] | None
    next_step: NextStep
    # Sentences of its free text that contradict its figures (to correct, or to explain at
    # 提交送审), for an evaluation the user may edit.
    inconsistencies: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class FillerStartPage:
    department: Department | None
    evaluations: tuple[OwnEvaluation, ...]  # newest year first
    year_due: int
    # Whether to offer a new evaluation of `year_due`: there is none yet and the user may add.
    may_add_year_due: bool
    # Last year's evaluation, from whose page 从上年复制 makes this year's draft.
    copy_source: Evaluation | None


@dataclass(frozen=True)
class WaitingEvaluation:
    evaluation: Evaluation
    submitted: Activity | None  # None when no 提交送审 was recorded (e.g. data loaded as such)
    days_waiting: int | None


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class ReviewStartPage:
    waiting: tuple[WaitingEvaluation, ...]  # oldest submission first, at most QUEUE_LIMIT
    waiting_total: int
    year_due: int
    counts: tuple[StatusCount, ...]  # of `year_due`, by status
    departments_without: int  # departments with no evaluation of `year_due` yet

    @property
    def more(self) -> int:
        """Waiting beyond those listed."""
        return self.waiting_total - len(self.waiting)


# The review queue on the start page; the rest are on the evaluation list, filtered.
QUEUE_LIMIT = 30


def evaluations_with_trail(queryset: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    """Annotated, in the same query, with the last saved change (its simple_history record),
    the last review step, the 审核意见 of the last 退回修改 and the last 提交送审 (read them
    with `trail_of`)."""
    history = Evaluation.history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    steps = ReviewEvent.objects.filter(evaluation=OuterRef("pk")).order_by("-created_at", "-pk")
    returns = steps.filter(to_status=Evaluation.Status.RETURNED)
    submissions = steps.filter(to_status=Evaluation.Status.SUBMITTED)
    return queryset.annotate(
        edited_at=Subquery(history.values("history_date")[:1]),
        edited_by=Subquery(history.values("history_user_id")[:1]),
        stepped_at=Subquery(steps.values("created_at")[:1]),
        stepped_by=Subquery(steps.values("actor_id")[:1]),
        return_comment=Subquery(returns.values("comment")[:1]),
        submitted_at=Subquery(submissions.values("created_at")[:1]),
        submitted_by=Subquery(submissions.values("actor_id")[:1]),
    )


@dataclass(frozen=True)
class Trail:
    """What `evaluations_with_trail` read of an evaluation; users as ids."""

    edited_at: datetime | None
    edited_by: int | None
    stepped_at: datetime | None
    stepped_by: int | None
    return_comment: str
    submitted_at: datetime | None
    submitted_by: int | None

    @property
    def user_ids(self) -> set[int]:
        ids = (self.edited_by, self.stepped_by, self.submitted_by)
        return {pk for pk in ids if pk is not None}


def trail_of(evaluation: Any) -> Trail:
    """The annotations of an evaluation from `evaluations_with_trail` (typed Any: the type
    checker does not know annotations)."""
    return Trail(
        edited_at=evaluation.edited_at,
        edited_by=evaluation.edited_by,
        stepped_at=evaluation.stepped_at,
        stepped_by=evaluation.stepped_by,
        return_comment=evaluation.return_comment or "",
        submitted_at=evaluation.submitted_at,
        submitted_by=evaluation.submitted_by,
    )


def user_names(ids: set[int]) -> dict[int, str]:
    """Users' names as the admin shows them (full name, else username), in one query."""
    users = get_user_model().objects.in_bulk(ids) if ids else {}
    return {pk: access.display_name(user) for pk, user in users.items()}


def _activity(when: datetime | None, who: int | None, names: dict[int, str]) -> Activity | None:
    if when is None:
        return None
    return Activity(when=when, who=names.get(who, "系统") if who is not None else "系统")


def _last_change(trail: Trail, names: dict[int, str]) -> Activity | None:
    """The later of the last saved change and the last review step."""
    candidates = [
        activity
        for activity in (
            _activity(trail.edited_at, trail.edited_by, names),
            _activity(trail.stepped_at, trail.stepped_by, names),
        )
        if activity is not None
    ]
    return max(candidates, key=lambda activity: activity.when, default=None)


def filler_start_page(*, user: access.AnyUser, today: date | None = None) -> FillerStartPage:
    """A 填报人员's start page: their department's evaluations, newest year first, each with its
    state, last change, the 审核意见 when returned, what 提交送审 still needs (for the ones they
    may edit) and the next step. Queries: a fixed number, plus a fixed few per evaluation they
    may edit (one or two), whatever the number of evaluations and the lengths of their lists."""
    year_due = evaluation_year_due(today)
    evaluations = list(
        evaluations_with_trail(
            access.evaluations_visible_to(user, Evaluation.objects.select_related("department"))
        ).order_by("-year", "department__code")
    )
    trails = {evaluation.pk: trail_of(evaluation) for evaluation in evaluations}
    names = user_names(set().union(*(trail.user_ids for trail in trails.values())))
    editable = [e.pk for e in evaluations if access.can_edit(user, e)]
    loaded = evaluation_selectors.evaluations_for_report().in_bulk(editable) if editable else {}
    rows: list[OwnEvaluation] = []
    for evaluation in evaluations:
        trail = trails[evaluation.pk]
        checklist = None
        inconsistencies: tuple[Finding, ...] = ()
        if evaluation.pk in loaded:
            editing = loaded[evaluation.pk]
            scorecard = indicator_selectors.evaluation_scorecard(evaluation=editing)
            checklist = tuple(evaluation_problem_list(evaluation=editing, scorecard=scorecard))
            inconsistencies = tuple(
                evaluation_inconsistencies(evaluation=editing, scorecard=scorecard)
            )
        returned = evaluation.status == Evaluation.Status.RETURNED
        rows.append(
            OwnEvaluation(
                evaluation=evaluation,
                last_change=_last_change(trail, names),
                return_comment=trail.return_comment if returned else "",
                checklist=checklist,
                next_step=next_step(status=evaluation.status, ready=not checklist),
                inconsistencies=inconsistencies,
            )
        )
    years = {evaluation.year for evaluation in evaluations}
    return FillerStartPage(
        department=access.department_of(user),
        evaluations=tuple(rows),
        year_due=year_due,
        may_add_year_due=year_due not in years and access.can_create(user),
        copy_source=next((e for e in evaluations if e.year == year_due - 1), None),
    )


def review_start_page(*, user: access.AnyUser, today: date | None = None) -> ReviewStartPage:
    """An auditor's (or administrator's) start page: the evaluations waiting for review that
    they may see, the longest-waiting first (by their last 提交送审), and where the year due
    stands. A fixed number of queries, whatever the number of evaluations and departments."""
    year_due = evaluation_year_due(today)
    visible = access.evaluations_visible_to(user, Evaluation.objects.select_related("department"))
    submitted = visible.filter(status=Evaluation.Status.SUBMITTED)
    queue = list(
        evaluations_with_trail(submitted).order_by(
            # A submission with no recorded step (data loaded as submitted) counts from the
            # evaluation's last save, which its submission froze.
            Coalesce(F("submitted_at"), F("updated_at")).asc(),
            "pk",
        )[:QUEUE_LIMIT]
    )
    trails = [trail_of(evaluation) for evaluation in queue]
    names = user_names({trail.submitted_by for trail in trails if trail.submitted_by is not None})
    now = timezone.now()
    waiting = []
    for evaluation, trail in zip(queue, trails, strict=True):
        submission = _activity(trail.submitted_at, trail.submitted_by, names)
        waiting.append(
            WaitingEvaluation(
                evaluation=evaluation,
                submitted=submission,
                days_waiting=(now - submission.when).days if submission else None,
            )
        )
    by_status = dict(
        visible.filter(year=year_due).order_by().values_list("status").annotate(count=Count("pk"))
    )
    return ReviewStartPage(
        waiting=tuple(waiting),
        waiting_total=submitted.count() if len(queue) == QUEUE_LIMIT else len(queue),
        year_due=year_due,
        counts=tuple(
            StatusCount(status=status, label=str(label), count=by_status.get(status, 0))
            for status, label in Evaluation.Status.choices
        ),
        departments_without=access.departments_visible_to(user)
        .exclude(evaluations__year=year_due)
        .count(),
    )
