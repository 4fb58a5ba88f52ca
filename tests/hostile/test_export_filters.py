"""The export views take the list's filters from the query string; a filter the list does not
have answers 400, for both apps' exports, and the list's own filters still export."""

import pytest
from django.urls import reverse

from evaluations.resources import EvaluationBudgetResource
from indicators.resources import IndicatorRowResource
from tests.helpers import make_row

pytestmark = pytest.mark.django_db

RESOURCES = {
    "admin:evaluations_evaluation_export": EvaluationBudgetResource,
    "admin:indicators_indicatorrow_export": IndicatorRowResource,
}
EXPORTS = list(RESOURCES)
BAD_QUERIES = [
    "foo=bar",
    "year=abc",
    "evaluation__year__gt=x",
    "id__in=1,x",
    "department__user__password__startswith=a",
    "evaluation__department__code__regex=(",
]


def csv_export(export: str) -> dict[str, str]:
    """The export form as posted: CSV, every column."""
    resource = RESOURCES[export]
    prefix = resource.__name__.lower()
    return {
        "format": "1",
        "resource": "0",
        **{f"{prefix}_{name}": "on" for name in resource().fields},
    }


@pytest.mark.parametrize("query", BAD_QUERIES)
@pytest.mark.parametrize("export", EXPORTS)
def test_an_export_with_a_filter_the_list_does_not_have_answers_400(
    staff_client, evaluation, export, query
):
    url = f"{reverse(export)}?{query}"

    assert staff_client.get(url).status_code == 400
    assert staff_client.post(url, csv_export(export)).status_code == 400


@pytest.mark.parametrize(
    ("export", "query", "expected"),
    [
        ("admin:evaluations_evaluation_export", "year=2023", "test-dept,2023"),
        ("admin:evaluations_evaluation_export", "status__exact=draft&q=test", "test-dept,2023"),
        ("admin:indicators_indicatorrow_export", "evaluation__year=2023", "国家高新技术企业数量"),
        ("admin:indicators_indicatorrow_export", "evaluation__year=2024", None),
    ],
)
def test_the_lists_own_filters_still_export(
    staff_client, evaluation, framework_2023, export, query, expected
):
    make_row(evaluation)
    url = f"{reverse(export)}?{query}"

    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, csv_export(export))

    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    if expected is None:
        assert len(lines) == 1  # the header only
    else:
        assert any(expected in line for line in lines[1:])
