"""Days overdue, as the overview counts them: the deadline day itself is on time; a department
that has not submitted is overdue by today's date from the day after; one that submitted late
is late by the days of its first 提交送审, which stop growing (a return and a resubmission change
nothing)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evaluations.factories import DepartmentFactory, EvaluationFactory
from evaluations.models import Evaluation, ReviewEvent
from indicators.factories import CompleteEvaluationFactory, IndicatorFrameworkFactory
from review.services import evaluation_transition
from rounds.services import round_create, round_update
from tests.rounds.conftest import YEAR, overview_url, today
from tests.rounds.pages import overview_table


@pytest.fixture
def late_round(db, department, administrator):
    """Two departments of 2024: one with a draft, one without an evaluation."""
    IndicatorFrameworkFactory(year=YEAR)
    EvaluationFactory(department=department, year=YEAR)
    missing = DepartmentFactory(code="z-missing", name="某区未建局")
    round_, _ = round_create(
        year=YEAR,
        deadline=today(),
        departments=[department, missing],
        create_drafts=False,
        user=administrator.user,
    )
    return round_


def move_deadline(round_, administrator, days_from_today: int) -> None:
    round_update(
        round_=round_,
        deadline=today() + timedelta(days=days_from_today),
        departments=list(round_.departments.all()),
        create_drafts=False,
        user=administrator.user,
    )


@pytest.mark.parametrize(
    ("deadline_in_days", "shown"),
    [(1, "—"), (0, "—"), (-1, "逾期 1 天"), (-30, "逾期 30 天")],
    ids=["the-day-before", "on-the-day", "the-day-after", "a-month-after"],
)
def test_a_department_that_has_not_submitted_is_overdue_from_the_day_after_the_deadline(
    late_round, administrator, auditor, deadline_in_days, shown
):
    move_deadline(late_round, administrator, deadline_in_days)

    table = overview_table(auditor.get(overview_url(late_round)).content)

    assert table.rows["test-dept"]["逾期"] == shown  # a draft
    assert table.rows["z-missing"]["逾期"] == shown  # no evaluation at all


def test_a_late_submission_counts_the_days_late_at_submission_and_stops_there(
    db, department, administrator, auditor
):
    IndicatorFrameworkFactory(year=YEAR)
    late = CompleteEvaluationFactory(department=department, year=YEAR)
    on_time = CompleteEvaluationFactory(
        department=DepartmentFactory(code="y-ontime", name="某区按期局"), year=YEAR
    )
    round_, _ = round_create(
        year=YEAR,
        deadline=today() - timedelta(days=10),
        departments=[department, on_time.department],
        create_drafts=False,
        user=administrator.user,
    )
    for evaluation, days_ago in ((late, 7), (on_time, 10)):
        evaluation_transition(evaluation_id=evaluation.pk, user=administrator.user, action="submit")
        # Submitted `days_ago` days ago: 3 days after the deadline, and on the deadline day.
        ReviewEvent.objects.filter(evaluation=evaluation).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    # Returned and submitted again today: the first submission still counts.
    evaluation_transition(
        evaluation_id=late.pk, user=auditor.user, action="return", comment="请补充。"
    )
    evaluation_transition(evaluation_id=late.pk, user=administrator.user, action="submit")

    response = auditor.get(overview_url(round_))
    table = overview_table(response.content)
    late_only = overview_table(auditor.get(overview_url(round_) + "?lateness=late").content)

    assert table.rows["test-dept"]["逾期"] == "晚交 3 天"
    assert table.rows["test-dept"]["提交时间"] == f"{today() - timedelta(days=7):%Y-%m-%d}"
    assert table.rows["y-ontime"]["逾期"] == "—"
    assert list(late_only.rows) == ["test-dept"]


def test_an_evaluation_loaded_as_submitted_without_a_recorded_submission_is_not_judged(
    late_round, administrator, auditor
):
    Evaluation.objects.filter(department__code="test-dept").update(
        status=Evaluation.Status.SUBMITTED
    )
    move_deadline(late_round, administrator, -5)

    table = overview_table(auditor.get(overview_url(late_round)).content)

    assert table.rows["test-dept"]["提交时间"] == "—"
    assert table.rows["test-dept"]["逾期"] == "—"
    assert table.rows["z-missing"]["逾期"] == "逾期 5 天"
