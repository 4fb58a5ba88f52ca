"""The admin list pages read the database a fixed number of times whatever the data size: the
same count with 3 departments as with 30 (issue 6: 1,000 departments × 3 years in production)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Department, Evaluation
from indicators.factories import CompleteEvaluationFactory
from review import demo_data

pytestmark = pytest.mark.django_db

LIST_PAGES = (
    "admin:evaluations_evaluation_changelist",
    "admin:evaluations_department_changelist",
    "admin:indicators_indicatorrow_changelist",
)
YEARS = [2022, 2023]


def queries_per_page(client) -> dict[str, int]:
    counts = {}
    for name in LIST_PAGES:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(name))
        assert response.status_code == 200, name
        counts[name] = len(captured)
    return counts


def remove_demo_data() -> None:
    Evaluation.objects.filter(department__code__startswith=demo_data.CODE_PREFIX).delete()
    Department.objects.filter(code__startswith=demo_data.CODE_PREFIX).delete()


@pytest.fixture
def filler(make_user, department):
    CompleteEvaluationFactory(department=department)
    return make_user("filler", role="filler", department=department)


@pytest.mark.parametrize("who", ["superuser", "filler"])
def test_the_admin_lists_read_the_database_a_fixed_number_of_times(who, staff_client, filler):
    client = staff_client if who == "superuser" else filler

    demo_data.demo_data_generate(departments=3, years=YEARS)
    small = queries_per_page(client)
    remove_demo_data()
    demo_data.demo_data_generate(departments=30, years=YEARS)
    large = queries_per_page(client)

    assert Evaluation.objects.count() == 61
    assert large == small
    assert max(large.values()) <= 15, large


@pytest.mark.parametrize(
    "name", ["admin:evaluations_evaluation_changelist", "admin:indicators_indicatorrow_changelist"]
)
def test_a_filler_department_filter_names_only_their_own_department(name, filler):
    demo_data.demo_data_generate(departments=3, years=YEARS)

    page = filler.get(reverse(name)).content.decode()

    assert "测试区示例局" in page
    assert "示例一区" not in page  # the demo departments' names
