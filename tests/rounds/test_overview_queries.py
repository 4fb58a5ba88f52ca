"""The overview and the 汇总表 read the database a fixed number of times, however many
departments take part: scores are computed in bulk, never per department."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.factories import DepartmentFactory, EvaluationFactory
from indicators.factories import CompleteEvaluationFactory, IndicatorFrameworkFactory
from review.services import evaluation_transition
from rounds.models import Round
from rounds.services import round_create
from tests.rounds.conftest import YEAR, overview_url, today


def district_of(size: int, administrator) -> Round:
    """`size` departments: a third submitted, a third drafts, a third without an evaluation."""
    IndicatorFrameworkFactory(year=YEAR)
    departments = [DepartmentFactory(code=f"q-{size}-{n:03d}") for n in range(size)]
    for number, department in enumerate(departments):
        if number % 3 == 0:
            evaluation = CompleteEvaluationFactory(department=department, year=YEAR)
            evaluation_transition(
                evaluation_id=evaluation.pk, user=administrator.user, action="submit"
            )
        elif number % 3 == 1:
            EvaluationFactory(department=department, year=YEAR)
    Round.objects.filter(year=YEAR).delete()
    round_, _ = round_create(
        year=YEAR,
        deadline=today(),
        departments=departments,
        create_drafts=False,
        user=administrator.user,
    )
    return round_


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_overview_reads_the_same_number_of_times_for_3_and_30_departments(
    db, administrator, auditor
):
    small = district_of(3, administrator)
    counts = {}
    for name in ("", "summary.xlsx", "summary-gbk.csv"):
        counts[name, 3] = queries(auditor, overview_url(small) + name)
    large = district_of(30, administrator)
    for name in ("", "summary.xlsx", "summary-gbk.csv"):
        counts[name, 30] = queries(auditor, overview_url(large) + name)

    for name in ("", "summary.xlsx", "summary-gbk.csv"):
        assert counts[name, 3] == counts[name, 30], (name, counts)
    assert counts["", 30] <= 12, counts
