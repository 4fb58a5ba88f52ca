"""One save of the evaluation page takes one lock of the evaluation's row, however many of its
parts (lists, indicator rows) it changes: the form's check locks the row and every write of the
same save goes through with that lock. Pinned by the queries the save runs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import services
from evaluations.models import Evaluation
from tests.helpers import change_form_data

pytestmark = pytest.mark.django_db


def lock_queries(captured: CaptureQueriesContext) -> list[str]:
    """The queries that lock an evaluation's row (`services.evaluation_lock`). SQLite has no
    row locks, so Django leaves FOR UPDATE out there; the query is the same otherwise."""
    probe = Evaluation.objects.select_for_update().only(*services.LOCK_FIELDS).filter(pk=0)
    probe = probe.order_by()  # as .get() runs it
    prefix = str(probe.query).split(" WHERE ")[0]
    return [query["sql"] for query in captured.captured_queries if query["sql"].startswith(prefix)]


def test_saving_the_page_with_changed_lists_and_indicator_rows_locks_the_row_once(
    filler, evaluation_ready
):
    change = reverse("admin:evaluations_evaluation_change", args=[evaluation_ready.pk])
    form = filler.get(change).context["adminform"].form
    data = change_form_data(
        form,
        conclusion_summary="改过的综述",
        **{
            "departmentfunctions-0-text": "改过的职能",
            "performancegoals-0-text": "改过的目标",
            "keytasks-0-text": "改过的任务",
            "problems-0-text": "改过的问题",
            "improvementmeasures-0-body": "改过的措施",
            "indicator_rows-0-deviation_reason": "改过的偏差原因",
        },
    )

    with CaptureQueriesContext(connection) as captured:
        response = filler.post(change, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    evaluation_ready.refresh_from_db()
    assert evaluation_ready.conclusion_summary == "改过的综述"
    assert evaluation_ready.departmentfunctions.get().text == "改过的职能"
    assert evaluation_ready.indicator_rows.get().deviation_reason == "改过的偏差原因"
    locks = lock_queries(captured)
    assert len(locks) == 1, locks
    if connection.vendor == "postgresql":
        assert sum("FOR UPDATE" in query["sql"] for query in captured.captured_queries) == 1
